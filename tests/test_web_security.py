"""Limits that hold and sessions that end, on the real server (waitress on 127.0.0.1):
bodies refused at their headers, the security headers on every answer, the same status for
the same refusal on the site and in the API, sessions ended by signing out, by a new
password and by an admin, sign-in failures counted per name and per address in fixed memory.
"""

from __future__ import annotations

import gzip
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from catalogue.app import Catalogue
from catalogue.settings import load_settings
from tests.conftest import serving
from webapp import create_app
from webapp.auth import Throttle, address_key
from webapp.security import FORM_BODY_BYTES

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password"
UPLOAD_LIMIT = 2_000_000  # CATALOGUE_MAX_UPLOAD_BYTES of the server below
GZIP_BOMB = gzip.compress(b"#" * 5_000_000)  # 5 KB that inflate beyond the upload limit


def cli(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                          capture_output=True, check=True).stdout.decode()


def _prepare(store: Path) -> dict:
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD,
           "CATALOGUE_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT)}
    cli(env, "publisher", "add", "spain-ctt", "--name", "Spain")
    cli(env, "user", "add", "alice", "--publisher", "spain-ctt")
    cli(env, "user", "add", "bob")
    cli(env, "user", "add", "root", "--role", "admin")
    env["TOKEN"] = cli(env, "token", "create", "spain-ctt").strip().splitlines()[-1]
    return env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    env = _prepare(tmp_path_factory.mktemp("web-security") / "store")
    with serving(env) as url:
        yield {"url": url, "token": env["TOKEN"]}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(url: str, username: str) -> requests.Session:
    s = requests.Session()
    r = s.post(url + "/login", data={"username": username, "password": PASSWORD,
                                     "csrf_token": csrf(s.get(url + "/login", timeout=10).text)},
               timeout=10)
    assert r.status_code == 200 and "Signed in as" in r.text, r.text[:300]
    return s


def raw_exchange(url: str, head: bytes, body: bytes = b"", wait: float = 5.0) -> tuple[bytes, float]:
    """Send ``head`` and ``body`` on a socket; the answer's bytes and how long it took."""
    parts = urlsplit(url)
    start = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        try:
            sock.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):  # the server stopped reading: fine
            pass
        answer = b""
        try:
            while not _complete(answer):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer, time.monotonic() - start


def _complete(answer: bytes) -> bool:
    """The status line, the headers and as much body as Content-Length says."""
    head, sep, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    return bool(sep) and len(body) >= (int(length.group(1)) if length else 0)


# 4: bodies refused at the headers


