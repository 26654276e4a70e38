"""The explained validation report: real broken dumps in, plain words, fixes, scores,
parse-error context and the SHACL/JSON exports out, in English, French and German."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.ingest import validate_dump
from catalogue.ingest.report import Report
from catalogue.ingest.shacl import Finding
from catalogue.reports import (
    constraint_of,
    error_context,
    explain,
    explain_finding,
    explained_json,
    headings,
    normalise_lang,
    property_label,
    quality,
    record_score,
    shacl_report_turtle,
)
from catalogue.settings import load_settings

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"
EUPL = "http://publications.europa.eu/resource/authority/licence/EUPL_1_2"


def edit(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new)


# the distribution loses its licence and gets two untyped file formats; solution-1 gets an
# untyped modification date; solution-2's publisher is the contact point (not a foaf:Agent)
BROKEN = edit(edit(edit(
    GOOD,
    b"dcat:accessURL <https://code.example.org/einvoicing/1.0.zip> ;\n  dct:license ex:eupl .",
    b"dcat:accessURL <https://code.example.org/einvoicing/1.0.zip> ;\n  dct:format ex:zip, ex:tar ."),
    b'dct:modified "2024-03-01T10:00:00Z"^^xsd:dateTime', b'dct:modified "last spring"'),
    b"dct:publisher ex:agency ;\n  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
    b"dct:publisher ex:contact ;\n  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
) + b'\nex:zip dct:title "zip" .\nex:tar dct:title "tar" .\n'


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings({}, store=str(tmp_path_factory.mktemp("store")), shacl_engine="turbo")


def validated(data: bytes, settings) -> Report:
    result = validate_dump(data, filename="x.ttl", settings=settings)
    return result if isinstance(result, Report) else result.report


@pytest.fixture(scope="module")
def broken(settings) -> Report:
    return validated(BROKEN, settings)


def finding(report: Report, *, focus: str, path: str, severity: str = "Violation",
            value: str | None = None) -> Finding:
    found = [f for f in report.findings if (f.focus, f.path, f.severity) == (focus, path, severity)
             and (value is None or f.value == value)]
    assert len(found) == 1, [f for f in report.findings if f.focus == focus]
    return found[0]


def test_a_distribution_without_licence_is_explained_in_three_languages(broken):
    f = finding(broken, focus=EX + "solution-1-v1-zip", path=DCT + "license")
    en, fr, de = (explain_finding(f, lang) for lang in ("en", "fr", "de"))
    assert en.property_label == "licence"
    assert en.problem == "The licence is missing."
    assert en.fix.startswith("Add dct:license to this distribution")
    assert EUPL in en.fix
    assert fr.property_label == "licence"
    assert "licence" in fr.problem and fr.fix.startswith("Ajoutez dct:license à cette distribution")
    assert de.property_label == "Lizenz"
    assert "Lizenz" in de.problem and "dieser Distribution" in de.fix and EUPL in de.fix
    assert f.value is None


def test_the_explained_problem_carries_the_value_severity_and_joinup_rule(broken, settings):
    page = explain(broken, "de", BROKEN)
    record = next(r for r in page.records if r.iri == EX + "solution-2")
    problem = next(p for p in record.problems if p.path == DCT + "publisher")
    assert problem.value == EX + "contact"
    assert problem.severity_label == "Verstoß"
    assert problem.property_label == "Herausgeber"
    assert problem.rules == (6,)
    assert "foaf:Agent" in problem.problem and f"<{EX}contact>" in problem.fix


def test_too_many_values_says_how_many_when_the_dump_is_given(broken):
    page = explain(broken, "en", BROKEN)
    problems = [p for r in page.records for p in r.problems
                if p.path == DCT + "format" and p.value is None]
    assert [p.problem for p in problems] == ["The file format has 2 values, at most 1 allowed."]
    assert problems[0].fix == "Keep at most 1 value(s) of dct:format on this distribution and remove the others."
    f = next(f for f in broken.findings if f.path == DCT + "format" and f.value is None)
    assert explain_finding(f, "fr").problem.startswith("La propriété « format de fichier » a plus de 1")


def test_a_value_that_is_not_an_agent_is_a_class_problem(broken):
    f = finding(broken, focus=EX + "solution-2", path=DCT + "publisher")
    assert constraint_of(f).kind == "class_or_bare"
    e = explain_finding(f, "en")
    assert e.problem == (f"The publisher points to <{EX}contact>, which the dump describes "
                         "but does not type foaf:Agent.")
    assert e.fix.startswith(f'Add "a foaf:Agent" to the description of <{EX}contact>')


def test_an_untyped_date_is_a_datatype_problem_with_an_example(broken):
    f = finding(broken, focus=EX + "solution-1", path=DCT + "modified", severity="Warning")
    assert f.value == "last spring"
    e = explain_finding(f, "en")
    assert e.property_label == "modification date"
    assert "xsd:dateTime" in e.problem and "xsd:date" in e.problem
    assert e.fix == 'Write the value with its type, for example "2024-05-01T00:00:00Z"^^xsd:dateTime.'
    assert explain_finding(f, "de").property_label == "Änderungsdatum"


def test_a_link_where_text_is_required_is_a_node_kind_problem(settings):
    report = validated(edit(GOOD, b'dct:description "First release."@en ;',
                            b"dct:description <http://repo.example.org/notes> ;"), settings)
    f = finding(report, focus=EX + "solution-1-v1", path=DCT + "description")
    e = explain_finding(f, "fr")
    assert e.problem == "La propriété « description » doit être du texte (un littéral)."
    assert "comme du texte" in e.fix


def test_dump_level_problems_name_the_missing_class(settings):
    report = validated(b"@prefix ex: <http://e.org/> .\nex:a ex:b ex:c .\n", settings)
    page = explain(report, "en")
    assert len(page.dump_problems) == 4
    kinds = {p.focus: p for p in page.dump_problems}
    agent = kinds["http://xmlns.com/foaf/0.1/Agent"]
    assert agent.problem == "The dump describes no resource of type foaf:Agent (publisher or owner)."
    assert 'a foaf:Agent' in agent.fix
    assert page.score <= 49


def test_a_relabelled_blank_node_shape_is_found_by_its_message():
    # findings validated in another process carry blank-node labels we cannot resolve
    message = ("The dump describes no contact point (vcard:Kind): add the contact points "
               "of your solutions.")
    f = Finding("Violation", "http://www.w3.org/2006/vcard/ns#Kind",
                "^<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", None, message, "_:elsewhere")
    assert constraint_of(f).kind == "instances"
    assert "Kontaktstelle" in explain_finding(f, "de").problem


def test_an_unknown_shape_falls_back_to_its_message():
    f = Finding("Violation", EX + "x", EX + "ns#colour", None,
                "The colour is wrong: paint it blue.", "http://elsewhere.example/shape")
    e = explain_finding(f, "en")
    assert (e.property_label, e.problem, e.fix) == ("colour", "The colour is wrong.", "Paint it blue.")


def test_labels_follow_the_language_chain():
    assert property_label(DCAT + "contactPoint", "fr") == "point de contact"
    assert property_label(DCAT + "byteSize", "fr") == "taille en octects"  # from vocab/dcat.ttl
    assert property_label(DCAT + "compressFormat", "de") == "compression format"  # → en
    assert property_label(DCAT + "spatialResolutionInMeters", "de").startswith("spatial resolution")
    assert property_label("http://xmlns.com/foaf/0.1/mbox", "de") == "personal mailbox"  # untagged
    assert property_label("http://example.org/ns#fooBar", "fr") == "fooBar"  # local name
    assert property_label(DCT + "license", "es") == "licence"  # unknown language → English
    assert normalise_lang("de-AT") == "de" and normalise_lang("FR_fr") == "fr"
    assert normalise_lang(None) == "en" and normalise_lang("xx") == "en"
    assert headings("fr")["fix"] == "Comment corriger"


def test_scores_rank_clean_above_warnings_above_violations(broken):
    q = quality(broken)
    assert q.records[EX + "collection"] == 100
    assert q.records[EX + "solution-1"] <= 49 and q.records[EX + "solution-2"] <= 49
    assert 0 <= q.score <= 100
    warning = Finding("Warning", EX + "s", DCT + "license", None, "w", None)
    violation = Finding("Violation", EX + "s", DCT + "license", None, "v", None)
    assert record_score([]) == 100 > record_score([warning]) > record_score([violation])
    assert record_score([warning, warning]) == record_score([warning])  # same rule, same node
    many = [Finding("Warning", EX + "s", DCT + "license", None, f"w{i}", None) for i in range(9)]
    assert record_score(many) == 50 > record_score([violation])


def test_a_record_with_only_warnings_scores_between(settings):
    q = quality(validated(GOOD, settings))
    assert q.records[EX + "collection"] == 100
    assert 50 <= q.records[EX + "solution-2"] < 100  # short description (Warning) and Infos
    broken_q = quality(validated(BROKEN, settings))
    assert broken_q.records[EX + "solution-1"] < q.records[EX + "solution-2"]
    assert broken_q.score < q.score


def test_records_are_grouped_rejected_first(broken):
    page = explain(broken, "en", BROKEN)
    assert [r.accepted for r in page.records] == sorted(r.accepted for r in page.records)
    assert page.records[-1].problems == []
    assert page.verdict == "The dump does not conform: 2 record(s) valid, 2 invalid."
    rejected = page.records[0]
    assert rejected.violations and [p.severity for p in rejected.problems][0] == "Violation"
    assert rejected.score == quality(broken).records[rejected.iri]


def test_shacl_turtle_export_is_a_standard_report(broken):
    turtle = shacl_report_turtle(broken, "fr")
    store = ox.Store()
    store.load(turtle, format=ox.RdfFormat.TURTLE)
    assert store.query(f"ASK {{ ?r a <{SH}ValidationReport> ; <{SH}conforms> false }}")
    results = list(store.query(f"SELECT ?x WHERE {{ ?r <{SH}result> ?x }}"))
    assert len(results) == len(broken.findings)
    for prop in ("resultSeverity", "focusNode", "resultMessage", "sourceShape"):
        n = list(store.query(f"SELECT DISTINCT ?x WHERE {{ ?x <{SH}{prop}> ?v }}"))
        assert len(n) == len(broken.findings), prop
    literal = list(store.query(f'SELECT ?x WHERE {{ ?x <{SH}value> "last spring" }}'))
    iri = list(store.query(f"SELECT ?x WHERE {{ ?x <{SH}value> <{EX}contact> }}"))
    assert len(literal) == 1 and len(iri) == 1
    french = list(store.query(f"SELECT ?m WHERE {{ ?x <{SH}resultMessage> ?m FILTER(lang(?m) = 'fr') }}"))
    assert len(french) == len(broken.findings)
    alternative = list(store.query(f"SELECT ?x WHERE {{ ?x <{SH}resultPath>/<{SH}alternativePath> ?l }}"))
    assert alternative  # the landing page or homepage path is rebuilt as a SHACL path


def test_shacl_turtle_export_of_an_unreadable_dump(settings):
    report = validated(b"@prefix ex: <http://e.org/> .\nex:a ex:b .\n", settings)
    store = ox.Store()
    store.load(shacl_report_turtle(report), format=ox.RdfFormat.TURTLE)
    assert store.query(f"ASK {{ ?r <{SH}conforms> false FILTER NOT EXISTS {{ ?r <{SH}result> ?x }} }}")


def test_explained_json_keeps_the_public_contract(broken):
    plain = broken.as_json()
    data = explained_json(broken, "de", BROKEN)
    for key, value in plain.items():
        if key != "results":
            assert data[key] == value, key
    assert len(data["results"]) == len(plain["results"])
    for before, after in zip(plain["results"], data["results"], strict=True):
        assert set(after) == set(before) | {"explanation"}
        assert {k: after[k] for k in before} == before
        assert set(after["explanation"]) == {"property_label", "problem", "fix"}
        assert all(after["explanation"].values())
    assert data["quality"]["records"] == quality(broken).records
    assert data["quality"]["score"] == quality(broken).score
    assert data["context"] is None and data["lang"] == "de"
    assert broken.as_json() == plain  # the report itself is untouched


BAD_TURTLE = b"""@prefix ex: <http://e.org/> .
ex:a ex:b ex:c .
ex:d ex:e ex:f .
ex:g ex:h ex:i .
ex:j ex:k "l" ;
  ex:m ex:n ex:o .
