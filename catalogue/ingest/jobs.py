"""Uploads done in the background: answered at once (202 in the API, a page that follows
them on the site), polled until they end.

A job's state is RDF in the private ``graph/jobs`` (so any web process sharing the store
can answer a poll, not only the one that took the upload): queued → running → stored |
rejected | checked (a dry run) | failed, with the report as an ``rdf:JSON`` literal once it
ends. The work itself runs in a small thread pool of the process that took the upload:
fetching a URL (waiting on the network) for several jobs at once, then the CPU-bound ingest
through the same ``Catalogue.publishing.ingest`` as every other path, one job at a time.

**Leases.** A job is held by the process that took it (``cat:leaseOwner``) until
``cat:leaseUntil``, which that process renews while the job is queued or running. A process
that dies stops renewing: a poll that finds the lease expired ends the job as failed with
the reason, and so does the start-up of a server (``recover``), so a job never answers
"running, retry later" forever.

**Limits.** A source may have ``per_source`` jobs queued or running at once: one
conditional update counts them and creates the job, so two requests cannot both take the
last place. One publisher cannot fill the pool every publisher's uploads share.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.graphs import Graphs, check_slug
from catalogue.ingest.errors import InputError
from catalogue.ingest.report import RecordResult, Report
from catalogue.ingest.shacl import Finding
from catalogue.store import Node, Store
from catalogue.terms import CAT, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.reports.parse_errors import ErrorContext

RDF_JSON = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")
STATES = ("queued", "running", "stored", "rejected", "checked", "failed")
UNFINISHED = ("queued", "running")
LEASE = timedelta(seconds=90)  # renewed every sixth of it: a dead process is noticed in 1.5 min
STOPPED = ("The server stopped while this upload was running, so it did not finish. Upload it "
           "again (the source's history shows whether anything was stored).")
log = logging.getLogger(__name__)

# (status, report JSON, run id): what a job's work gives when it ends
Outcome = tuple[str, dict, str | None]


class JobLimitError(CatalogueError):
    """A source already has as many background uploads queued or running as it may; the
    message says so and what to do."""

    error_kind = ErrorKind.TOO_MANY


@dataclass(frozen=True)
class Job:
    id: str
    source: str
    status: str
    created: str
    ended: str | None
    run: str | None  # the run id, once stored
    report: dict | None  # the JSON report, once ended
    url: str | None = None  # an upload by URL: where from
    dry_run: bool = False

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED


def failure(message: str) -> dict:
    """The report of a job that ended without a validation report (fetch failed, server
    stopped, unexpected error): the report's keys, with ``error`` saying why."""
    return {"conforms": False, "stored": False, "results": [],
            "records": {"accepted": 0, "rejected": 0},
            "error": {"message": message, "line": None, "column": None}}


def _at(moment: datetime, timespec: str = "seconds") -> ox.Literal:
    return ox.Literal(moment.isoformat(timespec=timespec), datatype=XSD.dateTime)


def _lease_time(moment: datetime) -> ox.Literal:
    """Leases to the millisecond: the poll that compares one here and the update that
    compares it in the store must agree."""
    return _at(moment, "milliseconds")


