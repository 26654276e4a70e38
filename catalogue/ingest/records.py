"""Split a dump into records, the unit of validation, quarantine and diff.

A record is one *root* with what it owns:

* a collection (``dcat:Catalog``);
* a solution (``dcat:Dataset`` without ``dct:isVersionOf``) with its releases
  (``dct:isVersionOf`` / ``dct:hasVersion``), their distributions (``dcat:distribution``)
  and every blank node hanging from them;
* a specification (``cssv:Specification``), a catalogue record (``dcat:CatalogRecord``) or
  a CAMSS assessment (``cav:Assessment``, with the statements and scores it results in:
  ``cav:resultsIn``, ``cav:refersTo``), each a record of its own, so a publisher of
  standards (ELIS, CAMSS) changes only its own specifications, records and assessments;
* anything else described in the dump that no record references (a lone licence, agent...).

Agents, contact points, licences and concepts are *shared*: a record's validation graph
includes the full description of every shared node it references (recursively), and
only the ``rdf:type`` of other roots it points at (or, for an untyped one, one of its
triples), so a record validates the same alone as inside the whole dump.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple
from pyoxigraph import serialize as ox_serialize

from catalogue.terms import ADMS, CAT, CAV, CSSV, DCAT, DCT, RDF_TYPE

Node = NamedNode | BlankNode

CATALOG, DATASET, ASSET = DCAT.Catalog, DCAT.Dataset, ADMS.Asset
DATASET_CLASSES = frozenset({DATASET, ASSET})
SOLUTION_ROLE = CAT.Solution  # see validation_triples
IS_VERSION_OF, HAS_VERSION, DISTRIBUTION = DCT.isVersionOf, DCT.hasVersion, DCAT.distribution
# the standards' records (issue 14): root class -> record kind
STANDARDS_ROOTS = {CSSV.Specification: "specification", DCAT.CatalogRecord: "catalogue record",
                   CAV.Assessment: "assessment"}
# links whose (named) objects a record owns with it, as a solution owns its distributions
OWNED_LINKS = frozenset({DISTRIBUTION, CAV.resultsIn, CAV.refersTo})


@dataclass(eq=False)
class Record:
    root: Node
    kind: str  # collection | solution | release | specification | catalogue record | assessment | other
    owned: list[Node] = field(default_factory=list)
    referenced: set[Node] = field(default_factory=set)

    @property
    def iri(self) -> str:
        return self.root.value if isinstance(self.root, NamedNode) else f"_:{self.root.value}"


class RecordIndex:
    """Triples grouped by subject, with the ownership that defines records."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[Node, list[Triple]] = defaultdict(list)
        self.types: dict[Node, set[NamedNode]] = defaultdict(set)
        by_subject, types = self.by_subject, self.types
        for t in triples:  # (pyoxigraph's stubs allow a triple-term subject: 0.5 makes none)
            s = t.subject
            by_subject[s].append(t)  # type: ignore[index]
            if t.predicate == RDF_TYPE and isinstance(o := t.object, NamedNode):
                types[s].add(o)  # type: ignore[index]
        self.records: list[Record] = []
        self.owner: dict[Node, Record] = {}
        self._split()

    def _objects(self, s: Node, p: NamedNode) -> list:
        return [t.object for t in self.by_subject.get(s, ()) if t.predicate == p]

    def _split(self) -> None:
        version_of: dict[Node, Node] = {}
        for s, triples in self.by_subject.items():
            for t in triples:
                p = t.predicate
                if p == IS_VERSION_OF and isinstance(t.object, Node):
                    version_of.setdefault(s, t.object)
                elif p == HAS_VERSION and isinstance(t.object, Node):
                    version_of.setdefault(t.object, s)

        types = self.types

        def is_dataset(n: Node) -> bool:
            return not DATASET_CLASSES.isdisjoint(types.get(n, ()))

        roots: list[Record] = []
        for s in self.by_subject:
            classes = types.get(s, ())
            if CATALOG in classes:
                roots.append(Record(s, "collection"))
            elif kinds := [k for c, k in STANDARDS_ROOTS.items() if c in classes]:
                roots.append(Record(s, kinds[0]))
            elif is_dataset(s) and not (s in version_of and version_of[s] in self.by_subject
                                        and is_dataset(version_of[s])):
                roots.append(Record(s, "solution" if s not in version_of else "release"))
        for record in roots:
            self._claim(record, record.root)
        # releases of solutions in this dump
        for release, solution in version_of.items():
            if release in self.by_subject and release not in self.owner and solution in self.owner:
                self._claim(self.owner[solution], release)
        for record in roots:
            self._own_closure(record)
        self.records = roots
        # what nobody owns or references becomes a record of its own
        referenced: set[Node] = set()
        for record in roots:
            record.referenced = self.references(record)
            referenced |= record.referenced
        others = False
        for s in list(self.by_subject):
            if s not in self.owner and s not in referenced and isinstance(s, NamedNode):
                record = Record(s, "other")
                self._claim(record, s)
                self._own_closure(record)
                self.records.append(record)
                referenced |= self.references(record)
                others = True
        if others:  # what they own is no longer shared: what every record references changed
            for record in self.records:
                record.referenced = self.references(record)

    def _claim(self, record: Record, node: Node) -> None:
        if node not in self.owner:
            self.owner[node] = record
            record.owned.append(node)

    def _own_closure(self, record: Record) -> None:
        """Distributions of owned datasets (an assessment's statements and scores) and blank
        nodes below owned nodes are owned too."""
        i = 0
        while i < len(record.owned):
            node = record.owned[i]
            i += 1
            for t in self.by_subject.get(node, ()):
                o = t.object
                if not isinstance(o, Node) or o in self.owner or o not in self.by_subject:
                    continue
                if isinstance(o, BlankNode) or t.predicate in OWNED_LINKS:
                    self._claim(record, o)

    def references(self, record: Record, depth: int = 4) -> set[Node]:
        """Shared nodes described in the dump that the record reaches (full descriptions)."""
        seen: set[Node] = set()
        frontier = list(record.owned)
        for _ in range(depth):
            nxt = []
            for node in frontier:
                for t in self.by_subject.get(node, ()):
                    o = t.object
                    if t.predicate == RDF_TYPE or not isinstance(o, Node) or o in seen:
                        continue
                    if o in self.by_subject and self.owner.get(o) is None:
                        seen.add(o)
                        nxt.append(o)
                    elif o in self.by_subject and self.owner.get(o) is not record:
                        seen.add(o)  # another record's node: only its types are needed
            frontier = nxt
        return seen

    def owned_triples(self, record: Record) -> list[Triple]:
        return [t for n in record.owned for t in self.by_subject.get(n, ())]

    def validation_triples(self, record: Record) -> list[Triple]:
        """The record's own triples, full descriptions of shared nodes, types of other roots.

        Plus one role triple, for validation only (never stored): a solution's root is typed
        ``cat:Solution``, so quality shapes can tell solutions from releases in core SHACL.
        """
        out = self.owned_triples(record)
        if record.kind == "solution":
            out.append(Triple(record.root, RDF_TYPE, SOLUTION_ROLE))
        for node in record.referenced:
            if node in self.owner:
                types = self.types.get(node, ())
                out.extend(Triple(node, RDF_TYPE, c) for c in types)
                if not types:
                    # untyped, yet described: one of its triples shows the shapes that it is
                    # described (a "value must be typed" rule then fires here as on the dump)
                    out.append(self.by_subject[node][0])
            else:
                out.extend(self.by_subject.get(node, ()))
        return out

    def stored_triples(self, records: Iterable[Record]) -> list[Triple]:
        """Owned triples of these records and the shared nodes they reference, once each."""
        out: list[Triple] = []
        shared: set[Node] = set()
        for record in records:
            out.extend(self.owned_triples(record))
            shared |= {n for n in record.referenced if n not in self.owner}
        for node in shared:
            out.extend(self.by_subject.get(node, ()))
        return out

    def triple_count(self) -> int:
        """How many distinct triples were indexed (those of the dump as parsed)."""
        return sum(len(triples) for triples in self.by_subject.values())

    def stores_everything(self) -> bool:
        """Whether :meth:`stored_triples` of all the records is every triple indexed: each
        subject is a record's or described for one (none like a blank node nothing points
        at), so the dump loaded as it was read is the graph the records would write."""
        described = set(self.owner)
        for record in self.records:
            described |= record.referenced
        return described.issuperset(self.by_subject)

    def signature(self, record: Record) -> str:
        """A canonical hash of what the record is validated from (:meth:`validation_triples`):
        equal iff the record, the shared nodes it describes and the types of the records it
        links to are unchanged, whatever the blank nodes are called.

        Blank nodes forming trees below named nodes (what dumps hold: addresses, checksums,
        nested descriptions) are named by a hash of their own content, so the canonical form
        costs one sort. Any other shape (a blank node used twice, a cycle, a blank root) goes
        through RDFC-1.0 canonicalisation (rdflib's ``to_canonical_graph``): slower, exact.
        """
        return canonical_hash(self.validation_triples(record))


