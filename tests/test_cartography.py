"""The EIRA cartography (catalogue/cartography/, webapp/cartography.py): the map's counts
checked against numbers computed independently (pyoxigraph straight over the demo, a small
fixture and ELIS files, not through the catalogue), filters, viewpoints, footprints,
comparisons and bad input; then the real server, then chromium on a phone: a newcomer's
journey from the Semantic view to "Data Exchange (Application Service)".

The fixture source adds two solutions to the demo: one typed with the v6 block
DataExchangeApplicationService that declares (``dct:conformsTo``) two of the specifications
ELIS relates to that block, one on itself, one on its release; one typed only with the EIRA
v4 block DataExchangeService, which counts for its v6 successor.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from catalogue.app import Catalogue
from catalogue.cartography import (
    CartographyError,
    MapRequest,
    UnknownSolution,
    UnknownView,
    coverage,
    view_key,
    viewpoint_key,
)
from catalogue.settings import load_settings
from catalogue.vocab import VOCAB_DIR
from tests.conftest import DATA, ROOT, serving

PACKAGE = ROOT / "catalogue"
DR8 = "http://data.europa.eu/dr8/"
EXCHANGE = DR8 + "DataExchangeApplicationService"
REST = "http://data.europa.eu/2sa/cssv/rsc/fecd5681dc5dc6e2f413b28ce95e50f6aa2ce9fbef201fa3c11844af5799b2e3"
SSH = "http://data.europa.eu/2sa/cssv/rsc/4374ae461c2494a0d78444f9a9d3f163743b8d7dec934ac5350525549da400f0"
ITA = "http://publications.europa.eu/resource/authority/country/ITA"
SOLUTION_1 = "http://repo.example.org/solution-1"
SOLUTION_2 = "http://repo.example.org/solution-2"
HTML = {"Accept": "text/html"}
FIXTURE = (DATA / "ingest" / "two-solutions.ttl").read_text(encoding="utf-8").replace(
    "  dct:type <http://data.europa.eu/dr8/DataExchangeApplicationService> ;\n",
    f"  dct:type <http://data.europa.eu/dr8/DataExchangeApplicationService> ;\n  dct:conformsTo <{REST}> ;\n",
).replace('  owl:versionInfo "1.0" ;\n', f'  owl:versionInfo "1.0" ;\n  dct:conformsTo <{SSH}> ;\n')
EIRAX = "https://catalogue.example.org/def/eira#"
FIVE = ("LegalView", "OrganisationalView", "SemanticView", "TechnicalView-Application",
        "TechnicalView-Infrastructure")


# the expected numbers, computed without the catalogue


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> ox.Store:
    """The demo catalogue, the fixture, the EIRA vocabularies and ELIS in a plain store."""
    store = ox.Store()
    for path in (PACKAGE / "data" / "demo-catalogue.ttl", VOCAB_DIR / "eira-v6.0.0.DERIVED.ttl",
                 VOCAB_DIR / "eira-v6.1.0.DERIVED.ttl", VOCAB_DIR / "eira-v4-to-v6.DERIVED.ttl", PACKAGE / "data" / "standards" / "elis-v6.1.1.ttl"):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    store.bulk_load(FIXTURE.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    prefixes = ("PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
    return [tuple(term.value for term in row) for row in store.query(prefixes + query)]


def map_blocks(store: ox.Store) -> dict[str, set[str]]:
    """The map's blocks, each with the PURIs it stands for: the members of the five views of
    EIRA v6.0 and v6.1, but those another member replaces, and a block only v6.1 lists with
    the name of a v6.0 block of the same view joins it (a "twin")."""
    members: dict[str, set[tuple[str, str]]] = {"6.0": set(), "6.1": set()}
    for v, b in _rows(store, "SELECT ?v ?b WHERE { ?v skos:member ?b }"):
        if v.rsplit("/", 1)[-1] in FIVE and v.startswith(EIRAX):
            members["6.1" if "/v6.1.0/" in v else "6.0"].add((v.rsplit("/", 1)[-1], b))
    every = {b for pairs in members.values() for _, b in pairs}
    replaced = {o for n, o in _rows(store, "SELECT ?n ?o WHERE { ?n dct:replaces ?o }") if n in every}
    names: dict[str, set[str]] = {}
    for b, label in _rows(store, "SELECT ?b ?l WHERE { ?b skos:prefLabel ?l }"):
        names.setdefault(b, set()).add(label.casefold())
    older = {(view, name): b for view, b in members["6.0"] if b not in replaced for name in names.get(b, ())}
    groups = {b: {b} for b in every - replaced}
    for view, b in members["6.1"]:
        if b in groups and not any(b == x for _, x in members["6.0"]):
            twin = {older[(view, n)] for n in names.get(b, ()) if (view, n) in older}
            if len(twin) == 1:
                groups[twin.pop()].add(b)
                del groups[b]
    return groups


def expected_solutions(store: ox.Store, spatial: str | None = None) -> dict[str, int]:
    """Map block -> published solutions typed with it, a twin, or a block either replaces,
    directly or in turn (v6.1 -> v6.0 -> v4)."""
    typed: dict[str, set[str]] = {}
    place = f"?s dct:spatial <{spatial}> ." if spatial else ""
    for s, t in _rows(store, "SELECT ?s ?t WHERE { ?s a dcat:Dataset ; dct:type ?t . " + place +
                             " FILTER NOT EXISTS { ?s dct:isVersionOf ?p } }"):
        typed.setdefault(t, set()).add(s)
    replaces: dict[str, set[str]] = {}
    for new, old in _rows(store, "SELECT ?n ?o WHERE { ?n dct:replaces+ ?o }"):
        replaces.setdefault(new, set()).add(old)
    out = {}
    for block, iris in map_blocks(store).items():
        found: set[str] = set()
        for iri in iris:
            for typed_with in (iri, *replaces.get(iri, ())):
                found |= typed.get(typed_with, set())
        out[block] = len(found)
    return out


def elis(store: ox.Store) -> dict[str, set[str]]:
    """Block PURI -> the ELIS specifications related to it."""
    specs: dict[str, set[str]] = {}
    for spec, block in _rows(store, "SELECT ?spec ?b WHERE { ?spec dct:relation ?r . ?r dct:relation ?b . "
                                    "FILTER (isBlank(?r)) }"):
        specs.setdefault(block, set()).add(spec)
    return specs


def expected_specifications(store: ox.Store) -> dict[str, int]:
    """Map block -> distinct ELIS specifications related to it or its twin."""
    specs = elis(store)
    return {block: len(set().union(*(specs.get(i, set()) for i in iris)))
            for block, iris in map_blocks(store).items()}


# the catalogue: demo, ELIS and CAMSS (``init``) and the fixture source


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A store built once, closed: tests reopen it in process, the server serves a copy."""
    where = tmp_path_factory.mktemp("cartography")
    c = Catalogue(load_settings({}, store=str(where / "store")))
    c.publishing.init()
    report = c.publishing.ingest("fixture", FIXTURE.encode(), filename="fixture.ttl")
    assert report.stored, [f.message for f in report.findings][:5]
    c.search.reindex("fixture")
    c.close()
    return where


