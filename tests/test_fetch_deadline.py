"""A whole download from a URL has a deadline (CATALOGUE_FETCH_DEADLINE), however the server
paces its bytes: a socket timeout counts per read, so a server sending one byte a second
used to keep a thread for as long as it liked. Checked on `fetch` itself, on
`catalogue ingest URL` and on harvests, against slow servers on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import catalogue.harvesting as federation
from catalogue.app import Catalogue
from catalogue.ingest import InputError
from catalogue.ingest.fetch import fetch

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
DEADLINE = 2.0


class SlowHandler(BaseHTTPRequestHandler):
    """/drip: a body of 1,000 bytes sent one a second; /drip-headers: the headers one line
    a second; /good.ttl: a dump at once."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/good.ttl":
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD)
            return
        try:
            if self.path == "/drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for i in range(1000):
                    self.wfile.write(f"X-Slow-{i}: yes\r\n".encode())
                    self.wfile.flush()
                    time.sleep(1)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"#")
                self.wfile.flush()
                time.sleep(1)
        except OSError:  # the client gave up: what we want
            return

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def slow() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_server_sending_a_byte_a_second_is_cut_off_at_the_deadline(slow, path):
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        # each read comes well within the 10 s timeout: only the deadline can stop it
        fetch(slow + path, max_bytes=10_000, timeout=10, allow_private=True, deadline=DEADLINE)
    took = time.monotonic() - started
    assert DEADLINE - 0.1 <= took < DEADLINE + 1.5, took
    message = str(caught.value)
    assert "stopped after 2 seconds" in message and "CATALOGUE_FETCH_DEADLINE" in message
    assert caught.value.kind == "fetch"


def test_a_prompt_server_is_fetched_whole_within_the_deadline(slow):
    got = fetch(slow + "/good.ttl", max_bytes=100_000, timeout=10, allow_private=True,
                deadline=DEADLINE)
    assert got.data == GOOD and got.media_type == "text/turtle"
    time.sleep(DEADLINE + 0.5)  # the deadline's timer was cancelled: nothing fires later
    again = fetch(slow + "/good.ttl", max_bytes=100_000, timeout=10, allow_private=True,
                  deadline=DEADLINE)
    assert again.data == GOOD


def test_catalogue_ingest_of_a_slow_url_stops_at_the_deadline_and_stores_nothing(run_cli, slow):
    started = time.monotonic()
    proc = run_cli("ingest", slow + "/drip", "--source", "example",
                   env={"CATALOGUE_ALLOW_PRIVATE_URLS": "true", "CATALOGUE_FETCH_DEADLINE": "2"})
    took = time.monotonic() - started
    assert proc.returncode == 2, proc.stdout.decode() + proc.stderr.decode()
    assert "CATALOGUE_FETCH_DEADLINE" in proc.stdout.decode()
    assert took < 20, took  # the interpreter's start and the deadline, not the 1,000 s drip
    assert run_cli("history", "example").stdout.decode().count("stored") == 0


def test_a_harvest_of_a_slow_server_fails_at_the_deadline_saying_so(store, settings, slow):
    catalogue = Catalogue(replace(settings, allow_private_urls=True, fetch_deadline=DEADLINE), store)
    federation.configure_harvest(store, catalogue.graphs, "example", slow + "/drip")
    started = time.monotonic()
    outcome = federation.harvest_source(catalogue, "example")
    assert time.monotonic() - started < DEADLINE + 3
    assert outcome.status == "failed" and "CATALOGUE_FETCH_DEADLINE" in outcome.message
    state = federation.harvest_state(store, catalogue.graphs, "example")
    assert state.status == "failed" and "stopped after 2 seconds" in state.message
    assert catalogue.publishing.source_graph("example") is None
