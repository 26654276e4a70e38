"""Comments on the site (webapp/community/comments.py): the thread on a solution's and a
release's page, a new comment showing at once on a cached page, the moderation queue, who
may use each write route, CSRF, rate limits per account and per address, hostile Markdown,
and private states never in /sparql or the dump. Through the real Flask app (its WSGI stack,
shared cache included) and its test client, signed in as real accounts with CSRF tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue.app import Catalogue
from catalogue.settings import load_settings
from webapp import create_app

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
S1, S2, RELEASE = EX + "solution-1", EX + "solution-2", EX + "solution-1-v1"
PASSWORD = "correct horse battery"
PEOPLE = {"mia": (), "ola": (), "mod": ("moderator",), "root": ("admin",)}
HTML = {"Accept": "text/html"}


@pytest.fixture
def catalogue(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo",
                                comments_per_hour=4, comments_per_address_per_hour=6))
    c.publishing.register_source("alpha", "Alpha")
    assert c.publishing.ingest("alpha", GOOD, filename="alpha.ttl").stored
    for name, roles in PEOPLE.items():
        c.accounts.add_user(name, PASSWORD, name=name.title(), roles=roles)
    yield c
    c.close()


@pytest.fixture
def app(catalogue):
    return create_app(catalogue.settings, catalogue)


_addresses = iter(range(1, 250))


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(app, name: str | None, address: str | None = None):
    """A test client signed in as ``name`` (None: anonymous) from a network address of its
    own, and a CSRF token of its session."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or f"192.0.2.{next(_addresses)}"
    page = client.get("/login").text
    if name is None:
        return client, token(page)
    r = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token(page)})
    assert r.status_code == 303, r.text[:300]
    return client, token(client.get("/login").text)


def write(client, csrf: str, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf})


def fragment(client, target: str = S1) -> str:
    r = client.get("/comments/fragment", query_string={"target": target})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    return r.text


def ident_of(response) -> str:
    return re.search(r"#comment-([0-9a-f]{12})", response.headers["Location"]).group(1)


def test_a_comment_shows_at_once_on_a_cached_solution_page(app, catalogue):
    anonymous = app.test_client()
    first = anonymous.get("/resource", query_string={"uri": S1}, headers=HTML)
    again = anonymous.get("/resource", query_string={"uri": S1}, headers=HTML)
    assert first.status_code == 200 and again.data == first.data
    assert app.wsgi_app.hits >= 1  # the second came from the shared cache
    # the cached page holds no comment: a link to them, and the script that fetches them
    assert 'data-comments="/comments/fragment?target=' in first.text and "comments.js" in first.text
    assert "Sign in to comment" in first.text
    mod, csrf = signed_in(app, "mod")
    r = write(mod, csrf, "/comments", target=S1, text="Fresh *news* for everyone")
    assert r.status_code == 303 and r.headers["Location"].startswith("/resource?uri=")
    third = anonymous.get("/resource", query_string={"uri": S1}, headers=HTML)
    assert third.status_code == 200 and third.data == first.data  # still cached: nothing flushed
    src = re.search(r'data-comments="([^"]+)"', third.text).group(1).replace("&amp;", "&")
    thread = anonymous.get(src).text  # what comments.js fetches into the page
    assert "Fresh <em>news</em> for everyone" in thread and "Comments (1)" in thread
    # without JavaScript: the comments page
    page = anonymous.get("/comments", query_string={"target": S1})
    assert page.status_code == 200 and "Fresh <em>news</em> for everyone" in page.text
    # a signed-in reader's page (never cached) has the thread itself, with the forms
    own = mod.get("/resource", query_string={"uri": S1}, headers=HTML).text
    assert "Fresh <em>news</em> for everyone" in own and 'action="/comments"' in own


def test_a_new_member_comments_on_a_release_and_a_moderator_approves(app):
    mia, csrf = signed_in(app, "mia")
    r = write(mia, csrf, "/comments", target=RELEASE, text="Does this release run on Debian?")
    assert r.status_code == 303
    ident = ident_of(r)
    own = mia.get("/resource", query_string={"uri": RELEASE}, headers=HTML).text
    assert "Does this release run on Debian?" in own and "waiting for moderation" in own
    anonymous = app.test_client()
    assert "Debian" not in fragment(anonymous, RELEASE)
    ola, _ = signed_in(app, "ola")
    assert "Debian" not in fragment(ola, RELEASE)
    mod, mod_csrf = signed_in(app, "mod")
    queue = mod.get("/moderation/comments")
    assert queue.status_code == 200 and "Does this release run on Debian?" in queue.text
    r = write(mod, mod_csrf, f"/comments/{ident}/approve", back="queue")
    assert r.status_code == 303 and r.headers["Location"].endswith("/moderation/comments")
    assert "Debian" in fragment(anonymous, RELEASE)
    assert "No comment is waiting" in mod.get("/moderation/comments").text


