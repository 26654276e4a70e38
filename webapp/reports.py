"""Reports for people and programs: the explained JSON, the SHACL Turtle, a run's diff."""

from __future__ import annotations

from flask import Response

from catalogue.ingest import Report, RunDetail

from .i18n import reader_language


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
