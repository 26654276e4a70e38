"""Backups (issue 17, item 7): ``catalogue backup DIR`` and ``catalogue restore DIR``.

A backup is a directory anyone can read without the catalogue: ``quads.nq.gz`` (every named
graph, public and private, as N-Quads: the store's whole truth), ``documents/`` (the
community's uploaded files, named by their SHA-256) and ``manifest.json`` (when, from
which base URI and backend, how many quads and files, the quads file's SHA-256).

Taking one is online: the embedded store dumps one consistent snapshot (a RocksDB
checkpoint) while it keeps serving; a remote store is read graph by graph through its
endpoint (back up while nothing ingests, or accept that a write may fall between two
graphs). Restoring goes into an EMPTY store (a restore never merges into live data), checks
the manifest and the checksums first, then rebuilds what is derived: the search index.
"""

from catalogue.backup.archive import BackupError, Backups, Manifest

__all__ = ["BackupError", "Backups", "Manifest"]
