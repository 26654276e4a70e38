"""The quality dashboards' numbers (issue 16, item 4): per source and site-wide.

Per source: the score distribution (solutions per level and per 10-point bin), each
dimension's mean against its weight, the trend across its scoring runs (the quality
history), its broken links (the link checker's, absent until it has run), and its records
worst first with the criteria they lack. Site-wide: the sources ranked by mean score with
their solutions and broken links, the dimensions' means, the levels, and the catalogue's
growth (solutions over time, from the history).

A source's scores are read once (``quality_scores.rq`` over its quality graph) and kept
while neither the data version nor the quality history changes: a recompute by cron
(``catalogue quality``) writes new scores without changing the data version, and one right
after an ingest may end after a reader already asked for that version; both add or replace
a history run, which moves :func:`history.stamp`. Criteria, dimensions and levels all come
from the scoring table (``table.py``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from catalogue import queries
from catalogue.cache import LRU
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.ingest.registry import SourceState, all_sources
from catalogue.labels import pick
from catalogue.quality import history
from catalogue.quality.dqv import Q
from catalogue.quality.table import BY_CODE, DIMENSIONS, LEVELS, WEIGHTS, Criterion, level_of
from catalogue.store import Dataset

if TYPE_CHECKING:
    from catalogue.app import Catalogue

PAGE_SIZE = 20  # worst records a page
BINS = 10  # 10-point bins: 0-9 ... 90-100
T = TypeVar("T")


class DashboardError(CatalogueError, ValueError):
    """No such source (not found), or a page number that is not one of the dashboard's
    (bad input); the message says which pages there are."""


@dataclass(frozen=True)
class RecordScore:
    iri: str
    total: int

    @property
    def level(self) -> str:
        return level_of(self.total)


@dataclass(frozen=True)
class Scores:
    """A source version's scores, summed up; ``records`` worst first (then by IRI)."""

    records: tuple[RecordScore, ...]
    means: dict[str, float]  # dimension -> mean
    mean_total: float

    @property
    def solutions(self) -> int:
        return len(self.records)

    @cached_property
    def levels(self) -> dict[str, int]:
        """Solutions per level, best level first (every level named, 0 or not)."""
        counts = {name: 0 for name, _ in LEVELS}
        for r in self.records:
            counts[r.level] += 1
        return counts

    @cached_property
    def bins(self) -> list[int]:
        """Solutions per 10-point bin: 0-9, 10-19 ... 90-100 (100 joins the last)."""
        counts = [0] * BINS
        for r in self.records:
            counts[min(r.total // 10, BINS - 1)] += 1
        return counts


EMPTY = Scores((), {d: 0.0 for d in DIMENSIONS}, 0.0)


@dataclass(frozen=True)
class BrokenLink:
    url: str
    outcome: str
    status: int | None
    checked: str | None  # ISO date-time of the last check
    last_success: str | None  # None: never worked
    failures: int


@dataclass(frozen=True)
class WorstRecord:
    iri: str
    title: str
    total: int
    level: str
    lost: tuple[Criterion, ...]  # most points first


@dataclass(frozen=True)
class SourceDashboard:
    slug: str
    name: str
    version: str | None
    scores: Scores
    trend: list[history.Run]
    links_checked: bool
    broken: list[BrokenLink]
    page: int
    pages: int
    worst: list[WorstRecord]
    maxima: dict[str, int] = field(default_factory=lambda: dict(WEIGHTS))

    @property
    def first(self) -> int:
        """The rank of the page's first record (1 on the first page)."""
        return (self.page - 1) * PAGE_SIZE + 1


@dataclass(frozen=True)
class SourceRow:
    slug: str
    name: str
    solutions: int
    mean_total: float
    means: dict[str, float]
    levels: dict[str, int]
    broken: int

    @property
    def level(self) -> str:
        return level_of(math.floor(self.mean_total))


@dataclass(frozen=True)
class SiteDashboard:
    sources: list[SourceRow]  # best mean first
    solutions: int
    mean_total: float
    means: dict[str, float]
    levels: dict[str, int]
    links_checked: bool
    growth: list[tuple[datetime, int]]  # solutions in the catalogue after each scoring run
    maxima: dict[str, int] = field(default_factory=lambda: dict(WEIGHTS))

    @property
    def broken(self) -> int:
        return sum(s.broken for s in self.sources)


def scores_from(totals: dict[str, int], means: dict[str, float]) -> Scores:
    """A quality graph summed up: each record's total (``quality_totals.rq``) and each
    metric's mean (``quality_means.rq``, computed by the store: reading every dimension's
    measurement of 100k records row by row took seconds)."""
    if not totals:
        return EMPTY
    records = tuple(sorted((RecordScore(iri, total) for iri, total in totals.items()),
                           key=lambda r: (r.total, r.iri)))
    return Scores(records, {d: round(means.get(d, 0.0), 2) for d in DIMENSIONS},
                  round(sum(totals.values()) / len(totals), 2))


def growth(runs: Sequence[history.Run]) -> list[tuple[datetime, int]]:
    """The catalogue's solutions after each run: each source counts its latest run so far."""
    latest: dict[str, int] = {}
    points: list[tuple[datetime, int]] = []
    for run in sorted(runs, key=lambda r: (r.at, r.iri)):
        latest[run.source] = run.summary.solutions
        total = sum(latest.values())
        if points and points[-1][0] == run.at:
            points[-1] = (run.at, total)
        else:
            points.append((run.at, total))
    return points


def page_count(n: int) -> int:
    return max(1, -(-n // PAGE_SIZE))


def check_page(raw: str | int | None, pages: int) -> int:
    """The page asked for (1 when none).

    :raise DashboardError: not a whole number from 1 to ``pages`` (bad input).
    """
    if raw is None or raw == "":
        return 1
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= pages:
        raise DashboardError(f"page {text!r} does not exist: the pages go from 1 to {pages}")
    return int(text)


class Dashboards:
    """``Catalogue.quality.dashboards``: the numbers of ``/sources/{slug}/quality`` and
    ``/quality``, and their exports."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._cache: LRU[tuple[str, str], object] = LRU(256)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # the scores this process just computed, by quality graph: a dashboard read right
        # after an ingest or `catalogue quality` needs no query (reading 100k totals and
        # averaging 600k measurements back took 26 s on a loaded machine)
        self._primed: LRU[str, Scores] = LRU(64)

    def prime(self, quality_graph: str, totals: dict[str, int], dimensions: dict[str, list[int]]) -> None:
        """Keep the scores of a quality graph just written (``totals`` per record, every
        record's value per dimension); a rewrite of the same graph replaces them."""
        means = {d: (sum(v) / len(v) if v else 0.0) for d, v in dimensions.items()}
        self._primed.put(quality_graph, scores_from(totals, means))

    # what is read once per data version and quality history

    def _token(self) -> str:
        root = self._root
        return f"{root.data_version().token}|{history.stamp(root.store, root.graphs)}"

    def _cached(self, name: str, token: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``token``: the first asker computes, the others wait."""
        found = self._cache.get((name, token))
        if found is not None:
            return found  # type: ignore[return-value]
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            found = self._cache.get((name, token))
            if found is None:
                found = compute()
                self._cache.put((name, token), found)
            return found  # type: ignore[return-value]

    def _sources(self, token: str) -> dict[str, SourceState]:
        root = self._root
        return self._cached("sources", token, lambda: all_sources(root.store, root.graphs))

    def _scores(self, state: SourceState, token: str) -> Scores:
        root = self._root
        if state.graph is None:
            return EMPTY

        primed = self._primed.get(root.graphs.quality(state.graph).value)
        if primed is not None:
            return primed

        def read() -> Scores:
            dataset = Dataset(default_graphs=[root.graphs.quality(state.graph)])  # type: ignore[arg-type]
            totals = {r["record"].value: int(r["value"].value)
                      for r in queries.select(root.store, "quality_totals", dataset=dataset)}
            means = {r["metric"].value.removeprefix(Q): float(r["mean"].value)
                     for r in queries.select(root.store, "quality_means", dataset=dataset)}
            return scores_from(totals, means)
        return self._cached(f"scores:{state.slug}", token, read)

    def _runs(self, token: str) -> list[history.Run]:
        root = self._root
        return self._cached("runs", token, lambda: history.runs(root.store, root.graphs))

    def _links_checked(self, token: str) -> bool:
        root = self._root
        return self._cached("links checked", token, lambda: queries.ask(
            root.store, "quality_links_checked", dataset=Dataset(default_graphs=[root.graphs.links])))

    def _broken(self, state: SourceState, token: str) -> list[BrokenLink]:
        root = self._root
        if state.graph is None:
            return []

        def read() -> list[BrokenLink]:
            dataset = Dataset(default_graphs=[state.graph, root.graphs.links])  # type: ignore[list-item]
            rows = queries.select(root.store, "quality_broken_links", dataset=dataset)
            out = []
            for r in rows:
                status, failures = r.get("status"), r.get("failures")
                checked, success, outcome = r.get("checked"), r.get("success"), r.get("outcome")
                out.append(BrokenLink(
                    r["url"].value, outcome.value if outcome is not None else "",
                    _int(status.value) if status is not None else None,
                    checked.value if checked is not None else None,
                    success.value if success is not None else None,
                    (_int(failures.value) or 0) if failures is not None else 0))
            return out
        return self._cached(f"broken:{state.slug}", token, read)

    # the dashboards

    def source(self, slug: str, *, page: str | int | None = None,
               languages: tuple[str, ...] = ("en",)) -> SourceDashboard:
        """One source's dashboard, with one page of its worst records (titles in the first
        of ``languages`` they have).

        :raise DashboardError: no such source (not found); a page that does not exist
            (bad input).
        """
        token = self._token()
        state = self._sources(token).get(slug)
        if state is None:
            raise DashboardError(f"there is no source {slug!r}", error_kind=ErrorKind.NOT_FOUND)
        scores = self._scores(state, token)
        pages = page_count(scores.solutions)
        number = check_page(page, pages)
        shown = scores.records[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
        titles = self._titles([r.iri for r in shown], languages)
        lacks = self._lacks(state, [r.iri for r in shown])
        worst = [WorstRecord(r.iri, titles.get(r.iri, r.iri), r.total, r.level,
                             tuple(sorted((BY_CODE[c] for c in lacks.get(r.iri, ()) if c in BY_CODE),
                                          key=lambda c: (-c.points, c.code))))
                 for r in shown]
        trend = [run for run in self._runs(token) if run.source == slug]
        return SourceDashboard(slug, state.name or slug, state.version, scores, trend,
                               self._links_checked(token), self._broken(state, token), number, pages, worst)

    def site(self) -> SiteDashboard:
        """The site-wide dashboard: every source with solutions, ranked by mean score."""
        token = self._token()
        return self._cached("site", token, lambda: self._site(token))

    def _site(self, token: str) -> SiteDashboard:
        rows = []
        everything: list[RecordScore] = []
        sums = {d: 0.0 for d in DIMENSIONS}
        for slug, state in sorted(self._sources(token).items()):
            scores = self._scores(state, token)
            if not scores.solutions:
                continue
            everything.extend(scores.records)
            for d in DIMENSIONS:
                sums[d] += scores.means[d] * scores.solutions
            rows.append(SourceRow(slug, state.name or slug, scores.solutions, scores.mean_total,
                                  scores.means, scores.levels, len(self._broken(state, token))))
        rows.sort(key=lambda r: (-r.mean_total, -r.solutions, r.slug))
        n = len(everything)
        whole = Scores(tuple(everything), {d: round(sums[d] / n, 2) if n else 0.0 for d in DIMENSIONS},
                       round(sum(r.total for r in everything) / n, 2) if n else 0.0)
        return SiteDashboard(rows, n, whole.mean_total, whole.means, whole.levels,
                             self._links_checked(token), growth(self._runs(token)))

    def _lacks(self, state: SourceState, iris: list[str]) -> dict[str, set[str]]:
        """The criteria each of ``iris`` lacks (``quality_lacks.rq``): one page's worth."""
        if not iris or state.graph is None:
            return {}
        dataset = Dataset(default_graphs=[self._root.graphs.quality(state.graph)])
        found: dict[str, set[str]] = {}
        for r in queries.select(self._root.store, "quality_lacks", dataset=dataset,
                                record=[ox.NamedNode(i) for i in iris]):
            found.setdefault(r["record"].value, set()).add(r["lacks"].value.removeprefix(Q))
        return found

    def measurements(self, slug: str) -> dict[str, tuple[dict[str, int], tuple[str, ...]]]:
        """Every solution's stored dimension scores and lacked criteria (in table order) in
        a source's current quality graph (``quality_scores.rq``): the CSV export's rows.

        :raise DashboardError: no such source (not found).
        """
        state = self._sources(self._token()).get(slug)
        if state is None:
            raise DashboardError(f"there is no source {slug!r}", error_kind=ErrorKind.NOT_FOUND)
        if state.graph is None:
            return {}
        dataset = Dataset(default_graphs=[self._root.graphs.quality(state.graph)])
        values: dict[str, dict[str, int]] = {}
        lacks: dict[str, set[str]] = {}
        for r in queries.select(self._root.store, "quality_scores", dataset=dataset):
            record = r["record"].value
            values.setdefault(record, {})[r["metric"].value.removeprefix(Q)] = int(r["value"].value)
            lacked = r.get("lacks")
            if lacked is not None:
                lacks.setdefault(record, set()).add(lacked.value.removeprefix(Q))
        order = list(BY_CODE)
        return {iri: (v, tuple(c for c in order if c in lacks.get(iri, ()))) for iri, v in values.items()}

    def _titles(self, iris: list[str], languages: tuple[str, ...]) -> dict[str, str]:
        """The titles of a page of records (``labels_of.rq``), in the reader's languages."""
        if not iris:
            return {}
        found: dict[str, list[ox.Literal]] = {}
        for t in self._root.construct("labels_of", resource=[ox.NamedNode(i) for i in iris]):
            if (t.predicate.value == "http://purl.org/dc/terms/title" and isinstance(t.object, ox.Literal)
                    and isinstance(t.subject, ox.NamedNode)):
                found.setdefault(t.subject.value, []).append(t.object)
        return {iri: lit.value for iri, lits in found.items() if (lit := pick(lits, languages)) is not None}

    def all_titles(self, slug: str, languages: tuple[str, ...] = ("en",)) -> dict[str, str]:
        """Every solution's title in a source's current graph (the CSV export's).

        :raise DashboardError: no such source (not found).
        """
        state = self._sources(self._token()).get(slug)
        if state is None:
            raise DashboardError(f"there is no source {slug!r}", error_kind=ErrorKind.NOT_FOUND)
        if state.graph is None:
            return {}
        rows = queries.select(self._root.store, "quality_titles", dataset=Dataset(default_graphs=[state.graph]))
        found: dict[str, list[ox.Literal]] = {}
        for r in rows:
            title = r["title"]
            if isinstance(title, ox.Literal):
                found.setdefault(r["record"].value, []).append(title)
        return {iri: lit.value for iri, lits in found.items() if (lit := pick(lits, languages)) is not None}


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
