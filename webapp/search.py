"""``/search``: keywords and facets over the derived search index (catalogue/search/).

Every state is a URL: ``q``, ``sort``, ``page``, ``all`` (a facet shown with every value) and repeatable facet parameters
(``type eira theme spatial licence licencetype publisher collection language``), so results can be
shared and bookmarked. Links to results go through :func:`webapp.linked_data.href`.

:raise 400: a malformed ``page``, ``sort``, ``type`` or an over-long parameter.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import lazy_gettext

from catalogue.cache import LRU
from catalogue.search import (
    FACETS,
    SORTS,
    SearchRequest,
    index_path,
    open_index,
    search,
)

from . import quality
from .auth import has_session_user
from .context import root
from .i18n import label_languages, reader_language
from .linked_data import href

URL_SAFE = "!$'()*,/:;?@"  # werkzeug's: the WHATWG query percent-encode set
bp = Blueprint("search", __name__)

FACET_TITLES = {"type": lazy_gettext("Type"), "eira": lazy_gettext("EIRA building block"),
                "theme": lazy_gettext("Topic"), "spatial": lazy_gettext("Spatial coverage"),
                "licence": lazy_gettext("Licence"), "licencetype": lazy_gettext("Licence terms"),
                "publisher": lazy_gettext("Publisher"),
                "collection": lazy_gettext("Collection"), "language": lazy_gettext("Language"),
                "quality": lazy_gettext("Quality")}
SORT_NAMES = {"relevance": lazy_gettext("relevance"), "date": lazy_gettext("date"),
              "title": lazy_gettext("title"), "quality": lazy_gettext("quality")}
SHOWN_PER_FACET = 12
MAX_VALUES = 20
MAX_VALUE_CHARS = 2000


def _request() -> SearchRequest:
    """The search the query string asks for.

    :raise 400: a malformed page number, too many or too long facet values.
    :raise SearchRequestError: any other malformed parameter (400).
    """
    raw_page = request.args.get("page", "1")
    if not raw_page.isdigit():
        abort(400, "page must be a whole number from 1 up, e.g. /search?q=invoice&page=2")
    filters: dict[str, tuple[str, ...]] = {}
    for name in FACETS:
        values = tuple(dict.fromkeys(v for v in request.args.getlist(name) if v))
        if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
            abort(400, f"too many or too long {name} values: at most {MAX_VALUES} of "
                       f"{MAX_VALUE_CHARS} characters")
        if values:
            filters[name] = values
    everything = request.args.get("all_quality", "") not in ("", "0")
    return SearchRequest(q=request.args.get("q", "").strip(),
                         sort=request.args.get("sort", "relevance") or "relevance",
                         page=int(raw_page), filters=filters, languages=label_languages(),
                         min_quality=None if everything else root().quality.min_score)


def _state(req: SearchRequest, **changes) -> dict:
    """The URL parameters of a search state, with ``changes`` applied (page reset to 1)."""
    params: dict = {"q": req.q or None, "sort": None if req.sort == "relevance" else req.sort,
                    "all": request.args.get("all") or None,
                    "all_quality": "1" if request.args.get("all_quality", "") not in ("", "0") else None}
    params.update({name: list(values) for name, values in req.filters.items()})
    params.update(changes)
    if params.get("page") == 1:
        params["page"] = None
    return {k: v for k, v in params.items() if v not in (None, "", [])}


# rendered search pages by (path with query, language, data version): browsing by facets
# repeats the same few states, and each costs ~10 ms of counting and rendering at 100k
# solutions; a new data version simply stops matching old entries
_cache: LRU[tuple, str] = LRU(256)


@bp.route("/search")
def page():
    req = _request()
    catalogue = root()
    token = catalogue.data_version().token
    if has_session_user():  # the page carries this user's header: never cached, never shared
        return _render(req, catalogue, token)
    # community content is indexed per item without moving the data version: its stamp is part of the key
    key = (request.full_path, reader_language(), token, catalogue.content.search_stamp(),
           catalogue.search.generation())
    cached = _cache.get(key)
    if cached is not None:
        return cached
    html = _render(req, catalogue, token)
    _cache.put(key, html)
    return html


def _render(req: SearchRequest, catalogue, token: str) -> str:
    index = open_index(index_path(catalogue.settings.store))
    index.refresh(token)
    whole = request.args.get("all") or None  # one facet shown with every value (?all=eira)
    result = search(index, req, facet_limit=SHOWN_PER_FACET, expand=(whole,) if whole else ())
    cards = [catalogue.browse.card(h, label_languages()) for h in result.hits]
    quality.relabel(result.facets.get("quality", []))

    base = url_for("search.page")
    encoded: dict[str, str] = {}

    def enc(value) -> str:
        # the same few values (the words, the active filters) are in every link of the page
        text = str(value)
        found = encoded.get(text)
        if found is None:
            found = encoded[text] = quote_plus(text, safe=URL_SAFE)
        return found

    def link(state: dict) -> str:
        # what url_for builds (urlencode with werkzeug's safe set), without its routing
        # machinery and without encoding the same value again: a page links ~80 states
        items = [f"{k}={enc(v)}" for k, vs in state.items()
                 for v in (vs if isinstance(vs, list) else [vs])]
        return base + ("?" + "&".join(items) if items else "")

    def toggle(name: str, value: str) -> str:
        values = list(req.filters.get(name, ()))
        values = [v for v in values if v != value] if value in values else values + [value]
        return link(_state(req, **{name: values}))

    def goto(**changes) -> str:
        return link(_state(req, **changes))

    # lazy strings translated once here, not at each use in the page's loops
    return render_template("search.html", result=result, req=req, href=href, toggle=toggle,
                           goto=goto, sorts=SORTS, cards=cards, whole=whole,
                           min_quality=catalogue.quality.min_score,
                           all_quality="all_quality" in _state(req),
                           sort_names={k: str(v) for k, v in SORT_NAMES.items()},
                           facet_titles={k: str(v) for k, v in FACET_TITLES.items()})
