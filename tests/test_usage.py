"""Usage statistics without tracking (issue 16, item 6): downloads counted through the
distribution's link (never an open redirect), page views counted per resource and day
(cached answers too), known bots, HEAD and prefetches left out, nothing of the visitor kept,
counts private and flushed into the store without moving the data version, and pages saying
"Downloaded N times" in the reader's language.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest
import requests
from babel.numbers import format_decimal

from catalogue.app import Catalogue
from catalogue.settings import load_settings
from catalogue.usage import NotADistributionLink, UsageUnavailable, is_bot
from catalogue.usage.tally import Tally
from tests.conftest import ROOT, free_port, wait_for
from webapp import create_app

DEMO = "https://demo.interop.example.eu/"
DIST = DEMO + "distribution/0001-2"  # its download URL is also its access URL
DIST_URL = "https://api.sierra-alta.example.eu/taxation-reference-implementation-0001/1.0.8/openapi.json"
OTHER_DIST_URL = "https://docs.sierra-alta.example.eu/taxation-reference-implementation-0001/1.0.8/install.pdf"
SOLUTION = DEMO + "solution/0001"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BROWSER = {"User-Agent": FIREFOX, "Accept": "text/html"}
BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0", "python-requests/2.32.3", ""]
Q = "https://catalogue.example.org/def/quality#"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo catalogue in-process, with its app (shared cache on)."""
    settings = load_settings({}, store=str(tmp_path_factory.mktemp("usage") / "store"))
    catalogue = Catalogue(settings)
    catalogue.publishing.init(standards=False)
    app = create_app(settings, catalogue)
    yield catalogue, app
    catalogue.close()


@pytest.fixture
def catalogue(site):
    catalogue = site[0]
    catalogue.usage.flush()  # each test starts with nothing in memory
    return catalogue


@pytest.fixture
def client(site):
    return site[1].test_client()


def stored(catalogue, iri: str):
    """``iri``'s counts in the store, after writing what is in memory."""
    catalogue.usage.flush()
    return catalogue.usage.totals_for_records([iri]).get(iri)


def downloads(catalogue, iri: str = DIST) -> int:
    totals = stored(catalogue, iri)
    return totals.downloads if totals else 0


def views(catalogue, iri: str) -> tuple[int, int]:
    totals = stored(catalogue, iri)
    return (totals.views, totals.data) if totals else (0, 0)


def go(client, distribution=DIST, url=DIST_URL, method="GET", headers=BROWSER):
    return client.open("/go", method=method, query_string={"distribution": distribution, "url": url},
                       headers=headers)


# who counts


@pytest.mark.parametrize("agent", BOTS)
def test_known_bots_and_requests_without_a_user_agent_are_bots(agent):
    assert is_bot(agent)


