"""The server's link-check thread: a run of the link checker every
``CATALOGUE_LINKCHECK_INTERVAL`` hours (0: off), like the harvest scheduler.

The embedded store admits one process, so cron cannot run ``catalogue links`` beside a
server on it: this thread is how such a server checks its links. The next run is due that
many hours after the last one ended (read from the links graph), so restarting the server
does not check everything again. It runs beside ingest: nothing an ingest waits for.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from catalogue.background.lease import Lease

if TYPE_CHECKING:  # app imports much; importing it lazily keeps this module importable from it
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)
RETRY_SECONDS = 600.0  # after a run that failed (the store unreachable, say)
LEASE_TTL = timedelta(minutes=5)  # renewed while a run goes on


class LinkCheckScheduler:
    """A daemon thread running ``catalogue.links.run()`` when due; ``stop()``."""

    def __init__(self, catalogue: Catalogue, interval_hours: float) -> None:
        self.interval = interval_hours * 3600.0
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        if self.interval > 0:
            self.thread = threading.Thread(target=self._loop, args=(catalogue,),
                                           name="catalogue-linkcheck-scheduler", daemon=True)
            self.thread.start()

    def _loop(self, catalogue: Catalogue) -> None:
        # one server of those sharing the store checks links; its claim lapses between runs
        lease = Lease(catalogue, "link-checks", ttl=LEASE_TTL)
        while not self._stop.is_set():
            try:
                last = catalogue.links.last_run()
                wait = 0.0 if last is None else self.interval - (datetime.now(UTC) - last).total_seconds()
                if wait > 0:
                    self._stop.wait(wait)
                    continue
                with lease.hold() as held:
                    run = catalogue.links.run() if held else None
                if run is None:  # another server runs it: look again when it should have ended
                    self._stop.wait(LEASE_TTL.total_seconds())
                    continue
                log.info("link check: %d checked, %d ok, %d failing, %d broken, %d refused; rescored %s",
                         run.checked, run.ok, run.failing, run.broken, run.refused, ", ".join(run.rescored) or "none")
            except Exception:  # noqa: BLE001 - e.g. the store briefly unreachable: try again later
                log.exception("scheduled link check failed")
                self._stop.wait(RETRY_SECONDS)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current run (waiting at most ``timeout`` seconds for it)."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def start_link_checks(catalogue: Catalogue, interval_hours: float) -> LinkCheckScheduler:
    """Check links from inside the server every ``interval_hours`` (0: off, the returned
    handle then does nothing)."""
    return LinkCheckScheduler(catalogue, interval_hours)
