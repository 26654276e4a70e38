"""The standards' data (issue 14): broken upstream files are refused with line and column,
our fixed copies parse, specifications, catalogue records and assessments are records of
their own, and `init` loads ELIS and CAMSS through the validated ingest.

The upstream bytes are kept in ``tests/data/standards/`` (the CSSV T-box as an excerpt of its
first 32 lines, which holds the error; the ELIS T-box whole): a clone has no ``../shared/``.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.ingest import validate_dump
from catalogue.ingest.records import RecordIndex
from catalogue.vocab import VOCAB_DIR

DATA = Path(__file__).parent / "data" / "standards"


@pytest.mark.parametrize("name, line, column", [
    ("cssv_tbox.UPSTREAM-excerpt.ttl", 26, 37),
    ("elis_t-box_6.1.1.UPSTREAM.ttl", 28, 65),
])
def test_a_broken_upstream_file_is_refused_with_line_and_column(settings, name, line, column):
    report = validate_dump((DATA / name).read_bytes(), filename=name, settings=settings,
                           profiles=["standards"])
    assert report.error is not None
    assert (report.error.line, report.error.column) == (line, column)
    assert not report.stored


@pytest.mark.parametrize("name", ["cssv-tbox.FIXED.ttl", "elis-tbox-6.1.1.FIXED.ttl"])
def test_the_fixed_copies_parse_and_say_what_changed(name):
    text = (VOCAB_DIR / name).read_text(encoding="utf-8")
    assert text.startswith("# FIXED copy of isa-camss/")
    assert "# FIXED:" in text  # each change marked where it is
    assert len(list(ox.parse(path=str(VOCAB_DIR / name), format=ox.RdfFormat.TURTLE))) > 10


SMALL = b"""
@prefix cssv: <http://data.europa.eu/2sa/cssv#> . @prefix cav: <http://data.europa.eu/2sa/cav#> .
@prefix camss: <http://data.europa.eu/2sa#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://ex/rec> a dcat:CatalogRecord ; dct:title "Spec v1"@en ; foaf:primaryTopic <http://ex/spec> .
<http://ex/spec> a cssv:Specification ; dct:title "Spec"@en ; dcat:distribution <http://ex/dist> ;
    cssv:isMaintainedBy <http://ex/sdo> ;
    dct:relation [ dct:relation <http://data.europa.eu/dr8/DataModelDataObject> ; dct:description "why"@en ] .
<http://ex/dist> a dcat:Distribution ; dcat:accessURL <http://ex/doc> .
<http://ex/sdo> foaf:name "SDO" .
<http://ex/a> a cav:Assessment ; camss:assesses <http://ex/spec> ; cav:contextualisedBy <http://ex/sc> ;
    cav:resultsIn <http://ex/st> .
<http://ex/st> a cav:Statement ; cav:judgement "yes"@en ; cav:refersTo <http://ex/score> .
<http://ex/score> a cav:Score ; cav:value 1 ; cav:assignedTo <http://ex/criterion> .
"""


def test_specifications_records_and_assessments_are_records_of_their_own():
    index = RecordIndex(ox.parse(SMALL, format=ox.RdfFormat.TURTLE))
    kinds = {r.iri: r.kind for r in index.records}
    assert kinds == {"http://ex/rec": "catalogue record", "http://ex/spec": "specification",
                     "http://ex/a": "assessment"}
    owned = {r.iri: {n.value for n in r.owned if isinstance(n, ox.NamedNode)} for r in index.records}
    assert owned["http://ex/spec"] == {"http://ex/spec", "http://ex/dist"}
    assert owned["http://ex/a"] == {"http://ex/a", "http://ex/st", "http://ex/score"}


def test_the_standards_profile_speaks_plainly(settings):
    broken = SMALL.replace(b'cssv:isMaintainedBy <http://ex/sdo>', b'cssv:isMaintainedBy "SDO"')
    broken = broken.replace(b"camss:assesses <http://ex/spec> ;", b"")
    report = validate_dump(broken, filename="s.ttl", settings=settings, profiles=["standards"]).report
    messages = [f.message for f in report.findings]
    assert any("maintainer (cssv:isMaintainedBy) must be a link" in m for m in messages)
    assert any("must link to the specification it assesses" in m for m in messages)
    ok = validate_dump(SMALL, filename="s.ttl", settings=settings, profiles=["standards"]).report
    assert not [f for f in ok.findings if f.severity == "Violation"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from catalogue.settings import load_settings

    settings = load_settings({}, store=str(tmp_path_factory.mktemp("std") / "store"))
    c = Catalogue(settings)
    result = c.publishing.init(demo=False)
    yield c, result
    c.close()


def test_init_loads_elis_and_camss_as_sources(loaded):
    c, result = loaded
    assert result["elis"] == "loaded" and result["camss"] == "loaded"
    for slug in ("elis", "camss"):
        assert c.publishing.source_graph(slug) is not None
    assert c.publishing.init(demo=False)["elis"] == "unchanged"


def test_another_source_may_not_describe_an_elis_specification(loaded):
    c, _ = loaded
    spec = b"http://data.europa.eu/2sa/cssv/rsc/dfa58525250ce8c35f18952c91fdcc18a8ebe6ae967c834563157541b4dab46f"
    dump = (b"@prefix dct: <http://purl.org/dc/terms/> . <" + spec +
            b"> a <http://data.europa.eu/2sa/cssv#Specification> ; dct:title \"Hijacked\"@en .")
    report = c.publishing.ingest("intruder", dump, filename="x.ttl", profiles=("standards",))
    assert not report.stored
    assert any("elis" in f.message for f in report.findings)


def test_eira_v61_is_what_its_build_script_makes_and_v60_labels_win():
    import sys

    sys.path.insert(0, str(VOCAB_DIR))
    try:
        import build_eira_v61
    finally:
        sys.path.remove(str(VOCAB_DIR))
    made = set(build_eira_v61.derive())
    path = VOCAB_DIR / "eira-v6.1.0.DERIVED.ttl"
    assert made == {ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}
    dxs = ox.NamedNode("http://data.europa.eu/dr8/DataExchangeApplicationService")
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    assert not [t for t in made if t.subject == dxs and t.predicate == label]  # v6.0's label stays
    renamed = ox.Triple(ox.NamedNode("http://data.europa.eu/dr8/APIDiscoveryandCatalogueApplicationService"),
                        ox.NamedNode("http://purl.org/dc/terms/isReplacedBy"),
                        ox.NamedNode("http://data.europa.eu/dr8/APIDiscoveryAndCatalogueApplicationService"))
    assert renamed in made
