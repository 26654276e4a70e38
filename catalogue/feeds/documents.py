"""What harvesters and re-users read: the paged DCAT catalogue, VoID, the sitemap.

Identity and location are kept apart:

* **identity** (IRIs that name things) comes from ``CATALOGUE_BASE_URI``: the catalogue is
  ``{base}catalog``, the dataset VoID describes ``{base}dataset``, subsets are named by
  their graph IRIs;
* **location** (URLs a client follows: page links, dumps, the SPARQL endpoint, sitemap
  entries) comes from ``site``, the absolute root URL the site is served from, given by
  the caller (the web layer passes the request's root), so links work wherever it runs.

Paging is over the published solutions ordered by IRI, numbered from 1. Each page is
described twice, for both kinds of harvester: as a ``hydra:PagedCollection`` (the old
vocabulary, page URLs as plain literals, as ckanext-dcat writes and piveau reads them)
and as the ``hydra:view`` (a ``hydra:PartialCollectionView``, page URLs as IRIs) of a
``hydra:Collection``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

import pyoxigraph as ox

from catalogue import queries
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.graphs import Graphs
from catalogue.store import Dataset, Store
from catalogue.terms import DCAT, DCT, FOAF, RDF_TYPE, VOID, XSD, Namespace

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
SITEMAP_MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

TITLE = "Interoperability solutions catalogue"
DESCRIPTION = ("Interoperability solutions (ADMS-AP / DCAT-AP) gathered from public "
               "administrations' repositories and publishers.")
PUBLISHER_NAME = "Interoperability solutions catalogue"

PREFIXES = {
    "dcat": str(DCAT), "dct": str(DCT), "foaf": str(FOAF), "hydra": str(HYDRA),
    "void": str(VOID), "xsd": str(XSD), "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#", "vcard": "http://www.w3.org/2006/vcard/ns#",
}


class HarvestParamError(CatalogueError, ValueError):
    """A paging or filter parameter is malformed; the message says which and what works."""


class PageNotFoundError(CatalogueError, LookupError):
    """The page asked for is beyond the last one."""

    error_kind = ErrorKind.NOT_FOUND


# parameters


@dataclass(frozen=True)
class Paging:
    """Which page of the catalogue, how big, and since when (``None``: any time)."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    modified_since: str | None = None

    @property
    def since(self) -> datetime | None:
        return instant(self.modified_since) if self.modified_since else None


def _positive_int(args: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw.strip()) or int(raw) < 1:
        raise HarvestParamError(f"{name} must be a whole number from 1, not {raw!r}")
    if maximum is not None and int(raw) > maximum:
        raise HarvestParamError(f"{name} must be at most {maximum}, not {raw}")
    return int(raw)


