"""Who is calling: signed-in users (session cookie + CSRF) and publishers' API tokens.

Sessions are Flask's signed cookies, signed with ``CATALOGUE_SECRET_KEY`` or else a key
kept in the store's private accounts graph (so every web process shares it), fetched on
the first request, not at start-up (a forking server opens the store in its workers).
Every form is CSRF-protected by Flask-WTF; the SPARQL protocol and the token API are
exempt (they change nothing with cookies: the API authenticates by bearer token only).
"""

from __future__ import annotations

import functools
import threading
import time
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

from catalogue.accounts import User

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()


class _StoreKeySessions(SecureCookieSessionInterface):
    """Signs with the configured key, else the store's, looked up once."""

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            settings = app.config["CATALOGUE_SETTINGS"]
            app.secret_key = settings.secret_key or app.extensions["catalogue"].accounts.session_secret()
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

    @app.context_processor
    def who():
        return {"current_user": current_user}


def current_user() -> User | None:
    """The signed-in user, read from the store once per request (so a removed role is
    removed at once, not when the cookie expires)."""
    if "user" not in g:
        name = session.get("user")
        g.user = current_app.extensions["catalogue"].accounts.user(name) if name else None
    return g.user


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


class Throttle:
    """Failed sign-ins per username in a sliding window: after ``limit`` failures, refuse
    for the rest of the window (429), so a password cannot be guessed at argon2's pace from
    many addresses. Per process: several web processes each keep their own count."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, []) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def wait(self, key: str) -> int:
        """Seconds until ``key`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            return int(times[0] + self.window - now) + 1 if len(times) >= self.limit else 0

    def failed(self, key: str) -> None:
        with self._lock:
            if len(self._failures) > 100_000:  # a flood of made-up names: start over
                self._failures.clear()
            now = time.monotonic()
            self._failures[key] = [*self._recent(key, now), now]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def _throttle() -> Throttle:
    return current_app.extensions.setdefault("login_throttle", Throttle())


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        throttle = _throttle()
        wait = throttle.wait(username)
        if wait:
            error = _("Too many failed attempts for this account: try again in %(minutes)d "
                      "minute(s).", minutes=(wait + 59) // 60)
            status, headers = 429, {"Retry-After": str(wait)}
        else:
            user = current_app.extensions["catalogue"].accounts.authenticate(username, password)
            if user is not None:
                throttle.succeeded(username)
                session.clear()  # a fresh session: no fixation
                session["user"] = user.username
                flash(_("Signed in as %(name)s.", name=user.name))
                return redirect(_local(request.form.get("next")), code=303)
            throttle.failed(username)
            error, status = _("Wrong username or password."), 401
    return render_template("login.html", error=error, next=request.values.get("next", ""),
                           oidc_name=current_app.config.get("CATALOGUE_OIDC_NAME")), \
        status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash(_("Signed out."))
    return redirect(url_for("views.home"), code=303)
