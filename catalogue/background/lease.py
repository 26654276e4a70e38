"""Leases on background jobs, kept in the store: the harvests, link checks, subscription
mails and usage compaction run in one process at a time, however many servers share the store.

A lease is claims in the private ``graph/leases``: each claim names the process that made
it, when, and until when it holds. A process takes a lease in three steps:

1. it drops the expired claims and adds its own unless a live one is there
   (``lease_claim.ru``: one update);
2. after a pause (``SETTLE_SECONDS``) it reads the claims back; unless its claim is the
   earliest live one and no other live claim is marked as holding, it withdraws;
3. it marks its claim as holding (``lease_mark.ru``) and reads the claims once more: if
   another live claim is marked too, it withdraws; else it holds the lease.

Why: Oxigraph runs concurrent updates on snapshots without write conflicts, so two
conditional updates at the same moment may both see no claim and both add theirs
(measured on Oxigraph 0.5 server: 2 of 30 trials of 6 racing claimants). Step 2 settles the
usual race: both claims are visible once both updates ended, every claimant reads the same
claims and the same one is the earliest. It cannot settle an update that ends after another
claimant's read (a loaded server): the two then read different claims and may each find
itself earliest, which made two holders before step 3. Step 3 makes that safe: each reads
after its own mark, so the later reader sees both marks and withdraws (both may withdraw;
then nobody holds the lease until the next try, which is safe: no job runs twice). Nothing
rests on the pause but how often a race leaves the lease free for one round. On the
embedded store only one process exists and the pause is skipped.

A process keeps the lease between runs by renewing its claim before each run (and while a
long run goes on, see :meth:`Lease.hold`); a process that dies stops renewing, and the lease
is free when its claim expires (``ttl``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.graphs import check_slug
from catalogue.store import Dataset, EmbeddedStore
from catalogue.terms import CAT, XSD

if TYPE_CHECKING:  # app imports the capabilities that import this module
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

SETTLE_SECONDS = 1.0  # between adding a claim and reading the claims back (remote stores)
DEFAULT_TTL = timedelta(minutes=5)


def process_name() -> str:
    """This process as a claim names it: host and process id (for an operator's eyes)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Claim:
    claim: str
    owner: str
    taken: datetime
    until: datetime
    held: bool = False  # marked by its process as holding the lease


def _time(moment: datetime) -> ox.Literal:
    # milliseconds, as stored: the same string compares the same in SPARQL and here
    return ox.Literal(moment.astimezone(UTC).isoformat(timespec="milliseconds"), datatype=XSD.dateTime)


class Lease:
    """One background job's lease as one process sees it; thread-safe.

    ``name`` is the job (a slug: ``harvests``, ``link-checks``...); ``ttl`` how long a claim
    holds without renewal; ``settle`` the pause before reading claims back (``None``: 0 on
    the embedded store, else ``SETTLE_SECONDS``); ``clock`` for tests.
    """

    def __init__(self, root: Catalogue, name: str, *, ttl: timedelta = DEFAULT_TTL,
                 settle: float | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self._root = root
        self.name = check_slug(name, "lease")
        self.ttl = ttl
        self._settle = settle
        self._clock = clock or (lambda: datetime.now(UTC))
        self.owner = process_name()
        self._token = uuid.uuid4().hex
        self._held = False
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        """Whether this process held the lease at its last :meth:`take`."""
        return self._held

    def _claim_iri(self) -> ox.NamedNode:
        return self._root.graphs.lease_claim(self.name, self._token)

    def take(self) -> bool:
        """Take the lease, or renew it if this process holds it; whether it holds it now.

        Blocks for the settle pause on a remote store.

        :raise StoreError: the store failed (the lease is then taken for not held).
        """
        with self._lock:
            root, now = self._root, self._clock()
            graphs, mine = root.graphs, self._claim_iri()
            until = _time(now + self.ttl)
            try:
                if self._held:  # kept while its claim lives (a lapsed claim is dropped by others)
                    updates.run(root.store, "lease_renew", leases=graphs.leases, claim=mine, until=until)
                    self._held = any(c.claim == mine.value for c in self._live(self._clock()))
                else:
                    self._token = uuid.uuid4().hex  # a fresh claim: an old one may linger, expired
                    mine = self._claim_iri()
                    lease = graphs.lease(self.name)
                    data = [ox.Triple(mine, CAT.claims, lease),
                            ox.Triple(mine, CAT.leaseOwner, ox.Literal(self.owner)),
                            ox.Triple(mine, CAT.leaseTaken, _time(now)),
                            ox.Triple(mine, CAT.leaseUntil, until)]
                    updates.run(root.store, "lease_claim", leases=graphs.leases, lease=lease,
                                now=_time(now), data=data)
                    pause = self._settle if self._settle is not None else (
                        0.0 if isinstance(root.store, EmbeddedStore) else SETTLE_SECONDS)
                    if pause:
                        time.sleep(pause)
                    self._held = self._settled(mine, marked=False)
                    if self._held:
                        updates.run(root.store, "lease_mark", leases=graphs.leases, claim=mine)
                        self._held = self._settled(mine, marked=True)
                    if not self._held and any(c.claim == mine.value for c in self.claims()):
                        updates.run(root.store, "lease_release", leases=graphs.leases, claim=mine)
            except Exception:
                self._held = False
                raise
            return self._held

    def release(self) -> None:
        """Give the lease up now (a process stopping): another may take it at once.

        :raise StoreError: the store failed (the claim then expires by itself).
        """
        with self._lock:
            if self._held:
                self._held = False
                updates.run(self._root.store, "lease_release", leases=self._root.graphs.leases,
                            claim=self._claim_iri())

    def claims(self) -> list[Claim]:
        """Every claim on this lease, live or expired, earliest first."""
        root = self._root
        rows = queries.select(root.store, "lease_claims", dataset=Dataset(default_graphs=[root.graphs.leases]),
                              lease=root.graphs.lease(self.name))
        found = [Claim(r["claim"].value, r["owner"].value, datetime.fromisoformat(r["taken"].value),
                       datetime.fromisoformat(r["until"].value), "held" in r and r["held"].value == "true")
                 for r in rows]
        return sorted(found, key=lambda c: (c.taken, c.claim))

    def _live(self, now: datetime) -> list[Claim]:
        return [c for c in self.claims() if c.until > now]

    def _settled(self, mine: ox.NamedNode, *, marked: bool) -> bool:
        """Whether the claims read now let this claim hold the lease: before its mark
        (``marked=False``), it is the earliest live claim and no other is marked; after,
        no other live claim is marked."""
        live = self._live(self._clock())
        others = [c for c in live if c.claim != mine.value]
        if len(others) == len(live) or any(c.held for c in others):
            return False
        return marked or live[0].claim == mine.value

    def _holder(self, now: datetime) -> Claim | None:
        return next((c for c in self._live(now) if c.held), None)

    def holder(self) -> str | None:
        """The process holding the lease now (its host and process id), if any."""
        held = self._holder(self._clock())
        return held.owner if held else None

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """``with lease.hold() as held:`` takes the lease; while the body runs (``held``)
        a thread renews it every third of its ``ttl``, so a run longer than the ``ttl`` keeps
        it. The lease is kept afterwards (renewed at the next ``hold``), not released.

        :raise StoreError: the store failed taking it.
        """
        held = self.take()
        if not held:
            yield False
            return
        done = threading.Event()

        def renew() -> None:
            while not done.wait(self.ttl.total_seconds() / 3):
                try:
                    updates.run(self._root.store, "lease_renew", leases=self._root.graphs.leases,
                                claim=self._claim_iri(), until=_time(self._clock() + self.ttl))
                except Exception:  # noqa: BLE001 - tried again; the run goes on either way
                    log.warning("the %s lease could not be renewed", self.name, exc_info=True)

        renewer = threading.Thread(target=renew, name=f"lease-{self.name}", daemon=True)
        renewer.start()
        try:
            yield True
        finally:
            done.set()
            renewer.join(5)
