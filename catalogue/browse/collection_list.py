"""``/collections``: every collection (``dcat:Catalog``) as a card.

Read with one saved query (``browse_collections.rq``) and the publishers' names
(``labels_of.rq``) once per data version; each collection's number of solutions is the
search index's ``collection`` facet over solutions, so it is what
``/solutions?collection=IRI`` lists. Labels are chosen per request in the reader's
languages (a few hundred collections: microseconds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from catalogue.browse.common import (
    PAGE_SIZE,
    Card,
    Listing,
    ListRequest,
    Spec,
    choose,
    first_sentence,
    named,
)
from catalogue.browse.dates import newest
from catalogue.store import Rows

COLLECTIONS = Spec("/collections", (), ("name", "size"), "name")


@dataclass
class CollectionRecord:
    """A collection as read from the store, in every language (cached per data version)."""

    iri: str
    titles: list[ox.Literal] = field(default_factory=list)
    descriptions: list[ox.Literal] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    modified: datetime | None = None


def read_collections(select: Callable[[str], Rows]) -> list[CollectionRecord]:
    """Every published collection, from the rows of ``browse_collections`` (``select`` runs
    a saved query over the public dataset: ``Catalogue.select``)."""
    found: dict[str, CollectionRecord] = {}
    modified: dict[str, list[ox.Literal]] = {}
    issued: dict[str, list[ox.Literal]] = {}
    for r in select("browse_collections"):
        rec = found.setdefault(r["collection"].value, CollectionRecord(r["collection"].value))
        value, kind = r["value"], r["field"].value
        if kind == "publisher" and isinstance(value, ox.NamedNode):
            if value.value not in rec.publishers:
                rec.publishers.append(value.value)
        elif isinstance(value, ox.Literal):
            {"title": rec.titles, "description": rec.descriptions,
             "modified": modified.setdefault(rec.iri, []),
             "issued": issued.setdefault(rec.iri, [])}[kind].append(value)
    for rec in found.values():
        rec.modified = newest(modified.get(rec.iri, [])) or newest(issued.get(rec.iri, []))
    return list(found.values())


def collection_cards(records: Sequence[CollectionRecord], counts: Mapping[str, int],
                     publisher_names: Mapping[str, list[ox.Literal]],
                     languages: Sequence[str] = ()) -> dict[str, list[Card]]:
    """Every collection as a card in the reader's ``languages``, in the order of each sort:
    by name, and by size (most solutions first, then by name). ``counts``: solutions per
    collection IRI; ``publisher_names``: the names of each publisher IRI in every language.
    Built once per data version and languages (a thousand collections take ~50 ms)."""
    cards = []
    for rec in records:
        title = choose(rec.titles, languages)
        description = choose(rec.descriptions, languages)
        cards.append(Card(
            rec.iri, "collection", " ".join(title.value.split()) if title else rec.iri,
            (title.language or None) if title else None,
            first_sentence(description.value) if description else "",
            publishers=tuple(named(p, publisher_names.get(p, []), languages) for p in rec.publishers),
            modified=rec.modified, solutions=counts.get(rec.iri, 0), solutions_facet="collection"))
    cards.sort(key=lambda c: c.title.casefold())
    return {"name": cards, "size": sorted(cards, key=lambda c: -(c.solutions or 0))}


def collections(cards: Mapping[str, list[Card]], request: ListRequest) -> Listing[Card]:
    """One page of the collections ``cards`` (as :func:`collection_cards` orders them) in
    the request's sort."""
    ordered = cards[request.sort]
    return Listing(request, len(ordered), ordered[request.offset:request.offset + PAGE_SIZE])
