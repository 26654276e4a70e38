"""The derived index of specifications: every published specification with what /standards
lists, filters and ranks it by, built once per data version from five saved queries
(``standards_*.rq``), never by SPARQL aggregates per request.

A specification (``cssv:Specification``) is described by ELIS (the building blocks it serves,
with the reason for each, in ``dct:relation [ dct:relation <block> ; dct:description "why" ]``
nodes), by the CSSV dataset (title, version, maintainer, kind, downloads) and by CAMSS
(assessments: ``cav:Assessment camss:assesses <spec>``). An "ELIS specification" is one an
ELIS ``dcat:CatalogRecord`` lists (``foaf:primaryTopic``).

An assessment's score is ours to compute, and this module says how: the mean of its answers'
values as a percentage of the highest value of its scale, which depends on the CAMSS tool
that made it (0 to 100 in steps of 20 for tool 5; 0, 1, 2 for the EIF scenarios of tools 3;
0 or 1 for the MSP scenario). A specification's score is its best assessment's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.store import Rows

CSSV = "http://data.europa.eu/2sa/cssv#"
KIND_OF_CLASS = {CSSV + "Standard": "standard", CSSV + "ApplicationProfile": "application-profile",
                 CSSV + "Family": "family"}
KINDS = ("standard", "specification", "application-profile", "family")
# score bands of the "score" facet: key -> (lowest, highest) percentage, best first
SCORE_BANDS = {"90-100": (90, 100), "75-89": (75, 89), "50-74": (50, 74), "0-49": (0, 49)}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass
class AssessmentSummary:
    """One CAMSS assessment as the list and the specification page show it."""

    iri: str
    spec: str
    scenario: str | None  # the scenario's IRI
    scenario_title: str  # "EIF(3.1.0)", "MSP(3.0.0)"; "" when the data names none
    date: str | None  # ISO date
    tool: str | None  # the CAMSS tool version ("3.1.0")
    title: str
    values: list[float] = field(default_factory=list)

    @property
    def scale(self) -> float:
        """The highest value an answer can have on this assessment's scale."""
        if (self.tool or "").startswith("5") or any(v > 2 for v in self.values):
            return 100.0
        return 1.0 if self.scenario_title.upper().startswith("MSP") else 2.0

    @property
    def score(self) -> int | None:
        """The mean answer as a percentage of the scale's top (None: no scored answer)."""
        if not self.values:
            return None
        return round(100 * sum(self.values) / (len(self.values) * self.scale))


@dataclass
class SpecRecord:
    """One specification, in every language it is described in (cached per data version)."""

    iri: str
    titles: list[ox.Literal] = field(default_factory=list)
    record_titles: list[ox.Literal] = field(default_factory=list)  # its ELIS records' titles
    versions: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    descriptions: list[ox.Literal] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    maintainers: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)  # documents' pages (dcat:accessURL)
    downloads: list[str] = field(default_factory=list)  # files (dcat:downloadURL)
    reasons: dict[str, list[ox.Literal]] = field(default_factory=dict)  # block -> why (ELIS)
    elis: bool = False
    assessments: list[AssessmentSummary] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """standard, application-profile, family, or specification (the most specific class)."""
        for cls, kind in KIND_OF_CLASS.items():
            if cls in self.classes:
                return kind
        return "specification"

    @property
    def best(self) -> int | None:
        """The best score of its assessments (None: never assessed, or no scored answer)."""
        scores = [a.score for a in self.assessments if a.score is not None]
        return max(scores) if scores else None


@dataclass
class Maintainer:
    iri: str
    names: list[ox.Literal] = field(default_factory=list)
    other: list[ox.Literal] = field(default_factory=list)
    homepages: list[str] = field(default_factory=list)


_NAME_AND_ADDRESS = re.compile(r"^(?P<name>.+?)\s*\((?P<address>https?://[^\s)]+)\)$")


def _named_with_address(label: ox.Literal) -> tuple[ox.Literal, str] | None:
    """CAMSS writes some maintainers' names with their web address in brackets ("W3C
    (http://www.w3.org)"): the name alone, and the address, which is a home page."""
    found = _NAME_AND_ADDRESS.match(label.value.strip())
    if found is None:
        return None
    name = found["name"]
    text = ox.Literal(name, language=label.language) if label.language else ox.Literal(name)
    return text, found["address"]


