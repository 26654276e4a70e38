"""Background uploads on both backends: a job holds a lease its process renews while it runs;
a job whose process died ends as failed with the reason (when polled, and at start-up),
never "running, retry later" forever; a source may have only so many jobs under way; an
ended job's report comes back whole for its page."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from catalogue.app import Catalogue
from catalogue.graphs import Graphs
from catalogue.ingest.jobs import STOPPED, JobLimitError, Jobs, report_json, report_of
from catalogue.reports import explain
from catalogue.store import EmbeddedStore
from tests.test_ingest import NO_CONTACT_ON_2

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()


def graphs(settings) -> Graphs:
    return Graphs(settings.base_uri)


def left_running(store, settings, lease: timedelta = timedelta(seconds=90)) -> str:
    """A job a server took and was running when it was killed: nothing renews its lease."""
    dead = Jobs(store, graphs(settings), lease=lease)
    job_id = dead.create("example", url="https://repo.example.org/dump.ttl")
    dead._set(job_id, "running")
    return job_id


def test_a_job_of_a_dead_server_is_failed_by_the_poll_once_its_lease_expires(store, settings):
    job_id = left_running(store, settings, lease=timedelta(seconds=1))
    live = Jobs(store, graphs(settings))
    assert live.get(job_id, "example").status == "running"  # its lease still holds
    time.sleep(1.5)
    job = live.get(job_id, "example")
    assert job.status == "failed" and not job.unfinished and job.ended
    assert job.report["error"]["message"] == STOPPED
    assert job.report["stored"] is False
    assert live.get(job_id, "example") == job  # ended once, stays so


def test_start_up_ends_the_jobs_a_killed_server_left_running(store, settings):
    job_id = left_running(store, settings)
    catalogue = Catalogue(settings, store)
    recovered = catalogue.publishing.recover()
    job = catalogue.publishing.jobs.get(job_id, "example")
    if isinstance(store, EmbeddedStore):
        # one process opens it: whatever another left running is dead, whatever its lease
        assert recovered.failed_jobs == [job_id]
        assert job.status == "failed" and job.report["error"]["message"] == STOPPED
    else:
        # a shared store: the other process may be alive until its lease says otherwise
        assert recovered.failed_jobs == [] and job.status == "running"
        expired = left_running(store, settings, lease=timedelta(seconds=0))
        assert catalogue.publishing.recover().failed_jobs == [expired]
        assert catalogue.publishing.jobs.get(expired, "example").status == "failed"


def test_a_running_job_keeps_its_lease_renewed_and_ends_with_its_outcome(store, settings):
    jobs = Jobs(store, graphs(settings), lease=timedelta(seconds=1.2))
    other = Jobs(store, graphs(settings))  # another web process answering the polls
    release = threading.Event()

    def work():
        release.wait(10)
        return "stored", {"stored": True}, "20260101t000000000000-abcdef12"

    job_id = jobs.create("example")
    future = jobs.submit(job_id, work)
    try:
        for _ in range(15):  # 3 s: the first lease is long gone, renewed every 0.2 s
            assert other.get(job_id, "example").unfinished  # queued, then running
            time.sleep(0.2)
    finally:
        release.set()
    future.result(10)
    job = other.get(job_id, "example")
    assert (job.status, job.run, job.report) == ("stored", "20260101t000000000000-abcdef12", {"stored": True})
    jobs.close()


def test_the_truth_wins_over_a_poll_that_thought_the_job_dead(store, settings):
    slow = Jobs(store, graphs(settings), lease=timedelta(seconds=0))
    job_id = slow.create("example")
    slow._set(job_id, "running")
    assert Jobs(store, graphs(settings)).get(job_id, "example").status == "failed"
    slow._set(job_id, "stored", report={"stored": True}, run="r1")  # it was only slow
    job = slow.get(job_id, "example")
    assert (job.status, job.report, job.run) == ("stored", {"stored": True}, "r1")


def test_a_source_may_have_only_so_many_jobs_under_way(store, settings):
    jobs = Jobs(store, graphs(settings), per_source=2)
    first, second = jobs.create("example"), jobs.create("example")
    with pytest.raises(JobLimitError, match="CATALOGUE_UPLOAD_JOBS_PER_SOURCE"):
        jobs.create("example")
    assert jobs.create("other")  # another publisher is not held up
    jobs._set(first, "rejected", report={})
    third = jobs.create("example")  # one ended: a place is free
    with pytest.raises(JobLimitError):
        jobs.create("example")
    # a job whose process died holds no place once its lease expired
    dead = Jobs(store, graphs(settings), lease=timedelta(seconds=0), per_source=2)
    for job_id in (second, third):
        dead._set(job_id, "running")
    assert jobs.create("example")


def test_an_ended_jobs_report_comes_back_for_its_page(settings, tmp_path):
    catalogue = Catalogue(settings, EmbeddedStore(tmp_path / "s"))
    catalogue.publishing.register_source("example", "Example")
    report = catalogue.publishing.ingest("example", NO_CONTACT_ON_2, filename="x.ttl")
    assert not report.stored and report.rejected
    back = report_of(report_json(report, "fr"))
    assert (back.accepted, back.rejected, back.conforms, back.stored) == (
        report.accepted, report.rejected, False, False)
    assert {(r.iri, r.kind, r.accepted) for r in back.records} == {
        (r.iri, r.kind, r.accepted) for r in report.records if r.findings or not r.accepted}
    assert sorted(back.findings, key=repr) == sorted(report.findings, key=repr)
    page, original = explain(back, "fr"), explain(report, "fr")
    assert page.verdict == original.verdict
    assert [p.fix for r in page.records for p in r.problems] == \
        [p.fix for r in original.records if r.problems or not r.accepted for p in r.problems]
    unreadable = catalogue.publishing.validate(b"@prefix ex: <http://x/> .\nex:a ex:b \n", filename="x.ttl")
    kept = report_json(unreadable, "en", b"@prefix ex: <http://x/> .\nex:a ex:b \n")
    assert report_of(kept).error.line == unreadable.error.line and kept["context"]
    catalogue.close()
