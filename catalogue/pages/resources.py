"""What the pages of licences, collections, releases, distributions and publishers show,
gathered from the store (no HTML here; the web layer renders it).

Like a solution's page (catalogue/pages/solution.py), each is the HTML alternate of the resource's
Linked Data description, built from small anchored saved queries: the resource's own
description (``resource_description``), the descriptions of what it lists, and a reverse
look-up or two (``release_solution``, ``distribution_parents``, ``licence_legal_terms``,
``record_titles``). Who uses a licence or a publisher comes from the search index
(:meth:`Catalogue.used_by`), with the titles then read in the reader's language.

Every label is chosen in the reader's languages, then untagged, then any, and is never
empty (the IRI's last segment, else the IRI); each says its language so the page can mark
a fallback.

What a licence lets you do, in plain words, has three sources, each named on the page:

* the licence's legal type when a vocabulary groups it (the Joinup Licensing Assistant's
  ``Can`` / ``Must`` / ``Cannot`` collections, ``vocab/licence-legal-type.rdf``): the type's
  own label and definition, as the vocabulary says them;
* the ADMS licence type (``http://purl.org/adms/licencetype/``, ``vocab/adms-skos``), which
  carries only a label: :data:`ADMS_LICENCE_TERMS` says what each type means for a reuser,
  as a key the web layer words in the reader's language;
* the licence's SPDX entry (``owl:sameAs``, ``vocab/spdx``): OSI approval and FSF libre
  status, and deprecation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from catalogue.labels import LABEL_PROPERTIES
from catalogue.pages.solution import Description
from catalogue.terms import ADMS, DCAT, DCT, FOAF, OWL, RDF_TYPE, RDFS, SKOS, SPDX, VCARD

if TYPE_CHECKING:
    from catalogue import queries
    from catalogue.store import Rows

ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
SPDX_LICENCES = ("http://spdx.org/licenses/", "https://spdx.org/licenses/")
LEGAL_TYPE_GROUPS = {  # Joinup Licensing Assistant collections -> what they say
    "http://joinup.eu/legal-type#Can": "allows",
    "http://joinup.eu/legal-type#Must": "requires",
    "http://joinup.eu/legal-type#Cannot": "forbids",
}
GROUPS = ("allows", "requires", "forbids", "note")
# The ADMS licence types carry a label only; what each means for a reuser, as (group, key):
# the web layer words each key (webapp/resource_pages.py). Types without a clear meaning for
# a reuser (ISO compliant, non-ISO compliant) say nothing beyond their label.
ADMS_LICENCE_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "PublicDomain": (("allows", "public-domain"),),
    "Attribution": (("requires", "attribution"),),
    "ViralEffect-ShareAlike": (("requires", "share-alike"),),
    "RoyaltiesRequired": (("requires", "royalties"),),
    "NominalCost": (("requires", "nominal-cost"),),
    "GrantBack": (("requires", "grant-back"),),
    "NoDerivativeWork": (("forbids", "no-derivatives"),),
    "NonCommercialUseOnly": (("forbids", "commercial-use"),),
    "ReservedNames-Endorsement-OfficialStatus": (("forbids", "reserved-names"),),
    "JurisdictionWithinTheEU": (("note", "eu-jurisdiction"),),
    "KnownPatentEncumbrance": (("note", "patents"),),
    "OtherRestrictiveClauses": (("note", "other-restrictions"),),
    "UnknownIPR": (("note", "unknown-ipr"),),
}
AGENT_TYPES = {FOAF.Agent, FOAF.Organization, FOAF.Person}
LISTED = 50  # a collection's solutions shown on its page; the rest through search


class Reader(Protocol):
    """What pages are gathered from (the Catalogue)."""

    def describe(self, iri: str) -> list[ox.Triple]: ...

    def select(self, name: str, **params: queries.Value) -> Rows: ...

    def used_by(self, iri: str) -> list: ...


@dataclass(frozen=True)
class Text:
    value: str
    language: str | None = None  # None: untagged


@dataclass(frozen=True)
class Label:
    iri: str
    label: str
    language: str | None = None


@dataclass(frozen=True)
class Term:
    """One thing a licence allows, requires or forbids (or a note), and where it is said."""

    group: str  # allows | requires | forbids | note
    source: Label  # the legal type or SPDX entry that says it
    key: str | None = None  # a statement the site words (ADMS licence type, SPDX flags)
    label: Text | None = None  # the vocabulary's own words (a Joinup legal type)
    definition: Text | None = None
    group_label: Text | None = None  # the vocabulary's group, for a group of kind "note"


@dataclass(frozen=True)
class SpdxEntry:
    iri: str
    identifier: str
    name: Text | None
    osi_approved: bool | None
    fsf_libre: bool | None
    deprecated: bool | None


@dataclass(frozen=True)
class UsedList:
    facet: str  # the search facet, also the /search parameter
    total: int
    items: list[Label]


@dataclass
class LicencePage:
    iri: str
    title: Text
    other_titles: list[Text]
    identifier: str | None  # e.g. the SPDX short identifier in rdfs:label
    description: Text | None
    legal_types: list[Label]
    terms: list[Term]
    spdx: list[SpdxEntry]
    see_also: list[str]
    used_by: list[UsedList]

    def terms_in(self, group: str) -> list[Term]:
        return [t for t in self.terms if t.group == group]


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


Page = LicencePage | CollectionPage | ReleasePage | DistributionPage | AgentPage


# --- choosing labels ------------------------------------------------------------------------

def _primary(tag: str | None) -> str:
    return (tag or "").split("-", 1)[0].lower()


def choose(literals: Iterable[ox.Literal], languages: tuple[str, ...]) -> ox.Literal | None:
    """The literal in the first of ``languages`` (by primary subtag), then untagged, then
    any; never a blank one."""
    found = [lit for lit in literals if lit.value.strip()]
    for want in (*languages, ""):
        for lit in found:
            if _primary(lit.language) == want:
                return lit
    return found[0] if found else None


def _text(lit: ox.Literal | None) -> Text | None:
    return Text(lit.value, lit.language or None) if lit is not None else None


def fallback_name(iri: str) -> str:
    """What to call a resource nothing names: its IRI's last segment, else the IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