@dataclass
class StandardsData:
    """What the index is built from: specifications, maintainers, assessments by IRI."""

    specs: dict[str, SpecRecord]
    maintainers: dict[str, Maintainer]
    assessments: dict[str, AssessmentSummary]


def read(select: Mapping[str, Rows]) -> StandardsData:
    """The index's data from the rows of the five saved queries, by query name
    (``standards_specifications``, ``_elis_records``, ``_block_reasons``, ``_maintainers``,
    ``_assessment_scores``)."""
    specs: dict[str, SpecRecord] = {}

    def spec(iri: str) -> SpecRecord:
        return specs.setdefault(iri, SpecRecord(iri))

    for r in select["standards_specifications"]:
        rec, value, name = spec(r["spec"].value), r["value"], r["field"].value
        if isinstance(value, ox.Literal):
            text = " ".join(value.value.split())
            if name == "title" and value not in rec.titles and text:
                rec.titles.append(value)
            elif name == "description" and value not in rec.descriptions and text:
                rec.descriptions.append(value)
            elif name in ("version", "acronym", "alternative") and text:
                found = {"version": rec.versions, "acronym": rec.acronyms,
                         "alternative": rec.alternatives}[name]
                if text not in found:
                    found.append(text)
            elif name in ("access", "download") and value.value not in _urls(rec, name):
                _urls(rec, name).append(value.value)
        elif isinstance(value, ox.NamedNode):
            if name == "type":
                rec.classes.add(value.value)
            elif name == "maintainer" and value.value not in rec.maintainers:
                rec.maintainers.append(value.value)
            elif name in ("access", "download") and value.value not in _urls(rec, name):
                _urls(rec, name).append(value.value)
    for r in select["standards_elis_records"]:
        if r["spec"].value in specs:
            rec = specs[r["spec"].value]
            rec.elis = True
            title = r.get("title")
            if isinstance(title, ox.Literal) and title not in rec.record_titles:
                rec.record_titles.append(title)
    for r in select["standards_block_reasons"]:
        if r["spec"].value in specs:
            reasons = specs[r["spec"].value].reasons.setdefault(r["block"].value, [])
            why = r.get("reason")
            if isinstance(why, ox.Literal) and why not in reasons:
                reasons.append(why)
    maintainers: dict[str, Maintainer] = {}
    for r in select["standards_maintainers"]:
        m = maintainers.setdefault(r["org"].value, Maintainer(r["org"].value))
        value, name = r["value"], r["field"].value
        if name == "homepage":
            if value.value not in m.homepages:
                m.homepages.append(value.value)
        elif isinstance(value, ox.Literal) and value.value.strip() and (
                value.language or value.datatype.value.endswith("#string")):  # not "NaN"^^xsd:double
            named = _named_with_address(value)
            if named is not None:  # "W3C (http://www.w3.org)": the name, and the address apart
                value, address = named
                if address not in m.homepages:
                    m.homepages.append(address)
            (m.names if name == "name" else m.other).append(value)
    assessments: dict[str, AssessmentSummary] = {}
    for r in select["standards_assessment_scores"]:
        iri = r["assessment"].value
        a = assessments.get(iri)
        if a is None:
            a = assessments[iri] = AssessmentSummary(
                iri, r["spec"].value, _value(r.get("scenario")), _value(r.get("scenarioTitle")) or "",
                _value(r.get("date")), _tail(_value(r.get("tool"))), _value(r.get("title")) or "")
        number = _number(r.get("value"))
        if number is not None:
            a.values.append(number)
    for a in assessments.values():
        if a.spec in specs:
            specs[a.spec].assessments.append(a)
    for rec in specs.values():
        rec.assessments.sort(key=lambda a: (a.date or "", a.iri), reverse=True)
    return StandardsData(specs, maintainers, assessments)


def block_name(iri: str) -> str:
    """A block's name from its PURI when no vocabulary names it: ``DataExchangeApplicationService``
    reads "Data Exchange Application Service"."""
    return _CAMEL.sub(" ", iri.rstrip("/").rsplit("/", 1)[-1])


def _urls(rec: SpecRecord, name: str) -> list[str]:
    return rec.access if name == "access" else rec.downloads


def _value(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _tail(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else None


def _number(term: object) -> float | None:
    """A score's value as a number; None for what is not one ("None" in the data)."""
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def distinct_blocks(specs: Iterable[SpecRecord]) -> set[str]:
    return {b for s in specs for b in s.reasons}
