"""Backups (issue 17, item 7): a round trip through `catalogue backup` and `catalogue
restore` gives back every graph (public and private), the documents and a rebuilt search
index, on the embedded store and into a remote one; unsound backups and non-empty targets
are refused with a message, and nothing is half-written."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.backup import BackupError
from catalogue.community.content import Upload
from catalogue.errors import ErrorKind
from catalogue.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DUMP = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
COLLECTION = "http://repo.example.org/collection"
PASSWORD = "a long enough password"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def graphs_of(c: Catalogue) -> dict[str, Counter]:
    """Every named graph's triples, blank nodes as '_' (a loader names them afresh; the file
    keeps which is which, so a graph of them restores whole)."""
    def term(t) -> str:
        return "_" if isinstance(t, ox.BlankNode) else str(t)
    return {g.value: Counter((term(t.subject), str(t.predicate), term(t.object)) for t in c.store.triples(g))
            for g in c.store.named_graphs()}


@pytest.fixture
def original(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "a" / "store"), shacl_engine="turbo"))
    c.publishing.register_source("example", "Example repository")
    assert c.publishing.ingest("example", DUMP.read_bytes(), format="ttl", mode="strict").stored
    c.accounts.add_user("mod", PASSWORD, roles=("moderator",), email="mod@example.org")
    c.accounts.add_user("ana", PASSWORD)
    c.membership.transfer(COLLECTION, "mod", c.accounts.user("mod"))
    c.content.create(COLLECTION, "document", {"title": "Guide"}, c.accounts.user("mod"), submit=True,
                     upload=Upload(PDF, "guide.pdf", "application/pdf"))
    c.subscriptions.follow(c.accounts.user("ana"), COLLECTION)
    yield c
    c.close()


def test_a_round_trip_gives_everything_back(original, tmp_path):
    target = tmp_path / "backup"
    m = original.backups.backup(target)
    assert sorted(p.name for p in target.iterdir()) == ["documents", "manifest.json", "quads.nq.gz"]
    assert m.documents == 1 and m.quads == original.store.count() and m.graphs == len(original.store.named_graphs())
    assert json.loads((target / "manifest.json").read_text())["sha256"] == m.sha256
    before = graphs_of(original)

    restored = Catalogue(load_settings({}, store=str(tmp_path / "b" / "store"), shacl_engine="turbo"))
    try:
        restored.backups.restore(target)
        assert graphs_of(restored) == before  # public and private graphs
        assert restored.accounts.authenticate("mod", PASSWORD) is not None  # the private accounts graph
        assert restored.accounts.user("mod").email == "mod@example.org"
        assert [s.target for s in restored.subscriptions.of_user("ana")] == [COLLECTION]
        assert restored.search.index().num_docs() == original.search.index().num_docs() > 0  # rebuilt
        [item] = [i for i in restored.content.in_container(restored.content.container(COLLECTION), None)]
        assert restored.content.files.path(item.sha256).read_bytes() == PDF
    finally:
        restored.close()


def test_a_backup_never_overwrites_and_a_restore_never_merges(original, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something").write_text("x")
    with pytest.raises(BackupError, match="not an empty directory"):
        original.backups.backup(busy)
    good = tmp_path / "good"
    original.backups.backup(good)
    with pytest.raises(BackupError) as err:
        original.backups.restore(good)  # into the live, non-empty store
    assert err.value.error_kind is ErrorKind.CONFLICT and "not empty" in str(err.value)
    assert not any(p.name.startswith(".good.partial") for p in tmp_path.iterdir())


def test_unsound_backups_are_refused_before_anything_is_written(original, tmp_path):
    good = tmp_path / "good"
    original.backups.backup(good)
    empty = Catalogue(load_settings({}, store=str(tmp_path / "c" / "store")))
    try:
        truncated = tmp_path / "truncated"
        subprocess.run(["cp", "-r", str(good), str(truncated)], check=True)
        data = (truncated / "quads.nq.gz").read_bytes()
        (truncated / "quads.nq.gz").write_bytes(data[: len(data) // 2])
        with pytest.raises(BackupError, match="SHA-256"):
            empty.backups.restore(truncated)
        with pytest.raises(BackupError) as err:
            empty.backups.restore(tmp_path / "nowhere")
        assert err.value.error_kind is ErrorKind.NOT_FOUND
        altered = tmp_path / "altered"
        subprocess.run(["cp", "-r", str(good), str(altered)], check=True)
        [doc] = list((altered / "documents").iterdir())
        doc.write_bytes(b"not the same file")
        with pytest.raises(BackupError, match="not the document its name says"):
            empty.backups.restore(altered)
        assert empty.store.named_graphs() == []  # nothing was written
    finally:
        empty.close()
    other = Catalogue(load_settings({}, store=str(tmp_path / "d" / "store"), base_uri="https://other.example.org/"))
    try:
        with pytest.raises(BackupError, match="CATALOGUE_BASE_URI"):
            other.backups.restore(good)
    finally:
        other.close()


def test_a_backup_of_the_embedded_store_restores_into_a_remote_one(original, tmp_path, oxigraph_server):
    target = tmp_path / "backup"
    original.backups.backup(target)
    remote = Catalogue(load_settings({}, store=str(tmp_path / "remote-side"),
                                     sparql_query_url=oxigraph_server + "/query"))
    try:
        remote.store.update("DROP SILENT ALL")
        remote.backups.restore(target)
        assert remote.store.count() == original.store.count()
        assert remote.accounts.authenticate("mod", PASSWORD) is not None
        # and back out of the remote store, graph by graph
        again = tmp_path / "again"
        m = remote.backups.backup(again)
        assert m.quads == original.store.count()
        with gzip.open(again / "quads.nq.gz", "rb") as f:
            assert sum(1 for _ in ox.parse(f, format=ox.RdfFormat.N_QUADS)) == m.quads
    finally:
        remote.store.update("DROP SILENT ALL")
        remote.close()


def test_the_commands(tmp_path):
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "store")}
    run = lambda *a, e=env: subprocess.run([sys.executable, "-m", "catalogue_cli", *a], env=e, cwd=ROOT,  # noqa: E731
                                           capture_output=True, text=True, timeout=120)
    assert run("publisher", "add", "example", "--name", "Example").returncode == 0
    assert run("ingest", "--source", "example", str(DUMP)).returncode == 0
    done = run("backup", str(tmp_path / "b"))
    assert done.returncode == 0 and "backed up" in done.stdout
    assert run("backup", str(tmp_path / "b")).returncode == 2  # never over another backup
    fresh = {**env, "CATALOGUE_STORE": str(tmp_path / "fresh")}
    done = run("restore", str(tmp_path / "b"), e=fresh)
    assert done.returncode == 0 and "restored" in done.stdout, done.stderr
    again = run("restore", str(tmp_path / "b"), e=fresh)
    assert again.returncode == 2 and "not empty" in again.stderr
