"""The same solution published by several sources, recognised so that it is shown once.

Federated repositories re-publish each other's solutions (a national repository lists an
EU project that another one, or the project itself, also lists). Two records of
*different* sources are the same solution when they share

* an identifier: ``dct:identifier`` text, or ``adms:identifier`` as text, as the
  ``skos:notation`` of an ``adms:Identifier`` or as the identifier node's IRI (compared
  exactly, whitespace trimmed; a datatype, which ADMS uses to name the identifier's
  scheme, must match too);
* an ``owl:sameAs`` link, in either direction (to each other, to a common IRI, or the
  very same IRI published by both);
* a ``dcat:landingPage`` (compared without its scheme, host case or trailing slash).

A value that two solutions of *one* source share (a publisher's home page given as every
solution's landing page, a placeholder identifier) identifies neither, so it is ignored
for that source. Sameness is transitive: groups are the connected components of these
links (union-find).

**The canonical record** of a group, the one search shows, is the record of the source
published first (its earliest stored ingest in the provenance records); between records
of the same source, or sources with no provenance, the smaller source slug, then the
smaller IRI. So the choice is deterministic, and stable while no older source joins.
The others stay published at their own URIs (PURIs never break) and their pages, like
the canonical one's, say who else publishes the solution.

Everything comes from two saved queries over the public data (``solution_duplicates.rq``
for the keys, one row per solution and key; ``solution_duplicate_sources.rq`` for the
sources' order and names), so it costs the same whatever the number of duplicates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import pyoxigraph as ox

from . import queries
from .store import Dataset, Store
from .terms import XSD

PLAIN = {XSD.string.value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


class Member(NamedTuple):
    """One source's record: the unit that is grouped (the same IRI may be in two sources)."""

    source: str
    iri: str


class Publication(NamedTuple):
    """Another source publishing the same solution, as a page lists it."""

    source: str  # the source's slug
    name: str | None  # its name in the registry, if it has one
    iri: str  # the record's IRI in that source


class KeyRow(NamedTuple):
    """A solution and one value that identifies it (``kind``: iri, page or id)."""

    member: Member
    kind: str
    key: str


@dataclass(frozen=True)
class SourceInfo:
    slug: str
    graph: str
    name: str | None = None
    first: str | None = None  # xsd:dateTime lexical form of its first stored ingest

    @property
    def order(self) -> tuple:
        """Sort key: published first wins; sources without provenance come last."""
        when = _when(self.first)
        return (when is None, when or EPOCH, self.slug)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _when(text: str | None) -> datetime | None:
    """An xsd:dateTime as an aware datetime (no zone: UTC), None if absent or malformed."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@dataclass
class Duplicates:
    """The groups of the current public data; look-ups by record IRI."""

    groups: list[tuple[Member, ...]] = field(default_factory=list)  # canonical first
    names: dict[str, str | None] = field(default_factory=dict)  # source slug -> name
    _by_iri: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for n, group in enumerate(self.groups):
            for m in group:
                self._by_iri.setdefault(m.iri, n)

    def group(self, iri: str) -> tuple[Member, ...]:
        """The group of ``iri``, canonical first; empty if no other source publishes it."""
        n = self._by_iri.get(iri)
        return self.groups[n] if n is not None else ()

    def canonical(self, iri: str) -> str:
        """The IRI of the record shown for ``iri``'s solution (``iri`` itself if unique)."""
        group = self.group(iri)
        return group[0].iri if group else iri

    def is_canonical(self, iri: str) -> bool:
        return self.canonical(iri) == iri

    def also_published_by(self, iri: str) -> list[Publication]:
        """The other sources' records of ``iri``'s solution, canonical first.

        Records with another IRI are all listed; of the sources publishing ``iri`` itself,
        all but the first (the page already is that record).
        """
        group = self.group(iri)
        same = [m for m in group if m.iri == iri]
        return [Publication(m.source, self.names.get(m.source), m.iri)
                for m in group if m.iri != iri or m != same[0]]

    def hidden(self) -> list[Member]:
        """Every record but the canonical one of each group: what search leaves out."""
        return sorted(m for group in self.groups for m in group[1:])


