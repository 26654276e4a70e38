"""``/queries``: the public saved queries through the real server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
AGENCY = "http://repo.example.org/agency"
HTML = {"Accept": "text/html"}

# valid ADMS-AP whose title is markup and whose spatial coverage is a javascript: IRI
# (the shapes let an undescribed IRI be a dct:spatial)
HOSTILE = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix h: <http://hostile.example.org/> .

h:solution a dcat:Dataset, adms:Asset ;
  dct:title "<script>alert(1)</script>"@en ;
  dct:description "A solution whose title is markup, to prove that pages escape what they show."@en ;
  dct:publisher h:agency ;
  dcat:contactPoint h:contact ;
  dct:type <http://data.europa.eu/dr8/DataExchangeService> ;
  dct:spatial <javascript:alert(1)>, <http://publications.europa.eu/resource/authority/country/BEL> ;
  dct:modified "2025-06-01"^^xsd:date .
h:agency a foaf:Agent ;
  foaf:name "Hostile <b>agency</b>"@en ;
  dct:type <http://purl.org/adms/publishertype/NationalAuthority> .
h:contact a vcard:Kind ; vcard:fn "Desk" ; vcard:hasEmail <mailto:desk@hostile.example.org> .
<http://purl.org/adms/publishertype/NationalAuthority> a skos:Concept ;
  skos:prefLabel "National authority"@en ;
  skos:inScheme <http://purl.org/adms/publishertype/1.0> .
"""


