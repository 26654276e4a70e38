"""The new version graph written while its records are still being validated.

Why: a re-harvest that changes 1% of a catalogue still writes the whole new version (one
graph per version, kept for roll back), and that write is the largest single step of an
ingest (about as long as pyoxigraph's ``bulk_load`` of the dump, which releases the GIL).
Parsing, splitting and validating the records, reading the previous verdicts, checking
ownership and computing the diff take about as long again and do not need the write. So
the graph the run will publish if every record is accepted is written in a thread while
the ingest goes on, from one of two starts:

* :meth:`WriteAhead.start_dump`: the dump's bytes as they are about to be parsed, loaded
  by the store itself (a store whose loader runs outside Python: the embedded one). The
  ingest calls it when the dump is not byte for byte one the current version was made
  from, or there is no current version: the write then runs beside the whole parse.
* :meth:`WriteAhead.start`: every record's triples, once the records are indexed and one
  is known to differ from the current version.

The graph is the run's own new version (a name no one else writes) and nobody reads it
before the switch publishes it, as with the write it replaces. If a record is refused
(SHACL or ownership), the run stores nothing, the dump held triples no record stores, or
it turns out that the version need not be written, the graph is dropped and the run
writes what it would have written anyway: the store ends as it would have without the
head start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pyoxigraph as ox

from catalogue.formats import Format
from catalogue.ingest.records import RecordIndex
from catalogue.store import Store

log = logging.getLogger(__name__)


class WriteAhead:
    """One run's head start on writing its version graph: the first start counts."""

    def __init__(self, store: Store, graph: ox.NamedNode) -> None:
        self.store, self.graph = store, graph
        self._thread: threading.Thread | None = None
        self._whole_dump = False  # started from the dump's bytes, not from its records
        self._error: BaseException | None = None
        self._loaded: list[int | None] = []  # the graph's size after a load another parser made

    def __enter__(self) -> WriteAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # a no-op once the run published the graph it wrote

    def start(self, index: RecordIndex) -> None:
        """Write every record of ``index`` into the graph, in a thread (unless started)."""
        self._run(lambda: self.store.write_graph(self.graph, index.stored_triples(index.records)))

    def start_dump(self, data: bytes, format: Format) -> None:
        """Load the dump ``data`` as it is about to be parsed into the graph, in a thread,
        if the store loads outside Python and ``format`` holds triples only (a dataset's
        graph names are merged by the parse, not by a load into one graph)."""
        rdf = format.rdf
        if rdf is None or rdf.supports_datasets or not self.store.loads_natively_as(rdf):
            return
        if self._run(lambda: self._loaded.append(self.store.load_graph(self.graph, data, rdf))):
            self._whole_dump = True

    def _run(self, write: Callable[[], object]) -> bool:
        if self._thread is not None:
            return False

        def run() -> None:
            try:
                write()
            except BaseException as exc:  # noqa: BLE001 - re-raised by finish() in the run
                self._error = exc

        self._thread = threading.Thread(target=run, name="ingest-write-ahead", daemon=True)
        self._thread.start()
        return True

    def finish(self, index: RecordIndex, accepted: int) -> bool:
        """Whether the graph holds exactly the version to publish: it was written whole,
        all the records of ``index`` (``accepted`` of them) were accepted, and, when it was
        loaded from the dump, the records store every triple of it (and a server that parsed
        the dump itself found as many triples as this process did). Otherwise the graph is
        dropped (the caller writes the accepted records itself).

        :raise StoreError: the write of the records failed (the graph is dropped first); a
            failed load of the dump is not raised (the caller's own write says what is wrong).
        """
        if self._thread is None:
            return False
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            self.discard()
            if self._whole_dump:
                log.warning("the dump could not be loaded ahead into %s: %s", self.graph.value, error)
                return False
            raise error
        if accepted == len(index.records) and (not self._whole_dump or (
                index.stores_everything() and self._read_alike(index))):
            self._thread = None  # the run's graph now: dropped by the run if it fails later
            return True
        self.discard()
        return False

    def _read_alike(self, index: RecordIndex) -> bool:
        """Whether a server that parsed the dump itself found as many triples as ours did
        (another version of the parser may read a document otherwise)."""
        loaded = self._loaded[0] if self._loaded else None
        if loaded is None or loaded == index.triple_count():
            return True
        log.warning("the dump loaded ahead into %s holds %s triples, not %s: written from its records",
                    self.graph.value, loaded, index.triple_count())
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
