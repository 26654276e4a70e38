"""The European Interoperability Cartography (issue 14): EIRA v6's building blocks view by
view, with the solutions that implement each and the specifications (ELIS) that apply, under
filters and viewpoints; a solution's EIRA footprint. A module per concern:

- ``model``: the vocabulary's views, blocks and viewpoints, the state a query string asks
  for (:class:`MapRequest`), the map (:class:`Map` of :class:`MapView` of :class:`Tile`);
- ``footprint``: a solution's blocks lit on the five views and the specifications they call for;
- ``public``: :class:`Cartography`, what the web calls (``Catalogue.cartography``).
"""

from catalogue.cartography.footprint import Footprint, FootprintView, Lit, Requirement
from catalogue.cartography.model import (
    ALIASES,
    COMPARE_MAX,
    COVERAGE,
    FILTERS,
    VIEWS,
    BlockRecord,
    CartographyError,
    Map,
    MapRequest,
    MapView,
    Tile,
    UnknownSolution,
    UnknownView,
    Vocabulary,
    coverage,
    view_key,
    viewpoint_key,
)
from catalogue.cartography.public import Cartography

__all__ = ["ALIASES", "COMPARE_MAX", "COVERAGE", "FILTERS", "VIEWS", "BlockRecord", "Cartography",
           "CartographyError", "Footprint", "FootprintView", "Lit", "Map", "MapRequest", "MapView",
           "Requirement", "Tile", "UnknownSolution", "UnknownView", "Vocabulary", "coverage", "view_key",
           "viewpoint_key"]