def _ingest(env: dict, source: str, data: bytes, *extra: str) -> None:
    subprocess.run([sys.executable, "-m", "catalogue_cli", "ingest", "-", "--source", source,
                    "--format", "ttl", *extra], input=data, env=env, check=True,
                   capture_output=True, cwd=ROOT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("saved-queries") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    _ingest(env, "example", GOOD.read_bytes())
    # a second source whose solution-2 has no contact point: partial mode quarantines it
    other = GOOD.read_bytes().replace(b"http://repo.example.org/", b"http://other.example.org/")
    other = other.replace(b"  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
                          b"  dct:type <http://data.europa.eu/dr8/DataExchangeService>")
    _ingest(env, "other", other, "--mode", "partial")
    _ingest(env, "hostile", HOSTILE)
    with serving(env) as url:
        yield url


def _json_rows(r: requests.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def test_listing_shows_every_public_query_with_params_and_a_form(server):
    r = requests.get(server + "/queries", headers=HTML)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    for name in ("solutions_by_publisher", "solutions_by_country", "recently_changed_solutions",
                 "solutions_missing_licence", "solutions_missing_contact_point",
                 "publisher_solution_counts", "solution_summary", "licence_usage"):
        assert f'action="/queries/{name}"' in r.text, name
    assert "Solutions of a publisher" in r.text
    assert '<th scope="row"><code>publisher</code></th><td>iri</td>' in r.text
    assert 'name="since" type="date"' in r.text
    assert "graph_sizes" not in r.text  # not marked public


def test_run_as_html_table_with_links(server):
    r = requests.get(server + "/queries/solutions_by_publisher", params={"publisher": AGENCY},
                     headers=HTML)
    assert r.status_code == 200 and "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    assert '<th scope="col">solution</th>' in r.text
    # a resource by its name, its IRI the link and the title (issue 12: names, never IRIs)
    assert ('<a href="/resource?uri=http://repo.example.org/solution-1" '
            'title="http://repo.example.org/solution-1">Open e-Invoicing Gateway</a>') in r.text
    assert "Base Registry Connector" in r.text
    assert ">http://repo.example.org/solution-1<" not in r.text
    assert 'rel="alternate"; type="text/csv"' in r.headers["link"]
    assert '<link rel="alternate" type="text/csv"' in r.text


def test_run_as_json_gives_the_rows(server):
    r = requests.get(server + "/queries/solutions_by_publisher.json", params={"publisher": AGENCY})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert _json_rows(r) == [
        {"publisher": AGENCY, "solution": "http://repo.example.org/solution-1",
         "title": "Open e-Invoicing Gateway"},
        {"publisher": AGENCY, "solution": "http://repo.example.org/solution-2",
         "title": "Base Registry Connector"},
    ]


def test_csv_tsv_and_xml_suffixes(server):
    r = requests.get(server + "/queries/publisher_solution_counts.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["publisher", "name", "solutions"]
    counts = {row["publisher"]: row["solutions"] for row in rows}
    assert counts[AGENCY] == "2" and counts["http://other.example.org/agency"] == "1"
    r = requests.get(server + "/queries/publisher_solution_counts.tsv")
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    assert r.text.splitlines()[0].split("\t") == ["?publisher", "?name", "?solutions"]
    r = requests.get(server + "/queries/publisher_solution_counts.xml")
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    assert ET.fromstring(r.content).tag == "{http://www.w3.org/2005/sparql-results#}sparql"


def test_accept_negotiates_the_same_formats(server):
    r = requests.get(server + "/queries/publisher_solution_counts", headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.headers["vary"] == "Accept"
    r = requests.get(server + "/queries/solution_summary", headers={"Accept": "text/turtle"},
                     params={"solution": "http://repo.example.org/solution-1"})
    assert r.headers["content-type"].startswith("text/turtle") and r.headers["vary"] == "Accept"
    r = requests.get(server + "/queries/publisher_solution_counts", headers={"Accept": "image/png"})
    assert r.status_code == 406


@pytest.mark.parametrize("suffix,fmt", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                        ("jsonld", ox.RdfFormat.JSON_LD),
                                        ("rdf", ox.RdfFormat.RDF_XML)])
def test_construct_query_in_every_rdf_format(server, suffix, fmt):
    r = requests.get(server + f"/queries/solution_summary.{suffix}",
                     params={"solution": "http://repo.example.org/solution-1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(fmt.media_type)
    triples = list(ox.parse(r.content, format=fmt))
    title = ox.Literal("Open e-Invoicing Gateway", language="en")
    assert any(t.object == title for t in triples)
    assert any(t.object == ox.Literal("1.0") for t in triples)  # the release's version


def test_recently_changed_compares_dates_and_datetimes(server):
    rows = _json_rows(requests.get(server + "/queries/recently_changed_solutions.json",
                                   params={"since": "2024-03-01"}))
    # newest first; the xsd:dateTime 2024-03-01T10:00:00Z counts as on 2024-03-01
    assert [r["solution"] for r in rows] == [
        "http://hostile.example.org/solution", "http://other.example.org/solution-1",
        "http://repo.example.org/solution-1"]
    rows = _json_rows(requests.get(server + "/queries/recently_changed_solutions.json",
                                   params={"since": "2025-01-01"}))
    assert [r["solution"] for r in rows] == ["http://hostile.example.org/solution"]


def test_bad_or_missing_parameter_is_a_400_naming_it(server):
    r = requests.get(server + "/queries/solutions_by_publisher.json", params={"publisher": "nope"},
                     headers={"Accept": "text/plain"})
    assert r.status_code == 400 and "'publisher'" in r.text and "not an absolute IRI" in r.text
    r = requests.get(server + "/queries/solutions_by_publisher", headers=HTML)
    assert r.status_code == 400 and "publisher" in r.text and 'role="alert"' in r.text
    r = requests.get(server + "/queries/recently_changed_solutions.csv", params={"since": "yesterday"},
                     headers={"Accept": "text/plain"})
    assert r.status_code == 400 and "'since'" in r.text
    r = requests.get(server + "/queries/licence_usage.json", params={"name": "x"},
                     headers={"Accept": "text/plain"})
    assert r.status_code == 400 and "'name'" in r.text


def test_unknown_private_or_misspelt_is_a_404(server):
    for path in ("/queries/no_such_query", "/queries/graph_sizes", "/queries/registry_sources.json",
                 "/queries/licence_usage.exe", "/queries/licence_usage.ttl"):
        r = requests.get(server + path, headers=HTML)
        assert r.status_code == 404, path
        assert "<h1>Page not found" in r.text and "Traceback" not in r.text


def test_hostile_literal_and_iri_are_escaped_and_never_links(server):
    r = requests.get(server + "/queries/solutions_by_country", headers=HTML,
                     params={"country": "javascript:alert(1)"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert 'href="javascript:' not in r.text
    assert '<span class="iri">javascript:alert(1)</span>' in r.text
    r = requests.get(server + "/queries/publisher_solution_counts", headers=HTML)
    assert "<b>agency</b>" not in r.text and "Hostile &lt;b&gt;agency&lt;/b&gt;" in r.text


def test_country_query_finds_solutions_by_spatial_coverage(server):
    bel = "http://publications.europa.eu/resource/authority/country/BEL"
    rows = _json_rows(requests.get(server + "/queries/solutions_by_country.json",
                                   params={"country": bel}))
    assert rows == [{"country": bel, "solution": "http://hostile.example.org/solution",
                     "title": "<script>alert(1)</script>"}]


def test_results_never_include_quarantined_records(server):
    quarantined = "http://other.example.org/solution-2"  # no contact point: quarantined
    rows = _json_rows(requests.get(server + "/queries/solutions_missing_contact_point.json"))
    assert quarantined not in [r["solution"] for r in rows]
    rows = _json_rows(requests.get(server + "/queries/solutions_by_publisher.json",
                                   params={"publisher": "http://other.example.org/agency"}))
    assert [r["solution"] for r in rows] == ["http://other.example.org/solution-1"]
    r = requests.get(server + "/queries/solution_summary.nt", params={"solution": quarantined})
    assert r.status_code == 200 and r.content.strip() == b""


def test_missing_licence_query_runs(server):
    # the shapes reject a distribution without a licence, so published data has none
    assert _json_rows(requests.get(server + "/queries/solutions_missing_licence.json")) == []
