"""The public SPARQL endpoint's rules: read-only, public graphs only, no SERVICE.

pyoxigraph executes ``SERVICE <url>`` by calling out to any host, so a query that uses it
is refused before it runs. Updates are refused (only the query operation exists here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from .store import Dataset, Store

_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
    re.S,
)
_SERVICE = re.compile(r"(?<![?$\w:])SERVICE\b", re.I)
_UPDATE = re.compile(
    r"(?<![?$\w:])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.I
)


class RefusedQuery(ValueError):
    """The query is valid SPARQL but not allowed on the public endpoint."""


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
) -> Answer:
    """Run a visitor's query over the public dataset.

    :raise RefusedQuery: SERVICE or update.
    :raise QuerySyntaxError: it does not parse (the message says where).
    """
    check_query(text)
    media, body = store.query_serialized(
        text, dataset=dataset, results_format=results_format, graph_format=graph_format
    )
    return Answer(media, body)


def graph_formats() -> dict[str, ox.RdfFormat]:
    return {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "application/ld+json": ox.RdfFormat.JSON_LD,
    }
