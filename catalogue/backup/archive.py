"""``Catalogue.backups``: write a backup directory, and restore one into an empty store.

Failures are ``BackupError``s that say what and where: a target that is not empty, a
backup whose checksum does not match (a truncated copy), a store that is not empty, a
backup of another base URI. Nothing is half-written: a backup is written into a temporary
directory beside the target and renamed into place at the end; a restore checks everything
before it writes, and a failure while loading leaves the store to be emptied again (the
message says so).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from catalogue.community.documents import documents_dir
from catalogue.errors import CatalogueError, ErrorKind

if TYPE_CHECKING:
    from catalogue.app import Catalogue

QUADS = "quads.nq.gz"
MANIFEST = "manifest.json"
DOCUMENTS = "documents"
FORMAT = 1  # the manifest's version: a later catalogue can tell old backups
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class BackupError(CatalogueError):
    """A backup that cannot be written or restored; the message says why and what to do
    (bad input unless raised with another kind)."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created: str
    base_uri: str
    backend: str
    quads: int
    graphs: int
    documents: int
    sha256: str  # of quads.nq.gz


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Backups:
    """Backups of one catalogue."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    def _documents(self) -> Path:
        return documents_dir(self._root.settings)

    def backup(self, target: str | Path) -> Manifest:
        """Write a backup of everything into the directory ``target`` (created; it must not
        exist or be empty).

        :raise BackupError: ``target`` exists and is not empty, or cannot be written.
        :raise StoreError: the store failed (nothing is left at ``target``).
        """
        target = Path(target)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise BackupError(f"{target} exists and is not an empty directory: give a new one "
                              "(a backup never overwrites another)")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{target.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            store = self._root.store
            with gzip.open(partial / QUADS, "wb", compresslevel=6) as out:
                quads = store.dump_quads(out)  # type: ignore[arg-type]
            copied = 0
            documents = self._documents()
            if documents.is_dir():
                (partial / DOCUMENTS).mkdir()
                for f in sorted(documents.rglob("*")):  # kept as {2 hex}/{sha256}
                    if f.is_file() and _DIGEST.match(f.name):
                        shutil.copy2(f, partial / DOCUMENTS / f.name)
                        copied += 1
            manifest = Manifest(FORMAT, datetime.now(UTC).isoformat(timespec="seconds"),
                                self._root.settings.base_uri, store.description, quads,
                                len(store.named_graphs()), copied, _sha256(partial / QUADS))
            (partial / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
            if target.exists():
                target.rmdir()
            partial.rename(target)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return manifest

    def read_manifest(self, source: str | Path) -> Manifest:
        """The manifest of a backup directory, checked against its files.

        :raise BackupError: no such backup, a manifest that is not one, a quads file whose
            checksum differs (a truncated or altered copy), a missing document.
        """
        source = Path(source)
        try:
            data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
            manifest = Manifest(**data)
        except FileNotFoundError:
            raise BackupError(f"{source} holds no backup ({MANIFEST} is missing)",
                              error_kind=ErrorKind.NOT_FOUND) from None
        except (ValueError, TypeError) as exc:
            raise BackupError(f"{source / MANIFEST} is not a backup's manifest: {exc}") from None
        if manifest.format != FORMAT:
            raise BackupError(f"{source} is a backup of format {manifest.format}; this catalogue reads format {FORMAT}")
        if not (source / QUADS).is_file() or _sha256(source / QUADS) != manifest.sha256:
            raise BackupError(f"{source / QUADS} is missing or differs from the one backed up (its SHA-256 does "
                              "not match the manifest's): copy the backup again")
        documents = source / DOCUMENTS
        present = [f for f in documents.iterdir() if f.is_file()] if documents.is_dir() else []
        if len(present) != manifest.documents:
            raise BackupError(f"{documents} holds {len(present)} files, the manifest {manifest.documents}: "
                              "copy the backup again")
        return manifest

    def restore(self, source: str | Path) -> Manifest:
        """Load a backup into this catalogue's store, which must be empty, with its documents,
        then rebuild the search index.

        :raise BackupError: the backup is not sound (see :meth:`read_manifest`), the store is
            not empty (a conflict: restore into a new store), the backup's base URI is not
            this catalogue's (set CATALOGUE_BASE_URI to it), a document whose name is not its
            SHA-256.
        :raise StoreError: the store failed while loading (empty it, then restore again).
        """
        source = Path(source)
        manifest = self.read_manifest(source)
        settings, store = self._root.settings, self._root.store
        if manifest.base_uri != settings.base_uri:
            raise BackupError(f"the backup was taken with CATALOGUE_BASE_URI={manifest.base_uri}, this catalogue "
                              f"runs with {settings.base_uri}: set it to the backup's, or its IRIs would not be "
                              "this site's", error_kind=ErrorKind.CONFLICT)
        if store.named_graphs():
            raise BackupError(f"the store ({store.description}) is not empty: restore into a new, empty store "
                              "(a restore never merges into live data)", error_kind=ErrorKind.CONFLICT)
        documents_in = source / DOCUMENTS
        files = sorted(f for f in documents_in.iterdir() if f.is_file()) if documents_in.is_dir() else []
        for f in files:
            if not _DIGEST.match(f.name) or _sha256(f) != f.name:
                raise BackupError(f"{f} is not the document its name says (its SHA-256 differs): copy the backup "
                                  "again")
        with gzip.open(source / QUADS, "rb") as quads:
            store.load_quads(quads)  # type: ignore[arg-type]
        documents = self._documents()
        for f in files:
            kept = documents / f.name[:2] / f.name  # the layout of catalogue/community/documents.py
            if not kept.exists():
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, kept)
        self._root.changed()
        self._root.search.reindex()  # derived: rebuilt from what was restored
        return manifest
