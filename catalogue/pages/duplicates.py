"""The same solution published by several sources: merged only when both sides agree.

Federated repositories re-publish each other's solutions (a national repository lists an
EU project that another one, or the project itself, also lists). Two records of
*different* sources are linked when they share

* an identifier: ``dct:identifier`` text, or ``adms:identifier`` as text, as the
  ``skos:notation`` of an ``adms:Identifier`` or as the identifier node's IRI (compared
  exactly, whitespace trimmed; a datatype, which ADMS uses to name the identifier's
  scheme, must match too);
* an ``owl:sameAs`` link, in either direction (to each other or to a common IRI);
* a ``dcat:landingPage`` (compared without its scheme, host case or trailing slash).

Any publisher can copy another's identifier or landing page, or claim ``owl:sameAs`` of
another's record, so such a link alone merges nothing: both records stay visible, and
each page lists the other as **possibly the same** solution. Records are **merged** (one
group, one search hit) only when

* both sources agree: each record says ``owl:sameAs`` the other (in its own graph);
* or a moderator confirmed it (:func:`decide`; a moderator may also say two records are
  *not* the same, which takes the pair off the "possibly the same" lists and undoes a
  merge the moderator had confirmed);
* or both sources publish the very same IRI (only in data stored before ingest refused
  describing another source's record: see catalogue/ingest/ownership.py).

A value that two solutions of *one* source share (a publisher's home page given as every
solution's landing page, a placeholder identifier) identifies neither, so it is ignored
for that source. Both relations are transitive: groups are connected components
(union-find).

**The canonical record** of a merged group, the one search shows, is the record of the
source published first (its earliest stored ingest in the provenance records); between
records of the same source, or sources with no provenance, the smaller source slug, then
the smaller IRI. The others stay published at their own URIs (PURIs never break) and their
pages, like the canonical one's, say who else publishes the solution.

Keys come from two saved queries over the public data (``solution_duplicates.rq``, one
row per solution and key; ``solution_duplicate_sources.rq`` for the sources' order and
names); moderators' decisions from ``same_as_decisions.rq`` over the private curation graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError
from catalogue.store import Dataset, Store
from catalogue.terms import CAT, DCT, PROV, RDF_TYPE, XSD

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
    """The groups of the current public data; look-ups by record IRI.

    ``groups`` are the merged records (canonical first); ``possible`` the wider groups of
    records linked by any shared key, merged or not (see the module docstring).
    """

    groups: list[tuple[Member, ...]] = field(default_factory=list)  # canonical first
    names: dict[str, str | None] = field(default_factory=dict)  # source slug -> name
    possible: list[tuple[Member, ...]] = field(default_factory=list)
    different: frozenset[frozenset[str]] = frozenset()  # pairs a moderator said differ
    _members: frozenset[Member] = frozenset()
    _by_iri: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _possible_by_iri: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for n, group in enumerate(self.groups):
            for m in group:
                self._by_iri.setdefault(m.iri, n)
        for n, group in enumerate(self.possible):
            for m in group:
                self._possible_by_iri.setdefault(m.iri, n)

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

    def possibly_same_as(self, iri: str) -> list[Publication]:
        """Other sources' records that share a key with ``iri``'s solution but are not
        merged with it (one side's claim only), minus those a moderator said differ."""
        n = self._possible_by_iri.get(iri)
        if n is None:
            return []
        merged = {m.iri for m in self.group(iri)} | {iri}
        return [Publication(m.source, self.names.get(m.source), m.iri) for m in self.possible[n]
                if m.iri not in merged and frozenset((iri, m.iri)) not in self.different]

    @property
    def members(self) -> frozenset[Member]:
        """Every published solution of every source (grouped or not)."""
        return self._members

    def hidden(self) -> list[Member]:
        """Every record but the canonical one of each group: what search leaves out."""
        return sorted(m for group in self.groups for m in group[1:])


def find_duplicates(store: Store, registry: ox.NamedNode, provenance: ox.NamedNode,
                    curation: ox.NamedNode | None = None) -> Duplicates:
    """The duplicate groups of the sources' current (public) graphs: two queries, and a
    third for the moderators' decisions when ``curation`` (their private graph) is given."""
    sources = read_sources(store, registry, provenance)
    if not sources:  # an empty named-graph list would mean "every graph" to a remote store
        return Duplicates()
    by_graph = {s.graph: s for s in sources}
    graphs = [ox.NamedNode(g) for g in sorted(by_graph)]
    rows = queries.select(store, "solution_duplicates", dataset=Dataset(default_graphs=[], named_graphs=graphs))
    keys = set()
    for r in rows:
        source = by_graph.get(r["graph"].value)
        if source is None:
            continue
        member = Member(source.slug, r["record"].value)
        keys.add(KeyRow(member, "iri", member.iri))  # what another's owl:sameAs may name
        key = normalise(r["kind"].value, r["key"]) if "key" in r and "kind" in r else None
        if key is not None:
            keys.add(KeyRow(member, r["kind"].value, key))
    return group(keys, sources, read_decisions(store, curation) if curation is not None else {})


def read_decisions(store: Store, curation: ox.NamedNode) -> dict[frozenset[str], bool]:
    """The moderators' latest word on each pair of records: same (True) or not (False)."""
    rows = queries.select(store, "same_as_decisions", dataset=Dataset(default_graphs=[curation]))
    out: dict[frozenset[str], bool] = {}
    for r in rows:  # oldest first: the latest wins
        out[frozenset((r["a"].value, r["b"].value))] = r["same"].value == "true"
    return out


def read_sources(store: Store, registry: ox.NamedNode, provenance: ox.NamedNode) -> list[SourceInfo]:
    """The sources with a current graph, their names and when they were first published."""
    rows = queries.select(store, "solution_duplicate_sources",
                          dataset=Dataset(default_graphs=[registry, provenance]))
    found: dict[str, SourceInfo] = {}
    for r in rows:
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


def group(keys: Iterable[KeyRow], sources: Sequence[SourceInfo],
          decisions: Mapping[frozenset[str], bool] | None = None) -> Duplicates:
    """Union-find twice: merged groups (agreement, a moderator, the same IRI) and the wider
    groups of records sharing any key across sources; canonical record first."""
    order = {s.slug: s.order for s in sources}
    decisions = decisions or {}
    merged, linked = _UnionFind(), _UnionFind()
    rows = list(keys)
    members = {row.member for row in rows}
    by_iri: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        by_iri[m.iri].append(m)
    # shared keys: linked, not merged (any publisher can copy a key or claim a link)
    by_key: dict[tuple[str, str], dict[str, set[Member]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        by_key[(row.kind, row.key)][row.member.source].add(row.member)
    for per_source in by_key.values():
        # a value shared by two solutions of one source identifies neither of them
        firsts = [next(iter(ms)) for ms in per_source.values() if len(ms) == 1]
        for other in firsts[1:]:
            linked.union(firsts[0], other)
    # merged: each record claims the other (owl:sameAs in its own source's graph) ...
    claims: dict[Member, set[str]] = defaultdict(set)
    for row in rows:
        if row.kind == "iri" and row.key != row.member.iri:
            claims[row.member].add(row.key)
    for a, claimed in claims.items():
        for iri in claimed:
            for b in by_iri.get(iri, ()):
                if (b.source != a.source and a.iri in claims.get(b, ())
                        and decisions.get(frozenset((a.iri, b.iri))) is not False):
                    merged.union(a, b)
    # ... or a moderator confirmed it, or both publish the very same IRI
    for pair, same in decisions.items():
        if same and len(pair) == 2:
            x, y = sorted(pair)
            for a in by_iri.get(x, ()):
                for b in by_iri.get(y, ()):
                    merged.union(a, b)
                    linked.union(a, b)
    for same_iri in by_iri.values():
        for other in same_iri[1:]:
            merged.union(same_iri[0], other)
    for a, b in merged.pairs():
        linked.union(a, b)

    def rank(m: Member) -> tuple:
        return (order.get(m.source, (True, EPOCH, m.source)), m.iri)

    different = frozenset(pair for pair, same in decisions.items() if not same)
    return Duplicates(merged.groups(rank), {s.slug: s.name for s in sources},
                      linked.groups(rank), different, frozenset(members))


class _UnionFind:
    """Connected components of members (path halving; the smaller member is the root)."""

    def __init__(self) -> None:
        self.parent: dict[Member, Member] = {}

    def find(self, m: Member) -> Member:
        parent = self.parent
        parent.setdefault(m, m)
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    def union(self, a: Member, b: Member) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def pairs(self) -> list[tuple[Member, Member]]:
        return [(m, p) for m, p in self.parent.items() if m != p]

    def groups(self, rank) -> list[tuple[Member, ...]]:
        """Components of two or more members, each sorted by ``rank``, by their first."""
        components: dict[Member, set[Member]] = defaultdict(set)
        for m in list(self.parent):
            components[self.find(m)].add(m)
        return sorted((tuple(sorted(c, key=rank)) for c in components.values() if len(c) > 1),
                      key=lambda g: rank(g[0]))


class DecisionError(CatalogueError, ValueError):
    """A moderator's decision names records that cannot be judged (the message says why)."""


def decide(store: Store, curation: ox.NamedNode, decision: ox.NamedNode, current: Duplicates,
           a: str, b: str, *, same: bool, by: ox.NamedNode, when: datetime) -> None:
    """Record in ``curation`` (private) that the solutions ``a`` and ``b`` are, or are not,
    the same: ``decision`` is the new record's IRI, ``by`` the moderator's account.

    :raise DecisionError: ``a`` and ``b`` are the same IRI, or not both published solutions
        of different sources (``current`` lists them: a decision names records that exist).
    """
    if a == b:
        raise DecisionError("a record is always the same as itself: name two different records")
    sources = {m.iri: m.source for m in current.members}
    for iri in (a, b):
        if iri not in sources:
            raise DecisionError(f"<{iri}> is not a solution any source publishes now")
    if sources[a] == sources[b]:
        raise DecisionError(f"both records are published by the source '{sources[a]}': only "
                            "records of different sources can be the same solution")
    triples = [
        ox.Triple(decision, RDF_TYPE, CAT.SameAsDecision),
        ox.Triple(decision, CAT.record, ox.NamedNode(a)),
        ox.Triple(decision, CAT.record, ox.NamedNode(b)),
        ox.Triple(decision, CAT.same, ox.Literal("true" if same else "false", datatype=XSD.boolean)),
        ox.Triple(decision, PROV.wasAssociatedWith, by),
        ox.Triple(decision, DCT.created, ox.Literal(when.isoformat(), datatype=XSD.dateTime)),
    ]
    updates.run(store, "graph_insert", graph=curation, data=triples)
