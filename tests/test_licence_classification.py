"""The bundled licence classification (``catalogue/vocab/licences.DERIVED.ttl``): what the
Licensing Assistant and its compatibility rules read.

Every licence is an SPDX licence of the bundled list, every term a concept of Joinup's
``licence-legal-type.rdf``, every assignment has a basis a reviewer can check, and the
classification agrees with Joinup's own (its JLC feature tests, copied in
``tests/data/joinup/licence-legal-types.DERIVED.csv``) except where listed below with the
reason. Loaded by ``catalogue init``, the licences get IRIs under the catalogue's base URI.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.graphs import Graphs
from catalogue.terms import CAT
from catalogue.vocab import VOCAB_DIR, vocabularies

BASE = "https://catalogue.example.org/"
LT = "http://joinup.eu/legal-type#"
LEGAL_TYPE = ox.NamedNode("http://joinup.eu/licence/legal-type")
DCT = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/licenses/"
SPDX_TERMS = "http://spdx.org/rdf/terms#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
JOINUP_FEATURES = Path(__file__).parent / "data" / "joinup" / "licence-legal-types.DERIVED.csv"

# the terms Joinup's compatibility rules read (T07-T18): what its JLC fixtures classify
RULE_TERMS = {"Permissive", "GPL", "ForSoftware", "ForData", "Copyleft-Share", "LesserCopyleft"}
# Joinup's fixtures use ids the SPDX list has since deprecated
JOINUP_OLD_IDS = {"GPL-2.0+": "GPL-2.0-or-later", "LGPL-2.1": "LGPL-2.1-only"}
# JLC licences we do not classify, and why
NOT_CLASSIFIED = {
    "DATA": "made up by the feature for rule T17/T18 (its own comment says so)",
    "SOFT": "made up by the feature for rule T17/T18 (its own comment says so)",
    "EPL-2.1": "no such licence: the Eclipse Public License stops at 2.0, the SPDX list has no EPL-2.1",
    "OFL-1.1": "a font licence, outside the software and data licences we classify",
}
# (SPDX id, term): (we assign it, why we differ from Joinup's JLC)
JLC_DISAGREEMENTS = {
    ("CC-BY-SA-4.0", "GPL"): (True, "Creative Commons declared GPL-3.0 a BY-SA Compatible License "
                              "in 2015: adaptations may be licensed under GPL-3.0 (§3(b)(1))"),
    ("CPL-1.0", "GPL"): (False, "the FSF lists CPL-1.0 as GPL-incompatible (its patent-retaliation "
                         "and choice-of-law clauses); unlike EPL-2.0 it names no secondary licence"),
    ("CPL-1.0", "LesserCopyleft"): (True, "CPL-1.0 §1: separate modules distributed with the Program "
                                    "under their own licence are not Contributions (as EPL-1.0)"),
    ("EPL-2.0", "LesserCopyleft"): (True, "EPL-2.0 §1: works that merely link to the Program are not "
                                    "Modified Works; Joinup marks MPL-2.0, built the same way, both "
                                    "Copyleft/Share a. and Lesser copyleft"),
}
# JLA's fixtures are placeholders for testing the page (the made-up 'Foo Licence' gets the same
# legal types as Apache-2.0, and Apache-2.0 gets Cannot 'Modify'): the terms they give that we
# do not, each wrong for the real licence
JLA_PLACEHOLDER = "a JLA page-test placeholder, not a classification: see the module docstring"
JLA_DISAGREEMENTS = {
    ("Apache-2.0", "Modify"): "Apache-2.0 §2 grants the right to prepare Derivative Works",
    ("Apache-2.0", "RoyaltyFree"): "Apache-2.0 §4 lets derivative works take other terms, royalties included",
    ("Apache-2.0", "Goverments-EU"): "the Apache Software Foundation is not a public body",
    ("BSL-1.0", "Modify"): "BSL-1.0 grants the right to prepare derivative works",
    ("0BSD", "RoyaltyFree"): "0BSD sets no condition, the code may be relicensed for a fee",
    ("UPL-1.0", "RoyaltyFree"): "UPL-1.0 lets the code go into Larger Works under any terms",
    ("UPL-1.0", "Goverments-EU"): "the UPL is Oracle's, not a public body's",
    ("LGPL-2.1-only", "Goverments-EU"): "the FSF is not a public body",
}


def classification_store() -> ox.Store:
    v = next(v for v in vocabularies() if v.name == "licences")
    store = ox.Store()
    store.load(path=str(v.file), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return classification_store()


@pytest.fixture(scope="module")
def licences(store) -> dict[str, set[str]]:
    """{SPDX id: {legal type local name, ...}}"""
    out: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"""
            SELECT ?same ?t WHERE {{ ?l a <{DCT}LicenseDocument> ; <http://www.w3.org/2002/07/owl#sameAs> ?same .
                                    OPTIONAL {{ ?l {LEGAL_TYPE} ?t }} }}"""):
        terms = out.setdefault(row["same"].value[len(SPDX):], set())
        if row["t"] is not None:
            terms.add(row["t"].value[len(LT):])
    return dict(out)


@pytest.fixture(scope="module")
def concepts() -> dict[str, str]:
    """{local name: English label} of the 41 concepts of licence-legal-type.rdf."""
    s = ox.Store()
    s.load(path=str(VOCAB_DIR / "licence-legal-type.rdf"), format=ox.RdfFormat.RDF_XML)
    return {r["c"].value[len(LT):]: r["label"].value.strip() for r in s.query(
        f"SELECT ?c ?label WHERE {{ ?c a <{SKOS}Concept> ; <{SKOS}prefLabel> ?label }}")}


@pytest.fixture(scope="module")
def spdx_list() -> dict[str, dict[str, bool]]:
    v = next(v for v in vocabularies() if v.name == "spdx")
    out: dict[str, dict[str, bool]] = defaultdict(dict)
    for q in ox.parse(path=str(v.file), format=ox.RdfFormat.TURTLE):
        if q.predicate.value.startswith(SPDX_TERMS) and isinstance(q.object, ox.Literal) \
                and q.object.datatype.value.endswith("#boolean"):
            out[q.subject.value[len(SPDX):]][q.predicate.value[len(SPDX_TERMS):]] = q.object.value == "true"
        elif q.predicate.value == SPDX_TERMS + "name":
            out.setdefault(q.subject.value[len(SPDX):], {})
    return dict(out)


@pytest.fixture(scope="module")
def joinup_rows(concepts) -> list[dict]:
    """The licences of Joinup's JLA/JLC features, their legal types mapped to concepts."""
    by_label = {label: local for local, label in concepts.items()}
    assert len(by_label) == len(concepts), "a label names two concepts: key on the concept"
    rows = []
    with JOINUP_FEATURES.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            labels = [t.strip() for t in row["legal_types"].split(",") if t.strip()]
            row["terms"] = {by_label[label] for label in labels}
            row["spdx"] = JOINUP_OLD_IDS.get(row["spdx_licence"], row["spdx_licence"])
            row["kind"] = Path(row["feature"]).stem
            rows.append(row)
    return rows


