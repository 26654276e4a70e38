"""Ingest: the only write path for catalogue data.

source → parse (guards) → split into records → SHACL per record (in batches) →
one atomic replacement of the source's graph, its quarantine and a provenance record.

Over 400 lines on purpose (issue 11): this is the one write path, read top to bottom in the
order its steps run (validate, then ingest, then the other runs that change a source's
current version: rollback, reclaim_orphans, withdraw_all). Every write here holds the same
per-source lock (``_locks``), names its version the same way (:func:`new_version`), writes
graphs nobody reads and publishes them by the one switch update with the same provenance
(``_provenance``) and clean-up on failure (``_drop_quietly``). Split, those invariants would
be spread over modules each free to write its own way. What is a concern of its own is
already apart: ``parse`` (guards), ``records``, ``shacl``, ``ownership``, ``history``
(versions, runs, diffs) and ``registry`` (the pointer the switch moves).
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from catalogue import queries
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.formats import Format
from catalogue.graphs import Graphs, check_slug
from catalogue.ingest import history, ownership, parallel, verdicts
from catalogue.ingest.ahead import WriteAhead
from catalogue.ingest.errors import InputError
from catalogue.ingest.parse import Limits, ParsedDump, parse_dump
from catalogue.ingest.records import Record, RecordIndex
from catalogue.ingest.registry import SourceState, current, switch_update
from catalogue.ingest.report import Diff, RecordResult, Report
from catalogue.ingest.shacl import (
    DUMP_SHAPES,
    RECORD_SHAPES,
    REPLACES_ADMS_AP,
    Finding,
    Validator,
    shape_files,
)
from catalogue.settings import Settings
from catalogue.store import Store
from catalogue.terms import CAT, PROV, RDF_TYPE, XSD

BATCH = 400
# below this many records, starting worker processes costs more than it saves
PARALLEL_MIN_RECORDS = 2000
# a dump this large (about 2,000 solutions in Turtle) starts the workers before it is parsed
WARM_BYTES = 8_000_000
MODES = ("strict", "partial")
_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)


@dataclass
class Validated:
    parsed: ParsedDump
    index: RecordIndex
    report: Report
    signatures: dict[Record, str] = field(default_factory=dict)  # RecordIndex.signature
    key: str = ""  # what the verdicts hold under (verdicts.key)
    # per record, its SHACL findings (before ownership's), or None: not to be reused
    verdicts: dict[Record, tuple[Finding, ...] | None] = field(default_factory=dict)


def limits_of(settings: Settings) -> Limits:
    return Limits(settings.max_upload_bytes, settings.max_literal_bytes, settings.max_json_depth)


def validators(engine: str, profiles: Sequence[str] = ()) -> tuple[Validator, Validator]:
    """The record and the dump validators; a profile of ``REPLACES_ADMS_AP`` drops ADMS-AP's."""
    adms_ap = REPLACES_ADMS_AP.isdisjoint(profiles)
    return (
        Validator(shape_files(RECORD_SHAPES if adms_ap else (), profiles), engine),
        Validator(shape_files(DUMP_SHAPES if adms_ap else ()), engine),
    )


def validate_records(
    index: RecordIndex, validator: Validator, workers: int = 1,
    records: Sequence[Record] | None = None,
) -> tuple[dict[Record, list[Finding]], list[Finding]]:
    """Validate records (all of the index's, or ``records``) in batches; give each record
    the findings on nodes of its graph.

    Returns the findings per record, and those on nodes no record in the batch owns or
    shares (never expected; kept, not dropped, so they still block the dump). A finding on
    another batch's root is dropped here: that root is judged with its own batch.
    With ``workers`` > 1 and a large dump, batches are validated in worker processes.
    """
    records = index.records if records is None else records
    out: dict[Record, list[Finding]] = {r: [] for r in records}
    orphans: list[Finding] = []
    roots = {_key(r.root) for r in index.records}
    batches: list[tuple[dict[str, list[Record]], list[ox.Triple]]] = []
    for start in range(0, len(records), BATCH):
        nodes: dict[str, list[Record]] = defaultdict(list)
        triples: dict[ox.Triple, None] = {}
        for record in records[start:start + BATCH]:
            for t in index.validation_triples(record):
                triples[t] = None
            for n in record.owned:
                nodes[_key(n)].append(record)
            for n in record.referenced:
                if n not in index.owner:
                    nodes[_key(n)].append(record)
        batches.append((nodes, list(triples)))
    workers = effective_workers(workers)
    results: Iterable[list[Finding]]
    if workers > 1 and len(records) >= PARALLEL_MIN_RECORDS:
        results = parallel.validate_batches(validator, [t for _, t in batches], workers)
    else:
        results = (validator.validate(t) for _, t in batches)
    for (nodes, _), findings in zip(batches, results, strict=True):
        for finding in findings:
            owners = nodes.get(finding.focus)
            if owners:
                for record in owners:
                    out[record].append(finding)
            elif finding.focus not in roots:
                orphans.append(finding)
    return out, orphans


