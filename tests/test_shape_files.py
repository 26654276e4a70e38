"""Shape files are tested like code: they parse, quality shapes never reject, profiles run."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from catalogue.ingest import validate_dump

SHAPES = Path(__file__).resolve().parent.parent / "catalogue" / "shapes"
Q = rdflib.Namespace("https://catalogue.example.org/shapes/quality#")
BEES = Path(__file__).parent / "data" / "dcat-ap" / "example-bee-population-2022-2023.ttl"


@pytest.mark.parametrize("path", sorted(SHAPES.rglob("*.ttl")), ids=lambda p: p.name)
def test_every_shape_file_parses_in_both_libraries(path):
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) > 0
    assert len(rdflib.Graph().parse(path, format="turtle")) > 0


def test_quality_shapes_warn_or_inform_never_reject():
    g = rdflib.Graph().parse(SHAPES / "quality.ttl")
    shapes = [s for s in g.subjects(SH.path, None) if isinstance(s, rdflib.URIRef)]
    assert len(shapes) >= 12
    for shape in shapes:
        assert g.value(shape, SH.severity) in (SH.Warning, SH.Info), shape
        assert g.value(shape, SH.message) is not None, shape
        assert int(g.value(shape, Q.weight)) > 0, shape


SOLUTION_AND_RELEASES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://ex/solution> a dcat:Dataset ; dct:title "Untagged title" ; dct:description "Too short." ;
    dct:type <http://purl.org/adms/assettype/Ontology> ; dct:hasVersion <http://ex/r2> .
<http://ex/r1> a dcat:Dataset ; dct:isVersionOf <http://ex/solution> ; dct:title "R1" .
<http://ex/r2> a dcat:Dataset ; dct:title "R2" ; owl:versionInfo "2" .
<http://ex/documented> a dcat:Dataset ; dct:title "Documented"@en ;
    dct:description "%s"@en ; foaf:page <http://ex/manual> ; foaf:homepage <http://ex/home> ;
    dcat:keyword "k" ; dct:type <http://data.europa.eu/dr8/Component> ;
    dct:modified "2024-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
""" % ("x" * 100)


@pytest.mark.parametrize("engine", ["pyshacl", "turbo"])
def test_solution_quality_is_judged_on_datasets_that_are_not_releases(engine):
    """A solution typed dcat:Dataset only (as in Joinup's own samples) is judged; releases, by
    dct:isVersionOf or by the solution's dct:hasVersion, are not. Validated as ingest does:
    record by record, where the record split marks solution roots."""
    import pyoxigraph as ox

    from catalogue.ingest.pipeline import validate_records
    from catalogue.ingest.records import RecordIndex
    from catalogue.ingest.shacl import Validator

    index = RecordIndex(ox.parse(SOLUTION_AND_RELEASES.encode(), format=ox.RdfFormat.TURTLE))
    findings, _ = validate_records(index, Validator([SHAPES / "quality.ttl"], engine))
    found = {(f.focus, f.shape.split("#")[1]) for fs in findings.values() for f in fs}
    solution_checks = {"Solution-description-length", "Solution-documentation", "Solution-keyword",
                       "Solution-landingPage", "Solution-eira", "Solution-modified",
                       "Solution-title-language"}
    assert {s for f, s in found if f == "http://ex/solution"} & solution_checks == solution_checks
    assert {s for f, s in found if f == "http://ex/documented"} & solution_checks == set()
    assert not {s for f, s in found if f not in ("http://ex/solution", "http://ex/documented")} & solution_checks
    assert ("http://ex/r1", "Release-versionInfo") in found
    assert ("http://ex/r2", "Release-versionInfo") not in found
    landing = [f for fs in findings.values() for f in fs if f.shape.endswith("Solution-landingPage")]
    assert landing[0].path == "<http://www.w3.org/ns/dcat#landingPage>|<http://xmlns.com/foaf/0.1/homepage>"


def test_the_dcat_ap_profile_runs_and_speaks_plainly(settings):
    report = validate_dump(BEES.read_bytes(), filename=BEES.name, settings=settings,
                           profiles=["dcat-ap-3.0.1"]).report
    texts = [f.message for f in report.findings]
    assert any("must link to a resource typed foaf:Agent" in t for t in texts)
    assert not any(t.startswith("Value does not") for t in texts)


def test_an_unknown_profile_is_refused(settings):
    with pytest.raises(ValueError, match="unknown validation profile"):
        validate_dump(BEES.read_bytes(), filename=BEES.name, settings=settings, profiles=["nope"])
