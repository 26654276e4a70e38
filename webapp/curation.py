"""The curation workflow on the site (catalogue/quality/curation.py does the work).

Moderators (and admins) ask a published solution's or release's publishers for changes,
hide a record from the public with a reason, and lift the hide; the record's publishers
see the requests (on their source's page and the record's) and close them, with a reply.
Every write needs a signed-in account (anonymous callers go to sign in) with the right to
it (403 otherwise) and the form's CSRF token; a refused form comes back on the record's
curation page saying why, with the status of the error's kind.

Routes:

* ``GET /curation/record?uri=IRI``: a record's curation, history and forms (its publishers,
  moderators);
* ``POST /curation/request-changes``, ``/curation/hide``, ``/curation/lift`` (moderators);
* ``POST /curation/requests/<id>/close`` (moderators, the request's publishers);
* ``GET /moderation/curation``: every open request and hidden record (moderators).

Template globals: ``curation_panel(iri)`` (the banner and forms on a record's page, for
whoever may see them; empty for everyone else) and ``curation_for_source(slug)`` (the open
requests and hidden records on a source's page, for its publishers and moderators).
:func:`gone_unless_allowed` is what the Linked Data views ask before answering a record.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from markupsafe import Markup

from catalogue.community import User
from catalogue.quality import MAX_MESSAGE, MAX_REASON, CurationError, RecordCuration

from .auth import current_user, has_session_user, login_required, require
from .context import root
from .errors import Reworded, status_of
from .i18n import day, label_languages
from .rich_text import rich_text

bp = Blueprint("curation", __name__)

KIND_LABELS = {
    "request": lazy_gettext("Changes requested"),
    "close": lazy_gettext("Change request closed"),
    "hide": lazy_gettext("Hidden from the public"),
    "lift": lazy_gettext("Shown again"),
}
NOT_FOUND = ("not-an-iri", "not-published", "no-request")  # nothing to show a form on


def problem_text(exc: CurationError) -> str:
    """A curation error in the reader's language."""
    n = exc.limit or 0
    texts = {
        "empty-message": _("Write a message to the publishers: it is required."),
        "long-message": _("The message is too long: write at most %(n)d characters.", n=n),
        "long-reply": _("The reply is too long: write at most %(n)d characters.", n=n),
        "empty-reason": _("Give a reason: the public reads it on the record's page."),
        "long-reason": _("The reason is too long: write at most %(n)d characters.", n=n),
        "not-an-iri": _("This is not a record's address: give its full IRI."),
        "not-published": _("No source publishes this record now."),
        "not-a-record": _("Only solutions and releases can be curated here."),
        "already-hidden": _("This record is hidden already."),
        "not-hidden": _("This record is not hidden."),
        "no-request": _("There is no such change request."),
        "closed": _("This change request is closed already."),
        "not-allowed": _("Your account may not do this."),
    }
    return texts.get(exc.problem, str(exc))


def _user() -> User:
    user = current_user()
    assert user is not None  # login_required ran first
    return user


def _moderator() -> User:
    """The signed-in moderator or admin (403 for anyone else)."""
    user = _user()
    require(user.is_moderator)
    return user


def _record_url(iri: str) -> str:
    return url_for("ld.resource", uri=iri)


def _titles(iris: list[str]) -> dict[str, str]:
    return root().reader.names(iris, label_languages())


def _state(iri: str) -> RecordCuration:
    return root().curation.record(iri)


def _record_page(iri: str, error: CurationError | None = None, values: dict | None = None):
    """A record's curation page; with ``error``, the form that was refused comes back with
    what was typed and why (the status of the error's kind).

    :raise Reworded: the record itself is not there (an unknown IRI, nothing published,
        no such request): the error page says so.
    """
    if error is not None and error.problem in NOT_FOUND:
        raise Reworded(problem_text(error), error)
    curation = root().curation
    state = _state(iri)
    require(curation.may_see(current_user(), iri))
    try:
        target = curation.target(iri)
    except CurationError:
        target = None  # hidden or requested, then withdrawn by its publisher: history only
    return render_template(
        "curation_record.html", iri=iri, state=state, target=target, title=_titles([iri]).get(iri, iri),
        error=problem_text(error) if error else None, values=values or {}, **_context()), \
        status_of(error) if error else 200


def _context() -> dict:
    return {"kinds": KIND_LABELS, "rich_text": rich_text, "max_message": MAX_MESSAGE,
            "max_reason": MAX_REASON, "record_url": _record_url}


@bp.route("/curation/record")
@login_required
def record():
    """A record's curation: hidden or not, its change requests, its history, the forms.

    :raise 404: no record with that IRI was ever published or curated.
    :raise 403: the account is neither a moderator nor a publisher of the record.
    """
    iri = request.args.get("uri", "").strip()
    try:
        root().curation.target(iri)
    except CurationError as exc:  # a record hidden, then withdrawn, still has its history
        if exc.problem == "not-an-iri" or not _state(iri).history:
            return _record_page(iri, exc)
    return _record_page(iri)


