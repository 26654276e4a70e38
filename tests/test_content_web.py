"""Community content on the site (issue 15, item 3): the whole flow through the Flask app
(write, propose, publish, feature, reply, revisions), every write route for every kind of
person, PURIs by content negotiation, 404 for others' drafts, uploads refused with a status
and a message, iCalendar that parses, scripts that never run, and private content kept out
of /sparql, the dump and search."""

from __future__ import annotations

import io
import re
import zipfile

import icalendar
import pytest

from catalogue.app import Catalogue
from catalogue.settings import load_settings
from tests.test_content import COLLECTION, DUMP, EVENT, PASSWORD, PDF, SOLUTION
from webapp import create_app

PEOPLE = ("admin", "mod", "owner", "fac", "author", "member", "stranger")


@pytest.fixture
def catalogue(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo",
                                max_document_bytes=64 * 1024))
    c.publishing.register_source("repo", "Repo")
    assert c.publishing.ingest("repo", DUMP.read_bytes(), filename="repo.ttl").stored
    c.accounts.add_user("admin", PASSWORD, roles=("admin",))
    c.accounts.add_user("mod", PASSWORD, roles=("moderator",))
    c.accounts.add_user("pub", PASSWORD, sources=("repo",))
    for name in ("owner", "fac", "author", "member", "stranger"):
        c.accounts.add_user(name, PASSWORD)
    admin = c.accounts.user("admin")
    c.membership.transfer(COLLECTION, "owner", admin)
    for name in ("fac", "author", "member"):
        c.membership.join(COLLECTION, c.accounts.user(name))
    c.membership.set_role(COLLECTION, "fac", "facilitator", admin)
    c.membership.set_role(COLLECTION, "author", "author", admin)
    yield c
    c.close()


@pytest.fixture
def app(catalogue):
    return create_app(catalogue.settings, catalogue)


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(app, name: str | None):
    client = app.test_client()
    page = client.get("/login").text
    if name is None:
        return client, token(page)
    r = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token(page)})
    assert r.status_code == 303, r.text[:300]
    return client, token(client.get("/login").text)


def ident_of(response) -> str:
    return re.search(r"/content/([0-9a-f]{12})", response.headers["Location"]).group(1)


def new(client, csrf, kind="news", container=COLLECTION, submit="1", **fields):
    data = {"title": "A title", "description": "Some text", "submit": submit, "csrf_token": csrf, **fields}
    return client.post("/community/content/new", query_string={"collection": container, "type": kind}, data=data)


