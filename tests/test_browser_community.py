"""Issue 15's journey in a real browser (Debian's chromium), desktop and phone, with a real
SMTP server on 127.0.0.1: a newcomer signs up, opens the link mailed to them, joins a
collection, posts a news item (it waits for a facilitator) and follows the collection.
No console errors, nothing fetched from another host, no sideways scrolling."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

from tests.conftest import ARTIFACTS, serving
from tests.mailbox import Mailbox

ROOT = Path(__file__).resolve().parent.parent
DUMP = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
COLLECTION = "http://repo.example.org/collection"
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def box():
    mailbox = Mailbox().start()
    yield mailbox
    mailbox.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, box):
    store = tmp_path_factory.mktemp("browser-community") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), **box.env()}
    for args in (["publisher", "add", "example", "--name", "Example repository"],
                 ["ingest", "--source", "example", "--mode", "strict", str(DUMP)]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    with serving(env) as url:
        yield url


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_sign_up_confirm_join_post_follow(site, box, browser, device):
    width, height = VIEWPORTS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    name = f"newcomer-{device}"

    def no_sideways_scroll():
        page.wait_for_load_state("load")  # measured with its stylesheet applied
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls sideways"

    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(site + "/login")
        page.get_by_role("link", name="Create an account").click()
        page.fill("#reg-username", name)
        page.fill("#reg-name", f"Nina ({device})")
        page.fill("#reg-email", f"{name}@example.org")
        page.fill("#reg-password", PASSWORD)
        page.check("input[name=terms]")
        no_sideways_scroll()
        page.get_by_role("button", name="Create my account").click()
        page.wait_for_selector("text=Check your mailbox")
        [mail] = box.to(f"{name}@example.org")
        link = re.search(r"(http://\S+/register/confirm/\S+)", mail.get_content()).group(1)
        page.goto(link)
        page.get_by_role("button", name="Confirm my address").click()
        page.wait_for_url("**/account")
        assert "confirmed" in page.locator("main").inner_text()
        no_sideways_scroll()

        page.goto(site + "/community?" + urlencode({"collection": COLLECTION}))
        page.get_by_role("button", name="Join this community").click()
        page.wait_for_selector("text=You are a member")
        no_sideways_scroll()
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"community-{device}.png"))

        page.goto(site + "/community/content/new?" + urlencode({"collection": COLLECTION, "type": "news"}))
        page.fill("#title", f"Pilot live ({device})")
        page.fill("#description", "We **launched** it. <script>alert(1)</script>")
        no_sideways_scroll()
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_selector("text=a facilitator will publish it")
        assert "/content/" in urlparse(page.url).path
        assert page.locator("main script").count() == 0
        no_sideways_scroll()

        page.goto(site + "/community?" + urlencode({"collection": COLLECTION}))
        page.locator("details.follow-box > summary").click()
        page.select_option("#follow-frequency", "weekly")
        page.get_by_role("button", name="Follow", exact=True).click()
        page.wait_for_selector("text=You follow")
        page.goto(site + "/subscriptions")
        assert page.locator("select option[selected]").first.inner_text() == "Weekly digest"
        no_sideways_scroll()
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"subscriptions-{device}.png"))
    finally:
        context.close()
    hosts = {urlparse(u).netloc for u in requests if urlparse(u).scheme in ("http", "https")}
    assert hosts == {urlparse(site).netloc}
    assert problems == []
