"""Write shapes/adms-ap.ttl and shapes/adms-ap-dump.ttl from the rule table below.

Each row reproduces one or more of Joinup's ADMS-AP validation rules (SEMICeu
adms-ap_validator as rewritten at run time by Joinup; see shapes/README.md) with a
plain-language message. Run ``python shapes/build_adms_ap.py`` after editing the table;
a test checks the committed files are what this script writes.

Kinds:
  min          the property is required (sh:minCount 1)
  max          at most one value (sh:maxCount 1)
  literal      values must be literals (Joinup's "USAGE Literal")
  iri          values must be IRIs
  class:X      a value that is described in the dump (has triples of its own) must be a X;
               a bare link to something not described is fine (Joinup's "USAGE" rules)
  typed        a value described in the dump must have some rdf:type (Joinup's relaxed rules)
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
APS = "https://catalogue.example.org/shapes/adms-ap#"

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "adms": "http://www.w3.org/ns/adms#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "schema": "http://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "aps": APS,
}

# class → (shape local name, how a person calls it)
CLASSES = {
    "dcat:Dataset": ("Dataset", "A solution or release (dcat:Dataset)"),
    "dcat:Distribution": ("Distribution", "A distribution (dcat:Distribution)"),
    "dcat:Catalog": ("Catalog", "A collection (dcat:Catalog)"),
    "skos:Concept": ("Concept", "A concept (skos:Concept)"),
    "spdx:Checksum": ("Checksum", "A checksum (spdx:Checksum)"),
    "vcard:Kind": ("Kind", "A contact point (vcard:Kind)"),
    "dct:Location": ("Location", "A location (dct:Location)"),
    "dct:LinguisticSystem": ("LinguisticSystem", "A language (dct:LinguisticSystem)"),
    "dct:LicenseDocument": ("LicenseDocument", "A licence (dct:LicenseDocument)"),
    "dct:MediaTypeOrExtent": ("MediaTypeOrExtent", "A file format (dct:MediaTypeOrExtent)"),
    "foaf:Agent": ("Agent", "A publisher or owner (foaf:Agent)"),
    "skos:ConceptScheme": ("ConceptScheme", "A vocabulary (skos:ConceptScheme)"),
}

# what a class is called in a type hint
CLASS_WORDS = {
    "vcard:Kind": "a contact point (vcard:Kind)",
    "foaf:Agent": "an agent (foaf:Agent)",
    "skos:Concept": "a concept (skos:Concept)",
    "dcat:Distribution": "a distribution (dcat:Distribution)",
    "dct:Location": "a location (dct:Location)",
    "dcat:Dataset": "a solution or release (dcat:Dataset)",
    "dct:LicenseDocument": "a licence (dct:LicenseDocument)",
    "spdx:Checksum": "a checksum (spdx:Checksum)",
    "skos:ConceptScheme": "a vocabulary (skos:ConceptScheme)",
    "foaf:Document": "a web page (foaf:Document)",
    "vcard:Email": "an email address (vcard:Email)",
    "vcard:Address": "an address (vcard:Address)",
    "spdx:checksumAlgorithm_sha1": "the SHA-1 algorithm (spdx:checksumAlgorithm_sha1)",
}

# property → (name a person uses, how to fix it when missing)
PROPERTIES = {
    "dcat:contactPoint": ("contact point", "add the address people can write to"),
    "dct:description": ("description", "add a few sentences saying what it is and what it is for"),
    "dct:publisher": ("publisher", "name the organisation that publishes it"),
    "dct:title": ("title", "add its name"),
    "dct:type": ("type", "classify it with a concept from the matching vocabulary"),
    "dcat:distribution": ("distribution", ""),
    "dcat:keyword": ("keyword", ""),
    "dcat:landingPage": ("landing page", ""),
    "dcat:theme": ("theme", ""),
    "dct:language": ("language", ""),
    "dct:spatial": ("spatial coverage", ""),
    "adms:includedAsset": ("included asset", ""),
    "adms:status": ("status", ""),
    "adms:translation": ("translation", ""),
    "adms:versionNotes": ("version notes", ""),
    "dct:identifier": ("identifier", ""),
    "dct:issued": ("issue date", ""),
    "dct:isVersionOf": ("solution this is a release of", ""),
    "dct:hasVersion": ("release", ""),
    "dct:modified": ("modification date", ""),
    "owl:versionInfo": ("version number", ""),
    "skos:altLabel": ("alternative name", ""),
    "dcat:accessURL": ("access URL", "add the URL where it can be downloaded or reached"),
    "dct:license": ("licence", "add the licence it is distributed under"),
    "dct:format": ("file format", ""),
    "adms:representationTechnique": ("representation technique", ""),
    "schema:fileSize": ("file size", ""),
    "spdx:checksum": ("checksum", ""),
    "dcat:dataset": ("solution", ""),
    "dcat:themeTaxonomy": ("theme vocabulary", ""),
    "foaf:homepage": ("homepage", ""),
    "skos:label": ("label", ""),
    "skos:inScheme": ("vocabulary it belongs to", ""),
    "spdx:algorithm": ("checksum algorithm", "state the algorithm, spdx:checksumAlgorithm_sha1"),
    "spdx:checksumValue": ("checksum value", "add the checksum's hexadecimal value"),
    "vcard:fn": ("name", "add the name of the person or service desk"),
    "vcard:hasEmail": ("email address", "add an email address as a mailto: link"),
    "vcard:hasAddress": ("postal address", ""),
    "vcard:hasTelephone": ("telephone number", ""),
    "vcard:hasURL": ("web address", ""),
    "rdfs:label": ("label", ""),
    "foaf:name": ("name", "add the organisation's name"),
    "skos:hasTopConcept": ("top concept", ""),
}

# (Joinup rule numbers, class, property, kind)
RULES: list[tuple[tuple[int, ...], str, str, str]] = [
    ((1,), "dcat:Dataset", "dcat:contactPoint", "min"),
    ((2,), "dcat:Dataset", "dcat:contactPoint", "class:vcard:Kind"),
    ((3,), "dcat:Dataset", "dct:description", "min"),
    ((4,), "dcat:Dataset", "dct:description", "literal"),
    ((5,), "dcat:Dataset", "dct:publisher", "min"),
    ((6,), "dcat:Dataset", "dct:publisher", "class:foaf:Agent"),
    ((7,), "dcat:Dataset", "dct:title", "min"),
    ((8,), "dcat:Dataset", "dct:title", "literal"),
    ((9,), "dcat:Dataset", "dct:type", "class:skos:Concept"),
    ((10,), "dcat:Dataset", "dcat:distribution", "class:dcat:Distribution"),
    ((11,), "dcat:Dataset", "dcat:keyword", "literal"),
    ((12,), "dcat:Dataset", "dcat:landingPage", "max"),
    ((14,), "dcat:Dataset", "dcat:theme", "class:skos:Concept"),
    ((15,), "dcat:Dataset", "dct:language", "typed"),
    ((17,), "dcat:Dataset", "dct:spatial", "class:dct:Location"),
    ((18,), "dcat:Dataset", "adms:includedAsset", "class:dcat:Dataset"),
    ((19,), "dcat:Dataset", "adms:status", "max"),
    ((20,), "dcat:Dataset", "adms:status", "class:skos:Concept"),
    ((21,), "dcat:Dataset", "adms:translation", "class:dcat:Dataset"),
    ((22,), "dcat:Dataset", "adms:versionNotes", "max"),
    ((23,), "dcat:Dataset", "adms:versionNotes", "literal"),
    ((24,), "dcat:Dataset", "dct:identifier", "literal"),
    ((25,), "dcat:Dataset", "dct:issued", "max"),
    ((27,), "dcat:Dataset", "dct:isVersionOf", "max"),
    ((28,), "dcat:Dataset", "dct:isVersionOf", "class:dcat:Dataset"),
    ((29,), "dcat:Dataset", "dct:hasVersion", "class:dcat:Dataset"),
    ((30,), "dcat:Dataset", "dct:modified", "max"),
    ((33,), "dcat:Dataset", "owl:versionInfo", "literal"),
    ((34,), "dcat:Dataset", "skos:altLabel", "literal"),
    ((35,), "dcat:Distribution", "dcat:accessURL", "min"),
    ((37,), "dcat:Distribution", "dct:license", "min"),
    ((38,), "dcat:Distribution", "dct:license", "max"),
    ((39,), "dcat:Distribution", "dct:license", "class:dct:LicenseDocument"),
    ((40,), "dcat:Distribution", "dct:format", "max"),
    ((41,), "dcat:Distribution", "dct:format", "typed"),
    ((42,), "dcat:Distribution", "adms:representationTechnique", "max"),
    ((43,), "dcat:Distribution", "adms:representationTechnique", "class:skos:Concept"),
    ((44,), "dcat:Distribution", "adms:status", "max"),
    ((45,), "dcat:Distribution", "adms:status", "class:skos:Concept"),
    ((46,), "dcat:Distribution", "dct:description", "literal"),
    ((47,), "dcat:Distribution", "dct:issued", "max"),
    ((49,), "dcat:Distribution", "dct:modified", "max"),
    ((51,), "dcat:Distribution", "dct:publisher", "class:foaf:Agent"),
    ((52,), "dcat:Distribution", "dct:title", "literal"),
    ((53,), "dcat:Distribution", "schema:fileSize", "max"),
    ((54,), "dcat:Distribution", "schema:fileSize", "literal"),
    ((55,), "dcat:Distribution", "spdx:checksum", "max"),
    ((56,), "dcat:Distribution", "spdx:checksum", "class:spdx:Checksum"),
    ((57,), "dcat:Catalog", "dct:description", "min"),
    ((58,), "dcat:Catalog", "dct:description", "literal"),
    ((59,), "dcat:Catalog", "dct:publisher", "min"),
    ((60,), "dcat:Catalog", "dct:publisher", "max"),
    ((61,), "dcat:Catalog", "dct:publisher", "class:foaf:Agent"),
    ((62,), "dcat:Catalog", "dct:title", "min"),
    ((63,), "dcat:Catalog", "dct:title", "literal"),
    ((64,), "dcat:Catalog", "dcat:contactPoint", "class:vcard:Kind"),
    ((65,), "dcat:Catalog", "dcat:dataset", "class:dcat:Dataset"),
    ((66,), "dcat:Catalog", "dcat:themeTaxonomy", "class:skos:ConceptScheme"),
    ((67,), "dcat:Catalog", "dct:spatial", "class:dct:Location"),
    ((68,), "dcat:Catalog", "foaf:homepage", "max"),
    ((69,), "dcat:Catalog", "foaf:homepage", "class:foaf:Document"),
    ((70,), "dcat:Catalog", "dcat:keyword", "literal"),
    ((72,), "skos:Concept", "skos:label", "literal"),
    ((73,), "skos:Concept", "skos:inScheme", "class:skos:ConceptScheme"),
    ((74,), "spdx:Checksum", "spdx:algorithm", "min"),
    ((75,), "spdx:Checksum", "spdx:algorithm", "max"),
    ((76,), "spdx:Checksum", "spdx:algorithm", "class:spdx:checksumAlgorithm_sha1"),
    ((77,), "spdx:Checksum", "spdx:checksumValue", "min"),
    ((78,), "spdx:Checksum", "spdx:checksumValue", "max"),
    ((80,), "vcard:Kind", "vcard:fn", "min"),
    ((81,), "vcard:Kind", "vcard:fn", "literal"),
    ((82,), "vcard:Kind", "vcard:hasEmail", "min"),
    ((83,), "vcard:Kind", "vcard:hasEmail", "class:vcard:Email"),
    ((84,), "vcard:Kind", "vcard:hasAddress", "class:vcard:Address"),
    ((85,), "vcard:Kind", "vcard:hasTelephone", "literal"),
    ((86,), "vcard:Kind", "vcard:hasURL", "literal"),
    ((87,), "dct:Location", "rdfs:label", "literal"),
    ((88,), "dct:LinguisticSystem", "rdfs:label", "literal"),
    ((89,), "dct:LicenseDocument", "dct:type", "min"),
    ((90,), "dct:LicenseDocument", "dct:type", "max"),
    ((91,), "dct:LicenseDocument", "dct:type", "class:skos:Concept"),
    ((92,), "dct:LicenseDocument", "dct:description", "literal"),
    ((93,), "dct:LicenseDocument", "rdfs:label", "literal"),
    ((94,), "dct:MediaTypeOrExtent", "rdfs:label", "literal"),
    ((95,), "foaf:Agent", "foaf:name", "min"),
    ((96,), "foaf:Agent", "foaf:name", "literal"),
    ((97,), "foaf:Agent", "dct:type", "class:skos:Concept"),
    ((98,), "skos:ConceptScheme", "rdfs:label", "literal"),
    ((99,), "skos:ConceptScheme", "skos:hasTopConcept", "iri"),
]

# Rules that never report anything in Joinup's query (operator precedence: `!datatype(?o) =
# xsd:dateTime` negates an IRI, an error, so the FILTER is always false). Reproducing them
# means reporting nothing; their evident intent is checked as Warnings in quality.ttl.
NEVER_FIRE = {16: "dct:relation must be an IRI", 26: "dct:issued must be xsd:dateTime",
              31: "dct:modified must be xsd:dateTime", 36: "dcat:accessURL must be an IRI",
              48: "dct:issued must be xsd:dateTime", 50: "dct:modified must be xsd:dateTime",
              71: "dct:issued must be xsd:dateTime",
              79: "spdx:checksumValue must be xsd:hexBinary (also needs ?o ?p ?val on a literal)"}
DUMP_RULES = {100: "dcat:Dataset", 101: "skos:Concept", 102: "vcard:Kind", 103: "foaf:Agent"}
DUMP_WORDS = {
    "dcat:Dataset": "The dump describes no solution or release (dcat:Dataset): a catalogue dump "
                    "must contain at least one.",
    "skos:Concept": "The dump describes no concept (skos:Concept): Joinup requires at least one, "
                    "e.g. describe the licence type your licences use.",
    "vcard:Kind": "The dump describes no contact point (vcard:Kind): add the contact points of "
                  "your solutions.",
    "foaf:Agent": "The dump describes no publisher or owner (foaf:Agent): add the organisations "
                  "that publish your solutions.",
}


def iri(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def message(cls: str, prop: str, kind: str) -> str:
    _, subject = CLASSES[cls]
    name, fix = PROPERTIES[prop]
    lower = subject[0].lower() + subject[1:]
    if kind == "min":
        return f"{subject} needs {article(name)} {name} ({prop}): {fix}."
    if kind == "max":
        return f"{subject} can have only one {name} ({prop}): keep one value and remove the others."
    if kind == "literal":
        return f"The {name} ({prop}) of {lower} must be text (a literal), not a link: write it as text."
    if kind == "iri":
        return f"The {name} ({prop}) of {lower} must be a link (an IRI), not text."
    if kind == "typed":
        return (f"The {name} ({prop}) of {lower} is described in the dump but has no type: "
                f"add its class (rdf:type), or link to it without describing it.")
    target = kind.split(":", 1)[1]
    return (f"The {name} ({prop}) of {lower} is described in the dump but is not "
            f"{CLASS_WORDS[target]}: add \"a {target}\" to it, or link to it without describing it.")


def shape_name(cls: str, prop: str, kind: str) -> str:
    local = CLASSES[cls][0]
    suffix = {"min": "min", "max": "max", "literal": "literal", "iri": "iri", "typed": "typed"}.get(
        kind, "class")
    return f"{local}-{prop.split(':')[1]}-{suffix}"


def constraint(kind: str) -> list[tuple[str, object]]:
    if kind == "min":
        return [("sh:minCount", 1)]
    if kind == "max":
        return [("sh:maxCount", 1)]
    if kind == "literal":
        return [("sh:nodeKind", "sh:Literal")]
    if kind == "iri":
        return [("sh:nodeKind", "sh:IRI")]
    if kind == "typed":
        return [("sh:or", "( [ sh:path rdf:type ; sh:minCount 1 ] [ sh:closed true ] )")]
    target = kind.split(":", 1)[1]
    return [("sh:or", f"( [ sh:class {target} ] [ sh:closed true ] )")]


def literal(text: str) -> str:
    return str(ox.Literal(text, language="en"))


def build() -> tuple[str, str]:
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    out = [head, f"""
<{APS}> a <http://www.w3.org/2002/07/owl#Ontology> ;
  rdfs:label "ADMS-AP shapes reproducing Joinup's validation rules"@en ;
  rdfs:comment "Generated by shapes/build_adms_ap.py; see shapes/README.md."@en .

