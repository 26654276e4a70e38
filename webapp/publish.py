"""Publishers' pages: the sources, a source's history, uploads with their reports, roll back,
API tokens. Reading a source's public history needs nobody; everything else needs its
publisher (or an admin; moderators may read reports).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.community import ROLES, AccountError, collections, is_collection
from catalogue.graphs import SlugError
from catalogue.ingest import MODES, HistoryError, InputError, Report, public_url

from . import reports
from .auth import current_user, login_required, require
from .context import root
from .errors import reworded, status_of
from .i18n import label_languages, reader_language
from .linked_data import href
from .upload_jobs import upload_by_url

bp = Blueprint("publish", __name__)


def _catalogue():
    return root()


def _source_or_404(slug: str):
    state = _catalogue().publishing.source(slug)  # a malformed name is not there either
    if state is None:
        abort(404, _("There is no source %(slug)s.", slug=slug))
    return state


def _may_publish(slug: str) -> bool:
    user = current_user()
    return user is not None and user.can_publish(slug)


def _may_read_reports(slug: str) -> bool:
    user = current_user()
    return user is not None and (user.can_publish(slug) or user.is_moderator)


@bp.route("/sources")
def sources():
    catalogue = _catalogue()
    stats = catalogue.feeds.stats()["sources"]
    return render_template("sources.html", sources=sorted(catalogue.publishing.sources().items()),
                           stats=stats)


@bp.route("/sources", methods=["POST"])
@login_required
def register_source():
    """Admins register a source (or rename one) without stopping the server."""
    user = current_user()
    require(user is not None and user.is_admin)
    slug = request.form.get("slug", "").strip()
    try:
        _catalogue().publishing.register_source(slug, request.form.get("name", ""))
    except SlugError as exc:
        flash(str(exc))
        return redirect(url_for("publish.sources"), code=303)
    flash(_("Source %(slug)s registered.", slug=slug))
    return redirect(url_for("publish.source", slug=slug), code=303)


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    """Admins create accounts and give roles, sources and collections (as the CLI does)."""
    user = current_user()
    require(user is not None and user.is_admin)
    accounts = _catalogue().accounts
    if request.method == "POST":
        form = request.form
        try:
            sources = tuple(s for s in form.getlist("publisher") if s)
            for slug in sources:
                if _catalogue().publishing.source(slug) is None:
                    raise AccountError(_("There is no source %(slug)s.", slug=slug))
            facilitated = _facilitated(form.getlist("facilitator"))
            roles = tuple(r for r in form.getlist("role") if r)
            if form.get("action") == "grant":
                if accounts.user(form.get("username", "")) is None:
                    raise AccountError(_("There is no account %(name)s.", name=form.get("username", "")))
                for slug in sources:
                    accounts.grant(form["username"], source=slug)
                for iri in facilitated:
                    accounts.grant(form["username"], collection=iri)
                for role in roles:
                    accounts.grant(form["username"], role=role)
            else:
                accounts.add_user(form.get("username", "").strip(), form.get("password", ""),
                                  name=form.get("name") or None, roles=roles, sources=sources,
                                  collections=facilitated)
            flash(_("Account %(name)s saved.", name=form.get("username", "")))
            return redirect(url_for("publish.users"), code=303)
        except (AccountError, SlugError) as exc:
            flash(str(exc))
    found = collections(_catalogue(), label_languages())
    return render_template("users.html", users=accounts.users(),
                           sources=sorted(_catalogue().publishing.sources()), roles=ROLES,
                           collections=found, collection_labels={c.iri: c.label for c in found}), \
        (400 if request.method == "POST" else 200)


def _facilitated(iris: list[str]) -> tuple[str, ...]:
    """The collections chosen on the form, each a published one.

    :raise AccountError: one is not.
    """
    chosen = tuple(dict.fromkeys(i.strip() for i in iris if i.strip()))
    for iri in chosen:
        if not is_collection(_catalogue(), iri):
            raise AccountError(_("There is no published collection %(iri)s.", iri=iri))
    return chosen


@bp.route("/sources/<slug>")
def source(slug: str):
    state = _source_or_404(slug)
    catalogue = _catalogue()
    manage = _may_publish(slug)
    return render_template(
        "source.html", slug=slug, state=state, runs=catalogue.publishing.runs(slug),
        kept=set(catalogue.publishing.versions(slug)), manage=manage,
        read_reports=_may_read_reports(slug),
        tokens=catalogue.accounts.tokens(slug) if manage else [],
        harvest=_harvest_state(slug), stats=catalogue.feeds.stats()["sources"].get(slug),
        contents=catalogue.reader.source_contents(slug, label_languages()),
        modes=MODES, new_token=None)


def _harvest_state(slug: str):
    try:
        from catalogue.harvesting import harvest_state
    except ImportError:  # harvesting not installed in this build
        return None
    catalogue = _catalogue()
    return harvest_state(catalogue.store, catalogue.graphs, slug)


@bp.route("/sources/<slug>/upload", methods=["POST"])
@login_required
def upload(slug: str):
    _source_or_404(slug)
    require(_may_publish(slug))
    catalogue = _catalogue()
    settings = catalogue.settings
    mode = request.form.get("mode", "strict")
    if mode not in MODES:
        abort(400, _("Unknown mode."))
    dry_run = request.form.get("dry_run") == "1"
    upload = request.files.get("dump")
    url = request.form.get("url", "").strip()
    data, filename, media = b"", None, None
    try:
        if upload is not None and upload.filename:
            data = upload.stream.read(settings.max_upload_bytes + 1)
            filename = upload.filename
            if len(data) > settings.max_upload_bytes:
                raise InputError(f"the file is over the limit of {settings.max_upload_bytes:,} bytes",
                                 kind="too-large")
        elif url:  # fetched in the background: a slow server must not hold this thread
            return upload_by_url(slug, url, mode=mode, dry_run=dry_run,
                                 fmt=request.form.get("format") or None,
                                 origin=f"web upload from {public_url(url)}",
                                 agent=current_user().iri)  # type: ignore[union-attr]
        else:
            flash(_("Choose a file or give a URL."))
            return redirect(url_for("publish.source", slug=slug), code=303)
    except InputError as exc:
        report = Report(source=slug, mode=mode, error=exc)
        return _report_page(slug, report, data, dry_run, status_of(exc))
    fmt = request.form.get("format") or media
    if dry_run:
        report = catalogue.publishing.validate(data, format=fmt, filename=filename)
        report.source, report.mode = slug, mode
    else:
        # the origin is public: no account name, the URL without credentials or query string
        report = catalogue.publishing.ingest(slug, data, format=fmt, filename=filename, mode=mode,
                                  origin="web upload" + (f" from {public_url(url)}" if url else ""),
                                  agent=current_user().iri)  # type: ignore[union-attr]  # private
    if report.stored:
        flash(_("Stored: %(accepted)d record(s) published.", accepted=report.accepted))
        return redirect(url_for("publish.run", slug=slug,
                                run_id=report.activity.rsplit("/", 1)[-1]), code=303)  # type: ignore[union-attr]
    status = status_of(report.error) if report.error is not None else \
        (200 if dry_run and report.conforms else 422)  # the API's codes for the same refusals
    return _report_page(slug, report, data, dry_run, status)


def _report_page(slug: str, report: Report, data: bytes, dry_run: bool, status: int):
    from catalogue.reports import explain

    return render_template("report.html", slug=slug, report=report, dry_run=dry_run,
                           explained=explain(report, reader_language(), data)), status


def _run_detail(slug: str, run_id: str):
    """A run, for its publishers and moderators (403 otherwise); 404 if there is none."""
    _source_or_404(slug)
    require(_may_read_reports(slug))
    with reworded(_("Source %(slug)s has no run %(run)s.", slug=slug, run=run_id),
                  HistoryError, SlugError):
        return _catalogue().publishing.run_detail(slug, run_id)


@bp.route("/sources/<slug>/runs/<run_id>")
@login_required
def run(slug: str, run_id: str):
    from catalogue.reports import explain, property_label

    detail = _run_detail(slug, run_id)
    runs = {r["id"]: r for r in _catalogue().publishing.runs(slug)}
    return render_template("run.html", slug=slug, detail=detail, info=runs.get(run_id, {}),
                           explained=explain(detail.report, reader_language()),
                           manage=_may_publish(slug), plabel=property_label, href=href)


@bp.route("/sources/<slug>/runs/<run_id>/report.json")
@login_required
def run_json(slug: str, run_id: str):
    response = current_app.json.response(reports.run_json(_run_detail(slug, run_id)))
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-{run_id}.json"'
    return response


@bp.route("/sources/<slug>/runs/<run_id>/report.ttl")
@login_required
def run_turtle(slug: str, run_id: str):
    return reports.turtle_response(_run_detail(slug, run_id).report, f"{slug}-{run_id}-report.ttl")


@bp.route("/sources/<slug>/rollback", methods=["POST"])
@login_required
def rollback(slug: str):
    _source_or_404(slug)
    require(_may_publish(slug))
    version = request.form.get("version", "")
    try:
        report = _catalogue().publishing.rollback(slug, version, by="roll back on the site",  # public: no account name
                                       agent=current_user().iri)  # type: ignore[union-attr]
    except (HistoryError, SlugError) as exc:
        flash(str(exc))
        return redirect(url_for("publish.source", slug=slug), code=303)
    flash(_("Rolled back to version %(version)s.", version=version))
    return redirect(url_for("publish.run", slug=slug,
                            run_id=report.activity.rsplit("/", 1)[-1]), code=303)  # type: ignore[union-attr]


@bp.route("/sources/<slug>/tokens", methods=["POST"])
@login_required
def create_token(slug: str):
    state = _source_or_404(slug)
    require(_may_publish(slug))
    catalogue = _catalogue()
    label = " ".join(request.form.get("label", "").split())[:100]
    token, secret = catalogue.accounts.create_token(slug, label)
    # shown once, in this response only (never stored, never in a redirect)
    return render_template(
        "source.html", slug=slug, state=state, runs=catalogue.publishing.runs(slug),
        kept=set(catalogue.publishing.versions(slug)), manage=True, read_reports=True,
        tokens=catalogue.accounts.tokens(slug), harvest=_harvest_state(slug),
        stats=catalogue.feeds.stats()["sources"].get(slug),
        contents=catalogue.reader.source_contents(slug, label_languages()),
        modes=MODES, new_token=(token, secret))


@bp.route("/sources/<slug>/tokens/revoke", methods=["POST"])
@login_required
def revoke_token(slug: str):
    _source_or_404(slug)
    require(_may_publish(slug))
    if _catalogue().accounts.revoke_token(request.form.get("token", ""), slug):
        flash(_("The token is revoked."))
    else:
        flash(_("No such active token."))
    return redirect(url_for("publish.source", slug=slug), code=303)
