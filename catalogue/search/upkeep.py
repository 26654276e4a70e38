"""The search index as one catalogue keeps it: rebuilt from the store (one source or all),
opened at the current data version for reading, and told which records duplicates and
moderators hide.

Reached as ``Catalogue.search`` (``Catalogue.reindex`` until issue 11). The index itself
(``index``), its documents (``documents``) and searching (``query``) know nothing of the
catalogue; this class is where the store's registry, the public graphs and the moderators'
decisions on duplicates meet them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.ingest.registry import all_sources
from catalogue.pages.duplicates import find_duplicates
from catalogue.quality import level_of
from catalogue.search.documents import Record, read_labels, read_records
from catalogue.search.index import Hidden, SearchIndex, index_path, open_index

if TYPE_CHECKING:
    from catalogue.app import Catalogue


class Search:
    """The derived full-text index beside one catalogue's store (never a record of truth)."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    def index(self) -> SearchIndex:
        """The index, with the commits of the current data version picked up (for reading)."""
        index = open_index(index_path(self._root.settings.store))
        index.refresh(self._root.data_version().token)
        return index

    def reindex(self, source: str | None = None) -> int:
        """Rebuild the index from the store: one source's documents, or (``None``) every
        source's. Returns the documents written.

        :raise SearchIndexError: another process is writing the index.
        """
        root = self._root
        index = open_index(index_path(root.settings.store))
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
        return index.replace(records, labels, everything=source is None, hidden=self.hidden())

    def rewrite_hidden(self) -> None:
        """Rewrite only what every search leaves out (after a moderator's decision).

        :raise SearchIndexError: another process is writing the index.
        """
        index = open_index(index_path(self._root.settings.store))
        index.replace({}, {}, hidden=self.hidden())

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
