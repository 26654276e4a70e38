"""Issue 10, items 6, 8 and 9: what a publisher sends cannot leak secrets into public
provenance, crash a command or answer 500, or amplify itself through RDF/XML entities.

Each refusal is a clear input error (exit 2 on the command line, 400/413 on the site and
the API) that names the limit or the fault, and stores nothing. Every server here is on
127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from catalogue.ingest.errors import InputError, TooLargeError
from catalogue.ingest.fetch import check_host, public_url
from catalogue.ingest.parse import Limits, parse_dump
from tests.conftest import serving
from tests.test_publish_web import cli

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
PASSWORD = "a long enough password"
SECRET = "s3cr3t-t0ken"
CAT_ORIGIN = "https://catalogue.example.org/def/catalogue#origin"
PARSER_BUFFER = 16 * 1024 * 1024  # pyoxigraph 0.5.13 raises MemoryError for a longer token
UPLOAD_LIMIT = 30 * 1024 * 1024


def huge_literal(size: int = PARSER_BUFFER + 1024) -> bytes:
    """A dump whose second triple has a literal over the parser's buffer."""
    return (b'<http://ex.org/a> <http://ex.org/p> "fine" .\n'
            b'<http://ex.org/a> <http://ex.org/q> "' + b"x" * size + b'" .\n')


def entity_bomb(references: int = 95_000) -> bytes:
    """477 KB of RDF/XML naming one 2 KB plain entity 95,000 times in one value (194 MB)."""
    return (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "' + b"x" * 2040 + b'"> ]>\n'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            b'<rdf:Description rdf:about="http://ex.org/a"><rdf:value>' + b"&big;" * references
            + b"</rdf:value></rdf:Description>\n</rdf:RDF>\n")


