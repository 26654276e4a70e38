"""Our ADMS-AP shapes find what Joinup's 101 SPARQL rules find, on the same files.

The rule query runs in pyoxigraph (data in a named graph), the shapes in pySHACL (rdflib
graph, inference none), over the same triples with the same blank-node labels. A rule's
property comes from its header comment (``# Rule_ID:N Class - property KIND``), never from
?Predicate (the "USAGE" rules bind it to the value's own predicates). Fixtures: Joinup's own
test files (tests/data/joinup), hand-written files in tests/data/rules (each declares the
rules it triggers in a ``# triggers:`` line), and one trigger plus near misses per rule,
generated from the table in shapes/build_adms_ap.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
import pytest
import rdflib
from rdflib.namespace import SH

from catalogue.ingest.rdfconv import from_rdflib, graph_of
from catalogue.ingest.records import RecordIndex

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
RULES_TEXT = (DATA / "joinup" / "DERIVED_joinup-effective_adms-ap_rules.rq").read_text()
sys.path.insert(0, str(ROOT / "catalogue" / "shapes"))
import build_adms_ap as table  # noqa: E402

GRAPH = "http://example.org/validated"
RULE_PROPERTY = {
    int(m.group(1)): m.group(3)
    for m in re.finditer(r"^# Rule_ID:(\d+) (\S+) - (\S+)", RULES_TEXT, re.M)
}
PREFIXES = {**table.PREFIXES, "v": "http://www.w3.org/2006/vcard/ns#"}
APS = rdflib.Namespace(table.APS)
Q = rdflib.Namespace("https://catalogue.example.org/shapes/quality#")


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


SHAPES = rdflib.Graph().parse(ROOT / "catalogue" / "shapes" / "adms-ap.ttl")
DUMP_SHAPES = rdflib.Graph().parse(ROOT / "catalogue" / "shapes" / "adms-ap-dump.ttl")
# what ingest validates each record against: ADMS-AP and quality shapes in one graph
RECORD_SHAPES = rdflib.Graph().parse(ROOT / "catalogue" / "shapes" / "adms-ap.ttl")
RECORD_SHAPES.parse(ROOT / "catalogue" / "shapes" / "quality.ttl")


def key(term) -> str:
    """A node as text; blank nodes keep their label, which both engines preserve."""
    if isinstance(term, (rdflib.BNode, ox.BlankNode)):
        return "_:" + (term.value if isinstance(term, ox.BlankNode) else str(term))
    return term.value if isinstance(term, ox.NamedNode) else str(term)


# -- the two sides -----------------------------------------------------------------------------


def joinup_findings(graph: rdflib.Graph) -> tuple[set, set]:
    """(node, property, rule) of the per-node rules that fire, and the dump-level rules that do."""
    store = ox.Store()
    store.extend(ox.Quad(*(from_rdflib(t) for t in triple), ox.NamedNode(GRAPH)) for triple in graph)
    found, dump = set(), set()
    for row in store.query(RULES_TEXT.replace("@@@TOKEN-GRAPH@@@", GRAPH)):
        rule = int(row["Rule_ID"].value)
        if rule in table.DUMP_RULES:
            dump.add(rule)
        else:
            found.add((key(row["Subject"]), expand(RULE_PROPERTY[rule]), rule))
    return found, dump


def validate(graph: rdflib.Graph, shapes: rdflib.Graph, engine: str = "pyshacl") -> rdflib.Graph:
    if engine == "pyshacl":
        return pyshacl.validate(graph, shacl_graph=shapes, inference="none")[1]
    return pyshacl_turbo.validate(graph, shacl_graph=shapes, inference=None)[1]


def shape_key(shapes: rdflib.Graph, shape) -> str:
    """A shape's IRI; a blank-node shape (the dump shapes' inner ones) by its rule number."""
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    return "[rule " + ",".join(sorted(str(r) for r in shapes.objects(shape, APS.joinupRule))) + "]"


def results(report: rdflib.Graph, shapes: rdflib.Graph) -> set[tuple[str, str, str]]:
    """(focus node, result path, source shape) of every result."""
    return {
        (key(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
         shape_key(shapes, report.value(r, SH.sourceShape)))
        for r in report.objects(None, SH.result)
    }


def shacl_findings(graph: rdflib.Graph, engine: str = "pyshacl") -> tuple[set, set]:
    """(node, path, rule) of adms-ap.ttl's results, and the rules of adms-ap-dump.ttl's."""
    found, dump = set(), set()
    report = validate(graph, SHAPES, engine)
    for result in report.objects(None, SH.result):
        assert report.value(result, SH.resultSeverity) == SH.Violation
        shape = report.value(result, SH.sourceShape)
        for rule in SHAPES.objects(shape, APS.joinupRule):
            found.add((key(report.value(result, SH.focusNode)),
                       str(report.value(result, SH.resultPath)), int(rule)))
    report = validate(graph, DUMP_SHAPES, engine)
    for result in report.objects(None, SH.result):
        dump.add(int(DUMP_SHAPES.value(report.value(result, SH.sourceShape), APS.joinupRule)))
    return found, dump


def pairs(found: set) -> set:
    return {(node, prop) for node, prop, _ in found}


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
ALL = sorted(GENERATED) + sorted(FILES)
DECLARING = sorted(n for n, p in FILES.items() if re.search(r"^# triggers:", p.read_text(), re.M))


def text_of(name: str) -> tuple[str, str]:
    if name in GENERATED:
        return GENERATED[name], "turtle"
    path = FILES[name]
    return path.read_text(), "xml" if path.suffix == ".rdf" else "turtle"


def load(name: str) -> rdflib.Graph:
    data, fmt = text_of(name)
    return rdflib.Graph().parse(data=data, format=fmt)


# -- the equivalence -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_shapes_find_what_the_joinup_rules_find(name):
    graph = load(name)
    want, want_dump = joinup_findings(graph)
    got, got_dump = shacl_findings(graph)
    assert pairs(got) == pairs(want)  # (focus node, property), as the rules report them
    assert got == want  # ...and each pair by the shape of the very rule that reports it
    assert got_dump == want_dump


@pytest.mark.parametrize("name", DECLARING)
def test_fixture_triggers_the_rules_it_declares(name):
    text = FILES[name].read_text()
    declared = {int(n) for n in re.search(r"^# triggers:(.*)$", text, re.M).group(1).split()}
    found, dump = joinup_findings(load(name))
    assert {rule for *_, rule in found} | dump == declared


def test_every_rule_fires_somewhere_except_those_that_never_can():
    fired: set[int] = set()
    for name in ALL:
        found, dump = joinup_findings(load(name))
        fired |= {rule for *_, rule in found} | dump
    all_rules = set(RULE_PROPERTY)
    assert len(all_rules) == 101
    assert fired == all_rules - set(table.NEVER_FIRE)


def test_the_dead_rules_stay_silent_on_what_they_were_meant_to_catch():
    """Rules 16 26 31 36 48 50 71 79 cannot fire; their intent is checked as quality warnings."""
    graph = load("never-fire.ttl")
    assert joinup_findings(graph) == (set(), set())
    assert shacl_findings(graph) == (set(), set())
    quality = {shape for _, _, shape in results(validate(graph, RECORD_SHAPES), RECORD_SHAPES)}
    assert {str(Q["Dataset-issued-datatype"]), str(Q["Distribution-accessURL-iri"])} <= quality


def test_every_rule_is_reproduced_or_explained():
    covered = {r for rules, *_ in table.RULES for r in rules} | set(table.DUMP_RULES) | set(table.NEVER_FIRE)
    assert covered == set(RULE_PROPERTY)


def test_joinup_invalid_sample_gives_exactly_the_contact_point_finding():
    found, dump = shacl_findings(load("federation_invalid_adms.rdf"))
    assert pairs(found) == {("http://asset", "http://www.w3.org/ns/dcat#contactPoint")}
    assert dump == set()
    assert shacl_findings(load("federation_valid_adms.rdf")) == (set(), set())


# -- record by record, as ingest validates ---------------------------------------------------

# file -> why its records, validated alone, do not get what the whole dump gives them
RECORD_SPLIT_LOSES: dict[str, str] = {}


def document_triples(name: str) -> list[ox.Triple]:
    """The file's triples in document order, as ingest parses them (pyoxigraph)."""
    data, fmt = text_of(name)
    oxfmt = ox.RdfFormat.RDF_XML if fmt == "xml" else ox.RdfFormat.TURTLE
    return list(ox.parse(data.encode(), format=oxfmt))


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=RECORD_SPLIT_LOSES[n], strict=True))
    if n in RECORD_SPLIT_LOSES else n for n in sorted(FILES)])
