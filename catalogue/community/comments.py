"""Comments on solutions, releases and content items (issue 15, item 4): threaded, edited
and deleted by their authors, moderated, reported as abuse.

Reached as ``Catalogue.comments``. A comment is minted ``{base}comment/{12 hex}``, a
``sioc:Post`` and ``cat:Comment`` with ``sioc:reply_of`` (what it comments),
``cat:inReplyTo`` (the comment it answers, for threads), ``sioc:content`` (Markdown, as
typed; the web renders it with the site's sanitiser), ``dct:creator`` (the account),
``dct:created`` and ``dct:modified`` (``xsd:dateTime``, UTC), ``cat:edited`` (when its author
last changed it) and ``cat:state``:

* ``visible``: in the public ``graph/comments`` (so /sparql and the dumps carry it);
* ``pending``: waiting for a moderator (the first comments of a new account), private;
* ``hidden``: a moderator hid it, with ``cat:hiddenReason`` (its author reads the reason,
  the public sees "hidden by moderators"), private;
* ``deleted``: its author deleted it; a tombstone without the text keeps the thread's
  shape, private.

Everything private is in ``graph/comments-private``: those comments, the text each edit or
deletion replaced (``cat:CommentRevision``: what moderators may need to judge a report),
abuse reports (``cat:AbuseReport``: who, why, when, and which moderator dealt with it) and
every moderator's act (``cat:CommentAction``: approve, hide, with who, when and why).

Who may do what: any signed-in account comments and replies (to a visible comment, down to
:data:`MAX_DEPTH`) and reports others' visible comments, once each; an author edits and
deletes their own; site moderators and administrators moderate every comment, the
facilitators of a collection (``Catalogue.membership``) the comments on its content. An
account's comments wait for moderation until :attr:`Settings.comment_trust_after` of them
are visible (moderators never wait); until then a comment may hold at most
:attr:`Settings.comment_new_links` links, and an edit of a visible comment waits again.

Comments never move the data version (a comment would flush every cache): pages show them
outside the cached body (webapp/community/comments.py). The public graph's own version
(:meth:`Comments.version`) is written with each change that touches it; the public SPARQL
endpoint keys its snapshot on it too, so a hidden comment leaves /sparql at once.

Writes go through one saved update (``comment_change.ru``: what leaves and enters each
graph, one transaction), computed from the comment as just read, under a lock: one process
writes the embedded store.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.pages import is_solution
from catalogue.terms import CAT, DCT, PROV, RDF_TYPE, SIOC, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue
    from catalogue.community.accounts import User

MAX_LENGTH = 5000  # characters of a comment
MAX_REASON = 500  # characters of a moderator's reason or an abuse report
MAX_DEPTH = 5  # a top-level comment is at depth 1; a reply at MAX_DEPTH takes no reply
STATES = ("visible", "pending", "hidden", "deleted")
IDENT = re.compile(r"^[0-9a-f]{12}$")
# what counts as a link in a comment: what the sanitiser would make one (Markdown links,
# bare addresses it linkifies)
_ADDRESS = r"(?:https?://|mailto:|www\.)"
_LINK = re.compile(rf"(?i)\b{_ADDRESS}|\]\((?!\s*<?{_ADDRESS})")


class CommentError(CatalogueError, ValueError):
    """A comment that cannot be written or changed; ``problem`` names which rule (the web
    words it in the reader's language), ``limit`` the number the rule allows."""

    def __init__(self, message: str, *, problem: str, limit: int | None = None,
                 error_kind: ErrorKind | None = None) -> None:
        super().__init__(message, error_kind=error_kind)
        self.problem = problem
        self.limit = limit


@dataclass(frozen=True)
class Comment:
    iri: str
    target: str
    parent: str | None
    text: str  # Markdown as typed; "" for a deleted comment
    creator: str  # the account's IRI
    author: str  # its name; "" once the account is gone
    created: str
    modified: str
    edited: str | None  # when its author last changed it
    state: str
    reason: str | None = None  # a hidden comment's reason

    @property
    def ident(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class Shown:
    """A comment as one reader sees it in its thread: ``full`` (its text) or not (a
    placeholder: "hidden by moderators", "comment deleted"), and what the reader may do."""

    comment: Comment
    depth: int
    full: bool
    replies: list[Shown] = field(default_factory=list)
    mine: bool = False
    may_reply: bool = False
    may_moderate: bool = False
    may_report: bool = False
    reported: bool = False  # the reader reported it already


@dataclass(frozen=True)
class Report:
    iri: str
    comment: str
    reporter: str  # the account's IRI
    name: str
    reason: str
    created: str
    resolved: str | None


@dataclass(frozen=True)
class Act:
    action: str  # approve, hide, delete, edit
    by: str
    when: str
    reason: str | None


@dataclass(frozen=True)
class Queued:
    """A comment waiting for a moderator: pending, or reported and not dealt with."""

    comment: Comment
    reports: list[Report]


def _now() -> ox.Literal:
    return ox.Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def links_in(text: str) -> int:
    """How many links ``text`` would show once rendered (Markdown links, bare addresses)."""
    return len(_LINK.findall(text))


def _value(row, name: str) -> str | None:
    return row[name].value if name in row else None


class Comments:
    """Comments of one catalogue."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._lock = threading.Lock()

    # where things are

    @property
    def _public(self) -> ox.NamedNode:
        return self._root.graphs.comments

    @property
    def _private(self) -> ox.NamedNode:
        return self._root.graphs.comments_private

    def _select(self, name: str, subject: str, node: ox.NamedNode) -> list:
        """The rows of a saved query over the two comments graphs and the accounts graph,
        about ``node`` (its parameter ``subject``)."""
        values: dict[str, queries.Value] = {"comments": self._public, "private": self._private,
                                            "accounts": self._root.graphs.accounts, subject: node}
        return list(queries.select(self._root.store, name, dataset=None, **values))

    def iri(self, ident: str) -> ox.NamedNode:
        """The comment ``ident`` names.

        :raise CommentError: not a comment's name (not found: no comment can have it).
        """
        if not isinstance(ident, str) or not IDENT.match(ident):
            raise CommentError(f"there is no comment {ident!r}", problem="no-comment",
                               error_kind=ErrorKind.NOT_FOUND)
        return self._root.graphs.comment(ident)

    # reading

    def _comment(self, row) -> Comment:
        return Comment(row["comment"].value, row["target"].value, _value(row, "parent"),
                       _value(row, "content") or "", row["creator"].value, _value(row, "name") or "",
                       row["created"].value, row["modified"].value, _value(row, "edited"),
                       row["state"].value, _value(row, "reason"))

    def get(self, ident: str) -> Comment:
        """The comment ``ident``, whatever its state.

        :raise CommentError: no such comment (not found).
        """
        rows = self._select("comment_one", "comment", self.iri(ident))
        if not rows:
            raise CommentError(f"there is no comment {ident!r}", problem="no-comment",
                               error_kind=ErrorKind.NOT_FOUND)
        return self._comment(rows[0])

    def on(self, target: str) -> list[Comment]:
        """Every comment on ``target``, in every state, oldest first (unchecked: an IRI
        nothing describes has none)."""
        try:
            node = ox.NamedNode(target)
        except (TypeError, ValueError):
            return []
        rows = self._select("comments_on", "target", node)
        return [self._comment(r) for r in rows]

    def reports(self, comment: Comment) -> list[Report]:
        rows = queries.select(self._root.store, "comment_reports", private=self._private,
                              comment=ox.NamedNode(comment.iri), accounts=self._root.graphs.accounts)
        return [Report(r["report"].value, comment.iri, r["reporter"].value, _value(r, "name") or "",
                       r["reason"].value, r["created"].value, _value(r, "resolved")) for r in rows]

    def acts(self, comment: Comment) -> list[Act]:
        """What moderators and its author did to a comment, with who and when."""
        rows = queries.select(self._root.store, "comment_actions", private=self._private,
                              comment=ox.NamedNode(comment.iri))
        return [Act(r["action"].value, r["by"].value, r["when"].value, _value(r, "reason")) for r in rows]

    def version(self) -> str:
        """A token that changes whenever the public comments graph does ("" before any)."""
        rows = list(queries.select(self._root.store, "comments_version", private=self._private))
        return rows[0]["version"].value if rows else ""

    def visible_count(self, user: User) -> int:
        rows = list(queries.select(self._root.store, "comments_visible_by", comments=self._public,
                                   creator=ox.NamedNode(user.iri)))
        return int(rows[0]["n"].value) if rows else 0

    def trusted(self, user: User) -> bool:
        """Whether ``user``'s comments go out without waiting for a moderator."""
        return user.is_moderator or self.visible_count(user) >= self._root.settings.comment_trust_after

    # who may do what

    def container(self, target: str) -> str | None:
        """The collection (or solution) a content item belongs to; None for anything else."""
        try:
            rows = list(self._root.select("comment_container", target=ox.NamedNode(target)))
        except (TypeError, ValueError):
            return None
        return rows[0]["container"].value if rows else None

    def may_moderate(self, target: str, user: User | None) -> bool:
        """Site moderators and administrators moderate every comment; the facilitators of
        the collection a content item belongs to, the comments on it."""
        if user is None:
            return False
        if user.is_moderator:
            return True
        container = self.container(target)
        return container is not None and self._root.membership.may_facilitate(container, user)

    def check_target(self, target: str) -> str:
        """``target`` if it may be commented: a published solution, release or content
        item not hidden by moderators.

        :raise CommentError: anything else (not found).
        """
        try:
            node = ox.NamedNode((target or "").strip())
        except (TypeError, ValueError):
            raise CommentError(f"{target!r} is not an IRI", problem="no-target",
                               error_kind=ErrorKind.NOT_FOUND) from None
        iri = node.value
        if iri and self._root.curation.hidden(iri) is None:
            if iri.startswith(f"{self._root.graphs.base}content/") and self.container(iri) is not None:
                return iri
            triples = self._root.reader.describe(iri)
            if triples and (is_solution(triples, iri) or self._root.reader.is_release(iri)):
                return iri
        raise CommentError(f"<{iri}> is not a published solution, release or content item",
                           problem="no-target", error_kind=ErrorKind.NOT_FOUND)

    # threads

    def thread(self, target: str, reader: User | None) -> list[Shown]:
        """The comments on ``target`` as ``reader`` sees them, as trees, oldest first.

        The public sees visible comments, "hidden by moderators" in place of hidden ones,
        and "comment deleted" in place of a deleted one that has replies shown; a pending
        comment is seen by its author and the moderators only, a hidden one's text and
        reason too.
        """
        comments = self.on(target)
        moderator = self.may_moderate(target, reader) if reader is not None else False
        me = reader.iri if reader is not None else None
        reported: set[str] = set()
        if me is not None:
            reported = {r.comment for c in comments if c.state == "visible" and c.creator != me
                        for r in self.reports(c) if r.reporter == me}
        children: dict[str | None, list[Comment]] = {}
        known = {c.iri for c in comments}
        for c in comments:
            children.setdefault(c.parent if c.parent in known else None, []).append(c)

        def build(c: Comment, depth: int) -> Shown | None:
            mine = me is not None and c.creator == me
            if c.state == "pending" and not (mine or moderator):
                return None
            replies = [s for s in (build(r, depth + 1) for r in children.get(c.iri, [])) if s]
            if c.state == "deleted" and not replies:
                return None
            full = c.state == "visible" or (c.state in ("pending", "hidden") and (mine or moderator))
            visible = c.state == "visible"
            return Shown(c, depth, full, replies, mine,
                         may_reply=me is not None and visible and depth < MAX_DEPTH,
                         may_moderate=moderator and c.state in ("visible", "pending", "hidden"),
                         may_report=me is not None and visible and not mine and c.iri not in reported,
                         reported=c.iri in reported)

        return [s for s in (build(c, 1) for c in children.get(None, [])) if s]

    def count_visible(self, target: str) -> int:
        """How many comments on ``target`` the public sees."""
        return sum(1 for c in self.on(target) if c.state == "visible")

    def depth(self, comment: Comment) -> int:
        """1 for a comment on the resource itself, 2 for a reply to it..."""
        by_iri = {c.iri: c for c in self.on(comment.target)}
        depth, seen, parent = 1, {comment.iri}, comment.parent
        while parent is not None and parent in by_iri and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = by_iri[parent].parent
        return depth

    # writing

    def _triples(self, c: Comment, *, text: bool = True) -> list[ox.Triple]:
        node = ox.NamedNode(c.iri)
        out = [ox.Triple(node, RDF_TYPE, SIOC.Post), ox.Triple(node, RDF_TYPE, CAT.Comment),
               ox.Triple(node, SIOC.reply_of, ox.NamedNode(c.target)),
               ox.Triple(node, DCT.creator, ox.NamedNode(c.creator)),
               ox.Triple(node, DCT.created, ox.Literal(c.created, datatype=XSD.dateTime)),
               ox.Triple(node, DCT.modified, ox.Literal(c.modified, datatype=XSD.dateTime)),
               ox.Triple(node, CAT.state, ox.Literal(c.state))]
        if c.parent:
            out.append(ox.Triple(node, CAT.inReplyTo, ox.NamedNode(c.parent)))
        if c.text and text:
            out.append(ox.Triple(node, SIOC.content, ox.Literal(c.text)))
        if c.edited:
            out.append(ox.Triple(node, CAT.edited, ox.Literal(c.edited, datatype=XSD.dateTime)))
        if c.reason and c.state == "hidden":
            out.append(ox.Triple(node, CAT.hiddenReason, ox.Literal(c.reason)))
        return out

    def _write(self, *, old: Comment | None, new: Comment, extra: list[ox.Triple] | None = None) -> None:
        """Replace ``old`` (as read) by ``new`` in the graph each state belongs to, add the
        private ``extra`` triples, and move the public version if the public graph changes."""
        drop = self._triples(old) if old is not None else []
        add = self._triples(new)
        public_changes = (old is not None and old.state == "visible") or new.state == "visible"
        version = secrets.token_hex(8) if public_changes else (self.version() or secrets.token_hex(8))
        updates.run(self._root.store, "comment_change", comments=self._public, private=self._private,
                    version=ox.Literal(version),
                    drop_public=drop if old is not None and old.state == "visible" else [],
                    drop_private=drop if old is not None and old.state != "visible" else [],
                    add_public=add if new.state == "visible" else [],
                    add_private=(add if new.state != "visible" else []) + (extra or []))

    def _act(self, comment: Comment, action: str, user: User, when: ox.Literal,
             reason: str | None = None) -> list[ox.Triple]:
        node = ox.NamedNode(f"{comment.iri}/act/{secrets.token_hex(8)}")
        out = [ox.Triple(node, RDF_TYPE, CAT.CommentAction),
               ox.Triple(node, CAT.comment, ox.NamedNode(comment.iri)),
               ox.Triple(node, CAT.action, ox.Literal(action)),
               ox.Triple(node, PROV.wasAssociatedWith, ox.NamedNode(user.iri)),
               ox.Triple(node, DCT.created, when)]
        if reason:
            out.append(ox.Triple(node, CAT.reason, ox.Literal(reason)))
        return out

    def _revision(self, comment: Comment, user: User, when: ox.Literal) -> list[ox.Triple]:
        """The text an edit or a deletion replaces, kept privately with who and when."""
        node = ox.NamedNode(f"{comment.iri}/revision/{secrets.token_hex(8)}")
        return [ox.Triple(node, RDF_TYPE, CAT.CommentRevision),
                ox.Triple(node, CAT.revisionOf, ox.NamedNode(comment.iri)),
                ox.Triple(node, SIOC.content, ox.Literal(comment.text)),
                ox.Triple(node, DCT.creator, ox.NamedNode(user.iri)),
                ox.Triple(node, DCT.created, when)]

    def _resolve_reports(self, comment: Comment, user: User, when: ox.Literal) -> list[ox.Triple]:
        return [t for r in self.reports(comment) if r.resolved is None
                for t in (ox.Triple(ox.NamedNode(r.iri), CAT.resolved, when),
                          ox.Triple(ox.NamedNode(r.iri), CAT.resolvedBy, ox.NamedNode(user.iri)))]

    def _check_text(self, text: str, user: User) -> tuple[str, bool]:
        """The text stripped, and whether its author is trusted.

        :raise CommentError: empty, too long, or too many links for a new account.
        """
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            raise CommentError("the comment is empty", problem="empty")
        if len(text) > MAX_LENGTH:
            raise CommentError(f"a comment has at most {MAX_LENGTH} characters", problem="too-long",
                               limit=MAX_LENGTH, error_kind=ErrorKind.TOO_LARGE)
        trusted = self.trusted(user)
        allowed = self._root.settings.comment_new_links
        if not trusted and links_in(text) > allowed:
            raise CommentError(f"until your comments are approved, a comment may hold at most {allowed} link(s)",
                               problem="too-many-links", limit=allowed, error_kind=ErrorKind.REFUSED)
        return text, trusted

    def post(self, target: str, text: str, user: User, *, parent: str | None = None) -> Comment:
        """A new comment on ``target`` by ``user`` (a reply to ``parent``, a comment's id):
        visible at once if its author is trusted, else pending.

        :raise CommentError: the target cannot be commented or the parent is not a visible
            comment on it (not found), the reply would be too deep (conflict), the text is
            empty, too long or has too many links.
        """
        target = self.check_target(target)
        text, trusted = self._check_text(text, user)
        parent_iri = None
        if parent:
            answered = self.get(parent)
            if answered.target != target or answered.state != "visible":
                raise CommentError("the comment answered is not a visible comment on this page",
                                   problem="no-parent", error_kind=ErrorKind.NOT_FOUND)
            if self.depth(answered) >= MAX_DEPTH:
                raise CommentError(f"replies nest at most {MAX_DEPTH} deep", problem="too-deep",
                                   limit=MAX_DEPTH, error_kind=ErrorKind.CONFLICT)
            parent_iri = answered.iri
        now = _now().value
        comment = Comment(self._root.graphs.comment(secrets.token_hex(6)).value, target, parent_iri, text,
                          user.iri, user.name, now, now, None, "visible" if trusted else "pending")
        with self._lock:
            self._write(old=None, new=comment)
        return comment

    def _own(self, ident: str, user: User) -> Comment:
        comment = self.get(ident)
        if comment.creator != user.iri:
            raise CommentError("only its author may change a comment", problem="not-yours",
                               error_kind=ErrorKind.FORBIDDEN)
        return comment

    def edit(self, ident: str, text: str, user: User) -> Comment:
        """Its author changes a visible or pending comment; the old text is kept privately.
        An author whose comments still wait for moderation sends it back to the queue.

        :raise CommentError: no such comment, not theirs (forbidden), hidden or deleted
            (conflict), or the text is refused as for :meth:`post`.
        """
        with self._lock:
            comment = self._own(ident, user)
            if comment.state not in ("visible", "pending"):
                raise CommentError("a hidden or deleted comment cannot be edited", problem="not-editable",
                                   error_kind=ErrorKind.CONFLICT)
            text, trusted = self._check_text(text, user)
            when = _now()
            if text == comment.text:
                return comment
            new = Comment(comment.iri, comment.target, comment.parent, text, comment.creator, comment.author,
                          comment.created, when.value, when.value, comment.state if trusted else "pending")
            self._write(old=comment, new=new, extra=self._revision(comment, user, when)
                        + self._act(comment, "edit", user, when))
            return new

    def delete(self, ident: str, user: User) -> Comment:
        """Its author deletes a comment: a tombstone without the text keeps the thread's
        shape (the text stays privately, for moderators judging reports).

        :raise CommentError: no such comment, not theirs (forbidden), deleted already (conflict).
        """
        with self._lock:
            comment = self._own(ident, user)
            if comment.state == "deleted":
                raise CommentError("this comment is deleted already", problem="deleted",
                                   error_kind=ErrorKind.CONFLICT)
            when = _now()
            new = Comment(comment.iri, comment.target, comment.parent, "", comment.creator, comment.author,
                          comment.created, when.value, comment.edited, "deleted")
            self._write(old=comment, new=new, extra=self._revision(comment, user, when)
                        + self._act(comment, "delete", user, when))
            return new

    def _moderated(self, ident: str, user: User) -> Comment:
        comment = self.get(ident)
        if not self.may_moderate(comment.target, user):
            raise CommentError("only moderators and the collection's facilitators moderate comments",
                               problem="not-moderator", error_kind=ErrorKind.FORBIDDEN)
        return comment

    @staticmethod
    def _reason(reason: str) -> str:
        reason = (reason or "").strip()
        if not reason:
            raise CommentError("give a reason", problem="no-reason")
        if len(reason) > MAX_REASON:
            raise CommentError(f"a reason has at most {MAX_REASON} characters", problem="long-reason",
                               limit=MAX_REASON, error_kind=ErrorKind.TOO_LARGE)
        return reason

    def hide(self, ident: str, reason: str, user: User) -> Comment:
        """A moderator hides a visible or pending comment with a reason its author reads;
        its open reports are dealt with.

        :raise CommentError: no such comment, not a moderator of it (forbidden), no reason
            or too long, hidden or deleted already (conflict).
        """
        reason = self._reason(reason)
        with self._lock:
            comment = self._moderated(ident, user)
            if comment.state not in ("visible", "pending"):
                raise CommentError("only a visible or pending comment can be hidden", problem="not-hideable",
                                   error_kind=ErrorKind.CONFLICT)
            when = _now()
            new = Comment(comment.iri, comment.target, comment.parent, comment.text, comment.creator,
                          comment.author, comment.created, when.value, comment.edited, "hidden", reason)
            self._write(old=comment, new=new, extra=self._act(comment, "hide", user, when, reason)
                        + self._resolve_reports(comment, user, when))
            return new

    def approve(self, ident: str, user: User) -> Comment:
        """A moderator publishes a pending comment, shows a hidden one again, or keeps a
        reported one (its reports are dealt with).

        :raise CommentError: no such comment, not a moderator of it (forbidden), deleted,
            or visible with no open report (conflict).
        """
        with self._lock:
            comment = self._moderated(ident, user)
            when = _now()
            resolved = self._resolve_reports(comment, user, when)
            if comment.state == "deleted" or (comment.state == "visible" and not resolved):
                raise CommentError("there is nothing to approve", problem="not-approvable",
                                   error_kind=ErrorKind.CONFLICT)
            new = Comment(comment.iri, comment.target, comment.parent, comment.text, comment.creator,
                          comment.author, comment.created,
                          comment.modified if comment.state == "visible" else when.value, comment.edited,
                          "visible")
            self._write(old=comment, new=new, extra=self._act(comment, "approve", user, when) + resolved)
            return new

    def report(self, ident: str, reason: str, user: User) -> Report:
        """``user`` reports another's visible comment as abuse, once.

        :raise CommentError: no such visible comment (not found), their own (forbidden),
            reported by them already (conflict), no reason or too long.
        """
        reason = self._reason(reason)
        with self._lock:
            comment = self.get(ident)
            if comment.state != "visible":
                raise CommentError(f"there is no comment {ident!r}", problem="no-comment",
                                   error_kind=ErrorKind.NOT_FOUND)
            if comment.creator == user.iri:
                raise CommentError("you cannot report your own comment", problem="own",
                                   error_kind=ErrorKind.FORBIDDEN)
            if any(r.reporter == user.iri for r in self.reports(comment)):
                raise CommentError("you reported this comment already", problem="reported",
                                   error_kind=ErrorKind.CONFLICT)
            when = _now()
            node = ox.NamedNode(f"{comment.iri}/report/{secrets.token_hex(8)}")
            updates.run(self._root.store, "graph_insert", graph=self._private, data=[
                ox.Triple(node, RDF_TYPE, CAT.AbuseReport),
                ox.Triple(node, CAT.comment, ox.NamedNode(comment.iri)),
                ox.Triple(node, DCT.creator, ox.NamedNode(user.iri)),
                ox.Triple(node, CAT.reason, ox.Literal(reason)),
                ox.Triple(node, DCT.created, when)])
            return Report(node.value, comment.iri, user.iri, user.name, reason, when.value, None)

    # the moderators' queue

    def queue(self, user: User, limit: int = 200) -> list[Queued]:
        """Pending comments and comments with open reports that ``user`` moderates, oldest
        first (at most ``limit``)."""
        rows = queries.select(self._root.store, "comment_queue", private=self._private)
        out: list[Queued] = []
        seen: set[str] = set()
        for r in rows:
            iri = r["comment"].value
            if iri in seen:
                continue
            seen.add(iri)
            try:
                comment = self.get(iri.rsplit("/", 1)[-1])
            except CommentError:
                continue
            if comment.state == "deleted":  # its author took it down: nothing left to judge
                continue
            if self.may_moderate(comment.target, user):
                out.append(Queued(comment, [x for x in self.reports(comment) if x.resolved is None]))
            if len(out) >= limit:
                break
        return out
