"""``/eira``: the building blocks of EIRA v6, grouped by view, each with the number of
solutions that implement it: the page model a later coverage map reuses.

The views and their blocks are the bundled EIRA v6 vocabulary (``browse_eira.rq``); the
counts are the search index's ``eira`` facet over solutions. A solution typed with an EIRA
v4 block that a v6 block replaces (``dct:replaces``, from eira-v4-to-v6) counts for the v6
block, once even when typed with both: the block's ``counted`` IRIs are what its link to
``/solutions`` filters by (``?eira=v6&eira=v4``), so the link lists exactly that number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.browse.common import named
from catalogue.store import Rows

# EIRA's own reading order of its views; a view it does not list comes after, by label
VIEW_ORDER = ("LegalView", "OrganisationalView", "SemanticView", "TechnicalView-Application",
              "TechnicalView-Infrastructure", "InteroperabilityMotivationView")


@dataclass(frozen=True)
class EiraBlock:
    iri: str
    name: str
    language: str | None
    solutions: int  # solutions implementing it (or a v4 block it replaces)
    counted: tuple[str, ...]  # the block's IRI and those of the v4 blocks it replaces that solutions use

    @property
    def key(self) -> str:
        """The block's name in its IRI (``/dr8/KEY``)."""
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class EiraView:
    iri: str
    label: str
    blocks: list[EiraBlock]  # most implemented first, then by name

    @property
    def used(self) -> list[EiraBlock]:
        return [b for b in self.blocks if b.solutions]

    @property
    def unused(self) -> list[EiraBlock]:
        return [b for b in self.blocks if not b.solutions]


@dataclass
class ViewRecord:
    """A view as the vocabulary describes it (cached per data version)."""

    iri: str
    labels: list[ox.Literal] = field(default_factory=list)
    blocks: dict[str, list[ox.Literal]] = field(default_factory=dict)  # block -> its names
    replaces: dict[str, set[str]] = field(default_factory=dict)  # block -> v4 blocks


def read_views(select: Callable[[str], Rows]) -> list[ViewRecord]:
    """The views of EIRA v6 with their blocks, from ``browse_eira`` (``select`` runs a saved
    query over the public dataset: ``Catalogue.select``)."""
    views: dict[str, ViewRecord] = {}
    for r in select("browse_eira"):
        view = views.setdefault(r["view"].value, ViewRecord(r["view"].value))
        label = r.get("viewLabel")
        if isinstance(label, ox.Literal) and label not in view.labels:
            view.labels.append(label)
        block = r["block"].value
        names = view.blocks.setdefault(block, [])
        name = r.get("label")
        if isinstance(name, ox.Literal) and name not in names:
            names.append(name)
        older = r.get("older")
        if older is not None:
            view.replaces.setdefault(block, set()).add(older.value)
    return list(views.values())


def eira_views(records: Sequence[ViewRecord], counts: Mapping[str, int],
               union: Callable[[tuple[str, ...]], int],
               languages: Sequence[str] = ()) -> list[EiraView]:
    """Views -> blocks -> solutions, in EIRA's order of views. ``counts``: solutions per
    block IRI (v4 and v6); ``union``: the solutions implementing any of several IRIs (a
    solution typed with a block and the v4 block it replaces counts once)."""
    out = []
    for view in records:
        blocks = []
        for block, names in view.blocks.items():
            counted = (block, *sorted(o for o in view.replaces.get(block, ()) if counts.get(o)))
            n = counts.get(block, 0) if len(counted) == 1 else union(counted)
            name = named(block, names, languages)
            blocks.append(EiraBlock(block, name.label, name.language, n, counted))
        blocks.sort(key=lambda b: (-b.solutions, b.name.casefold()))
        label = named(view.iri, view.labels, languages).label
        out.append(EiraView(view.iri, label, blocks))
    return sorted(out, key=_in_eira_order)


def _in_eira_order(view: EiraView) -> tuple[int, str]:
    tail = view.iri.rsplit("/", 1)[-1]
    return (VIEW_ORDER.index(tail) if tail in VIEW_ORDER else len(VIEW_ORDER), view.label.casefold())
