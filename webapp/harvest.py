"""For harvesters and re-users: dumps, the paged DCAT catalogue, VoID and the sitemap.

=============================  =====================================================
path                           what
=============================  =====================================================
``/dump.nq``, ``/dump.trig``   every public graph, streamed (attachment)
``/catalog[.ttl|.jsonld|..]``  ``dcat:Catalog``, one page of solutions, Hydra paging
``/.well-known/void``          VoID: endpoint, dumps, counts, one subset per graph
``/sitemap.xml``               home and every collection's and solution's page
=============================  =====================================================

Absolute URLs (page links, dumps, endpoint, sitemap) are built on the request's root URL
(``request.url_root``), so they point where the client reached us; IRIs that name things
(``{CATALOGUE_BASE_URI}catalog``) come from the settings.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request, stream_with_context

from catalogue import feeds as harvest
from catalogue.formats import rdf_format

from .context import root
from .negotiate import choose
from .response_cache import share

bp = Blueprint("harvest", __name__)

NEGOTIATED = ("ttl", "jsonld", "rdf", "nt")  # first is the default
MEDIA = {rdf_format(n).media_type: n for n in NEGOTIATED}


def _catalogue():
    return root()


def _negotiate(ext: str | None) -> str:
    """The format named by the suffix, else by ``Accept`` (Turtle when there is none).

    :raise 406: ``Accept`` names nothing we serve; the message says what we do.
    """
    if ext:
        return ext
    best = choose(request.headers.get("Accept"), list(MEDIA))
    if best is None:
        abort(406, "this resource is available as " + ", ".join(MEDIA))
    return MEDIA[best]


def _validators(media: str) -> tuple[str, object]:
    """(ETag, Last-Modified) of this URL in this format at the current data version."""
    version = _catalogue().data_version()
    etag = hashlib.sha256(f"{version.token} {request.full_path} {media}".encode()).hexdigest()[:32]
    return etag, version.modified


def _unchanged(etag: str, modified) -> Response | None:
    """A 304 before any work, when the client's copy is current."""
    fresh = request.if_none_match.contains(etag) if request.if_none_match else (
        modified is not None and request.if_modified_since is not None
        and modified.replace(microsecond=0) <= request.if_modified_since)
    if not fresh:
        return None
    response = Response(status=304)
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified
    return response


def _with_validators(response: Response, etag: str, modified) -> Response:
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified
    return response


def _rdf(triples: list[ox.Triple], name: str, *, negotiated: bool, links: dict[str, str] | None = None
         ) -> Response:
    f = rdf_format(name)
    body = ox.serialize(triples, format=f.rdf,
                        prefixes=harvest.PREFIXES if name in ("ttl", "rdf") else None)
    resp = Response(body, content_type=f"{f.media_type}; charset=utf-8")
    if negotiated:
        resp.headers["Vary"] = "Accept"
    if links:
        resp.headers["Link"] = ", ".join(f'<{url}>; rel="{"prev" if rel == "previous" else rel}"'
                                         for rel, url in links.items())
    return resp


@bp.route("/dump.<any(nq, trig):ext>")
def dump(ext: str):
    """Every public graph (never quarantine or drafts), streamed graph by graph."""
    f = rdf_format(ext)
    etag, modified = _validators(f.media_type)
    unchanged = _unchanged(etag, modified)
    if unchanged is not None:
        return unchanged
    return _with_validators(
        Response(stream_with_context(_catalogue().feeds.export(ext)), content_type=f.media_type,
                 headers={"Content-Disposition": f"attachment; filename=catalogue-dump.{ext}"}),
        etag, modified)


@bp.route("/catalog", defaults={"ext": None})
@bp.route("/catalog.<any(ttl, jsonld, rdf, nt):ext>")
def catalog(ext: str | None):
    """The ``dcat:Catalog`` with one page of solutions (``page``, ``page_size``,
    ``modified_since``).

    :raise HarvestParamError: a malformed parameter (400).
    :raise PageNotFoundError: a page beyond the last (404).
    :raise 406: no acceptable format (``/catalog`` only).
    """
    name = _negotiate(ext)
    etag, modified = _validators(name)
    unchanged = _unchanged(etag, modified)
    if unchanged is not None:
        if ext is None:
            unchanged.headers["Vary"] = "Accept"
        return unchanged
    paging = harvest.parse_paging(request.args)
    page = _catalogue().feeds.catalog_page(paging, site=request.url_root, here=request.base_url)
    share(request.environ)  # the same for every anonymous reader: see response_cache.py
    return _with_validators(_rdf(page.triples, name, negotiated=ext is None, links=page.links),
                            etag, modified)


@bp.route("/.well-known/void")
def void():
    """The VoID description of the public dataset (Turtle unless ``Accept`` asks otherwise)."""
    share(request.environ)
    return _rdf(_catalogue().feeds.void(request.url_root), _negotiate(None), negotiated=True)


@bp.route("/sitemap.xml")
def sitemap():
    """A sitemaps.org urlset, or an index of ``/sitemap-N.xml`` files beyond 50,000 URLs."""
    entries = _catalogue().feeds.sitemap_entries(request.url_root)
    parts = harvest.sitemap_parts(len(entries))
    if parts == 1:
        body = harvest.urlset(entries)
    else:
        body = harvest.sitemap_index(f"{request.url_root}sitemap-{n}.xml" for n in range(1, parts + 1))
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.route("/sitemap-<int:part>.xml")
def sitemap_part(part: int):
    """One file of a sitemap split by the index. :raise 404, PageNotFoundError: no such part."""
    entries = _catalogue().feeds.sitemap_entries(request.url_root)
    if harvest.sitemap_parts(len(entries)) == 1:
        abort(404, "the sitemap fits in one file: /sitemap.xml")
    return Response(harvest.urlset(harvest.sitemap_part(entries, part)),
                    content_type="application/xml; charset=utf-8")
