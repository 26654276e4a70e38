"""Uploads done in the background: answered 202 at once, polled until they end.

A job's state is RDF in the private ``graph/jobs`` (so any web process sharing the store
can answer a poll, not only the one that took the upload): queued → running → stored |
rejected | failed, with the report as an ``rdf:JSON`` literal once it ends. The work itself
runs in a small thread pool of the process that took the upload, through the same
``Catalogue.ingest`` as every other path. A process that dies mid-job leaves it "running":
a poll then says how long ago it started.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from . import queries
from .graphs import Graphs, check_slug
from .store import Store
from .store.sparql_text import ntriples
from .terms import CAT, RDF_TYPE, XSD

RDF_JSON = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")
STATES = ("queued", "running", "stored", "rejected", "failed")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    source: str
    status: str
    created: str
    ended: str | None
    run: str | None  # the run id, once stored
    report: dict | None  # the JSON report, once ended


def _now() -> ox.Literal:
    return ox.Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


class Jobs:
    """Create, update and read upload jobs; run them on a bounded pool of threads."""

    def __init__(self, store: Store, graphs: Graphs, workers: int = 1) -> None:
        self.store, self.graphs = store, graphs
        self._pool: ThreadPoolExecutor | None = None
        self._workers = workers
        self._lock = threading.Lock()

    @property
    def graph(self) -> ox.NamedNode:
        return self.graphs.jobs

    def _iri(self, job_id: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.graphs.base}job/{check_slug(job_id, 'job')}")

    def create(self, source: str) -> str:
        job_id = secrets.token_hex(8)
        iri = self._iri(job_id)
        self.store.update(f"INSERT DATA {{ GRAPH {self.graph} {{\n" + ntriples([
            ox.Triple(iri, RDF_TYPE, CAT.UploadJob),
            ox.Triple(iri, CAT.source, ox.Literal(check_slug(source))),
            ox.Triple(iri, CAT.status, ox.Literal("queued")),
            ox.Triple(iri, CAT.created, _now()),
        ]) + "} }")
        return job_id

    def _set(self, job_id: str, status: str, *, report: dict | None = None,
             run: str | None = None) -> None:
        iri = self._iri(job_id)
        triples = [ox.Triple(iri, CAT.status, ox.Literal(status))]
        if status not in ("queued", "running"):
            triples.append(ox.Triple(iri, CAT.ended, _now()))
        if report is not None:
            triples.append(ox.Triple(iri, CAT.report, ox.Literal(
                json.dumps(report, ensure_ascii=False, separators=(",", ":")), datatype=RDF_JSON)))
        if run is not None:
            triples.append(ox.Triple(iri, CAT.run, ox.Literal(run)))
        g = self.graph
        self.store.update(
            f"DELETE WHERE {{ GRAPH {g} {{ {iri} {CAT.status} ?s }} }} ;\n"
            f"INSERT DATA {{ GRAPH {g} {{\n{ntriples(triples)}}} }}")

    def get(self, job_id: str, source: str) -> Job | None:
        """The job if it exists and belongs to ``source`` (a job id alone proves nothing)."""
        try:
            iri = self._iri(job_id)
        except ValueError:
            return None
        rows = list(queries.run(self.store, "upload_job", jobs=self.graph, job=iri))
        if not rows or rows[0]["source"].value != source:
            return None
        r = rows[0]
        return Job(job_id, source, r["status"].value, r["created"].value,
                   r["ended"].value if "ended" in r else None,
                   r["run"].value if "run" in r else None,
                   json.loads(r["report"].value) if "report" in r else None)

    def submit(self, job_id: str, work: Callable[[], tuple[str, dict, str | None]]) -> None:
        """Run ``work`` in the background; it returns (status, report JSON, run id)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="upload")
        self._pool.submit(self._run, job_id, work)

    def _run(self, job_id: str, work: Callable[[], tuple[str, dict, str | None]]) -> None:
        try:
            self._set(job_id, "running")
            status, report, run = work()
            self._set(job_id, status, report=report, run=run)
        except Exception as exc:  # noqa: BLE001 - the job records the failure; nothing to raise to
            log.exception("upload job %s failed", job_id)
            try:
                self._set(job_id, "failed", report={"error": {"message": f"the upload failed: {exc}"}})
            except Exception:  # noqa: BLE001 - the store itself is gone; the log has it
                log.exception("could not record the failure of job %s", job_id)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
