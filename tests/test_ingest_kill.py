"""Killed at any moment, an ingest leaves the old version or the new one, never a mix.

A real `catalogue ingest` runs in a subprocess on a copy of a store that holds version 1;
it is SIGKILLed at points spread over its whole run (parse, validation, staging write,
the final transaction), then the store is reopened and the source's graph counted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalogue.graphs import Graphs
from catalogue.ingest import ingest
from catalogue.ingest.registry import current
from catalogue.settings import load_settings
from catalogue.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_text()


def replicated(copies: int) -> bytes:
    """The fixture dump repeated with distinct IRIs (prefixes declared once)."""
    head = "\n".join(ln for ln in GOOD.splitlines() if ln.startswith("@prefix"))
    body = "\n".join(ln for ln in GOOD.splitlines() if not ln.startswith("@prefix"))
    parts = [head]
    for i in range(copies):
        parts.append(body.replace("ex:", f"ex:c{i}-").replace("http://repo.example.org/", "http://repo.example.org/"))
    return "\n".join(parts).encode()


def count_source(path: Path, settings) -> int:
    store = EmbeddedStore(path)
    try:
        graph = current(store, Graphs(settings.base_uri), "big").graph
        return store.count(graph) if graph else 0
    finally:
        store.close()


def published_at(path: Path, settings) -> float:
    """When the source's current version was switched in (its ingest run's end), as epoch s."""
    from datetime import datetime

    store = EmbeddedStore(path)
    try:
        rows = store.select(
            "SELECT (MAX(?ended) AS ?t) WHERE { GRAPH ?g { ?run "
            "<https://catalogue.example.org/def/catalogue#source> \"big\" ; "
            "<http://www.w3.org/ns/prov#endedAtTime> ?ended } }")
        return datetime.fromisoformat(rows.rows[0]["t"].value).timestamp()
    finally:
        store.close()


@pytest.mark.timeout_sensitive
def test_killed_ingest_leaves_old_or_new_version(tmp_path):
    v1, v2 = replicated(200), replicated(1500)
    base = tmp_path / "base"
    settings = load_settings({}, store=str(base))
    store = EmbeddedStore(base)
    report = ingest(store, settings, "big", v1, format="ttl")
    assert report.stored, report.as_text()
    store.close()
    old = count_source(base, settings)
    dump = tmp_path / "v2.ttl"
    dump.write_bytes(v2)

    def run(copy: Path, kill_after: float | None) -> int | None:
        env = {**os.environ, "CATALOGUE_STORE": str(copy), "CATALOGUE_BASE_URI": settings.base_uri}
        proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "ingest", str(dump),
                                 "--source", "big"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill_after is None:
            return proc.wait(300)
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        return None

    full = tmp_path / "full"
    shutil.copytree(base, full)
    started = time.time()
    assert run(full, None) == 0
    # kills are spread over the time until the new version was published (the provenance
    # record's end time), and a little beyond; what follows (search indexing) is not ingest
    duration = (published_at(full, settings) - started) * 1.15
    new = count_source(full, settings)
    assert new > old

    outcomes = []
    for i, fraction in enumerate((0.2, 0.4, 0.55, 0.7, 0.8, 0.88, 0.94, 0.98)):
        copy = tmp_path / f"trial-{i}"
        shutil.copytree(base, copy)
        run(copy, duration * fraction)
        n = count_source(copy, settings)
        assert n in (old, new), f"killed at {fraction:.0%}: {n} triples, neither {old} nor {new}"
        outcomes.append(n)
    # the trials must have covered both outcomes, or they proved little
    assert old in outcomes
