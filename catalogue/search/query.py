"""Searching the index: keywords, facet filters, facet counts, sorting and paging.

Every word of ``q`` must match (in a title, description or keyword, in any language);
filters are OR within a facet and AND across facets. Each facet's counts are computed
with the other facets' filters applied but not its own, so selecting one value still
shows what choosing another instead would give.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import tantivy

from catalogue.errors import CatalogueError
from catalogue.search.documents import FACETS
from catalogue.search.index import TITLE_BOOST, SearchIndex, text_fields

SORTS = ("relevance", "date", "title", "quality")
LEVELS = ("excellent", "good", "fair", "poor", "insufficient")  # catalogue/quality/table.py's
COUNTS_CACHED = 512  # facet-count sets kept per index (a few KB each)
PAGE_SIZE = 20
MAX_QUERY_CHARS = 500
MAX_WORDS = 20
MAX_PAGE = 500
FACET_SIZE = 500  # values counted per facet; the page shows the top ones
ALL_VALUES = 100_000  # values counted for a facet shown whole (``expand``): every one, in practice
_WORD = re.compile(r"\w+", re.UNICODE)

# the kinds of documents (the "type" facet), named in English (the web layer translates)
KINDS = {"solution": "Solution", "collection": "Collection", "specification": "Specification",
         # community content (catalogue/community/content.py), published items only
         "news": "News", "event": "Event", "discussion": "Discussion", "document": "Document", "page": "Page"}


class SearchRequestError(CatalogueError, ValueError):
    """A parameter of the search is malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    sort: str = "relevance"
    page: int = 1
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    languages: tuple[str, ...] = ()  # facet labels: the reader's languages, in order
    # records scoring below it are left out (CATALOGUE_MIN_QUALITY); unscored ones stay
    min_quality: int | None = None

    def __post_init__(self) -> None:
        if len(self.q) > MAX_QUERY_CHARS:
            raise SearchRequestError(f"q is too long: at most {MAX_QUERY_CHARS} characters")
        if self.sort not in SORTS:
            raise SearchRequestError(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise SearchRequestError(f"page must be a whole number from 1 to {MAX_PAGE}")
        for name in self.filters:
            if name not in FACETS:
                raise SearchRequestError(f"unknown facet {name}: use {', '.join(FACETS)}")
        levels = set(self.filters.get("quality", ())) - set(LEVELS)
        if levels:
            raise SearchRequestError(f"unknown quality level {sorted(levels)[0]!r}: use {', '.join(LEVELS)}")
        kinds = set(self.filters.get("type", ())) - set(KINDS)
        if kinds:
            raise SearchRequestError(f"type must be one of {', '.join(KINDS)}")

    @property
    def words(self) -> list[str]:
        return [w.lower() for w in _WORD.findall(self.q)][:MAX_WORDS]


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    title: str
    summary: str
    modified: datetime | None
    source: str
    #: the stored facet values of the document (publisher, eira, licence...): what a card shows
    values: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    quality: int | None = field(default=None, compare=False)  # the solution's score (catalogue/quality/)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    language: str | None  # the label's language ("" untagged; None: named by the site)
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    #: values counted per facet (more than ``facets`` holds when a ``facet_limit`` was given)
    facet_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _text_query(index: SearchIndex, words: list[str]) -> tantivy.Query:
    if not words:
        return tantivy.Query.all_query()
    titles, texts = text_fields()
    boosts = {name: TITLE_BOOST for name in titles}
    # each word alone through the parser, so it is analysed per field (stemmed, folded);
    # words are \w+ and lower-cased, so they cannot carry query syntax (AND, field:, quotes)
    must = [(tantivy.Occur.Must, index.index.parse_query(w, titles + texts, field_boosts=boosts))
            for w in words]
    return tantivy.Query.boolean_query(must)


def _shown(index: SearchIndex, query: tantivy.Query, min_quality: int | None = None) -> tantivy.Query:
    """``query`` without the records that duplicate another source's (see
    catalogue/pages/duplicates.py): a solution published by several sources is one hit, one count;
    and without those scoring below ``min_quality`` (records without a score stay)."""
    hidden = index.hidden
    if not hidden and not min_quality:
        return query
    clauses = [(tantivy.Occur.Must, query)]
    if min_quality:
        clauses.append((tantivy.Occur.MustNot, tantivy.Query.range_query(
            index.schema, "quality_score", tantivy.FieldType.Integer, None, min_quality,
            include_upper=False)))
    if hidden.iris:
        clauses.append((tantivy.Occur.MustNot, _filter(index, "iri", tuple(sorted(hidden.iris)))))
    for source, iri in sorted(hidden.pairs):
        clauses.append((tantivy.Occur.MustNot, tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, "iri", iri)),
            (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, "source", source))])))
    return tantivy.Query.boolean_query(clauses)


