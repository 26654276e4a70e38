"""The EIRA cartography of one catalogue (``Catalogue.cartography``): the map of EIRA v6's
building blocks with how many solutions implement each and how many specifications apply,
under filters; a block's specifications; a solution's footprint; footprints compared.

Nothing here is a SPARQL aggregate per request. Once per data version: the vocabulary
(``cartography_blocks.rq``), the specifications per block (``Catalogue.standards``'s derived
index of ELIS) and the values each filter may take (the search index). Per filter state,
once (kept in a small cache for the data version): the solutions per block, from the search
index's ``eira`` facet over solutions with the filters applied, the same index /search and
/solutions count with, so a tile's number is what its link lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.cache import LRU
from catalogue.cartography.footprint import Footprint, SpecRef, footprint
from catalogue.cartography.model import (
    COMPARE_MAX,
    FILTERS,
    CartographyError,
    Map,
    MapRequest,
    MapView,
    Tile,
    UnknownSolution,
    Vocabulary,
    read_vocabulary,
)
from catalogue.labels import pick
from catalogue.search import ALL_VALUES, SearchRequest, breakdown, count
from catalogue.standards import BlockSpecification

if TYPE_CHECKING:
    from catalogue.app import Catalogue

Args = Mapping[str, Sequence[str]]
SOLUTIONS: dict[str, tuple[str, ...]] = {"type": ("solution",)}
MAPS_CACHED = 128
OPTIONS_SHOWN = 40  # values of a filter the page's form offers (the most used, and the chosen)


class Cartography:
    """The map, a block's specifications, footprints (see the module's docstring)."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._maps: LRU[tuple, Map] = LRU(MAPS_CACHED)
        self._counts: LRU[tuple, tuple[int, dict[str, tuple[int, tuple[str, ...]]]]] = LRU(MAPS_CACHED)

    # once per data version

    def vocabulary(self) -> Vocabulary:
        """EIRA v6's five views, their blocks and viewpoints."""
        return self._root.per_version("cartography:vocabulary", lambda: read_vocabulary(self._root.select))

    def specification_counts(self) -> dict[str, int]:
        """Block IRI -> the number of distinct ELIS specifications related to it or to a twin
        (absent: none)."""
        def read() -> dict[str, int]:
            counts = dict(self._root.standards.counts_by_block())
            for block in self.vocabulary().blocks.values():
                if block.twins:
                    counts[block.iri] = len({b.spec.iri for i in block.iris
                                             for b in self._root.standards.for_block(i)})
            return counts
        return self._root.per_version("cartography:specifications", read)

    def known_values(self) -> dict[str, dict[str, int]]:
        """Filter facet -> value -> published solutions having it: what a filter may ask."""
        def read() -> dict[str, dict[str, int]]:
            index = self._root.search.index()
            every = SearchRequest(filters=SOLUTIONS)
            return {facet: breakdown(index, every, "type", facet, ALL_VALUES).get("solution", {})
                    for facet in FILTERS}
        return self._root.per_version("cartography:known values", read)

    # per request

    def parse(self, args: Args) -> MapRequest:
        """The state a query string asks for.

        :raise CartographyError: a filter value no published solution has, an unknown viewpoint.
        """
        return MapRequest.parse(args, self.vocabulary(), self.known_values())

    def map(self, args: Args, languages: Sequence[str] = (), view: str | None = None) -> Map:
        """The map of every view (or of ``view``, a key such as ``semantic``) under the
        filters and viewpoint of ``args``, with names in the reader's ``languages``.

        :raise UnknownView: ``view`` is not the key of a view.
        :raise CartographyError: as :meth:`parse`.
        """
        vocabulary = self.vocabulary()
        if view is not None:
            vocabulary.view(view)  # raises UnknownView
        request = self.parse(args)
        key = (self._root.data_version().token, self._root.search.generation(), tuple(languages), request.key, view)
        found = self._maps.get(key)
        if found is None:
            found = self._build(vocabulary, request, languages, view)
            self._maps.put(key, found)
        return found

    def block_specifications(self, iri: str, languages: Sequence[str] = ()) -> list[BlockSpecification]:
        """The specifications ELIS relates to block ``iri`` (or to its twin, see
        :func:`~catalogue.cartography.model.read_vocabulary`), each with ELIS's reason and its
        best CAMSS score (``Catalogue.standards``), best assessed first."""
        vocabulary = self.vocabulary()
        block = vocabulary.blocks.get(iri)
        if block is None:
            standing = vocabulary.successors().get(iri, [])
            block = vocabulary.blocks[standing[0]] if len(standing) == 1 and iri in vocabulary.blocks[
                standing[0]].twins else None
        if block is None or not block.twins:
            return self._root.standards.for_block(iri, languages)
        found: dict[str, BlockSpecification] = {}
        for i in block.iris:
            for b in self._root.standards.for_block(i, languages):
                found.setdefault(b.spec.iri, b)
        return sorted(found.values(), key=lambda b: (b.score is None, -(b.score or 0), b.spec.title.casefold()))

    def footprint(self, iri: str, languages: Sequence[str] = ()) -> Footprint:
        """Solution ``iri``'s EIRA footprint.

        :raise UnknownSolution: no published solution has that IRI.
        """
        node = ox.NamedNode(iri)
        rows = self._root.select("cartography_solution", solution=node).rows
        if not rows:
            raise UnknownSolution(f"no published solution has the IRI {iri}")
        titles = [t for r in rows if isinstance(t := r.get("title"), ox.Literal)]
        title = pick(titles, tuple(languages) or ("en",))
        types = {r["block"].value for r in rows if r.get("block") is not None}
        declared = {r["spec"].value for r in self._root.select("cartography_conforms_to", solution=node)}
        return self.footprint_of(iri, title.value if title is not None else iri, types, declared, languages)

    def footprint_of(self, iri: str, title: str, types: Iterable[str], declared: Iterable[str],
                     languages: Sequence[str] = ()) -> Footprint:
        """The footprint of solution ``iri`` from what its page already read: its title, the
        EIRA IRIs it is typed with, the specifications it declares (on itself, its releases
        and their distributions). No query: a cold solution page asked two for these (2 to
        5 ms on the embedded store; on a remote one, 27 s at 10k solutions, the solution
        joined only after every solution was read)."""
        vocabulary = self.vocabulary()

        def view_name(key: str) -> tuple[str, str | None]:
            lit = pick(list(vocabulary.view(key).names), tuple(languages) or ("en",))
            return (lit.value, lit.language or None) if lit is not None else (key, None)

        def specs_of(block: str) -> list[SpecRef]:
            return [SpecRef(b.spec.iri, b.spec.title, b.spec.title_language)
                    for b in self.block_specifications(block, languages)]

        return footprint(iri, title, sorted(set(types)), set(declared), vocabulary, view_name, specs_of,
                         languages)

    def compare(self, iris: Sequence[str], languages: Sequence[str] = ()) -> list[Footprint]:
        """The footprints of up to :data:`COMPARE_MAX` solutions, in the order given (an IRI
        given twice counts once).

        :raise CartographyError: none, or more than four, solutions.
        :raise UnknownSolution: one of them is not a published solution.
        """
        wanted = list(dict.fromkeys(i.strip() for i in iris if i.strip()))
        if not wanted:
            raise CartographyError("name the solutions to compare: /eira/compare?s=IRI&s=IRI")
        if len(wanted) > COMPARE_MAX:
            raise CartographyError(f"compare at most {COMPARE_MAX} solutions at a time, not {len(wanted)}")
        for iri in wanted:
            if not iri.startswith(("http://", "https://")) or len(iri) > 2000:
                raise CartographyError(f"s must be the IRI of a solution (http:// or https://), not {iri[:100]!r}")
        return [self.footprint(iri, languages) for iri in wanted]

    def filter_options(self, request: MapRequest, languages: Sequence[str] = ()) -> dict[str, list[tuple[str, str, int]]]:
        """For each filter, the values the page's form offers: (value, name, solutions), the
        most used first (and every chosen one), at most :data:`OPTIONS_SHOWN`."""
        index = self._root.search.index()
        out = {}
        for facet, values in self.known_values().items():
            chosen = set(request.filters.get(facet, ()))
            top = sorted(values.items(), key=lambda kv: -kv[1])
            kept = [(v, n) for k, (v, n) in enumerate(top) if k < OPTIONS_SHOWN or v in chosen]
            named = [(v, index.label(v, tuple(languages))[0], n) for v, n in kept]
            out[facet] = sorted(named, key=lambda x: x[1].casefold())
        return out

    def view_names(self, languages: Sequence[str] = ()) -> list[tuple[str, str]]:
        """(key, name) of each of the five views, in EIRA's order."""
        wanted = tuple(languages) or ("en",)
        out = []
        for view in self.vocabulary().views:
            lit = pick(list(view.names), wanted)
            out.append((view.key, lit.value if lit is not None else view.key))
        return out

    def label(self, facet: str, value: str, languages: Sequence[str] = ()) -> str:
        """A filter value's name in the reader's languages (the search index's labels)."""
        return self._root.search.index().label(value, tuple(languages))[0]

    # building

    def solution_counts(self, request: MapRequest) -> tuple[int, dict[str, tuple[int, tuple[str, ...]]]]:
        """(solutions the filters select, block -> (solutions implementing it, the IRIs they
        are typed with)): a solution typed with a block and an EIRA v4 block it replaces
        counts once."""
        key = (self._root.data_version().token, self._root.search.generation(), tuple(sorted(request.filters.items())))
        found = self._counts.get(key)
        if found is not None:
            return found
        index = self._root.search.index()
        filters = {**SOLUTIONS, **request.filters}
        per_iri = breakdown(index, SearchRequest(filters=filters), "type", "eira", ALL_VALUES).get("solution", {})
        out = {}
        for block in self.vocabulary().blocks.values():
            used = tuple(i for i in (*block.iris, *block.replaces) if per_iri.get(i))
            if len(used) <= 1:
                n = per_iri.get(used[0], 0) if used else 0
            else:
                n = count(index, SearchRequest(filters={**filters, "eira": used}))
            out[block.iri] = (n, used or (block.iri,))
        found = (count(index, SearchRequest(filters=filters)), out)
        self._counts.put(key, found)
        return found

    def _build(self, vocabulary: Vocabulary, request: MapRequest, languages: Sequence[str],
               only: str | None) -> Map:
        total, solutions = self.solution_counts(request)
        specifications = self.specification_counts()
        wanted = tuple(languages) or ("en",)
        views = []
        for view in vocabulary.views:
            if only is not None and view.key != only:
                continue
            tiles = []
            for iri in view.blocks:
                block = vocabulary.blocks[iri]
                label, language = block.name(wanted)
                n, counted = solutions.get(iri, (0, (iri,)))
                tiles.append(Tile(iri, label, language, view.key, block.views, block.viewpoints, n,
                                  specifications.get(iri, 0), counted,
                                  request.viewpoint is not None and request.viewpoint in block.viewpoints,
                                  block.twins))
            tiles.sort(key=lambda t: t.label.casefold())
            name = pick(list(view.names), wanted)
            views.append(MapView(view.key, view.iri, name.value if name is not None else view.key,
                                 (name.language or None) if name is not None else None, tuple(tiles)))
        return Map(request, tuple(views), total, vocabulary.viewpoints)
