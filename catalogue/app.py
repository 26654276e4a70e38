"""The catalogue as its callers see it (CLI, web): the composition root.

It holds the settings, the store, the data version and what is cached per version, answers
saved queries over the public dataset, and reaches each capability as an attribute:
``publishing`` (catalogue/ingest/publishing.py), ``reader`` (catalogue/pages/reader.py),
``feeds`` (catalogue/feeds/public.py), ``endpoint`` (catalogue/endpoint/public.py),
``search`` (catalogue/search/upkeep.py), ``accounts`` (catalogue/community/accounts.py).
Each receives the root and asks it for what it needs; none imports this module but to type
it.

One instance per process: it opens the store once (the embedded store holds a lock).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pyoxigraph as ox

from catalogue import queries
from catalogue.backup import Backups
from catalogue.browse import Browse
from catalogue.cartography import Cartography
from catalogue.community.accounts import Accounts
from catalogue.community.comments import Comments
from catalogue.community.content import Content
from catalogue.community.membership import Membership
from catalogue.community.registration import Registration
from catalogue.community.subscriptions import Subscriptions
from catalogue.endpoint.public import Endpoint
from catalogue.feeds.public import Feeds
from catalogue.graphs import Graphs
from catalogue.ingest.publishing import Publishing
from catalogue.ingest.registry import all_sources
from catalogue.licences import Licences
from catalogue.mail import Mailer
from catalogue.operations import Operations
from catalogue.pages.reader import Reader
from catalogue.quality import Curation, LinkChecks, Quality
from catalogue.search.upkeep import Search
from catalogue.settings import Settings
from catalogue.standards import Standards
from catalogue.store import Dataset, Rows, Store, open_store
from catalogue.usage import Usage
from catalogue.vocab import vocabularies

VERSION_TTL = 1.0  # seconds a data version is trusted (other processes may write a remote store)
T = TypeVar("T")


@dataclass(frozen=True)
class DataVersion:
    token: str
    modified: datetime | None


class Catalogue:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.graphs = Graphs(settings.base_uri)
        self._store = store
        self._lock = threading.Lock()
        self._version: tuple[float, DataVersion] | None = None
        self._derived: dict[str, tuple[str, Any]] = {}  # name -> (data version, value)
        self._computing: dict[str, threading.RLock] = {}  # name -> held while it is computed
        self._computing_guard = threading.Lock()
        self.publishing = Publishing(self)  # sources, ingest, history, uploads, init
        self.reader = Reader(self)  # descriptions, pages, duplicates
        self.feeds = Feeds(self)  # DCAT pages, VoID, sitemap, dumps, counts
        self.endpoint = Endpoint(self)  # the public SPARQL endpoint
        self.search = Search(self)  # the derived full-text index
        self.licences = Licences(self)  # the Licensing Assistant
        self.browse = Browse(self)  # /solutions, /collections, /publishers
        self.standards = Standards(self)  # ICT standards: specifications, CAMSS assessments
        self.cartography = Cartography(self)  # /eira: the EIRA map, footprints
        self.quality = Quality(self)  # quality scores (DQV), levels, the site's minimum
        self.links = LinkChecks(self)  # the link checker: its runs and the public links graph
        self.curation = Curation(self)  # change requests, hidden records (who and when)
        self.mail = Mailer(self)  # outgoing mail: SMTP, or the console for local runs
        self.registration = Registration(self)  # sign-ups, confirmed addresses, resets, terms, one's own data
        self.membership = Membership(self)  # collections as communities: members, roles, requests, settings
        self.subscriptions = Subscriptions(self)  # who follows what; notifications and digests
        self.backups = Backups(self)  # catalogue backup / restore: every graph and document
        self.usage = Usage(self)  # page views and downloads per day, without tracking
        self.comments = Comments(self)  # comments on solutions, releases, content: threads, moderation
        self.content = Content(self)  # news, events, discussions, documents, pages in communities
        self.operations = Operations(self)  # /-/health's checks; events for /-/metrics

    @property
    def store(self) -> Store:
        """Opened on first use, so a forking server opens it in the worker, not the parent."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        self.publishing.close()  # first: background uploads finish writing
        self.usage.close()  # the usage counts still in memory
        self.endpoint.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.store, self.graphs)

    # the public dataset, the data version and what is cached per version

    def fixed_graphs(self) -> list[ox.NamedNode]:
        """The public graphs no source owns: vocabularies, provenance, the registry, the
        records moderators hide, the link checker's results."""
        fixed = [self.graphs.vocab(v.name) for v in vocabularies()]
        return fixed + [self.graphs.provenance, self.graphs.registry, self.graphs.hidden, self.graphs.links]

    def public_graphs(self) -> list[ox.NamedNode]:
        """Vocabularies, provenance, the registry, each source's current version and its
        quality scores."""
        current = [s.graph for s in all_sources(self.store, self.graphs).values() if s.graph]
        return (self.fixed_graphs() + current + [self.graphs.quality(g) for g in current]
                + [self.graphs.quality_history]  # the quality scores' trend
                + [self.graphs.comments]  # visible comments (never read by the data version)
                + [self.graphs.content])  # published community content (nor is this)

    def public_dataset(self) -> Dataset:
        """Public graphs merged as the default graph and visible by name; nothing else.

        Kept here, not in a capability: every saved query below and every capability reads
        through it, and it changes exactly when the data version does."""
        def dataset() -> Dataset:
            graphs = self.public_graphs()
            return Dataset(default_graphs=graphs, named_graphs=graphs)
        return self.per_version("public dataset", dataset)

    def data_version(self) -> DataVersion:
        """A token that changes whenever published data changes, and when that last happened.

        Read from the registry, the vocabulary checksums and the provenance records (one
        small query), at most once per ``VERSION_TTL`` seconds, and at once after a write
        through this instance. Caches of rendered resources are keyed by it.
        """
        now = time.monotonic()
        cached = self._version
        if cached is not None and now - cached[0] < VERSION_TTL:
            return cached[1]
        # with the moderators' decisions on duplicates: they change what pages and search show
        fixed = self.fixed_graphs() + [self.graphs.curation]
        rows = queries.select(self.store, "data_version", dataset=Dataset(default_graphs=fixed))
        digest = hashlib.sha256()
        latest: str | None = None
        for line in sorted(f"{r.get('s')} {r.get('o')} {r.get('ended')}" for r in rows):
            digest.update(line.encode())
        for r in rows:
            ended = r.get("ended")
            if ended is not None and (latest is None or ended.value > latest):
                latest = ended.value
        modified = datetime.fromisoformat(latest) if latest else None
        version = DataVersion(digest.hexdigest()[:16], modified)
        self._version = (now, version)
        return version

    def changed(self) -> None:
        """Published data changed through this instance: read the data version again (and the index's generation)."""
        self._version = None
        self.search.changed()

    def per_version(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per data version: what only changes when published data does
        (counts on the home page) is not recomputed on every request. Once, too, when many
        requests ask at the same moment (after an ingest): the first computes, the others
        wait for its value instead of each computing it (4 threads each building the
        cartography's data made the first requests' p95 5.6 s at 100k solutions). Also once
        per write of the search index (``Search.generation``): counts are read from it."""
        token = self.data_version().token + "/" + self.search.generation()
        cached = self._derived.get(name)
        if cached is not None and cached[0] == token:
            return cached[1]
        with self._computing_guard:
            lock = self._computing.setdefault(name, threading.RLock())
        with lock:  # re-entrant: a computation may ask for its own name again
            cached = self._derived.get(name)
            if cached is not None and cached[0] == token:
                return cached[1]
            value = compute()
            self._derived[name] = (token, value)
            return value


    # saved queries over the public dataset

    def select(self, name: str, **params: queries.Value) -> Rows:
        """The rows of a saved SELECT over the public dataset (see :func:`queries.select`)."""
        return queries.select(self.store, name, dataset=self.public_dataset(), **params)

    def ask(self, name: str, **params: queries.Value) -> bool:
        """The answer of a saved ASK over the public dataset (see :func:`queries.ask`)."""
        return queries.ask(self.store, name, dataset=self.public_dataset(), **params)

    def construct(self, name: str, **params: queries.Value) -> list[ox.Triple]:
        """The triples of a saved CONSTRUCT or DESCRIBE over the public dataset (see
        :func:`queries.construct`)."""
        return queries.construct(self.store, name, dataset=self.public_dataset(), **params)
