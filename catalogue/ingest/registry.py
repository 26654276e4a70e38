"""The registry of sources: each source's current (public) graph and quarantine graph.

Switching a source to a new version is one small SPARQL update on the registry graph,
so it is atomic on both backends whatever the size of the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.graphs import Graphs, SlugError, check_slug
from catalogue.store import Store
from catalogue.terms import CAT, FOAF, RDF_TYPE


@dataclass(frozen=True)
class SourceState:
    slug: str
    graph: ox.NamedNode | None
    quarantine: ox.NamedNode | None
    name: str | None = None

    @property
    def version(self) -> str | None:
        """The current version's name (the last segment of its graph IRI)."""
        return self.graph.value.rsplit("/", 1)[-1] if self.graph is not None else None

    @property
    def updated(self) -> datetime | None:
        """When the current version's run started: what a reader calls "last updated"."""
        return version_started(self.version) if self.version else None


def version_started(version: str) -> datetime | None:
    """When the run named ``version`` started (``20261127t081500123456-1a2b3c4d``), if its
    name says so."""
    try:
        return datetime.strptime(version[:21], "%Y%m%dt%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None


def all_sources(store: Store, graphs: Graphs) -> dict[str, SourceState]:
    """Every registered source with its current graphs."""
    rows = queries.select(store, "registry_sources", registry=graphs.registry)
    return {
        r["slug"].value: SourceState(r["slug"].value, r.get("graph"), r.get("quarantine"),  # type: ignore[arg-type]
                                     r["name"].value if "name" in r else None)
        for r in rows
    }


def current(store: Store, graphs: Graphs, slug: str) -> SourceState:
    return all_sources(store, graphs).get(slug, SourceState(slug, None, None))


def switch_update(
    graphs: Graphs,
    slug: str,
    graph: ox.NamedNode,
    quarantine: ox.NamedNode | None,
    provenance: Sequence[ox.Triple],
    *,
    expected: ox.NamedNode | None,
    seen: Iterable[ox.NamedNode],
) -> str:
    """The one update that makes a new version current and adds the run's ``provenance``
    to the provenance graph, if the source's current graph is ``expected`` (None: it has
    none) and every other source's current graph is one of ``seen`` (those the run's
    ownership check read); else it changes nothing."""
    source = graphs.source_resource(slug)
    pointers = [
        ox.Triple(source, RDF_TYPE, CAT.Source),
        ox.Triple(source, CAT.slug, ox.Literal(slug)),
        ox.Triple(source, CAT.graph, graph),
    ]
    if quarantine is not None:
        pointers.append(ox.Triple(source, CAT.quarantine, quarantine))
    return updates.text("source_switch", registry=graphs.registry, source=source,
                        expected=expected if expected is not None else CAT.none, seen=list(seen),
                        pointers=pointers,
                        provenance=graphs.provenance, activity=provenance)


def register(store: Store, graphs: Graphs, slug: str, name: str) -> None:
    """Add a source to the registry, or rename it (one update; its data is untouched)."""
    check_slug(slug)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise SlugError(f"a source needs a name of 1-200 characters, got {name!r}")
    source = graphs.source_resource(slug)
    updates.run(store, "source_register", registry=graphs.registry, source=source, data=[
        ox.Triple(source, RDF_TYPE, CAT.Source),
        ox.Triple(source, CAT.slug, ox.Literal(slug)),
        ox.Triple(source, FOAF.name, ox.Literal(name)),
    ])
