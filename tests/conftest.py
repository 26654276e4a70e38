"""Shared fixtures: settings on a temporary store, both store backends, a live server."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from catalogue.settings import load_settings
from catalogue.store import EmbeddedStore, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


@contextmanager
def serving(env: dict, cwd: Path = ROOT) -> Iterator[str]:
    """`catalogue serve` in a subprocess on a free port of 127.0.0.1; yields its URL. Its
    standard error goes to a file (a pipe nobody reads would stop a server that logs more
    than the pipe holds), quoted if the server does not come up, with what each of its
    threads was doing (SIGABRT under faulthandler: CI once saw a server accept requests and
    answer none)."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--port", str(port)],
                                env={**env, "PYTHONFAULTHANDLER": "1"}, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_for(url + "/", timeout=60)
            except RuntimeError as exc:
                code = proc.poll()
                if code is None:
                    proc.send_signal(signal.SIGABRT)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(10)
                log.seek(0)
                said = log.read().decode("utf-8", "replace")
                said = "\n".join(line for line in said.splitlines() if "Task queue depth" not in line)[-12000:]
                raise RuntimeError(f"{exc} (exit code {code}); its standard error ends:\n{said}") from None
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the `oxigraph` server is not installed: run `make test` (pip install oxigraph)")
    return found


@contextmanager
def running_oxigraph(location: Path) -> Iterator[str]:
    """A real `oxigraph serve` on a free port of 127.0.0.1 storing in ``location``; yields
    its base URL and stops it on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/query?query=ASK%7B%7D")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` on 127.0.0.1, shared by the session; yields its base URL."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A real Virtuoso 7 on 127.0.0.1, set up as the README documents (tests/virtuoso.py),
    shared by the session."""
    from tests.virtuoso import running

    with running(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


BACKENDS = ["embedded", "remote", "virtuoso"]


def backend_store(request, tmp_path, backend: str):
    """A store of ``backend``: embedded in ``tmp_path``, or an emptied shared server."""
    if backend == "embedded":
        return EmbeddedStore(tmp_path / "store")
    if backend == "virtuoso":
        s = request.getfixturevalue("virtuoso_server").store()
    else:
        url = request.getfixturevalue("oxigraph_server")
        s = RemoteStore(url + "/query", url + "/update")
    s.update("DROP SILENT ALL")  # on Virtuoso: the catalogue's graphs, never its own
    return s


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """Each test using this runs three times: on an embedded store, on a real Oxigraph server
    and on a real Virtuoso."""
    s = backend_store(request, tmp_path, request.param)
    yield s
    if request.param != "embedded":
        s.update("DROP SILENT ALL")
    s.close()


@pytest.fixture
def settings(tmp_path):
    return load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo")


@pytest.fixture
def run_cli(tmp_path):
    """Run the real `catalogue` command in a subprocess with a temporary store."""

    def run(*args: str, input: bytes | None = None, env: dict | None = None):
        full_env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "cli-store"), **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "catalogue_cli", *args], input=input, capture_output=True,
            env=full_env, cwd=ROOT, timeout=600,
        )

    return run


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (``make test`` installs chromium)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's chromium package)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def mailbox():
    """A real SMTP server on 127.0.0.1 (tests/mailbox.py); its ``settings()`` point the
    catalogue at it."""
    from tests.mailbox import Mailbox

    box = Mailbox().start()
    yield box
    box.stop()
