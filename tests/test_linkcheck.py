"""The link checker (issue 16, item 2): against local servers on 127.0.0.1 only, it finds
exactly the broken links of a fixture site, never calls a private address, writes its
results to the public links graph, moves quality scores both ways, and never holds up an
ingest. Also the harvest fetch's refusal of a connection that reached a private address
(DNS rebinding)."""

from __future__ import annotations

import dataclasses
import http.server
import importlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.ingest import PrivateAddressError
from catalogue.quality import LinkCheckError, score_graph
from catalogue.quality.linkcheck import Checked, LinkChecker, Policy
from catalogue.quality.links import LinkState, next_state
from catalogue.settings import SettingsError, load_settings
from catalogue_cli.main import main as cli
from webapp import create_app

SITE = (Path(__file__).parent / "data" / "linkcheck" / "site.ttl").read_text()
EX = "http://links.example.org/"
Q = "https://catalogue.example.org/def/quality#"


class Site:
    """A local web site with every kind of link, counting the requests it gets."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.flaky_fixed = False
        self.hold = threading.Event()  # /hold answers once it is set
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.answer(head=True)

            def do_GET(self) -> None:
                self.answer(head=False)

            def send(self, status: int, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k.replace("_", "-"), v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)

            def answer(self, head: bool) -> None:
                path = self.path
                site.hits[f"{self.command} {path}"] += 1
                port = self.server.server_address[1]
                if path == "/robots.txt":
                    self.send(200, b"User-agent: *\nDisallow: /private/\n")
                elif path in ("/ok", "/private/manual"):
                    self.send(200, b"hello " * 2000)
                elif path == "/moved":
                    self.send(301, Location="/ok")
                elif path == "/head-405":
                    self.send(405) if head else self.send(200, b"only GET")
                elif path == "/missing":
                    self.send(404)
                elif path == "/error":
                    self.send(500)
                elif path == "/slow":
                    time.sleep(1.5)
                    self.send(200)
                elif path == "/hold":
                    site.hold.wait(20)
                    self.send(200)
                elif path == "/loop/a":
                    self.send(302, Location="/loop/b")
                elif path == "/loop/b":
                    self.send(302, Location=f"http://127.0.0.1:{port}/loop/a")
                elif path.startswith("/chain/"):
                    self.send(302, Location=f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
                elif path == "/to-private":
                    self.send(302, Location=f"http://127.0.0.1:{site.other_port}/secret")
                elif path == "/to-metadata":
                    self.send(302, Location="http://169.254.169.254/latest/meta-data/")
                elif path == "/flaky":
                    self.send(200 if site.flaky_fixed else 404)
                else:
                    self.send(404)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # never to be called
        self.other.daemon_threads = True
        self.port, self.other_port = self.server.server_address[1], self.other.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.other_url = f"http://127.0.0.1:{self.other_port}/"
        for s in (self.server, self.other):
            threading.Thread(target=s.serve_forever, daemon=True).start()

    def other_hits(self) -> int:
        """Requests the refused server received (the handler counts both servers' together,
        so count by the paths only it would see)."""
        return sum(n for k, n in self.hits.items() if k.endswith(("/secret", "/direct")))

    def dump(self) -> bytes:
        return SITE.replace("http://site.test/", self.url).replace("http://other.test/", self.other_url).encode()

    def close(self) -> None:
        self.hold.set()
        for s in (self.server, self.other):
            s.shutdown()
            s.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def settings_for(site: Site, store: Path, **more: object):
    return load_settings({}, store=str(store), linkcheck_timeout=0.5, linkcheck_host_interval=0.0,
                         linkcheck_max_redirects=3, linkcheck_broken_after=2,
                         linkcheck_allow_hosts=f"127.0.0.1:{site.port}", **more)


@pytest.fixture(scope="module")
def catalogue(site, tmp_path_factory) -> Iterator[Catalogue]:
    c = Catalogue(settings_for(site, tmp_path_factory.mktemp("links") / "store"))
    c.publishing.register_source("links", "Link test")
    report = c.publishing.ingest("links", site.dump(), filename="site.ttl")
    assert report.stored, report.as_text()
    yield c
    c.close()


BROKEN = {  # the fixture site's links that fail, and how
    "missing": ("http-error", 404), "error": ("http-error", 500), "slow": ("timeout", None),
    "loop/a": ("redirect-loop", 302), "chain/0": ("too-many-redirects", 302),
    "to-private": ("private-address", 302), "to-metadata": ("private-address", 302),
    "flaky": ("http-error", 404),
}
WORKING = {"ok": ("ok", 200), "moved": ("ok", 200), "head-405": ("ok", 200),
           "private/manual": ("robots", None)}


def test_the_checker_tells_each_kind_of_link_apart(site):
    site.hits.clear()
    policy = Policy.of(settings_for(site, Path("unused")))
    urls = {site.url + p: want for p, want in {**BROKEN, **WORKING}.items()}
    urls[site.other_url + "direct"] = ("private-address", None)
    urls["http://10.0.0.1/dump.zip"] = ("private-address", None)
    urls["http://user:secret@example.org/"] = ("bad-url", None)
    started = time.monotonic()
    found = LinkChecker(policy).check_all(urls)
    assert {u: (c.outcome, c.status) for u, c in found.items()} == urls
    assert time.monotonic() - started < 5  # a timeout of 0.5 s, hosts in parallel
    assert site.other_hits() == 0  # the refused server was never called
    assert site.hits["HEAD /head-405"] >= 1 and site.hits["GET /head-405"] >= 1  # HEAD, then GET
    assert site.hits["GET /robots.txt"] == 1  # once per host and run
    assert not any("/private/" in k for k in site.hits)  # robots.txt honoured


def test_requests_to_one_host_keep_their_distance(site):
    policy = dataclasses.replace(Policy.of(settings_for(site, Path("unused"))), host_interval=0.2)
    started = time.monotonic()
    LinkChecker(policy).check_all([site.url + "ok", site.url + "missing", site.url + "error"])
    assert time.monotonic() - started >= 0.6  # robots.txt, then three HEADs, 0.2 s apart


def test_history_makes_a_link_broken_after_failures_in_a_row_and_a_success_mends_it():
    t = [datetime(2026, 12, d, tzinfo=UTC) for d in (1, 2, 3, 4)]
    url = "http://x.example.org/"
    first = next_state(None, Checked(url, "http-error", 404), t[0], 2)
    assert (first.failures, first.broken, first.last_success) == (1, False, None)
    second = next_state(first, Checked(url, "timeout"), t[1], 2)
    assert (second.failures, second.broken) == (2, True)
    robots = next_state(second, Checked(url, "robots"), t[2], 2)  # not a failure, not a success
    assert (robots.failures, robots.broken) == (2, True)
    mended = next_state(robots, Checked(url, "ok", 200), t[3], 2)
    assert mended == LinkState(url, t[3], "ok", 200, t[3], 0, False)


def test_the_score_loses_working_links_only_for_a_broken_one():
    ttl = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix ex: <http://x.example.org/> .
    ex:s a dcat:Dataset ; dcat:landingPage <https://a.example.org/> ; dcat:distribution ex:d .
    ex:d dcat:accessURL <https://b.example.org/> .
    ex:bare a dcat:Dataset ."""
    triples = [q.triple for q in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)]
    scores = {s.record: s for s in score_graph(triples)}
    assert "working-links" not in scores["http://x.example.org/s"].lost  # unchecked links work
    assert "working-links" in scores["http://x.example.org/bare"].lost  # no link to work
    broken = {s.record: s for s in score_graph(triples, broken={"https://b.example.org/"})}
    assert "working-links" in broken["http://x.example.org/s"].lost
    assert broken["http://x.example.org/s"].dimensions["accessibility"] == \
        scores["http://x.example.org/s"].dimensions["accessibility"] - 4


