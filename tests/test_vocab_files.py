"""The vocabulary files: each parses, is documented with source and licence, and the EIRA
derivation is up to date and links v4 blocks to their v6 successors."""

from __future__ import annotations

import sys

import pyoxigraph as ox
import pytest

from catalogue.formats import rdf_format
from catalogue.vocab import VOCAB_DIR, vocabularies

DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DR8 = "http://data.europa.eu/dr8/"
README = (VOCAB_DIR / "README.md").read_text(encoding="utf-8")


def parsed(v, base: str = "https://catalogue.example.org/") -> set[ox.Triple]:
    """The file's triples; a vocabulary of relative IRIs is read against ``base``."""
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(v.file), format=rdf_format(v.format).rdf,
                              base_iri=base if v.base else None)}


@pytest.fixture(scope="module")
def eira():
    sys.path.insert(0, str(VOCAB_DIR))
    import build_eira

    yield build_eira
    sys.path.remove(str(VOCAB_DIR))


def test_the_manifest_covers_what_the_shapes_and_pages_need():
    names = {v.name for v in vocabularies()}
    assert {"adms", "adms-ap", "adms-skos", "dcat", "dcterms", "foaf", "vcard", "skos",
            "file-types", "countries", "data-themes", "licence-legal-types", "spdx",
            "eira-v4", "eira-v6", "eira-v4-to-v6", "licences"} <= names


@pytest.mark.parametrize("v", vocabularies(), ids=lambda v: v.name)
def test_each_vocabulary_parses_and_is_documented(v):
    assert v.file.exists(), v.file
    # small on purpose: the v4-to-v6 links, and two ontology headers (CAMSS, ELIS T-box)
    assert len(parsed(v)) > 100 or v.name in {"eira-v4-to-v6", "camss-ontology", "elis-tbox"}
    assert v.source and v.licence, f"{v.name}: source and licence are required"
    assert f"`{v.name}`" in README and f"`{v.file.name}`" in README, f"{v.name} missing from vocab/README.md"


def test_the_eira_v6_file_is_what_the_build_script_makes(eira):
    v6 = next(v for v in vocabularies() if v.name == "eira-v6")
    assert parsed(v6) == set(eira.v6_triples(eira.read_v6()))


def test_eira_v6_blocks_have_labels_definitions_and_views():
    v6 = next(v for v in vocabularies() if v.name == "eira-v6")
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in parsed(v6))
    block = ox.NamedNode(DR8 + "DataExchangeApplicationService")
    assert store.query(f"ASK {{ {block} <{SKOS}prefLabel> ?l ; <{SKOS}definition> ?d . ?view <{SKOS}member> {block} }}")
    without_label = store.query(
        f"SELECT ?c WHERE {{ ?c a <{SKOS}Concept> FILTER NOT EXISTS {{ ?c <{SKOS}prefLabel> ?l }} }}")
    assert list(without_label) == []


def test_v4_blocks_link_to_their_v6_successor(eira):
    links = eira.successors(eira.v4_concepts(), eira.read_v6())
    assert links[DR8 + "DataExchangeService"] == DR8 + "DataExchangeApplicationService"
    v6 = eira.read_v6()
    assert all(new in v6 for new in links.values())
    assert not set(links) & set(v6), "a PURI kept in v6 needs no successor"
    stored = next(v for v in vocabularies() if v.name == "eira-v4-to-v6")
    expected = {ox.Triple(ox.NamedNode(old), ox.NamedNode(DCT + "isReplacedBy"), ox.NamedNode(new))
                for old, new in links.items()}
    assert expected <= parsed(stored)


def test_deprecated_v4_blocks_get_no_successor(eira):
    store = ox.Store()
    store.load(path=str(eira.V4), format=ox.RdfFormat.RDF_XML)
    deprecated = {r["c"].value for r in store.query(
        f"SELECT ?c WHERE {{ <{DR8}Deprecated> <{SKOS}member> ?c }}")}
    assert deprecated
    assert not deprecated & set(eira.successors(eira.v4_concepts(), eira.read_v6()))