def effective_workers(setting: int) -> int:
    """The setting, with 0 meaning one per CPU (at most 4)."""
    return setting if setting > 0 else min(4, os.cpu_count() or 1)


def _key(node) -> str:
    return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"


def validate_dump(
    data: bytes,
    *,
    format: str | None = None,
    filename: str | None = None,
    settings: Settings,
    profiles: Sequence[str] = (),
    previous: verdicts.Verdicts | None = None,
    differs: Callable[[RecordIndex], None] | None = None,
    parsing: Callable[[bytes, Format], None] | None = None,
) -> Validated | Report:
    """Parse and validate without touching any store.

    ``previous``: the verdicts of the source's current version; a record whose signature
    they hold under the same key is not validated again, its findings are theirs
    (``report.validated`` counts the records SHACL ran on).
    ``differs`` is called with the records, before they are validated, at the first record
    known to differ from ``previous`` (at once without it; never if ``previous`` held
    records back): ``ingest`` starts writing the new version then (:class:`WriteAhead`).
    ``parsing`` is called with the bytes about to be parsed and their format (``parse_dump``'s
    ``ready``): ``ingest`` may start writing them then.
    Returns the report alone when the input is unreadable (``report.error`` set).
    """
    report = Report()
    workers = effective_workers(settings.validation_workers)
    if workers > 1 and len(data) >= WARM_BYTES:
        try:
            parallel.warm(validators(settings.shacl_engine, profiles)[0].files, settings.shacl_engine,
                          workers)
        except (ValueError, FileNotFoundError):  # an unknown profile: said after parsing, as before
            pass
    try:
        parsed = parse_dump(data, format=format, filename=filename, limits=limits_of(settings),
                            ready=parsing)
    except InputError as exc:
        report.error = exc
        return report
    report.format = parsed.format.label
    report.triples = len(parsed.triples)
    report.checksum = "sha256:" + hashlib.sha256(parsed.data).hexdigest()
    index = RecordIndex(parsed.triples)
    record_validator, dump_validator = validators(settings.shacl_engine, profiles)
    key = verdicts.key(record_validator.files, settings.shacl_engine)
    reused: dict[Record, tuple[Finding, ...]] = {}
    if previous is not None and previous.key == key:
        # the new version is written from the first record known to differ on, unless the
        # current one held a record back (likely again: the write would be dropped and redone)
        unsaid = previous.published if differs is not None else None
        if unsaid is not None and differs is not None and len(unsaid) != len(index.records):
            differs(index)
            unsaid = None
        signatures = {}
        for record in index.records:
            signature = signatures[record] = index.signature(record)
            if unsaid is not None and differs is not None and unsaid.get(record.iri) != signature:
                differs(index)
                unsaid = None
            found = previous.reusable(record.iri, signature, key)
            if found is not None:
                reused[record] = found
        todo = [r for r in index.records if r not in reused]
        findings, orphans = validate_records(index, record_validator, settings.validation_workers,
                                             records=todo)
    else:  # nothing to reuse: the signatures (for the diff, kept for next time) are computed
        # while the records are validated (in worker processes, or natively: waits without the GIL)
        todo = index.records
        if differs is not None:
            differs(index)
        with ThreadPoolExecutor(1, thread_name_prefix="validate") as running:
            validating = running.submit(validate_records, index, record_validator,
                                        settings.validation_workers)
            signatures = {r: index.signature(r) for r in index.records}
            findings, orphans = validating.result()
    report.validated = len(todo)
    types = [t for t in parsed.triples if t.predicate == RDF_TYPE]
    report.dump_findings = dump_validator.validate(_distinct_types(types)) + orphans
    dump_ok = not any(f.severity == "Violation" for f in report.dump_findings)
    kept: dict[Record, tuple[Finding, ...] | None] = {}
    for record in index.records:
        fs = list(reused[record]) if record in reused else findings[record]
        # findings on nodes no record holds came from some batch: no verdict of this run is kept
        keep = not orphans and isinstance(record.root, ox.NamedNode) and verdicts.reusable_findings(fs)
        kept[record] = tuple(fs) if keep else None
        ok = dump_ok and not any(f.severity == "Violation" for f in fs)
        report.records.append(RecordResult(record.iri, record.kind, ok, fs))
    return Validated(parsed, index, report, signatures, key, kept)


