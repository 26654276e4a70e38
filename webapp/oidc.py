"""Sign-in through an OpenID Connect provider (EU Login is one): on only when
``CATALOGUE_OIDC_ISSUER`` is set.

Authlib does the protocol: discovery, the authorization code flow with state, nonce and
PKCE (S256), and the ID token's checks (signature by the provider's JWKS, issuer,
audience, nonce, expiry). This module only maps the verified identity to a local account:
the one linked to the provider's ``sub`` (``Accounts.link_oidc``), else a new member
account, never one matched by name or email (that would hand an existing account to
whoever registers the same address at the provider).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from joserfc.errors import JoseError

from catalogue.community import Accounts, User
from catalogue.mail import AddressError, check_address

from .auth import _local, current_user, start_session
from .context import root

bp = Blueprint("oidc", __name__)
PROVIDER = "oidc"
TIMEOUT = 10  # seconds for each request to the provider: discovery, JWKS, token
LEEWAY = 60  # seconds of clock skew tolerated on the ID token's times
_NEXT = "oidc_next"
LINK = "oidc_link"  # the signed-in account that asked to link an identity (webapp/community/accounts.py)


class ProviderError(RuntimeError):
    """The provider's discovery document is unusable (e.g. names another issuer)."""


def init_app(app: Flask) -> None:
    """Register the provider (nothing is fetched yet: discovery happens at first use)."""
    settings = app.config["CATALOGUE_SETTINGS"]
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=_discovery_url(settings.oidc_issuer),
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
            "token_endpoint_auth_method": "client_secret_basic" if settings.oidc_client_secret
            else "none",
        },
    )
    app.config["CATALOGUE_OIDC_NAME"] = settings.oidc_name  # shows the button on /login
    app.register_blueprint(bp)


def _discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _issuer() -> str:
    return current_app.config["CATALOGUE_SETTINGS"].oidc_issuer


def _client():
    return current_app.extensions["authlib.integrations.flask_client"].create_client(PROVIDER)


def _metadata(client) -> Mapping[str, Any]:
    """The discovery document, fetched once; it must name our issuer (no mix-up of providers)."""
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != _issuer().rstrip("/"):
        raise ProviderError(f"the discovery document names issuer {metadata.get('issuer')!r}")
    return metadata


def _refused(message: str, code: int):
    """The login page with the reason; the session is left as it was (no one new signed in)."""
    return render_template("login.html", error=message, next="",
                           oidc_name=current_app.config["CATALOGUE_OIDC_NAME"]), code


def _unreachable(exc: Exception):
    current_app.logger.warning("OpenID Connect provider unusable: %s", exc)
    return _refused(_("%(name)s cannot be reached just now; try again later.",
                      name=current_app.config["CATALOGUE_OIDC_NAME"]), 502)


@bp.get("/login/oidc")
def start():
    """Off to the provider; state, nonce and PKCE verifier wait in the signed session."""
    client = _client()
    try:
        _metadata(client)
        response = client.authorize_redirect(callback_url())
    except (requests.RequestException, ValueError, ProviderError) as exc:
        return _unreachable(exc)
    session[_NEXT] = request.args.get("next", "")
    return response


def callback_url() -> str:
    """The redirect URI to register at the provider: ``{site}/login/oidc/callback``."""
    return url_for("oidc.callback", _external=True)


