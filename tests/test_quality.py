"""Quality scores (catalogue/quality/, issue 16 items 1 and 3): the scoring table on small
records, the DQV graph's shape, recomputed on ingest and by ``catalogue quality``, and what
the site shows (badge, advice, sort, level filter, CATALOGUE_MIN_QUALITY, "may be outdated")."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from catalogue import queries
from catalogue.app import Catalogue
from catalogue.quality import CRITERIA, DIMENSIONS, LEVELS, MinQualityError, level_of, score_graph
from catalogue.quality.public import parse_min_quality
from catalogue.quality.table import WEIGHTS
from catalogue.search import SearchRequest, search
from catalogue.settings import PACKAGE, load_settings
from catalogue.store import Dataset
from catalogue_cli.main import main as cli
from webapp import create_app

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
DEMO = "https://demo.interop.example.eu/solution/"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://repo.example.org/> .
"""
FULL = PREFIXES + """
ex:s a dcat:Dataset ; dcat:keyword "k" ; dcat:theme ex:t ; dct:spatial ex:p ;
  dct:type <http://data.europa.eu/dr8/X> ; dct:conformsTo ex:spec ; dcat:contactPoint ex:c ;
  dct:publisher ex:a ; foaf:page <https://doc.example.org/> ;
  dct:issued "2025-01-01"^^xsd:date ; dct:modified "2026-06-01T00:00:00Z"^^xsd:dateTime ;
  dct:hasVersion ex:r .
ex:r a dcat:Dataset ; dct:isVersionOf ex:s ; owl:versionInfo "1.0" ; adms:versionNotes "first" ;
  dcat:distribution ex:d .
ex:d a dcat:Distribution ; dcat:accessURL <https://x.example.org/a> ; dcat:downloadURL <https://x.example.org/a.zip> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/ZIP> ;
  dcat:mediaType <https://www.iana.org/assignments/media-types/application/zip> ; dct:license ex:l .
"""
BARE = PREFIXES + 'ex:s a dcat:Dataset ; dct:title "Bare"@en .\n'


def scores_of(ttl: str, **kw):
    triples = [q.triple for q in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)]
    return {s.record: s for s in score_graph(triples, now=NOW, **kw)}


# the table, on small records


def test_the_table_weighs_100_points_in_five_dimensions():
    assert sum(WEIGHTS.values()) == 100 and tuple(WEIGHTS) == DIMENSIONS
    assert [level_of(s) for s in (100, 85, 84, 70, 69, 50, 49, 30, 29, 0)] == [
        "excellent", "excellent", "good", "good", "fair", "fair", "poor", "poor", "insufficient", "insufficient"]


def test_a_complete_record_scores_100_and_loses_nothing():
    score = scores_of(FULL)[EX + "s"]
    assert (score.total, score.lost, score.explanations()) == (100, (), [])
    assert list(scores_of(FULL)) == [EX + "s"]  # the release is not scored on its own


def test_every_point_a_bare_record_loses_is_explained():
    score = scores_of(BARE)[EX + "s"]
    assert score.total == 4  # only ADMS-AP conformance: it was published
    explained = score.explanations()
    assert len(explained) == len(CRITERIA) - 1
    points = [int(re.search(r": \+(\d+)$", e).group(1)) for e in explained]
    assert sum(points) == 100 - score.total
    assert "Add a licence to each distribution (dct:license): +8" in explained


def test_one_distribution_without_a_licence_loses_the_licence_points():
    ttl = FULL + 'ex:r dcat:distribution ex:d2 . ex:d2 a dcat:Distribution ; dcat:accessURL <https://x.example.org/b> ; ' \
                 'dct:format <http://publications.europa.eu/resource/authority/file-type/PDF> ; dcat:mediaType ex:m .\n'
    score = scores_of(ttl)[EX + "s"]
    assert score.lost == ("licence",) and score.dimensions["reusability"] == 12 and score.total == 92


def test_an_old_record_loses_the_recent_points():
    assert scores_of(FULL, outdated_after_days=30)[EX + "s"].lost == ("recent",)


@pytest.mark.parametrize("raw, expected", [("", None), ("off", None), ("good", 70), ("Fair", 50), ("60", 60)])
def test_the_minimum_is_a_level_or_a_number(raw, expected):
    assert parse_min_quality(raw) == expected


@pytest.mark.parametrize("raw", ["great", "101", "-1"])
def test_an_unknown_minimum_is_refused_saying_what_is_allowed(raw):
    with pytest.raises(MinQualityError, match="excellent, good, fair, poor, insufficient"):
        parse_min_quality(raw)


