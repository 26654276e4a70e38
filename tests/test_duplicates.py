"""Duplicates across sources (catalogue/duplicates.py): the same solution published by two
sources, recognised by a shared identifier, an owl:sameAs link or a shared landing page,
is one group with a canonical record, shown once by search and cross-linked on its pages.
Store tests run on both backends."""

from __future__ import annotations

import pytest

from catalogue import search
from catalogue.duplicates import KeyRow, Member, Publication, SourceInfo, group, normalise
from catalogue.search import SearchRequest
from catalogue.service import Catalogue

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
    f"<{Z}object> owl:sameAs <{B}object> .\n",  # the link named from the other side
)
SAME = ["ident", "adms", "same", "rev", "object", "page"]


@pytest.fixture
def catalogue(store, settings):
    c = Catalogue(settings, store)
    for slug, data in ((FIRST, ZETA), (SECOND, BETA)):
        report = c.ingest(slug, data, filename=f"{slug}.ttl")
        assert report.stored, report.as_text()
    yield c
    c.close()


def test_each_rule_groups_the_two_records_and_the_first_source_is_canonical(catalogue):
    d = catalogue.duplicates()
    groups = {tuple(m.iri for m in g) for g in d.groups}
    assert groups == {(Z + name, B + name) for name in SAME}
    for name in SAME:
        assert catalogue.canonical(B + name) == catalogue.canonical(Z + name) == Z + name
        assert d.group(B + name) == (Member(FIRST, Z + name), Member(SECOND, B + name))
    assert sorted(d.hidden()) == sorted(Member(SECOND, B + name) for name in SAME)


def test_a_same_title_or_a_value_one_source_gives_several_solutions_is_no_duplicate(catalogue):
    d = catalogue.duplicates()
    for iri in (Z + "title", B + "title", Z + "home-1", Z + "home-2", B + "home"):
        assert d.group(iri) == () and d.canonical(iri) == iri
        assert catalogue.also_published_by(iri) == []


def test_each_page_says_who_else_publishes_the_solution(catalogue, store):
    store.update(f'INSERT DATA {{ GRAPH <{catalogue.graphs.registry.value}> {{ '
                 f'<{catalogue.graphs.source_resource(FIRST).value}> <http://xmlns.com/foaf/0.1/name> "Zeta repository" }} }}')
    catalogue._changed()
    page = catalogue.solution_page(B + "ident")
    assert page.title == "Quokka e-invoicing gateway"  # the record's own page still works
    assert page.also_published_by == [Publication(FIRST, "Zeta repository", Z + "ident")]
    related = [r.iri for r in page.related]
    assert related and Z + "ident" not in related  # the same solution is not "related" to itself
    assert catalogue.solution_page(Z + "ident").also_published_by == [Publication(SECOND, None, B + "ident")]
    assert catalogue.solution_page(Z + "title").also_published_by == []


def test_search_shows_a_group_once_and_counts_it_once(catalogue):
    index = search.open_index(search.index_path(catalogue.settings.store))
    index.refresh(None)
    for q, shown in (("quokka", "ident"), ("wombat", "adms"), ("numbat", "same"), ("bilby", "rev"),
                     ("quoll", "object"), ("dingo", "page")):
        result = search.search(index, SearchRequest(q=q))
        assert [h.iri for h in result.hits] == [Z + shown], q
        assert result.total == 1
        assert {f.value: f.count for f in result.facets["eira"]} == {BLOCK: 1}
        assert {f.value: f.count for f in result.facets["type"]} == {"solution": 1}
    platypus = search.search(index, SearchRequest(q="platypus"))
    assert sorted(h.iri for h in platypus.hits) == [B + "title", Z + "title"]
    everything = search.search(index, SearchRequest())
    assert everything.total == 17 - len(SAME)  # 9 + 8 solutions, one per group


def test_a_later_ingest_of_one_source_updates_what_search_hides_in_the_other(catalogue):
    """Only the re-ingested source's documents are rewritten, yet the beta record that
    stood for nothing now stands alone and must come back."""
    index = search.open_index(search.index_path(catalogue.settings.store))
    without_page = ZETA.replace(b"dcat:landingPage <https://Portal.example.eu/dingo/>", b'dct:identifier "D"')
    assert catalogue.ingest(FIRST, without_page, filename="zeta.ttl").stored
    assert catalogue.canonical(B + "page") == B + "page"
    index.refresh(None)
    assert sorted(h.iri for h in search.search(index, SearchRequest(q="dingo")).hits) == [B + "page", Z + "page"]
    assert catalogue.canonical(B + "ident") == Z + "ident"  # the first source stays first


def test_the_page_links_the_other_sources_records(catalogue, settings):
    from webapp import create_app

    client = create_app(settings, catalogue).test_client()
    html = client.get("/resource", query_string={"uri": B + "same"},
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Also published by" in html
    assert f'title="{Z}same">{FIRST}</a>' in html
    assert "/resource?uri=http" in html.split("Also published by", 1)[1].split("</section>", 1)[0]


# the rules, without a store


def rows(*triples: tuple[str, str, str, str]) -> list[KeyRow]:
    return [KeyRow(Member(s, iri), kind, key) for s, iri, kind, key in triples]


def test_ties_go_to_the_smaller_slug_then_the_smaller_iri():
    sources = [SourceInfo("b", "g/b"), SourceInfo("a", "g/a"), SourceInfo("c", "g/c", first="2020-01-01T00:00:00Z")]
    d = group(rows(("b", "http://x/1", "id", "K"), ("a", "http://y/9", "id", "K"),
                   ("a", "http://y/9", "page", "P"), ("c", "http://z/5", "page", "P")), sources)
    assert [m.source for m in d.groups[0]] == ["c", "a", "b"]  # published first, then by slug
    d = group(rows(("a", "http://y/2", "id", "K"), ("b", "http://x/1", "id", "K"),
                   ("b", "http://x/1", "page", "P"), ("a", "http://y/1", "page", "P")), sources[:2])
    assert [m.iri for m in d.groups[0]] == ["http://y/1", "http://y/2", "http://x/1"]


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
