"""Collections as communities on the site, through a real server, cookie-keeping clients and
a real SMTP server on 127.0.0.1: joining, requests decided with a reason (mailed), roles,
settings, invitations, and the permission matrix of every write route."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.conftest import serving
from tests.mailbox import Mailbox

ROOT = Path(__file__).resolve().parent.parent
DUMP = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
COLLECTION = "http://repo.example.org/collection"
PASSWORD = "a long enough password"
USERS = {"owner": (), "fac": (), "author": (), "member": (), "other": (), "mod": ("--role", "moderator"),
         "root": ("--role", "admin")}


def cli(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                          capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def box():
    mailbox = Mailbox().start()
    yield mailbox
    mailbox.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, box):
    store = tmp_path_factory.mktemp("membership-web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD, **box.env()}
    cli(env, "publisher", "add", "example", "--name", "Example repository")
    cli(env, "ingest", "--source", "example", "--mode", "strict", str(DUMP))
    for name, extra in USERS.items():
        cli(env, "user", "add", name, "--name", f"{name.title()} <B>", "--email", f"{name}@example.org", *extra)
    with serving(env) as url:
        yield url


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(site: str, username: str | None) -> requests.Session:
    s = requests.Session()
    if username:
        page = s.get(site + "/login", timeout=10).text
        r = s.post(site + "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(page)},
                   timeout=10, allow_redirects=False)
        assert r.status_code == 303, r.text[:300]
    return s


def community(s: requests.Session, site: str, collection: str = COLLECTION) -> requests.Response:
    return s.get(site + "/community?collection=" + quote(collection, safe=""), timeout=10)


def post(s: requests.Session, site: str, path: str, **fields) -> requests.Response:
    page = community(s, site).text
    if 'name="csrf_token"' not in page:  # an anonymous visitor: a token from the sign-in form
        page = s.get(site + "/login", timeout=10).text
    token = csrf(page) if "csrf_token" not in fields else fields.pop("csrf_token")
    return s.post(site + path, data={"collection": COLLECTION, "csrf_token": token, **fields}, timeout=10,
                  allow_redirects=False)


@pytest.fixture(scope="module")
def roles(site):
    """The owner (named by a moderator), a facilitator, an author and a member."""
    mod = signed_in(site, "mod")
    assert post(mod, site, "/community/transfer", username="owner").status_code == 303
    owner = signed_in(site, "owner")
    for name in ("fac", "author", "member"):
        assert post(signed_in(site, name), site, "/community/join").status_code == 303
    assert post(owner, site, "/community/role", username="fac", role="facilitator").status_code == 303
    assert post(owner, site, "/community/role", username="author", role="author").status_code == 303
    return site


def test_the_community_page_lists_members_escaped(roles):
    page = community(requests.Session(), roles)
    assert page.status_code == 200
    assert "Owner &lt;B&gt;" in page.text and "<B>" not in page.text
    assert "Sign in to join" in page.text and "Requests to join" not in page.text
    assert "@example.org" not in page.text  # no addresses
    # the collection's page leads to it
    collection_page = requests.get(roles + "/resource?uri=" + quote(COLLECTION, safe=""), timeout=10).text
    assert "/community?collection=" in collection_page


def test_an_unknown_collection_is_a_404_page(roles):
    r = requests.get(roles + "/community?collection=http://nowhere.example.org/x", timeout=10)
    assert r.status_code == 404 and "There is no published collection" in r.text
    assert requests.get(roles + "/community", timeout=10).status_code == 404


def test_a_closed_community_request_is_refused_with_a_reason_mailed(roles, box):
    owner, other = signed_in(roles, "owner"), signed_in(roles, "other")
    r = post(owner, roles, "/community/settings", open="closed", who_may_post="members", moderation="before")
    assert r.status_code == 303
    before = len(box.messages)
    r = post(other, roles, "/community/join", note="I work on <b>SEMIC</b>")
    assert r.status_code == 303
    # its facilitators are told (owner and fac)
    mails = box.wait_for(before + 2)[before:]
    assert {m["To"] for m in mails} == {"owner@example.org", "fac@example.org"}
    assert "I work on <b>SEMIC</b>" in mails[0].get_content()
    page = community(owner, roles).text
    assert "Requests to join" in page and "I work on &lt;b&gt;SEMIC&lt;/b&gt;" in page
    r = post(owner, roles, "/community/decide", username="other", decision="refuse", reason="")
    assert r.status_code == 400 and "reason" in r.text
    r = post(signed_in(roles, "fac"), roles, "/community/decide", username="other", decision="refuse",
             reason="For public bodies only")
    assert r.status_code == 303
    told = box.wait_for(before + 3)[-1]
    assert told["To"] == "other@example.org" and "For public bodies only" in told.get_content()
    assert "Ask to join" in community(other, roles).text
    post(owner, roles, "/community/settings", open="open", who_may_post="members", moderation="before")


def test_an_invitation_makes_its_opener_a_member(roles, box):
    before = len(box.messages)
    assert post(signed_in(roles, "fac"), roles, "/community/invite", email="guest@example.org").status_code == 303
    mail = box.wait_for(before + 1)[-1]
    link = re.search(r"(http://\S+/community/invitation/\S+)", mail.get_content()).group(1)
    anonymous = requests.get(link, timeout=10)
    assert anonymous.status_code == 200 and "Sign in to accept" in anonymous.text
    s = signed_in(roles, "other")
    page = s.get(link, timeout=10)
    r = s.post(link, data={"csrf_token": csrf(page.text)}, timeout=10, allow_redirects=False)
    assert r.status_code == 303
    assert "You are a member" in community(s, roles).text
    assert s.get(link, timeout=10).status_code == 404  # used
    post(s, roles, "/community/leave")


# the permission matrix: every write route, every kind of account
ROUTES = {
    "/community/decide": {"username": "nobody", "decision": "approve"},
    "/community/role": {"username": "member", "role": "member"},
    "/community/remove": {"username": "nobody"},
    "/community/transfer": {"username": "owner"},
    "/community/settings": {"open": "open", "who_may_post": "members", "moderation": "before"},
    "/community/invite": {"email": "not an address"},
}
# what each may do: 403 (refused), or a status the route gives an allowed caller for this input
ALLOWED = {  # route -> who passes the permission check
    "/community/decide": {"owner", "fac", "mod", "root"},
    "/community/role": {"owner", "fac", "mod", "root"},
    "/community/remove": {"owner", "fac", "mod", "root"},
    "/community/transfer": {"owner", "mod", "root"},
    "/community/settings": {"owner", "fac", "mod", "root"},
    "/community/invite": {"owner", "fac", "mod", "root"},
}


@pytest.mark.parametrize("path", sorted(ROUTES))
@pytest.mark.parametrize("who", [None, "member", "author", "fac", "owner", "mod", "root", "other"])
def test_the_permission_matrix(roles, path, who):
    s = signed_in(roles, who)
    r = post(s, roles, path, **ROUTES[path])
    if who is None:
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    elif who in ALLOWED[path]:
        assert r.status_code in (303, 400, 404, 409), (r.status_code, r.text[:300])
    else:
        assert r.status_code == 403, (who, path, r.status_code)


def test_writes_without_a_csrf_token_are_refused(roles):
    s = signed_in(roles, "owner")
    r = s.post(roles + "/community/settings", data={"collection": COLLECTION, "open": "closed",
                                                    "who_may_post": "members", "moderation": "after"}, timeout=10)
    assert r.status_code == 400
    assert "Posts are published at once." not in community(s, roles).text


def test_the_request_queue_for_moderators(roles):
    r = signed_in(roles, "mod").get(roles + "/moderation/requests", timeout=10)
    assert r.status_code == 200 and "Requests to join" in r.text
    assert signed_in(roles, None).get(roles + "/moderation/requests", timeout=10, allow_redirects=False).status_code == 302
