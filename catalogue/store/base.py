"""The one store interface both backends implement, and the result types they return.

Both backends return plain Python values built from pyoxigraph terms, so callers never
know which one they talk to: ``select`` gives :class:`Rows`, ``ask`` a bool,
``construct`` a list of :class:`pyoxigraph.Triple`. A row's values are :data:`Node`: the
catalogue's queries make no RDF 1.2 triple terms, and a backend refuses a row holding one.

Values never enter SPARQL by string formatting: callers pass ``bindings`` (variable name
to RDF term). The embedded store pre-binds them (pyoxigraph ``substitutions``); the remote
one appends a ``VALUES`` block written by pyoxigraph's own term serialiser.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QuerySolution,
    RdfFormat,
    Triple,
    parse,
    serialize,
)

from catalogue.errors import CatalogueError, ErrorKind

Term = NamedNode | BlankNode | Literal | Triple
Node = NamedNode | BlankNode | Literal  # what a SELECT row binds (no triple terms)
Bindings = Mapping[str, Term]


class StoreError(CatalogueError, RuntimeError):
    """The store could not do what was asked (unreachable, refused, broken)."""

    error_kind = ErrorKind.UNAVAILABLE
    public_message = False  # may name the store's path or its internal address


class StoreLockedError(StoreError):
    """The embedded store is open in another process (RocksDB allows one)."""


class QuerySyntaxError(StoreError):
    """A query or update does not parse; the message says where."""

    error_kind = ErrorKind.BAD_INPUT
    public_message = True


@dataclass
class Rows:
    """The solutions of a SELECT: variable names and one dict per row (unbound: absent)."""

    variables: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Node]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Node]:
        return [r[name] for r in self.rows if name in r]


def row(names: Iterable[str], solution: QuerySolution) -> dict[str, Node]:
    """One row of :class:`Rows` from a query solution: unbound variables left out.

    :raise StoreError: a value is an RDF 1.2 triple term (no catalogue query makes one).
    """
    out: dict[str, Node] = {}
    for n in names:
        value = solution[n]
        if value is None:
            continue
        if isinstance(value, Triple):
            raise StoreError(f"select(): ?{n} is bound to a triple term, which rows do not hold")
        out[n] = value
    return out


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs on: graphs merged as its default graph, and named graphs.

    ``None`` means the store's own choice (all named graphs visible with GRAPH).
    ``union``: the default graph is the union of every named graph of the store; only for
    an embedded store that holds public graphs alone (the public snapshot of
    catalogue/endpoint/workers.py).
    """

    default_graphs: Sequence[NamedNode] | None = None
    named_graphs: Sequence[NamedNode] | None = None
    union: bool = False
    # the graphs a saved query's ``#+ in-dataset ?g`` patterns may match, tested by the
    # function ``IN_DATASET`` in the query's text (stores with ``scopes_by_function``)
    scope: frozenset[NamedNode] | None = None


ALL = Dataset()
LOAD_BATCH = 50_000  # triples of one graph per write when a backup is loaded (load_quads)


def has_blank(t: Triple | Quad) -> bool:
    """Whether a triple (or quad) holds a blank node."""
    return isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode)


def blank_nodes_last(triples: Iterable[Triple], size: int) -> Iterator[list[Triple]]:
    """``triples`` in batches of ``size``, except those holding a blank node, which all come
    in one last batch: for writers whose every batch is a document of its own (a request, a
    ``bulk_load``), where a blank node's label names one node within one document only, so a
    blank node split over two batches would become two nodes."""
    blank: list[Triple] = []
    plain: list[Triple] = []
    for t in triples:
        if has_blank(t):
            blank.append(t)
            continue
        plain.append(t)
        if len(plain) >= size:
            yield plain
            plain = []
    if plain:
        yield plain
    if blank:
        yield blank


IN_DATASET = "urn:x-catalogue:in-dataset"  # FILTER (<IN_DATASET>(?g)): ?g is in Dataset.scope


