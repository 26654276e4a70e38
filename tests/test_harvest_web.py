"""Dumps, the Hydra-paged DCAT catalogue, VoID and the sitemap, as harvesters use them:
the real server on 127.0.0.1, read with requests and parsed with pyoxigraph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests

from catalogue.feeds import documents as harvest
from catalogue.store import EmbeddedStore
from catalogue.terms import DCAT, RDF_TYPE, VOID
from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
BASE = "https://catalogue.example.org/"
HYDRA = harvest.HYDRA
CATALOG = ox.NamedNode(BASE + "catalog")
PUBLISHED = {"http://repo.example.org/solution-1", "http://repo.example.org/solution-2",
             "http://other.example.org/solution-1"}
QUARANTINED = "http://other.example.org/solution-2"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _cli(env, *args, data=None):
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], input=data, env=env,
                          check=True, capture_output=True, cwd=ROOT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Yields (url, stats): source `example`, and `other` whose solution-2 is quarantined."""
    store = tmp_path_factory.mktemp("harvest") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    _cli(env, "ingest", str(GOOD), "--source", "example")
    other = GOOD.read_bytes().replace(b"http://repo.example.org/", b"http://other.example.org/")
    other = other.replace(b"  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
                          b"  dct:type <http://data.europa.eu/dr8/DataExchangeService>")
    _cli(env, "ingest", "-", "--source", "other", "--mode", "partial", "--format", "ttl", data=other)
    stats = json.loads(_cli(env, "stats", "--json").stdout)
    with serving(env) as url:
        yield url, stats


def _turtle(r: requests.Response) -> ox.Store:
    assert r.status_code == 200, r.text
    g = ox.Store()
    g.load(r.content, format=ox.RdfFormat.TURTLE, base_iri=r.url)
    return g


def _objects(g: ox.Store, s, p) -> list:
    return [q.object for q in g.quads_for_pattern(s, p, None)]


def _the_page(g: ox.Store, kind: ox.NamedNode) -> ox.NamedNode:
    pages = [q.subject for q in g.quads_for_pattern(None, RDF_TYPE, kind)]
    assert len(pages) == 1, pages
    return pages[0]


# dumps


