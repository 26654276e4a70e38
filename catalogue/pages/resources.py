"""What the pages of licences, collections, releases, distributions and publishers show,
gathered from the store (no HTML here; the web layer renders it).

Like a solution's page (catalogue/pages/solution.py), each is the HTML alternate of the resource's
Linked Data description, built from small anchored saved queries: the resource's own
description (``resource_description``), the descriptions of what it lists, and a reverse
look-up or two (``release_solution``, ``distribution_parents``, ``licence_legal_terms``,
``record_titles``). Who uses a licence or a publisher comes from the search index
(:meth:`Reader.used_by`), with the titles then read in the reader's language.

Every label is chosen in the reader's languages, then untagged, then any, and is never
empty (the IRI's last segment, else the IRI); each says its language so the page can mark
a fallback.

The licence page is ``licence``; what the pages share (choosing labels, who uses a
resource) is ``facts``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.pages.concepts import ConceptPage, concept_page
from catalogue.pages.eira import EiraBlockPage, eira_block_page, is_block
from catalogue.pages.facts import (
    Facts,
    Label,
    Text,
    UsedList,
    choose,
    fallback_name,
    others,
    used_lists,
)
from catalogue.pages.licence import LicencePage, licence_page
from catalogue.pages.statements import statement_rows
from catalogue.terms import ADMS, CAV, CSSV, DCAT, DCT, FOAF, OWL, RDF_TYPE, SKOS, VCARD

if TYPE_CHECKING:
    from catalogue.pages.reader import Reader
    from catalogue.standards import AssessmentPage, SpecificationPage

AGENT_TYPES = {FOAF.Agent, FOAF.Organization, FOAF.Person}
LISTED = 50  # a collection's solutions shown on its page; the rest through search


@dataclass
class CollectionPage:
    iri: str
    title: Text
    other_titles: list[Text]
    description: Text | None
    publishers: list[Label]
    contacts: list[Label]
    homepages: list[str]
    themes: list[Label]
    places: list[Label]
    keywords: list[str]
    issued: str | None
    modified: str | None
    solutions: list[Label]  # the first LISTED, by title
    total: int  # how many it lists or say they are part of it


@dataclass
class DistributionFacts:
    iri: str
    title: Text
    description: Text | None
    formats: list[Label]
    media_types: list[Label]
    licences: list[Label]
    access_urls: list[str]
    download_urls: list[str]
    issued: str | None
    modified: str | None
    byte_size: str | None


@dataclass
class ReleasePage:
    iri: str
    title: Text
    version: str | None
    issued: str | None
    modified: str | None
    notes: Text | None
    description: Text | None
    statuses: list[Label]
    publishers: list[Label]
    solutions: list[Label]
    distributions: list[DistributionFacts]


@dataclass
class DistributionPage:
    facts: DistributionFacts
    releases: list[Label]  # what lists it: releases...
    solutions: list[Label]  # ...and the solutions they are versions of (or that list it)

    @property
    def iri(self) -> str:
        return self.facts.iri

    @property
    def title(self) -> Text:
        return self.facts.title


@dataclass
class AgentPage:
    iri: str
    name: Text
    other_names: list[Text]
    types: list[Label]
    places: list[Label]
    homepages: list[str]
    emails: list[str]
    used_by: list[UsedList] = field(default_factory=list)


Page = (LicencePage | CollectionPage | ReleasePage | DistributionPage | AgentPage | EiraBlockPage
        | ConceptPage)


# --- which page ------------------------------------------------------------------------------

def kind_of(triples: list[ox.Triple], iri: str) -> str | None:
    """Which page a resource gets: release, collection, distribution, licence, agent, an
    EIRA building block, a vocabulary term (any other ``skos:Concept``), a specification
    or a CAMSS assessment (catalogue/standards/), or None (a solution's page, or the
    generic table)."""
    node = ox.NamedNode(iri)
    types = {t.object for t in triples if t.subject == node and t.predicate == RDF_TYPE}
    if CSSV.Specification in types:
        return "specification"
    if CAV.Assessment in types:
        return "assessment"
    if any(t.subject == node and t.predicate == DCT.isVersionOf for t in triples):
        return "release"
    if DCAT.Catalog in types:
        return "collection"
    if DCAT.Distribution in types:
        return "distribution"
    if DCT.LicenseDocument in types:
        return "licence"
    if types & AGENT_TYPES:
        return "agent"
    if SKOS.Concept in types:
        return "eira-block" if is_block(iri, triples) else "concept"
    return None


def build(reader: Reader, iri: str, triples: list[ox.Triple], languages: tuple[str, ...] = ("en",),
          kind: str | None = None) -> Page | SpecificationPage | AssessmentPage | None:
    """The page of ``iri`` from its description ``triples``, or None if it has none of its
    own; ``kind`` overrides what the description alone says (see ``kind_of``).

    :raise UnknownSpecification: a specification or assessment the standards' index does
        not have (described, yet not by a published source's record).
    """
    builders: dict[str, Callable[..., Page]] = {
        "licence": licence_page, "collection": collection_page, "release": release_page,
        "distribution": distribution_page, "agent": agent_page,
        "eira-block": eira_block_page, "concept": concept_page,
    }
    kind = kind or kind_of(triples, iri)
    if kind in ("specification", "assessment"):  # the standards' pages (catalogue/standards/)
        page = reader.standards_page(kind, iri, languages)
        page.statements = statement_rows(iri, triples, languages)
        return page
    return builders[kind](reader, iri, triples, languages) if kind else None


# --- the pages -------------------------------------------------------------------------------

def collection_page(reader: Reader, iri: str, triples: list[ox.Triple],
                    languages: tuple[str, ...] = ("en",)) -> CollectionPage:
    node = ox.NamedNode(iri)
    f = Facts(triples, languages)
    title = f.title(node, DCT.title)
    solutions = _members(reader, node, f.links(node, DCAT.dataset), languages)
    return CollectionPage(
        iri=iri, title=title, other_titles=others(f.texts(node, DCT.title), title),
        description=f.text(node, DCT.description), publishers=f.links(node, DCT.publisher),
        contacts=f.links(node, DCAT.contactPoint),
        homepages=f.urls(node, FOAF.homepage) + f.urls(node, DCAT.landingPage),
        themes=f.links(node, DCAT.theme), places=f.links(node, DCT.spatial),
        keywords=sorted({k.value for k in f.d.literals(node, DCAT.keyword)}),
        issued=f.value(node, DCT.issued), modified=f.value(node, DCT.modified),
        solutions=solutions[:LISTED], total=len(solutions),
    )


def _members(reader: Reader, node: ox.NamedNode, listed: list[Label],
             languages: tuple[str, ...]) -> list[Label]:
    """The solutions the collection lists (``dcat:dataset``, titled by its description) and
    those that say they are part of it (``dct:isPartOf``, one query: e.g. a proposal a
    facilitator validated into it), once each, by title."""
    titles: dict[str, list[ox.Literal]] = {}
    for r in reader.select("collection_members", collection=node):
        found = titles.setdefault(r["solution"].value, [])
        if isinstance(title := r.get("title"), ox.Literal):  # (optional; the query keeps literals)
            found.append(title)
    members = {x.iri: x for x in listed}
    for iri, found in titles.items():
        if iri not in members:
            lit = choose(found, languages)
            members[iri] = Label(iri, lit.value, lit.language or None) if lit is not None \
                else Label(iri, fallback_name(iri))
    return sorted(members.values(), key=lambda x: x.label.lower())


def distribution_facts(reader: Reader, iri: str, triples: list[ox.Triple] | None,
                       languages: tuple[str, ...] = ("en",)) -> DistributionFacts:
    node = ox.NamedNode(iri)
    f = Facts(triples if triples is not None else reader.describe(iri), languages)
    return DistributionFacts(
        iri=iri, title=f.title(node, DCT.title), description=f.text(node, DCT.description),
        formats=f.links(node, DCT.format), media_types=f.links(node, DCAT.mediaType),
        licences=f.links(node, DCT.license), access_urls=f.urls(node, DCAT.accessURL),
        download_urls=f.urls(node, DCAT.downloadURL), issued=f.value(node, DCT.issued),
        modified=f.value(node, DCT.modified),
        byte_size=f.value(node, DCAT.byteSize) or f.value(node, ADMS.fileSize),
    )


def release_page(reader: Reader, iri: str, triples: list[ox.Triple],
                 languages: tuple[str, ...] = ("en",)) -> ReleasePage:
    node = ox.NamedNode(iri)
    f = Facts(triples, languages)
    solutions = {x.value for x in f.d.iris(node, DCT.isVersionOf)}
    solutions |= {r["solution"].value for r in reader.select("release_solution", release=node)}
    labels = [f.label(ox.NamedNode(s)) if f.d.literals(ox.NamedNode(s), DCT.title)
              else Facts(reader.describe(s), languages).label(ox.NamedNode(s)) for s in solutions]
    distributions = [distribution_facts(reader, d.value, None, languages)
                     for d in f.d.iris(node, DCAT.distribution)]
    return ReleasePage(
        iri=iri, title=f.title(node, DCT.title), version=f.value(node, OWL.versionInfo),
        issued=f.value(node, DCT.issued), modified=f.value(node, DCT.modified),
        notes=f.text(node, ADMS.versionNotes), description=f.text(node, DCT.description),
        statuses=f.links(node, ADMS.status), publishers=f.links(node, DCT.publisher),
        solutions=sorted(labels, key=lambda x: x.label.lower()),
        distributions=sorted(distributions, key=lambda x: x.title.value.lower()),
    )


def distribution_page(reader: Reader, iri: str, triples: list[ox.Triple],
                      languages: tuple[str, ...] = ("en",)) -> DistributionPage:
    releases: dict[str, Label] = {}
    solutions: dict[str, Label] = {}

    def label(x: str) -> Label:
        return Facts(reader.describe(x), languages).label(ox.NamedNode(x))

    for r in reader.select("distribution_parents", distribution=ox.NamedNode(iri)):
        parent = r["parent"].value
        if "solution" in r:  # a release, and the solution it is a version of
            releases.setdefault(parent, label(parent))
            solutions.setdefault(r["solution"].value, label(r["solution"].value))
        else:  # listed by a solution directly (or by something that is not a release)
            solutions.setdefault(parent, label(parent))
    for parent in releases:
        solutions.pop(parent, None)

    def ordered(found: dict[str, Label]) -> list[Label]:
        return sorted(found.values(), key=lambda x: x.label.lower())

    return DistributionPage(facts=distribution_facts(reader, iri, triples, languages),
                            releases=ordered(releases), solutions=ordered(solutions))


def agent_page(reader: Reader, iri: str, triples: list[ox.Triple],
               languages: tuple[str, ...] = ("en",)) -> AgentPage:
    node = ox.NamedNode(iri)
    f = Facts(triples, languages)
    name = f.title(node, FOAF.name, SKOS.prefLabel, VCARD.fn)
    return AgentPage(
        iri=iri, name=name, other_names=others(f.texts(node, FOAF.name), name),
        types=f.links(node, DCT.type), places=f.links(node, DCT.spatial),
        homepages=f.urls(node, FOAF.homepage),
        emails=[u for u in f.urls(node, FOAF.mbox) if u.startswith("mailto:")],
        used_by=used_lists(reader, iri, languages),
    )
