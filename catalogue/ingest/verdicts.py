"""What a stored version's validation found, kept so a re-harvest validates only what changed.

A stored ingest writes, beside its version graph, the private ``graph/validation/{slug}/{version}``
(``Graphs.validation``) holding

- the **key** its verdicts hold under (:func:`key`): a digest of the record shapes' files,
  the engine and its release, the vocabularies' files and :data:`FORMAT`;
- per record with an IRI, its **signature** (``RecordIndex.signature``: a canonical hash of
  the triples the record is validated from, blank nodes canonicalised), whether it was
  published, and its SHACL findings as JSON when they may be reused.

The next ingest of the source reads the current version's graph (:func:`read`). A record
whose signature is there under the same key is not validated again: SHACL sees a record
through its validation triples only (``records.py``: its own triples, the full description
of the shared nodes it uses, the types of the records it links to), so equal triples under
equal shapes give equal findings. What a record's verdict can owe to the rest of the dump
is in its signature: a contact point or a linked record's type that changes changes the
signature of every record using it. What depends on more than the record is checked on
every ingest whatever this says: ownership (it reads the store) and the dump-level shapes.

Never reused (validated every time): records with a blank-node root; records whose
findings name a blank node (of the data, whose labels change with every parse, or of the
shapes); every record of a run whose batches gave findings on nodes no record holds (a
dump-level finding, never expected). The graph is derived data: missing (versions stored
before it existed, after a withdrawal) or unreadable, everything is validated, as before.

The published signatures also give the next diff its "before" without reading the version
graph back (re-splitting 0.6M triples cost more than validating the changed records), when
they describe that graph exactly: every record it holds has an IRI, and the run rejected
none (a rejected record's types are in the validated triples but not in the stored graph).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox

from catalogue.ingest.shacl import Finding
from catalogue.store import Store
from catalogue.terms import CAT, XSD
from catalogue.vocab import vocabularies

# bump when what a record is validated from, or how findings are made, changes in code
FORMAT = "catalogue-verdicts/1"
ENGINES = {"turbo": "pyshacl-turbo", "pyshacl": "pyshacl"}
TRUE = ox.Literal("true", datatype=XSD.boolean)
FALSE = ox.Literal("false", datatype=XSD.boolean)


@dataclass(frozen=True)
class Verdicts:
    """One stored version's verdicts, as :func:`read` gives them back."""

    version: ox.NamedNode  # the version graph they were found for
    key: str
    signatures: dict[str, str]  # record IRI -> signature, every record the run validated
    findings: dict[str, tuple[Finding, ...]]  # record IRI -> findings that may be reused
    published: dict[str, str] | None  # the version graph's records -> signature, if exact

    def reusable(self, iri: str, signature: str, key: str) -> tuple[Finding, ...] | None:
        """The findings of a record validated before with these triples under ``key``, or
        None: it must be validated."""
        if key != self.key or self.signatures.get(iri) != signature:
            return None
        return self.findings.get(iri)


def _file_digest(path: Path) -> str:
    stat = path.stat()
    return _digest_of(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest_of(path: str, mtime_ns: int, size: int) -> str:
    """A file's SHA-256, read again only when its time or size changes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def vocabulary_digest() -> str:
    """A digest of the vocabularies' files (``catalogue/vocab``): a new release of one
    revalidates everything, though no shape reads them today."""
    h = hashlib.sha256()
    for v in vocabularies():
        h.update(f"{v.name}\0{_file_digest(v.file) if v.file.exists() else '-'}\0".encode())
    return h.hexdigest()


def key(files: Sequence[Path], engine: str) -> str:
    """What verdicts hold under: the record shapes (by content), the engine and its release,
    the vocabularies and :data:`FORMAT`. Any change makes every record validated again."""
    h = hashlib.sha256(f"{FORMAT}\0{engine}\0".encode())
    try:
        h.update(metadata.version(ENGINES.get(engine, engine)).encode())
    except metadata.PackageNotFoundError:
        h.update(b"?")
    for f in files:
        h.update(f"\0{f.name}\0{_file_digest(f)}".encode())
    h.update(vocabulary_digest().encode())
    return "sha256:" + h.hexdigest()


def reusable_findings(findings: Iterable[Finding]) -> bool:
    """Whether findings may be given again to the same triples: none names a blank node."""
    return not any(v is not None and v.startswith("_:")
                   for f in findings for v in (f.focus, f.value, f.path, f.shape))


def triples(version: ox.NamedNode, verdict_key: str, signatures: Mapping[str, str],
            published: set[str], findings: Mapping[str, Sequence[Finding] | None],
            exact: bool) -> list[ox.Triple]:
    """The validation graph of one stored version (see the module's docstring).

    ``findings``: per record IRI, its SHACL findings, or None when they may not be reused.
    ``exact``: the published signatures describe the version graph exactly.
    """
    T = ox.Triple
    out = [T(version, CAT.validationKey, ox.Literal(verdict_key)),
           T(version, CAT.exactSignatures, TRUE if exact else FALSE)]
    for iri, signature in signatures.items():
        if iri.startswith("_:"):
            continue
        node = ox.NamedNode(iri)
        out.append(T(node, CAT.signature, ox.Literal(signature)))
        if iri not in published:
            out.append(T(node, CAT.published, FALSE))
        found = findings.get(iri)
        if found is None:
            out.append(T(node, CAT.revalidate, TRUE))
        elif found:
            out.append(T(node, CAT.findings, ox.Literal(json.dumps([f.as_json() for f in found]))))
    return out


def read(store: Store, graph: ox.NamedNode, version: ox.NamedNode) -> Verdicts | None:
    """The verdicts kept in ``graph`` for the version graph ``version``, or None if there
    are none (or they are not ours to read: then everything is validated)."""
    found = list(store.iter_triples(graph))
    if not found:
        return None
    verdict_key, exact = None, False
    signatures: dict[str, str] = {}
    unpublished: set[str] = set()
    revalidate: set[str] = set()
    findings: dict[str, tuple[Finding, ...]] = {}
    try:
        for t in found:
            p, s, o = t.predicate, t.subject, t.object
            if s == version:
                if p == CAT.validationKey:
                    verdict_key = o.value  # type: ignore[union-attr]
                elif p == CAT.exactSignatures:
                    exact = o == TRUE
            elif not isinstance(s, ox.NamedNode) or not isinstance(o, ox.Literal):
                continue
            elif p == CAT.signature:
                signatures[s.value] = o.value
            elif p == CAT.published:
                unpublished.add(s.value)
            elif p == CAT.revalidate:
                revalidate.add(s.value)
            elif p == CAT.findings:
                findings[s.value] = tuple(Finding(**f) for f in json.loads(o.value))
    except (ValueError, TypeError, KeyError):  # not what we write: validate everything
        return None
    if verdict_key is None:
        return None
    for iri in signatures:
        if iri not in revalidate:
            findings.setdefault(iri, ())
    published = {i: s for i, s in signatures.items() if i not in unpublished} if exact else None
    return Verdicts(version, verdict_key, signatures, findings, published)
