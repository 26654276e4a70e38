"""A source's history: each stored run's report and diff, retained versions, roll back.

Each run that changed what a source publishes (an ingest, a roll back) leaves:

- a public ``prov:Activity`` in the provenance graph (counts, records removed: 410 Gone);
- a private ``graph/run/{slug}/{run}`` with its SHACL results (records with findings only,
  so a clean 100k-record dump adds almost nothing), the records added, removed and
  changed, and for changed records which properties changed with old and new values.

The previous ``keep_versions`` version graphs stay in the store (not public) so a publisher
can roll back to one of them: that is one registry switch, like an ingest. Only a version a
stored run records (``prov:generated`` in the provenance graph) counts: an ingest killed
before its final transaction leaves a version graph (and maybe its quarantine and run
report) nobody recorded, possibly truncated. Such orphans are never offered for roll back
and are dropped at start-up (see ``orphans``) and by later ingests of the source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from catalogue import queries
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.graphs import Graphs, check_slug
from catalogue.ingest.records import HAS_VERSION, OWNED_LINKS, Record, RecordIndex
from catalogue.ingest.registry import current as current_state
from catalogue.ingest.registry import version_started
from catalogue.ingest.report import Diff, RecordResult, Report
from catalogue.ingest.shacl import Finding
from catalogue.store import Dataset, Node, Store, Term
from catalogue.terms import CAT, PROV, RDF_TYPE, XSD

SH = "http://www.w3.org/ns/shacl#"
MAX_CHANGES = 5000  # property changes kept per run; more are counted, not listed
NESTED = "(nested description)"
# An unrecorded version graph younger than this may be an ingest still at work in another
# process sharing a remote store (its version is named by when it started; validating a
# large dump takes minutes): it is left alone until then.
ORPHAN_AGE = timedelta(hours=1)
CHUNK = 500  # records' nodes per query
RUN_KINDS = ("source", "quarantine", "run", "validation")  # the graphs one run of a source writes


@dataclass(frozen=True)
class Change:
    """One property of one node of a changed record: the values removed and added."""

    record: str
    subject: str  # the node's IRI, or "<record> › property" for a nested blank node
    property: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass
class RunDetail:
    slug: str
    run: str
    report: Report
    accepted: int = 0  # records published by the run (the report lists only those with findings)
    rejected: int = 0
    changes: list[Change] = field(default_factory=list)
    changes_truncated: bool = False
    agent: str | None = None  # the account that started the run (an IRI), if one did


class HistoryError(CatalogueError, ValueError):
    """A version or run that does not exist (not found) or cannot be used now (a conflict,
    named by the raise site); the message says which."""

    error_kind = ErrorKind.NOT_FOUND


# what changed inside a record

def _flatten(index: RecordIndex, record: Record) -> dict[tuple[str, str], set[str]]:
    """(node, property) -> displayed values, blank nodes named by their path from the root."""
    names: dict[ox.NamedNode | ox.BlankNode, str] = {record.root: record.iri}
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    frontier = [record.root]
    seen = {record.root}
    while frontier:
        nxt: list[ox.NamedNode | ox.BlankNode] = []
        for node in frontier:
            for t in index.by_subject.get(node, ()):
                o = t.object
                if isinstance(o, ox.BlankNode):
                    out[(names[node], t.predicate.value)].add(NESTED)
                    if o not in seen:
                        seen.add(o)
                        names[o] = f"{names[node]} › {_local(t.predicate.value)}"
                        nxt.append(o)
                else:
                    out[(names[node], t.predicate.value)].add(_show(o))
                if isinstance(o, ox.NamedNode) and o in index.by_subject and o not in seen \
                        and index.owner.get(o) is record:
                    seen.add(o)
                    names[o] = o.value
                    nxt.append(o)
        frontier = nxt
    return out


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _show(term: Term) -> str:
    if isinstance(term, ox.Literal):
        return f"{term.value} @{term.language}" if term.language else term.value
    if isinstance(term, ox.Triple):  # an RDF 1.2 triple term has no .value
        return str(term)
    return term.value


def changes_between(old: RecordIndex, new: RecordIndex, iris: list[str]) -> tuple[list[Change], bool]:
    """Property-level changes of the given records; (changes, truncated)."""
    old_by = {r.iri: r for r in old.records}
    new_by = {r.iri: r for r in new.records}
    out: list[Change] = []
    for iri in iris:
        if iri not in old_by or iri not in new_by:
            continue
        a, b = _flatten(old, old_by[iri]), _flatten(new, new_by[iri])
        for key in sorted(set(a) | set(b)):
            before, after = a.get(key, set()), b.get(key, set())
            if before != after:
                out.append(Change(iri, key[0], key[1], tuple(sorted(before - after)),
                                  tuple(sorted(after - before))))
                if len(out) >= MAX_CHANGES:
                    return out, True
    return out, False


def old_records(store: Store, graph: ox.NamedNode, iris: list[str]) -> RecordIndex | None:
    """The records ``iris`` as a version graph holds them (for :func:`changes_between`),
    read by subject instead of reading the whole version back; None when a record nests
    blank nodes deeper than the query reads (then the caller reads the whole version).

    Their releases, distributions (and an assessment's statements) are read in up to three
    rounds, each the objects of the last round's owning links. Blank nodes are told apart
    per answer (a remote store labels them per answer).
    """
    owning = {HAS_VERSION.value, *(link.value for link in OWNED_LINKS)}
    found: dict[ox.Triple, None] = {}
    asked: set[ox.NamedNode] = set()
    todo = [ox.NamedNode(i) for i in iris if not i.startswith("_:")]
    for _ in range(3):
        todo = [n for n in dict.fromkeys(todo) if n not in asked]
        if not todo:
            break
        asked.update(todo)
        nxt: list[ox.NamedNode] = []
        for start in range(0, len(todo), CHUNK):
            term = _fresh_blank_nodes()
            rows = queries.select(store, "version_record_triples", resource=todo[start:start + CHUNK],
                                  dataset=Dataset(default_graphs=[graph]))
            for r in rows:
                s, p, o = term(r["s"]), r["p"], term(r["o"])
                found[ox.Triple(s, p, o)] = None  # type: ignore[arg-type]
                if isinstance(o, ox.NamedNode) and p.value in owning:
                    nxt.append(o)
                if "bp" in r:
                    bo = term(r["bo"])
                    found[ox.Triple(o, r["bp"], bo)] = None  # type: ignore[arg-type]
                    if "cp" in r:
                        if isinstance(r["co"], ox.BlankNode):
                            return None  # deeper than read: the whole version it is
                        found[ox.Triple(bo, r["cp"], r["co"])] = None  # type: ignore[arg-type]
        todo = nxt
    return RecordIndex(found)


def _fresh_blank_nodes() -> Callable[[Term], Term]:
    """A term as it is, but a blank node as a new one, the same for the same label."""
    blanks: dict[str, ox.BlankNode] = {}

    def term(t: Term) -> Term:
        if isinstance(t, ox.BlankNode):
            return blanks.setdefault(t.value, ox.BlankNode())
        return t

    return term


# the run graph

def _node(value: str) -> ox.NamedNode | ox.Literal:
    """An IRI as itself; anything else (a blank node's label, a complex path) as text."""
    if not value.startswith("_:"):
        try:
            return ox.NamedNode(value)
        except ValueError:
            pass
    return ox.Literal(value)


def run_triples(run: ox.NamedNode, report: Report, changes: list[Change], truncated: bool,
                diff: Diff, agent: str | None = None) -> list[ox.Triple]:
    """The run's report (standard SHACL results, each with ``cat:record``) and its diff, and
    the account that started it (``agent``): the run graph is private, unlike provenance."""
    T = ox.Triple
    out = [*([T(run, PROV.wasAssociatedWith, ox.NamedNode(agent))] if agent else []),
        T(run, RDF_TYPE, ox.NamedNode(SH + "ValidationReport")),
        T(run, ox.NamedNode(SH + "conforms"), ox.Literal(str(report.conforms).lower(), datatype=XSD.boolean)),
        T(run, CAT.recordsAccepted, ox.Literal(str(report.accepted), datatype=XSD.integer)),
        T(run, CAT.recordsRejected, ox.Literal(str(report.rejected), datatype=XSD.integer)),
    ]
    if truncated:
        out.append(T(run, CAT.changesTruncated, ox.Literal("true", datatype=XSD.boolean)))
    for name, iris in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
        out += [T(run, CAT[name], _node(i)) for i in iris]
    for rec in report.records:
        if rec.accepted and not rec.findings:
            continue
        node = ox.BlankNode()
        out += [T(run, CAT.recordResult, node), T(node, CAT.record, _node(rec.iri)),
                T(node, CAT.kind, ox.Literal(rec.kind)),
                T(node, CAT.accepted, ox.Literal(str(rec.accepted).lower(), datatype=XSD.boolean))]
        for f in rec.findings:
            out += _finding_triples(run, node, f)
    dump = ox.BlankNode()
    for f in report.dump_findings:
        out += _finding_triples(run, dump, f)
    for i, c in enumerate(changes):
        node = ox.BlankNode()
        out += [T(run, CAT.change, node), T(node, CAT.order, ox.Literal(str(i), datatype=XSD.integer)),
                T(node, CAT.record, _node(c.record)), T(node, CAT.subject, ox.Literal(c.subject)),
                T(node, CAT.property, ox.NamedNode(c.property))]
        out += [T(node, CAT.oldValue, ox.Literal(v)) for v in c.old]
        out += [T(node, CAT.newValue, ox.Literal(v)) for v in c.new]
    return out


def _finding_triples(run: ox.NamedNode, holder: ox.BlankNode, f: Finding) -> list[ox.Triple]:
    T = ox.Triple
    node = ox.BlankNode()
    out = [T(run, ox.NamedNode(SH + "result"), node),
           T(node, RDF_TYPE, ox.NamedNode(SH + "ValidationResult")),
           T(node, CAT.heldBy, holder),
           T(node, ox.NamedNode(SH + "resultSeverity"), ox.NamedNode(SH + f.severity)),
           T(node, ox.NamedNode(SH + "focusNode"), _node(f.focus)),
           T(node, ox.NamedNode(SH + "resultMessage"), ox.Literal(f.message))]
    if f.path:
        out.append(T(node, ox.NamedNode(SH + "resultPath"), _node(f.path)))
    if f.value is not None:
        out.append(T(node, ox.NamedNode(SH + "value"), ox.Literal(f.value)))
    if f.shape:
        out.append(T(node, ox.NamedNode(SH + "sourceShape"), _node(f.shape)))
    return out


def read_run(store: Store, graphs: Graphs, slug: str, run_id: str) -> RunDetail:
    """A run's report and diff back from its graph.

    :raise HistoryError: no such run.
    :raise SlugError: ``run_id`` is malformed (not found: no run has that name).
    """
    graph = graphs.run(slug, check_slug(run_id, "run", error_kind=ErrorKind.NOT_FOUND))
    triples = store.triples(graph)
    if not triples:
        raise HistoryError(f"source {slug!r} has no run {run_id!r}")
    by_s: dict[Term, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if not isinstance(t.object, ox.Triple):  # (a run graph has no triple terms)
            by_s[t.subject][t.predicate.value].append(t.object)
    run = next(s for s, p in by_s.items() if SH + "conforms" in p)
    top = by_s[run]

    def one(props: dict, key: str) -> str | None:
        vals = props.get(key)
        return vals[0].value if vals else None

    def ints(key: str) -> int:
        return int(one(top, key) or 0)

    findings_of: dict[Term, list[Finding]] = defaultdict(list)
    for res in top.get(SH + "result", []):
        p = by_s[res]
        findings_of[p[CAT.heldBy.value][0]].append(Finding(
            severity=(one(p, SH + "resultSeverity") or "").removeprefix(SH),
            focus=one(p, SH + "focusNode") or "", path=one(p, SH + "resultPath"),
            value=one(p, SH + "value"), message=one(p, SH + "resultMessage") or "",
            shape=one(p, SH + "sourceShape")))
    report = Report(source=slug, stored=True)
    holders = set()
    for node in top.get(CAT.recordResult.value, []):
        p = by_s[node]
        holders.add(node)
        report.records.append(RecordResult(
            one(p, CAT.record.value) or "", one(p, CAT.kind.value) or "other",
            one(p, CAT.accepted.value) == "true", sorted(findings_of[node], key=_finding_key)))
    report.records.sort(key=lambda r: (r.accepted, r.iri))
    report.dump_findings = [f for h, fs in findings_of.items() if h not in holders for f in fs]
    report.diff = Diff(*(sorted(v.value for v in top.get(CAT[k].value, []))
                         for k in ("added", "removed", "changed")))
    report.counts = (ints(CAT.recordsAccepted.value), ints(CAT.recordsRejected.value))
    detail = RunDetail(slug, run_id, report, *report.counts,
                       changes_truncated=CAT.changesTruncated.value in top,
                       agent=one(top, PROV.wasAssociatedWith.value))
    changes = []
    for node in top.get(CAT.change.value, []):
        p = by_s[node]
        changes.append((int(one(p, CAT.order.value) or 0), Change(
            one(p, CAT.record.value) or "", one(p, CAT.subject.value) or "",
            one(p, CAT.property.value) or "",
            tuple(sorted(v.value for v in p.get(CAT.oldValue.value, []))),
            tuple(sorted(v.value for v in p.get(CAT.newValue.value, []))))))
    detail.changes = [c for _, c in sorted(changes, key=lambda x: x[0])]
    return detail


def _finding_key(f: Finding) -> tuple:
    return ({"Violation": 0, "Warning": 1}.get(f.severity, 2), f.focus, f.path or "", f.message)


# versions

def versions(store: Store, graphs: Graphs, slug: str) -> list[str]:
    """The version graphs of a source still in the store that a stored run recorded (its
    ``prov:generated``), newest first: the only ones a roll back may make current. A graph
    an interrupted ingest left behind is not among them, whatever its name."""
    prefix = graphs.source(check_slug(slug), "x").value[:-1]
    recorded, _ = recorded_runs(store, graphs, slug)
    names = [g.value[len(prefix):] for g in store.named_graphs()
             if g.value.startswith(prefix) and g.value in recorded]
    return sorted((n for n in names if "/" not in n), reverse=True)


def recorded_runs(store: Store, graphs: Graphs, slug: str) -> tuple[set[str], set[str]]:
    """(the version graphs, the run activities) the provenance graph records for ``slug``."""
    rows = queries.select(store, "source_recorded_runs", provenance=graphs.provenance,
                          source=ox.Literal(slug))
    generated, runs = set(), set()
    for r in rows:
        runs.add(r["run"].value)
        if "graph" in r:
            generated.add(r["graph"].value)
    return generated, runs


def run_graphs(graphs: Graphs, named: Iterable[ox.NamedNode]) -> dict[str, list[tuple[ox.NamedNode, str, str]]]:
    """The graphs among ``named`` that runs write, per source: (graph, kind, version), kind
    being ``source``, ``quarantine`` or ``run``."""
    out: dict[str, list[tuple[ox.NamedNode, str, str]]] = defaultdict(list)
    root = f"{graphs.base}graph/"
    for g in named:
        if not g.value.startswith(root):
            continue
        kind, _, rest = g.value[len(root):].partition("/")
        slug, _, version = rest.partition("/")
        if kind in RUN_KINDS and slug and version and "/" not in version:
            out[slug].append((g, kind, version))
    return out


def orphans(store: Store, graphs: Graphs, slug: str, found: Iterable[tuple[ox.NamedNode, str, str]],
            *, started_before: datetime | None) -> list[ox.NamedNode]:
    """Which of ``found`` (a source's run graphs, see ``run_graphs``) no run recorded: the
    version, quarantine and run graphs of an ingest that stopped before its final
    transaction (killed, or the store went away). The registry's current graphs are never
    among them.

    Call it while no ingest of ``slug`` in this process can be writing (under its lock):
    such an ingest's graphs are unrecorded until it ends. ``started_before`` spares the
    runs that started later (by their names; a name that says no time is not ours and is
    not spared): on a shared store another process may be writing them right now.
    """
    generated, runs = recorded_runs(store, graphs, slug)
    state = current_state(store, graphs, slug)
    live = {g.value for g in (state.graph, state.quarantine) if g is not None}
    out = []
    for graph, kind, version in found:
        if graph.value in live:
            continue
        if kind == "run":
            known = f"{graphs.base}run/{slug}/{version}" in runs
        else:
            known = f"{graphs.base}graph/source/{slug}/{version}" in generated
        started = version_started(version)
        if known or (started_before is not None and started is not None and started >= started_before):
            continue
        out.append(graph)
    return out


def prune(store: Store, graphs: Graphs, slug: str, keep: int, current: str | None) -> list[str]:
    """Drop version graphs (and their quarantines and verdicts) but the current one and ``keep`` earlier,
    and the graphs interrupted ingests of the source left more than ``ORPHAN_AGE`` ago.

    Called under the source's ingest lock, once a run is stored. A graph that cannot be
    dropped is left for the next time: reclaiming space must not fail a stored run.
    """
    dropped = []
    earlier = [v for v in versions(store, graphs, slug) if v != current]
    for version in earlier[keep:]:
        for g in (graphs.source(slug, version), graphs.quarantine(slug, version),
                  graphs.validation(slug, version)):
            try:
                store.drop_graph(g)
            except Exception:  # noqa: BLE001 - reclaiming space must not fail a stored run
                continue
        dropped.append(version)
    try:
        found = run_graphs(graphs, store.named_graphs()).get(slug, [])
        for g in orphans(store, graphs, slug, found, started_before=datetime.now(UTC) - ORPHAN_AGE):
            store.drop_graph(g)
    except Exception:  # noqa: BLE001 - as above: start-up or the next run tries again
        pass
    return dropped
