"""The quality dashboards (issue 16, item 4): the quality history a trend is drawn from,
the numbers of a small catalogue exactly, the SVG charts, the pages and their CSV and JSON,
who may read which, and bad input."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import queries
from catalogue.app import Catalogue
from catalogue.quality import DIMENSIONS, LEVELS, svg
from catalogue.quality.dashboard import growth
from catalogue.quality.history import METRICS, Run, Summary
from catalogue.settings import PACKAGE, load_settings
from catalogue.store import Dataset
from webapp import create_app

DATA = Path(__file__).parent / "data" / "ingest"
GOOD = (DATA / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
Q = "https://catalogue.example.org/def/quality#"
SVG = "{http://www.w3.org/2000/svg}"
PASSWORD = "a long enough password"
HTML = {"Accept": "text/html"}
# a third solution titled with markup, missing most things: the worst record
THIRD = GOOD.replace(b"ex:agency a foaf:Agent", b"""ex:solution-3 a dcat:Dataset, adms:Asset ;
  dct:title "<script>alert(1)</script> Tool"@en ;
  dct:description "A tool whose title tries to run a script in the page that shows it."@en ;
  dct:publisher ex:agency ;
  dcat:contactPoint ex:contact .

ex:agency a foaf:Agent""").replace(b"dcat:dataset ex:solution-1, ex:solution-2",
                                   b"dcat:dataset ex:solution-1, ex:solution-2, ex:solution-3")
WITH_KEYWORD = THIRD.replace(b'dct:type <http://data.europa.eu/dr8/DataExchangeService> .',
                             b'dct:type <http://data.europa.eu/dr8/DataExchangeService> ; dcat:keyword "registry"@en .')


def links_graph(c: Catalogue) -> ox.NamedNode:
    return c.graphs.links


def link_check(c: Catalogue, url: str, *, broken: bool, outcome: str, status: int | None,
               success: str | None) -> list[ox.Triple]:
    """The link checker's triples for one URL (catalogue/quality/links.py writes these)."""
    node = c.graphs.link_check(url)
    xsd = "http://www.w3.org/2001/XMLSchema#"

    def p(name: str) -> ox.NamedNode:
        return ox.NamedNode(Q + name)
    triples = [ox.Triple(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), p("LinkCheck")),
               ox.Triple(node, p("url"), ox.NamedNode(url)),
               ox.Triple(node, p("checkedAt"), ox.Literal("2026-12-01T10:00:00+00:00", datatype=ox.NamedNode(xsd + "dateTime"))),
               ox.Triple(node, p("outcome"), ox.Literal(outcome)),
               ox.Triple(node, p("consecutiveFailures"), ox.Literal("3" if broken else "0", datatype=ox.NamedNode(xsd + "integer"))),
               ox.Triple(node, p("broken"), ox.Literal("true" if broken else "false", datatype=ox.NamedNode(xsd + "boolean")))]
    if status is not None:
        triples.append(ox.Triple(node, p("httpStatus"), ox.Literal(str(status), datatype=ox.NamedNode(xsd + "integer"))))
    if success is not None:
        triples.append(ox.Triple(node, p("lastSuccess"), ox.Literal(success, datatype=ox.NamedNode(xsd + "dateTime"))))
    return triples


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    c = Catalogue(load_settings({}, store=str(tmp_path_factory.mktemp("dash") / "store"), shacl_engine="turbo"))
    c.publishing.register_source("dash", "Dash <b>source</b>")
    c.publishing.register_source("empty", "Nothing yet")
    assert c.publishing.ingest("dash", THIRD, filename="a.ttl").stored
    for name, roles, sources in (("admin1", ("admin",), ()), ("mod1", ("moderator",), ()),
                                 ("member1", (), ()), ("pub1", (), ("dash",))):
        c.accounts.add_user(name, PASSWORD, roles=roles, sources=sources)
    # the link checker's results: the access URL broken (404), an unrelated URL broken, one fine
    c.store.write_graph(links_graph(c), [
        *link_check(c, "https://code.example.org/einvoicing/1.0.zip", broken=True, outcome="http-error",
                    status=404, success="2026-11-01T08:00:00+00:00"),
        *link_check(c, "https://elsewhere.example.org/", broken=True, outcome="timeout", status=None, success=None),
        *link_check(c, "https://ok.example.org/", broken=False, outcome="ok", status=200, success=None)])
    c.changed()
    yield c
    c.close()


