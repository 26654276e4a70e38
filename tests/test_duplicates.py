"""Duplicates across sources (catalogue/pages/duplicates.py): records of two sources that share
an identifier, an owl:sameAs link or a landing page are "possibly the same" and both stay
visible; they are merged (one group, a canonical record, shown once by search) only when
both sides link them with owl:sameAs or a moderator confirms it. Store tests run on both
backends."""

from __future__ import annotations

import pytest

from catalogue import search
from catalogue.app import Catalogue
from catalogue.pages.duplicates import KeyRow, Member, Publication, SourceInfo, group, normalise
from catalogue.search import SearchRequest

# The source ingested first has the *larger* slug and IRIs, so only the rule "the source
# published first wins" can make its records canonical.
FIRST, SECOND = "zeta", "beta"
Z = "http://zz.example.org/zeta/"
B = "http://aa.example.org/beta/"
BLOCK = "http://data.europa.eu/dr8/DataExchangeApplicationService"

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""


def solution(base: str, name: str, title: str, extra: str = "") -> str:
    """A valid ADMS-AP solution record (title, description, publisher, contact point)."""
    return f"""
<{base}{name}> a dcat:Dataset, adms:Asset ;
  dct:title "{title}"@en ;
  dct:description "{title}: a solution described for the duplicate tests."@en ;
  dct:publisher <{base}agency> ;
  dcat:contactPoint <{base}contact> ;
  dct:type <{BLOCK}> {';' if extra else '.'}
  {extra}{' .' if extra else ''}
"""


def dump(base: str, *solutions: str) -> bytes:
    shared = f"""
<{base}agency> a foaf:Agent ; foaf:name "Agency of {base}"@en .
<{base}contact> a vcard:Kind ; vcard:fn "Desk" ; vcard:hasEmail <mailto:desk@example.org> .
<{base}agency> dct:type <http://purl.org/adms/publishertype/NationalAuthority> .
<http://purl.org/adms/publishertype/NationalAuthority> a skos:Concept ;
  skos:prefLabel "National authority"@en ; skos:inScheme <http://purl.org/adms/publishertype/1.0> .
"""
    return (PREFIXES + shared + "".join(solutions)).encode()


ZETA = dump(
    Z,
    solution(Z, "ident", "Quokka invoicing gateway", 'dct:identifier "INV-42"'),
    solution(Z, "adms", "Wombat registry", "adms:identifier [ a adms:Identifier ; skos:notation \"ADMS-7\" ]"),
    solution(Z, "same", "Numbat validator"),
    solution(Z, "rev", "Bilby connector", f"owl:sameAs <{B}rev>"),
    solution(Z, "page", "Dingo portal", "dcat:landingPage <https://Portal.example.eu/dingo/>"),
    solution(Z, "home-1", "Emu toolkit", "dcat:landingPage <https://agency.example.eu/>"),
    solution(Z, "home-2", "Koala toolkit", "dcat:landingPage <https://agency.example.eu/>"),
    solution(Z, "title", "Platypus service"),
    solution(Z, "object", "Quoll archive"),
    solution(Z, "mutual", "Wallaby signer", f"owl:sameAs <{B}mutual>"),
)
BETA = dump(
    B,
    solution(B, "ident", "Quokka e-invoicing gateway", 'dct:identifier " INV-42 "'),
    solution(B, "adms", "Wombat base registry", "adms:identifier [ skos:notation \"ADMS-7\" ]"),
    solution(B, "same", "Numbat", f"owl:sameAs <{Z}same>"),
    solution(B, "rev", "Bilby"),
    solution(B, "page", "Dingo", "dcat:landingPage <http://portal.example.eu/dingo>"),
    solution(B, "home", "Emu", "dcat:landingPage <https://agency.example.eu/>"),
    solution(B, "title", "Platypus service"),
    solution(B, "object", "Quoll"),
    solution(B, "mutual", "Wallaby", f"owl:sameAs <{Z}mutual>"),
)
SAME = ["mutual"]  # both sides link them: merged
POSSIBLE = ["ident", "adms", "same", "rev", "page"]  # one side's claim or a shared key


@pytest.fixture
def catalogue(store, settings):
    c = Catalogue(settings, store)
    for slug, data in ((FIRST, ZETA), (SECOND, BETA)):
        report = c.publishing.ingest(slug, data, filename=f"{slug}.ttl")
        assert report.stored, report.as_text()
    yield c
    c.close()


