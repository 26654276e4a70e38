"""What a member proposes: the form (:class:`ProposalForm`) kept as typed, its own checks
(:class:`FormProblem`: what cannot become RDF), the ADMS-AP record it becomes and the form
read back from that record, the checked form (:class:`Checked`), and a proposal as read
back from the moderation graph (:class:`Proposal`, its :class:`Event` history).

Apart from ``moderation`` (the states, who may move a proposal between them, and the
``Moderation`` service that stores and publishes): these are values with no store and no
user, so the form's checks and its record are testable on their own, and the web builds a
form from a request without touching the workflow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

import pyoxigraph as ox

from catalogue.ingest import Report
from catalogue.terms import ADMS, DCAT, DCT, FOAF, RDF_TYPE, SKOS, VCARD, XSD

EIRA = "http://data.europa.eu/dr8/"
# the EU's 24 official languages, by ISO 639-1 code, in their own names
LANGUAGES = {
    "bg": "български", "cs": "čeština", "da": "dansk", "de": "Deutsch", "el": "ελληνικά",
    "en": "English", "es": "español", "et": "eesti", "fi": "suomi", "fr": "français",
    "ga": "Gaeilge", "hr": "hrvatski", "hu": "magyar", "it": "italiano", "lt": "lietuvių",
    "lv": "latviešu", "mt": "Malti", "nl": "Nederlands", "pl": "polski", "pt": "português",
    "ro": "română", "sk": "slovenčina", "sl": "slovenščina", "sv": "svenska",
}
LIMITS = {"title": 250, "description": 10_000, "publisher": 200, "email": 254, "keywords": 1000,
          "landing_page": 2000, "access_url": 2000, "licence": 2000, "collection": 2000}
MAX_BLOCKS = 20
OTHER_LICENCE = "other"  # the licence choice that means "the one typed in licence_other"
EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+\.[^@\s<>\"'(),;:\\]+$")
WEB = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


# --- the form -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormProblem:
    """A value that cannot become RDF as typed (the shapes judge everything else)."""

    field: str  # the form field
    kind: str  # too-long | web-address | email | building-block | no-building-block | language | licence | collection
    value: str = ""  # what was typed, when the problem's sentence names it (a licence nobody has)


@dataclass(frozen=True)
class ProposalForm:
    """What a person typed, kept as typed so a refused form comes back unchanged."""

    title: str = ""
    language: str = "en"
    description: str = ""
    blocks: tuple[str, ...] = ()
    keywords: str = ""  # comma-separated
    landing_page: str = ""
    publisher: str = ""
    email: str = ""
    access_url: str = ""
    licence: str = ""
    collection: str = ""  # the IRI of the published collection it is proposed into, if any

    @classmethod
    def from_fields(cls, values: Mapping[str, str], blocks: Sequence[str] = ()) -> ProposalForm:
        """From a web form's fields (``blocks`` is the multi-valued building-block field).

        The licence is the ``licence`` field (a licence's IRI, or empty for none) unless it
        says ``other`` or is empty and ``licence_other`` holds what was typed (a name, an
        SPDX id or an IRI, resolved when the form is checked): typing a licence without
        ticking "another licence" still means it."""
        text = {f.name: str(values.get(f.name) or "").strip() for f in fields(cls)
                if f.name not in ("blocks",)}
        text["language"] = text["language"] or "en"
        typed = " ".join(str(values.get("licence_other") or "").split())
        if text["licence"] == OTHER_LICENCE or (not text["licence"] and typed):
            text["licence"] = typed
        return cls(**text, blocks=tuple(dict.fromkeys(b.strip() for b in blocks if b.strip())))

    def keyword_list(self) -> list[str]:
        return list(dict.fromkeys(k.strip() for k in self.keywords.split(",") if k.strip()))

    def problems(self) -> list[FormProblem]:
        out = [FormProblem(name, "too-long") for name, limit in LIMITS.items()
               if len(getattr(self, name)) > limit]
        for name in ("landing_page", "access_url"):
            value = getattr(self, name)
            if value and not (WEB.match(value) and is_iri(value)):
                out.append(FormProblem(name, "web-address"))
        if self.licence and not (WEB.match(self.licence) and is_iri(self.licence)):
            out.append(FormProblem("licence", "licence", self.licence))  # typed, not resolved
        if self.email and not (EMAIL.match(self.email) and is_iri("mailto:" + self.email)):
            out.append(FormProblem("email", "email"))
        if self.language not in LANGUAGES:
            out.append(FormProblem("language", "language"))
        if self.collection and not is_iri(self.collection):
            out.append(FormProblem("collection", "collection"))
        if not self.blocks:
            out.append(FormProblem("blocks", "no-building-block"))
        elif len(self.blocks) > MAX_BLOCKS or any(not _is_block(b) for b in self.blocks):
            out.append(FormProblem("blocks", "building-block"))
        return out

    def triples(self, solution: ox.NamedNode, issued: str, modified: str) -> list[ox.Triple]:
        """The solution record as ADMS-AP: publisher and contact point as nodes under its
        PURI (``#publisher``, ``#contact``), a distribution when a URL or licence is given.
        An empty or malformed value is left out, for the shapes to report what is missing."""
        bad = {p.field for p in self.problems()}
        lang = self.language if "language" not in bad else "en"
        s = solution
        out = [ox.Triple(s, RDF_TYPE, DCAT.Dataset), ox.Triple(s, RDF_TYPE, ADMS.Asset),
               ox.Triple(s, DCT.issued, ox.Literal(issued, datatype=XSD.dateTime)),
               ox.Triple(s, DCT.modified, ox.Literal(modified, datatype=XSD.dateTime))]
        if self.title and "title" not in bad:
            out.append(ox.Triple(s, DCT.title, ox.Literal(" ".join(self.title.split()), language=lang)))
        if self.description and "description" not in bad:
            out.append(ox.Triple(s, DCT.description, ox.Literal(self.description, language=lang)))
        if "blocks" not in bad:
            for block in self.blocks:  # described as a concept: a dump must describe one
                out += [ox.Triple(s, DCT.type, ox.NamedNode(block)),
                        ox.Triple(ox.NamedNode(block), RDF_TYPE, SKOS.Concept)]
        if "keywords" not in bad:
            out += [ox.Triple(s, DCAT.keyword, ox.Literal(k, language=lang)) for k in self.keyword_list()]
        if self.landing_page and "landing_page" not in bad:
            out.append(ox.Triple(s, DCAT.landingPage, ox.NamedNode(self.landing_page)))
        if self.collection and "collection" not in bad:
            out.append(ox.Triple(s, DCT.isPartOf, ox.NamedNode(self.collection)))
        return out + self._publisher(s, bad) + self._contact(s, bad) + self._distribution(s, bad)

    def _publisher(self, s: ox.NamedNode, bad: set[str]) -> list[ox.Triple]:
        if not self.publisher or "publisher" in bad:
            return []
        agent = ox.NamedNode(s.value + "#publisher")
        return [ox.Triple(s, DCT.publisher, agent), ox.Triple(agent, RDF_TYPE, FOAF.Agent),
                ox.Triple(agent, FOAF.name, ox.Literal(" ".join(self.publisher.split())))]

    def _contact(self, s: ox.NamedNode, bad: set[str]) -> list[ox.Triple]:
        if not self.email or "email" in bad:
            return []
        contact = ox.NamedNode(s.value + "#contact")
        name = " ".join(self.publisher.split()) if self.publisher and "publisher" not in bad else self.email
        return [ox.Triple(s, DCAT.contactPoint, contact), ox.Triple(contact, RDF_TYPE, VCARD.Kind),
                ox.Triple(contact, VCARD.fn, ox.Literal(name)),
                ox.Triple(contact, VCARD.hasEmail, ox.NamedNode("mailto:" + self.email))]

    def _distribution(self, s: ox.NamedNode, bad: set[str]) -> list[ox.Triple]:
        url = self.access_url if "access_url" not in bad else ""
        licence = self.licence if "licence" not in bad else ""
        if not (url or licence):
            return []
        d = ox.NamedNode(s.value + "#distribution")
        out = [ox.Triple(s, DCAT.distribution, d), ox.Triple(d, RDF_TYPE, DCAT.Distribution)]
        if url:
            out.append(ox.Triple(d, DCAT.accessURL, ox.NamedNode(url)))
        if licence:
            out.append(ox.Triple(d, DCT.license, ox.NamedNode(licence)))
        return out

    @classmethod
    def from_triples(cls, solution: ox.NamedNode, triples: Sequence[ox.Triple]) -> ProposalForm:
        """The form that made these triples (to edit a draft)."""
        def values(subject: str, predicate: ox.NamedNode) -> list:
            node = ox.NamedNode(subject)
            return [t.object for t in triples if t.subject == node and t.predicate == predicate]

        def first(found: list) -> str:
            return found[0].value if found else ""

        s = solution.value
        title = values(s, DCT.title)
        email = first(values(s + "#contact", VCARD.hasEmail))
        return cls(
            title=first(title), language=(title[0].language if title else None) or "en",
            description=first(values(s, DCT.description)),
            blocks=tuple(sorted(b.value for b in values(s, DCT.type))),
            keywords=", ".join(sorted(k.value for k in values(s, DCAT.keyword))),
            landing_page=first(values(s, DCAT.landingPage)),
            publisher=first(values(s + "#publisher", FOAF.name)),
            email=email.removeprefix("mailto:"),
            access_url=first(values(s + "#distribution", DCAT.accessURL)),
            licence=first(values(s + "#distribution", DCT.license)),
            collection=first(values(s, DCT.isPartOf)),
        )


def _is_block(iri: str) -> bool:
    return iri.startswith(EIRA) and bool(WEB.match(iri)) and len(iri) < 300 and is_iri(iri)


def is_iri(value: str) -> bool:
    """What pyoxigraph accepts as an IRI (the regular expressions above are only a first sieve)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


@dataclass
class Checked:
    """A form checked by the shapes: the form, its problems, the report, the N-Triples."""

    form: ProposalForm
    problems: list[FormProblem]
    report: Report
    data: bytes

    @property
    def ok(self) -> bool:
        return not self.problems and self.report.conforms


# --- proposals as read back -----------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One change in a proposal's history (``cat:history``): kept so a moderator sees who
    did what, when, and why it was sent back."""

    iri: str
    action: str  # create | edit | submit | reject | validate | archive
    state: str  # the state after it
    by: str  # username
    at: str  # xsd:dateTime
    note: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A proposal's workflow record as read back from the moderation graph (its solution
    record is the form's, in its own graph); ``events`` only when read one at a time."""

    id: str
    iri: str  # the proposal (private)
    solution: str  # the PURI the solution is published under once validated
    state: str
    author: str  # username
    created: str
    changed: str
    title: str
    note: str | None = None  # the moderator's note when sent back to draft
    events: tuple[Event, ...] = field(default_factory=tuple)
    collection: str | None = None  # the collection it is proposed into (its facilitators judge it)

    def last(self, action: str) -> Event | None:
        """The latest event of this action (who submitted, validated... and when)."""
        found = [e for e in self.events if e.action == action]
        return found[-1] if found else None

