"""The public SPARQL endpoint's rules: read-only, public graphs only, no SERVICE.

pyoxigraph executes ``SERVICE <url>`` by calling out to any host, so a query that uses it
is refused before it runs. Updates are refused (only the query operation exists here).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.store import Dataset, QuerySyntaxError, Store, StoreError

# strings, IRIs and comments: where a keyword is not a keyword
_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
    re.S,
)
_SERVICE = re.compile(r"(?<![?$\w:])SERVICE\b", re.I)
_UPDATE = re.compile(
    r"(?<![?$\w:])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.I
)


_PNAME = r"(?:[A-Za-z][\w.-]*)?:[^\s{}()<>,;]*"
_DECLARATION = re.compile(
    r"(?<![?$\w:])(?:(BASE)\s*(<[^>]*>)|(PREFIX)\s+((?:[A-Za-z][\w.-]*)?):\s*(<[^>]*>)"
    rf"|(FROM)\s+(NAMED\s+)?(<[^>]*>|{_PNAME}))", re.I)


def dataset_clause(text: str, base_iri: str | None = None) -> tuple[list[str], list[str]] | None:
    """The graphs of the query's ``FROM`` and ``FROM NAMED`` clauses (IRIs resolved against
    ``BASE`` or ``base_iri``, prefixed names expanded), or None if it has none.

    The endpoint passes them on as the protocol's dataset, restricted to public graphs, so
    a query's own dataset means the same on every backend and snapshot."""
    # strings and comments out, IRIs kept: a "FROM" in a literal is no clause
    code = _NOISE.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", text)
    base, prefixes = base_iri or "", {}
    default: list[str] = []
    named: list[str] = []
    found = False
    for m in _DECLARATION.finditer(code):
        if m.group(1):
            base = urljoin(base, m.group(2)[1:-1])
        elif m.group(3):
            prefixes[m.group(4)] = urljoin(base, m.group(5)[1:-1])
        else:
            found = True
            term = m.group(8)
            if term.startswith("<"):
                iri = urljoin(base, term[1:-1])
            else:
                prefix, _, local = term.partition(":")
                if prefix not in prefixes:
                    continue  # not declared: the parser will say so
                iri = prefixes[prefix] + local
            (named if m.group(7) else default).append(iri)
    return (default, named) if found else None


class RefusedQuery(CatalogueError, ValueError):
    """The query is valid SPARQL but not allowed on the public endpoint."""

    error_kind = ErrorKind.FORBIDDEN


class TooManyResults(CatalogueError, ValueError):
    """The answer is bigger than the endpoint's declared limit (never silently cut)."""

    error_kind = ErrorKind.REFUSED


class QueryFailed(StoreError):
    """The store could not evaluate a visitor's query; the message says why (it is the
    visitor's to fix, so it is shown)."""

    error_kind = ErrorKind.BAD_INPUT
    public_message = True


def check_query(text: str) -> None:
    """:raise RefusedQuery: the query uses SERVICE or is an update."""
    code = _NOISE.sub(" ", text)
    if _SERVICE.search(code):
        raise RefusedQuery(
            "SERVICE (federated query) is not allowed on this endpoint: it would make the "
            "server call other hosts. Query each endpoint yourself and combine the results."
        )
    if _UPDATE.match(code.strip()) or re.search(r";\s*(INSERT|DELETE)\b", code, re.I):
        raise RefusedQuery("this endpoint is read-only: SPARQL updates are refused")


@dataclass
class Answer:
    media_type: str
    body: bytes


def run_public_query(
    store: Store,
    text: str,
    *,
    dataset: Dataset,
    results_format: str,
    graph_format: str,
    max_results: int | None = None,
    base_iri: str | None = None,
) -> Answer:
    """Run a visitor's query over the public dataset.

    :raise RefusedQuery: SERVICE or update.
    :raise QuerySyntaxError: it does not parse (the message says where).
    :raise QueryFailed: the store could not run it (the message says why).
    :raise TooManyResults: more than ``max_results`` rows or triples.
    """
    check_query(text)
    try:
        media, body = store.query_serialized(
            text, dataset=dataset, results_format=results_format, graph_format=graph_format,
            base_iri=base_iri,
        )
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(f"the query does not parse: {exc}") from None
    except StoreError as exc:
        raise QueryFailed(f"the query could not be run: {exc}") from None
    if max_results is not None and count_results(media, body, max_results + 1) > max_results:
        raise TooManyResults(
            f"the answer has more than {max_results} results, this endpoint's limit (declared "
            "in its service description): page through it with LIMIT and OFFSET, or download "
            "the data (/dump.nq)")
    return Answer(media, body)


def count_results(media: str, body: bytes, stop: int) -> int:
    """Rows or triples in a serialised answer, counting no further than ``stop``."""
    n = 0
    items: Iterable[object]
    if media == "text/csv":  # not parseable back by pyoxigraph (lossy); csv knows its quoting
        items = itertools.islice(csv.reader(io.StringIO(body.decode("utf-8"), newline="")), 1, None)
    elif media == "text/tab-separated-values":  # TSV escapes newlines: one line per row
        items = itertools.islice(body.splitlines(), 1, None)
    elif media in graph_formats():
        items = ox.parse(body, format=graph_formats()[media])
    else:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media))
        if isinstance(parsed, ox.QueryBoolean):
            return 1
        items = parsed
    for _ in items:
        n += 1
        if n >= stop:
            break
    return n


def graph_formats() -> dict[str, ox.RdfFormat]:
    return {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "application/ld+json": ox.RdfFormat.JSON_LD,
    }
