"""The public data in bulk, as one catalogue offers it: the paged DCAT catalogue, VoID and
the sitemap for harvesters and crawlers (built by ``documents``), dumps of the public graphs
(or of all, for a backup), and the counts of what the store holds.

Reached as ``Catalogue.feeds`` (these were ``Catalogue`` methods until issue 11). ``site``
is always the absolute root URL the site is served from (see ``documents``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries
from catalogue.feeds import documents
from catalogue.formats import rdf_format, serialize
from catalogue.ingest.registry import all_sources

if TYPE_CHECKING:
    from catalogue.app import Catalogue

EXPORT_CHUNK = 50_000  # triples serialised at a time by export()


class Feeds:
    """What others read of the catalogue whole, rather than resource by resource."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    def source_graphs(self) -> list[ox.NamedNode]:
        """The current graph of every source: where published records live."""
        root = self._root
        return [s.graph for s in all_sources(root.store, root.graphs).values() if s.graph]

    def catalog_page(self, paging: documents.Paging, *, site: str, here: str) -> documents.CatalogPage:
        """One page of the DCAT catalogue.

        :raise PageNotFoundError: beyond the last page.
        """
        return documents.catalog_page(self._root.store, self._root.graphs.base, self.source_graphs(),
                                      site=site, here=here, paging=paging,
                                      hidden=self._root.curation.hidden_iris())

    def void(self, site: str) -> list[ox.Triple]:
        """The VoID description of the public dataset."""
        root = self._root
        return documents.void(root.store, root.graphs, site, root.public_graphs(), self.source_graphs())

    def sitemap_entries(self, site: str) -> list[documents.SitemapEntry]:
        """The site's human pages: home, then every published collection and solution (but
        those moderators hide)."""
        return documents.sitemap_entries(self._root.store, self.source_graphs(), site,
                                         self._root.curation.hidden_iris())

    def export(self, fmt: str = "nq", *, include_private: bool = False) -> Iterator[bytes]:
        """The public graphs (or all) serialised graph by graph, to be streamed.

        :raise UnknownFormatError: ``fmt`` is not an RDF format.
        """
        f = rdf_format(fmt)
        assert f.rdf is not None  # every format rdf_format() gives has one
        store = self._root.store
        graphs: Sequence[ox.NamedNode] = (
            store.named_graphs() if include_private else self._root.public_graphs()
        )
        for g in graphs:
            # in chunks, so a large graph is never held whole: concatenated N-Quads, TriG
            # blocks of one graph, or prefix-less Turtle documents are still one valid document
            stream = store.iter_triples(g)
            while chunk := list(itertools.islice(stream, EXPORT_CHUNK)):
                if f.quads:
                    yield serialize([ox.Quad(t.subject, t.predicate, t.object, g) for t in chunk], f.rdf)
                else:
                    yield serialize(chunk, f.rdf)

    def stats(self) -> dict:
        """Triples in all graphs; records and triples of each source's current version
        (counted once per data version: a count over the whole store is not cheap)."""
        return self._root.per_version("stats", self._count)

    def _count(self) -> dict:
        root = self._root
        store, graphs = root.store, root.graphs
        sizes = {r["g"].value: int(r["triples"].value) for r in queries.select(store, "graph_sizes")}
        records = {r["g"].value: int(r["records"].value)
                   for r in queries.select(store, "graph_records")}
        out: dict = {"triples": sum(sizes.values()), "sources": {}, "vocabularies": {},
                     "quarantine": {}, "store": store.description}
        states = all_sources(store, graphs)
        for slug, state in sorted(states.items()):
            if state.graph is not None:
                g = state.graph.value
                out["sources"][slug] = {"records": records.get(g, 0), "triples": sizes.get(g, 0),
                                        "graph": g}
            if state.quarantine is not None:
                q = state.quarantine.value
                out["quarantine"][slug] = {"records": records.get(q, 0), "triples": sizes.get(q, 0)}
        for iri, n in sorted(sizes.items()):
            kind = graphs.kind(ox.NamedNode(iri))
            if kind and kind[0] == "vocab":
                out["vocabularies"][kind[1]] = n
        out["provenance"] = sizes.get(graphs.provenance.value, 0)
        # never public: accounts, run reports, drafts, versions kept for roll back
        shown = {g.value for g in root.public_graphs()} | {
            s.quarantine.value for s in states.values() if s.quarantine}
        out["private"] = sum(n for g, n in sizes.items() if g not in shown)
        return out