@bp.route("/curation/request-changes", methods=["POST"])
@login_required
def request_changes():
    """A moderator asks the record's publishers for changes; back to the record's page.

    :raise 403: not a moderator. :raise 400: no message, or too long (the form again).
    :raise 404: no published record at that IRI.
    """
    user = _moderator()
    iri, message = request.form.get("uri", "").strip(), request.form.get("message", "")
    try:
        root().curation.request_changes(iri, message, by=user)
    except CurationError as exc:
        return _record_page(iri, exc, {"message": message})
    return redirect(_record_url(iri), code=303)


@bp.route("/curation/hide", methods=["POST"])
@login_required
def hide():
    """A moderator hides a record with a public reason; back to the record's page, which
    the public now gets as 410.

    :raise 403: not a moderator. :raise 400: no reason, or too long.
    :raise 404: no published record at that IRI. :raise 409: hidden already.
    """
    user = _moderator()
    iri, reason = request.form.get("uri", "").strip(), request.form.get("reason", "")
    try:
        root().curation.hide(iri, reason, by=user)
    except CurationError as exc:
        return _record_page(iri, exc, {"reason": reason})
    return redirect(_record_url(iri), code=303)


@bp.route("/curation/lift", methods=["POST"])
@login_required
def lift():
    """A moderator shows a hidden record again.

    :raise 403: not a moderator. :raise 409: the record is not hidden.
    """
    user = _moderator()
    iri = request.form.get("uri", "").strip()
    try:
        root().curation.lift(iri, by=user)
    except CurationError as exc:
        return _record_page(iri, exc)
    return redirect(_record_url(iri), code=303)


@bp.route("/curation/requests/<ident>/close", methods=["POST"])
@login_required
def close(ident: str):
    """The record's publisher (or a moderator) closes a change request ("done"), with an
    optional reply; back to the page the form was on (the source's or the record's).

    :raise 404: no such request. :raise 403: neither a moderator nor its publisher.
    :raise 409: closed already. :raise 400: the reply is too long.
    """
    user = _user()
    curation = root().curation
    try:
        found = curation.request(ident)
    except CurationError as exc:
        return _record_page("", exc)
    require(curation.may_close(user, found))
    reply = request.form.get("reply", "")
    try:
        curation.close(ident, by=user, reply=reply)
    except CurationError as exc:
        return _record_page(found.record, exc, {"reply": reply, "request": ident})
    back = request.form.get("back", "")
    if back and back in found.sources:  # from that source's page
        return redirect(url_for("publish.source", slug=back) + "#curation", code=303)
    return redirect(_record_url(found.record), code=303)


@bp.route("/moderation/curation")
@login_required
def listing():
    """Every open change request and every hidden record, newest first (moderators).

    :raise 403: not a moderator.
    """
    _moderator()
    requests, hidings = root().curation.overview()
    titles = _titles([r.record for r in requests] + [h.record for h in hidings])
    return render_template("curation.html", requests=requests, hidings=hidings, titles=titles,
                           **_context())


# what other pages show


@bp.app_template_global("curation_panel")
def curation_panel(iri: str) -> Markup:
    """The curation banner and forms of a record's page, for its publishers and the
    moderators; empty for everyone else (so the page anonymous readers get, and caches
    keep, has none). No store read without a session."""
    if not has_session_user():
        return Markup("")
    user = current_user()
    curation = root().curation
    if user is None or not curation.may_see(user, iri):
        return Markup("")
    state = _state(iri)
    return Markup(render_template("_curation_panel.html", iri=iri, state=state,  # noqa: S704 - a template
                                  target=iri, title=None, values={}, error=None, **_context()))


@bp.app_template_global("curation_for_source")
def curation_for_source(slug: str) -> Markup:
    """The open change requests sent to a source and its records hidden now, on its page,
    for its publishers and the moderators; empty for everyone else."""
    if not has_session_user():
        return Markup("")
    user = current_user()
    if user is None or not (user.is_moderator or slug in user.sources):
        return Markup("")
    requests, hidings = root().curation.for_source(slug)
    titles = _titles([r.record for r in requests] + [h.record for h in hidings])
    return Markup(render_template("_curation_source.html", slug=slug, requests=requests,  # noqa: S704
                                  hidings=hidings, titles=titles, **_context()))


def gone_unless_allowed(iri: str) -> bool:
    """Whether the record ``iri`` is hidden and the reader may still see it (its
    publishers, moderators: the page is then rendered for them alone); False when it is
    not hidden.

    :raise 410: it is hidden and the reader may not see it: the page says who hid it (the
        catalogue's moderators), when, and their public reason.
    """
    curation = root().curation
    hiding = curation.hidden(iri)
    if hiding is None:
        return False
    if has_session_user() and curation.may_see(current_user(), iri):
        return True
    abort(410, _("%(iri)s was hidden by the catalogue's moderators on %(date)s. Their reason: %(reason)s",
                 iri=iri, date=day(hiding.when), reason=hiding.reason))
