"""``/eira``: the European Interoperability Cartography (catalogue/cartography/,
``Catalogue.cartography``).

* ``/eira``: a map of EIRA v6's building blocks, view by view, each tile with how many
  solutions implement it and how many specifications apply, coloured (and labelled) by
  coverage; ``/eira/{view}`` one view (``semantic``, ``technical-application``...);
* filters as /search's facet parameters (``spatial`` or ``country``, ``theme`` or ``topic``,
  ``collection``, ``publisher``; repeatable), and ``viewpoint=KEY`` to highlight a viewpoint's
  blocks: every state a URL;
* JSON: ``/eira.json``, ``/eira/{view}.json``, or ``Accept: application/json`` on either;
* ``/eira/compare?s=IRI&s=IRI``: up to four solutions' footprints side by side.

Template globals for the pages of others: ``eira_footprint(iri)`` (a solution's footprint,
on its page) and ``eira_block_specifications(iri)`` (on a building block's page).

:raise 400: a filter value no published solution has, an unknown viewpoint, no solution or
    more than four to compare.
:raise 404: an unknown view; a solution to compare that is not published.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import get_translations, lazy_gettext
from markupsafe import Markup

from catalogue.cache import LRU
from catalogue.cartography import COMPARE_MAX, COVERAGE, Footprint, Map, Tile, UnknownSolution
from catalogue.standards import BlockSpecification

from .auth import current_user
from .browse import number
from .context import root
from .i18n import label_languages, reader_language
from .negotiate import choose
from .response_cache import share

bp = Blueprint("cartography", __name__)

URL_SAFE = "!$'()*,/:;?@"  # werkzeug's: the WHATWG query percent-encode set (as /search)
FILTER_TITLES = {"spatial": lazy_gettext("Country"), "theme": lazy_gettext("Topic"),
                 "collection": lazy_gettext("Collection"), "publisher": lazy_gettext("Publisher")}
COVERAGE_NAMES = {"none": lazy_gettext("No solution"), "few": lazy_gettext("1 to 4 solutions"),
                  "some": lazy_gettext("5 to 19 solutions"), "many": lazy_gettext("20 solutions or more")}
JSON = "application/json"
# rendered map pages for anonymous readers by (path with query, language, data version): a page
# is ~320 tiles, ~100 ms to render at any catalogue size, and readers ask for the same few
# states; an old data version's entries simply stop matching. A signed-in reader's page is
# rendered for them (its header names them and carries their sign-out form).
_pages: LRU[tuple, str] = LRU(128)


_counts: LRU[tuple[str, str, int], str] = LRU(4096)


def count_text(kind: str, n: int) -> str:
    """"3 solutions", "1 specification" in the reader's language, kept per language and
    number: a map shows ~640 of them, the same few numbers."""
    key = (reader_language(), kind, n)
    found = _counts.get(key)
    if found is None:
        words = get_translations()
        found = (words.ungettext("%(num)s solution", "%(num)s solutions", n) if kind == "solutions"
                 else words.ungettext("%(num)s specification", "%(num)s specifications", n)) % {"num": number(n)}
        _counts.put(key, found)
    return found


def _wants_json(suffix: bool) -> bool:
    return suffix or choose(request.headers.get("Accept"), ["text/html", JSON]) == JSON


def _query(params: dict[str, list[str]]) -> str:
    return "&".join(f"{k}={quote_plus(v, safe=URL_SAFE)}" for k, vs in params.items() for v in vs)


def _url(base: str, params: dict[str, list[str]]) -> str:
    query = _query(params)
    return base + ("?" + query if query else "")


def _tile_json(tile: Tile) -> dict:
    return {"abb": tile.iri, "same_as": list(tile.twins), "label": tile.label, "view": tile.view,
            "views": list(tile.views),
            "solutions": tile.solutions, "specifications": tile.specifications,
            "coverage": tile.coverage, "viewpoints": list(tile.viewpoints), "highlighted": tile.highlighted}


def _map_json(found: Map) -> Response:
    body = {"filters": {k: list(v) for k, v in found.request.filters.items()},
            "viewpoint": found.request.viewpoint, "solutions": found.solutions,
            "views": [{"key": v.key, "label": v.label, "blocks": len(v.tiles), "without_solution": len(v.gaps)}
                      for v in found.views],
            "blocks": [_tile_json(t) for t in found.blocks()]}
    response = jsonify(body)
    response.vary.add("Accept")
    return response


def _render_map(found: Map, view: str | None) -> Response:
    if current_user() is not None:
        html = _render(found, view)
    else:
        key = (request.full_path, reader_language(), root().data_version().token, root().search.generation())
        html = _pages.get(key) or ""
        if not html:
            html = _render(found, view)
            _pages.put(key, html)
    response = Response(html)
    response.vary.add("Accept")
    return response


def _render(found: Map, view: str | None) -> str:
    cartography = root().cartography
    languages = label_languages()
    req = found.request
    base = url_for("cartography.map") if view is None else url_for("cartography.view", view=view)

    solutions = url_for("browse.solutions")
    kept = req.params(viewpoint=None)

    def solutions_link(tile: Tile) -> str:
        return _url(solutions, {**kept, "eira": list(tile.counted)})

    names = {(facet, v): cartography.label(facet, v, languages) for facet, vs in req.filters.items() for v in vs}
    return render_template(
        "eira_map.html", map=found, req=req, view=view, base=base,
        link=lambda **changes: _url(base, req.params(**changes)),
        without=lambda facet, value: _url(base, req.without(facet, value)),
        view_link=lambda key: _url(url_for("cartography.view", view=key), req.params()),
        all_views=_url(url_for("cartography.map"), req.params()),
        solutions_link=solutions_link, filter_names=names, view_names=cartography.view_names(languages),
        options=cartography.filter_options(req, languages),
        filter_titles={k: str(v) for k, v in FILTER_TITLES.items()},
        coverage_names={k: str(v) for k, v in COVERAGE_NAMES.items()}, bands=[b for _, b in COVERAGE],
        json_link=_url(url_for("cartography.map_json") if view is None
                       else url_for("cartography.view", view=view + ".json"), req.params()))


@bp.route("/eira")
def map():
    """Every view's map under the query string's filters and viewpoint (HTML or JSON)."""
    found = root().cartography.map(request.args.to_dict(flat=False), label_languages())
    share(request.environ)  # the same for every anonymous reader (Vary: Accept)
    return _map_json(found) if _wants_json(False) else _render_map(found, None)


@bp.route("/eira.json")
def map_json():
    """``/eira`` as JSON: every block once, with its view, solutions and specifications."""
    found = root().cartography.map(request.args.to_dict(flat=False), label_languages())
    share(request.environ)
    return _map_json(found)


@bp.route("/eira/compare")
def compare():
    """Up to four solutions' EIRA footprints side by side (``s``, repeated)."""
    footprints = root().cartography.compare(request.args.getlist("s"), label_languages())
    if _wants_json(False):
        response = jsonify({"solutions": [_footprint_json(f) for f in footprints]})
        response.vary.add("Accept")
        return response
    response = Response(render_template("eira_compare.html", footprints=footprints, compare_max=COMPARE_MAX))
    response.vary.add("Accept")
    return response