@pytest.mark.parametrize("agent", [
    FIREFOX,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Safari/537.36 Edg/131.0.0.0"])
def test_browsers_are_people(agent):
    assert not is_bot(agent)


def test_the_tally_is_bounded_and_takes_back_what_was_not_written():
    tally = Tally(max_keys=2)
    assert tally.add("https://x.example/a", "2026-01-01", "views")
    assert tally.add("https://x.example/b", "2026-01-01", "views")
    assert not tally.add("https://x.example/c", "2026-01-01", "views")  # full: a new key is lost
    assert tally.add("https://x.example/a", "2026-01-01", "views")  # a kept key still counts
    assert tally.dropped == 1
    taken = tally.take()
    assert len(tally) == 0 and taken[("https://x.example/a", "2026-01-01", "views")] == 2
    tally.add("https://x.example/a", "2026-01-01", "views")
    tally.give_back(taken)
    assert tally.peek()[("https://x.example/a", "2026-01-01", "views")] == 3


# the counting link


def test_the_link_counts_a_download_and_redirects_to_exactly_the_url(catalogue, client):
    before = downloads(catalogue)
    r = go(client)
    assert r.status_code == 302
    assert r.headers["Location"] == DIST_URL
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Set-Cookie" not in r.headers
    assert downloads(catalogue) == before + 1


def test_the_distribution_page_links_through_the_counting_link_and_shows_the_address(client):
    r = client.get("/resource", query_string={"uri": DIST}, headers=BROWSER)
    links = re.findall(r'<a class="iri" href="([^"]+)" rel="nofollow">([^<]+)</a>', r.get_data(as_text=True))
    assert links, "no link to the distribution's address"
    for href, text in links:
        assert href.startswith("/go?") and text == DIST_URL
        assert go(client, **{k: v for k, v in [("distribution", DIST), ("url", text)]}).status_code == 302


@pytest.mark.parametrize("url", [
    OTHER_DIST_URL,  # published, but another distribution's
    "https://evil.example.org/phish",
    DIST_URL + "?x=1",
    "javascript:alert(1)",
    "not a url",
])
def test_an_address_not_of_the_distribution_is_404_and_nothing_is_counted(catalogue, client, url):
    before = downloads(catalogue)
    r = go(client, url=url)
    assert r.status_code == 404
    assert "Location" not in r.headers and "Set-Cookie" not in r.headers
    assert "not a download or access address" in r.get_data(as_text=True)
    assert catalogue.usage.tally.peek() == {}
    assert downloads(catalogue) == before


def test_an_unknown_or_unpublished_distribution_is_404(catalogue, client):
    from catalogue import updates

    private = "https://private.example.org/distribution/1"
    dcat = "http://www.w3.org/ns/dcat#"
    updates.run(catalogue.store, "graph_insert", graph=catalogue.graphs.draft("someone"), data=[
        ox.Triple(ox.NamedNode(private), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode(dcat + "Distribution")),
        ox.Triple(ox.NamedNode(private), ox.NamedNode(dcat + "downloadURL"), ox.NamedNode(DIST_URL))])
    for distribution in (private, DEMO + "distribution/nothing-here"):
        r = go(client, distribution=distribution)
        assert r.status_code == 404, distribution
        assert "Set-Cookie" not in r.headers
    assert catalogue.usage.tally.peek() == {}
    with pytest.raises(NotADistributionLink):
        catalogue.usage.follow(private, DIST_URL, user_agent=FIREFOX)


@pytest.mark.parametrize("params", [{}, {"distribution": DIST}, {"url": DIST_URL},
                                    {"distribution": "not an iri", "url": DIST_URL}])
def test_a_link_without_its_parameters_is_a_bad_request_that_says_what_is_needed(client, params):
    r = client.get("/go", query_string=params, headers=BROWSER)
    assert r.status_code == 400
    assert "distribution" in r.get_data(as_text=True)


@pytest.mark.parametrize("agent", BOTS)
def test_a_bot_following_the_link_is_redirected_but_not_counted(catalogue, client, agent):
    before = downloads(catalogue)
    r = go(client, headers={"User-Agent": agent})
    assert r.status_code == 302 and r.headers["Location"] == DIST_URL
    assert downloads(catalogue) == before


def test_head_and_prefetch_are_not_counted(catalogue, client):
    before = downloads(catalogue)
    r = go(client, method="HEAD")
    assert r.status_code == 302 and "Set-Cookie" not in r.headers
    assert go(client, headers={**BROWSER, "Sec-Purpose": "prefetch"}).status_code == 302
    assert go(client, headers={**BROWSER, "Purpose": "prefetch"}).status_code == 302
    assert downloads(catalogue) == before


# page views


def test_page_views_are_counted_cached_answers_too_and_data_requests_apart(site, catalogue, client):
    app = site[1]
    uri = DEMO + "release/0001-1.0.8"
    before_views, before_data = views(catalogue, uri)
    hits = app.wsgi_app.hits
    for _ in range(3):
        r = client.get("/resource", query_string={"uri": uri}, headers=BROWSER)
        assert r.status_code == 200 and "Set-Cookie" not in r.headers
    assert app.wsgi_app.hits >= hits + 2, "the shared cache answered none of them"
    assert client.get("/resource.ttl", query_string={"uri": uri}, headers=BROWSER).status_code == 200
    # not counted: a bot, a HEAD, a page that is not there, a POST
    client.get("/resource", query_string={"uri": uri}, headers={**BROWSER, "User-Agent": BOTS[0]})
    client.head("/resource", query_string={"uri": uri}, headers=BROWSER)
    assert client.get("/resource", query_string={"uri": DEMO + "release/none"}, headers=BROWSER).status_code == 404
    assert views(catalogue, uri) == (before_views + 3, before_data + 1)


def test_a_flush_adds_to_the_counts_stored(catalogue):
    iri = "https://flush.example.org/resource"
    catalogue.usage.count(iri, "downloads", 3)
    catalogue.usage.count(iri, "views", 2)
    assert catalogue.usage.flush() == 5
    catalogue.usage.count(iri, "downloads", 4)
    assert catalogue.usage.flush() == 4
    totals = catalogue.usage.totals_for_records([iri])[iri]
    assert (totals.downloads, totals.views, totals.data) == (7, 2, 0)
    today = catalogue.usage.per_day(iri, 2)
    assert [d.downloads for d in today] == [0, 7] and today[-1].day == datetime.now(UTC).date()
    assert catalogue.usage.top(3, by="downloads")[0][0] in (iri, DIST)


def test_a_failed_flush_keeps_the_counts_for_the_next(catalogue, monkeypatch):
    iri = "https://failed-flush.example.org/resource"
    catalogue.usage.count(iri, "views", 2)
    store = catalogue.store

    def refuse(sparql):
        raise OSError("the store is down")

    monkeypatch.setattr(store, "update", refuse)
    with pytest.raises(UsageUnavailable):
        catalogue.usage.flush()
    monkeypatch.undo()
    assert catalogue.usage.tally.peek() == {(iri, datetime.now(UTC).date().isoformat(), "views"): 2}
    assert catalogue.usage.flush() == 2
    assert catalogue.usage.totals_for_records([iri])[iri].views == 2


def test_nothing_stored_says_who_visited(catalogue, client):
    marker_agent = FIREFOX + " MarkerAgent/7.7"
    headers = {**BROWSER, "User-Agent": marker_agent, "Referer": "https://referrer.example.net/page",
               "X-Forwarded-For": "198.51.100.77"}
    env = {"REMOTE_ADDR": "203.0.113.99"}
    assert client.get("/go", query_string={"distribution": DIST, "url": DIST_URL}, headers=headers,
                      environ_base=env).status_code == 302
    assert client.get("/resource", query_string={"uri": SOLUTION}, headers=headers,
                      environ_base=env).status_code == 200
    catalogue.usage.flush()
    triples = catalogue.store.triples(catalogue.graphs.usage)
    assert triples
    text = "\n".join(str(t) for t in triples)
    for secret in ("MarkerAgent", "Firefox", "referrer.example.net", "198.51.100.77", "203.0.113.99"):
        assert secret not in text
    assert {t.predicate.value for t in triples} <= {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", Q + "resource", Q + "day", Q + "downloads",
        Q + "views", Q + "dataRequests", Q + "flush"}  # flush: a random token of one flush


def test_counts_are_private_and_a_flush_does_not_change_the_data_version(catalogue, client):
    catalogue.changed()
    version = catalogue.data_version().token
    assert go(client).status_code == 302
    assert catalogue.usage.flush() >= 1
    catalogue.changed()
    assert catalogue.data_version().token == version
    assert catalogue.graphs.usage not in catalogue.public_graphs()
    assert catalogue.graphs.usage.value == "https://catalogue.example.org/graph/usage"
    for query in ("SELECT * WHERE { ?s <https://catalogue.example.org/def/quality#downloads> ?n }",
                  "SELECT * WHERE { GRAPH ?g { ?s <https://catalogue.example.org/def/quality#downloads> ?n } }",
                  "SELECT * FROM NAMED <https://catalogue.example.org/graph/usage> WHERE { GRAPH ?g { ?s ?p ?n } }"):
        r = client.get("/sparql", query_string={"query": query},
                       headers={"Accept": "application/sparql-results+json"})
        assert r.status_code in (200, 400), r.get_data(as_text=True)
        if r.status_code == 200:
            assert r.get_json()["results"]["bindings"] == [], query


# what pages say


@pytest.fixture
def advance(catalogue):
    """Moves the clock ``days`` days and some minutes on: counts made before are then the
    last completed days'."""
    usage = catalogue.usage
    real = usage.clock

    def to(days: int) -> None:
        usage.clock = lambda: datetime.now(UTC) + timedelta(days=days, minutes=5)

    yield to
    usage.clock = real


def usage_text(client, iri: str, lang: str) -> str:
    r = client.get("/resource", query_string={"uri": iri, "lang": lang}, headers=BROWSER)
    assert r.status_code == 200
    found = re.search(r'<div class="usage">(.*?)</div>', r.get_data(as_text=True), re.S)
    assert found, "no usage summary on the page"
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()  # keeps no-break spaces


def test_pages_show_counts_up_to_the_last_completed_day(catalogue, client):
    shown = catalogue.usage.shown(DIST, [DIST])
    first = usage_text(client, DIST, "en")
    assert go(client).status_code == 302
    catalogue.usage.flush()
    assert catalogue.usage.shown(DIST, [DIST]) == shown  # today's download counts tomorrow
    assert usage_text(client, DIST, "en") == first


def test_the_page_says_downloaded_n_times_with_the_plural_of_the_language(catalogue, client, advance):
    fresh = DEMO + "distribution/0002-1"
    catalogue.usage.count(fresh, "downloads", 1)
    catalogue.usage.flush()
    advance(1)
    text = usage_text(client, fresh, "en")
    assert "Downloaded 1 time " in text + " " and "Downloaded 1 times" not in text
    assert re.search(r"\d+ views? in the last 30 days", text)
    catalogue.usage.count(fresh, "downloads", 1233)
    catalogue.usage.flush()
    advance(2)  # a new day: the page is rendered again with the day's counts
    assert "Downloaded 1,234 times" in usage_text(client, fresh, "en")


def test_the_page_says_it_in_french_with_french_plurals_and_numbers(catalogue, client, advance):
    fresh = DEMO + "distribution/0003-1"
    catalogue.usage.count(fresh, "downloads", 1)
    catalogue.usage.flush()
    advance(1)
    assert "Téléchargé 1 fois" in usage_text(client, fresh, "fr")
    catalogue.usage.count(fresh, "downloads", 1233)
    catalogue.usage.flush()
    advance(2)
    french = usage_text(client, fresh, "fr")
    assert f"Téléchargé {format_decimal(1234, locale='fr')} fois" in french
    assert "30 derniers jours" in french


def test_the_solution_page_sums_its_distributions_downloads(catalogue, client, advance):
    distributions = [DEMO + "distribution/0001-1", DIST, DEMO + "distribution/0001-3"]
    catalogue.usage.count(distributions[0], "downloads", 2)
    catalogue.usage.flush()
    total = sum(t.downloads for t in catalogue.usage.totals_for_records(distributions).values())
    advance(1)
    assert catalogue.usage.shown(SOLUTION, distributions).downloads == total >= 2
    assert f"Downloaded {total:,} times" in usage_text(client, SOLUTION, "en")


def test_a_resources_daily_counts_as_json_and_csv(catalogue, client):
    r = client.get("/usage.json", query_string={"uri": DIST, "days": 7})
    assert r.status_code == 200
    body = r.get_json()
    assert body["resource"] == DIST and len(body["days"]) == 7
    assert set(body["days"][0]) == {"day", "downloads", "views", "data"}
    csv = client.get("/usage.csv", query_string={"uri": DIST})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines()[0] == "day,downloads,views,data"
    assert len(csv.get_data(as_text=True).splitlines()) == 31
    assert client.get("/usage.json", query_string={"uri": DEMO + "nothing/here"}).status_code == 404
    assert client.get("/usage.json", query_string={"uri": DIST, "days": "many"}).status_code == 400
    assert client.get("/usage.json", query_string={"uri": DIST, "days": 9999}).status_code == 400
    assert client.get("/usage.json").status_code == 400


def test_counting_off_links_straight_to_the_address_and_counts_nothing(tmp_path):
    settings = load_settings({"CATALOGUE_USAGE": "off"}, store=str(tmp_path / "store"))
    catalogue = Catalogue(settings)
    try:
        catalogue.publishing.init(standards=False)
        client = create_app(settings, catalogue).test_client()
        html = client.get("/resource", query_string={"uri": DIST}, headers=BROWSER).get_data(as_text=True)
        assert f'href="{DIST_URL}"' in html and "/go?" not in html and 'class="usage"' not in html
        assert go(client).status_code == 302  # an old link still works, uncounted
        assert catalogue.usage.tally.peek() == {}
    finally:
        catalogue.close()


# the real server


def test_the_server_writes_its_counts_when_stopped(tmp_path):
    """Counts still in memory are written when the server is stopped by SIGTERM; `catalogue
    usage IRI` prints them."""
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "store"), "CATALOGUE_USAGE_FLUSH_SECONDS": "3600"}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init", "--no-standards"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/")
        r = requests.get(url + "/go", params={"distribution": DIST, "url": DIST_URL},
                         headers={"User-Agent": FIREFOX}, allow_redirects=False, timeout=20)
        assert r.status_code == 302 and r.headers["Location"] == DIST_URL and "Set-Cookie" not in r.headers
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    time.sleep(0.2)
    catalogue = Catalogue(load_settings({}, store=env["CATALOGUE_STORE"]))
    try:
        assert catalogue.usage.totals_for_records([DIST])[DIST].downloads == 1
    finally:
        catalogue.close()
    # and `catalogue usage IRI` says so
    shown = subprocess.run([sys.executable, "-m", "catalogue_cli", "usage", DIST], env=env, cwd=ROOT,
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"^total\s+1\s+0\s+0$", shown.stdout, re.M), shown.stdout
    bad = subprocess.run([sys.executable, "-m", "catalogue_cli", "usage", "not an iri"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "not an IRI" in bad.stderr
