"""A source's history on both backends: each run's report and diff kept, property changes,
tombstones for withdrawn records, roll back to a kept version."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.app import Catalogue
from catalogue.ingest.history import HistoryError
from tests.test_ingest import NO_CONTACT_ON_2

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
TITLE = "http://purl.org/dc/terms/title"


def second_version(data: bytes = GOOD) -> bytes:
    """solution-1 renamed, solution-2 withdrawn."""
    start = data.index(b"ex:solution-2 a dcat:Dataset")
    end = data.index(b"ex:agency a foaf:Agent")
    data = data[:start] + data[end:]
    data = data.replace(b", ex:solution-2 .", b" .")
    return data.replace(b'"Open e-Invoicing Gateway"@en,', b'"Open e-Invoicing Gateway NG"@en,')


@pytest.fixture
def catalogue(store, settings):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    return c


def test_a_run_keeps_its_diff_with_old_and_new_values(catalogue):
    first = catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    assert first.stored and first.diff.added == [EX + "collection", EX + "solution-1", EX + "solution-2"]
    second = catalogue.publishing.ingest("example", second_version(), filename="x.ttl")
    assert second.stored, second.as_text()
    assert second.diff.removed == [EX + "solution-2"]
    assert EX + "solution-1" in second.diff.changed
    runs = catalogue.publishing.runs("example")
    assert [r["outcome"] for r in runs] == ["stored", "stored"]
    detail = catalogue.publishing.run_detail("example", runs[0]["id"])
    assert detail.report.diff.removed == [EX + "solution-2"]
    title = [c for c in detail.changes if c.subject == EX + "solution-1" and c.property == TITLE]
    assert title and title[0].old == ("Open e-Invoicing Gateway @en",)
    assert title[0].new == ("Open e-Invoicing Gateway NG @en",)
    # the collection lost a dcat:dataset value
    lost = [c for c in detail.changes if c.subject == EX + "collection" and c.property.endswith("#dataset")]
    assert lost[0].old == (EX + "solution-2",) and lost[0].new == ()


def test_a_withdrawn_record_becomes_a_tombstone_then_returns_on_roll_back(catalogue):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    first_version = catalogue.publishing.source("example").version
    catalogue.publishing.ingest("example", second_version(), filename="x.ttl")
    assert not catalogue.reader.describe(EX + "solution-2")
    gone = catalogue.reader.withdrawal(EX + "solution-2")
    assert gone is not None and gone.source == "example"

    report = catalogue.publishing.rollback("example", first_version, by="test")
    assert report.stored and report.diff.added == [EX + "solution-2"]
    assert catalogue.publishing.source("example").version == first_version
    assert catalogue.reader.describe(EX + "solution-2")
    runs = catalogue.publishing.runs("example")
    assert runs[0]["outcome"] == "rolled back" and runs[0]["rolledBackTo"] == first_version
    detail = catalogue.publishing.run_detail("example", runs[0]["id"])
    assert detail.report.diff.added == [EX + "solution-2"]
    # and forward again: the renamed version was kept too
    catalogue.publishing.rollback("example", runs[1]["id"])
    assert not catalogue.reader.describe(EX + "solution-2")


def test_roll_back_refuses_unknown_and_current_versions(catalogue):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    with pytest.raises(HistoryError, match="no retained version"):
        catalogue.publishing.rollback("example", "20200101t000000-deadbeef")
    with pytest.raises(HistoryError, match="already the current"):
        catalogue.publishing.rollback("example", catalogue.publishing.source("example").version)


def test_a_run_keeps_its_report_findings(catalogue):
    no_contact = NO_CONTACT_ON_2
    report = catalogue.publishing.ingest("example", no_contact, filename="x.ttl", mode="partial")
    assert report.stored and report.rejected >= 1
    detail = catalogue.publishing.run_detail("example", catalogue.publishing.runs("example")[0]["id"])
    assert (detail.accepted, detail.rejected) == (report.accepted, report.rejected)
    kept = sorted((f.severity, f.focus, f.path, f.message) for r in detail.report.records
                  for f in r.findings)
    assert kept and kept == sorted((f.severity, f.focus, f.path, f.message)
                                   for r in report.records for f in r.findings)
    assert EX + "solution-2" in [r.iri for r in detail.report.records if not r.accepted]
    with pytest.raises(HistoryError):
        catalogue.publishing.run_detail("example", "nope")


def test_withdrawing_a_whole_source_leaves_tombstones_and_a_way_back(catalogue):
    catalogue.publishing.ingest("example", GOOD, filename="x.ttl")
    kept = catalogue.publishing.source("example").version
    report = catalogue.publishing.withdraw_all("example", by="test")
    assert sorted(report.diff.removed) == [EX + "collection", EX + "solution-1", EX + "solution-2"]
    assert not catalogue.reader.describe(EX + "solution-1") and catalogue.reader.withdrawal(EX + "solution-1")
    assert catalogue.feeds.stats()["sources"]["example"]["records"] == 0
    assert catalogue.publishing.runs("example")[0]["outcome"] == "withdrawn"
    with pytest.raises(HistoryError, match="nothing to withdraw"):
        catalogue.publishing.withdraw_all("example")
    catalogue.publishing.rollback("example", kept)
    assert catalogue.reader.describe(EX + "solution-1")


def test_the_cli_withdraws_only_when_confirmed(run_cli, tmp_path):
    path = tmp_path / "good.ttl"
    path.write_bytes(GOOD)
    assert run_cli("ingest", str(path), "--source", "example").returncode == 0
    refused = run_cli("withdraw", "example")
    assert refused.returncode == 2 and b"--yes" in refused.stderr
    done = run_cli("withdraw", "example", "--yes")
    assert done.returncode == 0 and b"withdrew 3 record(s)" in done.stdout
    history = run_cli("history", "example")
    assert b"withdrawn" in history.stdout and b"stored" in history.stdout