aps:joinupRule a rdf:Property ;
  rdfs:label "Joinup rule"@en ;
  rdfs:comment "The number of the Joinup ADMS-AP validation rule a shape reproduces."@en .
"""]
    by_class: dict[str, list[str]] = {}
    for rules, cls, prop, kind in RULES:
        name = shape_name(cls, prop, kind)
        by_class.setdefault(cls, []).append(name)
        lines = [f"aps:{name} a sh:PropertyShape ;", f"  sh:path {prop} ;"]
        for key, value in constraint(kind):
            lines.append(f"  {key} {value} ;")
        lines += [
            "  sh:severity sh:Violation ;",
            f"  sh:name {literal(PROPERTIES[prop][0])} ;",
            f"  sh:message {literal(message(cls, prop, kind))} ;",
            f"  aps:joinupRule {', '.join(str(r) for r in rules)} .",
        ]
        out.append("\n".join(lines) + "\n")
    for cls, names in by_class.items():
        local = CLASSES[cls][0]
        props = ", ".join(f"aps:{n}" for n in names)
        out.append(f"aps:{local} a sh:NodeShape ;\n  sh:targetClass {cls} ;\n  sh:property {props} .\n")
    records = "\n".join(out)

    dump = [head, ""]
    for rule, cls in DUMP_RULES.items():
        local = CLASSES[cls][0]
        dump.append(
            f"aps:Dump-{local}-exists a sh:NodeShape ;\n"
            f"  rdfs:comment \"The focus node is the class itself: its instances (^rdf:type) must exist.\"@en ;\n"
            f"  sh:targetNode {cls} ;\n"
            f"  sh:property [\n"
            f"    sh:path [ sh:inversePath rdf:type ] ;\n"
            f"    sh:minCount 1 ;\n"
            f"    sh:severity sh:Violation ;\n"
            f"    sh:name {literal('instances')} ;\n"
            f"    sh:message {literal(DUMP_WORDS[cls])} ;\n"
            f"    aps:joinupRule {rule}\n"
            f"  ] ;\n"
            f"  aps:joinupRule {rule} .\n"
        )
    return records, "\n".join(dump)


def main() -> None:
    records, dump = build()
    (HERE / "adms-ap.ttl").write_text("# Generated by shapes/build_adms_ap.py: edit the table there.\n" + records)
    (HERE / "adms-ap-dump.ttl").write_text("# Generated by shapes/build_adms_ap.py: edit the table there.\n" + dump)


if __name__ == "__main__":
    main()
