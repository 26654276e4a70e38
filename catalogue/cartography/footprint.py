"""A solution's EIRA footprint: the v6 building blocks it implements, lit on a small map of
the five views, and the specifications those blocks call for (ELIS, through
``Catalogue.standards``) as a checklist: which the solution declares with ``dct:conformsTo``
(on itself, a release or a distribution: ``cartography_conforms_to.rq``), which it does not.

A solution typed with an EIRA v4 block lights the v6 blocks that replace it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from catalogue.cache import LRU
from catalogue.cartography.model import BlockRecord, Vocabulary


@dataclass(frozen=True)
class Lit:
    """A block of the footprint, named."""

    iri: str
    label: str
    language: str | None


@dataclass(frozen=True)
class FootprintView:
    key: str
    label: str
    language: str | None
    cells: tuple[bool, ...]  # one per block of the view, in name order: lit or not
    lit: tuple[Lit, ...]

    @property
    def size(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class Requirement:
    """A specification the solution's blocks call for."""

    iri: str
    title: str
    language: str | None
    blocks: tuple[str, ...]  # the names of the solution's blocks it applies to
    declared: bool


@dataclass(frozen=True)
class Footprint:
    iri: str
    title: str
    views: tuple[FootprintView, ...]
    requirements: tuple[Requirement, ...]  # missing first, then by title
    unplaced: tuple[str, ...]  # EIRA blocks it is typed with that are on no v6 view

    @property
    def blocks(self) -> int:
        return sum(len(v.lit) for v in self.views)

    @property
    def declared(self) -> list[Requirement]:
        return [r for r in self.requirements if r.declared]

    @property
    def missing(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.declared]


@dataclass(frozen=True)
class SpecRef:
    """What the footprint needs of a specification that applies to a block."""

    iri: str
    title: str
    language: str | None


def footprint(iri: str, title: str, types: Iterable[str], declared: set[str], vocabulary: Vocabulary,
              view_names: Callable[[str], tuple[str, str | None]],
              specs_of: Callable[[str], Sequence[SpecRef]], languages: Sequence[str] = ()) -> Footprint:
    """The footprint of solution ``iri`` typed with the EIRA IRIs ``types`` and declaring
    conformance to ``declared``; ``view_names``: a view key's name; ``specs_of``: the
    specifications that apply to a block."""
    successors = vocabulary.successors()
    lit: set[str] = set()
    unplaced = []
    for t in types:
        if t in vocabulary.blocks:
            lit.add(t)
        elif t in successors:
            lit.update(successors[t])
        else:
            unplaced.append(t)
    names = {b: vocabulary.blocks[b].name(languages) for b in lit}
    views = []
    for view, ordered in zip(vocabulary.views, _ordered_views(vocabulary, languages), strict=True):
        label, language = view_names(view.key)
        views.append(FootprintView(view.key, label, language, tuple(b in lit for b in ordered),
                                   tuple(Lit(b, *names[b]) for b in ordered if b in lit)))
    found: dict[str, tuple[SpecRef, list[str]]] = {}
    for block in sorted(lit, key=lambda b: names[b][0].casefold()):
        for spec in specs_of(block):
            found.setdefault(spec.iri, (spec, []))[1].append(names[block][0])
    requirements = [Requirement(s.iri, s.title, s.language, tuple(blocks), s.iri in declared)
                    for s, blocks in found.values()]
    requirements.sort(key=lambda r: (r.declared, r.title.casefold()))
    return Footprint(iri, title, tuple(views), tuple(requirements), tuple(sorted(unplaced)))


def _sort_name(block: BlockRecord, languages: Sequence[str]) -> str:
    return block.name(languages)[0].casefold()


# (id of a vocabulary, languages) -> (that vocabulary, each view's blocks in name order): the
# same for every footprint drawn from one vocabulary (one per data version), and sorting the
# ~330 blocks by name was a tenth of a cold solution page's Python
_ORDER: LRU[tuple[int, tuple[str, ...]], tuple[Vocabulary, list[list[str]]]] = LRU(64)


def _ordered_views(vocabulary: Vocabulary, languages: Sequence[str]) -> list[list[str]]:
    """Each view's blocks, in name order in ``languages``."""
    key = (id(vocabulary), tuple(languages))
    hit = _ORDER.get(key)
    if hit is not None and hit[0] is vocabulary:  # an id may be reused once a vocabulary is gone
        return hit[1]
    ordered = [sorted(view.blocks, key=lambda b: _sort_name(vocabulary.blocks[b], languages))
               for view in vocabulary.views]
    _ORDER.put(key, (vocabulary, ordered))
    return ordered