def test_replies_nest_edits_show_and_deletions_leave_a_tombstone(app):
    mod, csrf = signed_in(app, "mod")
    top = ident_of(write(mod, csrf, "/comments", target=S1, text="Top comment"))
    root_client, root_csrf = signed_in(app, "root")
    reply = ident_of(write(root_client, root_csrf, "/comments", target=S1, parent=top, text="A reply"))
    thread = fragment(app.test_client())
    outer = thread.index(f'id="comment-{top}"')
    nested = thread.index('class="comment-list comment-replies"')
    assert outer < nested < thread.index(f'id="comment-{reply}"')
    assert write(mod, csrf, f"/comments/{top}/edit", text="Top comment, corrected").status_code == 303
    thread = fragment(app.test_client())
    assert "Top comment, corrected" in thread and "edited" in thread
    assert write(mod, csrf, f"/comments/{top}/delete").status_code == 303
    thread = fragment(app.test_client())
    assert "Comment deleted." in thread and "Top comment" not in thread and "A reply" in thread


def test_hide_with_a_reason_and_report_abuse(app):
    root_client, root_csrf = signed_in(app, "root")
    ident = ident_of(write(root_client, root_csrf, "/comments", target=S1, text="Rude words"))
    mia, mia_csrf = signed_in(app, "mia")
    assert write(mia, mia_csrf, f"/comments/{ident}/report", reason="rude").status_code == 303
    again = write(mia, mia_csrf, f"/comments/{ident}/report", reason="still rude")
    assert again.status_code == 409 and "You reported this comment already." in again.text
    assert "You reported this comment." in fragment(mia)
    empty = write(mia, mia_csrf, f"/comments/{ident}/report", reason=" ")
    assert empty.status_code in (400, 409)
    mod, csrf = signed_in(app, "mod")
    queue = mod.get("/moderation/comments").text
    assert "Rude words" in queue and "rude" in queue
    no_reason = write(mod, csrf, f"/comments/{ident}/hide", reason="")
    assert no_reason.status_code == 400 and "Give a reason." in no_reason.text
    assert write(mod, csrf, f"/comments/{ident}/hide", reason="Please stay polite").status_code == 303
    public = fragment(app.test_client())
    assert "Hidden by moderators." in public and "Rude words" not in public and "polite" not in public
    own = fragment(root_client)
    assert "Rude words" in own and "Please stay polite" in own
    assert "Rude words" not in mod.get("/moderation/comments").text  # the report is dealt with


def test_markdown_is_sanitised_and_links_are_nofollow_ugc(app):
    mod, csrf = signed_in(app, "mod")
    hostile = ('<script>alert("x")</script> <img src=x onerror=alert(1)>\n\n[click](javascript:alert(2)) '
               "[fine](https://example.org/page)")
    write(mod, csrf, "/comments", target=S1, text=hostile)
    thread = fragment(app.test_client())
    body = thread[thread.index('class="comment-text"'):thread.index("</section>")]
    assert "<script" not in body and "<img" not in body and 'href="javascript:' not in body
    assert re.search(r'<a href="https://example.org/page" rel="[^"]*nofollow[^"]*ugc', body)


WRITES = ("/comments", "/comments/{id}/edit", "/comments/{id}/delete", "/comments/{id}/report",
          "/comments/{id}/hide", "/comments/{id}/approve")
# who may: (path, caller) -> expected status; mia wrote the comment (pending, then approved)
ALLOWED = {
    "/comments": {"mia", "ola", "mod", "root"},
    "/comments/{id}/edit": {"mia"},
    "/comments/{id}/delete": {"mia"},
    "/comments/{id}/report": {"ola", "mod", "root"},
    "/comments/{id}/hide": {"mod", "root"},
    "/comments/{id}/approve": {"mod", "root"},
}


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("caller", [None, "mia", "ola", "mod", "root"])
def test_permission_matrix(app, catalogue, path, caller):
    mia = catalogue.accounts.user("mia")
    comment = catalogue.comments.post(S1, "Mia's comment", mia)
    mod = catalogue.accounts.user("mod")
    catalogue.comments.approve(comment.ident, mod)
    if path.endswith("/approve"):  # something to approve: a report
        catalogue.comments.report(comment.ident, "check it", catalogue.accounts.user("ola"))
    client, csrf = signed_in(app, caller)
    data = {"target": S1, "text": "Some words", "reason": "a reason"}
    r = write(client, csrf, path.format(id=comment.ident), **data)
    if caller is None:
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    elif caller in ALLOWED[path]:
        assert r.status_code == 303, r.text[:500]
    else:
        assert r.status_code == 403, r.text[:500]
    # without the CSRF token nothing is written, whoever asks
    r = client.post(path.format(id=comment.ident), data=data)
    assert r.status_code in (302, 400)