@pytest.mark.parametrize("ext, media, fmt", [
    ("nq", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("trig", "application/trig", ox.RdfFormat.TRIG),
])
def test_dump_streams_the_public_graphs_and_never_the_quarantine(server, ext, media, fmt):
    url, stats = server
    r = requests.get(f"{url}/dump.{ext}", stream=True)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.headers["content-disposition"] == f"attachment; filename=catalogue-dump.{ext}"
    assert "content-length" not in r.headers  # streamed, not built whole
    quads = list(ox.parse(r.raw.read(), format=fmt))
    graphs = {q.graph_name.value for q in quads}
    assert stats["sources"]["example"]["graph"] in graphs
    assert stats["sources"]["other"]["graph"] in graphs
    assert not [g for g in graphs if "/graph/quarantine/" in g or "/graph/draft/" in g]
    assert not [q for q in quads if q.subject.value == QUARANTINED]
    in_source = [q for q in quads if q.graph_name.value == stats["sources"]["example"]["graph"]]
    assert len(in_source) == stats["sources"]["example"]["triples"]


# the paged DCAT catalogue


def _walk(url: str, start: str, *, old: bool) -> tuple[list[str], int]:
    """Follow hydra:nextPage (old vocabulary, ckanext-dcat) or hydra:view/hydra:next (new)."""
    seen, pages, nxt = [], 0, start
    while nxt:
        g = _turtle(requests.get(nxt))
        pages += 1
        assert pages < 20, "the walk does not stop"
        seen += [o.value for o in _objects(g, CATALOG, DCAT.dataset)]
        if old:
            page = _the_page(g, HYDRA.PagedCollection)
            links = _objects(g, page, HYDRA.nextPage)
            assert all(isinstance(o, ox.Literal) for o in links)  # as piveau reads them
        else:
            page = _the_page(g, HYDRA.PartialCollectionView)
            assert _objects(g, None, HYDRA.view) == [page]
            links = _objects(g, page, HYDRA.next)
            assert all(isinstance(o, ox.NamedNode) for o in links)
        assert len(links) <= 1
        nxt = links[0].value if links else None
        if nxt:
            assert nxt.startswith(url + "/catalog.ttl?")  # absolute, on the host we reached
    return seen, pages


@pytest.mark.parametrize("old", [True, False], ids=["PagedCollection", "PartialCollectionView"])
def test_a_harvester_following_next_collects_every_solution_once(server, old):
    url, _ = server
    seen, pages = _walk(url, url + "/catalog.ttl?page=1&page_size=1", old=old)
    assert sorted(seen) == sorted(PUBLISHED) and pages == 3
    assert seen == sorted(seen)  # stable order: by IRI


def test_pages_carry_both_hydra_vocabularies(server):
    url, _ = server
    g = _turtle(requests.get(url + "/catalog.ttl", params={"page": 2, "page_size": 1}))
    page = _the_page(g, HYDRA.PagedCollection)
    assert page == _the_page(g, HYDRA.PartialCollectionView)
    assert _objects(g, page, HYDRA.totalItems) == [ox.Literal("3", datatype=harvest.XSD.integer)]
    assert _objects(g, page, HYDRA.itemsPerPage) == [ox.Literal("1", datatype=harvest.XSD.integer)]
    expected = {"first": 1, "previous": 1, "next": 3, "last": 3}
    old = {"first": "firstPage", "previous": "previousPage", "next": "nextPage", "last": "lastPage"}
    for rel, n in expected.items():
        link = f"{url}/catalog.ttl?page={n}&page_size=1"
        assert _objects(g, page, HYDRA[rel]) == [ox.NamedNode(link)]
        assert _objects(g, page, HYDRA[old[rel]]) == [ox.Literal(link)]
    collection = _objects(g, None, HYDRA.view)
    assert collection and _objects(g, ox.NamedNode(url + "/catalog.ttl"), HYDRA.totalItems)
    r = requests.get(url + "/catalog.ttl", params={"page": 2, "page_size": 1})
    assert f'<{url}/catalog.ttl?page=3&page_size=1>; rel="next"' in r.headers["link"]


def test_the_catalog_describes_itself_and_its_solutions_in_full(server):
    url, _ = server
    g = _turtle(requests.get(url + "/catalog.ttl"))
    assert _objects(g, CATALOG, RDF_TYPE) == [DCAT.Catalog]
    for p in ("title", "description", "publisher"):
        assert _objects(g, CATALOG, harvest.DCT[p])
    assert {o.value for o in _objects(g, CATALOG, DCAT.dataset)} == PUBLISHED
    release = ox.NamedNode("http://repo.example.org/solution-1-v1")
    dist = ox.NamedNode("http://repo.example.org/solution-1-v1-zip")
    assert _objects(g, release, harvest.DCT.isVersionOf) and _objects(g, dist, DCAT.accessURL)
    agency, contact = ox.NamedNode("http://repo.example.org/agency"), ox.NamedNode("http://repo.example.org/contact")
    assert _objects(g, agency, harvest.FOAF.name) and list(g.quads_for_pattern(contact, None, None))
    assert list(g.quads_for_pattern(ox.NamedNode("http://repo.example.org/eupl"), None, None))
    assert not list(g.quads_for_pattern(ox.NamedNode(QUARANTINED), None, None))


@pytest.mark.parametrize("since, expected", [
    ("2024-03-01", {"http://repo.example.org/solution-1", "http://other.example.org/solution-1"}),
    ("2024-03-01T10:00:00Z", {"http://repo.example.org/solution-1", "http://other.example.org/solution-1"}),
    ("2024-03-01T10:00:01Z", set()),
    ("2024-03-02", set()),
])
def test_modified_since_keeps_solutions_modified_on_or_after(server, since, expected):
    url, _ = server
    g = _turtle(requests.get(url + "/catalog.ttl", params={"modified_since": since}))
    assert {o.value for o in _objects(g, CATALOG, DCAT.dataset)} == expected
    page = _the_page(g, HYDRA.PagedCollection)
    assert _objects(g, page, HYDRA.totalItems)[0].value == str(len(expected))
    assert "modified_since=" in page.value


@pytest.mark.parametrize("params, status, says", [
    ({"page": "4", "page_size": "1"}, 404, "page 4 does not exist"),
    ({"page": "2"}, 404, "page 2 does not exist"),
    ({"page": "0"}, 400, "page must be"),
    ({"page": "two"}, 400, "page must be"),
    ({"page_size": "5000"}, 400, "at most 1000"),
    ({"page_size": "-1"}, 400, "page_size must be"),
    ({"modified_since": "yesterday"}, 400, "modified_since must be"),
    ({"modified_since": "2024-13-45"}, 400, "modified_since must be"),
])
def test_bad_pages_and_parameters_say_what_is_wrong(server, params, status, says):
    url, _ = server
    r = requests.get(url + "/catalog.ttl", params=params)
    assert r.status_code == status and says in r.text, r.text


@pytest.mark.parametrize("path, accept, media, fmt", [
    ("/catalog", None, "text/turtle", ox.RdfFormat.TURTLE),
    ("/catalog", "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("/catalog", "application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("/catalog.jsonld", None, "application/ld+json", ox.RdfFormat.JSON_LD),
    ("/catalog.rdf", None, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("/catalog.nt", None, "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_catalog_in_every_format(server, path, accept, media, fmt):
    url, _ = server
    r = requests.get(url + path, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert ("vary" in r.headers) == (path == "/catalog")
    triples = list(ox.parse(r.content, format=fmt, base_iri=r.url))
    datasets = {t.object.value for t in triples if t.subject == CATALOG and t.predicate == DCAT.dataset}
    assert datasets == PUBLISHED


def test_catalog_refuses_formats_it_cannot_give(server):
    url, _ = server
    r = requests.get(url + "/catalog", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.text


# VoID


def test_void_counts_match_catalogue_stats(server):
    url, stats = server
    r = requests.get(url + "/.well-known/void")
    assert r.headers["content-type"].startswith("text/turtle") and r.headers["vary"] == "Accept"
    g = _turtle(r)
    ds = ox.NamedNode(BASE + "dataset")
    assert _objects(g, ds, RDF_TYPE) == [VOID.Dataset]
    count = {q.subject.value: int(q.object.value) for q in g.quads_for_pattern(None, VOID.triples, None)}
    subsets = {o.value for o in _objects(g, ds, VOID.subset)}
    for slug in ("example", "other"):
        graph = stats["sources"][slug]["graph"]
        assert graph in subsets and count[graph] == stats["sources"][slug]["triples"]
    for name, n in stats["vocabularies"].items():
        assert count[f"{BASE}graph/vocab/{name}"] == n
    assert not [s for s in subsets if "/graph/quarantine/" in s]
    assert count[ds.value] == sum(count[s] for s in subsets)
    quarantined = sum(q["triples"] for q in stats["quarantine"].values())
    assert count[ds.value] == stats["triples"] - quarantined - stats["private"]
    assert _objects(g, ds, VOID.sparqlEndpoint) == [ox.NamedNode(url + "/sparql")]
    dumps = {o.value for o in _objects(g, ds, VOID.dataDump)}
    assert dumps == {url + "/dump.nq", url + "/dump.trig"}
    vocabularies = {o.value for o in _objects(g, ds, VOID.vocabulary)}
    assert {"http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"} <= vocabularies


def test_void_is_negotiated(server):
    url, _ = server
    r = requests.get(url + "/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert list(ox.parse(r.content, format=ox.RdfFormat.JSON_LD))


# sitemap


def test_sitemap_lists_home_and_every_published_record(server):
    url, _ = server
    r = requests.get(url + "/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(r.content)
    assert root.tag == SITEMAP + "urlset"
    locs = [u.find(SITEMAP + "loc").text for u in root]
    records = PUBLISHED | {"http://repo.example.org/collection", "http://other.example.org/collection"}
    assert sorted(locs) == sorted([url + "/"] + [f"{url}/resource?uri={quote(i, safe='')}" for i in records])
    lastmod = {u.find(SITEMAP + "loc").text: u.find(SITEMAP + "lastmod") for u in root}
    assert lastmod[f"{url}/resource?uri={quote('http://repo.example.org/solution-1', safe='')}"].text == "2024-03-01"
    assert requests.get(locs[1], headers={"Accept": "text/html"}).status_code == 200


# the domain module alone, on the embedded store


def test_catalog_page_on_the_embedded_store(tmp_path):
    graph = ox.NamedNode(BASE + "graph/source/example/v1")
    with EmbeddedStore(tmp_path / "s") as store:
        store.write_graph(graph, [ox.Triple(q.subject, q.predicate, q.object)
                                  for q in ox.parse(path=str(GOOD), format=ox.RdfFormat.TURTLE)])
        page = harvest.catalog_page(store, BASE, [graph], site="http://h/", here="http://h/catalog",
                                    paging=harvest.Paging(page=2, page_size=1))
        assert (page.total, page.last_page) == (2, 2)
        assert page.links == {"first": "http://h/catalog?page=1&page_size=1",
                              "last": "http://h/catalog?page=2&page_size=1",
                              "previous": "http://h/catalog?page=1&page_size=1"}
        listed = [t.object.value for t in page.triples if t.predicate == DCAT.dataset]
        assert listed == ["http://repo.example.org/solution-2"]
        with pytest.raises(harvest.PageNotFoundError):
            harvest.catalog_page(store, BASE, [graph], site="http://h/", here="http://h/catalog",
                                 paging=harvest.Paging(page=3, page_size=1))
        empty = harvest.catalog_page(store, BASE, [], site="http://h/", here="http://h/catalog",
                                     paging=harvest.Paging())
        assert (empty.total, empty.last_page, "next" in empty.links) == (0, 1, False)


def test_a_large_sitemap_is_split_behind_an_index():
    entries = [harvest.SitemapEntry(f"http://h/resource?uri={n}&x") for n in range(50_001)]
    assert harvest.sitemap_parts(len(entries)) == 2
    assert len(harvest.sitemap_part(entries, 2)) == 1
    with pytest.raises(harvest.PageNotFoundError):
        harvest.sitemap_part(entries, 3)
    doc = ET.fromstring("".join(harvest.urlset(harvest.sitemap_part(entries, 2))))
    assert doc[0][0].text == "http://h/resource?uri=50000&x"  # & escaped, read back
    index = ET.fromstring("".join(harvest.sitemap_index(["http://h/sitemap-1.xml"])))
    assert index.tag == SITEMAP + "sitemapindex"


@pytest.mark.parametrize("path", ["/dump.nq", "/dump.trig", "/catalog.ttl?page=1&page_size=2"])
def test_dumps_and_pages_answer_conditional_requests(server, path):
    url = server[0] + path  # the fixture yields (url, stats)
    first = requests.get(url, timeout=30)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    since = requests.get(url, headers={"If-Modified-Since": modified}, timeout=30)
    assert since.status_code == 304
    stale = requests.get(url, headers={"If-None-Match": '"something-else"'}, timeout=30)
    assert stale.status_code == 200 and stale.content == first.content