def parse_paging(args: Mapping[str, str]) -> Paging:
    """Read ``page``, ``page_size`` and ``modified_since`` from query parameters.

    >>> parse_paging({"page": "2", "modified_since": "2024-03-01"}).page
    2

    :raise HarvestParamError: a value is not a positive integer, ``page_size`` is over
        :data:`MAX_PAGE_SIZE`, or ``modified_since`` is neither ``YYYY-MM-DD`` nor an
        ``xsd:dateTime``.
    """
    since = args.get("modified_since")
    if since is not None:
        since = since.strip()
        if instant(since) is None:
            raise HarvestParamError(
                f"modified_since must be a date (YYYY-MM-DD) or a date and time "
                f"(YYYY-MM-DDThh:mm:ssZ), not {since!r}")
    return Paging(page=_positive_int(args, "page", 1, None),
                  page_size=_positive_int(args, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
                  modified_since=since)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


def instant(value: str) -> datetime | None:
    """An ``xsd:date`` (midnight UTC) or ``xsd:dateTime`` (UTC if no zone) as a datetime.

    >>> instant("2024-03-01").isoformat()
    '2024-03-01T00:00:00+00:00'
    >>> instant("yesterday") is None
    True
    """
    try:
        if _DATE.match(value):
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        if _DATETIME.match(value):
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    except ValueError:
        return None
    return None


# records


@dataclass(frozen=True)
class Record:
    iri: ox.NamedNode
    is_solution: bool
    modified: datetime | None = None


def records(store: Store, source_graphs: Sequence[ox.NamedNode],
            hidden: Collection[str] = frozenset()) -> list[Record]:
    """Published collections and solutions, one per IRI, ordered by IRI, but for those
    moderators hide (``hidden``: catalogue/quality/curation.py).

    A solution modified several times (several ``dct:modified``) counts its latest.
    """
    if not source_graphs:
        return []
    ds = Dataset(default_graphs=list(source_graphs), named_graphs=list(source_graphs))
    found: dict[str, dict] = {}
    for row in queries.select(store, "harvest_records", dataset=ds):
        iri = row["record"].value
        entry = found.setdefault(iri, {"solution": False, "modified": None})
        entry["solution"] |= row["class"] == DCAT.Dataset
        m = instant(row["modified"].value) if "modified" in row else None
        if m is not None and (entry["modified"] is None or m > entry["modified"]):
            entry["modified"] = m
    return [Record(ox.NamedNode(iri), e["solution"], e["modified"])
            for iri, e in sorted(found.items()) if iri not in hidden]


# the paged DCAT catalogue


@dataclass
class CatalogPage:
    """One page: its triples and the absolute URLs of its neighbours (``None``: none)."""

    triples: list[ox.Triple]
    total: int
    last_page: int
    links: dict[str, str] = field(default_factory=dict)


def page_url(here: str, page: int, paging: Paging) -> str:
    """The URL of ``page`` of the listing at ``here``, keeping the filter and page size."""
    params: dict[str, str | int] = {"page": page}
    if paging.page_size != DEFAULT_PAGE_SIZE:
        params["page_size"] = paging.page_size
    if paging.modified_since:
        params["modified_since"] = paging.modified_since
    return f"{here}?{urlencode(params)}"


def catalog_node(base: str) -> ox.NamedNode:
    return Graphs(base).catalog


def catalog_page(
    store: Store, base: str, source_graphs: Sequence[ox.NamedNode], *, site: str, here: str,
    paging: Paging, hidden: Collection[str] = frozenset(),
) -> CatalogPage:
    """The ``dcat:Catalog`` listing one page of solutions, their descriptions and paging.

    ``site`` is the site's absolute root URL, ``here`` the absolute URL of the listing
    without its query (page links are built on it). An empty catalogue has one, empty, page.

    :raise PageNotFoundError: ``paging.page`` is beyond the last page.
    """
    since = paging.since
    solutions = [r for r in records(store, source_graphs, hidden) if r.is_solution
                 and (since is None or (r.modified is not None and r.modified >= since))]
    total = len(solutions)
    last = max(1, math.ceil(total / paging.page_size))
    if paging.page > last:
        raise PageNotFoundError(
            f"page {paging.page} does not exist: there {'is' if last == 1 else 'are'} "
            f"{last} page{'' if last == 1 else 's'} of {paging.page_size}")
    start = (paging.page - 1) * paging.page_size
    on_page = solutions[start:start + paging.page_size]

    links = {"first": page_url(here, 1, paging), "last": page_url(here, last, paging)}
    if paging.page > 1:
        links["previous"] = page_url(here, paging.page - 1, paging)
    if paging.page < last:
        links["next"] = page_url(here, paging.page + 1, paging)

    cat = catalog_node(base)
    publisher = Graphs(base).catalog_publisher
    t = [
        ox.Triple(cat, RDF_TYPE, DCAT.Catalog),
        ox.Triple(cat, DCT.title, ox.Literal(TITLE, language="en")),
        ox.Triple(cat, DCT.description, ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(cat, DCT.publisher, publisher),
        ox.Triple(cat, FOAF.homepage, ox.NamedNode(site)),
        ox.Triple(publisher, RDF_TYPE, FOAF.Agent),
        ox.Triple(publisher, FOAF.name, ox.Literal(PUBLISHER_NAME, language="en")),
    ]
    seen: set[ox.Triple] = set(t)
    ds = Dataset(default_graphs=list(source_graphs), named_graphs=list(source_graphs))
    for r in on_page:
        t.append(ox.Triple(cat, DCAT.dataset, r.iri))
        for triple in queries.construct(store, "harvest_solution_description", dataset=ds,
                                        solution=r.iri):
            if triple not in seen:
                seen.add(triple)
                t.append(triple)
    t += paging_triples(here, paging, links, total)
    return CatalogPage(by_subject(t), total, last, links)


def by_subject(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Triples grouped by subject (first appearance first), so Turtle writes each once."""
    groups: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]] = {}
    for t in triples:
        groups.setdefault(t.subject, []).append(t)
    return [t for group in groups.values() for t in group]


def paging_triples(here: str, paging: Paging, links: Mapping[str, str], total: int) -> list[ox.Triple]:
    """Both Hydra vocabularies: the page as ``hydra:PagedCollection`` (links as literals)
    and as the ``hydra:PartialCollectionView`` of the collection (links as IRIs)."""
    page = ox.NamedNode(page_url(here, paging.page, paging))
    collection = ox.NamedNode(here if not paging.modified_since
                              else f"{here}?{urlencode({'modified_since': paging.modified_since})}")
    n_total = ox.Literal(str(total), datatype=XSD.integer)
    t = [
        ox.Triple(page, RDF_TYPE, HYDRA.PagedCollection),
        ox.Triple(page, HYDRA.totalItems, n_total),
        ox.Triple(page, HYDRA.itemsPerPage, ox.Literal(str(paging.page_size), datatype=XSD.integer)),
        ox.Triple(collection, RDF_TYPE, HYDRA.Collection),
        ox.Triple(collection, HYDRA.totalItems, n_total),
        ox.Triple(collection, HYDRA.view, page),
        ox.Triple(page, RDF_TYPE, HYDRA.PartialCollectionView),
    ]
    old = {"first": "firstPage", "last": "lastPage", "next": "nextPage", "previous": "previousPage"}
    for rel, url in links.items():
        t.append(ox.Triple(page, HYDRA[old[rel]], ox.Literal(url)))
        t.append(ox.Triple(page, HYDRA[rel], ox.NamedNode(url)))
    return t


# VoID


def namespace_of(iri: str) -> str:
    """The vocabulary namespace of a term: up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1] if cut > iri.find("://") + 2 else iri


def void(
    store: Store, graphs: Graphs, site: str, public_graphs: Sequence[ox.NamedNode],
    source_graphs: Sequence[ox.NamedNode],
) -> list[ox.Triple]:
    """VoID of the public dataset: endpoint, dumps, counts, one subset per public graph."""
    sizes = {r["g"].value: int(r["triples"].value)
             for r in queries.select(store, "graph_sizes")}
    public = [g for g in dict.fromkeys(public_graphs) if sizes.get(g.value)]
    ds = graphs.dataset
    n = lambda v: ox.Literal(str(v), datatype=XSD.integer)  # noqa: E731
    t = [
        ox.Triple(ds, RDF_TYPE, VOID.Dataset),
        ox.Triple(ds, DCT.title, ox.Literal(TITLE, language="en")),
        ox.Triple(ds, DCT.description, ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(ds, FOAF.homepage, ox.NamedNode(site)),
        ox.Triple(ds, VOID.rootResource, catalog_node(graphs.base)),
        ox.Triple(ds, VOID.sparqlEndpoint, ox.NamedNode(f"{site}sparql")),
        ox.Triple(ds, VOID.uriLookupEndpoint, ox.NamedNode(f"{site}resource?uri=")),
        ox.Triple(ds, VOID.dataDump, ox.NamedNode(f"{site}dump.nq")),
        ox.Triple(ds, VOID.dataDump, ox.NamedNode(f"{site}dump.trig")),
        ox.Triple(ds, VOID.feature, FORMATS["N-Quads"]),
        ox.Triple(ds, VOID.feature, FORMATS.TriG),
        ox.Triple(ds, VOID.triples, n(sum(sizes[g.value] for g in public))),
    ]
    for g in public:
        kind, name = graphs.kind(g) or ("graph", g.value)
        t += [
            ox.Triple(ds, VOID.subset, g),
            ox.Triple(g, RDF_TYPE, VOID.Dataset),
            ox.Triple(g, DCT.title, ox.Literal(f"{kind} {name}".strip())),
            ox.Triple(g, VOID.triples, n(sizes[g.value])),
        ]
    if source_graphs:
        used = queries.select(store, "harvest_terms", dataset=Dataset(
            default_graphs=list(source_graphs), named_graphs=list(source_graphs)))
        spaces = sorted({namespace_of(r["term"].value) for r in used})
        t += [ox.Triple(ds, VOID.vocabulary, ox.NamedNode(v)) for v in spaces]
    return by_subject(t)


# sitemap


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None


def sitemap_entries(store: Store, source_graphs: Sequence[ox.NamedNode], site: str,
                    hidden: Collection[str] = frozenset()) -> list[SitemapEntry]:
    """The home page, then the page of every published collection and solution (but those
    in ``hidden``)."""
    out = [SitemapEntry(site)]
    for r in records(store, source_graphs, hidden):
        out.append(SitemapEntry(f"{site}resource?uri={quote(r.iri.value, safe='')}",
                                r.modified.date().isoformat() if r.modified else None))
    return out


def sitemap_parts(n_entries: int) -> int:
    """How many sitemap files ``n_entries`` URLs need (1 means no index)."""
    return max(1, math.ceil(n_entries / SITEMAP_MAX_URLS))


def urlset(entries: Iterable[SitemapEntry]) -> Iterator[str]:
    """A sitemaps.org ``urlset`` document, in pieces."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    for e in entries:
        lastmod = f"<lastmod>{e.lastmod}</lastmod>" if e.lastmod else ""
        yield f"<url><loc>{escape(e.loc)}</loc>{lastmod}</url>\n"
    yield "</urlset>\n"


def sitemap_index(urls: Iterable[str]) -> Iterator[str]:
    """A sitemaps.org ``sitemapindex`` listing the sitemap files at ``urls``."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
    for url in urls:
        yield f"<sitemap><loc>{escape(url)}</loc></sitemap>\n"
    yield "</sitemapindex>\n"


def sitemap_part(entries: Sequence[SitemapEntry], part: int) -> Sequence[SitemapEntry]:
    """Entries of sitemap file ``part`` (from 1).

    :raise PageNotFoundError: there is no such part.
    """
    if not 1 <= part <= sitemap_parts(len(entries)):
        raise PageNotFoundError(f"there is no sitemap part {part}")
    return entries[(part - 1) * SITEMAP_MAX_URLS:part * SITEMAP_MAX_URLS]
