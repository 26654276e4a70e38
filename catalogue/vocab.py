"""Load the vocabularies in ``vocab/`` into one named graph each, idempotently.

``vocab/vocabularies.json`` lists them (name, file, format, source, licence). A graph is
replaced atomically only when its file's checksum changed since it was loaded.

An entry with ``"base": true`` holds relative IRIs (``<licence/EUPL-1.2>``): the loader
resolves them against the catalogue's base URI, so the resources it describes get IRIs on
the catalogue's own site; its checksum covers the base too, so a new base reloads it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from catalogue import queries
from catalogue.formats import rdf_format
from catalogue.graphs import Graphs
from catalogue.settings import PACKAGE
from catalogue.store import Store
from catalogue.terms import CAT

VOCAB_DIR = PACKAGE / "vocab"


@dataclass(frozen=True)
class Vocabulary:
    name: str
    file: Path
    format: str
    title: str
    source: str
    licence: str
    base: bool = False  # relative IRIs, resolved against the catalogue's base URI


@lru_cache(maxsize=4)
def vocabularies(directory: Path = VOCAB_DIR) -> tuple[Vocabulary, ...]:
    """The manifest's entries (none if the manifest is missing); read once per process."""
    if not (directory / "vocabularies.json").exists():
        return ()
    manifest = json.loads((directory / "vocabularies.json").read_text(encoding="utf-8"))
    entries = manifest["vocabularies"] if isinstance(manifest, dict) else manifest
    return tuple(
        Vocabulary(
            e["name"], directory / e["file"], e["format"], e.get("title", e["name"]),
            e.get("source", ""), e.get("licence", ""), bool(e.get("base", False)),
        )
        for e in entries
    )


def load_vocabularies(store: Store, graphs: Graphs, *, force: bool = False) -> dict[str, str]:
    """Load every vocabulary whose file changed; returns {name: 'loaded' | 'unchanged'}."""
    out: dict[str, str] = {}
    for v in vocabularies():
        data = v.file.read_bytes()
        base_iri = graphs.base if v.base else None
        digest = hashlib.sha256(data)
        if base_iri is not None:
            digest.update(b"\0base=" + base_iri.encode("utf-8"))
        checksum = ox.Literal("sha256:" + digest.hexdigest())
        graph = graphs.vocab(v.name)
        if not force and queries.ask(store, "vocabulary_checksum", graph=graph, checksum=checksum):
            out[v.name] = "unchanged"
            continue
        fmt = rdf_format(v.format)
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(data, format=fmt.rdf, base_iri=base_iri)]
        # bulk-load, then mark complete with the checksum: a load cut short has no checksum
        # and is simply redone next time (vocabularies are ours, not publishers' data)
        store.drop_graph(graph)
        store.write_graph(graph, triples)
        store.write_graph(graph, [ox.Triple(graph, CAT.checksum, checksum)])
        out[v.name] = "loaded"
    return out
