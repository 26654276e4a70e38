"""``Catalogue.links``: the link checker's runs and results (issue 16, item 2).

Which links: every http(s) ``dcat:accessURL`` and ``dcat:downloadURL``, and every dataset's
``dcat:landingPage`` and ``foaf:page``, of the current (public) source graphs
(``link_targets.rq``, run per source). How they are checked: ``linkcheck``. The results are
one public graph, ``graph/links`` (``Graphs.links``): per URL one ``q:LinkCheck``
(``Graphs.link_check(url)``) with ``q:url``, ``q:checkedAt``, ``q:outcome``,
``q:httpStatus`` (absent when no server answered), ``q:lastSuccess`` (absent if it never
answered), ``q:consecutiveFailures`` and ``q:broken`` (``consecutiveFailures`` reached
``CATALOGUE_LINKCHECK_BROKEN_AFTER``), and one ``q:LinkCheckRun`` (``Graphs.link_check_run``)
whose ``prov:endedAtTime`` moves the data version, so caches and /sparql follow a run.

A run reads the previous results, checks the links (of one source, or all), carries each
link's history on (a success resets the failures, a failure adds one, a robots.txt refusal
changes nothing), and writes the whole graph again in one update (a reader sees the previous
run or this one). A link no current source links to any more is dropped. Then the quality
scores of every source whose solutions' broken links changed are recomputed (the
"working-links" criterion), and its search documents with them.

Runs beside ingest, never inside it: it holds no lock an ingest takes, and an ingest never
waits for it (``catalogue links``, or the server's thread: ``link_scheduler``).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.graphs import Graphs, check_slug
from catalogue.ingest.registry import all_sources
from catalogue.quality.dqv import Q
from catalogue.quality.linkcheck import Checked, LinkChecker, Policy
from catalogue.store import Dataset, Node, Store

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
BULK_ABOVE = 200_000  # triples: above this, a bulk write (drop, then write) instead of one update


class LinkCheckError(CatalogueError):
    """A link-check run cannot start: an unknown source (not found), or another run of this
    process still going (conflict)."""


@dataclass(frozen=True)
class LinkState:
    """What the links graph says of one URL."""

    url: str
    checked: datetime
    outcome: str
    status: int | None
    last_success: datetime | None
    failures: int
    broken: bool


@dataclass
class LinkRun:
    """A run's summary: links checked, how their checks ended, which sources were rescored.
    ``ok + failing + refused == checked``; ``refused`` counts robots.txt refusals and private
    addresses (never called; a private address still counts towards broken); ``broken`` the
    links checked that are broken now."""

    checked: int = 0
    ok: int = 0
    failing: int = 0
    refused: int = 0
    broken: int = 0
    rescored: list[str] = field(default_factory=list)
    started: datetime | None = None
    ended: datetime | None = None


@dataclass(frozen=True)
class BrokenLink:
    """A broken link as a solution's page names it."""

    url: str
    outcome: str
    status: int | None
    checked: datetime | None
    last_success: datetime | None  # None: it never answered

    @classmethod
    def of(cls, row: dict[str, Node]) -> BrokenLink:
        """From a row of ``record_broken_links.rq``."""
        status = row.get("status")
        return cls(row["url"].value, row["outcome"].value, int(status.value) if status is not None else None,
                   _when(row.get("checked")), _when(row.get("success")))


def next_state(previous: LinkState | None, found: Checked, at: datetime, broken_after: int) -> LinkState:
    """A link's state after one more check, its history carried on."""
    failures = previous.failures if previous else 0
    success = previous.last_success if previous else None
    if found.outcome == "ok":
        failures, success = 0, at
    elif found.failed:
        failures += 1
    return LinkState(found.url, at, found.outcome, found.status, success, failures, failures >= broken_after)