def test_the_vocabulary_names_every_criterion_of_the_table_in_its_dimension():
    q = "https://catalogue.example.org/def/quality#"
    vocab = ox.Store()
    vocab.load(path=str(PACKAGE / "vocab" / "quality-metrics.ttl"), format=ox.RdfFormat.TURTLE)
    for c in CRITERIA:
        assert ox.Quad(ox.NamedNode(q + c.code), ox.NamedNode(q + "metric"), ox.NamedNode(q + c.dimension),
                       ox.DefaultGraph()) in vocab, c.code
    assert {name for name, _ in LEVELS} == {"excellent", "good", "fair", "poor", "insufficient"}


# the quality graph


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    c = Catalogue(load_settings({}, store=str(tmp_path_factory.mktemp("quality") / "store")))
    c.publishing.init(standards=False)
    c.publishing.register_source("qtest", "Quality test")
    yield c
    c.close()


def test_the_quality_graph_is_public_and_keeps_to_dqv(catalogue):
    demo = catalogue.publishing.source_graph("demo")
    quality = catalogue.graphs.quality(demo)
    assert quality in catalogue.public_graphs()
    n = len(catalogue.quality.totals(demo))
    assert n == 320
    assert catalogue.store.count(quality) > 6 * 4 * n  # six measurements, four triples or more each
    assert not catalogue.ask("quality_shape_broken")
    # a broken measurement is caught
    broken = ox.NamedNode("https://catalogue.example.org/quality/x")
    dqv = "http://www.w3.org/ns/dqv#"
    triples = [ox.Triple(broken, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode(dqv + "QualityMeasurement"))]
    scratch = ox.NamedNode("https://catalogue.example.org/graph/scratch")
    catalogue.store.write_graph(scratch, triples)
    try:
        assert queries.ask(catalogue.store, "quality_shape_broken",
                           dataset=Dataset(default_graphs=[scratch, quality]))
    finally:
        catalogue.store.drop_graph(scratch)


def test_a_records_score_reads_back_with_what_would_raise_it(catalogue):
    found = catalogue.quality.of_record(DEMO + "0001")
    assert found is not None and found.total == sum(found.dimensions.values())
    assert [code for code, _, _ in found.advice()] == ["specifications", "media-type"]  # most points first
    assert catalogue.quality.of_record("https://nothing.example.org/") is None


def test_an_ingest_recomputes_the_sources_scores(catalogue):
    assert catalogue.publishing.ingest("qtest", GOOD, filename="a.ttl").stored
    first = catalogue.quality.of_record(EX + "solution-2")
    assert first is not None and "keywords" in first.lost
    changed = GOOD.replace(b'dct:type <http://data.europa.eu/dr8/DataExchangeService> .',
                           b'dct:type <http://data.europa.eu/dr8/DataExchangeService> ; dcat:keyword "registry"@en .')
    assert changed != GOOD
    old_graph = catalogue.publishing.source_graph("qtest")
    assert catalogue.publishing.ingest("qtest", changed, filename="a.ttl").stored
    second = catalogue.quality.of_record(EX + "solution-2")
    assert second is not None and second.total == first.total + 8 and "keywords" not in second.lost
    # the old version's scores are gone with it from the store, not only from the public graphs
    assert catalogue.graphs.quality(old_graph) not in catalogue.store.named_graphs()
    found = search(catalogue.search.index(), SearchRequest(q="Base Registry Connector", filters={"type": ("solution",)}))
    assert [h.quality for h in found.hits if h.iri == EX + "solution-2"] == [second.total]


def test_a_failure_to_score_never_fails_the_ingest(catalogue, monkeypatch, caplog):
    def boom(source, written=None):
        raise RuntimeError("scoring broke")
    monkeypatch.setattr(catalogue.quality, "recompute", boom)
    assert catalogue.publishing.ingest("qtest", GOOD, filename="b.ttl").stored
    assert "quality scores not updated for qtest: scoring broke" in caplog.text


def test_rebuild_restores_every_sources_scores(catalogue):
    demo = catalogue.publishing.source_graph("demo")
    catalogue.store.drop_graph(catalogue.graphs.quality(demo))
    assert catalogue.quality.totals(demo) == {}
    done = catalogue.quality.rebuild()
    assert done["demo"] == 320 and len(catalogue.quality.totals(demo)) == 320


def test_the_quality_command_rebuilds(tmp_path, capsys, monkeypatch):
    store = str(tmp_path / "store")
    c = Catalogue(load_settings({}, store=store))
    c.publishing.register_source("qtest", "Quality test")
    c.publishing.ingest("qtest", GOOD, filename="a.ttl")
    graph = c.publishing.source_graph("qtest")
    c.store.drop_graph(c.graphs.quality(graph))
    c.close()
    monkeypatch.setenv("CATALOGUE_STORE", store)
    assert cli(["quality"]) == 0
    assert "scored 2 solutions of 1 sources" in capsys.readouterr().out
    c = Catalogue(load_settings({}, store=store))
    try:
        assert len(c.quality.totals(graph)) == 2
    finally:
        c.close()