def test_anonymous_readers_get_a_sign_in_link_and_no_form(app):
    anonymous = app.test_client()
    thread = fragment(anonymous)
    assert "Sign in to comment" in thread and "<textarea" not in thread
    assert app.test_client().get("/moderation/comments").status_code == 302
    ola, _ = signed_in(app, "ola")
    assert ola.get("/moderation/comments").status_code == 403


def test_bad_input_gets_a_specific_answer_never_a_500(app):
    mod, csrf = signed_in(app, "mod")
    r = write(mod, csrf, "/comments", target=S1, text="   ")
    assert r.status_code == 400 and "the comment is empty" in r.text.lower()
    r = write(mod, csrf, "/comments", target="http://nowhere.example.org/x", text="hello")
    assert r.status_code == 404 and "published solutions, releases and content" in r.text
    r = write(mod, csrf, "/comments", target="not an iri", text="hello")
    assert r.status_code == 404
    r = write(mod, csrf, "/comments", target=S1, text="x" * 6000)
    assert r.status_code == 413 and "too long" in r.text and "x" * 100 in r.text  # the text comes back
    mod, csrf = signed_in(app, "root")  # refused attempts count too: another account goes on
    r = write(mod, csrf, "/comments/zzz/edit", text="hello")
    assert r.status_code == 404
    r = write(mod, csrf, "/comments", target=S1, parent="000000000000", text="hello")
    assert r.status_code == 404
    assert app.test_client().get("/comments", query_string={"target": "nope"}).status_code == 404
    mia, mia_csrf = signed_in(app, "mia")
    r = write(mia, mia_csrf, "/comments", target=S1, text="https://a.example.org https://b.example.org")
    assert r.status_code == 422 and "link" in r.text


def test_rate_limits_per_account_and_per_address(app, catalogue):
    per_account = catalogue.settings.comments_per_hour
    mod, csrf = signed_in(app, "mod")
    for n in range(per_account):
        assert write(mod, csrf, "/comments", target=S1, text=f"comment {n}").status_code == 303
    r = write(mod, csrf, "/comments", target=S1, text="one too many")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "too fast" in r.text and "one too many" in r.text
    # another account from another address still may
    root_client, root_csrf = signed_in(app, "root")
    assert write(root_client, root_csrf, "/comments", target=S1, text="hello").status_code == 303
    # several accounts from one address share its limit
    address = "203.0.113.9"
    per_address = catalogue.settings.comments_per_address_per_hour
    sent = 0
    for name in ("mia", "ola", "root"):
        client, token_ = signed_in(app, name, address)
        for _ in range(per_account if name != "root" else per_account - 1):
            if sent < per_address:
                assert write(client, token_, "/comments", target=S2, text=f"from {name}").status_code == 303
                sent += 1
    client, token_ = signed_in(app, "mia", address)
    assert write(client, token_, "/comments", target=S2, text="blocked").status_code == 429


def test_private_states_never_reach_the_sparql_endpoint_or_the_dump(app, catalogue):
    people = {n: catalogue.accounts.user(n) for n in PEOPLE}
    c = catalogue.comments
    c.post(S1, "VISIBLE-TEXT", people["mod"])
    c.post(S1, "PENDING-TEXT", people["mia"])
    hidden = c.post(S1, "HIDDEN-TEXT", people["root"])
    deleted = c.post(S1, "DELETED-TEXT", people["root"])
    edited = c.post(S1, "OLD-TEXT", people["root"])
    c.report(edited.ident, "REPORT-REASON", people["mia"])
    c.edit(edited.ident, "NEW-TEXT", people["root"])
    c.hide(hidden.ident, "HIDE-REASON", people["mod"])
    c.delete(deleted.ident, people["root"])
    client = app.test_client()
    query = "SELECT ?text WHERE { ?s ?p ?text FILTER(isLiteral(?text)) }"
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    texts = {b["text"]["value"] for b in r.get_json()["results"]["bindings"]}
    dump = b"".join(client.get("/dump.nq").response).decode()
    for public in (texts, dump):
        assert "VISIBLE-TEXT" in public if isinstance(public, str) else "VISIBLE-TEXT" in public
        assert "NEW-TEXT" in public if isinstance(public, str) else "NEW-TEXT" in public
        for private in ("PENDING-TEXT", "HIDDEN-TEXT", "DELETED-TEXT", "OLD-TEXT", "REPORT-REASON",
                        "HIDE-REASON"):
            assert private not in public
    # a comment hidden after /sparql answered leaves it at once (no data version moved)
    visible = next(x for x in c.on(S1) if x.text == "VISIBLE-TEXT")
    c.hide(visible.ident, "late", people["mod"])
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert "VISIBLE-TEXT" not in {b["text"]["value"] for b in r.get_json()["results"]["bindings"]}
