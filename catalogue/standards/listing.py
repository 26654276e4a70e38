"""``/standards``: the specifications as cards, searchable by words, with facets, in pages,
and as CSV for a call for tenders; all from the :class:`Catalogue` built once per data
version (:class:`Catalogue` here is the in-memory one of this module, not the app's root).

Facets (URL parameters, repeatable; values of one facet are alternatives, facets combine):
``block`` (EIRA building block PURI), ``view`` (EIRA view), ``maintainer`` (the standards
body's IRI), ``kind`` (standard, specification, application-profile, family), ``assessed``
(yes, no), ``score`` (a band of the best CAMSS score: 90-100, 75-89, 50-74, 0-49). A value a
facet does not have is refused (400), so a mistyped link does not silently list nothing.
Sorts: ``best`` (best assessed first, then by name; the procurer's view) and ``name``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from catalogue.browse import PAGE_SIZE, BrowseRequestError, Facet, Listing, ListRequest, Spec
from catalogue.browse.common import choose, first_sentence, named, trim_facet
from catalogue.cache import LRU
from catalogue.search import FacetValue
from catalogue.standards.index import (
    KINDS,
    SCORE_BANDS,
    Maintainer,
    SpecRecord,
    StandardsData,
    block_name,
)

STANDARDS = Spec("/standards", ("block", "view", "maintainer", "kind", "assessed", "score"),
                 ("best", "name"), "best", words=True)
FACETS = STANDARDS.facets


@dataclass(frozen=True)
class BlockRef:
    """A building block a specification serves, named, with ELIS's reason."""

    iri: str
    name: str
    reason: str


@dataclass(frozen=True)
class SpecCard:
    """One specification as /standards lists it (and the CSV exports it)."""

    iri: str
    title: str
    title_language: str | None
    version: str
    acronym: str
    line: str  # the description's first sentence
    kind: str
    maintainers: tuple[tuple[str, str], ...]  # (IRI, name)
    blocks: tuple[BlockRef, ...]
    best: int | None  # best CAMSS score (percentage)
    assessments: int
    elis: bool
    downloads: tuple[str, ...]


@dataclass
class Entry:
    """A specification with the facet values it has (the index's unit)."""

    record: SpecRecord
    values: dict[str, tuple[str, ...]]
    words: str  # lower-cased text searched by ``q``
    name: str  # sort key
    best: int | None  # the record's best score, computed once