def _filter(index: SearchIndex, name: str, values: tuple[str, ...]) -> tantivy.Query:
    return tantivy.Query.term_set_query(index.schema, name, list(values))


def _combine(base: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
    if not filters:
        return base
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, base)] +
                                       [(tantivy.Occur.Must, f) for f in filters])


def _counts(searcher: tantivy.Searcher, query: tantivy.Query, names: list[str],
            size: int = FACET_SIZE) -> dict[str, dict[str, int]]:
    aggs = {name: {"terms": {"field": name, "size": size}} for name in names}
    out = searcher.aggregate(query, aggs)
    return {name: {b["key"]: b["doc_count"] for b in out.get(name, {}).get("buckets", [])}
            for name in names}


def search(index: SearchIndex, request: SearchRequest, facet_limit: int | None = None,
           expand: Collection[str] = ()) -> SearchResult:
    """Run a search: one page of hits, the total, and every facet's counts.

    With ``facet_limit`` each facet keeps only its top values (by count, then label) and the
    selected ones, and only those are labelled: a page shows a dozen of the hundreds counted.
    A facet named in ``expand`` keeps every value it has (not only the ``FACET_SIZE`` most
    frequent counted for the others): a page's "show all N values" (``?all=NAME``).
    ``facet_sizes`` says how many values each facet has (exact for an expanded facet).

    :raise SearchRequestError: ``expand`` names an unknown facet.
    """
    unknown = [name for name in expand if name not in FACETS]
    if unknown:
        raise SearchRequestError(f"unknown facet {unknown[0]}: use {', '.join(FACETS)}")
    searcher = index.index.searcher()
    text = _shown(index, _text_query(index, request.words), request.min_quality)
    active = {k: v for k, v in request.filters.items() if v}
    filters = {k: _filter(index, k, v) for k, v in active.items()}
    query = _combine(text, list(filters.values()))

    offset = (request.page - 1) * PAGE_SIZE
    sort = request.sort if request.words or request.sort != "relevance" else "title"
    if sort == "relevance":
        found = searcher.search(query, PAGE_SIZE, count=True, offset=offset)
    elif sort == "date":
        found = searcher.search(query, PAGE_SIZE, count=True, offset=offset,
                                order_by_field="modified", order=tantivy.Order.Desc)
    elif sort == "quality":
        found = searcher.search(query, PAGE_SIZE, count=True, offset=offset,
                                order_by_field="quality_score", order=tantivy.Order.Desc)
    else:
        found = searcher.search(query, PAGE_SIZE, count=True, offset=offset,
                                order_by_field="sort_title", order=tantivy.Order.Asc)
    hits = []
    for _, address in found.hits:
        doc = searcher.doc(address)
        # (every document has an iri, type, title and source: index._document writes them)
        hits.append(Hit(doc.get_first("iri") or "", doc.get_first("type") or "",
                        doc.get_first("title") or "", doc.get_first("summary") or "",
                        doc.get_first("modified"), doc.get_first("source") or "",
                        {name: tuple(doc.get_all(name)) for name in FACETS},
                        doc.get_first("quality_score")))

    key = (tuple(request.words), tuple(sorted(active.items())), request.min_quality)
    counts = index.counts_cache.get(key)
    if counts is None:
        counts = _counts(searcher, query, [n for n in FACETS if n not in active])
        for name in active:  # disjunctive: this facet's counts ignore its own filter
            others = [f for k, f in filters.items() if k != name]
            counts.update(_counts(searcher, _combine(text, others), [name]))
        if len(index.counts_cache) >= COUNTS_CACHED:
            index.counts_cache.clear()
        index.counts_cache[key] = counts
    for name in expand:
        if len(counts.get(name, {})) >= FACET_SIZE:  # maybe cut short: count every value
            counts = {**counts, name: _every_value(index, searcher, key, text, filters, name)}
    facets, sizes = {}, {}
    for name in FACETS:
        chosen = set(active.get(name, ()))
        counted = counts.get(name, {})
        sizes[name] = len(counted) + len(chosen - set(counted))
        wanted: Iterable[tuple[str, int]] = counted.items()
        if name in expand:
            pass  # every value
        elif facet_limit is not None and len(counted) > facet_limit:
            # the top values and every tie with the last of them: ties are ordered by label
            floor = sorted(counted.values(), reverse=True)[facet_limit - 1]
            wanted = [(v, n) for v, n in counted.items() if n >= floor or v in chosen]
        values = [FacetValue(v, *_label(index, name, v, request.languages), n, v in chosen)
                  for v, n in wanted]
        values += [FacetValue(v, *_label(index, name, v, request.languages), 0, True)
                   for v in chosen - set(counted)]
        if name == "quality":  # levels read best first, not by how many have each
            values.sort(key=lambda f: LEVELS.index(f.value) if f.value in LEVELS else len(LEVELS))
        else:
            values.sort(key=lambda f: (-f.count, f.label.lower()))
        if facet_limit is not None and name not in expand:
            values = [f for k, f in enumerate(values) if k < facet_limit or f.selected]
        facets[name] = values
    # tantivy's stubs omit SearchResult.count, the total it counts when asked (count=True)
    total = found.count or 0  # type: ignore[attr-defined]
    return SearchResult(request, total, hits, facets, sizes)