@pytest.fixture(scope="module")
def catalogue(built):
    c = Catalogue(load_settings({}, store=str(built / "store")))
    yield c
    c.close()


@pytest.fixture(scope="module")
def site(built):
    copy = built / "served"
    shutil.copytree(built / "store", copy / "store")
    shutil.copytree(built / "store-search", copy / "store-search")
    with serving({**os.environ, "CATALOGUE_STORE": str(copy / "store")}) as url:
        yield url


# the model

def test_views_and_viewpoints_have_keys_for_urls():
    assert view_key(EIRAX + "view/SemanticView") == "semantic"
    assert view_key(EIRAX + "view/TechnicalView-Application") == "technical-application"
    assert viewpoint_key("Interoperability Security viewpoint") == "interoperability-security"
    assert viewpoint_key("Key Interoperability Enablers viewpoint") == "key-interoperability-enablers"
    assert [coverage(n) for n in (0, 1, 4, 5, 19, 20)] == ["none", "few", "few", "some", "some", "many"]


def test_a_query_string_is_parsed_into_filters_and_a_viewpoint(catalogue):
    vocabulary, known = catalogue.cartography.vocabulary(), catalogue.cartography.known_values()
    req = MapRequest.parse({"country": [ITA], "utm_source": ["x"], "viewpoint": ["interoperability-security"]},
                           vocabulary, known)
    assert req.filters == {"spatial": (ITA,)} and req.viewpoint == "interoperability-security"
    assert req.params(viewpoint=None) == {"spatial": [ITA]}
    for bad in ({"spatial": ["http://nowhere.example/x"]}, {"publisher": ["x"] * 21},
                {"viewpoint": ["bogus"]}, {"viewpoint": ["highlevel", "rest-api"]}):
        with pytest.raises(CartographyError):
            MapRequest.parse(bad, vocabulary, known)


