"""The catalogue of ICT standards and specifications of one catalogue (``Catalogue.standards``):
the derived index (once per data version), /standards' listing and CSV, a specification's
and an assessment's page, and what the cartography asks: the specifications of a block,
and how many apply to each block.

The index is read over the current graphs of the sources (not the ~20 vocabulary graphs,
which describe no specification): the five saved queries then take ~0.6 s instead of ~5 s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph as ox

from catalogue import queries
from catalogue.browse import Listing
from catalogue.cache import LRU
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.standards.index import read
from catalogue.standards.listing import SpecCard, StandardsIndex, parse
from catalogue.standards.pages import (
    AssessmentPage,
    SpecificationPage,
    assessment_page,
    specification_page,
)
from catalogue.store import Dataset

if TYPE_CHECKING:
    from catalogue.app import Catalogue

Args = Mapping[str, Sequence[str]]
V60_VIEWS = "https://catalogue.example.org/def/eira#view/"
V61_VIEWS = V60_VIEWS + "v6.1.0/"  # build_eira_v61.py's views: the blocks v6.0 lists in none
QUERIES = ("standards_specifications", "standards_elis_records", "standards_block_reasons",
           "standards_maintainers", "standards_assessment_scores")


class UnknownSpecification(CatalogueError):
    """No published specification (or assessment) has that IRI."""

    error_kind = ErrorKind.NOT_FOUND


class BlockSpecification(NamedTuple):
    """A specification that applies to a building block: ``(spec, reason, best score)``."""

    spec: SpecCard
    reason: str  # ELIS's reason, in the reader's language when it has one
    score: int | None  # best CAMSS score, a percentage; None: never assessed


class Standards:
    """Specifications, their building blocks and their CAMSS assessments."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        # for_block's answers for the current index: every solution page of a block asks the
        # same (~30 cards at 10k solutions with ELIS: 3 ms a cold page, built again each time)
        self._blocks: tuple[StandardsIndex | None, LRU[tuple, tuple[BlockSpecification, ...]]] = (None, LRU(2048))

    def index(self) -> StandardsIndex:
        """Every specification with its facets (built once per data version)."""
        return self._root.per_version("standards:index", self._build)

    def listing(self, args: Args, languages: Sequence[str] = ()) -> Listing[SpecCard]:
        """One page of ``/standards`` for the query string ``args``.

        :raise BrowseRequestError: a malformed parameter, or a facet value that does not exist.
        """
        return self.index().listing(parse(args), languages)

    def csv(self, args: Args, languages: Sequence[str], page_of: Callable[[str], str]) -> str:
        """Every specification ``args`` selects as CSV (``page_of``: a specification's page URL).

        :raise BrowseRequestError: as :meth:`listing`.
        """
        return self.index().csv(parse(args), languages, page_of)

    def for_block(self, iri: str, languages: Sequence[str] = ()) -> list[BlockSpecification]:
        """The specifications ELIS relates to the building block ``iri``, each with ELIS's
        reason and its best CAMSS score: best assessed first, then by title. Empty for a
        block no specification applies to (or no block at all)."""
        index = self.index()
        if self._blocks[0] is not index:  # a new data version: a new index, nothing kept
            self._blocks = (index, LRU(2048))
        kept, key = self._blocks[1], (iri, tuple(languages))
        found = kept.get(key)
        if found is None:
            out = []
            for rec in index.by_block.get(iri, []):
                card = index.card(rec, languages, iri)
                out.append(BlockSpecification(card, card.blocks[0].reason if card.blocks else "", rec.best))
            out.sort(key=lambda b: (b.score is None, -(b.score or 0), b.spec.title.casefold()))
            found = tuple(out)
            kept.put(key, found)
        return list(found)

    def counts_by_block(self) -> dict[str, int]:
        """Building block IRI -> the number of distinct specifications ELIS relates to it
        (blocks with none are absent)."""
        return {block: len(specs) for block, specs in self.index().by_block.items()}

    def page(self, kind: str, iri: str, languages: Sequence[str] = ()) -> SpecificationPage | AssessmentPage:
        """The page of a specification (``kind`` "specification") or a CAMSS assessment
        ("assessment").

        :raise UnknownSpecification: the index has no such specification or assessment.
        """
        index = self.index()
        found: SpecificationPage | AssessmentPage | None
        if kind == "specification":
            found = specification_page(index, iri, languages)
        else:
            rows = queries.select(self._root.store, "standards_assessment", dataset=self._sources(),
                                  assessment=ox.NamedNode(iri))
            found = assessment_page(index, iri, rows, languages)
        if found is None:
            raise UnknownSpecification(f"no published {kind} has the IRI {iri}")
        return found

    # read once per data version

    def _sources(self) -> Dataset:
        def dataset() -> Dataset:
            graphs = [s.graph for s in self._root.publishing.sources().values() if s.graph is not None]
            return Dataset(default_graphs=graphs, named_graphs=graphs)
        return self._root.per_version("standards:sources", dataset)

    def _build(self) -> StandardsIndex:
        dataset = self._sources()
        data = read({name: queries.select(self._root.store, name, dataset=dataset) for name in QUERIES})
        names: dict[str, list[ox.Literal]] = {}
        views: dict[str, list[str]] = {}
        view_names: dict[str, list[ox.Literal]] = {}
        for r in self._root.select("standards_eira_blocks"):
            view = r["view"].value.replace(V61_VIEWS, V60_VIEWS)  # one view, whichever version lists it
            block = r["block"].value
            for found, value in ((view_names.setdefault(view, []), r.get("viewLabel")),
                                 (names.setdefault(block, []), r.get("label"))):
                if isinstance(value, ox.Literal) and value not in found:
                    found.append(value)
            if view not in views.setdefault(block, []):
                views[block].append(view)
        return StandardsIndex(data, names, views, view_names)
