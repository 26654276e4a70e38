"""A newcomer's journey in a real browser, on the bundled demo catalogue, desktop and phone:
search a word, narrow by two facets, open a solution, reach its download, follow its licence, switch
the language, follow an EIRA building block. No console errors, nothing fetched from another host, no sideways
scrolling on a phone. Screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import ARTIFACTS, serving

ROOT = Path(__file__).resolve().parent.parent
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("journey") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init"], env=env, cwd=ROOT,
                   check=True, capture_output=True)  # vocabularies + the demo catalogue
    with serving(env) as url:
        yield url


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_search_narrow_open_download(site, browser, device):
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))

    def no_sideways_scroll():
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls sideways"

    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(site + "/")
        page.fill("#q", "taxation")                       # a word from the demo descriptions
        page.get_by_role("button", name="Search").click()
        page.wait_for_selector(".hit")
        before = page.locator(".hit").count()
        assert before > 0
        no_sideways_scroll()
        # two facets: a type and a topic, in the Filters panel (folded on a phone: one tap opens it)
        if page.locator("details.filters").get_attribute("open") is None:
            page.locator("details.filters > summary").click()
        page.locator(".facet", has_text="Type").get_by_role("link", name="Solution").first.click()
        page.wait_for_url("**type=**")
        page.locator(".facet", has_text="Topic").locator("a").first.click()
        page.wait_for_url("**theme=**")
        assert page.locator("p.filters-active a.filter").count() == 2
        no_sideways_scroll()
        page.screenshot(path=str(ARTIFACTS / f"journey-search-{device}.png"), full_page=True)
        # open the first solution
        page.locator(".hit h3 a").first.click()
        page.wait_for_selector("article.solution h1")
        no_sideways_scroll()
        page.screenshot(path=str(ARTIFACTS / f"journey-solution-{device}.png"), full_page=True)
        download = page.locator(".release table tbody th a").first
        # through the counting redirect (/go: usage statistics), to the distribution's own https address
        href = urlparse(download.get_attribute("href"))
        assert href.path == "/go" and parse_qs(href.query)["url"][0].startswith("https://")
        licence = page.locator(".release table tbody td:last-child a").first
        assert licence.count() == 1
        solution_url = page.url
        licence.click()                                           # follow its licence
        page.wait_for_selector("article.licence h1")
        assert "What it lets you do" in page.locator("#terms").inner_text()
        assert page.locator("article.licence .terms li").count() >= 1  # allows / requires / forbids
        no_sideways_scroll()
        page.screenshot(path=str(ARTIFACTS / f"journey-licence-{device}.png"), full_page=True)
        page.goto(solution_url)
        page.wait_for_selector("article.solution h1")
        page.get_by_role("link", name="Deutsch").click()           # the language switch
        page.wait_for_selector("#releases")
        assert page.locator("#releases").inner_text() == "Versionen und Downloads"
        assert page.locator("html").get_attribute("lang") == "de"
        related = page.locator("#related + ul a")                # sharing EIRA building blocks
        assert related.count() >= 1 and related.first.get_attribute("href").startswith("/resource?uri=")
        # follow an EIRA building block
        page.locator("ul.blocks a").first.click()
        page.wait_for_url("**/dr8/**")
        assert page.locator("h1").inner_text()
        assert "Lösungen, die diesen Baustein umsetzen" in page.locator("main").inner_text()  # still German
        no_sideways_scroll()
    finally:
        context.close()
    hosts = {urlparse(u).netloc for u in requests if urlparse(u).scheme in ("http", "https")}
    assert hosts == {urlparse(site).netloc}, f"requests to other hosts: {hosts}"
    assert problems == []
