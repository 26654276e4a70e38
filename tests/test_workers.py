"""Many web workers (issue 17, item 3): `catalogue serve --workers N` over a remote store,
what they derive kept right across them, background work run once (leases in the store),
usage counts of several workers adding up."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from catalogue.app import Catalogue
from catalogue.background import Lease
from catalogue.settings import load_settings
from catalogue.store import RemoteStore
from tests.conftest import DATA, ROOT, free_port, running_oxigraph, wait_for

MARK = "Zyxwvutian"  # a word no other record has
SOLUTION = "http://repo.example.org/workers/solution-1"


@pytest.fixture(scope="module")
def sparql(tmp_path_factory):
    """An Oxigraph server of this module's own (others' tests drop every graph of the shared one)."""
    with running_oxigraph(tmp_path_factory.mktemp("ox")) as url:
        yield url


def _env(sparql: str, store: Path, **extra: str) -> dict:
    return {**os.environ, "CATALOGUE_SPARQL_QUERY_URL": sparql + "/query", "CATALOGUE_STORE": str(store),
            "CATALOGUE_SHACL_ENGINE": "turbo", **extra}


def _cli(env: dict, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT, input=input,
                          capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def site(sparql, tmp_path_factory):
    """`catalogue serve --workers 2` on the demo catalogue in the Oxigraph server; yields
    (url, env, the server's process)."""
    env = _env(sparql, tmp_path_factory.mktemp("machine-a") / "store")
    done = _cli(env, "init", "--no-standards")
    assert done.returncode == 0, done.stderr.decode()
    port = free_port()
    log = tempfile.TemporaryFile()  # not a pipe: nobody reads it while the module runs
    proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--workers", "2", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/-/health", timeout=60)
        yield url, env, proc
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def _by_worker(url: str, path: str, tries: int = 60) -> dict[str, requests.Response]:
    """An answer to ``path`` from each worker that answered in ``tries`` fresh connections
    (``""``: a server of one process, which does not name it)."""
    found: dict[str, requests.Response] = {}
    for _ in range(tries):
        answer = requests.get(url + path, timeout=30, headers={"Connection": "close"})
        found.setdefault(answer.headers.get("X-Catalogue-Process", ""), answer)
    return found


def _workers(url: str) -> set[str]:
    return set(_by_worker(url, "/-/health"))


def test_requests_reach_both_worker_processes(site):
    url, _, proc = site
    pids = _workers(url)
    assert len(pids) == 2 and str(proc.pid) not in pids


