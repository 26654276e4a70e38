"""The explained report: every finding of a :class:`Report` in words, records scored and
ordered, the page's fixed words, and the extended JSON report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from catalogue.formats import LABELS
from catalogue.ingest.errors import InputError
from catalogue.ingest.parse import parse_dump
from catalogue.ingest.report import Report
from catalogue.ingest.shacl import Finding
from catalogue.reports.constraints import constraint_of, joinup_rules
from catalogue.reports.i18n import N_, normalise_lang, t, translate
from catalogue.reports.parse_errors import ErrorContext, error_context
from catalogue.reports.phrasing import Explanation, explain_finding
from catalogue.reports.scoring import SEVERITY_ORDER, quality

SEVERITIES = {"Violation": N_("Violation"), "Warning": N_("Warning"), "Info": N_("Info")}
KINDS = {"collection": N_("collection"), "solution": N_("solution"), "release": N_("release"),
         "specification": N_("specification"), "catalogue record": N_("catalogue record"),
         "assessment": N_("assessment"), "other": N_("other resource")}
# the fixed words of a report page, by the key a template reads
HEADINGS = {
    "title": N_("Validation report"), "records": N_("Records"),
    "dump_problems": N_("Problems with the whole dump"), "accepted": N_("Accepted"),
    "rejected": N_("Rejected"), "property": N_("Property"), "problem": N_("Problem"),
    "fix": N_("How to fix it"), "value": N_("Value"), "focus": N_("Resource"),
    "score": N_("Quality score"), "parse_error": N_("The file could not be read"),
    "line": N_("Line"), "column": N_("Column"), "no_problems": N_("No problems found."),
    "severity": N_("Severity"), **SEVERITIES,
}


def headings(lang: str | None = "en") -> dict[str, str]:
    """The fixed words of a report page (titles, column heads, severities) in one language."""
    lang = normalise_lang(lang)
    return {k: translate(lang, message) for k, message in HEADINGS.items()}


def _named(table: dict[str, str], key: str, lang: str) -> str:
    """A severity or record kind in words; an unknown one as it is."""
    return translate(lang, table[key]) if key in table else key


@dataclass(frozen=True)
class ExplainedProblem:
    """One finding ready to show: the raw finding's fields plus the words for a person.

    ``focus`` is the node the rule failed on (the record itself or something it owns, e.g.
    a distribution); ``rules`` are the Joinup ADMS-AP rule numbers the shape reproduces.
    """

    severity: str
    severity_label: str
    focus: str
    path: str | None
    property_label: str
    problem: str
    fix: str
    value: str | None
    message: str
    shape: str | None
    rules: tuple[int, ...] = ()

    @property
    def explanation(self) -> Explanation:
        return Explanation(self.property_label, self.problem, self.fix)


@dataclass(frozen=True)
class ExplainedRecord:
    """A record (collection, solution with its releases and distributions...) and its problems,
    most severe first."""

    iri: str
    kind: str
    kind_label: str
    accepted: bool
    score: int
    problems: list[ExplainedProblem]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    @property
    def infos(self) -> int:
        return self.count("Info")


@dataclass(frozen=True)
class ExplainedError:
    """Why the dump could not be read, and where."""

    message: str
    line: int | None
    column: int | None
    kind: str
    context: ErrorContext | None


@dataclass(frozen=True)
class ExplainedReport:
    """Everything a report page shows, in one language.

    ``records`` are ordered rejected first, then accepted ones with problems, then clean
    ones (dump order within each group). ``labels`` are the page's fixed words
    (see :func:`headings`).
    """

    lang: str
    conforms: bool
    verdict: str
    score: int
    accepted: int
    rejected: int
    format: str | None
    triples: int
    records: list[ExplainedRecord]
    dump_problems: list[ExplainedProblem]
    error: ExplainedError | None
    labels: dict[str, str]


class _Explainer:
    """Explains the findings of one report once each (a shared node's finding recurs)."""

    def __init__(self, report: Report, lang: str, data: bytes | None) -> None:
        self.report, self.lang = report, lang
        self.counts = _value_counts(report, data, report.findings)
        self.cache: dict[Finding, ExplainedProblem] = {}

    def problem(self, f: Finding) -> ExplainedProblem:
        if f not in self.cache:
            e = explain_finding(f, self.lang, self.counts.get((f.focus, f.path)))
            self.cache[f] = ExplainedProblem(
                f.severity, _named(SEVERITIES, f.severity, self.lang), f.focus, f.path,
                e.property_label, e.problem, e.fix, f.value, f.message, f.shape, joinup_rules(f))
        return self.cache[f]

    def problems(self, findings: Iterable[Finding]) -> list[ExplainedProblem]:
        out = [self.problem(f) for f in findings]
        return sorted(out, key=lambda p: SEVERITY_ORDER.get(p.severity, 0))


def explain(report: Report, lang: str | None = "en", data: bytes | None = None) -> ExplainedReport:
    """The report as a page shows it. ``data`` (the uploaded bytes) adds the lines around a
    parse error and the number of values behind a "too many values" problem."""
    lang = normalise_lang(lang)
    ex = _Explainer(report, lang, data)
    q = quality(report)
    records = [
        ExplainedRecord(r.iri, r.kind, _named(KINDS, r.kind, lang), r.accepted,
                        q.records[r.iri], ex.problems(r.findings))
        for r in report.records
    ]
    records.sort(key=lambda r: (r.accepted, not r.problems))
    error = None
    if report.error is not None:
        e = report.error
        context = error_context(data, e.line, e.column) if data is not None else None
        error = ExplainedError(e.message, e.line, e.column, e.kind, context)
    return ExplainedReport(
        lang, report.conforms, _verdict(report, lang), q.score, report.accepted, report.rejected,
        report.format, report.triples, records, ex.problems(report.dump_findings), error,
        headings(lang),
    )


def _verdict(report: Report, lang: str) -> str:
    if report.error is not None:
        return t("The dump could not be read: {message}", lang, message=str(report.error))
    if report.conforms:
        return t("The dump conforms: {accepted} record(s) valid.", lang,
                 accepted=report.accepted, rejected=report.rejected)
    return t("The dump does not conform: {accepted} record(s) valid, {rejected} invalid.", lang,
             accepted=report.accepted, rejected=report.rejected)


def explained_json(report: Report, lang: str | None = "en", data: bytes | None = None) -> dict:
    """``report.as_json()`` unchanged plus the explanations.

    Added: ``explanation`` {property_label, problem, fix} in each result, ``quality``
    {score, records: {iri: score}}, ``lang``, and ``context`` (the lines around a parse
    error, see :class:`ErrorContext`; null unless the dump was unreadable and ``data`` given).
    """
    lang = normalise_lang(lang)
    out = report.as_json()
    ex = _Explainer(report, lang, data)
    for item, finding in zip(out["results"], report.findings, strict=True):
        item["explanation"] = ex.problem(finding).explanation.as_json()
    out["quality"] = quality(report).as_json()
    out["lang"] = lang
    context = None
    if report.error is not None and data is not None:
        context = error_context(data, report.error.line, report.error.column)
    out["context"] = context.as_json() if context else None
    return out


# --- value counts (for "has 3 values, at most 1 allowed") ------------------------------------


def _value_counts(report: Report, data: bytes | None, findings: Iterable[Finding]) -> Counter:
    """Values per (focus, path) in the dump, for the sh:maxCount findings only."""
    wanted = {(f.focus, f.path) for f in findings
              if f.value is None and f.path and not f.path.startswith(("<", "^"))
              and constraint_of(f).kind == "max"}
    counts: Counter = Counter()
    if not wanted or data is None:
        return counts
    names = {label: name for name, label in LABELS.items()}
    try:
        parsed = parse_dump(data, format=names.get(report.format or ""))
    except InputError:
        return counts
    for tr in parsed.triples:
        if isinstance(tr.subject, ox.Triple):
            continue  # a quoted triple is no focus node
        s = tr.subject.value if isinstance(tr.subject, ox.NamedNode) else f"_:{tr.subject.value}"
        if (s, tr.predicate.value) in wanted:
            counts[(s, tr.predicate.value)] += 1
    return counts