@pytest.fixture(scope="module")
def app(catalogue):
    return create_app(catalogue.settings, catalogue=catalogue)


def client_as(app, user: str | None):
    client = app.test_client()
    if user is not None:
        r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": _csrf(client)})
        assert r.status_code in (302, 303), r.get_data(as_text=True)[:300]
    return client


def _csrf(client) -> str:
    text = client.get("/login", headers=HTML).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


# the numbers, exactly


def test_a_sources_numbers_match_its_records(catalogue):
    d = catalogue.quality.dashboards.source("dash")
    s = d.scores
    totals = {r.iri: r.total for r in s.records}
    expected = {EX + "solution-1": catalogue.quality.of_record(EX + "solution-1").total,
                EX + "solution-2": catalogue.quality.of_record(EX + "solution-2").total,
                EX + "solution-3": catalogue.quality.of_record(EX + "solution-3").total}
    assert totals == expected
    assert s.solutions == 3 and s.mean_total == round(sum(expected.values()) / 3, 2)
    for dim in DIMENSIONS:
        values = [catalogue.quality.of_record(i).dimensions[dim] for i in expected]
        assert s.means[dim] == round(sum(values) / 3, 2)
    assert sum(s.levels.values()) == 3 and list(s.levels) == [name for name, _ in LEVELS]
    for name in s.levels:
        assert s.levels[name] == sum(1 for t in expected.values() if catalogue.quality.of_record(
            next(i for i in expected if expected[i] == t)).level == name)
    assert len(s.bins) == 10 and sum(s.bins) == 3
    assert all(s.bins[min(t // 10, 9)] >= 1 for t in expected.values())
    # worst first, each with the criteria it lacks, most points first
    assert [w.iri for w in d.worst] == sorted(expected, key=lambda i: (expected[i], i))
    worst = d.worst[0]
    assert worst.iri == EX + "solution-3" and worst.title == "<script>alert(1)</script> Tool"
    assert [c.code for c in worst.lost] == [c.code for c in sorted(worst.lost, key=lambda c: -c.points)]
    assert {c.code for c in worst.lost} == set(catalogue.quality.of_record(EX + "solution-3").lost)
    assert (d.page, d.pages, d.maxima["findability"]) == (1, 1, 25)


def test_another_process_reads_the_same_numbers_from_the_store(catalogue):
    """The process that scored keeps its scores for the dashboard (no read back); any other
    (a second web worker on a remote store, a server started later) reads the quality graph,
    and both say the same."""
    primed = catalogue.quality.dashboards.source("dash").scores
    fresh = type(catalogue.quality.dashboards)(catalogue)  # no primed scores: reads the store
    read = fresh.source("dash").scores
    assert read.records == primed.records and read.means == primed.means and read.mean_total == primed.mean_total
    assert read.levels == primed.levels and read.bins == primed.bins


def test_broken_links_are_the_sources_own(catalogue):
    d = catalogue.quality.dashboards.source("dash")
    assert d.links_checked
    assert [(b.url, b.outcome, b.status, b.last_success, b.failures) for b in d.broken] == [
        ("https://code.example.org/einvoicing/1.0.zip", "http-error", 404, "2026-11-01T08:00:00Z", 3)]


def test_the_site_ranks_sources_and_counts_their_broken_links(catalogue):
    site = catalogue.quality.dashboards.site()
    source = catalogue.quality.dashboards.source("dash").scores
    assert [(r.slug, r.solutions, r.mean_total, r.broken) for r in site.sources] == [
        ("dash", 3, source.mean_total, 1)]  # "empty" has no solutions: not ranked
    assert (site.solutions, site.mean_total, site.levels, site.broken) == (3, source.mean_total, source.levels, 1)
    assert site.means == source.means and site.links_checked


def test_growth_counts_each_sources_latest_run():
    def run(slug: str, day: int, n: int) -> Run:
        return Run(f"r{slug}{day}", slug, "v", datetime(2026, 1, day, tzinfo=UTC),
                   Summary(n, 0.0, {d: 0.0 for d in DIMENSIONS}, {name: 0 for name, _ in LEVELS}))
    points = growth([run("a", 1, 10), run("b", 2, 5), run("a", 3, 12), run("b", 4, 0)])
    assert [n for _, n in points] == [10, 15, 17, 12]


# the history: a point per run, none for the same numbers again


def test_the_trend_gets_a_run_per_ingest_and_none_for_an_identical_recompute(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo"))
    try:
        c.publishing.register_source("t", "Trend")
        c.publishing.ingest("t", GOOD, filename="a.ttl")
        first = c.quality.dashboards.source("t").trend
        assert len(first) == 1 and first[0].summary.solutions == 2
        c.quality.recompute("t")  # what cron does: same version, same numbers
        again = c.quality.dashboards.source("t").trend
        assert len(again) == 1 and again[0].at > first[0].at  # replaced, not added
        c.publishing.ingest("t", GOOD.replace(b'dct:type <http://data.europa.eu/dr8/DataExchangeService> .',
                                              b'dct:type <http://data.europa.eu/dr8/DataExchangeService> ; '
                                              b'dcat:keyword "k"@en .'), filename="a.ttl")
        trend = c.quality.dashboards.source("t").trend
        assert len(trend) == 2 and trend[1].summary.mean_total == trend[0].summary.mean_total + 4  # +8 on one of two
        assert trend[0].version != trend[1].version
        c.publishing.withdraw_all("t")
        trend = c.quality.dashboards.source("t").trend
        assert len(trend) == 3 and trend[-1].summary.solutions == 0  # an empty version
        assert [n for _, n in c.quality.dashboards.site().growth][-3:] == [2, 2, 0]
        # the history is public DQV: in the public graphs, measurements keeping to DQV's expectations
        assert c.graphs.quality_history in c.public_graphs()
        vocab = ox.NamedNode("https://catalogue.example.org/graph/scratch-vocab")
        c.store.write_graph(vocab, [q.triple for q in ox.parse(path=str(PACKAGE / "vocab" / "quality-metrics.ttl"),
                                                               format=ox.RdfFormat.TURTLE)])
        assert not queries.ask(c.store, "quality_shape_broken",
                               dataset=Dataset(default_graphs=[c.graphs.quality_history, vocab]))
        rows = c.select("quality_history")
        assert {r["metric"].value.removeprefix(Q) for r in rows} == set(METRICS)
    finally:
        c.close()


def test_the_vocabulary_defines_every_history_metric():
    vocab = ox.Store()
    vocab.load(path=str(PACKAGE / "vocab" / "quality-metrics.ttl"), format=ox.RdfFormat.TURTLE)
    dqv = "http://www.w3.org/ns/dqv#"
    for name in METRICS:
        metric = ox.NamedNode(Q + name)
        assert list(vocab.quads_for_pattern(metric, ox.NamedNode(dqv + "inDimension"), None)), name
        assert list(vocab.quads_for_pattern(metric, ox.NamedNode(dqv + "expectedDataType"), None)), name


# the charts


def test_charts_are_well_formed_named_and_escaped():
    bars = [svg.Bar("<script>x</script>", 3, "3 & more", level="good"), svg.Bar("b", 0, "0")]
    root = ET.fromstring(svg.bar_chart("c1", bars, title="T <1>", desc="D & d"))
    assert root.get("role") == "img" and root.get("viewBox") and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "T <1>" and root.find(f"{SVG}desc").text == "D & d"
    assert "<script>x</script>" in "".join(root.itertext())  # as text, never as an element
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    line = ET.fromstring(svg.line_chart("c2", [(datetime(2026, 1, 1, tzinfo=UTC), 10.0),
                                               (datetime(2026, 2, 1, tzinfo=UTC), 30.0)],
                                        title="Trend", desc="d", top=100))
    assert line.find(f"{SVG}polyline") is not None and len(list(line.iter(f"{SVG}circle"))) == 2
    assert "2026-01-01" in "".join(line.itertext()) and "2026-02-01" in "".join(line.itertext())
    assert svg.nice_top(73) == 100 and svg.nice_top(1234) == 2000 and svg.nice_top(0) == 1


# the pages: who may read which


@pytest.mark.parametrize("user", [None, "member1", "pub1", "mod1", "admin1"])
def test_a_sources_dashboard_is_public(app, user):
    client = client_as(app, user)
    for path in ("/sources/dash/quality", "/sources/dash/quality.csv", "/sources/dash/quality.json"):
        assert client.get(path, headers=HTML).status_code == 200, (user, path)


@pytest.mark.parametrize("user, status", [("member1", 403), ("pub1", 403), ("mod1", 200), ("admin1", 200)])
def test_the_sites_dashboard_is_for_moderators(app, user, status):
    client = client_as(app, user)
    for path in ("/quality", "/quality.csv", "/quality.json"):
        assert client.get(path, headers=HTML).status_code == status, (user, path)


def test_an_anonymous_reader_is_sent_to_sign_in_for_the_sites_dashboard(app):
    for path in ("/quality", "/quality.csv", "/quality.json"):
        r = app.test_client().get(path, headers=HTML)
        assert r.status_code == 302 and "/login" in r.headers["Location"], path


def test_the_source_page_shows_charts_tables_and_escapes_titles(app, catalogue):
    text = app.test_client().get("/sources/dash/quality", headers=HTML).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; Tool" in text
    assert "Dash &lt;b&gt;source&lt;/b&gt;" in text
    charts = re.findall(r"<svg .*?</svg>", text, re.S)
    assert len(charts) == 4
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.get("role") == "img" and root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    assert text.count("<details class=\"dash-numbers\">") == 4 and "https://code.example.org/einvoicing/1.0.zip" in text
    source_page = app.test_client().get("/sources/dash", headers=HTML).get_data(as_text=True)
    assert 'href="/sources/dash/quality"' in source_page


def test_exports_carry_the_same_numbers(app, catalogue):
    d = catalogue.quality.dashboards.source("dash")
    data = json.loads(app.test_client().get("/sources/dash/quality.json").get_data(as_text=True))
    assert data["solutions"] == 3 and data["mean_total"] == d.scores.mean_total
    assert data["levels"] == d.scores.levels and [b["solutions"] for b in data["bins"]] == d.scores.bins
    assert [x["name"] for x in data["dimensions"]] == list(DIMENSIONS)
    assert [r["iri"] for r in data["worst"]["records"]] == [w.iri for w in d.worst]
    assert data["links"]["broken"][0]["status"] == 404 and len(data["trend"]) == 1
    r = app.test_client().get("/sources/dash/quality.csv")
    assert r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["record"] for row in rows] == [w.iri for w in d.worst]
    assert rows[0]["title"] == "<script>alert(1)</script> Tool"
    for row in rows:
        assert int(row["total"]) == sum(int(row[dim]) for dim in DIMENSIONS)
    moderator = client_as(app, "mod1")
    site = json.loads(moderator.get("/quality.json").get_data(as_text=True))
    assert [(s["source"], s["solutions"], s["broken_links"]) for s in site["sources"]] == [("dash", 3, 1)]
    lines = list(csv.reader(io.StringIO(moderator.get("/quality.csv").get_data(as_text=True))))
    assert lines[0][:3] == ["source", "name", "solutions"] and lines[1][:3] == ["dash", "Dash <b>source</b>", "3"]


def test_bad_input_gets_a_message(app):
    client = app.test_client()
    r = client.get("/sources/nope/quality", headers=HTML)
    assert r.status_code == 404
    for page in ("0", "2", "x", "-1", "1.5"):
        r = client.get(f"/sources/dash/quality?page={page}", headers=HTML)
        assert r.status_code == 400, page
        assert "the pages go from 1 to 1" in r.get_data(as_text=True)
    r = client.get("/sources/dash/quality.json?page=9", headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["status"] == 400
    empty = client.get("/sources/empty/quality", headers=HTML)
    assert empty.status_code == 200 and "no scored solutions yet" in empty.get_data(as_text=True)


def test_concurrent_readers_compute_once(catalogue, monkeypatch):
    dashboards = catalogue.quality.dashboards
    calls = []
    original = dashboards._site

    def counted(token):
        calls.append(token)
        return original(token)
    monkeypatch.setattr(dashboards, "_site", counted)
    dashboards._cache = type(dashboards._cache)(256)
    threads = [threading.Thread(target=dashboards.site) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1


# phones


def test_the_dashboards_fit_a_phone(catalogue, browser, tmp_path):
    from werkzeug.serving import make_server

    app = create_app(catalogue.settings, catalogue=catalogue)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        for width in (390, 1280):
            context = browser.new_context(viewport={"width": width, "height": 844})
            page = context.new_page()
            try:
                page.goto(url + "/sources/dash/quality")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                chart = page.locator("svg.chart").first.bounding_box()
                assert chart is not None and chart["width"] <= width
                if width == 390:  # a chart takes the column's width on a phone
                    assert chart["width"] > 300
                page.goto(url + "/login?next=/quality")
                page.fill("input[name=username]", "mod1")
                page.fill("input[name=password]", PASSWORD)
                page.locator("main button[type=submit]").click()
                page.wait_for_url(url + "/quality")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                assert page.locator("svg.chart").count() == 4
            finally:
                context.close()
    finally:
        server.shutdown()
