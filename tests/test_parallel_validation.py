"""Large dumps are validated in worker processes: the answer must be exactly the serial one."""

from __future__ import annotations

import subprocess
import sys
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
def index(tmp_path_factory):
    out = tmp_path_factory.mktemp("parallel") / "dump.nt"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--solutions",
                    str(PARALLEL_MIN_RECORDS + 100), "--collections", "20", "--seed", "11",
                    "--broken", str(BROKEN), "--out", str(out), "--format", "nt"],
                   check=True, capture_output=True)
    dump = parse_dump(out.read_bytes(), format="nt", limits=Limits(max_bytes=10**9))
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
