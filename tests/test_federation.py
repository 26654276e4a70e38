"""Harvesting registered sources: settings in the registry, the schedule, fetching a dump or
a SPARQL endpoint's CONSTRUCT under the fetch rules, every outcome recorded on the source,
the `catalogue harvest` command and the in-server scheduler."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
import requests

import catalogue.harvesting as federation
from catalogue.app import Catalogue
from catalogue.harvesting import HarvestConfigError
from catalogue.harvesting import run as harvest
from catalogue.harvesting import settings as config
from catalogue.harvesting.settings import HarvestSettings
from catalogue.ingest.registry import all_sources
from catalogue.store import EmbeddedStore

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "ingest" / "two-solutions.ttl").read_bytes()
NO_CONTACT_ON_2 = GOOD.replace(
    b"  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService> .",
    b"  dct:type <http://data.europa.eu/dr8/DataExchangeService> .")
BROKEN = b"@prefix ex: <http://repo.example.org/> .\nex:a ex:b \n"
ROUTES = {
    "/good.ttl": (200, "text/turtle", GOOD),
    "/good-as-text": (200, "text/plain", GOOD),  # no usable media type: the content decides
    "/invalid.ttl": (200, "text/turtle", NO_CONTACT_ON_2),
    "/broken.ttl": (200, "text/turtle", BROKEN),
}


@pytest.fixture(scope="module")
def web():
    """A small HTTP server on 127.0.0.1 serving ROUTES (anything else: 404)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            status, media, body = ROUTES.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


@pytest.fixture
def catalogue(store, settings):
    """On both backends; loopback allowed, as the test server is on 127.0.0.1."""
    return Catalogue(replace(settings, allow_private_urls=True), store)


def public_quads(store, graphs) -> set:
    """Everything but the registry (where the harvest state itself is written)."""
    return {q for q in store.quads() if q.graph_name != graphs.registry}


# settings


def test_configure_reads_back_replaces_and_clears(catalogue):
    store, graphs = catalogue.store, catalogue.graphs
    federation.configure_harvest(store, graphs, "spain-ctt", "https://ctt.example.es/sparql",
                                 kind="sparql", every="PT24H")
    [hs] = federation.harvest_settings(store, graphs)
    assert (hs.slug, hs.url, hs.kind, hs.mode) == ("spain-ctt", "https://ctt.example.es/sparql",
                                                   "sparql", "strict")
    assert hs.every == timedelta(days=1) and hs.every_text == "P1D"
    assert hs.query == config.DEFAULT_QUERY and hs.started is None and hs.status is None
    assert "spain-ctt" in all_sources(store, graphs)  # configuring registers the source

    federation.configure_harvest(store, graphs, "spain-ctt", "https://ctt.example.es/adms.ttl",
                                 every="PT90M", mode="partial")
    [hs] = federation.harvest_settings(store, graphs)
    assert (hs.kind, hs.query, hs.every_text, hs.mode) == ("dump", None, "PT1H30M", "partial")
    assert federation.harvest_state(store, graphs, "spain-ctt") == hs

    federation.clear_harvest(store, graphs, "spain-ctt")
    assert federation.harvest_settings(store, graphs) == []
    assert federation.harvest_state(store, graphs, "spain-ctt") is None