def test_each_record_alone_gets_what_the_whole_dump_gives_it(name):
    """A record's graph: its own triples, shared nodes in full, other records' nodes by type.

    Every node judged in a record (owned, or shared and described in full) must get the same
    results there as in the whole dump. Results on another record's nodes (present by their
    types only) are not the record's: ingest must drop them, as it does for other roots.
    """
    triples = document_triples(name)
    index = RecordIndex(triples)
    whole = results(validate(graph_of(triples), SHAPES), SHAPES)
    per_record: set = set()
    judged: set[str] = set()
    for record in index.records:
        mine = {key(n) for n in record.owned} | {
            key(n) for n in record.referenced if n not in index.owner}
        judged |= mine
        alone = results(validate(graph_of(index.validation_triples(record)), SHAPES), SHAPES)
        per_record |= {r for r in alone if r[0] in mine}
    assert per_record == {r for r in whole if r[0] in judged}


# -- the two engines ---------------------------------------------------------------------------

# file or generated fixture -> why pyshacl-turbo disagrees with pySHACL there (none known)
TURBO_DISAGREES: dict[str, str] = {}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=TURBO_DISAGREES[n], strict=True))
    if n in TURBO_DISAGREES else n for n in ALL])
def test_turbo_engine_agrees_with_pyshacl(name):
    """Same (focus node, path, source shape) from pyshacl-turbo as from pySHACL, on the record
    shapes (ADMS-AP and quality, as ingest loads them) and on the dump shapes."""
    graph = load(name)
    for shapes in (RECORD_SHAPES, DUMP_SHAPES):
        turbo = results(validate(graph, shapes, "turbo"), shapes)
        assert turbo == results(validate(graph, shapes), shapes)


