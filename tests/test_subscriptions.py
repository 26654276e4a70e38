"""Subscriptions and notifications (issue 15, item 5), the domain: following, what is new
read from the published data, digests mailed to a real SMTP server on 127.0.0.1 with a
signed one-click unsubscribe link, and what never goes out (drafts, unconfirmed
addresses, forged links)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalogue.app import Catalogue
from catalogue.community.membership import CommunitySettings
from catalogue.community.subscriptions import SubscriptionError
from catalogue.errors import ErrorKind
from catalogue.settings import load_settings

DUMP = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
COLLECTION = "http://repo.example.org/collection"
PASSWORD = "a long enough password"


@pytest.fixture
def cat(tmp_path, mailbox):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), site_url="http://127.0.0.1:9999/",
                                **mailbox.settings()))
    c.publishing.register_source("example", "Example repository")
    assert c.publishing.ingest("example", DUMP.read_bytes(), format="ttl", mode="strict").stored
    for name, roles in [("olga", ()), ("ana", ()), ("bo", ()), ("mod", ("moderator",))]:
        c.accounts.add_user(name, PASSWORD, name=name.title(), roles=roles)
        c.registration.set_confirmed_email(name, f"{name}@example.org")
    c.membership.transfer(COLLECTION, "olga", c.accounts.user("mod"))
    c.membership.join(COLLECTION, c.accounts.user("ana"))
    yield c
    c.close()


def user(cat, name):
    return cat.accounts.user(name)


def post_news(cat, title: str, *, by: str = "olga", submit: bool = True):
    return cat.content.create(COLLECTION, "news", {"title": title, "description": "Details"}, user(cat, by),
                              submit=submit)


def test_follow_choose_and_unfollow(cat):
    s = cat.subscriptions.follow(user(cat, "bo"), COLLECTION, kinds={"news", "event"}, frequency="weekly")
    assert s.kinds == {"news", "event"} and s.frequency == "weekly" and s.target == COLLECTION
    again = cat.subscriptions.follow(user(cat, "bo"), COLLECTION, kinds={"news"}, frequency="daily")
    assert again.iri == s.iri and again.kinds == {"news"} and again.created == s.created
    assert [x.target for x in cat.subscriptions.of_user("bo")] == [COLLECTION]
    assert cat.subscriptions.unfollow("bo", COLLECTION) and cat.subscriptions.of_user("bo") == []
    assert not cat.subscriptions.unfollow("bo", COLLECTION)


@pytest.mark.parametrize("target, kinds, frequency", [
    ("http://nowhere.example.org/x", None, "daily"),
    (COLLECTION, {"gossip"}, "daily"),
    (COLLECTION, set(), "daily"),
    (COLLECTION, None, "hourly"),
])
def test_bad_subscriptions_are_refused(cat, target, kinds, frequency):
    with pytest.raises(SubscriptionError):
        cat.subscriptions.follow(user(cat, "bo"), target, kinds=kinds, frequency=frequency)
    assert cat.subscriptions.of_user("bo") == []


def test_a_digest_brings_what_was_published_with_links_and_one_click_unsubscribe(cat, mailbox):
    cat.membership.configure(COLLECTION, CommunitySettings(moderation="before"), user(cat, "olga"))
    cat.subscriptions.follow(user(cat, "bo"), COLLECTION, frequency="daily")
    draft = post_news(cat, "A draft nobody sees", submit=False)
    proposed = post_news(cat, "Proposed by Ana", by="ana")
    assert proposed.state == "proposed" and draft.state == "draft"
    assert cat.subscriptions.notify(("daily",)) == {"due": 0, "sent": 0, "failed": 0}  # not a day yet
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    cat.content.act(proposed.ident, "publish", user(cat, "olga"))
    done = cat.subscriptions.notify(("daily",), now=later)
    assert done == {"due": 1, "sent": 1, "failed": 0}
    [mail] = mailbox.wait_for(1)
    text = mail.get_content()
    assert mail["To"] == "bo@example.org" and "Proposed by Ana" in text and "A draft nobody sees" not in text
    assert "http://127.0.0.1:9999/resource?uri=" in text
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://127.0.0.1:9999/unsubscribe/") and unsubscribe in text
    # the next run sends nothing more: the clock moved on
    assert cat.subscriptions.notify(("daily",), now=later + timedelta(days=3))["sent"] == 0
    ident, signature = unsubscribe.rsplit("/", 2)[1:]
    with pytest.raises(SubscriptionError) as err:
        cat.subscriptions.unsubscribe(ident, "0" * 32)
    assert err.value.error_kind is ErrorKind.FORBIDDEN and cat.subscriptions.of_user("bo")
    assert cat.subscriptions.unsubscribe(ident, signature).target == COLLECTION
    assert cat.subscriptions.of_user("bo") == []
    with pytest.raises(SubscriptionError) as err:
        cat.subscriptions.unsubscribe(ident, signature)
    assert err.value.error_kind is ErrorKind.NOT_FOUND


def test_kinds_filter_and_an_unconfirmed_address_gets_no_mail(cat, mailbox):
    cat.membership.configure(COLLECTION, CommunitySettings(moderation="after"), user(cat, "olga"))
    cat.subscriptions.follow(user(cat, "bo"), COLLECTION, kinds={"event"}, frequency="immediate")
    cat.accounts.add_user("cy", PASSWORD, email="cy@example.org")  # never confirmed
    cat.subscriptions.follow(user(cat, "cy"), COLLECTION, frequency="immediate")
    post_news(cat, "Only news")
    done = cat.subscriptions.notify(("immediate",), now=datetime.now(UTC) + timedelta(seconds=5))
    assert done["sent"] == 0 and mailbox.messages == []
    assert [i.title for i in cat.subscriptions.notifications("cy")] == ["Only news"]  # still on the site
    assert cat.subscriptions.notifications("bo") == []


def test_whats_new_and_a_solutions_own_changes(cat):
    cat.membership.configure(COLLECTION, CommunitySettings(moderation="after"), user(cat, "olga"))
    post_news(cat, "Site-wide news")
    items = cat.subscriptions.whats_new(datetime(2000, 1, 1, tzinfo=UTC))
    kinds = {i.kind for i in items}
    assert "news" in kinds and "change" in kinds  # the demo solutions' dct:modified
    assert items == sorted(items, key=lambda i: i.at, reverse=True)


def test_subscriptions_are_private(cat):
    import json
    cat.subscriptions.follow(user(cat, "bo"), COLLECTION)
    answer = cat.endpoint.query("SELECT * WHERE { GRAPH ?g { ?s a <https://catalogue.example.org/def/catalogue#"
                                "Subscription> } }", results_format="application/sparql-results+json",
                                graph_format="text/turtle")
    assert json.loads(answer.body)["results"]["bindings"] == []


def test_the_unsubscribe_link_is_bound_to_its_subscription(cat):
    a = cat.subscriptions.follow(user(cat, "bo"), COLLECTION)
    link = cat.subscriptions.unsubscribe_link(a)
    assert re.search(r"/unsubscribe/[0-9a-f]{24}/[0-9a-f]{32}$", link)
    other = cat.subscriptions.follow(user(cat, "ana"), COLLECTION)
    ident = other.iri.rsplit("/", 1)[1]
    with pytest.raises(SubscriptionError):  # a's signature does not open ana's subscription
        cat.subscriptions.unsubscribe(ident, link.rsplit("/", 1)[1])


def test_a_deleted_account_leaves_its_communities_and_subscriptions(cat):
    cat.subscriptions.follow(user(cat, "ana"), COLLECTION)
    assert cat.membership.role_of(COLLECTION, "ana") == "member"
    cat.registration.delete("ana", PASSWORD)
    assert cat.subscriptions.of_user("ana") == [] and cat.membership.collections_of("ana") == []
    assert "ana" not in [m.username for m in cat.membership.members(COLLECTION)]
