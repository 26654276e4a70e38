"""Comments on solutions, releases and content items (catalogue/community/comments.py does
the work): threads, one's own edits and deletions, moderation, abuse reports.

Routes:

* ``GET /comments?target=IRI``: a resource's comments with every form (works without
  JavaScript); ``GET /comments/fragment?target=IRI``: the same thread alone, which
  ``static/comments.js`` puts into a page;
* ``POST /comments`` (a comment or a reply), ``/comments/<id>/edit``, ``/comments/<id>/delete``
  (its author), ``/comments/<id>/report`` (any other account), ``/comments/<id>/hide``,
  ``/comments/<id>/approve`` (moderators, a collection's facilitators);
* ``GET /moderation/comments``: pending and reported comments (moderators, facilitators).

Every write needs a signed-in account (anonymous callers go to sign in), the form's CSRF
token and the right to it (403 otherwise). Comments, edits and reports are counted per
account and per network address (:mod:`webapp.throttle`; ``CATALOGUE_COMMENTS_PER_HOUR``,
``CATALOGUE_COMMENTS_PER_ADDRESS_PER_HOUR``): beyond, 429 with ``Retry-After``. A refused form
comes back on the comments page with what was typed and why, with the status of the error's
kind.

Pages include ``community/_comments.html`` with ``target``; its template global
:func:`comments_section` renders the thread in the page for a signed-in reader (whose page
no cache keeps) and, for everyone else, a link to the comments and a script that fetches the
fragment: anonymous pages are cached per data version, which comments never move, so a new
comment shows at once without flushing any cache.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from catalogue.community import COMMENT_MAX_DEPTH as MAX_DEPTH
from catalogue.community import COMMENT_MAX_LENGTH as MAX_LENGTH
from catalogue.community import COMMENT_MAX_REASON as MAX_REASON
from catalogue.community import CommentError, User

from ..auth import current_user, has_session_user, login_required, require
from ..context import root
from ..errors import Reworded, status_of
from ..i18n import day, label_languages
from ..rich_text import rich_text
from ..throttle import Throttle, address_key

bp = Blueprint("comments", __name__)
NOT_FOUND = ("no-target", "no-comment", "no-parent")  # nothing to show a form on


class _Floods:
    """Comments, edits and reports per account and per address, in fixed memory."""

    def __init__(self, per_account: int, per_address: int) -> None:
        self.accounts = Throttle(per_account, 3600.0, cells=8192)
        self.addresses = Throttle(per_address, 3600.0, cells=8192)


@bp.record_once
def _setup(state) -> None:
    settings = state.app.config["CATALOGUE_SETTINGS"]
    state.app.extensions["comment_floods"] = _Floods(settings.comments_per_hour,
                                                     settings.comments_per_address_per_hour)


def problem_text(exc: CommentError) -> str:
    """A comment error in the reader's language."""
    n = exc.limit or 0
    texts = {
        "empty": _("Write something: the comment is empty."),
        "too-long": _("The comment is too long: write at most %(n)d characters.", n=n),
        "too-many-links": _("Until moderators have approved a few of your comments, a comment may hold at "
                            "most %(n)d link(s).", n=n),
        "too-deep": _("Replies nest at most %(n)d deep: answer a comment higher up.", n=n),
        "no-target": _("Comments can be written only on published solutions, releases and content."),
        "no-comment": _("There is no such comment."),
        "no-parent": _("The comment you answer is not a visible comment on this page."),
        "not-yours": _("Only its author may change a comment."),
        "not-editable": _("A hidden or deleted comment cannot be edited."),
        "deleted": _("This comment is deleted already."),
        "not-moderator": _("Only moderators and the collection's facilitators moderate comments."),
        "no-reason": _("Give a reason."),
        "long-reason": _("The reason is too long: write at most %(n)d characters.", n=n),
        "not-hideable": _("Only a visible or pending comment can be hidden."),
        "not-approvable": _("There is nothing to approve: the comment is visible and nobody reported it."),
        "own": _("You cannot report your own comment."),
        "reported": _("You reported this comment already."),
    }
    return texts.get(exc.problem, str(exc))


def _user() -> User:
    user = current_user()
    assert user is not None  # login_required ran first
    return user