ex:p ex:q ex:r .
ex:s ex:t ex:u .
"""


def test_parse_error_context_shows_numbered_lines_and_a_caret(settings):
    report = validated(BAD_TURTLE, settings)
    error = report.error
    assert error is not None and error.line == 6
    context = error_context(BAD_TURTLE, error.line, error.column)
    assert [ln.number for ln in context.lines] == [4, 5, 6, 7, 8]
    assert [ln.number for ln in context.lines if ln.is_error] == [6]
    bad_line = next(ln.text for ln in context.lines if ln.is_error)
    assert bad_line == "  ex:m ex:n ex:o ."
    assert bad_line[context.caret] == bad_line[error.column - 1]
    page = explain(report, "fr", BAD_TURTLE)
    assert page.error.context == context and page.records == []
    assert page.verdict.startswith("Le dump n'a pas pu être lu")
    data = explained_json(report, "en", BAD_TURTLE)
    assert data["error"] == report.error.as_json()
    assert [ln["number"] for ln in data["context"]["lines"]] == [4, 5, 6, 7, 8]
    assert data["quality"] == {"score": 0, "records": {}}


def test_parse_error_context_at_the_edges_and_in_long_lines():
    first = error_context(BAD_TURTLE, 1, 3)
    assert [ln.number for ln in first.lines] == [1, 2, 3]
    assert first.caret == 2
    last = error_context(BAD_TURTLE, 8, None)
    assert [ln.number for ln in last.lines] == [6, 7, 8] and last.caret is None
    assert error_context(BAD_TURTLE, 99, 1) is None
    long = b'ex:a ex:b "' + b"x" * 600 + b'Z' + b"y" * 600 + b'" .\n\tex:c\n'
    context = error_context(long, 1, 612)
    text = context.lines[0].text
    assert text.startswith("…") and text.endswith("…") and len(text) <= 202
    assert text[context.caret] == "Z"
    assert error_context(gzip.compress(BAD_TURTLE), 6, 3).lines[2].text == "  ex:m ex:n ex:o ."


def test_tabs_keep_the_caret_aligned():
    context = error_context(b"\tex:a\tex:b ?\n", 1, 12)
    assert context.lines[0].text[context.caret] == "?"