@pytest.mark.parametrize("name", sorted(FILES))
def test_turbo_on_a_store_agrees_with_pyshacl(name):
    """Ingest runs turbo's compiled shapes on a pyoxigraph store: same results there too."""
    graph = load(name)
    store = ox.Store()
    store.extend(ox.Quad(*(from_rdflib(t) for t in triple)) for triple in graph)
    report = pyshacl_turbo.CompiledShapes(RECORD_SHAPES).validate(store, inference=None)[1]
    assert results(report, RECORD_SHAPES) == results(validate(graph, RECORD_SHAPES), RECORD_SHAPES)


# -- what people read --------------------------------------------------------------------------

PYSHACL_WORDING = ("Constraint", "Less than", "More than", "Value does not", "Value is not",
                   "does not conform", "Node ", "sh:", "{$", "{?")


def shapes_with_a_path(g: rdflib.Graph):
    return [s for s in g.subjects(SH.path, None) if isinstance(s, rdflib.URIRef)]


def test_every_shape_has_plain_words_a_name_and_its_rule():
    shapes = shapes_with_a_path(SHAPES) + list(DUMP_SHAPES.subjects(SH.path, None))
    assert len(shapes_with_a_path(SHAPES)) == len(table.RULES)
    for shape in shapes:
        g = SHAPES if (shape, None, None) in SHAPES else DUMP_SHAPES
        message = str(g.value(shape, SH.message))
        assert g.value(shape, SH.name) is not None, shape
        assert g.value(shape, APS.joinupRule) is not None, shape
        assert g.value(shape, SH.severity) == SH.Violation, shape
        assert re.search(r"\((dcat|dct|adms|foaf|vcard|skos|spdx|schema|owl|rdfs):\w+\)", message), message
        for jargon in PYSHACL_WORDING:
            assert jargon not in message, (shape, jargon)


def test_every_reported_result_comes_from_a_shape_with_a_message():
    """No result ever falls back to pySHACL's own text."""
    for name in ALL:
        graph = load(name)
        for shapes in (RECORD_SHAPES, DUMP_SHAPES):
            report = validate(graph, shapes)
            for result in report.objects(None, SH.result):
                shape = report.value(result, SH.sourceShape)
                assert shapes.value(shape, SH.message) is not None, (name, shape)


def test_committed_shapes_are_what_the_table_builds():
    records, dump = table.build()
    assert (ROOT / "catalogue" / "shapes" / "adms-ap.ttl").read_text().endswith(records)
    assert (ROOT / "catalogue" / "shapes" / "adms-ap-dump.ttl").read_text().endswith(dump)


@pytest.mark.parametrize("name", ALL)
def test_our_validator_reads_the_same_findings_from_both_engines(name):
    """catalogue's Validator reads turbo's native report (not its rdflib decoding): the
    findings, messages included, must equal what it reads from pySHACL's report."""
    from catalogue.ingest.shacl import RECORD_SHAPES as RECORD_FILES
    from catalogue.ingest.shacl import Validator, shape_files

    triples = document_triples(name)
    files = shape_files(RECORD_FILES)
    turbo = Validator(files, "turbo").validate(triples)
    reference = Validator(files, "pyshacl").validate(triples)

    def canonical(findings):  # blank-node labels differ between engines' reports only in values
        return sorted((f.severity, f.focus, f.path or "", f.message, f.shape or "",
                       f.value if f.value and not f.value.startswith("_:") else "")
                      for f in findings)

    assert canonical(turbo) == canonical(reference)
    assert all(f.message for f in turbo)