def test_the_map_has_the_five_views_in_eiras_order(catalogue):
    found = catalogue.cartography.map({}, ("en",))
    assert [v.key for v in found.views] == ["legal", "organisational", "semantic", "technical-application",
                                            "technical-infrastructure"]
    semantic = found.views[2]
    assert semantic.label == "Semantic view" and semantic.gaps and semantic.covered
    assert [t.label.casefold() for t in semantic.tiles] == sorted(t.label.casefold() for t in semantic.tiles)
    with pytest.raises(UnknownView):
        catalogue.cartography.map({}, view="bogus")


def test_every_blocks_counts_match_an_independent_count(catalogue, oracle):
    solutions, specifications = expected_solutions(oracle), expected_specifications(oracle)
    found = catalogue.cartography.map({}, ("en",))
    blocks = found.blocks()
    groups = map_blocks(oracle)
    assert {t.iri: {t.iri, *t.twins} for t in blocks} == groups
    for tile in blocks:
        assert (tile.solutions, tile.specifications) == (solutions[tile.iri], specifications[tile.iri]), tile
    assert sum(t.specifications > 0 for t in blocks) > 150 and sum(t.solutions > 0 for t in blocks) > 30
    # every ELIS block is on the map but three PURIs no EIRA vocabulary we have names
    assert len(set(elis(oracle)) - set().union(*groups.values())) == 3
    master = next(t for t in blocks if t.iri == DR8 + "MasterDataObject")  # v6.0: solutions; v6.1: ELIS
    assert master.twins == (DR8 + "MasterDataDataObject",) and master.solutions and master.specifications
    exchange = next(t for t in blocks if t.iri == EXCHANGE)
    assert DR8 + "DataExchangeService" in exchange.counted  # the fixture's v4-typed solution counts


def test_footprint_lights_blocks_and_checks_declared_specifications(catalogue):
    first = catalogue.cartography.footprint(SOLUTION_1, ("en",))
    assert first.title == "Open e-Invoicing Gateway" and first.blocks == 1
    assert [lit.iri for v in first.views for lit in v.lit] == [EXCHANGE]
    assert {r.iri for r in first.declared} == {REST, SSH}  # on the solution, and on its release
    assert len(first.requirements) == catalogue.standards.counts_by_block()[EXCHANGE]
    assert first.missing and all(r.blocks == ("Data Exchange (Application Service)",) for r in first.requirements)
    second = catalogue.cartography.footprint(SOLUTION_2, ("en",))
    assert [lit.iri for v in second.views for lit in v.lit] == [EXCHANGE]  # v4 -> v6
    assert not second.declared
    with pytest.raises(UnknownSolution):
        catalogue.cartography.footprint("http://repo.example.org/solution-1-v1")  # a release
    with pytest.raises(CartographyError):
        catalogue.cartography.compare([SOLUTION_1] + [f"http://x.example/{n}" for n in range(4)])



def test_a_solution_pages_footprint_is_the_one_its_queries_give(catalogue):
    """The solution page draws its footprint from what the page read (footprint_of, no
    query of its own: issue 17's cold pages), and it is the one footprint's queries give,
    in each language (each view's blocks in name order are kept per vocabulary and languages)."""
    for iri in (SOLUTION_1, SOLUTION_2):
        for languages in (("en",), ("fr", "en"), ("en",)):
            page = catalogue.reader.solution_page(iri, languages)
            assert page.dataset and page.titled
            drawn = catalogue.cartography.footprint_of(
                iri, page.title, [b.iri for b in page.building_blocks], page.declared, languages)
            assert drawn == catalogue.cartography.footprint(iri, languages)
    assert set(catalogue.reader.solution_page(SOLUTION_1, ("en",)).declared) == {REST, SSH}

# the real server


def get(site: str, path: str, headers: dict | None = None, **params) -> requests.Response:
    return requests.get(site + path, params=params, headers=headers or HTML, timeout=60)