@contextmanager
def dump_server() -> Iterator[str]:
    """A 127.0.0.1 server answering every GET with the good dump (whatever the query)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- the parser (item 8: a huge literal; item 9: entity expansion) ----------------------------


@pytest.mark.parametrize("format", ["nt", "ttl", "jsonld"])
def test_a_literal_over_the_parsers_buffer_is_refused_naming_the_literal_limit(format):
    data = huge_literal()
    if format == "jsonld":
        data = b'{"@id": "http://ex.org/a",\n "http://ex.org/q": "' + b"x" * (PARSER_BUFFER + 1024) + b'"}'
    with pytest.raises(TooLargeError) as err:
        parse_dump(data, format=format)
    assert "CATALOGUE_MAX_LITERAL_BYTES" in err.value.message
    assert err.value.line == 2


def test_entity_references_are_counted_against_the_literal_limit_before_expanding():
    data = entity_bomb()
    assert 470_000 < len(data) < 490_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TooLargeError) as err:
            parse_dump(data)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "CATALOGUE_MAX_LITERAL_BYTES" in err.value.message
    assert "nothing was expanded" in err.value.message
    assert err.value.line == 4  # the value the references are in
    assert elapsed < 2.0
    assert peak < 20 * 1024 * 1024  # expanded, it would be 194 MB


def test_entity_references_are_counted_against_the_dump_limit():
    many = entity_bomb(1).replace(b"<rdf:value>&big;</rdf:value>",
                                  b"<rdf:value>&big;</rdf:value>" * 1000)
    with pytest.raises(TooLargeError) as err:
        parse_dump(many, limits=Limits(max_bytes=1_000_000))
    assert "CATALOGUE_MAX_UPLOAD_BYTES" in err.value.message


def test_plain_entities_within_the_limits_are_still_expanded():
    dump = parse_dump(entity_bomb(3))
    assert [len(t.object.value) for t in dump.triples] == [3 * 2040]


# --- URLs (items 6 and 8) ----------------------------------------------------------------------


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:99999/x", "Port out of range"),
    ("http://[::1/", "Invalid IPv6 URL"),
    ("ftp://example.org/dump.ttl", "http(s)"),
    ("http://user:pass@example.org/dump.ttl", "user name or password"),
    ("https://token@example.org/dump.ttl", "user name or password"),
])
def test_malformed_or_credential_urls_are_input_errors(url, words):
    for allow_private in (False, True):
        with pytest.raises(InputError) as err:
            check_host(url, allow_private)
        assert words in err.value.message and err.value.kind == "fetch"


def test_the_published_url_has_no_user_info_query_or_fragment():
    assert public_url(f"https://user:pw@Repo.example.org:8443/a/dump.ttl?access_token={SECRET}#x") \
        == "https://Repo.example.org:8443/a/dump.ttl"
    assert public_url("http://[::1/") == ""


# --- the command line ----------------------------------------------------------------------------


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()[-2000:]


def test_cli_validate_and_ingest_of_a_huge_literal_exit_2_naming_the_limit(run_cli, tmp_path):
    path = tmp_path / "huge.nt"
    path.write_bytes(huge_literal())
    for command in (["validate", str(path)], ["ingest", str(path), "--source", "example"]):
        proc = run_cli(*command, "--json")
        no_traceback(proc)
        assert proc.returncode == 2
        error = json.loads(proc.stdout)["error"]
        assert "CATALOGUE_MAX_LITERAL_BYTES" in error["message"] and error["line"] == 2


def test_cli_validate_of_an_entity_bomb_exits_2_quickly_naming_the_limit(run_cli, tmp_path):
    path = tmp_path / "bomb.rdf"
    path.write_bytes(entity_bomb())
    started = time.monotonic()
    proc = run_cli("validate", str(path))
    no_traceback(proc)
    assert proc.returncode == 2
    assert b"CATALOGUE_MAX_LITERAL_BYTES" in proc.stdout
    assert time.monotonic() - started < 30  # the interpreter's start included


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:99999/x", "Port out of range"),
    ("http://[::1/", "Invalid IPv6 URL"),
    ("http://user:pass@127.0.0.1:{port}/dump.ttl", "user name or password"),
])
def test_cli_refuses_malformed_and_credential_urls_with_exit_2(run_cli, url, words):
    with dump_server() as server:
        url = url.replace("{port}", server.rsplit(":", 1)[1])
        for command in (["validate", url], ["ingest", url, "--source", "example"]):
            proc = run_cli(*command, "--json", env={"CATALOGUE_ALLOW_PRIVATE_URLS": "true"})
            no_traceback(proc)
            assert proc.returncode == 2, proc.stdout.decode()
            assert words in json.loads(proc.stdout)["error"]["message"]


def test_cli_ingest_publishes_a_files_name_and_a_url_without_query(run_cli, tmp_path):
    private = tmp_path / "home-of-alice" / "exports"
    private.mkdir(parents=True)
    (private / "dump.ttl").write_bytes(GOOD)
    assert run_cli("ingest", str(private / "dump.ttl"), "--source", "example").returncode == 0
    with dump_server() as server:
        proc = run_cli("ingest", f"{server}/dump.ttl?access_token={SECRET}", "--source", "example",
                       env={"CATALOGUE_ALLOW_PRIVATE_URLS": "true"})
        assert proc.returncode == 0, proc.stdout.decode()
    public = run_cli("export", "--format", "nq").stdout.decode()
    origins = set(re.findall(f'<{CAT_ORIGIN}> "([^"]*)"', public))
    assert origins == {"dump.ttl", f"{server}/dump.ttl"}
    assert SECRET not in public and "home-of-alice" not in public


# --- the site and the publishers' API -----------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("untrusted") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD,
           "CATALOGUE_ALLOW_PRIVATE_URLS": "true", "CATALOGUE_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
           "CATALOGUE_ASYNC_UPLOAD_BYTES": str(2 * UPLOAD_LIMIT)}
    cli(env, "publisher", "add", "spain-ctt", "--name", "Spain")
    cli(env, "user", "add", "alice", "--publisher", "spain-ctt")
    token = cli(env, "token", "create", "spain-ctt").strip().splitlines()[-1]
    with serving(env) as url, dump_server() as dumps:
        yield {"url": url, "token": token, "dumps": dumps}


def signed_in(site: dict) -> tuple[requests.Session, str]:
    """Alice's session and a CSRF token for the source's forms."""
    s = requests.Session()
    form = s.get(site["url"] + "/login", timeout=10).text
    r = s.post(site["url"] + "/login", data={"username": "alice", "password": PASSWORD,
                                             "csrf_token": csrf(form)}, timeout=10)
    assert r.status_code == 200 and "Signed in as" in r.text
    return s, csrf(s.get(site["url"] + "/sources/spain-ctt", timeout=10).text)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def runs(site: dict) -> list[dict]:
    r = requests.get(site["url"] + "/api/sources/spain-ctt/runs",
                     headers={"Authorization": "Bearer " + site["token"]}, timeout=10)
    assert r.status_code == 200
    return r.json()["runs"]


def public_origins(site: dict) -> list[str]:
    r = requests.get(site["url"] + "/sparql", params={"query": f"SELECT ?o WHERE {{ ?run <{CAT_ORIGIN}> ?o }}"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert r.status_code == 200, r.text
    return [b["o"]["value"] for b in r.json()["results"]["bindings"]]


def upload_url(site: dict, url: str) -> requests.Response:
    s, token = signed_in(site)
    return s.post(site["url"] + "/sources/spain-ctt/upload",
                  data={"csrf_token": token, "mode": "strict", "url": url}, timeout=60)


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:99999/x", "Port out of range"),
    ("http://[::1/", "Invalid IPv6 URL"),
    ("http://user:pass@127.0.0.1:{port}/dump.ttl", "user name or password"),
    ("http://{token}@127.0.0.1:{port}/dump.ttl", "user name or password"),
])
def test_upload_form_refuses_malformed_and_credential_urls_with_400(site, url, words):
    before = runs(site)
    url = url.replace("{port}", site["dumps"].rsplit(":", 1)[1]).replace("{token}", SECRET)
    r = upload_url(site, url)
    assert r.status_code == 400, r.text[-2000:]
    assert words in r.text.replace("&#39;", "'")
    assert runs(site) == before


def test_upload_form_refuses_a_huge_literal_as_an_input_error_naming_the_limit(site):
    s, token = signed_in(site)
    before = runs(site)
    r = s.post(site["url"] + "/sources/spain-ctt/upload", files={"dump": ("huge.nt", huge_literal())},
               data={"csrf_token": token, "mode": "strict"}, timeout=120)
    assert r.status_code in (400, 413), r.text[-2000:]  # an input error, never a 500
    assert "CATALOGUE_MAX_LITERAL_BYTES" in r.text
    assert runs(site) == before


def test_upload_form_refuses_an_entity_bomb_as_an_input_error_naming_the_limit(site):
    s, token = signed_in(site)
    r = s.post(site["url"] + "/sources/spain-ctt/upload", files={"dump": ("bomb.rdf", entity_bomb())},
               data={"csrf_token": token, "mode": "strict"}, timeout=60)
    assert r.status_code in (400, 413) and "CATALOGUE_MAX_LITERAL_BYTES" in r.text


@pytest.mark.parametrize("body", [huge_literal(), entity_bomb()], ids=["huge-literal", "entity-bomb"])
def test_api_refuses_a_huge_literal_or_entity_bomb_with_413_naming_the_limit(site, body):
    before = runs(site)
    r = requests.post(site["url"] + "/api/sources/spain-ctt/dumps", data=body, timeout=120,
                      headers={"Authorization": "Bearer " + site["token"],
                               "Content-Type": "application/octet-stream"})
    assert r.status_code == 413, r.text[-2000:]
    assert "CATALOGUE_MAX_LITERAL_BYTES" in r.text
    assert runs(site) == before


def test_public_provenance_names_no_account_secret_or_client(site):
    """Form upload of a file and of a URL with an access token, roll back on the site, API
    upload from a client that names its user: the public origins say how, never who."""
    s, token = signed_in(site)
    # an earlier dump than the URL's: the same dump again would keep the current version
    # (nothing changed: no copy of it is written), leaving no other version to roll back to
    earlier = GOOD.replace(b'"Open e-Invoicing Gateway"@en', b'"Open e-Invoicing Gateway (beta)"@en')
    r = s.post(site["url"] + "/sources/spain-ctt/upload", files={"dump": ("good.ttl", earlier)},
               data={"csrf_token": token, "mode": "strict"}, timeout=60)
    assert r.status_code == 200 and "/runs/" in r.url
    first = r.url.rsplit("/", 1)[-1]
    r = upload_url(site, f"{site['dumps']}/dump.ttl?access_token={SECRET}")
    assert r.status_code == 200 and "/runs/" in r.url, r.text[-2000:]
    r = s.post(site["url"] + "/sources/spain-ctt/rollback", data={"csrf_token": token, "version": first},
               timeout=60)
    assert r.status_code == 200 and "/runs/" in r.url
    r = requests.post(site["url"] + "/api/sources/spain-ctt/dumps", data=GOOD, timeout=60,
                      headers={"Authorization": "Bearer " + site["token"], "Content-Type": "text/turtle",
                               "User-Agent": "alice-laptop/1.0"})
    assert r.status_code == 201, r.text
    origins = public_origins(site)
    assert {"web upload", f"web upload from {site['dumps']}/dump.ttl", "roll back on the site",
            "API upload"} <= set(origins)
    for origin in origins:
        assert SECRET not in origin and "alice" not in origin, origin
    # who did it is kept for the source's publishers, on the run's private page
    page = s.get(site["url"] + f"/sources/spain-ctt/runs/{first}", timeout=10).text
    assert "Started by</dt><dd>alice</dd>" in page