def _to_lease_precision(moment: datetime) -> datetime:
    """``moment`` cut to the millisecond, as leases are stored: a lease is over at its
    ``leaseUntil`` (``until <= now``), here and in ``upload_jobs_expire.ru`` alike, so the
    poll that sees it over and the update that ends it agree even within one millisecond."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _now() -> ox.Literal:
    return _at(datetime.now(UTC))


def _when(literal: Node) -> datetime | None:
    try:
        value = datetime.fromisoformat(literal.value)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Jobs:
    """Create, update and read upload jobs; run them on a bounded pool of threads.

    ``workers`` jobs may be under way at once (fetching), ingesting one at a time;
    ``per_source`` jobs of one source may be queued or running; ``lease`` is how long a
    job stays ours without renewal.
    """

    def __init__(self, store: Store, graphs: Graphs, workers: int = 4, *, per_source: int = 2,
                 lease: timedelta = LEASE) -> None:
        self.store, self.graphs = store, graphs
        self.per_source, self.lease = per_source, lease
        self.owner = ox.Literal(f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}")
        self._pool: ThreadPoolExecutor | None = None
        self._workers = workers
        self._lock = threading.Lock()
        self._ingest = threading.Semaphore(1)  # the CPU-bound part, one job at a time
        self._held: set[str] = set()  # jobs of this process not ended: their leases are renewed
        self._renewer: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def graph(self) -> ox.NamedNode:
        return self.graphs.jobs

    def _iri(self, job_id: str) -> ox.NamedNode:
        return self.graphs.job(job_id)

    def create(self, source: str, *, url: str | None = None, dry_run: bool = False) -> str:
        """A new queued job of ``source``, leased to this process; returns its id.

        :raise JobLimitError: the source already has ``per_source`` jobs queued or running.
        :raise SlugError: ``source`` is not a slug.
        """
        job_id = secrets.token_hex(8)
        iri = self._iri(job_id)
        now = datetime.now(UTC)
        src = ox.Literal(check_slug(source))
        triples = [
            ox.Triple(iri, RDF_TYPE, CAT.UploadJob),
            ox.Triple(iri, CAT.source, src),
            ox.Triple(iri, CAT.status, ox.Literal("queued")),
            ox.Triple(iri, CAT.created, _at(now)),
            ox.Triple(iri, CAT.leaseOwner, self.owner),
            ox.Triple(iri, CAT.leaseUntil, _lease_time(now + self.lease)),
        ]
        if url is not None:
            triples.append(ox.Triple(iri, CAT.url, ox.Literal(url)))
        if dry_run:
            triples.append(ox.Triple(iri, CAT.dryRun, ox.Literal("true", datatype=XSD.boolean)))
        updates.run(self.store, "upload_job_create", jobs=self.graph, source=src,
                    now=_lease_time(now), data=triples,
                    limit=ox.Literal(str(self.per_source), datatype=XSD.integer))
        if self._read(iri) is None:
            raise JobLimitError(
                f"source {source!r} already has {self.per_source} upload(s) in progress, the most "
                "it may have at once (CATALOGUE_UPLOAD_JOBS_PER_SOURCE): wait until one ends, "
                "then send this one again")
        return job_id

    def _set(self, job_id: str, status: str, *, report: dict | None = None,
             run: str | None = None) -> None:
        """Record a job's new state; an end state replaces whatever end was recorded (a
        poll may have declared the job dead while it was only slow: the truth wins)."""
        iri = self._iri(job_id)
        triples = [ox.Triple(iri, CAT.status, ox.Literal(status))]
        replaced = [CAT.status, CAT.leaseUntil]
        if status in UNFINISHED:
            triples.append(ox.Triple(iri, CAT.leaseUntil, _lease_time(datetime.now(UTC) + self.lease)))
        else:
            triples.append(ox.Triple(iri, CAT.ended, _now()))
            replaced += [CAT.ended, CAT.report, CAT.run]
        if report is not None:
            triples.append(ox.Triple(iri, CAT.report, ox.Literal(
                json.dumps(report, ensure_ascii=False, separators=(",", ":")), datatype=RDF_JSON)))
        if run is not None:
            triples.append(ox.Triple(iri, CAT.run, ox.Literal(run)))
        updates.run(self.store, "upload_job_set", jobs=self.graph, job=iri, replaced=replaced,
                    data=triples)

    def _read(self, iri: ox.NamedNode) -> dict | None:
        rows = list(queries.select(self.store, "upload_job", jobs=self.graph, job=iri))
        return rows[0] if rows else None

    def get(self, job_id: str, source: str) -> Job | None:
        """The job if it exists and belongs to ``source`` (a job id alone proves nothing).

        A job still queued or running whose lease expired is ended here, as failed with
        the reason: the process that held it stopped.
        """
        try:
            iri = self._iri(job_id)
        except ValueError:
            return None
        r = self._read(iri)
        if r is None or r["source"].value != source:
            return None
        if r["status"].value in UNFINISHED:
            until = _when(r["leaseUntil"]) if "leaseUntil" in r else None
            now = _to_lease_precision(datetime.now(UTC))
            if until is None or until <= now:
                self._expire([iri], now, lease_only=True)
                r = self._read(iri) or r
        return Job(job_id, source, r["status"].value, r["created"].value,
                   r["ended"].value if "ended" in r else None,
                   r["run"].value if "run" in r else None,
                   json.loads(r["report"].value) if "report" in r else None,
                   r["url"].value if "url" in r else None,
                   "dryRun" in r and r["dryRun"].value == "true")

    def _expire(self, jobs: list[ox.NamedNode], now: datetime, *, lease_only: bool) -> None:
        """End ``jobs`` as failed (the server stopped) if still queued or running, not held
        by this process, and (``lease_only``) with an expired or no lease: one update, so a
        job that its live owner renewed or ended meanwhile is left alone."""
        if not jobs:
            return
        report = ox.Literal(json.dumps(failure(STOPPED), separators=(",", ":")), datatype=RDF_JSON)
        updates.run(self.store, "upload_jobs_expire", jobs=self.graph, job=jobs, owner=self.owner,
                    now=_lease_time(now), ended=_now(), report=report,
                    lease_only=ox.Literal("true" if lease_only else "false", datatype=XSD.boolean))

    def recover(self, *, everything: bool) -> list[str]:
        """At start-up: end as failed the jobs other processes left queued or running, so
        their polls answer why instead of "retry later" forever. ``everything``: no other
        process can be at work (the embedded store), so every such job; else only those
        whose lease expired. Returns the ids of the jobs ended."""
        now = _to_lease_precision(datetime.now(UTC))
        found = []
        for r in queries.select(self.store, "upload_jobs_unfinished", jobs=self.graph):
            if "leaseOwner" in r and r["leaseOwner"] == self.owner:
                continue
            until = _when(r["leaseUntil"]) if "leaseUntil" in r else None
            if everything or until is None or until <= now:
                found.append(r["job"])
        for start in range(0, len(found), 200):
            self._expire(found[start:start + 200], now, lease_only=not everything)  # type: ignore[arg-type]
        return [j.value.rsplit("/", 1)[-1] for j in found]

    def submit(self, job_id: str, work: Callable[[], Outcome], *,
               fetch: Callable[[], Outcome | None] | None = None) -> Future:
        """Run a job in the background: ``fetch`` first, if given (waiting on the network,
        several jobs at once; an outcome it returns ends the job there), then ``work`` (the
        CPU-bound ingest, one job at a time per process). Each gives (status, report JSON,
        run id). The job's lease is renewed until it ends; an exception ends it as failed.
        The future is done once the job's end is recorded (a caller may wait a little)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="upload")
            if self._renewer is None:
                self._stop.clear()
                self._renewer = threading.Thread(target=self._renewing, name="upload-leases",
                                                 daemon=True)
                self._renewer.start()
            self._held.add(job_id)
        return self._pool.submit(self._run, job_id, work, fetch)

    def _run(self, job_id: str, work: Callable[[], Outcome],
             fetch: Callable[[], Outcome | None] | None) -> None:
        try:
            self._set(job_id, "running")
            outcome = fetch() if fetch is not None else None
            if outcome is None:
                with self._ingest:
                    outcome = work()
            status, report, run = outcome
            self._set(job_id, status, report=report, run=run)
        except Exception as exc:  # noqa: BLE001 - the job records the failure; nothing to raise to
            log.exception("upload job %s failed", job_id)
            try:
                self._set(job_id, "failed", report=failure(f"the upload failed: {exc}"))
            except Exception:  # noqa: BLE001 - the store itself is gone; the log has it
                log.exception("could not record the failure of job %s", job_id)
        finally:
            with self._lock:
                self._held.discard(job_id)

    def _renewing(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 6):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - the next round tries again; a poll may end the job
                log.exception("could not renew the leases of upload jobs")

    def renew(self) -> None:
        """Push back the lease of every job this process holds (one update)."""
        with self._lock:
            held = sorted(self._held)
        if not held:
            return
        updates.run(self.store, "upload_jobs_renew", jobs=self.graph,
                    job=[self._iri(j) for j in held], owner=self.owner,
                    until=_lease_time(datetime.now(UTC) + self.lease))

    def close(self) -> None:
        """Let the jobs under way finish (never a half-written run), then stop renewing."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._renewer is not None:
            self._stop.set()
            self._renewer.join(10)
            self._renewer = None


# the report a job keeps, and the page that shows it again once the dump is gone


def report_json(report: Report, lang: str | None, data: bytes | None = None) -> dict:
    """The report a job keeps: the API's explained JSON (``data``, the dump, adds the lines
    around a parse error), plus ``record_verdicts``, the kind and verdict of every record
    with a finding or refused, so that :func:`report_of` can rebuild it for a page."""
    from catalogue.reports import explained_json

    out = explained_json(report, lang, data)
    out["record_verdicts"] = [{"iri": r.iri, "kind": r.kind, "accepted": r.accepted}
                              for r in report.records if r.findings or not r.accepted]
    return out


def report_of(body: dict) -> Report:
    """A job's kept report (:func:`report_json`, or :func:`failure`) as a Report again: its
    findings per record, verdicts, counts and error (a finding several records share comes
    back under the first of them)."""
    verdicts = {v["iri"]: v for v in body.get("record_verdicts", [])}
    findings: dict[str, list[Finding]] = {}
    dump: list[Finding] = []
    for item in body.get("results", []):
        f = Finding(item["severity"], item["focus"], item.get("path"), item.get("value"),
                    item["message"], item.get("shape"))
        (findings.setdefault(item["record"], []) if item.get("record") else dump).append(f)
    records = [RecordResult(iri, v["kind"], bool(v["accepted"]), findings.get(iri, []))
               for iri, v in verdicts.items()]
    records += [RecordResult(iri, "other", not any(f.severity == "Violation" for f in fs), fs)
                for iri, fs in findings.items() if iri not in verdicts]
    error = body.get("error")
    counts = body.get("records") or {}
    return Report(
        source=body.get("source"), mode=body.get("mode") or "strict", stored=bool(body.get("stored")),
        records=records, dump_findings=dump,
        error=InputError(error["message"], error.get("line"), error.get("column")) if error else None,
        format=body.get("format"), triples=int(body.get("triples") or 0),
        checksum=body.get("checksum"), activity=body.get("activity"), validated=body.get("validated"),
        counts=(int(counts.get("accepted", 0)), int(counts.get("rejected", 0))))


def error_context_of(body: dict) -> ErrorContext | None:
    """The lines around a parse error a job's report kept (the dump itself is gone)."""
    from catalogue.reports import ContextLine, ErrorContext

    c = body.get("context")
    if not c:
        return None
    return ErrorContext(c["line"], c.get("column"),
                        [ContextLine(ln["number"], ln["text"], ln["error"]) for ln in c["lines"]],
                        c.get("caret"))
