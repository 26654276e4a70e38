"""Sign-in through an OpenID Connect provider, against a fake provider on 127.0.0.1 and the
real server: accounts are created or found by the provider's subject, every forged or
misdirected ID token is refused, and the feature is off unless configured."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

from catalogue.app import Catalogue
from catalogue.settings import SettingsError, load_settings
from tests.conftest import free_port, running_oxigraph, serving
from webapp.oidc import wanted_username

CLIENT_ID = "catalogue-test"
CLIENT_SECRET = "s3cret"
PASSWORD = "a long enough password"
CATALOGUES: list[Catalogue] = []


class FakeProvider:
    """Discovery, JWKS, /authorize (answers at once) and /token; ``mode`` forges the ID token."""

    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.identity: dict = {}
        self.mode = "ok"
        self.app = self._app()

    def _app(self) -> Flask:
        app = Flask("fake-provider")
        app.add_url_rule("/.well-known/openid-configuration", view_func=self.discovery)
        app.add_url_rule("/jwks", view_func=lambda: jsonify(KeySet([self.key]).as_dict(private=False)))
        app.add_url_rule("/authorize", view_func=self.authorize)
        app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        return app

    def discovery(self):
        return jsonify(issuer=self.url, authorization_endpoint=self.url + "/authorize",
                       token_endpoint=self.url + "/token", jwks_uri=self.url + "/jwks",
                       response_types_supported=["code"], subject_types_supported=["public"],
                       id_token_signing_alg_values_supported=["RS256"],
                       code_challenge_methods_supported=["S256"])

    def authorize(self):
        args = request.args
        assert args["client_id"] == CLIENT_ID and args["response_type"] == "code"
        assert args["code_challenge_method"] == "S256" and args["nonce"] and args["state"]
        assert "openid" in args["scope"].split()
        if self.mode == "cancel":
            return redirect(args["redirect_uri"] + "?" + urlencode(
                {"error": "access_denied", "state": args["state"]}))
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": args["nonce"], "challenge": args["code_challenge"],
                            "redirect_uri": args["redirect_uri"]}
        state = "forged" if self.mode == "wrong_state" else args["state"]
        return redirect(args["redirect_uri"] + "?" + urlencode({"code": code, "state": state}))

    def token(self):
        assert request.authorization and request.authorization.username == CLIENT_ID
        assert request.authorization.password == CLIENT_SECRET
        grant = self.codes.pop(request.form["code"], None) or abort(400)
        verifier = request.form["code_verifier"].encode()
        assert base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode() \
            == grant["challenge"], "PKCE verifier does not match the challenge"
        assert request.form["redirect_uri"] == grant["redirect_uri"]
        answer = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300}
        if self.mode != "no_id_token":
            answer["id_token"] = self.id_token(grant["nonce"])
        return jsonify(answer)

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, **self.identity}
        if self.mode == "wrong_audience":
            claims["aud"], claims["azp"] = "someone-else", CLIENT_ID
        elif self.mode == "wrong_nonce":
            claims["nonce"] = "replayed"
        elif self.mode == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1"
        elif self.mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        key = self.other_key if self.mode == "wrong_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


@contextmanager
def running(provider: FakeProvider) -> Iterator[None]:
    server = make_server("127.0.0.1", int(provider.url.rsplit(":", 1)[1]), provider.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def provider():
    p = FakeProvider()
    with running(p):
        yield p


@pytest.fixture(scope="module")
def oidc_store(tmp_path_factory):
    """An Oxigraph server of this module's own: what other modules left running on the
    shared one (queries a stopped server sent go on) cannot slow this one's start."""
    with running_oxigraph(tmp_path_factory.mktemp("oidc-oxigraph")) as url:
        yield url


@pytest.fixture(scope="module")
def site(tmp_path_factory, provider, oidc_store):
    """The real server on a remote store, so the test can read the accounts it makes; a local
    account ``maria`` is linked beforehand to the provider's subject ``eu-maria``. The test's
    own catalogue has a directory of its own (its search index is not the server's)."""
    store_dir = tmp_path_factory.mktemp("oidc") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store_dir),
           "CATALOGUE_SPARQL_QUERY_URL": oidc_store + "/query",
           "CATALOGUE_OIDC_ISSUER": provider.url, "CATALOGUE_OIDC_CLIENT_ID": CLIENT_ID,
           "CATALOGUE_OIDC_CLIENT_SECRET": CLIENT_SECRET, "CATALOGUE_OIDC_NAME": "Test Login"}
    catalogue = Catalogue(load_settings({**env, "CATALOGUE_STORE": str(store_dir) + "-test"}))
    CATALOGUES[:] = [catalogue]  # for tests that need more than its accounts
    catalogue.store.update("DROP SILENT ALL")
    catalogue.accounts.add_user("maria", PASSWORD, name="Maria Local")
    catalogue.accounts.link_oidc("maria", provider.url, "eu-maria")
    try:
        with serving(env) as url:
            yield url, catalogue.accounts
    finally:
        catalogue.store.update("DROP SILENT ALL")
        catalogue.close()


