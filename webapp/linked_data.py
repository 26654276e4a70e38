"""Dereferencing: every resource in the public graphs, as HTML or RDF, by content negotiation.

* any resource: ``/resource?uri=IRI``;
* an EIRA building block ``http://data.europa.eu/dr8/NAME``: ``/dr8/NAME``;
* a PURI the catalogue minted (``{CATALOGUE_BASE_URI}PATH``): ``/PATH``.

Each also answers with a suffix that fixes the format (``.ttl .nt .rdf .jsonld .html``).
Cool-URIs choice: **200 with Content-Location** (never 303): the negotiated response names
the format-specific document it is, and lists the others in ``Link: rel="alternate"``.
Negotiated responses carry ``Vary: Accept``; all carry a strong ``ETag`` and, when known,
``Last-Modified`` (the latest ingest), and answer conditional requests with 304.
Representations are cached by (resource, format, data version), so a hot resource costs
one dictionary lookup until the published data changes.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext
from werkzeug.http import http_date

from catalogue.cache import LRU
from catalogue.labels import LABEL_IRIS, pick
from catalogue.pages import Statement, is_solution, statement_rows
from catalogue.terms import DCT, PREFIXES

from . import resource_pages
from .auth import current_user, has_session_user
from .context import root
from .curation import gone_unless_allowed
from .i18n import label_languages, reader_language
from .layout import fixed_url
from .negotiate import choose
from .response_cache import note, share
from .rich_text import rich_text

bp = Blueprint("ld", __name__)

EIRA = "http://data.europa.eu/dr8/"
FORMATS: dict[str, tuple[str, ox.RdfFormat | None]] = {  # suffix -> (media type, serializer)
    "html": ("text/html", None),
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
}
BY_MEDIA = {media: ext for ext, (media, _) in FORMATS.items()}
OFFERED = [media for media, _ in FORMATS.values()]  # server preference: HTML first
USED_BY_TITLES = {  # a resource's page: who points at it, by search facet
    "eira": lazy_gettext("Solutions implementing this building block"),
    "licence": lazy_gettext("Solutions distributed under this licence"),
    "publisher": lazy_gettext("Published solutions and collections"),
    "theme": lazy_gettext("Solutions on this topic"),
    "spatial": lazy_gettext("Solutions covering this place"),
    "collection": lazy_gettext("Solutions in this collection"),
}


# what werkzeug leaves unquoted in a query string (werkzeug.urls._urlencode): href() builds
# url_for("ld.resource", uri=iri) from its path, as url_for would, at a tenth of the cost
QUERY_SAFE = "!$'()*,/:;?@"

# rendered responses: (iri, media type, data version) -> (body, etag, headers); a hit costs
# no query, no rendering and no URL building
_cache: LRU[tuple[str, str, str], tuple[bytes, str, dict]] = LRU(4096)


def _catalogue():
    return root()


def _split_suffix(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.rpartition(".")
    if dot and ext in FORMATS and stem:
        return stem, ext
    return name, None


@bp.route("/resource")
@bp.route("/resource.<ext>")
def resource(ext: str | None = None):
    uri = request.args.get("uri", "")
    if ext is not None and ext not in FORMATS:
        abort(404, f"unknown format suffix .{ext}; use one of: {', '.join('.' + e for e in FORMATS)}")
    try:
        ox.NamedNode(uri)
    except ValueError:
        abort(400, "the uri parameter must be an absolute IRI, e.g. /resource?uri=http://data.europa.eu/dr8/DataExchangeService")
    if not uri:
        abort(400, "the uri parameter is required: /resource?uri=IRI")
    content = _catalogue().settings.base_uri + "content/"
    if uri.startswith(content) and "/" not in uri[len(content):]:  # community content: its own pages
        return redirect(url_for("content.item", name=uri[len(content):] + (f".{ext}" if ext else "")), code=303)
    urls: dict[str | None, str] = {}  # the page names each format's URL twice or more

    def url_for_format(e: str | None) -> str:
        if e not in urls:
            urls[e] = url_for("ld.resource", ext=e, uri=uri) if e else url_for("ld.resource", uri=uri)
        return urls[e]
    return _dereference(uri, ext, url_for_format)


@bp.route("/dr8/<name>")
def eira_block(name: str):
    stem, ext = _split_suffix(name)
    return _dereference(EIRA + stem, ext, lambda e: f"/dr8/{quote(stem)}" + (f".{e}" if e else ""))


@bp.route("/<path:path>")
def minted(path: str):
    """A PURI under CATALOGUE_BASE_URI, at its own path (e.g. /source/demo)."""
    stem, ext = _split_suffix(path)
    base = _catalogue().settings.base_uri
    return _dereference(base + stem, ext, lambda e: f"/{quote(stem)}" + (f".{e}" if e else ""))


def _dereference(iri: str, ext: str | None, url_for_format) -> Response:
    catalogue = _catalogue()
    if ext is not None:
        media = FORMATS[ext][0]
        negotiated = False
    else:
        media = choose(request.headers.get("Accept"), OFFERED)
        negotiated = True
        if media is None:
            abort(406, "none of the offered formats is acceptable; this resource is available as "
                       + ", ".join(OFFERED))
    # a record moderators hid: 410 for the public, its own page for its publishers and moderators
    hidden = gone_unless_allowed(iri)
    version = catalogue.data_version()
    # HTML is in the reader's language (UI strings, label choice): it is part of the key
    # and a moderator's solution pages carry the buttons that judge possible duplicates;
    # its usage counts change once a day (usage.as_of)
    # a page lists what the search index finds (related solutions, who uses it): per its writes too
    key = (iri, media, version.token + ("/" + reader_language() + _moderator_mark()
                                        + "/" + catalogue.usage.as_of() + "/" + catalogue.search.generation()
                                        if media == "text/html" else ""))
    # an HTML page for a signed-in reader carries their header (name, CSRF token): rendered
    # for them alone, never kept in the cache other readers are served from
    personal = (media == "text/html" and has_session_user()) or hidden
    cached = None if personal else _cache.get(key)
    if cached is None:
        triples = catalogue.reader.describe(iri)
        if not triples:
            gone = catalogue.reader.withdrawal(iri)
            if gone is not None and gone.held_back:
                abort(404, f"{iri} is held back by validation: the ingest of source '{gone.source}' on "
                           f"{gone.when} found problems in its description, so it is not published until "
                           "its publisher sends a corrected one (the run's report says what to fix).")
            if gone is not None:
                abort(410, f"{iri} was withdrawn by its publisher: the ingest of source "
                           f"'{gone.source}' on {gone.when} no longer contained it ({gone.activity}).")
            # the path as typed: the IRI may name the catalogue's public host, not this one
            abort(404, f"Nothing in the catalogue describes {iri}." if request.path == "/resource"
                  else f"Nothing in the catalogue has the address {request.path}.")
        body = _render(iri, media, triples, url_for_format)
        headers = {
            "Link": ", ".join(f'<{url_for_format(e)}>; rel="alternate"; type="{m}"'
                              for e, (m, _) in FORMATS.items() if m != media),
            "Content-Location": url_for_format(BY_MEDIA[media]),
        }
        cached = (body, hashlib.sha256(body).hexdigest()[:32], headers)
        if not personal:
            _cache.put(key, cached)
    body, etag, headers = cached
    # the headers as one list: werkzeug's per-header setters cost more than the rest of a
    # cached answer
    fields = [("Content-Type", f"{media}; charset=utf-8"), ("ETag", f'"{etag}"'),
              ("Link", headers["Link"])]
    if version.modified is not None:
        fields.append(("Last-Modified", _http_date(version.modified)))
    if negotiated:
        fields.append(("Vary", "Accept, Accept-Language, Cookie" if media == "text/html" else "Accept"))
        fields.append(("Content-Location", headers["Content-Location"]))
    response = Response(body, headers=fields)
    share(request.environ)  # the same for every anonymous reader: see response_cache.py
    note(request.environ, "resource", iri)  # counted as a view or a data request (usage.py)
    if request.if_none_match or request.if_modified_since or "Range" in request.headers:
        return response.make_conditional(request)
    return response  # nothing to compare: skip werkzeug's conditional machinery (hot path)


def _moderator_mark() -> str:
    """"/moderator" for a signed-in moderator (their HTML differs), else "" (no store read
    without a session)."""
    if "user" not in session:
        return ""
    user = current_user()
    return "/moderator" if user is not None and user.is_moderator else ""


@lru_cache(maxsize=64)
def _http_date(when) -> str:
    return http_date(when)


def _render(iri: str, media: str, triples: list[ox.Triple], url_for_format) -> bytes:
    fmt = FORMATS[BY_MEDIA[media]][1]
    if fmt is not None:
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        return ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
    jsonld = ox.serialize(triples, format=ox.RdfFormat.JSON_LD).decode("utf-8")
    alternates = [(e.upper(), url_for_format(e), m) for e, (m, _) in FORMATS.items() if e != "html"]
    if is_solution(triples, iri) and not _catalogue().reader.is_release(iri):
        page = _catalogue().reader.solution_page(iri, label_languages())
        quality = _catalogue().quality
        kinds = [t.object.value for t in triples if t.subject.value == iri and t.predicate == DCT.type]  # "may be outdated" depends on them
        # its EIRA footprint from what the page read (no query of its own)
        footprint = _catalogue().cartography.footprint_of(
            iri, page.title if page.titled else iri, [b.iri for b in page.building_blocks],
            page.declared, label_languages()) if page.dataset and page.building_blocks else None
        return render_template("solution.html", page=page, href=href, rich_text=rich_text, footprint=footprint,
                               quality=quality.of_record(iri), outdated=quality.outdated(page.modified, types=kinds),
                               outdated_days=quality.outdated_after(kinds),
                               definition_text=resource_pages.definition_text,
                               jsonld=safe_json_for_script(jsonld), alternates=alternates).encode("utf-8")
    # licences, collections, releases, distributions, publishers: a page of their own
    other = _catalogue().reader.resource_page(iri, triples, label_languages())
    if other is not None:
        return resource_pages.render(other, href=href, used_by_titles=USED_BY_TITLES,
                                     jsonld=safe_json_for_script(jsonld),
                                     alternates=alternates).encode("utf-8")
    html = render_template(
        "resource.html", uri=iri, rows=_rows(iri, triples), label=_label(iri, triples),
        used_by=_catalogue().reader.used_by(iri), used_by_titles=USED_BY_TITLES, href=href,
        jsonld=safe_json_for_script(jsonld),
        alternates=alternates,
    )
    return html.encode("utf-8")


def safe_json_for_script(text: str) -> str:
    """JSON that cannot end its <script> element or open a comment: <, > and & escaped.

    Those characters occur only inside JSON strings, where \\u003c etc. mean the same.
    """
    json.loads(text)  # it is JSON, or this fails loudly
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _label(node, triples: list[ox.Triple]) -> str | None:
    """A label of ``node`` from the description, in the reader's languages (``labels.pick``)."""
    subject = node if not isinstance(node, str) else ox.NamedNode(node)
    found = [t.object for t in triples if t.subject == subject and t.predicate.value in LABEL_IRIS
             and isinstance(t.object, ox.Literal)]
    chosen = pick(found, label_languages())  # type: ignore[arg-type]
    return chosen.value if chosen is not None else None


def href(iri: str) -> str | None:
    """Where a link to ``iri`` goes on this site; None for IRIs that must not be links."""
    if iri.startswith(EIRA) and "/" not in iri[len(EIRA):]:
        return "/dr8/" + quote(iri[len(EIRA):])
    if iri.startswith(("http://", "https://")):
        content = _catalogue().settings.base_uri + "content/"
        if iri.startswith(content) and "/" not in iri[len(content):]:  # community content
            return url_for("content.item", name=iri[len(content):])
        return f"{fixed_url('ld.resource')}?{urlencode({'uri': iri}, safe=QUERY_SAFE)}"
    return None  # javascript:, data:, mailto: ... shown as text, never followed


def _rows(iri: str, triples: list[ox.Triple]) -> list[Statement]:
    """The generic table's rows: property names and value labels in the reader's language,
    never a full IRI as a name (catalogue/pages/statements.py)."""
    return statement_rows(iri, triples, label_languages())
