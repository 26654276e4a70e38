"""Visitors' SPARQL queries run in worker processes that can be killed.

pyoxigraph cannot cancel a running query, and a thread cannot be stopped, so a runaway
query on the public endpoint would hold a CPU (and the store) until it ends, if ever. Each
query runs instead in a worker process; when it overruns its time limit the worker is
killed and replaced, and the caller gets :class:`QueryTimeout`. The number of workers is
also the cap on concurrent visitor queries: a request that finds none free within a short
wait gets :class:`EndpointBusy`, and the site's own pages (which do not go through here)
stay fast.

Workers never open the live embedded store (RocksDB allows one writer process, and a
read-only opening beside a writer is undefined behaviour). They read a **snapshot**: a
RocksDB checkpoint of the store (hard links, taken in milliseconds), made once per data
version and opened read-only. On a remote store they read a local copy of the public graphs
alone, made per data version in the background (``_remote_snapshot``): privacy never rests on
how a server reads the protocol's graph parameters.

The checkpoint holds every graph, private ones too, so a query on it lists the ~20 public
graphs as its default graph, and Oxigraph evaluates that 7-8x slower than its union default
graph (licence usage counts at 10k solutions: 1.7 s against 0.22 s). So a thread then copies
the public graphs alone into a **public snapshot** (bulk-loaded from the checkpoint: a few
seconds at 10k solutions, 72 s at 100k, in a child process) where the default graph is the union of
the named graphs: once it is ready, a query that names no dataset itself runs there. Both
snapshots answer the same: only the speed differs.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogue.endpoint.checks import Answer, run_public_query
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.settings import Settings
from catalogue.store import Dataset, EmbeddedStore, Store, open_store
from catalogue.store.base import blank_nodes_last

log = logging.getLogger(__name__)
BUSY_WAIT = 2.0  # seconds a query waits for a free worker before "busy"
COPY_BATCH = 100_000  # triples per bulk load when a remote store's public graphs are copied


class QueryTimeout(CatalogueError, RuntimeError):
    """The query ran longer than the endpoint allows; it was stopped."""

    error_kind = ErrorKind.UNAVAILABLE


class EndpointBusy(CatalogueError, RuntimeError):
    """Every query worker is busy."""

    error_kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class Snapshot:
    path: str
    public_only: bool  # holds the public graphs alone (default graph: their union)


@dataclass(frozen=True)
class Job:
    text: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    results_format: str
    graph_format: str
    max_results: int
    snapshot: str | None  # embedded: the checkpoint directory to read; remote: None
    base_iri: str | None = None
    #: the snapshot holds the public graphs only and the job asks for all of them: run it on
    #: the union default graph instead of listing them
    union: bool = False


def _serve(conn: multiprocessing.connection.Connection, settings: Settings) -> None:
    """A worker's loop: one job in, one (kind, payload) out."""
    import pyoxigraph as ox

    store: Store | None = None
    opened: str | None = None
    while True:
        try:
            job: Job = conn.recv()
        except EOFError:
            return
        try:
            if job.snapshot is None:
                if store is None:
                    store = open_store(settings)
            elif opened != job.snapshot:
                if store is not None:
                    store.close()
                store = EmbeddedStore(job.snapshot, read_only=True)
                opened = job.snapshot
            if job.union:
                dataset = Dataset(union=True)
            else:
                dataset = Dataset(default_graphs=[ox.NamedNode(g) for g in job.default_graphs],
                                  named_graphs=[ox.NamedNode(g) for g in job.named_graphs])
            assert store is not None  # opened above, or for this snapshot before
            answer = run_public_query(store, job.text, dataset=dataset,
                                      results_format=job.results_format,
                                      graph_format=job.graph_format, max_results=job.max_results,
                                      base_iri=job.base_iri)
            conn.send(("ok", answer))
        except Exception as exc:  # noqa: BLE001 - sent back and re-raised in the caller
            conn.send(("error", exc))


def _copy_graphs(checkpoint: str, target: str, graphs: tuple[str, ...]) -> None:
    """Bulk-load ``graphs`` of the store at ``checkpoint`` into a new store at ``target``."""
    import pyoxigraph as ox

    dump = Path(target + ".nt")
    try:
        source = ox.Store.read_only(checkpoint)
        copy = ox.Store(target)
        for g in graphs:
            graph = ox.NamedNode(g)
            with open(dump, "wb") as out:
                source.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            copy.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        copy.flush()
    finally:
        dump.unlink(missing_ok=True)


