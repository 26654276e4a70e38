"""A CONSTRUCT answered through a SELECT, for a server whose CONSTRUCT cannot be trusted.

Virtuoso 7.2's CONSTRUCT stops writing triples without a word once its serialiser meets some
mixes of literal types (a graph of 20 triples with decimals, dates, strings and language
tags gave 6, in every RDF format it offers), while a SELECT of the same pattern gives every
row. So the remote backend asks such a server for the solutions of the WHERE clause alone and
builds the triples here, as the SPARQL 1.1 definition of CONSTRUCT says (16.2): the template
instantiated once per solution, blank nodes fresh per solution, a triple with an unbound
variable or an ill-formed term left out, duplicates once.

The template is read by rdflib's SPARQL parser (the grammar's own, not a pattern), the WHERE
clause located by catalogue/store/sparql_lexer.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from catalogue.store.sparql_lexer import SparqlShapeError, check_parses, skip_group, tokens

Slot = ox.NamedNode | ox.Literal | ox.BlankNode | str  # str: a variable's name


@dataclass(frozen=True)
class ConstructPlan:
    """The SELECT to send, and the template to fill with each of its solutions."""

    select: str
    template: tuple[tuple[Slot, Slot, Slot], ...]


@lru_cache(maxsize=512)
def plan(sparql: str) -> ConstructPlan:
    """The plan of a ``CONSTRUCT { template } WHERE { ... }`` query (or ``CONSTRUCT WHERE``).

    :raise SparqlShapeError: not a CONSTRUCT, or its template does not parse.
    """
    toks = tokens(sparql)
    at = next((i for i, t in enumerate(toks) if t.keyword == "CONSTRUCT"), None)
    if at is None:
        raise SparqlShapeError("not a CONSTRUCT query")
    prologue = sparql[:toks[at].start]
    if at + 1 < len(toks) and toks[at + 1].text == "{":
        close = skip_group(toks, at + 1) - 1
        template_text = sparql[toks[at + 1].start:toks[close].end]
        rest = sparql[toks[close].end:]
    else:  # CONSTRUCT WHERE { triple patterns }: the pattern is the template
        where = next((j for j in range(at + 1, len(toks)) if toks[j].text == "{"), None)
        if where is None:
            raise SparqlShapeError("CONSTRUCT WHERE without a group")
        close = skip_group(toks, where) - 1
        template_text = sparql[toks[where].start:toks[close].end]
        rest = sparql[toks[at].end:]
    template = _template(prologue, template_text)
    names = sorted({s for triple in template for s in triple if isinstance(s, str)})
    head = "SELECT " + (" ".join(f"?{n}" for n in names) if names else "*")
    select = f"{prologue}{head} {rest}"
    check_parses(select)
    return ConstructPlan(select, template)


def _template(prologue: str, group: str) -> tuple[tuple[Slot, Slot, Slot], ...]:
    import rdflib
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        query = translateQuery(parseQuery(f"{prologue}CONSTRUCT {group} WHERE {{ }}"))
    except Exception as exc:  # noqa: BLE001 - pyparsing's errors have no common base here
        raise SparqlShapeError(f"the CONSTRUCT template does not parse: {exc}") from None
    out: list[tuple[Slot, Slot, Slot]] = []
    for triple in query.algebra.get("template") or ():
        slots: list[Slot] = []
        for term in triple:
            if isinstance(term, rdflib.Variable):
                slots.append(str(term))
            elif isinstance(term, rdflib.URIRef):
                slots.append(ox.NamedNode(str(term)))
            elif isinstance(term, rdflib.BNode):
                slots.append(ox.BlankNode(str(term)))
            elif isinstance(term, rdflib.Literal):
                if term.language:
                    slots.append(ox.Literal(str(term), language=term.language))
                elif term.datatype:
                    slots.append(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))))
                else:
                    slots.append(ox.Literal(str(term)))
            else:
                raise SparqlShapeError(f"a template term of an unknown kind: {term!r}")
        out.append((slots[0], slots[1], slots[2]))
    return tuple(out)


def instantiate(template: tuple[tuple[Slot, Slot, Slot], ...],
                solutions: Iterable[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]) -> list[ox.Triple]:
    """The template filled with each solution (SPARQL 1.1, 16.2)."""
    out: dict[ox.Triple, None] = {}
    for solution in solutions:
        fresh: dict[ox.BlankNode, ox.BlankNode] = {}
        for s, p, o in template:
            subject = _fill(s, solution, fresh)
            predicate = _fill(p, solution, fresh)
            obj = _fill(o, solution, fresh)
            if subject is None or predicate is None or obj is None:
                continue
            if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                continue
            out[ox.Triple(subject, predicate, obj)] = None
    return list(out)


def _fill(slot: Slot, solution: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal],
          fresh: dict[ox.BlankNode, ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    if isinstance(slot, str):
        return solution.get(slot)
    if isinstance(slot, ox.BlankNode):
        return fresh.setdefault(slot, ox.BlankNode())
    return slot