@bp.route("/eira/<view>")
def view(view: str):
    """One view's map (``/eira/semantic``); ``/eira/semantic.json`` as JSON.

    :raise 404: no view has that key.
    """
    suffix = view.endswith(".json")
    key = view.removesuffix(".json")
    found = root().cartography.map(request.args.to_dict(flat=False), label_languages(), view=key)
    share(request.environ)
    return _map_json(found) if _wants_json(suffix) else _render_map(found, key)


def _footprint_json(f: Footprint) -> dict:
    return {"solution": f.iri, "title": f.title,
            "blocks": [{"abb": lit.iri, "label": lit.label, "view": v.key} for v in f.views for lit in v.lit],
            "specifications": [{"iri": r.iri, "title": r.title, "declared": r.declared, "blocks": list(r.blocks)}
                               for r in f.requirements]}


def eira_footprint(iri: str) -> Footprint | None:
    """A solution's footprint, for its page (solution.html); None when the page is of a
    record the cartography does not take for a published solution (nothing to show)."""
    try:
        return root().cartography.footprint(iri, label_languages())
    except UnknownSolution:
        return None


def eira_block_specifications(iri: str) -> list[BlockSpecification]:
    """The specifications that apply to a building block, for its page (eira_block.html)."""
    return root().cartography.block_specifications(iri, label_languages())


@lru_cache(maxsize=4096)
def footprint_cells(cells: tuple[bool, ...]) -> Markup:
    """A footprint view's small map: one cell per building block, lit or not. Joined here
    (kept by pattern): a view has up to ~150 blocks, and the same loop in the template cost
    a cold solution page ~0.5 ms."""
    return Markup("".join('<span class="fp-cell on"></span>' if on else '<span class="fp-cell"></span>'
                          for on in cells))


bp.add_app_template_global(eira_footprint, "eira_footprint")
bp.add_app_template_global(footprint_cells, "footprint_cells")
bp.add_app_template_global(eira_block_specifications, "eira_block_specifications")
bp.add_app_template_global(COMPARE_MAX, "eira_compare_max")
bp.add_app_template_global(count_text, "eira_count")
