"""Ingest end to end on both backends: validation per record, strict vs partial, the
quarantine, provenance, the diff, and the store left exactly as it was on any failure."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.graphs import Graphs
from catalogue.ingest import ingest, validate_dump
from catalogue.ingest.registry import current
from catalogue.ingest.report import Report
from catalogue.store import Dataset

DATA = Path(__file__).parent / "data" / "ingest"
GOOD = (DATA / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
DCAT = "http://www.w3.org/ns/dcat#"


def without(data: bytes, line_fragment: bytes) -> bytes:
    """The dump with the lines containing ``line_fragment`` removed."""
    return b"\n".join(ln for ln in data.split(b"\n") if line_fragment not in ln)


NO_CONTACT_ON_2 = GOOD.replace(
    b'  dct:publisher ex:agency ;\n  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService> .',
    b'  dct:publisher ex:agency ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService> .',
)


def snapshot(store) -> set:
    return set(store.quads())


def test_fixture_edit_really_removes_the_contact_point():
    assert NO_CONTACT_ON_2 != GOOD


def test_validate_conforming_dump(settings):
    result = validate_dump(GOOD, filename="x.ttl", settings=settings)
    report = result.report
    assert report.conforms, report.as_text()
    assert report.exit_code == 0
    kinds = sorted(r.kind for r in report.records)
    assert kinds == ["collection", "solution", "solution"]


def test_violation_names_record_property_and_plain_words(settings):
    report = validate_dump(NO_CONTACT_ON_2, filename="x.ttl", settings=settings).report
    assert not report.conforms and report.exit_code == 1
    bad = [f for f in report.findings if f.severity == "Violation"]
    assert [(f.focus, f.path) for f in bad] == [(EX + "solution-2", DCAT + "contactPoint")]
    assert "contact point" in bad[0].message
    assert "dcat:contactPoint" in bad[0].message
    assert bad[0].shape.startswith("https://catalogue.example.org/shapes/adms-ap#")
    rejected = [r for r in report.records if not r.accepted]
    assert [r.iri for r in rejected] == [EX + "solution-2"]


def test_json_report_has_the_public_schema(settings):
    report = validate_dump(NO_CONTACT_ON_2, filename="x.ttl", settings=settings).report
    data = report.as_json()
    assert set(data) >= {"conforms", "records", "results", "error", "diff"}
    assert data["records"] == {"accepted": 2, "rejected": 1}
    for result in data["results"]:
        assert set(result) >= {"severity", "focus", "path", "value", "message", "shape"}
        assert result["severity"] in ("Violation", "Warning", "Info")


def test_strict_ingest_stores_a_valid_dump_with_provenance(store, settings):
    report = ingest(store, settings, "example", GOOD, filename="x.ttl")
    assert report.stored and report.exit_code == 0
    stored = store.triples(Catalogue(settings, store).publishing.source_graph("example"))
    assert len(stored) == report.triples
    runs = Catalogue(settings, store).select("source_runs", source="example")
    assert len(runs) == 1
    run = runs.rows[0]
    assert run["checksum"].value == report.checksum
    assert int(run["accepted"].value) == 3 and int(run["rejected"].value) == 0
    assert run["run"].value == report.activity


def test_strict_mode_rejects_the_whole_dump_and_leaves_the_store_unchanged(store, settings):
    ingest(store, settings, "example", GOOD, filename="x.ttl")
    before = snapshot(store)
    report = ingest(store, settings, "example", NO_CONTACT_ON_2, filename="x.ttl", mode="strict")
    assert not report.stored and report.exit_code == 1
    assert snapshot(store) == before


def test_partial_mode_stores_valid_records_and_quarantines_the_rest(store, settings):
    report = ingest(store, settings, "example", NO_CONTACT_ON_2, filename="x.ttl", mode="partial")
    assert report.stored and report.exit_code == 0 and not report.conforms
    assert (report.accepted, report.rejected) == (2, 1)
    state = current(store, Graphs(settings.base_uri), "example")
    published = {t.subject.value for t in store.triples(state.graph)}
    assert EX + "solution-1" in published and EX + "solution-2" not in published
    quarantined = store.triples(state.quarantine)
    reasons = [t.object.value for t in quarantined
               if t.subject == ox.NamedNode(EX + "solution-2") and t.predicate.value.endswith("#reason")]
    assert reasons and "contact point" in reasons[0]


def test_quarantine_is_not_in_the_public_dataset(store, settings):
    ingest(store, settings, "example", NO_CONTACT_ON_2, filename="x.ttl", mode="partial")
    catalogue = Catalogue(settings, store)
    public = catalogue.public_dataset()
    assert store.ask("ASK { <http://repo.example.org/solution-1> ?p ?o }", dataset=public)
    assert not store.ask("ASK { <http://repo.example.org/solution-2> ?p ?o }", dataset=public)
    assert not store.ask("ASK { GRAPH ?g { <http://repo.example.org/solution-2> ?p ?o } }",
                         dataset=public)
    assert catalogue.reader.describe("http://repo.example.org/solution-1")
    assert catalogue.reader.describe("http://repo.example.org/solution-2") == []


def test_partial_mode_with_no_valid_record_stores_nothing(store, settings):
    # every record needs a publisher, and the agent left on its own needs a name
    broken = without(without(GOOD, b"dct:publisher ex:agency"), b"foaf:name")
    before = snapshot(store)
    report = ingest(store, settings, "example", broken, filename="x.ttl", mode="partial")
    assert not report.stored and report.exit_code == 1
    assert snapshot(store) == before


def test_reingest_reports_added_removed_and_changed_records(store, settings):
    ingest(store, settings, "example", GOOD, filename="x.ttl")
    changed = GOOD.replace(b'"Open e-Invoicing Gateway"@en', b'"Open e-Invoicing Gateway NG"@en')
    changed = changed.replace(b"ex:solution-1, ex:solution-2 .", b"ex:solution-1, ex:solution-3 .")
    changed = changed.replace(b"ex:solution-2 a dcat:Dataset", b"ex:solution-3 a dcat:Dataset")
    report = ingest(store, settings, "example", changed, filename="x.ttl")
    assert report.stored, report.as_text()
    assert report.diff.added == [EX + "solution-3"]
    assert report.diff.removed == [EX + "solution-2"]
    assert report.diff.changed == sorted([EX + "collection", EX + "solution-1"])
    same = ingest(store, settings, "example", changed, filename="x.ttl")
    assert same.diff.as_json() == {"added": [], "removed": [], "changed": []}


def test_blank_node_relabelling_is_not_a_change(store, settings):
    with_bnode = GOOD.replace(b"dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
                              b'dcat:contactPoint [ a <http://www.w3.org/2006/vcard/ns#Kind> ; <http://www.w3.org/2006/vcard/ns#fn> "Desk" ; <http://www.w3.org/2006/vcard/ns#hasEmail> <mailto:d@example.org> ] ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>')
    assert with_bnode != GOOD
    first = ingest(store, settings, "example", with_bnode, filename="x.ttl")
    assert first.stored, first.as_text()
    again = ingest(store, settings, "example", with_bnode, filename="x.ttl")
    assert again.diff.changed == []


def test_unreadable_input_is_reported_with_position_and_stores_nothing(store, settings):
    ingest(store, settings, "example", GOOD, filename="x.ttl")
    before = snapshot(store)
    report = ingest(store, settings, "example", GOOD[:-40] + b" <broken", filename="x.ttl")
    assert report.exit_code == 2 and report.error is not None and report.error.line
    assert report.as_json()["error"]["line"] == report.error.line
    assert snapshot(store) == before


def test_sources_are_kept_apart(store, settings):
    two = GOOD.replace(b"<http://repo.example.org/>", b"<http://two.example.org/>")
    ingest(store, settings, "one", GOOD, filename="x.ttl")
    assert ingest(store, settings, "two", two, filename="x.ttl").stored
    ingest(store, settings, "one", without(GOOD, b"ex:solution-2"), filename="x.ttl", mode="partial")
    assert store.count(current(store, Graphs(settings.base_uri), "two").graph) == len(ox_triples(two))


def ox_triples(data: bytes):
    return list(ox.parse(data, format=ox.RdfFormat.TURTLE))


def test_a_bad_source_slug_is_refused(store, settings):
    from catalogue.graphs import SlugError

    with pytest.raises(SlugError, match="lowercase"):
        ingest(store, settings, "Bad Slug!", GOOD)


def _version_graphs(store) -> set:
    return {g for g in store.named_graphs()
            if "/graph/source/" in g.value or "/graph/quarantine/" in g.value}


def test_earlier_versions_are_kept_for_roll_back_up_to_the_setting(store, settings):
    from dataclasses import replace

    graphs = Graphs(settings.base_uri)
    ingest(store, settings, "example", NO_CONTACT_ON_2, filename="x.ttl", mode="partial")
    first = current(store, graphs, "example")
    ingest(store, settings, "example", GOOD, filename="x.ttl")
    state = current(store, graphs, "example")
    assert state.quarantine is None
    # the first version (and its quarantine) stays, out of the public graphs
    assert _version_graphs(store) == {state.graph, first.graph, first.quarantine}
    assert first.graph not in Catalogue(settings, store).public_graphs()
    ingest(store, replace(settings, keep_versions=0), "example", GOOD, filename="x.ttl")
    assert _version_graphs(store) == {current(store, graphs, "example").graph}


def test_public_dataset_lists_only_public_graphs(store, settings):
    ingest(store, settings, "example", NO_CONTACT_ON_2, filename="x.ttl", mode="partial")
    catalogue = Catalogue(settings, store)
    kinds = {Graphs(settings.base_uri).kind(g)[0] for g in catalogue.public_graphs()}
    # the partial ingest quarantined solution-2: its graph exists, yet is never public
    assert store.named_graphs() and any("/graph/quarantine/" in g.value for g in store.named_graphs())
    # quality: with its source version; quality-history: every run's summary (the dashboards' trend);
    # links: the link checker's results
    # hidden: what moderators hide, with the public reason; content and comments: what communities publish
    assert kinds == {"source", "provenance", "registry", "vocab", "quality", "quality-history", "links", "hidden",
                     "content", "comments"}
    assert isinstance(catalogue.public_dataset(), Dataset)


def test_report_text_is_plain_language(settings):
    report = validate_dump(NO_CONTACT_ON_2, filename="x.ttl", settings=settings).report
    assert isinstance(report, Report)
    text = report.as_text()
    assert "does not conform" in text and "solution-2" in text and "contact point" in text
