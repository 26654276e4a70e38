"""``Catalogue.operations``: the health of one catalogue, and what happens in it for metrics.

Health: :meth:`Operations.health` runs the checks of ``health`` (the store, the search
index, the background threads the server registered with :meth:`Operations.register`).

Events: the domain tells :meth:`Operations.emit` what an operator counts (an ingest and
how it ended, with its findings; a ``/sparql`` query stopped at its time limit), and
whoever watched (:meth:`Operations.watch`) hears it. Why observers, not Prometheus
counters here: ``catalogue/`` also runs the command line, where nothing is scraped, and a
metrics registry belongs to the process serving HTTP (one per app: tests build many apps).
``webapp/operations.py`` turns the events into Prometheus metrics; the domain never
imports a metrics library, and a watcher that fails is logged, never fails an ingest.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.operations.health import (
    Background,
    Check,
    HasThread,
    Health,
    StoreProbe,
    check_search_index,
)

if TYPE_CHECKING:
    from catalogue.app import Catalogue
    from catalogue.ingest.report import Report

log = logging.getLogger(__name__)

# the server's background threads, as /-/health names them (each "off" until registered)
BACKGROUND = ("harvest_scheduler", "link_checks", "notifier", "usage_flush", "usage_compaction")
SEVERITIES = ("violation", "warning", "info")
# a refusal of what was sent (the sender's to fix), not a failure of the catalogue
_REFUSALS = (ErrorKind.BAD_INPUT, ErrorKind.REFUSED, ErrorKind.TOO_LARGE, ErrorKind.UNSUPPORTED,
             ErrorKind.NOT_FOUND, ErrorKind.FORBIDDEN, ErrorKind.CONFLICT)


@dataclass(frozen=True)
class Ingested:
    """An ingest ended: ``stored``, ``rejected`` (not stored: the dump's problems, or a
    refusal of what was sent) or ``failed`` (the catalogue could not do it); its SHACL
    findings by severity (``violation``, ``warning``, ``info``, else ``other``)."""

    outcome: str
    seconds: float
    findings: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryTimedOut:
    """A visitor's ``/sparql`` query ran past ``CATALOGUE_SPARQL_TIMEOUT`` and was stopped."""

    limit: float


Event = Ingested | QueryTimedOut


def ingested(result: Report | BaseException | None, seconds: float) -> Ingested:
    """The event of an ingest that returned ``result`` (a report, or what it raised)."""
    if isinstance(result, BaseException) or result is None:
        refused = isinstance(result, CatalogueError) and result.error_kind in _REFUSALS
        return Ingested("rejected" if refused else "failed", seconds)
    severities = Counter(f.severity.lower() if f.severity.lower() in SEVERITIES else "other"
                         for f in result.findings)
    return Ingested("stored" if result.stored else "rejected", seconds, dict(severities))


class Operations:
    """Health checks and operational events of one catalogue."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._store = StoreProbe(root)
        self._watchers: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()
        self._background: dict[str, Background] = {name: Background(None) for name in BACKGROUND}
        self._background["usage_flush"] = Background(_UsageFlush(root), "idle")

    # health

    def register(self, name: str, handle: HasThread) -> None:
        """Make a background thread's handle known to the health check (``catalogue serve``
        registers the harvest scheduler, the link checker and the notifier)."""
        with self._lock:
            self._background[name] = Background(handle)

    def health(self) -> Health:
        """The store reachable, the search index fresh, the background threads alive."""
        checks: dict[str, Check] = {"store": self._store.check()}
        checks["search_index"] = (check_search_index(self._root) if checks["store"].ok
                                  else Check(False, "unknown", "the store did not answer"))
        with self._lock:
            background = dict(self._background)
        checks |= {name: b.check() for name, b in background.items()}
        return Health(checks)

    # events

    def watch(self, watcher: Callable[[Event], None]) -> None:
        """Call ``watcher`` with every event from now on (from the thread the event happens in)."""
        with self._lock:
            self._watchers.append(watcher)

    def emit(self, event: Event) -> None:
        """Tell the watchers; one that fails is logged and the others still hear it."""
        with self._lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            try:
                watcher(event)
            except Exception:  # noqa: BLE001 - metrics never break what they measure
                log.exception("an operations watcher failed on %r", event)


class _UsageFlush:
    """The usage counts' flushing thread (``Catalogue.usage``), started with the first count."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    @property
    def thread(self) -> threading.Thread | None:
        # the thread Usage starts and stops itself; read, never touched
        thread: threading.Thread | None = getattr(self._root.usage, "_thread", None)
        return thread
