"""Uploads by URL on the real server: a slow server costs a background job, not a request
thread. A quick URL is answered as before (its run, its report); a slow one goes to a page
that follows the job to its report; a source may have two under way, a third is refused
(429) and the site stays responsive; a job a killed server left running is failed, with
the reason, by the next start, never "retry later" forever. Dumps come from local
http.server threads on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from catalogue.ingest.jobs import STOPPED
from tests.conftest import ROOT, free_port, wait_for
from tests.test_fetch_deadline import SlowHandler
from tests.test_ingest import NO_CONTACT_ON_2

PASSWORD = "a long enough password"
DEADLINE = 8  # over the 5 s the form's request waits: a /drip upload ends on the job's page
USERS = {"alice": "spain-ctt", "carol": "other", "dave": "third", "erin": "fourth"}


class DumpHandler(SlowHandler):
    """SlowHandler's /drip and /good.ttl, and a dump validation refuses."""

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/invalid.ttl":
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(NO_CONTACT_ON_2)))
            self.end_headers()
            self.wfile.write(NO_CONTACT_ON_2)
            return
        super().do_GET()


@pytest.fixture(scope="module")
def dumps() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), DumpHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def cli(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                          capture_output=True, check=True).stdout.decode()


def prepared(store: Path, **extra: str) -> dict:
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD,
           "CATALOGUE_ALLOW_PRIVATE_URLS": "true", "CATALOGUE_FETCH_DEADLINE": str(DEADLINE), **extra}
    for user, slug in USERS.items():
        cli(env, "publisher", "add", slug, "--name", f"Source {slug}")
        cli(env, "user", "add", user, "--publisher", slug)
    return env


