"""What one SPARQL server needs that the protocol does not say: the remote backend's dialects.

=========  ===============================================================================
dialect    how the remote backend talks to it
=========  ===============================================================================
oxigraph   the protocol as written: the query as the POST body, ``VALUES`` after the query,
           the dataset as ``default-graph-uri``/``named-graph-uri``, bulk loads through the
           Graph Store Protocol at ``/store``
virtuoso   form-encoded ``query=``/``update=`` (7.2 never answers a body sent as
           ``application/sparql-query``); ``VALUES`` inside the WHERE group and the dataset as
           ``FROM``/``FROM NAMED`` clauses (it refuses the first after the query and ignores
           ``named-graph-uri`` for ``GRAPH <iri>``); updates sent operation by operation, big
           or blank-node ``INSERT DATA`` through its Graph Store endpoint in bounded chunks;
           whole graphs read in pages under its ``ResultSetMaxRows``; its system graphs left
           out of lists and counts; HTTP digest authentication
generic    form-encoded requests, ``VALUES`` inside the WHERE group, the dataset as protocol
           parameters: the safest reading of the protocol for an unknown server
=========  ===============================================================================

The dialect is read from the server's ``Server`` header at the first request unless
``CATALOGUE_SPARQL_DIALECT`` names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pyoxigraph import NamedNode

from catalogue.store.base import Bindings, Dataset
from catalogue.store.sparql_lexer import SparqlShapeError, check_parses, query_shape
from catalogue.store.sparql_text import values_block

NO_GRAPH = NamedNode("urn:x-catalogue:no-graph")  # names no graph: how an empty dataset is asked for


class Dialect(StrEnum):
    OXIGRAPH = "oxigraph"
    VIRTUOSO = "virtuoso"
    GENERIC = "generic"


def detect(server_header: str) -> Dialect:
    """The dialect a ``Server`` response header names (``Virtuoso/07.20.3229 (Linux)...``)."""
    name = server_header.strip().lower()
    if name.startswith("virtuoso"):
        return Dialect.VIRTUOSO
    if name.startswith("oxigraph"):
        return Dialect.OXIGRAPH
    return Dialect.GENERIC


# Graphs a Virtuoso server holds for itself (its RDF views, LDP, the SPARQL service
# description): never the catalogue's, so never listed, counted, dumped or dropped.
VIRTUOSO_SYSTEM_PREFIXES = (
    "http://www.openlinksw.com/",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/",
    "urn:activitystreams-owl:",
    "urn:core:services:",
    "virtrdf:",
)


def is_system_graph(dialect: Dialect, graph: NamedNode) -> bool:
    if dialect is not Dialect.VIRTUOSO:
        return False
    g = graph.value
    return g.startswith(VIRTUOSO_SYSTEM_PREFIXES) or (g.startswith("http://localhost:") and g.endswith("/sparql"))


def dataset_clauses(dataset: Dataset) -> str:
    """``FROM``/``FROM NAMED`` clauses for ``dataset``: both kinds always written, so a
    server that shows every named graph when only ``FROM`` is given (Virtuoso) shows none
    but those listed.

    :raise SparqlShapeError: a union default graph, which no remote server offers here.
    """
    if dataset.union:
        raise SparqlShapeError("a union default graph is only offered by a public snapshot")
    if dataset.default_graphs is None and dataset.named_graphs is None:
        return ""
    lines: list[str] = []
    if dataset.default_graphs is not None:
        lines += [f"FROM {g}" for g in _or_none(dataset.default_graphs)]
        lines += [f"FROM NAMED {g}" for g in _or_none(dataset.named_graphs or [])]
    else:
        lines += [f"FROM NAMED {g}" for g in _or_none(dataset.named_graphs or [])]
    return "\n".join(lines)


def _or_none(graphs: Sequence[NamedNode]) -> Sequence[NamedNode]:
    return graphs if graphs else [NO_GRAPH]


def place(sparql: str, bindings: Bindings | None, dataset: Dataset | None) -> str:
    """``sparql`` with its ``bindings`` as a ``VALUES`` block just inside the WHERE group and,
    if ``dataset`` is given, the dataset as ``FROM``/``FROM NAMED`` clauses before it; the
    result is checked by pyoxigraph's parser.

    A query the placement cannot serve keeps the standard trailing ``VALUES`` (a
    ``DESCRIBE <iri>`` without a group binds nothing anyway).

    :raise SparqlShapeError: the query names its own dataset (``FROM``) and another is asked
        for, or a rewrite does not parse.
    """
    shape = query_shape(sparql)
    clauses = dataset_clauses(dataset) if dataset is not None else ""
    if clauses and shape.has_dataset:
        raise SparqlShapeError("the query names its own dataset with FROM; a second one cannot be added")
    values = values_block(bindings) if bindings else ""
    out = sparql
    trailing = ""
    if values:
        if shape.where_open is None:
            trailing = "\n" + values
        else:
            out = out[:shape.where_open] + "\n" + values + "\n" + out[shape.where_open:]
    if clauses:
        at = shape.dataset_at
        out = out[:at] + "\n" + clauses + "\n" + out[at:]
    out += trailing
    if out is not sparql:
        # checked once per shape of text: the values and graphs differ between calls, so
        # the check runs on the text with the bindings' and dataset's places marked alike
        check_parses(_skeleton(sparql, shape.where_open, shape.dataset_at, bool(values),
                               tuple(bindings or ()), bool(clauses)))
    return out


def _skeleton(sparql: str, where_open: int | None, dataset_at: int, values: bool,
              names: tuple[str, ...], clauses: bool) -> str:
    out = sparql
    if values and names:
        block = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join("<urn:x>" for _ in names) + ") }"
        if where_open is None:
            out = out + "\n" + block
        else:
            out = out[:where_open] + "\n" + block + "\n" + out[where_open:]
    if clauses:
        out = out[:dataset_at] + "\nFROM <urn:x> FROM NAMED <urn:x>\n" + out[dataset_at:]
    return out
