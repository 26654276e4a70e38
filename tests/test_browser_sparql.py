"""The SPARQL page in a real browser: headless Debian chromium through Playwright.

YASGUI (served from the site) replaces the plain form, runs an example query against our
endpoint and shows the rows; nothing is fetched from another host; no console errors.
Screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS, serving

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("browser") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    for args in (["init", "--no-demo"], ["ingest", str(GOOD), "--source", "example"]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    with serving(env) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests, page.problems = [], []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append(r.url))  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.problems.append(str(e)))  # type: ignore[attr-defined]
    yield page
    context.close()


def test_the_editor_runs_an_example_query_against_our_endpoint_only(server, page):
    page.goto(server + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    assert page.locator("#sparql-form").is_hidden()  # YASGUI replaced the plain form
    page.get_by_role("link", name="Sources and their current graphs").click()
    page.locator(".yasqe_queryButton").first.click()
    page.wait_for_selector(".yasr table", timeout=15000)
    assert "graph/source/example/" in page.locator(".yasr").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sparql-desktop.png"), full_page=True)
    hosts = {urlparse(u).netloc for u in page.requests if urlparse(u).scheme in ("http", "https")}
    assert hosts == {urlparse(server).netloc}, f"requests to other hosts: {hosts}"
    assert page.problems == []


def test_without_script_the_plain_form_still_works(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(server + "/sparql")
        assert page.locator("#sparql-form").is_visible()
        page.fill("#query", "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Catalog> }")
        page.get_by_role("button", name="Run").click()
        page.wait_for_selector("pre.result")
        assert "http://repo.example.org/collection" in page.locator("pre.result").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sparql-phone-nojs.png"), full_page=True)
    finally:
        context.close()
