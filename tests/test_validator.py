"""The public validator: anyone checks a file (pasted, uploaded or by URL) against ADMS-AP or
DCAT-AP 3 and reads a publisher's dry-run report; refusals say why; nothing is stored.

The domain (catalogue.ingest.PublicValidator) directly, then the real server on 127.0.0.1
with requests: as a browser posts the form (session cookie, CSRF token), and as a program
does (no cookie, Accept: application/json).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from catalogue.ingest import PublicValidator, ValidatorError, validate_dump
from catalogue.ingest import validator as validator_module
from catalogue.reports import explain, explained_json
from catalogue.settings import load_settings
from catalogue.store import EmbeddedStore
from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "catalogue" / "data" / "examples"
FIXED = (EXAMPLES / "publisher-fixed.ttl").read_bytes()
BROKEN = (EXAMPLES / "publisher-broken.ttl").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200))
RANDOM = bytes((i * 7919 + 13) % 256 for i in range(5000))  # every byte value, no pattern a sniffer likes
JSON_FIRST = {"Accept": "application/json"}


# --- a web server that answers what a test tells it, on 127.0.0.1 ---------------------------------


@contextmanager
def files_served(routes: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    """A small HTTP server answering ``path -> (content type, body)``; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path not in routes:
                self.send_error(404)
                return
            media, body = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- the domain ---------------------------------------------------------------------------------


@pytest.fixture
def checker(tmp_path) -> PublicValidator:
    return PublicValidator(load_settings({}, store=str(tmp_path / "store"), validator_max_bytes=50_000))


def refusal(checker: PublicValidator, **given) -> ValidatorError:
    with pytest.raises(ValidatorError) as caught:
        checker.check(**given)
    return caught.value


def test_pasted_text_that_conforms_gives_the_dry_run_report(checker):
    checked = checker.check(text=FIXED.decode())
    assert checked.report.conforms and checked.report.accepted == 3 and not checked.report.stored
    expected = validate_dump(FIXED, settings=checker.settings)
    assert checked.report.as_json() == expected.report.as_json()  # type: ignore[union-attr]


def test_the_broken_example_lists_each_problem_with_a_fix(checker):
    checked = checker.check(file=io.BytesIO(BROKEN), filename="publisher-broken.ttl")
    assert not checked.report.conforms and checked.report.rejected >= 1
    problems = [p for r in explain(checked.report, "en").records for p in r.problems]
    violations = [p for p in problems if p.severity == "Violation"]
    assert violations and all(p.problem and p.fix for p in problems)
    assert any("contact point" in p.problem for p in violations)


def test_the_dcat_ap_profile_adds_its_rules(checker):
    assert checker.check(text=FIXED.decode()).report.conforms
    with_dcat = checker.check(text=FIXED.decode(), profile="dcat-ap-3").report
    assert not with_dcat.conforms
    assert len(with_dcat.findings) > len(checker.check(text=FIXED.decode()).report.findings)


def test_one_way_in_and_no_more(checker):
    assert refusal(checker).reason == "no-input"
    assert refusal(checker, text="   \n").reason == "no-input"
    several = refusal(checker, text="x", url="https://example.org/a.ttl")
    assert several.reason == "several" and "text, url" in str(several)
    assert refusal(checker, text="x", profile="shacl-everything").reason == "profile"
    assert refusal(checker, text="x", format="csv").error_kind.value == "unsupported"


def test_the_size_limit_holds_for_text_file_and_gzip(checker):
    big = "#" * 50_001
    for given in ({"text": big}, {"file": io.BytesIO(big.encode()), "filename": "a.ttl"},
                  {"file": io.BytesIO(gzip.compress(b"#" * 200_000)), "filename": "a.ttl.gz"}):
        exc = refusal(checker, **given)
        assert exc.reason == "too-large" and exc.error_kind.value == "too-large" and exc.limit == 50_000
    assert checker.check(file=io.BytesIO(gzip.compress(FIXED)), filename="a.ttl.gz").report.conforms