def test_eira_json_counts_every_block_as_the_files_say(site, oracle):
    solutions, specifications = expected_solutions(oracle), expected_specifications(oracle)
    body = get(site, "/eira.json").json()
    assert {b["abb"]: {b["abb"], *b["same_as"]} for b in body["blocks"]} == map_blocks(oracle)
    for b in body["blocks"]:
        assert b["solutions"] == solutions[b["abb"]], b
        assert b["specifications"] == specifications[b["abb"]], b
        assert b["label"] and not b["label"].startswith("http") and b["view"] in b["views"]
    assert body["solutions"] == 322  # the demo's 320 and the fixture's 2


def test_a_filter_recomputes_the_map(site, oracle):
    everything = {b["abb"]: b for b in get(site, "/eira.json").json()["blocks"]}
    italian = get(site, "/eira.json", spatial=ITA).json()
    assert 0 < italian["solutions"] < 322 and italian["filters"] == {"spatial": [ITA]}
    expected = expected_solutions(oracle, spatial=ITA)
    for b in italian["blocks"]:
        assert b["solutions"] == expected[b["abb"]] <= everything[b["abb"]]["solutions"]
        assert b["specifications"] == everything[b["abb"]]["specifications"]
    assert any(b["solutions"] < everything[b["abb"]]["solutions"] for b in italian["blocks"])
    assert get(site, "/eira.json", country=ITA).json() == italian  # the friendly name


def test_a_viewpoint_highlights_its_blocks(site, oracle):
    security = {b for (b,) in _rows(oracle, f'SELECT ?b WHERE {{ ?b <{EIRAX}viewpoint> '
                                            '"Interoperability Security viewpoint" }')}
    before: dict[str, set[str]] = {}
    for new, old in _rows(oracle, "SELECT ?n ?o WHERE { ?n dct:replaces+ ?o }"):
        before.setdefault(new, set()).add(old)
    expected = {block for block, iris in map_blocks(oracle).items()  # its own, a twin's or a predecessor's
                if security & (iris | set().union(*(before.get(i, set()) for i in iris)))}
    body = get(site, "/eira.json", viewpoint="interoperability-security").json()
    lit = {b["abb"] for b in body["blocks"] if b["highlighted"]}
    assert lit == expected and lit
    page = get(site, "/eira/technical-application", viewpoint="interoperability-security")
    assert page.status_code == 200 and page.text.count("eira-tile cov-") > 100
    tiles = page.text.count(' lit">')
    assert tiles == sum(1 for b in body["blocks"] if b["highlighted"] and "technical-application" in b["views"])
    assert page.text.count("In this viewpoint</span>") == tiles


def test_one_view_and_content_negotiation(site):
    semantic = get(site, "/eira/semantic.json").json()
    assert {b["view"] for b in semantic["blocks"]} == {"semantic"} and len(semantic["views"]) == 1
    negotiated = get(site, "/eira/semantic", headers={"Accept": "application/json"})
    assert negotiated.json() == semantic and "Accept" in negotiated.headers["Vary"]
    whole = get(site, "/eira", headers={"Accept": "application/json"})
    assert whole.headers["Content-Type"].startswith("application/json") and len(whole.json()["blocks"]) > 300
    page = get(site, "/eira")
    assert page.status_code == 200 and "Accept" in page.headers["Vary"]
    assert page.text.count('<section class="eira-view"') == 5 and "No solution" in page.text
    assert 'href="/dr8/DataExchangeApplicationService"' in page.text


def test_a_tiles_link_lists_as_many_solutions_as_it_says(site):
    page = get(site, "/eira/technical-application", spatial=ITA)
    tile = page.text.split('href="/dr8/DataExchangeApplicationService"', 1)[1].split("</li>", 1)[0]
    link, n = re.search(r'class="tile-solutions" href="([^"]+)">(\d+) solutions?</a>', tile).groups()
    listed = get(site, html.unescape(link))
    assert re.search(rf'<p class="summary"><strong>{n} solutions?</strong>', listed.text), listed.text[:3000]


def test_block_and_solution_pages_show_specifications_and_footprint(site):
    block = get(site, "/dr8/DataExchangeApplicationService")
    assert "Specifications that apply" in block.text and 'class="spec-why"' in block.text
    assert "Best CAMSS score:" in block.text
    solution = get(site, "/resource", uri=SOLUTION_1)
    assert "EIRA footprint" in solution.text
    assert "Declares 2 of the" in solution.text and "fp-cell on" in solution.text