def _copy_remote_graphs(settings: Settings, target: str, graphs: tuple[str, ...]) -> None:
    """Bulk-load ``graphs`` of the remote store into a new local store at ``target``, in
    loads of ``COPY_BATCH`` triples, a graph's blank nodes in its last one (each load names
    blank nodes afresh: :func:`blank_nodes_last`)."""
    import pyoxigraph as ox

    remote = open_store(settings)
    copy = ox.Store(target)
    try:
        for g in graphs:
            graph = ox.NamedNode(g)
            for batch in blank_nodes_last(remote.iter_triples(graph), COPY_BATCH):
                copy.bulk_load(input=ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES),
                               format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
        copy.flush()
    finally:
        remote.close()


def _remove_orphans(root: Path) -> None:
    """Public copies left by a process that no longer runs (named ``{version}-{pid}-...``):
    several web workers of one machine share the directory, each removes only the dead's."""
    if not root.is_dir():
        return
    for entry in root.iterdir():
        parts = entry.name.split("-")
        if len(parts) < 3 or not parts[1].isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            continue


class _Worker:
    def __init__(self, ctx, settings: Settings) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, settings), daemon=True,
                                   name="catalogue-query-worker")
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryWorkers:
    """A fixed set of query worker processes with a time limit per query."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.timeout = settings.sparql_timeout
        self._ctx = multiprocessing.get_context("forkserver")
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()
        self._snapshot_lock = threading.Lock()
        self._snapshots: dict[str, str] = {}  # version -> checkpoint
        self._public: dict[str, str] = {}  # version -> public snapshot, once copied
        self._public_ready = threading.Condition(self._snapshot_lock)
        self.snapshot_root = Path(f"{settings.store}-query-snapshots")
        self._building: set[str] = set()  # remote: versions whose public copy is being made
        self._latest: str | None = None  # remote: the newest public copy ready
        if isinstance(store, EmbeddedStore):
            # left by an earlier server that was killed: only the store's one owner makes them
            shutil.rmtree(self.snapshot_root, ignore_errors=True)
        else:
            _remove_orphans(self.snapshot_root)

    # snapshots (embedded store only)

    def snapshot(self, version: str, public: Sequence[str] = ()) -> Snapshot | None:
        """Where a query of this data version reads: the public snapshot once it is ready,
        else the checkpoint (made on first use, and the public snapshot started from it).
        ``public``: the public graphs of this version (to copy). On a remote store see
        :meth:`_remote_snapshot`."""
        if not isinstance(self.store, EmbeddedStore):
            return self._remote_snapshot(version, public)
        if self.store.path is None:
            return None
        with self._snapshot_lock:
            ready = self._public.get(version)
            if ready is not None:
                return Snapshot(ready, public_only=True)
            path = self._snapshots.get(version)
            if path is None:
                path = str(self.snapshot_root / f"{version}-{os.getpid()}-{time.time_ns()}")
                self.snapshot_root.mkdir(parents=True, exist_ok=True)
                self.store.raw.flush()
                self.store.raw.backup(path)
                self._snapshots[version] = path
                self._forget_old()
                if public:
                    threading.Thread(target=self._copy_public, args=(version, path, tuple(public)),
                                     name="catalogue-public-snapshot", daemon=True).start()
            return Snapshot(path, public_only=False)

    def _copy_public(self, version: str, checkpoint: str, graphs: tuple[str, ...]) -> None:
        """Copy ``graphs`` from the checkpoint into a new store, then offer it for ``version``."""
        target = checkpoint + "-public"
        started = time.monotonic()
        if not self._build(version, target, _copy_graphs, checkpoint, graphs):  # the checkpoint answers
            return
        with self._snapshot_lock:
            if self._snapshots.get(version) == checkpoint:
                self._public[version] = target
                self._public_ready.notify_all()
                log.info("public snapshot of data version %s ready: %d graphs copied in %.1f s",
                         version, len(graphs), time.monotonic() - started)
                return
        shutil.rmtree(target, ignore_errors=True)  # that version was forgotten meanwhile

    def _build(self, version: str, target: str, copy: Callable[..., None], source: object,
               graphs: tuple[str, ...]) -> bool:
        """Run ``copy(source, building, graphs)`` in a child process (the bulk loader takes
        ~2 GB at 100k solutions, given back when it exits), then move the result to
        ``target``; whether it worked (a failure is logged and its directory removed)."""
        building = target + ".building"
        try:
            child = self._ctx.Process(target=copy, args=(source, building, graphs),
                                      name="catalogue-public-snapshot", daemon=True)
            child.start()
            child.join()
            if child.exitcode != 0:
                raise RuntimeError(f"the copying process ended with exit code {child.exitcode}")
            os.rename(building, target)
            return True
        except Exception:  # noqa: BLE001 - the caller keeps answering from what it has
            log.exception("could not copy the public graphs of data version %s", version)
            shutil.rmtree(building, ignore_errors=True)
            return False

    def _remote_snapshot(self, version: str, public: Sequence[str]) -> Snapshot | None:
        """On a remote store visitors' queries read a local copy of the public graphs alone,
        so that privacy never rests on how a server reads the protocol's graph parameters
        (Virtuoso ignores ``named-graph-uri`` for ``GRAPH <iri>``) and every answer is
        written by pyoxigraph in the formats it promises. A new data version's copy is made
        in the background while the previous copy answers (seconds stale). Before the first
        copy is ready, an Oxigraph server answers itself (it honours the dataset parameters);
        any other server makes the query wait for the copy, then answer busy.

        :raise EndpointBusy: no public copy is ready yet on a server other than Oxigraph.
        """
        from catalogue.store import Dialect, RemoteStore

        with self._snapshot_lock:
            ready = self._public.get(version)
            if ready is not None:
                return Snapshot(ready, public_only=True)
            if version not in self._building and public:
                self._building.add(version)
                threading.Thread(target=self._copy_remote, args=(version, tuple(public)),
                                 name="catalogue-public-snapshot", daemon=True).start()
            latest = self._latest
        if latest is not None:
            return Snapshot(latest, public_only=True)
        if isinstance(self.store, RemoteStore) and self.store.dialect is Dialect.OXIGRAPH:
            return None
        if self.wait_public(version, timeout=min(20.0, self.timeout)):
            return Snapshot(self._public[version], public_only=True)
        raise EndpointBusy("this endpoint is still making its copy of the public data (the first "
                           "after the server starts takes a while on a big catalogue); try again "
                           "in a minute")

    def _copy_remote(self, version: str, graphs: tuple[str, ...]) -> None:
        """Copy ``graphs`` from the remote store into a new local store, then offer it for
        ``version``."""
        self.snapshot_root.mkdir(parents=True, exist_ok=True)
        target = str(self.snapshot_root / f"{version}-{os.getpid()}-{time.time_ns()}-public")
        started = time.monotonic()
        if not self._build(version, target, _copy_remote_graphs, self.settings, graphs):
            with self._snapshot_lock:  # the previous copy goes on answering
                self._building.discard(version)
            return
        with self._snapshot_lock:
            self._building.discard(version)
            self._public[version] = target
            self._latest = target
            self._public_ready.notify_all()
            while len(self._public) > 2:  # keep the previous copy: a query may still read it
                old = self._public.pop(next(iter(self._public)))
                shutil.rmtree(old, ignore_errors=True)
        log.info("public copy of data version %s ready: %d graphs copied in %.1f s",
                 version, len(graphs), time.monotonic() - started)

    def wait_public(self, version: str, timeout: float = 30.0) -> bool:
        """Whether the public snapshot of ``version`` became ready within ``timeout`` s."""
        with self._public_ready:
            return self._public_ready.wait_for(lambda: version in self._public, timeout)

    def _forget_old(self) -> None:
        # keep the previous snapshot too: a query that started on it may still be reading it
        while len(self._snapshots) > 2:
            version = next(iter(self._snapshots))
            path = self._snapshots.pop(version)
            self._public.pop(version, None)
            shutil.rmtree(path, ignore_errors=True)
            shutil.rmtree(path + "-public", ignore_errors=True)

    # workers

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + BUSY_WAIT
        with self._cond:
            while not self._idle and self._count >= self.settings.sparql_workers:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EndpointBusy(
                        f"all {self.settings.sparql_workers} query workers are busy; try again shortly")
                self._cond.wait(left)
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return _Worker(self._ctx, self.settings)
        except Exception:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker | None) -> None:
        with self._cond:
            if worker is None:
                self._count -= 1
            else:
                self._idle.append(worker)
            self._cond.notify()

    def run(self, job: Job) -> Answer:
        """Run a job in a worker.

        :raise QueryTimeout: it overran ``CATALOGUE_SPARQL_TIMEOUT``; its worker was killed.
        :raise EndpointBusy: no worker was free in time.
        Anything the query itself raised (syntax error, refusal, too many results) is re-raised.
        """
        worker: _Worker | None  # None once killed and given back
        worker = self._acquire()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                worker.kill()
                self._release(None)
                worker = None
                raise QueryTimeout(
                    f"the query ran longer than {self.timeout:g} s, this endpoint's limit, and was "
                    "stopped. Narrow it (more specific patterns, LIMIT) or run it on a copy of the "
                    "data (/dump.nq).")
            kind, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            if worker is not None:
                worker.kill()
                self._release(None)
                worker = None
            raise QueryTimeout(f"the query worker stopped unexpectedly ({exc})") from exc
        finally:
            if worker is not None:
                self._release(worker)
        if kind == "error":
            raise payload
        return payload

    def close(self) -> None:
        with self._cond:
            workers, self._idle = self._idle, []
        for w in workers:
            w.kill()
        shutil.rmtree(self.snapshot_root, ignore_errors=True)
