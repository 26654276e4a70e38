"""Accounts for everyone on the site, through a real server, a cookie-keeping client and a
real SMTP server on 127.0.0.1: sign up, confirm, sign in, reset the password, accept new
terms, export and delete; floods, robots, forged links and missing CSRF tokens."""

from __future__ import annotations

import itertools
import json
import os
import re

import pyoxigraph as ox
import pytest
import requests

from catalogue.settings import load_settings
from catalogue.terms import CAT
from tests.conftest import serving
from tests.mailbox import Mailbox

PASSWORD = "a long enough password"
_addresses = itertools.count(1)


@pytest.fixture(scope="module")
def box():
    mailbox = Mailbox().start()
    yield mailbox
    mailbox.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, box):
    store = tmp_path_factory.mktemp("registration-web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_TRUSTED_PROXY": "127.0.0.1", **box.env()}
    with serving(env) as url:
        yield url


def client() -> requests.Session:
    """A visitor from a network address of its own (the server believes X-Forwarded-For
    from 127.0.0.1), so the per-address limits of one test do not reach another."""
    s = requests.Session()
    s.headers["X-Forwarded-For"] = f"198.51.100.{next(_addresses)}"
    return s


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def link_in(message, kind: str) -> str:
    found = re.search(rf"(http://\S+/{kind}/\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def sign_up(s: requests.Session, site: str, user: str, address: str, /, **extra) -> requests.Response:
    token = csrf(s.get(site + "/register", timeout=10).text)
    data = {"username": user, "name": f"{user.title()} <Tester>", "email": address, "password": PASSWORD,
            "terms": extra.pop("terms", None) or re.search(r'name="terms" value="([^"]+)"',
                                                           s.get(site + "/register", timeout=10).text).group(1),
            "csrf_token": token, **extra}
    return s.post(site + "/register", data=data, timeout=10, allow_redirects=False)


def sign_in(s: requests.Session, site: str, username: str, password: str = PASSWORD) -> requests.Response:
    token = csrf(s.get(site + "/login", timeout=10).text)
    return s.post(site + "/login", data={"username": username, "password": password, "csrf_token": token},
                  timeout=10, allow_redirects=False)


def test_a_newcomer_signs_up_confirms_and_is_signed_in(site, box):
    s = client()
    r = sign_up(s, site, "newcomer", "newcomer@example.org")
    assert r.status_code == 200 and "newcomer@example.org" in r.text
    [mail] = box.to("newcomer@example.org")
    assert mail["Subject"] == "Confirm your e-mail address"
    assert "Newcomer <Tester>" in mail.get_content()  # plain text: not HTML-escaped
    link = link_in(mail, "register/confirm")
    assert link.startswith(site)
    # not confirmed yet: signing in says so and offers to send the link again
    r = sign_in(s, site, "newcomer")
    assert r.status_code == 403 and "Send the link again" in r.text
    r = s.post(site + "/register/resend", data={"csrf_token": csrf(r.text)}, timeout=10)
    assert r.status_code == 200
    newer = link_in(box.to("newcomer@example.org", 2)[1], "register/confirm")
    assert s.get(link, timeout=10).status_code == 404  # the first link stopped working
    page = s.get(newer, timeout=10)
    assert page.status_code == 200 and "newcomer@example.org" in page.text
    r = s.post(newer, data={"csrf_token": csrf(page.text)}, timeout=10, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/account")
    account = s.get(site + "/account", timeout=10).text
    assert "confirmed" in account and "Newcomer &lt;Tester&gt;" in account
    # the link works once
    assert s.post(newer, data={"csrf_token": csrf(account)}, timeout=10).status_code == 404


def test_a_forgotten_password_is_reset_through_the_mail(site, box):
    s = client()
    sign_up(s, site, "forgetful", "forgetful@example.org")
    confirm = link_in(box.to("forgetful@example.org")[0], "register/confirm")
    s.post(confirm, data={"csrf_token": csrf(s.get(confirm, timeout=10).text)}, timeout=10)
    other = client()
    page = other.get(site + "/password/forgot", timeout=10).text
    r = other.post(site + "/password/forgot", data={"email": "forgetful@example.org", "csrf_token": csrf(page)},
                   timeout=10)
    assert r.status_code == 200 and "one hour" in r.text
    reset = link_in(box.to("forgetful@example.org", 2)[1], "password/reset")
    form = other.get(reset, timeout=10).text
    r = other.post(reset, data={"password": "a brand new password", "again": "a different one!!",
                                "csrf_token": csrf(form)}, timeout=10)
    assert r.status_code == 400 and "differ" in r.text
    r = other.post(reset, data={"password": "a brand new password", "again": "a brand new password",
                                "csrf_token": csrf(form)}, timeout=10, allow_redirects=False)
    assert r.status_code == 303
    assert sign_in(client(), site, "forgetful", "a brand new password").status_code == 303
    assert sign_in(client(), site, "forgetful").status_code == 401
    assert other.get(reset, timeout=10).status_code == 404  # used
    # the first session ended with the old password
    assert s.get(site + "/account", timeout=10, allow_redirects=False).status_code == 302


def test_unknown_addresses_get_the_same_answer_and_no_mail(site, box):
    s = client()
    before = len(box.messages)
    page = s.get(site + "/password/forgot", timeout=10).text
    r = s.post(site + "/password/forgot", data={"email": "nobody@example.org", "csrf_token": csrf(page)}, timeout=10)
    assert r.status_code == 200 and "If an account has" in r.text
    r = s.post(site + "/password/forgot", data={"email": "not an address", "csrf_token": csrf(page)}, timeout=10)
    assert r.status_code == 400 and "name@example.org" in r.text
    assert len(box.messages) == before


def test_signing_up_with_an_address_in_use_tells_its_owner_only(site, box):
    sign_up(client(), site, "owner", "owner@example.org")
    r = sign_up(client(), site, "intruder", "owner@example.org")
    assert r.status_code == 200 and "Check your mailbox" in r.text  # the same answer as a new address
    second = box.to("owner@example.org", 2)[1]
    assert second["Subject"] == "You already have an account" and "owner" in second.get_content()
    assert sign_in(client(), site, "intruder").status_code == 401  # nothing was created


@pytest.mark.parametrize("field, value, status, message", [
    ("username", "Bad Name", 400, "lowercase letters"),
    ("email", "me@", 400, "name@example.org"),
    ("email", "me@example.org\r\nBcc: x@example.org", 400, "name@example.org"),
    ("password", "short", 400, "at least 10"),
    ("name", "", 400, "Give your name"),
    ("terms", "1999-01-01", 400, "Accept the terms"),
])
def test_bad_sign_ups_say_what_to_fix_and_send_nothing(site, box, field, value, status, message):
    before = len(box.messages)
    r = sign_up(client(), site, f"bad-{field}", f"bad-{field}@example.org", **{field: value})
    assert r.status_code == status and message in r.text and 'aria-invalid="true"' in r.text
    assert len(box.messages) == before


def test_a_taken_username_is_a_conflict(site, box):
    sign_up(client(), site, "taken", "taken@example.org")
    r = sign_up(client(), site, "taken", "someone-else@example.org")
    assert r.status_code == 409 and "taken" in r.text


def test_a_robot_filling_the_honeypot_is_told_yes_and_nothing_happens(site, box):
    before = len(box.messages)
    r = sign_up(client(), site, "robot", "robot@example.org", website="http://spam.example")
    assert r.status_code == 200 and "Check your mailbox" in r.text
    assert len(box.messages) == before
    assert sign_in(client(), site, "robot").status_code == 401


def test_a_sign_up_flood_from_one_address_is_refused(site, box):
    s = client()
    answers = [sign_up(s, site, f"flood{i}", f"flood{i}@example.org").status_code for i in range(7)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
    r = sign_up(s, site, "flood9", "flood9@example.org")
    assert "Retry-After" in r.headers and "Too many requests" in r.text
    assert sign_in(client(), site, "flood6").status_code == 401


def test_forged_and_missing_tokens(site):
    s = client()
    for path in ("/register/confirm/" + "A" * 43, "/password/reset/" + "B" * 43, "/register/confirm/<script>"):
        r = s.get(site + path, timeout=10)
        assert r.status_code == 404 and "<script>" not in r.text
    r = s.post(site + "/register", data={"username": "nocsrf", "name": "x", "email": "n@example.org",
                                         "password": PASSWORD, "terms": "x"}, timeout=10)
    assert r.status_code == 400
    assert sign_in(client(), site, "nocsrf").status_code == 401


def confirmed(site: str, box: Mailbox, username: str) -> requests.Session:
    s = client()
    sign_up(s, site, username, f"{username}@example.org")
    link = link_in(box.to(f"{username}@example.org")[0], "register/confirm")
    s.post(link, data={"csrf_token": csrf(s.get(link, timeout=10).text)}, timeout=10)
    return s


def test_the_account_page_exports_and_deletes(site, box):
    s = confirmed(site, box, "leaving")
    page = s.get(site + "/account", timeout=10)
    assert page.status_code == 200 and "leaving@example.org" in page.text
    r = s.get(site + "/account/export.json", timeout=10)
    assert r.headers["Content-Type"].startswith("application/json") and "attachment" in r.headers["Content-Disposition"]
    data = r.json()
    assert data["username"] == "leaving" and data["email_confirmed"] and "argon2" not in r.text
    token = csrf(page.text)
    r = s.post(site + "/account/delete", data={"confirm": "leaving", "password": "wrong password!",
                                               "csrf_token": token}, timeout=10)
    assert r.status_code == 403 and "not deleted" in r.text
    r = s.post(site + "/account/delete", data={"confirm": "someone", "password": PASSWORD, "csrf_token": token},
               timeout=10)
    assert r.status_code == 400
    r = s.post(site + "/account/delete", data={"confirm": "leaving", "password": PASSWORD, "csrf_token": token},
               timeout=10, allow_redirects=False)
    assert r.status_code == 303
    assert sign_in(client(), site, "leaving").status_code == 401
    assert s.get(site + "/account", timeout=10, allow_redirects=False).status_code == 302


def test_changing_password_and_address_on_the_account_page(site, box):
    s = confirmed(site, box, "mover")
    token = csrf(s.get(site + "/account", timeout=10).text)
    r = s.post(site + "/account/password", data={"current": "wrong password!", "password": "x" * 12, "again": "x" * 12,
                                                 "csrf_token": token}, timeout=10)
    assert r.status_code == 403
    r = s.post(site + "/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                 "again": "a new long password", "csrf_token": token}, timeout=10)
    assert r.status_code == 200 and "signed out everywhere else" in r.text  # this session goes on
    token = csrf(r.text)  # a new session: a new CSRF token
    r = s.post(site + "/account/email", data={"email": "mover@new.example.org", "csrf_token": token}, timeout=10)
    assert r.status_code == 200
    link = link_in(box.to("mover@new.example.org")[0], "register/confirm")
    assert "mover@example.org" in s.get(site + "/account", timeout=10).text  # until confirmed
    s.post(link, data={"csrf_token": token}, timeout=10)
    assert "mover@new.example.org" in s.get(site + "/account", timeout=10).text
    sign_up(client(), site, "squatter", "squat@example.org")
    token = csrf(s.get(site + "/account", timeout=10).text)  # confirming started a new session
    r = s.post(site + "/account/email", data={"email": "squat@example.org", "csrf_token": token}, timeout=10)
    assert r.status_code == 409 and "Another account uses this address" in r.text


def test_accepting_terms_needs_the_box_and_the_current_version(site, box):
    s = confirmed(site, box, "reader")
    token = csrf(s.get(site + "/account", timeout=10).text)
    r = s.post(site + "/terms/accept", data={"accept": "yes", "version": "1999-01-01", "csrf_token": token},
               timeout=10)
    assert r.status_code == 409 and "read them again" in r.text
    r = s.post(site + "/terms/accept", data={"version": "1999-01-01", "csrf_token": token}, timeout=10)
    assert r.status_code == 400 and "Tick the box" in r.text


def test_anonymous_visitors_are_sent_to_sign_in(site):
    s = client()
    for path in ("/account", "/account/export.json", "/terms/accept"):
        r = s.get(site + path, timeout=10, allow_redirects=False)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = s.post(site + "/register/resend", data={}, timeout=10, allow_redirects=False)
    assert r.status_code == 400  # no CSRF token, no session: refused before anything


def test_the_terms_page_is_public_and_dated(site):
    r = client().get(site + "/terms", timeout=10)
    assert r.status_code == 200 and "Terms of use" in r.text and "never published" in r.text


def test_needs_terms_gate(tmp_path):
    """The gate itself, through the Flask test client on an account that accepted old terms."""
    from webapp import create_app

    settings = load_settings({}, store=str(tmp_path / "store"))
    app = create_app(settings)
    app.config["WTF_CSRF_ENABLED"] = False
    from webapp.context import root
    with app.app_context():
        c = root(app)
        c.accounts.add_user("old", PASSWORD)
        iri = c.accounts.user_iri("old")
        c.accounts._insert([ox.Triple(iri, CAT.acceptedTerms, ox.Literal("2025-01-01"))])
    tc = app.test_client()
    r = tc.post("/login", data={"username": "old", "password": PASSWORD})
    assert r.status_code == 303
    r = tc.get("/solutions")
    assert r.status_code == 303 and "/terms/accept" in r.headers["Location"]
    page = tc.get(r.headers["Location"])
    assert page.status_code == 200 and "have changed" in page.get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    r = tc.post("/terms/accept", data={"accept": "yes", "version": version, "next": "/solutions"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/solutions")
    assert tc.get("/solutions").status_code == 200
    assert json.loads(tc.get("/account/export.json").get_data())["facts"]