def sign_in(site: str, provider: FakeProvider, mode: str = "ok", **identity) -> tuple[requests.Session, requests.Response]:
    provider.mode, provider.identity = mode, identity
    s = requests.Session()
    return s, s.get(site + "/login/oidc?next=/sources", timeout=30)


def signed_in(s: requests.Session, site: str) -> bool:
    return "Sign out" in s.get(site + "/sources", timeout=10).text


def test_a_first_sign_in_creates_a_member_account_and_the_next_finds_it(site, provider):
    url, accounts = site
    s, r = sign_in(url, provider, sub="eu-jan", name="Jan Novák",
                   preferred_username="Jan.Novák@ec.europa.eu", email="jan@example.org")
    assert r.status_code == 200 and r.url == url + "/sources", (r.status_code, r.text[:300])
    assert "Signed in as Jan Novák" in r.text and signed_in(s, url)
    user = accounts.user_by_oidc(provider.url, "eu-jan")
    assert user is not None and user.username == "jan.novak" and user.roles == {"member"}
    assert accounts.authenticate("jan.novak", "") is None  # no password anyone knows
    s, r = sign_in(url, provider, sub="eu-jan", name="Renamed at the provider",
                   preferred_username="someone-else")
    assert "Signed in as Jan Novák" in r.text  # the same account, not a new one
    assert accounts.user("someone-else") is None


def test_a_taken_username_is_made_unique_not_shared(site, provider):
    url, accounts = site
    s, r = sign_in(url, provider, sub="eu-other-maria", preferred_username="maria")
    assert "Signed in as maria-2" in r.text
    assert accounts.user_by_oidc(provider.url, "eu-other-maria").username == "maria-2"
    assert accounts.user("maria").name == "Maria Local"


def test_a_linked_local_account_is_used(site, provider):
    url, accounts = site
    s, r = sign_in(url, provider, sub="eu-maria", preferred_username="mgarcia", name="M. García")
    assert r.status_code == 200 and "Signed in as Maria Local" in r.text
    assert accounts.user("mgarcia") is None


@pytest.mark.parametrize("mode", ["wrong_signature", "wrong_audience", "wrong_nonce",
                                  "wrong_issuer", "expired", "no_id_token"])
def test_a_bad_id_token_is_refused_and_no_one_is_signed_in(site, provider, mode):
    url, accounts = site
    s, r = sign_in(url, provider, mode, sub=f"eu-{mode}", preferred_username=mode)
    assert r.status_code == 401 and "could not be verified" in r.text, (r.status_code, r.text[:300])
    assert "Traceback" not in r.text and not signed_in(s, url)
    assert accounts.user_by_oidc(provider.url, f"eu-{mode}") is None


def test_a_cancelled_or_forged_answer_is_refused_with_a_message(site, provider):
    url, _ = site
    s, r = sign_in(url, provider, "cancel", sub="eu-x")
    assert r.status_code == 400 and "was cancelled" in r.text and not signed_in(s, url)
    s, r = sign_in(url, provider, "wrong_state", sub="eu-x")
    assert r.status_code == 400 and "sign in again" in r.text and not signed_in(s, url)
    r = requests.get(url + "/login/oidc/callback?code=x&state=y", timeout=10)
    assert r.status_code == 400


def test_the_login_page_offers_the_provider_and_follows_only_local_paths(site, provider):
    url, _ = site
    page = requests.get(url + "/login?next=/sources/x", timeout=10).text
    assert "Sign in with Test Login" in page and "/login/oidc?next=/sources/x" in page
    provider.mode, provider.identity = "ok", {"sub": "eu-jan"}
    r = requests.get(url + "/login/oidc?next=//evil.example/", timeout=30)
    assert r.status_code == 200 and r.url == url + "/sources"


def test_a_provider_that_is_down_gets_a_message_not_a_traceback(tmp_path):
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "store"),
           "CATALOGUE_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
           "CATALOGUE_OIDC_CLIENT_ID": CLIENT_ID}
    with serving(env) as url:
        r = requests.get(url + "/login/oidc", timeout=30)
        assert r.status_code == 502 and "cannot be reached" in r.text and "EU Login" in r.text


