"""Collections as communities (issue 15, item 2), the domain: joining open and closed
collections, requests decided with a reason, roles and what they allow, ownership,
settings, invitations by mail, and the history of who did what."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue.app import Catalogue
from catalogue.community.membership import CommunitySettings, MembershipError
from catalogue.community.registration import Composed
from catalogue.errors import ErrorKind
from catalogue.settings import load_settings

DUMP = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
COLLECTION = "http://repo.example.org/collection"
PASSWORD = "a long enough password"


@pytest.fixture
def cat(tmp_path, mailbox):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), **mailbox.settings()))
    c.publishing.register_source("example", "Example repository")
    assert c.publishing.ingest("example", DUMP.read_bytes(), format="ttl", mode="strict").stored
    for name, roles in [("olga", ()), ("fred", ()), ("ana", ()), ("bo", ()), ("mod", ("moderator",))]:
        c.accounts.add_user(name, PASSWORD, name=name.title(), roles=roles, email=f"{name}@example.org")
    c.membership.transfer(COLLECTION, "olga", c.accounts.user("mod"))  # a moderator names the first owner
    yield c
    c.close()


def user(cat, name):
    return cat.accounts.user(name)


def test_an_open_collection_is_joined_at_once_and_left(cat):
    assert cat.membership.join(COLLECTION, user(cat, "ana")) == "active"
    assert cat.membership.role_of(COLLECTION, "ana") == "member"
    assert [m.username for m in cat.membership.members(COLLECTION)] == ["olga", "ana"]
    with pytest.raises(MembershipError) as err:
        cat.membership.join(COLLECTION, user(cat, "ana"))
    assert err.value.error_kind is ErrorKind.CONFLICT
    cat.membership.leave(COLLECTION, user(cat, "ana"))
    assert cat.membership.role_of(COLLECTION, "ana") is None


def test_a_closed_collection_takes_requests_that_facilitators_decide(cat):
    olga = user(cat, "olga")
    cat.membership.configure(COLLECTION, CommunitySettings(open=False), olga)
    assert cat.membership.join(COLLECTION, user(cat, "ana"), note="I run the SEMIC pilot") == "pending"
    assert cat.membership.join(COLLECTION, user(cat, "bo")) == "pending"
    assert [(m.username, m.note) for m in cat.membership.pending(COLLECTION)] == [
        ("ana", "I run the SEMIC pilot"), ("bo", "")]
    with pytest.raises(MembershipError) as err:  # a member is no facilitator
        cat.membership.decide(COLLECTION, "ana", user(cat, "fred"), approve=True)
    assert err.value.error_kind is ErrorKind.FORBIDDEN
    with pytest.raises(MembershipError, match="reason"):
        cat.membership.decide(COLLECTION, "bo", olga, approve=False)
    cat.membership.decide(COLLECTION, "ana", olga, approve=True)
    cat.membership.decide(COLLECTION, "bo", olga, approve=False, reason="This community is for public bodies")
    assert cat.membership.role_of(COLLECTION, "ana") == "member"
    assert cat.membership.state_of(COLLECTION, "bo") is None and cat.membership.pending(COLLECTION) == []
    history = cat.membership.history(COLLECTION)
    assert ("refuse", "olga", "bo", "This community is for public bodies") in [
        (a.action, a.actor, a.subject, a.note) for a in history]


def test_roles_and_what_they_allow(cat):
    m, olga = cat.membership, user(cat, "olga")
    for name in ("ana", "bo", "fred"):
        m.join(COLLECTION, user(cat, name))
    m.configure(COLLECTION, CommunitySettings(who_may_post="authors", moderation="after"), olga)
    assert not m.may_post(COLLECTION, user(cat, "ana"))
    m.set_role(COLLECTION, "ana", "author", olga)
    m.set_role(COLLECTION, "fred", "facilitator", olga)
    assert m.may_post(COLLECTION, user(cat, "ana")) and not m.may_facilitate(COLLECTION, user(cat, "ana"))
    fred = user(cat, "fred")
    assert m.may_facilitate(COLLECTION, fred) and COLLECTION in fred.collections  # the proposals' moderation too
    with pytest.raises(MembershipError):  # a facilitator cannot make another facilitator
        m.set_role(COLLECTION, "bo", "facilitator", fred)
    with pytest.raises(MembershipError):  # nor remove the owner
        m.remove(COLLECTION, "olga", fred)
    m.set_role(COLLECTION, "bo", "author", fred)
    m.remove(COLLECTION, "bo", fred, reason="spam")
    assert m.role_of(COLLECTION, "bo") is None
    m.set_role(COLLECTION, "fred", "member", olga)
    assert COLLECTION not in user(cat, "fred").collections
    assert m.may_facilitate(COLLECTION, user(cat, "mod")) and m.may_post(COLLECTION, user(cat, "mod"))
    assert not m.may_post(COLLECTION, None)
    with pytest.raises(MembershipError):
        m.set_role(COLLECTION, "ana", "owner", olga)


def test_ownership_is_transferred_and_the_owner_cannot_just_leave(cat):
    m, olga = cat.membership, user(cat, "olga")
    with pytest.raises(MembershipError) as err:
        m.leave(COLLECTION, olga)
    assert err.value.error_kind is ErrorKind.CONFLICT
    with pytest.raises(MembershipError):
        m.transfer(COLLECTION, "ana", olga)  # not a member yet
    m.join(COLLECTION, user(cat, "ana"))
    with pytest.raises(MembershipError):
        m.transfer(COLLECTION, "olga", user(cat, "ana"))  # only the owner gives it
    m.transfer(COLLECTION, "ana", olga)
    assert m.role_of(COLLECTION, "ana") == "owner" and m.role_of(COLLECTION, "olga") == "facilitator"
    m.leave(COLLECTION, user(cat, "olga"))


def test_invitations_by_mail_work_once_even_for_closed_collections(cat, mailbox):
    m, olga = cat.membership, user(cat, "olga")
    m.configure(COLLECTION, CommunitySettings(open=False), olga)

    def compose(secret):
        return Composed("Join us", f"https://catalogue.example.org/community/invitation/{secret}\n")
    m.invite(COLLECTION, "newcomer@example.org", olga, compose)
    [mail] = mailbox.wait_for(1)
    secret = re.search(r"invitation/(\S+)", mail.get_content()).group(1)
    assert mail["To"] == "newcomer@example.org"
    assert m.accept(secret, user(cat, "bo")) == COLLECTION
    assert m.role_of(COLLECTION, "bo") == "member"
    with pytest.raises(MembershipError) as err:
        m.accept(secret, user(cat, "ana"))
    assert err.value.error_kind is ErrorKind.NOT_FOUND
    with pytest.raises(MembershipError):
        m.invite(COLLECTION, "x@example.org", user(cat, "ana"), compose)  # members do not invite


def test_unknown_collections_and_bad_settings(cat):
    with pytest.raises(MembershipError) as err:
        cat.membership.join("http://nowhere.example.org/c", user(cat, "ana"))
    assert err.value.error_kind is ErrorKind.NOT_FOUND
    with pytest.raises(MembershipError):
        cat.membership.configure(COLLECTION, CommunitySettings(who_may_post="everyone"), user(cat, "olga"))
    with pytest.raises(MembershipError):
        cat.membership.join(COLLECTION, user(cat, "ana"), note="x" * 1001)


def test_membership_is_private(cat):
    cat.membership.join(COLLECTION, user(cat, "ana"))
    import json
    answer = cat.endpoint.query("SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                                "FILTER (?p = <https://catalogue.example.org/def/catalogue#roleInCollection>) }",
                                results_format="application/sparql-results+json", graph_format="text/turtle")
    assert json.loads(answer.body)["results"]["bindings"] == []
