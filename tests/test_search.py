"""Search: the derived index (catalogue/search/) on the demo catalogue plus a small dump,
and /search through the real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from catalogue import search
from catalogue.app import Catalogue
from catalogue.search import SearchRequest, SearchRequestError
from catalogue.settings import load_settings
from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
TWO = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
EX = "http://repo.example.org/"
ECON = "http://publications.europa.eu/resource/authority/data-theme/ECON"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    settings = load_settings({}, store=str(tmp_path_factory.mktemp("search") / "store"))
    c = Catalogue(settings)
    c.publishing.init()  # vocabularies and the demo catalogue, indexed
    assert c.publishing.ingest("example", TWO.read_bytes(), filename=TWO.name).stored
    yield c
    c.close()


@pytest.fixture(scope="module")
def index(catalogue):
    return search.open_index(search.index_path(catalogue.settings.store))


def iris(index, **kwargs) -> list[str]:
    """Every hit's IRI, page after page (the demo's own solutions may fill the first)."""
    found: list[str] = []
    for page in range(1, 100):
        hits = search.search(index, SearchRequest(**kwargs, page=page)).hits
        found += [h.iri for h in hits]
        if len(hits) < search.PAGE_SIZE:
            return found
    return found


def test_a_word_of_a_description_finds_the_solution(index):
    assert EX + "solution-1" in iris(index, q="suppliers")
    assert EX + "solution-2" in iris(index, q="municipal")


def test_search_is_accent_and_case_insensitive(index):
    for q in ("electronique", "ÉLECTRONIQUE", "électronique"):
        assert EX + "solution-1" in iris(index, q=q), q


def test_french_and_german_titles_are_searchable_with_stemming(index):
    assert EX + "solution-1" in iris(index, q="passerelle facturation")
    assert EX + "solution-1" in iris(index, q="factures")  # French stemmer: factur
    assert EX + "solution-2" in iris(index, q="Basisregister")
    assert EX + "solution-2" in iris(index, q="konnektor")


def test_every_word_must_match(index):
    assert iris(index, q="passerelle municipal") == []


def test_facet_counts_agree_with_sparql_and_filters_narrow(catalogue, index):
    rows = catalogue.store.select(
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?theme (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s dcat:theme ?theme "
        "FILTER NOT EXISTS { ?s dct:isVersionOf ?p } { ?s a dcat:Dataset } UNION { ?s a dcat:Catalog } "
        "} GROUP BY ?theme", {"theme": ox.NamedNode(ECON)}, dataset=catalogue.public_dataset())
    expected = int(rows.rows[0]["n"].value)
    everything = search.search(index, SearchRequest())
    counts = {f.value: f.count for f in everything.facets["theme"]}
    assert counts[ECON] == expected > 0
    narrowed = search.search(index, SearchRequest(filters={"theme": (ECON,)}))
    assert narrowed.total == expected < everything.total
    # a second facet narrows further, and its counts add up within the first
    spatial = {f.value: f.count for f in narrowed.facets["spatial"]}
    country, n = max(spatial.items(), key=lambda kv: kv[1])
    both = search.search(index, SearchRequest(filters={"theme": (ECON,), "spatial": (country,)}))
    assert both.total == n <= narrowed.total
    # the selected facet keeps counting its other values (OR within a facet)
    assert {f.value: f.count for f in both.facets["spatial"]} == spatial


def test_a_facet_limit_keeps_the_top_values_ties_and_the_selected_ones(index):
    full = search.search(index, SearchRequest()).facets["eira"]
    assert len(full) > 3
    top = search.search(index, SearchRequest(), facet_limit=3)
    assert top.facets["eira"] == full[:3]  # same order: count, then label (ties too)
    assert top.facet_sizes["eira"] == len(full)
    last = full[-1].value  # selected, it stays even though it is not among the top 3
    chosen = search.search(index, SearchRequest(filters={"eira": (last,)}), facet_limit=3)
    values = [f.value for f in chosen.facets["eira"]]
    assert values[-1] == last and len(values) == 4 and chosen.facets["eira"][-1].selected


def test_labels_of_facet_values_come_from_the_store(index):
    facets = search.search(index, SearchRequest(q="gateway")).facets
    labels = {f.value: f.label for values in facets.values() for f in values}
    assert labels["http://data.europa.eu/dr8/DataExchangeApplicationService"] != \
        "http://data.europa.eu/dr8/DataExchangeApplicationService"
    assert labels[EX + "agency"] == "Example Digital Agency"
    assert labels[EX + "collection"] == "Example repository"


def test_title_matches_rank_before_description_matches(index):
    # "portal": the title of Portal solutions, and in the description of open-data ones
    # ("data publishers and portal operators") whatever their kind
    total = search.search(index, SearchRequest(q="portal")).total
    pages = range(1, -(-total // search.PAGE_SIZE) + 1)
    hits = [h for page in pages for h in search.search(index, SearchRequest(q="portal", page=page)).hits]
    # the English word (Italian "Portale" is another word: the English stemmer keeps it apart)
    in_title = [re.search(r"\bportals?\b", h.title.lower()) is not None for h in hits]
    assert in_title[0] and False in in_title  # both kinds present
    assert in_title == sorted(in_title, reverse=True)


def test_sorting_and_paging(index):
    first = search.search(index, SearchRequest(sort="title"))
    second = search.search(index, SearchRequest(sort="title", page=2))
    assert first.total > search.PAGE_SIZE and len(first.hits) == search.PAGE_SIZE
    titles = [h.title.lower() for h in first.hits + second.hits]
    assert titles == sorted(titles)
    dated = [h.modified for h in search.search(index, SearchRequest(sort="date")).hits]
    assert all(dated) and dated == sorted(dated, reverse=True)


@pytest.mark.parametrize("kwargs", [{"page": 0}, {"sort": "random"}, {"q": "x" * 501},
                                    {"filters": {"colour": ("red",)}},
                                    {"filters": {"type": ("person",)}}])
def test_bad_requests_are_refused_with_a_reason(kwargs):
    with pytest.raises(SearchRequestError):
        SearchRequest(**kwargs)


def test_a_reingest_without_a_solution_removes_it_from_the_index(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    try:
        assert c.publishing.ingest("example", TWO.read_bytes(), filename=TWO.name).stored
        idx = search.open_index(search.index_path(c.settings.store))
        assert EX + "solution-2" in iris(idx, q="Basisregister")
        text = TWO.read_text()
        text = text.replace("dcat:dataset ex:solution-1, ex:solution-2 .", "dcat:dataset ex:solution-1 .")
        text = re.sub(r"ex:solution-2 a dcat:Dataset.*?\n\n", "", text, flags=re.S)
        assert c.publishing.ingest("example", text.encode(), filename=TWO.name).stored
        assert iris(idx, q="Basisregister") == []
        assert EX + "solution-1" in iris(idx, q="passerelle")
        assert c.search.reindex() == idx.num_docs() == 2  # full rebuild: collection + solution-1
    finally:
        c.close()


def test_the_page_cache_follows_data_and_language(tmp_path):
    from webapp import create_app

    c = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    try:
        assert c.publishing.ingest("example", TWO.read_bytes(), filename=TWO.name).stored
        client = create_app(c.settings, c).test_client()
        assert "Basisregister" in client.get("/search?q=Basisregister").text
        client.set_cookie("lang", "fr")
        assert "<h1>Rechercher" in client.get("/search?q=Basisregister").text  # same path
        client.set_cookie("lang", "en")
        text = TWO.read_text().replace("Basisregister", "Grundregister")
        assert c.publishing.ingest("example", text.encode(), filename=TWO.name).stored
        page = client.get("/search?q=Basisregister").text  # same path, new data version
        assert "Nothing matches" in page
    finally:
        c.close()


# the real server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("web-search") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init"], env=env, check=True,
                   capture_output=True, cwd=ROOT)
    with serving(env) as url:
        yield url


def get(server, path, **params):
    return requests.get(server + path, params=params, headers={"Accept": "text/html"}, timeout=10)


def total(page: requests.Response) -> int:
    return int(re.search(r"([\d,]+) results?", page.text).group(1).replace(",", ""))


def test_search_page_lists_results_linked_to_their_resource_pages(server):
    r = get(server, "/search", q="taxation")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "/resource?uri=https://demo.interop.example.eu/solution/" in r.text
    assert total(r) > 1
    home = get(server, "/")
    assert 'action="/search"' in home.text


def test_two_facets_narrow_through_their_links(server):
    r = get(server, "/search")
    everything = total(r)
    theme = re.search(r'href="(/search\?theme=[^"]+)"', r.text).group(1).replace("&amp;", "&")
    r1 = requests.get(server + theme, headers={"Accept": "text/html"}, timeout=10)
    assert r1.status_code == 200 and total(r1) < everything
    spatial = re.search(r'href="(/search\?[^"]*spatial=[^"]+)"', r1.text).group(1).replace("&amp;", "&")
    assert "theme=" in spatial  # the link keeps the first facet
    r2 = requests.get(server + spatial, headers={"Accept": "text/html"}, timeout=10)
    assert r2.status_code == 200 and 0 < total(r2) <= total(r1)
    assert len(re.findall(r"<a [^>]*aria-current", r2.text)) == 2  # both selected facet values


def test_pagination_link_leads_to_the_next_page(server):
    r = get(server, "/search", sort="title")
    link = re.search(r'rel="next" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert "page=2" in link and "sort=title" in link
    r2 = requests.get(server + link, headers={"Accept": "text/html"}, timeout=10)
    assert r2.status_code == 200 and "Page 2 of" in r2.text and 'rel="prev"' in r2.text


def test_zero_results_page_helps(server):
    r = get(server, "/search", q="zzyzxqwv", theme=ECON)
    assert r.status_code == 200 and total(r) == 0
    assert "Nothing matches" in r.text and "Check the spelling" in r.text
    assert "search without any filter" in r.text


def test_a_hostile_query_is_escaped(server):
    r = get(server, "/search", q='<script>alert("x")</script>', publisher='"><script>x</script>')
    assert r.status_code == 200
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999"])
def test_a_bad_page_is_a_400_with_a_message(server, page):
    r = requests.get(server + "/search", params={"page": page}, timeout=10)
    assert r.status_code == 400 and "page" in r.text


def test_specifications_join_the_search_with_their_building_blocks(index):
    # the catalogue of ICT standards (issue 14): ELIS's specifications are documents of type
    # "specification", filed under the EIRA building blocks ELIS relates them to
    result = search.search(index, SearchRequest(q="DCAT", filters={"type": ("specification",)}))
    assert result.total > 0 and {h.kind for h in result.hits} == {"specification"}
    kinds = {f.value for f in search.search(index, SearchRequest(q="DCAT")).facets["type"]}
    assert {"solution", "specification"} <= kinds
    blocks = result.facets["eira"]
    assert blocks and all(f.label != f.value for f in blocks)  # named, not IRIs
    with pytest.raises(search.SearchRequestError):
        search.search(index, SearchRequest(filters={"type": ("nonsense",)}))