class StandardsIndex:
    """Every specification with its facet values, the blocks' names and views, and the
    maintainers' names: built once per data version (~800 specifications: ~50 ms)."""

    def __init__(self, data: StandardsData, block_names: Mapping[str, list[ox.Literal]],
                 block_views: Mapping[str, list[str]], view_names: Mapping[str, list[ox.Literal]]) -> None:
        self.data = data
        self.block_names = block_names
        self.block_views = block_views
        self.view_names = view_names
        self.entries: list[Entry] = []
        for rec in data.specs.values():
            score = rec.best
            values = {
                "block": tuple(rec.reasons),
                "view": tuple(sorted({v for b in rec.reasons for v in block_views.get(b, ())})),
                "maintainer": tuple(rec.maintainers),
                "kind": (rec.kind,),
                "assessed": ("yes" if rec.assessments else "no",),
                "score": tuple(k for k, (lo, hi) in SCORE_BANDS.items()
                               if score is not None and lo <= score <= hi),
            }
            texts = [*(t.value for t in rec.titles), *(t.value for t in rec.record_titles),
                     *rec.acronyms, *rec.alternatives, *(d.value for d in rec.descriptions),
                     *(n.value for m in rec.maintainers for n in self._maintainer(m).names)]
            title = choose(rec.titles, ()) or choose(rec.record_titles, ())
            self.entries.append(Entry(rec, values, " ".join(texts).casefold(),
                                      (title.value if title else rec.iri).casefold(), score))
        self.entries.sort(key=lambda e: e.name)
        self._listings: LRU[tuple, Listing[SpecCard]] = LRU(512)
        self.by_block: dict[str, list[SpecRecord]] = {}
        for e in self.entries:
            for b in e.record.reasons:
                self.by_block.setdefault(b, []).append(e.record)

    def _maintainer(self, iri: str) -> Maintainer:
        return self.data.maintainers.get(iri) or Maintainer(iri)

    # names in the reader's languages

    def block_label(self, iri: str, languages: Sequence[str]) -> str:
        names = self.block_names.get(iri)
        return named(iri, names, languages).label if names else block_name(iri)

    def maintainer_label(self, iri: str, languages: Sequence[str]) -> str:
        m = self._maintainer(iri)
        lit = choose(m.names, languages) or choose(m.other, languages)
        return " ".join(lit.value.split()) if lit else iri.rsplit("/", 1)[-1][:12]

    def view_label(self, iri: str, languages: Sequence[str]) -> str:
        return named(iri, self.view_names.get(iri, []), languages).label

    def card(self, rec: SpecRecord, languages: Sequence[str], block: str | None = None) -> SpecCard:
        """``rec`` as a card; with ``block``, that block's reason comes first."""
        title = choose(rec.titles, languages) or choose(rec.record_titles, languages)
        description = choose(rec.descriptions, languages)
        order = sorted(rec.reasons, key=lambda b: (b != block, self.block_label(b, languages).casefold()))
        blocks = tuple(BlockRef(b, self.block_label(b, languages),
                                " ".join(r.value.split()) if (r := choose(rec.reasons[b], languages)) else "")
                       for b in order)
        return SpecCard(
            rec.iri, " ".join(title.value.split()) if title else rec.iri,
            (title.language or None) if title else None,
            rec.versions[0] if rec.versions else "", rec.acronyms[0] if rec.acronyms else "",
            first_sentence(description.value) if description else "", rec.kind,
            tuple((m, self.maintainer_label(m, languages)) for m in rec.maintainers),
            blocks, rec.best, len(rec.assessments), rec.elis, tuple(rec.downloads or rec.access))

    # the list

    def check(self, request: ListRequest) -> None:
        """Refuse a facet value that no specification has and that is not a known block or
        view (a block or view with no specification is a fair question: its list is empty).

        :raise BrowseRequestError: naming the parameter, the value and what is accepted.
        """
        fixed = {"kind": KINDS, "assessed": ("yes", "no"), "score": tuple(SCORE_BANDS)}
        for name, values in request.filters.items():
            for value in values:
                if name in fixed:
                    if value not in fixed[name]:
                        raise BrowseRequestError(f"{name} must be one of {', '.join(fixed[name])}, "
                                                 f"e.g. /standards?{name}={fixed[name][0]}")
                elif name == "block" and value not in self.by_block and value not in self.block_names:
                    raise BrowseRequestError(f"block {value!r} is no EIRA building block the catalogue "
                                             "knows; use a block's PURI, e.g. /standards?block="
                                             "http://data.europa.eu/dr8/DataExchangeApplicationService")
                elif name == "view" and value not in self.view_names:
                    raise BrowseRequestError(f"view {value!r} is no EIRA view; use one of the view "
                                             "filters /standards offers")
                elif name == "maintainer" and value not in self.data.maintainers and not any(
                        value in e.values["maintainer"] for e in self.entries):
                    raise BrowseRequestError(f"maintainer {value!r} maintains no specification in the "
                                             "catalogue; use one of the maintainer filters /standards offers")

    def matching(self, request: ListRequest, skip: str | None = None) -> list[Entry]:
        """The entries matching the request's words and every facet but ``skip``."""
        words = request.q.casefold().split()
        out = []
        for e in self.entries:
            if words and not all(w in e.words for w in words):
                continue
            if all(name == skip or not set(values).isdisjoint(e.values[name])
                   for name, values in request.filters.items()):
                out.append(e)
        return out

    def ordered(self, request: ListRequest) -> list[Entry]:
        found = self.matching(request)
        if request.sort == "best":
            found.sort(key=lambda e: (e.best is None, -(e.best or 0), e.name))
        return found

    def facets(self, request: ListRequest, languages: Sequence[str]) -> list[Facet]:
        labels: dict[str, Callable[[str], str]] = {
            "block": lambda v: self.block_label(v, languages),
            "view": lambda v: self.view_label(v, languages),
            "maintainer": lambda v: self.maintainer_label(v, languages),
            "kind": lambda v: v, "assessed": lambda v: v, "score": lambda v: v,
        }
        out = []
        for name in FACETS:
            counts: dict[str, int] = {}
            for e in self.matching(request, skip=name):
                for v in e.values[name]:
                    counts[v] = counts.get(v, 0) + 1
            chosen = request.filters.get(name, ())
            for v in chosen:
                counts.setdefault(v, 0)
            values = [FacetValue(v, labels[name](v), None, n, v in chosen) for v, n in counts.items()]
            if name in ("kind", "assessed", "score"):  # few fixed values: in their own order
                order = {"kind": KINDS, "assessed": ("yes", "no"), "score": tuple(SCORE_BANDS)}[name]
                values.sort(key=lambda f: order.index(f.value))
                out.append(Facet(name, values, len(values), True))
            else:
                out.append(trim_facet(name, values, request.whole == name))
        return out

    def listing(self, request: ListRequest, languages: Sequence[str]) -> Listing[SpecCard]:
        """One page of the list with its facets; the same state in the same languages is
        computed once per data version (the index is), a few hundred states kept."""
        key = (request.q, request.sort, request.page, request.whole,
               tuple(sorted(request.filters.items())), tuple(languages))
        cached = self._listings.get(key)
        if cached is not None:
            return cached
        self.check(request)
        found = self.ordered(request)
        block = request.filters.get("block", (None,))[0]
        page = [self.card(e.record, languages, block) for e in found[request.offset:request.offset + PAGE_SIZE]]
        result = Listing(request, len(found), page, self.facets(request, languages))
        self._listings.put(key, result)
        return result

    def csv(self, request: ListRequest, languages: Sequence[str], page_of: Callable[[str], str]) -> str:
        """Every specification the request matches (not one page) as CSV: what a call for
        tenders cites. ``page_of`` gives a specification's page address."""
        self.check(request)
        block = request.filters.get("block", (None,))[0]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["title", "version", "acronym", "kind", "maintainer", "best CAMSS score (%)",
                         "CAMSS assessments", "building blocks", "why (ELIS)" if block else "in ELIS",
                         "document", "identifier", "page"])
        for e in self.ordered(request):
            c = self.card(e.record, languages, block)
            why = c.blocks[0].reason if block and c.blocks and c.blocks[0].iri == block else ""
            writer.writerow([_cell(c.title), c.version, _cell(c.acronym), c.kind,
                             "; ".join(_cell(n) for _, n in c.maintainers),
                             "" if c.best is None else c.best, c.assessments,
                             "; ".join(_cell(b.name) for b in c.blocks),
                             _cell(why) if block else ("yes" if c.elis else "no"),
                             c.downloads[0] if c.downloads else "", c.iri, page_of(c.iri)])
        return out.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def parse(args: Mapping[str, Sequence[str]]) -> ListRequest:
    """The state a query string asks for.

    :raise BrowseRequestError: a malformed parameter (see ``ListRequest.parse``).
    """
    return ListRequest.parse(STANDARDS, args)
