"""Derive ``eira-v6.1.0.DERIVED.ttl`` from the official EIRA v6.1.0 SKOS
(``eira-v6.1.0-skos.rdf``, isa-camss/ELIS) and our EIRA v6.0.0 (``eira-v6.0.0.DERIVED.ttl``).

Why derived rather than loaded as published: v6.1 names its blocks with the same PURIs as
v6.0 (``http://data.europa.eu/dr8/NAME``) but with other labels ("Data Exchange" for both
the Application Service and the Application Component, which v6.0's derivation calls
"Data Exchange (Application Service)" and "... (Application Component)"). Two labels in one
language for one IRI would make every page pick one at random. So **v6.0 wins for the blocks
both versions have** (labels, definitions, views); the derivation adds only what v6.0 lacks:

* every v6.1 block is ``skos:inScheme`` the v6.1 scheme (so one can tell what v6.1 has);
* a block v6.0 does not have gets its v6.1 label, definition and notation;
* the five v6.1 views as collections of the v6.1 scheme (``eirax:inScheme``), listing the
  blocks v6.0 puts in no view, labelled as v6.0 labels the same view, ``rdfs:seeAlso`` the
  official view and v6.0's collection;
* succession links: a v6.0 block whose PURI v6.1 no longer has, and that exactly one v6.1
  block matches once case and punctuation are ignored (``APIDiscoveryandCatalogue...`` →
  ``APIDiscoveryAndCatalogue...``), ``dct:isReplacedBy`` it (and it ``dct:replaces`` the
  v6.0 one). No link is better than a guessed one.

Properties nodes (``..._Properties``) are where v6.1 keeps its metadata; they are read, not copied.

    .venv/bin/python catalogue/vocab/build_eira_v61.py
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "eira-v6.1.0-skos.rdf"
V60 = HERE / "eira-v6.0.0.DERIVED.ttl"
OUT = HERE / "eira-v6.1.0.DERIVED.ttl"
DR8 = "http://data.europa.eu/dr8/"
EIRAX = "https://catalogue.example.org/def/eira#"
SCHEME = ox.NamedNode("https://catalogue.example.org/def/eira/v6.1.0")
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
VIEWS = ("LegalView", "OrganisationalView", "SemanticView", "TechnicalView-Application",
         "TechnicalView-Infrastructure")
PREFIXES = {"skos": SKOS, "dct": DCT, "eira": DR8, "eirax": EIRAX,
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def is_block(iri: str) -> bool:
    rest = iri[len(DR8):]
    return iri.startswith(DR8) and rest != "" and "/" not in rest and not rest.endswith("_Properties")


def key(iri: str) -> str:
    return re.sub(r"[^a-z0-9]", "", iri[len(DR8):].lower())


def derive() -> list[ox.Triple]:
    v61 = list(ox.parse(path=str(SOURCE), format=ox.RdfFormat.RDF_XML))
    v60 = list(ox.parse(path=str(V60), format=ox.RdfFormat.TURTLE))
    concept = n(SKOS + "Concept")
    blocks61 = sorted({t.subject.value for t in v61 if t.predicate == RDF_TYPE and t.object == concept
                       and is_block(t.subject.value)})
    blocks60 = {t.subject.value for t in v60 if t.predicate == RDF_TYPE and t.object == concept}
    in_view60 = {t.object.value for t in v60 if t.predicate == n(SKOS + "member")}
    view_labels60: dict[str, ox.Literal] = {}
    for t in v60:
        if t.predicate == n(SKOS + "prefLabel") and t.subject.value.startswith(EIRAX + "view/"):
            view_labels60[t.subject.value[len(EIRAX + "view/"):]] = t.object  # type: ignore[assignment]
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in v61:
        by_subject[t.subject.value].append(t)

    out = [ox.Triple(SCHEME, RDF_TYPE, n(SKOS + "ConceptScheme")),
           ox.Triple(SCHEME, n(SKOS + "prefLabel"), ox.Literal("EIRA v6.1.0 building blocks", language="en")),
           ox.Triple(SCHEME, n(DCT + "description"), ox.Literal(
               "The European Interoperability Reference Architecture v6.1.0 (isa-camss/ELIS SKOS): what it "
               "adds to v6.0.0 and which v6.0.0 blocks it renamed.", language="en")),
           ox.Triple(SCHEME, RDFS_SEE_ALSO, n(DR8.rstrip("/")))]
    for b in blocks61:
        node = n(b)
        out.append(ox.Triple(node, n(SKOS + "inScheme"), SCHEME))
        if b in blocks60:
            continue
        out.append(ox.Triple(node, RDF_TYPE, concept))
        out.append(ox.Triple(node, RDF_TYPE, n(EIRAX + "ArchitectureBuildingBlock")))
        out.append(ox.Triple(node, n(SKOS + "notation"), ox.Literal(b[len(DR8):])))
        for t in by_subject[b]:
            if t.predicate in (n(SKOS + "prefLabel"), n(SKOS + "definition")) and isinstance(t.object, ox.Literal) \
                    and t.object.value.strip():
                text = re.sub(r"^Definition:\s*", "", " ".join(t.object.value.split()))
                out.append(ox.Triple(node, t.predicate, ox.Literal(text, language=t.object.language or "en")))
    for view in VIEWS:
        official = DR8 + "view/" + view
        ours = n(EIRAX + "view/v6.1.0/" + view)
        out += [ox.Triple(ours, RDF_TYPE, n(SKOS + "Collection")),
                ox.Triple(ours, n(EIRAX + "inScheme"), SCHEME),
                ox.Triple(ours, RDFS_SEE_ALSO, n(official)),
                ox.Triple(ours, RDFS_SEE_ALSO, n(EIRAX + "view/" + view))]
        if view in view_labels60:
            out.append(ox.Triple(ours, n(SKOS + "prefLabel"), view_labels60[view]))
        for t in by_subject[official]:
            if t.predicate == n(SKOS + "member") and is_block(t.object.value) and t.object.value not in in_view60:
                out.append(ox.Triple(ours, n(SKOS + "member"), t.object))  # type: ignore[arg-type]
    by_key: dict[str, list[str]] = defaultdict(list)
    for b in blocks61:
        by_key[key(b)].append(b)
    for old in sorted(blocks60 - set(blocks61)):
        if not is_block(old):
            continue
        found = by_key.get(key(old), [])
        if len(found) == 1:
            out.append(ox.Triple(n(old), n(DCT + "isReplacedBy"), n(found[0])))
            out.append(ox.Triple(n(found[0]), n(DCT + "replaces"), n(old)))
    return out


def main() -> None:
    triples = derive()
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    OUT.write_text("# GENERATED by catalogue/vocab/build_eira_v61.py from eira-v6.1.0-skos.rdf and "
                   "eira-v6.0.0.DERIVED.ttl: do not edit.\n" + body, encoding="utf-8")
    print(f"{OUT.name}: {len(triples)} triples")


if __name__ == "__main__":
    main()
