"""Accounts for everyone: ``/register``, the confirmation link, ``/password/forgot`` and the
reset link, ``/terms``, and ``/account`` (one's address, password, data export, deletion).

Floods are answered in fixed memory (:mod:`webapp.throttle`): sign-ups, reset requests and
confirmation mails are counted per network address (and the address mailed to), a hidden
honeypot field that people never fill makes a robot's sign-up look accepted while nothing
is stored or sent. Mail text is composed here, in the reader's language, around the link
the domain mints (``catalogue/community/registration.py``). Every form carries a CSRF
token; opening a mailed link shows a button (a POST) so that mail scanners following links
cannot use them up.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from catalogue.community import TERMS_VERSION, AccountError, Composed, RegistrationError
from catalogue.errors import CatalogueError
from catalogue.mail import AddressError, MailError

from ..auth import _local, current_user, login_required, start_session
from ..context import root
from ..errors import status_of
from ..layout import href
from ..oidc import LINK
from ..throttle import Throttle, address_key

bp = Blueprint("account", __name__)
SIGNUPS_PER_HOUR = 5  # per network address
MAILS_PER_HOUR = 5  # reset and confirmation mails per network address, and per address mailed
HONEYPOT = "website"
_UNCONFIRMED = "unconfirmed"  # the session's note of an account that signed in unconfirmed
# pages an account that must accept new terms can still reach
_OPEN = {"account.terms", "account.accept_terms", "auth.logout", "static", "views.legal"}


class _Floods:
    def __init__(self) -> None:
        self.signups = Throttle(SIGNUPS_PER_HOUR, 3600.0, cells=8192)
        self.mails = Throttle(MAILS_PER_HOUR, 3600.0, cells=8192)


def _floods() -> _Floods:
    return current_app.extensions["account_floods"]


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["account_floods"] = _Floods()


@bp.before_app_request
def _terms_gate():
    """An account that accepted earlier terms accepts the new ones before going on. A
    request without a session cookie is not looked at: reading the session would add
    ``Vary: Cookie`` to every answer, public and cached ones included."""
    if request.endpoint in _OPEN or request.endpoint is None \
            or current_app.config["SESSION_COOKIE_NAME"] not in request.cookies or not session.get("user"):
        return None
    user = current_user()
    if user is not None and root().registration.needs_terms(user):
        return redirect(url_for("account.accept_terms", next=request.full_path.rstrip("?")), code=303)
    return None


def _date(value: str | None) -> date | None:
    """A terms version (its ISO date) as a date, for the locale's date format."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _link(endpoint: str, secret: str) -> str:
    return url_for(endpoint, secret=secret, _external=True)


def _confirm_mail(name: str):
    def compose(secret: str) -> Composed:
        return Composed(_("Confirm your e-mail address"),
                        render_template("mail/confirm.txt", name=name, link=_link("account.confirm", secret)))
    return compose


def _taken_mail(username: str) -> Composed:
    return Composed(_("You already have an account"),
                    render_template("mail/taken.txt", username=username,
                                    login=url_for("auth.login", _external=True),
                                    forgot=url_for("account.forgot", _external=True)))


def _reset_mail(secret: str) -> Composed:
    return Composed(_("Choose a new password"),
                    render_template("mail/reset.txt", link=_link("account.reset", secret)))


FIELD_MESSAGES = {
    "username": lambda: _("Choose a username of 2 to 63 lowercase letters, digits, dots, dashes or underscores, "
                          "starting with a letter or digit."),
    "password": lambda: _("Choose a password of at least 10 characters."),
    "email": lambda: _("Give an e-mail address such as name@example.org."),
    "name": lambda: _("Give your name as others will see it (up to 100 characters)."),
    "terms": lambda: _("Accept the terms of use to create an account."),
}


def _field_message(exc: RegistrationError) -> str:
    if exc.field == "username" and status_of(exc) == 409:
        return _("This username is taken: choose another.")
    if exc.field == "email" and status_of(exc) == 409:
        return _("Another account uses this address.")
    return FIELD_MESSAGES[exc.field]() if exc.field in FIELD_MESSAGES else str(exc)


def _too_many(minutes: int):
    return render_template("community/sent.html", title=_("Too many requests"), message=_(
        "Too many requests from your network address: try again in %(minutes)d minute(s).", minutes=minutes),
        error=True), 429, {"Retry-After": str(minutes * 60)}


# signing up

