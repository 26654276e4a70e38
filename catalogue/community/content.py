"""Content in a community (issue 15, item 3): news, events, discussions and their replies,
documents and pages in a collection, news and events in a solution; reached as
``Catalogue.content``.

States: ``draft`` → ``proposed`` → ``published`` → ``archived``. Who may post comes from
the collection's community (``Catalogue.membership.may_post``); when its settings say
moderation ``before``, what a member submits waits as ``proposed`` until a facilitator
publishes it (or refuses it with a reason, back to the author's drafts); ``after``, it is
published at once and facilitators may archive it. In a solution, its publishers (of the
source its record comes from) and site moderators post and publish. Facilitators feature
published items: first on the collection's page, and on the home page.

Published and archived items live in the public ``graph/content``; drafts, proposed items
and every revision (who, when, what) in the private ``graph/content-private``. Each write is
one saved update (``content_save``) that removes the item from both graphs and writes it
where its state belongs, with its revision: publishing moves it in one transaction. These
writes never move the data version (a post must not flush every cache); search documents
are written per item as it is published or archived, never by rebuilding the index.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.community.accounts import User
from catalogue.community.content_model import (
    IDENT,
    IN_COLLECTION,
    IN_SOLUTION,
    ContentError,
    Fields,
    Item,
    check_fields,
    checksum_node,
    now,
    parse,
    triples,
)
from catalogue.community.documents import DocumentFiles, StoredFile, documents_dir
from catalogue.errors import ErrorKind
from catalogue.search.documents import Record
from catalogue.search.index import SearchIndexError, index_path, open_index
from catalogue.terms import CAT, DCT, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)
ACTIONS = ("submit", "withdraw", "publish", "refuse", "archive")
MAX_NOTE = 1000
RECENT_EVENTS = timedelta(days=90)  # a collection's calendar keeps past events this long
FEATURED_ON_HOME = 6
TOKEN_TTL = 1.0


@dataclass(frozen=True)
class Container:
    """Where content is posted: a published collection or solution."""

    iri: str
    kind: str  # "collection" | "solution"
    title: str

    @property
    def kinds(self) -> tuple[str, ...]:
        return IN_COLLECTION if self.kind == "collection" else IN_SOLUTION


@dataclass(frozen=True)
class Upload:
    """A file as the web received it (the bytes read up to the limit, plus one)."""

    data: bytes
    filename: str
    declared: str | None


@dataclass(frozen=True)
class Revision:
    iri: str
    who: str  # username
    at: datetime | None
    action: str
    state: str | None
    title: str | None
    description: str | None
    note: str | None


def _ident() -> str:
    return secrets.token_hex(6)


class Content:
    """Community content of one catalogue."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._featured: tuple[float, str] | None = None
        self._search_stamp = 0

    # where things are

    @property
    def files(self) -> DocumentFiles:
        settings = self._root.settings
        return DocumentFiles(documents_dir(settings), settings.max_document_bytes)

    @property
    def _public(self) -> ox.NamedNode:
        return self._root.graphs.content

    @property
    def _private(self) -> ox.NamedNode:
        return self._root.graphs.content_private

    def container(self, iri: str) -> Container:
        """The published collection or solution ``iri``.

        :raise ContentError: nothing published there can hold content (not found).
        """
        try:
            node = ox.NamedNode((iri or "").strip())
        except ValueError:
            raise ContentError(f"{iri!r} is not the address of a collection or solution",
                               error_kind=ErrorKind.NOT_FOUND) from None
        rows = list(self._root.select("content_container", container=node))
        if not rows:
            raise ContentError(f"{iri} is not a published collection or solution",
                               error_kind=ErrorKind.NOT_FOUND)
        kind = "collection" if any(r["kind"].value == "collection" for r in rows) else "solution"
        titles = [t for r in rows if isinstance(t := r.get("title"), ox.Literal)]
        english = [t for t in titles if (t.language or "").startswith("en")]
        title = (english or titles)[0].value if titles else node.value.rstrip("/#").rsplit("/", 1)[-1]
        return Container(node.value, kind, title)

    # who may do what

    def may_post(self, container: Container, user: User | None) -> bool:
        """In a collection: its community's rule; in a solution: its publishers and site
        moderators."""
        if user is None:
            return False
        if container.kind == "collection":
            return self._root.membership.may_post(container.iri, user)
        return self.may_facilitate(container, user)

    def may_facilitate(self, container: Container, user: User | None) -> bool:
        """Publishes, refuses, archives and features others' content: a collection's owner
        and facilitators, a solution's publishers, site moderators and administrators."""
        if user is None:
            return False
        if user.is_moderator:
            return True
        if container.kind == "collection":
            return self._root.membership.may_facilitate(container.iri, user)
        return any(user.can_publish(slug) for slug in self._root.curation.sources_of(container.iri))

    def _publishes_at_once(self, container: Container, user: User) -> bool:
        if self.may_facilitate(container, user) or container.kind == "solution":
            return True
        return self._root.membership.settings(container.iri).moderation == "after"

    def community_of(self, item: Item) -> Container:
        """The collection or solution an item (or a reply, through its thread) is posted in.

        :raise ContentError: that container is not published any more (not found).
        """
        if item.kind == "reply":
            thread = self._read(item.container)
            if thread is None:
                raise ContentError("this discussion is gone", error_kind=ErrorKind.NOT_FOUND)
            item = thread
        return self.container(item.container)

    def may_see(self, item: Item, user: User | None) -> bool:
        """Published and archived items: everyone; drafts and proposals: their author and
        the container's facilitators."""
        if item.public:
            return True
        if user is None:
            return False
        return item.creator == user.iri or self.may_facilitate(self.community_of(item), user)

    def may_edit(self, item: Item, user: User | None) -> bool:
        if user is None or item.state == "archived":
            return False
        return item.creator == user.iri or self.may_facilitate(self.community_of(item), user)

    def actions(self, item: Item, user: User | None) -> list[str]:
        """The state changes ``user`` may make to ``item`` now (of :data:`ACTIONS`)."""
        if user is None:
            return []
        author = item.creator == user.iri
        facilitates = self.may_facilitate(self.community_of(item), user)
        found = []
        if item.state == "draft" and author:
            found.append("submit")
        if item.state == "proposed" and author:
            found.append("withdraw")
        if facilitates and item.state in ("draft", "proposed", "archived") and (item.state != "draft" or author):
            found.append("publish")
        if facilitates and item.state == "proposed":
            found.append("refuse")
        if item.state == "published" and (facilitates or author):
            found.append("archive")
        return found

    # reading

    def _rows(self, name: str, **params: ox.NamedNode | ox.Literal) -> dict[str, Item]:
        base = self._root.graphs.base
        rows = queries.select(self._root.store, name, dataset=None, **params)
        return parse(((r["item"].value, r["s"].value, r["p"].value, r["o"]) for r in rows), base)

    def _read(self, iri: str) -> Item | None:
        for graph in (self._public, self._private):
            found = self._rows("content_item", graph=graph, item=ox.NamedNode(iri))
            if iri in found:
                return found[iri]
        return None

    def get(self, ident: str, viewer: User | None) -> Item:
        """The item ``ident`` as ``viewer`` may see it.

        :raise ContentError: no such item, or one ``viewer`` may not see (not found both:
            a draft's existence does not leak).
        """
        item = self._read(self._root.graphs.content_item(ident).value) if IDENT.match(ident or "") else None
        if item is None or not self.may_see(item, viewer):
            raise ContentError(f"there is no content {ident!r}", error_kind=ErrorKind.NOT_FOUND)
        return item

    def triples_of(self, item: Item) -> list[ox.Triple]:
        """The item's RDF as stored (what its PURI serves as Turtle, JSON-LD...)."""
        return triples(item, self._download(item))

    def _download(self, item: Item) -> str | None:
        return self._root.graphs.document_file(item.sha256).value if item.sha256 else None

    def in_container(self, container: Container, viewer: User | None, kind: str | None = None) -> list[Item]:
        """What ``viewer`` sees in ``container``: published items (featured first, then
        newest), archived ones after them, and the drafts and proposals they may see."""
        node = ox.NamedNode(container.iri)
        items = list(self._rows("content_in", graph=self._public, container=node).values())
        if viewer is not None:
            private = self._rows("content_in", graph=self._private, container=node).values()
            items += [i for i in private if self.may_see(i, viewer)]
        if kind:
            items = [i for i in items if i.kind == kind]
        order = {"draft": 0, "proposed": 0, "published": 1, "archived": 2}
        return sorted(items, key=lambda i: (order[i.state], not i.featured,
                                            -(i.issued or i.modified or i.created or _EPOCH).timestamp()))

    def replies(self, thread: Item, viewer: User | None) -> list[tuple[Item, int]]:
        """The replies of a discussion as (reply, depth), each after what it answers, oldest
        first among siblings."""
        node = ox.NamedNode(thread.iri)
        found = list(self._rows("content_in", graph=self._public, container=node).values())
        if viewer is not None:
            found += [i for i in self._rows("content_in", graph=self._private, container=node).values()
                      if self.may_see(i, viewer)]
        children: dict[str, list[Item]] = {}
        for reply in found:
            children.setdefault(reply.reply_of or thread.iri, []).append(reply)
        out: list[tuple[Item, int]] = []

        def walk(parent: str, depth: int) -> None:
            for child in sorted(children.get(parent, []), key=lambda i: i.created or _EPOCH):
                out.append((child, depth))
                walk(child.iri, min(depth + 1, 6))
        walk(thread.iri, 0)
        return out

    def mine(self, user: User) -> list[Item]:
        """Everything ``user`` wrote, drafts included, newest first."""
        node = ox.NamedNode(user.iri)
        items = [*self._rows("content_by", graph=self._private, creator=node).values(),
                 *self._rows("content_by", graph=self._public, creator=node).values()]
        return sorted(items, key=lambda i: -(i.modified or i.created or _EPOCH).timestamp())

    def waiting_for(self, user: User | None) -> list[Item]:
        """The proposed items ``user`` may publish (a moderator: all; a facilitator: those
        of their collections), oldest first: the moderation queue of content."""
        if user is None:
            return []
        found = [i for i in self._rows("content_all", graph=self._private).values() if i.state == "proposed"]
        out = []
        for item in found:
            try:
                community = self.community_of(item)
            except ContentError:  # its container is gone: nothing to publish it into
                continue
            if self.may_facilitate(community, user):
                out.append(item)
        return sorted(out, key=lambda i: i.modified or i.created or _EPOCH)

    def featured(self, limit: int = FEATURED_ON_HOME) -> list[Item]:
        """Featured published items site-wide (top-level only), newest first."""
        items = [i for i in self._rows("content_featured", graph=self._public).values() if i.kind != "reply"]
        return sorted(items, key=lambda i: -(i.issued or i.created or _EPOCH).timestamp())[:limit]

    def featured_token(self) -> str:
        """Changes when the featured set does (the home page's shared cache keys on it):
        read at most once per second, at once after a write through this instance."""
        cached = self._featured
        if cached is not None and time.monotonic() - cached[0] < TOKEN_TTL:
            return cached[1]
        digest = hashlib.sha256()
        for item in sorted(self.featured(limit=1000), key=lambda i: i.iri):
            digest.update(f"{item.iri} {item.modified} {item.title}\n".encode())
        token = digest.hexdigest()[:12]
        self._featured = (time.monotonic(), token)
        return token

    def search_stamp(self) -> int:
        """Grows each time this instance writes content to the search index (search pages
        cached per data version key on it too)."""
        return self._search_stamp

    def revisions(self, item: Item, viewer: User | None) -> list[Revision]:
        """Every revision of ``item``, oldest first, for its author and its facilitators.

        :raise ContentError: ``viewer`` is neither (not found, as for a draft).
        """
        if viewer is None or not (item.creator == viewer.iri or self.may_facilitate(self.community_of(item), viewer)):
            raise ContentError(f"there is no content {item.ident!r}", error_kind=ErrorKind.NOT_FOUND)
        base = self._root.graphs.base
        rows = queries.select(self._root.store, "content_revisions", graph=self._private,
                              item=ox.NamedNode(item.iri))

        def text(r, name: str) -> str | None:
            value = r.get(name)
            return value.value if value is not None else None

        return [Revision(r["revision"].value, r["creator"].value.removeprefix(f"{base}user/"),
                         _parse_dt(r["created"].value), r["action"].value, text(r, "state"), text(r, "title"),
                         text(r, "description"), text(r, "note")) for r in rows]

    def events(self, container: Container) -> list[Item]:
        """A collection's (or solution's) published events that end in the future or ended
        in the last 90 days, soonest first (its calendar feed)."""
        since = datetime.now(UTC) - RECENT_EVENTS
        found = [i for i in self._rows("content_in", graph=self._public, container=ox.NamedNode(container.iri)).values()
                 if i.kind == "event" and i.state == "published" and i.end is not None and i.end >= since]
        return sorted(found, key=lambda i: i.start or _EPOCH)

    def file_visible(self, sha256: str, viewer: User | None) -> Item | None:
        """A content item holding the file ``sha256`` that ``viewer`` may see (a published
        one first), or None: a draft's file is served only to who may see the draft."""
        literal = ox.Literal(sha256)
        for graph in (self._public, self._private):
            rows = queries.select(self._root.store, "content_with_file", graph=graph, sha256=literal)
            for r in rows:
                item = self._read(r["item"].value)
                if item is not None and self.may_see(item, viewer):
                    return item
        return None

    # writing

    def _save(self, item: Item, user: User, action: str, *, note: str | None = None,
              snapshot: bool = False) -> Item:
        """Write ``item`` where its state belongs, with a revision, in one update; then keep
        search and the featured token in step."""
        target = self._public if item.public else self._private
        revision = ox.NamedNode(f"{item.iri}/revision/{secrets.token_hex(8)}")
        history = [ox.Triple(revision, RDF_TYPE, CAT.Revision), ox.Triple(revision, CAT.revisionOf, ox.NamedNode(item.iri)),
                   ox.Triple(revision, DCT.creator, ox.NamedNode(user.iri)),
                   # to the microsecond: revisions are ordered by it, several may fall in one second
                   ox.Triple(revision, DCT.created, ox.Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)),
                   ox.Triple(revision, CAT.action, ox.Literal(action)),
                   ox.Triple(revision, CAT.state, ox.Literal(item.state))]
        if snapshot:
            history += [ox.Triple(revision, DCT.title, ox.Literal(item.title)),
                        ox.Triple(revision, DCT.description, ox.Literal(item.description))]
        if note:
            history.append(ox.Triple(revision, CAT.note, ox.Literal(note)))
        updates.run(self._root.store, "content_save", public=self._public, private=self._private, target=target,
                    item=ox.NamedNode(item.iri), checksum=checksum_node(item.iri),
                    data=triples(item, self._download(item)), history=history)
        self._featured = None
        self._index(item)
        return item

    def create(self, container_iri: str, kind: str, form: dict[str, str], user: User, *,
               submit: bool, upload: Upload | None = None) -> Item:
        """A new item by ``user`` in a collection or solution: a draft, or submitted
        (``submit``: published at once or proposed, by the community's moderation).

        :raise ContentError: not a container (not found), not allowed (forbidden), a kind
            the container does not take, a bad field.
        :raise DocumentError: the upload is refused (too large, unsupported, a zip bomb).
        """
        container = self.container(container_iri)
        if not self.may_post(container, user):
            raise ContentError("you may not post here: join the community (or ask a facilitator to make you an "
                               "author) first", error_kind=ErrorKind.FORBIDDEN)
        if kind not in container.kinds:
            raise ContentError(f"a {container.kind} takes {', '.join(container.kinds)}, not {kind!r}", field="type")
        fields = check_fields(kind, form, has_file=upload is not None)
        stored = self.files.keep(upload.data, upload.filename, upload.declared) if upload is not None else None
        ident = _ident()
        when = now()
        state = "draft"
        if submit:
            state = "published" if self._publishes_at_once(container, user) else "proposed"
        item = self._apply(Item(self._root.graphs.content_item(ident).value, ident, kind, fields.title,
                                fields.description, container.iri, user.iri, state, created=when, modified=when,
                                issued=when if state == "published" else None), fields, stored)
        return self._save(item, user, "create", snapshot=True)

    def reply(self, thread_ident: str, form: dict[str, str], user: User, reply_to: str | None = None) -> Item:
        """A reply in a published discussion (to the thread, or to one of its replies),
        published or proposed as its community's moderation says.

        :raise ContentError: no such discussion (not found), not allowed (forbidden), an
            empty text, ``reply_to`` not a reply of this thread.
        """
        thread = self.get(thread_ident, user)
        if thread.kind != "discussion" or thread.state != "published":
            raise ContentError("replies go to an open discussion", error_kind=ErrorKind.CONFLICT)
        container = self.community_of(thread)
        if not self.may_post(container, user):
            raise ContentError("you may not post here: join the community first", error_kind=ErrorKind.FORBIDDEN)
        parent = thread.iri
        if reply_to:
            target = self._read(reply_to)
            if target is None or target.container != thread.iri or not self.may_see(target, user):
                raise ContentError("the message you answer is not in this discussion", field="reply_to")
            parent = target.iri
        fields = check_fields("reply", {"title": form.get("title") or f"Re: {thread.title}"[:200],
                                        "description": form.get("description", "")})
        ident = _ident()
        when = now()
        state = "published" if self._publishes_at_once(container, user) else "proposed"
        item = Item(self._root.graphs.content_item(ident).value, ident, "reply", fields.title, fields.description,
                    thread.iri, user.iri, state, created=when, modified=when,
                    issued=when if state == "published" else None, reply_of=parent)
        return self._save(item, user, "create", snapshot=True)

    def edit(self, ident: str, form: dict[str, str], user: User, upload: Upload | None = None) -> Item:
        """Change an item's fields (its state stays); the revision keeps the new text.

        :raise ContentError: not found, not allowed (forbidden), a bad field.
        :raise DocumentError: the new file is refused.
        """
        item = self.get(ident, user)
        if not self.may_edit(item, user):
            raise ContentError("only the author and the facilitators edit this", error_kind=ErrorKind.FORBIDDEN)
        has_file = upload is not None or (item.sha256 is not None and not (form.get("link") or "").strip())
        fields = check_fields(item.kind, form, has_file=has_file)
        stored = self.files.keep(upload.data, upload.filename, upload.declared) if upload is not None else None
        changed = replace(item, title=fields.title, description=fields.description, modified=now())
        if item.kind == "document" and stored is None and fields.link:
            changed = replace(changed, sha256=None, media_type=None, byte_size=None, filename=None)
        return self._save(self._apply(changed, fields, stored), user, "edit", snapshot=True)

    def _apply(self, item: Item, fields: Fields, stored: StoredFile | None) -> Item:
        if item.kind == "event":
            item = replace(item, start=fields.start, end=fields.end, timezone=fields.timezone,
                           location=fields.location, online_url=fields.online_url)
        if item.kind == "document":
            if stored is not None:
                item = replace(item, sha256=stored.sha256, media_type=stored.media_type, byte_size=stored.size,
                               filename=stored.filename, link=None)
            elif fields.link:
                item = replace(item, link=fields.link)
        return item

    def act(self, ident: str, action: str, user: User, note: str = "") -> Item:
        """A state change: ``submit`` (author: a draft to proposed, or published where that
        needs no facilitator), ``withdraw`` (author: proposed back to draft), ``publish``
        and ``refuse`` (facilitators; a refusal says why, and the item goes back to its
        author's drafts), ``archive`` (facilitators and the author).

        :raise ContentError: not found, an unknown action, one ``user`` may not make now
            (forbidden if they may see the item; a conflict when its state does not allow
            it), a refusal without a reason.
        """
        item = self.get(ident, user)
        if action not in ACTIONS:
            raise ContentError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
        note = " ".join((note or "").split())
        if len(note) > MAX_NOTE:
            raise ContentError(f"the note must be at most {MAX_NOTE} characters", field="note")
        if action not in self.actions(item, user):
            allowed = self.actions(replace(item, state=_FROM[action]), user) if action in _FROM else []
            kind = ErrorKind.CONFLICT if action in allowed else ErrorKind.FORBIDDEN
            raise ContentError(f"you cannot {action} this item now (it is {item.state})", error_kind=kind)
        when = now()
        container = self.community_of(item)
        if action == "submit":
            state = "published" if self._publishes_at_once(container, user) else "proposed"
        elif action in ("withdraw", "refuse"):
            state = "draft"
        else:
            state = {"publish": "published", "archive": "archived"}[action]
        if action == "refuse" and not note:
            raise ContentError("say why you refuse it: the author is told", field="note")
        changed = replace(item, state=state, modified=when,
                          issued=item.issued or (when if state == "published" else None),
                          refusal=note if action == "refuse" else None,
                          featured=item.featured and state == "published")
        return self._save(changed, user, action, note=note or None)

    def feature(self, ident: str, on: bool, user: User) -> Item:
        """Feature a published item (first on its collection's page, and on the home page),
        or stop featuring it.

        :raise ContentError: not found, not a facilitator (forbidden), not published (a
            conflict).
        """
        item = self.get(ident, user)
        if not self.may_facilitate(self.community_of(item), user):
            raise ContentError("only facilitators feature content", error_kind=ErrorKind.FORBIDDEN)
        if item.state != "published" or item.kind == "reply":
            raise ContentError("only published items are featured", error_kind=ErrorKind.CONFLICT)
        return self._save(replace(item, featured=on, modified=now()), user, "feature" if on else "unfeature")

    # search

    def _record(self, item: Item, kinds: dict[str, str] | None = None) -> Record | None:
        """The search document of a published top-level item (none for others); ``kinds``
        remembers which containers are collections (their facet) across calls."""
        if item.state != "published" or item.kind == "reply":
            return None
        kinds = {} if kinds is None else kinds
        if item.container not in kinds:
            try:
                kinds[item.container] = self.container(item.container).kind
            except ContentError:
                kinds[item.container] = ""
        rec = Record(item.iri, item.kind, f"content:{item.ident}", item.issued or item.modified)
        rec.titles = [("", item.title)]
        rec.texts = rec.descriptions = [("", item.description)] if item.description else []
        rec.facets = {"type": {item.kind}, "language": set()}
        if kinds[item.container] == "collection":
            rec.facets["collection"] = {item.container}
        return rec

    def search_records(self) -> dict[str, list[Record]]:
        """Every published item's search document, by its index source (the full rebuild)."""
        found = self._rows("content_all", graph=self._public).values()
        kinds: dict[str, str] = {}
        return {f"content:{i.ident}": [r] for i in found if (r := self._record(i, kinds)) is not None}

    def _index(self, item: Item) -> None:
        """Write (or remove) one item's search document; a failure is logged, never raised
        (the item is stored: ``catalogue index`` rebuilds search at any time)."""
        if item.kind == "reply":
            return
        rec = self._record(item)
        try:
            index = open_index(index_path(self._root.settings.store))
            index.replace({f"content:{item.ident}": [rec] if rec else []}, {})
        except SearchIndexError:
            log.exception("search index not updated for %s", item.iri)
            return
        with self._lock:
            self._search_stamp += 1


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FROM = {"submit": "draft", "withdraw": "proposed", "publish": "proposed", "refuse": "proposed", "archive": "published"}


def _parse_dt(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
