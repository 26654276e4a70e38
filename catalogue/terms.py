"""The vocabularies' IRIs as pyoxigraph terms, so code never spells an IRI twice."""

from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace:
    """A namespace IRI; ``NS.term`` and ``NS["term"]`` give a NamedNode.

    Not a ``str`` subclass on purpose: ``DCT.title`` must not be ``str.title``.
    """

    __slots__ = ("iri",)
    iri: str  # declared, so that it is not read as a term through __getattr__

    def __init__(self, iri: str) -> None:
        object.__setattr__(self, "iri", iri)

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)

    def __str__(self) -> str:
        return self.iri


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VOID = Namespace("http://rdfs.org/ns/void#")
EIRA = Namespace("http://data.europa.eu/dr8/")
CSSV = Namespace("http://data.europa.eu/2sa/cssv#")
CAV = Namespace("http://data.europa.eu/2sa/cav#")
CAMSS = Namespace("http://data.europa.eu/2sa#")
CCCEV = Namespace("http://data.europa.eu/m8g/cccev#")
SIOC = Namespace("http://rdfs.org/sioc/ns#")
CAT = Namespace("https://catalogue.example.org/def/catalogue#")
"""Our own small vocabulary for provenance counts and quarantine notes."""

RDF_TYPE = RDF.type


# Prefixes for what people read: Turtle we serve, CURIEs in reports and pages.
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
    "adms": "http://www.w3.org/ns/adms#", "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#", "spdx": "http://spdx.org/rdf/terms#",
    "schema": "http://schema.org/", "eira": EIRA.iri, "sh": "http://www.w3.org/ns/shacl#",
    "locn": "http://www.w3.org/ns/locn#", "odrl": "http://www.w3.org/ns/odrl/2/",
    "time": "http://www.w3.org/2006/time#",
    "sioc": SIOC.iri,
    "cssv": CSSV.iri, "cav": CAV.iri, "camss": CAMSS.iri, "cccev": CCCEV.iri,
}