@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user() is not None:
        return redirect(url_for("account.page"), code=303)
    form = {k: request.form.get(k, "").strip() for k in ("username", "name", "email")}
    if request.method == "GET":
        return render_template("community/register.html", form=form, errors={}, terms=TERMS_VERSION)
    address = address_key(request.remote_addr)
    floods = _floods()
    wait = floods.signups.wait(address)
    if wait:
        return _too_many((wait + 59) // 60)
    floods.signups.failed(address)  # every attempt counts: a sign-up flood is the abuse
    if request.form.get(HONEYPOT):  # a robot: answer as if accepted, keep and send nothing
        return render_template("community/sent.html", title=_("Check your mailbox"),
                               message=_("We sent a link to %(address)s. Open it within 48 hours to confirm "
                                         "your address.", address=form["email"]))
    try:
        root().registration.register(
            form["username"].lower(), form["name"], form["email"], request.form.get("password", ""),
            accepted_terms=request.form.get("terms", ""), compose_confirm=_confirm_mail(form["name"]),
            compose_taken=_taken_mail)
    except RegistrationError as exc:
        return render_template("community/register.html", form=form, errors={exc.field or "form": _field_message(exc)},
                               terms=TERMS_VERSION), status_of(exc)
    except MailError:
        return render_template("community/sent.html", title=_("Your account is created"), message=_(
            "We could not send the confirmation mail just now. Sign in later to have it sent again."),
            error=True), 503
    return render_template("community/sent.html", title=_("Check your mailbox"),
                           message=_("We sent a link to %(address)s. Open it within 48 hours to confirm "
                                     "your address.", address=form["email"]))


@bp.route("/register/confirm/<secret>", methods=["GET", "POST"])
def confirm(secret: str):
    registration = root().registration
    try:
        if request.method == "GET":
            token = registration.token(secret, "verify")
            return render_template("community/confirm.html", address=token.address)
        user = registration.confirm(secret)
    except RegistrationError as exc:
        return render_template("community/sent.html", title=_("This link does not work"), message=_(
            "This link has expired or was used already. Sign in to have a new one sent."), error=True), \
            status_of(exc)
    start_session(user)
    flash(_("Your address is confirmed. Welcome, %(name)s!", name=user.name))
    return redirect(url_for("account.page"), code=303)


@bp.route("/register/resend", methods=["POST"])
def resend():
    """A new confirmation link for the account that just signed in unconfirmed."""
    username = session.get(_UNCONFIRMED)
    if not username:
        return redirect(url_for("auth.login"), code=303)
    address = address_key(request.remote_addr)
    floods = _floods()
    wait = max(floods.mails.wait(address), floods.mails.wait(f"user:{username}"))
    if wait:
        return _too_many((wait + 59) // 60)
    floods.mails.failed(address)
    floods.mails.failed(f"user:{username}")
    user = root().accounts.user(username)
    try:
        root().registration.resend(username, _confirm_mail(user.name if user else username))
    except MailError as exc:
        return render_template("community/sent.html", title=_("Check your mailbox"), message=_(
            "We could not send the mail just now: try again later."), error=True), status_of(exc)
    return render_template("community/sent.html", title=_("Check your mailbox"), message=_(
        "We sent a new link. Open it within 48 hours to confirm your address."))


def unconfirmed_answer(username: str):
    """What signing in answers for an account whose address is not confirmed yet (called
    by the sign-in view): no session, and a button to have the link sent again."""
    session.clear()
    session[_UNCONFIRMED] = username
    return render_template("community/unconfirmed.html"), 403


# resetting a password

@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    if request.method == "GET":
        return render_template("community/forgot.html", email="", error=None)
    email = request.form.get("email", "").strip()
    address = address_key(request.remote_addr)
    floods = _floods()
    wait = max(floods.mails.wait(address), floods.mails.wait(f"mail:{email.lower()}"))
    if wait:
        return _too_many((wait + 59) // 60)
    floods.mails.failed(address)
    floods.mails.failed(f"mail:{email.lower()}")
    try:
        root().registration.forgot(email, _reset_mail)
    except AddressError as exc:
        return render_template("community/forgot.html", email=email,
                               error=FIELD_MESSAGES["email"]()), status_of(exc)
    except MailError as exc:
        return render_template("community/sent.html", title=_("Check your mailbox"), message=_(
            "We could not send the mail just now: try again later."), error=True), status_of(exc)
    return render_template("community/sent.html", title=_("Check your mailbox"), message=_(
        "If an account has the confirmed address %(address)s, we sent it a link to choose a new password. "
        "It works for one hour.", address=email))


@bp.route("/password/reset/<secret>", methods=["GET", "POST"])
def reset(secret: str):
    registration = root().registration
    try:
        registration.token(secret, "reset")
    except RegistrationError as exc:
        return render_template("community/sent.html", title=_("This link does not work"), message=_(
            "This link has expired or was used already: ask for a new one."), error=True,
            again=url_for("account.forgot")), status_of(exc)
    if request.method == "GET":
        return render_template("community/reset.html", error=None)
    password = request.form.get("password", "")
    if password != request.form.get("again", ""):
        return render_template("community/reset.html", error=_("The two passwords differ.")), 400
    try:
        registration.reset(secret, password)
    except RegistrationError as exc:
        return render_template("community/sent.html", title=_("This link does not work"), message=_(
            "This link has expired or was used already: ask for a new one."), error=True), status_of(exc)
    except AccountError as exc:
        return render_template("community/reset.html", error=FIELD_MESSAGES["password"]()), status_of(exc)
    flash(_("Your password is changed: sign in with it."))
    return redirect(url_for("auth.login"), code=303)


# terms of use

def _terms_page(**context) -> str:
    return render_template("community/terms.html", version=TERMS_VERSION, version_date=_date(TERMS_VERSION),
                           **context)


@bp.route("/terms")
def terms():
    return _terms_page()


@bp.route("/terms/accept", methods=["GET", "POST"])
@login_required
def accept_terms():
    user = current_user()
    assert user is not None
    nxt = request.values.get("next", "")
    if request.method == "POST":
        if not request.form.get("accept"):
            return _terms_page(accept=True, next=nxt, error=_("Tick the box to accept the terms, or sign out.")), 400
        try:
            root().registration.accept_terms(user.username, request.form.get("version", ""))
        except RegistrationError as exc:
            return _terms_page(accept=True, next=nxt, error=_("The terms changed while you read them: read them again.")), \
                status_of(exc)
        return redirect(_local(nxt) if nxt else url_for("account.page"), code=303)
    return _terms_page(accept=True, next=nxt)


# one's own account

@bp.route("/account")
@login_required
def page():
    user = current_user()
    assert user is not None
    proposals = _proposals(user.username)
    return render_template("community/account.html", user=user, proposals=proposals, terms=TERMS_VERSION,
                           accepted_date=_date(user.accepted_terms), errors={})


def _proposals(username: str):
    from catalogue.community import Moderation
    return Moderation(root()).proposals(author=username)


def _account_error(field: str, message: str, status: int):
    user = current_user()
    return render_template("community/account.html", user=user, proposals=_proposals(user.username),
                           terms=TERMS_VERSION, accepted_date=_date(user.accepted_terms),
                           errors={field: message}), status


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    user = current_user()
    assert user is not None
    email = request.form.get("email", "").strip()
    try:
        root().registration.change_email(user.username, email, _confirm_mail(user.name))
    except RegistrationError as exc:
        return _account_error("email", _field_message(exc), status_of(exc))
    except AddressError as exc:
        return _account_error("email", FIELD_MESSAGES["email"](), status_of(exc))
    except MailError as exc:
        return _account_error("email", _("We could not send the mail just now: try again later."), status_of(exc))
    flash(_("We sent a link to %(address)s: your address changes when you open it.", address=email))
    return redirect(url_for("account.page"), code=303)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    user = current_user()
    assert user is not None
    accounts = root().accounts
    if accounts.authenticate(user.username, request.form.get("current", "")) is None:
        return _account_error("password", _("Your current password is wrong."), 403)
    new = request.form.get("password", "")
    if new != request.form.get("again", ""):
        return _account_error("password", _("The two passwords differ."), 400)
    try:
        accounts.set_password(user.username, new)
    except AccountError as exc:
        return _account_error("password", FIELD_MESSAGES["password"](), status_of(exc))
    start_session(accounts.user(user.username))  # others' sessions ended; this one goes on
    flash(_("Your password is changed. You are signed out everywhere else."))
    return redirect(url_for("account.page"), code=303)


@bp.route("/account/oidc", methods=["POST"])
@login_required
def link_oidc():
    """Link this account to an identity at the OpenID Connect provider: off to the provider,
    and its answer links that identity here (webapp/oidc.py) instead of signing in."""
    user = current_user()
    assert user is not None
    target = href("oidc.start", next=url_for("account.page"))
    if target is None:  # no provider configured
        return _account_error("oidc", _("Signing in through another service is not set up on this site."), 404)
    session[LINK] = user.username
    return redirect(target, code=303)


@bp.route("/account/export.json")
@login_required
def export():
    user = current_user()
    assert user is not None
    return Response(root().registration.export_json(user.username), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="account-{user.username}.json"',
        "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete():
    user = current_user()
    assert user is not None
    if request.form.get("confirm", "").strip().lower() != user.username:
        return _account_error("delete", _("Type your username to confirm."), 400)
    try:
        root().registration.delete(user.username, request.form.get("password", ""))
    except RegistrationError as exc:
        message = (_("Your password is wrong: your account was not deleted.") if status_of(exc) == 403
                   else _("You are the only administrator: make someone else one first."))
        return _account_error("delete", message, status_of(exc))
    except CatalogueError as exc:  # the store failed: nothing was deleted
        return _account_error("delete", str(exc), status_of(exc))
    session.clear()
    flash(_("Your account is deleted. What you wrote stays, signed by a former member."))
    return redirect(url_for("views.home"), code=303)
