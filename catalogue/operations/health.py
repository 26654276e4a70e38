"""What ``/-/health`` checks: the store answers, the search index follows the data, the
server's background threads live.

Each check is cheap (a load balancer or Prometheus asks every few seconds) and says why it
failed in words an operator acts on, never with a path, an address or a password: the
full error goes to the log. A check that fails makes the whole answer "unavailable".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from catalogue import queries

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

STORE_WAIT = 2.0  # seconds the probe of the store may take before the check fails
# seconds after a stored run by which the search index must have been written again: the
# index is refreshed right after each run (quality scores first), well within this
INDEX_GRACE = 600.0


@dataclass(frozen=True)
class Check:
    """One check's verdict: ``ok``, and what an operator reads (``state``, ``reason`` when
    it failed, a few figures)."""

    ok: bool
    state: str
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "state": self.state}
        if self.reason:
            out["reason"] = self.reason
        return out | self.details


@dataclass(frozen=True)
class Health:
    """Every check by name; ``ok`` when all pass."""

    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "unavailable",
                "checks": {name: c.as_json() for name, c in self.checks.items()}}


class StoreProbe:
    """An ASK that reads nothing, waited for at most ``STORE_WAIT`` seconds.

    The probe runs in a thread of its own, one at a time: a store that hangs (a remote one
    waits up to ``CATALOGUE_REMOTE_TIMEOUT``) fails the check at once instead of holding the
    health request, and frequent checks never pile up threads behind it."""

    def __init__(self, root: Catalogue, wait: float = STORE_WAIT) -> None:
        self._root = root
        self.wait = wait
        self._lock = threading.Lock()
        self._running: tuple[float, threading.Event, dict[str, Any]] | None = None

    def check(self) -> Check:
        backend = "remote" if self._root.settings.remote else "embedded"
        with self._lock:
            if self._running is not None and self._running[1].is_set():
                self._running = None  # a probe that ended: ask again, its answer may be old
            if self._running is None:
                done, outcome = threading.Event(), dict[str, Any]()
                self._running = (time.monotonic(), done, outcome)
                threading.Thread(target=self._probe, args=(done, outcome), name="health-store-probe",
                                 daemon=True).start()
            started, done, outcome = self._running
        if not done.wait(max(0.0, self.wait - (time.monotonic() - started))):
            return Check(False, "no answer", f"the store has not answered within {self.wait:g} s "
                         f"(asked {time.monotonic() - started:.0f} s ago)", {"backend": backend})
        if "error" in outcome:
            return Check(False, "unreachable", f"the store did not answer ({outcome['error']}); "
                         "the server's log has the details", {"backend": backend})
        return Check(True, "reachable", None, {"backend": backend, "seconds": round(outcome["seconds"], 4)})

    def _probe(self, done: threading.Event, outcome: dict[str, Any]) -> None:
        started = time.monotonic()
        try:
            queries.ask(self._root.store, "store_reachable")
            outcome["seconds"] = time.monotonic() - started
        except Exception as exc:  # noqa: BLE001 - whatever it is, the store is not usable
            log.warning("health check: the store did not answer: %s", exc)
            outcome["error"] = type(exc).__name__
        finally:
            done.set()


def check_search_index(root: Catalogue, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Check:
    """The index opens at the current data version, and was written after the last stored
    run (or that run ended less than ``INDEX_GRACE`` seconds ago: it is being refreshed).

    A stale index means a refresh after an ingest failed (another process held the writer,
    the disk was full): ``catalogue index`` rebuilds it."""
    try:
        index = root.search.index()
        documents = index.num_docs()
        meta = index.path / "meta.json"
        written = datetime.fromtimestamp(meta.stat().st_mtime, UTC) if meta.exists() else None
        rows = queries.select(root.store, "last_stored_run", provenance=root.graphs.provenance)
        last = next((datetime.fromisoformat(r["last"].value) for r in rows if r.get("last") is not None), None)
    except Exception as exc:  # noqa: BLE001 - an index that cannot be read is not healthy
        log.warning("health check: the search index could not be read: %s", exc)
        return Check(False, "unreadable", f"the search index could not be read ({type(exc).__name__}); "
                     "the server's log has the details")
    details: dict[str, Any] = {"documents": documents,
                               "written": written.isoformat(timespec="seconds") if written else None,
                               "last_stored_run": last.isoformat(timespec="seconds") if last else None}
    if last is not None and (written is None or written < last):
        if (now() - last).total_seconds() > INDEX_GRACE:
            return Check(False, "stale", "the search index was last written before the last stored run "
                         f"and has not been refreshed in {INDEX_GRACE:g} s since: run `catalogue index`",
                         details)
        return Check(True, "refreshing", None, details)
    return Check(True, "fresh", None, details)


class HasThread(Protocol):
    """A handle on a background thread (the harvest scheduler's, the link checker's, the
    notifier's): ``None`` when its setting turned it off."""

    @property
    def thread(self) -> threading.Thread | None: ...


@dataclass(frozen=True)
class Background:
    """A background job as the health check sees it: its handle, and what a handle without
    a thread means (``off``; the usage flush's starts with the first count: ``idle``)."""

    handle: HasThread | None
    without_thread: str = "off"

    def check(self) -> Check:
        thread = self.handle.thread if self.handle is not None else None
        if thread is None:
            return Check(True, self.without_thread)
        if thread.is_alive():
            return Check(True, "alive")
        return Check(False, "stopped", "the thread has stopped: restart the server (its log says why)")
