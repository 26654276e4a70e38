"""The `catalogue` command as a publisher uses it: real subprocesses, exit codes, reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port, wait_for

DATA = Path(__file__).parent / "data"
GOOD = DATA / "ingest" / "two-solutions.ttl"
JOINUP = DATA / "joinup"
BROKEN = DATA / "broken"


def test_validate_conforming_sample_exits_0(run_cli):
    proc = run_cli("validate", str(JOINUP / "federation_valid_adms.rdf"), "--json")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert json.loads(proc.stdout)["conforms"] is True


def test_validate_joinup_invalid_fixture_exits_1_with_the_contact_point_rule(run_cli):
    proc = run_cli("validate", str(JOINUP / "federation_invalid_adms.rdf"), "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert [(r["focus"], r["path"]) for r in violations] == [
        ("http://asset", "http://www.w3.org/ns/dcat#contactPoint")]


def test_validate_broken_upstream_file_exits_2_with_line_and_column(run_cli):
    proc = run_cli("validate", str(BROKEN / "adms_skos_v2.00_controlled_vocabularies.ttl"), "--json")
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert (error["line"], error["column"]) == (29, 24)
    assert error["message"]


def test_validate_plain_text_report_for_people(run_cli):
    proc = run_cli("validate", str(JOINUP / "federation_invalid_adms.rdf"))
    assert proc.returncode == 1
    assert b"contact point" in proc.stdout


def test_validate_missing_file_exits_2(run_cli):
    proc = run_cli("validate", "/nonexistent/dump.ttl", "--json")
    assert proc.returncode == 2
    assert "cannot read" in json.loads(proc.stdout)["error"]["message"]


def test_ingest_then_stats_query_and_export(run_cli):
    proc = run_cli("ingest", str(GOOD), "--source", "example", "--json")
    assert proc.returncode == 0, proc.stdout.decode()
    report = json.loads(proc.stdout)
    assert report["records"] == {"accepted": 3, "rejected": 0}
    assert report["diff"]["added"] == sorted(report["diff"]["added"]) and len(report["diff"]["added"]) == 3

    stats = json.loads(run_cli("stats", "--json").stdout)
    assert stats["sources"]["example"]["records"] == 3
    assert stats["sources"]["example"]["triples"] == report["triples"]
    assert stats["triples"] >= report["triples"]

    proc = run_cli("query", "solutions_by_building_block", "--param",
                   "block=http://data.europa.eu/dr8/DataExchangeService", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["results"]["bindings"]
    assert [r["solution"]["value"] for r in rows] == ["http://repo.example.org/solution-2"]

    proc = run_cli("export", "--format", "nq")
    assert proc.returncode == 0
    assert b"<http://repo.example.org/solution-1>" in proc.stdout


def test_ingest_rejected_dump_exits_1_and_changes_nothing(run_cli):
    assert run_cli("ingest", str(GOOD), "--source", "example").returncode == 0
    before = run_cli("export", "--format", "nq", "--all").stdout
    bad = GOOD.read_bytes().replace(b"dct:license ex:eupl", b"")
    proc = run_cli("ingest", "-", "--source", "example", "--format", "ttl", "--json", input=bad)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["stored"] is False
    assert any(r["path"] == "http://purl.org/dc/terms/license" for r in report["results"])
    assert run_cli("export", "--format", "nq", "--all").stdout == before


def test_query_with_unknown_name_or_parameter_exits_2(run_cli):
    assert run_cli("query", "no_such_query").returncode == 2
    proc = run_cli("query", "solutions_by_building_block", "--param", "block=not an iri")
    assert proc.returncode == 2 and b"block" in proc.stderr


def test_bad_settings_exit_2_with_a_message(run_cli):
    proc = run_cli("stats", env={"CATALOGUE_BASE_URI": "ftp://nope"})
    assert proc.returncode == 2 and b"CATALOGUE_BASE_URI" in proc.stderr


def test_cli_on_a_store_held_by_the_server_stops_with_a_clear_message(tmp_path):
    port = free_port()
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "held")}
    server = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        proc = subprocess.run([sys.executable, "-m", "catalogue_cli", "stats"], env=env,
                              capture_output=True, timeout=60)
        assert proc.returncode == 3
        message = proc.stderr.decode()
        assert "in use by another process" in message and "catalogue serve" in message
        assert "Traceback" not in message
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("target", ["http://127.0.0.1:1/dump.ttl", "http://localhost/dump.ttl"])
def test_ingest_refuses_urls_on_private_addresses(run_cli, target):
    proc = run_cli("ingest", target, "--source", "example", "--json")
    assert proc.returncode == 2
    assert "private or local address" in json.loads(proc.stdout)["error"]["message"]
