"""What a specification's page and a CAMSS assessment's page show, gathered from the index
(built once per data version) and, for an assessment's answers, one anchored saved query
(``standards_assessment.rq``); no HTML here (webapp/templates/specification.html and
assessment.html render them; webapp/linked_data.py negotiates, as for every resource).

The CAMSS data does not say which EIF principle or layer a criterion belongs to (a criterion
is a ``cccev:Criterion`` with a description only), so an assessment's answers are grouped by
their outcome (met, partly met, not met, not scored) and each criterion keeps its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.browse.common import choose
from catalogue.standards.index import AssessmentSummary
from catalogue.standards.listing import BlockRef, SpecCard, StandardsIndex
from catalogue.store import Rows

OUTCOMES = ("met", "partly", "not-met", "unscored")


@dataclass(frozen=True)
class Named:
    iri: str
    name: str


@dataclass(frozen=True)
class BlockUse:
    """A building block a specification serves: its name, views and ELIS's reason."""

    block: BlockRef
    views: tuple[Named, ...]


@dataclass
class SpecificationPage:
    iri: str
    card: SpecCard
    other_titles: list[str]
    versions: list[str]
    acronyms: list[str]
    alternatives: list[str]
    description: str | None
    description_language: str | None
    maintainers: list[tuple[Named, list[str]]]  # (maintainer, home pages)
    blocks: list[BlockUse]
    assessments: list[AssessmentSummary]
    access: list[str]
    downloads: list[str]
    elis: bool
    statements: list = field(default_factory=list)  # every statement (catalogue.pages.Statement)

    @property
    def title(self) -> str:
        return self.card.title


@dataclass(frozen=True)
class Answer:
    statement: str
    criterion: str | None
    criterion_text: str
    judgement: str
    value: float | None
    outcome: str  # one of OUTCOMES


@dataclass
class AssessmentPage:
    iri: str
    summary: AssessmentSummary
    specification: Named | None
    groups: list[tuple[str, list[Answer]]]  # (outcome, answers), in OUTCOMES order
    statements: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.summary.title or (self.specification.name if self.specification else self.iri)

    @property
    def answered(self) -> int:
        return sum(len(a) for _, a in self.groups)


def specification_page(index: StandardsIndex, iri: str,
                       languages: Sequence[str]) -> SpecificationPage | None:
    """The page of the specification ``iri``, None if the index has no such specification."""
    rec = index.data.specs.get(iri)
    if rec is None:
        return None
    card = index.card(rec, languages)
    description = choose(rec.descriptions, languages)
    titles = [" ".join(t.value.split()) for t in [*rec.titles, *rec.record_titles]]
    blocks = [BlockUse(b, tuple(Named(v, index.view_label(v, languages))
                                for v in index.block_views.get(b.iri, ())))
              for b in card.blocks]
    maintainers = [(Named(m, index.maintainer_label(m, languages)),
                    index.data.maintainers[m].homepages if m in index.data.maintainers else [])
                   for m in rec.maintainers]
    return SpecificationPage(
        iri, card, list(dict.fromkeys(t for t in titles if t != card.title)), rec.versions,
        rec.acronyms, rec.alternatives, description.value if description else None,
        (description.language or None) if description else None, maintainers, blocks,
        sorted(rec.assessments, key=lambda a: (a.score is None, -(a.score or 0))),
        rec.access, rec.downloads, rec.elis)


def assessment_page(index: StandardsIndex, iri: str, rows: Rows,
                    languages: Sequence[str]) -> AssessmentPage | None:
    """The page of the assessment ``iri`` from its answers (``standards_assessment`` rows),
    None if the index has no such assessment."""
    summary = index.data.assessments.get(iri)
    if summary is None:
        return None
    spec = index.data.specs.get(summary.spec)
    specification = Named(summary.spec, index.card(spec, languages).title) if spec else None
    answers: dict[str, Answer] = {}
    for r in rows:
        statement = r["statement"].value
        if statement in answers:
            continue
        value = _number(r.get("value"))
        criterion = r.get("criterion")
        text = r.get("criterionText")
        judgement = r.get("judgement")
        answers[statement] = Answer(
            statement, criterion.value if isinstance(criterion, ox.NamedNode) else None,
            " ".join(text.value.split()) if isinstance(text, ox.Literal) else "",
            judgement.value.strip() if isinstance(judgement, ox.Literal) else "",
            value, _outcome(value, summary.scale))
    groups = []
    for outcome in OUTCOMES:
        found = sorted((a for a in answers.values() if a.outcome == outcome),
                       key=lambda a: a.criterion_text.casefold())
        if found:
            groups.append((outcome, found))
    return AssessmentPage(iri, summary, specification, groups)


def _outcome(value: float | None, scale: float) -> str:
    if value is None:
        return "unscored"
    if value >= scale:
        return "met"
    return "partly" if value > 0 else "not-met"


def _number(term: object) -> float | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(term.value)
    except ValueError:
        return None