def test_an_anonymous_oversized_sign_in_is_refused_at_its_headers(site):
    """A POST /login declaring 400 MB and sending a few bytes is answered 413 at once: the
    server does not wait for (or store) the body."""
    head = (b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 419430400\r\n\r\n")
    answer, took = raw_exchange(site["url"], head, b"username=alice&pass")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < 2.0
    assert f"{FORM_BODY_BYTES:,} bytes".encode() in answer
    assert b"X-Content-Type-Options: nosniff" in answer


def test_an_upload_over_the_limit_gets_413_without_100_continue(site):
    head = (f"POST /api/sources/spain-ctt/dumps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            f"{site['token']}\r\nContent-Type: text/turtle\r\nExpect: 100-continue\r\n"
            f"Content-Length: {UPLOAD_LIMIT * 10}\r\n\r\n").encode()
    answer, took = raw_exchange(site["url"], head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"100 Continue" not in answer and took < 2.0
    assert b"upload" in answer


def test_a_chunked_form_body_is_stopped_once_it_passes_the_limit(site):
    chunk = b"a" * 65_536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    head = (b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nTransfer-Encoding: chunked\r\n\r\n")  # 1.3 MB in all, over a form's 1 MB
    answer, _ = raw_exchange(site["url"], head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert f"{FORM_BODY_BYTES:,} bytes".encode() in answer


def test_uploads_may_send_more_than_a_form(site):
    body = b"# a comment\n" * 150_000  # 1.8 MB: over a form's limit, under the upload limit
    assert FORM_BODY_BYTES < len(body) < UPLOAD_LIMIT
    login = requests.post(site["url"] + "/login", data=body, timeout=30,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert login.status_code == 413
    api = requests.post(site["url"] + "/api/sources/spain-ctt/dumps?dry_run=true", data=body,
                        timeout=60, headers={"Authorization": "Bearer " + site["token"],
                                             "Content-Type": "text/turtle"})
    assert api.status_code == 422 and "records" in api.json()  # read, and judged: no records


def test_a_gzip_bomb_gets_413_from_the_form_and_from_the_api(site):
    api = requests.post(site["url"] + "/api/sources/spain-ctt/dumps", data=GZIP_BOMB, timeout=60,
                        headers={"Authorization": "Bearer " + site["token"],
                                 "Content-Type": "application/octet-stream"},
                        params={"format": "ttl"})
    s = signed_in(site["url"], "alice")
    page = s.get(site["url"] + "/sources/spain-ctt", timeout=10).text
    form = s.post(site["url"] + "/sources/spain-ctt/upload", timeout=60,
                  files={"dump": ("bomb.ttl.gz", GZIP_BOMB)},
                  data={"csrf_token": csrf(page), "mode": "strict"})
    assert api.status_code == form.status_code == 413, (api.status_code, form.status_code)


# 13: headers


def test_every_answer_carries_the_security_headers(site):
    url = site["url"]
    answers = {
        "home": requests.get(url + "/", timeout=10),
        "home again (from the shared cache)": requests.get(url + "/", timeout=10),
        "sign in": requests.get(url + "/login", timeout=10),
        "not found": requests.get(url + "/nothing/here", timeout=10),
        "turtle": requests.get(url + "/source/spain-ctt", headers={"Accept": "text/turtle"}, timeout=10),
        "sparql results": requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=10),
        "refused body": requests.post(url + "/login", data=b"x" * (FORM_BODY_BYTES + 1), timeout=10),
    }
    for name, r in answers.items():
        assert r.headers.get("X-Content-Type-Options") == "nosniff", name
        assert r.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", name
        csp = r.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name


def test_the_sparql_editor_allows_only_yasguis_own_two_styles(site):
    from webapp.sparql import YASR_STYLE_HASHES

    csp = requests.get(site["url"] + "/sparql", headers={"Accept": "text/html"},
                       timeout=10).headers["Content-Security-Policy"]
    styles = re.search(r"style-src ([^;]+)", csp).group(1).split()
    assert styles == ["'self'", *(f"'{h}'" for h in YASR_STYLE_HASHES)]
    assert "script-src 'self';" in csp


def test_the_editor_style_hashes_are_those_of_the_vendored_yasgui():
    """Updating YASGUI changes its texts: this says so before a browser refuses them."""
    import base64
    import hashlib

    from webapp.sparql import YASR_STYLE_HASHES

    js = (ROOT / "webapp" / "static" / "vendor" / "yasgui" / "yasgui.min.js").read_text()
    grips = re.search(r"createStyle\(a,`([^`]*)`", js).group(1)
    cursor = re.search(r"dragCursor:`([^`]*)`", js).group(1)
    texts = [grips, f"*{{cursor:{cursor}!important}}"]
    assert "`*{cursor:`+n.opt.dragCursor+`!important}`" in js
    digests = ["sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()
               for t in texts]
    assert list(YASR_STYLE_HASHES) == digests


def test_no_template_has_inline_script_style_or_handlers():
    for path in sorted((ROOT / "webapp" / "templates").glob("*.html")):
        text = path.read_text()
        scripts = re.findall(r"<script\b([^>]*)>", text)
        assert all("src=" in a or 'type="application/ld+json"' in a for a in scripts), path.name
        assert "<style" not in text and not re.search(r"\sstyle=", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name


# 11: sessions that end


def test_a_session_cookie_is_worthless_after_signing_out(site):
    url = site["url"]
    s = signed_in(url, "alice")
    thief = requests.Session()
    thief.cookies.update(s.cookies)
    assert "Upload a dump" in thief.get(url + "/sources/spain-ctt", timeout=10).text
    page = s.get(url + "/sources/spain-ctt", timeout=10).text
    assert s.post(url + "/logout", data={"csrf_token": csrf(page)}, timeout=10).status_code == 200
    r = thief.get(url + "/sources/spain-ctt", timeout=10)
    assert "Upload a dump" not in r.text and "Signed in as" not in r.text
    assert signed_in(url, "alice")  # a new sign-in works


def test_an_admin_ends_an_accounts_sessions_on_the_users_page(site):
    url = site["url"]
    bob = signed_in(url, "bob")
    assert "Signed in as" in bob.get(url + "/proposals", timeout=10).text
    root = signed_in(url, "root")
    page = root.get(url + "/users", timeout=10).text
    assert 'action="/users/bob/sessions"' in page
    assert root.post(url + "/users/bob/sessions", timeout=10).status_code == 400  # no CSRF token
    alice = signed_in(url, "alice")
    refused = alice.post(url + "/users/bob/sessions", timeout=10,
                         data={"csrf_token": csrf(alice.get(url + "/sources", timeout=10).text)})
    assert refused.status_code == 403
    assert "Signed in as" in bob.get(url + "/proposals", timeout=10).text
    done = root.post(url + "/users/bob/sessions", data={"csrf_token": csrf(page)}, timeout=10)
    assert done.status_code == 200 and "/users" in done.url and "bob" in done.text
    r = bob.get(url + "/proposals", allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    assert "Signed in as" in root.get(url + "/users", timeout=10).text  # only bob's ended
    missing = root.post(url + "/users/nobody/sessions", data={"csrf_token": csrf(page)}, timeout=10)
    assert missing.status_code == 404


def _sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    r = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                    "csrf_token": csrf(page)})
    assert r.status_code == 303


def _signed_in(client) -> bool:
    return 'action="/logout"' in client.get("/sources").get_data(as_text=True)


def test_a_new_password_ends_the_accounts_sessions(tmp_path):
    catalogue = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    try:
        catalogue.accounts.add_user("alice", PASSWORD)
        client = create_app(catalogue.settings, catalogue).test_client()
        _sign_in(client)
        assert _signed_in(client)
        catalogue.accounts.set_password("alice", "another long password")
        assert not _signed_in(client)
    finally:
        catalogue.close()


def test_the_command_line_ends_an_accounts_sessions(tmp_path, run_cli):
    store = tmp_path / "cli-store"  # run_cli's store
    env = {"CATALOGUE_NEW_PASSWORD": PASSWORD}
    assert run_cli("user", "add", "alice", env=env).returncode == 0
    settings = load_settings({}, store=str(store))
    catalogue = Catalogue(settings)
    client = create_app(settings, catalogue).test_client()
    _sign_in(client)
    cookie = client.get_cookie("session").value
    catalogue.close()
    done = run_cli("user", "revoke-sessions", "alice")
    assert done.returncode == 0 and b"alice" in done.stdout, done.stderr
    unknown = run_cli("user", "revoke-sessions", "nobody")
    assert unknown.returncode == 2 and b"no user 'nobody'" in unknown.stderr
    catalogue = Catalogue(settings)
    try:
        client = create_app(settings, catalogue).test_client()
        client.set_cookie("session", cookie)
        assert not _signed_in(client)
    finally:
        catalogue.close()


# 12: sign-in throttling


def test_failures_under_other_names_never_lift_a_lock():
    throttle = Throttle(limit=5, window=900)
    for _ in range(5):
        throttle.failed("alice")
    assert throttle.wait("alice") > 0
    for i in range(120_000):  # more made-up names than any table of names would keep
        throttle.failed(f"made-up-{i}")
    assert throttle.wait("alice") > 0


def test_the_throttle_memory_is_the_same_whatever_it_counts():
    throttle = Throttle(limit=5, window=900)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(30_000):
            throttle.failed(secrets.token_hex(8))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 100_000, grown


def test_a_lock_ends_when_its_window_passes():
    now = [1000.0]
    throttle = Throttle(limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed("alice")
    assert 55 <= throttle.wait("alice") <= 61 and throttle.wait("bob") == 0
    now[0] += 61
    assert throttle.wait("alice") == 0


def test_addresses_of_one_ipv6_network_count_together():
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:192.0.2.7") == address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("192.0.2.7") != address_key("192.0.2.8")
    assert address_key(None) == address_key("") == "unknown"


def test_one_address_guessing_many_names_is_refused(tmp_path):
    env = _prepare(tmp_path / "store")
    with serving(env) as url:
        s = requests.Session()
        token = csrf(s.get(url + "/login", timeout=10).text)
        codes = [s.post(url + "/login", timeout=10, data={
            "username": f"guess-{i}", "password": "a wrong password", "csrf_token": token},
            headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code  # no proxy: not believed
            for i in range(25)]
        assert 401 in codes and codes[-1] == 429
        first = codes.index(429)
        assert set(codes[first:]) == {429} and first <= 20
        r = s.post(url + "/login", data={"username": "alice", "password": PASSWORD,
                                         "csrf_token": token}, timeout=10)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert "address" in r.text


def test_behind_a_trusted_proxy_each_visitor_is_counted_apart(tmp_path):
    env = {**_prepare(tmp_path / "store"), "CATALOGUE_TRUSTED_PROXY": "127.0.0.1"}
    with serving(env) as url:
        s = requests.Session()
        token = csrf(s.get(url + "/login", timeout=10).text)

        def attempt(visitor: str, username: str, password: str = "a wrong password") -> int:
            return s.post(url + "/login", timeout=10, headers={"X-Forwarded-For": visitor},
                          data={"username": username, "password": password,
                                "csrf_token": token}).status_code

        codes = [attempt("198.51.100.7", f"guess-{i}") for i in range(21)]
        assert codes == [401] * 20 + [429]
        assert attempt("198.51.100.8", "guess-x") == 401  # another visitor behind the proxy
        assert attempt("198.51.100.8", "alice", PASSWORD) == 200


def test_a_trusted_proxy_must_be_an_address():
    from catalogue.settings import SettingsError

    with pytest.raises(SettingsError, match="CATALOGUE_TRUSTED_PROXY"):
        load_settings({"CATALOGUE_TRUSTED_PROXY": "*"})
    assert load_settings({"CATALOGUE_TRUSTED_PROXY": "::1"}).trusted_proxy == "::1"
