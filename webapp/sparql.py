"""``/sparql``: the SPARQL 1.1 Protocol query operation over the public graphs."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from catalogue.public_sparql import RefusedQuery, run_public_query
from catalogue.store import QuerySyntaxError

bp = Blueprint("sparql", __name__)

RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]
EXAMPLE = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?solution ?title WHERE {
  ?solution a dcat:Dataset ; dct:title ?title .
  FILTER NOT EXISTS { ?solution dct:isVersionOf ?parent }
  FILTER (lang(?title) = "en")
} LIMIT 20"""


def _query_text() -> str | None:
    if request.method == "GET":
        return request.args.get("query")
    ctype = (request.mimetype or "").lower()
    if ctype == "application/sparql-query":
        return request.get_data(as_text=True)
    if ctype == "application/x-www-form-urlencoded":
        if "update" in request.form:
            abort(403, "this endpoint is read-only: SPARQL updates are refused")
        return request.form.get("query")
    abort(415, "send the query as application/sparql-query or an "
               "application/x-www-form-urlencoded form with a 'query' field")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    text = _query_text()
    accept = request.accept_mimetypes
    if text is None:
        return render_template("sparql.html", example=EXAMPLE)
    # a browser asks for text/html by name; */* (curl, libraries) gets SPARQL results
    html = accept.best_match([*RESULT_TYPES, *GRAPH_TYPES, "text/html"]) == "text/html"
    results_type = accept.best_match(RESULT_TYPES, default=RESULT_TYPES[0])
    graph_type = accept.best_match(GRAPH_TYPES, default=GRAPH_TYPES[0])
    if html:
        results_type, graph_type = "text/csv", "text/turtle"
    catalogue = current_app.extensions["catalogue"]
    try:
        answer = run_public_query(
            catalogue.store, text, dataset=catalogue.public_dataset(),
            results_format=results_type, graph_format=graph_type,
        )
    except RefusedQuery as exc:
        abort(403, str(exc))
    except QuerySyntaxError as exc:
        abort(400, f"the query does not parse: {exc}")
    if html:
        return render_template("sparql.html", example=text, media_type=answer.media_type,
                               result=answer.body.decode("utf-8", "replace"))
    return Response(answer.body, content_type=f"{answer.media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})