def test_the_whole_flow(app, catalogue):
    member, m_csrf = signed_in(app, "member")
    r = new(member, m_csrf, title="Hello <script>alert(1)</script>",
            description="Hi <script>alert('x')</script> [x](javascript:alert(1)) **bold**")
    assert r.status_code == 303
    ident = ident_of(r)
    page = member.get(f"/content/{ident}").text
    assert "Waiting for a facilitator" in page and "<script>alert" not in page
    assert 'href="javascript:' not in page and "<strong>bold</strong>" in page
    anonymous = app.test_client()
    assert anonymous.get(f"/content/{ident}").status_code == 404
    assert anonymous.get(f"/content/{ident}.ttl").status_code == 404
    assert signed_in(app, "stranger")[0].get(f"/content/{ident}").status_code == 404
    fac, f_csrf = signed_in(app, "fac")
    listing = fac.get("/community/content", query_string={"collection": COLLECTION}).text
    assert f"/content/{ident}" in listing
    assert fac.post(f"/content/{ident}/state", data={"action": "publish", "csrf_token": f_csrf}).status_code == 303
    assert anonymous.get(f"/content/{ident}").status_code == 200
    # content negotiation at the PURI
    turtle = anonymous.get(f"/content/{ident}", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle" and "schema:NewsArticle" in turtle.text
    assert turtle.headers["Content-Location"].endswith(f"/content/{ident}.ttl")
    jsonld = anonymous.get(f"/content/{ident}.jsonld")
    assert jsonld.mimetype == "application/ld+json" and jsonld.get_json()
    assert anonymous.get(f"/content/{ident}.nt").mimetype == "application/n-triples"
    assert anonymous.get(f"/content/{ident}", headers={"Accept": "image/png"}).status_code == 406
    base = catalogue.settings.base_uri
    r = anonymous.get("/resource", query_string={"uri": f"{base}content/{ident}"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/content/{ident}")
    # featured: first in the list and on the home page
    assert "From the communities" not in anonymous.get("/").text
    assert fac.post(f"/content/{ident}/feature", data={"featured": "1", "csrf_token": f_csrf}).status_code == 303
    home = anonymous.get("/").text
    assert "From the communities" in home and f"/content/{ident}" in home
    # revisions for the author and facilitators; 404 for others
    assert "publish" in member.get(f"/content/{ident}/revisions").text
    assert signed_in(app, "stranger")[0].get(f"/content/{ident}/revisions").status_code == 404


def test_discussions_events_pages_and_documents(app, catalogue):
    fac, csrf = signed_in(app, "fac")
    thread = ident_of(new(fac, csrf, "discussion", title="Which schema?"))
    r = fac.post(f"/content/{thread}/reply", data={"description": "First answer", "csrf_token": csrf})
    assert r.status_code == 303
    member, m_csrf = signed_in(app, "member")
    assert member.post(f"/content/{thread}/reply", data={"description": "", "csrf_token": m_csrf}).status_code == 400
    assert member.post(f"/content/{thread}/reply", data={"description": "Mine", "csrf_token": m_csrf}).status_code == 303
    page = app.test_client().get(f"/content/{thread}").text
    assert "First answer" in page and "Mine" not in page  # the member's reply waits
    assert "Mine" in fac.get(f"/content/{thread}").text
    # an event, its .ics and the collection's calendar
    event = ident_of(new(fac, csrf, "event", **{k: v for k, v in EVENT.items()}))
    ics = app.test_client().get(f"/content/{event}.ics")
    assert ics.mimetype == "text/calendar"
    [vevent] = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(vevent["summary"]) == "Kick-off" and str(vevent["location"]).startswith("Brussels")
    feed = app.test_client().get("/community/events.ics", query_string={"collection": COLLECTION})
    assert [str(e["summary"]) for e in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")] == ["Kick-off"]
    bad = new(fac, csrf, "event", **{**EVENT, "end": "2030-03-15T08:00"})
    assert bad.status_code == 400 and "end after it starts" in bad.text
    assert app.test_client().get(f"/content/{thread}.ics").status_code == 404
    # a page shows in the collection's menu
    about = ident_of(new(fac, csrf, "page", title="About this community"))
    listing = app.test_client().get("/community/content", query_string={"collection": COLLECTION}).text
    assert f"/content/{about}" in listing and "About this community" in listing
    # a document: served as an attachment with the sniffed type
    r = fac.post("/community/content/new", query_string={"collection": COLLECTION, "type": "document"},
                 data={"title": "Spec", "submit": "1", "csrf_token": csrf,
                       "file": (io.BytesIO(PDF), "Spécification 1.pdf", "application/pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 303, r.text
    doc = catalogue.content.get(ident_of(r), None)
    got = app.test_client().get(f"/documents/{doc.sha256}")
    assert got.status_code == 200 and got.mimetype == "application/pdf" and got.data == PDF
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in got.headers["Content-Disposition"]
    assert "filename*=UTF-8''Sp%C3%A9cification%201.pdf" in got.headers["Content-Disposition"]
    assert app.test_client().get("/documents/" + "0" * 64).status_code == 404


def _upload(client, csrf, data: bytes, name: str, media: str):
    return client.post("/community/content/new", query_string={"collection": COLLECTION, "type": "document"},
                       data={"title": "Upload", "submit": "1", "csrf_token": csrf, "file": (io.BytesIO(data), name, media)},
                       content_type="multipart/form-data")


def test_bad_uploads_get_a_status_and_a_message(app, catalogue):
    fac, csrf = signed_in(app, "fac")
    r = _upload(fac, csrf, b"%PDF-" + b"a" * (70 * 1024), "big.pdf", "application/pdf")
    assert r.status_code == 413 and "at most" in r.text
    r = _upload(fac, csrf, b"MZ\x90\x00" + b"\0" * 500, "invoice.pdf", "application/pdf")
    assert r.status_code == 415 and "program" in r.text
    r = _upload(fac, csrf, PDF, "photo.png", "image/png")
    assert r.status_code == 415 and "named .png" in r.text
    r = _upload(fac, csrf, PDF, "report.pdf", "image/png")  # the declared type lies
    assert r.status_code == 415 and "sent as image/png" in r.text
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"\0" * (20 * 1024 * 1024))
    r = _upload(fac, csrf, out.getvalue(), "data.zip", "application/zip")
    assert r.status_code == 422 and "zip bomb" in r.text
    assert not list(catalogue.content.files.directory.rglob("*")) or all(
        p.is_dir() for p in catalogue.content.files.directory.rglob("*"))  # nothing kept


def test_private_content_never_reaches_sparql_the_dump_or_search(app, catalogue):
    member, m_csrf = signed_in(app, "member")
    new(member, m_csrf, title="PRIVATEDRAFTWORD", submit="0")
    new(member, m_csrf, title="PROPOSEDWORD")
    fac, f_csrf = signed_in(app, "fac")
    new(fac, f_csrf, title="PUBLISHEDWORD")
    client = app.test_client()
    query = "SELECT ?text WHERE { ?s ?p ?text FILTER(isLiteral(?text)) }"
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    texts = " ".join(b["text"]["value"] for b in r.get_json()["results"]["bindings"])
    dump = b"".join(client.get("/dump.nq").response).decode()
    found = client.get("/search", query_string={"q": "PRIVATEDRAFTWORD PROPOSEDWORD"}).text
    for public in (texts, dump):
        assert "PRIVATEDRAFTWORD" not in public and "PROPOSEDWORD" not in public
    assert "PUBLISHEDWORD" in dump
    assert "/content/" not in found  # no hit (the words are in the page only as what was searched)
    assert "PUBLISHEDWORD" in client.get("/search", query_string={"q": "PUBLISHEDWORD"}).text
    assert "PUBLISHEDWORD" in client.get("/search", query_string={"type": "news"}).text


# --- who may do what: every write route, every kind of person ------------------------------

def _expect(status: int, allowed: bool) -> bool:
    return status in (200, 303) if allowed else status in (302, 403, 404)


@pytest.mark.parametrize("person", [None, *PEOPLE])
def test_permission_matrix(app, catalogue, person):
    c = catalogue
    proposed = c.content.create(COLLECTION, "news", {"title": "Proposed"}, c.accounts.user("author"), submit=True)
    published = c.content.create(COLLECTION, "discussion", {"title": "Thread", "description": "x"},
                                 c.accounts.user("fac"), submit=True)
    draft = c.content.create(COLLECTION, "news", {"title": "Mine"}, c.accounts.user("member"), submit=False)
    client, csrf = signed_in(app, person)
    member_or_more = person in ("admin", "mod", "owner", "fac", "author", "member")
    facilitates = person in ("admin", "mod", "owner", "fac")
    checks = [
        # (method, path, data, allowed)
        ("post", "/community/content/new?collection=" + COLLECTION + "&type=news", {"title": "x", "submit": "1"},
         member_or_more),
        ("post", "/community/content/new?collection=" + SOLUTION + "&type=news", {"title": "x", "submit": "1"},
         person in ("admin", "mod")),
        ("post", f"/content/{proposed.ident}/state", {"action": "publish"}, facilitates),
        ("post", f"/content/{draft.ident}/edit", {"title": "Changed"}, person == "member" or facilitates),
        ("post", f"/content/{published.ident}/feature", {"featured": "1"}, facilitates),
        ("post", f"/content/{published.ident}/reply", {"description": "hi"}, member_or_more),
        ("post", f"/content/{published.ident}/state", {"action": "archive"}, facilitates),
    ]
    for method, path, data, allowed in checks:
        r = getattr(client, method)(path, data={**data, "csrf_token": csrf})
        assert _expect(r.status_code, allowed), (person, path, r.status_code, r.text[:200])
        if person is None:
            assert r.status_code == 302 and "/login" in r.headers["Location"]
    # and without a CSRF token nothing is written
    if person is not None:
        r = client.post(f"/content/{draft.ident}/edit", data={"title": "No token"})
        assert r.status_code == 400
