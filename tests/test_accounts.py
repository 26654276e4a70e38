"""Accounts, roles and API tokens live as RDF in the private accounts graph (both backends)."""

from __future__ import annotations

import pytest

from catalogue.app import Catalogue
from catalogue.community.accounts import AccountError, Accounts, token_hash
from catalogue.graphs import Graphs

BASE = "https://catalogue.example.org/"


@pytest.fixture
def accounts(store):
    return Accounts(store, Graphs(BASE))


def test_a_user_signs_in_with_the_right_password_only(accounts):
    user = accounts.add_user("alice", "a long password", name="Alice A.", sources=("spain-ctt",))
    assert user.name == "Alice A." and user.roles == {"member"} and user.sources == {"spain-ctt"}
    assert user.can_publish("spain-ctt") and not user.can_publish("demo")
    assert accounts.authenticate("alice", "a long password") == user
    assert accounts.authenticate("alice", "a long passworD") is None
    assert accounts.authenticate("nobody", "a long password") is None
    assert accounts.authenticate("../evil", "x") is None


def test_the_password_is_an_argon2_hash_never_the_password(accounts, store):
    accounts.add_user("alice", "a long password")
    text = "\n".join(str(q) for q in store.quads())
    assert "a long password" not in text and "$argon2id$" in text


def test_bad_accounts_are_refused_with_the_reason(accounts):
    with pytest.raises(AccountError, match="too short"):
        accounts.add_user("alice", "short")
    with pytest.raises(AccountError, match="not valid"):
        accounts.add_user("Alice Smith", "a long password")
    accounts.add_user("alice", "a long password")
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("alice", "another long one")
    with pytest.raises(AccountError, match="unknown role"):
        accounts.grant("alice", role="emperor")


def test_roles_are_granted_and_revoked(accounts):
    accounts.add_user("mod", "a long password", roles=("moderator",))
    assert accounts.user("mod").is_moderator and not accounts.user("mod").is_admin
    accounts.grant("mod", role="admin")
    assert accounts.user("mod").can_publish("anything")
    accounts.revoke("mod", role="admin")
    assert not accounts.user("mod").is_admin
    accounts.set_password("mod", "a new long password")
    assert accounts.authenticate("mod", "a new long password")
    assert accounts.authenticate("mod", "a long password") is None


def test_a_token_is_shown_once_stored_hashed_and_revocable(accounts, store):
    token, secret = accounts.create_token("spain-ctt", "nightly")
    assert secret.startswith("cat_") and len(secret) > 40
    assert accounts.token_source(secret) == "spain-ctt"
    text = "\n".join(str(q) for q in store.quads())
    assert secret not in text and token_hash(secret) in text
    assert accounts.token_source(secret + "x") is None
    assert accounts.token_source("not a token") is None
    assert [t.label for t in accounts.tokens("spain-ctt")] == ["nightly"]
    assert not accounts.revoke_token(token.iri, "other-source")
    assert accounts.revoke_token(token.iri, "spain-ctt")
    assert accounts.token_source(secret) is None
    assert accounts.tokens("spain-ctt")[0].revoked


def test_accounts_are_never_public(store, settings):
    catalogue = Catalogue(settings, store)
    catalogue.accounts.add_user("alice", "a long password")
    catalogue.accounts.create_token("demo")
    graphs = {g.value for g in catalogue.public_graphs()}
    assert Graphs(settings.base_uri).accounts.value not in graphs
    assert not catalogue.reader.describe(f"{settings.base_uri}user/alice")


def test_every_process_gets_the_same_session_key(accounts, store):
    key = accounts.session_secret()
    assert len(key) == 64 and Accounts(store, Graphs(BASE)).session_secret() == key
