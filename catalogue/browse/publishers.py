"""``/publishers``: the organisations that publish solutions or collections, as cards, with
two facets (country and publisher type).

Who publishes, and how many solutions each publishes, is the search index's ``publisher``
facet (over every document, then over solutions), so a publisher's number is what
``/solutions?publisher=IRI`` lists. Its name, its ADMS publisher type and its place are read
with ``browse_publishers.rq`` and named with ``labels_of.rq``, once per data version. A
publisher that states no place (``dct:spatial``) is placed where most of its solutions are,
and the card says so: the data often names a country for solutions rather than for their
publishers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.browse.common import (
    FACET_TOP,
    PAGE_SIZE,
    Card,
    Facet,
    Listing,
    ListRequest,
    Spec,
    named,
    trim_facet,
)
from catalogue.search import FacetValue
from catalogue.store import Rows

PUBLISHERS = Spec("/publishers", ("country", "type"), ("name", "solutions"), "name")
CHUNK = 500  # agents per query (a VALUES block)


@dataclass
class PublisherRecord:
    """A publisher as read from the store and the index (cached per data version)."""

    iri: str
    solutions: int = 0
    names: list[ox.Literal] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    countries_from_solutions: bool = False

    def values(self, facet: str) -> list[str]:
        return self.countries if facet == "country" else self.types


def read_publishers(select: Callable[..., Rows], agents: Sequence[str], solutions: Mapping[str, int],
                    places: Mapping[str, Mapping[str, int]]) -> list[PublisherRecord]:
    """The publishers ``agents`` with their names, types and places (``select`` runs a saved
    query over the public dataset: ``Catalogue.select``). ``solutions``: solutions per
    publisher; ``places``: the most frequent places of each publisher's solutions, for a
    publisher that states none."""
    found = {a: PublisherRecord(a, solutions.get(a, 0)) for a in agents}
    ordered = sorted(found)
    for start in range(0, len(ordered), CHUNK):
        chunk = [ox.NamedNode(a) for a in ordered[start:start + CHUNK]]
        for r in select("browse_publishers", agent=chunk):
            rec = found.get(r["agent"].value)
            value, kind = r["value"], r["field"].value
            if rec is None:
                continue
            if kind == "name" and isinstance(value, ox.Literal):
                rec.names.append(value)
            elif isinstance(value, ox.NamedNode):
                listed = rec.types if kind == "type" else rec.countries
                if value.value not in listed:
                    listed.append(value.value)
    for rec in found.values():
        if not rec.countries and places.get(rec.iri):
            counted = places[rec.iri]
            rec.countries = [max(counted, key=lambda v: (counted[v], v))]
            rec.countries_from_solutions = True
    return list(found.values())


def publishers(records: Sequence[PublisherRecord], labels: Mapping[str, list[ox.Literal]],
               request: ListRequest, languages: Sequence[str] = ()) -> Listing[Card]:
    """One page of publishers as cards, by name or by number of solutions, narrowed by the
    request's country and type filters (OR within a facet, AND across), with both facets'
    counts (each ignoring its own filter, as the search's do). ``labels``: the names of
    type and country IRIs in every language."""
    active = {k: set(v) for k, v in request.filters.items() if v}

    def keeps(rec: PublisherRecord, skip: str | None = None) -> bool:
        return all(set(rec.values(name)) & chosen for name, chosen in active.items() if name != skip)

    facets = [_facet(name, records, keeps, active.get(name, set()), labels, request, languages)
              for name in request.spec.facets]
    cards = [_card(rec, labels, languages) for rec in records if keeps(rec)]
    cards.sort(key=lambda c: c.title.casefold())
    if request.sort == "solutions":
        cards.sort(key=lambda c: -(c.solutions or 0))
    return Listing(request, len(cards), cards[request.offset:request.offset + PAGE_SIZE], facets)


def _facet(name: str, records: Sequence[PublisherRecord], keeps: Callable[..., bool], chosen: set[str],
           labels: Mapping[str, list[ox.Literal]], request: ListRequest,
           languages: Sequence[str]) -> Facet:
    counts: dict[str, int] = dict.fromkeys(chosen, 0)
    for rec in records:
        if keeps(rec, skip=name):
            for value in rec.values(name):
                counts[value] = counts.get(value, 0) + 1
    values = []
    for value, n in counts.items():
        label = named(value, labels.get(value, []), languages)
        values.append(FacetValue(value, label.label, label.language, n, value in chosen))
    return trim_facet(name, values, request.whole == name, FACET_TOP)


def _card(rec: PublisherRecord, labels: Mapping[str, list[ox.Literal]], languages: Sequence[str]) -> Card:
    name = named(rec.iri, rec.names, languages)
    return Card(rec.iri, "publisher", name.label, name.language, solutions=rec.solutions,
                solutions_facet="publisher",
                countries=tuple(named(c, labels.get(c, []), languages) for c in rec.countries),
                countries_from_solutions=rec.countries_from_solutions,
                types=tuple(named(t, labels.get(t, []), languages) for t in rec.types))