def _distinct_types(types: list[ox.Triple]) -> list[ox.Triple]:
    """One instance per class is all the dump-level shapes look at."""
    seen: dict[ox.NamedNode, ox.Triple] = {}
    for t in types:
        seen.setdefault(t.object, t)  # type: ignore[arg-type]
    return list(seen.values())


def previous_signatures(store: Store, graph: ox.NamedNode) -> dict[str, str]:
    return signatures(RecordIndex(store.triples(graph)))


def signatures(index: RecordIndex) -> dict[str, str]:
    return {r.iri: index.signature(r) for r in index.records}


def diff_records(old: dict[str, str], new: dict[str, str]) -> Diff:
    return Diff(
        added=sorted(k for k in new if k not in old),
        removed=sorted(k for k in old if k not in new),
        changed=sorted(k for k in new if k in old and old[k] != new[k]),
    )


def ingest(
    store: Store,
    settings: Settings,
    source: str,
    data: bytes,
    *,
    format: str | None = None,
    filename: str | None = None,
    mode: str = "strict",
    profiles: Sequence[str] = (),
    origin: str | None = None,
    agent: str | None = None,
) -> Report:
    """Validate a dump and, if it may be stored, replace the source's graph in one step.

    ``origin`` is published with the run's provenance (nothing private in it); ``agent``,
    the account that sent the dump, is kept in the run's private report graph.

    strict: any violation rejects the whole dump. partial: valid records are stored and
    the invalid ones quarantined (kept out of public graphs, with their reasons).
    The store is unchanged unless ``report.stored`` is true.

    :raise SlugError: ``source`` is not a slug.
    """
    check_slug(source)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    started = datetime.now(UTC)
    graphs = Graphs(settings.base_uri)
    # what validating the current version found: records unchanged since are not validated
    # again (read outside the lock: a verdict holds for its triples whichever version had them)
    state = current(store, graphs, source)
    previous = _verdicts(store, graphs, state)
    version = new_version(started)
    # the new version is written while the dump is parsed, when it is new (no current version,
    # or not byte for byte a dump that made it) and the store loads outside Python; else from
    # the first record that differs. Leaving the block drops it, unless this run published it
    parsing = None
    if store.loads_natively and (previous is None or previous.published is not None):
        known = _dumps_of(store, graphs, state.graph) if previous is not None else set()

        def parsing(data: bytes, fmt: Format) -> None:
            if not known or "sha256:" + hashlib.sha256(data).hexdigest() not in known:
                ahead.start_dump(data, fmt)

    with WriteAhead(store, graphs.source(source, version)) as ahead:
        result = validate_dump(data, format=format, filename=filename, settings=settings,
                               profiles=profiles, previous=previous, differs=ahead.start,
                               parsing=parsing)
        if isinstance(result, Report):
            result.source, result.mode = source, mode
            return result
        report, index = result.report, result.index
        report.source, report.mode = source, mode
        # what is another source's, or the catalogue's own, is refused like a SHACL violation
        owners = ownership.others(store, graphs, source)  # the switch requires them still current
        ownership.check(store, graphs, source, index, report, owners)
        accepted = [rec for rec, res in zip(index.records, report.records, strict=True) if res.accepted]
        rejected = [rec for rec, res in zip(index.records, report.records, strict=True) if not res.accepted]
        if (mode == "strict" and rejected) or not accepted:
            return report

        with _locks[source]:
            before = current(store, graphs, source)
            if previous is not None and before.graph is not None \
                    and previous.version != before.graph:  # another run stored meanwhile
                previous = _verdicts(store, graphs, before)
            new = {r.iri: result.signatures[r] for r in accepted}
            old_index: RecordIndex | None = None
            if before.graph is None:
                old: dict[str, str] = {}
            elif previous is not None and previous.published is not None:
                old = previous.published  # what the current version holds, without reading it
            else:
                old_index = RecordIndex(store.iter_triples(before.graph))
                old = signatures(old_index)
            report.diff = diff_records(old, new)
            changes: list[history.Change] = []
            truncated = False
            if report.diff.changed and before.graph is not None:
                # the changed records alone, read by subject (the whole version when they nest deeper)
                old_index = old_index or history.old_records(store, before.graph, report.diff.changed) \
                    or RecordIndex(store.iter_triples(before.graph))
                changes, truncated = history.changes_between(old_index, index, report.diff.changed)
            written = index.stored_triples(accepted)
            # nothing changed under the same shapes: the current version graph is the new one too
            # (its run generates it, as a roll back's does) instead of a copy written again
            same = (previous is not None and previous.published is not None and not rejected
                    and before.quarantine is None and previous.key == result.key
                    and not (report.diff.added or report.diff.removed or report.diff.changed))
            graph = before.graph if same and before.graph is not None else graphs.source(source, version)
            quarantine = graphs.quarantine(source, version) if rejected else None
            checked = None if same else graphs.validation(source, version)
            run_graph = graphs.run(source, version)
            activity = graphs.run_activity(source, version)
            try:
                # bulk writes into graphs nobody reads yet (the small ones while the version may
                # still be being written ahead) ...
                if checked is not None:
                    store.write_graph(checked, _verdict_triples(graph, result, accepted, rejected))
                if quarantine is not None:
                    store.write_graph(quarantine, _quarantine_triples(index, rejected, report))
                store.write_graph(run_graph, history.run_triples(activity, report, changes, truncated,
                                                                 report.diff, agent))
                if checked is not None and not (graph == ahead.graph and ahead.finish(index, len(accepted))):
                    store.write_graph(graph, written)
                # ... published by one small transaction: old version or new, never a mix
                prov = _provenance(activity, source, graph, report, started, origin,
                                   held_back={rec.iri for rec in rejected})
                _switch(store, graphs, source, before.graph, graph, quarantine, prov, activity,
                        owners, lambda: _subjects(written))
            except BaseException:
                _drop_quietly(store, [None if same else graph, quarantine, checked, run_graph])
                raise
            report.stored = True
            report.activity = activity.value
            report.written = (graph, written)
            # older versions beyond those kept for roll back are reclaimed (a crash here only
            # leaves garbage, never a wrong public state)
            history.prune(store, graphs, source, settings.keep_versions,
                          before.version if same else version)
        return report


