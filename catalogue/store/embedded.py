"""The embedded backend: a pyoxigraph store on disk (or in memory), one per process."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from catalogue.store.base import (
    ALL,
    IN_DATASET,
    Bindings,
    Dataset,
    QuerySyntaxError,
    Rows,
    Store,
    StoreError,
    StoreLockedError,
    Triple,
    row,
)


def _kwargs(bindings: Bindings | None, dataset: Dataset) -> dict:
    kw: dict = {}
    if bindings:
        kw["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
    if dataset.union:
        kw["use_default_graph_as_union"] = True
    elif dataset.default_graphs is not None:
        kw["default_graph"] = list(dataset.default_graphs)
        kw["named_graphs"] = list(dataset.named_graphs or [])
    elif dataset.named_graphs is not None:
        kw["named_graphs"] = list(dataset.named_graphs)
    if dataset.scope is not None:
        scope = dataset.scope
        kw["custom_functions"] = {_IN_DATASET: lambda g: _TRUE if g in scope else _FALSE}
    return kw


# a graph list in a query's text costs Oxigraph ~3 µs an IRI to parse, for each
# ``#+ in-dataset`` line (0.3 ms of a description's 0.6 ms over 33 public graphs, growing
# with every source): the embedded store tests membership in a set instead
_IN_DATASET = ox.NamedNode(IN_DATASET)
_TRUE, _FALSE = ox.Literal(True), ox.Literal(False)


class EmbeddedStore(Store):
    """pyoxigraph ``Store`` at ``path`` (``None``: in memory, for tests and benchmarks).

    :raise StoreLockedError: another process has the store open.
    """

    scopes_by_function = True
    loads_natively = True

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:  # only for a directory no process writes (a snapshot)
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"The store at {self.path} is in use by another process "
                    "(most likely a running `catalogue serve`). The embedded store can be opened "
                    "by one process at a time. Stop the server and run the command again, or run "
                    "the server on a remote store (CATALOGUE_SPARQL_QUERY_URL) so that several "
                    "processes can share it."
                ) from None
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self.description = f"embedded store at {self.path}" if self.path else "in-memory store"

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for bulk paths that need it (bench, export)."""
        return self._store

    def _query(self, sparql: str, bindings: Bindings | None, dataset: Dataset, base_iri: str | None = None):
        kwargs = _kwargs(bindings, dataset)
        if base_iri:
            kwargs["base_iri"] = base_iri
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(str(exc)) from exc

    def select(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> Rows:
        result = self._query(sparql, bindings, dataset)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return Rows(names, [row(names, solution) for solution in result])

    def ask(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> bool:
        result = self._query(sparql, bindings, dataset)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(result)

    def construct(
        self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL
    ) -> list[Triple]:
        result = self._query(sparql, bindings, dataset)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError("construct() needs a CONSTRUCT or DESCRIBE query")
        return list(result)

    def query_serialized(
        self,
        sparql: str,
        *,
        dataset: Dataset = ALL,
        results_format: str = "application/sparql-results+json",
        graph_format: str = "text/turtle",
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        result = self._query(sparql, None, dataset, base_iri)
        if isinstance(result, ox.QueryTriples):
            media, body = graph_format, result.serialize(format=ox.RdfFormat.from_media_type(graph_format))
        else:
            media = results_format
            body = result.serialize(format=ox.QueryResultsFormat.from_media_type(results_format))
        assert body is not None  # None only when serialize() is given a file to write to
        return media, body

    def update(self, sparql: str) -> None:
        if not sparql.strip():
            return
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def write_graph(self, graph: ox.NamedNode, triples: Iterable[Triple]) -> int:
        # serialising in Rust and bulk-loading is faster than building Quads in Python;
        # lenient: the terms are pyoxigraph terms already, validated when they were parsed
        triples = triples if isinstance(triples, list) else list(triples)
        if triples:
            data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            self._store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph,
                                  lenient=True)
        return len(triples)

    def load_graph(self, graph: ox.NamedNode, data: bytes, format: ox.RdfFormat) -> int | None:
        # in Rust, without the GIL; not lenient: the bytes are a publisher's, unchecked yet
        self._store.bulk_load(input=data, format=format, to_graph=graph)
        return None  # the parser an ingest reads the same bytes with

    def dump_quads(self, target: BinaryIO) -> int:
        """One consistent snapshot of every named graph, taken while the store stays open
        for reads and writes: a RocksDB checkpoint (pyoxigraph's ``backup``: hard links, so
        quick and small), dumped as N-Quads, then removed."""
        if self.path is None:  # in memory: no checkpoint, and nothing else writes it either
            return super().dump_quads(target)
        with tempfile.TemporaryDirectory(prefix="catalogue-backup-", dir=self.path.parent) as tmp:
            checkpoint = Path(tmp) / "checkpoint"  # beside the store: the same disk, so hard links
            self._store.backup(str(checkpoint))
            snapshot = ox.Store.read_only(str(checkpoint))
            snapshot.dump(target, format=ox.RdfFormat.N_QUADS)  # the catalogue keeps nothing in the default graph
            found = snapshot.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            written = int(next(iter(found))["n"].value)  # type: ignore[arg-type]
            del snapshot
            return written

    def load_quads(self, source: BinaryIO) -> int:
        """Bulk-load a backup's N-Quads (the loader, not transactions: restoring is into an
        empty store nobody reads yet); returns the quads the store then holds."""
        self._store.bulk_load(input=source, format=ox.RdfFormat.N_QUADS)
        return self.count()

    def iter_triples(self, graph: ox.NamedNode) -> Iterator[Triple]:
        for q in self._store.quads_for_pattern(None, None, None, graph):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def named_graphs(self) -> list[ox.NamedNode]:
        return [g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
                and next(iter(self._store.quads_for_pattern(None, None, None, g)), None) is not None]

    def drop_graph(self, graph: ox.NamedNode) -> None:
        if graph in set(self._store.named_graphs()):
            self._store.remove_graph(graph)

    def count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is None:
            return len(self._store) - sum(1 for _ in self._store.quads_for_pattern(
                None, None, None, ox.DefaultGraph()))
        return super().count(graph)

    def optimize(self) -> None:
        self._store.optimize()

    def close(self) -> None:
        if getattr(self, "_store", None) is not None:
            if self.path is not None and not self.read_only:
                self._store.flush()
            del self._store
            self._store = None  # type: ignore[assignment]

