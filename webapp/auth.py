"""Who is calling: signed-in users (session cookie + CSRF) and publishers' API tokens.

Sessions are Flask's signed cookies, signed with ``CATALOGUE_SECRET_KEY`` or else a key
kept in the store's private accounts graph (so every web process shares it), fetched on
the first request, not at start-up (a forking server opens the store in its workers).
A session also carries its account's session version, read back on every request: signing
out, a new password or an admin gives the account a new one, and every cookie handed out
before (a copy on another device, a stolen one) signs nobody in any more.
Every form is CSRF-protected by Flask-WTF; the SPARQL protocol and the token API are
exempt (they change nothing with cookies: the API authenticates by bearer token only).
"""

from __future__ import annotations

import functools
import hmac
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect

from catalogue.community import AccountError, User

from .context import root
from .errors import reworded
from .throttle import Throttle, address_key

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()


class _StoreKeySessions(SecureCookieSessionInterface):
    """Signs with the configured key, else the store's, looked up once."""

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            settings = app.config["CATALOGUE_SETTINGS"]
            app.secret_key = settings.secret_key or root(app).accounts.session_secret()
        return super().get_signing_serializer(app)


def init_app(app: Flask) -> None:
    settings = app.config["CATALOGUE_SETTINGS"]
    app.session_interface = _StoreKeySessions()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session; a stale form is a bad surprise
        WTF_CSRF_SSL_STRICT=settings.secure_cookies,
    )
    csrf.init_app(app)
    app.extensions["login_throttles"] = _Throttles()

    @app.context_processor
    def who():
        return {"current_user": current_user}


def has_session_user() -> bool:
    """Whether this request carries a signed-in session (without reading the account).
    Pages rendered for such a request hold that user's header (name, account menu, CSRF
    token), so no cache may keep them for anyone else."""
    return bool(session.get("user"))


def current_user() -> User | None:
    """The signed-in user, read from the store once per request (so a removed role is
    removed at once, not when the cookie expires); None, and the cookie cleared, when the
    session was ended (its version is not the account's any more)."""
    if "user" not in g:
        name = session.get("user")
        user = root().accounts.user(name) if name else None
        if user is not None and not hmac.compare_digest(
                str(session.get("version", "")).encode(), user.session_version.encode()):
            session.clear()
            user = None
        g.user = user
    return g.user


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh session (no fixation) under the account's session version."""
    session.clear()
    session["user"] = user.username
    session["version"] = user.session_version


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def require(allowed: bool) -> None:
    """403 unless ``allowed`` (the caller is signed in; anonymous callers go to login)."""
    if not allowed:
        abort(403, _("Your account may not do this."))


def _local(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return url_for("publish.sources")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("publish.sources")
    return target


class _Throttles:
    """Sign-in failures, counted per username and per address (see :mod:`webapp.throttle`).

    Five failures for one username within 15 minutes refuse that username, so a password
    cannot be guessed at argon2's pace from many addresses; twenty from one address refuse
    that address, so one client cannot try a few passwords on every username. A refused
    attempt is not verified, so it is not counted either. A success resets nothing: the
    window does (counts are kept in fixed memory that cannot forget one key's failures).
    """

    PER_NAME = (5, 900.0)
    PER_ADDRESS = (20, 900.0)

    def __init__(self) -> None:
        self.names = Throttle(*self.PER_NAME)
        self.addresses = Throttle(*self.PER_ADDRESS, cells=8192)


def _throttles() -> _Throttles:
    return current_app.extensions["login_throttles"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        throttles, address = _throttles(), address_key(request.remote_addr)
        from_address, for_name = throttles.addresses.wait(address), throttles.names.wait(username)
        if from_address:
            error = _("Too many failed sign-ins from your network address: try again in "
                      "%(minutes)d minute(s).", minutes=(from_address + 59) // 60)
            status, headers = 429, {"Retry-After": str(from_address)}
        elif for_name:
            error = _("Too many failed attempts for this account: try again in %(minutes)d "
                      "minute(s).", minutes=(for_name + 59) // 60)
            status, headers = 429, {"Retry-After": str(for_name)}
        else:
            user = root().accounts.authenticate(username, password)
            if user is not None and user.self_registered and not user.email_verified:
                from .community.accounts import unconfirmed_answer
                return unconfirmed_answer(user.username)
            if user is not None:
                start_session(user)
                flash(_("Signed in as %(name)s.", name=user.name))
                return redirect(_local(request.form.get("next")), code=303)
            throttles.names.failed(username)
            throttles.addresses.failed(address)
            error, status = _("Wrong username or password."), 401
    return render_template("login.html", error=error, next=request.values.get("next", ""),
                           oidc_name=current_app.config.get("CATALOGUE_OIDC_NAME")), \
        status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: every session of the account ends, here and on other devices (a copied
    cookie must not outlive it)."""
    user = current_user()
    if user is not None:
        try:
            root().accounts.end_sessions(user.username)
        except AccountError:  # removed meanwhile: nothing left to end
            pass
    session.clear()
    flash(_("Signed out."))
    return redirect(url_for("views.home"), code=303)


@bp.route("/users/<username>/sessions", methods=["POST"])
@login_required
def end_sessions(username: str):
    """An admin ends every session of an account (a lost laptop, a departing colleague)."""
    user = current_user()
    require(user is not None and user.is_admin)
    with reworded(_("There is no account %(name)s.", name=username), AccountError):
        root().accounts.end_sessions(username)
    flash(_("Every session of %(name)s has ended.", name=username))
    return redirect(url_for("publish.users"), code=303)
