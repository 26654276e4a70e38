"""The background work of a server, started in one place: the harvest scheduler, the link
checker, the subscription mails and the merge of usage counts. ``catalogue serve`` starts
them in its process (one worker), in a background process of its own (``--workers N``), or
not at all (``--no-background``: web workers on other machines); ``catalogue background``
runs only them. Each job takes its lease in the store before it runs (``lease``), so two
servers sharing a store never run the same job at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from catalogue.background.lease import Lease

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

COMPACT_SECONDS = 600.0  # how often usage count nodes (one per flush) are merged


class UsageCompaction:
    """A daemon thread merging the usage counts' nodes every ``interval`` seconds, under the
    ``usage-compaction`` lease (two merges of the same nodes would count them twice); ``stop()``."""

    def __init__(self, catalogue: Catalogue, interval: float) -> None:
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        if interval > 0:
            self.thread = threading.Thread(target=self._loop, args=(catalogue, interval),
                                           name="catalogue-usage-compaction", daemon=True)
            self.thread.start()

    def _loop(self, catalogue: Catalogue, interval: float) -> None:
        lease = Lease(catalogue, "usage-compaction", ttl=timedelta(seconds=max(300.0, 3 * interval)))
        while not self._stop.wait(interval):
            try:
                with lease.hold() as held:
                    merged = catalogue.usage.compact() if held else 0
                if merged:
                    log.info("usage counts: %d resource-days merged", merged)
            except Exception:  # noqa: BLE001 - e.g. the store briefly unreachable: try next time
                log.exception("merging the usage counts failed")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


class Stoppable(Protocol):
    """What :func:`start_background` returns per job: ``thread`` (for /-/health) and ``stop``."""

    @property
    def thread(self) -> threading.Thread | None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


def start_background(catalogue: Catalogue, *, compact_seconds: float = COMPACT_SECONDS) -> dict[str, Stoppable]:
    """Start the background threads by their settings (an interval of 0 turns one off) and
    register them for /-/health; the handles by /-/health's names, each with ``stop()``."""
    # imported here: the schedulers take their leases from this package
    from catalogue.community.notifier import start_notifier
    from catalogue.harvesting.scheduler import start_scheduler
    from catalogue.quality.link_scheduler import start_link_checks

    s = catalogue.settings
    handles: dict[str, Stoppable] = {
        "harvest_scheduler": start_scheduler(catalogue, s.harvest_interval),  # 0: off (use cron)
        "link_checks": start_link_checks(catalogue, s.linkcheck_interval),  # hours; 0: off
        "notifier": start_notifier(catalogue, s.notify_interval),  # subscription mails; 0: off
        "usage_compaction": UsageCompaction(catalogue, compact_seconds),
    }
    for name, handle in handles.items():
        catalogue.operations.register(name, handle)
    return handles


def stop_background(handles: dict[str, Stoppable]) -> None:
    """Stop each thread after its current run."""
    for handle in handles.values():
        handle.stop()

