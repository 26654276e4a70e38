"""Two runs of one source in two processes at once (issue 17: many web workers on one store).

The per-source lock (``pipeline._locks``) holds in one process only. Another process's run
is played here by an ingest under a lock of its own, started while the first run is about
to switch: the first run's switch then finds another version current and changes nothing.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest

from catalogue.app import Catalogue
from catalogue.ingest import pipeline
from catalogue.ingest.pipeline import SwitchConflict
from tests.test_reingest_speed import EX, dump


@pytest.fixture
def other_process_runs_first(monkeypatch):
    """Make the next run's switch come after a whole run of ``other(catalogue)``, made as
    by another process (its own locks)."""
    pending: list = []
    real = pipeline._provenance

    def provenance(*args, **kwargs):
        if pending:
            other = pending.pop()
            with monkeypatch.context() as m:
                m.setattr(pipeline, "_locks", defaultdict(threading.Lock))
                other()
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_provenance", provenance)
    return pending


def _source_graphs(c: Catalogue) -> set[str]:
    return {g.value for g in c.store.named_graphs() if "/example/" in g.value}


def test_a_run_switched_after_another_process_stored_a_version_keeps_nothing(store, settings,
                                                                             other_process_runs_first):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    assert c.publishing.ingest("example", dump(), filename="x.ttl").stored
    theirs: list = []

    def their_run() -> None:
        theirs.append(c.publishing.ingest("example", dump(titles={3: "Three, theirs"}), filename="x.ttl"))
        theirs.append(_source_graphs(c))  # what the store holds once their run ended

    other_process_runs_first.append(their_run)
    with pytest.raises(SwitchConflict, match="another run stored a version of source 'example'"):
        c.publishing.ingest("example", dump(titles={4: "Four, ours"}), filename="x.ttl")
    assert theirs[0].stored
    titles = {t.object.value for t in c.store.triples(c.publishing.source("example").graph)}
    assert "Three, theirs" in titles and "Four, ours" not in titles
    assert len(c.publishing.runs("example")) == 2  # the first ingest and theirs: ours recorded nothing
    # our version, its verdicts and its run's report (written before their run) were dropped
    left, dropped = _source_graphs(c), theirs[1] - _source_graphs(c)
    assert left < theirs[1] and len(dropped) == 3 and len({g.rsplit("/", 1)[1] for g in dropped}) == 1
    # sent again, ours is compared with their version and stored
    again = c.publishing.ingest("example", dump(titles={4: "Four, ours"}), filename="x.ttl")
    assert again.stored and again.diff.changed == [EX + "solution-3", EX + "solution-4"]
    assert len(c.publishing.runs("example")) == 3


def test_a_first_ingest_loses_to_another_processs_first_ingest(store, settings, other_process_runs_first):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    other_process_runs_first.append(
        lambda: c.publishing.ingest("example", dump(titles={1: "One, theirs"}), filename="x.ttl"))
    with pytest.raises(SwitchConflict):
        c.publishing.ingest("example", dump(), filename="x.ttl")
    titles = {t.object.value for t in c.store.triples(c.publishing.source("example").graph)}
    assert "One, theirs" in titles
    assert len(c.publishing.runs("example")) == 1
