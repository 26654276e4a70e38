"""The shape-constraint reader: which rule of its shape a SHACL finding broke.

A validation result names its shape but not the constraint that failed; this module finds
the shape in the validator's own shapes graphs (:func:`catalogue.ingest.shacl.load_shapes`
is cached, so blank-node shapes keep the ids the findings carry) and reads the constraint:
sh:minCount, sh:maxCount, sh:class, sh:nodeKind, sh:datatype, sh:in, sh:pattern... The
store's ownership rules (:mod:`catalogue.ingest.ownership`) are not shapes but read as
constraints too. Shapes are read once per process, lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH

from catalogue.ingest.ownership import OWNED_RULE, RESERVED_RULE
from catalogue.ingest.shacl import (
    DUMP_SHAPES,
    PROFILES,
    RECORD_SHAPES,
    Finding,
    load_shapes,
    shape_files,
)

SH_NS = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# the store's rules on who may describe what (catalogue/ingest/ownership.py): not shapes
OWNERSHIP_RULES = {OWNED_RULE: "owned", RESERVED_RULE: "reserved"}
_OWNER = re.compile(r"published by the source '([^']+)'")
JOINUP_RULE = rdflib.URIRef("https://catalogue.example.org/shapes/adms-ap#joinupRule")


@dataclass(frozen=True)
class Shape:
    """A shape node in the shapes graph that holds it."""

    graph: rdflib.Graph
    node: rdflib.term.Node

    def value(self, name: str):
        return self.graph.value(self.node, SH[name])

    def objects(self, name: str) -> list:
        return list(self.graph.objects(self.node, SH[name]))


def as_int(node) -> int | None:
    try:
        return int(node) if node is not None else None
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def _shape_graphs() -> tuple[rdflib.Graph, ...]:
    """The validator's own shapes graphs (cached in shacl.py, so blank-node ids match)."""
    graphs = []
    for names in (RECORD_SHAPES, DUMP_SHAPES):
        try:
            graphs.append(load_shapes(tuple(shape_files(names))))
        except FileNotFoundError:
            continue
    return tuple(graphs)


@lru_cache(maxsize=1)
def _profile_graphs() -> tuple[rdflib.Graph, ...]:
    """Optional profiles' shapes, read only when a finding names a shape we do not know."""
    graphs = []
    for profile in PROFILES:
        try:
            graphs.append(load_shapes(tuple(shape_files(RECORD_SHAPES, (profile,)))))
        except (FileNotFoundError, ValueError):
            continue
    return tuple(graphs)


@lru_cache(maxsize=1)
def _shapes_by_message() -> dict[str, Shape]:
    """Our English sh:message → shape: finds a blank-node shape relabelled in another process."""
    out: dict[str, Shape] = {}
    for g in _shape_graphs():
        for node, message in g.subject_objects(SH.message):
            out.setdefault(str(message), Shape(g, node))
    return out


@lru_cache(maxsize=512)
def find_shape(shape: str | None, message: str) -> Shape | None:
    """The shape a finding names (IRI or ``_:id``), else the one with the finding's message."""
    if shape:
        node = rdflib.BNode(shape[2:]) if shape.startswith("_:") else rdflib.URIRef(shape)
        for g in _shape_graphs():
            if (node, None, None) in g:
                return Shape(g, node)
        if not shape.startswith("_:"):
            for g in _profile_graphs():
                if (node, None, None) in g:
                    return Shape(g, node)
    return _shapes_by_message().get(message) if message else None


@lru_cache(maxsize=1024)
def owner_class(shape: Shape | None) -> str | None:
    """The class (or node shape) whose instances a property shape checks: says "this X"."""
    if shape is None:
        return None
    for owner in shape.graph.subjects(SH.property, shape.node):
        target = shape.graph.value(owner, SH.targetClass)
        return str(target) if target is not None else str(owner)
    target = shape.value("targetClass")
    return str(target) if target is not None else None


def joinup_rules(finding: Finding) -> tuple[int, ...]:
    """The Joinup ADMS-AP rule numbers the finding's shape reproduces."""
    return _shape_rules(find_shape(finding.shape, finding.message))


@lru_cache(maxsize=1024)
def _shape_rules(shape: Shape | None) -> tuple[int, ...]:
    if shape is None:
        return ()
    numbers = (as_int(o) for o in shape.graph.objects(shape.node, JOINUP_RULE))
    return tuple(sorted(n for n in numbers if n is not None))


# --- constraints -----------------------------------------------------------------------------


@dataclass
class Constraint:
    """The rule a finding broke, read from its shape: a kind and its parameters."""

    kind: str  # min, max, class, class_or_bare, typed, nodekind, datatype, or, in, pattern,
    #            min_length, max_length, has_value, node, qualified, closed, instances, other
    component: str | None = None  # the sh:...ConstraintComponent, for the SHACL export
    params: dict[str, Any] = field(default_factory=dict)


