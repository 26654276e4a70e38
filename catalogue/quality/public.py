"""``Catalogue.quality``: each source's quality graph kept in step with its public version,
a record's score read back, and the minimum quality a site lists by default.

The quality graph of a source version (``Graphs.quality``) is derived: recomputed after
every stored run of that source (ingest, roll back, withdrawal; after the atomic switch,
never undoing it) and by ``catalogue quality`` (every source, for cron: "recent" ages with
the clock). It is written in bulk (drop, then write: a reader in between sees no scores for
that source, never wrong ones), and older versions' quality graphs are dropped with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries
from catalogue.errors import CatalogueError
from catalogue.ingest.registry import all_sources
from catalogue.quality import history
from catalogue.quality.dashboard import Dashboards
from catalogue.quality.dqv import Q, measurement_triples
from catalogue.quality.links import BrokenLink, broken_urls
from catalogue.quality.outdated import Thresholds, threshold
from catalogue.quality.table import (
    BY_CODE,
    DIMENSIONS,
    LEVELS,
    WEIGHTS,
    Score,
    level_floor,
    level_of,
    score_graph,
)
from catalogue.store import Dataset

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)


class MinQualityError(CatalogueError, ValueError):
    """A quality level that is neither a level's name nor a whole number from 0 to 100 (bad
    input: the ``quality`` filter of a listing, or CATALOGUE_MIN_QUALITY)."""


def parse_min_quality(value: str) -> int | None:
    """A minimum score from a level name ('good') or a number ('60'); '' or 'off': none.

    :raise MinQualityError: anything else.
    """
    value = value.strip().lower()
    if value in ("", "off", "0"):
        return None
    if value.isdigit() and 0 <= int(value) <= 100:
        return int(value)
    try:
        return level_floor(value)
    except KeyError:
        names = ", ".join(name for name, _ in LEVELS)
        raise MinQualityError(f"quality level {value!r} is not one of {names} or a number "
                              "from 0 to 100") from None


@dataclass(frozen=True)
class RecordQuality:
    """A solution's score as its page shows it."""

    total: int
    dimensions: dict[str, int]
    lost: tuple[str, ...]  # criterion codes, in table order
    computed: datetime | None
    broken_links: tuple[BrokenLink, ...] = ()  # when it lacks "working-links": which, and how

    @property
    def level(self) -> str:
        return level_of(self.total)

    @property
    def maxima(self) -> dict[str, int]:
        """Each dimension's weight: what its value is out of."""
        return dict(WEIGHTS)

    def advice(self) -> list[tuple[str, str, int]]:
        """What would raise it: (criterion code, English advice, points), most points first."""
        found = [BY_CODE[c] for c in self.lost if c in BY_CODE]
        return [(c.code, c.advice, c.points) for c in sorted(found, key=lambda c: -c.points)]


