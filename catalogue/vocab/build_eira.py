"""Build the EIRA v6.0.0 SKOS vocabulary and the v4 -> v6 successor links.

There is no RDF release of EIRA v6: the European Commission publishes it as an ArchiMate
model. ``eira-v6.0.0-elements.DERIVED.csv`` is one row per ArchiMate element of that model
(see README.md); this script turns the elements that have a PURI into SKOS concepts with
their definitions, views (as ``skos:Collection``), viewpoints and ArchiMate types. A name
that several blocks share ("Data Exchange" is a component, a service...) gets the
ArchiMate type in its label: "Data Exchange (Application Service)".

Joinup's data types solutions with EIRA *v4* PURIs (``eira-v4.0.0.rdf``), many of which v6
renamed (``DataExchangeService`` became ``DataExchangeApplicationService``). A v4 block gets
``dct:isReplacedBy`` its v6 successor when the match is unambiguous: same PURI, same name,
or the v4 label is the v6 name plus the word that ends the v6 ArchiMate type ("Data Exchange
Service" = "Data Exchange" + Application*Service*). Run it after changing either input::

    python vocab/build_eira.py
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
CSV = HERE / "eira-v6.0.0-elements.DERIVED.csv"
V4 = HERE / "eira-v4.0.0.rdf"
OUT_V6 = HERE / "eira-v6.0.0.DERIVED.ttl"
OUT_LINKS = HERE / "eira-v4-to-v6.DERIVED.ttl"

DR8 = "http://data.europa.eu/dr8/"
EIRAX = "https://catalogue.example.org/def/eira#"
SCHEME_V6 = ox.NamedNode("https://catalogue.example.org/def/eira/v6.0.0")
SCHEME_V4 = ox.NamedNode("http://data.europa.eu/dr8")


def ns(base: str):
    return lambda local: ox.NamedNode(base + local)


RDF = ns("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = ns("http://www.w3.org/2000/01/rdf-schema#")
SKOS = ns("http://www.w3.org/2004/02/skos/core#")
DCT = ns("http://purl.org/dc/terms/")
XSD = ns("http://www.w3.org/2001/XMLSchema#")
X = ns(EIRAX)

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "eira": DR8,
    "eirax": EIRAX,
}

# The five EIRA views, as in v4 (whose collection IRIs we link to with rdfs:seeAlso).
VIEWS = {
    "Legal view": ("LegalView", "Legal view", "http://data.europa.eu/dr8/view/LegalView"),
    "Organisational view": ("OrganisationalView", "Organisational view",
                            "http://data.europa.eu/dr8/view/OrganisationalView"),
    "Semantic view": ("SemanticView", "Semantic view", "http://data.europa.eu/dr8/view/SemanticView"),
    "Technical view - application": ("TechnicalView-Application", "Technical view - application",
                                     "http://data.europa.eu/dr8/view/TechnicalView-Application"),
    "Technical view - infrastructure": ("TechnicalView-Infrastructure", "Technical view - infrastructure",
                                        "http://data.europa.eu/dr8/view/TechnicalView-Infrastructure"),
    "Interoperability Motivation View": ("InteroperabilityMotivationView",
                                         "Interoperability motivation view", None),
}


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def split_words(archimate_type: str) -> str:
    """'ApplicationService' -> 'Application Service'."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", archimate_type)


