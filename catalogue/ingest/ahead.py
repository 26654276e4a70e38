"""The new version graph written while its records are still being validated.

Why: a re-harvest that changes 1% of a catalogue still writes the whole new version (one
graph per version, kept for roll back), and that write is the largest single step of an
ingest (about as long as pyoxigraph's ``bulk_load`` of the dump, which releases the GIL).
Validating the records, reading the previous verdicts, checking ownership and computing
the diff take about as long again and do not need the write. So once the records are
indexed and the dump is known to differ from the current version, every record's triples
are written, in a thread, into the graph the run will publish if every record is
accepted; the ingest goes on meanwhile.

The graph is the run's own new version (a name no one else writes) and nobody reads it
before the switch publishes it, as with the write it replaces. If a record is refused
(SHACL or ownership), the run stores nothing, or it turns out that the version need not
be written, the graph is dropped and the run writes what it would have written anyway:
the store ends as it would have without the head start.
"""

from __future__ import annotations

import logging
import threading

import pyoxigraph as ox

from catalogue.ingest.records import RecordIndex
from catalogue.store import Store

log = logging.getLogger(__name__)


class WriteAhead:
    """One run's head start on writing its version graph; :meth:`start` at most once."""

    def __init__(self, store: Store, graph: ox.NamedNode) -> None:
        self.store, self.graph = store, graph
        self._thread: threading.Thread | None = None
        self._records = 0
        self._error: BaseException | None = None

    def __enter__(self) -> WriteAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # a no-op once the run published the graph it wrote

    def start(self, index: RecordIndex) -> None:
        """Write every record of ``index`` into the graph, in a thread."""
        if self._thread is not None:
            return
        self._records = len(index.records)

        def write() -> None:
            try:
                self.store.write_graph(self.graph, index.stored_triples(index.records))
            except BaseException as exc:  # noqa: BLE001 - re-raised by finish() in the run
                self._error = exc

        self._thread = threading.Thread(target=write, name="ingest-write-ahead", daemon=True)
        self._thread.start()

    def finish(self, accepted: int) -> bool:
        """Whether the graph holds exactly the version to publish: it was written whole and
        all its records (``accepted`` of them) were accepted. Otherwise the graph is
        dropped (the caller writes the accepted records itself).

        :raise StoreError: the write failed (the graph is dropped first).
        """
        if self._thread is None:
            return False
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            self.discard()
            raise error
        if accepted == self._records:
            self._thread = None  # the run's graph now: dropped by the run if it fails later
            return True
        self.discard()
        return False

    def discard(self) -> None:
        """Drop the graph if it was written (a refused or unneeded run); never raises."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        try:
            self.store.drop_graph(self.graph)
        except Exception:  # noqa: BLE001 - cleanup must not mask the run's own outcome
            log.warning("the write-ahead graph %s could not be dropped", self.graph.value, exc_info=True)