def test_at_least_sixty_licences_each_with_terms(licences):
    assert len(licences) >= 60
    assert all(licences.values()), [sid for sid, terms in licences.items() if not terms]


def test_the_licences_the_public_sector_uses_most_are_there(licences, spdx_list):
    wanted = {
        "EUPL-1.1", "EUPL-1.2", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
        "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "AGPL-3.0-only",
        "AGPL-3.0-or-later", "MPL-2.0", "EPL-1.0", "EPL-2.0", "CECILL-2.1", "CECILL-B", "CECILL-C",
        "LiLiQ-P-1.1", "LiLiQ-R-1.1", "LiLiQ-Rplus-1.1", "OSL-3.0", "Apache-2.0", "MIT",
        "BSD-2-Clause", "BSD-3-Clause", "ISC", "0BSD", "Unlicense", "CC0-1.0", "CC-BY-4.0",
        "CC-BY-SA-4.0", "CC-BY-ND-4.0", "CC-BY-NC-4.0", "ODbL-1.0", "OGL-UK-3.0", "etalab-2.0",
        "DL-DE-BY-2.0", "DL-DE-ZERO-2.0",
    }
    assert wanted <= set(licences), sorted(wanted - set(licences))
    # the Italian Open Data Licence has no SPDX id, and the SPDX id is our key
    assert "IODL-2.0" not in spdx_list


def test_every_term_is_a_concept_of_joinups_legal_types(licences, concepts):
    assert len(concepts) == 41
    used = set().union(*licences.values())
    assert used <= set(concepts), sorted(used - set(concepts))


