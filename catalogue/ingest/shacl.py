"""SHACL validation of records in batches, results grouped back per record.

Two engines with the same results: pyshacl-turbo (Rust, the default; validates a
pyoxigraph store directly) and pySHACL (the reference). A test runs both over the same
fixtures. Shapes are compiled once per process and reused for every batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from ..settings import ROOT
from .rdfconv import from_rdflib, graph_of

SHAPES_DIR = ROOT / "shapes"
RECORD_SHAPES = ("adms-ap.ttl", "quality.ttl")
DUMP_SHAPES = ("adms-ap-dump.ttl",)
PROFILES = {"dcat-ap-3.0.1": ("dcat-ap-3.0.1/DERIVED_dcat-ap-3.0.1-merged.ttl",)}

SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


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


def _node_text(node) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return str(node)
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def _value_text(node) -> str | None:
    if node is None:
        return None
    return str(node)


def findings_from_report(report: rdflib.Graph, shapes: rdflib.Graph) -> list[Finding]:
    out: list[Finding] = []
    for result in report.objects(None, SH.result):
        severity = SEVERITY.get(report.value(result, SH.resultSeverity), "Violation")
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        messages = list(report.objects(result, SH.resultMessage))
        if shape is not None and shapes.value(shape, SH.message) is not None:
            message = _pick_message(messages)
        else:  # a shape of someone else's (e.g. DCAT-AP): the engine's text is jargon
            component = report.value(result, SH.sourceConstraintComponent)
            message = _plain_message(shapes, shape, path, component, _pick_message(messages))
        out.append(
            Finding(
                severity,
                _node_text(focus) or "",
                str(path) if isinstance(path, rdflib.URIRef) else _path_text(shapes, report, path),
                _value_text(value),
                message,
                _node_text(shape),
            )
        )
    return out


def _pick_message(messages: list) -> str:
    for m in messages:
        if isinstance(m, rdflib.Literal) and (m.language in (None, "en")):
            return str(m)
    return str(messages[0]) if messages else ""


def _curie(shapes: rdflib.Graph, node) -> str:
    if not isinstance(node, rdflib.URIRef):
        return str(node)
    try:
        return shapes.namespace_manager.normalizeUri(node)
    except Exception:  # noqa: BLE001 - any IRI rdflib cannot shorten is shown whole
        return f"<{node}>"


def _plain_message(shapes: rdflib.Graph, shape, path, component, engine_text: str) -> str:
    """Plain words for a shape without its own sh:message, from its constraint."""
    prop = _curie(shapes, path) if isinstance(path, rdflib.URIRef) else "this property"
    name = shapes.value(shape, SH.name) if shape is not None else None
    label = f"{name} ({prop})" if name else prop
    local = str(component).rsplit("#", 1)[-1] if component is not None else ""
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


def _path_text(shapes: rdflib.Graph, report: rdflib.Graph, path) -> str | None:
    if path is None:
        return None
    # a complex path: show it in SPARQL property-path syntax as far as we can
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^<{inverse}>"
    items = list(rdflib.collection.Collection(report, path)) if report.value(path, rdflib.RDF.first) else []
    if items:
        return "/".join(f"<{i}>" for i in items)
    return None


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
        if not self.files:
            return []
        if self.engine == "turbo":
            store = ox.Store()
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
            _, report, _ = self._compiled.validate(store, inference=None, allow_warnings=True)
        else:
            import pyshacl

            _, report, _ = pyshacl.validate(
                graph_of(triples), shacl_graph=self.shapes, inference="none",
                allow_warnings=True, advanced=True,
            )
        return findings_from_report(report, self.shapes)


@lru_cache(maxsize=8)
def _compiled(files: tuple[Path, ...]):
    import pyshacl_turbo

    return pyshacl_turbo.CompiledShapes(load_shapes(files))


__all__ = ["Finding", "Validator", "from_rdflib", "shape_files"]