def find_duplicates(store: Store, registry: ox.NamedNode, provenance: ox.NamedNode) -> Duplicates:
    """The duplicate groups of the sources' current (public) graphs: two queries."""
    sources = read_sources(store, registry, provenance)
    if not sources:  # an empty named-graph list would mean "every graph" to a remote store
        return Duplicates()
    by_graph = {s.graph: s for s in sources}
    graphs = [ox.NamedNode(g) for g in sorted(by_graph)]
    rows = queries.run(store, "solution_duplicates", dataset=Dataset(default_graphs=[], named_graphs=graphs))
    keys = set()
    for r in rows:  # type: ignore[union-attr]
        source = by_graph.get(r["graph"].value)
        if source is None:
            continue
        member = Member(source.slug, r["record"].value)
        keys.add(KeyRow(member, "iri", member.iri))  # what another's owl:sameAs may name
        key = normalise(r["kind"].value, r["key"]) if "key" in r and "kind" in r else None
        if key is not None:
            keys.add(KeyRow(member, r["kind"].value, key))
    return group(keys, sources)


def read_sources(store: Store, registry: ox.NamedNode, provenance: ox.NamedNode) -> list[SourceInfo]:
    """The sources with a current graph, their names and when they were first published."""
    rows = queries.run(store, "solution_duplicate_sources",
                       dataset=Dataset(default_graphs=[registry, provenance]))
    found: dict[str, SourceInfo] = {}
    for r in rows:  # type: ignore[union-attr]
        slug = r["slug"].value
        name = r["name"].value if "name" in r else None
        info = SourceInfo(slug, r["graph"].value, name, r["first"].value if "first" in r else None)
        old = found.get(slug)
        if old is None or (info.name or "") < (old.name or "\uffff"):  # several names: the least
            found[slug] = info
    return sorted(found.values(), key=lambda s: s.slug)


def normalise(kind: str, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str | None:
    """A key's comparable form, or None for one that identifies nothing (empty text)."""
    if kind == "page" and isinstance(term, ox.NamedNode):
        return _page(term.value)
    if isinstance(term, ox.Literal):
        text = term.value.strip()
        if not text:
            return None
        typed = term.datatype.value not in PLAIN
        return f"{text}^^{term.datatype.value}" if typed else text
    return term.value if isinstance(term, ox.NamedNode) else None


def _page(url: str) -> str:
    """A landing page without its scheme (http = https), host case or trailing slash."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.netloc.lower()}{path}{query}" if parts.netloc else url


def group(keys: Iterable[KeyRow], sources: Sequence[SourceInfo]) -> Duplicates:
    """Union-find over the members sharing a key across sources; canonical record first."""
    order = {s.slug: s.order for s in sources}
    parent: dict[Member, Member] = {}

    def find_root(m: Member) -> Member:
        parent.setdefault(m, m)
        while parent[m] != m:
            parent[m] = parent[parent[m]]  # path halving
            m = parent[m]
        return m

    def union(a: Member, b: Member) -> None:
        ra, rb = find_root(a), find_root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    rows = list(keys)
    by_key: dict[tuple[str, str], dict[str, set[Member]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        by_key[(row.kind, row.key)][row.member.source].add(row.member)
    for per_source in by_key.values():
        # a value shared by two solutions of one source identifies neither of them
        members = [next(iter(ms)) for ms in per_source.values() if len(ms) == 1]
        if len(members) > 1:
            for other in members[1:]:
                union(members[0], other)
    by_iri: dict[str, list[Member]] = defaultdict(list)  # the same IRI in two sources: one
    for m in {row.member for row in rows}:
        by_iri[m.iri].append(m)
    for same in by_iri.values():
        for other in same[1:]:
            union(same[0], other)

    components: dict[Member, set[Member]] = defaultdict(set)
    for m in list(parent):
        components[find_root(m)].add(m)

    def rank(m: Member) -> tuple:
        return (order.get(m.source, (True, EPOCH, m.source)), m.iri)

    groups = sorted((tuple(sorted(c, key=rank)) for c in components.values() if len(c) > 1),
                    key=lambda g: rank(g[0]))
    return Duplicates(groups, {s.slug: s.name for s in sources})