def _verdicts(store: Store, graphs: Graphs, state: SourceState) -> verdicts.Verdicts | None:
    """The verdicts kept for a source's current version, if any (see ``verdicts``)."""
    if state.graph is None or state.version is None:
        return None
    try:
        return verdicts.read(store, graphs.validation(state.slug, state.version), state.graph)
    except ValueError:  # a version name that is not a slug: not ours, nothing to reuse
        return None


def _verdict_triples(graph: ox.NamedNode, result: Validated, accepted: list[Record],
                     rejected: list[Record]) -> list[ox.Triple]:
    """What this run's validation found, for the next ingest of the source to reuse."""
    # the published signatures describe the version graph exactly only when nothing was
    # held back (a quarantined record's types are in others' validated triples) and
    # every record has an IRI (a blank root has a new label in every parse)
    exact = not rejected and all(isinstance(r.root, ox.NamedNode) for r in accepted)
    return verdicts.triples(graph, result.key, {r.iri: s for r, s in result.signatures.items()},
                            {r.iri for r in accepted},
                            {r.iri: result.verdicts.get(r) for r in result.signatures}, exact)


def new_version(started: datetime) -> str:
    """Sortable by time (to the microsecond), unique: ``20261127t081500123456-1a2b3c4d``."""
    return f"{started:%Y%m%dt%H%M%S%f}-{uuid.uuid4().hex[:8]}"