def test_compare_footprints_side_by_side(site):
    page = get(site, "/eira/compare", s=[SOLUTION_1, SOLUTION_2])
    assert page.status_code == 200
    assert "Open e-Invoicing Gateway" in page.text and "Base Registry Connector" in page.text
    body = get(site, "/eira/compare", headers={"Accept": "application/json"}, s=[SOLUTION_1, SOLUTION_2]).json()
    assert [s["solution"] for s in body["solutions"]] == [SOLUTION_1, SOLUTION_2]
    assert {x["iri"] for x in body["solutions"][0]["specifications"] if x["declared"]} == {REST, SSH}


@pytest.mark.parametrize("path, params, status, words", [
    ("/eira/bogus", {}, 404, "there is no EIRA view"),
    ("/eira/bogus.json", {}, 404, "semantic"),
    ("/eira", {"spatial": "http://nowhere.example/x"}, 400, "no published solution has the spatial"),
    ("/eira.json", {"topic": "nope"}, 400, "no published solution has the topic"),
    ("/eira", {"viewpoint": "bogus"}, 400, "there is no viewpoint"),
    ("/eira/compare", {"s": [SOLUTION_1, SOLUTION_2, SOLUTION_1 + "x", "https://a.example/1", "https://a.example/2"]},
     400, "at most 4"),
    ("/eira/compare", {}, 400, "name the solutions"),
    ("/eira/compare", {"s": "https://nowhere.example/solution"}, 404, "no published solution"),
])
def test_bad_input_is_a_clear_400_or_404(site, path, params, status, words):
    page = get(site, path, **params)
    assert page.status_code == status, page.text[:500]
    assert words in page.text
    data = get(site, path, headers={"Accept": "application/json"}, **params)
    assert data.status_code == status and words in data.json()["error"]["message"]


def test_hostile_values_are_escaped(site):
    page = get(site, "/eira", publisher="<script>alert(1)</script>")
    assert page.status_code == 400 and "<script>alert" not in page.text


# chromium on a phone


def test_a_newcomers_journey_on_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(site + "/")
        page.locator("nav.menu").get_by_role("link", name="EIRA", exact=True).click()
        page.locator(".views-toc").get_by_role("link", name="Semantic view").click()
        assert page.url.endswith("/eira/semantic")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        gaps = page.locator(".eira-tile.cov-none")
        assert gaps.count() > 5 and gaps.first.locator(".tile-gap").inner_text() == "No solution"
        first = page.locator(".eira-tile").first.bounding_box()
        assert first is not None and first["width"] > 300  # tiles stack: one a row
        for link in (page.locator(".eira-tile .tile-name").first, page.locator(".tile-solutions").first):
            box = link.bounding_box()
            assert box is not None and box["height"] >= 44
        page.locator(".views-toc").get_by_role("link", name="Technical view - application").click()
        page.get_by_role("link", name="Data Exchange (Application Service)", exact=True).click()
        assert page.url.endswith("/dr8/DataExchangeApplicationService")
        page.wait_for_load_state("load")  # its stylesheet applied: a busy machine measured it half laid out
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("h1").inner_text().startswith("Data Exchange")
        solutions = page.locator("main a[href*='solution']")
        assert solutions.count() > 3
        specs = page.locator("ul.block-specs > li")
        assert specs.count() > 10
        why = specs.first.locator(".spec-why")
        assert why.count() == 1 and len(why.inner_text()) > 20
    finally:
        context.close()


def test_the_public_coverage_query_agrees_with_the_map(catalogue):
    """The saved query counts per PURI: a tile standing for a v6.1 twin too is the sum."""
    tiles = catalogue.cartography.map({}, ("en",)).blocks()
    rows = {r["block"].value: int(r["solutions"].value) for r in catalogue.select("eira_block_coverage")}
    assert set(rows) == {i for t in tiles for i in (t.iri, *t.twins)}
    for tile in tiles:
        if not tile.twins:
            assert rows[tile.iri] == tile.solutions, tile
        else:
            assert max(rows[i] for i in (tile.iri, *tile.twins)) <= tile.solutions <= sum(
                rows[i] for i in (tile.iri, *tile.twins))
