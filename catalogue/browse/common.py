"""What the browse pages share: the state a URL asks for, one page of cards, facets.

Every state of a browse page is its query string (``q``, ``sort``, ``page``, a parameter per
facet, repeatable, and ``all=FACET`` to list every value of one facet), so a page can be
shared and bookmarked: :meth:`ListRequest.parse` reads it, :meth:`ListRequest.params`
writes it back with a change applied. Parsing is here, not in the web layer, so that every
page refuses the same malformed parameters with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, TypeVar

import pyoxigraph as ox

from catalogue.errors import CatalogueError
from catalogue.search import FacetValue

PAGE_SIZE = 20
MAX_PAGE = 500
FACET_TOP = 10  # values a facet shows before its "show all N values" link
MAX_VALUES = 20  # values of one facet a URL may select
MAX_VALUE_CHARS = 2000
MAX_QUERY_CHARS = 500
LINE_CHARS = 160  # a card's description line
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\w\"'(«“])")
T = TypeVar("T")


class BrowseRequestError(CatalogueError, ValueError):
    """A parameter of a browse page is malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Spec:
    """What one browse page accepts: its facets (URL parameter names), sorts and default."""

    path: str
    facets: tuple[str, ...]
    sorts: tuple[str, ...]
    default_sort: str
    words: bool = False  # whether ``q`` is read


@dataclass(frozen=True)
class ListRequest:
    spec: Spec
    q: str = ""
    sort: str = ""
    page: int = 1
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    whole: str | None = None  # the facet shown with every value (``?all=NAME``)
    # ``?all_quality=1``: include the solutions below the site's CATALOGUE_MIN_QUALITY
    all_quality: bool = False

    @classmethod
    def parse(cls, spec: Spec, args: Mapping[str, Sequence[str]]) -> ListRequest:
        """The state ``args`` (a query string, each name with its values) asks for.
        Parameters a page does not know (``utm_source``, ``lang``) are ignored.

        :raise BrowseRequestError: a page that is not a whole number from 1 to 500, a sort
            the page does not offer, ``all`` naming no facet of the page, too many or too
            long facet values, over-long words.
        """
        def first(name: str) -> str:
            values = args.get(name) or [""]
            return values[0].strip()

        raw_page = first("page") or "1"
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
            raise BrowseRequestError(f"page must be a whole number from 1 to {MAX_PAGE}, "
                                     f"e.g. {spec.path}?page=2")
        sort = first("sort") or spec.default_sort
        if sort not in spec.sorts:
            raise BrowseRequestError(f"sort must be one of {', '.join(spec.sorts)}, "
                                     f"e.g. {spec.path}?sort={spec.sorts[1 if len(spec.sorts) > 1 else 0]}")
        whole = first("all") or None
        if whole is not None and whole not in spec.facets:
            raise BrowseRequestError(f"all must name a filter of this page: {', '.join(spec.facets)}, "
                                     f"e.g. {spec.path}?all={spec.facets[0]}")
        q = first("q") if spec.words else ""
        if len(q) > MAX_QUERY_CHARS:
            raise BrowseRequestError(f"q is too long: at most {MAX_QUERY_CHARS} characters")
        filters: dict[str, tuple[str, ...]] = {}
        for name in spec.facets:
            values = tuple(dict.fromkeys(v.strip() for v in args.get(name, ()) if v.strip()))
            if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
                raise BrowseRequestError(f"too many or too long {name} values: at most "
                                         f"{MAX_VALUES} of {MAX_VALUE_CHARS} characters")
            if values:
                filters[name] = values
        all_quality = "quality" in spec.facets and first("all_quality") not in ("", "0")
        return cls(spec, q, sort, int(raw_page), filters, whole, all_quality)

    def params(self, **changes: object) -> dict[str, list[str]]:
        """This state as URL parameters (defaults left out), ``changes`` applied: a value
        of None or [] removes a parameter; the page goes back to 1 unless it is changed."""
        state: dict[str, object] = {"q": self.q, "sort": self.sort, "page": None, "all": self.whole,
                                    "all_quality": "1" if self.all_quality else None}
        state.update(self.filters)
        state.update(changes)
        out: dict[str, list[str]] = {}
        for name, value in state.items():
            given = list(value) if isinstance(value, list | tuple) else [value]
            values = [str(v) for v in given if v not in (None, "")]
            if name == "sort" and values == [self.spec.default_sort]:
                continue
            if name == "page" and values == ["1"]:
                continue
            if values:
                out[name] = values
        return out

    def toggled(self, name: str, value: str) -> dict[str, list[str]]:
        """The parameters with ``value`` of facet ``name`` selected, or unselected if it was."""
        chosen = list(self.filters.get(name, ()))
        chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        return self.params(**{name: chosen})

    def with_filters(self, filters: dict[str, tuple[str, ...]]) -> ListRequest:
        return replace(self, filters=filters)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


