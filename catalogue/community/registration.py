"""Accounts for everyone (issue 15, item 1): sign-up with a confirmed e-mail address, a
password reset by e-mail, versioned terms of use, changing one's address, exporting one's
data and deleting one's account.

Everything lives in the private accounts graph, like the accounts themselves. A link sent
by mail carries a random 256-bit secret of which only the SHA-256 is stored (as API tokens
are), with its purpose, its account, the address it was sent to and when it expires; it
works once. Mail is composed by the caller (``compose``: the link in the reader's language)
and sent through ``Catalogue.mail``; the token is stored first, so a mail that fails to
leave can be asked for again.

What never leaks which addresses have accounts: a sign-up with an address already in use
creates nothing and writes to that address instead ("you already have an account"), and a
password reset answers the same whether or not the address is known.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.community.accounts import AccountError, User, check_password, check_username
from catalogue.community.moderation import Moderation
from catalogue.errors import ErrorKind
from catalogue.mail import Mail
from catalogue.mail.message import AddressError, check_address
from catalogue.terms import CAT, FOAF, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue

# The terms of use in force: a new version (its date) asks every account that accepted an
# earlier one to accept again (README, "Accounts for everyone").
TERMS_VERSION = "2026-12-04"
VERIFY_FOR = timedelta(hours=48)
RESET_FOR = timedelta(hours=1)
MAX_NAME = 100
PURPOSES = ("verify", "reset")
# what an account's export leaves out: secrets, and what only keeps sessions working
_SECRET = {CAT.passwordHash.value, CAT.sessionVersion.value}


class RegistrationError(AccountError):
    """A sign-up, confirmation or reset that cannot go ahead; the message says why and what
    to do (bad input unless raised with another kind); ``field`` names the form's field at
    fault (username, name, email, password, terms), if one is."""

    def __init__(self, message: str, *, field: str | None = None, error_kind: ErrorKind | None = None) -> None:
        super().__init__(message, error_kind=error_kind)
        self.field = field


@dataclass(frozen=True)
class Composed:
    """A mail's subject and text, composed by the caller around a link."""

    subject: str
    text: str


Compose = Callable[[str], Composed]  # the secret -> the mail to send


def _now() -> datetime:
    return datetime.now(UTC)