def rollback(store: Store, settings: Settings, source: str, version: str,
             *, by: str | None = None, agent: str | None = None) -> Report:
    """Make a retained earlier version current again, as a run of its own (one switch).

    Records the version lacks are withdrawn (410) like records a dump dropped. Only a
    version a stored run recorded qualifies: a graph an interrupted ingest left behind
    may be truncated, and was never published.

    :raise HistoryError: no such version (or only an unrecorded one), or it is already current.
    """
    graphs = Graphs(settings.base_uri)
    check_slug(source)
    check_slug(version, "version", error_kind=ErrorKind.NOT_FOUND)  # no version has that name
    started = datetime.now(UTC)
    with _locks[source]:
        before = current(store, graphs, source)
        if version not in history.versions(store, graphs, source):
            if store.count(graphs.source(source, version)):
                raise history.HistoryError(
                    f"version {version!r} of source {source!r} was never stored: no run records "
                    "it (an ingest was interrupted while writing it, and it may be incomplete), "
                    "so it cannot be rolled back to")
            raise history.HistoryError(
                f"source {source!r} has no retained version {version!r} to roll back to")
        if before.version == version:
            raise history.HistoryError(f"version {version!r} is already the current one",
                                       error_kind=ErrorKind.CONFLICT)
        target = graphs.source(source, version)
        old_index = RecordIndex(store.triples(before.graph)) if before.graph else None
        new_index = RecordIndex(store.triples(target))
        # a record it had may have been withdrawn since, and published by another source
        owners = ownership.others(store, graphs, source)
        subjects = [s for s in new_index.by_subject if isinstance(s, ox.NamedNode)]
        taken = ownership.owned_elsewhere(store, graphs, source, subjects, owners)
        if taken:
            iri, owner = min((i.value, o) for i, o in taken.items())
            raise history.HistoryError(
                f"version {version!r} of source {source!r} describes {len(taken)} record(s) that "
                f"another source publishes now, such as {iri} (source {owner!r}): a record belongs "
                "to the source that published it first, so this version cannot be made current "
                "again; send a dump without those records instead", error_kind=ErrorKind.CONFLICT)
        report = Report(source=source, mode="rollback", stored=True,
                        records=[RecordResult(r.iri, r.kind, True) for r in new_index.records])
        report.diff = diff_records(signatures(old_index) if old_index else {}, signatures(new_index))
        changes, truncated = (history.changes_between(old_index, new_index, report.diff.changed)
                              if old_index else ([], False))
        run_id = f"{new_version(started)}-rollback"
        run_graph = graphs.run(source, run_id)
        activity = graphs.run_activity(source, run_id)
        report.checksum = _checksum_of(store, graphs, source, version)
        report.triples = store.count(target)
        quarantine = graphs.quarantine(source, version)
        has_quarantine = store.count(quarantine) > 0
        try:
            store.write_graph(run_graph, history.run_triples(activity, report, changes, truncated,
                                                             report.diff, agent))
            prov = _provenance(activity, source, target, report, started, origin=by,
                               outcome="rolled back")
            prov.append(ox.Triple(activity, CAT.rolledBackTo, ox.Literal(version)))
            _switch(store, graphs, source, before.graph, target,
                    quarantine if has_quarantine else None, prov, activity, owners, lambda: subjects)
        except BaseException:
            _drop_quietly(store, [run_graph])
            raise
        report.activity = activity.value
    return report


def reclaim_orphans(store: Store, settings: Settings, *, exclusive: bool) -> list[ox.NamedNode]:
    """Drop the graphs of runs no provenance records (see ``history.orphans``): what ingests
    killed before their final transaction left. Done at start-up (``catalogue serve``,
    ``catalogue init``); returns the graphs dropped.

    Each source's are chosen and dropped under its ingest lock, so an ingest of this
    process that is writing one (unrecorded until it ends) is waited for, never cut.
    ``exclusive``: no other process can be writing (the embedded store, which one process
    opens), so every orphan goes; else only those older than ``history.ORPHAN_AGE``.
    A graph that cannot be dropped is left for the next start.
    """
    graphs = Graphs(settings.base_uri)
    before = None if exclusive else datetime.now(UTC) - history.ORPHAN_AGE
    dropped = []
    for slug, found in sorted(history.run_graphs(graphs, store.named_graphs()).items()):
        try:
            check_slug(slug)
        except ValueError:  # not a graph any run of ours wrote
            continue
        with _locks[slug]:
            for graph in history.orphans(store, graphs, slug, found, started_before=before):
                try:
                    store.drop_graph(graph)
                except Exception:  # noqa: BLE001 - left for the next start; the rest goes on
                    continue
                dropped.append(graph)
    return dropped


