"""Pages: home, and a minimal view of any resource in the public graphs."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request

bp = Blueprint("views", __name__)

RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _catalogue():
    return current_app.extensions["catalogue"]


@bp.route("/")
def home():
    return render_template("home.html", stats=_catalogue().stats())


@bp.route("/resource")
def resource():
    uri = request.args.get("uri", "")
    try:
        node = ox.NamedNode(uri)
    except ValueError:
        abort(400, "the uri parameter must be an absolute IRI")
    triples = _catalogue().query("resource_description", resource=node)
    if not triples:
        abort(404, "nothing in the catalogue describes this resource")
    best = request.accept_mimetypes.best_match(["text/html", *RDF_TYPES], default="text/html")
    if best in RDF_TYPES:
        return Response(ox.serialize(triples, format=RDF_TYPES[best]),
                        content_type=f"{best}; charset=utf-8", headers={"Vary": "Accept"})
    rows = sorted(((t.predicate.value, t.object) for t in triples), key=lambda r: r[0])
    return render_template("resource.html", uri=uri, rows=rows)
