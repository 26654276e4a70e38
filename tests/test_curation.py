"""The curation workflow (issue 16, item 5; catalogue/quality/curation.py, webapp/curation.py):
moderators request changes from a record's publishers, who see and close them; moderators
hide a record (410 to the public, the page with a banner to its publishers and moderators)
and lift the hide; every action is kept with who and when. Everything through the real
Flask app and its test client, signed in as real accounts with CSRF tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue.app import Catalogue
from catalogue.settings import load_settings
from catalogue.store import Dataset
from tests.test_duplicates import BETA, ZETA, dump, solution
from webapp import create_app

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
S1, S2, RELEASE = EX + "solution-1", EX + "solution-2", EX + "solution-1-v1"
OTHER = dump("http://other.example.org/", solution("http://other.example.org/", "s", "Other Wombat Tool"))
PASSWORD = "correct horse battery"
# username -> (roles, sources): a member, the publisher of alpha (where the records are),
# the publisher of another source, a moderator and an admin
PEOPLE = {"mia": ((), ()), "pia": ((), ("alpha",)), "ben": ((), ("beta",)),
          "mod": (("moderator",), ()), "root": (("admin",), ())}
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture
def catalogue(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo"))
    for slug, data in (("alpha", GOOD), ("beta", OTHER)):
        c.publishing.register_source(slug, slug.title())
        assert c.publishing.ingest(slug, data, filename=f"{slug}.ttl").stored
    for name, (roles, sources) in PEOPLE.items():
        c.accounts.add_user(name, PASSWORD, roles=roles, sources=sources)
    yield c
    c.close()


@pytest.fixture
def app(catalogue):
    return create_app(catalogue.settings, catalogue)


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(app, name: str | None):
    """A test client signed in as ``name`` (None: anonymous), and a CSRF token of its session."""
    client = app.test_client()
    page = client.get("/login").text
    if name is None:
        return client, token(page)
    r = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token(page)})
    assert r.status_code == 303, r.text[:300]
    return client, token(client.get("/login").text)


def post(client, csrf: str, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf})


def record_page(client, iri: str = S1, headers=HTML):
    return client.get("/resource", query_string={"uri": iri}, headers=headers)


def actions(catalogue) -> int:
    return len(catalogue.curation.actions())


def open_request(catalogue, iri: str = S1) -> str:
    return catalogue.curation.record(iri).open_requests[0].ident


# request changes, seen by the publishers, closed by them


def test_a_change_request_reaches_its_publishers_and_never_the_public(app, catalogue):
    mod, csrf = signed_in(app, "mod")
    r = post(mod, csrf, "/curation/request-changes", uri=S1, message="Please add a **licence** <script>x</script>")
    assert r.status_code == 303 and r.headers["Location"].endswith("/resource?uri=" + S1)
    pia, _ = signed_in(app, "pia")
    source = pia.get("/sources/alpha").text
    assert "Please add a <strong>licence</strong>" in source and "<script>x" not in source
    assert "Done: close the request" in source
    banner = record_page(pia).text
    assert "Changes requested" in banner and "Please add a <strong>licence</strong>" in banner
    for outsider in (None, "mia", "ben"):  # the public, a member, another source's publisher
        client, _ = signed_in(app, outsider)
        assert "licence</strong>" not in client.get("/sources/alpha").text, outsider
        page = record_page(client)
        assert page.status_code == 200 and "Changes requested" not in page.text, outsider
    # the e-mail hook gets the request and the source's publishers
    told = []
    catalogue.curation.mailer = lambda request, publishers: told.append((request.record, [u.username for u in publishers]))
    post(mod, csrf, "/curation/request-changes", uri=S2, message="A contact point, please")
    assert told == [(S2, ["pia"])]


def test_its_publisher_closes_a_request_with_a_reply_and_it_is_kept(app, catalogue):
    mod, csrf = signed_in(app, "mod")
    post(mod, csrf, "/curation/request-changes", uri=S1, message="Add a licence")
    ident = open_request(catalogue)
    pia, pia_csrf = signed_in(app, "pia")
    r = post(pia, pia_csrf, f"/curation/requests/{ident}/close", reply="Done in *v2*", back="alpha")
    assert r.status_code == 303 and r.headers["Location"].endswith("/sources/alpha#curation")
    assert "Add a licence" not in pia.get("/sources/alpha").text
    assert post(pia, pia_csrf, f"/curation/requests/{ident}/close").status_code == 409  # closed already
    history = pia.get("/curation/record", query_string={"uri": S1}).text
    assert "Change request closed" in history and "by pia" in history and "Done in <em>v2</em>" in history
    assert "Changes requested" in history and "by mod" in history
    assert [a.kind for a in catalogue.curation.actions(S1)] == ["request", "close"]


def test_a_later_ingest_that_changes_the_record_shows_changed_since_the_request(app, catalogue):
    mod, csrf = signed_in(app, "mod")
    post(mod, csrf, "/curation/request-changes", uri=S1, message="Say what EN 16931 is")
    pia, _ = signed_in(app, "pia")
    assert catalogue.publishing.ingest("alpha", GOOD, filename="again.ttl").stored  # the same again
    assert "changed since the request" not in pia.get("/sources/alpha").text
    changed = GOOD.replace(b"following EN 16931.", b"following EN 16931, the European e-invoicing norm.")
    assert catalogue.publishing.ingest("alpha", changed, filename="fixed.ttl").stored
    assert "changed since the request" in pia.get("/sources/alpha").text
    assert "changed since the request" in mod.get("/moderation/curation").text


def test_a_release_can_be_asked_for_changes_too(app, catalogue):
    mod, csrf = signed_in(app, "mod")
    assert post(mod, csrf, "/curation/request-changes", uri=RELEASE, message="Release notes?").status_code == 303
    pia, _ = signed_in(app, "pia")
    assert "Release notes?" in record_page(pia, RELEASE).text


# hide and lift


def listed(client) -> tuple[str, str, str]:
    return (client.get("/solutions").text, client.get("/search", query_string={"q": "gateway"}).text,
            client.get("/sitemap.xml").text + client.get("/catalog.ttl").text)


def test_a_hidden_record_is_gone_for_the_public_and_shown_to_its_publishers(app, catalogue):
    anonymous = app.test_client()
    assert all("e-Invoicing" in text or "solution-1" in text for text in listed(anonymous))
    mod, csrf = signed_in(app, "mod")
    r = post(mod, csrf, "/curation/hide", uri=S1, reason="Duplicate of a <better> record")
    assert r.status_code == 303
    page = record_page(anonymous)
    assert page.status_code == 410
    assert "hidden by the catalogue&#39;s moderators" in page.text and "Duplicate of a &lt;better&gt; record" in page.text
    turtle = record_page(anonymous, headers=TURTLE)
    assert turtle.status_code == 410 and "Duplicate of a <better> record" in turtle.text
    assert anonymous.get("/resource.ttl", query_string={"uri": S1}).status_code == 410
    solutions, search, feeds = listed(anonymous)
    assert "Open e-Invoicing Gateway" not in solutions and "Base Registry Connector" in solutions
    assert "Open e-Invoicing Gateway" not in search and "solution-1" not in feeds.replace("solution-1-v1", "")
    assert "Open e-Invoicing Gateway" not in anonymous.get("/").text
    for name in ("pia", "mod", "root"):  # its publisher, the moderators
        client, _ = signed_in(app, name)
        seen = record_page(client)
        assert seen.status_code == 200 and "Hidden from the public" in seen.text, name
        assert "Duplicate of a &lt;better&gt; record" in seen.text and "by mod" in seen.text
        assert ("Lift: show it to the public again" in seen.text) == (name != "pia")
    for name in ("mia", "ben"):
        client, _ = signed_in(app, name)
        assert record_page(client).status_code == 410, name
    # the decision and its public reason are public data; who hid it is not
    public = Dataset(default_graphs=catalogue.public_graphs())
    cat = "https://catalogue.example.org/def/catalogue#"
    assert catalogue.store.ask(f"ASK {{ ?h a <{cat}Hiding> ; <{cat}record> <{S1}> ; <{cat}reason> ?r }}",
                               dataset=public)
    assert not catalogue.store.ask("ASK { ?a <http://www.w3.org/ns/prov#wasAssociatedWith> ?who }", dataset=public)
    assert not catalogue.store.ask(f"ASK {{ ?a a <{cat}CurationAction> }}", dataset=public)
    # lift: back everywhere
    r = post(mod, csrf, "/curation/lift", uri=S1)
    assert r.status_code == 303
    assert record_page(anonymous).status_code == 200
    solutions, search, feeds = listed(anonymous)
    assert "Open e-Invoicing Gateway" in solutions and "Open e-Invoicing Gateway" in search and "solution-1" in feeds
    assert [a.kind for a in catalogue.curation.actions(S1)] == ["hide", "lift"]
    history = mod.get("/curation/record", query_string={"uri": S1}).text
    assert "Hidden from the public" in history and "Shown again" in history
    listing = mod.get("/moderation/curation").text
    assert "No record is hidden." in listing


def test_a_reingest_by_the_publisher_keeps_the_hide(app, catalogue):
    mod, csrf = signed_in(app, "mod")
    post(mod, csrf, "/curation/hide", uri=S1, reason="Spam")
    assert catalogue.publishing.ingest("alpha", GOOD.replace(b"First release.", b"First release!"),
                                       filename="again.ttl").stored
    anonymous = app.test_client()
    assert record_page(anonymous).status_code == 410
    assert "Open e-Invoicing Gateway" not in anonymous.get("/solutions").text
    pia, _ = signed_in(app, "pia")
    source = pia.get("/sources/alpha").text
    assert "Records hidden from the public" in source and "Spam" in source
    assert "Spam" in mod.get("/moderation/curation").text


def test_a_hidden_canonical_record_lets_its_duplicate_show(catalogue):
    """Search's hidden set merges duplicates' and curation's: hiding the record a group shows
    shows the group's next record, not none."""
    for slug, data in (("zeta", ZETA), ("bravo", BETA)):
        catalogue.publishing.register_source(slug, slug)
        assert catalogue.publishing.ingest(slug, data, filename=f"{slug}.ttl").stored
    z, b = "http://zz.example.org/zeta/mutual", "http://aa.example.org/beta/mutual"
    assert catalogue.search.hidden().iris >= {b}
    catalogue.curation.hide(z, "Spam", by=catalogue.accounts.user("mod"))  # type: ignore[arg-type]
    hidden = catalogue.search.hidden()
    assert z in hidden.iris and b not in hidden.iris


