"""A collection's community on the site: ``/community?collection=IRI`` (members, requests,
settings, history), joining, leaving, requests decided with a reason, roles, ownership,
invitations by mail (``/community/invitation/<secret>``), and the queue of requests to join
(``/moderation/requests``).

Every write is a POST with a CSRF token, answered 303 back to the community page with a
flashed message, or the page again with the error and its status. Mail (requests to a
collection's facilitators, decisions to the person, invitations) is composed here in the
reader's language and sent by ``Catalogue.mail``; a mail that cannot leave never undoes
the change (it is said on the page).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.community import ROLES_IN_COLLECTION, CommunitySettings, Composed, MembershipError
from catalogue.errors import CatalogueError
from catalogue.mail import AddressError, Mail, MailError

from ..auth import current_user, login_required
from ..context import root
from ..errors import reworded, status_of
from ..i18n import label_languages
from ..linked_data import href

bp = Blueprint("membership", __name__)

ACTION_NAMES = {
    "join": lambda: _("joined"), "request": lambda: _("asked to join"), "approve": lambda: _("approved"),
    "refuse": lambda: _("refused"), "leave": lambda: _("left"), "role": lambda: _("changed the role"),
    "remove": lambda: _("removed"), "transfer": lambda: _("received the ownership"),
    "settings": lambda: _("changed the settings"), "invite": lambda: _("sent an invitation"),
    "accept-invitation": lambda: _("accepted an invitation"),
}
ROLE_NAMES = {"owner": lambda: _("owner"), "facilitator": lambda: _("facilitator"),
              "author": lambda: _("author"), "member": lambda: _("member")}


def _title(collection: str) -> str:
    return root().reader.names([collection], label_languages()).get(collection, collection)


def _page(collection: str, error: str | None = None, status: int = 200):
    m = root().membership
    user = current_user()
    facilitates = m.may_facilitate(collection, user)
    context = {
        "collection": collection, "title": _title(collection), "collection_href": href(collection),
        "members": m.members(collection), "settings": m.settings(collection),
        "state": m.state_of(collection, user.username) if user else None,
        "role": m.role_of(collection, user.username) if user else None,
        "facilitates": facilitates, "pending": m.pending(collection) if facilitates else [],
        "history": m.history(collection) if facilitates else [], "role_names": ROLE_NAMES, "action_names": ACTION_NAMES,
        "roles": [r for r in ROLES_IN_COLLECTION if r != "owner"], "error": error,
    }
    return render_template("community/community.html", **context), status


def _collection() -> str:
    """The collection the request names, if it is a published one (else a 404 page)."""
    collection = request.values.get("collection", "")
    with reworded(_("There is no published collection %(iri)s.", iri=collection or "''"), MembershipError):
        root().membership.check_collection(collection)
    return collection


def _back(collection: str, message: str):
    flash(message)
    return redirect(url_for("membership.community", collection=collection), code=303)


def _send(mail: Mail) -> bool:
    """Send, reporting (not raising) a failure: the change it tells of is made."""
    try:
        root().mail.send(mail)
    except (MailError, AddressError):
        flash(_("The mail about it could not be sent just now."))
        return False
    return True


@bp.route("/community")
def community():
    return _page(_collection())


@bp.route("/community/join", methods=["POST"])
@login_required
def join():
    collection, user = _collection(), current_user()
    assert user is not None
    m = root().membership
    try:
        state = m.join(collection, user, request.form.get("note", ""))
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    if state == "active":
        return _back(collection, _("Welcome to %(title)s.", title=_title(collection)))
    link = url_for("membership.community", collection=collection, _external=True)
    for f in m.members(collection):
        account = root().accounts.user(f.username) if f.role in ("owner", "facilitator") else None
        if account is not None and account.email:
            _send(Mail(to=(account.email,), subject=_("%(name)s asks to join %(title)s", name=user.name,
                                                      title=_title(collection)),
                       text=render_template("mail/join_request.txt", name=user.name, title=_title(collection),
                                            note=request.form.get("note", "").strip(), link=link)))
    return _back(collection, _("Your request to join is sent to the collection's facilitators."))


@bp.route("/community/leave", methods=["POST"])
@login_required
def leave():
    collection, user = _collection(), current_user()
    assert user is not None
    try:
        root().membership.leave(collection, user)
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    return _back(collection, _("You left %(title)s.", title=_title(collection)))


@bp.route("/community/decide", methods=["POST"])
@login_required
def decide():
    collection, user = _collection(), current_user()
    assert user is not None
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "")
    try:
        asked = root().membership.decide(collection, request.form.get("username", ""), user, approve=approve,
                                         reason=reason)
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    account = root().accounts.user(asked.username)
    if account is not None and account.email:
        link = url_for("membership.community", collection=collection, _external=True)
        _send(Mail(to=(account.email,),
                   subject=(_("Welcome to %(title)s", title=_title(collection)) if approve
                            else _("Your request to join %(title)s", title=_title(collection))),
                   text=render_template("mail/join_decision.txt", approve=approve, title=_title(collection),
                                        reason=reason.strip(), link=link)))
    return _back(collection, _("%(name)s is now a member.", name=asked.name) if approve
                 else _("The request of %(name)s is refused; they are told why.", name=asked.name))


@bp.route("/community/role", methods=["POST"])
@login_required
def role():
    collection, user = _collection(), current_user()
    assert user is not None
    try:
        root().membership.set_role(collection, request.form.get("username", ""), request.form.get("role", ""), user)
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    return _back(collection, _("The role is changed."))


@bp.route("/community/remove", methods=["POST"])
@login_required
def remove():
    collection, user = _collection(), current_user()
    assert user is not None
    try:
        root().membership.remove(collection, request.form.get("username", ""), user, request.form.get("reason", ""))
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    return _back(collection, _("The member is removed."))


@bp.route("/community/transfer", methods=["POST"])
@login_required
def transfer():
    collection, user = _collection(), current_user()
    assert user is not None
    try:
        root().membership.transfer(collection, request.form.get("username", "").strip(), user)
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    return _back(collection, _("The ownership is transferred."))


@bp.route("/community/settings", methods=["POST"])
@login_required
def settings():
    collection, user = _collection(), current_user()
    assert user is not None
    wanted = CommunitySettings(open=request.form.get("open") == "open",
                               who_may_post=request.form.get("who_may_post", ""),
                               moderation=request.form.get("moderation", ""))
    try:
        root().membership.configure(collection, wanted, user)
    except MembershipError as exc:
        return _page(collection, str(exc), status_of(exc))
    return _back(collection, _("The settings are saved."))


@bp.route("/community/invite", methods=["POST"])
@login_required
def invite():
    collection, user = _collection(), current_user()
    assert user is not None
    title = _title(collection)

    def compose(secret: str) -> Composed:
        link = url_for("membership.invitation", secret=secret, _external=True)
        return Composed(_("%(name)s invites you to join %(title)s", name=user.name, title=title),
                        render_template("mail/invitation.txt", name=user.name, title=title, link=link))
    try:
        root().membership.invite(collection, request.form.get("email", ""), user, compose)
    except AddressError as exc:
        return _page(collection, _("Give an e-mail address such as name@example.org."), status_of(exc))
    except (MembershipError, MailError) as exc:
        return _page(collection, str(exc), status_of(exc))
    return _back(collection, _("The invitation is sent."))


@bp.route("/community/invitation/<secret>", methods=["GET", "POST"])
def invitation(secret: str):
    m = root().membership
    try:
        collection = m.invitation(secret)[1]
    except MembershipError as exc:
        return render_template("community/sent.html", title=_("This link does not work"), message=_(
            "This invitation has expired or was used already: ask for a new one."), error=True), status_of(exc)
    user = current_user()
    if request.method == "POST" and user is not None:
        try:
            m.accept(secret, user)
        except CatalogueError as exc:
            return render_template("community/sent.html", title=_("This link does not work"), message=str(exc),
                                   error=True), status_of(exc)
        return _back(collection, _("Welcome to %(title)s.", title=_title(collection)))
    return render_template("community/invitation.html", title=_title(collection), signed_in=user is not None,
                           next=request.path)


@bp.route("/moderation/requests")
@login_required
def requests():
    """Every request to join that the signed-in account may decide, oldest first."""
    user = current_user()
    assert user is not None
    found = root().membership.requests_for(user)
    titles = root().reader.names([c for c, _member in found], label_languages())
    return render_template("community/requests.html", found=found, titles=titles)
