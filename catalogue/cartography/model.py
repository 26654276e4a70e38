"""The EIRA cartography's model: the views and building blocks of EIRA v6 as the vocabulary
describes them, the state a query string asks for, and the map a page shows.

The vocabulary (``cartography_blocks.rq`` over ``vocab/eira-v6.0.0.DERIVED.ttl`` and
``eira-v4-to-v6.DERIVED.ttl``) gives each view its blocks, each block its names, its
viewpoints (plain text: "Interoperability Security viewpoint"...) and the EIRA v4 blocks it
replaces. Views and viewpoints are named in URLs by short keys derived from the vocabulary
(``/eira/semantic``, ``?viewpoint=interoperability-security``), so a newer EIRA with other
viewpoints needs no change here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.labels import pick
from catalogue.store import Rows

# EIRA's own reading order of the five views the map shows (IRI tails of the v6 vocabulary);
# the motivation view is left out: it holds one block, which is also in the other five
VIEWS = ("LegalView", "OrganisationalView", "SemanticView", "TechnicalView-Application",
         "TechnicalView-Infrastructure")
# the query-string parameters that filter the map: /search's facet names, and two friendly aliases
FILTERS = ("spatial", "theme", "collection", "publisher")
ALIASES = {"country": "spatial", "topic": "theme"}
MAX_VALUES = 20  # values per filter
COMPARE_MAX = 4
# coverage bands by the number of solutions implementing a block: (lowest count, band)
COVERAGE = ((20, "many"), (5, "some"), (1, "few"), (0, "none"))


class CartographyError(CatalogueError, ValueError):
    """A malformed or unknown parameter of the map; the message says which and how to fix it."""


class UnknownView(CartographyError):
    """No EIRA view has that key."""

    error_kind = ErrorKind.NOT_FOUND


class UnknownSolution(CartographyError):
    """No published solution has that IRI."""

    error_kind = ErrorKind.NOT_FOUND


def view_key(iri: str) -> str:
    """A view's key in URLs: ``.../view/SemanticView`` -> ``semantic``,
    ``TechnicalView-Application`` -> ``technical-application``."""
    return iri.rsplit("/", 1)[-1].replace("View", "").strip("-").lower()


def viewpoint_key(label: str) -> str:
    """A viewpoint's key in URLs: "Interoperability Security viewpoint" ->
    ``interoperability-security``."""
    text = re.sub(r"\s*viewpoint\s*$", "", label.strip(), flags=re.I)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def block_key(iri: str) -> str:
    """A block's name in its IRI (``/dr8/KEY``)."""
    return iri.rsplit("/", 1)[-1]


def coverage(solutions: int) -> str:
    """The band of a count: ``none`` (a gap), ``few``, ``some`` or ``many``."""
    return next(band for floor, band in COVERAGE if solutions >= floor)


@dataclass(frozen=True)
class BlockRecord:
    """A v6 building block as the vocabulary describes it."""

    iri: str
    names: tuple[ox.Literal, ...]
    views: tuple[str, ...]  # view keys, in EIRA's order
    viewpoints: tuple[str, ...]  # viewpoint keys
    replaces: tuple[str, ...]  # the blocks it (or a twin) replaces, in turn: v6.0 ones v6.1 renamed, v4 ones
    twins: tuple[str, ...] = ()  # v6.1 PURIs of the same block in the same view (see read_vocabulary)

    @property
    def iris(self) -> tuple[str, ...]:
        """Its own IRI and its twins'."""
        return (self.iri, *self.twins)

    def name(self, languages: Sequence[str] = ()) -> tuple[str, str | None]:
        """(name in the reader's languages, its language tag), else the IRI's tail."""
        lit = pick(self.names, tuple(languages) or ("en",))
        if lit is None:
            return block_key(self.iri), None
        return lit.value, lit.language or None


@dataclass(frozen=True)
class ViewRecord:
    key: str
    iri: str
    names: tuple[ox.Literal, ...]
    blocks: tuple[str, ...]  # block IRIs


@dataclass(frozen=True)
class Vocabulary:
    """EIRA v6's five views, their blocks and the viewpoints (key -> label), read once per
    data version."""

    views: tuple[ViewRecord, ...]
    blocks: Mapping[str, BlockRecord]
    viewpoints: Mapping[str, str]

    def view(self, key: str) -> ViewRecord:
        """:raise UnknownView: no view has the key ``key``."""
        found = next((v for v in self.views if v.key == key), None)
        if found is None:
            raise UnknownView(f"there is no EIRA view {key!r}: the views are "
                              + ", ".join(v.key for v in self.views))
        return found

    def successors(self) -> dict[str, list[str]]:
        """A block not on the map (EIRA v4, a v6.0 block v6.1 renamed, a twin) -> the blocks
        of the map that stand for it."""
        out: dict[str, list[str]] = {}
        for block in self.blocks.values():
            for older in (*block.twins, *block.replaces):
                out.setdefault(older, []).append(block.iri)
        return out