# who may do what


ROUTES = {  # route -> (path, form, who may, the status of doing it again)
    "request-changes": ("/curation/request-changes", {"uri": S1, "message": "x"}, {"mod", "root"}, 303),
    "hide": ("/curation/hide", {"uri": S1, "reason": "x"}, {"mod", "root"}, 409),
    "lift": ("/curation/lift", {"uri": S2}, {"mod", "root"}, 409),
    "close": ("/curation/requests/{ident}/close", {"reply": "ok"}, {"pia", "mod", "root"}, 409),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_the_permission_matrix_of_every_write(app, catalogue, route):
    """Anonymous: sign in; a member, another source's publisher (and the publisher, for the
    moderators' routes): 403 and nothing written; the allowed: done (303), then a conflict
    (409: closed, hidden already...) but for a second request of changes."""
    moderator = catalogue.accounts.user("mod")
    catalogue.curation.request_changes(S1, "Add a licence", by=moderator)  # type: ignore[arg-type]
    catalogue.curation.hide(S2, "Spam", by=moderator)  # type: ignore[arg-type]
    path, form, allowed, again = ROUTES[route]
    path = path.format(ident=open_request(catalogue))
    done = 0
    for name in [None, "mia", "ben", "pia", "mod", "root"]:
        client, csrf = signed_in(app, name)
        before = actions(catalogue)
        r = post(client, csrf, path, **form)
        if name is None:
            assert r.status_code == 302 and "/login" in r.headers["Location"], route
        elif name in allowed:
            assert r.status_code == (303 if not done else again), (route, name, r.status_code)
            done += 1
            continue
        else:
            assert r.status_code == 403, (route, name, r.status_code)
        assert actions(catalogue) == before, (route, name)
    assert done == len(allowed) and done >= 2
    for page in ("/moderation/curation", "/curation/record?uri=" + S1):
        for name, status in ((None, 302), ("mia", 403), ("ben", 403), ("mod", 200), ("root", 200)):
            client, _ = signed_in(app, name)
            assert client.get(page).status_code == status, (page, name)
    pia, _ = signed_in(app, "pia")  # its publisher sees its curation page, not the moderators' list
    assert pia.get("/curation/record?uri=" + S1).status_code == 200
    assert pia.get("/moderation/curation").status_code == 403


def test_every_form_needs_its_csrf_token(app, catalogue):
    moderator = catalogue.accounts.user("mod")
    catalogue.curation.request_changes(S1, "Add a licence", by=moderator)  # type: ignore[arg-type]
    catalogue.curation.hide(S2, "Spam", by=moderator)  # type: ignore[arg-type]
    mod, _ = signed_in(app, "mod")
    before = actions(catalogue)
    for path, form, _allowed, _again in ROUTES.values():
        r = mod.post(path.format(ident=open_request(catalogue)), data=form)
        assert r.status_code == 400 and "CSRF" in r.text, path
    assert actions(catalogue) == before


@pytest.mark.parametrize("path, form, status, says", [
    ("/curation/request-changes", {"uri": S1, "message": "   "}, 400, "Write a message to the publishers"),
    ("/curation/request-changes", {"uri": S1, "message": "x" * 4001}, 400, "at most 4000 characters"),
    ("/curation/hide", {"uri": S1, "reason": ""}, 400, "Give a reason"),
    ("/curation/hide", {"uri": S1, "reason": "x" * 1001}, 400, "at most 1000 characters"),
    ("/curation/hide", {"uri": "http://nowhere.example.org/x", "reason": "Spam"}, 404,
     "No source publishes this record now"),
    ("/curation/hide", {"uri": "not an iri", "reason": "Spam"}, 400, "give its full IRI"),
    ("/curation/request-changes", {"uri": EX + "solution-1-v1-zip", "message": "x"}, 400,
     "Only solutions and releases"),
    ("/curation/request-changes", {"uri": EX + "collection", "message": "x"}, 400, "Only solutions and releases"),
    ("/curation/lift", {"uri": S1}, 409, "This record is not hidden"),
    ("/curation/requests/0123456789abcdef0123456789abcdef/close", {}, 404, "no such change request"),
    ("/curation/requests/nonsense/close", {}, 404, "no such change request"),
])
def test_bad_input_is_refused_saying_why_and_changes_nothing(app, catalogue, path, form, status, says):
    mod, csrf = signed_in(app, "mod")
    r = post(mod, csrf, path, **form)
    assert r.status_code == status and says in r.text, (r.status_code, r.text[-2000:])
    assert actions(catalogue) == 0
    if status == 400 and "uri" in form and form["uri"] == S1:  # the form comes back with what was typed
        typed = form.get("message") or form.get("reason")
        assert typed.strip() == "" or typed in r.text


def test_hiding_twice_is_a_conflict(app, catalogue):
    mod, csrf = signed_in(app, "mod")
    assert post(mod, csrf, "/curation/hide", uri=S1, reason="Spam").status_code == 303
    r = post(mod, csrf, "/curation/hide", uri=S1, reason="Spam again")
    assert r.status_code == 409 and "hidden already" in r.text
    assert actions(catalogue) == 1


def test_the_pages_fit_a_phone(app, catalogue):
    """Forms are stacked and long texts wrap (site.css); the panel has no fixed widths."""
    moderator = catalogue.accounts.user("mod")
    catalogue.curation.request_changes(S1, "x" * 300, by=moderator)  # type: ignore[arg-type]
    css = app.test_client().get("/static/site.css").text
    assert ".curation-request" in css and "overflow-wrap: anywhere" in css.split("/* curation")[1]