@dataclass(frozen=True)
class Named:
    """A resource a card names: its IRI, its label and the label's language (None: untagged
    or named by the site)."""

    iri: str
    label: str
    language: str | None = None


@dataclass(frozen=True)
class Card:
    """One solution, collection or publisher as a browse page (or a search result) shows it.

    Only ``iri``, ``kind`` and ``title`` are always there; a card shows what it has.
    ``solutions`` counts the solutions of a collection or publisher, listed at
    ``/solutions?{solutions_facet}={iri}``.
    """

    iri: str
    kind: str  # "solution" | "collection" | "publisher"
    title: str
    title_language: str | None = None
    line: str = ""  # the description's first sentence, at most LINE_CHARS characters
    publishers: tuple[Named, ...] = ()
    blocks: tuple[Named, ...] = ()  # EIRA building blocks
    licences: tuple[Named, ...] = ()
    modified: datetime | None = None
    solutions: int | None = None
    solutions_facet: str | None = None
    countries: tuple[Named, ...] = ()
    countries_from_solutions: bool = False  # not said by the publisher: its solutions' places
    types: tuple[Named, ...] = ()  # publisher types
    quality: int | None = None  # a solution's quality score (catalogue/quality/), if computed


@dataclass(frozen=True)
class Facet:
    """One facet of a page: the values shown (the top ``FACET_TOP`` and the selected ones,
    or every value when ``whole``) and how many values it has in all."""

    name: str
    values: list[FacetValue]
    size: int
    whole: bool

    @property
    def hidden(self) -> int:
        return self.size - len(self.values)


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a browse page: its state, the number of items matching, the items of
    this page, the facets."""

    request: ListRequest
    total: int
    items: list[T]
    facets: list[Facet] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        """The number of this page's first item (for an ordered list's ``start``)."""
        return self.request.offset + 1


def first_sentence(text: str, limit: int = LINE_CHARS) -> str:
    """The first sentence of ``text`` on one line, cut at a word (with "…") beyond ``limit``
    characters: what a card says of a description."""
    flat = " ".join(text.split())
    sentence = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def trim_facet(name: str, values: Iterable[FacetValue], whole: bool, top: int = FACET_TOP) -> Facet:
    """A facet of ``values`` (every value counted): sorted by count then label, cut to the
    top ``top`` and the selected ones unless ``whole``."""
    ranked = sorted(values, key=lambda f: (-f.count, f.label.lower()))
    shown = ranked if whole else [f for k, f in enumerate(ranked) if k < top or f.selected]
    return Facet(name, shown, len(ranked), whole)


def choose(literals: Iterable[ox.Literal], languages: Sequence[str]) -> ox.Literal | None:
    """The literal in the first of ``languages`` (by primary subtag), then untagged, then
    English, then any; never a blank one."""
    found = [lit for lit in literals if lit.value.strip()]
    for want in (*languages, "", "en"):
        for lit in found:
            if (lit.language or "").split("-", 1)[0].lower() == want:
                return lit
    return found[0] if found else None


def named(iri: str, literals: Iterable[ox.Literal], languages: Sequence[str]) -> Named:
    """``iri`` named in the reader's ``languages``; its IRI's last segment if nothing names it."""
    lit = choose(literals, languages)
    if lit is None:
        return Named(iri, iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri)
    return Named(iri, " ".join(lit.value.split()), lit.language or None)
