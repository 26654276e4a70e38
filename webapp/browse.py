"""``/solutions``, ``/collections``, ``/publishers``: the catalogue browsed as cards with
facets (catalogue/browse/, ``Catalogue.browse``); ``/eira`` is the cartography's
(webapp/cartography.py).

Every state is a URL (``q``, ``sort``, ``page``, a repeatable parameter per facet and
``all=FACET`` for every value of one facet), so a page can be shared and bookmarked; the
views read the query string and hand it to the domain, which refuses a malformed one
(``BrowseRequestError``: 400 with a sentence saying which parameter and how to fix it).
Anonymous readers share the rendered pages (webapp/response_cache.py).

:raise 400: ``page`` not a whole number from 1 to 500, a ``sort`` the page does not offer,
    ``all`` naming no facet of the page, too many or too long facet values.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from flask import Blueprint, render_template, request, url_for
from flask_babel import format_date, format_number, lazy_gettext

from catalogue.browse import ListRequest
from catalogue.cache import LRU

from . import quality
from .context import root
from .i18n import label_languages, reader_language
from .linked_data import href
from .response_cache import share

bp = Blueprint("browse", __name__)
_numbers: LRU[tuple[str, int], str] = LRU(8192)


def number(value: int) -> str:
    """``value`` as the reader writes it (flask_babel's ``format_number``: 12,345, 12 345,
    12.345), kept per language: a page shows a hundred counts, the same ones on every page,
    and Babel takes ~70 µs for each."""
    key = (reader_language(), value)
    found = _numbers.get(key)
    if found is None:
        found = format_number(value)
        _numbers.put(key, found)
    return found


bp.add_app_template_global(number, "format_number")  # numbers as the reader writes them
bp.add_app_template_global(format_date, "format_date")
bp.add_app_template_global(href, "resource_href")  # a card's link to its resource's page

URL_SAFE = "!$'()*,/:;?@"  # werkzeug's: the WHATWG query percent-encode set (as /search)
TITLES = {"spatial": lazy_gettext("Country"), "theme": lazy_gettext("Topic"),
          "eira": lazy_gettext("EIRA building block"), "publisher": lazy_gettext("Publisher"),
          "licence": lazy_gettext("Licence"), "licencetype": lazy_gettext("Licence terms"),
          "language": lazy_gettext("Language"), "collection": lazy_gettext("Collection"),
          "country": lazy_gettext("Country"), "type": lazy_gettext("Publisher type"),
          "quality": lazy_gettext("Quality")}
SORT_NAMES = {"title": lazy_gettext("title"), "newest": lazy_gettext("newest"),
              "relevance": lazy_gettext("relevance"), "name": lazy_gettext("name"),
              "size": lazy_gettext("number of solutions"), "solutions": lazy_gettext("number of solutions"),
              "quality": lazy_gettext("quality")}


class Links:
    """The URLs of a page's states: this one with a change, a facet value toggled. Built
    without url_for's routing for each (a page links a hundred states or so)."""

    def __init__(self, endpoint: str, state: ListRequest) -> None:
        self.base = url_for(endpoint)
        self.state = state

    def _url(self, params: dict[str, list[str]]) -> str:
        query = "&".join(f"{k}={quote_plus(v, safe=URL_SAFE)}" for k, vs in params.items() for v in vs)
        return self.base + ("?" + query if query else "")

    def goto(self, **changes: object) -> str:
        return self._url(self.state.params(**changes))

    def toggle(self, name: str, value: str) -> str:
        return self._url(self.state.toggled(name, value))


def _page(template: str, endpoint: str, listing, **extra) -> str:
    share(request.environ)  # the same for every anonymous reader: see response_cache.py
    return render_template(template, listing=listing, req=listing.request,
                           links=Links(endpoint, listing.request),
                           titles={k: str(v) for k, v in TITLES.items()},
                           sort_names={k: str(v) for k, v in SORT_NAMES.items()}, **extra)


@bp.route("/solutions")
def solutions():
    """Every solution as a card, with the search's facets, sortable by title, newest or
    relevance (with words), 20 a page."""
    listing = root().browse.solutions(request.args.to_dict(flat=False), label_languages())
    for facet in listing.facets:
        if facet.name == "quality":
            quality.relabel(facet.values)
    return _page("browse_solutions.html", "browse.solutions", listing, min_quality=root().quality.min_score)


@bp.route("/collections")
def collections():
    """Every collection as a card, by name or by number of solutions."""
    listing = root().browse.collections(request.args.to_dict(flat=False), label_languages())
    return _page("browse_collections.html", "browse.collections", listing)


@bp.route("/publishers")
def publishers():
    """The organisations that publish, by name or number of solutions, by country and type."""
    listing = root().browse.publishers(request.args.to_dict(flat=False), label_languages())
    return _page("browse_publishers.html", "browse.publishers", listing)
