"""A validation report a publisher can act on: plain words, in their language, with a fix.

The SHACL findings in a :class:`~catalogue.ingest.report.Report` name IRIs and shapes; this
package turns each into *which property* (its label in the reader's language), *what is
wrong* (derived from the shape's constraint) and *how to fix it*, scores every record, shows
the lines around a parse error, and exports a standard SHACL report in Turtle and an
extended JSON report. A module per concern:

- ``i18n``: the reader's language and the ``reports`` Babel catalogue (no Flask): English
  sentences are the message ids in the code, French and German are in
  ``translations/<lang>/LC_MESSAGES/reports.po`` (README, "Languages");
- ``constraints``: which constraint of its shape a finding broke (the shape-constraint reader);
- ``labels``: names of properties and classes (``property_labels.json``, shapes, vocabularies);
- ``phrasing``: a finding in words (problem and fix);
- ``scoring``: record and report quality scores;
- ``parse_errors``: the lines around a parse error;
- ``explained``: the explained report a page shows, its fixed words, the JSON export;
- ``shacl_export``: the standard SHACL report in Turtle.
"""

from __future__ import annotations

from catalogue.reports.constraints import Constraint, constraint_of
from catalogue.reports.explained import (
    ExplainedError,
    ExplainedProblem,
    ExplainedRecord,
    ExplainedReport,
    explain,
    explained_json,
    headings,
)
from catalogue.reports.i18n import normalise_lang
from catalogue.reports.labels import property_label
from catalogue.reports.parse_errors import ContextLine, ErrorContext, error_context
from catalogue.reports.phrasing import Explanation, explain_finding
from catalogue.reports.scoring import Quality, finding_penalty, quality, record_score
from catalogue.reports.shacl_export import shacl_report_turtle

__all__ = [
    "Constraint",
    "ContextLine",
    "ErrorContext",
    "ExplainedError",
    "ExplainedProblem",
    "ExplainedRecord",
    "ExplainedReport",
    "Explanation",
    "Quality",
    "constraint_of",
    "error_context",
    "explain",
    "explain_finding",
    "explained_json",
    "finding_penalty",
    "headings",
    "normalise_lang",
    "property_label",
    "quality",
    "record_score",
    "shacl_report_turtle",
]