def test_records_both_sources_link_are_merged_and_the_first_source_is_canonical(catalogue):
    d = catalogue.reader.duplicates()
    groups = {tuple(m.iri for m in g) for g in d.groups}
    assert groups == {(Z + name, B + name) for name in SAME}
    for name in SAME:
        assert catalogue.reader.canonical(B + name) == catalogue.reader.canonical(Z + name) == Z + name
        assert d.group(B + name) == (Member(FIRST, Z + name), Member(SECOND, B + name))
        assert d.possibly_same_as(B + name) == []
    assert sorted(d.hidden()) == sorted(Member(SECOND, B + name) for name in SAME)


def test_a_shared_key_or_a_one_sided_claim_hides_nothing_and_links_both_as_possibly_the_same(catalogue):
    d = catalogue.reader.duplicates()
    for name in POSSIBLE:
        assert d.group(Z + name) == () and catalogue.reader.canonical(B + name) == B + name, name
        assert d.possibly_same_as(B + name) == [Publication(FIRST, None, Z + name)], name
        assert d.possibly_same_as(Z + name) == [Publication(SECOND, None, B + name)], name
    assert d.possibly_same_as(Z + "object") == []  # nothing links the two Quolls


def test_a_same_title_or_a_value_one_source_gives_several_solutions_is_no_duplicate(catalogue):
    d = catalogue.reader.duplicates()
    for iri in (Z + "title", B + "title", Z + "home-1", Z + "home-2", B + "home"):
        assert d.group(iri) == () and d.canonical(iri) == iri
        assert catalogue.reader.also_published_by(iri) == [] and d.possibly_same_as(iri) == []


def test_each_page_says_who_else_publishes_the_solution(catalogue, store):
    store.update(f'INSERT DATA {{ GRAPH <{catalogue.graphs.registry.value}> {{ '
                 f'<{catalogue.graphs.source_resource(FIRST).value}> <http://xmlns.com/foaf/0.1/name> "Zeta repository" }} }}')
    catalogue.changed()
    page = catalogue.reader.solution_page(B + "mutual")
    assert page.title == "Wallaby"  # the record's own page still works
    assert page.also_published_by == [Publication(FIRST, "Zeta repository", Z + "mutual")]
    related = [r.iri for r in page.related]
    assert related and Z + "mutual" not in related  # the same solution is not "related" to itself
    assert catalogue.reader.solution_page(Z + "mutual").also_published_by == [Publication(SECOND, None, B + "mutual")]
    maybe = catalogue.reader.solution_page(B + "ident")
    assert maybe.also_published_by == []
    assert maybe.possibly_same_as == [Publication(FIRST, "Zeta repository", Z + "ident")]
    assert Z + "ident" not in [r.iri for r in maybe.related]
    assert catalogue.reader.solution_page(Z + "title").also_published_by == []


def test_search_shows_a_group_once_and_counts_it_once(catalogue):
    index = search.open_index(search.index_path(catalogue.settings.store))
    index.refresh(None)
    for q, shown in (("wallaby", "mutual"),):
        result = search.search(index, SearchRequest(q=q))
        assert [h.iri for h in result.hits] == [Z + shown], q
        assert result.total == 1
        assert {f.value: f.count for f in result.facets["eira"]} == {BLOCK: 1}
        assert {f.value: f.count for f in result.facets["type"]} == {"solution": 1}
    for q, name in (("quokka", "ident"), ("wombat", "adms"), ("numbat", "same"), ("bilby", "rev"),
                    ("dingo", "page")):  # possibly the same: both stay visible
        result = search.search(index, SearchRequest(q=q))
        assert sorted(h.iri for h in result.hits) == [B + name, Z + name], q
    platypus = search.search(index, SearchRequest(q="platypus"))
    assert sorted(h.iri for h in platypus.hits) == [B + "title", Z + "title"]
    everything = search.search(index, SearchRequest())
    assert everything.total == 19 - len(SAME)  # 10 + 9 solutions, one per group


def test_a_later_ingest_of_one_source_updates_what_search_hides_in_the_other(catalogue):
    """Only the re-ingested source's documents are rewritten, yet the beta record that
    stood for nothing now stands alone and must come back."""
    index = search.open_index(search.index_path(catalogue.settings.store))
    one_sided = ZETA.replace(f"owl:sameAs <{B}mutual>".encode(), b'dct:identifier "W"')
    assert catalogue.publishing.ingest(FIRST, one_sided, filename="zeta.ttl").stored
    assert catalogue.reader.canonical(B + "mutual") == B + "mutual"
    assert catalogue.reader.duplicates().possibly_same_as(B + "mutual") == [Publication(FIRST, None, Z + "mutual")]
    index.refresh(None)
    assert sorted(h.iri for h in search.search(index, SearchRequest(q="wallaby")).hits) == [B + "mutual", Z + "mutual"]


