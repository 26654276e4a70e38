"""The few places where SPARQL text is assembled, always from pyoxigraph-serialised terms.

``str(term)`` on a pyoxigraph term is its N-Triples form, with every character escaped as
the grammar requires, so a value can never close the term and inject syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from catalogue.formats import serialize
from catalogue.store.base import Bindings


def values_clause(bindings: Bindings) -> str:
    """A trailing ``VALUES (?a ?b) { (t1 t2) }`` block for the remote backend."""
    return "\n" + values_block(bindings) if bindings else ""


def values_block(bindings: Bindings) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` from pyoxigraph-serialised terms.

    :raise ValueError: a name is not a variable name, or a value is a blank node.
    """
    names = list(bindings)
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        if isinstance(bindings[name], BlankNode):
            raise ValueError(f"cannot bind ?{name} to a blank node")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(str(bindings[n]) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def values_list(name: str, terms: Sequence[NamedNode]) -> str:
    """``VALUES ?name { t1 t2 ... }``: one variable, one row per term (IRIs only)."""
    if not name.isidentifier():
        raise ValueError(f"not a SPARQL variable name: {name!r}")
    if not all(isinstance(t, NamedNode) for t in terms):
        raise ValueError(f"?{name} takes IRIs only")
    return f"VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }}"


def values_terms(name: str, terms: Sequence[NamedNode | Literal]) -> str:
    """``VALUES ?name { t1 t2 ... }``: one variable, one row per term (IRIs or literals)."""
    if not name.isidentifier():
        raise ValueError(f"not a SPARQL variable name: {name!r}")
    return f"VALUES ?{name} {{ {' '.join(term(t) for t in terms)} }}"


def term(value: NamedNode | Literal) -> str:
    """One IRI or literal in its N-Triples form, where SPARQL takes a constant."""
    if not isinstance(value, NamedNode | Literal):
        raise ValueError(f"not an IRI or a literal: {value!r}")
    return str(value)


def ntriples(triples: Sequence[Triple]) -> str:
    return serialize(triples, RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""


def drop_graph_update(graph: NamedNode) -> str:
    return f"DROP SILENT GRAPH {graph}"