def _dt(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def state_triples(graphs: Graphs, states: Iterable[LinkState], started: datetime,
                  ended: datetime) -> Iterator[ox.Triple]:
    """The links graph: a ``q:LinkCheck`` per state, and the run."""
    q = lambda name: ox.NamedNode(Q + name)  # noqa: E731
    for st in states:
        node = graphs.link_check(st.url)
        yield ox.Triple(node, _TYPE, q("LinkCheck"))
        yield ox.Triple(node, q("url"), ox.NamedNode(st.url))
        yield ox.Triple(node, q("checkedAt"), _dt(st.checked))
        yield ox.Triple(node, q("outcome"), ox.Literal(st.outcome))
        if st.status is not None:
            yield ox.Triple(node, q("httpStatus"), _int(st.status))
        if st.last_success is not None:
            yield ox.Triple(node, q("lastSuccess"), _dt(st.last_success))
        yield ox.Triple(node, q("consecutiveFailures"), _int(st.failures))
        yield ox.Triple(node, q("broken"), ox.Literal("true" if st.broken else "false",
                                                      datatype=ox.NamedNode(XSD + "boolean")))
    run = graphs.link_check_run
    yield ox.Triple(run, _TYPE, q("LinkCheckRun"))
    yield ox.Triple(run, ox.NamedNode(PROV + "startedAtTime"), _dt(started))
    yield ox.Triple(run, ox.NamedNode(PROV + "endedAtTime"), _dt(ended))


def _when(term: Node | None) -> datetime | None:
    if term is None:
        return None
    try:
        value = datetime.fromisoformat(term.value)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def broken_urls(store: Store, graphs: Graphs) -> set[str]:
    """The URLs the links graph calls broken (what quality scores read)."""
    rows = queries.select(store, "links_broken", dataset=Dataset(default_graphs=[graphs.links]))
    return {r["url"].value for r in rows}


class LinkChecks:
    """The link checker of one catalogue."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._running = threading.Lock()

    def targets(self) -> dict[str, set[str]]:
        """Every link of the current source graphs: URL -> the sources linking to it."""
        root = self._root
        found: dict[str, set[str]] = defaultdict(set)
        for slug, state in sorted(all_sources(root.store, root.graphs).items()):
            if state.graph is None:
                continue
            for r in queries.select(root.store, "link_targets", dataset=Dataset(default_graphs=[state.graph])):
                found[r["url"].value].add(slug)
        return dict(found)

    def states(self) -> dict[str, LinkState]:
        """The links graph as it is: URL -> its last check and history."""
        root = self._root
        out: dict[str, LinkState] = {}
        for r in queries.select(root.store, "link_checks", dataset=Dataset(default_graphs=[root.graphs.links])):
            checked = _when(r["checked"])
            if checked is None:
                continue
            status = r.get("status")
            out[r["url"].value] = LinkState(
                r["url"].value, checked, r["outcome"].value, int(status.value) if status is not None else None,
                _when(r.get("success")), int(r["failures"].value), r["broken"].value == "true")
        return out

    def last_run(self) -> datetime | None:
        """When the last run ended (None: never)."""
        root = self._root
        rows = queries.select(root.store, "link_check_run", dataset=Dataset(default_graphs=[root.graphs.links]))
        return max((w for r in rows if (w := _when(r["ended"])) is not None), default=None)

    def run(self, source: str | None = None, *,
            progress: Callable[[Checked], None] | None = None,
            policy: Policy | None = None) -> LinkRun:
        """Check the links of ``source`` (default: every source), write the results, and
        rescore the sources whose broken links changed. ``progress`` sees each result.

        :raise SlugError: ``source`` is not a slug.
        :raise LinkCheckError: no such source (not found); a run of this process is going
            (conflict).
        :raise StoreError: the store failed (nothing written, or the whole graph).
        """
        root = self._root
        if source is not None:
            check_slug(source)
            if source not in all_sources(root.store, root.graphs):
                raise LinkCheckError(f"no source named {source!r}: `catalogue harvest status` "
                                     "and the Federation page list them", error_kind=ErrorKind.NOT_FOUND)
        if not self._running.acquire(blocking=False):
            raise LinkCheckError("a link check is already running in this process: wait for it to end",
                                 error_kind=ErrorKind.CONFLICT)
        try:
            return self._run(source, progress, policy or Policy.of(root.settings))
        finally:
            self._running.release()

    def _run(self, source: str | None, progress: Callable[[Checked], None] | None,
             policy: Policy) -> LinkRun:
        root = self._root
        after_n = root.settings.linkcheck_broken_after
        started = datetime.now(UTC)
        linked = self.targets()
        todo = sorted(u for u, slugs in linked.items() if source is None or source in slugs)
        previous = self.states()
        results = LinkChecker(policy).check_all(todo, progress)
        at = datetime.now(UTC)
        states = {u: replace(st, broken=st.failures >= after_n) for u, st in previous.items() if u in linked}
        states |= {u: next_state(previous.get(u), found, at, after_n) for u, found in results.items()}
        self._write(states.values(), started, datetime.now(UTC))
        before = {u for u, st in previous.items() if st.broken}
        now_broken = {u for u, st in states.items() if st.broken}
        rescore = sorted({slug for u in (before ^ now_broken) for slug in linked.get(u, ())})
        self._rescore(rescore)
        summary = LinkRun(checked=len(results), started=started, ended=datetime.now(UTC), rescored=rescore)
        for found in results.values():
            if found.outcome == "ok":
                summary.ok += 1
            elif found.outcome in ("robots", "private-address"):
                summary.refused += 1
            else:
                summary.failing += 1
        summary.broken = sum(1 for u in results if states[u].broken)
        return summary

    def _write(self, states: Iterable[LinkState], started: datetime, ended: datetime) -> None:
        root = self._root
        triples = list(state_triples(root.graphs, states, started, ended))
        if len(triples) <= BULK_ABOVE:
            updates.run(root.store, "links_replace", graph=root.graphs.links, data=triples)
        else:  # too big for one update's text: readers see no results for a moment, never wrong ones
            root.store.drop_graph(root.graphs.links)
            root.store.write_graph(root.graphs.links, triples)
        root.changed()

    def _rescore(self, slugs: list[str]) -> None:
        """Recompute the quality graphs (then the search documents) of these sources; a
        failure is logged: the results are stored, and ``catalogue quality`` rebuilds."""
        root = self._root
        for slug in slugs:
            try:
                root.quality.recompute(slug)
            except Exception as exc:  # noqa: BLE001 - derived data: the results are stored
                log.warning("quality scores not updated for %s after the link check: %s", slug, exc)
        root.changed()
        for slug in slugs:
            try:
                root.search.reindex(slug)
            except Exception as exc:  # noqa: BLE001 - e.g. another process writes the index
                log.warning("search index not updated for %s after the link check: %s", slug, exc)
