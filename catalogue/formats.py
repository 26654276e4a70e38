"""The one format table: file extension ↔ media type ↔ pyoxigraph format.

Used by ingest (guessing a dump's format), downloads and content negotiation alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph
from pyoxigraph import Quad, QueryResultsFormat, RdfFormat, Triple

from catalogue.errors import CatalogueError, ErrorKind


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extensions: tuple[str, ...]
    rdf: RdfFormat | None = None
    results: QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name.upper())

    @property
    def extension(self) -> str:
        return self.extensions[0]

    @property
    def quads(self) -> bool:
        return self.name in ("nq", "trig")


LABELS = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG", "rdf": "RDF/XML",
          "jsonld": "JSON-LD"}

RDF_FORMATS: tuple[Format, ...] = (
    Format("ttl", "text/turtle", ("ttl",), RdfFormat.TURTLE, aliases=("turtle", "application/x-turtle")),
    Format("nt", "application/n-triples", ("nt",), RdfFormat.N_TRIPLES, aliases=("ntriples", "n-triples")),
    Format("nq", "application/n-quads", ("nq",), RdfFormat.N_QUADS, aliases=("nquads", "n-quads")),
    Format("trig", "application/trig", ("trig",), RdfFormat.TRIG),
    Format(
        "rdf", "application/rdf+xml", ("rdf", "xml", "owl"), RdfFormat.RDF_XML,
        aliases=("rdfxml", "rdf/xml", "xml", "text/xml", "application/xml"),
    ),
    Format("jsonld", "application/ld+json", ("jsonld", "json"), RdfFormat.JSON_LD,
           aliases=("json-ld", "application/json")),
)

RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("srj", "json"), results=QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", ("srx", "xml"), results=QueryResultsFormat.XML),
    Format("csv", "text/csv", ("csv",), results=QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", ("tsv",), results=QueryResultsFormat.TSV),
)


class UnknownFormatError(CatalogueError, ValueError):
    """No RDF format matches the name, extension or media type given."""

    error_kind = ErrorKind.UNSUPPORTED


def rdf_format(name: str) -> Format:
    """The RDF format named by a short name, extension, alias or media type (parameters ignored).

    >>> rdf_format("text/turtle; charset=utf-8").name
    'ttl'

    :raise UnknownFormatError: nothing matches; the message lists what would.
    """
    key = name.split(";")[0].strip().lower().lstrip(".")
    for f in RDF_FORMATS:
        if key in (f.name, f.media_type, *f.extensions, *f.aliases):
            return f
    known = ", ".join(f"{f.name} ({f.media_type})" for f in RDF_FORMATS)
    raise UnknownFormatError(f"unknown RDF format {name!r}; use one of: {known}")


def rdf_format_for_path(path: str) -> Format | None:
    """The format a file name's extension names (``.gz`` is looked through), or None."""
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    for f in RDF_FORMATS:
        if ext in f.extensions:
            return f
    return None


def serialize(
    data: Iterable[Triple] | Iterable[Quad], fmt: RdfFormat, *, prefixes: dict[str, str] | None = None
) -> bytes:
    """``data`` written in ``fmt``, in memory (:func:`pyoxigraph.serialize`, typed as giving
    ``bytes | None``: None only when it writes to a file, which this never asks)."""
    body = pyoxigraph.serialize(data, format=fmt, prefixes=prefixes)
    assert body is not None
    return body
