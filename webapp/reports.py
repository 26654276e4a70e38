"""Reports for people and programs: the explained JSON, the SHACL Turtle, a run's diff."""

from __future__ import annotations

from flask import Response

from catalogue.ingest import InputError, Report
from catalogue.ingest.history import RunDetail

from .i18n import reader_language


def input_status(error: InputError) -> int:
    """The HTTP status of a dump refused before validation, the same on the site's form and
    in the API: 413 too large (a file, or a gzip stream once inflated), 415 a format we do
    not read, 400 anything else unreadable."""
    kind = getattr(error, "kind", None)
    if kind == "too-large":
        return 413
    if kind == "format":
        return 415
    return 400


def report_json(report: Report, data: bytes | None = None) -> dict:
    """The public ``--json`` report, each result explained in the reader's language."""
    from catalogue.reports import explained_json

    return explained_json(report, reader_language(), data)


def run_json(detail: RunDetail) -> dict:
    return {
        "source": detail.slug,
        "run": detail.run,
        "records": {"accepted": detail.accepted, "rejected": detail.rejected},
        "report": report_json(detail.report),
        "changes": [{"record": c.record, "node": c.subject, "property": c.property,
                     "old": list(c.old), "new": list(c.new)} for c in detail.changes],
        "changes_truncated": detail.changes_truncated,
    }


def turtle_response(report: Report, filename: str) -> Response:
    from catalogue.reports import shacl_report_turtle

    return Response(shacl_report_turtle(report), mimetype="text/turtle",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
