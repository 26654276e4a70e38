"""Our ADMS-AP shapes find what Joinup's 101 SPARQL rules find: same (node, property) pairs
on the same files. Fixtures: Joinup's own test files, a hand-written one, and one trigger
plus near misses generated per rule from the table in shapes/build_adms_ap.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
RULES_TEXT = (DATA / "joinup" / "DERIVED_joinup-effective_adms-ap_rules.rq").read_text()
sys.path.insert(0, str(ROOT / "shapes"))
import build_adms_ap as table  # noqa: E402

GRAPH = "http://example.org/validated"
RULE_PROPERTY = {
    int(m.group(1)): m.group(3)
    for m in re.finditer(r"^# Rule_ID:(\d+) (\S+) - (\S+)", RULES_TEXT, re.M)
}
PREFIXES = {**table.PREFIXES, "v": "http://www.w3.org/2006/vcard/ns#"}


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def joinup_findings(data: str, fmt: ox.RdfFormat) -> tuple[set, set]:
    """(node, property) pairs of per-node rules, and numbers of dump-level rules, that fire."""
    store = ox.Store()
    store.load(data.encode(), format=fmt, to_graph=ox.NamedNode(GRAPH))
    pairs, dump = set(), set()
    for row in store.query(RULES_TEXT.replace("@@@TOKEN-GRAPH@@@", GRAPH)):
        rule = int(row["Rule_ID"].value)
        if rule in table.DUMP_RULES:
            dump.add(rule)
        else:
            subject = row["Subject"]
            node = "_:blank" if isinstance(subject, ox.BlankNode) else subject.value
            pairs.add((node, expand(RULE_PROPERTY[rule])))
    return pairs, dump


SHAPES = rdflib.Graph().parse(ROOT / "shapes" / "adms-ap.ttl")
DUMP_SHAPES = rdflib.Graph().parse(ROOT / "shapes" / "adms-ap-dump.ttl")
APS = rdflib.Namespace(table.APS)


def shacl_findings(data: str, fmt: str, engine: str = "pyshacl") -> tuple[set, set]:
    graph = rdflib.Graph().parse(data=data, format=fmt)
    validate = pyshacl.validate if engine == "pyshacl" else __import__("pyshacl_turbo").validate
    pairs, dump = set(), set()
    _, report, _ = validate(graph, shacl_graph=SHAPES, inference="none")
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) == SH.Violation:
            focus = report.value(result, SH.focusNode)
            node = "_:blank" if isinstance(focus, rdflib.BNode) else str(focus)
            pairs.add((node, str(report.value(result, SH.resultPath))))
    _, report, _ = validate(graph, shacl_graph=DUMP_SHAPES, inference="none")
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        dump.add(int(DUMP_SHAPES.value(shape, APS.joinupRule)))
    return pairs, dump


# -- generated fixtures: one per rule, with near misses -------------------------------------

BASE = """@prefix ex: <http://example.org/> .
""" + "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())


def fixture_for(cls: str, prop: str, kind: str) -> str:
    s = "ex:subject"
    lines = [f"{s} a {cls} ."]
    if kind == "min":
        pass  # the subject lacks the property
    elif kind == "max":
        lines.append(f'{s} {prop} "one", "two" .' if prop in LITERAL_PROPS else f"{s} {prop} ex:v1, ex:v2 .")
    elif kind == "literal":
        lines.append(f"{s} {prop} ex:notText .")
        lines.append(f"ex:ok a {cls} ; {prop} \"fine\" .")  # near miss
    elif kind == "iri":
        lines.append(f'{s} {prop} "not a link" .')
        lines.append(f"ex:ok a {cls} ; {prop} ex:fine .")
    elif kind == "typed":
        lines.append(f'{s} {prop} ex:described . ex:described ex:p "untyped" .')
        lines.append(f"ex:ok a {cls} ; {prop} ex:undescribed .")  # near miss: a bare link
        lines.append(f'ex:ok2 a {cls} ; {prop} ex:typed . ex:typed a ex:AnyClass .')
    else:
        target = kind.split(":", 1)[1]
        lines.append(f'{s} {prop} ex:described . ex:described ex:p "wrong type" .')
        lines.append(f"ex:ok a {cls} ; {prop} ex:undescribed .")
        lines.append(f"ex:ok2 a {cls} ; {prop} ex:right . ex:right a {target} .")
        lines.append(f'ex:ok3 a {cls} ; {prop} "a literal" .')
    return BASE + "\n".join(lines) + "\n"


LITERAL_PROPS = {prop for _, _, prop, kind in table.RULES if kind == "literal"} | {
    "spdx:checksumValue", "dct:issued", "dct:modified", "adms:versionNotes"}

GENERATED = {f"rule-{rules[0]}": fixture_for(cls, prop, kind) for rules, cls, prop, kind in table.RULES}
FILES = {p.name: p for p in [*(DATA / "joinup").glob("*.rdf"), *(DATA / "rules").glob("*.ttl"),
                             DATA / "ingest" / "two-solutions.ttl"]}


def load(name: str) -> tuple[str, ox.RdfFormat, str]:
    if name in GENERATED:
        return GENERATED[name], ox.RdfFormat.TURTLE, "turtle"
    path = FILES[name]
    if path.suffix == ".rdf":
        return path.read_text(), ox.RdfFormat.RDF_XML, "xml"
    return path.read_text(), ox.RdfFormat.TURTLE, "turtle"


ALL = sorted(GENERATED) + sorted(FILES)


@pytest.mark.parametrize("name", ALL)
def test_shapes_find_what_the_joinup_rules_find(name):
    data, oxfmt, fmt = load(name)
    assert shacl_findings(data, fmt) == joinup_findings(data, oxfmt)


@pytest.mark.parametrize("name", ALL)
def test_turbo_engine_agrees_with_pyshacl(name):
    data, _, fmt = load(name)
    assert shacl_findings(data, fmt, "turbo") == shacl_findings(data, fmt, "pyshacl")


def test_every_rule_fires_somewhere_except_those_that_never_can():
    fired: set[int] = set()
    for name in ALL:
        data, oxfmt, _ = load(name)
        store = ox.Store()
        store.load(data.encode(), format=oxfmt, to_graph=ox.NamedNode(GRAPH))
        fired |= {int(r["Rule_ID"].value) for r in store.query(RULES_TEXT.replace("@@@TOKEN-GRAPH@@@", GRAPH))}
    all_rules = set(RULE_PROPERTY)
    assert len(all_rules) == 101
    assert fired == all_rules - set(table.NEVER_FIRE)


def test_every_rule_is_reproduced_or_explained():
    covered = {r for rules, *_ in table.RULES for r in rules} | set(table.DUMP_RULES) | set(table.NEVER_FIRE)
    assert covered == set(RULE_PROPERTY)


def test_joinup_invalid_sample_gives_exactly_the_contact_point_finding():
    data, oxfmt, fmt = load("federation_invalid_adms.rdf")
    pairs, dump = shacl_findings(data, fmt)
    assert pairs == {("http://asset", "http://www.w3.org/ns/dcat#contactPoint")}
    assert shacl_findings(*load("federation_valid_adms.rdf")[::2]) == (set(), set())


def test_every_shape_has_plain_words_a_name_and_its_rule():
    for shape in (s for s in SHAPES.subjects(SH.path, None) if isinstance(s, rdflib.URIRef)):
        message = str(SHAPES.value(shape, SH.message))
        assert SHAPES.value(shape, SH.name) is not None, shape
        assert SHAPES.value(shape, APS.joinupRule) is not None, shape
        assert re.search(r"\((dcat|dct|adms|foaf|vcard|skos|spdx|schema|owl|rdfs):\w+\)", message), message
        for jargon in ("Constraint", "Less than", "More than", "Value does not", "sh:"):
            assert jargon not in message


def test_committed_shapes_are_what_the_table_builds():
    records, dump = table.build()
    assert (ROOT / "shapes" / "adms-ap.ttl").read_text().endswith(records)
    assert (ROOT / "shapes" / "adms-ap-dump.ttl").read_text().endswith(dump)
