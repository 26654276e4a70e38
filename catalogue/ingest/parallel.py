"""Validate batches of records in worker processes: SHACL is CPU-bound and the GIL-free
native engine still runs one batch per process at a time.

Workers are started with ``forkserver`` (never ``fork``: the web server has threads and an
open RocksDB store), compile the shapes once, and live as long as the process, so a server
pays the start-up once. Batches travel as N-Triples with blank-node labels kept, so
findings name the same nodes as in the parent.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from catalogue.ingest.shacl import Finding, Validator

log = logging.getLogger(__name__)
_worker_validator: Validator | None = None


def _start(files: tuple[str, ...], engine: str) -> None:
    global _worker_validator
    _worker_validator = Validator([Path(f) for f in files], engine)
    threading.Thread(target=_exit_with_parent, daemon=True).start()


def _exit_with_parent() -> None:
    """A killed ingest (SIGKILL, OOM) cannot stop its workers: they stop themselves."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
    os._exit(0)


def _validate(data: bytes) -> list[Finding]:
    assert _worker_validator is not None, "worker not initialised"
    return _worker_validator.validate_ntriples(data)


@lru_cache(maxsize=4)
def _pool(files: tuple[str, ...], engine: str, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
        initializer=_start, initargs=(files, engine),
    )


def _ready() -> None:
    """Nothing: submitted to start a worker (its initializer compiles the shapes)."""


def warm(files: Sequence[Path], engine: str, workers: int) -> None:
    """Start the pool's workers now, without waiting for them: a large dump's parse and
    split (seconds, in this process) then overlap their start-up (1-2 s: importing the
    engine, compiling the shapes). A pool that cannot start is left to ``validate_batches``.
    """
    try:
        pool = _pool(tuple(str(f) for f in files), engine, workers)
        for _ in range(workers):
            pool.submit(_ready)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        log.warning("validation workers not started early (%s)", exc)


def validate_batches(
    validator: Validator, batches: Sequence[list[ox.Triple]], workers: int
) -> list[list[Finding]]:
    """The findings of each batch, in order, from ``workers`` processes.

    If the pool cannot run (a worker died, or processes cannot be started here), the batches
    are validated in this process instead: slower, never a different answer.
    """
    key = (tuple(str(f) for f in validator.files), validator.engine, workers)
    try:
        # serialised one by one as they are submitted: the workers start on the first batch
        # while this process writes the next
        payloads = (ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) for batch in batches)
        return list(_pool(*key).map(_validate, payloads))
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        log.warning("parallel validation unavailable (%s); validating in one process", exc)
        _pool.cache_clear()
        return [validator.validate(batch) for batch in batches]