def test_what_is_not_text_is_not_rdf(checker):
    for data, what in ((PNG, "png"), (RANDOM, "binary"), (b"PK\x03\x04" + bytes(100), "zip"),
                       (b"%PDF-1.7\n", "pdf"), ("@prefix".encode("utf-16"), "utf-16")):
        exc = refusal(checker, file=io.BytesIO(data), filename="upload.ttl")
        assert (exc.reason, exc.detail) == ("not-text", what)
        assert exc.error_kind.value == "unsupported" and str(exc).startswith("this is not RDF")
    latin1 = "@prefix dct: <http://purl.org/dc/terms/> .\n<http://x> dct:title \"Café\" .\n".encode("latin-1")
    exc = refusal(checker, file=io.BytesIO(latin1), filename="a.ttl")
    assert (exc.reason, exc.detail) == ("encoding", "2")


def test_a_file_name_or_media_type_that_names_no_rdf_format(checker):
    exc = refusal(checker, file=io.BytesIO(b"a,b\n1,2\n"), filename="solutions.csv")
    assert (exc.reason, exc.detail) == ("extension", ".csv")
    # a .txt name or none leaves it to the content; an explicit format wins over the name
    assert checker.check(file=io.BytesIO(FIXED), filename="solutions.txt").report.conforms
    assert checker.check(file=io.BytesIO(FIXED), filename="solutions.csv", format="ttl").report.conforms
    exc = refusal(checker, file=io.BytesIO(b"<html></html>"), media_type="text/html")
    assert (exc.reason, exc.detail) == ("media-type", "text/html")


def test_the_wrong_format_is_named(checker):
    checked = checker.check(text='{"@id": "http://example.org/s"}', format="ttl")
    assert checked.report.error is not None and checked.looks_like == "JSON-LD"
    checked = checker.check(text=FIXED.decode(), format="rdf")
    assert checked.report.error is not None and checked.looks_like == "Turtle"
    checked = checker.check(text="<http://a> <http://b> <http://c>", format="nt")  # no dot
    assert checked.report.error is not None and checked.looks_like is None  # it is N-Triples


@pytest.mark.parametrize("url", ["http://127.0.0.1/a.ttl", "http://10.0.0.1/a.ttl", "http://[::1]:8080/a",
                                 "http://169.254.169.254/latest/meta-data", "http://localhost/a.ttl"])
def test_a_private_or_local_address_is_refused(checker, url):
    exc = refusal(checker, url=url)
    assert exc.reason == "private" and "the validator fetches only from the public internet" in str(exc)
    assert exc.detail == urlsplit(url).hostname  # the host as the URL names it
    # what a name resolves to is not told: strangers get no map of the server's network
    assert "127.0.0.1" not in str(exc) or "127.0.0.1" in url


def test_downloads_hold_the_turns_so_a_slow_server_holds_no_more_threads(tmp_path, monkeypatch):
    """A URL that answers slowly keeps its check's turn while it downloads: beyond the turns,
    checks are refused as busy at once, instead of each holding a request thread for up to
    CATALOGUE_FETCH_DEADLINE (eight slow URLs used to stall every thread of the server)."""
    monkeypatch.setattr(validator_module, "WAIT", 0.2)
    checker = PublicValidator(load_settings({}, store=str(tmp_path / "store"), allow_private_urls=True))
    release = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            release.wait(10)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(FIXED)))
            self.end_headers()
            self.wfile.write(FIXED)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slow.ttl"
    results: list = []
    slow = [threading.Thread(target=lambda: results.append(checker.check(url=url)))
            for _ in range(validator_module.AT_ONCE)]
    try:
        for t in slow:
            t.start()
        for _ in range(50):  # both downloads under way
            if checker._turns._value == 0:  # type: ignore[attr-defined]
                break
            threading.Event().wait(0.05)
        assert refusal(checker, url=url).reason == "busy"
        assert refusal(checker, text=FIXED.decode()).reason == "busy"
    finally:
        release.set()
        for t in slow:
            t.join()
        server.shutdown()
        server.server_close()
    assert [c.report.conforms for c in results] == [True] * validator_module.AT_ONCE
    assert checker.check(text=FIXED.decode()).report.conforms  # the turns are back


