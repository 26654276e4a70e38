"""Issue 15's journey, end to end on the real server, with real clients and a real SMTP
server on 127.0.0.1: a newcomer signs up, confirms the address, joins a collection and
posts a news item that a facilitator publishes; a member who follows the collection gets
it in the next digest (``catalogue notify`` beside the server, on a shared Oxigraph
server) with a working link and unsubscribes with one click (RFC 8058); the collection's
Atom feed lists it and parses as Atom; an event's ``.ics`` parses with ``icalendar``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import icalendar
import pytest
import requests

from catalogue.app import Catalogue
from catalogue.settings import load_settings
from tests.conftest import serving
from tests.mailbox import Mailbox

ROOT = Path(__file__).resolve().parent.parent
DUMP = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
COLLECTION = "http://repo.example.org/collection"
PASSWORD = "a long enough password"
ATOM = "{http://www.w3.org/2005/Atom}"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def box():
    mailbox = Mailbox().start()
    yield mailbox
    mailbox.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, box, oxigraph_server):
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path_factory.mktemp("journey") / "unused"),
           "CATALOGUE_SPARQL_QUERY_URL": oxigraph_server + "/query",
           "CATALOGUE_NEW_PASSWORD": PASSWORD, "CATALOGUE_TRUSTED_PROXY": "127.0.0.1", **box.env()}
    catalogue = Catalogue(load_settings(env))
    catalogue.store.update("DROP SILENT ALL")
    catalogue.close()
    assert cli(env, "publisher", "add", "example", "--name", "Example repository").returncode == 0
    assert cli(env, "ingest", "--source", "example", "--mode", "strict", str(DUMP)).returncode == 0
    for name, extra in {"facil": (), "reader": (), "mod": ("--role", "moderator")}.items():
        assert cli(env, "user", "add", name, "--email", f"{name}@example.org", *extra).returncode == 0
    try:
        with serving(env) as url:
            env["CATALOGUE_SITE_URL"] = url + "/"
            yield url, env
    finally:
        catalogue = Catalogue(load_settings(env))
        catalogue.store.update("DROP SILENT ALL")
        catalogue.close()


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(site: str, username: str, password: str = PASSWORD) -> requests.Session:
    s = requests.Session()
    page = s.get(site + "/login", timeout=10).text
    r = s.post(site + "/login", data={"username": username, "password": password, "csrf_token": csrf(page)},
               timeout=10, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return s


def community(s: requests.Session, site: str) -> str:
    return s.get(site + "/community?collection=" + quote(COLLECTION, safe=""), timeout=10).text


def test_the_community_journey(site, box):
    url, env = site
    # the facilitator: made owner by a moderator; posts wait for a facilitator
    mod = sign_in(url, "mod")
    page = community(mod, url)
    r = mod.post(url + "/community/transfer", data={"collection": COLLECTION, "username": "facil",
                                                    "csrf_token": csrf(page)}, timeout=10)
    assert r.status_code == 200
    facil = sign_in(url, "facil")
    r = facil.post(url + "/community/settings", data={"collection": COLLECTION, "open": "open",
                                                      "who_may_post": "members", "moderation": "before",
                                                      "csrf_token": csrf(community(facil, url))}, timeout=10)
    assert r.status_code == 200
    # a member follows the collection: a daily digest
    reader = sign_in(url, "reader")
    token = csrf(community(reader, url))
    assert reader.post(url + "/community/join", data={"collection": COLLECTION, "csrf_token": token},
                       timeout=10).status_code == 200
    r = reader.post(url + "/follow", data={"target": COLLECTION, "frequency": "daily", "kind": ["news", "event"],
                                           "csrf_token": token}, timeout=10)
    assert r.status_code == 200 and "You follow" in r.text
    # the reader's address must be confirmed to get mail: through the account page's link
    r = reader.post(url + "/account/email", data={"email": "reader@example.org", "csrf_token": token}, timeout=10)
    link = re.search(r"(http://\S+/register/confirm/\S+)", box.to("reader@example.org")[0].get_content())
    reader.post(link.group(1), data={"csrf_token": csrf(reader.get(link.group(1), timeout=10).text)}, timeout=10)

    # a newcomer signs up and confirms
    newcomer = requests.Session()
    newcomer.headers["X-Forwarded-For"] = "198.51.100.77"
    form = newcomer.get(url + "/register", timeout=10).text
    r = newcomer.post(url + "/register", data={
        "username": "newcomer", "name": "Nina Newcomer", "email": "nina@example.org", "password": PASSWORD,
        "terms": re.search(r'name="terms" value="([^"]+)"', form).group(1), "csrf_token": csrf(form)}, timeout=10)
    assert r.status_code == 200
    confirm = re.search(r"(http://\S+/register/confirm/\S+)", box.to("nina@example.org")[0].get_content())
    page = newcomer.get(confirm.group(1), timeout=10)
    r = newcomer.post(confirm.group(1), data={"csrf_token": csrf(page.text)}, timeout=10)
    assert r.status_code == 200 and "Nina Newcomer" in r.text
    # joins the collection and posts a news item: it waits for the facilitator
    token = csrf(community(newcomer, url))
    assert newcomer.post(url + "/community/join", data={"collection": COLLECTION, "csrf_token": token},
                         timeout=10).status_code == 200
    r = newcomer.post(url + "/community/content/new?collection=" + quote(COLLECTION, safe="") + "&type=news",
                      data={"title": "Nina's pilot goes live", "description": "We **launched** it.",
                            "submit": "1", "csrf_token": token}, timeout=10)
    assert r.status_code == 200, r.text[:500]
    item_url = r.url
    assert "/content/" in item_url
    assert requests.get(item_url, timeout=10).status_code == 404  # proposed: not public yet
    # the facilitator publishes it
    page = facil.get(item_url, timeout=10).text
    r = facil.post(item_url + "/state", data={"action": "publish", "csrf_token": csrf(page)}, timeout=10)
    assert r.status_code == 200
    assert requests.get(item_url, timeout=10).status_code == 200

    # the next digest, sent by `catalogue notify` beside the server
    done = cli(env, "notify", "--frequency", "daily", "--now")
    assert done.returncode == 0, done.stderr
    digest = [m for m in box.to("reader@example.org", 2) if "digest" in m["Subject"].lower()][-1]
    text = digest.get_content()
    assert "Nina's pilot goes live" in text
    link = re.search(r"(http://127\.0\.0\.1:\d+/resource\?uri=\S+)", text).group(1)
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and "Nina&#39;s pilot goes live" in page.text
    # one click unsubscribes (RFC 8058: a POST with no session, no CSRF token)
    unsubscribe = digest["List-Unsubscribe"].strip("<>")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    forged = re.sub(r"/[0-9a-f]{32}$", "/" + "0" * 32, unsubscribe)
    assert requests.post(forged, data={"List-Unsubscribe": "One-Click"}, timeout=10).status_code == 403
    r = requests.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}, timeout=10)
    assert r.status_code == 200 and "unsubscribed" in r.text
    assert "You follow nothing yet" in reader.get(url + "/subscriptions", timeout=10).text

    # the collection's Atom feed lists it, and parses as Atom
    feed = requests.get(url + "/feeds/atom?about=" + quote(COLLECTION, safe=""), timeout=10)
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    assert root.tag == ATOM + "feed" and root.find(ATOM + "id").text and root.find(ATOM + "updated").text
    titles = [e.find(ATOM + "title").text for e in root.findall(ATOM + "entry")]
    assert any("Nina's pilot goes live" in t for t in titles)
    for entry in root.findall(ATOM + "entry"):
        assert entry.find(ATOM + "id").text and entry.find(ATOM + "updated").text
        assert entry.find(ATOM + "link").get("href").startswith("http")
    site_feed = ET.fromstring(requests.get(url + "/feeds/whats-new.atom", timeout=10).content)
    assert any("Nina's pilot goes live" in (e.find(ATOM + "title").text or "")
               for e in site_feed.findall(ATOM + "entry"))

    # an event's .ics imports into a calendar program's parser
    page = facil.get(url + "/community/content/new?collection=" + quote(COLLECTION, safe="") + "&type=event",
                     timeout=10).text
    r = facil.post(url + "/community/content/new?collection=" + quote(COLLECTION, safe="") + "&type=event",
                   data={"title": "SEMIC webinar", "description": "Online", "start": "2027-03-02T10:00",
                         "end": "2027-03-02T11:30", "timezone": "Europe/Brussels",
                         "online_url": "https://meet.example.org/semic", "submit": "1", "csrf_token": csrf(page)},
                   timeout=10)
    assert r.status_code == 200, r.text[:500]
    ics = requests.get(r.url + ".ics", timeout=10)
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    [event] = [c for c in calendar.walk("VEVENT")]
    assert str(event["SUMMARY"]) == "SEMIC webinar"
    start = event["DTSTART"].dt
    assert start.utcoffset().total_seconds() == 3600 and start.hour == 10  # Brussels in March: UTC+1


def test_forms_need_their_token_and_an_account(site):
    url, _env = site
    r = requests.post(url + "/follow", data={"target": COLLECTION}, timeout=10, allow_redirects=False)
    assert r.status_code == 400  # no CSRF token
    s = requests.Session()
    token = csrf(s.get(url + "/login", timeout=10).text)
    r = s.post(url + "/follow", data={"target": COLLECTION, "csrf_token": token}, timeout=10, allow_redirects=False)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    reader = sign_in(url, "reader")
    token = csrf(reader.get(url + "/subscriptions", timeout=10).text)
    r = reader.post(url + "/follow", data={"target": "http://nowhere.example.org/x", "csrf_token": token},
                    timeout=10)
    assert r.status_code == 404 and "published collections, solutions and discussions" in r.text
    r = reader.post(url + "/follow", data={"target": COLLECTION, "frequency": "hourly", "csrf_token": token},
                    timeout=10)
    assert r.status_code == 400
    assert requests.get(url + "/feeds/atom?about=http://nowhere.example.org/x", timeout=10).status_code == 404
    assert requests.get(url + "/unsubscribe/zzz/abc", timeout=10).status_code == 404