def _every_value(index: SearchIndex, searcher: tantivy.Searcher, key: tuple, text: tantivy.Query,
                 filters: dict[str, tantivy.Query], name: str) -> dict[str, int]:
    """Every value of facet ``name`` counted (disjunctively, as :func:`search` does), kept
    beside the capped counts of the same state."""
    whole = (*key, "all", name)
    found = index.counts_cache.get(whole)
    if found is None:
        others = [f for k, f in filters.items() if k != name]
        found = _counts(searcher, _combine(text, others), [name], ALL_VALUES)
        if len(index.counts_cache) >= COUNTS_CACHED:
            index.counts_cache.clear()
        index.counts_cache[whole] = found
    return found[name]


def count(index: SearchIndex, request: SearchRequest) -> int:
    """How many documents ``request`` finds (its words and filters; hidden duplicates left
    out), without ranking a page or counting facets."""
    text = _shown(index, _text_query(index, request.words), request.min_quality)
    filters = [_filter(index, k, v) for k, v in request.filters.items() if v]
    found = index.index.searcher().search(_combine(text, filters), 1, count=True)
    return found.count or 0  # type: ignore[attr-defined]


def breakdown(index: SearchIndex, request: SearchRequest, outer: str, inner: str,
              size: int = 3) -> dict[str, dict[str, int]]:
    """For each value of facet ``outer`` among the documents ``request`` finds (its words and
    filters; hidden duplicates left out), the ``size`` most frequent values of facet
    ``inner`` with their counts: e.g. the countries each publisher's solutions cover, in one
    pass over the index rather than one search per publisher.

    :raise SearchRequestError: ``outer`` or ``inner`` is not a facet.
    """
    for name in (outer, inner):
        if name not in FACETS:
            raise SearchRequestError(f"unknown facet {name}: use {', '.join(FACETS)}")
    text = _shown(index, _text_query(index, request.words), request.min_quality)
    filters = [_filter(index, k, v) for k, v in request.filters.items() if v]
    aggs = {outer: {"terms": {"field": outer, "size": ALL_VALUES},
                    "aggs": {inner: {"terms": {"field": inner, "size": size}}}}}
    out = index.index.searcher().aggregate(_combine(text, filters), aggs)
    return {b["key"]: {c["key"]: c["doc_count"] for c in b.get(inner, {}).get("buckets", [])}
            for b in out.get(outer, {}).get("buckets", [])}


def _label(index: SearchIndex, facet: str, value: str,
           languages: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """(label, its language); types and languages are named by the site, not the data."""
    if facet == "type":
        return KINDS.get(value, value), None
    if facet == "language":
        return LANGUAGE_NAMES.get(value, value), None
    return index.label(value, languages)


LANGUAGE_NAMES = {
    "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fi": "Finnish", "fr": "French",
    "ga": "Irish", "hr": "Croatian", "hu": "Hungarian", "it": "Italian", "lt": "Lithuanian",
    "lv": "Latvian", "mt": "Maltese", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish", "no": "Norwegian",
    "is": "Icelandic",
}