def test_a_moderator_merges_possible_duplicates_or_says_they_differ(catalogue):
    moderator = "https://catalogue.example.org/user/mod"
    index = search.open_index(search.index_path(catalogue.settings.store))
    catalogue.reader.decide_same(B + "ident", Z + "ident", same=True, moderator=moderator)
    assert catalogue.reader.canonical(B + "ident") == Z + "ident"
    assert catalogue.reader.duplicates().possibly_same_as(B + "ident") == []
    index.refresh(None)
    assert [h.iri for h in search.search(index, SearchRequest(q="quokka")).hits] == [Z + "ident"]
    # said to differ: not merged, not listed as possibly the same, whatever the links say
    catalogue.reader.decide_same(Z + "ident", B + "ident", same=False, moderator=moderator)
    catalogue.reader.decide_same(Z + "page", B + "page", same=False, moderator=moderator)
    catalogue.reader.decide_same(Z + "mutual", B + "mutual", same=False, moderator=moderator)
    d = catalogue.reader.duplicates()
    for name in ("ident", "page", "mutual"):
        assert d.canonical(B + name) == B + name and d.possibly_same_as(B + name) == [], name
    index.refresh(None)
    assert len(search.search(index, SearchRequest(q="quokka")).hits) == 2
    # decisions stay private
    public = catalogue.public_dataset()
    assert not catalogue.store.ask("ASK { ?d a <https://catalogue.example.org/def/catalogue#SameAsDecision> }",
                                   dataset=public)


def test_a_decision_must_name_two_published_solutions_of_different_sources(catalogue):
    from catalogue.pages.duplicates import DecisionError

    moderator = "https://catalogue.example.org/user/mod"
    for a, b, why in ((Z + "ident", Z + "ident", "itself"), (Z + "ident", Z + "adms", "both records"),
                      (Z + "ident", "http://nowhere.example/x", "not a solution")):
        with pytest.raises(DecisionError, match=why):
            catalogue.reader.decide_same(a, b, same=True, moderator=moderator)


