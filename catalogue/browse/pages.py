"""The browse pages of one catalogue (``Catalogue.browse``): where the store, the search
index and the per-version cache meet the page models of ``solutions``, ``collection_list``,
and ``publishers``.

What depends only on the published data (the collections, the publishers, the index's
counts) is read once per data version (``Catalogue.per_version``), in every
language; each request only chooses labels in the reader's languages, filters, sorts and
cuts a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.browse.collection_list import (
    COLLECTIONS,
    CollectionRecord,
    collection_cards,
    collections,
    read_collections,
)
from catalogue.browse.common import Card, Listing, ListRequest
from catalogue.browse.publishers import PUBLISHERS, PublisherRecord, publishers, read_publishers
from catalogue.browse.solutions import SOLUTIONS, card_of, solutions
from catalogue.labels import LABEL_IRIS
from catalogue.search import Hit, SearchRequest, breakdown, search

if TYPE_CHECKING:
    from catalogue.app import Catalogue

Args = Mapping[str, Sequence[str]]  # a query string: each name with its values
SOLUTIONS_ONLY: dict[str, tuple[str, ...]] = {"type": ("solution",)}
LABELS_CHUNK = 500


class Browse:
    """Solutions, collections and publishers, listed for browsing."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    def solutions(self, args: Args, languages: Sequence[str] = ()) -> Listing[Card]:
        """One page of ``/solutions`` for the query string ``args``.

        :raise BrowseRequestError: a malformed parameter (see :meth:`ListRequest.parse`).
        :raise SearchRequestError: one the search refuses (an unknown quality level).
        :raise MinQualityError: CATALOGUE_MIN_QUALITY is not a level or a number.
        """
        request = ListRequest.parse(SOLUTIONS, args)
        return solutions(self._root.search.index(), request, languages, self._root.quality.min_score)

    def card(self, hit: Hit, languages: Sequence[str] = ()) -> Card:
        """A search hit as the card the browse pages show (for /search's results)."""
        return card_of(hit, self._root.search.index(), languages)

    def collections(self, args: Args, languages: Sequence[str] = ()) -> Listing[Card]:
        """One page of ``/collections`` for the query string ``args``.

        :raise BrowseRequestError: a malformed parameter.
        """
        request = ListRequest.parse(COLLECTIONS, args)

        def cards() -> dict[str, list[Card]]:
            records, names = self._root.per_version("browse:collections", self._read_collections)
            return collection_cards(records, self._counts()["collection"], names, languages)
        key = f"browse:collection cards:{self._root.quality.min_score}:" + ",".join(languages)
        return collections(self._root.per_version(key, cards),
                           request)

    def publishers(self, args: Args, languages: Sequence[str] = ()) -> Listing[Card]:
        """One page of ``/publishers`` for the query string ``args``.

        :raise BrowseRequestError: a malformed parameter.
        """
        request = ListRequest.parse(PUBLISHERS, args)
        records, labels = self._root.per_version(f"browse:publishers:{self._root.quality.min_score}",
                                                 self._read_publishers)
        return publishers(records, labels, request, languages)

    # read once per data version

    def _counts(self) -> dict[str, dict[str, int]]:
        """Solutions per publisher, collection and EIRA block (those ``/solutions`` lists by
        default: CATALOGUE_MIN_QUALITY applies, so a card's count is what its link finds);
        publishers of anything."""
        minimum = self._root.quality.min_score

        def read() -> dict[str, dict[str, int]]:
            index = self._root.search.index()
            facets = ("publisher", "collection", "eira")
            of_solutions = search(index, SearchRequest(filters=SOLUTIONS_ONLY, min_quality=minimum), facet_limit=1,
                                  expand=facets)
            every = search(index, SearchRequest(), facet_limit=1, expand=("publisher",))
            out = {name: {f.value: f.count for f in of_solutions.facets[name]} for name in facets}
            out["any publisher"] = {f.value: f.count for f in every.facets["publisher"]}
            return out
        return self._root.per_version(f"browse:counts:{minimum}", read)

    def _read_collections(self) -> tuple[list[CollectionRecord], dict[str, list[ox.Literal]]]:
        records = read_collections(self._root.select)
        return records, self._labels(p for rec in records for p in rec.publishers)

    def _read_publishers(self) -> tuple[list[PublisherRecord], dict[str, list[ox.Literal]]]:
        counts = self._counts()
        places = breakdown(self._root.search.index(), SearchRequest(filters=SOLUTIONS_ONLY),
                           "publisher", "spatial", 3)
        records = read_publishers(self._root.select, sorted(counts["any publisher"]),
                                  counts["publisher"], places)
        return records, self._labels(v for rec in records for v in (*rec.types, *rec.countries))

    def _labels(self, iris: Iterable[str]) -> dict[str, list[ox.Literal]]:
        """The names of ``iris`` in every language (``labels_of.rq``), best property first."""
        wanted = sorted(set(iris))
        found: dict[str, list[tuple[int, ox.Literal]]] = {}
        for start in range(0, len(wanted), LABELS_CHUNK):
            chunk = [ox.NamedNode(i) for i in wanted[start:start + LABELS_CHUNK]]
            for t in self._root.construct("labels_of", resource=chunk):
                if isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode) \
                        and t.predicate.value in LABEL_IRIS:
                    found.setdefault(t.subject.value, []).append((LABEL_IRIS.index(t.predicate.value), t.object))
        out = {}
        for iri, labels in found.items():
            top = min(rank for rank, _ in labels)
            out[iri] = [lit for rank, lit in labels if rank == top]
        return out