def test_every_assignment_has_a_basis_and_every_basis_an_assignment(store):
    assigned = {(r["l"].value, r["t"].value) for r in store.query(
        f"SELECT ?l ?t WHERE {{ ?l {LEGAL_TYPE} ?t }}")}
    bases: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in store.query(f"""SELECT ?l ?t ?source WHERE {{
            ?l <{CAT.legalTypeBasis.value}> ?b . ?b <{CAT.legalType.value}> ?t .
            OPTIONAL {{ ?b <{DCT}source> ?source }} }}"""):
        bases[(r["l"].value, r["t"].value)].append(r["source"].value if r["source"] else "")
    assert set(bases) == assigned
    assert all(len(s) == 1 and s[0].strip() for s in bases.values()), \
        [k for k, s in bases.items() if len(s) != 1 or not s[0].strip()]


def test_licences_are_spdx_entries_of_the_bundled_list_and_not_deprecated(store, licences, spdx_list):
    for sid in licences:
        assert sid in spdx_list, f"{sid} is not in the bundled SPDX list"
        assert not spdx_list[sid].get("isDeprecatedLicenseId"), f"{sid} is deprecated in the SPDX list"
    for r in store.query(f"SELECT ?l ?label WHERE {{ ?l a <{DCT}LicenseDocument> ; "
                         f"<http://www.w3.org/2000/01/rdf-schema#label> ?label }}"):
        assert r["l"].value == f"{BASE}licence/{r['label'].value}"
        assert r["l"] == Graphs(BASE).licence(r["label"].value)


def test_each_licence_has_an_english_title_and_a_page(store, licences):
    for sid in licences:
        iri = Graphs(BASE).licence(sid)
        titles = {r["t"].language for r in store.query(
            f"SELECT ?t WHERE {{ {iri} <{DCT}title> ?t }}")}
        assert "en" in titles, sid
        assert store.query(f"ASK {{ {iri} <http://xmlns.com/foaf/0.1/page> ?p FILTER isIRI(?p) }}"), sid
    eupl = {r["t"].language: r["t"].value for r in store.query(
        f"SELECT ?t WHERE {{ {Graphs(BASE).licence('EUPL-1.2')} <{DCT}title> ?t }}")}
    assert set(eupl) == {"en", "fr", "de"}


def test_the_osi_and_fsf_terms_are_the_spdx_flags(licences, spdx_list):
    for sid, terms in licences.items():
        assert ("OSIApproved" in terms) == bool(spdx_list[sid].get("isOsiApproved")), sid
        assert ("FSFFREE-Libre" in terms) == bool(spdx_list[sid].get("isFsfLibre")), sid


@pytest.mark.parametrize("one,other", [
    ("Permissive", "Copyleft-Share"), ("Permissive", "LesserCopyleft"), ("Permissive", "NotAvailable"),
    ("CanSublicence", "CannotSublicence"), ("CommercialUse", "Commerce"), ("Modify-Merge", "Modify"),
])
def test_no_licence_has_two_terms_that_contradict(licences, one, other):
    assert not [sid for sid, terms in licences.items() if {one, other} <= terms]


def test_every_licence_says_what_it_is_written_for(licences):
    assert not [sid for sid, terms in licences.items() if not terms & {"ForSoftware", "ForData"}]


