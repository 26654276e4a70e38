"""Accounts for everyone (issue 15, item 1), the domain: sign-up with a confirmed address,
password reset, versioned terms, export and deletion, with mail arriving at a real SMTP
server on 127.0.0.1."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.community.accounts import AccountError
from catalogue.community.registration import TERMS_VERSION, Composed, RegistrationError
from catalogue.errors import ErrorKind
from catalogue.settings import load_settings
from catalogue.terms import CAT


def confirm_mail(secret: str) -> Composed:
    return Composed("Confirm your address", f"Open https://catalogue.example.org/register/confirm/{secret}\n")


def taken_mail(username: str) -> Composed:
    return Composed("You already have an account", f"Your account is {username}.\n")


def reset_mail(secret: str) -> Composed:
    return Composed("Reset your password", f"Open https://catalogue.example.org/password/reset/{secret}\n")


def secret_in(message) -> str:
    found = re.search(r"/(?:confirm|reset)/([A-Za-z0-9_-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


@pytest.fixture
def cat(tmp_path, mailbox):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), **mailbox.settings()))
    yield c
    c.close()


def register(cat, username="ana", email="ana@example.org", **kw):
    return cat.registration.register(username, kw.pop("name", "Ana Lopes"), email, kw.pop("password", "a long password"),
                                     accepted_terms=kw.pop("terms", TERMS_VERSION),
                                     compose_confirm=confirm_mail, compose_taken=taken_mail)


def test_sign_up_confirm_and_the_link_works_once(cat, mailbox):
    user = register(cat)
    assert user is not None and user.email == "ana@example.org" and not user.email_verified
    assert user.self_registered and user.accepted_terms == TERMS_VERSION and user.roles == {"member"}
    [msg] = mailbox.wait_for(1)
    assert msg["To"] == "ana@example.org" and msg["Subject"] == "Confirm your address"
    secret = secret_in(msg)
    confirmed = cat.registration.confirm(secret)
    assert confirmed.email_verified
    with pytest.raises(RegistrationError) as err:
        cat.registration.confirm(secret)
    assert err.value.error_kind is ErrorKind.NOT_FOUND and "new one" in str(err.value)


def test_an_address_in_use_creates_nothing_and_tells_its_owner(cat, mailbox):
    register(cat)
    assert register(cat, username="eve", name="Eve") is None
    assert cat.accounts.user("eve") is None
    second = mailbox.wait_for(2)[1]
    assert second["Subject"] == "You already have an account" and "ana" in second.get_content()


@pytest.mark.parametrize("kw, error", [
    ({"terms": ""}, RegistrationError), ({"terms": "2020-01-01"}, RegistrationError),
    ({"name": "  "}, RegistrationError), ({"name": "x" * 101}, RegistrationError),
    ({"email": "ana@"}, RegistrationError), ({"email": "a@b.org\nBcc: c@d.org"}, RegistrationError),
    ({"password": "short"}, RegistrationError), ({"username": "A B"}, RegistrationError),
])
def test_bad_sign_ups_are_refused_and_nothing_is_stored_or_sent(cat, mailbox, kw, error):
    with pytest.raises(error) as err:
        register(cat, **kw)
    assert err.value.field == next(iter(kw))
    assert cat.accounts.users() == [] and mailbox.messages == []


def test_a_taken_username_is_a_conflict(cat, mailbox):
    register(cat)
    with pytest.raises(RegistrationError) as err:
        register(cat, email="other@example.org")
    assert err.value.error_kind is ErrorKind.CONFLICT and err.value.field == "username"


def test_resending_replaces_the_old_link(cat, mailbox):
    register(cat)
    first = secret_in(mailbox.wait_for(1)[0])
    assert cat.registration.resend("ana", confirm_mail)
    second = secret_in(mailbox.wait_for(2)[1])
    with pytest.raises(RegistrationError):
        cat.registration.confirm(first)
    assert cat.registration.confirm(second).email_verified
    assert not cat.registration.resend("ana", confirm_mail)  # nothing left to confirm


def test_password_reset_only_for_a_confirmed_address_and_once(cat, mailbox):
    register(cat)
    cat.registration.forgot("ana@example.org", reset_mail)  # not confirmed yet: nothing sent
    cat.registration.forgot("nobody@example.org", reset_mail)  # unknown: nothing sent, nothing said
    assert len(mailbox.wait_for(1)) == 1
    cat.registration.confirm(secret_in(mailbox.messages[0]))
    cat.registration.forgot("ana@example.org", reset_mail)
    secret = secret_in(mailbox.wait_for(2)[1])
    with pytest.raises(AccountError):
        cat.registration.reset(secret, "short")  # the link still works after this
    cat.registration.reset(secret, "another long password")
    assert cat.accounts.authenticate("ana", "another long password") is not None
    assert cat.accounts.authenticate("ana", "a long password") is None
    with pytest.raises(RegistrationError):
        cat.registration.reset(secret, "a third long password")


def test_a_reset_link_cannot_confirm_and_garbage_is_not_found(cat, mailbox):
    register(cat)
    cat.registration.confirm(secret_in(mailbox.wait_for(1)[0]))
    cat.registration.forgot("ana@example.org", reset_mail)
    reset = secret_in(mailbox.wait_for(2)[1])
    for secret, purpose in [(reset, "verify"), ("x" * 43, "reset"), ("<script>", "reset"), ("", "verify")]:
        with pytest.raises(RegistrationError):
            cat.registration.token(secret, purpose)


def test_terms_versions(cat, mailbox):
    user = register(cat)
    assert not cat.registration.needs_terms(user)
    # an account that accepted an older version is asked again
    cat.registration.accept_terms("ana", TERMS_VERSION)
    iri = cat.accounts.user_iri("ana")
    cat.accounts._delete([ox.Triple(iri, CAT.acceptedTerms, ox.Literal(TERMS_VERSION))])
    cat.accounts._insert([ox.Triple(iri, CAT.acceptedTerms, ox.Literal("2025-01-01"))])
    assert cat.registration.needs_terms(cat.accounts.user("ana"))
    with pytest.raises(RegistrationError):
        cat.registration.accept_terms("ana", "2025-01-01")
    cat.registration.accept_terms("ana", TERMS_VERSION)
    assert not cat.registration.needs_terms(cat.accounts.user("ana"))
    # an account an administrator created is not asked
    admin_made = cat.accounts.add_user("bo", "a long password")
    assert not cat.registration.needs_terms(admin_made)


def test_changing_the_address_keeps_the_old_one_until_confirmed(cat, mailbox):
    register(cat)
    cat.registration.confirm(secret_in(mailbox.wait_for(1)[0]))
    cat.registration.change_email("ana", "ana@new.example.org", confirm_mail)
    msg = mailbox.wait_for(2)[1]
    assert msg["To"] == "ana@new.example.org"
    assert cat.accounts.user("ana").email == "ana@example.org"
    cat.registration.confirm(secret_in(msg))
    user = cat.accounts.user("ana")
    assert user.email == "ana@new.example.org" and user.email_verified
    register(cat, username="bo", email="bo@example.org", name="Bo")
    with pytest.raises(RegistrationError) as err:
        cat.registration.change_email("bo", "ana@new.example.org", confirm_mail)
    assert err.value.error_kind is ErrorKind.CONFLICT


def test_export_leaves_secrets_out_and_delete_needs_the_password(cat, mailbox):
    register(cat)
    data = json.loads(cat.registration.export_json("ana"))
    assert data["username"] == "ana" and data["email"] == "ana@example.org" and data["proposals"] == []
    text = json.dumps(data)
    assert "argon2" not in text and "passwordHash" not in text and "sessionVersion" not in text
    with pytest.raises(RegistrationError) as err:
        cat.registration.delete("ana", "wrong password!!")
    assert err.value.error_kind is ErrorKind.FORBIDDEN and cat.accounts.user("ana") is not None
    cat.registration.delete("ana", "a long password")
    assert cat.accounts.user("ana") is None and cat.registration.user_by_email("ana@example.org") is None
    with pytest.raises(RegistrationError):  # the pending confirmation link went with it
        cat.registration.confirm(secret_in(mailbox.messages[0]))


def test_the_last_administrator_cannot_delete_itself(cat):
    cat.accounts.add_user("root", "a long password", roles=("admin",))
    with pytest.raises(RegistrationError) as err:
        cat.registration.delete("root", "a long password")
    assert err.value.error_kind is ErrorKind.CONFLICT and cat.accounts.user("root") is not None
