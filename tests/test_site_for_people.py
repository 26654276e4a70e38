"""The site for people (issue 12), end to end on the demo catalogue from ``catalogue init``:

* no page of any kind shows a raw IRI where a label exists: a crawler follows every link
  from the home page, a few pages of each kind, and fails on ``http://``/``https://`` text
  a reader sees outside links, code and the folded "All statements" section;
* on a 390×844 phone the first search result is in sight without scrolling, and a
  newcomer reaches a solution from the home page in at most three taps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}
HTML = {"Accept": "text/html"}
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = tmp_path_factory.mktemp("people") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    for args in (["init"], ["user", "add", "maria-personal"]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    with serving(env) as url:
        yield url


# --- what a reader sees -----------------------------------------------------------------------

SKIPPED = {"a", "code", "pre", "script", "style", "textarea", "title", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Visible(HTMLParser):
    """The text a reader sees, without links, code and the "All statements" section (where
    IRIs are the point); attributes (href, title) are never text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # open elements: (tag, hides its content)
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, tag in SKIPPED or "all-statements" in classes))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):  # close up to the matching element
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not any(hidden for _, hidden in self.stack):
            self.text.append(data)


def visible_text(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())


def test_the_text_extractor_sees_what_a_reader_sees():
    html = ('<p>Publisher <a href="http://x.example/a">http://x.example/a</a> <code>http://c</code>'
            '<span title="http://t">Name</span></p><details class="all-statements"><p>http://s</p>'
            '</details><p>seen https://raw.example/iri<br>after</p>')
    text = visible_text(html)
    assert "Name" in text and "after" in text
    assert re.findall(r"https?://\S+", text) == ["https://raw.example/iri"]


# --- the crawl ------------------------------------------------------------------------------

NOT_PAGES = re.compile(r"\.(ttl|nt|nq|trig|rdf|jsonld|json|xml|csv|tsv|svg|png|js|css)$|^/(static|api|dump)")
PER_KIND = 3
AT_MOST = 160


def kind_of(url: str) -> str:
    """Pages of one kind share a template: /solution/..., /resource?uri=<a country>..."""
    u = urlparse(url)
    first = u.path.strip("/").split("/", 1)[0]
    if first == "resource":
        target = urlparse(parse_qs(u.query).get("uri", [""])[0])
        return "resource:" + target.netloc + "/" + target.path.strip("/").rsplit("/", 1)[0]
    if u.query:  # a list in another state: the same template
        return first + "?"
    return first or "home"


def crawl(site: str) -> dict[str, str]:
    """url -> HTML, a few pages of every kind reachable from the home page."""
    seen: dict[str, str] = {}
    per_kind: dict[str, int] = {}
    todo = deque([site + "/"])
    queued = {site + "/"}
    while todo and len(seen) < AT_MOST:
        url = todo.popleft()
        r = requests.get(url, headers=HTML, timeout=30, allow_redirects=False)  # /go leaves the site
        assert r.status_code < 500, f"{url}: {r.status_code}"
        if "text/html" not in r.headers.get("content-type", "") or r.status_code != 200:
            continue
        seen[url] = r.text
        for href in re.findall(r'href="([^"]+)"', r.text):
            target = urljoin(url, href.replace("&amp;", "&")).split("#", 1)[0]
            u = urlparse(target)
            if not target.startswith(site) or target in queued or NOT_PAGES.search(u.path):
                continue
            if "lang=" in u.query or u.path in ("/login", "/logout") or "query=" in u.query:
                continue
            kind = kind_of(target)
            if per_kind.get(kind, 0) >= PER_KIND:
                continue
            per_kind[kind] = per_kind.get(kind, 0) + 1
            queued.add(target)
            todo.append(target)
    return seen


def test_no_page_shows_a_raw_iri_where_a_label_exists(demo):
    pages = crawl(demo)
    kinds = {kind_of(u) for u in pages}
    # the crawl reached the kinds of pages people read (a renamed page would shrink it silently)
    for expected in ("home", "search", "licences", "queries", "about", "dr8", "/solution",
                     "/release", "/distribution", "/agent", "/collection", "authority/country"):
        assert any(expected in k for k in kinds), (expected, sorted(kinds))
    raw = {}
    for url, html in pages.items():
        found = re.findall(r"https?://[^\s<\"']+", visible_text(html))
        if found:
            raw[url] = found[:3]
    assert raw == {}, f"{len(raw)} of {len(pages)} pages show raw IRIs: {raw}"


# --- phones first ---------------------------------------------------------------------------

def test_the_first_search_result_is_in_sight_on_a_phone(demo, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo + "/search?q=customs")
        first = page.locator(".hit").first.bounding_box()
        assert first is not None and first["y"] + 40 < PHONE["height"], first
        # the filters fold: closed on a phone, one tap opens them
        assert page.locator("details.filters").get_attribute("open") is None
        page.locator("details.filters > summary").click()
        assert page.locator("details.filters .facet a").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_a_newcomer_reaches_a_solution_in_three_taps(demo, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo + "/")
        taps = 0
        with page.expect_navigation():  # tap 1: the Solutions way in
            page.locator(".ways-in a", has_text="Solutions").first.click()
        taps += 1
        assert page.locator(".card").first.is_visible()  # the first card in sight, no scrolling
        with page.expect_navigation():  # tap 2: the first solution
            page.locator(".card .card-title a").first.click()
        taps += 1
        assert page.locator("h1").count() == 1 and taps <= 3
        assert page.locator("dt:text-is('Published by')").count() == 1  # a solution's page
    finally:
        context.close()


# --- a signed-in reader's header is theirs alone ------------------------------------------------

def test_a_page_rendered_for_a_signed_in_reader_is_never_served_to_another(demo):
    """Every page's header names the signed-in reader and carries their CSRF token: the
    page caches (search, resource pages) must neither keep it nor serve it to others."""
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(demo + "/login", timeout=10).text)
    r = s.post(demo + "/login", data={"username": "maria-personal", "password": PASSWORD,
                                      "csrf_token": token.group(1)}, timeout=10)
    assert r.status_code == 200
    home = requests.get(demo + "/", headers=HTML, timeout=10).text
    solution = urljoin(demo, re.search(r'id="newest".*?<a href="([^"]+)"', home, re.S).group(1))
    pages = [demo + "/search?q=customs&personal=1", solution]
    for url in pages:  # first rendered for her (a cache would keep her header)...
        mine = s.get(url, headers=HTML, timeout=10).text
        assert "maria-personal" in mine and "csrf_token" in mine
    for url in pages:  # ...then asked for by someone else
        theirs = requests.get(url, headers=HTML, timeout=10).text
        assert "maria-personal" not in theirs and "csrf_token" not in theirs, url
