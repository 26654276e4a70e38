"""Collections, and what their facilitators may do, as on Joinup: a facilitator moderates
the solutions proposed into a collection, and only those.

Who facilitates what is on the account (``cat:facilitatorOf``, catalogue/community/accounts.py); a
proposal is in a collection when its record says so (``dct:isPartOf``,
catalogue/community/proposals.py). A collection is a published ``dcat:Catalog``, whichever source
publishes it, read by saved queries (``collection_exists``, ``collection_titles``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.pages.resources import Label, choose, fallback_name

if TYPE_CHECKING:
    from catalogue.app import Catalogue


def is_collection(catalogue: Catalogue, iri: str) -> bool:
    """Whether ``iri`` is a published collection: only one can be facilitated or proposed into."""
    try:
        node = ox.NamedNode(iri)
    except (TypeError, ValueError):
        return False
    return catalogue.ask("collection_exists", collection=node)


def collections(catalogue: Catalogue, languages: tuple[str, ...] = ("en",)) -> list[Label]:
    """Every published collection, titled in the reader's languages, by title (for a select)."""
    titles: dict[str, list[ox.Literal]] = {}
    for r in catalogue.select("collection_titles"):
        found = titles.setdefault(r["collection"].value, [])
        if isinstance(title := r.get("title"), ox.Literal):  # (optional; the query keeps literals)
            found.append(title)
    out = []
    for iri, found in titles.items():
        lit = choose(found, languages)
        out.append(Label(iri, lit.value, lit.language or None) if lit is not None
                   else Label(iri, fallback_name(iri)))
    return sorted(out, key=lambda x: (x.label.lower(), x.iri))
