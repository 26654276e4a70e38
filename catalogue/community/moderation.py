"""Proposed solutions and their moderation, as on Joinup: a signed-in member proposes a
solution through a form; nobody else sees it until a moderator validates it.

States: ``draft`` (saved, not submitted) → ``proposed`` (awaiting a moderator) →
``validated`` (published) → ``archived`` (withdrawn: its PURI answers 410 Gone). A
moderator may also ``reject`` a proposed solution back to draft with a note saying what
to change. Every change records who and when.

A proposal may be made into a published collection (its record says ``dct:isPartOf``);
that collection's facilitators then judge it as moderators do (:func:`may`), and only
proposals in their collections.

Where things live (private graphs, never in :meth:`Catalogue.public_graphs`):

* a proposal's solution record: its own graph ``graph/draft/{id}``;
* the workflow: ``graph/draft/moderation``, one ``cat:Proposal`` per proposal with its
  ``cat:state``, the latest ``cat:{state}By`` / ``cat:{state}At`` of each state and a
  ``cat:history`` event per change (action, state, who, when, note).

Publishing is not a second write path: the validated proposals together are the dump of
the source ``community``, ingested again through the pipeline on every validate and
archive. So the shapes judge them once more, the run is in the source's history and can
be audited, and an archived solution is a tombstone like any record a dump drops.

This module is the workflow: the states and their transitions, who may do what
(:func:`may`, :func:`judges`, :func:`may_view`) and the :class:`Moderation` service that
stores, moves and publishes proposals. The form, its checks and a proposal as read back
are values, in ``proposals``.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.community.accounts import User
from catalogue.community.choices import licence_choices
from catalogue.community.facilitators import is_collection
from catalogue.community.proposals import (
    Checked,
    Event,
    FormProblem,
    Proposal,
    ProposalForm,
    is_iri,
)
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.formats import serialize
from catalogue.graphs import COMMUNITY
from catalogue.ingest import Report
from catalogue.terms import CAT, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue

STATES = ("draft", "proposed", "validated", "archived")
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {  # action: (from states, to state)
    "submit": (("draft",), "proposed"),
    "reject": (("proposed",), "draft"),
    "validate": (("proposed",), "validated"),
    "archive": (("validated",), "archived"),
}
FROM = {**{action: s for action, (s, _) in TRANSITIONS.items()}, "edit": ("draft",)}
# the predicate pair recording the latest arrival in each state by a transition
RECORDED = {"proposed": (CAT.proposedBy, CAT.proposedAt), "draft": (CAT.rejectedBy, CAT.rejectedAt),
            "validated": (CAT.validatedBy, CAT.validatedAt),
            "archived": (CAT.archivedBy, CAT.archivedAt)}
COMMUNITY_NAME = "Community proposals"
# the cat:origin of the community source's runs: public, so no account name (who moderated
# is in the moderation graph, which is private)
PUBLIC_ORIGIN = "moderation"
MODERATION_GRAPH = "moderation"  # graphs.draft(MODERATION_GRAPH)
MAX_NOTE = 2000
PROPOSAL_ID = re.compile(r"^[0-9a-f]{16}$")
_publishing = threading.Lock()  # one publication of the community source at a time


class ModerationError(CatalogueError, ValueError):
    """A moderation request that cannot be done now (a conflict, unless a subclass or the
    raise site says otherwise); the message says why."""

    error_kind = ErrorKind.CONFLICT


class ProposalNotFound(ModerationError):
    """No proposal has that id."""

    error_kind = ErrorKind.NOT_FOUND


class NotAllowed(ModerationError):
    """The user may not do this to this proposal."""

    error_kind = ErrorKind.FORBIDDEN


class TransitionError(ModerationError):
    """The action does not apply to a proposal in its current state (a conflict)."""

    def __init__(self, action: str, state: str) -> None:
        allowed = " or ".join(FROM[action])
        super().__init__(f"a {state} proposal cannot be {_past(action)}: only a {allowed} one")
        self.action, self.state = action, state


class PublishRefused(ModerationError):
    """The ingest of the community source did not store the new dump (see ``report``)."""

    error_kind = ErrorKind.REFUSED

    def __init__(self, report: Report) -> None:
        super().__init__("the community source's dump was refused by validation; nothing changed")
        self.report = report


def _past(action: str) -> str:
    return {"submit": "submitted", "reject": "sent back", "validate": "validated",
            "archive": "archived", "edit": "edited"}.get(action, action)



def judges(user: User | None, p: Proposal) -> bool:
    """Moderators and admins judge every proposal; a facilitator those in their collections."""
    return user is not None and (user.is_moderator or user.can_facilitate(p.collection))


def may_view(user: User | None, p: Proposal) -> bool:
    """Its author and those who judge it; nobody else sees a proposal."""
    return user is not None and (user.username == p.author or judges(user, p))


def may(user: User | None, action: str, p: Proposal) -> bool:
    """Whether ``user`` may do ``action`` (edit, submit, validate, reject, archive) to ``p``,
    whatever its state: the author edits and submits, moderators (and the facilitators of
    its collection) judge, admins do all."""
    if user is None:
        return False
    if action in ("edit", "submit"):
        return user.username == p.author or user.is_admin
    return judges(user, p)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _dt(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=XSD.dateTime)


class Moderation:
    """Proposals of one catalogue: create, edit, move through the states, publish."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.graphs = catalogue.graphs
        self.base = catalogue.graphs.base

    @property
    def store(self):
        return self.catalogue.store

    @property
    def graph(self) -> ox.NamedNode:
        """The private graph of every proposal's state and history."""
        return self.graphs.draft(MODERATION_GRAPH)

    def solution_iri(self, proposal_id: str) -> ox.NamedNode:
        return self.graphs.community_solution(proposal_id)

    def _iri(self, proposal_id: str) -> ox.NamedNode:
        return self.graphs.proposal(proposal_id)

    def _user(self, user: User) -> ox.NamedNode:
        return ox.NamedNode(user.iri)

    def _username(self, iri: str) -> str:
        return iri.rsplit("/", 1)[-1]

    # checking a form

    def check(self, form: ProposalForm, proposal_id: str, issued: str | None = None) -> Checked:
        """Build the record and validate it with the shapes every dump passes.

        A licence typed by name or SPDX id becomes its SPDX IRI first (the checked form
        holds the IRI); one that names no licence is a problem (``licence``, with what was
        typed), and the record is then built without it."""
        form, licence_problems = self._licence(form)
        now = _now()
        solution = self.solution_iri(proposal_id)
        triples = form.triples(solution, issued or now, now)
        data = serialize(triples, ox.RdfFormat.N_TRIPLES)
        report = self.catalogue.publishing.validate(data, format="nt")
        problems = form.problems()
        problems += [x for x in licence_problems + self._collection_problems(form) if x not in problems]
        return Checked(form, problems, report, data)

    def _licence(self, form: ProposalForm) -> tuple[ProposalForm, list[FormProblem]]:
        """The form with its licence as the IRI it names, and the problem if it names none."""
        if not form.licence:
            return form, []
        iri = licence_choices(self.catalogue).resolve(form.licence)
        if iri is None:
            return form, [FormProblem("licence", "licence", form.licence)]
        return replace(form, licence=iri), []

    def _collection_problems(self, form: ProposalForm) -> list[FormProblem]:
        """A collection must be a published one (the form only offers those)."""
        if not form.collection or not is_iri(form.collection) or \
                is_collection(self.catalogue, form.collection):
            return []
        return [FormProblem("collection", "collection")]

    # reading

    def proposals(self, *, author: str | None = None, state: str | None = None) -> list[Proposal]:
        """Every proposal, most recently changed first (without history)."""
        rows = queries.select(self.store, "moderation_proposals", moderation=self.graph)
        found = [self._proposal(r) for r in rows]
        return [p for p in found if (author is None or p.author == author)
                and (state is None or p.state == state)]

    def get(self, proposal_id: str) -> Proposal:
        """One proposal with its history. :raise ProposalNotFound:"""
        if not isinstance(proposal_id, str) or not PROPOSAL_ID.match(proposal_id):
            raise ProposalNotFound(f"no proposal {proposal_id!r}")
        rows = list(queries.select(self.store, "moderation_proposal", moderation=self.graph,
                                   proposal=self._iri(proposal_id)))
        if not rows:
            raise ProposalNotFound(f"no proposal {proposal_id!r}")
        history = queries.select(self.store, "moderation_history", moderation=self.graph,
                                 proposal=self._iri(proposal_id))
        events = tuple(Event(r["event"].value, r["action"].value, r["state"].value,
                             self._username(r["by"].value), r["at"].value,
                             r["note"].value if "note" in r else None)
                       for r in history)
        return replace(self._proposal(rows[0]), events=events)

    def _proposal(self, r) -> Proposal:
        return Proposal(
            id=r["id"].value, iri=r["proposal"].value, solution=r["solution"].value,
            state=r["state"].value, author=self._username(r["author"].value),
            created=r["created"].value, changed=r["changed"].value,
            title=r["title"].value if "title" in r else "",
            note=r["note"].value if "note" in r else None,
            collection=r["collection"].value if "collection" in r else None)

    def triples(self, proposal_id: str) -> list[ox.Triple]:
        """The proposal's solution record, as last saved."""
        return self.store.triples(self.graphs.draft(proposal_id))

    def form(self, proposal_id: str) -> ProposalForm:
        return ProposalForm.from_triples(self.solution_iri(proposal_id), self.triples(proposal_id))

    def review(self, proposal_id: str) -> Report:
        """The shapes' verdict on the record as saved (warnings a moderator may weigh)."""
        data = serialize(self.triples(proposal_id), ox.RdfFormat.N_TRIPLES)
        return self.catalogue.publishing.validate(data, format="nt")

    # writing: create, edit

    def create(self, form: ProposalForm, user: User, *, submit: bool = False) -> tuple[Checked, Proposal | None]:
        """Save a new proposal if the shapes accept it (as a draft, or submitted at once);
        otherwise nothing is stored and the check says why."""
        proposal_id = secrets.token_hex(8)
        checked = self.check(form, proposal_id)
        if not checked.ok:
            return checked, None
        now = _now()
        p, who = self._iri(proposal_id), self._user(user)
        workflow = [
            ox.Triple(p, RDF_TYPE, CAT.Proposal), ox.Triple(p, CAT.proposalId, ox.Literal(proposal_id)),
            ox.Triple(p, CAT.solution, self.solution_iri(proposal_id)),
            ox.Triple(p, CAT.graph, self.graphs.draft(proposal_id)),
            ox.Triple(p, CAT.state, ox.Literal("draft")), ox.Triple(p, CAT.createdBy, who),
            ox.Triple(p, CAT.createdAt, _dt(now)), ox.Triple(p, CAT.changedAt, _dt(now)),
            *self._event(p, "create", "draft", who, now),
        ]
        updates.run(self.store, "proposal_create", draft=self.graphs.draft(proposal_id),
                    moderation=self.graph, record=self._record(checked), workflow=workflow)
        if submit:
            self.submit(proposal_id, user)
        return checked, self.get(proposal_id)

    def edit(self, proposal_id: str, form: ProposalForm, user: User,
             *, submit: bool = False) -> tuple[Checked, Proposal | None]:
        """Replace a draft's record (its author's, or an admin's) if the shapes accept it.

        :raise ProposalNotFound, NotAllowed, TransitionError: (not a draft)
        """
        p = self.get(proposal_id)
        if not may(user, "edit", p):
            raise NotAllowed("only its author may change a proposal")
        if p.state not in FROM["edit"]:
            raise TransitionError("edit", p.state)
        checked = self.check(form, proposal_id, issued=p.created)
        if not checked.ok:
            return checked, None
        iri, now = self._iri(proposal_id), _now()
        # one update, and only while it is still a draft
        updates.run(self.store, "proposal_edit", moderation=self.graph,
                    draft=self.graphs.draft(proposal_id), proposal=iri, changed=_dt(now),
                    record=self._record(checked),
                    event=self._event(iri, "edit", "draft", self._user(user), now))
        if submit:
            self.submit(proposal_id, user)
        return checked, self.get(proposal_id)

    def _record(self, checked: Checked) -> list[ox.Triple]:
        return [q.triple for q in ox.parse(checked.data, format=ox.RdfFormat.N_TRIPLES)]

    def _event(self, proposal: ox.NamedNode, action: str, state: str, who: ox.NamedNode,
               at: str, note: str | None = None, e: ox.NamedNode | None = None) -> list[ox.Triple]:
        e = e or self.graphs.event(proposal, secrets.token_hex(6))
        out = [ox.Triple(proposal, CAT.history, e), ox.Triple(e, RDF_TYPE, CAT.ModerationEvent),
               ox.Triple(e, CAT.action, ox.Literal(action)), ox.Triple(e, CAT.state, ox.Literal(state)),
               ox.Triple(e, CAT.by, who), ox.Triple(e, CAT.at, _dt(at))]
        if note:
            out.append(ox.Triple(e, CAT.note, ox.Literal(note)))
        return out

    # the states

    def submit(self, proposal_id: str, user: User) -> Proposal:
        """Draft → proposed: a moderator will see it. :raise ModerationError:"""
        return self._move(proposal_id, "submit", user)

    def reject(self, proposal_id: str, user: User, note: str = "") -> Proposal:
        """Proposed → draft, with the moderator's note saying what to change."""
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise ModerationError(f"the note is over {MAX_NOTE} characters",
                                  error_kind=ErrorKind.BAD_INPUT)
        return self._move(proposal_id, "reject", user, note or None)

    def validate(self, proposal_id: str, user: User) -> tuple[Proposal, Report]:
        """Proposed → validated: published by an ingest of the community source.

        :raise PublishRefused: the ingest did not store it (the state is unchanged).
        """
        with _publishing:
            p = self._allowed(proposal_id, "validate", user)
            published = [x.id for x in self.proposals(state="validated")] + [p.id]
            report = self._publish(published, user)
            return self._move(proposal_id, "validate", user), report

    def archive(self, proposal_id: str, user: User) -> tuple[Proposal, Report]:
        """Validated → archived: the community source's next dump lacks it (410 Gone).

        Archiving the last published one withdraws the community source as a whole.
        """
        with _publishing:
            p = self._allowed(proposal_id, "archive", user)
            published = [x.id for x in self.proposals(state="validated") if x.id != p.id]
            if published:
                report = self._publish(published, user)
            else:  # the last one: no dump can be empty, so the source is withdrawn as a whole
                report = self.catalogue.publishing.withdraw_all(COMMUNITY, by=PUBLIC_ORIGIN, agent=user.iri)
            return self._move(proposal_id, "archive", user), report

    def _allowed(self, proposal_id: str, action: str, user: User) -> Proposal:
        p = self.get(proposal_id)
        if not may(user, action, p):
            raise NotAllowed(f"your account may not {action} this proposal")
        if p.state not in TRANSITIONS[action][0]:
            raise TransitionError(action, p.state)
        return p

    def _move(self, proposal_id: str, action: str, user: User, note: str | None = None) -> Proposal:
        """One update that changes the state only if it is still one the action applies to
        (so two moderators cannot both act on the same state), then reads it back."""
        self._allowed(proposal_id, action, user)
        sources, target = TRANSITIONS[action]
        iri, who, now = self._iri(proposal_id), self._user(user), _now()
        by, at = RECORDED[target]
        event = self.graphs.event(iri, secrets.token_hex(6))
        new = [ox.Triple(iri, CAT.state, ox.Literal(target)), ox.Triple(iri, CAT.changedAt, _dt(now)),
               ox.Triple(iri, by, who), ox.Triple(iri, at, _dt(now)),
               *self._event(iri, action, target, who, now, note, event)]
        if note:
            new.append(ox.Triple(iri, CAT.note, ox.Literal(note)))
        updates.run(self.store, "proposal_move", moderation=self.graph, proposal=iri, by=by, at=at,
                    state=[ox.Literal(s) for s in sources], data=new)
        moved = self.get(proposal_id)
        if moved.state != target or event.value not in {e.iri for e in moved.events}:
            raise TransitionError(action, moved.state)  # another request moved it first
        return moved

    # publishing: the community source is the validated proposals, through the pipeline

    def community_dump(self, proposal_ids: Sequence[str]) -> bytes:
        """The N-Triples of these proposals' records: the community source's next dump."""
        triples: dict[ox.Triple, None] = {}
        for pid in proposal_ids:
            triples.update(dict.fromkeys(self.triples(pid)))
        return serialize(list(triples), ox.RdfFormat.N_TRIPLES)

    def _publish(self, proposal_ids: Sequence[str], user: User) -> Report:
        catalogue = self.catalogue
        state = catalogue.publishing.source(COMMUNITY)
        if state is None or state.name is None:
            catalogue.publishing.register_source(COMMUNITY, COMMUNITY_NAME)
        report = catalogue.publishing.ingest(COMMUNITY, self.community_dump(proposal_ids), format="nt",
                                  mode="strict", origin=PUBLIC_ORIGIN, agent=user.iri)
        if not report.stored:
            raise PublishRefused(report)
        return report
