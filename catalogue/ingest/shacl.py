"""SHACL validation of records in batches, results grouped back per record.

Two engines with the same results: pyshacl-turbo (Rust, the default; validates a
pyoxigraph store directly) and pySHACL (the reference). A test runs both over the same
fixtures. Shapes are compiled once per process and reused for every batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from catalogue import queries
from catalogue.formats import serialize
from catalogue.ingest.rdfconv import from_rdflib, graph_of, to_rdflib
from catalogue.settings import PACKAGE

if TYPE_CHECKING:
    from catalogue.store import Term

SHAPES_DIR = PACKAGE / "shapes"
RECORD_SHAPES = ("adms-ap.ttl", "quality.ttl")
DUMP_SHAPES = ("adms-ap-dump.ttl",)
PROFILES = {"dcat-ap-3.0.1": ("dcat-ap-3.0.1/DERIVED_dcat-ap-3.0.1-merged.ttl",),
            "standards": ("standards.ttl",)}
# profiles that stand in for ADMS-AP rather than add to it: a standards dump (specifications,
# catalogue records, CAMSS assessments) describes no dcat:Dataset, which ADMS-AP requires
REPLACES_ADMS_AP = frozenset({"standards"})


@dataclass(frozen=True)
class Finding:
    """One SHACL result in our report's words."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str | None

    def as_json(self) -> dict:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "shape": self.shape,
        }


def shape_files(names: Sequence[str], profiles: Sequence[str] = ()) -> list[Path]:
    files = [SHAPES_DIR / n for n in names]
    for p in profiles:
        if p not in PROFILES:
            raise ValueError(f"unknown validation profile {p!r}; known: {', '.join(PROFILES)}")
        files += [SHAPES_DIR / f for f in PROFILES[p]]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"SHACL shapes missing (nothing can be validated): {', '.join(missing)}")
    return files


@lru_cache(maxsize=8)
def load_shapes(files: tuple[Path, ...]) -> rdflib.Graph:
    g = rdflib.Graph()
    for f in files:
        g.parse(f, format="turtle")
    for prefix, ns in (("dct", "http://purl.org/dc/terms/"), ("dcat", "http://www.w3.org/ns/dcat#"),
                       ("foaf", "http://xmlns.com/foaf/0.1/"), ("adms", "http://www.w3.org/ns/adms#"),
                       ("vcard", "http://www.w3.org/2006/vcard/ns#"),
                       ("skos", "http://www.w3.org/2004/02/skos/core#")):
        g.bind(prefix, ns, override=True, replace=True)
    return g


SH_NS = "http://www.w3.org/ns/shacl#"
SEVERITY_BY_IRI = {SH_NS + "Violation": "Violation", SH_NS + "Warning": "Warning", SH_NS + "Info": "Info"}
# read from a report's own in-memory store (sparql/shacl_results.rq)
RESULTS_QUERY = queries.get("shacl_results").body


def _text(node) -> str | None:
    """A term as our report shows it: IRI or lexical form; blank nodes as ``_:id``."""
    if node is None:
        return None
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    return node.value


def findings_from_report(
    report: ox.Store, shapes: rdflib.Graph, shape_nodes: dict[str, rdflib.BNode] | None = None
) -> list[Finding]:
    """Our findings from a SHACL validation report held in a pyoxigraph store.

    Read with one SPARQL query: building an rdflib graph of a large report cost more than
    validating (a report has ~7 triples per result, and partial dumps have thousands).
    ``shape_nodes`` maps the report's blank-node labels of shapes to the shapes graph's own
    blank nodes (the labels differ when the engine relabelled them).
    """
    shape_nodes = shape_nodes or {}
    has_message: dict = {}  # shape -> whether it has its own sh:message (one lookup per shape)
    out: list[Finding] = []
    messages: dict[Term, list[ox.Literal]] = defaultdict(list)
    for q in report.quads_for_pattern(None, ox.NamedNode(SH_NS + "resultMessage"), None):
        if isinstance(q.object, ox.Literal):  # as SHACL says a message is
            messages[q.subject].append(q.object)
    rows = report.query(RESULTS_QUERY)
    assert isinstance(rows, ox.QuerySolutions)  # a SELECT
    for row in rows:
        result, severity, focus, path, value, shape, component = (
            row[k] for k in ("result", "severity", "focus", "path", "value", "shape", "component"))
        shape_r: rdflib.term.Node | None
        if isinstance(shape, ox.BlankNode):
            shape_r = shape_nodes.get(shape.value, rdflib.BNode(shape.value))
        else:
            shape_r = to_rdflib(shape) if shape is not None else None
        text = _pick_message(messages.get(result, []))
        if shape_r is not None and shape_r not in has_message:
            has_message[shape_r] = shapes.value(shape_r, SH.message) is not None
        if shape_r is not None and has_message[shape_r]:
            message = text
        else:  # a shape of someone else's (e.g. DCAT-AP): the engine's text is jargon
            path_r = to_rdflib(path) if isinstance(path, ox.NamedNode) else None
            message = _plain_message(shapes, shape_r, path_r, component.value if component else None, text)
        out.append(Finding(
            SEVERITY_BY_IRI.get(severity.value if severity else "", "Violation"),
            _text(focus) or "",
            path.value if isinstance(path, ox.NamedNode) else _path_text(report, path),
            _text(value) if not isinstance(value, ox.BlankNode) else f"_:{value.value}",
            message,
            _text(shape) if not isinstance(shape, ox.BlankNode) else f"_:{shape_r}",
        ))
    # a stable order (the report store has none): same dump, same report, in any process
    out.sort(key=lambda f: (f.focus, f.path or "", f.shape or "", f.severity, f.value or "", f.message))
    return out


