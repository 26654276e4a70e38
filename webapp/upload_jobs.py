"""Uploads by URL on the site, done in the background: a server that sends slowly (or not
at all) costs a job's worker, never a request thread.

The form's request creates the job (refused with 429 when the source already has
``CATALOGUE_UPLOAD_JOBS_PER_SOURCE`` in progress) and waits a few seconds: a quick upload is
answered as before (its run, or its report); a slow one is sent to the job's page, which
shows its progress (``job.js`` asks ``…/status`` and reloads the page when it ends) and then
its report, or sends a stored one on to its run. Any web process sharing the store can show
the page: the job and its report are in the store (see ``catalogue/ingest/jobs.py``).
"""

from __future__ import annotations

from concurrent.futures import wait
from dataclasses import replace
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from catalogue.graphs import SLUG
from catalogue.ingest import (
    InputError,
    Job,
    JobLimitError,
    Outcome,
    Report,
    check_url,
    error_context_of,
    fetch,
    public_url,
    report_json,
    report_of,
)
from catalogue.reports import explain

from .auth import current_user, login_required, require
from .context import root
from .errors import reworded, status_of
from .i18n import reader_language

bp = Blueprint("upload_jobs", __name__)
FORM_WAIT = 5.0  # seconds the form's request waits for its job before sending to the job's page


def _catalogue():
    return root()


def upload_by_url(slug: str, url: str, *, mode: str, dry_run: bool, fmt: str | None, origin: str,
                  agent: str | None = None):
    """Fetch ``url`` and ingest it (or only check it) as a job of ``slug``; the answer the
    form's request gives (see the module's docstring).

    :raise InputError: the URL is malformed or carries credentials (refused at once, 400).
    :raise JobLimitError: the source has as many uploads in progress as it may (429).
    """
    check_url(url)
    catalogue = _catalogue()
    settings = catalogue.settings
    lang = reader_language()
    with reworded(_("This source already has %(n)d uploads in progress, the most it may have at once. "
                    "Wait until one of them ends, then upload again.", n=settings.upload_jobs_per_source),
                  JobLimitError, title=_("Too many uploads at once")):
        job_id = catalogue.publishing.jobs.create(slug, url=public_url(url), dry_run=dry_run)
    kept: dict = {}  # for this request, if it waits long enough: the report and the dump

    def download() -> Outcome | None:
        try:
            kept["got"] = fetch(url, max_bytes=settings.max_upload_bytes, timeout=settings.fetch_timeout,
                                allow_private=settings.allow_private_urls, deadline=settings.fetch_deadline)
        except InputError as exc:
            kept["report"] = Report(source=slug, mode=mode, error=exc)
            return "failed", report_json(kept["report"], lang), None
        return None

    def work() -> Outcome:
        got = kept["got"]
        name = urlsplit(got.url).path.rsplit("/", 1)[-1] or None
        if dry_run:
            report = catalogue.publishing.validate(got.data, format=fmt or got.media_type, filename=name)
            report.source, report.mode = slug, mode
        else:
            report = catalogue.publishing.ingest(slug, got.data, format=fmt or got.media_type, filename=name,
                                      mode=mode, origin=origin, agent=agent)
        kept["report"], kept["data"] = report, got.data
        body = report_json(report, lang, got.data if report.error is not None else None)
        if report.stored:
            return "stored", body, report.activity.rsplit("/", 1)[-1]  # type: ignore[union-attr]
        return ("checked" if dry_run else "rejected"), body, None

    future = catalogue.publishing.jobs.submit(job_id, work, fetch=download)
    wait([future], timeout=FORM_WAIT)
    job = catalogue.publishing.jobs.get(job_id, slug) if future.done() else None
    if job is None or job.unfinished:
        return redirect(url_for("upload_jobs.job", slug=slug, job_id=job_id), code=303)
    report = kept.get("report")
    if job.status == "stored" or report is None:
        return _ended(slug, job)
    # answered as an upload of a file is: the report, with the same status
    status = status_of(report.error) if report.error is not None else \
        (200 if dry_run and report.conforms else 422)
    return render_template("report.html", slug=slug, report=report, dry_run=dry_run,
                           explained=explain(report, reader_language(), kept.get("data"))), status


def _ended(slug: str, job: Job):
    """A stored job goes on to its run; any other shows its report (kept in the job)."""
    if job.status == "stored" and job.run:
        accepted = ((job.report or {}).get("records") or {}).get("accepted", 0)
        flash(_("Stored: %(accepted)d record(s) published.", accepted=accepted))
        return redirect(url_for("publish.run", slug=slug, run_id=job.run), code=303)
    body = job.report or {}
    report = report_of(body)
    explained = explain(report, reader_language())
    context = error_context_of(body)
    if explained.error is not None and context is not None:
        explained = replace(explained, error=replace(explained.error, context=context))
    return render_template("report.html", slug=slug, report=report, dry_run=job.dry_run,
                           explained=explained)


def _job_or_404(slug: str, job_id: str) -> Job:
    """The job, for its source's publishers and moderators (403 otherwise); 404 if none."""
    if not SLUG.match(slug):  # no source has that name
        abort(404, _("Source %(slug)s has no upload %(job)s.", slug=slug, job=job_id))
    user = current_user()
    require(user is not None and (user.can_publish(slug) or user.is_moderator))
    job = _catalogue().publishing.jobs.get(job_id, slug)
    if job is None:
        abort(404, _("Source %(slug)s has no upload %(job)s.", slug=slug, job=job_id))
    return job


@bp.route("/sources/<slug>/jobs/<job_id>")
@login_required
def job(slug: str, job_id: str):
    """An upload by URL: its progress while it runs, then its report (or its run)."""
    found = _job_or_404(slug, job_id)
    if not found.unfinished:
        return _ended(slug, found)
    return render_template("job.html", slug=slug, job=found), 200, {"Retry-After": "2"}


@bp.route("/sources/<slug>/jobs/<job_id>/status")
@login_required
def status(slug: str, job_id: str):
    """What the job's page asks while it waits: is the job still under way?"""
    found = _job_or_404(slug, job_id)
    response = jsonify({"status": found.status, "unfinished": found.unfinished})
    response.headers["Cache-Control"] = "no-store"
    return response