def _dt(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _mailto(address: str) -> ox.NamedNode:
    return ox.NamedNode(f"mailto:{address}")


@dataclass(frozen=True)
class MailToken:
    iri: str
    purpose: str
    username: str
    address: str
    expires: datetime


class Registration:
    """Sign-ups and what an account does for itself."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    @property
    def _accounts(self):
        return self._root.accounts

    def _graph(self) -> ox.NamedNode:
        return self._root.graphs.accounts

    # signing up

    def register(self, username: str, name: str, email: str, password: str, *, accepted_terms: str,
                 compose_confirm: Compose, compose_taken: Callable[[str], Composed]) -> User | None:
        """Create a member account waiting for its address to be confirmed and mail the
        confirmation link (``compose_confirm(secret)``); returns it. With an address that
        already has an account nothing is created: that address is told so
        (``compose_taken(existing username)``) and None is returned, so the form's answer
        is the same either way.

        :raise RegistrationError: naming the ``field`` at fault: the username invalid or
            taken (a conflict), the password too short, the address not one, the name empty
            or too long, the terms not accepted (or an old version).
        :raise MailError: the mail could not be sent (the account stays; a confirmation can
            be asked for again).
        """
        for field, check, value in (("username", check_username, username), ("password", check_password, password),
                                    ("email", check_address, email)):
            try:
                check(value)
            except (AccountError, AddressError) as exc:
                raise RegistrationError(str(exc), field=field) from None
        address = check_address(email)
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise RegistrationError(f"give your name (1-{MAX_NAME} characters), as others will see it",
                                    field="name")
        if accepted_terms != TERMS_VERSION:
            raise RegistrationError("accept the terms of use to create an account", field="terms")
        if self._accounts.user(username) is not None:
            raise RegistrationError(f"the username {username!r} is taken: choose another", field="username",
                                    error_kind=ErrorKind.CONFLICT)
        existing = self.user_by_email(address)
        if existing is not None:
            composed = compose_taken(existing.username)
            self._root.mail.send(Mail(to=(address,), subject=composed.subject, text=composed.text))
            return None
        user = self._accounts.add_user(username, password, name=name, email=address)
        iri = ox.NamedNode(user.iri)
        self._accounts._insert([ox.Triple(iri, CAT.selfRegistered, ox.Literal(True)),
                                ox.Triple(iri, CAT.acceptedTerms, ox.Literal(TERMS_VERSION)),
                                ox.Triple(iri, CAT.acceptedTermsAt, _dt(_now()))])
        self._send_token(user.username, address, "verify", compose_confirm)
        return self._accounts.user(username)

    def user_by_email(self, email: str) -> User | None:
        """The account whose address is ``email`` (confirmed or not), or None."""
        rows = list(queries.select(self._root.store, "account_by_email", accounts=self._graph(),
                                   mbox=_mailto(email)))
        return self._accounts.user(rows[0]["username"].value) if rows else None

    def _send_token(self, username: str, address: str, purpose: str, compose: Compose) -> None:
        secret = secrets.token_urlsafe(32)
        ident = secrets.token_hex(8)
        token = self._root.graphs.mail_token(ident)
        expires = _now() + (VERIFY_FOR if purpose == "verify" else RESET_FOR)
        user = self._accounts.user_iri(username)
        updates.run(self._root.store, "account_mail_token_replace", accounts=self._graph(), user=user,
                    purpose=ox.Literal(purpose), data=[
                        ox.Triple(token, RDF_TYPE, CAT.MailToken),
                        ox.Triple(token, CAT.purpose, ox.Literal(purpose)),
                        ox.Triple(token, CAT.forUser, user),
                        ox.Triple(token, CAT.mailTokenHash, ox.Literal(_hash(secret))),
                        ox.Triple(token, CAT.address, _mailto(address)),
                        ox.Triple(token, CAT.expires, _dt(expires))])
        composed = compose(secret)
        self._root.mail.send(Mail(to=(address,), subject=composed.subject, text=composed.text))

    def token(self, secret: str, purpose: str) -> MailToken:
        """The unexpired token of ``purpose`` that ``secret`` opens.

        :raise RegistrationError: (not found) no such token, used already or expired: the
            message says to ask for a new link.
        """
        if purpose not in PURPOSES or not 20 <= len(secret) <= 100:
            raise RegistrationError("this link is not valid: ask for a new one",
                                    error_kind=ErrorKind.NOT_FOUND)
        digest = _hash(secret)
        rows = list(queries.select(self._root.store, "account_mail_token", accounts=self._graph(),
                                   hash=ox.Literal(digest)))
        for r in rows:
            if not hmac.compare_digest(r["hash"].value, digest) or r["purpose"].value != purpose:
                continue
            expires = datetime.fromisoformat(r["expires"].value)
            if expires < _now():
                break
            return MailToken(r["token"].value, purpose, r["username"].value,
                             r["address"].value.removeprefix("mailto:"), expires)
        raise RegistrationError("this link has expired or was used already: ask for a new one",
                                error_kind=ErrorKind.NOT_FOUND)

    def confirm(self, secret: str) -> User:
        """Confirm the address a verification link was sent to: it becomes the account's
        (confirmed) address and the link stops working.

        :raise RegistrationError: the link is unknown, used or expired (not found).
        """
        token = self.token(secret, "verify")
        user = self._accounts.user_iri(token.username)
        updates.run(self._root.store, "account_email_verify", accounts=self._graph(), user=user,
                    token=ox.NamedNode(token.iri), data=[
                        ox.Triple(user, FOAF.mbox, _mailto(token.address)),
                        ox.Triple(user, CAT.emailVerified, _mailto(token.address))])
        confirmed = self._accounts.user(token.username)
        if confirmed is None:  # deleted meanwhile
            raise RegistrationError("this account no longer exists", error_kind=ErrorKind.NOT_FOUND)
        return confirmed

    def set_confirmed_email(self, username: str, email: str) -> None:
        """Give an account an address someone else verified (an OpenID Connect provider
        that says ``email_verified``), confirmed at once.

        :raise AddressError: not an address. :raise RegistrationError: another account
            has it (a conflict).
        """
        address = check_address(email)
        other = self.user_by_email(address)
        if other is not None and other.username != username:
            raise RegistrationError("another account uses this address", field="email",
                                    error_kind=ErrorKind.CONFLICT)
        user = self._accounts.user_iri(username)
        updates.run(self._root.store, "account_email_confirmed", accounts=self._graph(), user=user, data=[
                        ox.Triple(user, FOAF.mbox, _mailto(address)),
                        ox.Triple(user, CAT.emailVerified, _mailto(address))])

    def resend(self, username: str, compose: Compose) -> bool:
        """Mail a new confirmation link to an unconfirmed account's address (the old link
        stops working); False when there is nothing to confirm."""
        user = self._accounts.user(username)
        if user is None or user.email is None or user.email_verified:
            return False
        self._send_token(user.username, user.email, "verify", compose)
        return True

    def change_email(self, username: str, email: str, compose: Compose) -> None:
        """Mail a confirmation link to a new address; the account keeps its current one
        until the link is opened.

        :raise AddressError: not an address. :raise RegistrationError: another account
            has it (a conflict: the owner of an account may know this).
        """
        address = check_address(email)
        other = self.user_by_email(address)
        if other is not None and other.username != username:
            raise RegistrationError("another account uses this address", field="email",
                                    error_kind=ErrorKind.CONFLICT)
        self._send_token(username, address, "verify", compose)

    # resetting a password

    def forgot(self, email: str, compose: Compose) -> None:
        """Mail a reset link if an account has this address confirmed; the same (nothing
        raised, nothing said) otherwise.

        :raise AddressError: not an address at all (that leaks nothing).
        """
        address = check_address(email)
        user = self.user_by_email(address)
        if user is None or not user.email_verified:
            return
        self._send_token(user.username, address, "reset", compose)

    def reset(self, secret: str, password: str) -> User:
        """Set a new password through a reset link (which then stops working); every session
        of the account ends.

        :raise RegistrationError: the link is unknown, used or expired (not found).
        :raise AccountError: the password is too short (the link still works).
        """
        check_password(password)
        token = self.token(secret, "reset")
        self._accounts.set_password(token.username, password)
        updates.run(self._root.store, "account_mail_token_delete", accounts=self._graph(),
                    token=ox.NamedNode(token.iri))
        user = self._accounts.user(token.username)
        if user is None:
            raise RegistrationError("this account no longer exists", error_kind=ErrorKind.NOT_FOUND)
        return user

    # terms of use

    def needs_terms(self, user: User) -> bool:
        """Whether ``user`` must accept the current terms before going on: an account that
        accepted a version accepts each new one (accounts an administrator created, which
        never accepted any, are not asked: their administrator answers for them)."""
        return user.accepted_terms is not None and user.accepted_terms != TERMS_VERSION

    def accept_terms(self, username: str, version: str) -> None:
        """Record that the account accepted ``version`` of the terms, now.

        :raise RegistrationError: ``version`` is not the current one (the page was old).
        """
        if version != TERMS_VERSION:
            raise RegistrationError("the terms of use changed while you read them: read the current ones",
                                    error_kind=ErrorKind.CONFLICT)
        user = self._accounts.user_iri(username)
        updates.run(self._root.store, "account_terms_accept", accounts=self._graph(), user=user,
                    data=[ox.Triple(user, CAT.acceptedTerms, ox.Literal(version)),
                          ox.Triple(user, CAT.acceptedTermsAt, _dt(_now()))])

    # one's own data

    def export(self, username: str) -> dict:
        """Everything the catalogue keeps about an account, but its secrets (password hash,
        session version), and the proposals it wrote: a JSON-ready dict.

        :raise AccountError: no such account (not found).
        """
        user = self._accounts.user(username)
        if user is None:
            raise AccountError(f"no user {username!r}", error_kind=ErrorKind.NOT_FOUND)
        rows = queries.select(self._root.store, "account_export", accounts=self._graph(),
                              user=ox.NamedNode(user.iri))
        facts: dict[str, list[str]] = {}
        for r in rows:
            if r["p"].value in _SECRET:
                continue
            facts.setdefault(r["p"].value, []).append(r["o"].value)
        proposals = [{"id": p.id, "title": p.title, "state": p.state}
                     for p in Moderation(self._root).proposals(author=username)]
        return {"account": user.iri, "username": username, "name": user.name, "email": user.email,
                "email_confirmed": user.email_verified, "roles": sorted(user.roles),
                "publisher_of": sorted(user.sources), "facilitator_of": sorted(user.collections),
                "facts": facts, "proposals": proposals, "exported": _now().isoformat(timespec="seconds")}

    def export_json(self, username: str) -> bytes:
        return json.dumps(self.export(username), indent=2, ensure_ascii=False).encode("utf-8")

    def delete(self, username: str, password: str) -> None:
        """Delete an account after checking its password: its facts, links, subscriptions
        and memberships go; what it wrote stays, shown as written by "a former member" (a
        moderator removes it on request).

        :raise RegistrationError: the password is wrong (forbidden), or the account is the
            last administrator (a conflict: the catalogue would have none).
        """
        user = self._accounts.authenticate(username, password)
        if user is None:
            raise RegistrationError("the password is wrong: your account was not deleted",
                                    error_kind=ErrorKind.FORBIDDEN)
        if user.is_admin and not any(u.is_admin for u in self._accounts.users() if u.username != username):
            raise RegistrationError("you are the only administrator: make someone else one first",
                                    error_kind=ErrorKind.CONFLICT)
        for subscription in self._root.subscriptions.of_user(username):  # no mail to a gone account
            self._root.subscriptions.unfollow(username, subscription.target)
        for collection, _role, _state in self._root.membership.collections_of(username):
            self._root.membership.forget(collection, username)
        updates.run(self._root.store, "account_delete", accounts=self._graph(), user=ox.NamedNode(user.iri))