@contextmanager
def server(env: dict) -> Iterator[tuple[subprocess.Popen, str]]:
    """`catalogue serve` on a free port; yields the process (to kill it) and its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "catalogue_cli", "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/")
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(30)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    env = prepared(tmp_path_factory.mktemp("upload-jobs") / "store")
    with server(env) as (_, url):
        yield url


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(site: str, username: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    form = s.get(site + "/login", timeout=10).text
    r = s.post(site + "/login", data={"username": username, "password": PASSWORD,
                                      "csrf_token": csrf(form)}, timeout=10)
    assert r.status_code == 200 and "Signed in as" in r.text
    return s, csrf(s.get(f"{site}/sources/{USERS[username]}", timeout=10).text)


def upload_url(site: str, username: str, url: str, **fields: str) -> requests.Response:
    s, token = signed_in(site, username)
    return s.post(f"{site}/sources/{USERS[username]}/upload", timeout=60,
                  data={"csrf_token": token, "mode": "strict", "url": url, **fields})


def runs(site: str, slug: str) -> str:
    return requests.get(f"{site}/sources/{slug}", timeout=10).text.split('id="history"', 1)[1]


def wait_until_ended(s: requests.Session, status_url: str, limit: float) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        state = s.get(status_url, timeout=10).json()
        if not state["unfinished"]:
            return state
        time.sleep(0.3)
    raise AssertionError(f"the job did not end within {limit} s")


def test_a_prompt_url_is_answered_at_once_with_its_run_or_its_report(site, dumps):
    stored = upload_url(site, "dave", dumps + "/good.ttl")
    assert stored.status_code == 200 and "/sources/third/runs/" in stored.url
    assert "Stored: 3 record(s) published." in stored.text
    refused = upload_url(site, "dave", dumps + "/invalid.ttl")
    assert refused.status_code == 422 and "Nothing was stored" in refused.text
    assert "solution-2" in refused.text
    checked = upload_url(site, "dave", dumps + "/invalid.ttl", dry_run="1")
    assert checked.status_code == 422 and "This was only a check" in checked.text


def test_a_slow_url_is_followed_on_a_job_page_to_its_report(site, dumps):
    before = runs(site, "other")
    s, token = signed_in(site, "carol")
    started = time.monotonic()
    r = s.post(site + "/sources/other/upload", timeout=60,
               data={"csrf_token": token, "mode": "strict", "url": dumps + "/drip?key=secret"})
    assert time.monotonic() - started < DEADLINE - 0.5  # the form waited 5 s, not for the download
    assert r.status_code == 200 and re.search(r"/sources/other/jobs/[0-9a-f]{16}$", r.url), r.url
    assert "Upload in progress" in r.text and r.headers["Retry-After"]
    assert dumps + "/drip" in r.text and "secret" not in r.text  # the URL as it may be shown
    status_url = urlparse(r.url).path + "/status"
    assert s.get(site + status_url, timeout=10).json() == {"status": "running", "unfinished": True}
    home = time.monotonic()
    assert requests.get(site + "/", timeout=10).status_code == 200
    assert time.monotonic() - home < 2  # the site answers meanwhile

    # only its publishers (and moderators) follow it
    alice, _ = signed_in(site, "alice")
    assert alice.get(r.url, timeout=10).status_code == 403
    anonymous = requests.get(r.url, timeout=10, allow_redirects=False)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    assert wait_until_ended(s, site + status_url, DEADLINE + 5)["status"] == "failed"
    report = s.get(r.url, timeout=10)
    assert report.status_code == 200 and "Nothing was stored" in report.text
    assert "CATALOGUE_FETCH_DEADLINE" in report.text and "stopped after 8 seconds" in report.text
    assert runs(site, "other") == before


def test_one_publisher_cannot_take_every_thread(site, dumps):
    def upload(_: int) -> requests.Response:
        return upload_url(site, "alice", dumps + "/drip")

    with ThreadPoolExecutor(8) as pool:
        answers = pool.map(upload, range(8))
        time.sleep(1.5)  # eight uploads sent: the site still answers, and other publishers
        home = time.monotonic()
        assert requests.get(site + "/", timeout=10).status_code == 200
        assert time.monotonic() - home < 2
        other = upload_url(site, "dave", dumps + "/good.ttl")
        assert other.status_code == 200 and "/sources/third/runs/" in other.url
        answers = list(answers)
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200] + [429] * 6, codes
    assert all("/jobs/" in a.url for a in answers if a.status_code == 200)
    refused = next(a for a in answers if a.status_code == 429)
    assert "already has 2 uploads in progress" in refused.text and refused.headers["Retry-After"]


def test_the_job_page_follows_the_upload_in_a_browser(site, dumps, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(site + "/login?next=/sources/fourth")
        page.get_by_label("Username").fill("erin")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.get_by_label("or the URL of a dump").fill(dumps + "/drip")
        with page.expect_navigation():
            page.get_by_role("button", name="Upload", exact=True).click()
        assert "/sources/fourth/jobs/" in page.url
        assert page.get_by_role("status").inner_text().startswith(("Fetching", "Waiting"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # reflows
        # job.js asks every 2 s and reloads the page once the job ended: the report
        page.get_by_text("Nothing was stored").wait_for(timeout=(DEADLINE + 10) * 1000)
        assert "CATALOGUE_FETCH_DEADLINE" in page.locator("main").inner_text()
    finally:
        context.close()
    assert problems == []


def test_a_job_a_killed_server_left_running_ends_failed_at_the_next_start(tmp_path, dumps):
    env = prepared(tmp_path / "store", CATALOGUE_FETCH_DEADLINE="600")
    token = cli(env, "token", "create", "spain-ctt").strip().splitlines()[-1]
    with server(env) as (proc, url):
        s, csrf_token = signed_in(url, "alice")
        r = s.post(url + "/sources/spain-ctt/upload", timeout=60,
                   data={"csrf_token": csrf_token, "mode": "strict", "url": dumps + "/drip"})
        assert "/jobs/" in r.url and "Upload in progress" in r.text
        job_id = r.url.rsplit("/", 1)[-1]
        proc.send_signal(signal.SIGKILL)  # mid-download: nothing records an end
        proc.wait(30)
    poll = f"/api/sources/spain-ctt/jobs/{job_id}"
    with server(env) as (_, url):
        answer = requests.get(url + poll, headers={"Authorization": "Bearer " + token}, timeout=10)
        assert answer.status_code == 200 and answer.json()["status"] == "failed"
        assert "Retry-After" not in answer.headers
        assert answer.json()["report"]["error"]["message"] == STOPPED
        s, _ = signed_in(url, "alice")
        page = s.get(f"{url}/sources/spain-ctt/jobs/{job_id}", timeout=10)
        assert page.status_code == 200 and "The server stopped while this upload was running" in page.text
        # its place is free again
        again = s.post(url + "/sources/spain-ctt/upload", timeout=60,
                       data={"csrf_token": csrf(page.text), "mode": "strict", "url": dumps + "/good.ttl"})
        assert "/runs/" in again.url
