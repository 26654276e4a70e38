"""A publisher's dump changes only that publisher's records (issue 10, items 1-3).

Source ``alpha`` publishes tests/data/ingest/two-solutions.ttl; source ``beta`` then sends
its own valid dump plus triples about what is not its own: alpha's solution, the
registry's ``source/alpha``, an account. Every RDF format that can carry them is tried.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.graphs import Graphs
from catalogue.ingest import ingest
from catalogue.ingest.ownership import OWNED_RULE, RESERVED_RULE
from catalogue.terms import CAT, DCT, PROV, RDF_TYPE, XSD

DATA = Path(__file__).parent / "data"
ALPHA = (DATA / "ingest" / "two-solutions.ttl").read_bytes()
BETA = (DATA / "isolation" / "beta.ttl").read_bytes()
ALPHA_SOLUTION = ox.NamedNode("http://repo.example.org/solution-1")
FORMATS = {  # our format name: pyoxigraph's serialiser (quads formats put triples in a graph)
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "rdf": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
}


def beta_with(extra: list[ox.Triple], fmt: str = "ttl") -> bytes:
    """beta's dump with ``extra`` triples, serialised as ``fmt``."""
    triples = list(ox.parse(BETA, format=ox.RdfFormat.TURTLE)) + extra
    rdf_format = FORMATS[fmt]
    if rdf_format.supports_datasets:
        g = ox.NamedNode("http://beta.example.net/graph")
        return ox.serialize([ox.Quad(t.subject, t.predicate, t.object, g) for t in triples],
                            format=rdf_format)
    return ox.serialize(triples, format=rdf_format)


def forged_title() -> ox.Triple:
    return ox.Triple(ALPHA_SOLUTION, DCT.title, ox.Literal("Hijacked by beta", language="en"))


def public_triples(store, settings, subject: ox.NamedNode) -> list[ox.Triple]:
    cat = Catalogue(settings, store)
    return [t for t in cat.reader.describe(subject.value) if t.subject == subject]


@pytest.fixture
def alpha(store, settings):
    report = ingest(store, settings, "alpha", ALPHA, filename="alpha.ttl")
    assert report.stored, report.as_text()
    return store


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_dump_describing_another_sources_record_is_refused_in_every_format(alpha, settings, fmt):
    store = alpha
    before = set(store.quads())
    report = ingest(store, settings, "beta", beta_with([forged_title()], fmt), format=fmt)
    assert not report.stored and report.exit_code == 1
    found = [f for f in report.findings if f.shape == OWNED_RULE]
    assert [f.focus for f in found] == [ALPHA_SOLUTION.value]
    assert "published by the source 'alpha'" in found[0].message
    assert set(store.quads()) == before


def test_partial_mode_quarantines_only_the_record_that_trespasses(alpha, settings):
    store = alpha
    report = ingest(store, settings, "beta", beta_with([forged_title()]), mode="partial")
    assert report.stored and report.accepted == 1 and report.rejected == 1
    rejected = [r for r in report.records if not r.accepted]
    assert [r.iri for r in rejected] == [ALPHA_SOLUTION.value]
    titles = [t.object.value for t in public_triples(store, settings, ALPHA_SOLUTION)
              if t.predicate == DCT.title]
    assert "Hijacked by beta" not in titles
    assert "Open e-Invoicing Gateway" in titles


@pytest.mark.parametrize("path", ["source/alpha", "user/admin", "graph/accounts", "run/alpha/x"])
def test_a_dump_describing_the_catalogues_own_resources_is_refused(alpha, settings, path):
    store = alpha
    graphs = Graphs(settings.base_uri)
    target = ox.NamedNode(settings.base_uri + path)
    forged = [ox.Triple(target, CAT.graph, graphs.accounts),
              ox.Triple(target, RDF_TYPE, CAT.Source)]
    before = set(store.quads())
    report = ingest(store, settings, "beta", beta_with(forged))
    assert not report.stored
    found = [f for f in report.findings if f.shape == RESERVED_RULE]
    assert found and found[0].focus == target.value
    assert "catalogue's own namespace" in found[0].message and "IRI of your own" in found[0].message
    assert set(store.quads()) == before


def test_the_registry_cannot_be_forged_to_point_at_a_private_graph(alpha, settings):
    store = alpha
    graphs = Graphs(settings.base_uri)
    forged = ox.Triple(graphs.source_resource("beta"), CAT.graph, graphs.accounts)
    report = ingest(store, settings, "beta", beta_with([forged]), mode="partial")
    assert report.stored  # beta's own solution is fine; the forged node is quarantined
    assert [r.iri for r in report.records if not r.accepted] == [forged.subject.value]
    public = Catalogue(settings, store).public_dataset()
    rows = store.select("SELECT ?s ?p ?g WHERE { ?s ?p ?g }",
                        {"s": graphs.source_resource("beta"), "p": CAT.graph}, dataset=public)
    assert graphs.accounts not in rows.column("g")
    assert len(rows) == 1  # the registry's own pointer to beta's current graph


