"""The server's subscription mails: a daemon thread that runs ``Subscriptions.notify`` every
``CATALOGUE_NOTIFY_INTERVAL`` seconds (immediate mails on every run, daily and weekly
digests when due). On the embedded store cron cannot run ``catalogue notify`` beside the
server (one process holds it), so this thread is how such a server sends them.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from catalogue.background.lease import DEFAULT_TTL, Lease

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)


class Notifier:
    """A daemon thread sending due subscription mails every ``interval`` seconds; ``stop()``."""

    def __init__(self, catalogue: Catalogue, interval: float) -> None:
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        if interval > 0:
            self.thread = threading.Thread(target=self._loop, args=(catalogue, interval),
                                           name="catalogue-notify", daemon=True)
            self.thread.start()

    def _loop(self, catalogue: Catalogue, interval: float) -> None:
        # one server of those sharing the store mails: never a mail twice
        lease = Lease(catalogue, "notifications", ttl=max(DEFAULT_TTL, timedelta(seconds=3 * interval)))
        while not self._stop.wait(interval):
            try:
                with lease.hold() as held:
                    done = catalogue.subscriptions.notify() if held else {"sent": 0, "failed": 0, "due": 0}
                if done["sent"] or done["failed"]:
                    log.info("subscription mails: %(sent)d sent, %(failed)d failed, %(due)d due", done)
            except Exception:  # noqa: BLE001 - e.g. the store briefly unreachable: try next time
                log.exception("subscription mails failed")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def start_notifier(catalogue: Catalogue, interval_seconds: float) -> Notifier:
    """Send subscription mails from inside the server (0: off; the handle then does nothing)."""
    return Notifier(catalogue, interval_seconds)
