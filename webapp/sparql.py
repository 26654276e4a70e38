"""``/sparql``: the SPARQL 1.1 Protocol query operation over the public graphs.

GET, POST form and POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri``; results as JSON, XML, CSV, TSV; graphs as Turtle, N-Triples, RDF/XML,
JSON-LD. Queries run in killable worker processes (time limit → 503), the answer size is
capped (→ 422 with the reason, never a silent cut), updates and SERVICE are refused (403).
Errors are JSON (``webapp/errors.py``), unless a browser asks.
``GET /sparql`` without a query serves the query editor to browsers and a SPARQL Service
Description to RDF clients.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, url_for

from catalogue import queries
from catalogue.endpoint import graph_formats

from .context import root
from .negotiate import choose
from .security import content_security_policy

bp = Blueprint("sparql", __name__)

RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]
ALIASES = {"application/json": "application/sparql-results+json",
           "application/xml": "application/sparql-results+xml", "text/xml": "application/sparql-results+xml"}
FORMAT_IRIS = {  # https://www.w3.org/ns/formats/
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON-LD",
}
# the editor's examples: sparql/examples/*.rq, shown without their header lines
EXAMPLES = {q.title: q.body for q in queries.examples()}
EXAMPLE = next(iter(EXAMPLES.values()))
# YASR's column resizer (in yasgui.min.js) adds two <style> elements of its own: its grip
# rules, and "*{cursor:col-resize!important}" while a column is dragged. The editor's page
# allows exactly these two texts by their hashes (a test recomputes them from the vendored
# file), no other inline style, and no inline script, like every page.
YASR_STYLE_HASHES = ("sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
                     "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=")
EDITOR_CSP = content_security_policy(style_hashes=YASR_STYLE_HASHES)


def _query_text() -> str | None:
    if request.method == "GET":
        if "update" in request.args:
            abort(403, "this endpoint is read-only: SPARQL updates are refused")
        return _one_query(request.args.getlist("query"))
    ctype = (request.mimetype or "").lower()
    if ctype == "application/sparql-query":
        return request.get_data(as_text=True)
    if ctype == "application/sparql-update":
        abort(403, "this endpoint is read-only: SPARQL updates are refused")
    if ctype == "application/x-www-form-urlencoded":
        if "update" in request.form:
            abort(403, "this endpoint is read-only: SPARQL updates are refused")
        return _one_query(request.form.getlist("query") + request.args.getlist("query"))
    abort(415, "send the query as application/sparql-query or an "
               "application/x-www-form-urlencoded form with a 'query' field")


def _one_query(values: list[str]) -> str | None:
    if len(values) > 1:
        abort(400, f"send exactly one query parameter, not {len(values)}")
    return values[0] if values else None


def _base_iri() -> str | None:
    """The endpoint's own URL, the base for relative IRIs in queries (if it is a valid IRI)."""
    url = url_for("sparql.endpoint", _external=True)
    try:
        ox.NamedNode(url)
    except ValueError:
        return None
    return url


def _graph_params(name: str) -> list[str]:
    values = request.args.getlist(name) + (request.form.getlist(name) if request.method == "POST" else [])
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError:
            abort(400, f"{name} must be an absolute IRI, got {v!r}")
    return values


def _accept() -> str:
    header = request.headers.get("Accept") or "*/*"
    for alias, media in ALIASES.items():  # clients that ask for plain JSON/XML mean results
        header = header.replace(alias, media)
    return header


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    text = _query_text()
    if text is None:
        wanted = choose(request.headers.get("Accept"), ["text/html", *GRAPH_TYPES])
        if wanted in GRAPH_TYPES:
            return _service_description(wanted)
        return _editor(render_template("sparql.html", example=EXAMPLE, examples=EXAMPLES))
    accept = _accept()
    # a browser names text/html; curl and libraries (*/*) get SPARQL results
    html = choose(accept, [*RESULT_TYPES, *GRAPH_TYPES, "text/html"]) == "text/html" and \
        "text/html" in accept
    results_type = choose(accept, RESULT_TYPES)
    graph_type = choose(accept, GRAPH_TYPES)
    if html:
        results_type, graph_type = "text/csv", "text/turtle"
    if results_type is None and graph_type is None:
        abort(406, "none of the offered formats is acceptable; results come as "
                   + ", ".join(RESULT_TYPES) + "; graphs as " + ", ".join(GRAPH_TYPES))
    catalogue = root()
    # refused (403), does not parse or cannot be run (400), too many results (422),
    # too slow or no worker free (503): the errors say so, webapp/errors.py answers
    answer = catalogue.endpoint.query(
        text, results_format=results_type or RESULT_TYPES[0], graph_format=graph_type or GRAPH_TYPES[0],
        default_graph_uris=_graph_params("default-graph-uri"),
        named_graph_uris=_graph_params("named-graph-uri"),
        base_iri=_base_iri(),
    )
    # a SELECT answer when only graph types were acceptable (or the reverse): 406
    if (answer.media_type in RESULT_TYPES and results_type is None) or \
            (answer.media_type in GRAPH_TYPES and graph_type is None):
        abort(406, f"this query's answer comes as {', '.join(RESULT_TYPES if results_type is None else GRAPH_TYPES)}; "
                   "none of them is acceptable")
    if html:
        return _editor(render_template("sparql.html", example=text, examples=EXAMPLES,
                                       media_type=answer.media_type,
                                       result=answer.body.decode("utf-8", "replace")))
    response = Response(answer.body, content_type=f"{answer.media_type}; charset=utf-8",
                        headers={"Vary": "Accept"})
    if request.method == "GET":
        response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _editor(page: str) -> Response:
    """The editor's page, with the policy that lets YASGUI style its result table."""
    return Response(page, content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": EDITOR_CSP})


def _service_description(media: str) -> Response:
    """SPARQL 1.1 Service Description of this endpoint (what it supports and its limits)."""
    settings = root().settings
    sd, cat = "http://www.w3.org/ns/sparql-service-description#", "https://catalogue.example.org/def/catalogue#"
    me = ox.NamedNode(url_for("sparql.endpoint", _external=True))
    service = ox.BlankNode()
    t = [ox.Triple(service, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(sd + "Service")),
         ox.Triple(service, ox.NamedNode(sd + "endpoint"), me),
         ox.Triple(service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
         ox.Triple(service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
         ox.Triple(service, ox.NamedNode(cat + "queryTimeLimitSeconds"), ox.Literal(str(settings.sparql_timeout), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
         ox.Triple(service, ox.NamedNode(cat + "maxResults"), ox.Literal(str(settings.sparql_max_results), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]
    for name in FORMAT_IRIS.values():
        t.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"),
                           ox.NamedNode("http://www.w3.org/ns/formats/" + name)))
    body = ox.serialize(t, format=graph_formats()[media])
    return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})