def test_linking_to_another_sources_record_is_allowed(alpha, settings):
    store = alpha
    beta_tool = ox.NamedNode("http://beta.example.net/tool")
    report = ingest(store, settings, "beta", beta_with([
        ox.Triple(beta_tool, DCT.relation, ALPHA_SOLUTION)]))
    assert report.stored, report.as_text()


def test_the_owner_may_change_its_own_record(alpha, settings):
    store = alpha
    ingest(store, settings, "beta", BETA, format="ttl")
    changed = ALPHA.replace(b'"Open e-Invoicing Gateway"@en', b'"Open e-Invoicing Gateway 2"@en')
    report = ingest(store, settings, "alpha", changed, filename="alpha.ttl")
    assert report.stored, report.as_text()
    assert report.diff is not None and ALPHA_SOLUTION.value in report.diff.changed


def test_a_withdrawn_record_may_be_published_by_another_source(alpha, settings):
    store = alpha
    only_two = ALPHA.split(b"ex:solution-1 a dcat:Dataset")[0].replace(
        b"dcat:dataset ex:solution-1, ex:solution-2", b"dcat:dataset ex:solution-2")
    only_two += ALPHA.split(b"ex:solution-1-v1-zip a dcat:Distribution")[1].split(b"\n\n", 1)[1]
    withdrawn = ingest(store, settings, "alpha", only_two, filename="alpha.ttl")
    assert withdrawn.stored and ALPHA_SOLUTION.value in withdrawn.diff.removed, withdrawn.as_text()
    taken = ALPHA.replace(b"ex:solution-2, ", b"").replace(b"ex:collection", b"ex:collection-b")
    report = ingest(store, settings, "beta", taken, filename="beta.ttl", mode="partial")
    assert ALPHA_SOLUTION.value in [r.iri for r in report.records if r.accepted], report.as_text()


def test_community_may_describe_the_solutions_the_catalogue_mints_for_it(store, settings):
    minted = ox.NamedNode(settings.base_uri + "solution/abc")
    data = BETA.replace(b"beta:tool a", f"<{minted.value}> a".encode())
    assert ingest(store, settings, "community", data, format="ttl").stored
    other = ingest(store, settings, "beta2", BETA.replace(
        b"beta:tool a", f"<{settings.base_uri}solution/xyz> a".encode()), format="ttl")
    assert not other.stored
    assert [f.shape for f in other.findings if f.severity == "Violation"] == [RESERVED_RULE]


def test_a_forged_withdrawal_in_a_dump_does_not_make_a_record_gone(alpha, settings):
    store = alpha
    fake = ox.NamedNode("http://beta.example.net/run/1")
    forged = [ox.Triple(fake, RDF_TYPE, PROV.Activity),
              ox.Triple(fake, CAT.removed, ALPHA_SOLUTION),
              ox.Triple(fake, CAT.source, ox.Literal("alpha")),
              ox.Triple(fake, PROV.endedAtTime, ox.Literal("2099-01-01T00:00:00Z",
                                                           datatype=XSD.dateTime))]
    report = ingest(store, settings, "beta", beta_with(forged))
    assert report.stored, report.as_text()  # beta may say what it likes about its own IRIs
    assert Catalogue(settings, store).reader.withdrawal(ALPHA_SOLUTION.value) is None


def test_a_records_public_description_comes_only_from_the_source_that_publishes_it(store, settings):
    """beta described an IRI (untyped, as a related resource) before alpha published it as
    a solution: alpha's ingest is accepted, and the page shows alpha's words alone."""
    beta_tool = ox.NamedNode("http://beta.example.net/tool")
    early = beta_with([ox.Triple(beta_tool, DCT.relation, ALPHA_SOLUTION),
                       ox.Triple(ALPHA_SOLUTION, DCT.title, ox.Literal("Squatted", language="en"))])
    assert ingest(store, settings, "beta", early, format="ttl").stored
    assert ingest(store, settings, "alpha", ALPHA, filename="alpha.ttl").stored
    titles = {t.object.value for t in public_triples(store, settings, ALPHA_SOLUTION)
              if t.predicate == DCT.title}
    assert titles == {"Open e-Invoicing Gateway", "Passerelle de facturation électronique"}
    # and beta, ingesting again, may no longer describe it
    again = ingest(store, settings, "beta", early, format="ttl")
    assert not again.stored and [f.shape for f in again.findings if f.severity == "Violation"] == [OWNED_RULE]


@pytest.mark.parametrize("lang,words", [("en", "published by the source 'alpha'"),
                                        ("fr", "publiée par la source « alpha »"),
                                        ("de", "von der Quelle „alpha“ veröffentlicht")])
def test_the_refusal_is_explained_in_the_readers_language(alpha, settings, lang, words):
    from catalogue.reports import explain_finding

    report = ingest(alpha, settings, "beta", beta_with([forged_title()]))
    finding = next(f for f in report.findings if f.shape == OWNED_RULE)
    explained = explain_finding(finding, lang)
    assert words in explained.problem and "owl:sameAs" in explained.fix