def _when(value: str | None) -> str:
    """An ISO time as the reader writes the day."""
    try:
        return day(datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


def target_url(target: str) -> str:
    """Where the commented resource's page is."""
    return url_for("ld.resource", uri=target)


def _context(target: str, *, error: str | None = None, values: dict | None = None, page: bool = False) -> dict:
    """What the thread's template needs, for the signed-in reader (or nobody)."""
    comments = root().comments
    user = current_user() if has_session_user() else None
    shown = comments.thread(target, user)
    return {"target": target, "shown": shown, "user": user, "rich_text": rich_text, "when": _when,
            "trusted": comments.trusted(user) if user is not None else True,
            "count": sum(_count(s) for s in shown), "error": error, "values": values or {},
            "back": "page" if page else "", "max_length": MAX_LENGTH, "max_reason": MAX_REASON,
            "max_depth": MAX_DEPTH, "target_url": target_url(target),
            "login": url_for("auth.login", next=target_url(target) + "#comments")}


def _count(s) -> int:
    return int(s.full and s.comment.state == "visible") + sum(_count(r) for r in s.replies)


def _page(target: str, exc: CommentError | None = None, values: dict | None = None, *,
          status: int | None = None, message: str | None = None, headers: dict | None = None):
    """The comments page of ``target``; with ``exc`` (or ``message``), the refused form
    comes back with what was typed and why.

    :raise Reworded: nothing to show the form on (no such target or comment).
    """
    if exc is not None and exc.problem in NOT_FOUND:
        raise Reworded(problem_text(exc), exc)
    try:
        title = root().reader.names([target], label_languages()).get(target, target)
    except ValueError:  # not an IRI: the error says so
        title = target
    error = problem_text(exc) if exc is not None else message
    body = render_template("community/comments.html", title=title,
                           **_context(target, error=error, values=values, page=True))
    code = status or (status_of(exc) if exc is not None else 200)
    return body, code, headers or {}


def _back(target: str, ident: str | None = None) -> Response:
    """After a write: the page the form was on, at the comment."""
    anchor = f"#comment-{ident}" if ident else "#comments"
    back = request.form.get("back", "")
    if back == "queue":
        return redirect(url_for("comments.queue"), code=303)
    if back == "page":
        return redirect(url_for("comments.page", target=target) + anchor, code=303)
    return redirect(target_url(target) + anchor, code=303)


def _flooded(user: User, target: str, values: dict):
    """The 429 answer if the account or its address sent too many writes this hour, else
    None (and this one is counted)."""
    floods: _Floods = current_app.extensions["comment_floods"]
    address = address_key(request.remote_addr)
    wait = max(floods.accounts.wait(user.iri), floods.addresses.wait(address))
    if wait:
        minutes = (wait + 59) // 60
        return _page(target, values=values, status=429, headers={"Retry-After": str(wait)}, message=_(
            "You are sending comments too fast: try again in %(minutes)d minute(s).", minutes=minutes))
    floods.accounts.failed(user.iri)
    floods.addresses.failed(address)
    return None


def _comment_target(ident: str) -> str:
    """The target of comment ``ident`` (its page is where a refused form comes back).

    :raise Reworded: no such comment (404).
    """
    try:
        return root().comments.get(ident).target
    except CommentError as exc:
        raise Reworded(problem_text(exc), exc) from exc


# reading

@bp.route("/comments")
def page():
    """A resource's comments and the forms to write, without JavaScript.

    :raise 404: ``target`` may not be commented (nothing published there).
    """
    target = request.args.get("target", "").strip()
    try:
        root().comments.check_target(target)
    except CommentError as exc:
        if not root().comments.on(target):  # a withdrawn record keeps its comments' page
            return _page(target, exc)
    return _page(target)


@bp.route("/comments/fragment")
def fragment():
    """The thread of ``target`` alone (no page around it), for ``static/comments.js``;
    never kept by the shared cache (comments do not move the data version)."""
    target = request.args.get("target", "").strip()
    html = render_template("community/_thread.html", **_context(target))
    return Response(html, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


@bp.app_template_global("comments_section")
def comments_section(target: str) -> Markup:
    """The comments of a page (``community/_comments.html``): the thread itself for a
    signed-in reader, whose page no cache keeps; for anyone else a link to them and the
    script that fetches them, so the page a cache keeps holds no comment."""
    if has_session_user():
        return Markup(render_template("community/_thread.html", **_context(target)))  # noqa: S704 - a template
    return Markup(render_template("community/_comments_link.html", target=target,  # noqa: S704 - a template
                                  login=url_for("auth.login", next=target_url(target) + "#comments")))


# writing

@bp.route("/comments", methods=["POST"])
@login_required
def post():
    """A comment on ``target``, or a reply to ``parent``; back to the page, at it.

    :raise 404: nothing to comment there, or no visible parent. :raise 400/413/422: empty,
        too long, too many links. :raise 409: too deep. :raise 429: too many this hour.
    """
    user = _user()
    target, parent = request.form.get("target", "").strip(), request.form.get("parent", "").strip()
    text = request.form.get("text", "")
    values = {"form": f"reply-{parent}" if parent else "new", "text": text}
    flooded = _flooded(user, target, values)
    if flooded is not None:
        return flooded
    try:
        comment = root().comments.post(target, text, user, parent=parent or None)
    except CommentError as exc:
        return _page(target, exc, values)
    return _back(comment.target, comment.ident)


@bp.route("/comments/<ident>/edit", methods=["POST"])
@login_required
def edit(ident: str):
    """Its author changes a comment.

    :raise 404: no such comment. :raise 403: not theirs. :raise 409: hidden or deleted.
    :raise 429: too many this hour.
    """
    user = _user()
    target, text = _comment_target(ident), request.form.get("text", "")
    values = {"form": f"edit-{ident}", "text": text}
    flooded = _flooded(user, target, values)
    if flooded is not None:
        return flooded
    try:
        root().comments.edit(ident, text, user)
    except CommentError as exc:
        return _page(target, exc, values)
    return _back(target, ident)


@bp.route("/comments/<ident>/delete", methods=["POST"])
@login_required
def delete(ident: str):
    """Its author deletes a comment (a tombstone keeps the thread's shape).

    :raise 404: no such comment. :raise 403: not theirs. :raise 409: deleted already.
    """
    target = _comment_target(ident)
    try:
        root().comments.delete(ident, _user())
    except CommentError as exc:
        return _page(target, exc)
    return _back(target, ident)


@bp.route("/comments/<ident>/report", methods=["POST"])
@login_required
def report(ident: str):
    """Another account reports a visible comment as abuse, once, with a reason.

    :raise 404: no such visible comment. :raise 403: one's own. :raise 409: reported
        already. :raise 400: no reason. :raise 429: too many this hour.
    """
    user = _user()
    target, reason = _comment_target(ident), request.form.get("reason", "")
    values = {"form": f"report-{ident}", "text": reason}
    flooded = _flooded(user, target, values)
    if flooded is not None:
        return flooded
    try:
        root().comments.report(ident, reason, user)
    except CommentError as exc:
        return _page(target, exc, values)
    return _back(target, ident)


@bp.route("/comments/<ident>/hide", methods=["POST"])
@login_required
def hide(ident: str):
    """A moderator hides a comment with a reason its author reads.

    :raise 404: no such comment. :raise 403: not a moderator of it. :raise 400: no reason.
    :raise 409: hidden or deleted already.
    """
    target, reason = _comment_target(ident), request.form.get("reason", "")
    try:
        root().comments.hide(ident, reason, _user())
    except CommentError as exc:
        return _page(target, exc, {"form": f"hide-{ident}", "text": reason})
    return _back(target, ident)


@bp.route("/comments/<ident>/approve", methods=["POST"])
@login_required
def approve(ident: str):
    """A moderator publishes a pending comment, shows a hidden one again, or keeps a
    reported one.

    :raise 404: no such comment. :raise 403: not a moderator of it. :raise 409: nothing to approve.
    """
    target = _comment_target(ident)
    try:
        root().comments.approve(ident, _user())
    except CommentError as exc:
        return _page(target, exc)
    return _back(target, ident)


# the moderators' queue

@bp.route("/moderation/comments")
@login_required
def queue():
    """Pending comments and reported ones that the reader moderates, oldest first.

    :raise 403: neither a moderator nor a facilitator.
    """
    user = _user()
    require(user.moderates_any)  # facilitators are also cat:facilitatorOf on their account
    items = root().comments.queue(user)
    titles = root().reader.names(sorted({q.comment.target for q in items}), label_languages())
    return render_template("community/comments_queue.html", items=items, titles=titles, rich_text=rich_text,
                           when=_when, target_url=target_url, max_reason=MAX_REASON)
