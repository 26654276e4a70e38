"""Keep Python's full garbage collections off the pages: the heap a data version builds is
collected once, then frozen.

Why: a web process holds large structures derived once per data version (the caches of
``Catalogue.per_version``: duplicates, the standards index, the cartography's model,
collections of every solution...). CPython's full collection walks every tracked object;
measured at 10k solutions, one took 68 ms every few hundred cold pages, with the GIL held,
stalling every request in flight: a large part of the pages' p99 (and more at 100k).

So once a data version has been served for ``SETTLE_SECONDS`` (its derived structures are
built by then, lazily, by the first readers), the process collects once and moves what
survives out of the collector's reach (``gc.freeze``). Full collections then walk only what
was made since. The frozen heap is thawed and collected again at the next data version,
so the structures of an older version, cycles included, are freed as before, not leaked.
The one collection runs after a response has been sent (the WSGI ``close`` of that
response), once per data version and process.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

log = logging.getLogger(__name__)

SETTLE_SECONDS = 10.0  # a data version served this long has built what it keeps


class SettleHeap:
    """WSGI middleware: ``app.wsgi_app = SettleHeap(app.wsgi_app, version)``.

    :param version: the current data version token (cheap: the catalogue caches it).
    :param clock: for tests.
    """

    def __init__(self, app: Callable, version: Callable[[], str], *,
                 settle: float = SETTLE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.version, self.settle, self.clock = app, version, settle, clock
        self._lock = threading.Lock()
        self._seen: tuple[str, float] | None = None  # the version and when this process first saw it
        self._settled: str | None = None  # the version whose heap was frozen
        self.settlements = 0

    def __getattr__(self, name: str) -> Any:
        """The wrapped app's attributes (the shared cache's ``hits``...) through this one."""
        return getattr(self.app, name)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        result = self.app(environ, start_response)
        wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(wrapper, type) and isinstance(result, wrapper):
            return result  # a file the server sends its own way: left as it is
        return _Closing(result, self._after)

    def _after(self) -> None:
        try:
            token = self.version()
        except Exception:  # noqa: BLE001 - the store unreachable: nothing to settle now
            return
        now = self.clock()
        with self._lock:
            if self._seen is None or self._seen[0] != token:
                self._seen = (token, now)
                return
            if self._settled == token or now - self._seen[1] < self.settle:
                return
            self._settled = token
        started = time.perf_counter()
        gc.unfreeze()  # what an older version froze may be garbage now
        found = gc.collect()
        gc.freeze()
        self.settlements += 1
        log.info("heap settled for data version %s: %d unreachable objects freed, %d frozen, %.0f ms",
                 token, found, gc.get_freeze_count(), (time.perf_counter() - started) * 1000)


class _Closing:
    """A response whose ``close`` (called by the server once the body is sent) calls
    ``after`` too."""

    def __init__(self, result: Iterable[bytes], after: Callable[[], None]) -> None:
        self.result, self.after = result, after

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.after()