def canonical_hash(triples: list[Triple]) -> str:
    """SHA-256 of the sorted N-Triples of ``triples`` with blank nodes canonicalised (see
    :meth:`RecordIndex.signature`); duplicates count once."""
    text = ox_serialize(triples, format=RdfFormat.N_TRIPLES) or b""  # (None: to a file)
    if b"_:" not in text:  # the common case, no blank node: sorted distinct lines, in Rust
        return hashlib.sha256(b"\n".join(sorted(set(text.splitlines())))).hexdigest()
    triples = list(dict.fromkeys(triples))  # a triple said twice is said once
    below: dict[BlankNode, list[Triple]] = {}
    uses: dict[BlankNode, int] = {}
    named: list[Triple] = []
    for t in triples:
        if isinstance(t.subject, BlankNode):
            below.setdefault(t.subject, []).append(t)
        else:
            named.append(t)
        o = t.object
        if isinstance(o, BlankNode):
            uses[o] = uses.get(o, 0) + 1
    if any(n != 1 for n in uses.values()) or any(b not in uses for b in below):
        return _rdfc_hash(triples)
    # a tree of blank nodes below named nodes: each is named by a hash of its content. Lines
    # stay a multiset (the triples are distinct): two blank nodes alike are still two nodes.
    names: dict[BlankNode, str] = {}

    def name(b: BlankNode, depth: int) -> str | None:
        if b in names:
            return names[b]
        if depth > len(below):  # deeper than there are blank nodes: a cycle
            return None
        lines = []
        for t in below.get(b, ()):
            o = t.object
            obj = name(o, depth + 1) if isinstance(o, BlankNode) else str(o)
            if obj is None:
                return None
            lines.append(f"{t.predicate} {obj}")
        names[b] = "_:" + hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
        return names[b]

    out: list[str] = []
    for t in named:
        o = t.object
        obj = name(o, 0) if isinstance(o, BlankNode) else str(o)
        if obj is None:
            return _rdfc_hash(triples)
        out.append(f"{t.subject} {t.predicate} {obj}")
    if len(names) != len(set(below) | set(uses)):  # blank nodes no named node reaches
        return _rdfc_hash(triples)
    return hashlib.sha256("\n".join(sorted(out)).encode()).hexdigest()


def _rdfc_hash(triples: list[Triple]) -> str:
    """The hash of the RDFC-1.0 canonical form (any shape of blank nodes)."""
    from rdflib.compare import to_canonical_graph

    from catalogue.ingest.rdfconv import graph_of

    canonical = to_canonical_graph(graph_of(triples))
    lines = sorted(set(canonical.serialize(format="nt").splitlines()))
    return hashlib.sha256("\n".join(line for line in lines if line.strip()).encode()).hexdigest()