def _health_checks(metrics: str) -> float:
    """``/-/health`` GETs answered 2xx, as a /-/metrics text counts them."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("catalogue_http_requests_total{") and 'route="/-/health"' in line
               and 'method="GET"' in line and 'status="2xx"' in line)


def test_metrics_count_every_workers_requests_whichever_worker_is_scraped(site):
    """prometheus_client's multiprocess mode: a scrape reaching either worker counts the
    requests both answered (each worker alone would count only its own)."""
    url, _, _ = site
    before = {_health_checks(r.text) for r in _by_worker(url, "/-/metrics", tries=20).values()}
    assert len(before) == 1
    answered_by: dict[str, int] = {}
    for _ in range(40):
        pid = requests.get(url + "/-/health", timeout=30, headers={"Connection": "close"}).headers["X-Catalogue-Process"]
        answered_by[pid] = answered_by.get(pid, 0) + 1
    assert len(answered_by) == 2  # both answered some
    after = {pid: _health_checks(r.text) for pid, r in _by_worker(url, "/-/metrics", tries=20).items()}
    assert len(after) == 2 and set(after.values()) == {before.pop() + 40}, (after, answered_by)
    text = requests.get(url + "/-/metrics", timeout=30).text
    for name in ("catalogue_response_cache_hits_total", "catalogue_response_cache_bytes",
                 "catalogue_response_cache_max_bytes", 'catalogue_ingests_total{outcome="stored"}'):
        assert name in text, name


def test_an_ingest_elsewhere_is_seen_by_every_worker_within_seconds(site, sparql, tmp_path):
    """Ingested by a process of another machine (another search index directory): each
    worker finds the new record in its search, on its page and in its counts."""
    url, _, _ = site
    before = {pid: r.text for pid, r in _by_worker(url, "/").items()}
    dump = (DATA / "ingest" / "two-solutions.ttl").read_text().replace("Open e-Invoicing Gateway", f"{MARK} Gateway")
    dump = dump.replace("<http://repo.example.org/>", "<http://repo.example.org/workers/>")
    elsewhere = _env(sparql, tmp_path / "machine-b" / "store")
    done = _cli(elsewhere, "ingest", "-", "--source", "workers-test", "--format", "ttl", input=dump.encode())
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    deadline, seen = time.monotonic() + 20, {}
    while time.monotonic() < deadline and len(seen) < 2:
        for pid, answer in _by_worker(url, f"/search?q={MARK}", tries=10).items():
            if MARK in answer.text:
                seen[pid] = time.monotonic()
        time.sleep(0.3)
    assert len(seen) == 2, f"the new record was found by {len(seen)} of 2 workers in 20 s"
    for pid, answer in _by_worker(url, f"/resource?uri={SOLUTION}").items():
        assert answer.status_code == 200 and MARK in answer.text, pid
    after = _by_worker(url, "/")
    assert all(after[pid].text != before.get(pid) for pid in after)  # the home page's counts moved


def test_a_worker_that_dies_is_replaced(site):
    url, _, _ = site
    pids = _workers(url)
    victim = sorted(pids)[0]
    os.kill(int(victim), signal.SIGKILL)
    deadline = time.monotonic() + 30
    now: set[str] = set()
    while time.monotonic() < deadline:
        try:
            now = _workers(url)
        except requests.RequestException:
            now = set()
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.5)
    assert len(now) == 2 and victim not in now


def test_more_workers_than_one_on_the_embedded_store_are_refused(tmp_path):
    done = _cli({**os.environ, "CATALOGUE_STORE": str(tmp_path / "store")}, "serve", "--workers", "2",
                "--port", str(free_port()))
    assert done.returncode == 2
    message = done.stderr.decode()
    assert "embedded store" in message and "CATALOGUE_SPARQL_QUERY_URL" in message


RACE = """
import sys, time
from datetime import timedelta
from catalogue.app import Catalogue
from catalogue.background import Lease
from catalogue.settings import load_settings
settings = load_settings({}, store=sys.argv[2], sparql_query_url=sys.argv[1] + "/query")
catalogue = Catalogue(settings)
leases = [Lease(catalogue, f"race-{i}", ttl=timedelta(minutes=1)) for i in range(int(sys.argv[4]))]
catalogue.store  # connected before the start line
for i, lease in enumerate(leases):
    time.sleep(max(0.0, float(sys.argv[3]) + 2.0 * i - time.time()))  # all processes at once
    print(int(lease.take()), flush=True)
