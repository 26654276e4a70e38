"""The publishers' REST API: upload a dump, read runs and reports, roll back.

Bearer tokens only (``catalogue token create SLUG``), so no cookie can be replayed here
and the routes are exempt from CSRF. Answers are JSON; errors too, in the one shape
``webapp/errors.py`` gives every error (``{"error": {"status": ..., "message": ...}}``).
Described by the OpenAPI document at ``/api/openapi.json``.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from catalogue.ingest import MODES, Report
from catalogue.reports import explained_json

from . import reports
from .auth import csrf
from .context import root
from .errors import status_of
from .i18n import reader_language
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


def _catalogue():
    return root()


class ApiError(HTTPException):
    """A request the API refuses before any domain work (no token, a malformed flag), with
    the headers it needs (``WWW-Authenticate``); answered by ``webapp/errors.py``."""

    def __init__(self, code: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.headers = headers or {}

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        return list(self.headers.items())


def _authorise(slug: str) -> None:
    """401 without a valid token, 403 for a token of another source."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="catalogue"'}
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "an API token is required: send 'Authorization: Bearer TOKEN' "
                            "(a source's admin creates one with 'catalogue token create SLUG')",
                       challenge)
    source = _catalogue().accounts.token_source(secret.strip())
    if source is None:
        raise ApiError(401, "the token is not valid (unknown or revoked)",
                       {"WWW-Authenticate": 'Bearer realm="catalogue", error="invalid_token"'})
    if source != slug:
        raise ApiError(403, f"this token publishes source {source!r}, not {slug!r}")


def _flag(name: str) -> bool:
    value = request.args.get(name, "").lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ApiError(400, f"{name} must be true or false, got {value!r}")
    return value in ("1", "true", "yes")


def _body(limit: int) -> bytes:
    """The request body, refused with 413 beyond the limit (before reading it, if declared)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise ApiError(413, f"the dump is {declared:,} bytes; the limit is {limit:,}")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"the dump is over the limit of {limit:,} bytes")
    if not data:
        raise ApiError(400, "the request has no body: send the dump itself as the body")
    return data


def _report_response(report: Report, status: int, data: bytes | None = None, **headers):
    body = reports.report_json(report, data)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.route("/sources/<slug>/dumps", methods=["POST"])
def upload(slug: str):
    _authorise(slug)
    catalogue = _catalogue()
    mode = request.args.get("mode", "strict")
    if mode not in MODES:
        raise ApiError(400, f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    dry_run = _flag("dry_run")
    media = request.mimetype or None
    if media in ("application/octet-stream", "application/x-www-form-urlencoded"):
        media = None  # not a format: the content decides (or the format parameter)
    fmt = request.args.get("format") or media
    data = _body(catalogue.settings.max_upload_bytes)
    if dry_run:
        report = catalogue.publishing.validate(data, format=fmt)
        report.source, report.mode = slug, mode
        if report.error is not None:
            return _report_response(report, status_of(report.error), data)
        storable = report.accepted > 0 and (mode == "partial" or not report.rejected)
        return _report_response(report, 200 if storable else 422, data)
    origin = "API upload"  # public: nothing about the client (its User-Agent may name a person)
    if _flag("async") or len(data) > catalogue.settings.async_upload_bytes:
        return _in_background(slug, data, fmt, mode, origin)
    report = catalogue.publishing.ingest(slug, data, format=fmt, mode=mode, origin=origin)
    if report.error is not None:
        return _report_response(report, status_of(report.error), data)
    if not report.stored:
        return _report_response(report, 422, data)
    run_id = report.activity.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    location = url_for("api.run", slug=slug, run_id=run_id)
    return _report_response(report, 201, data, Location=location)


def _in_background(slug: str, data: bytes, fmt: str | None, mode: str, origin: str):
    """202 now, with a Location to poll; the same ingest runs in a worker thread.

    :raise JobLimitError: the source has as many jobs as it may (429, ``Retry-After``).
    """
    catalogue = _catalogue()
    lang = reader_language()
    job_id = catalogue.publishing.jobs.create(slug)

    def work() -> tuple[str, dict, str | None]:
        report = catalogue.publishing.ingest(slug, data, format=fmt, mode=mode, origin=origin)
        body = explained_json(report, lang, data if report.error is not None else None)
        if report.stored:
            return "stored", body, report.activity.rsplit("/", 1)[-1]  # type: ignore[union-attr]
        return "rejected", body, None

    catalogue.publishing.jobs.submit(job_id, work)
    location = url_for("api.job", slug=slug, job_id=job_id)
    response = jsonify({"status": "queued", "job": job_id, "url": location})
    response.status_code = 202
    response.headers.update({"Location": location, "Retry-After": "2"})
    return response


@bp.route("/sources/<slug>/jobs/<job_id>")
def job(slug: str, job_id: str):
    """A background upload: ``status`` queued | running | stored | rejected | failed; once
    ended, its report (and, stored, the run's URL)."""
    _authorise(slug)
    found = _catalogue().publishing.jobs.get(job_id, slug)
    if found is None:
        raise ApiError(404, f"source {slug!r} has no upload job {job_id!r}")
    body: dict = {"status": found.status, "job": found.id, "created": found.created,
                  "ended": found.ended, "report": found.report}
    if found.run:
        body["run"] = url_for("api.run", slug=slug, run_id=found.run, _external=True)
    response = jsonify(body)
    if found.status in ("queued", "running"):
        response.headers["Retry-After"] = "2"
    return response


@bp.route("/sources/<slug>/runs")
def runs(slug: str):
    _authorise(slug)
    catalogue = _catalogue()
    kept = set(catalogue.publishing.versions(slug))
    state = catalogue.publishing.source(slug)
    return jsonify({
        "source": slug,
        "current": state.version if state else None,
        "runs": [{**r, "url": url_for("api.run", slug=slug, run_id=r["id"], _external=True),
                  "can_roll_back_to": r["id"] in kept} for r in catalogue.publishing.runs(slug)],
    })


def _run_detail(slug: str, run_id: str):
    """The run, for a caller with this source's token.

    :raise HistoryError, SlugError: no such run (404).
    """
    _authorise(slug)
    return _catalogue().publishing.run_detail(slug, run_id)


@bp.route("/sources/<slug>/runs/<run_id>")
def run(slug: str, run_id: str):
    return jsonify(reports.run_json(_run_detail(slug, run_id)))


@bp.route("/sources/<slug>/runs/<run_id>/report.ttl")
def run_turtle(slug: str, run_id: str):
    return reports.turtle_response(_run_detail(slug, run_id).report, f"{slug}-{run_id}-report.ttl")


@bp.route("/sources/<slug>/rollback", methods=["POST"])
def rollback(slug: str):
    _authorise(slug)
    body = request.get_json(silent=True) or {}
    version = body.get("version") or request.args.get("version")
    if not isinstance(version, str) or not version:
        raise ApiError(400, 'name the version to roll back to: {"version": "..."}')
    # no such version: HistoryError or SlugError, 404; already current: HistoryError, 409
    report = _catalogue().publishing.rollback(slug, version, by="API")
    run_id = report.activity.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    return _report_response(report, 201, None, Location=url_for("api.run", slug=slug, run_id=run_id))


@bp.route("/openapi.json")
def openapi():
    return jsonify(document(request.host_url.rstrip("/")))
