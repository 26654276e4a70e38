"""Large dumps are validated in worker processes: the answer must be exactly the serial one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from catalogue.ingest import parallel
from catalogue.ingest.parse import Limits, parse_dump
from catalogue.ingest.pipeline import PARALLEL_MIN_RECORDS, validate_records, validators
from catalogue.ingest.records import RecordIndex

ROOT = Path(__file__).resolve().parent.parent
BROKEN = 12


@pytest.fixture(scope="module")
def dump_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parallel") / "dump.nt"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--solutions",
                    str(PARALLEL_MIN_RECORDS + 100), "--collections", "20", "--seed", "11",
                    "--broken", str(BROKEN), "--out", str(out), "--format", "nt"],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def index(dump_file):
    dump = parse_dump(dump_file.read_bytes(), format="nt", limits=Limits(max_bytes=10**9))
    return RecordIndex(dump.triples)


def test_worker_processes_give_the_serial_findings(index):
    validator, _ = validators("turbo")
    serial, serial_orphans = validate_records(index, validator, workers=1)
    par, par_orphans = validate_records(index, validator, workers=2)
    assert par == serial and par_orphans == serial_orphans
    rejected = [r for r, fs in serial.items() if any(f.severity == "Violation" for f in fs)]
    assert len(rejected) == BROKEN


def test_a_broken_pool_falls_back_to_one_process(index, monkeypatch, caplog):
    validator, _ = validators("turbo")
    serial, _ = validate_records(index, validator, workers=1)

    def broken(*args):
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(parallel, "_pool", type("P", (), {"__call__": staticmethod(broken),
                                                          "cache_clear": staticmethod(lambda: None)})())
    par, _ = validate_records(index, validator, workers=2)
    assert par == serial
    assert "validating in one process" in caplog.text


def processes_with(marker: str) -> list[int]:
    """PIDs whose environment carries ``marker`` (the CLI and everything it started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.timeout_sensitive
def test_workers_of_a_killed_ingest_exit(dump_file, tmp_path):
    marker = f"CATALOGUE_TEST_MARKER=workers-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "store"), "CATALOGUE_VALIDATION_WORKERS": "2",
           marker.split("=")[0]: marker.split("=")[1]}
    cli = subprocess.Popen([str(Path(sys.executable).parent / "catalogue"), "validate", str(dump_file)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(processes_with(marker)) < 3 and time.monotonic() < deadline:  # CLI + 2 workers
        assert cli.poll() is None, "validation ended before its workers were seen"
        time.sleep(0.05)
    assert len(processes_with(marker)) >= 3
    cli.send_signal(signal.SIGKILL)
    cli.wait()
    deadline = time.monotonic() + 15
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == [], "worker processes outlived the killed ingest"
