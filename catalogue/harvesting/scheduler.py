"""The in-server scheduler: a daemon thread that runs :func:`~catalogue.harvesting.run.harvest_due`
every few seconds (``CATALOGUE_HARVEST_INTERVAL``).

The embedded store admits one process, so cron cannot run ``catalogue harvest --due`` beside a
server on it: this thread is how such a server harvests. Apart from ``run`` because only the
server starts a thread; the command line harvests once and exits.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from catalogue.background.lease import DEFAULT_TTL, Lease
from catalogue.harvesting.run import harvest_due

if TYPE_CHECKING:  # app imports much; importing it lazily keeps this module importable from it
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)


class Scheduler:
    """A daemon thread running :func:`harvest_due` every ``interval`` seconds; ``stop()``."""

    def __init__(self, catalogue: Catalogue, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        if interval > 0:
            self.thread = threading.Thread(target=self._loop, args=(catalogue,),
                                           name="catalogue-harvest", daemon=True)
            self.thread.start()

    def _loop(self, catalogue: Catalogue) -> None:
        # one server of those sharing the store harvests (each source's claim guards a source)
        lease = Lease(catalogue, "harvests", ttl=max(DEFAULT_TTL, timedelta(seconds=3 * self.interval)))
        while not self._stop.is_set():
            try:
                with lease.hold() as held:
                    for o in harvest_due(catalogue) if held else ():
                        log.info("harvest of source %s: %s. %s", o.slug, o.status, o.message)
            except Exception:  # noqa: BLE001 - e.g. the store briefly unreachable: try next time
                log.exception("scheduled harvest failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current harvest (waiting at most ``timeout`` seconds for it)."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def start_scheduler(catalogue: Catalogue, interval_seconds: float) -> Scheduler:
    """Harvest due sources from inside the server every ``interval_seconds`` (0: off, the
    returned handle then does nothing)."""
    return Scheduler(catalogue, interval_seconds)
