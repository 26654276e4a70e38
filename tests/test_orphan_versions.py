"""An ingest killed before its final transaction leaves graphs nobody recorded: a version
(maybe truncated), its quarantine, its run report. On both backends: roll back refuses such
a version (only versions a stored run recorded count), start-up drops them (all of them on
the embedded store, only old ones on a shared remote store, where another process may be
writing right now) and nothing recorded, never an ingest this process is running."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.ingest import history
from catalogue.ingest.history import HistoryError
from catalogue.ingest.pipeline import new_version, reclaim_orphans
from catalogue.store import EmbeddedStore
from tests.test_history import second_version
from tests.test_ingest import NO_CONTACT_ON_2

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def catalogue(store, settings):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    return c


def killed_ingest(catalogue: Catalogue, started: datetime, *, quarantine: bool = True) -> list[ox.NamedNode]:
    """The graphs an ingest started at ``started`` wrote before it was killed: half of the
    current version's triples, a quarantine, a run report; no provenance, no switch."""
    version = new_version(started)
    g = catalogue.graphs
    triples = catalogue.store.triples(catalogue.publishing.source_graph("example"))
    written = [g.source("example", version), g.run("example", version)]
    catalogue.store.write_graph(written[0], triples[: len(triples) // 2])
    catalogue.store.write_graph(written[1], triples[:3])
    if quarantine:
        written.append(g.quarantine("example", version))
        catalogue.store.write_graph(written[2], triples[:3])
    return written


def state(catalogue: Catalogue) -> tuple:
    return (catalogue.publishing.source("example"), catalogue.store.count(catalogue.graphs.provenance),
            catalogue.store.count(catalogue.graphs.registry))


def test_roll_back_refuses_a_version_no_run_recorded(catalogue):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    first = catalogue.publishing.source("example").version
    catalogue.publishing.ingest("example", second_version(), filename="x.ttl")
    orphan = killed_ingest(catalogue, datetime.now(UTC))[0].value.rsplit("/", 1)[-1]
    assert catalogue.publishing.versions("example") == sorted([first, catalogue.publishing.source("example").version],
                                                   reverse=True)  # the orphan is not offered
    before = state(catalogue)
    with pytest.raises(HistoryError, match="was never stored: no run records it"):
        catalogue.publishing.rollback("example", orphan)
    assert state(catalogue) == before  # nothing published, nothing recorded
    catalogue.publishing.rollback("example", first)  # a recorded one still is
    assert catalogue.publishing.source("example").version == first


def test_start_up_drops_the_graphs_of_killed_ingests_and_nothing_recorded(catalogue):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    first = catalogue.publishing.source("example").version
    catalogue.publishing.ingest("example", NO_CONTACT_ON_2, filename="x.ttl", mode="partial")  # a quarantine
    catalogue.publishing.rollback("example", first)  # a run graph of its own, generating an older version
    recorded = set(catalogue.store.named_graphs())
    old = killed_ingest(catalogue, LONG_AGO)
    fresh = killed_ingest(catalogue, datetime.now(UTC))
    before = state(catalogue)

    dropped = catalogue.publishing.recover().dropped_graphs

    left = set(catalogue.store.named_graphs())
    if isinstance(catalogue.store, EmbeddedStore):  # nothing else can be writing: all go
        assert sorted(dropped) == sorted(g.value for g in old + fresh)
        assert left == recorded
    else:  # a shared store: a recent one may be another process's ingest under way
        assert sorted(dropped) == sorted(g.value for g in old)
        assert left == recorded | set(fresh)
    assert state(catalogue) == before
    assert catalogue.publishing.recover().dropped_graphs == []  # nothing more to do


def test_a_later_ingest_of_the_source_reclaims_its_old_orphans(catalogue):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    old = killed_ingest(catalogue, LONG_AGO)
    fresh = killed_ingest(catalogue, datetime.now(UTC), quarantine=False)
    catalogue.publishing.ingest("example", second_version(), filename="x.ttl")
    left = set(catalogue.store.named_graphs())
    assert not set(old) & left
    assert set(fresh) <= left  # maybe another process's ingest: start-up or an hour decides


def test_start_up_waits_for_an_ingest_this_process_is_running(catalogue, monkeypatch):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    written, go = threading.Event(), threading.Event()
    real = history.run_triples

    def slow_run_triples(*args, **kwargs):  # the new version is written, not yet recorded
        written.set()
        go.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(history, "run_triples", slow_run_triples)
    ingest = threading.Thread(target=catalogue.publishing.ingest, args=("example", second_version()),
                              kwargs={"filename": "x.ttl"})
    ingest.start()
    assert written.wait(30)
    dropped: list = []
    start_up = threading.Thread(target=lambda: dropped.extend(
        reclaim_orphans(catalogue.store, catalogue.settings, exclusive=True)))
    start_up.start()
    start_up.join(1)
    assert start_up.is_alive()  # it waits for the source's ingest lock
    go.set()
    ingest.join(30)
    start_up.join(30)
    assert dropped == []
    current = catalogue.publishing.source("example").graph
    assert catalogue.store.count(current) > 0 and current.value.endswith(
        catalogue.publishing.runs("example")[0]["id"])


def test_the_cli_refuses_to_roll_back_to_an_orphan_and_init_drops_it(run_cli, tmp_path):
    path = tmp_path / "good.ttl"
    path.write_bytes(GOOD)
    assert run_cli("ingest", str(path), "--source", "example").returncode == 0
    store = EmbeddedStore(tmp_path / "cli-store")
    try:
        from catalogue.settings import load_settings

        orphans = killed_ingest(Catalogue(load_settings({}), store), datetime.now(UTC))
    finally:
        store.close()
    version = orphans[0].value.rsplit("/", 1)[-1]
    refused = run_cli("rollback", "example", version)
    assert refused.returncode == 2 and b"was never stored" in refused.stderr, refused.stderr
    assert version.encode() not in run_cli("history", "example").stdout
    assert run_cli("init", "--no-demo").returncode == 0
    store = EmbeddedStore(tmp_path / "cli-store")
    try:
        assert not set(orphans) & set(store.named_graphs())
    finally:
        store.close()