def iso_date(text: str) -> ox.Literal | None:
    """The model writes dates like '2023-11-1'; xsd:date needs '2023-11-01'."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip())
    if not m:
        return None
    y, mo, d = m.groups()
    return ox.Literal(f"{y}-{int(mo):02d}-{int(d):02d}", datatype=XSD("date"))


def key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# "<<ELAP:Architecture Principle>> Security": a specialisation drawn in one viewpoint under
# its block's PURI. Its viewpoints are the block's, its name and definition are not.
STEREOTYPED = re.compile(r"^\s*<<[^<>]*>>")


def named(rows: list[dict[str, str]]) -> dict[str, str]:
    """The row that names a PURI: the first that is not a stereotyped specialisation."""
    return next((r for r in rows if not STEREOTYPED.match(r["name"])), rows[0])


def read_v6() -> dict[str, list[dict[str, str]]]:
    """PURI -> the rows that carry it (a few PURIs appear on two elements)."""
    by_puri: dict[str, list[dict[str, str]]] = defaultdict(list)
    with CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["puri"].startswith(DR8):
                by_puri[row["puri"]].append(row)
    return by_puri


def v6_triples(by_puri: dict[str, list[dict[str, str]]]) -> list[ox.Triple]:
    t: list[ox.Triple] = [
        ox.Triple(SCHEME_V6, RDF("type"), SKOS("ConceptScheme")),
        ox.Triple(SCHEME_V6, SKOS("prefLabel"), en("EIRA v6.0.0 building blocks")),
        ox.Triple(SCHEME_V6, DCT("description"), en(
            "The European Interoperability Reference Architecture v6.0.0, derived from the "
            "Commission's ArchiMate model: every element that has a persistent URI.")),
        ox.Triple(SCHEME_V6, RDFS("seeAlso"), SCHEME_V4),
    ]
    views_used: set[str] = set()
    names: dict[str, int] = defaultdict(int)
    for rows in by_puri.values():
        names[named(rows)["name"].strip().lower()] += 1
    for puri, rows in sorted(by_puri.items()):
        c = ox.NamedNode(puri)
        t += [ox.Triple(c, RDF("type"), SKOS("Concept")), ox.Triple(c, SKOS("inScheme"), SCHEME_V6),
              ox.Triple(c, SKOS("notation"), ox.Literal(puri[len(DR8):]))]
        first = named(rows)
        name = STEREOTYPED.sub("", first["name"]).strip()
        if names[name.lower()] > 1:  # "Data Exchange" names several blocks: say which one
            t.append(ox.Triple(c, SKOS("prefLabel"), en(f"{name} ({split_words(first['archimate_type'])})")))
            t.append(ox.Triple(c, SKOS("altLabel"), en(name)))
        else:
            t.append(ox.Triple(c, SKOS("prefLabel"), en(name)))
        seen: set[ox.Triple] = set()
        for row in rows:
            extra: list[ox.Triple] = [ox.Triple(c, X("archimateType"), ox.Literal(row["archimate_type"]))]
            stereotyped = bool(STEREOTYPED.match(row["name"])) and row is not first
            if row["definition"].strip() and not stereotyped:
                extra.append(ox.Triple(c, SKOS("definition"), en(row["definition"].strip())))
            if row["definition_source"].strip() and not stereotyped:
                extra.append(ox.Triple(c, X("definitionSource"), ox.Literal(row["definition_source"].strip())))
            for synonym in filter(None, (s.strip() for s in row["synonym"].split(";"))):
                extra.append(ox.Triple(c, SKOS("altLabel"), en(synonym)))
            if row["concept"] == "eira:ArchitectureBuildingBlock":
                extra.append(ox.Triple(c, RDF("type"), X("ArchitectureBuildingBlock")))
            for viewpoint in filter(None, (s.strip() for s in row["viewpoint"].split(";"))):
                extra.append(ox.Triple(c, X("viewpoint"), ox.Literal(viewpoint)))
            for dimension in filter(None, (s.strip() for s in row["iop_dimension"].split(";"))):
                extra.append(ox.Triple(c, X("interoperabilityDimension"), ox.Literal(dimension)))
            modified = iso_date(row["modified"])
            if modified is not None and not any(x.predicate == DCT("modified") for x in seen):
                extra.append(ox.Triple(c, DCT("modified"), modified))
            for view in filter(None, (s.strip() for s in row["view"].split(";"))):
                local, _, _ = VIEWS[view]
                views_used.add(view)
                extra.append(ox.Triple(ox.NamedNode(f"{EIRAX}view/{local}"), SKOS("member"), c))
            for triple in extra:
                if triple not in seen:
                    seen.add(triple)
                    t.append(triple)
    for view in sorted(views_used):
        local, label, v4 = VIEWS[view]
        v = ox.NamedNode(f"{EIRAX}view/{local}")
        t += [ox.Triple(v, RDF("type"), SKOS("Collection")), ox.Triple(v, SKOS("prefLabel"), en(label)),
              ox.Triple(v, X("inScheme"), SCHEME_V6)]
        if v4:
            t.append(ox.Triple(v, RDFS("seeAlso"), ox.NamedNode(v4)))
    return t


def v4_concepts() -> dict[str, str]:
    """v4 PURI -> English label, deprecated blocks left out."""
    store = ox.Store()
    store.load(path=str(V4), format=ox.RdfFormat.RDF_XML)
    rows = store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c ?label WHERE {
          ?c a skos:Concept ; skos:prefLabel ?label .
          FILTER (langMatches(lang(?label), "en"))
          FILTER NOT EXISTS { <http://data.europa.eu/dr8/Deprecated> skos:member ?c }
        }""")
    return {r["c"].value: r["label"].value for r in rows}


def successors(v4: dict[str, str], by_puri: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """v4 PURI -> v6 PURI, for v4 PURIs that v6 renamed and whose successor is unambiguous."""
    by_name: dict[str, set[str]] = defaultdict(set)
    by_name_and_word: dict[str, set[str]] = defaultdict(set)
    for puri, rows in by_puri.items():
        for row in rows:
            name = key(row["name"])
            by_name[name].add(puri)
            by_name[name + key(row["archimate_type"])].add(puri)
            last_word = split_words(row["archimate_type"]).split()[-1]
            by_name_and_word[name + key(last_word)].add(puri)
    out: dict[str, str] = {}
    for puri, label in v4.items():
        if puri in by_puri:
            continue  # the same PURI lives on in v6
        k = key(label)
        for candidates in (by_name.get(k, set()), by_name_and_word.get(k, set())):
            if len(candidates) == 1:
                out[puri] = next(iter(candidates))
                break
    return out


def main() -> None:
    by_puri = read_v6()
    v6 = v6_triples(by_puri)
    OUT_V6.write_bytes(
        b"# GENERATED by vocab/build_eira.py from eira-v6.0.0-elements.DERIVED.csv: do not edit.\n"
        + ox.serialize(v6, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
    links = successors(v4_concepts(), by_puri)
    triples: list[ox.Triple] = []
    for old, new in sorted(links.items()):
        triples += [ox.Triple(ox.NamedNode(old), DCT("isReplacedBy"), ox.NamedNode(new)),
                    ox.Triple(ox.NamedNode(new), DCT("replaces"), ox.NamedNode(old))]
    OUT_LINKS.write_bytes(
        b"# GENERATED by vocab/build_eira.py: each EIRA v4 block that v6 renamed, linked to its\n"
        b"# v6 successor where the match is unambiguous (same name, or name + ArchiMate type word).\n"
        + ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
    print(f"v6: {len(by_puri)} concepts, {len(v6)} triples; v4 -> v6 successors: {len(links)}")


if __name__ == "__main__":
    main()