def public_checks(c: Catalogue) -> dict[str, dict[str, str]]:
    """The links graph as /sparql shows it: URL -> property -> value."""
    answer = c.endpoint.query(
        f"PREFIX q: <{Q}> SELECT ?url ?p ?o WHERE {{ GRAPH <{c.graphs.links.value}> "
        "{ ?c a q:LinkCheck ; q:url ?url ; ?p ?o } }",
        results_format="application/sparql-results+json", graph_format="text/turtle")
    out: dict[str, dict[str, str]] = {}
    for b in json.loads(answer.body)["results"]["bindings"]:
        out.setdefault(b["url"]["value"], {})[b["p"]["value"].removeprefix(Q)] = b["o"]["value"]
    return out


def test_runs_find_exactly_the_broken_links_and_scores_follow(catalogue, site):
    site.flaky_fixed = False
    expected = {site.url + p for p in BROKEN} | {site.other_url + "direct", "http://10.0.0.1/dump.zip"}
    first = catalogue.links.run()
    assert (first.checked, first.ok, first.broken) == (14, 3, 0)  # nothing broken after one failure
    assert first.refused == 5 and first.failing == 6  # robots + 4 private addresses; the rest
    assert "working-links" not in catalogue.quality.of_record(EX + "bad").lost
    second = catalogue.links.run()
    assert second.broken == len(expected) and second.rescored == ["links"]
    assert {u for u, st in catalogue.links.states().items() if st.broken} == expected
    assert site.other_hits() == 0  # never called, in either run
    # public: in /sparql, with the agreed terms
    checks = public_checks(catalogue)
    missing = checks[site.url + "missing"]
    assert (missing["outcome"], missing["httpStatus"], missing["consecutiveFailures"], missing["broken"]) == \
        ("http-error", "404", "2", "true")
    assert "lastSuccess" not in missing and "httpStatus" not in checks[site.url + "slow"]
    ok = checks[site.url + "ok"]
    assert (ok["outcome"], ok["broken"], ok["consecutiveFailures"]) == ("ok", "false", "0") and ok["lastSuccess"]
    assert checks[site.url + "private/manual"]["outcome"] == "robots"
    # the scores lose "working-links" exactly where a link is broken, and say which
    bad = catalogue.quality.of_record(EX + "bad")
    assert "working-links" in bad.lost
    assert {b.url for b in bad.broken_links} == expected - {site.url + "flaky"}
    assert "working-links" not in catalogue.quality.of_record(EX + "good").lost
    assert "working-links" in catalogue.quality.of_record(EX + "flaky").lost
    # fixed, it answers, and the score comes back on the next run
    before = catalogue.quality.of_record(EX + "flaky").total
    site.flaky_fixed = True
    third = catalogue.links.run(source="links")
    assert third.rescored == ["links"]
    flaky = catalogue.quality.of_record(EX + "flaky")
    assert "working-links" not in flaky.lost and flaky.total == before + 4
    assert catalogue.links.states()[site.url + "flaky"].last_success is not None