def withdraw_all(store: Store, settings: Settings, source: str, *, by: str | None = None,
                 agent: str | None = None) -> Report:
    """Withdraw every record of a source (a repository closing, the last community proposal
    archived): an empty version becomes current, its records answer 410 Gone, and the
    previous version is kept for roll back like any other. A dump cannot say this: the
    shapes require at least one dataset.

    :raise HistoryError: the source publishes nothing.
    """
    graphs = Graphs(settings.base_uri)
    check_slug(source)
    started = datetime.now(UTC)
    with _locks[source]:
        before = current(store, graphs, source)
        if before.graph is None or store.count(before.graph) == 0:
            raise history.HistoryError(f"source {source!r} publishes nothing to withdraw",
                                       error_kind=ErrorKind.CONFLICT)
        old_index = RecordIndex(store.triples(before.graph))
        report = Report(source=source, mode="withdraw", stored=True)
        report.diff = diff_records(signatures(old_index), {})
        version = new_version(started)
        graph = graphs.source(source, version)
        run_graph = graphs.run(source, version)
        activity = graphs.run_activity(source, version)
        report.checksum = "sha256:" + hashlib.sha256(b"").hexdigest()
        try:
            store.write_graph(run_graph, history.run_triples(activity, report, [], False, report.diff,
                                                             agent))
            prov = _provenance(activity, source, graph, report, started, origin=by,
                               outcome="withdrawn")
            _switch(store, graphs, source, before.graph, graph, None, prov, activity,
                    ownership.others(store, graphs, source), list)
        except BaseException:
            _drop_quietly(store, [run_graph])
            raise
        report.activity = activity.value
        history.prune(store, graphs, source, settings.keep_versions, version)
    return report


class SwitchConflict(CatalogueError):
    """Another process made a version of the source current while this run was being made:
    nothing of this run is kept (it was compared with a version that is no longer current)."""

    error_kind = ErrorKind.CONFLICT


class ClaimConflict(SwitchConflict):
    """Another source published, while this run was being made, a record this run publishes
    too: it is theirs (a record belongs to the source that publishes it first)."""


SWITCH_TRIES = 5  # other sources' runs switching meanwhile: checks and switches again at most this often


def _switch(store: Store, graphs: Graphs, source: str, expected: ox.NamedNode | None,
            graph: ox.NamedNode, quarantine: ox.NamedNode | None, prov: list[ox.Triple],
            activity: ox.NamedNode, seen: ownership.Owners,
            claims: Callable[[], list[ox.NamedNode]]) -> None:
    """Make ``graph`` current by the one switch update, if the source's current graph is
    still ``expected`` and every other source's is still one of ``seen`` (those ownership
    was checked against): the per-source lock holds in this process only, several web
    workers may ingest the same source at once on a shared store, and two sources' runs
    may both claim one new record. When only other sources changed, the IRIs ``claims()``
    gives (the subjects the run publishes) are checked again and the switch retried.

    :raise SwitchConflict: another run switched the source first, or other sources kept
        switching (this one recorded nothing).
    :raise ClaimConflict: another source's run published one of its records meanwhile.
    """
    for _ in range(SWITCH_TRIES):
        store.update(switch_update(graphs, source, graph, quarantine, prov, expected=expected,
                                   seen=seen))
        if queries.ask(store, "run_recorded", provenance=graphs.provenance, activity=activity):
            return
        if current(store, graphs, source).graph != expected:
            raise SwitchConflict(
                f"another run stored a version of source {source!r} while this one was being made "
                "(another server process): nothing of this run was kept; send it again to compare "
                "it with the version now current")
        seen = ownership.others(store, graphs, source)
        taken = ownership.owned_elsewhere(store, graphs, source, claims(), seen)
        if taken:
            iri, owner = min((i.value, o) for i, o in taken.items())
            more = f" (and {len(taken) - 1} more of this run's records)" if len(taken) > 1 else ""
            raise ClaimConflict(
                f"source {owner!r} published {iri}{more} while this run of source {source!r} was "
                "being made: a record belongs "
                "to the source that publishes it first, so nothing of this run was kept; send it "
                "again and its report will show which records are another source's")
    raise SwitchConflict(
        f"other sources' versions changed {SWITCH_TRIES} times while this run of source {source!r} "
        "was being switched: nothing of this run was kept; send it again")


