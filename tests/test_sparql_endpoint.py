"""The public /sparql endpoint under real clients: protocol, formats, datasets, limits.

The server runs with a 2-second time limit and a 50-result cap so that runaway and huge
queries can be proven to be stopped and refused, and the site to stay responsive.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from SPARQLWrapper import JSONLD, N3, RDFXML, TURTLE, SPARQLWrapper

from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("sparql") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_SPARQL_TIMEOUT": str(TIMEOUT),
           "CATALOGUE_SPARQL_MAX_RESULTS": "50", "CATALOGUE_SPARQL_WORKERS": "2"}

    def cli(*args, data=None):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                       input=data, capture_output=True, check=True)

    cli("init", "--no-demo")
    cli("ingest", str(GOOD), "--source", "example")
    other = GOOD.read_bytes().replace(b"http://repo.example.org/", b"http://other.example.org/")
    other = other.replace(b"  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
                          b"  dct:type <http://data.europa.eu/dr8/DataExchangeService>")
    cli("ingest", "-", "--source", "other", "--mode", "partial", "--format", "ttl", data=other)
    with serving(env) as url:
        yield url


def sparql(server, query, accept="application/sparql-results+json", **params):
    return requests.get(server + "/sparql", params={"query": query, **params},
                        headers={"Accept": accept}, timeout=30)


@pytest.mark.timeout_sensitive
def test_a_runaway_query_is_stopped_with_503_and_the_site_stays_responsive(server):
    answers = {}

    def run():
        t = time.monotonic()
        answers["r"] = sparql(server, RUNAWAY)
        answers["seconds"] = time.monotonic() - t

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    t = time.monotonic()
    home = requests.get(server + "/", timeout=10)  # pages do not wait for the runaway
    assert home.status_code == 200 and time.monotonic() - t < 1.5
    quick = sparql(server, "ASK { ?s ?p ?o }")    # nor does another query (second worker)
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    worker.join(30)
    r = answers["r"]
    assert r.status_code == 503 and f"{TIMEOUT} s" in r.text
    assert TIMEOUT <= answers["seconds"] < TIMEOUT + 5
    # its worker was replaced: the endpoint answers at once afterwards
    assert sparql(server, "ASK { ?s ?p ?o }").status_code == 200


def test_an_answer_over_the_cap_is_refused_never_cut(server):
    r = sparql(server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/csv")
    assert r.status_code == 422 and "50" in r.text and "LIMIT" in r.text
    r = sparql(server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "text/turtle")
    assert r.status_code == 422
    ok = sparql(server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50", "text/tab-separated-values")
    assert ok.status_code == 200 and len(ok.text.strip().splitlines()) == 51


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_in_each_results_format(server, accept, expected):
    r = sparql(server, "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Catalog> }", accept)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(expected)
    assert r.headers["Vary"] == "Accept" and "repo.example.org/collection" in r.text


@pytest.mark.parametrize(("fmt", "media"), [
    (TURTLE, "text/turtle"), (N3, "text/turtle"), (RDFXML, "application/rdf+xml"),
    (JSONLD, "application/ld+json"),
])
def test_sparql_wrapper_construct_in_each_rdf_format(server, fmt, media):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery("CONSTRUCT { ?s <http://purl.org/dc/terms/title> ?t } WHERE { "
                    "?s <http://purl.org/dc/terms/title> ?t FILTER(?s = <http://repo.example.org/solution-1>) }")
    client.setReturnFormat(fmt)
    response = client.query().response
    assert response.headers["Content-Type"].startswith(media)
    graph = list(ox.parse(response.read(), format=ox.RdfFormat.from_media_type(media)))
    assert {q.object.value for q in graph} == {"Open e-Invoicing Gateway",
                                                "Passerelle de facturation électronique"}


def test_post_forms_and_direct_posts(server):
    q = "ASK { <http://repo.example.org/solution-1> ?p ?o }"
    direct = requests.post(server + "/sparql", data=q.encode(),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
    form = requests.post(server + "/sparql", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert direct.json()["boolean"] is True and form.json()["boolean"] is True
    update = requests.post(server + "/sparql", data=b"DROP ALL",
                           headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403


def test_nothing_acceptable_is_406(server):
    assert sparql(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png").status_code == 406
    r = sparql(server, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json")
    assert r.status_code == 406 and "text/turtle" in r.text


def test_default_and_named_graph_uri_choose_among_public_graphs_only(server):
    graphs = sparql(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "text/csv").text.split()[1:]
    source = next(g for g in graphs if "/graph/source/example/" in g)
    r = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }",
               "text/csv", **{"default-graph-uri": source})
    assert r.text.split()[1] == "3"  # two solutions and a release, from that graph only
    vocab = next(g for g in graphs if g.endswith("/graph/vocab/eira-v4"))
    r = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }",
               "text/csv", **{"default-graph-uri": vocab})
    assert r.text.split()[1] == "0"
    # a quarantine graph named into the dataset stays invisible: it is not public
    for param in ("default-graph-uri", "named-graph-uri"):
        r = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                   "FILTER (CONTAINS(STR(?s), 'other.example.org/solution-2')) }", "text/csv",
                   **{param: "https://catalogue.example.org/graph/quarantine/other/x"})
        assert r.text.split()[1] == "0"
    r = sparql(server, "ASK { ?s ?p ?o }", **{"default-graph-uri": "not an iri"})
    assert r.status_code == 400


def test_a_querys_from_clauses_choose_among_public_graphs_only(server):
    graphs = sparql(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "text/csv").text.split()[1:]
    source = next(g for g in graphs if "/graph/source/example/" in g)
    vocab = next(g for g in graphs if g.endswith("/graph/vocab/eira-v4"))
    count = "SELECT (COUNT(*) AS ?n) FROM <{}> WHERE {{ ?s a <http://www.w3.org/ns/dcat#Dataset> }}"
    assert sparql(server, count.format(source), "text/csv").text.split()[1] == "3"
    assert sparql(server, count.format(vocab), "text/csv").text.split()[1] == "0"
    named = sparql(server, f"SELECT DISTINCT ?g FROM NAMED <{vocab}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",  # noqa: S608
                   "text/csv").text.split()[1:]
    assert named == [vocab]
    # the protocol's dataset wins over the query's
    r = sparql(server, count.format(vocab), "text/csv", **{"default-graph-uri": source})
    assert r.text.split()[1] == "3"
    # a private graph named by FROM is simply absent (the accounts graph holds at least the
    # key that signs session cookies)
    private = "https://catalogue.example.org/graph/accounts"
    r = sparql(server, f"ASK FROM <{private}> FROM NAMED <{private}> "
               "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    assert r.status_code == 200 and r.json()["boolean"] is False


def test_service_description_for_rdf_clients_and_the_editor_for_browsers(server):
    sd = requests.get(server + "/sparql", headers={"Accept": "text/turtle"})
    assert sd.status_code == 200 and sd.headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(sd.content, format=ox.RdfFormat.TURTLE))
    preds = {t.predicate.value.rsplit("#", 1)[-1]: t.object for t in triples}
    assert preds["endpoint"].value.endswith("/sparql") and preds["maxResults"].value == "50"
    page = requests.get(server + "/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<textarea" in page.text and "Examples" in page.text


def test_errors_name_what_is_wrong(server):
    r = sparql(server, "SELECT ?s WHERE { ?s ?p }")
    assert r.status_code == 400 and "does not parse" in r.text
    r = sparql(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 403 and "SERVICE" in r.text
