"""``/queries``: the public saved queries (``sparql/*.rq``) as forms, pages and downloads.

``/queries/NAME`` answers HTML or, by ``Accept`` (with ``Vary: Accept``), the query's
machine formats; ``/queries/NAME.EXT`` names the format outright. SELECT/ASK queries speak
``.json .xml .csv .tsv`` (SPARQL 1.1 results), CONSTRUCT queries ``.ttl .nt .jsonld .rdf``.
Parameters come from the query string and are bound as RDF terms by :mod:`catalogue.queries`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, url_for

from catalogue import queries
from catalogue.formats import RDF_FORMATS, RESULT_FORMATS, Format
from catalogue.queries import ParameterError, SavedQuery

from .context import root
from .errors import status_of
from .i18n import label_languages
from .linked_data import href
from .negotiate import choose

bp = Blueprint("saved_queries", __name__)

RESULTS = {f.name: f for f in RESULT_FORMATS}
GRAPHS = {f.name: f for f in RDF_FORMATS if f.name in ("ttl", "nt", "jsonld", "rdf")}
INPUT_TYPES = {"date": "date", "integer": "number"}


def formats_for(q: SavedQuery) -> dict[str, Format]:
    """The download formats of a query, by suffix: RDF for CONSTRUCT/DESCRIBE, else results."""
    return GRAPHS if q.form in ("CONSTRUCT", "DESCRIBE") else RESULTS


@bp.context_processor
def _helpers() -> dict:
    def link(term: object) -> str | None:
        """The page of an http(s) IRI; None for anything else (javascript:, mailto:, literals)."""
        return href(term.value) if isinstance(term, ox.NamedNode) else None

    def kind(term: object) -> str:
        return type(term).__name__

    return {"term_link": link, "term_kind": kind, "input_types": INPUT_TYPES}


@bp.route("/queries")
def listing():
    return render_template("queries.html", queries=queries.public_queries(),
                           formats={q.name: formats_for(q) for q in queries.public_queries()})


@bp.route("/queries/<name>")
def run(name: str):
    """Run a public saved query with the query string's parameters.

    :raise UnknownQuery: unknown or private query (404).
    :raise 404: a suffix this query does not speak.
    :raise 400: a parameter is missing, unknown or malformed (the message names it).
    :raise 406: nothing in ``Accept`` is offered (the message lists what is).
    """
    name, _, suffix = name.partition(".")  # query names are file stems without dots
    q = queries.get_public(name)
    formats = formats_for(q)
    negotiated = not suffix
    if suffix:
        fmt = formats.get(suffix.lower())
        if fmt is None:
            abort(404, f"the query {q.name!r} has no format {suffix!r}; "
                       f"use one of: {', '.join('.' + s for s in formats)}")
    else:
        offered = ["text/html", *(f.media_type for f in formats.values())]
        best = choose(request.headers.get("Accept"), offered)
        if best is None:
            abort(406, f"this page is offered as: {', '.join(offered)}")
        fmt = next((f for f in formats.values() if f.media_type == best), None)

    values = request.args.to_dict()
    catalogue = root()
    headers = {"Vary": "Accept"} if negotiated else {}
    # the query string is copied as is: url_for(**values) would let a value named like
    # one of its own arguments (name, _external...) change the link
    qs = "?" + urlencode(values) if values else ""
    alternates = [(f, url_for(".run", name=f"{q.name}.{s}") + qs) for s, f in formats.items()]
    headers["Link"] = ", ".join(f'<{url}>; rel="alternate"; type="{f.media_type}"'
                                for f, url in alternates)
    try:
        if fmt is not None:
            media, body = queries.run_serialized(
                catalogue.store, q, values, dataset=catalogue.public_dataset(),
                results_format=fmt.media_type, graph_format=fmt.media_type)
            return Response(body, content_type=f"{media}; charset=utf-8", headers=headers)
        result = queries.run_query(catalogue.store, q, values, dataset=catalogue.public_dataset())
    except ParameterError as exc:
        if fmt is not None:  # a download: the error alone
            raise
        # the query's page, its form saying which parameter is wrong
        return render_template("query.html", q=q, values=values, alternates=alternates,
                               error=str(exc), error_param=exc.param), status_of(exc), headers
    return render_template("query.html", q=q, values=values, alternates=alternates,
                           result=result, names=_names(catalogue, result)), headers


NAMED_AT_MOST = 2000  # IRIs named per page: a bigger result shows the rest as they are


def _names(catalogue, result) -> dict[str, str]:
    """The names of the IRIs a result shows (a table of people, not of IRIs: the IRI stays
    the link and its title)."""
    if result is True or result is False:
        return {}
    if hasattr(result, "variables"):
        terms = (t for row in result.rows for t in row.values())
    else:
        terms = (t for triple in result for t in (triple.subject, triple.predicate, triple.object))
    iris: list[str] = []
    for t in terms:
        if isinstance(t, ox.NamedNode):
            iris.append(t.value)
            if len(iris) >= NAMED_AT_MOST:
                break
    return catalogue.reader.names(iris, label_languages()) if iris else {}