def _subjects(triples: list[ox.Triple]) -> list[ox.NamedNode]:
    """The IRIs ``triples`` describe, once each."""
    return list(dict.fromkeys(t.subject for t in triples if isinstance(t.subject, ox.NamedNode)))


def _checksum_of(store: Store, graphs: Graphs, source: str, version: str) -> str:
    """The checksum of a dump that made ``version`` (a run that generated it)."""
    return min(_dumps_of(store, graphs, graphs.source(source, version)), default="")


def _dumps_of(store: Store, graphs: Graphs, graph: ox.NamedNode | None) -> set[str]:
    """The checksums of the dumps whose runs generated the version ``graph``."""
    if graph is None:
        return set()
    rows = queries.select(store, "version_checksum", provenance=graphs.provenance, graph=graph)
    return {r["checksum"].value for r in rows}


def _drop_quietly(store: Store, graphs: list[ox.NamedNode | None]) -> None:
    for g in graphs:
        if g is not None:
            try:
                store.drop_graph(g)
            except Exception:  # noqa: BLE001 - cleanup must not mask the real outcome
                pass


def _quarantine_triples(index: RecordIndex, rejected: list[Record], report: Report) -> list[ox.Triple]:
    out = index.stored_triples(rejected)
    by_iri = {r.iri: r for r in report.records}
    for record in rejected:
        if not isinstance(record.root, ox.NamedNode):
            continue
        out.append(ox.Triple(record.root, RDF_TYPE, CAT.QuarantinedRecord))
        for f in by_iri[record.iri].findings:
            if f.severity == "Violation":
                out.append(ox.Triple(record.root, CAT.reason, ox.Literal(f.message)))
    return out


def _provenance(
    activity: ox.NamedNode,
    source: str,
    graph: ox.NamedNode,
    report: Report,
    started: datetime,
    origin: str | None,
    outcome: str | None = None,
    held_back: Collection[str] = (),
) -> list[ox.Triple]:
    def lit(value, dt=None):
        return ox.Literal(str(value), datatype=dt) if dt else ox.Literal(str(value))

    now = datetime.now(UTC)
    diff = report.diff or Diff()
    triples = [
        ox.Triple(activity, RDF_TYPE, PROV.Activity),
        ox.Triple(activity, RDF_TYPE, CAT.Ingest),
        ox.Triple(activity, CAT.source, lit(source)),
        ox.Triple(activity, PROV.generated, graph),
        ox.Triple(activity, PROV.startedAtTime, lit(started.isoformat(), XSD.dateTime)),
        ox.Triple(activity, PROV.endedAtTime, lit(now.isoformat(), XSD.dateTime)),
        ox.Triple(activity, CAT.checksum, lit(report.checksum)),
        ox.Triple(activity, CAT.format, lit(report.format)),
        ox.Triple(activity, CAT.mode, lit(report.mode)),
        ox.Triple(activity, CAT.outcome, lit(outcome or ("stored" if not report.rejected
                                                          else "partially stored"))),
        ox.Triple(activity, CAT.triples, lit(report.triples, XSD.integer)),
        ox.Triple(activity, CAT.recordsAccepted, lit(report.accepted, XSD.integer)),
        ox.Triple(activity, CAT.recordsRejected, lit(report.rejected, XSD.integer)),
        ox.Triple(activity, CAT.recordsAdded, lit(len(diff.added), XSD.integer)),
        ox.Triple(activity, CAT.recordsRemoved, lit(len(diff.removed), XSD.integer)),
        ox.Triple(activity, CAT.recordsChanged, lit(len(diff.changed), XSD.integer)),
    ]
    if origin:
        triples.append(ox.Triple(activity, CAT.origin, lit(origin)))
    # what the publisher withdrew: its PURI then answers 410 Gone, citing this run; what
    # validation held back (partial mode: in the dump, but quarantined) is not withdrawn:
    # its PURI says so, and that it returns once the publisher fixes it
    triples += [ox.Triple(activity, CAT.heldBack if iri in held_back else CAT.removed, ox.NamedNode(iri))
                for iri in diff.removed if not iri.startswith("_:")]
    return triples
