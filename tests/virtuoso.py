"""A real Virtuoso 7 (Debian's virtuoso-opensource-7-bin, installed by `make test`) on
127.0.0.1, set up the way the README documents: deploy/virtuoso/virtuoso.ini and the grants
of deploy/virtuoso/grants.sql (a `catalogue` account with digest authentication; the
anonymous user sees no graph)."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "virtuoso"


@dataclass(frozen=True)
class Virtuoso:
    base: str  # http://127.0.0.1:PORT
    user: str
    password: str

    @property
    def query_url(self) -> str:
        return self.base + "/sparql-auth"

    def env(self) -> dict[str, str]:
        """The settings that point the catalogue at this server."""
        return {"CATALOGUE_SPARQL_QUERY_URL": self.query_url, "CATALOGUE_SPARQL_USER": self.user,
                "CATALOGUE_SPARQL_PASSWORD": self.password}

    def store(self):  # noqa: ANN201
        from catalogue.store import RemoteStore

        return RemoteStore(self.query_url, user=self.user, password=self.password)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binaries() -> tuple[str, str]:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql:
        pytest.fail("Virtuoso is not installed: run `make test` (it installs Debian's "
                    "virtuoso-opensource-7-bin) or `apt-get install virtuoso-opensource-7-bin`")
    return server, isql


@contextmanager
def running(directory: Path, *, max_rows: int = 1_000_000) -> Iterator[Virtuoso]:
    """Virtuoso in ``directory`` on free ports, granted as documented; stopped on exit."""
    server, isql = binaries()
    http_port, sql_port = _free_port(), _free_port()
    directory.mkdir(parents=True, exist_ok=True)
    ini = (DEPLOY / "virtuoso.ini").read_text().format(
        dir=directory, sql_port=sql_port, http_port=http_port, buffers=20000,
        dirty_buffers=15000, max_rows=max_rows)
    (directory / "virtuoso.ini").write_text(ini)
    proc = subprocess.Popen([server, "+configfile", str(directory / "virtuoso.ini"), "+foreground"],
                            cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:] \
                    if (directory / "virtuoso.log").exists() else ""
                raise RuntimeError(f"Virtuoso did not start: {log}")
            time.sleep(0.2)
        password = secrets.token_hex(8)
        grants = (DEPLOY / "grants.sql").read_text().replace("CHANGE-ME", password)
        done = subprocess.run([isql, str(sql_port), "dba", "dba"], input=grants.encode(),
                              capture_output=True, timeout=60)
        if done.returncode != 0 or b"Error" in done.stdout:
            raise RuntimeError(f"the grants failed: {done.stdout.decode(errors='replace')[-2000:]}")
        yield Virtuoso(base, "catalogue", password)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