def test_a_url_is_fetched_cut_at_the_limit_and_typed_by_its_answer(tmp_path):
    checker = PublicValidator(load_settings({}, store=str(tmp_path / "store"), validator_max_bytes=50_000,
                                            allow_private_urls=True))
    routes = {"/fixed.ttl": ("text/turtle; charset=utf-8", FIXED),
              "/fixed": ("text/plain", FIXED),  # untyped, no extension: the content tells
              "/page": ("text/html; charset=utf-8", b"<!doctype html><p>our data</p>"),
              "/huge.ttl": ("text/turtle", b"#" * 60_000),
              "/logo.png": ("image/png", PNG)}
    with files_served(routes) as base:
        assert checker.check(url=base + "/fixed.ttl").report.conforms
        assert checker.check(url=base + "/fixed").report.conforms
        assert not checker.check(url=base + "/fixed.ttl", profile="dcat-ap-3").report.conforms
        assert (refusal(checker, url=base + "/page").reason, refusal(checker, url=base + "/page").detail) \
            == ("media-type", "text/html")
        assert refusal(checker, url=base + "/huge.ttl").reason == "too-large"
        assert refusal(checker, url=base + "/logo.png").reason in ("media-type", "not-text")
        assert refusal(checker, url=base + "/nothing.ttl").reason == "fetch"


def test_a_check_waits_its_turn_then_is_refused_as_busy(checker, monkeypatch):
    monkeypatch.setattr(validator_module, "WAIT", 0.05)
    for _ in range(validator_module.AT_ONCE):
        assert checker._turns.acquire(blocking=False)
    try:
        exc = refusal(checker, text=FIXED.decode())
        assert exc.reason == "busy" and exc.error_kind.value == "too-many"
    finally:
        for _ in range(validator_module.AT_ONCE):
            checker._turns.release()
    assert checker.check(text=FIXED.decode()).report.conforms


def test_the_limit_is_never_over_the_upload_limit(tmp_path):
    settings = load_settings({}, store=str(tmp_path / "s"), validator_max_bytes=10**9, max_upload_bytes=1000)
    assert PublicValidator(settings).max_bytes == 1000


# --- the real server ----------------------------------------------------------------------------

SECRET = "validator-test-signing-key"


