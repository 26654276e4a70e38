"""The real server on 127.0.0.1 with real clients: the site's first pages and /sparql."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "ingest", str(GOOD), "--source", "example"],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    # a second source whose solution-2 has no contact point: partial mode quarantines it
    other = GOOD.read_bytes().replace(b"http://repo.example.org/", b"http://other.example.org/")
    other = other.replace(b"  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
                          b"  dct:type <http://data.europa.eu/dr8/DataExchangeService>")
    subprocess.run([sys.executable, "-m", "catalogue_cli", "ingest", "-", "--source", "other",
                    "--mode", "partial", "--format", "ttl"], input=other,
                   env=env, check=True, capture_output=True, cwd=ROOT)
    with serving(env) as url:
        yield url


def test_home_page_shows_the_source(server):
    r = requests.get(server + "/", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "example" in r.text


def test_sparql_wrapper_select_in_every_results_format(server):
    query = ("PREFIX dct: <http://purl.org/dc/terms/> SELECT ?s WHERE { ?s dct:title ?t "
             "FILTER(lang(?t) = 'de') }")
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == ["http://repo.example.org/solution-2"]
    client.setReturnFormat(XML)
    assert b"solution-2" in client.query().response.read()
    client.setReturnFormat(CSV)
    assert b"solution-2" in client.queryAndConvert()


def test_sparql_post_forms_and_errors(server):
    r = requests.post(server + "/sparql", data="ASK { ?s ?p ?o }",
                      headers={"Content-Type": "application/sparql-query",
                               "Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = requests.post(server + "/sparql", data="x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = requests.get(server + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400 and "does not parse" in r.text
    r = requests.get(server + "/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.text
    r = requests.post(server + "/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 403


def test_sparql_sees_published_data_only(server):
    r = requests.get(server + "/sparql", params={
        "query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "text/csv"})
    graphs = r.text.splitlines()[1:]
    assert graphs and not [g for g in graphs if "/graph/quarantine/" in g]
    r = requests.get(server + "/sparql", headers={"Accept": "application/sparql-results+json"}, params={
        "query": "ASK { <http://other.example.org/solution-1> ?p ?o }"})
    assert r.json()["boolean"] is True
    for query in ("ASK { <http://other.example.org/solution-2> ?p ?o }",
                  "ASK { GRAPH ?g { <http://other.example.org/solution-2> ?p ?o } }"):
        r = requests.get(server + "/sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+json"})
        assert r.json()["boolean"] is False, query


def test_resource_page_html_and_turtle(server):
    uri = "http://repo.example.org/solution-1"
    r = requests.get(server + "/resource", params={"uri": uri}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Open e-Invoicing Gateway" in r.text
    r = requests.get(server + "/resource", params={"uri": uri}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert r.headers["vary"] == "Accept"
    r = requests.get(server + "/resource", params={"uri": "http://repo.example.org/nothing"})
    assert r.status_code == 404
    r = requests.get(server + "/resource", params={"uri": "not an iri"})
    assert r.status_code == 400


def test_errors_are_pages_not_tracebacks(server):
    r = requests.get(server + "/no/such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "<h1>Page not found" in r.text and "Traceback" not in r.text
    # it says what was typed, on this host, and offers a search for its words
    assert "<code>/no/such-page</code>" in r.text and 'value="such page"' in r.text
    assert 'role="search"' in r.text
