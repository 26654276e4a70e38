"""Accounts, roles and API tokens, kept as RDF in the private ``graph/accounts``.

Like everything else they are triples in the store (no second database), in a graph the
public dataset never includes. Passwords are argon2 hashes; API tokens are random
256-bit secrets of which only the SHA-256 is stored (a token is as strong as a key, so a
slow hash adds nothing), shown once when created, revocable.

Roles: ``admin`` (everything), ``moderator`` (validates proposed solutions), ``member``
(any account: may propose). Publishing is a relation, not a role: a user is publisher of
given sources; a token belongs to one source. So is facilitating, as on Joinup: a user is
facilitator of given collections (``cat:facilitatorOf``, the collection's IRI) and
moderates the solutions proposed into them, and only those.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.graphs import Graphs, check_slug
from catalogue.mail.message import check_address
from catalogue.store import Store
from catalogue.terms import CAT, FOAF, RDF_TYPE, XSD

ROLES = ("admin", "moderator", "member")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "cat_"
_hasher = PasswordHasher()
# verified against when the user does not exist, so timing does not reveal which usernames do
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(CatalogueError, ValueError):
    """A bad username, password, role or source; the message says which and why (no such
    account: not found; a username taken: a conflict)."""


@dataclass(frozen=True)
class User:
    iri: str
    username: str
    name: str
    roles: frozenset[str]
    sources: frozenset[str]  # slugs of the sources this user publishes
    collections: frozenset[str] = frozenset()  # IRIs of the collections this user facilitates
    session_version: str = ""  # a session started under another version has ended
    email: str | None = None  # where the catalogue writes to them (foaf:mbox; private)
    email_verified: bool = False  # the address was confirmed through a link sent to it
    accepted_terms: str | None = None  # the version of the terms of use accepted (sign-ups)
    self_registered: bool = False  # signed up on the site (vs. created by an administrator)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_moderator(self) -> bool:
        return self.is_admin or "moderator" in self.roles

    def can_publish(self, slug: str) -> bool:
        return self.is_admin or slug in self.sources

    def can_facilitate(self, collection: str | None) -> bool:
        """Moderates what is proposed into ``collection`` (admins moderate everything)."""
        return self.is_admin or (collection is not None and collection in self.collections)

    @property
    def moderates_any(self) -> bool:
        """Has a moderation queue: a moderator, or a facilitator of some collection."""
        return self.is_moderator or bool(self.collections)


@dataclass(frozen=True)
class Token:
    iri: str
    source: str
    label: str
    created: str
    revoked: str | None


def check_username(username: str) -> str:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise AccountError(
            f"username {username!r} is not valid: use 2-63 lowercase letters, digits, dots, "
            "dashes or underscores, starting with a letter or digit"
        )
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return password


def check_collection(iri: str) -> ox.NamedNode:
    """A collection named by its IRI (whether it is published is the caller's to check)."""
    try:
        return ox.NamedNode(iri)
    except (TypeError, ValueError):
        raise AccountError(f"{iri!r} is not an IRI: give the collection's full IRI") from None


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_session_version() -> ox.Literal:
    """Random, not a counter: two processes ending sessions at once cannot land on the
    version an old cookie holds."""
    return ox.Literal(secrets.token_hex(16))


def _now() -> ox.Literal:
    return ox.Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


class Accounts:
    """Read and change accounts; every change is one SPARQL update on the accounts graph."""

    def __init__(self, store: Store, graphs: Graphs) -> None:
        self.store = store
        self.graphs = graphs

    @property
    def graph(self) -> ox.NamedNode:
        return self.graphs.accounts

    def user_iri(self, username: str) -> ox.NamedNode:
        return self.graphs.user(check_username(username))

    def _insert(self, triples: list[ox.Triple]) -> None:
        updates.run(self.store, "graph_insert", graph=self.graph, data=triples)

    # users

    def add_user(self, username: str, password: str, *, name: str | None = None,
                 roles: tuple[str, ...] = ("member",), sources: tuple[str, ...] = (),
                 collections: tuple[str, ...] = (), email: str | None = None) -> User:
        """Create an account.

        :raise AccountError: the username is taken or invalid, the password too short,
            a role unknown.
        :raise AddressError: ``email`` is not an e-mail address.
        """
        check_password(password)
        address = check_address(email) if email else None
        if self.user(username) is not None:
            raise AccountError(f"user {username!r} already exists", error_kind=ErrorKind.CONFLICT)
        iri = self.user_iri(username)
        triples = [
            ox.Triple(iri, RDF_TYPE, CAT.User),
            ox.Triple(iri, CAT.username, ox.Literal(username)),
            ox.Triple(iri, FOAF.name, ox.Literal(name or username)),
            ox.Triple(iri, CAT.passwordHash, ox.Literal(_hasher.hash(password))),
            ox.Triple(iri, CAT.created, _now()),
        ]
        if address:
            triples.append(ox.Triple(iri, FOAF.mbox, ox.NamedNode(f"mailto:{address}")))
        self._insert(triples)
        for role in {"member", *roles}:
            self.grant(username, role=role)
        for slug in sources:
            self.grant(username, source=slug)
        for collection in collections:
            self.grant(username, collection=collection)
        return self.user(username)  # type: ignore[return-value]

    def user(self, username: str) -> User | None:
        if not isinstance(username, str) or not USERNAME.match(username):
            return None
        rows = list(queries.select(self.store, "account_user", accounts=self.graph,
                                   username=ox.Literal(username)))
        if not rows:
            return None
        first = rows[0]
        return User(
            iri=first["user"].value,
            username=username,
            name=first["name"].value if "name" in first else username,
            roles=frozenset(r["role"].value for r in rows if "role" in r),
            sources=frozenset(r["source"].value for r in rows if "source" in r),
            collections=frozenset(r["collection"].value for r in rows if "collection" in r),
            session_version=first["sessionVersion"].value if "sessionVersion" in first else "",
            email=first["mbox"].value.removeprefix("mailto:") if "mbox" in first else None,
            email_verified="verified" in first and "mbox" in first and first["verified"] == first["mbox"],
            accepted_terms=first["terms"].value if "terms" in first else None,
            self_registered="selfRegistered" in first,
        )

    def users(self) -> list[User]:
        rows = queries.select(self.store, "account_users", accounts=self.graph)
        return [u for u in (self.user(r["username"].value) for r in rows) if u]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right; None otherwise (same work either way)."""
        user = self.user(username)
        stored = _DUMMY_HASH
        if user is not None:
            rows = list(queries.select(self.store, "account_password", accounts=self.graph,
                                       user=ox.NamedNode(user.iri)))
            if rows:
                stored = rows[0]["hash"].value
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return user

    def set_password(self, username: str, password: str) -> None:
        """A new password; every session of the account ends with the old one (whoever
        knew the old password may have signed in with it).

        :raise AccountError: the password is too short, or there is no such user.
        """
        check_password(password)
        if self.user(username) is None:
            raise AccountError(f"no user {username!r}", error_kind=ErrorKind.NOT_FOUND)
        iri = self.user_iri(username)
        updates.run(self.store, "account_password_set", accounts=self.graph, user=iri, data=[
            ox.Triple(iri, CAT.passwordHash, ox.Literal(_hasher.hash(password))),
            ox.Triple(iri, CAT.sessionVersion, _new_session_version())])

    def set_email(self, username: str, email: str | None) -> None:
        """Where the catalogue writes to the account (None: nowhere); one update.

        :raise AccountError: there is no such user.
        :raise AddressError: ``email`` is not an e-mail address.
        """
        address = check_address(email) if email else None
        if self.user(username) is None:
            raise AccountError(f"no user {username!r}", error_kind=ErrorKind.NOT_FOUND)
        iri = self.user_iri(username)
        updates.run(self.store, "account_email_set", accounts=self.graph, user=iri,
                    data=[ox.Triple(iri, FOAF.mbox, ox.NamedNode(f"mailto:{address}"))] if address else [])

    def publishers_of(self, slug: str) -> list[User]:
        """The accounts that publish source ``slug`` (admins are not listed: they publish
        every source by role, not by relation)."""
        rows = queries.select(self.store, "account_publishers", accounts=self.graph,
                              source=ox.Literal(check_slug(slug)))
        return [u for u in (self.user(r["username"].value) for r in rows) if u]

    def end_sessions(self, username: str) -> None:
        """End every session of the account, on every device: sessions carry the account's
        session version when they start, and this gives it a new one (one update), so the
        cookies already handed out no longer sign anyone in. Signing out, a new password
        and an admin's revocation all come here.

        :raise AccountError: there is no such user.
        """
        if self.user(username) is None:
            raise AccountError(f"no user {username!r}", error_kind=ErrorKind.NOT_FOUND)
        iri = self.user_iri(username)
        updates.run(self.store, "account_sessions_end", accounts=self.graph, user=iri,
                    data=[ox.Triple(iri, CAT.sessionVersion, _new_session_version())])

    def grant(self, username: str, *, role: str | None = None, source: str | None = None,
              collection: str | None = None) -> None:
        """Give a role, or make the user a publisher of a source or a facilitator of a
        collection (its IRI)."""
        iri = self.user_iri(username)
        if role is not None:
            if role not in ROLES:
                raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
            self._insert([ox.Triple(iri, CAT.role, ox.Literal(role))])
        if source is not None:
            self._insert([ox.Triple(iri, CAT.publisherOf, ox.Literal(check_slug(source)))])
        if collection is not None:
            self._insert([ox.Triple(iri, CAT.facilitatorOf, check_collection(collection))])

    def revoke(self, username: str, *, role: str | None = None, source: str | None = None,
               collection: str | None = None) -> None:
        iri = self.user_iri(username)
        if role is not None:
            self._delete([ox.Triple(iri, CAT.role, ox.Literal(role))])
        if source is not None:
            self._delete([ox.Triple(iri, CAT.publisherOf, ox.Literal(source))])
        if collection is not None:
            self._delete([ox.Triple(iri, CAT.facilitatorOf, check_collection(collection))])

    def _delete(self, triples: list[ox.Triple]) -> None:
        updates.run(self.store, "graph_delete", graph=self.graph, data=triples)

    # API tokens

    def create_token(self, slug: str, label: str = "") -> tuple[Token, str]:
        """A new token for a source: (its record, the secret). The secret is never stored."""
        check_slug(slug)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        ident = secrets.token_hex(6)
        iri = self.graphs.token(ident)
        created = _now()
        self._insert([
            ox.Triple(iri, RDF_TYPE, CAT.ApiToken),
            ox.Triple(iri, CAT.forSource, ox.Literal(slug)),
            ox.Triple(iri, CAT.tokenHash, ox.Literal(token_hash(secret))),
            ox.Triple(iri, CAT.label, ox.Literal(label or f"token {ident}")),
            ox.Triple(iri, CAT.created, created),
        ])
        return Token(iri.value, slug, label or f"token {ident}", created.value, None), secret

    def token_source(self, secret: str) -> str | None:
        """The source a valid, unrevoked token publishes, or None."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        digest = token_hash(secret)
        rows = list(queries.select(self.store, "account_token", accounts=self.graph,
                                   hash=ox.Literal(digest)))
        for r in rows:
            if hmac.compare_digest(r["hash"].value, digest) and "revoked" not in r:
                return r["source"].value
        return None

    def tokens(self, slug: str) -> list[Token]:
        rows = queries.select(self.store, "account_tokens", accounts=self.graph,
                              source=ox.Literal(check_slug(slug)))
        return [Token(r["token"].value, slug, r["label"].value, r["created"].value,
                      r["revoked"].value if "revoked" in r else None) for r in rows]

    def revoke_token(self, token_iri: str, slug: str) -> bool:
        """Revoke one of a source's tokens; False if the source has no such token."""
        if not any(t.iri == token_iri and t.revoked is None for t in self.tokens(slug)):
            return False
        self._insert([ox.Triple(ox.NamedNode(token_iri), CAT.revoked, _now())])
        return True

    # the key that signs session cookies, shared by every web process through the store

    def session_secret(self) -> str:
        rows = list(queries.select(self.store, "account_session_key", accounts=self.graph))
        if rows:
            return rows[0]["key"].value
        key = secrets.token_hex(32)
        holder = self.graphs.accounts
        updates.run(self.store, "account_session_key_create", accounts=self.graph, holder=holder,
                    key=ox.Literal(key))
        rows = list(queries.select(self.store, "account_session_key", accounts=self.graph))
        return rows[0]["key"].value

    # identities at an OpenID Connect provider (EU Login...), linked to accounts

    @staticmethod
    def _oidc_subject(issuer: str, sub: str) -> ox.Literal:
        """One literal per identity: ``sub`` is unique only within its issuer."""
        return ox.Literal(f"{issuer.rstrip('/')}|{sub}")

    def link_oidc(self, username: str, issuer: str, sub: str) -> None:
        """Sign-in through the provider as ``sub`` now opens this account (the identity is
        moved here if another account had it: one identity, one account)."""
        if self.user(username) is None:
            raise AccountError(f"no user {username!r}", error_kind=ErrorKind.NOT_FOUND)
        subject = self._oidc_subject(issuer, sub)
        updates.run(self.store, "account_oidc_link", accounts=self.graph, subject=subject,
                    data=[ox.Triple(self.user_iri(username), CAT.oidcSubject, subject)])

    def user_by_oidc(self, issuer: str, sub: str) -> User | None:
        """The account linked to the provider's ``sub``, or None (never matched by name or email)."""
        rows = list(queries.select(self.store, "account_oidc", accounts=self.graph,
                                   subject=self._oidc_subject(issuer, sub)))
        return self.user(rows[0]["username"].value) if rows else None
