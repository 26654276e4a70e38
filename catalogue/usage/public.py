"""``Catalogue.usage``: page views and downloads counted without tracking anyone.

What is counted: a download when a visitor follows a distribution's link through the
catalogue (``follow``: the link must be that published distribution's download or access
URL, so this is no open redirect), a view when a resource's page is served as HTML, a data
request when it is served as RDF (``record``). Never counted: known bots (``bots.is_bot``),
HEAD requests, prefetches. What is kept: per resource, per day (UTC) and per kind, a number.
No address, user agent, referrer or cookie reaches this module's store writes: the web passes
the user agent and method only to decide whether to count.

Counts are added in memory (:class:`~catalogue.usage.tally.Tally`) and written every
``CATALOGUE_USAGE_FLUSH_SECONDS`` by a thread started on the first count, at ``close`` and by
``flush``: one saved update (``usage_add.ru``) adds them to the private graph ``graph/usage``,
which neither moves the data version nor is public. A flush only inserts (a node of its own
per resource and day): several web workers flushing at once never lose each other's counts,
as a read-and-add update did on Oxigraph (it runs concurrent updates on snapshots). Readers
sum a day's nodes; ``compact`` (the background worker's, under a lease) merges them.

Pages show counts up to the last completed day (``shown_until``), so a cached page is right
for the whole day: ``as_of`` is the token a page cache adds to its key.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.graphs import Graphs
from catalogue.store import Dataset, Rows
from catalogue.terms import RDF_TYPE, XSD, Namespace
from catalogue.usage.bots import is_bot
from catalogue.usage.tally import KINDS, Key, Kind, Tally

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

Q = Namespace("https://catalogue.example.org/def/quality#")
PROPERTY = {"downloads": Q.downloads, "views": Q.views, "data": Q.dataRequests}
EPOCH = date(1970, 1, 1)  # "since ever"
VIEW_DAYS = 30  # pages show the views of the last 30 completed days
MAX_DAYS = 366  # the longest series ``per_day`` gives
CHUNK = 500  # resources per totals query


class UsageError(CatalogueError, ValueError):
    """A counting link without its distribution or URL, or with a distribution that is not
    an IRI (bad input)."""


class NotADistributionLink(CatalogueError, LookupError):
    """The URL is not a download or access URL of that distribution in the published data
    (or the distribution is not published): the catalogue does not send visitors there."""

    error_kind = ErrorKind.NOT_FOUND


class NotPublished(CatalogueError, LookupError):
    """Nothing in the published data describes the resource whose counts are asked for."""

    error_kind = ErrorKind.NOT_FOUND


class UsageUnavailable(CatalogueError, RuntimeError):
    """The store refused a flush; the counts are kept in memory for the next one."""

    error_kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class Totals:
    """Counts of one resource over a period."""

    downloads: int = 0
    views: int = 0
    data: int = 0


@dataclass(frozen=True)
class DayCount:
    """Counts of one resource on one day (UTC)."""

    day: date
    downloads: int = 0
    views: int = 0
    data: int = 0


@dataclass(frozen=True)
class Shown:
    """What a page says: its distributions' downloads ever (None: it has none) and its own
    views over the last ``view_days`` days, both up to and including ``until``."""

    downloads: int | None
    views: int
    until: date
    view_days: int = VIEW_DAYS


class Usage:
    """Counting, flushing and reading usage counts for one catalogue."""

    def __init__(self, root: Catalogue, *, clock: Callable[[], datetime] | None = None) -> None:
        self._root = root
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.tally = Tally()
        self._flush_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def enabled(self) -> bool:
        """CATALOGUE_USAGE: off, nothing is counted, shown or linked through the catalogue."""
        return self._root.settings.usage

    # days

    def today(self) -> date:
        """The day (UTC) a count made now belongs to."""
        return self.clock().astimezone(UTC).date()

    def as_of(self) -> str:
        """A token that changes once a day, when the counts pages show change ('' when off):
        the UTC day, turning a flush interval and a minute after midnight, by when the last
        counts of the day before are written."""
        if not self.enabled:
            return ""
        settle = timedelta(seconds=self._root.settings.usage_flush_seconds + 60)
        return (self.clock().astimezone(UTC) - settle).date().isoformat()

    def shown_until(self) -> date:
        """The last day pages count: the day before ``as_of``."""
        settle = timedelta(seconds=self._root.settings.usage_flush_seconds + 60)
        return (self.clock().astimezone(UTC) - settle).date() - timedelta(days=1)

    # counting

    def follow(self, distribution: str, url: str, *, user_agent: str | None, method: str = "GET",
               prefetch: bool = False) -> str:
        """The address to send a visitor to who follows ``url`` of ``distribution``; one
        download counted for it today, unless the request is from a known bot, a HEAD or a
        prefetch (or counting is off).

        :raise UsageError: ``distribution`` or ``url`` is missing, or ``distribution`` is not
            an IRI (bad input).
        :raise NotADistributionLink: ``url`` is not an http(s) download or access URL of
            ``distribution`` in the published data, or that distribution is not published.
        """
        if not distribution or not url:
            raise UsageError("A counting link needs two parameters: distribution (the "
                             "distribution's IRI) and url (one of its download or access URLs).")
        try:
            node = ox.NamedNode(distribution)
        except ValueError:
            raise UsageError(f"The distribution parameter must be an IRI, got {_short(distribution)!r}.") from None
        target = None
        if url.startswith(("http://", "https://")):
            try:
                target = ox.NamedNode(url)
            except ValueError:
                target = None
        if target is None or not self._root.ask("usage_link", distribution=node, url=target):
            raise NotADistributionLink(
                f"{_short(url)} is not a download or access address of the distribution "
                f"{_short(distribution)} in the catalogue's published data, so the catalogue does not "
                "send you there. The distribution's page lists the addresses its publisher gives.")
        self.record(distribution, "downloads", user_agent=user_agent, method=method, prefetch=prefetch)
        return url

    def record(self, resource: str, kind: Kind, *, user_agent: str | None, method: str = "GET",
               prefetch: bool = False) -> bool:
        """Count one use of ``resource`` today, if a person asked: not for a known bot's
        user agent, a HEAD, or a prefetch. The user agent decides, and is then forgotten.
        Whether it was counted."""
        if (not self.enabled or method.upper() != "GET" or prefetch or is_bot(user_agent)):
            return False
        return self.count(resource, kind)

    def count(self, resource: str, kind: Kind, n: int = 1) -> bool:
        """Add ``n`` to today's ``kind`` count of ``resource`` (no questions asked: the caller
        has decided a person asked). False when the in-memory tally is full, or ``resource``
        is not an IRI."""
        if kind not in KINDS:
            raise ValueError(f"unknown usage kind {kind!r}; one of {', '.join(KINDS)}")
        try:
            ox.NamedNode(resource)
        except ValueError:
            return False
        self._start()
        return self.tally.add(resource, self.today().isoformat(), kind, n)

    # writing

    def flush(self) -> int:
        """Write the counts kept in memory to the store, added to those stored (one update);
        how many were written.

        :raise UsageUnavailable: the store refused them; they are kept for the next flush.
        """
        with self._flush_lock:
            counts = self.tally.take()
            if not counts:
                return 0
            graphs = self._root.graphs
            try:
                updates.run(self._root.store, "usage_add", usage=graphs.usage,
                            data=_triples(graphs, counts, uuid.uuid4().hex))
            except Exception as exc:
                self.tally.give_back(counts)
                log.exception("usage counts not written (kept in memory for the next flush)")
                raise UsageUnavailable(f"The usage counts could not be written: {exc}") from exc
            return sum(counts.values())

    def compact(self) -> int:
        """Merge each resource's count nodes of a day (one per flush) into one node; how many
        (resource, day) counts were merged. For one process at a time (the background
        worker's ``usage-compaction`` lease): two merges of the same nodes count them twice.

        :raise StoreError: the store failed (each batch is merged whole or not at all).
        """
        store, graphs, merged = self._root.store, self._root.graphs, 0
        while True:
            rows = queries.select(store, "usage_increments", dataset=Dataset(default_graphs=[graphs.usage]))
            groups: dict[tuple[str, str], dict[str, dict]] = {}
            for r in rows:
                key = (r["resource"].value, r["day"].value)
                node = groups.setdefault(key, {}).setdefault(r["counter"].value, {"flush": r.get("flush"), "n": {}})
                node["n"][r["kind"].value] = int(r["n"].value)
            if not groups:
                return merged
            old: list[ox.Triple] = []
            data: list[ox.Triple] = []
            for (resource, day), nodes in groups.items():
                sums: dict[str, int] = {}
                for counter, node in nodes.items():
                    c = ox.NamedNode(counter)
                    old += [ox.Triple(c, RDF_TYPE, Q.UsageCount), ox.Triple(c, Q.resource, ox.NamedNode(resource)),
                            ox.Triple(c, Q.day, ox.Literal(day, datatype=XSD.date))]
                    old += [ox.Triple(c, Q.flush, node["flush"])] if node["flush"] is not None else []
                    for kind, n in node["n"].items():
                        old.append(ox.Triple(c, ox.NamedNode(kind), ox.Literal(str(n), datatype=XSD.integer)))
                        sums[kind] = sums.get(kind, 0) + n
                total = graphs.usage_count(resource, day)
                data += [ox.Triple(total, RDF_TYPE, Q.UsageCount), ox.Triple(total, Q.resource, ox.NamedNode(resource)),
                         ox.Triple(total, Q.day, ox.Literal(day, datatype=XSD.date))]
                data += [ox.Triple(total, ox.NamedNode(k), ox.Literal(str(n), datatype=XSD.integer))
                         for k, n in sums.items()]
            updates.run(store, "usage_compact", usage=graphs.usage, old=old, data=data)
            merged += len(groups)

    def _start(self) -> None:
        """The flushing thread, started with the first count (a CLI or a test that counts
        nothing starts none)."""
        if self._thread is not None:
            return
        with self._thread_lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="usage-flush", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._root.settings.usage_flush_seconds):
            try:
                self.flush()
            except UsageUnavailable:
                pass  # logged; tried again next time
            except Exception:  # never let the thread die: counts would pile up unwritten
                log.exception("usage flush failed")

    def close(self) -> None:
        """Stop the flushing thread and write what is left (a failure is logged)."""
        with self._thread_lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)
        self._stop.clear()  # a catalogue used again after close counts again
        try:
            self.flush()
        except UsageUnavailable:
            pass

    # reading (what is written: counts still in memory are not included)

    def totals_for_records(self, iris: Iterable[str], *, since: date | None = None,
                           until: date | None = None) -> dict[str, Totals]:
        """Each resource's counts from ``since`` (default: ever) to ``until`` (default: today),
        both included; a resource never counted then is absent.

        Example: ``usage.totals_for_records([d1, d2])[d1].downloads``.
        """
        nodes = [ox.NamedNode(i) for i in dict.fromkeys(iris)]
        out: dict[str, Totals] = {}
        for start in range(0, len(nodes), CHUNK):
            for r in self._select("usage_totals", resource=nodes[start:start + CHUNK],
                                  since=_day(since or EPOCH), until=_day(until or self.today())):
                out[r["resource"].value] = _totals(r)
        return out

    def per_day(self, iri: str, days: int = VIEW_DAYS, *, until: date | None = None) -> list[DayCount]:
        """The counts of ``iri`` on each of the ``days`` days up to ``until`` (default:
        today), oldest first, days without a count as zeros.

        :raise UsageError: ``days`` is not from 1 to 366, or ``iri`` is not an IRI.
        """
        if not 1 <= days <= MAX_DAYS:
            raise UsageError(f"days must be from 1 to {MAX_DAYS}, got {days}")
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise UsageError(f"not an IRI: {_short(iri)!r}") from None
        last = until or self.today()
        first = last - timedelta(days=days - 1)
        found = {date.fromisoformat(r["day"].value): r for r in
                 self._select("usage_per_day", resource=node, since=_day(first), until=_day(last))}
        series = []
        for i in range(days):
            day = first + timedelta(days=i)
            r = found.get(day)
            series.append(DayCount(day, *_ints(r, "downloads", "views", "data")) if r else DayCount(day))
        return series

    def top(self, n: int = 10, *, since: date | None = None, until: date | None = None,
            by: str = "downloads") -> list[tuple[str, Totals]]:
        """The ``n`` resources with the most ``by`` (downloads, views or data) from ``since``
        (default: 30 days before ``until``) to ``until`` (default: today), most first; those
        with none are left out. Reads every count of the period: cache it in a dashboard.

        :raise UsageError: ``by`` is not downloads, views or data.
        """
        if by not in KINDS:
            raise UsageError(f"by must be one of {', '.join(KINDS)}, got {by!r}")
        last = until or self.today()
        rows = self._select("usage_top", since=_day(since or last - timedelta(days=VIEW_DAYS - 1)),
                            until=_day(last))
        ranked = sorted(((r["resource"].value, _totals(r)) for r in rows),
                        key=lambda x: (-getattr(x[1], by), x[0]))
        return [x for x in ranked if getattr(x[1], by) > 0][:max(n, 0)]

    def shown(self, resource: str, distributions: Sequence[str] = ()) -> Shown | None:
        """What a resource's page says (None when counting is off): the downloads of
        ``distributions`` ever and the views of ``resource`` over the last 30 days, up to the
        last completed day (so the page can be cached for the day)."""
        if not self.enabled:
            return None
        until = self.shown_until()
        nodes = [ox.NamedNode(i) for i in dict.fromkeys([resource, *distributions])]
        found: dict[str, dict] = {}
        for start in range(0, len(nodes), CHUNK):  # one query a page (usage_shown.rq)
            for r in self._select("usage_shown", resource=nodes[start:start + CHUNK],
                                  recent=_day(until - timedelta(days=VIEW_DAYS - 1)), until=_day(until)):
                found[r["resource"].value] = r
        downloads = None
        if distributions:
            downloads = sum(_ints(found[d], "downloads")[0] for d in dict.fromkeys(distributions) if d in found)
        views = _ints(found[resource], "views")[0] if resource in found else 0
        return Shown(downloads, views, until)

    def public_series(self, iri: str, days: int = VIEW_DAYS) -> list[DayCount]:
        """A published resource's counts on each of the last ``days`` completed days (up to
        ``shown_until``), oldest first: what anyone may download as JSON or CSV.

        :raise UsageError: ``iri`` is missing or not an IRI, ``days`` not from 1 to 366.
        :raise NotPublished: nothing published describes ``iri``.
        """
        if not iri:
            raise UsageError("The uri parameter is required: the IRI of a published resource.")
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise UsageError(f"The uri parameter must be an IRI, got {_short(iri)!r}.") from None
        if not self._root.ask("usage_described", resource=node):
            raise NotPublished(f"Nothing in the catalogue's published data describes {_short(iri)}.")
        return self.per_day(iri, days, until=self.shown_until())

    def _select(self, name: str, **params: queries.Value) -> Rows:
        return queries.select(self._root.store, name,
                              dataset=Dataset(default_graphs=[self._root.graphs.usage]), **params)


def _triples(graphs: Graphs, counts: dict[Key, int], flush: str) -> list[ox.Triple]:
    """The increments of one flush as triples: per (resource, day) a node of this flush
    with its resource, day and counts."""
    out: list[ox.Triple] = []
    nodes: dict[tuple[str, str], ox.NamedNode] = {}
    for (resource, day, kind), n in counts.items():
        node = nodes.get((resource, day))
        if node is None:
            node = nodes[(resource, day)] = graphs.usage_increment(resource, day, flush)
            out.append(ox.Triple(node, RDF_TYPE, Q.UsageCount))
            out.append(ox.Triple(node, Q.flush, ox.Literal(flush)))
            out.append(ox.Triple(node, Q.resource, ox.NamedNode(resource)))
            out.append(ox.Triple(node, Q.day, ox.Literal(day, datatype=XSD.date)))
        out.append(ox.Triple(node, PROPERTY[kind], ox.Literal(str(n), datatype=XSD.integer)))
    return out


def _day(d: date) -> ox.Literal:
    return ox.Literal(d.isoformat(), datatype=XSD.date)


def _ints(r: dict, *names: str) -> list[int]:
    return [int(r[n].value) if r.get(n) is not None else 0 for n in names]


def _totals(r: dict) -> Totals:
    return Totals(*_ints(r, "downloads", "views", "data"))


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
