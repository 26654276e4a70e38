"""Subscriptions and notifications (issue 15, item 5): follow a collection, a solution or a
discussion, choose which kinds of news, and be told by mail at once or in a daily or weekly
digest, each mail with a signed one-click unsubscribe link (RFC 8058).

What is new is READ from the published data, never copied into a queue: community content
published in a container (``sioc:has_container``, ``dct:issued``, public graph
``graph/content``), visible comments on it (``sioc:reply_of``, ``dct:created``, public
graph ``graph/comments``), replies in a discussion, and a followed solution's own changes
(``dct:modified``). A subscription keeps when its last mail went (``cat:lastSent``): a run
of ``catalogue notify`` (cron, or the server's thread) sends what was published after it
and moves it forward only once the mail left, so a failed mail is sent again next time.
Subscriptions live in the private ``graph/subscriptions``; nothing private is ever read
for a notification (drafts and hidden comments are not in the public graphs).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.community.accounts import User
from catalogue.community.registration import Composed
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.mail import Mail, MailError
from catalogue.mail.message import AddressError
from catalogue.store import Dataset
from catalogue.terms import CAT, DCT, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

# what one may follow, by the kind of the followed thing's news (one table)
KINDS = ("news", "event", "discussion", "document", "page", "reply", "comment", "change")
FREQUENCIES = {"immediate": timedelta(0), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
CONTENT_TYPES = {  # rdf:type of a content item -> its kind
    "http://schema.org/NewsArticle": "news", "http://schema.org/Event": "event",
    "http://rdfs.org/sioc/ns#Thread": "discussion", "http://xmlns.com/foaf/0.1/Document": "document",
    "http://schema.org/WebPage": "page", "http://rdfs.org/sioc/ns#Post": "reply",
}
MAX_ITEMS = 50  # in one mail or one feed


class SubscriptionError(CatalogueError):
    """A subscription that cannot be made or changed; the message says why (bad input
    unless raised with another kind)."""


@dataclass(frozen=True)
class Subscription:
    iri: str
    username: str
    target: str
    kinds: frozenset[str]
    frequency: str
    created: str
    last_sent: str | None


@dataclass(frozen=True)
class News:
    """Something new: what (its kind), which resource, its title, when, where (the followed
    target it came through)."""

    kind: str
    iri: str
    title: str
    at: str
    container: str
    summary: str = ""



def _dt(value: datetime) -> ox.Literal:
    return ox.Literal(value.astimezone(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _parse(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class Subscriptions:
    """Who follows what, and what is new for them."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    @property
    def _graph(self) -> ox.NamedNode:
        return self._root.graphs.subscriptions

    def _node(self, username: str, target: str) -> ox.NamedNode:
        return self._root.graphs.subscription(username, target)

    # what may be followed

    def followable(self, target: str) -> str | None:
        """'collection', 'solution' or 'discussion' if ``target`` is a published one of
        those, else None."""
        try:
            node = ox.NamedNode(target)
        except (TypeError, ValueError):
            return None
        rows = list(self._root.select("subscription_target_kind", target=node))
        kinds = {r["kind"].value for r in rows}
        for kind in ("discussion", "collection", "solution"):
            if kind in kinds:
                return kind
        return None

    def check_followable(self, target: str) -> str:
        """What ``target`` is ('collection', 'solution', 'discussion').

        :raise SubscriptionError: none of those, or not published (not found).
        """
        kind = self.followable(target)
        if kind is None:
            raise SubscriptionError(f"{target!r} is not a published collection, solution or discussion",
                                    error_kind=ErrorKind.NOT_FOUND)
        return kind

    def whats_new(self, since: datetime) -> list[News]:
        """The site's news after ``since``, newest first (at most ``MAX_ITEMS``): community
        content published anywhere, and solutions new or changed in any source (their
        ``dct:modified``; federated sources' included)."""
        rows = self._root.select("whats_new", since=_dt(since))
        items: dict[tuple[str, str], News] = {}
        for r in rows:
            kind = r["kind"].value
            if kind == "content":
                kind = CONTENT_TYPES.get(r["type"].value, "") if "type" in r else ""
                if not kind:
                    continue
            key = (kind, r["item"].value)
            at = r["at"].value
            if key not in items or items[key].at < at:
                items[key] = News(kind, r["item"].value, r["title"].value if "title" in r else "", at,
                                  r["container"].value if "container" in r else "",
                                  r["summary"].value[:280] if "summary" in r else "")
        return sorted(items.values(), key=lambda i: i.at, reverse=True)[:MAX_ITEMS]

    # reading

    def of_user(self, username: str) -> list[Subscription]:
        rows = queries.select(self._root.store, "subscriptions_of_user", subscriptions=self._graph, accounts=self._root.graphs.accounts,
                              user=self._root.accounts.user_iri(username))
        return self._subscriptions(rows)

    def _subscriptions(self, rows) -> list[Subscription]:
        found: dict[str, dict] = {}
        for r in rows:
            s = found.setdefault(r["subscription"].value, {
                "username": r["username"].value, "target": r["target"].value, "kinds": set(),
                "frequency": r["frequency"].value, "created": r["created"].value,
                "last_sent": r["lastSent"].value if "lastSent" in r else None})
            if "kind" in r:
                s["kinds"].add(r["kind"].value)
        return [Subscription(iri, v["username"], v["target"], frozenset(v["kinds"]), v["frequency"], v["created"],
                             v["last_sent"]) for iri, v in sorted(found.items(), key=lambda kv: kv[1]["created"])]

    def get(self, username: str, target: str) -> Subscription | None:
        node = self._node(username, target).value
        return next((s for s in self.of_user(username) if s.iri == node), None)

    def by_iri(self, iri: str) -> Subscription | None:
        rows = queries.select(self._root.store, "subscription_by_iri", subscriptions=self._graph, accounts=self._root.graphs.accounts,
                              subscription=ox.NamedNode(iri))
        found = self._subscriptions(rows)
        return found[0] if found else None

    # writing

    def follow(self, user: User, target: str, *, kinds: set[str] | None = None,
               frequency: str = "daily") -> Subscription:
        """Follow ``target`` (or change how one follows it): which kinds of news, how often.
        What was published before now is not sent.

        :raise SubscriptionError: not a published collection, solution or discussion (not
            found), an unknown kind or frequency, no kind chosen.
        """
        self.check_followable(target)
        chosen = set(KINDS) if kinds is None else set(kinds)
        if not chosen or not chosen <= set(KINDS):
            raise SubscriptionError(f"choose at least one kind of news among {', '.join(KINDS)}")
        if frequency not in FREQUENCIES:
            raise SubscriptionError(f"how often is one of {', '.join(FREQUENCIES)}, not {frequency!r}")
        node = self._node(user.username, target)
        now = datetime.now(UTC)
        previous = self.get(user.username, target)
        data = [ox.Triple(node, RDF_TYPE, CAT.Subscription),
                ox.Triple(node, CAT.subscriber, self._root.accounts.user_iri(user.username)),
                ox.Triple(node, CAT.target, ox.NamedNode(target)),
                ox.Triple(node, CAT.frequency, ox.Literal(frequency)),
                ox.Triple(node, DCT.created, _dt(_parse(previous.created)) if previous else _dt(now)),
                ox.Triple(node, CAT.lastSent, _dt(_parse(previous.last_sent)) if previous and previous.last_sent
                          else _dt(now))]
        data += [ox.Triple(node, CAT.kind, ox.Literal(k)) for k in sorted(chosen)]
        updates.run(self._root.store, "subscription_set", subscriptions=self._graph, subscription=node, data=data)
        found = self.get(user.username, target)
        assert found is not None
        return found

    def unfollow(self, username: str, target: str) -> bool:
        """Stop following ``target``; False if one did not."""
        node = self._node(username, target)
        if self.get(username, target) is None:
            return False
        updates.run(self._root.store, "subscription_set", subscriptions=self._graph, subscription=node, data=[])
        return True

    # one-click unsubscribe (RFC 8058): a link signed with the catalogue's key

    def _key(self) -> bytes:
        return (self._root.settings.secret_key or self._root.accounts.session_secret()).encode()

    def signature(self, subscription_iri: str) -> str:
        return hmac.new(self._key(), f"unsubscribe|{subscription_iri}".encode(), hashlib.sha256).hexdigest()[:32]

    def unsubscribe(self, ident: str, signature: str) -> Subscription:
        """End the subscription a signed link names.

        :raise SubscriptionError: a forged or altered link (forbidden), or a subscription
            that no longer exists (not found: already unsubscribed).
        """
        iri = self._root.graphs.subscription_by_ident(ident).value
        if not (len(ident) == 24 and ident.isalnum()) or not hmac.compare_digest(self.signature(iri), signature):
            raise SubscriptionError("this unsubscribe link is not valid", error_kind=ErrorKind.FORBIDDEN)
        found = self.by_iri(iri)
        if found is None:
            raise SubscriptionError("you are already unsubscribed", error_kind=ErrorKind.NOT_FOUND)
        self.unfollow(found.username, found.target)
        return found

    # what is new

    def new_for(self, subscription: Subscription, since: datetime, until: datetime | None = None) -> list[News]:
        """What was published for ``subscription`` after ``since`` (and up to ``until``),
        of the kinds it follows, newest first."""
        return [i for i in self.new_in(subscription.target, since, until) if i.kind in subscription.kinds]

    def new_in(self, target: str, since: datetime, until: datetime | None = None) -> list[News]:
        """Everything published about ``target`` after ``since``, newest first, at most
        ``MAX_ITEMS``: content in it, replies in it, comments on it or on its content, and
        its own changes."""
        dataset = Dataset(default_graphs=self._root.public_graphs())
        rows = queries.select(self._root.store, "subscription_news", dataset=dataset, target=ox.NamedNode(target),
                              since=_dt(since))
        items: dict[tuple[str, str], News] = {}
        for r in rows:
            at = r["at"].value
            if until is not None and _parse(at) > until:
                continue
            kind = r["kind"].value
            if kind == "content":
                kind = CONTENT_TYPES.get(r["type"].value, "") if "type" in r else ""
                if not kind:
                    continue
            title = r["title"].value if "title" in r else ""
            summary = r["summary"].value[:280] if "summary" in r else ""
            key = (kind, r["item"].value)
            if key not in items or items[key].at < at:
                items[key] = News(kind, r["item"].value, title, at, target, summary)
        return sorted(items.values(), key=lambda i: i.at, reverse=True)[:MAX_ITEMS]

    def notifications(self, username: str, days: int = 30) -> list[News]:
        """What the account's subscriptions brought in the last ``days`` days, newest first
        (the notifications page)."""
        since = datetime.now(UTC) - timedelta(days=days)
        found: dict[tuple[str, str], News] = {}
        for s in self.of_user(username):
            for item in self.new_for(s, since):
                found.setdefault((item.kind, item.iri), item)
        return sorted(found.values(), key=lambda i: i.at, reverse=True)[:MAX_ITEMS]

    # sending

    def due(self, frequency: str, now: datetime, *, force: bool = False) -> list[Subscription]:
        """The subscriptions of ``frequency`` whose last mail is at least its period old
        (``force``: all of them)."""
        rows = queries.select(self._root.store, "subscriptions_by_frequency", subscriptions=self._graph, accounts=self._root.graphs.accounts,
                              frequency=ox.Literal(frequency))
        period = FREQUENCIES[frequency]
        return [s for s in self._subscriptions(rows)
                if force or s.last_sent is None or now - _parse(s.last_sent) >= period]

    def site(self) -> str:
        return self._root.mail.site()

    def link(self, iri: str) -> str:
        return self._root.mail.link(iri)

    def unsubscribe_link(self, subscription: Subscription) -> str:
        ident = subscription.iri.rsplit("/", 1)[1]
        return f"{self.site()}unsubscribe/{ident}/{self.signature(subscription.iri)}"

    def notify(self, frequencies: tuple[str, ...] = tuple(FREQUENCIES), now: datetime | None = None, *,
               force: bool = False) -> dict[str, int]:
        """Mail every due subscription (``force``: every one of ``frequencies``, due or not)
        what is new since its last mail (nothing new: no mail, the clock still moves on);
        returns counts: subscriptions due, mails sent, failed. A
        mail that fails leaves the subscription's clock where it was (sent next time); an
        account without a confirmed address gets no mail (the in-site notifications page
        still shows it all).
        """
        now = now or datetime.now(UTC)
        done = {"due": 0, "sent": 0, "failed": 0}
        for frequency in frequencies:
            for s in self.due(frequency, now, force=force):
                done["due"] += 1
                since = _parse(s.last_sent) if s.last_sent else now
                items = self.new_for(s, since, now)
                user = self._root.accounts.user(s.username)
                if items and user is not None and user.email and user.email_verified:
                    url = self.unsubscribe_link(s)
                    composed = self.compose(user, s, items, url)
                    try:
                        self._root.mail.send(Mail(to=(user.email,), subject=composed.subject, text=composed.text,
                                                  unsubscribe=url))
                    except (MailError, AddressError) as exc:
                        log.warning("notification to %s not sent: %s", s.username, exc)
                        done["failed"] += 1
                        continue
                    done["sent"] += 1
                updates.run(self._root.store, "subscription_sent", subscriptions=self._graph,
                            subscription=ox.NamedNode(s.iri), data=[
                                ox.Triple(ox.NamedNode(s.iri), CAT.lastSent, _dt(now))])
        return done

    def compose(self, user: User, subscription: Subscription, items: list[News], unsubscribe: str) -> Composed:
        """The mail of one subscription's news: plain text, each item with its link on the
        site (English: the catalogue keeps no language per account)."""
        names = self._root.reader.names([subscription.target])
        followed = names.get(subscription.target, subscription.target)
        pace = {"immediate": "", "daily": "Daily digest: ", "weekly": "Weekly digest: "}[subscription.frequency]
        lines = [f"Hello {user.name},", "", f"New in {followed} ({len(items)}):", ""]
        for item in items:
            what = _KIND_WORDS.get(item.kind, item.kind)
            lines += [f"- {what}: {item.title or item.iri} ({item.at[:10]})", f"  {self.link(item.iri)}"]
        lines += ["", f"All your subscriptions: {self.site()}subscriptions",
                  f"Stop these mails (one click): {unsubscribe}"]
        return Composed(f"{pace}{len(items)} new in {followed}"[:200], "\n".join(lines) + "\n")


_KIND_WORDS = {"news": "News", "event": "Event", "discussion": "Discussion", "document": "Document",
               "page": "Page", "reply": "Reply", "comment": "Comment", "change": "Updated"}