def test_the_solution_page_names_its_broken_links(catalogue, site):
    if not catalogue.links.states():
        catalogue.links.run()
        catalogue.links.run()
    client = create_app(catalogue.settings, catalogue=catalogue).test_client()
    r = client.get(f"/resource?uri={EX}bad", headers={"Accept": "text/html"})
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "Broken links" in text
    assert "Fix or replace its broken links" in text
    assert f'href="{site.url}missing"' in text and "the server answers with an error (HTTP 404)" in text
    assert "never answered" in text and "points to a private network address" in text


def test_an_unknown_source_is_refused(catalogue):
    with pytest.raises(LinkCheckError, match="no source named 'nope'"):
        catalogue.links.run(source="nope")


def test_an_ingest_never_waits_for_a_link_check(catalogue, site):
    site.hold.clear()
    catalogue.publishing.register_source("held", "Held links")
    held = SITE.replace("http://site.test/ok", site.url + "hold").replace("http://site.test/", site.url) \
        .replace(EX, "http://held.example.org/")  # records of its own
    report = catalogue.publishing.ingest("held", held.replace("http://other.test/", site.other_url).encode(),
                                         filename="held.ttl")
    assert report.stored
    policy = dataclasses.replace(Policy.of(catalogue.settings), timeout=30.0)
    running = threading.Thread(target=catalogue.links.run, kwargs={"source": "held", "policy": policy})
    running.start()
    try:
        deadline = time.monotonic() + 10
        while not site.hits["HEAD /hold"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert site.hits["HEAD /hold"], "the run reached the held link"
        started = time.monotonic()
        assert catalogue.publishing.ingest("links", site.dump(), filename="again.ttl").stored
        assert running.is_alive(), "the ingest ended while the link check still waits"
        assert time.monotonic() - started < 15
        with pytest.raises(LinkCheckError, match="already running"):
            catalogue.links.run()
    finally:
        site.hold.set()
        running.join(30)
    assert not running.is_alive()


def test_the_command_checks_prints_a_summary_and_exits_1_on_broken_links(site, tmp_path, monkeypatch, capsys):
    store = tmp_path / "store"
    c = Catalogue(settings_for(site, store))
    c.publishing.register_source("links", "Link test")
    assert c.publishing.ingest("links", site.dump(), filename="site.ttl").stored
    c.close()
    env = {"CATALOGUE_STORE": str(store), "CATALOGUE_LINKCHECK_TIMEOUT": "0.5",
           "CATALOGUE_LINKCHECK_HOST_INTERVAL": "0", "CATALOGUE_LINKCHECK_MAX_REDIRECTS": "3",
           "CATALOGUE_LINKCHECK_BROKEN_AFTER": "1", "CATALOGUE_LINKCHECK_ALLOW_HOSTS": f"127.0.0.1:{site.port}"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    site.flaky_fixed = True
    assert cli(["links", "--source", "links"]) == 1
    out = capsys.readouterr().out
    assert "checked 14 links in" in out and "4 ok, 5 failing, 9 broken, 5 refused" in out
    assert f"http-error HTTP 404: {site.url}missing" in out and "quality rescored for: links" in out
    assert cli(["links", "--source", "nope"]) == 2
    assert "no source named 'nope'" in capsys.readouterr().err


def test_the_server_thread_runs_when_due_and_stops(catalogue):
    from catalogue.quality import start_link_checks

    assert start_link_checks(catalogue, 0).thread is None  # 0: off
    if catalogue.links.last_run() is None:
        catalogue.links.run()
    last = catalogue.links.last_run()
    scheduler = start_link_checks(catalogue, 1000)  # the last run is recent: not due for 1000 hours
    time.sleep(0.3)
    scheduler.stop(1)
    assert catalogue.links.last_run() == last and not scheduler.thread.is_alive()


@pytest.mark.parametrize("raw", ["127.0.0.1", "127.0.0.1:x", ":80", "127.0.0.1:70000"])
def test_the_allow_list_is_host_port_pairs(raw):
    with pytest.raises(SettingsError, match="CATALOGUE_LINKCHECK_ALLOW_HOSTS"):
        load_settings({"CATALOGUE_LINKCHECK_ALLOW_HOSTS": raw})
    allowed = load_settings({"CATALOGUE_LINKCHECK_ALLOW_HOSTS": "127.0.0.1:8001, [::1]:81"}).linkcheck_allowed
    assert allowed == {("127.0.0.1", 8001), ("::1", 81)}


def test_a_fetch_refuses_a_connection_that_reached_a_private_address(site, monkeypatch):
    """DNS rebinding: the name resolved to a public address when checked, a private one when
    connected; the connected socket's peer is checked too."""
    fetch_module = importlib.import_module("catalogue.ingest.fetch")
    monkeypatch.setattr(fetch_module, "check_host", lambda url, allow_private: None)  # "public" at check time
    before = sum(site.hits.values())
    with pytest.raises(PrivateAddressError, match="connected to a private or local address"):
        fetch_module.fetch(site.url + "ok", max_bytes=100_000, timeout=2)
    assert sum(site.hits.values()) == before  # refused before a byte was sent
    assert fetch_module.fetch(site.url + "ok", max_bytes=100_000, timeout=2, allow_private=True).data
