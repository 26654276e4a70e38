"""The catalogue as its callers see it (CLI, web): settings, the store and what they do.

One instance per process: it opens the store once (the embedded store holds a lock).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from catalogue import feeds as harvest
from catalogue import queries
from catalogue.cache import LRU
from catalogue.community.accounts import Accounts
from catalogue.endpoint.checks import Answer, check_query, dataset_clause
from catalogue.endpoint.workers import Job, QueryWorkers
from catalogue.formats import rdf_format, serialize
from catalogue.graphs import Graphs
from catalogue.ingest import Report, ingest, ownership, validate_dump
from catalogue.ingest.history import RunDetail, read_run, versions
from catalogue.ingest.jobs import Jobs
from catalogue.ingest.pipeline import reclaim_orphans, rollback, withdraw_all
from catalogue.ingest.registry import SourceState, all_sources, current, register
from catalogue.pages import resources as resource_pages
from catalogue.pages import solution as pages
from catalogue.pages.duplicates import Duplicates, Publication, find_duplicates
from catalogue.settings import PACKAGE, Settings
from catalogue.store import Dataset, EmbeddedStore, Rows, Store, open_store
from catalogue.vocab import load_vocabularies, vocabularies

DEMO_FILE = PACKAGE / "data" / "demo-catalogue.ttl"
EXPORT_CHUNK = 50_000  # triples serialised at a time by export()
DESCRIBED = 4096  # descriptions kept per process (a few KB each)
LABELLED = 200_000  # IRIs whose labels are kept per process (a few hundred bytes each)
VERSION_TTL = 1.0  # seconds a data version is trusted (other processes may write a remote store)


@dataclass(frozen=True)
class DataVersion:
    token: str
    modified: datetime | None


@dataclass(frozen=True)
class HomePage:
    newest: list  # search hits, newest first
    solutions: int
    by_view: list  # (view label, [facet values of the blocks solutions implement])
    topics: list
    countries: list


@dataclass(frozen=True)
class UsedBy:
    facet: str  # the search facet, also the /search parameter: eira, licence, publisher...
    total: int
    first: list[tuple[str, str]]  # (iri, title) of the first few, by title


@dataclass(frozen=True)
class Withdrawal:
    source: str
    when: str
    activity: str


@dataclass(frozen=True)
class Recovered:
    """What a start cleaned up: upload jobs ended as failed, graphs of killed ingests dropped."""

    failed_jobs: list[str]
    dropped_graphs: list[str]


DEMO_SOURCE = "demo"
DEMO_NAME = "Demo catalogue (generated, fictitious)"


class Catalogue:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.graphs = Graphs(settings.base_uri)
        self._store = store
        self._lock = threading.Lock()
        self._version: tuple[float, DataVersion] | None = None
        self._public: tuple[str, Dataset] | None = None
        self._workers: QueryWorkers | None = None
        self._jobs: Jobs | None = None
        self._derived: dict[str, tuple[str, object]] = {}  # name -> (data version, value)
        self._described: LRU[str, tuple[str, list[ox.Triple]]] = LRU(DESCRIBED)
        self._labelled: tuple[str, dict[ox.NamedNode, list[ox.Triple]]] = ("", {})

    @property
    def store(self) -> Store:
        """Opened on first use, so a forking server opens it in the worker, not the parent."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()  # let background uploads finish: never a half-written run
            self._jobs = None
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        if self._store is not None:
            self._store.close()
            self._store = None

    # datasets

    def public_graphs(self) -> list[ox.NamedNode]:
        """Vocabularies, provenance, the registry and each source's current version."""
        current = [s.graph for s in all_sources(self.store, self.graphs).values() if s.graph]
        return self._fixed_graphs() + current

    def _fixed_graphs(self) -> list[ox.NamedNode]:
        fixed = [self.graphs.vocab(v.name) for v in vocabularies()]
        return fixed + [self.graphs.provenance, self.graphs.registry]

    def data_version(self) -> DataVersion:
        """A token that changes whenever published data changes, and when that last happened.

        Read from the registry, the vocabulary checksums and the provenance records (one
        small query), at most once per ``VERSION_TTL`` seconds, and at once after a write
        through this instance. Caches of rendered resources are keyed by it.
        """
        now = time.monotonic()
        cached = self._version
        if cached is not None and now - cached[0] < VERSION_TTL:
            return cached[1]
        # with the moderators' decisions on duplicates: they change what pages and search show
        fixed = self._fixed_graphs() + [self.graphs.curation]
        rows = queries.select(self.store, "data_version", dataset=Dataset(default_graphs=fixed))
        digest = hashlib.sha256()
        latest: str | None = None
        for line in sorted(f"{r.get('s')} {r.get('o')} {r.get('ended')}" for r in rows):
            digest.update(line.encode())
        for r in rows:
            ended = r.get("ended")
            if ended is not None and (latest is None or ended.value > latest):
                latest = ended.value
        modified = datetime.fromisoformat(latest) if latest else None
        version = DataVersion(digest.hexdigest()[:16], modified)
        self._version = (now, version)
        return version

    def _changed(self) -> None:
        self._version = None

    def _per_version(self, name: str, compute):
        """``compute()`` once per data version: what only changes when published data does
        (counts on the home page) is not recomputed on every request."""
        token = self.data_version().token
        cached = self._derived.get(name)
        if cached is not None and cached[0] == token:
            return cached[1]
        value = compute()
        self._derived[name] = (token, value)
        return value

    def source_graph(self, slug: str) -> ox.NamedNode | None:
        """The public graph of a source's current version, if it has one."""
        return current(self.store, self.graphs, slug).graph

    def public_dataset(self) -> Dataset:
        """Public graphs merged as the default graph and visible by name; nothing else."""
        token = self.data_version().token
        cached = self._public
        if cached is not None and cached[0] == token:
            return cached[1]
        graphs = self.public_graphs()
        dataset = Dataset(default_graphs=graphs, named_graphs=graphs)
        self._public = (token, dataset)
        return dataset

    def public_query(
        self,
        text: str,
        *,
        results_format: str,
        graph_format: str,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> Answer:
        """A visitor's query, in a killable worker, over the public dataset (or the public
        graphs among those named by ``default-graph-uri`` / ``named-graph-uri``, else by the
        query's ``FROM`` / ``FROM NAMED``: other graphs are simply absent, so nothing private
        can be named into view).

        :raise QueryTimeout, EndpointBusy, RefusedQuery, QuerySyntaxError, TooManyResults:
        """
        check_query(text)  # refuse before taking a worker
        whole = not (default_graph_uris or named_graph_uris)
        if whole:  # the query's FROM / FROM NAMED, if any, are its dataset
            clause = dataset_clause(text, base_iri)
            if clause is not None:
                default_graph_uris, named_graph_uris = clause
                whole = False
        public = [g.value for g in self.public_dataset().default_graphs or []]
        default = public if whole else [g for g in default_graph_uris if g in set(public)]
        named = public if whole else [g for g in named_graph_uris if g in set(public)]
        if self._workers is None:
            store = self.store  # opened outside the lock below (opening takes it too)
            with self._lock:
                if self._workers is None:
                    self._workers = QueryWorkers(self.settings, store)
        snapshot = self._workers.snapshot(self.data_version().token, public)
        job = Job(text, tuple(default), tuple(named), results_format, graph_format,
                  self.settings.sparql_max_results, snapshot.path if snapshot else None,
                  base_iri, union=whole and snapshot is not None and snapshot.public_only)
        return self._workers.run(job)

    def describe(self, iri: str) -> list[ox.Triple]:
        """The published description of a resource (empty if none): its own triples, its
        blank nodes', and the labels of the IRIs it points to (what resource_description.rq
        gives in one query).

        The last ``DESCRIBED`` descriptions are kept for the current data version, and the
        labels of up to ``LABELLED`` IRIs: pages describe the same building blocks, licences,
        formats and contacts over and over, and label the same countries and topics."""
        token = self.data_version().token
        hit = self._described.get(iri)
        if hit is not None and hit[0] == token:
            return hit[1]
        node = ox.NamedNode(iri)
        own = ownership.description_from_owner(
            self.select("resource_own", resource=node))
        targets = list(dict.fromkeys(t.object for t in own
                                     if t.subject == node and isinstance(t.object, ox.NamedNode)))
        labels = self._labels(targets, token)
        triples = list(dict.fromkeys(own + [t for x in targets for t in labels[x]]))
        self._described.put(iri, (token, triples))
        return triples

    def _labels(self, iris: list[ox.NamedNode], token: str) -> dict[ox.NamedNode, list[ox.Triple]]:
        """The label triples of each IRI (see labels_of.rq), asking only for those not known
        in this data version."""
        with self._lock:
            if self._labelled[0] != token or len(self._labelled[1]) > LABELLED:
                self._labelled = (token, {})
            known = self._labelled[1]
            found = {x: known[x] for x in iris if x in known}
        missing = [x for x in iris if x not in found]
        for start in range(0, len(missing), 200):
            chunk = missing[start:start + 200]
            got: dict[ox.NamedNode, list[ox.Triple]] = {x: [] for x in chunk}
            for t in self.construct("labels_of", resource=chunk):
                got[t.subject].append(t)  # type: ignore[index]
            found.update(got)
            with self._lock:
                if self._labelled[0] == token:
                    self._labelled[1].update(got)
        return found

    def solution_page(self, iri: str, languages: tuple[str, ...] = ("en",)) -> pages.SolutionPage:
        """Everything a solution's HTML page shows (see catalogue/pages/solution.py)."""
        page = pages.solution_page(
            lambda x: self.describe(x),
            lambda x: [r["release"].value for r in self.select("releases_of", solution=ox.NamedNode(x))],
            lambda x: self._collections_of(x),
            iri, languages)
        page.related = self.related(iri, [b.iri for b in page.building_blocks])
        self._add_duplicates(page)
        return page

    def _collections_of(self, iri: str) -> dict[str, list[ox.Literal]]:
        """The collections listing a solution, with their titles (describing a collection
        whole, with its hundreds of members, would cost more than the rest of the page)."""
        out: dict[str, list[ox.Literal]] = {}
        for r in self.select("collections_of", solution=ox.NamedNode(iri)):
            titles = out.setdefault(r["collection"].value, [])
            if isinstance(title := r.get("title"), ox.Literal):  # (optional; the query keeps literals)
                titles.append(title)
        return out

    def related(self, iri: str, blocks: list[str], limit: int = 8) -> list[pages.Link]:
        """Other solutions implementing the same EIRA building blocks (from the search index),
        those sharing the most blocks first; ``detail`` is the number shared."""
        if not blocks:
            return []
        from catalogue import search

        index = search.open_index(search.index_path(self.settings.store))
        index.refresh(self.data_version().token)
        shared: dict[str, list] = {}
        for block in blocks:
            result = search.search(index, search.SearchRequest(
                sort="title", filters={"eira": (block,), "type": ("solution",)}))
            for h in result.hits:
                if h.iri != iri:
                    shared.setdefault(h.iri, [h.title, 0])[1] += 1
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1][1], kv[1][0].lower()))
        return [pages.Link(other, title, str(n)) for other, (title, n) in ranked[:limit]]

    def withdrawal(self, iri: str) -> Withdrawal | None:
        """When and by which source's ingest a resource was last withdrawn, if ever.

        Read from the provenance graph alone: only the pipeline writes there, whereas a
        dump could carry a ``prov:Activity`` of its own claiming to withdraw anything."""
        rows = queries.select(self.store, "resource_withdrawal", resource=ox.NamedNode(iri),
                              dataset=Dataset(default_graphs=[self.graphs.provenance]))
        for r in rows:
            return Withdrawal(r["source"].value, r["ended"].value, r["activity"].value)
        return None

    def select(self, name: str, **params: queries.Value) -> Rows:
        """The rows of a saved SELECT over the public dataset (see :func:`queries.select`)."""
        return queries.select(self.store, name, dataset=self.public_dataset(), **params)

    def ask(self, name: str, **params: queries.Value) -> bool:
        """The answer of a saved ASK over the public dataset (see :func:`queries.ask`)."""
        return queries.ask(self.store, name, dataset=self.public_dataset(), **params)

    def construct(self, name: str, **params: queries.Value) -> list[ox.Triple]:
        """The triples of a saved CONSTRUCT or DESCRIBE over the public dataset (see
        :func:`queries.construct`)."""
        return queries.construct(self.store, name, dataset=self.public_dataset(), **params)

    # writes

    def init(self, *, demo: bool = True, force: bool = False) -> dict[str, str]:
        """Load vocabularies (and the demo catalogue) unless already loaded, after what
        a start does (:meth:`recover`)."""
        self.recover()
        self._changed()
        result = load_vocabularies(self.store, self.graphs, force=force)
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
        self._changed()
        self.reindex()
        return result

    def _already_loaded(self, source: str, data: bytes) -> bool:
        import hashlib

        checksum = "sha256:" + hashlib.sha256(data).hexdigest()
        runs = self.select("source_runs", source=source)
        latest = runs.rows[0] if runs.rows else None
        return bool(latest and latest["checksum"].value == checksum
                    and self.source_graph(source) is not None)

    def ingest(self, source: str, data: bytes, **kwargs) -> Report:
        try:
            return self._reindexed(source, ingest(self.store, self.settings, source, data, **kwargs))
        finally:
            self._changed()

    def validate(self, data: bytes, **kwargs) -> Report:
        """Parse and validate a dump without storing anything (a dry run)."""
        result = validate_dump(data, settings=self.settings, **kwargs)
        return result if isinstance(result, Report) else result.report

    def rollback(self, source: str, version: str, *, by: str | None = None,
                 agent: str | None = None) -> Report:
        """Make a retained earlier version of a source current again (a run of its own)."""
        try:
            return self._reindexed(source, rollback(self.store, self.settings, source, version,
                                                    by=by, agent=agent))
        finally:
            self._changed()

    def withdraw_all(self, source: str, *, by: str | None = None, agent: str | None = None) -> Report:
        """Withdraw every record of a source (410 Gone); the previous version stays kept."""
        try:
            return self._reindexed(source, withdraw_all(self.store, self.settings, source, by=by,
                                                        agent=agent))
        finally:
            self._changed()

    # publishers: accounts, the source registry, history

    @property
    def jobs(self) -> Jobs:
        """Background uploads (one at a time per process: ingest is CPU-bound)."""
        if self._jobs is None:
            store = self.store  # opened outside the lock, which store() takes itself
            with self._lock:
                if self._jobs is None:
                    self._jobs = Jobs(store, self.graphs,
                                      per_source=self.settings.upload_jobs_per_source)
        return self._jobs

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
        exclusive = isinstance(self.store, EmbeddedStore)
        failed = self.jobs.recover(everything=exclusive)
        dropped = reclaim_orphans(self.store, self.settings, exclusive=exclusive)
        return Recovered(failed, [g.value for g in dropped])

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.store, self.graphs)

    def register_source(self, slug: str, name: str) -> None:
        register(self.store, self.graphs, slug, name)
        self._changed()

    def sources(self) -> dict[str, SourceState]:
        return all_sources(self.store, self.graphs)

    def source(self, slug: str) -> SourceState | None:
        """A registered source (or one that has data), None if unknown."""
        return self.sources().get(slug)

    def runs(self, slug: str) -> list[dict]:
        """A source's runs, newest first: run id, when, outcome and counts (public provenance)."""
        rows = self.select("source_runs", source=slug)
        return [{**{k: v.value for k, v in r.items()}, "id": r["run"].value.rsplit("/", 1)[-1]}
                for r in rows]

    def run_detail(self, slug: str, run_id: str) -> RunDetail:
        """:raise HistoryError: no such run."""
        return read_run(self.store, self.graphs, slug, run_id)

    def versions(self, slug: str) -> list[str]:
        """Version graphs of a source still kept (the current one among them), newest first."""
        return versions(self.store, self.graphs, slug)

    # reads

    def stats(self) -> dict:
        """Triples in all graphs; records and triples of each source's current version
        (counted once per data version: a count over the whole store is not cheap)."""
        return self._per_version("stats", self._count)

    def _count(self) -> dict:
        sizes = {r["g"].value: int(r["triples"].value)
                 for r in queries.select(self.store, "graph_sizes")}
        records = {r["g"].value: int(r["records"].value)
                   for r in queries.select(self.store, "graph_records")}
        out: dict = {"triples": sum(sizes.values()), "sources": {}, "vocabularies": {},
                     "quarantine": {}, "store": self.store.description}
        for slug, state in sorted(all_sources(self.store, self.graphs).items()):
            if state.graph is not None:
                g = state.graph.value
                out["sources"][slug] = {"records": records.get(g, 0), "triples": sizes.get(g, 0),
                                        "graph": g}
            if state.quarantine is not None:
                q = state.quarantine.value
                out["quarantine"][slug] = {"records": records.get(q, 0), "triples": sizes.get(q, 0)}
        for iri, n in sorted(sizes.items()):
            kind = self.graphs.kind(ox.NamedNode(iri))
            if kind and kind[0] == "vocab":
                out["vocabularies"][kind[1]] = n
        out["provenance"] = sizes.get(self.graphs.provenance.value, 0)
        # never public: accounts, run reports, drafts, versions kept for roll back
        shown = {g.value for g in self.public_graphs()} | {
            s.quarantine.value for s in all_sources(self.store, self.graphs).values() if s.quarantine}
        out["private"] = sum(n for g, n in sizes.items() if g not in shown)
        return out

    def export(self, fmt: str = "nq", *, include_private: bool = False) -> Iterator[bytes]:
        """The public graphs (or all) serialised graph by graph, to be streamed."""
        f = rdf_format(fmt)
        assert f.rdf is not None  # every format rdf_format() gives has one
        graphs: Sequence[ox.NamedNode] = (
            self.store.named_graphs() if include_private else self.public_graphs()
        )
        for g in graphs:
            # in chunks, so a large graph is never held whole: concatenated N-Quads, TriG
            # blocks of one graph, or prefix-less Turtle documents are still one valid document
            stream = self.store.iter_triples(g)
            while chunk := list(itertools.islice(stream, EXPORT_CHUNK)):
                if f.quads:
                    yield serialize([ox.Quad(t.subject, t.predicate, t.object, g) for t in chunk], f.rdf)
                else:
                    yield serialize(chunk, f.rdf)

    # harvesting: thin entries to catalogue/feeds.py (site = the absolute root URL served)

    def source_graphs(self) -> list[ox.NamedNode]:
        """The current graph of every source: where published records live."""
        return [s.graph for s in all_sources(self.store, self.graphs).values() if s.graph]

    def catalog_page(self, paging: harvest.Paging, *, site: str, here: str) -> harvest.CatalogPage:
        """One page of the DCAT catalogue. :raise harvest.PageNotFoundError: beyond the last."""
        return harvest.catalog_page(self.store, self.graphs.base, self.source_graphs(),
                                    site=site, here=here, paging=paging)

    def void(self, site: str) -> list[ox.Triple]:
        """The VoID description of the public dataset."""
        return harvest.void(self.store, self.graphs, site, self.public_graphs(),
                            self.source_graphs())

    def sitemap_entries(self, site: str) -> list[harvest.SitemapEntry]:
        """The site's human pages: home, then every published collection and solution."""
        return harvest.sitemap_entries(self.store, self.source_graphs(), site)

    # search: a derived index beside the store (catalogue/search/), never a record of truth

    def reindex(self, source: str | None = None) -> int:
        """Rebuild the search index from the store: one source's documents, or (``None``)
        every source's. Returns the documents written.

        :raise search.SearchIndexError: another process is writing the index.
        """
        from catalogue import search

        index = search.open_index(search.index_path(self.settings.store))
        states = all_sources(self.store, self.graphs)
        slugs = [source] if source is not None else sorted(states)
        records, graphs = {}, []
        public = self.public_graphs()
        for slug in slugs:
            graph = states[slug].graph if slug in states else None
            records[slug] = search.read_records(self.store, graph, slug, public) if graph else []
            graphs += [graph] if graph else []
        labels = search.read_labels(self.store, graphs + self._fixed_graphs()) if graphs else {}
        return index.replace(records, labels, everything=source is None, hidden=self._search_hidden())

    def used_by(self, iri: str) -> list[UsedBy]:
        """Solutions that point at ``iri`` through a search facet (an EIRA block they
        implement, a licence, a publisher, a topic, a place, a collection), read from the
        search index: where a page says "who uses this"."""
        from catalogue import search

        index = search.open_index(search.index_path(self.settings.store))
        index.refresh(self.data_version().token)
        out = []
        for facet in ("eira", "licence", "publisher", "theme", "spatial", "collection"):
            result = search.search(index, search.SearchRequest(sort="title", filters={facet: (iri,)}))
            if result.total:
                out.append(UsedBy(facet, result.total, [(h.iri, h.title) for h in result.hits[:10]]))
        return out

    def home(self, languages: tuple[str, ...] = ()) -> HomePage:
        """The home page's ways in: newest solutions, EIRA views with the blocks solutions
        implement, topics and countries with their counts (from the search index), once per
        data version and reader's languages (for the labels)."""
        return self._per_version("home:" + ",".join(languages),
                                 lambda: self._home(languages))

    def _home(self, languages: tuple[str, ...] = ()) -> HomePage:
        from catalogue import search

        index = search.open_index(search.index_path(self.settings.store))
        index.refresh(self.data_version().token)
        result = search.search(index, search.SearchRequest(sort="date", filters={"type": ("solution",)},
                                                           languages=languages))
        used = {f.value: f for f in result.facets.get("eira", [])}
        views: dict[str, tuple[str, list]] = {}
        for r in self.select("eira_views"):
            block = r["block"].value
            if block in used and "Deprecated" not in r["label"].value and r["label"].value != "deprecated":
                # v4 and v6 name the same view ("Legal View", "Legal view"): one list each
                label, blocks = views.setdefault(r["label"].value.strip().lower(), (r["label"].value, []))
                if used[block] not in blocks:
                    blocks.append(used[block])
        by_view = sorted(((label, sorted(blocks, key=lambda f: -f.count)[:8])
                          for label, blocks in views.values()), key=lambda v: v[0])
        return HomePage(newest=result.hits[:8], solutions=result.total, by_view=by_view,
                        topics=result.facets.get("theme", [])[:12],
                        countries=result.facets.get("spatial", [])[:12])

    def _reindexed(self, source: str, report: Report) -> Report:
        """After a stored ingest, refresh that source in the search index; a failure there
        is logged, not raised: the data is stored and ``catalogue index`` rebuilds it."""
        if report.stored:
            import logging

            from catalogue.search import SearchIndexError

            try:
                self.reindex(source)
            except (SearchIndexError, OSError, ValueError) as exc:
                logging.getLogger(__name__).warning("search index not updated: %s", exc)
        return report

    # pages of licences, collections, releases, distributions, publishers: catalogue/pages/resources.py

    def resource_page(self, iri: str, triples: list[ox.Triple],
                      languages: tuple[str, ...] = ("en",)) -> resource_pages.Page | None:
        """The page of a resource that has one of its own (see ``resource_pages.kind_of``),
        gathered from its description ``triples`` (as :meth:`describe` gives them) and a few
        anchored queries; None for any other resource. Not cached here: the web layer caches
        the rendered page by (resource, format, data version, language)."""
        kind = resource_pages.kind_of(triples, iri)
        if kind is None and self.is_release(iri):
            kind = "release"  # named only by its solution's dct:hasVersion
        return resource_pages.build(self, iri, triples, languages, kind=kind)

    def is_release(self, iri: str) -> bool:
        """Whether ``iri`` is a release: it says ``dct:isVersionOf``, or a solution names it
        with ``dct:hasVersion`` (ADMS-AP allows either side)."""
        return bool(self.select("release_solution", release=ox.NamedNode(iri)).rows)

    # duplicates across sources: catalogue/pages/duplicates.py

    def duplicates(self) -> Duplicates:
        """The same solution published by several sources, grouped, canonical record first
        (found once per data version: two queries over the public data)."""
        return self._per_version("duplicates", self._find_duplicates)

    def _find_duplicates(self) -> Duplicates:
        return find_duplicates(self.store, self.graphs.registry, self.graphs.provenance,
                               self.graphs.curation)

    def decide_same(self, a: str, b: str, *, same: bool, moderator: str) -> None:
        """A moderator's word that the solutions ``a`` and ``b`` (of two sources) are the
        same (merged: search shows one) or not (no longer listed as possibly the same).
        Takes effect at once: the data version changes and search's hidden set is rewritten.

        :raise DecisionError: not two published solutions of different sources.
        """
        from catalogue import search
        from catalogue.pages.duplicates import decide

        now = datetime.now(UTC)
        decision = self.graphs.decision(uuid.uuid4().hex)
        decide(self.store, self.graphs.curation, decision, self._find_duplicates(), a, b,
               same=same, by=ox.NamedNode(moderator), when=now)
        self._changed()
        index = search.open_index(search.index_path(self.settings.store))
        index.replace({}, {}, hidden=self._search_hidden())

    def possibly_same_as(self, iri: str) -> list[Publication]:
        """Other sources' records that may be the same solution as ``iri`` (a shared key,
        one side's claim) but are not merged with it."""
        return self.duplicates().possibly_same_as(iri)

    def also_published_by(self, iri: str) -> list[Publication]:
        """The other sources' records of the solution ``iri``: (slug, name, record IRI)."""
        return self.duplicates().also_published_by(iri)

    def canonical(self, iri: str) -> str:
        """The record search shows for the solution ``iri`` (``iri`` unless duplicated)."""
        return self.duplicates().canonical(iri)

    def _add_duplicates(self, page: pages.SolutionPage) -> None:
        """The page lists the other sources' records of its solution, and not among the
        related solutions (they share every building block, being the same)."""
        page.also_published_by = self.also_published_by(page.iri)
        page.possibly_same_as = self.possibly_same_as(page.iri)
        same = {p.iri for p in page.also_published_by + page.possibly_same_as}
        page.related = [r for r in page.related if r.iri not in same]

    def _search_hidden(self):
        """What every search leaves out, read fresh from the store (not per data version:
        :meth:`reindex` runs right after an ingest, before the version is read again)."""
        from catalogue.search import Hidden

        found = self._find_duplicates()
        return Hidden.of(found.hidden(), (g[0].iri for g in found.groups))


def demo_path() -> Path:
    return DEMO_FILE