def test_the_page_links_the_other_sources_records(catalogue, settings):
    from webapp import create_app

    client = create_app(settings, catalogue).test_client()
    html = client.get("/resource", query_string={"uri": B + "mutual"},
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Also published by" in html
    assert f'title="{Z}mutual">{FIRST}</a>' in html
    assert "/resource?uri=http" in html.split("Also published by", 1)[1].split("</section>", 1)[0]
    assert "decide" not in html  # no moderator's buttons for a visitor
    maybe = client.get("/resource", query_string={"uri": B + "same"},
                       headers={"Accept": "text/html"}).get_data(as_text=True)
    section = maybe.split("Possibly the same solution", 1)[1].split("</section>", 1)[0]
    assert f'title="{Z}same">{FIRST}</a>' in section


# the rules, without a store


def rows(*triples: tuple[str, str, str, str]) -> list[KeyRow]:
    return [KeyRow(Member(s, iri), kind, key) for s, iri, kind, key in triples]


def mutual(*pairs: tuple[str, str, str, str]) -> list[KeyRow]:
    """Rows of records that each claim the other (source, iri, other source, other iri)."""
    return rows(*[r for sa, a, sb, b in pairs for r in ((sa, a, "iri", b), (sb, b, "iri", a))])


def test_ties_go_to_the_smaller_slug_then_the_smaller_iri():
    sources = [SourceInfo("b", "g/b"), SourceInfo("a", "g/a"), SourceInfo("c", "g/c", first="2020-01-01T00:00:00Z")]
    d = group(mutual(("b", "http://x/1", "a", "http://y/9"), ("a", "http://y/9", "c", "http://z/5")), sources)
    assert [m.source for m in d.groups[0]] == ["c", "a", "b"]  # published first, then by slug
    same = {frozenset(("http://y/2", "http://x/1")): True, frozenset(("http://x/1", "http://y/1")): True}
    d = group(rows(("a", "http://y/2", "id", "K"), ("b", "http://x/1", "id", "K"),
                   ("b", "http://x/1", "page", "P"), ("a", "http://y/1", "page", "P")), sources[:2], same)
    assert [m.iri for m in d.groups[0]] == ["http://y/1", "http://y/2", "http://x/1"]


def test_a_claim_one_side_makes_is_a_possible_duplicate_not_a_merge():
    sources = [SourceInfo("a", "g/a"), SourceInfo("b", "g/b")]
    d = group(rows(("a", "http://y/1", "iri", "http://x/1"), ("b", "http://x/1", "iri", "http://x/1"),
                   ("a", "http://y/1", "iri", "http://y/1")), sources)
    assert d.groups == [] and d.hidden() == []
    assert d.possibly_same_as("http://x/1") == [Publication("a", None, "http://y/1")]
    said_no = group(rows(("a", "http://y/1", "id", "K"), ("b", "http://x/1", "id", "K")), sources,
                    {frozenset(("http://x/1", "http://y/1")): False})
    assert said_no.possibly_same_as("http://x/1") == []


def test_the_same_iri_in_two_sources_is_one_solution_listed_once_per_other_source():
    d = group(rows(("a", "http://x/1", "iri", "http://x/1"), ("b", "http://x/1", "iri", "http://x/1")),
              [SourceInfo("a", "g/a"), SourceInfo("b", "g/b", name="Bee")])
    assert d.also_published_by("http://x/1") == [Publication("b", "Bee", "http://x/1")]
    assert d.hidden() == [Member("b", "http://x/1")]


def test_keys_are_compared_as_publishers_write_them_differently():
    import pyoxigraph as ox

    page = ox.NamedNode
    assert normalise("page", page("http://Example.org/a/")) == normalise("page", page("https://example.org/a"))
    assert normalise("page", page("https://example.org/a?x=1")) != normalise("page", page("https://example.org/a"))
    assert normalise("id", ox.Literal(" X ")) == normalise("id", ox.Literal("X"))
    scheme = ox.NamedNode("http://example.org/scheme")
    assert normalise("id", ox.Literal("X", datatype=scheme)) != normalise("id", ox.Literal("X"))
    assert normalise("id", ox.Literal("  ")) is None


# the moderator's buttons, through the real server


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import os

    from tests.conftest import serving
    from tests.test_publish_web import PASSWORD, cli

    tmp = tmp_path_factory.mktemp("duplicates-web")
    env = {**os.environ, "CATALOGUE_STORE": str(tmp / "store"), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    for slug, data in ((FIRST, ZETA), (SECOND, BETA)):
        (tmp / f"{slug}.ttl").write_bytes(data)
        cli(env, "ingest", str(tmp / f"{slug}.ttl"), "--source", slug)
    cli(env, "user", "add", "mod", "--role", "moderator")
    cli(env, "user", "add", "bob")
    with serving(env) as url:
        yield url


def test_a_moderator_confirms_a_possible_duplicate_from_the_solution_page(site):
    import requests

    from tests.test_publish_web import csrf, signed_in

    page_of = site + "/resource?uri=" + B + "adms"
    bob = signed_in(site, "bob")
    page = bob.get(page_of, timeout=10).text
    assert "Possibly the same solution" in page and "Confirm: the same solution" not in page
    token = csrf(bob.get(site + "/login", timeout=10).text)
    form = {"record": B + "adms", "other": Z + "adms", "decision": "same", "csrf_token": token}
    assert bob.post(site + "/duplicates/decide", data=form, timeout=10).status_code == 403
    assert requests.post(site + "/duplicates/decide", data=form, timeout=10,
                         allow_redirects=False).status_code == 400  # no session, no CSRF token

    mod = signed_in(site, "mod")
    page = mod.get(page_of, timeout=10).text
    assert "Confirm: the same solution" in page
    r = mod.post(site + "/duplicates/decide", data={**form, "decision": "maybe", "csrf_token": csrf(page)},
                 timeout=10)
    assert r.status_code == 400
    r = mod.post(site + "/duplicates/decide", data={**form, "other": B + "ident", "csrf_token": csrf(page)},
                 timeout=10)
    assert r.status_code == 400 and "both records are published by the source" in r.text
    r = mod.post(site + "/duplicates/decide", data={**form, "csrf_token": csrf(page)}, timeout=10)
    assert r.status_code == 200 and "Also published by" in r.text and "Not the same solution" in r.text
    assert "Possibly the same solution" not in r.text
    hits = requests.get(site + "/search", params={"q": "wombat"}, timeout=10).text
    assert Z + "adms" in hits and B + "adms" not in hits
