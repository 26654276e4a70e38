"""Publishing as the catalogue offers it: a source's data in (ingest, validate, roll back,
withdraw), the source registry, a source's history, background uploads, what a process does
when it starts (:meth:`Publishing.recover`) and when a catalogue is first set up
(:meth:`Publishing.init`).

Reached as ``Catalogue.publishing`` (these were ``Catalogue`` methods until issue 11 made
the root a composition root only). Every write goes through ``pipeline`` (one atomic switch
per run); afterwards the root is told the data changed and that source is refreshed in the
search index (``Catalogue.search``), so what a reader sees follows at once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from catalogue.ingest.history import RunDetail, read_run, versions
from catalogue.ingest.jobs import Jobs
from catalogue.ingest.pipeline import ingest, reclaim_orphans, rollback, validate_dump, withdraw_all
from catalogue.ingest.registry import SourceState, all_sources, current, register
from catalogue.ingest.report import Report
from catalogue.operations import ingested
from catalogue.search import SearchIndexError
from catalogue.settings import PACKAGE
from catalogue.store import EmbeddedStore
from catalogue.vocab import load_vocabularies

if TYPE_CHECKING:
    from catalogue.app import Catalogue

DEMO_FILE = PACKAGE / "data" / "demo-catalogue.ttl"
DEMO_SOURCE = "demo"
DEMO_NAME = "Demo catalogue (generated, fictitious)"
# the catalogue of ICT standards (issue 14): reference sources `init` loads like any source
# (validated with the "standards" profile). One source per publisher: ELIS's specifications
# are also described by the CSSV dataset and CAMSS's specifications graph (same IRIs), and a
# record belongs to one source, so the three files are one dump; the assessments only link.
STANDARDS_DIR = PACKAGE / "data" / "standards"
STANDARDS_SOURCES = (
    ("elis", "ELIS 6.1.1, the EIRA Library of Interoperability Specifications (with CSSV 2.0.0)",
     ("elis-v6.1.1.ttl", "camss-specifications-dataset-2.0.0.ttl", "camss-specifications-graph.ttl")),
    ("camss", "CAMSS assessments of specifications", ("camss-assessments-graph.ttl",)),
)
STANDARDS_PROFILE = "standards"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovered:
    """What a start cleaned up: upload jobs ended as failed, graphs of killed ingests dropped."""

    failed_jobs: list[str]
    dropped_graphs: list[str]


class Publishing:
    """The write side of one catalogue, and what publishers read of their sources."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._jobs: Jobs | None = None

    def close(self) -> None:
        """Let background uploads finish: never a half-written run."""
        if self._jobs is not None:
            self._jobs.close()
            self._jobs = None

    # a source's data in

    def ingest(self, source: str, data: bytes, **kwargs: Any) -> Report:
        """Parse, validate and (unless the mode refuses it) store a dump as the source's new
        version (see :func:`catalogue.ingest.ingest` for the options and the failures)."""
        root, started = self._root, time.monotonic()
        result: Report | BaseException | None = None
        try:
            result = ingest(root.store, root.settings, source, data, **kwargs)
            return self._reindexed(source, result)
        except BaseException as exc:
            result = exc if result is None else result  # a stored run whose refresh failed is still stored
            raise
        finally:
            root.changed()
            root.operations.emit(ingested(result, time.monotonic() - started))  # for /-/metrics

    def validate(self, data: bytes, **kwargs: Any) -> Report:
        """Parse and validate a dump without storing anything (a dry run)."""
        result = validate_dump(data, settings=self._root.settings, **kwargs)
        return result if isinstance(result, Report) else result.report

    def rollback(self, source: str, version: str, *, by: str | None = None,
                 agent: str | None = None) -> Report:
        """Make a retained earlier version of a source current again (a run of its own).

        :raise HistoryError: no such version kept.
        """
        root = self._root
        try:
            return self._reindexed(source, rollback(root.store, root.settings, source, version,
                                                    by=by, agent=agent))
        finally:
            root.changed()

    def withdraw_all(self, source: str, *, by: str | None = None, agent: str | None = None) -> Report:
        """Withdraw every record of a source (410 Gone); the previous version stays kept."""
        root = self._root
        try:
            return self._reindexed(source, withdraw_all(root.store, root.settings, source, by=by,
                                                        agent=agent))
        finally:
            root.changed()

    def _reindexed(self, source: str, report: Report) -> Report:
        """After a stored run, recompute that source's quality scores, then refresh it in the
        search index (which reads them); a failure in either is logged, not raised: the data
        is stored, and ``catalogue quality`` and ``catalogue index`` rebuild them."""
        if report.stored:
            try:
                # scored from the triples just written when there are (no read back)
                self._root.quality.recompute(source, written=report.written)
            except Exception as exc:  # derived data: never fails or undoes the stored run
                log.warning("quality scores not updated for %s: %s", source, exc)
            try:
                self._root.search.reindex(source)
            except (SearchIndexError, OSError, ValueError) as exc:
                log.warning("search index not updated: %s", exc)
        report.written = None  # the caller keeps the report; the triples are not worth keeping
        return report

    @property
    def jobs(self) -> Jobs:
        """Background uploads (one at a time per process: ingest is CPU-bound)."""
        if self._jobs is None:
            store = self._root.store  # opened outside the lock below
            with self._lock:
                if self._jobs is None:
                    self._jobs = Jobs(store, self._root.graphs,
                                      per_source=self._root.settings.upload_jobs_per_source)
        return self._jobs

    # the source registry and a source's history

    def register_source(self, slug: str, name: str) -> None:
        """:raise SlugError: a malformed slug."""
        register(self._root.store, self._root.graphs, slug, name)
        self._root.changed()

    def sources(self) -> dict[str, SourceState]:
        return all_sources(self._root.store, self._root.graphs)

    def source(self, slug: str) -> SourceState | None:
        """A registered source (or one that has data), None if unknown."""
        return self.sources().get(slug)

    def source_graph(self, slug: str) -> ox.NamedNode | None:
        """The public graph of a source's current version, if it has one."""
        return current(self._root.store, self._root.graphs, slug).graph

    def runs(self, slug: str) -> list[dict]:
        """A source's runs, newest first: run id, when, outcome and counts (public provenance)."""
        rows = self._root.select("source_runs", source=slug)
        return [{**{k: v.value for k, v in r.items()}, "id": r["run"].value.rsplit("/", 1)[-1]}
                for r in rows]

    def run_detail(self, slug: str, run_id: str) -> RunDetail:
        """:raise HistoryError: no such run."""
        return read_run(self._root.store, self._root.graphs, slug, run_id)

    def versions(self, slug: str) -> list[str]:
        """Version graphs of a source still kept (the current one among them), newest first."""
        return versions(self._root.store, self._root.graphs, slug)

    # a process starting, a catalogue set up

    def recover(self) -> Recovered:
        """What a process does when it starts (``catalogue serve``, ``catalogue init``),
        before it takes any upload: end the background uploads a stopped process left queued
        or running (as failed, saying why: their polls would say "retry later" forever),
        and drop the graphs of ingests killed before their final transaction (never
        published; they may be incomplete, so no roll back may make them current).

        On the embedded store no other process can be at work: every such job and graph
        goes. On a remote store other processes may be uploading right now: only jobs whose
        lease expired, and graphs older than ``history.ORPHAN_AGE``.
        """
        store = self._root.store
        exclusive = isinstance(store, EmbeddedStore)
        failed = self.jobs.recover(everything=exclusive)
        dropped = reclaim_orphans(store, self._root.settings, exclusive=exclusive)
        return Recovered(failed, [g.value for g in dropped])

    def init(self, *, demo: bool = True, standards: bool = True,
             force: bool = False) -> dict[str, str]:
        """Load vocabularies, the demo catalogue and the standards (ELIS, CAMSS) unless
        already loaded, after what a start does (:meth:`recover`), then rebuild the search
        index.

        :raise RuntimeError: a bundled dump (demo, ELIS, CAMSS) was rejected (a broken package).
        """
        root = self._root
        self.recover()
        root.changed()
        result = load_vocabularies(root.store, root.graphs, force=force)
        if demo and DEMO_FILE.exists():
            demo_source = self.source(DEMO_SOURCE)
            if demo_source is None or demo_source.name is None:
                self.register_source(DEMO_SOURCE, DEMO_NAME)
            data = DEMO_FILE.read_bytes()
            report = None
            if force or not self._already_loaded(DEMO_SOURCE, data):
                report = self.ingest(DEMO_SOURCE, data, filename=DEMO_FILE.name, mode="strict")
                if not report.stored:
                    raise RuntimeError("the bundled demo catalogue was rejected:\n" + report.as_text())
            result["demo"] = "loaded" if report else "unchanged"
        if standards:
            for slug, name, files in STANDARDS_SOURCES:
                result[slug] = self._load_bundled(slug, name, files, force=force)
        root.changed()
        root.search.reindex()
        return result

    def _load_bundled(self, slug: str, name: str, files: tuple[str, ...], *, force: bool) -> str:
        """Ingest one bundled standards source (its files as one Turtle dump), strictly,
        unless that exact dump is current; returns 'loaded' or 'unchanged'.

        :raise RuntimeError: the dump was rejected (a broken package).
        """
        state = self.source(slug)
        if state is None or state.name is None:
            self.register_source(slug, name)
        # Turtle files joined are one Turtle document (prefixes may be redeclared)
        data = b"\n".join((STANDARDS_DIR / f).read_bytes() for f in files)
        if not force and self._already_loaded(slug, data):
            return "unchanged"
        report = self.ingest(slug, data, filename=f"{slug}.ttl", mode="strict",
                             profiles=(STANDARDS_PROFILE,))
        if not report.stored:
            raise RuntimeError(f"the bundled {slug} dump was rejected:\n" + report.as_text())
        return "loaded"

    def _already_loaded(self, source: str, data: bytes) -> bool:
        checksum = "sha256:" + hashlib.sha256(data).hexdigest()
        runs = self._root.select("source_runs", source=source)
        latest = runs.rows[0] if runs.rows else None
        return bool(latest and latest["checksum"].value == checksum
                    and self.source_graph(source) is not None)
