"""Quality scores: a record's, 0-100 in two bands, and a whole report's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import rdflib

from catalogue.ingest.report import Report
from catalogue.ingest.shacl import Finding
from catalogue.reports.constraints import Shape, as_int, find_shape

QUALITY_WEIGHT = rdflib.URIRef("https://catalogue.example.org/shapes/quality#weight")

# Points a finding costs when its shape has no q:weight (see record_score).
PENALTY = {"Violation": 20, "Warning": 10, "Info": 3}
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def finding_penalty(finding: Finding) -> int:
    """Points a finding costs: its shape's q:weight, else 20 / 10 / 3 by severity."""
    weight = _weight(find_shape(finding.shape, finding.message))
    return weight if weight is not None else PENALTY.get(finding.severity, PENALTY["Violation"])


@lru_cache(maxsize=1024)
def _weight(shape: Shape | None) -> int | None:
    return as_int(shape.graph.value(shape.node, QUALITY_WEIGHT)) if shape is not None else None


def record_score(findings: Sequence[Finding]) -> int:
    """A record's quality, 0-100, in two bands so a rejected record never outranks a valid one.

    ``100 - sum(penalties)``, a penalty per broken rule and node (the same shape failing
    on the same focus node several times counts once; see :func:`finding_penalty`), then
    clamped to 50-100 when the record has no Violation (it can be published) and to 0-49
    when it has one (it is rejected). A record without findings scores 100.
    """
    seen: dict[tuple[str, str], int] = {}
    for f in findings:
        seen[(f.shape or f.message, f.focus)] = finding_penalty(f)
    score = 100 - sum(seen.values())
    if any(f.severity == "Violation" for f in findings):
        return max(0, min(49, score))
    return max(50, min(100, score))


@dataclass(frozen=True)
class Quality:
    """The scores of a report: overall and per record IRI."""

    score: int
    records: dict[str, int]

    def as_json(self) -> dict:
        return {"score": self.score, "records": dict(self.records)}


def quality(report: Report) -> Quality:
    """Per-record scores and an overall one.

    Overall: the mean of the record scores, minus the penalties of dump-level findings,
    capped at 49 when a dump-level Violation rejects the whole dump; 0 for an unreadable
    dump or one without records.
    """
    records = {r.iri: record_score(r.findings) for r in report.records}
    if report.error is not None or not records:
        return Quality(0, records)
    score = round(sum(records.values()) / len(records))
    score -= sum(finding_penalty(f) for f in report.dump_findings)
    if any(f.severity == "Violation" for f in report.dump_findings):
        score = min(score, 49)
    return Quality(max(0, min(100, score)), records)
