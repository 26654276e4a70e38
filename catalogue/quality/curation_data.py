"""The curation workflow's records (catalogue/quality/curation.py works with them): actions,
change requests, hidings, the limits on what moderators write, and its errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.terms import ADMS, DCAT, XSD

if TYPE_CHECKING:
    from catalogue.community.accounts import User

KINDS = ("request", "close", "hide", "lift")
MAX_MESSAGE = 4000  # characters of a change request's message or a closing's reply
MAX_REASON = 1000  # characters of a hide's public reason
IDENT = re.compile(r"^[0-9a-f]{32}$")
RECORD_TYPES = frozenset({DCAT.Dataset, ADMS.Asset})  # solutions and releases


class CurationError(CatalogueError, ValueError):
    """A curation action that cannot be done; ``problem`` names why, for the web to word
    (``empty-message``, ``long-message``, ``long-reply``, ``empty-reason``, ``long-reason``,
    ``not-an-iri``, ``not-published``, ``not-a-record``, ``already-hidden``, ``not-hidden``,
    ``no-request``, ``closed``, ``not-allowed``); ``limit`` is the length a too-long text
    may have."""

    def __init__(self, message: str, *, problem: str, error_kind: ErrorKind = ErrorKind.BAD_INPUT,
                 limit: int | None = None) -> None:
        super().__init__(message, error_kind=error_kind)
        self.problem = problem
        self.limit = limit


@dataclass(frozen=True)
class Action:
    """One curation action as the private graph keeps it."""

    iri: str
    kind: str  # one of KINDS
    record: str
    by: str  # the account's username
    when: datetime
    sources: tuple[str, ...] = ()
    message: str | None = None  # a request's message, a hide's reason
    reply: str | None = None  # a closing's reply
    request: str | None = None  # the request a closing closes (its IRI)
    digest: str | None = None  # a request's digest of the record's description

    @property
    def ident(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ChangeRequest:
    """A moderator's request for changes, its closing if any, and whether the record has
    changed since (None: the record is no longer published; False when not checked)."""

    action: Action
    closing: Action | None = None
    changed: bool | None = False

    @property
    def ident(self) -> str:
        return self.action.ident

    @property
    def record(self) -> str:
        return self.action.record

    @property
    def sources(self) -> tuple[str, ...]:
        return self.action.sources

    @property
    def is_open(self) -> bool:
        return self.closing is None


@dataclass(frozen=True)
class Hiding:
    """A record hidden now: the public reason and when; ``by`` and ``sources`` only where
    read from the private graph (None and () in the public view)."""

    record: str
    reason: str
    when: datetime
    by: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """A published solution or release a moderator may act on."""

    iri: str
    kind: str  # "solution" or "release"
    sources: tuple[str, ...]  # the sources whose current graph publishes it
    digest: str


@dataclass(frozen=True)
class RecordCuration:
    """What a record's page shows its publishers and the moderators."""

    record: str
    hiding: Hiding | None
    requests: list[ChangeRequest] = field(default_factory=list)  # newest first
    history: list[Action] = field(default_factory=list)  # oldest first

    @property
    def open_requests(self) -> list[ChangeRequest]:
        return [r for r in self.requests if r.is_open]


@dataclass(frozen=True)
class Requested:
    """A change request just made, and the accounts publishing the record's sources (whom
    the e-mail goes to: ``User.email`` where an account has one)."""

    request: ChangeRequest
    publishers: list[User]


def description_digest(triples: list[ox.Triple], iri: str) -> str:
    """A digest of a record's own triples (its subject's and its blank nodes'), blind to
    blank node labels (a re-ingest names them anew): equal when the description is."""
    node = ox.NamedNode(iri)

    def text(term: object) -> str:
        return "_:" if isinstance(term, ox.BlankNode) else str(term)

    lines = sorted(f"{text(t.subject)} {t.predicate} {text(t.object)}" for t in triples
                   if t.subject == node or isinstance(t.subject, ox.BlankNode))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def checked_text(text: str, *, what: str, limit: int, required: bool) -> str:
    """``text`` trimmed, or :class:`CurationError` naming ``what`` (message, reason, reply)
    if it is empty and ``required``, or longer than ``limit`` characters."""
    text = (text or "").strip()
    if required and not text:
        raise CurationError(f"the {what} is empty: say what and why", problem=f"empty-{what}")
    if len(text) > limit:
        raise CurationError(f"the {what} is too long: write at most {limit} characters",
                            problem=f"long-{what}", limit=limit)
    return text


def value_of(row: Mapping[str, object], name: str) -> str | None:
    """An optional column's text (None when unbound)."""
    term = row.get(name)
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else None


def now() -> datetime:
    return datetime.now(UTC)  # to the microsecond: a hide and its lift in one second stay in order


def literal(when: datetime) -> ox.Literal:
    return ox.Literal(when.isoformat(), datatype=XSD.dateTime)


def when_of(text: str) -> datetime:
    """An xsd:dateTime written by this module (aware; a naive one read as UTC)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
