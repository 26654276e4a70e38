"""A report's findings as a standard SHACL ``sh:ValidationReport``, in Turtle."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from catalogue.ingest.report import Report
from catalogue.ingest.shacl import Finding
from catalogue.reports.constraints import RDF_TYPE, SH_NS, constraint_of
from catalogue.reports.i18n import normalise_lang
from catalogue.reports.labels import path_iris
from catalogue.reports.phrasing import explain_finding, value_kind
from catalogue.reports.scoring import PENALTY
from catalogue.terms import PREFIXES


def shacl_report_turtle(report: Report, lang: str | None = None) -> bytes:
    """A standard SHACL ``sh:ValidationReport`` of the report's findings, as Turtle.

    Each finding is one ``sh:result`` (each once, though a shared node's finding is in
    several records). Values are typed back from strings (see :func:`value_kind`); the
    constraint component is given when the shape tells it. With ``lang`` other than
    English, the explained problem and fix are added as a second ``sh:resultMessage``.
    An unreadable dump gives a non-conforming report without results, with the reason
    as an ``rdfs:comment``.
    """
    sh = _sh
    root = ox.BlankNode("report")
    triples = [ox.Triple(root, ox.NamedNode(RDF_TYPE), sh("ValidationReport")),
               ox.Triple(root, sh("conforms"), ox.Literal("true" if report.conforms else "false",
                                                         datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean")))]
    if report.error is not None:
        triples.append(ox.Triple(root, ox.NamedNode(PREFIXES["rdfs"] + "comment"),
                                 ox.Literal(str(report.error), language="en")))
    code = normalise_lang(lang) if lang else "en"
    findings = report.findings
    triples += [ox.Triple(root, sh("result"), ox.BlankNode(f"r{i}")) for i in range(len(findings))]
    for i, f in enumerate(findings):
        triples += _result_triples(ox.BlankNode(f"r{i}"), f, code, i)
    prefixes = {k: PREFIXES[k] for k in ("sh", "rdf", "rdfs", "xsd", "dcat", "dct", "foaf", "vcard",
                                         "adms", "skos")}
    out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert out is not None  # without an output file, serialize returns the bytes
    return out


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH_NS + name)


def _term(text: str, kind: str | None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if kind == "bnode":
        try:
            return ox.BlankNode(text[2:])
        except ValueError:
            return ox.Literal(text)
    if kind == "iri":
        try:
            return ox.NamedNode(text)
        except ValueError:
            return ox.Literal(text)
    return ox.Literal(text)


def _result_triples(node: ox.BlankNode, f: Finding, lang: str, i: int) -> list[ox.Triple]:
    sh = _sh
    constraint = constraint_of(f)
    out = [ox.Triple(node, ox.NamedNode(RDF_TYPE), sh("ValidationResult")),
           ox.Triple(node, sh("resultSeverity"), sh(f.severity if f.severity in PENALTY else "Violation")),
           ox.Triple(node, sh("focusNode"), _term(f.focus, value_kind(f.focus)))]
    extra: list[ox.Triple] = []  # a complex path's nodes, written after the result
    if f.path:
        path, extra = _path_term(f.path, i)
        out.append(ox.Triple(node, sh("resultPath"), path))
    if f.value is not None:
        out.append(ox.Triple(node, sh("value"), _term(f.value, value_kind(f.value, constraint))))
    out.append(ox.Triple(node, sh("resultMessage"), ox.Literal(f.message, language="en")))
    if lang != "en":
        e = explain_finding(f, lang)
        out.append(ox.Triple(node, sh("resultMessage"), ox.Literal(f"{e.problem} {e.fix}", language=lang)))
    if f.shape:
        out.append(ox.Triple(node, sh("sourceShape"), _term(f.shape, value_kind(f.shape))))
    if constraint.component:
        out.append(ox.Triple(node, sh("sourceConstraintComponent"), ox.NamedNode(constraint.component)))
    return out + extra


def _path_term(path: str, i: int) -> tuple[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
    """A SHACL path node for a path as shacl.py writes it: IRI, ``^<p>``, ``<a>/<b>``, ``<a>|<b>``."""
    if not path.startswith(("<", "^")):
        return ox.NamedNode(path), []
    iris = [ox.NamedNode(p) for p in path_iris(path)]
    if path.startswith("^") and iris:
        node = ox.BlankNode(f"p{i}")
        return node, [ox.Triple(node, ox.NamedNode(SH_NS + "inversePath"), iris[0])]
    head, triples = _rdf_list(iris, f"p{i}l")
    if "|<" in path:
        node = ox.BlankNode(f"p{i}")
        return node, [*triples, ox.Triple(node, ox.NamedNode(SH_NS + "alternativePath"), head)]
    return head, triples


def _rdf_list(items: Sequence[ox.NamedNode], prefix: str) -> tuple[ox.BlankNode | ox.NamedNode, list[ox.Triple]]:
    rdf = PREFIXES["rdf"]
    nil: ox.NamedNode | ox.BlankNode = ox.NamedNode(rdf + "nil")
    triples: list[ox.Triple] = []
    head = nil
    for n, item in reversed(list(enumerate(items))):
        cell = ox.BlankNode(f"{prefix}{n}")
        triples += [ox.Triple(cell, ox.NamedNode(rdf + "first"), item),
                    ox.Triple(cell, ox.NamedNode(rdf + "rest"), head)]
        head = cell
    return head, triples
