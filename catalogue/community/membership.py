"""Collections as communities (issue 15, item 2): members and their roles, joining open
collections, requests to join closed ones, invitations, leaving, ownership, and each
community's settings (who may post, moderation before or after publication).

A collection is a published ``dcat:Catalog`` (whoever publishes it); its community lives in
the private ``graph/membership``: one ``cat:Membership`` per (collection, account) with its
role (``ROLES_IN_COLLECTION``) and state (``active``, ``pending``), the collection's
settings as facts about the collection's IRI there, invitations (only the SHA-256 of their
secret), and one ``cat:CommunityAction`` per facilitator's or moderator's act (who, what,
whom, when, why). Roles give what the role below gives: an owner facilitates, a facilitator
is an author, an author a member. Facilitators are also ``cat:facilitatorOf`` on the account
(catalogue/community/accounts.py), which the moderation of proposed solutions reads: the
two are changed together. Site moderators and administrators may do everything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.community.accounts import User
from catalogue.community.facilitators import is_collection
from catalogue.community.registration import Composed
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.mail import Mail
from catalogue.mail.message import check_address
from catalogue.terms import CAT, DCT, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue

ROLES_IN_COLLECTION = ("owner", "facilitator", "author", "member")  # highest first
WHO_MAY_POST = ("members", "authors", "facilitators")
MODERATION = ("before", "after")
INVITATION_FOR = timedelta(days=14)
MAX_NOTE = 1000


class MembershipError(CatalogueError):
    """A membership change that cannot be made; the message says why (bad input unless
    raised with another kind: not allowed, not found, a conflict)."""


@dataclass(frozen=True)
class CommunitySettings:
    """Who joins and who posts. Defaults: anyone joins, members post, a facilitator
    publishes what they post (moderation before publication)."""

    open: bool = True
    who_may_post: str = "members"
    moderation: str = "before"


@dataclass(frozen=True)
class Member:
    username: str
    name: str
    role: str
    state: str  # active, pending
    since: str
    note: str = ""  # what a request to join said


@dataclass(frozen=True)
class Action:
    action: str
    actor: str | None  # username; None once the account is gone
    subject: str | None
    note: str
    at: str



def _rank(role: str | None) -> int:
    """Higher is more: owner 4 ... member 1, none 0."""
    return len(ROLES_IN_COLLECTION) - ROLES_IN_COLLECTION.index(role) if role in ROLES_IN_COLLECTION else 0


def _now() -> ox.Literal:
    return ox.Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise MembershipError(f"a note must be at most {MAX_NOTE} characters")
    return note


class Membership:
    """The communities of one catalogue's collections."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    # reading

    @property
    def _graph(self) -> ox.NamedNode:
        return self._root.graphs.membership

    def _node(self, collection: str, username: str) -> ox.NamedNode:
        return self._root.graphs.membership_of(collection, username)

    def check_collection(self, iri: str) -> ox.NamedNode:
        """The collection, if it is a published one.

        :raise MembershipError: not a published collection (not found).
        """
        if not isinstance(iri, str) or not is_collection(self._root, iri):
            raise MembershipError(f"{iri!r} is not a published collection", error_kind=ErrorKind.NOT_FOUND)
        return ox.NamedNode(iri)

    def _rows(self, collection: str) -> list[Member]:
        rows = queries.select(self._root.store, "membership_members", membership=self._graph,
                              accounts=self._root.graphs.accounts, collection=ox.NamedNode(collection))
        return [Member(r["username"].value, r["name"].value if "name" in r else r["username"].value,
                       r["role"].value, r["state"].value, r["since"].value,
                       r["note"].value if "note" in r else "") for r in rows]

    def members(self, collection: str) -> list[Member]:
        """Active members, highest role first, then by name; facilitators named only on
        their account (``cat:facilitatorOf``, given before communities) count as such."""
        found = {m.username: m for m in self._rows(collection) if m.state == "active"}
        for username in self._account_facilitators(collection):
            if _rank(found[username].role if username in found else None) < _rank("facilitator"):
                user = self._root.accounts.user(username)
                if user is not None:
                    found[username] = Member(username, user.name, "facilitator", "active", "")
        return sorted(found.values(), key=lambda m: (-_rank(m.role), m.name.lower(), m.username))

    def _account_facilitators(self, collection: str) -> list[str]:
        rows = queries.select(self._root.store, "membership_account_facilitators", accounts=self._root.graphs.accounts,
                              collection=ox.NamedNode(collection))
        return [r["username"].value for r in rows]

    def requests_for(self, user: User) -> list[tuple[str, Member]]:
        """Every request to join ``user`` may decide (a site moderator: all), oldest first."""
        rows = queries.select(self._root.store, "membership_requests", membership=self._graph,
                              accounts=self._root.graphs.accounts)
        found = [(r["collection"].value, Member(r["username"].value,
                                                r["name"].value if "name" in r else r["username"].value,
                                                "member", "pending", r["since"].value,
                                                r["note"].value if "note" in r else ""))
                 for r in rows]
        return [(c, m) for c, m in found if self.may_facilitate(c, user)]

    def pending(self, collection: str) -> list[Member]:
        """Requests to join, oldest first."""
        return sorted((m for m in self._rows(collection) if m.state == "pending"), key=lambda m: m.since)

    def role_of(self, collection: str, username: str) -> str | None:
        """The active role of ``username`` in ``collection`` (None: not a member)."""
        role = next((m.role for m in self._rows(collection) if m.username == username and m.state == "active"), None)
        user = self._root.accounts.user(username)
        if user is not None and collection in user.collections and _rank(role) < _rank("facilitator"):
            return "facilitator"
        return role

    def state_of(self, collection: str, username: str) -> str | None:
        """'active', 'pending' or None."""
        if self.role_of(collection, username) is not None:
            return "active"
        return next((m.state for m in self._rows(collection) if m.username == username), None)

    def settings(self, collection: str) -> CommunitySettings:
        rows = list(queries.select(self._root.store, "membership_settings", membership=self._graph,
                                   collection=ox.NamedNode(collection)))
        if not rows:
            return CommunitySettings()
        r = rows[0]
        default = CommunitySettings()
        return CommunitySettings(
            open=r["open"].value == "open" if "open" in r else default.open,
            who_may_post=r["who"].value if "who" in r and r["who"].value in WHO_MAY_POST else default.who_may_post,
            moderation=r["moderation"].value if "moderation" in r and r["moderation"].value in MODERATION
            else default.moderation)

    def may_facilitate(self, collection: str, user: User | None) -> bool:
        """A site moderator or administrator, or the collection's owner or a facilitator."""
        if user is None:
            return False
        return user.is_moderator or _rank(self.role_of(collection, user.username)) >= _rank("facilitator")

    def may_post(self, collection: str, user: User | None) -> bool:
        """Whether ``user`` may post content in ``collection`` (its settings' ``who_may_post``)."""
        if user is None:
            return False
        if self.may_facilitate(collection, user):
            return True
        needed = {"members": "member", "authors": "author", "facilitators": "facilitator"}[
            self.settings(collection).who_may_post]
        return _rank(self.role_of(collection, user.username)) >= _rank(needed)

    def collections_of(self, username: str) -> list[tuple[str, str, str]]:
        """(collection, role, state) of every community ``username`` belongs to or asked to join."""
        rows = queries.select(self._root.store, "membership_of_user", membership=self._graph,
                              user=self._root.accounts.user_iri(username))
        return [(r["collection"].value, r["role"].value, r["state"].value) for r in rows]

    def history(self, collection: str) -> list[Action]:
        """Every facilitator's, moderator's and member's act on the community, newest first."""
        rows = queries.select(self._root.store, "membership_actions", membership=self._graph,
                              accounts=self._root.graphs.accounts, collection=ox.NamedNode(collection))
        return [Action(r["action"].value, r["actor"].value if "actor" in r else None,
                       r["subject"].value if "subject" in r else None,
                       r["note"].value if "note" in r else "", r["at"].value) for r in rows]

    # writing

    def _write(self, collection: ox.NamedNode, username: str, *, role: str | None, state: str | None,
               action: str, actor: User | None, subject: str | None = None, note: str = "") -> None:
        """Set (or, role None, remove) one membership and record the act, in one update; keep
        ``cat:facilitatorOf`` on the account in step with the role."""
        accounts = self._root.accounts
        node = self._node(collection.value, username)
        user_iri = accounts.user_iri(username)
        data: list[ox.Triple] = []
        if role is not None and state is not None:
            data += [ox.Triple(node, RDF_TYPE, CAT.Membership), ox.Triple(node, CAT.collection, collection),
                     ox.Triple(node, CAT.member, user_iri), ox.Triple(node, CAT.roleInCollection, ox.Literal(role)),
                     ox.Triple(node, CAT.state, ox.Literal(state)), ox.Triple(node, DCT.created, _now())]
            if note and state == "pending":
                data.append(ox.Triple(node, CAT.requestNote, ox.Literal(note)))
        act = self._root.graphs.community_action(secrets.token_hex(8))
        data += [ox.Triple(act, RDF_TYPE, CAT.CommunityAction), ox.Triple(act, CAT.collection, collection),
                 ox.Triple(act, CAT.action, ox.Literal(action)), ox.Triple(act, DCT.created, _now())]
        if actor is not None:
            data.append(ox.Triple(act, CAT.actor, accounts.user_iri(actor.username)))
        data.append(ox.Triple(act, CAT.subject, accounts.user_iri(subject or username)))
        if note:
            data.append(ox.Triple(act, CAT.note, ox.Literal(note)))
        updates.run(self._root.store, "membership_set", membership=self._graph, node=node, data=data)
        facilitates = state == "active" and _rank(role) >= _rank("facilitator")
        account = accounts.user(username)
        if account is not None and facilitates != (collection.value in account.collections):
            if facilitates:
                accounts.grant(username, collection=collection.value)
            else:
                accounts.revoke(username, collection=collection.value)

    def forget(self, collection: str, username: str) -> None:
        """Remove an account's membership (its account is being deleted); the history keeps
        what it did, named "a former member" once the account is gone."""
        updates.run(self._root.store, "membership_set", membership=self._graph,
                    node=self._node(collection, username), data=[])

    def _must_facilitate(self, collection: str, user: User, what: str) -> None:
        if not self.may_facilitate(collection, user):
            raise MembershipError(f"only the collection's owner and facilitators may {what}",
                                  error_kind=ErrorKind.FORBIDDEN)

    def join(self, collection: str, user: User, note: str = "") -> str:
        """Join an open collection ('active'), or ask to join a closed one ('pending').

        :raise MembershipError: not a collection (not found), already a member or waiting
            (a conflict), a note too long.
        """
        c = self.check_collection(collection)
        note = _note(note)
        state = self.state_of(collection, user.username)
        if state is not None:
            raise MembershipError("you are already a member" if state == "active"
                                  else "your request to join is waiting for a facilitator",
                                  error_kind=ErrorKind.CONFLICT)
        new = "active" if self.settings(collection).open else "pending"
        self._write(c, user.username, role="member", state=new, action="join" if new == "active" else "request",
                    actor=user, note=note)
        return new

    def decide(self, collection: str, username: str, by: User, *, approve: bool, reason: str = "") -> Member:
        """Approve or refuse a request to join (a refusal needs a reason, told to the
        person); returns the request.

        :raise MembershipError: not allowed (forbidden), no such request (not found), a
            refusal without a reason.
        """
        c = self.check_collection(collection)
        self._must_facilitate(collection, by, "answer requests to join")
        request = next((m for m in self.pending(collection) if m.username == username), None)
        if request is None:
            raise MembershipError(f"{username!r} has not asked to join", error_kind=ErrorKind.NOT_FOUND)
        reason = _note(reason)
        if not approve and not reason:
            raise MembershipError("give the reason for refusing: the person is told")
        if approve:
            self._write(c, username, role="member", state="active", action="approve", actor=by, note=reason)
        else:
            self._write(c, username, role=None, state=None, action="refuse", actor=by, note=reason)
        return request

    def leave(self, collection: str, user: User) -> None:
        """Leave a community (or withdraw a request).

        :raise MembershipError: not a member (not found), the owner (a conflict: transfer
            ownership first).
        """
        c = self.check_collection(collection)
        role = self.role_of(collection, user.username)
        if role is None and self.state_of(collection, user.username) is None:
            raise MembershipError("you are not a member", error_kind=ErrorKind.NOT_FOUND)
        if role == "owner":
            raise MembershipError("the owner cannot leave: give the ownership to another member first",
                                  error_kind=ErrorKind.CONFLICT)
        self._write(c, user.username, role=None, state=None, action="leave", actor=user)

    def set_role(self, collection: str, username: str, role: str, by: User) -> None:
        """Make a member an author, facilitator or plain member (the owner or a site
        moderator decides; facilitators make authors and members).

        :raise MembershipError: an unknown role or 'owner' (use transfer), not a member
            (not found), not allowed (forbidden).
        """
        c = self.check_collection(collection)
        if role not in ROLES_IN_COLLECTION or role == "owner":
            raise MembershipError(f"role {role!r} is not one of facilitator, author, member (ownership is "
                                  "transferred)")
        self._must_facilitate(collection, by, "change roles")
        current = self.role_of(collection, username)
        if current is None:
            raise MembershipError(f"{username!r} is not a member", error_kind=ErrorKind.NOT_FOUND)
        mine = "owner" if by.is_moderator else self.role_of(collection, by.username)
        if _rank(mine) <= _rank(current) or _rank(mine) <= _rank(role):
            raise MembershipError("only the owner (or a site moderator) changes the role of a facilitator or "
                                  "makes one", error_kind=ErrorKind.FORBIDDEN)
        self._write(c, username, role=role, state="active", action="role", actor=by, note=role)

    def remove(self, collection: str, username: str, by: User, reason: str = "") -> None:
        """Remove a member (never the owner).

        :raise MembershipError: not allowed, not a member, the owner.
        """
        c = self.check_collection(collection)
        self._must_facilitate(collection, by, "remove members")
        current = self.role_of(collection, username)
        if current is None:
            raise MembershipError(f"{username!r} is not a member", error_kind=ErrorKind.NOT_FOUND)
        mine = "owner" if by.is_moderator else self.role_of(collection, by.username)
        if current == "owner" or _rank(mine) <= _rank(current):
            raise MembershipError("you cannot remove this member", error_kind=ErrorKind.FORBIDDEN)
        self._write(c, username, role=None, state=None, action="remove", actor=by, note=_note(reason))

    def transfer(self, collection: str, to: str, by: User) -> None:
        """Give the ownership to an active member; the old owner stays as a facilitator. A
        site moderator or administrator may also name the first owner of a collection.

        :raise MembershipError: not allowed (only the owner or a site moderator), the new
            owner not a member (not found; a site moderator may name any account).
        """
        c = self.check_collection(collection)
        owner = next((m.username for m in self.members(collection) if m.role == "owner"), None)
        if not (by.is_moderator or (owner is not None and owner == by.username)):
            raise MembershipError("only the owner gives the ownership away", error_kind=ErrorKind.FORBIDDEN)
        if self._root.accounts.user(to) is None:
            raise MembershipError(f"there is no account {to!r}", error_kind=ErrorKind.NOT_FOUND)
        if self.role_of(collection, to) is None and not by.is_moderator:
            raise MembershipError(f"{to!r} is not a member: invite them first", error_kind=ErrorKind.NOT_FOUND)
        if owner is not None and owner != to:
            self._write(c, owner, role="facilitator", state="active", action="role", actor=by, note="facilitator")
        self._write(c, to, role="owner", state="active", action="transfer", actor=by)

    def configure(self, collection: str, settings: CommunitySettings, by: User) -> None:
        """Change who joins and who posts.

        :raise MembershipError: not allowed (forbidden), a value out of its choices.
        """
        c = self.check_collection(collection)
        self._must_facilitate(collection, by, "change the settings")
        if settings.who_may_post not in WHO_MAY_POST or settings.moderation not in MODERATION:
            raise MembershipError(f"who may post is one of {', '.join(WHO_MAY_POST)}; moderation "
                                  f"is one of {', '.join(MODERATION)}")
        data = [ox.Triple(c, CAT.joinPolicy, ox.Literal("open" if settings.open else "closed")),
                ox.Triple(c, CAT.whoMayPost, ox.Literal(settings.who_may_post)),
                ox.Triple(c, CAT.postModeration, ox.Literal(settings.moderation))]
        act = self._root.graphs.community_action(secrets.token_hex(8))
        note = (f"{'open' if settings.open else 'closed'}; {settings.who_may_post} post; "
                f"moderated {settings.moderation} publication")
        data += [ox.Triple(act, RDF_TYPE, CAT.CommunityAction), ox.Triple(act, CAT.collection, c),
                 ox.Triple(act, CAT.action, ox.Literal("settings")), ox.Triple(act, DCT.created, _now()),
                 ox.Triple(act, CAT.actor, self._root.accounts.user_iri(by.username)),
                 ox.Triple(act, CAT.note, ox.Literal(note))]
        updates.run(self._root.store, "membership_settings_set", membership=self._graph, collection=c, data=data)

    # invitations

    def invite(self, collection: str, email: str, by: User, compose: Callable[[str], Composed]) -> None:
        """Invite someone by e-mail: a link (14 days, once) that makes whoever opens it,
        signed in, a member, even of a closed collection.

        :raise MembershipError: not allowed. :raise AddressError: not an address.
        :raise MailError: the mail could not be sent (the invitation is kept).
        """
        c = self.check_collection(collection)
        self._must_facilitate(collection, by, "invite")
        address = check_address(email)
        secret = secrets.token_urlsafe(32)
        node = self._root.graphs.invitation(secrets.token_hex(8))
        expires = datetime.now(UTC) + INVITATION_FOR
        data = [ox.Triple(node, RDF_TYPE, CAT.Invitation), ox.Triple(node, CAT.collection, c),
                ox.Triple(node, CAT.mailTokenHash, ox.Literal(hashlib.sha256(secret.encode()).hexdigest())),
                ox.Triple(node, CAT.address, ox.NamedNode(f"mailto:{address}")),
                ox.Triple(node, CAT.expires, ox.Literal(expires.isoformat(timespec="seconds"), datatype=XSD.dateTime)),
                ox.Triple(node, CAT.actor, self._root.accounts.user_iri(by.username))]
        act = self._root.graphs.community_action(secrets.token_hex(8))
        data += [ox.Triple(act, RDF_TYPE, CAT.CommunityAction), ox.Triple(act, CAT.collection, c),
                 ox.Triple(act, CAT.action, ox.Literal("invite")), ox.Triple(act, DCT.created, _now()),
                 ox.Triple(act, CAT.actor, self._root.accounts.user_iri(by.username))]
        updates.run(self._root.store, "graph_insert", graph=self._graph, data=data)
        composed = compose(secret)
        self._root.mail.send(Mail(to=(address,), subject=composed.subject, text=composed.text))

    def invitation(self, secret: str) -> tuple[str, str]:
        """(the invitation's IRI, its collection) for an unexpired, unused link.

        :raise MembershipError: unknown, used or expired (not found).
        """
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if 20 <= len(secret) <= 100:
            for r in queries.select(self._root.store, "membership_invitation", membership=self._graph,
                                    hash=ox.Literal(digest)):
                if hmac.compare_digest(r["hash"].value, digest) \
                        and datetime.fromisoformat(r["expires"].value) > datetime.now(UTC):
                    return r["invitation"].value, r["collection"].value
        raise MembershipError("this invitation has expired or was used already: ask for a new one",
                              error_kind=ErrorKind.NOT_FOUND)

    def accept(self, secret: str, user: User) -> str:
        """Accept an invitation as ``user``: a member (or already one); returns the
        collection. The link stops working.

        :raise MembershipError: the link is unknown, used or expired (not found).
        """
        invitation, collection = self.invitation(secret)
        updates.run(self._root.store, "membership_invitation_used", membership=self._graph,
                    invitation=ox.NamedNode(invitation))
        if self.role_of(collection, user.username) is None:
            self._write(self.check_collection(collection), user.username, role="member", state="active",
                        action="accept-invitation", actor=user)
        return collection