class Store(ABC):
    """A SPARQL 1.1 quad store holding the whole catalogue."""

    #: a human-readable name of the backend and where it lives
    description: str = ""
    #: whether it answers ``<IN_DATASET>(?g)`` from ``Dataset.scope`` (else saved queries
    #: list the graphs in their text: ``FILTER (?g IN (...))``)
    scopes_by_function: bool = False
    #: whether :meth:`load_graph` parses outside Python (so it may run in a thread while
    #: Python parses the same document, as an ingest's head start does)
    loads_natively: bool = False

    def loads_natively_as(self, format: RdfFormat) -> bool:
        """Whether :meth:`load_graph` parses documents of ``format`` outside Python."""
        return self.loads_natively

    @abstractmethod
    def select(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> Rows:
        """Run a SELECT; ``bindings`` pre-bind projected variables to RDF terms."""

    @abstractmethod
    def ask(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> bool:
        """Run an ASK."""

    @abstractmethod
    def construct(
        self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL
    ) -> list[Triple]:
        """Run a CONSTRUCT or DESCRIBE."""

    @abstractmethod
    def query_serialized(
        self,
        sparql: str,
        *,
        dataset: Dataset = ALL,
        results_format: str = "application/sparql-results+json",
        graph_format: str = "text/turtle",
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        """Run any read query and return (media type, body) ready to send to a client.

        ``base_iri`` resolves relative IRIs in the query (the protocol suggests the
        endpoint's own URL).

        SELECT/ASK come back in ``results_format``, CONSTRUCT/DESCRIBE in ``graph_format``
        (both media types from :mod:`catalogue.formats`).
        """

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update as one transaction (all of it or none of it).

        Only the catalogue's own code calls this, with text built from its own graph IRIs
        and pyoxigraph-serialised terms.
        """

    @abstractmethod
    def write_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> int:
        """Add triples to ``graph`` in bulk, fast but not atomic: write into a graph nobody
        reads yet, then publish it with one small update. Returns the count."""

    def load_graph(self, graph: NamedNode, data: bytes, format: RdfFormat) -> int | None:
        """Add the triples of one document (a triple format) to ``graph`` in bulk, as
        :meth:`write_graph` does: into a graph nobody reads yet. Its blank nodes are its own.
        Returns how many triples ``graph`` then holds when another parser than this
        process's read the document (a server's: the caller compares it with its own
        reading), else None.

        :raise SyntaxError: the document does not parse (``graph`` may hold part of it).
        """
        self.write_graph(graph, (q.triple for q in parse(data, format=format)))
        return None

    @abstractmethod
    def named_graphs(self) -> list[NamedNode]:
        """All named graphs that hold at least one triple."""

    @abstractmethod
    def close(self) -> None:
        """Release the store (the embedded store's lock)."""

    # Derived operations: the same on both backends.

    def count(self, graph: NamedNode | None = None) -> int:
        """Triples in ``graph``, or quads in all named graphs."""
        if graph is None:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        else:
            rows = self.select(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                {"g": graph},
            )
        return int(rows.rows[0]["n"].value) if rows.rows else 0

    def triples(self, graph: NamedNode) -> list[Triple]:
        """Every triple of one named graph."""
        return self.construct(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph}
        )

    def iter_triples(self, graph: NamedNode) -> Iterator[Triple]:
        """Every triple of one named graph, as a stream where the backend can (dumps)."""
        return iter(self.triples(graph))

    def quads(self, graphs: Sequence[NamedNode] | None = None) -> Iterator[Quad]:
        """Every quad of the given named graphs (default: all), graph by graph."""
        for g in graphs if graphs is not None else self.named_graphs():
            for t in self.triples(g):
                yield Quad(t.subject, t.predicate, t.object, g)

    def dump_quads(self, target: BinaryIO) -> int:
        """Write every named graph's quads to ``target`` as N-Quads, graph by graph (a
        backup); returns the quads written. A remote store is read graph by graph (not one
        snapshot: back up while nothing writes, or accept a write between two graphs); the
        embedded store overrides this with one consistent snapshot."""
        written = 0
        for g in self.named_graphs():
            stream = self.iter_triples(g)
            while chunk := list(itertools.islice(stream, 50_000)):
                target.write(serialize([Quad(t.subject, t.predicate, t.object, g) for t in chunk],
                                       format=RdfFormat.N_QUADS) or b"")
                written += len(chunk)
        return written

    def load_quads(self, source: BinaryIO) -> int:
        """Add the N-Quads of ``source`` (a backup) to their named graphs; returns the quads
        read. Consecutive quads of one graph are written together, in bulk
        (:func:`blank_nodes_last`: a label names one node within one write).

        :raise SyntaxError: the file is not N-Quads (pyoxigraph's error).
        """
        loaded = 0

        def counted(quads: Iterable[Quad]) -> Iterator[Triple]:
            nonlocal loaded
            for q in quads:
                loaded += 1
                yield q.triple

        for graph, quads in itertools.groupby(parse(source, format=RdfFormat.N_QUADS), lambda q: q.graph_name):
            for batch in blank_nodes_last(counted(quads), LOAD_BATCH):
                if isinstance(graph, NamedNode):
                    self.write_graph(graph, batch)
        return loaded

    def drop_graph(self, graph: NamedNode) -> None:
        """Remove a named graph and its triples (one transaction; slow for big graphs)."""
        from catalogue.store.sparql_text import drop_graph_update

        self.update(drop_graph_update(graph))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