@pytest.mark.parametrize("sid,has,lacks", [
    ("EUPL-1.2", {"Copyleft-Share", "SaaSNetwork", "GPL", "ForSoftware", "ForData", "EU-MSLaw",
                  "Multilingual", "OSIApproved", "FSFFREE-Libre"}, {"Permissive", "LesserCopyleft"}),
    ("AGPL-3.0-only", {"Copyleft-Share", "SaaSNetwork", "GPL", "ForSoftware"}, {"Permissive"}),
    ("OSL-3.0", {"Copyleft-Share", "SaaSNetwork", "ForSoftware"}, {"GPL", "Permissive"}),
    ("GPL-2.0-only", {"Copyleft-Share", "NotFixed"}, {"GPL", "SaaSNetwork"}),
    ("GPL-3.0-or-later", {"Copyleft-Share", "GPL"}, {"SaaSNetwork"}),
    ("LGPL-2.1-only", {"LesserCopyleft", "GPL"}, {"Copyleft-Share", "Permissive"}),
    ("CECILL-C", {"LesserCopyleft", "EU-MSLaw", "VenueFixed"}, {"Copyleft-Share"}),
    ("LiLiQ-R-1.1", {"LesserCopyleft", "OtherLaw"}, {"Copyleft-Share", "Permissive"}),
    ("CECILL-2.1", {"Copyleft-Share", "GPL", "EU-MSLaw"}, {"Permissive"}),
    ("CC-BY-SA-4.0", {"Copyleft-Share", "ForData"}, {"Permissive", "ForSoftware"}),
    ("ODbL-1.0", {"Copyleft-Share", "ForData"}, {"Permissive"}),
    ("MIT", {"Permissive", "GPL", "ForSoftware"}, {"Copyleft-Share"}),
    ("Apache-2.0", {"Permissive", "GPL", "UsePatents", "UseTrademark"}, {"Copyleft-Share"}),
    ("CC0-1.0", {"Permissive", "GPL", "ForData"}, {"UsePatents"}),
    ("CC-BY-4.0", {"Permissive", "ForData"}, {"Copyleft-Share", "ForSoftware"}),
    ("CC-BY-NC-4.0", {"Commerce", "ForData"}, {"Permissive", "CommercialUse"}),
    ("CC-BY-ND-4.0", {"Modify", "NotAvailable"}, {"Modify-Merge", "Permissive"}),
    ("etalab-2.0", {"Permissive", "ForData", "EU-MSLaw", "Goverments-EU"}, {"ForSoftware"}),
    ("DL-DE-BY-2.0", {"Permissive", "ForData", "Goverments-EU"}, set()),
    ("OGL-UK-3.0", {"Permissive", "ForData", "LicensorsLaw"}, {"EU-MSLaw"}),
    ("AFL-3.0", {"Permissive", "ForSoftware"}, {"GPL"}),
])
def test_the_terms_the_compatibility_rules_rely_on(licences, sid, has, lacks):
    assert has <= licences[sid], sorted(has - licences[sid])
    assert not lacks & licences[sid], sorted(lacks & licences[sid])


def test_it_agrees_with_joinups_jlc_classification_but_where_listed(joinup_rows, licences):
    jlc = {r["spdx"]: r["terms"] for r in joinup_rows if r["kind"] == "jlc"}
    assert {sid for sid in jlc if sid not in licences} == set(NOT_CLASSIFIED)
    overlap = set(jlc) & set(licences)
    assert len(overlap) == 21
    differences = {}
    for sid in overlap:
        theirs, ours = jlc[sid] & RULE_TERMS, licences[sid] & RULE_TERMS
        for term in theirs ^ ours:
            differences[(sid, term)] = term in ours
    assert differences == {k: ours for k, (ours, _) in JLC_DISAGREEMENTS.items()}
    # every licence of a scenario gets the same legal types: the extract is consistent
    for r in joinup_rows:
        if r["kind"] == "jlc":
            assert r["terms"] == jlc[r["spdx"]], r


def test_joinups_jla_rows_are_page_placeholders_and_where_we_differ(joinup_rows, licences):
    jla = [r for r in joinup_rows if r["kind"] == "jla"]
    foo = next(r for r in jla if r["title"] == "Foo Licence")["terms"]
    apache = next(r for r in jla if r["spdx"] == "Apache-2.0")["terms"]
    assert apache == foo, "Apache-2.0 is given the made-up Foo Licence's legal types"
    differences = {(r["spdx"], term) for r in jla if r["spdx"] in licences
                   for term in r["terms"] - licences[r["spdx"]]}
    assert differences == set(JLA_DISAGREEMENTS), JLA_PLACEHOLDER


def test_the_file_is_what_the_build_script_makes():
    sys.path.insert(0, str(VOCAB_DIR))
    try:
        import build_licences
    finally:
        sys.path.remove(str(VOCAB_DIR))
    v = next(v for v in vocabularies() if v.name == "licences")
    assert v.base, "licences.DERIVED.ttl holds relative IRIs: its manifest entry needs \"base\": true"
    assert v.file.read_text(encoding="utf-8") == build_licences.turtle()


def test_catalogue_init_puts_the_licences_under_the_configured_base_uri(settings):
    base = "https://licences.example.net/catalogue/"
    c = Catalogue(replace(settings, base_uri=base))
    try:
        assert c.publishing.init(demo=False)["licences"] == "loaded"
        graph = c.graphs.vocab("licences")
        licence_document = ox.NamedNode(DCT + "LicenseDocument")
        subjects = {t.subject.value for t in c.store.triples(graph) if t.object == licence_document}
        assert len(subjects) >= 60
        assert all(s.startswith(base + "licence/") for s in subjects), sorted(subjects)[:3]
        assert c.graphs.licence("EUPL-1.2").value in subjects
        assert c.publishing.init(demo=False)["licences"] == "unchanged"
    finally:
        c.close()