# what the site shows


@pytest.fixture(scope="module")
def client(catalogue):
    app = create_app(catalogue.settings, catalogue=catalogue)
    return app.test_client()


def with_settings(catalogue, monkeypatch, **changes):
    monkeypatch.setattr(catalogue, "settings", dataclasses.replace(catalogue.settings, **changes))


def page(client, path: str) -> str:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def total(text: str) -> int:
    m = re.search(r'<p class="summary"><strong>([\d,]+) solution', text) or re.search(r"([\d,]+) results?", text)
    assert m, text[:500]
    return int(m.group(1).replace(",", ""))


def test_a_solution_page_shows_its_badge_and_what_would_raise_it(client, catalogue):
    text = page(client, f"/resource?uri={DEMO}0001")
    found = catalogue.quality.of_record(DEMO + "0001")
    assert f'quality-badge quality-{found.level}' in text and f"{found.total}/100" in text
    assert "Excellent" in text and "What would raise it" in text
    assert "Declare the specifications it implements (dct:conformsTo): <strong>+5</strong>" in text
    assert "May be outdated" not in text


def test_a_solution_unchanged_for_long_may_be_outdated(client, catalogue, monkeypatch):
    with_settings(catalogue, monkeypatch, outdated_after_days=30)
    assert "May be outdated" in page(client, f"/resource?uri={DEMO}0002")


def test_cards_carry_the_badge_and_sort_by_quality(client):
    text = page(client, "/solutions?sort=quality")
    scores = [int(s) for s in re.findall(r'class="quality-score">(\d+)/100', text)]
    assert len(scores) == 20 and scores == sorted(scores, reverse=True)
    search = page(client, "/search?q=taxation&sort=quality")
    found = [int(s) for s in re.findall(r'class="quality-score">(\d+)/100', search)]
    assert found and found == sorted(found, reverse=True)


def test_the_level_filter_counts_like_the_facet(client):
    text = page(client, "/solutions")
    facet = re.search(r'quality=good"[^>]*><span>Good</span> <span class="count">(\d+)', text)
    assert facet, "the quality facet lists Good"
    good = page(client, "/solutions?quality=good")
    assert total(good) == int(facet.group(1))
    assert set(re.findall(r"quality-badge quality-(\w+)", good)) == {"good"}


@pytest.mark.parametrize("path", ["/solutions?quality=great", "/search?quality=great"])
def test_an_unknown_level_is_a_clear_400(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 400 and "unknown quality level 'great'" in html.unescape(r.get_data(as_text=True))


def test_a_minimum_quality_shrinks_listings_and_the_toggle_brings_them_back(client, catalogue, monkeypatch):
    everything = total(page(client, "/solutions?q=service"))
    found_all = total(page(client, "/search?q=service"))
    with_settings(catalogue, monkeypatch, min_quality="excellent")
    listed = page(client, "/solutions?q=service&sort=title")
    assert 0 < total(listed) < everything
    assert set(re.findall(r"quality-badge quality-(\w+)", listed)) == {"excellent"}
    assert 'href="/solutions?q=service&amp;all_quality=1">Include lower-quality records' in listed
    assert total(page(client, "/solutions?q=service&all_quality=1")) == everything
    searched = page(client, "/search?q=service&sort=title")
    assert 0 < total(searched) < found_all and "Include lower-quality records" in searched
    assert total(page(client, "/search?q=service&all_quality=1")) == found_all
    # searching again with other words keeps the choice (the words form carries it)
    for path in ("/search?q=service&all_quality=1", "/solutions?q=service&all_quality=1"):
        assert '<input type="hidden" name="all_quality" value="1">' in page(client, path)


def test_the_level_facet_reads_best_first(catalogue):
    levels = [f.value for f in search(catalogue.search.index(), SearchRequest()).facets["quality"]]
    best_first = ("excellent", "good", "fair", "poor", "insufficient")
    assert len(levels) > 1 and levels == [x for x in best_first if x in levels]


def test_a_minimum_quality_applies_to_the_collections_and_publishers_counts(client, catalogue, monkeypatch):
    """A card's count is what its link finds: /solutions lists by default only what reaches
    CATALOGUE_MIN_QUALITY, so the collection and publisher cards count the same."""
    everything = catalogue.browse.collections({}, ("en",))
    with_settings(catalogue, monkeypatch, min_quality="excellent")
    fewer = catalogue.browse.collections({}, ("en",))
    before = {c.iri: c.solutions for c in everything.items}
    after = {c.iri: c.solutions for c in fewer.items}
    assert sum(after.values()) < sum(before.values()) and all(after[i] <= before[i] for i in after)
    iri, count = max(after.items(), key=lambda kv: kv[1])
    assert count == total(page(client, "/solutions?" + urlencode({"collection": iri})))