@bp.get("/login/oidc/callback")
def callback():
    """Back from the provider: verify everything, then the same session as a password sign-in."""
    name = current_app.config["CATALOGUE_OIDC_NAME"]
    if request.args.get("error"):
        if request.args["error"] == "access_denied":
            return _refused(_("Sign-in with %(name)s was cancelled.", name=name), 400)
        return _refused(_("%(name)s refused the sign-in.", name=name), 401)
    client = _client()
    try:
        metadata = _metadata(client)
        token = client.authorize_access_token(claims_options=_claims_options(metadata),
                                              leeway=LEEWAY)
    except MismatchingStateError:
        return _refused(_("This sign-in expired or was started in another window; "
                          "please sign in again."), 400)
    except (OAuthError, JoseError) as exc:
        current_app.logger.warning("OpenID Connect sign-in refused: %r", exc)
        return _refused(_("The answer from %(name)s could not be verified; you are not "
                          "signed in.", name=name), 401)
    except (requests.RequestException, ValueError, ProviderError) as exc:
        return _unreachable(exc)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):  # no ID token at all: nothing was verified
        return _refused(_("The answer from %(name)s could not be verified; you are not "
                          "signed in.", name=name), 401)
    linking = current_user() if session.get(LINK) else None
    if session.get(LINK) and (linking is None or linking.username != session.get(LINK)):
        return _refused(_("Sign in again, then link your account from your account page."), 400)
    user = _account(root().accounts, claims, linking=linking)
    target = session.get(_NEXT)
    start_session(user)  # a fresh session (no fixation), ended like a password sign-in's
    if linking is not None:
        flash(_("Your account is now linked to %(provider)s: you can sign in through it.", provider=name))
    else:
        flash(_("Signed in as %(name)s.", name=user.name))
    return redirect(_local(target), code=303)


def _claims_options(metadata: Mapping[str, Any]) -> dict[str, dict]:
    """Issuer and audience are checked exactly (Authlib alone lets ``azp`` stand in for ``aud``)."""
    return {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": current_app.config["CATALOGUE_SETTINGS"].oidc_client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def _verified_email(claims: Mapping[str, Any]) -> str | None:
    """The identity's address if the provider says it verified it (``email_verified``)."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str):
        return None
    try:
        return check_address(email)
    except AddressError:
        return None


def _account(accounts: Accounts, claims: Mapping[str, Any], *, linking: User | None = None) -> User:
    """The account this identity signs in to: the signed-in account asking to link it
    (``linking``), else the one linked to it, else the account whose confirmed address the
    provider verified too (then linked), else a new member account linked to it. An
    address either side has not verified never matches: that would hand an account to
    whoever registers its address at the provider."""
    issuer, sub = _issuer(), str(claims["sub"])
    if linking is not None:
        accounts.link_oidc(linking.username, issuer, sub)
        return accounts.user(linking.username) or linking
    user = accounts.user_by_oidc(issuer, sub)
    if user is not None:
        return user
    email = _verified_email(claims)
    if email is not None:
        owner = root().registration.user_by_email(email)
        if owner is not None and owner.email_verified:
            accounts.link_oidc(owner.username, issuer, sub)
            return owner
        if owner is not None:
            email = None  # an unconfirmed sign-up holds it: the new account goes without
    username = next(c for c in _candidates(wanted_username(claims)) if accounts.user(c) is None)
    # a random password nobody knows: this account signs in through the provider only
    accounts.add_user(username, secrets.token_urlsafe(32), name=_display_name(claims, username))
    accounts.link_oidc(username, issuer, sub)
    if email is not None:
        root().registration.set_confirmed_email(username, email)
    return accounts.user(username)  # type: ignore[return-value]


def wanted_username(claims: Mapping[str, Any]) -> str:
    """A valid username from ``preferred_username`` or the email's local part, else "user"."""
    raw = str(claims.get("preferred_username") or claims.get("email") or "")
    raw = raw.split("@", 1)[0]
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9._-]+", "-", text).strip("._-")[:56].rstrip("._-")
    return text if len(text) >= 2 else "user"


def _candidates(base: str) -> Iterator[str]:
    yield base
    for n in range(2, 100):
        yield f"{base}-{n}"
    while True:
        yield f"{base}-{secrets.token_hex(3)}"


def _display_name(claims: Mapping[str, Any], username: str) -> str:
    given = " ".join(str(claims[k]) for k in ("given_name", "family_name") if claims.get(k))
    return (str(claims.get("name") or "") or given or username)[:200]
