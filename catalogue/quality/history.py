"""A source's quality over time: each scoring run summed up in a persistent public graph.

A recompute keeps only the current version's quality graph (``Graphs.quality``), so a trend
cannot be read from those. Each run also writes a summary into ``Graphs.quality_history``
(not under ``graph/quality/``, whose graphs a recompute drops): one ``q:QualityRun`` with the
source, the version and ``prov:generatedAtTime``, and a ``dqv:QualityMeasurement`` per
metric (:data:`METRICS`: the solutions scored, the mean total, each dimension's mean, the
solutions per level), ``dqv:computedOn`` the version graph (the source itself once it has
no version). A run of the same version with the same numbers as the source's latest
replaces that run instead of adding one: ``catalogue quality`` runs daily from cron, and a
trend of identical points says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.graphs import Graphs
from catalogue.quality.dqv import DQV, Q, metric
from catalogue.quality.table import DIMENSIONS, LEVELS, Score
from catalogue.store import Dataset, Rows, Store

# metric names (q:{name}): what one run's summary measures, from the scoring table's own names
METRICS: tuple[str, ...] = ("solutions", "mean-total", *(f"mean-{d}" for d in DIMENSIONS),
                            *(f"level-{name}" for name, _ in LEVELS))
NO_VERSION = "none"  # the version slug of a run after a withdrawal (no version is current)
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE = ox.NamedNode(_RDF + "type")
_RUN = ox.NamedNode(Q + "QualityRun")
_SOURCE = ox.NamedNode(Q + "source")
_VERSION = ox.NamedNode(Q + "version")
_HAS = ox.NamedNode(DQV + "hasQualityMeasurement")
_MEASUREMENT = ox.NamedNode(DQV + "QualityMeasurement")
_COMPUTED_ON = ox.NamedNode(DQV + "computedOn")
_OF = ox.NamedNode(DQV + "isMeasurementOf")
_VALUE = ox.NamedNode(DQV + "value")
_AT = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Summary:
    """One run's numbers: solutions scored, mean total (0-100), each dimension's mean and
    the solutions per level; means rounded to two decimals (as stored)."""

    solutions: int
    mean_total: float
    means: dict[str, float]  # dimension -> mean
    levels: dict[str, int]  # level -> solutions

    @classmethod
    def of(cls, scores: Sequence[Score]) -> Summary:
        n = len(scores)

        def mean(values: Iterator[int]) -> float:
            return round(sum(values) / n, 2) if n else 0.0

        levels = {name: 0 for name, _ in LEVELS}
        for s in scores:
            levels[s.level] += 1
        return cls(n, mean(s.total for s in scores),
                   {d: mean(s.dimensions[d] for s in scores) for d in DIMENSIONS}, levels)

    def values(self) -> dict[str, int | float]:
        """Metric name (:data:`METRICS`) -> value."""
        return {"solutions": self.solutions, "mean-total": self.mean_total,
                **{f"mean-{d}": self.means[d] for d in DIMENSIONS},
                **{f"level-{name}": self.levels[name] for name, _ in LEVELS}}

    @classmethod
    def from_values(cls, values: dict[str, float]) -> Summary:
        """Read back from stored measurements; a metric missing (an older run) counts 0."""
        return cls(int(values.get("solutions", 0)), float(values.get("mean-total", 0.0)),
                   {d: float(values.get(f"mean-{d}", 0.0)) for d in DIMENSIONS},
                   {name: int(values.get(f"level-{name}", 0)) for name, _ in LEVELS})


@dataclass(frozen=True)
class Run:
    """One scoring run of a source, as the history keeps it."""

    iri: str
    source: str  # slug
    version: str  # "" when the source had no version
    at: datetime
    summary: Summary


def _literal(value: int | float) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    return ox.Literal(f"{value:.2f}", datatype=ox.NamedNode(_XSD + "decimal"))


def run_triples(graphs: Graphs, slug: str, version: str, on: ox.NamedNode, summary: Summary,
                at: datetime) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The run's IRI and its triples (``on``: what was measured, the version graph)."""
    stamp = at.strftime("%Y%m%d%H%M%S%f")
    point = graphs.quality_history_point(slug, version or NO_VERSION, stamp)
    when = ox.Literal(at.isoformat(), datatype=ox.NamedNode(_XSD + "dateTime"))
    triples = [ox.Triple(point, _TYPE, _RUN), ox.Triple(point, _SOURCE, graphs.source_resource(slug)),
               ox.Triple(point, _VERSION, ox.Literal(version)), ox.Triple(point, _AT, when)]
    for name, value in summary.values().items():
        m = graphs.quality_history_measurement(point, name)
        triples += [ox.Triple(point, _HAS, m), ox.Triple(m, _TYPE, _MEASUREMENT),
                    ox.Triple(m, _COMPUTED_ON, on), ox.Triple(m, _OF, metric(name)),
                    ox.Triple(m, _VALUE, _literal(value)), ox.Triple(m, _AT, when)]
    return point, triples


def runs_from(rows: Rows, graphs: Graphs) -> list[Run]:
    """Runs from the rows of ``quality_history.rq`` (or its per-source twin), oldest first."""
    found: dict[str, tuple[str, str, str, dict[str, float]]] = {}
    prefix = graphs.source_resource("x").value[:-1]
    for r in rows:
        point = r["point"].value
        entry = found.setdefault(point, (r["source"].value.removeprefix(prefix), r["version"].value,
                                         r["at"].value, {}))
        entry[3][r["metric"].value.removeprefix(Q)] = float(r["value"].value)
    runs = [Run(iri, slug, version, datetime.fromisoformat(at), Summary.from_values(values))
            for iri, (slug, version, at, values) in found.items()]
    return sorted(runs, key=lambda run: (run.at, run.iri))


def runs(store: Store, graphs: Graphs, slug: str | None = None) -> list[Run]:
    """Every run in the history (or one source's), oldest first."""
    dataset = Dataset(default_graphs=[graphs.quality_history])
    rows = (queries.select(store, "quality_history", dataset=dataset) if slug is None else
            queries.select(store, "quality_history_of_source", dataset=dataset,
                           source=graphs.source_resource(slug)))
    return runs_from(rows, graphs)


def stamp(store: Store, graphs: Graphs) -> str:
    """Changes whenever a run is added or replaced (its latest time and count)."""
    rows = queries.select(store, "quality_history_stamp",
                          dataset=Dataset(default_graphs=[graphs.quality_history]))
    row = next(iter(rows), {})
    return "/".join(term.value if (term := row.get(k)) is not None else "" for k in ("latest", "runs"))


def record(store: Store, graphs: Graphs, slug: str, version: str | None, on: ox.NamedNode,
           scores: Sequence[Score], at: datetime) -> Run | None:
    """Add a summary of this scoring run to the history; replace the source's latest run
    instead when it is of the same version with the same numbers. A source that never had
    a solution (the bundled standards) gets no run. Returns the run written, or None.

    :raise StoreError: the store failed (the caller logs it: the scores are stored).
    """
    summary = Summary.of(scores)
    known = runs(store, graphs, slug)
    latest = known[-1] if known else None
    if summary.solutions == 0 and (latest is None or latest.summary.solutions == 0):
        return None
    point, triples = run_triples(graphs, slug, version or "", on, summary, at)
    if latest is not None and latest.version == (version or "") and latest.summary == summary:
        updates.run(store, "quality_history_replace", graph=graphs.quality_history,
                    old=ox.NamedNode(latest.iri), data=triples)
    else:
        updates.run(store, "graph_insert", graph=graphs.quality_history, data=triples)
    return Run(point.value, slug, version or "", at, summary)
