"""The catalogue as its callers see it (CLI, web): settings, the store and what they do.

One instance per process: it opens the store once (the embedded store holds a lock).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from . import queries
from .formats import rdf_format
from .graphs import Graphs
from .ingest import Report, ingest
from .settings import ROOT, Settings
from .sources import all_sources, current
from .store import Dataset, Store, open_store
from .vocab import load_vocabularies, vocabularies

DEMO_FILE = ROOT / "data" / "demo-catalogue.ttl"
DEMO_SOURCE = "demo"


class Catalogue:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.graphs = Graphs(settings.base_uri)
        self._store = store
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        """Opened on first use, so a forking server opens it in the worker, not the parent."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # datasets

    def public_graphs(self) -> list[ox.NamedNode]:
        """Vocabularies, provenance, the registry and each source's current version."""
        fixed = [self.graphs.vocab(v.name) for v in vocabularies()]
        fixed += [self.graphs.provenance, self.graphs.registry]
        current = [s.graph for s in all_sources(self.store, self.graphs).values() if s.graph]
        return fixed + current

    def source_graph(self, slug: str) -> ox.NamedNode | None:
        """The public graph of a source's current version, if it has one."""
        return current(self.store, self.graphs, slug).graph

    def public_dataset(self) -> Dataset:
        """Public graphs merged as the default graph and visible by name; nothing else."""
        graphs = self.public_graphs()
        return Dataset(default_graphs=graphs, named_graphs=graphs)

    def query(self, name: str, **params):
        """Run a saved query over the public dataset."""
        return queries.run(self.store, name, dataset=self.public_dataset(), **params)

    # writes

    def init(self, *, demo: bool = True, force: bool = False) -> dict[str, str]:
        """Load vocabularies (and the demo catalogue) unless already loaded."""
        result = load_vocabularies(self.store, self.graphs, force=force)
        if demo and DEMO_FILE.exists():
            data = DEMO_FILE.read_bytes()
            report = None
            if force or not self._already_loaded(DEMO_SOURCE, data):
                report = self.ingest(DEMO_SOURCE, data, filename=DEMO_FILE.name, mode="strict")
                if not report.stored:
                    raise RuntimeError("the bundled demo catalogue was rejected:\n" + report.as_text())
            result["demo"] = "loaded" if report else "unchanged"
        return result

    def _already_loaded(self, source: str, data: bytes) -> bool:
        import hashlib

        checksum = "sha256:" + hashlib.sha256(data).hexdigest()
        runs = self.query("source_runs", source=source)
        latest = runs.rows[0] if runs.rows else None  # type: ignore[union-attr]
        return bool(latest and latest["checksum"].value == checksum
                    and self.source_graph(source) is not None)

    def ingest(self, source: str, data: bytes, **kwargs) -> Report:
        return ingest(self.store, self.settings, source, data, **kwargs)

    # reads

    def stats(self) -> dict:
        """Triples in all graphs; records and triples of each source's current version."""
        sizes = {r["g"].value: int(r["triples"].value)
                 for r in queries.run(self.store, "graph_sizes")}  # type: ignore[union-attr]
        records = {r["g"].value: int(r["records"].value)
                   for r in queries.run(self.store, "graph_records")}  # type: ignore[union-attr]
        out: dict = {"triples": sum(sizes.values()), "sources": {}, "vocabularies": {},
                     "quarantine": {}, "store": self.store.description}
        for slug, state in sorted(all_sources(self.store, self.graphs).items()):
            if state.graph is not None:
                g = state.graph.value
                out["sources"][slug] = {"records": records.get(g, 0), "triples": sizes.get(g, 0),
                                        "graph": g}
            if state.quarantine is not None:
                q = state.quarantine.value
                out["quarantine"][slug] = {"records": records.get(q, 0), "triples": sizes.get(q, 0)}
        for iri, n in sorted(sizes.items()):
            kind = self.graphs.kind(ox.NamedNode(iri))
            if kind and kind[0] == "vocab":
                out["vocabularies"][kind[1]] = n
        out["provenance"] = sizes.get(self.graphs.provenance.value, 0)
        return out

    def export(self, fmt: str = "nq", *, include_private: bool = False) -> Iterator[bytes]:
        """The public graphs (or all) serialised graph by graph, to be streamed."""
        f = rdf_format(fmt)
        graphs: Sequence[ox.NamedNode] = (
            self.store.named_graphs() if include_private else self.public_graphs()
        )
        for g in graphs:
            triples = self.store.triples(g)
            if f.quads:
                yield ox.serialize((ox.Quad(t.subject, t.predicate, t.object, g) for t in triples),
                                   format=f.rdf)
            else:
                yield ox.serialize(triples, format=f.rdf)


def demo_path() -> Path:
    return DEMO_FILE
