"""Dereferencing as Linked Data clients do it: the real server, raw HTTP with requests.

Content negotiation (q-values, wildcards, specificity, suffixes), Vary/ETag/Last-Modified/304,
Link alternates, 406/404/410/400, EIRA blocks of both versions at /dr8/NAME, minted PURIs at
their own path, and hostile data shown as text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.conftest import serving
from webapp.negotiate import choose

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
HOSTILE = Path(__file__).parent / "data" / "linked_data" / "hostile.ttl"
BASE = "https://catalogue.example.org/"
SOLUTION = "http://repo.example.org/solution-1"
WITHDRAWN = "http://repo.example.org/solution-2"
OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/rdf+xml",
           "application/n-triples"]


# --- negotiation rules, without a server ----------------------------------------------------

@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/html"),                                           # no header: server's choice
    ("*/*", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json, text/html;q=0.5", "application/ld+json"),
    ("text/html;q=0.1, text/turtle;q=0.9", "text/turtle"),
    ("text/*;q=0.5, text/turtle", "text/turtle"),
    ("text/turtle;q=0, text/*", "text/html"),                      # the specific q=0 wins over text/*
    ("text/*, text/html;q=0", "text/turtle"),
    ("application/*;q=0.8, */*;q=0.1", "application/ld+json"),    # ties go to server order
    ("APPLICATION/N-TRIPLES", "application/n-triples"),           # case-insensitive
    ("text/turtle;charset=utf-8;q=0.7, text/html;q=0.6", "text/turtle"),
    ("application/json", None),
    ("text/turtle;q=0", None),
    ("garbage, text/turtle;q=nonsense, application/rdf+xml", "application/rdf+xml"),
])
def test_negotiation_follows_rfc_9110(accept, expected):
    assert choose(accept, OFFERED) == expected


# --- the real server ------------------------------------------------------------------------

def cli(env, *args, data: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                          input=data, capture_output=True, check=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("ld") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_BASE_URI": BASE}
    cli(env, "init", "--no-demo")
    cli(env, "ingest", str(GOOD), "--source", "example")
    cli(env, "ingest", str(HOSTILE), "--source", "hostile")
    # the publisher withdraws solution-2: its URI must then answer 410 Gone
    text = GOOD.read_text()
    without = text[:text.index("ex:solution-2 a")] + text[text.index("ex:agency a"):]
    without = without.replace("dcat:dataset ex:solution-1, ex:solution-2 .", "dcat:dataset ex:solution-1 .")
    cli(env, "ingest", "-", "--source", "example", "--format", "ttl", data=without.encode())
    with serving(env) as url:
        yield url


def get(server, path, accept=None, **kw):
    headers = {"Accept": accept} if accept else {}
    headers.update(kw.pop("headers", {}))
    return requests.get(server + path, headers=headers, params=kw.pop("params", None), timeout=10)


def parse(r, fmt) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(r.content, format=fmt)}


@pytest.mark.parametrize(("accept", "media", "fmt", "suffix"), [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE, "ttl"),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES, "nt"),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML, "rdf"),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD, "jsonld"),
])
def test_a_solution_in_every_rdf_format(server, accept, media, fmt, suffix):
    r = get(server, "/resource", accept, params={"uri": SOLUTION})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(media)
    assert r.headers["Vary"] == "Accept"
    location = requests.utils.urlparse(r.headers["Content-Location"])
    assert location.path == f"/resource.{suffix}"
    assert requests.utils.unquote(location.query) == f"uri={SOLUTION}"
    triples = parse(r, fmt)
    title = ox.Triple(ox.NamedNode(SOLUTION), ox.NamedNode("http://purl.org/dc/terms/title"),
                      ox.Literal("Open e-Invoicing Gateway", language="en"))
    assert title in triples
    # labels of what it points to come along: the publisher's name
    assert any(t.subject == ox.NamedNode("http://repo.example.org/agency")
               and t.predicate.value == "http://xmlns.com/foaf/0.1/name" for t in triples)
    # the suffix URL gives the same graph, whatever Accept says, without Vary
    s = get(server, f"/resource.{suffix}", "text/html", params={"uri": SOLUTION})
    assert s.status_code == 200 and s.headers["Content-Type"].startswith(media)
    assert "Vary" not in s.headers and parse(s, fmt) == triples


def test_html_by_default_with_alternates_and_embedded_json_ld(server):
    r = get(server, "/resource", "text/html,application/xhtml+xml,*/*;q=0.8", params={"uri": SOLUTION})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "Open e-Invoicing Gateway" in r.text
    links = r.headers["Link"]
    for media in OFFERED[1:]:
        assert f'rel="alternate"; type="{media}"' in links
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', r.text, re.S).group(1)
    assert SOLUTION in json.dumps(json.loads(block))
    assert get(server, "/resource", None, params={"uri": SOLUTION}).headers["Content-Type"].startswith("text/html")


def test_etag_and_last_modified_give_304(server):
    r = get(server, "/resource", "text/turtle", params={"uri": SOLUTION})
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    again = get(server, "/resource", "text/turtle", params={"uri": SOLUTION}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = get(server, "/resource", "text/turtle", params={"uri": SOLUTION},
                headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = get(server, "/resource", "application/n-triples", params={"uri": SOLUTION},
                headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_nothing_acceptable_is_406_naming_the_offered_types(server):
    r = get(server, "/resource", "application/json, image/png", params={"uri": SOLUTION})
    assert r.status_code == 406
    for media in OFFERED:
        assert media in r.text


def test_unknown_is_404_and_withdrawn_is_410(server):
    missing = get(server, "/resource", "text/turtle", params={"uri": "http://repo.example.org/nothing"})
    assert missing.status_code == 404
    gone = get(server, "/resource", "text/turtle", params={"uri": WITHDRAWN})
    assert gone.status_code == 410
    assert "withdrawn" in gone.text and "example" in gone.text
    assert get(server, "/resource", "text/html", params={"uri": WITHDRAWN}).status_code == 410


def test_a_record_validation_held_back_is_not_said_to_be_withdrawn(tmp_path):
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "store"), "CATALOGUE_BASE_URI": BASE}
    cli(env, "init", "--no-demo")
    text = GOOD.read_text()
    cli(env, "ingest", "-", "--source", "example", "--format", "ttl", data=text.encode())
    # solution-2 loses its contact point: partial mode holds it back, it is not withdrawn
    broken = text.replace("  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService> .",
                          "  dct:type <http://data.europa.eu/dr8/DataExchangeService> .")
    assert broken != text
    cli(env, "ingest", "-", "--source", "example", "--format", "ttl", "--mode", "partial", data=broken.encode())
    with serving(env) as url:
        held = get(url, "/resource", "text/html", params={"uri": WITHDRAWN})
        assert held.status_code == 404
        assert "held back by validation" in held.text and "example" in held.text and "withdrawn" not in held.text
        assert get(url, "/resource", "text/turtle", params={"uri": "http://repo.example.org/solution-1"}).status_code == 200


@pytest.mark.parametrize("params", [{}, {"uri": "not an iri"}, {"uri": "<>"}])
def test_a_missing_or_malformed_uri_is_400(server, params):
    r = get(server, "/resource", "text/turtle", params=params)
    assert r.status_code == 400 and "uri" in r.text


def test_an_unknown_suffix_is_404(server):
    assert get(server, "/resource.docx", params={"uri": SOLUTION}).status_code == 404


def test_eira_blocks_of_both_versions_dereference_and_v4_links_to_v6(server):
    v4 = get(server, "/dr8/DataExchangeService", "text/turtle")
    assert v4.status_code == 200 and v4.headers["Vary"] == "Accept"
    assert v4.headers["Content-Location"] == "/dr8/DataExchangeService.ttl"
    triples = parse(v4, ox.RdfFormat.TURTLE)
    assert ox.Triple(ox.NamedNode("http://data.europa.eu/dr8/DataExchangeService"),
                     ox.NamedNode("http://purl.org/dc/terms/isReplacedBy"),
                     ox.NamedNode("http://data.europa.eu/dr8/DataExchangeApplicationService")) in triples
    v6 = get(server, "/dr8/DataExchangeApplicationService.jsonld")
    assert v6.status_code == 200 and "Data Exchange" in v6.text
    page = get(server, "/dr8/DataExchangeApplicationService", "text/html")
    assert page.status_code == 200 and "/dr8/DataExchangeService" in page.text  # the v4 block it replaces
    assert get(server, "/dr8/NoSuchBuildingBlock", "text/turtle").status_code == 404


def test_minted_puris_dereference_at_their_own_path(server):
    r = get(server, "/source/example", "text/turtle")
    assert r.status_code == 200
    triples = parse(r, ox.RdfFormat.TURTLE)
    assert any(t.subject == ox.NamedNode(BASE + "source/example") for t in triples)
    run = next(t.object.value for t in triples
               if t.predicate.value == "https://catalogue.example.org/def/catalogue#graph")
    assert run.startswith(BASE + "graph/source/example/")
    assert get(server, "/source/nobody", "text/turtle").status_code == 404


def test_hostile_data_is_shown_as_text(server):
    r = get(server, "/resource", "text/html", params={"uri": "http://hostile.example.org/solution"})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text and "<b>Agency" not in r.text
    assert "&lt;/script&gt;&lt;script&gt;alert" in r.text
    assert 'href="javascript:' not in r.text and "javascript:alert" in r.text  # shown, not linked
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', r.text, re.S).group(1)
    assert "</script" not in block and "<" not in block
    assert "alert('title')" in json.dumps(json.loads(block))  # same data, safely escaped


def test_a_solution_page_shows_what_a_reuser_needs(server):
    r = get(server, "/resource", "text/html", params={"uri": SOLUTION})
    assert r.status_code == 200
    page = r.text
    assert "<h1" in page and "Open e-Invoicing Gateway" in page
    assert "Passerelle de facturation électronique" in page                  # other languages
    assert "Example Digital Agency" in page and "mailto:desk@example.org" in page  # publisher, contact
    assert "Open e-Invoicing Gateway 1.0" in page                             # the release
    assert '&amp;url=https://code.example.org/einvoicing/1.0.zip"' in page        # its download
    assert "Data Exchange (Application Service)" in page and "/dr8/DataExchangeApplicationService" in page
    assert "What this building block is" in page                              # its definition
    assert "Example repository" in page                                       # the collection
    assert 'type="text/turtle"' in page                                       # data alternates


def test_descriptions_are_rendered_and_sanitised(server):
    r = get(server, "/resource", "text/html", params={"uri": "http://hostile.example.org/solution"})
    page = r.text
    assert "<strong>Important:</strong>" in page                              # Markdown rendered
    main = page[page.index("<main"):page.index("</main>")]                   # the header has our logo
    assert "<img" not in main                                                 # shown as text, if at all
    assert not re.search(r"<[a-z][^>]*\bon(error|click)\s*=", page)          # no handler in any tag
    assert 'href="javascript:' not in page
    assert '<a href="https://ok.example.org/" rel="noopener nofollow ugc">this</a>' in page


def test_blocks_and_licences_say_who_uses_them(server):
    block = get(server, "/dr8/DataExchangeApplicationService", "text/html").text
    assert "Solutions implementing this building block (1)" in block
    assert "Open e-Invoicing Gateway" in block and "solution-1" in block
    licence = get(server, "/resource", "text/html", params={"uri": "http://repo.example.org/eupl"}).text
    assert "Solutions distributed under this licence (1)" in licence
    # the withdrawn solution-2 no longer counts for the v4 block it was typed with
    v4 = get(server, "/dr8/DataExchangeService", "text/html").text
    assert "repo.example.org/solution-2" not in v4


def test_a_solution_page_lists_related_solutions_sharing_building_blocks(server):
    # solution-1 (v6 DataExchangeApplicationService) shares no block; the hostile solution
    # and (withdrawn) solution-2 shared the v4 DataExchangeService: only live ones count
    page = get(server, "/resource", "text/html", params={"uri": SOLUTION}).text
    assert "Related solutions" not in page
    hostile = get(server, "/resource", "text/html", params={"uri": "http://hostile.example.org/solution"}).text
    assert "solution-2" not in hostile