def read_vocabulary(select: Callable[[str], Rows]) -> Vocabulary:
    """The views, blocks and viewpoints from ``cartography_blocks`` (``select`` runs a saved
    query over the public dataset: ``Catalogue.select``).

    Only the five views of :data:`VIEWS` are kept, v6.0.0's and v6.1.0's merged by name (v6.1
    lists only the blocks v6.0 lacks); a block listed in several views is in each. A block
    that another block on the map replaces (v6.1 renamed ten of v6.0's) gives way to it: its
    successor takes its viewpoints and counts the solutions typed with it (and with what it
    replaced, down to EIRA v4).

    v6.1 also reissued some seventy v6.0 blocks under a new PURI (its ArchiMate type added:
    ``MasterDataObject`` -> ``MasterDataDataObject``) with the same name and no succession
    link; solutions use the v6.0 PURI, ELIS the v6.1 one. A block only v6.1 lists whose name
    (ignoring case) is that of a v6.0 block of the same view is that block's *twin*: one tile,
    under the v6.0 PURI, counting the solutions and specifications of both.
    """
    view_iris: dict[str, str] = {}  # key -> the view's IRI (v6.0's, the shorter)
    view_names: dict[str, list[ox.Literal]] = {}
    view_blocks: dict[str, list[str]] = {}
    names: dict[str, list[ox.Literal]] = {}
    views_of: dict[str, list[str]] = {}
    points: dict[str, set[str]] = {}
    older: dict[str, set[str]] = {}
    viewpoints: dict[str, str] = {}
    v60: set[str] = set()  # blocks a v6.0.0 view lists
    for r in select("cartography_blocks"):
        iri = r["view"].value
        if iri.rsplit("/", 1)[-1] not in VIEWS:
            continue
        view, block = view_key(iri), r["block"].value
        if view not in view_iris or len(iri) < len(view_iris[view]):
            view_iris[view] = iri
        label, name, point, replaced = r.get("viewLabel"), r.get("label"), r.get("viewpoint"), r.get("older")
        if isinstance(label, ox.Literal) and label not in view_names.setdefault(view, []):
            view_names[view].append(label)
        if block not in view_blocks.setdefault(view, []):
            view_blocks[view].append(block)
        if view not in views_of.setdefault(block, []):
            views_of[block].append(view)
        if r["scheme"].value.endswith("/v6.0.0"):
            v60.add(block)
        if isinstance(name, ox.Literal) and name not in names.setdefault(block, []):
            names[block].append(name)
        if isinstance(point, ox.Literal):
            key = viewpoint_key(point.value)
            viewpoints.setdefault(key, point.value)
            points.setdefault(block, set()).add(key)
        if replaced is not None:
            older.setdefault(block, set()).add(replaced.value)
    superseded = {o for b in views_of for o in older.get(b, ()) if o in views_of and o != b}
    order = {view_key(tail): n for n, tail in enumerate(VIEWS)}

    def before(block: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Every block ``block`` replaces, directly or through another (v6.1 -> v6.0 -> v4)."""
        out: set[str] = set()
        for o in older.get(block, ()):
            if o not in seen and o != block:
                out |= {o} | before(o, seen | {block})
        return out

    named = {(view, name.value.casefold()): b for view, bs in view_blocks.items() for b in bs
             if b in v60 and b not in superseded for name in names.get(b, ())}
    twins: dict[str, list[str]] = {}  # v6.0 block -> its v6.1 twins
    for b, vs in views_of.items():
        if b in v60 or b in superseded:
            continue
        found = {named[(v, n.value.casefold())] for v in vs for n in names.get(b, ()) if (v, n.value.casefold()) in named}
        if len(found) == 1:
            twins.setdefault(found.pop(), []).append(b)
    gone = superseded | {b for bs in twins.values() for b in bs}
    blocks = {}
    for b in views_of:
        if b in gone:
            continue
        group = [b, *twins.get(b, ())]
        earlier = set().union(*(before(x) for x in group))
        inherited = set().union(*(points.get(x, set()) for x in (*group, *earlier)))
        keys = {v for x in group for v in views_of[x]}
        blocks[b] = BlockRecord(b, tuple(names.get(b, ())), tuple(sorted(keys, key=order.__getitem__)),
                                tuple(sorted(inherited)), tuple(sorted(earlier)), tuple(sorted(twins.get(b, ()))))
    for key, bs in view_blocks.items():  # a twin's views list the block it is the twin of
        for b, record in blocks.items():
            if key in record.views and b not in bs:
                bs.append(b)
    views = tuple(ViewRecord(key, view_iris[key], tuple(view_names.get(key, ())),
                             tuple(b for b in bs if b not in gone))
                  for key, bs in sorted(view_blocks.items(), key=lambda kv: order[kv[0]]))
    return Vocabulary(views, blocks, dict(sorted(viewpoints.items(), key=lambda kv: kv[1].casefold())))


@dataclass(frozen=True)
class MapRequest:
    """What a query string asks of the map: filters (facet -> values, /search's names and
    values) and a viewpoint to highlight."""

    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    viewpoint: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, Sequence[str]], vocabulary: Vocabulary,
              known: Mapping[str, Mapping[str, int]]) -> MapRequest:
        """The state ``args`` asks for; other parameters are ignored (a shared link may carry
        tracking parameters).

        :raise CartographyError: a filter value no published solution has (``known``: facet
            -> value -> solutions), too many or too long values, an unknown viewpoint.
        """
        filters: dict[str, tuple[str, ...]] = {}
        for name in (*FILTERS, *ALIASES):
            values = [v.strip() for v in args.get(name, ()) if v.strip()]
            if not values:
                continue
            facet = ALIASES.get(name, name)
            merged = tuple(dict.fromkeys((*filters.get(facet, ()), *values)))
            if len(merged) > MAX_VALUES:
                raise CartographyError(f"too many {name} values: at most {MAX_VALUES}")
            for value in merged:
                if value not in known.get(facet, {}):
                    shown = value if len(value) <= 200 else value[:200] + "…"
                    raise CartographyError(
                        f"no published solution has the {name} {shown!r}: use the IRI of a value "
                        f"that /search offers under that facet (e.g. /search?{facet}=IRI)")
            filters[facet] = merged
        viewpoint = None
        raw = [v.strip() for v in args.get("viewpoint", ()) if v.strip()]
        if len(raw) > 1:
            raise CartographyError("viewpoint: give one viewpoint at a time")
        if raw:
            viewpoint = raw[0]
            if viewpoint not in vocabulary.viewpoints:
                raise CartographyError(f"there is no viewpoint {viewpoint[:100]!r}: use one of "
                                       + ", ".join(vocabulary.viewpoints))
        return cls(filters, viewpoint)

    def params(self, **changes: object) -> dict[str, list[str]]:
        """The query-string parameters of this state with ``changes`` (a facet name -> its
        values, or ``viewpoint`` -> a key or None)."""
        out: dict[str, list[str]] = {k: list(v) for k, v in self.filters.items() if v}
        if self.viewpoint:
            out["viewpoint"] = [self.viewpoint]
        for name, value in changes.items():
            if value in (None, "", [], ()):
                out.pop(name, None)
            else:
                out[name] = list(value) if isinstance(value, (list, tuple)) else [str(value)]
        return out

    def without(self, facet: str, value: str) -> dict[str, list[str]]:
        """This state's parameters with one filter value removed."""
        return self.params(**{facet: [v for v in self.filters.get(facet, ()) if v != value]})

    @property
    def key(self) -> tuple:
        return tuple(sorted((k, tuple(sorted(v))) for k, v in self.filters.items())), self.viewpoint


@dataclass(frozen=True)
class Tile:
    """A building block on the map."""

    iri: str
    label: str
    language: str | None
    view: str  # the key of the view it is shown in
    views: tuple[str, ...]  # every view listing it
    viewpoints: tuple[str, ...]
    solutions: int  # published solutions typed with it, or with an EIRA v4 block it replaces
    specifications: int  # distinct ELIS specifications related to it
    counted: tuple[str, ...]  # the IRIs its solutions are typed with (for /solutions?eira=...)
    highlighted: bool  # in the viewpoint the reader asked for
    twins: tuple[str, ...] = ()  # v6.1 PURIs of the same block

    @property
    def key(self) -> str:
        return block_key(self.iri)

    @property
    def coverage(self) -> str:
        return coverage(self.solutions)


@dataclass(frozen=True)
class MapView:
    key: str
    iri: str
    label: str
    language: str | None
    tiles: tuple[Tile, ...]  # by name

    @property
    def gaps(self) -> list[Tile]:
        """Blocks no solution implements."""
        return [t for t in self.tiles if not t.solutions]

    @property
    def covered(self) -> int:
        return sum(1 for t in self.tiles if t.solutions)

    @property
    def highlighted(self) -> int:
        return sum(1 for t in self.tiles if t.highlighted)


@dataclass(frozen=True)
class Map:
    request: MapRequest
    views: tuple[MapView, ...]
    solutions: int  # published solutions the filters select
    viewpoints: Mapping[str, str]  # key -> label, every viewpoint the vocabulary has

    def blocks(self) -> list[Tile]:
        """Every block once (in the first view listing it), in the map's order."""
        seen: set[str] = set()
        out = []
        for view in self.views:
            for tile in view.tiles:
                if tile.iri not in seen:
                    seen.add(tile.iri)
                    out.append(tile)
        return out
