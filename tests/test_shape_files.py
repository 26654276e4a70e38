"""Shape files are tested like code: they parse, quality shapes never reject, profiles run."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from catalogue.ingest import validate_dump

SHAPES = Path(__file__).resolve().parent.parent / "shapes"
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


def test_the_dcat_ap_profile_runs_and_speaks_plainly(settings):
    report = validate_dump(BEES.read_bytes(), filename=BEES.name, settings=settings,
                           profiles=["dcat-ap-3.0.1"]).report
    texts = [f.message for f in report.findings]
    assert any("must link to a resource typed foaf:Agent" in t for t in texts)
    assert not any(t.startswith("Value does not") for t in texts)


def test_an_unknown_profile_is_refused(settings):
    with pytest.raises(ValueError, match="unknown validation profile"):
        validate_dump(BEES.read_bytes(), filename=BEES.name, settings=settings, profiles=["nope"])
