"""What a solution's page shows, gathered from the store (no HTML here; the web layer
renders it). Built from the same descriptions the Linked Data views serve, one small
anchored query per resource (each a few milliseconds), never one big unanchored query.

Each release also says which licences its distributions are under and which two of them
cannot be combined by the Licensing Assistant's rules (:func:`check_licences`, issue 13):
a reuser downloading the whole release gets both, and needs to know before mixing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from catalogue.labels import LABEL_PROPERTIES, pick
from catalogue.languages import language_name
from catalogue.licences import LicenceError
from catalogue.licences.spdx import spdx_id
from catalogue.terms import ADMS, DCAT, DCT, FOAF, OWL, RDF_TYPE, SKOS, VCARD

if TYPE_CHECKING:
    from catalogue.licences import Licence, Verdict
    from catalogue.store import Term

EIRA = "http://data.europa.eu/dr8/"


@dataclass
class Link:
    iri: str
    label: str
    detail: str | None = None  # e.g. a building block's definition


@dataclass
class Distribution:
    iri: str
    title: str
    access_url: str | None
    download_url: str | None
    formats: list[Link]
    licences: list[Link]


@dataclass(frozen=True)
class ReleaseLicence:
    """A licence some distribution of a release is under, as the page names it."""

    iri: str  # the licence IRI the (first) distribution names
    label: str  # the assistant's title when it knows the licence, else the page's label
    key: str | None  # the Licensing Assistant's SPDX id, IRI or SPDX expression; None: it does not know it

    @property
    def checked(self) -> bool:
        return self.key is not None


@dataclass(frozen=True)
class LicenceConflict:
    """Two licences of one release that cannot be combined: the rules allow neither a work
    under ``first`` into one under ``second``, nor the reverse."""

    first: ReleaseLicence
    second: ReleaseLicence
    # the compatibility check that shows a refusal (keys): ``redistribute`` is always one licence,
    # since the assistant checks nothing into an expression
    use: str
    redistribute: str


@dataclass
class Release:
    iri: str
    title: str
    version: str | None
    issued: str | None
    notes: str | None
    distributions: list[Distribution]
    licences: list[ReleaseLicence] = field(default_factory=list)  # each once, by label
    licence_conflicts: list[LicenceConflict] = field(default_factory=list)

    @property
    def unchecked_licences(self) -> list[ReleaseLicence]:
        """The licences the Licensing Assistant does not know, so none of its rules was tried."""
        return [lic for lic in self.licences if not lic.checked]


@dataclass
class SolutionPage:
    iri: str
    title: str
    title_language: str | None
    other_titles: list[tuple[str, str]]
    description: str | None
    description_language: str | None
    publishers: list[Link]
    contacts: list[Link]
    building_blocks: list[Link]
    themes: list[Link]
    places: list[Link]
    languages: list[Link]
    statuses: list[Link]
    keywords: list[str]
    landing_pages: list[str]
    documentation: list[str]
    modified: str | None
    issued: str | None
    collections: list[Link]
    releases: list[Release] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    # other sources' records of the same solution (catalogue/pages/duplicates.py Publication)
    also_published_by: list = field(default_factory=list)
    # records that share a key with it but are not merged (one side's claim only)
    possibly_same_as: list = field(default_factory=list)
    # what its EIRA footprint needs beyond the building blocks (Cartography.footprint_of):
    # the specifications it declares (dct:conformsTo) on itself, a release or a distribution,
    # whether it is a dcat:Dataset (an ADMS asset alone has no footprint), whether it has a title
    declared: list[str] = field(default_factory=list)
    dataset: bool = False
    titled: bool = True


class Description:
    """Triples about several resources, with lookups by subject and predicate."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples
        self._by: dict[tuple[Term, ox.NamedNode], list] = {}
        for t in triples:
            self._by.setdefault((t.subject, t.predicate), []).append(t.object)

    def objects(self, s, p) -> list:
        return list(dict.fromkeys(self._by.get((s, p), [])))

    def literals(self, s, p) -> list[ox.Literal]:
        return [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]

    def iris(self, s, p) -> list[ox.NamedNode]:
        return [o for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def text(self, s, p, languages: tuple[str, ...] = ("en",)) -> str | None:
        lit = pick(self.literals(s, p), languages)
        return lit.value if lit is not None else None

    def label(self, node, languages: tuple[str, ...] = ("en",)) -> str:
        for p in LABEL_PROPERTIES:
            found = self.text(node, p, languages)
            if found:
                return found
        return node.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or node.value


def _languages(links: list[Link], readers: tuple[str, ...]) -> list[Link]:
    """The languages a solution is in, by name in the reader's language (the EU authority
    table's IRIs carry only a code, ``DEU``: see catalogue/languages.py), sorted by name."""
    named = [Link(x.iri, language_name(x.iri, readers[0] if readers else "en") or x.label, x.detail)
             for x in links]
    return sorted(named, key=lambda link: link.label.lower())


def is_solution(triples: list[ox.Triple], iri: str) -> bool:
    node = ox.NamedNode(iri)
    types = {t.object for t in triples if t.subject == node and t.predicate == RDF_TYPE}
    released = any(t.subject == node and t.predicate == DCT.isVersionOf for t in triples)
    return bool(types & {DCAT.Dataset, ADMS.Asset}) and not released


def _title(titles: list[ox.Literal], languages: tuple[str, ...], iri: str) -> str:
    """The title in the reader's languages (see ``pick``), else the IRI's last segment."""
    chosen = pick(titles, languages)
    return chosen.value if chosen else iri.rstrip("/#").rsplit("/", 1)[-1]


def solution_page(describe_many, releases_of, collections_of, iri: str,
                  languages: tuple[str, ...] = ("en",)) -> SolutionPage:
    """Gather a solution's page. ``describe_many(iris)`` gives resources' published
    descriptions ({IRI: triples}), ``releases_of(iri)`` its releases' IRIs, each with the
    distributions to describe with it ({release IRI: [distribution IRIs]}; a release lists
    those its own description names), ``collections_of(iri)`` the collections listing it
    with their titles ({collection IRI: [title literals]}).

    The releases, distributions, contact points and building blocks are described in one
    call of ``describe_many``, after the solution itself."""
    node = ox.NamedNode(iri)
    d = Description(describe_many([iri])[iri])
    releases = releases_of(iri)
    cache: dict[str, Description] = {}

    def about(x: ox.NamedNode) -> Description:
        if x.value not in cache:
            cache[x.value] = Description(describe_many([x.value])[x.value])
        return cache[x.value]

    parts = [*releases, *(x for xs in releases.values() for x in xs),
             *(x.value for x in d.iris(node, DCAT.contactPoint)),
             *(x.value for x in d.iris(node, DCT.type) if x.value.startswith(EIRA))]
    cache.update((x, Description(triples)) for x, triples in describe_many(parts).items())

    def links(p, *, detail=None) -> list[Link]:
        out = []
        for x in d.iris(node, p):
            out.append(Link(x.value, d.label(x, languages), detail(x) if detail else None))
        return sorted(out, key=lambda link: link.label.lower())

    def definition(x: ox.NamedNode) -> str | None:
        return about(x).text(x, SKOS.definition, languages) if x.value.startswith(EIRA) else None

    titles = d.literals(node, DCT.title)
    title = pick(titles, languages)
    description = pick(d.literals(node, DCT.description), languages)
    contacts = []
    for c in d.iris(node, DCAT.contactPoint):
        emails = about(c).iris(c, VCARD.hasEmail)
        contacts.append(Link(c.value, d.label(c, languages), emails[0].value if emails else None))
    page = SolutionPage(
        iri=iri,
        title=title.value if title else d.label(node, languages),
        title_language=title.language if title else None,
        other_titles=sorted((t.language or "", t.value) for t in titles if t != title),
        description=description.value if description else None,
        description_language=description.language if description else None,
        publishers=links(DCT.publisher),
        contacts=contacts,
        building_blocks=[b for b in links(DCT.type, detail=definition) if b.iri.startswith(EIRA)],
        themes=links(DCAT.theme),
        places=links(DCT.spatial),
        languages=_languages(links(DCT.language), languages),
        statuses=links(ADMS.status),
        keywords=sorted({k.value for k in d.literals(node, DCAT.keyword)}),
        landing_pages=[x.value for x in d.iris(node, DCAT.landingPage)],
        documentation=[x.value for x in d.iris(node, FOAF.page)],
        modified=d.text(node, DCT.modified),
        issued=d.text(node, DCT.issued),
        collections=sorted((Link(c, _title(titles, languages, c))
                            for c, titles in collections_of(iri).items()),
                           key=lambda link: link.label.lower()),
        dataset=DCAT.Dataset in d.iris(node, RDF_TYPE),
        titled=title is not None,
    )
    declared = [x.value for x in d.iris(node, DCT.conformsTo)]
    for r in releases:
        rn = ox.NamedNode(r)
        rd = about(rn)
        dists = []
        declared += [x.value for x in rd.iris(rn, DCT.conformsTo)]
        for dist in rd.iris(rn, DCAT.distribution):
            dd = about(dist)
            declared += [x.value for x in dd.iris(dist, DCT.conformsTo)]
            dists.append(Distribution(
                iri=dist.value,
                title=dd.label(dist, languages) if dd.triples else dist.value,
                access_url=next((x.value for x in dd.iris(dist, DCAT.accessURL)), None),
                download_url=next((x.value for x in dd.iris(dist, DCAT.downloadURL)), None),
                formats=[Link(f.value, dd.label(f, languages)) for f in dd.iris(dist, DCT.format)],
                licences=[Link(lic.value, dd.label(lic, languages)) for lic in dd.iris(dist, DCT.license)],
            ))
        page.releases.append(Release(
            iri=r,
            title=rd.label(rn, languages),
            version=rd.text(rn, OWL.versionInfo),
            issued=rd.text(rn, DCT.issued),
            notes=rd.text(rn, ADMS.versionNotes, languages),
            distributions=sorted(dists, key=lambda x: x.title.lower()),
        ))
    page.releases.sort(key=lambda r: (r.issued or "", r.version or ""), reverse=True)
    page.declared = list(dict.fromkeys(declared))
    return page


class LicenceRules(Protocol):
    """What :func:`check_licences` asks of the Licensing Assistant (``Catalogue.licences``)."""

    def known(self, name: str) -> Licence | None: ...

    def check(self, use: str, redistribute: str, languages: Sequence[str] = ...) -> Verdict: ...


def check_licences(page: SolutionPage, assistant: LicenceRules, languages: Sequence[str] = ("en",)) -> None:
    """Fill each release's ``licences`` (every licence its distributions are under, once, by
    the assistant's title in the reader's ``languages`` when it knows it, so the page and
    the assistant name it alike) and ``licence_conflicts`` (every two of them that cannot
    be combined: the rules say no both ways; one way allowed means the combination goes
    under that licence).

    A licence is looked up by its IRI, then by the SPDX id of an SPDX IRI (a distribution may
    point at ``http://spdx.org/licenses/MIT`` itself). One the assistant does not know (no
    SPDX id, no legal types) is listed with no key and never checked: a missing
    classification is not a conflict. An SPDX expression (``GPL-2.0-only OR MIT``) goes into
    another licence by its first choice that may (the assistant's answer), and a licence
    goes into an expression when it may go into every licence of one of its choices.
    Cheap: the assistant's directory is read once per data version, and a rule check is
    Python over a few dozen rules; a page whose releases name no licence does not ask it at
    all. The rules failing to load (a :class:`RulesError` at start-up) is not caught here.
    """
    for release in page.releases:
        found: dict[str, tuple[ReleaseLicence, Licence | None]] = {}
        for dist in release.distributions:
            for link in dist.licences:
                licence = _known(assistant, link.iri)
                key = licence.key if licence is not None else None
                label = licence.title(languages) if licence is not None else link.label
                found.setdefault(key or link.iri, (ReleaseLicence(link.iri, label, key), licence))
        ordered = sorted(found.values(), key=lambda pair: (pair[0].label.casefold(), pair[0].iri))
        release.licences = [shown for shown, _ in ordered]
        known = [(shown, licence) for shown, licence in ordered if licence is not None]
        conflicts = []
        for i, (first, a) in enumerate(known):
            for second, b in known[i + 1:]:
                if not _may_go(assistant, a, b) and not _may_go(assistant, b, a):
                    conflicts.append(LicenceConflict(first, second, *_shown_check(a, b)))
        release.licence_conflicts = conflicts


def _known(assistant: LicenceRules, iri: str) -> Licence | None:
    """The assistant's licence an IRI names, or None when it knows none."""
    for name in (iri, spdx_id(iri)):
        if name is not None:
            try:
                found = assistant.known(name)
            except LicenceError:  # an IRI that reads as a broken expression names nothing
                continue
            if found is not None:
                return found
    return None


def _shown_check(a: Licence, b: Licence) -> tuple[str, str]:
    """The (use, redistribute) keys of a check that shows ``a`` and ``b`` refused: into a
    single licence, since the assistant checks nothing into an expression."""
    if not b.expression:
        return a.key, b.key
    if not a.expression:
        return b.key, a.key
    return a.key, b.choices[0][0]


def _may_go(assistant: LicenceRules, use: Licence, into: Licence) -> bool:
    """Whether the rules let a work under ``use`` be redistributed under ``into``, perhaps
    under conditions; into an expression: into every licence of one of its choices (one
    the assistant does not know refuses nothing)."""
    if not into.expression:
        return assistant.check(use.key, into.key).compatible

    def goes(key: str) -> bool:
        try:
            return assistant.check(use.key, key).compatible
        except LicenceError:
            return True
    return any(all(goes(key) for key in choice) for choice in into.choices)