def _component(name: str) -> str:
    return f"{SH_NS}{name}ConstraintComponent"


def constraint_of(finding: Finding, count: int | None = None) -> Constraint:
    """Which constraint of the finding's shape was broken (a result does not say which).

    A result without a value is a cardinality (or qualified/hasValue) failure; with a value,
    a value-type one. ``count`` (values of the path on the focus node, when known) tells
    sh:minCount from sh:maxCount when a shape has both.
    """
    path = finding.path or ""
    if path.startswith("^") and RDF_TYPE in path:
        found = _constraint(finding.shape, finding.message, True, count)
        if found.kind == "min":
            return Constraint("instances", found.component, {"class": finding.focus})
        return found
    return _constraint(finding.shape, finding.message, finding.value is None, count)


@lru_cache(maxsize=4096)
def _constraint(shape_id: str | None, message: str, no_value: bool, count: int | None) -> Constraint:
    """Per shape, not per finding: a large report repeats a few shapes thousands of times.
    The result is shared: treat it as read-only."""
    if shape_id in OWNERSHIP_RULES:  # not a SHACL shape: the store's rule (ownership.py)
        owner = _OWNER.search(message)
        return Constraint(OWNERSHIP_RULES[shape_id], params={"owner": owner.group(1) if owner else "?"})
    shape = find_shape(shape_id, message)
    if shape is None:
        return Constraint("other")
    readers = _NO_VALUE_READERS if no_value else _VALUE_READERS
    for reader in readers:
        found = reader(shape, count)
        if found is not None:
            return found
    return Constraint("other")


def _read_min(shape: Shape, count: int | None) -> Constraint | None:
    n, m = as_int(shape.value("minCount")), as_int(shape.value("maxCount"))
    if n is None or (m is not None and count is not None and count > m):
        return None
    return Constraint("min", _component("MinCount"), {"min": n})


def _read_max(shape: Shape, count: int | None) -> Constraint | None:
    m = as_int(shape.value("maxCount"))
    return None if m is None else Constraint("max", _component("MaxCount"), {"max": m, "count": count})


def _read_qualified(shape: Shape, count: int | None) -> Constraint | None:
    inner = shape.value("qualifiedValueShape")
    if inner is None:
        return None
    n = as_int(shape.value("qualifiedMinCount"))
    return Constraint("qualified", _component("QualifiedMinCount"),
                      {"shape": Shape(shape.graph, inner), "min": n or 1})


def _read_has_value(shape: Shape, count: int | None) -> Constraint | None:
    v = shape.value("hasValue")
    return None if v is None else Constraint("has_value", _component("HasValue"), {"expected": v})


def _read_or(shape: Shape, count: int | None) -> Constraint | None:
    alternatives = shape.value("or")
    if alternatives is None:
        return None
    members = [Shape(shape.graph, m) for m in Collection(shape.graph, alternatives)]
    bare = [m for m in members if is_bare(m)]
    others = [m for m in members if not is_bare(m)]
    if bare and len(others) == 1 and others[0].value("class") is not None:
        return Constraint("class_or_bare", _component("Or"), {"class": str(others[0].value("class"))})
    if bare and len(others) == 1 and is_typed(others[0]):
        return Constraint("typed", _component("Or"))
    return Constraint("or", _component("Or"), {"members": members})


def is_bare(shape: Shape) -> bool:
    """``[ sh:closed true ]`` with no property: a node with no triples, i.e. a bare link."""
    return bool(shape.value("closed")) and not shape.objects("property")


def is_typed(shape: Shape) -> bool:
    """A shape asking for an rdf:type, whichever."""
    return str(shape.value("path")) == RDF_TYPE and as_int(shape.value("minCount")) == 1


def _simple(name: str, kind: str, component: str, param: str):
    def read(shape: Shape, count: int | None) -> Constraint | None:
        v = shape.value(name)
        return None if v is None else Constraint(kind, _component(component), {param: v})
    return read


def _read_in(shape: Shape, count: int | None) -> Constraint | None:
    values = shape.value("in")
    if values is None:
        return None
    return Constraint("in", _component("In"),
                      {"allowed": list(Collection(shape.graph, values))})


def _read_closed(shape: Shape, count: int | None) -> Constraint | None:
    return Constraint("closed", _component("Closed")) if shape.value("closed") else None


_VALUE_READERS = (
    _read_or, _simple("class", "class", "Class", "class"),
    _simple("nodeKind", "nodekind", "NodeKind", "kind"),
    _simple("datatype", "datatype", "Datatype", "datatype"), _read_in,
    _simple("pattern", "pattern", "Pattern", "pattern"),
    _simple("minLength", "min_length", "MinLength", "n"),
    _simple("maxLength", "max_length", "MaxLength", "n"),
    _simple("node", "node", "Node", "node"), _read_closed, _read_has_value,
)
_NO_VALUE_READERS = (_read_qualified, _read_min, _read_max, _read_has_value, _read_or, _read_closed)