def _pick_message(messages: list[ox.Literal]) -> str:
    for m in messages:
        if isinstance(m, ox.Literal) and m.language in (None, "en"):
            return m.value
    return messages[0].value if messages else ""


def _curie(shapes: rdflib.Graph, node) -> str:
    if not isinstance(node, rdflib.URIRef):
        return str(node)
    try:
        return shapes.namespace_manager.normalizeUri(node)
    except Exception:  # noqa: BLE001 - any IRI rdflib cannot shorten is shown whole
        return f"<{node}>"


def _plain_message(shapes: rdflib.Graph, shape, path, component: str | None, engine_text: str) -> str:
    """Plain words for a shape without its own sh:message, from its constraint."""
    prop = _curie(shapes, path) if isinstance(path, rdflib.URIRef) else "this property"
    name = shapes.value(shape, SH.name) if shape is not None else None
    label = f"{name} ({prop})" if name else prop
    local = component.rsplit("#", 1)[-1] if component is not None else ""
    value = {k: shapes.value(shape, getattr(SH, k)) for k in (
        "minCount", "maxCount", "class", "datatype", "nodeKind")} if shape is not None else {}
    if local == "MinCountConstraintComponent":
        return f"{label} is missing: add at least {value['minCount'] or 1} value(s)."
    if local == "MaxCountConstraintComponent":
        return f"{label} has too many values: keep at most {value['maxCount']}."
    if local == "ClassConstraintComponent" and value.get("class") is not None:
        return (f"{label} must link to a resource typed {_curie(shapes, value['class'])}: "
                "describe it with that class in the dump.")
    if local == "DatatypeConstraintComponent" and value.get("datatype") is not None:
        return f"{label} must be a value of type {_curie(shapes, value['datatype'])}."
    if local == "NodeKindConstraintComponent":
        kind = str(value.get("nodeKind") or "").rsplit("#", 1)[-1]
        words = {"IRI": "a link (IRI)", "Literal": "text (a literal)", "BlankNodeOrIRI": "a resource"}
        return f"{label} must be {words.get(kind, kind)}."
    return f"{label} does not meet the profile's rule ({engine_text or local})."


def _path_text(report: ox.Store, path) -> str | None:
    """A complex result path in SPARQL property-path syntax, as far as we can show it."""
    if path is None:
        return None
    inverse = _objects(report, path, SH_NS + "inversePath")
    if inverse:
        return f"^<{inverse[0].value}>"
    alternative = _objects(report, path, SH_NS + "alternativePath")
    if alternative:
        return "|".join(_list_items(report, alternative[0])) or None
    return "/".join(_list_items(report, path)) or None


def _objects(report: ox.Store, node, predicate: str) -> list:
    return [q.object for q in report.quads_for_pattern(node, ox.NamedNode(predicate), None)]


def _list_items(report: ox.Store, node) -> list[str]:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    items: list[str] = []
    while node is not None and len(items) < 50:
        first = _objects(report, node, rdf + "first")
        if not first:
            break
        items.append(f"<{first[0].value}>")
        rest = _objects(report, node, rdf + "rest")
        node = rest[0] if rest else None
    return items


class Validator:
    """Validates batches of triples against compiled shapes."""

    def __init__(self, files: Sequence[Path], engine: str = "turbo") -> None:
        self.files = tuple(files)
        self.engine = engine
        self.shapes = load_shapes(self.files)
        self._compiled = None
        if engine == "turbo" and self.files:
            import pyshacl_turbo

            self._compiled = _compiled(self.files)
            self._turbo = pyshacl_turbo

    def validate(self, triples: Iterable[ox.Triple]) -> list[Finding]:
        return self.validate_ntriples(serialize(list(triples), ox.RdfFormat.N_TRIPLES))

    def validate_ntriples(self, data: bytes) -> list[Finding]:
        """Validate a graph given as N-Triples (blank-node labels are kept in the findings)."""
        if not self.files:
            return []
        report = ox.Store()
        if self.engine == "turbo":
            report.extend(ox.parse(_turbo_report(self._compiled, data.decode("utf-8")),
                                   format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False))
        else:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in
                       ox.parse(data, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False)]
            import pyshacl

            _, graph, _ = pyshacl.validate(
                graph_of(triples), shacl_graph=self.shapes, inference="none",
                allow_warnings=True, advanced=True,
            )
            report.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph)
        shape_nodes = self._compiled._blank_nodes if self._compiled is not None else None
        return findings_from_report(report, self.shapes, shape_nodes)


def _turbo_report(compiled, ntriples: str) -> str:
    """pyshacl-turbo's report as the N-Triples its native engine writes.

    ``CompiledShapes.validate`` decodes that text into an rdflib graph, which took 80% of
    validation time on large reports; we parse it with pyoxigraph instead. This calls the
    engine the way ``CompiledShapes.validate`` does (pyshacl-turbo is pinned in setup.cfg;
    the tests compare this path with pySHACL on every fixture). The data goes in as
    N-Triples under the format name the engine uses for a pyoxigraph store's N-Quads dump,
    which keeps blank-node labels as they are.
    """
    _, report, _, _, _ = compiled._native.validate(
        ntriples, "oxigraph-nquads", None,
        False, 100, 15,          # no rules iteration; max rule iterations; max validation depth
        False, False, True,      # not in place; allow_infos; allow_warnings (conformance only)
        False, [], [], [],       # abort on first; focus nodes; shapes; namespaces
    )
    return report


@lru_cache(maxsize=8)
def _compiled(files: tuple[Path, ...]):
    import pyshacl_turbo

    return pyshacl_turbo.CompiledShapes(load_shapes(files))


__all__ = ["Finding", "Validator", "from_rdflib", "shape_files"]
