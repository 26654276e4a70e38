"""The curation workflow (issue 16, item 5): moderators ask a record's publishers for
changes, or hide a record from the public with a reason and lift the hide again; every
action is kept with who and when.

Reached as ``Catalogue.curation``. Where things live:

* the private curation graph (``Graphs.curation``) holds every action, append-only, as a
  ``cat:CurationAction`` of a kind (``request``, ``close``, ``hide``, ``lift``) with the
  record, the sources publishing it then, the message or reason, a closing's reply and the
  request it closes, the account (``prov:wasAssociatedWith``) and ``dct:created``. A
  request is open until a ``close`` names it; a record is hidden from its ``hide`` to the
  next ``lift``. History is the list of actions: nothing is ever overwritten.
* the public hidden graph (``Graphs.hidden``) holds each record hidden now, with the
  public reason and when (``cat:Hiding``): what the 410 page says, and what a SPARQL user
  filters on. A lift deletes it there. Who hid it and the change requests' messages never
  leave the private graph.

Ingest never writes either graph, so a publisher's new dump does not lift a hide. A hide
or lift changes the data version (``data_version.rq`` reads them) and rewrites the search
index's hidden set (``Catalogue.search.hidden`` merges these records with duplicates').

A change request keeps a digest of the record's description when it was made, so its page
says when a later ingest changed the record ("changed since the request").

The e-mail to the publishers is one hook, :meth:`Curation.notify_publishers` (the mail
package wires it): a request returns the publishers' accounts with it. The records this
works with (actions, requests, hidings, errors) are in ``curation_data``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.ingest.registry import all_sources
from catalogue.mail import Mail
from catalogue.quality.curation_data import (
    IDENT,
    MAX_MESSAGE,
    MAX_REASON,
    RECORD_TYPES,
    Action,
    ChangeRequest,
    CurationError,
    Hiding,
    RecordCuration,
    Requested,
    Target,
    checked_text,
    description_digest,
    literal,
    now,
    value_of,
    when_of,
)
from catalogue.store import Dataset
from catalogue.terms import CAT, DCT, PROV, RDF_TYPE

if TYPE_CHECKING:
    from catalogue.app import Catalogue
    from catalogue.community.accounts import User

log = logging.getLogger(__name__)


class Curation:
    """Change requests, hides and lifts of one catalogue's records."""

    # the hook the mail package sets: called with each new request and its publishers
    mailer: Callable[[ChangeRequest, list[User]], None] | None = None

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    # what the public sees: hidden records, once per data version

    def hidden(self, iri: str) -> Hiding | None:
        """The record's hiding (public reason and when), or None if it is not hidden."""
        return self._hidden_map().get(iri)

    def hidden_iris(self) -> frozenset[str]:
        """Every record hidden now (what feeds and listings leave out)."""
        return frozenset(self._hidden_map())

    def _hidden_map(self) -> dict[str, Hiding]:
        return self._root.per_version("curation:hidden", self.read_hidden)

    def read_hidden(self) -> dict[str, Hiding]:
        """The hidden records read fresh from the public hidden graph (not per data
        version: search's upkeep asks right after a write)."""
        rows = queries.select(self._root.store, "curation_hidden",
                              dataset=Dataset(default_graphs=[self._root.graphs.hidden]))
        return {r["record"].value: Hiding(r["record"].value, r["reason"].value, when_of(r["when"].value))
                for r in rows}

    # the records acted on

    def sources_of(self, iri: str) -> tuple[str, ...]:
        """The sources whose current graph publishes ``iri`` as a record."""
        root = self._root
        owners = {s.graph.value: slug for slug, s in all_sources(root.store, root.graphs).items()
                  if s.graph is not None}
        rows = queries.select(root.store, "record_graphs", resource=[ox.NamedNode(iri)])
        return tuple(sorted({owners[r["g"].value] for r in rows if r["g"].value in owners}))

    def target(self, iri: str) -> Target:
        """The published solution or release ``iri``.

        :raise CurationError: not an IRI (bad input), nothing published there (not found),
            or a record that is neither a solution nor a release (bad input).
        """
        try:
            node = ox.NamedNode((iri or "").strip())
        except ValueError:
            raise CurationError(f"{iri!r} is not an IRI: give the record's full IRI",
                                problem="not-an-iri") from None
        iri = node.value
        sources = self.sources_of(iri) if iri else ()
        if not iri or not sources:
            raise CurationError(f"no source publishes <{iri}> now", problem="not-published",
                                error_kind=ErrorKind.NOT_FOUND)
        triples = self._root.reader.describe(iri)
        types = {t.object for t in triples if t.subject == node and t.predicate == RDF_TYPE}
        if not types & RECORD_TYPES:
            raise CurationError(f"<{iri}> is not a solution or a release: only those are curated here",
                                problem="not-a-record")
        released = any(t.subject == node and t.predicate == DCT.isVersionOf for t in triples) \
            or self._root.reader.is_release(iri)
        return Target(iri, "release" if released else "solution", sources,
                      description_digest(triples, iri))

    def may_see(self, user: User | None, iri: str) -> bool:
        """Whether ``user`` sees a record's curation (and the record while it is hidden):
        moderators and admins, and the publishers of a source that publishes it or did
        when it was acted on."""
        if user is None:
            return False
        if user.is_moderator:
            return True
        if not user.sources:
            return False
        if set(self.sources_of(iri)) & user.sources:
            return True
        return any(set(a.sources) & user.sources for a in self.actions(iri))

    def may_close(self, user: User | None, request: ChangeRequest) -> bool:
        """Moderators and admins, and the publishers of a source the request went to."""
        return user is not None and (user.is_moderator or bool(set(request.sources) & user.sources))

    # writes

    def request_changes(self, iri: str, message: str, *, by: User) -> Requested:
        """A moderator asks the publishers of the published solution or release ``iri`` for
        changes; the publishers are told (:meth:`notify_publishers`).

        :raise CurationError: ``by`` is no moderator (forbidden), the message is empty or
            too long, or ``iri`` is not a published solution or release (see :meth:`target`).
        """
        self._moderator(by)
        text = checked_text(message, what="message", limit=MAX_MESSAGE, required=True)
        target = self.target(iri)
        action = self._write("request", target.iri, by, sources=target.sources, message=text,
                             digest=target.digest)
        request = ChangeRequest(action)
        publishers = self.publishers(target.sources)
        self.notify_publishers(request, publishers)
        return Requested(request, publishers)

    def notify_publishers(self, request: ChangeRequest, publishers: list[User]) -> None:
        """Tell the publishers of ``request``'s sources about it by mail (``Catalogue.mail``;
        :attr:`mailer` replaces it in tests). When it fails the request is still shown
        (source page, record page) and the failure logged: a request is never lost because
        mail is down."""
        mailer = self.mailer or self._mail
        try:
            mailer(request, publishers)
        except Exception as exc:  # noqa: BLE001 - mail must not undo a stored request
            log.warning("change request %s: the publishers were not e-mailed: %s", request.ident, exc)

    def _mail(self, request: ChangeRequest, publishers: list[User]) -> None:
        """One mail to the publishers with an address: the moderator's message and where
        to answer it (English: the catalogue keeps no language per account)."""
        to = tuple(sorted({u.email for u in publishers if u.email}))
        if not to:
            return
        mail = self._root.mail
        names = self._root.reader.names([request.record])
        title = names.get(request.record, request.record)
        text = (f"A moderator of the catalogue asks for changes to {title}:\n\n{request.action.message or ''}\n\n"
                f"The record: {mail.link(request.record)}\n"
                f"Your sources: {mail.site()}sources\n\n"
                "Fix it in your next dump (or on the site), then mark the request done on the record's page.\n")
        mail.send(Mail(to=to, subject=f"Changes requested: {title}"[:200], text=text))

    def publishers(self, sources: tuple[str, ...]) -> list[User]:
        """The accounts publishing any of ``sources`` (by relation, not admins by role)."""
        return [u for u in self._root.accounts.users() if u.sources & set(sources)]

    def close(self, ident: str, *, by: User, reply: str = "") -> ChangeRequest:
        """Close an open request ("done"), with an optional reply.

        :raise CurationError: no such request (not found), already closed (conflict),
            ``by`` is neither a moderator nor a publisher of its sources (forbidden), the
            reply too long (bad input).
        """
        request = self.request(ident)
        if not self.may_close(by, request):
            raise CurationError("only the record's publishers and the moderators close a request",
                                problem="not-allowed", error_kind=ErrorKind.FORBIDDEN)
        text = checked_text(reply, what="reply", limit=MAX_MESSAGE, required=False)
        if not request.is_open:
            raise CurationError("this request is already closed", problem="closed",
                                error_kind=ErrorKind.CONFLICT)
        closing = self._write("close", request.record, by, sources=request.sources,
                              reply=text or None, request=request.action.iri)
        return ChangeRequest(request.action, closing)

    def hide(self, iri: str, reason: str, *, by: User) -> Hiding:
        """Hide the published solution or release ``iri`` from the public, with a public
        reason: its pages answer 410, search, listings and feeds leave it out.

        :raise CurationError: ``by`` is no moderator (forbidden), the reason empty or too
            long, ``iri`` not a published solution or release, or hidden already (conflict).
        """
        self._moderator(by)
        text = checked_text(reason, what="reason", limit=MAX_REASON, required=True)
        target = self.target(iri)
        if target.iri in self.read_hidden():
            raise CurationError(f"<{target.iri}> is hidden already", problem="already-hidden",
                                error_kind=ErrorKind.CONFLICT)
        when = now()
        node = self._root.graphs.curation_action(uuid.uuid4().hex)
        action = self._triples(node, "hide", target.iri, by, when, sources=target.sources, message=text)
        public = [ox.Triple(node, RDF_TYPE, CAT.Hiding),
                  ox.Triple(node, CAT.record, ox.NamedNode(target.iri)),
                  ox.Triple(node, CAT.reason, ox.Literal(text)),
                  ox.Triple(node, DCT.created, literal(when))]
        graphs = self._root.graphs
        updates.run(self._root.store, "curation_hide", curation=graphs.curation, hidden=graphs.hidden,
                    action=action, public=public)
        self._shown_changed()
        return Hiding(target.iri, text, when, by.username, target.sources)

    def lift(self, iri: str, *, by: User) -> None:
        """Show a hidden record again (whether or not it is still published).

        :raise CurationError: ``by`` is no moderator (forbidden), ``iri`` is not an IRI,
            or not hidden (conflict).
        """
        self._moderator(by)
        try:
            node = ox.NamedNode((iri or "").strip())
        except ValueError:
            raise CurationError(f"{iri!r} is not an IRI: give the record's full IRI",
                                problem="not-an-iri") from None
        if node.value not in self.read_hidden():
            raise CurationError(f"<{node.value}> is not hidden", problem="not-hidden",
                                error_kind=ErrorKind.CONFLICT)
        action = self._triples(self._root.graphs.curation_action(uuid.uuid4().hex), "lift", node.value,
                               by, now(), sources=self.sources_of(node.value))
        graphs = self._root.graphs
        updates.run(self._root.store, "curation_lift", curation=graphs.curation, hidden=graphs.hidden,
                    record=node, action=action)
        self._shown_changed()

    def _moderator(self, user: User) -> None:
        if not user.is_moderator:
            raise CurationError("only moderators request changes, hide and lift records",
                                problem="not-allowed", error_kind=ErrorKind.FORBIDDEN)

    def _shown_changed(self) -> None:
        """What the public sees changed: a new data version, search's hidden set rewritten
        (a failure there is logged: the hide is stored, and ``catalogue index`` rebuilds)."""
        self._root.changed()
        try:
            self._root.search.rewrite_hidden()
        except CatalogueError as exc:
            log.warning("search index not updated after a hide or lift: %s", exc)

    def _write(self, kind: str, record: str, by: User, *, sources: tuple[str, ...] = (),
               message: str | None = None, reply: str | None = None, request: str | None = None,
               digest: str | None = None) -> Action:
        when = now()
        node = self._root.graphs.curation_action(uuid.uuid4().hex)
        updates.run(self._root.store, "graph_insert", graph=self._root.graphs.curation,
                    data=self._triples(node, kind, record, by, when, sources=sources, message=message,
                                       reply=reply, request=request, digest=digest))
        return Action(node.value, kind, record, by.username, when, sources, message, reply, request, digest)

    @staticmethod
    def _triples(node: ox.NamedNode, kind: str, record: str, by: User, when: datetime, *,
                 sources: tuple[str, ...] = (), message: str | None = None, reply: str | None = None,
                 request: str | None = None, digest: str | None = None) -> list[ox.Triple]:
        triples = [ox.Triple(node, RDF_TYPE, CAT.CurationAction),
                   ox.Triple(node, CAT.action, ox.Literal(kind)),
                   ox.Triple(node, CAT.record, ox.NamedNode(record)),
                   ox.Triple(node, PROV.wasAssociatedWith, ox.NamedNode(by.iri)),
                   ox.Triple(node, DCT.created, literal(when))]
        triples += [ox.Triple(node, CAT.source, ox.Literal(s)) for s in sources]
        for prop, value in ((CAT.message, message), (CAT.reply, reply), (CAT.digest, digest)):
            if value:
                triples.append(ox.Triple(node, prop, ox.Literal(value)))
        if request:
            triples.append(ox.Triple(node, CAT.request, ox.NamedNode(request)))
        return triples

    # reads of the private graph (for moderators and publishers)

    def actions(self, iri: str | None = None) -> list[Action]:
        """Every action on record ``iri`` (None: on every record), oldest first."""
        graph = Dataset(default_graphs=[self._root.graphs.curation])
        store = self._root.store
        rows = queries.select(store, "curation_actions", dataset=graph) if iri is None else \
            queries.select(store, "curation_record_actions", dataset=graph, record=ox.NamedNode(iri))
        prefix = f"{self._root.graphs.base}user/"
        found: dict[str, Action] = {}
        sources: dict[str, list[str]] = {}
        for r in rows:
            key = r["action"].value
            if key not in found:
                found[key] = Action(key, r["kind"].value, r["record"].value,
                                    r["by"].value.removeprefix(prefix), when_of(r["when"].value),
                                    message=value_of(r, "message"), reply=value_of(r, "reply"),
                                    request=value_of(r, "request"), digest=value_of(r, "digest"))
            if "source" in r and r["source"].value not in sources.setdefault(key, []):
                sources[key].append(r["source"].value)
        return [Action(a.iri, a.kind, a.record, a.by, a.when, tuple(sorted(sources.get(a.iri, ()))),
                       a.message, a.reply, a.request, a.digest) for a in found.values()]

    def _requests(self, actions: list[Action]) -> list[ChangeRequest]:
        """The requests among ``actions``, each with its closing and whether its record
        changed since; newest first."""
        closings = {a.request: a for a in actions if a.kind == "close" and a.request}
        digests: dict[str, str | None] = {}
        out = []
        for a in actions:
            if a.kind != "request":
                continue
            if a.record not in digests:
                try:
                    digests[a.record] = self.target(a.record).digest
                except CurationError:
                    digests[a.record] = None
            now = digests[a.record]
            out.append(ChangeRequest(a, closings.get(a.iri), None if now is None else now != a.digest))
        return sorted(out, key=lambda r: r.action.when, reverse=True)

    def _hidings(self, actions: list[Action]) -> dict[str, Hiding]:
        """The records hidden now, with who hid them and the sources then (the private
        side of the public hidden graph)."""
        shown = self.read_hidden()
        latest = {a.record: a for a in actions if a.kind == "hide"}  # oldest first: the last wins
        out = {}
        for iri, public in shown.items():
            a = latest.get(iri)
            out[iri] = Hiding(iri, public.reason, public.when, a.by if a else None, a.sources if a else ())
        return out

    def record(self, iri: str) -> RecordCuration:
        """A record's curation: its hiding, its requests and the whole history."""
        actions = self.actions(iri)
        return RecordCuration(iri, self._hidings(actions).get(iri), self._requests(actions), actions)

    def request(self, ident: str) -> ChangeRequest:
        """One change request by its id.

        :raise CurationError: there is no such request (not found).
        """
        if not IDENT.match(ident or ""):
            raise CurationError(f"there is no change request {ident!r}", problem="no-request",
                                error_kind=ErrorKind.NOT_FOUND)
        iri = self._root.graphs.curation_action(ident).value
        actions = self.actions()
        found = next((a for a in actions if a.iri == iri and a.kind == "request"), None)
        if found is not None:
            for r in self._requests([a for a in actions if a.record == found.record]):
                if r.action.iri == iri:
                    return r
        raise CurationError(f"there is no change request {ident!r}", problem="no-request",
                            error_kind=ErrorKind.NOT_FOUND)

    def for_source(self, slug: str) -> tuple[list[ChangeRequest], list[Hiding]]:
        """What a source's publishers see on its page: the open change requests sent to it
        and the records of it hidden now (newest first)."""
        actions = self.actions()
        requests = [r for r in self._requests(actions) if r.is_open and slug in r.sources]
        hidings = [h for h in self._hidings(actions).values() if slug in h.sources]
        return requests, sorted(hidings, key=lambda h: h.when, reverse=True)

    def overview(self) -> tuple[list[ChangeRequest], list[Hiding]]:
        """What the moderators' curation page lists: every open change request and every
        hidden record, newest first."""
        actions = self.actions()
        requests = [r for r in self._requests(actions) if r.is_open]
        hidings = sorted(self._hidings(actions).values(), key=lambda h: h.when, reverse=True)
        return requests, hidings