class _Facts:
    """A resource's description, with labels chosen in the reader's languages."""

    def __init__(self, triples: list[ox.Triple], languages: tuple[str, ...]) -> None:
        self.d = Description(triples)
        self.languages = languages

    def text(self, node, predicate) -> Text | None:
        return _text(choose(self.d.literals(node, predicate), self.languages))

    def texts(self, node, predicate) -> list[Text]:
        return [Text(lit.value, lit.language or None) for lit in self.d.literals(node, predicate)
                if lit.value.strip()]

    def value(self, node, predicate) -> str | None:
        found = self.text(node, predicate)
        return found.value if found else None

    def label(self, node: ox.NamedNode) -> Label:
        """Across every label property, the reader's language first."""
        literals = [lit for p in LABEL_PROPERTIES for lit in self.d.literals(node, p)]
        lit = choose(literals, self.languages)
        if lit is None:
            return Label(node.value, fallback_name(node.value))
        return Label(node.value, lit.value, lit.language or None)

    def title(self, node: ox.NamedNode, *predicates) -> Text:
        """The resource's own title in the reader's language, else any label: never empty."""
        for p in predicates:
            found = self.text(node, p)
            if found:
                return found
        label = self.label(node)
        return Text(label.label, label.language)

    def links(self, node, predicate) -> list[Label]:
        return sorted((self.label(x) for x in self.d.iris(node, predicate)),
                      key=lambda x: x.label.lower())

    def urls(self, node, predicate) -> list[str]:
        """IRIs as text (the web layer links only http(s) ones)."""
        return [x.value for x in self.d.iris(node, predicate)]


def _other(texts: list[Text], shown: Text) -> list[Text]:
    return sorted((t for t in texts if t != shown), key=lambda t: (t.language or "", t.value))


# --- which page ------------------------------------------------------------------------------

def kind_of(triples: list[ox.Triple], iri: str) -> str | None:
    """Which page a resource gets: release, collection, distribution, licence, agent, or
    None (a solution's page, or the generic table)."""
    node = ox.NamedNode(iri)
    types = {t.object for t in triples if t.subject == node and t.predicate == RDF_TYPE}
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
    return None


def build(reader: Reader, iri: str, triples: list[ox.Triple],
          languages: tuple[str, ...] = ("en",), kind: str | None = None) -> Page | None:
    """The page of ``iri`` from its description ``triples``, or None if it has none of its
    own; ``kind`` overrides what the description alone says (see ``kind_of``)."""
    builders: dict[str, Callable[..., Page]] = {
        "licence": licence_page, "collection": collection_page, "release": release_page,
        "distribution": distribution_page, "agent": agent_page,
    }
    kind = kind or kind_of(triples, iri)
    return builders[kind](reader, iri, triples, languages) if kind else None


# --- the pages -------------------------------------------------------------------------------

def _used_by(reader: Reader, iri: str, languages: tuple[str, ...]) -> list[UsedList]:
    """Who points at ``iri`` through a search facet, titles in the reader's language."""
    out = []
    for used in reader.used_by(iri):
        items = []
        for record, indexed in used.first:
            titles = [t for r in reader.select("record_titles", record=ox.NamedNode(record))
                      if isinstance(t := r["title"], ox.Literal)]  # (the query keeps literals)
            lit = choose(titles, languages)
            items.append(Label(record, lit.value, lit.language or None) if lit is not None
                         else Label(record, indexed or fallback_name(record)))
        out.append(UsedList(used.facet, used.total, sorted(items, key=lambda x: x.label.lower())))
    return out


def _flag(f: _Facts, node, predicate) -> bool | None:
    values = f.d.literals(node, predicate)
    return values[0].value.strip().lower() in ("true", "1") if values else None


