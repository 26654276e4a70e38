"""What a vocabulary term's page shows (a ``skos:Concept`` of any scheme: a country, a data
theme, a file type, an ADMS status or licence type...), gathered from its description and
two anchored saved queries; no HTML here (webapp/resource_pages.py renders it).

Its name, what kind of term it is (by its scheme: "Country", "Data theme"; the web layer
words the key), the scheme by name, its definition, broader, narrower and related terms by
name, its codes, how many solutions use it (the search index's count when a search facet
filters by it, with the facet, so the page links to that search; else
``concept_usage.rq``'s count), then every statement (:mod:`catalogue.pages.statements`).
EIRA building blocks, concepts too, get a page of their own (:mod:`catalogue.pages.eira`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.pages.facts import Facts, Label, Text, UsedList, choose, fallback_name, used_lists
from catalogue.pages.statements import Statement, statement_rows
from catalogue.reports.labels import property_name
from catalogue.terms import DCT, SKOS

if TYPE_CHECKING:
    from catalogue.pages.reader import Reader

AUTHORITY = "http://publications.europa.eu/resource/authority/"
# what kind of term a scheme holds, by the scheme's (or the term's) IRI prefix; the web layer
# words each key in the reader's language
KINDS: tuple[tuple[str, str], ...] = (
    (AUTHORITY + "country", "country"),
    (AUTHORITY + "data-theme", "data-theme"),
    (AUTHORITY + "file-type", "file-type"),
    (AUTHORITY + "language", "language"),
    (AUTHORITY + "place", "place"),
    (AUTHORITY + "corporate-body", "corporate-body"),
    (AUTHORITY + "frequency", "frequency"),
    ("http://purl.org/adms/status/", "status"),
    ("http://purl.org/adms/licencetype/", "licence-type"),
    ("http://purl.org/adms/assettype/", "asset-type"),
    ("http://purl.org/adms/publishertype/", "publisher-type"),
    ("http://purl.org/adms/representationtechnique/", "representation-technique"),
    ("http://purl.org/adms/interoperabilitylevel/", "interoperability-level"),
    ("http://purl.org/adms/changetype/", "change-type"),
    ("http://joinup.eu/legal-type#", "legal-type"),
)
# codes a term carries, best known first: skos:notation, the authority tables' codes
CODE_PROPERTIES: tuple[ox.NamedNode, ...] = (
    SKOS.notation, DCT.identifier, ox.NamedNode("http://purl.org/dc/elements/1.1/identifier"),
    ox.NamedNode("http://publications.europa.eu/ontology/authority/authority-code"),
    ox.NamedNode("http://publications.europa.eu/ontology/authority/op-code"),
)


@dataclass
class ConceptPage:
    iri: str
    kind: str | None  # a key of KINDS, None: a concept of another scheme
    title: Text
    other_names: list[Text]  # alternative labels in the reader's language
    definition: Text | None
    schemes: list[Label]
    broader: list[Label]
    narrower: list[Label]
    related: list[Label]
    codes: list[tuple[str, str]]  # (property name, value), each value once
    used_by: list[UsedList] = field(default_factory=list)  # through search facets
    usage: int | None = None  # solutions using it, when no facet counts it
    statements: list[Statement] = field(default_factory=list)


def kind_of_term(iri: str, schemes: list[str]) -> str | None:
    """The kind of a term (``country``, ``file-type``...) from its scheme, else its IRI."""
    for candidate in (*schemes, iri):
        for prefix, kind in KINDS:
            if candidate.startswith(prefix.rstrip("/#")):
                return kind
    return None


def narrower(reader: Reader, iri: str, languages: tuple[str, ...]) -> list[Label]:
    """The terms narrower than ``iri`` (``concept_narrower.rq``), by name."""
    found: dict[str, list[ox.Literal]] = {}
    for r in reader.select("concept_narrower", concept=ox.NamedNode(iri)):
        labels = found.setdefault(r["narrower"].value, [])
        if isinstance(label := r.get("label"), ox.Literal):  # (optional)
            labels.append(label)
    out = []
    for term, labels in found.items():
        lit = choose(labels, languages)
        out.append(Label(term, lit.value, lit.language or None) if lit is not None
                   else Label(term, fallback_name(term)))
    return sorted(out, key=lambda x: x.label.lower())


def definition(f: Facts, node: ox.NamedNode) -> Text | None:
    """``skos:definition``, else ``dct:description``, in the reader's language."""
    return f.text(node, SKOS.definition) or f.text(node, DCT.description)


def alternative_names(f: Facts, node: ox.NamedNode, title: Text) -> list[Text]:
    """Alternative labels in the reader's language (or untagged), not the title again."""
    wanted = f.languages[:1]
    return sorted({t for t in f.texts(node, SKOS.altLabel)
                   if t.value != title.value and (t.language or "").split("-")[0] in (*wanted, "")},
                  key=lambda t: t.value.lower())


def concept_page(reader: Reader, iri: str, triples: list[ox.Triple],
                 languages: tuple[str, ...] = ("en",)) -> ConceptPage:
    """A vocabulary term's page from its description ``triples`` (as ``Reader.describe``
    gives them) and two saved queries (narrower terms, usage when no facet counts it)."""
    node = ox.NamedNode(iri)
    f = Facts(triples, languages)
    title = f.title(node, SKOS.prefLabel)
    schemes = f.links(node, SKOS.inScheme) or f.links(node, SKOS.topConceptOf)
    reader_language = languages[0] if languages else "en"
    codes: list[tuple[str, str]] = []
    seen: set[str] = set()
    for p in CODE_PROPERTIES:
        for lit in f.d.literals(node, p):
            if lit.value.strip() and lit.value not in seen:
                seen.add(lit.value)
                codes.append((property_name(p.value, reader_language), lit.value))
    used = used_lists(reader, iri, languages)
    usage = None
    if not used:
        rows = reader.select("concept_usage", concept=node).rows
        usage = int(rows[0]["solutions"].value) if rows else 0
    return ConceptPage(
        iri=iri, kind=kind_of_term(iri, [s.iri for s in schemes]), title=title,
        other_names=alternative_names(f, node, title), definition=definition(f, node),
        schemes=schemes, broader=f.links(node, SKOS.broader),
        narrower=narrower(reader, iri, languages), related=f.links(node, SKOS.related),
        codes=codes, used_by=used, usage=usage, statements=statement_rows(iri, triples, languages),
    )