@pytest.mark.parametrize("kwargs, words", [
    ({"url": "ftp://repo.example.org/dump.ttl"}, "http(s)"),
    ({"url": "repo.example.org/dump.ttl"}, "http(s)"),
    ({"url": "https://repo.example.org/a b.ttl"}, "http(s)"),
    ({"url": "https://user:secret@repo.example.org/dump.ttl"}, "public"),
    ({"kind": "oai-pmh"}, "kind"),
    ({"mode": "lenient"}, "mode"),
    ({"every": "24h"}, "ISO 8601"),
    ({"every": "P1M"}, "ISO 8601"),  # months vary in length
    ({"every": "PT30S"}, "minute"),
    ({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "sparql kind"),
    ({"kind": "sparql", "query": "SELECT * WHERE { ?s ?p ?o }"}, "CONSTRUCT"),
    ({"kind": "sparql", "query": "DESCRIBE <http://repo.example.org/x>"}, "CONSTRUCT"),
    ({"kind": "sparql", "query": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://10.0.0.1/sparql> "
                                 "{ ?s ?p ?o } }"}, "SERVICE"),
    ({"kind": "sparql", "query": "INSERT DATA { <http://a> <http://b> <http://c> }"}, "updates"),
    ({"kind": "sparql", "query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "}, "does not parse"),
    ({"kind": "sparql", "query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } # " + "x" * 5000}, "longer"),
])
def test_unusable_settings_are_refused_with_the_reason(kwargs, words):
    args = {"slug": "example", "url": "https://repo.example.org/dump.ttl", **kwargs}
    with pytest.raises(HarvestConfigError) as info:
        config.check_settings(**args)
    assert words in str(info.value)


def test_a_refused_setting_writes_nothing(catalogue):
    with pytest.raises(HarvestConfigError):
        federation.configure_harvest(catalogue.store, catalogue.graphs, "example",
                                     "file:///etc/passwd")
    assert catalogue.store.named_graphs() == []


def test_valid_sparql_that_rdflib_cannot_parse_is_accepted():
    """Oxigraph is the parser (rdflib refuses a triples block right after a group)."""
    query = ("PREFIX dcat: <http://www.w3.org/ns/dcat#>\nCONSTRUCT { ?s ?p ?o } WHERE { "
             "{ ?s a dcat:Dataset } ?s ?p ?o }")
    assert config.check_harvest_query(query) == query


def test_the_sparql_request_keeps_the_endpoints_own_parameters():
    url = harvest.sparql_request_url("https://h.example/sparql?default-graph-uri=urn:g#top",
                                     config.DEFAULT_QUERY)
    assert url.startswith("https://h.example/sparql?default-graph-uri=urn%3Ag&query=CONSTRUCT+")
    assert "format=" not in url and "#" not in url


# the schedule

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def hs(slug: str, started: timedelta | None = None, status: str | None = None,
       every: timedelta = timedelta(hours=24)) -> HarvestSettings:
    return HarvestSettings(slug, "https://repo.example.org/", "dump", every, "strict",
                           started=None if started is None else NOW - started, status=status)


def test_due_sources_follow_their_schedule():
    sources = [
        hs("never"),
        hs("recent", timedelta(hours=23), "stored"),
        hs("exactly-due", timedelta(hours=24), "failed"),
        hs("overdue", timedelta(days=3), "rejected"),
        hs("hourly", timedelta(minutes=61), "stored", every=timedelta(hours=1)),
        hs("running", timedelta(minutes=10), "running", every=timedelta(minutes=5)),
        hs("stale-run", timedelta(hours=2), "running", every=timedelta(hours=1)),
    ]
    due = harvest.due(sources, NOW, stale_after=timedelta(hours=1))
    assert [s.slug for s in due] == ["never", "exactly-due", "overdue", "hourly", "stale-run"]
    assert hs("recent", timedelta(hours=23)).next_due == NOW + timedelta(hours=1)


def test_every_parses_iso_durations_and_writes_them_as_oxigraph_does():
    assert config.parse_every("pt6h") == timedelta(hours=6)
    assert config.parse_every("P1DT12H30M") == timedelta(days=1, hours=12, minutes=30)
    assert [config.format_every(config.parse_every(t)) for t in ("PT24H", "PT90M", "P2DT0H")] \
        == ["P1D", "PT1H30M", "P2D"]


# harvesting


def test_a_dump_is_harvested_recorded_and_not_due_again(catalogue, web):
    store, graphs = catalogue.store, catalogue.graphs
    url = web.url + "/good.ttl"
    federation.configure_harvest(store, graphs, "example", url)
    [outcome] = federation.harvest_due(catalogue)
    assert (outcome.status, outcome.message) == ("stored", "Stored: 3 records accepted, 0 rejected.")
    assert outcome.report.stored and outcome.ok
    graph = catalogue.publishing.source_graph("example")
    assert len(store.triples(graph)) == outcome.report.triples == 49
    assert store.ask("ASK { GRAPH ?g { ?run <https://catalogue.example.org/def/catalogue#origin> ?url } }",
                     {"url": ox.Literal(url)})
    state = federation.harvest_state(store, graphs, "example")
    assert state.status == "stored" and state.message == outcome.message
    assert state.started <= state.ended <= datetime.now(UTC)
    assert federation.harvest_due(catalogue) == []  # next one in a day


def test_a_private_address_is_refused_unless_allowed(store, settings, web):
    catalogue = Catalogue(settings, store)  # CATALOGUE_ALLOW_PRIVATE_URLS off (the default)
    federation.configure_harvest(store, catalogue.graphs, "example", web.url + "/good.ttl")
    before = public_quads(store, catalogue.graphs)
    [outcome] = federation.harvest_due(catalogue)
    assert outcome.status == "failed" and outcome.report is None
    assert "127.0.0.1, a private or local address" in outcome.message
    assert "CATALOGUE_ALLOW_PRIVATE_URLS" in outcome.message
    assert public_quads(store, catalogue.graphs) == before
    assert catalogue.publishing.source_graph("example") is None
    state = federation.harvest_state(store, catalogue.graphs, "example")
    assert (state.status, state.message) == ("failed", outcome.message)


@pytest.mark.parametrize("path, mode, status, words", [
    ("/broken.ttl", "strict", "rejected", "could not be read: Turtle syntax error"),
    ("/invalid.ttl", "strict", "rejected", "1 of 3 records do not conform (strict mode). "
                                           "First problem: A solution or release"),
    ("/invalid.ttl", "partial", "stored", "2 records accepted, 1 rejected (quarantined"),
    ("/good-as-text", "strict", "stored", "3 records accepted"),
    ("/missing.ttl", "strict", "failed", "HTTP 404"),
])
def test_every_outcome_is_recorded_in_a_plain_sentence(catalogue, web, path, mode, status, words):
    store, graphs = catalogue.store, catalogue.graphs
    federation.configure_harvest(store, graphs, "example", web.url + path, mode=mode)
    before = public_quads(store, graphs)
    outcome = federation.harvest_source(catalogue, "example")
    assert outcome.status == status, outcome.message
    assert words in outcome.message and outcome.message.endswith(".")
    state = federation.harvest_state(store, graphs, "example")
    assert (state.status, state.message) == (status, outcome.message)
    if status != "stored":
        assert public_quads(store, graphs) == before


def test_a_running_harvest_is_not_started_twice_until_its_claim_is_stale(catalogue, web):
    store, graphs = catalogue.store, catalogue.graphs
    federation.configure_harvest(store, graphs, "example", web.url + "/good.ttl")
    hour = timedelta(hours=1)
    store.update(harvest.claim_update(graphs, "example", datetime.now(UTC) - timedelta(minutes=5),
                                      hour, "Fetching"))
    outcome = federation.harvest_source(catalogue, "example")
    assert outcome.status == "skipped" and outcome.ok
    assert federation.harvest_state(store, graphs, "example").status == "running"
    assert catalogue.publishing.source_graph("example") is None

    store.update(harvest.claim_update(graphs, "example", datetime.now(UTC) - 2 * hour,
                                      hour, "Fetching"))  # a claim only replaces a stale one
    assert federation.harvest_source(catalogue, "example").status == "skipped"
    federation.clear_harvest(store, graphs, "example")
    federation.configure_harvest(store, graphs, "example", web.url + "/good.ttl")
    store.update(harvest.claim_update(graphs, "example", datetime.now(UTC) - 2 * hour,
                                      hour, "Fetching"))  # a run that died two hours ago
    assert federation.harvest_source(catalogue, "example").status == "stored"


def test_harvesting_an_unconfigured_source_is_an_error(catalogue):
    with pytest.raises(HarvestConfigError, match="no harvest configured"):
        federation.harvest_source(catalogue, "nothing-here")


def test_a_sparql_endpoint_is_harvested_with_a_construct(tmp_path, settings, oxigraph_server):
    """The session's Oxigraph server plays a publisher's endpoint (default graph: the dump)."""
    put = requests.post(oxigraph_server + "/store?default", data=GOOD,
                        headers={"Content-Type": "text/turtle"}, timeout=10)
    assert put.status_code in (200, 201, 204), put.text
    store = EmbeddedStore(tmp_path / "harvester")
    try:
        catalogue = Catalogue(replace(settings, allow_private_urls=True,
                                      store=str(tmp_path / "harvester")), store)
        endpoint = oxigraph_server + "/query"
        federation.configure_harvest(store, catalogue.graphs, "endpoint", endpoint, kind="sparql")
        [outcome] = federation.harvest_due(catalogue)
        assert outcome.status == "stored", outcome.message
        assert outcome.report.format == "Turtle" and outcome.report.triples == 49
        assert len(store.triples(catalogue.publishing.source_graph("endpoint"))) == 49

        federation.configure_harvest(  # a query that picks nothing gives no records
            store, catalogue.graphs, "endpoint", endpoint, kind="sparql",
            query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(false) }")
        outcome = federation.harvest_source(catalogue, "endpoint")
        assert (outcome.status, outcome.message) == ("rejected", "Nothing stored: the data holds no records.")
        assert len(store.triples(catalogue.publishing.source_graph("endpoint"))) == 49  # still the first
    finally:
        store.close()
        requests.post(oxigraph_server + "/update", data={"update": "DROP SILENT DEFAULT"}, timeout=10)


def test_the_scheduler_harvests_in_the_background_and_stops(tmp_path, settings, web):
    store = EmbeddedStore(tmp_path / "store")
    try:
        catalogue = Catalogue(replace(settings, allow_private_urls=True), store)
        assert federation.start_scheduler(catalogue, 0).thread is None  # 0: off
        federation.configure_harvest(store, catalogue.graphs, "example", web.url + "/good.ttl")
        scheduler = federation.start_scheduler(catalogue, 0.05)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                state = federation.harvest_state(store, catalogue.graphs, "example")
                if state.status == "stored":
                    break
                time.sleep(0.05)
            assert state.status == "stored", state
        finally:
            scheduler.stop()
        assert not scheduler.thread.is_alive()
    finally:
        store.close()


def test_the_interval_setting_comes_from_the_environment():
    from catalogue.settings import load_settings

    assert load_settings({}).harvest_interval == 0
    assert load_settings({"CATALOGUE_HARVEST_INTERVAL": "300"}).harvest_interval == 300


# the command


def test_cli_configure_harvest_due_status_and_exit_codes(run_cli, web):
    allow = {"CATALOGUE_ALLOW_PRIVATE_URLS": "true"}
    for slug, path in (("example", "/good.ttl"), ("broken", "/broken.ttl")):
        proc = run_cli("harvest", "configure", slug, "--url", web.url + path, "--every", "PT6H")
        assert proc.returncode == 0, proc.stderr.decode()
        assert b"every PT6H" in proc.stdout

    proc = run_cli("harvest", "--due", "--json", env=allow)
    assert proc.returncode == 1, proc.stderr.decode()  # one rejected
    outcomes = {o["source"]: o for o in json.loads(proc.stdout)}
    assert outcomes["example"]["status"] == "stored"
    assert outcomes["example"]["report"]["records"] == {"accepted": 3, "rejected": 0}
    assert outcomes["broken"]["status"] == "rejected"
    assert "could not be read" in outcomes["broken"]["message"]

    proc = run_cli("harvest", "--due", env=allow)
    assert (proc.returncode, proc.stdout) == (0, b"no source is due for harvesting\n")

    proc = run_cli("harvest", "status", "--json")
    assert proc.returncode == 0
    assert {s["source"]: s["status"] for s in json.loads(proc.stdout)} == \
        {"example": "stored", "broken": "rejected"}

    proc = run_cli("harvest", "example", env=allow)  # on demand, whatever the schedule
    assert proc.returncode == 0 and proc.stdout.startswith(b"example: stored. Stored: 3 records")

    for bad in (["--due", "example"], ["configure", "example", "--url", "ftp://h/x"],
                ["no-such-source"], ["example", "--url", "https://h/x"]):
        proc = run_cli("harvest", *bad)
        assert proc.returncode == 2, (bad, proc.stderr.decode())
        assert proc.stderr


def test_harvest_due_from_cron_defers_to_the_process_running_the_harvests(tmp_path, monkeypatch, capsys):
    """`catalogue harvest --due` takes the harvests' lease as a server's scheduler does: while
    another process holds it, the cron run harvests nothing and says who does; once it is
    free, the run takes it, harvests and gives it back."""
    import argparse

    from catalogue.background import Lease
    from catalogue.settings import load_settings
    from catalogue_cli import harvest as cli

    catalogue = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    ran: list[bool] = []
    monkeypatch.setattr(cli, "harvest_due", lambda c: ran.append(True) or [])
    args = argparse.Namespace(due=True, json=False, targets=[])
    try:
        scheduler = Lease(catalogue, "harvests")  # a server's scheduler, in another process
        assert scheduler.take()
        assert cli._cli_harvest(catalogue, args) == 0 and ran == []
        assert "harvests are being run by" in capsys.readouterr().err
        scheduler.release()
        assert cli._cli_harvest(catalogue, args) == 0 and ran == [True]
        assert Lease(catalogue, "harvests").holder() is None  # given back
    finally:
        catalogue.close()
