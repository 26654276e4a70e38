"""The catalogue of ICT standards (issue 14): the derived index and its public API, the
/standards list (words, facets, CSV, bad input), a specification's and an assessment's
pages, over the real ELIS and CAMSS data `catalogue init` loads."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.browse import BrowseRequestError
from catalogue.settings import load_settings
from catalogue.standards import UnknownSpecification

DATA = Path(__file__).resolve().parent.parent / "catalogue" / "data" / "standards"
DXS = "http://data.europa.eu/dr8/DataExchangeApplicationService"
REST = "http://data.europa.eu/2sa/cssv/rsc/fecd5681dc5dc6e2f413b28ce95e50f6aa2ce9fbef201fa3c11844af5799b2e3"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    c = Catalogue(load_settings({}, store=str(tmp_path_factory.mktemp("standards") / "store")))
    c.publishing.init()  # vocabularies, demo, ELIS, CAMSS
    yield c
    c.close()


def elis_pairs() -> dict[str, set[str]]:
    """Block -> distinct ELIS specifications related to it, straight from the ELIS file."""
    triples = list(ox.parse(path=str(DATA / "elis-v6.1.1.ttl"), format=ox.RdfFormat.TURTLE))
    rel = ox.NamedNode(DCT + "relation")
    inner = {t.subject: t.object for t in triples if t.predicate == rel and isinstance(t.subject, ox.BlankNode)}
    out: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate == rel and isinstance(t.object, ox.BlankNode) and t.object in inner:
            out[inner[t.object].value].add(t.subject.value)
    return out


def test_counts_by_block_are_the_distinct_elis_specifications_of_each_block(cat):
    expected = {b: len(s) for b, s in elis_pairs().items()}
    assert cat.standards.counts_by_block() == expected
    assert len(expected) == 245 and sum(expected.values()) == 2197


def test_for_block_gives_each_specification_with_its_reason_best_assessed_first(cat):
    found = cat.standards.for_block(DXS)
    assert len(found) == len(elis_pairs()[DXS])
    spec, reason, score = found[0]
    assert spec.iri == REST and reason.startswith("Architectural style") and score == 91
    scores = [s for _, _, s in found]
    assert scores == sorted(scores, key=lambda s: (s is None, -(s or 0)))
    assert cat.standards.for_block("http://data.europa.eu/dr8/NoSuchBlock") == []


def test_a_blocks_specifications_are_built_once_per_index_and_language(cat, monkeypatch):
    """Every solution page of a block asks for the same cards: kept for the index they were
    built from (a new data version builds a new index, and they are built again)."""
    index = cat.standards.index()
    built: list[str] = []
    card = type(index).card

    def counting(self, rec, languages, block=None):
        built.append(rec.iri)
        return card(self, rec, languages, block)

    monkeypatch.setattr(type(index), "card", counting)
    first = cat.standards.for_block(DXS, ("fr", "en"))
    assert len(built) == len(first) > 0
    again = cat.standards.for_block(DXS, ("fr", "en"))
    assert again == first and len(built) == len(first)  # kept
    again.clear()  # a caller's copy: what is kept stays whole
    assert cat.standards.for_block(DXS, ("fr", "en")) == first
    cat.standards.for_block(DXS, ("de",))
    assert len(built) == 2 * len(first)  # another language list: built for it
    fresh = cat.standards._build()  # what the next data version's first reader builds
    monkeypatch.setattr(cat.standards, "index", lambda: fresh)
    assert cat.standards.for_block(DXS, ("fr", "en")) == first
    assert len(built) == 3 * len(first)  # built again from the new index


def test_the_list_searches_words_and_counts_facets(cat):
    everything = cat.standards.listing({})
    assert everything.total == 829 and len(everything.items) == 20
    facets = {f.name: f for f in everything.facets}
    assert {v.value: v.count for v in facets["assessed"].values} == {"yes": 94, "no": 735}
    assert {v.value for v in facets["kind"].values} == {"standard", "specification", "application-profile", "family"}
    cccev = cat.standards.listing({"q": ["cccev"]})
    assert cccev.total >= 2 and all("CCCEV" in c.title or "Criterion" in c.title for c in cccev.items)
    block = cat.standards.listing({"block": [DXS]})
    assert block.total == len(elis_pairs()[DXS]) and block.items[0].iri == REST
    assert block.items[0].blocks[0].iri == DXS  # the block asked for comes first, with its reason
    top = cat.standards.listing({"score": ["90-100"]})
    assert top.total >= 1 and all(c.best is not None and c.best >= 90 for c in top.items)


@pytest.mark.parametrize("args, word", [
    ({"kind": ["novel"]}, "kind must be one of"),
    ({"score": ["101-200"]}, "score must be one of"),
    ({"block": ["http://data.europa.eu/dr8/NoSuchBlock"]}, "no EIRA building block"),
    ({"maintainer": ["http://example.org/nobody"]}, "maintains no specification"),
    ({"sort": ["random"]}, "sort must be one of"),
])
def test_a_facet_value_that_does_not_exist_is_refused_plainly(cat, args, word):
    with pytest.raises(BrowseRequestError, match=word):
        cat.standards.listing(args)


def test_the_csv_lists_every_match_not_one_page(cat):
    text = cat.standards.csv({"block": [DXS]}, ("en",), lambda iri: "/resource?uri=" + iri)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["title", "version", "acronym"]
    assert len(rows) - 1 == len(elis_pairs()[DXS]) > 20
    assert rows[1][0] == "REST" and rows[1][8].startswith("Architectural style")


def test_the_pages_of_a_specification_and_an_assessment(cat):
    page = cat.standards.page("specification", REST, ("en",))
    assert page.title == "REST" and any(b.block.iri == DXS for b in page.blocks)
    assert page.assessments and page.assessments[0].score == 91
    assessment = cat.standards.page("assessment", page.assessments[0].iri, ("en",))
    assert assessment.specification is not None and assessment.specification.iri == REST
    assert assessment.answered > 10
    assert all(a.judgement for _, answers in assessment.groups for a in answers)
    with pytest.raises(UnknownSpecification):
        cat.standards.page("specification", "http://example.org/nothing", ("en",))


# --- over HTTP: a real server on its own store -----------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT, serving

    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path_factory.mktemp("standards-web") / "store")}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    with serving(env) as url:
        yield url


def get(url: str, accept: str = "text/html"):
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept})) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8")


def test_the_standards_page_lists_filters_and_exports(site):
    from urllib.parse import urlencode

    status, _, html = get(site + "/standards")
    assert status == 200 and "829" in html and 'class="card card-specification"' in html
    assert 'href="/standards?kind=standard"' in html  # a facet value is a shareable URL
    status, _, html = get(site + "/standards?" + urlencode({"block": DXS}))
    assert status == 200 and "Data Exchange (Application Service)" in html
    assert html.index(">REST<") < html.index("Domain Name System")  # best assessed first
    status, headers, text = get(site + "/standards.csv?" + urlencode({"block": DXS}))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(text)))) - 1 == len(elis_pairs()[DXS])
    status, _, same = get(site + "/standards?" + urlencode({"block": DXS, "format": "csv"}))
    assert same == text


@pytest.mark.parametrize("query, status, words", [
    ("kind=nope", 400, "kind must be one of"),
    ("score=7", 400, "score must be one of"),
    ("block=http://data.europa.eu/dr8/Nothing", 400, "no EIRA building block"),
    ("page=0", 400, "page must be a whole number"),
])
def test_bad_input_gets_a_clear_400(site, query, status, words):
    code, _, body = get(site + "/standards?" + query)
    assert code == status and words in body


def test_a_specification_and_its_assessment_dereference_with_content_negotiation(site):
    import re
    from urllib.parse import urlencode

    status, headers, html = get(site + "/resource?" + urlencode({"uri": REST}))
    assert status == 200 and "<h1" in html and ">REST</h1>" in html
    assert "Building blocks it serves" in html and "Architectural style" in html
    assert html.index("Building blocks it serves") < html.index("All statements")
    assessment = re.search(r'href="/resource\?uri=(http://data.europa.eu/2sa/assessments/[0-9a-f]+)"', html).group(1)
    status, _, page = get(site + "/resource?" + urlencode({"uri": assessment}))
    assert status == 200 and "CAMSS assessment" in page and ">REST</a>" in page
    assert "Criteria met" in page and page.count('<li><h3 lang="en">') > 10
    status, headers, ttl = get(site + "/resource?" + urlencode({"uri": REST}), accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and "cssv:Specification" in ttl
    status, _, _ = get(site + "/resource?" + urlencode({"uri": REST + "0"}))
    assert status == 404


def test_a_maintainer_named_with_its_address_is_the_name_and_a_home_page():
    from catalogue.standards.index import _named_with_address

    name, address = _named_with_address(ox.Literal("W3C (http://www.w3.org)"))
    assert (name.value, address) == ("W3C", "http://www.w3.org")
    assert _named_with_address(ox.Literal("ETSI")) is None
    assert _named_with_address(ox.Literal("Org (see notes)")) is None