"""


def test_of_processes_racing_for_a_lease_exactly_one_holds_it(sparql, tmp_path):
    rounds = 4
    start = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", RACE, sparql, str(tmp_path / f"s{i}"), str(start), str(rounds)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(3)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        results.append([int(x) for x in out.split()])
    assert [sum(r[i] for r in results) for i in range(rounds)] == [1] * rounds


def test_two_background_workers_hold_each_lease_once(sparql, tmp_path):
    """Two `catalogue background` instances on one store: each job's lease has one live
    claim marked as holding it (a racing claim lives a moment, unmarked, until withdrawn), so
    the harvests and the mails run in one of them only."""
    env = _env(sparql, tmp_path / "store", CATALOGUE_HARVEST_INTERVAL="1", CATALOGUE_NOTIFY_INTERVAL="1")
    procs = [subprocess.Popen([sys.executable, "-m", "catalogue_cli", "background"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    catalogue = Catalogue(load_settings({}, store=str(tmp_path / "reader"), sparql_query_url=sparql + "/query"))
    try:
        deadline = time.monotonic() + 40
        holders: dict[str, list[str]] = {}
        while time.monotonic() < deadline:
            now = datetime.now(UTC)
            holders = {name: [c.owner for c in Lease(catalogue, name).claims() if c.until > now and c.held]
                       for name in ("harvests", "notifications")}
            if all(holders.values()):
                break
            time.sleep(0.5)
        time.sleep(3)  # several more rounds of both: still one claim each, renewed
        now = datetime.now(UTC)
        again = {name: [c.owner for c in Lease(catalogue, name).claims() if c.until > now and c.held]
                 for name in ("harvests", "notifications")}
        assert all(len(owners) == 1 for owners in holders.values()), holders
        assert again == holders
        assert {o.rsplit(":", 1)[1] for owners in again.values() for o in owners} <= {str(p.pid) for p in procs}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        catalogue.close()


def test_usage_flushed_by_two_workers_at_once_adds_up_and_merges(sparql, tmp_path):
    RemoteStore(sparql + "/query", sparql + "/update").update(
        "DROP SILENT GRAPH <https://catalogue.example.org/graph/usage>")
    workers = [Catalogue(load_settings({}, store=str(tmp_path / f"w{i}"), sparql_query_url=sparql + "/query"))
               for i in range(2)]
    resource, rounds, per_round = "http://example.org/workers/page", 15, 7

    def work(catalogue: Catalogue) -> None:
        for _ in range(rounds):
            catalogue.usage.count(resource, "views", per_round)
            catalogue.usage.flush()

    try:
        threads = [threading.Thread(target=work, args=(c,)) for c in workers for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = 2 * 2 * rounds * per_round
        today = workers[0].usage.today()
        assert workers[0].usage.per_day(resource, 1, until=today)[-1].views == expected
        assert workers[1].usage.compact() == 1
        assert workers[0].usage.per_day(resource, 1, until=today)[-1].views == expected
        nodes = workers[0].store.triples(workers[0].graphs.usage)
        assert len({t.subject for t in nodes}) == 1
        assert workers[0].usage.compact() == 0  # nothing left to merge
    finally:
        for c in workers:
            c.close()


def test_a_lease_lapses_when_its_holder_stops_renewing(sparql, tmp_path):
    clock = [datetime.now(UTC)]
    catalogue = Catalogue(load_settings({}, store=str(tmp_path / "s"), sparql_query_url=sparql + "/query"))
    try:
        first = Lease(catalogue, "lapse", ttl=timedelta(seconds=30), settle=0.0, clock=lambda: clock[0])
        second = Lease(catalogue, "lapse", ttl=timedelta(seconds=30), settle=0.0, clock=lambda: clock[0])
        assert first.take() and not second.take()
        assert first.take()  # renewed
        clock[0] += timedelta(seconds=31)  # the first stopped renewing
        assert second.take() and not first.take()
        second.release()
        assert first.take()
    finally:
        catalogue.close()


def _claims_blindly(run):
    """``updates.run`` as if this claimant's ``lease_claim`` ran on a snapshot taken before
    any other claim was added (its condition asks about another lease, so it adds its claim)."""
    def blind(store, name, **params):
        if name == "lease_claim":
            params = {**params, "lease": ox.NamedNode(params["lease"].value + "-seen-empty")}
        return run(store, name, **params)
    return blind


def test_a_claim_that_lands_after_the_holder_read_the_claims_does_not_hold_too(sparql, tmp_path, monkeypatch):
    """The race the read-back alone lost under load: the second claimant's update ran on a
    snapshot without the first claim but ended after the first claimant had read the claims
    back (and found itself alone). Its claim is the earlier by its clock, yet it does not
    hold, because the first claim is marked; the first keeps the lease."""
    from catalogue.background import lease as lease_module

    catalogue = Catalogue(load_settings({}, store=str(tmp_path / "s"), sparql_query_url=sparql + "/query"))
    real = lease_module.updates.run
    try:
        first = Lease(catalogue, "late", settle=0.0)
        second = Lease(catalogue, "late", settle=0.0, clock=lambda: datetime.now(UTC) - timedelta(seconds=5))
        assert first.take()
        monkeypatch.setattr(lease_module.updates, "run", _claims_blindly(real))
        assert not second.take()
        monkeypatch.setattr(lease_module.updates, "run", real)
        assert first.take() and Lease(catalogue, "late").holder() == first.owner
        assert [c.claim for c in first.claims()] == [first._claim_iri().value]  # the loser withdrew
    finally:
        catalogue.close()


def test_of_two_claimants_that_both_marked_the_later_reader_withdraws(sparql, tmp_path, monkeypatch):
    """Both found themselves earliest (they read different claims) and marked their claims:
    each reads the claims again after its own mark, so the later reader sees both marks and
    withdraws. Nobody runs the job twice."""
    from catalogue.background import lease as lease_module

    catalogue = Catalogue(load_settings({}, store=str(tmp_path / "s"), sparql_query_url=sparql + "/query"))
    real = lease_module.updates.run
    try:
        other = Lease(catalogue, "marks", settle=0.0)
        assert other.take()  # marked, and read the claims after its mark
        monkeypatch.setattr(lease_module.updates, "run", _claims_blindly(real))
        mine = Lease(catalogue, "marks", settle=0.0, clock=lambda: datetime.now(UTC) - timedelta(seconds=5))
        settled = mine._settled  # read the claims before the other marked: found itself earliest, alone
        monkeypatch.setattr(mine, "_settled", lambda claim, marked: marked and settled(claim, marked=True)
                            or not marked)
        assert not mine.take()
        monkeypatch.setattr(lease_module.updates, "run", real)
        assert other.take() and Lease(catalogue, "marks").holder() == other.owner
        assert len(other.claims()) == 1
    finally:
        catalogue.close()


def _solutions_count(answer: requests.Response) -> int:
    found = re.search(r"<strong>([\d,.\u202f\u00a0 ]+) solutions?</strong>", answer.text)
    assert found, answer.text[:500]
    return int(re.sub(r"\D", "", found.group(1)))


@pytest.mark.parametrize("workers", [2, 1])
def test_a_server_whose_index_is_rebuilt_serves_the_full_listing_from_every_worker(site, sparql, tmp_path, workers):
    """A machine whose search index directory is empty (no ``built.json``) on a store that
    holds a catalogue: a thread of one worker rebuilds the index under the same data
    version. Each worker's /solutions then lists every solution within seconds, instead of
    the 0 it read while the index was being rebuilt, kept by the caches keyed on the data
    version (issue 17, item 3: the shared response cache kept it for good)."""
    reference = Catalogue(load_settings({}, store=str(tmp_path / "reference" / "store"),
                                        sparql_query_url=sparql + "/query"))
    try:
        reference.search.reindex()
        expected = reference.browse.solutions({}).total
    finally:
        reference.close()
    assert expected > 0
    env = _env(sparql, tmp_path / "machine-c" / "store")
    (tmp_path / "machine-c" / "store-search").mkdir(parents=True)  # an index dir of nothing
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--port", str(port),
                             *(["--workers", str(workers)] if workers > 1 else [])],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/-/health", timeout=60)
        first = {pid: _solutions_count(a) for pid, a in _by_worker(url, "/solutions", tries=10).items()}
        deadline, counts = time.monotonic() + 30, dict(first)
        while time.monotonic() < deadline:
            counts = {pid: _solutions_count(a) for pid, a in _by_worker(url, "/solutions", tries=10).items()}
            if len(counts) == workers and set(counts.values()) == {expected}:
                break
            time.sleep(0.5)
        assert len(counts) == workers and set(counts.values()) == {expected}, (first, counts, expected)
        time.sleep(1.5)  # and it stays so (the shared cache's entries of the empty index are not back)
        again = {pid: _solutions_count(a) for pid, a in _by_worker(url, "/solutions", tries=10).items()}
        assert set(again.values()) == {expected}, again
    finally:
        proc.terminate()
        proc.wait(30)


def test_on_every_backend_a_lease_is_marked_held_and_a_second_claimant_defers(store, settings):
    """The mark reads back as held from each store (Virtuoso keeps booleans as integers),
    so a second claimant defers to it; released, the lease is free for the second."""
    catalogue = Catalogue(settings, store)
    first = Lease(catalogue, "marked", settle=0.0)
    second = Lease(catalogue, "marked", settle=0.0)
    assert first.take()
    assert [c.held for c in first.claims()] == [True]
    assert not second.take() and second.holder() == first.owner
    first.release()
    assert second.take() and [c.held for c in second.claims()] == [True]


def test_the_background_workers_harvests_are_counted_in_the_web_workers_metrics(tmp_path):
    """`serve --workers 2`'s background process harvests; its ingest shows in /-/metrics,
    which web workers answer (prometheus-client's multiprocess files of every process).
    On an Oxigraph server of its own: the others' background workers hold the harvest lease."""
    with running_oxigraph(tmp_path / "ox") as sparql:
        _harvest_counted(sparql, tmp_path)


def _harvest_counted(sparql: str, tmp_path: Path) -> None:
    dump = (DATA / "isolation" / "beta.ttl").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(dump)))
            self.end_headers()
            self.wfile.write(dump)

        def log_message(self, *args):
            pass

    web = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    env = _env(sparql, tmp_path / "store", CATALOGUE_HARVEST_INTERVAL="1",
               CATALOGUE_ALLOW_PRIVATE_URLS="true")
    done = _cli(env, "harvest", "configure", "metered", "--url",
                f"http://127.0.0.1:{web.server_address[1]}/beta.ttl", "--every", "PT6H")
    assert done.returncode == 0, done.stderr.decode()
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--workers", "2", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/-/health", timeout=60)
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status != "stored":  # the harvest ran and was recorded
            time.sleep(0.5)
            found = json.loads(_cli(env, "harvest", "status", "--json").stdout)
            status = {s["source"]: s["status"] for s in found}.get("metered")
        assert status == "stored"
        text = requests.get(url + "/-/metrics", timeout=30).text  # counted before it was recorded
        assert 'catalogue_ingests_total{outcome="stored"} 1.0' in text.splitlines()
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        web.shutdown()
        web.server_close()