def _env(store: Path, **extra: str) -> dict:
    return {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_SECRET_KEY": SECRET, **extra}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A server that may fetch from this machine (the local test server), without a rate
    limit, with a source and an API token to compare the API's dry run with."""
    store = tmp_path_factory.mktemp("validator") / "store"
    env = _env(store, CATALOGUE_ALLOW_PRIVATE_URLS="true", CATALOGUE_VALIDATOR_RATE="0")
    for args in (["init", "--no-demo"], ["publisher", "add", "pilot", "--name", "Pilot"]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    token = subprocess.run([sys.executable, "-m", "catalogue_cli", "token", "create", "pilot"], env=env,
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()[-1]
    with serving(env) as url:
        yield url, token


def browser_session(base: str) -> tuple[requests.Session, str]:
    """A session that opened the page, as a browser does, and the form's CSRF token."""
    session = requests.Session()
    page = session.get(base + "/validator")
    assert page.status_code == 200 and session.cookies
    return session, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def main_text(html: str) -> str:
    """The page's main content as text, tags dropped, entities of apostrophes undone."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'")


def test_the_page_offers_three_ways_and_two_profiles(site):
    base, _ = site
    r = requests.get(base + "/validator")
    assert r.status_code == 200
    for needle in ('name="text"', 'type="file"', 'name="url"', 'value="adms-ap"', 'value="dcat-ap-3"',
                   'name="csrf_token"', "use one of the three ways"):
        assert needle in r.text
    assert re.search(r'value="adms-ap"[^>]*checked', r.text)  # ADMS-AP is the default
    assert "10 MB" in main_text(r.text)


def test_a_valid_file_posted_from_the_form_conforms(site):
    base, _ = site
    session, token = browser_session(base)
    r = session.post(base + "/validator", data={"csrf_token": token, "profile": "adms-ap"},
                     files={"file": ("publisher-fixed.ttl", FIXED, "text/turtle")})
    assert r.status_code == 200
    text = main_text(r.text)
    assert "The dump conforms: 3 record(s) valid." in text and "nothing was stored" in text


def test_the_broken_example_pasted_lists_problems_with_fixes(site):
    base, _ = site
    session, token = browser_session(base)
    r = session.post(base + "/validator", files={"csrf_token": (None, token), "text": (None, BROKEN),
                                                 "format": (None, "ttl")})
    assert r.status_code == 422
    text = main_text(r.text)
    assert "does not conform" in text and "How to fix it" in text
    assert "The contact point is missing." in text and "Add dcat:contactPoint to this solution" in text
    assert BROKEN.decode().splitlines()[0] in r.text.replace("&lt;", "<").replace("&gt;", ">")  # kept in the form


def test_the_form_needs_its_csrf_token(site):
    base, _ = site
    session, _ = browser_session(base)
    r = session.post(base + "/validator", files={"text": (None, FIXED)})
    assert r.status_code == 400 and "CSRF" in r.text


def test_a_30_mb_paste_is_refused_on_the_page(site):
    base, _ = site
    session, token = browser_session(base)
    big = b"# a comment line of Turtle\n" * (30 * 1024 * 1024 // 27)
    r = session.post(base + "/validator", files={"csrf_token": (None, token), "text": (None, big)})
    assert r.status_code == 413 and "text/html" in r.headers["content-type"]
    text = main_text(r.text)
    assert "There is a problem" in text and "over the limit of 10 MB" in text
    assert 'name="url"' in r.text  # the form is still there to try again
    r = requests.post(base + "/validator", data={"text": big}, headers=JSON_FIRST)  # url-encoded, a program
    assert r.status_code == 413 and r.json()["error"]["status"] == 413
    assert "CATALOGUE_VALIDATOR_MAX_BYTES" in r.json()["error"]["message"]


def test_a_binary_upload_is_not_rdf(site):
    base, _ = site
    session, token = browser_session(base)
    for name, data in (("logo.png", PNG), ("data.ttl", RANDOM)):
        r = session.post(base + "/validator", data={"csrf_token": token},
                         files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 415
        assert "This is not RDF: it is not text but" in main_text(r.text)
    assert "a PNG image" in main_text(session.post(base + "/validator", data={"csrf_token": token},
                                                   files={"file": ("logo.png", PNG)}).text)


def test_a_url_is_checked_and_a_web_page_is_not_data(site):
    base, _ = site
    session, token = browser_session(base)
    routes = {"/solutions.ttl": ("text/turtle", FIXED), "/about": ("text/html", b"<!doctype html><p>hi</p>")}
    with files_served(routes) as files:
        r = session.post(base + "/validator", data={"csrf_token": token, "url": files + "/solutions.ttl"})
        assert r.status_code == 200 and "The dump conforms" in main_text(r.text)
        r = session.post(base + "/validator", data={"csrf_token": token, "url": files + "/solutions.ttl",
                                                    "profile": "dcat-ap-3"})
        assert r.status_code == 422 and "does not conform" in main_text(r.text)
        r = session.post(base + "/validator", data={"csrf_token": token, "url": files + "/about"})
        assert r.status_code == 415 and "The URL answered with text/html, not with RDF" in main_text(r.text)


def test_two_ways_at_once_or_none_say_use_one(site):
    base, _ = site
    session, token = browser_session(base)
    r = session.post(base + "/validator", data={"csrf_token": token, "text": "x", "url": "https://example.org/a"})
    assert r.status_code == 400 and "not more than one" in main_text(r.text)
    r = session.post(base + "/validator", data={"csrf_token": token, "text": ""})
    assert r.status_code == 400 and "Nothing to check" in main_text(r.text)


def test_the_json_answer_is_the_api_dry_runs_report(site):
    base, token = site
    ours = requests.post(base + "/validator", data=BROKEN, headers={**JSON_FIRST, "Content-Type": "text/turtle"})
    api = requests.post(base + "/api/sources/pilot/dumps", params={"dry_run": "true"}, data=BROKEN,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"})
    assert ours.status_code == api.status_code == 422
    assert ours.headers["content-type"] == "application/json"
    mine, theirs = ours.json(), api.json()
    assert mine.pop("source") is None and theirs.pop("source") == "pilot"
    assert mine == theirs
    assert mine["results"] and all(r["explanation"]["fix"] for r in mine["results"])
    # the same from the form's fields, url-encoded, and a parse error with its lines
    r = requests.post(base + "/validator", data={"text": FIXED.decode()}, headers=JSON_FIRST)
    assert r.status_code == 200 and r.json()["conforms"] is True
    r = requests.post(base + "/validator", data={"text": "<a> <b> .", "format": "ttl"}, headers=JSON_FIRST)
    assert r.status_code == 400 and r.json()["error"]["line"] == 1 and r.json()["context"]
    assert r.json() == explained_json(validate_dump(b"<a> <b> .", format="ttl",  # type: ignore[arg-type]
                                                    settings=load_settings({})), "en", b"<a> <b> .")
    # refusals in the one error shape
    r = requests.post(base + "/validator", files={"file": ("logo.png", PNG)}, headers=JSON_FIRST)
    assert r.status_code == 415 and set(r.json()) == {"error"} and r.json()["error"]["status"] == 415
    r = requests.post(base + "/validator", data={}, headers=JSON_FIRST)
    assert r.status_code == 400 and "nothing to check" in r.json()["error"]["message"]


def test_nothing_is_stored_and_the_rate_is_limited(tmp_path):
    """On a server with the defaults (private addresses refused) and 4 checks per address:
    the store has the same quads, graph by graph, after checks as before."""
    store = tmp_path / "store"
    env = _env(store, CATALOGUE_VALIDATOR_RATE="4")
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init", "--no-demo"], env=env, cwd=ROOT,
                   check=True, capture_output=True)

    def contents() -> dict[str, int]:
        s = EmbeddedStore(store)
        try:
            return {g.value: s.count(g) for g in s.named_graphs()} | {"": s.count()}
        finally:
            s.close()

    before = contents()
    with serving(env) as base:
        version = requests.get(base + "/", headers={"Accept": "text/html"}).headers.get("ETag")
        session, token = browser_session(base)
        r = session.post(base + "/validator", data={"csrf_token": token, "url": "http://127.0.0.1:9/a.ttl"})
        assert r.status_code == 400
        assert "fetches only from the public internet: 127.0.0.1 is, or resolves to" in main_text(r.text)
        r = requests.post(base + "/validator", data={"url": "http://localhost/a.ttl"}, headers=JSON_FIRST)
        message = r.json()["error"]["message"]
        assert r.status_code == 400 and "localhost is, or resolves to, a loopback" in message
        assert "127.0.0.1" not in message and "::1" not in message  # what it resolved to is not told
        assert session.post(base + "/validator", data={"csrf_token": token, "text": FIXED.decode()}).status_code == 200
        assert session.post(base + "/validator", data={"csrf_token": token, "text": BROKEN.decode()}).status_code == 422
        r = session.post(base + "/validator", data={"csrf_token": token, "text": FIXED.decode()})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert "many checks in a short time" in main_text(r.text)
        r = requests.post(base + "/validator", data=FIXED, headers={**JSON_FIRST, "Content-Type": "text/turtle"})
        assert r.status_code == 429 and r.json()["error"]["status"] == 429 and r.headers["Retry-After"]
        assert requests.get(base + "/validator").status_code == 200  # reading the page is not a check
        assert requests.get(base + "/", headers={"Accept": "text/html"}).headers.get("ETag") == version
    assert contents() == before


def test_a_visitor_on_a_phone_checks_a_file(site, browser, tmp_path):
    """390 px wide: nothing scrolls sideways, every control is at least 44 px tall, a file
    chosen and checked shows its report under the form, with a link to it above."""
    base, _ = site
    broken = tmp_path / "publisher-broken.ttl"
    broken.write_bytes(BROKEN)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(base + "/validator")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for selector in ("#v-text", "#v-file", "#v-url", "#v-format", "label[for=profile-adms-ap]",
                         "label[for=profile-dcat-ap-3]", ".validator-form button"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390, selector
        page.set_input_files("#v-file", str(broken))
        page.locator("label[for=profile-dcat-ap-3]").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Check the data").click()
        assert page.locator(".validator-outcome").inner_text().startswith("The dump does not conform")
        assert page.locator("#profile-dcat-ap-3").is_checked()  # the choice is kept
        assert page.locator("#report table.problems").count() >= 1
        assert "The contact point is missing." in page.locator("#report").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
