"""Browsing the catalogue: /solutions, /collections and /publishers as lists of cards with
facets, every state a URL (/eira is the cartography's: catalogue/cartography/). A module per concern:

- ``common``: the state a query string asks for (:class:`ListRequest`), cards, facets, a page;
- ``solutions``: solutions from the search index, with the search's facets;
- ``collection_list``: collections, read once per data version;
- ``publishers``: publishers with their country and type, and those two facets;
- ``eira``: EIRA v6 views -> building blocks (``read_views``, which catalogue/standards reads);
- ``pages``: :class:`Browse`, what the web calls (``Catalogue.browse``).
"""

from catalogue.browse.collection_list import COLLECTIONS
from catalogue.browse.common import (
           FACET_TOP,
           LINE_CHARS,
           PAGE_SIZE,
           BrowseRequestError,
           Card,
           Facet,
           Listing,
           ListRequest,
           Named,
           Spec,
           first_sentence,
)
from catalogue.browse.eira import EiraBlock, EiraView
from catalogue.browse.pages import Browse
from catalogue.browse.publishers import PUBLISHERS
from catalogue.browse.solutions import SOLUTIONS

__all__ = ["COLLECTIONS", "FACET_TOP", "LINE_CHARS", "PAGE_SIZE", "PUBLISHERS", "SOLUTIONS", "Browse",
           "BrowseRequestError", "Card", "EiraBlock", "EiraView", "Facet", "ListRequest", "Listing", "Named",
           "Spec", "first_sentence"]