class Quality:
    """Quality scores of one catalogue's solutions."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self.dashboards = Dashboards(root)  # /sources/{slug}/quality, /quality
        self.thresholds = Thresholds(root)  # "may be outdated" per asset type, set by moderators
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def min_score(self) -> int | None:
        """The site's CATALOGUE_MIN_QUALITY as a score (None: off).

        :raise MinQualityError: the setting is not a level or a number.
        """
        return parse_min_quality(self._root.settings.min_quality)

    def score_source(self, slug: str, source_graph: ox.NamedNode,
                     triples: Iterable[ox.Triple] | None = None) -> list[Score]:
        """Score every solution of one source graph (nothing written): from ``triples``
        when the caller holds that graph's triples (an ingest that just wrote them), else
        read from the store."""
        settings = self._root.settings
        if triples is None:
            if not queries.ask(self._root.store, "quality_has_solutions",
                               dataset=Dataset(default_graphs=[source_graph])):
                return []  # nothing to score: not worth reading every triple (the standards' sources)
            triples = self._root.store.iter_triples(source_graph)  # streamed where the store can
        return score_graph(triples, outdated_after_days=settings.outdated_after_days,
                           broken=broken_urls(self._root.store, self._root.graphs),  # the link checker's
                           thresholds=self.thresholds.read())  # the moderators' per asset type

    def recompute(self, source: str, written: tuple[ox.NamedNode, list[ox.Triple]] | None = None) -> int:
        """:meth:`_recompute` one source at a time (an ingest's and the link checker's may
        come at once: two would each write a set of measurements)."""
        with self._locks_guard:
            lock = self._locks.setdefault(source, threading.Lock())
        with lock:
            return self._recompute(source, written)

    def _recompute(self, source: str, written: tuple[ox.NamedNode, list[ox.Triple]] | None) -> int:
        """Rewrite the quality graph of ``source``'s current version (and drop its older
        ones), and add the run's summary to the quality history (``history.record``);
        returns the solutions scored (0: no current version, nothing kept).

        :raise StoreError: the store failed (the caller after an ingest logs it: the data
            is stored and ``catalogue quality`` rebuilds this).
        """
        root = self._root
        store, graphs = root.store, root.graphs
        state = all_sources(store, graphs).get(source)
        current = graphs.quality(state.graph) if state is not None and state.graph else None
        prefix = f"{graphs.base}graph/quality/{source}/"
        for g in store.named_graphs():
            if g.value.startswith(prefix) and g != current:
                store.drop_graph(g)
        now = datetime.now(UTC)
        if current is None or state is None or state.graph is None:
            if state is not None:  # withdrawn: the trend drops to 0 solutions
                history.record(store, graphs, source, None, graphs.source_resource(source), [], now)
            return 0
        held = written[1] if written is not None and written[0] == state.graph else None
        scores = self.score_source(source, state.graph, held)
        store.drop_graph(current)
        store.write_graph(current, measurement_triples(graphs, source, scores, now))
        self.dashboards.prime(current.value, {s.record: s.total for s in scores},
                              {d: [s.dimensions[d] for s in scores] for d in DIMENSIONS})
        history.record(store, graphs, source, state.version, state.graph, scores, now)  # the trend
        return len(scores)

    def rebuild(self) -> dict[str, int]:
        """Recompute every source's quality graph: source -> solutions scored."""
        done = {slug: self.recompute(slug) for slug in sorted(all_sources(self._root.store, self._root.graphs))}
        self._root.changed()
        return done

    def outdated_after(self, types: Iterable[str] = ()) -> int:
        """The days after which a record of ``types`` (its ``dct:type`` IRIs) may be
        outdated: the moderators' longest threshold among its ADMS asset types, else
        CATALOGUE_OUTDATED_AFTER_DAYS (0: never)."""
        return threshold(types, self.thresholds.current(), self._root.settings.outdated_after_days)

    def outdated(self, modified: str | datetime | None, now: datetime | None = None,
                 types: Iterable[str] = ()) -> bool:
        """Whether a record of ``types`` last changed at ``modified`` (an ISO date or
        date-time; naive read as UTC) is older than its threshold (:meth:`outdated_after`;
        0: never). A record without a date is not called outdated: it has nothing to be out
        of date against."""
        days = self.outdated_after(types)
        if not modified or days <= 0:
            return False
        if isinstance(modified, str):
            try:
                modified = datetime.fromisoformat(modified.replace("Z", "+00:00"))
            except ValueError:
                return False
        when = modified if modified.tzinfo else modified.replace(tzinfo=UTC)
        return (now or datetime.now(UTC)) - when > timedelta(days=days)

    def totals(self, source_graph: ox.NamedNode) -> dict[str, int]:
        """Each solution's total score in the quality graph of one source version (what the
        search index reads; empty when it was not computed)."""
        graph = self._root.graphs.quality(source_graph)
        rows = queries.select(self._root.store, "quality_totals", dataset=Dataset(default_graphs=[graph]))
        return {r["record"].value: int(r["value"].value) for r in rows}

    def of_record(self, iri: str) -> RecordQuality | None:
        """A solution's published score, or None when it has none (not a solution, or its
        source's quality not computed yet)."""
        rows = self._root.select("quality_of_record", record=ox.NamedNode(iri))
        values: dict[str, int] = {}
        lost: set[str] = set()
        computed: datetime | None = None
        for r in rows:
            name = r["metric"].value.removeprefix(Q)
            values[name] = int(r["value"].value)
            lacks = r.get("lacks")
            if lacks is not None:
                lost.add(lacks.value.removeprefix(Q))
            at = r.get("at")
            if at is not None and computed is None:
                try:
                    computed = datetime.fromisoformat(at.value)
                except ValueError:
                    computed = None
        if "total" not in values:
            return None
        order = [c for c in BY_CODE if c in lost]
        broken = tuple(self.broken_links_of(iri)) if "working-links" in lost else ()
        return RecordQuality(values["total"], {d: values.get(d, 0) for d in DIMENSIONS}, tuple(order), computed,
                             broken)

    def broken_links_of(self, iri: str) -> list[BrokenLink]:
        """The broken links of a solution (its own and its releases' landing pages and
        documentation, their distributions' URLs), as the link checker last found them."""
        return [BrokenLink.of(r) for r in self._root.select("record_broken_links", record=ox.NamedNode(iri))]
