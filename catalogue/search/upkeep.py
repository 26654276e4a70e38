"""The search index as one catalogue keeps it: rebuilt from the store (one source or all),
opened at the current data version for reading, and told which records duplicates and
moderators hide.

Reached as ``Catalogue.search`` (``Catalogue.reindex`` until issue 11). The index itself
(``index``), its documents (``documents``) and searching (``query``) know nothing of the
catalogue; this class is where the store's registry, the public graphs and the moderators'
decisions on duplicates meet them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.ingest.registry import all_sources
from catalogue.pages.duplicates import find_duplicates
from catalogue.quality import level_of
from catalogue.search.documents import Record, read_labels, read_records
from catalogue.search.index import (
    WRITER_WAIT,
    Hidden,
    SearchIndex,
    SearchIndexError,
    file_lock,
    forget_generations,
    generation,
    index_path,
    open_index,
)

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)


class Search:
    """The derived full-text index beside one catalogue's store (never a record of truth)."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._catching_up = threading.Lock()

    def index(self) -> SearchIndex:
        """The index, with the commits of the current data version picked up (for reading).

        On a remote store other processes write the data: when the index was written from
        another data version than the current one, a thread of this process catches it up
        (:meth:`catch_up`) while this request reads the index as it is."""
        index = open_index(index_path(self._root.settings.store))
        token = self._root.data_version().token
        index.refresh(token)
        if self._root.settings.remote and index.built().get("token") != token and \
                self._catching_up.acquire(blocking=False):
            threading.Thread(target=self._catch_up_then_release, name="search-catch-up", daemon=True).start()
        return index

    def generation(self) -> str:
        """Which write of the index is the latest (one ``stat``): part of the key of whatever
        is kept per data version and read from the index (counts, listings, pages), since a
        catch-up or a refresh after an ingest may write the index after the data version
        moved: a page built from the index before would otherwise be kept all that version."""
        return generation(index_path(self._root.settings.store))

    def changed(self) -> None:
        """The index may have been written by another process: look at its generation again."""
        forget_generations()

    def _catch_up_then_release(self) -> None:
        try:
            self.catch_up()
        except Exception:  # noqa: BLE001 - derived data: the next request tries again
            log.warning("the search index could not catch up with the store", exc_info=True)
        finally:
            self._catching_up.release()

    def catch_up(self) -> str:
        """Bring the index up to the store's data version, if no other process on this
        machine is doing it: the sources whose graph changed since it was written are
        reindexed; no such source (a moderator's decision, a vocabulary): the hidden set is
        rewritten; an index that does not say what it was written from is rebuilt. Returns
        what it did: ``current``, ``busy`` (another process catches up), ``sources``,
        ``hidden`` or ``rebuilt``.

        :raise SearchIndexError: another process held the writer too long.
        """
        root = self._root
        index = open_index(index_path(root.settings.store))
        with file_lock(index.path / ".catch-up.lock", wait=0) as got:
            if not got:
                return "busy"
            root.changed()
            token = root.data_version().token
            built = index.built()
            if built.get("token") == token:
                return "current"
            if "sources" not in built:
                self.reindex()
                return "rebuilt"
            current = self._graphs()
            changed = sorted(slug for slug in set(current) | set(built["sources"])
                             if current.get(slug) != built["sources"].get(slug))
            for slug in changed:
                with self._reindexing(index):  # the ingesting process may be at it: then skip
                    if index.built().get("sources", {}).get(slug) != self._graphs().get(slug):
                        self._reindex(slug)
            if not changed:
                self.rewrite_hidden()
            return "sources" if changed else "hidden"

    @contextmanager
    def _reindexing(self, index: SearchIndex) -> Iterator[None]:
        """Held while this process reads the store for the index and writes it: a process
        catching up waits for the one refreshing a source after its ingest, then finds
        that source current instead of reading it again.

        :raise SearchIndexError: held elsewhere for ``WRITER_WAIT`` seconds.
        """
        with file_lock(index.path / ".reindex.lock", wait=WRITER_WAIT) as got:
            if not got:
                raise SearchIndexError(f"the search index at {index.path} is being rebuilt by "
                                       f"another process (still after {WRITER_WAIT:g} s)")
            yield

    def _graphs(self) -> dict[str, str]:
        """Each source's current graph, as ``built.json`` records it."""
        return {slug: s.graph.value for slug, s in all_sources(self._root.store, self._root.graphs).items()
                if s.graph is not None}

    def _built(self, source: str | None) -> Callable[[dict], dict]:
        """What ``built.json`` says after writing ``source``'s documents (None: every source's,
        or only the hidden set when ``source`` is ``""``): the data version read before the
        store was read, if every source's graph then matches what the index holds (else
        none: a process that reads it catches up)."""
        root = self._root
        root.changed()
        token = root.data_version().token  # before reading: never newer than what is indexed
        current = self._graphs()

        def after(before: dict) -> dict:
            if source is not None and "sources" not in before:
                return {"token": None}  # what else it holds is unknown: a catch-up rebuilds it
            sources = dict(before.get("sources", {})) if source is not None else dict(current)
            if source:
                sources.pop(source, None)
                if source in current:
                    sources[source] = current[source]
            return {"token": token if sources == current else None, "sources": sources}
        return after

    def reindex(self, source: str | None = None) -> int:
        """Rebuild the index from the store: one source's documents, or (``None``) every
        source's. Returns the documents written. One process at a time (on one machine)
        reads and writes: another waits for it.

        :raise SearchIndexError: another process held the index too long.
        """
        index = open_index(index_path(self._root.settings.store))
        with self._reindexing(index):
            return self._reindex(source)

    def _reindex(self, source: str | None) -> int:
        root = self._root
        index = open_index(index_path(root.settings.store))
        built = self._built(source)
        states = all_sources(root.store, root.graphs)
        slugs = [source] if source is not None else sorted(states)
        records: dict[str, list[Record]] = {}
        graphs: list[ox.NamedNode] = []
        public = root.public_graphs()
        for slug in slugs:
            graph = states[slug].graph if slug in states else None
            records[slug] = read_records(root.store, graph, slug, public) if graph else []
            totals = root.quality.totals(graph) if graph else {}
            for rec in records[slug]:
                rec.quality = totals.get(rec.iri)
                if rec.quality is not None:
                    rec.facets["quality"] = {level_of(rec.quality)}
            graphs += [graph] if graph else []
        labels = read_labels(root.store, graphs + root.fixed_graphs()) if graphs else {}
        if source is None:  # community content: its documents are written per item, and here
            records.update(root.content.search_records())
        return index.replace(records, labels, everything=source is None, hidden=self.hidden(), built=built)

    def rewrite_hidden(self) -> None:
        """Rewrite only what every search leaves out (after a moderator's decision).

        :raise SearchIndexError: another process is writing the index.
        """
        index = open_index(index_path(self._root.settings.store))
        with self._reindexing(index):
            built = self._built("")
            index.replace({}, {}, hidden=self.hidden(), built=built)

    def hidden(self) -> Hidden:
        """What every search leaves out: the records duplicating another source's, and the
        records moderators hide (``Catalogue.curation``), read fresh from the store (not per
        data version: :meth:`reindex` runs right after an ingest, before the version is read
        again). A group of duplicates whose canonical record is hidden is shown by its next
        record that is not."""
        graphs = self._root.graphs
        found = find_duplicates(self._root.store, graphs.registry, graphs.provenance, graphs.curation)
        curated = frozenset(self._root.curation.read_hidden())
        shown, docs = [], []
        for group in found.groups:
            visible = [m for m in group if m.iri not in curated]
            shown += [visible[0].iri] if visible else []
            docs += [m for m in group if not visible or m != visible[0]]
        merged = Hidden.of(docs, shown)
        return Hidden(merged.iris | curated, frozenset(p for p in merged.pairs if p[1] not in curated))
