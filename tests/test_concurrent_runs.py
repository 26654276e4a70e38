"""Two runs of one source in two processes at once (issue 17: many web workers on one store),
and two sources' runs claiming one new record at once (issue 10's rule: a record belongs to
the source that publishes it first).

The per-source lock (``pipeline._locks``) holds in one process only. Another process's run
is played here by an ingest under a lock of its own, started while the first run is about
to switch: the first run's switch then finds another version current and changes nothing.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest

from catalogue.app import Catalogue
from catalogue.errors import ErrorKind
from catalogue.ingest import pipeline
from catalogue.ingest.history import HistoryError
from catalogue.ingest.pipeline import ClaimConflict, SwitchConflict
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


def _elsewhere(data: bytes, keep: int | None = None) -> bytes:
    """``data`` as another repository's: its own collection and solutions, except solution
    ``keep`` (with its release and distribution), which it publishes too."""
    data = data.replace(b"ex:collection", b"ex:their-collection").replace(b"ex:solution-", b"ex:theirs-")
    return data.replace(f"ex:theirs-{keep}".encode(), f"ex:solution-{keep}".encode()) if keep else data


def _describers(c: Catalogue, iri: str) -> set[str]:
    """The sources whose current graph types ``iri``."""
    return {slug for slug in ("example", "other") if (graph := c.publishing.source(slug).graph)
            and any(t.subject.value == iri for t in c.store.triples(graph))}


def test_a_record_another_source_published_meanwhile_is_not_published_twice(store, settings,
                                                                          other_process_runs_first):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    c.publishing.register_source("other", "Another repository")
    theirs: list = []
    # their first dump has solution 7 too, and is stored between our ownership check and our switch
    other_process_runs_first.append(lambda: theirs.append(
        c.publishing.ingest("other", _elsewhere(dump(), keep=7), filename="o.ttl")))
    with pytest.raises(ClaimConflict, match=f"source 'other' published {EX}solution-7 .*send it again") as e:
        c.publishing.ingest("example", dump(), filename="x.ttl")
    assert e.value.error_kind is ErrorKind.CONFLICT
    assert theirs[0].stored
    assert c.publishing.source("example").graph is None and c.publishing.runs("example") == []
    assert _source_graphs(c) == set()  # our version, verdicts and run report were dropped
    assert _describers(c, EX + "solution-7") == {"other"}
    # sent again, the report names the record that is theirs (strict mode: nothing stored)
    again = c.publishing.ingest("example", dump(), filename="x.ttl")
    assert not again.stored and "other" in again.as_text() and EX + "solution-7" in again.as_text()


def test_another_sources_run_meanwhile_on_other_records_does_not_stop_a_run(store, settings,
                                                                            other_process_runs_first):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    c.publishing.register_source("other", "Another repository")
    other_process_runs_first.append(
        lambda: c.publishing.ingest("other", _elsewhere(dump()), filename="o.ttl"))
    report = c.publishing.ingest("example", dump(), filename="x.ttl")  # checked again, then switched
    assert report.stored
    assert c.publishing.source("other").graph is not None
    assert _describers(c, EX + "solution-7") == {"example"}
    assert _describers(c, EX + "theirs-7") == {"other"}


def test_a_version_with_a_record_another_source_took_since_is_not_rolled_back_to(store, settings):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    c.publishing.register_source("other", "Another repository")
    assert c.publishing.ingest("example", dump(extra=1), filename="x.ttl").stored
    first = c.publishing.versions("example")[0]
    assert c.publishing.ingest("example", dump(), filename="x.ttl").stored  # solution 31 withdrawn
    assert c.publishing.ingest("other", _elsewhere(dump(extra=1), keep=31), filename="o.ttl").stored
    with pytest.raises(HistoryError, match=f"describes 3 record.*{EX}solution-31 .*source 'other'") as e:
        c.publishing.rollback("example", first)
    assert e.value.error_kind is ErrorKind.CONFLICT
    assert _describers(c, EX + "solution-31") == {"other"}
    assert len(c.publishing.runs("example")) == 2  # the roll back recorded nothing
