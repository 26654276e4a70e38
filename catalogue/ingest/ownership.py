"""Who may describe what: a record belongs to the source that published it.

Federation only works if no publisher can rewrite another's records. The rule, checked on
every ingest after SHACL (it needs the store; ``catalogue validate`` cannot know it):

1. **The catalogue's own namespace belongs to no source.** A dump may link to IRIs under
   ``CATALOGUE_BASE_URI`` (``source/{slug}``, ``user/{name}``, ``graph/...``, ``run/...``)
   but not describe them: no triple may have one as its subject. The exception is what
   the catalogue mints for a source's own records (:data:`catalogue.graphs.MINTED_RECORDS`:
   ``solution/{id}`` for the proposals moderators validate into the ``community`` source).
2. **A record belongs to the source that published it first.** An IRI that another
   source's current graph types as a record (``dcat:Catalog``, ``dcat:Dataset``,
   ``adms:Asset``, ``dcat:Distribution``, and the standards' ``cssv:Specification``,
   ``dcat:CatalogRecord``, ``cav:Assessment``) may be linked to (``dct:isVersionOf``,
   ``dcat:dataset``, ``owl:sameAs``...) but not described. Until that source withdraws it,
   only that source's dumps say what it is.

Shared nodes (agents, contact points, licences, concepts) are not records: every source
may describe them, as real dumps do. A triple that breaks the rule is a Violation of the
record that owns its subject (or of every record that uses the shared node it describes):
strict mode rejects the dump, partial mode quarantines those records.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from catalogue import queries
from catalogue.graphs import Graphs
from catalogue.ingest.records import (
    CATALOG,
    DATASET_CLASSES,
    STANDARDS_ROOTS,
    Node,
    Record,
    RecordIndex,
)
from catalogue.ingest.registry import all_sources
from catalogue.ingest.report import Report
from catalogue.ingest.shacl import Finding
from catalogue.store import Rows, Store
from catalogue.terms import DCAT, RDF_TYPE

# the rules' names in reports (``shape``): not SHACL shapes, as they need the store
RULES = "https://catalogue.example.org/shapes/ownership#"
RESERVED_RULE = RULES + "catalogue-namespace"
OWNED_RULE = RULES + "record-of-another-source"
RECORD_CLASSES = frozenset({CATALOG, DCAT.Distribution, *DATASET_CLASSES, *STANDARDS_ROOTS})
CHUNK = 500  # IRIs per query: a VALUES block of this size is one quick index walk


Owners = dict[ox.NamedNode, str]  # the other sources' current graphs, each with its slug


def others(store: Store, graphs: Graphs, source: str) -> Owners:
    """Every other source's current graph, with its slug: what a check reads as theirs, and
    what a run's switch then requires to be still current (``source_switch.ru``'s ``seen``)."""
    return {state.graph: slug for slug, state in all_sources(store, graphs).items()
            if state.graph is not None and slug != source}


def check(store: Store, graphs: Graphs, source: str, index: RecordIndex, report: Report,
          owners: Owners | None = None) -> int:
    """Add a Violation to every record that describes what is not ``source``'s to describe,
    and mark it rejected. Returns how many triples broke the rule.

    ``report.records`` must be in ``index.records``' order (as :func:`validate_dump` makes it).
    ``owners`` (:func:`others`, read now when None): the current graphs checked against.
    """
    # the rules' words, in English, live with the other report sentences (translated there)
    from catalogue.reports.phrasing import FIX_OWNED, FIX_RESERVED, OWNED, RESERVED

    subjects = [s for s in index.by_subject if isinstance(s, ox.NamedNode)]
    refused: dict[Node, tuple[str, str]] = {}  # subject -> (rule, message)
    for s in subjects:
        if graphs.reserved(s.value, source):
            refused[s] = (RESERVED_RULE, f"{RESERVED} {FIX_RESERVED}")
    for s, owner in owned_elsewhere(store, graphs, source,
                                    [s for s in subjects if s not in refused], owners).items():
        refused[s] = (OWNED_RULE, f"{OWNED.format(owner=owner)} {FIX_OWNED}")
    if not refused:
        return 0
    users: dict[Node, list[Record]] = defaultdict(list)
    for record in index.records:
        for node in record.referenced:
            if node in refused and node not in index.owner:
                users[node].append(record)
    position = {id(r): n for n, r in enumerate(index.records)}
    count = 0
    for subject, (rule, message) in refused.items():
        triples = index.by_subject[subject]
        count += len(triples)
        holder = index.owner.get(subject)
        finding = Finding("Violation", subject.value, triples[0].predicate.value,
                          None, message, rule)
        for record in [holder] if holder is not None else users.get(subject, []):
            result = report.records[position[id(record)]]
            result.accepted = False
            if finding not in result.findings:
                result.findings.append(finding)
    return count


def owned_elsewhere(store: Store, graphs: Graphs, source: str, iris: list[ox.NamedNode],
                    owners: Owners | None = None) -> dict[ox.NamedNode, str]:
    """Which of ``iris`` another source's current graph publishes as a record, and whose
    (among ``owners``' graphs: :func:`others`, read now when None)."""
    if owners is None:
        owners = others(store, graphs, source)
    found: dict[ox.NamedNode, str] = {}
    if not owners:
        return found
    for start in range(0, len(iris), CHUNK):
        rows = queries.select(store, "record_graphs", resource=iris[start:start + CHUNK])
        for r in rows:
            owner = owners.get(r["g"])  # type: ignore[arg-type]
            if owner is not None:
                found.setdefault(r["resource"], owner)  # type: ignore[arg-type]
    return found


def description_from_owner(rows: Rows) -> list[ox.Triple]:
    """A resource's triples from ``resource_own.rq`` rows (``?resource ?g ?p ?o ?bp ?bo``),
    keeping only those of the graphs that type it as a record when any does.

    Ingest refuses another source's triples about a record; this keeps out what was stored
    before the record was (a source describing an IRI that another publishes later), so a
    record's public description comes from its owner alone.
    """
    owners = {r["g"] for r in rows
              if r["p"] == RDF_TYPE and r["o"] in RECORD_CLASSES and "bp" not in r}
    out: dict[ox.Triple, None] = {}
    for r in rows:
        if owners and r["g"] not in owners:
            continue
        if "bp" in r:
            out[ox.Triple(r["o"], r["bp"], r["bo"])] = None  # type: ignore[arg-type]
        else:
            out[ox.Triple(r["resource"], r["p"], r["o"])] = None  # type: ignore[arg-type]
    return list(out)
