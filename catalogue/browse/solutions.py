"""``/solutions``: every solution as a card, with the search's facets, from the search index.

Built on :func:`catalogue.search.search` restricted to solutions (``type=solution``): the
facets, their disjunctive counts and the hidden duplicates are the search's own, so a
solution counts the same here, on /search and on the pages that link here
(``/solutions?eira=IRI`` from /eira, ``?publisher=IRI`` from /publishers). A card's
publisher, building blocks and licences are the document's stored facet values, named by
the index's labels: nothing is read from the store per request.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel import Locale, UnknownLocaleError

from catalogue.browse.common import (
    FACET_TOP,
    Card,
    Facet,
    Listing,
    ListRequest,
    Named,
    Spec,
    first_sentence,
)
from catalogue.search import FacetValue, Hit, SearchIndex, SearchRequest, search

# the search's facet parameters, less "type" (always solution), in the order the page shows them
SOLUTIONS = Spec("/solutions", ("spatial", "theme", "eira", "publisher", "licence", "licencetype",
                                "language", "collection", "quality"),
                 ("title", "newest", "relevance", "quality"), "title", words=True)
SEARCH_SORT = {"title": "title", "newest": "date", "relevance": "relevance", "quality": "quality"}


def solutions(index: SearchIndex, request: ListRequest, languages: Sequence[str] = (),
              min_quality: int | None = None) -> Listing[Card]:
    """One page of solutions as cards, with their facets (each its top ``FACET_TOP`` values,
    or every value for the facet ``request.whole`` names). ``relevance`` without words sorts
    by title. Solutions scoring below ``min_quality`` are left out unless the request asks
    for them all (``all_quality``).

    :raise SearchRequestError: a parameter the search refuses (a page beyond its last is not one:
        it has no cards).
    """
    sort = SEARCH_SORT[request.sort]
    if sort == "relevance" and not request.q:
        sort = "title"
    found = search(index, SearchRequest(q=request.q, sort=sort, page=request.page,
                                        filters={**request.filters, "type": ("solution",)},
                                        languages=tuple(languages),
                                        min_quality=None if request.all_quality else min_quality),
                   facet_limit=FACET_TOP, expand=(request.whole,) if request.whole else ())
    names = _language_names(languages[0] if languages else "en")
    facets = []
    for name in request.spec.facets:
        values = found.facets.get(name, [])
        if name == "language":
            values = [FacetValue(f.value, names.get(f.value, f.label), None, f.count, f.selected)
                      for f in values]
        facets.append(Facet(name, values, found.facet_sizes.get(name, len(values)),
                            name == request.whole))
    return Listing(request, found.total, [card_of(h, index, languages) for h in found.hits], facets)


def card_of(hit: Hit, index: SearchIndex, languages: Sequence[str] = ()) -> Card:
    """A search hit (a solution or a collection) as a card: its publisher, building blocks
    and licences named by the index's labels in the reader's ``languages``."""
    def names(facet: str) -> tuple[Named, ...]:
        out = [Named(v, *index.label(v, languages)) for v in hit.values.get(facet, ())]
        return tuple(sorted(out, key=lambda n: n.label.lower()))

    return Card(hit.iri, hit.kind or "solution", hit.title, None, first_sentence(hit.summary),
                publishers=names("publisher"), blocks=names("eira"), licences=names("licence"),
                modified=hit.modified, quality=hit.quality)


_names: dict[str, dict[str, str]] = {}


def _language_names(reader: str) -> dict[str, str]:
    """Language codes named in the reader's language (Babel's CLDR names: "allemand",
    "Deutsch"), instead of the search's English names."""
    found = _names.get(reader)
    if found is None:
        try:
            found = {code: name for code, name in Locale.parse(reader).languages.items()}
        except (UnknownLocaleError, ValueError):
            found = {}
        _names[reader] = found
    return found