def licence_page(reader: Reader, iri: str, triples: list[ox.Triple],
                 languages: tuple[str, ...] = ("en",)) -> LicencePage:
    node = ox.NamedNode(iri)
    f = _Facts(triples, languages)
    title = f.title(node, DCT.title, RDFS.label)
    legal_types = f.links(node, DCT.type)
    terms: list[Term] = []
    # 1. legal types a vocabulary groups (Joinup Licensing Assistant): its own words
    grouped: dict[tuple[str, str], dict] = {}
    for r in reader.select("licence_legal_terms", licence=node):
        said = grouped.setdefault((r["type"].value, r["group"].value),
                                  {"label": [], "definition": [], "group": []})
        for key, var in (("label", "label"), ("definition", "definition"), ("group", "groupLabel")):
            if var in r and isinstance(r[var], ox.Literal) and r[var] not in said[key]:
                said[key].append(r[var])
    by_iri = {t.iri: t for t in legal_types}
    for (type_iri, group), found in sorted(grouped.items()):
        kind = LEGAL_TYPE_GROUPS.get(group, "note")
        terms.append(Term(
            group=kind, source=by_iri.get(type_iri, Label(type_iri, fallback_name(type_iri))),
            label=_text(choose(found["label"], languages)),
            definition=_text(choose(found["definition"], languages)),
            group_label=_text(choose(found["group"], languages)) if kind == "note" else None,
        ))
    # 2. ADMS licence types: what each means, worded by the site
    for t in legal_types:
        if t.iri.startswith(ADMS_LICENCE_TYPE):
            for group, key in ADMS_LICENCE_TERMS.get(t.iri[len(ADMS_LICENCE_TYPE):], ()):
                terms.append(Term(group=group, source=t, key=key))
    # 3. the SPDX entry: OSI / FSF status
    spdx = []
    for same in f.d.iris(node, OWL.sameAs):
        if not same.value.startswith(SPDX_LICENCES):
            continue
        s = _Facts(reader.describe(same.value), languages)
        entry = SpdxEntry(
            iri=same.value, identifier=fallback_name(same.value), name=s.text(same, SPDX.name),
            osi_approved=_flag(s, same, SPDX.isOsiApproved), fsf_libre=_flag(s, same, SPDX.isFsfLibre),
            deprecated=_flag(s, same, SPDX.isDeprecatedLicenseId))
        spdx.append(entry)
        source = Label(same.value, "SPDX " + entry.identifier)
        if entry.osi_approved or entry.fsf_libre:
            terms.append(Term(group="allows", source=source, key="open-source"))
        if entry.osi_approved:
            terms.append(Term(group="note", source=source, key="osi-approved"))
        if entry.fsf_libre:
            terms.append(Term(group="note", source=source, key="fsf-libre"))
        if entry.deprecated:
            terms.append(Term(group="note", source=source, key="spdx-deprecated"))
    identifier = f.value(node, RDFS.label)
    return LicencePage(
        iri=iri, title=title, other_titles=_other(f.texts(node, DCT.title), title),
        identifier=identifier if identifier != title.value else None,
        description=f.text(node, DCT.description), legal_types=legal_types,
        terms=sorted(terms, key=lambda t: GROUPS.index(t.group)), spdx=spdx,
        see_also=f.urls(node, RDFS.seeAlso), used_by=_used_by(reader, iri, languages),
    )


def collection_page(reader: Reader, iri: str, triples: list[ox.Triple],
                    languages: tuple[str, ...] = ("en",)) -> CollectionPage:
    node = ox.NamedNode(iri)
    f = _Facts(triples, languages)
    title = f.title(node, DCT.title)
    solutions = _members(reader, node, f.links(node, DCAT.dataset), languages)
    return CollectionPage(
        iri=iri, title=title, other_titles=_other(f.texts(node, DCT.title), title),
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
    f = _Facts(triples if triples is not None else reader.describe(iri), languages)
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
    f = _Facts(triples, languages)
    solutions = {x.value for x in f.d.iris(node, DCT.isVersionOf)}
    solutions |= {r["solution"].value for r in reader.select("release_solution", release=node)}
    labels = [f.label(ox.NamedNode(s)) if f.d.literals(ox.NamedNode(s), DCT.title)
              else _Facts(reader.describe(s), languages).label(ox.NamedNode(s)) for s in solutions]
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
        return _Facts(reader.describe(x), languages).label(ox.NamedNode(x))

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
    f = _Facts(triples, languages)
    name = f.title(node, FOAF.name, SKOS.prefLabel, VCARD.fn)
    return AgentPage(
        iri=iri, name=name, other_names=_other(f.texts(node, FOAF.name), name),
        types=f.links(node, DCT.type), places=f.links(node, DCT.spatial),
        homepages=f.urls(node, FOAF.homepage),
        emails=[u for u in f.urls(node, FOAF.mbox) if u.startswith("mailto:")],
        used_by=_used_by(reader, iri, languages),
    )