def test_off_by_default(tmp_path):
    from webapp import create_app

    settings = load_settings({}, store=str(tmp_path / "store"))
    assert not settings.oidc_issuer
    catalogue = Catalogue(settings)
    try:
        client = create_app(settings, catalogue).test_client()
        assert client.get("/login/oidc").status_code == 404
        page = client.get("/login").get_data(as_text=True)
        assert "Sign in with" not in page and "/login/oidc" not in page
    finally:
        catalogue.close()


@pytest.mark.parametrize("issuer", ["http://login.example.org", "ftp://127.0.0.1/", "login.example.org"])
def test_an_issuer_must_be_https_except_on_this_machine(issuer):
    with pytest.raises(SettingsError, match="https"):
        load_settings({"CATALOGUE_OIDC_ISSUER": issuer, "CATALOGUE_OIDC_CLIENT_ID": "x"})


def test_the_oidc_settings_are_checked():
    for issuer in ("https://ecas.ec.europa.eu/cas/oauth2", "http://127.0.0.1:9000", "http://localhost/",
                   "http://[::1]:8080"):
        load_settings({"CATALOGUE_OIDC_ISSUER": issuer, "CATALOGUE_OIDC_CLIENT_ID": "x"})
    with pytest.raises(SettingsError, match="CLIENT_ID"):
        load_settings({"CATALOGUE_OIDC_ISSUER": "https://login.example.org"})
    with pytest.raises(SettingsError, match="openid"):
        load_settings({"CATALOGUE_OIDC_ISSUER": "https://login.example.org",
                       "CATALOGUE_OIDC_CLIENT_ID": "x", "CATALOGUE_OIDC_SCOPES": "email"})


@pytest.mark.parametrize(("claims", "expected"), [
    ({"preferred_username": "María.García@ec.europa.eu"}, "maria.garcia"),
    ({"email": "Jo Smith@example.org"}, "jo-smith"),
    ({"preferred_username": "--x--"}, "user"),
    ({"preferred_username": "Zoë O'Neil"}, "zoe-o-neil"),
    ({"preferred_username": "a" * 100}, "a" * 56),
    ({}, "user"),
])
def test_usernames_derived_from_the_identity_are_valid(claims, expected):
    assert wanted_username(claims) == expected


def test_a_verified_address_links_to_the_account_that_confirmed_it(site, provider):
    url, accounts = site
    registration = CATALOGUES[0].registration
    accounts.add_user("ana", PASSWORD, name="Ana Local", email="ana@example.org")
    registration.set_confirmed_email("ana", "ana@example.org")
    # an address the provider did not verify never matches
    s, r = sign_in(url, provider, sub="eu-ana-unverified", preferred_username="ana.eu", email="ana@example.org")
    assert "Signed in as ana.eu" in r.text
    assert accounts.user("ana.eu").email is None  # the address is Ana's: not given to the new account
    s, r = sign_in(url, provider, sub="eu-ana", preferred_username="ana.eu2", email="ana@example.org",
                   email_verified=True)
    assert "Signed in as Ana Local" in r.text and accounts.user("ana.eu2") is None
    assert accounts.user_by_oidc(provider.url, "eu-ana").username == "ana"


def test_a_new_account_gets_the_verified_address_confirmed(site, provider):
    url, accounts = site
    s, r = sign_in(url, provider, sub="eu-pia", preferred_username="pia", email="pia@example.org",
                   email_verified=True)
    assert "Signed in as pia" in r.text
    user = accounts.user("pia")
    assert user.email == "pia@example.org" and user.email_verified


def test_a_signed_in_account_links_its_identity_explicitly(site, provider):
    url, accounts = site
    accounts.add_user("ola", PASSWORD, name="Ola Local")
    s = requests.Session()
    page = s.get(url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    s.post(url + "/login", data={"username": "ola", "password": PASSWORD, "csrf_token": token}, timeout=10)
    account = s.get(url + "/account", timeout=10).text
    assert "Link my Test Login identity" in account
    token = re.search(r'name="csrf_token" value="([^"]+)"', account).group(1)
    provider.mode, provider.identity = "ok", {"sub": "eu-ola", "preferred_username": "someone"}
    r = s.post(url + "/account/oidc", data={"csrf_token": token}, timeout=30)
    assert r.status_code == 200 and r.url == url + "/account" and "now linked to Test Login" in r.text
    assert accounts.user_by_oidc(provider.url, "eu-ola").username == "ola"
    assert accounts.user("someone") is None
    s2, r = sign_in(url, provider, sub="eu-ola")
    assert "Signed in as Ola Local" in r.text
