"""Collection facilitators, as on Joinup: accounts facilitate collections (both backends),
the command line refuses a collection that is not published, a facilitator judges the
proposals into their collections and no others (the ``may`` matrix), and a solution
proposed into a collection counts as one of it (``dct:isPartOf``) on the collection's
page and in the search facet; then the same through a real server."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from catalogue import search
from catalogue.app import Catalogue
from catalogue.community import Moderation, NotAllowed, Proposal, may, may_view
from catalogue.community.accounts import AccountError, Accounts, User
from catalogue.graphs import Graphs
from catalogue.search import SearchRequest
from catalogue.terms import DCT
from tests.conftest import serving
from tests.test_moderation import PASSWORD, a_form, act, fields, session
from tests.test_publish_web import cli, csrf

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "catalogue" / "data" / "examples" / "publisher-fixed.ttl"
COLLECTION = "http://repo.example.org/collection"  # "Example repository", lists 2 solutions
OTHER = "http://elsewhere.example.org/collection"
BASE = "https://catalogue.example.org/"


# --- accounts ---------------------------------------------------------------------------------

@pytest.fixture
def accounts(store):
    return Accounts(store, Graphs(BASE))


def test_an_account_facilitates_collections_until_revoked(accounts):
    user = accounts.add_user("fac", PASSWORD, collections=(COLLECTION,))
    assert user.collections == {COLLECTION} and user.roles == {"member"}
    assert user.can_facilitate(COLLECTION) and not user.can_facilitate(OTHER)
    assert not user.can_facilitate(None) and user.moderates_any and not user.is_moderator
    accounts.grant("fac", collection=OTHER)
    assert accounts.user("fac").collections == {COLLECTION, OTHER}
    accounts.revoke("fac", collection=COLLECTION)
    assert accounts.user("fac").collections == {OTHER}
    with pytest.raises(AccountError, match="not an IRI"):
        accounts.grant("fac", collection="not an iri")
    plain = accounts.add_user("plain", PASSWORD)
    assert plain.collections == frozenset() and not plain.moderates_any
    admin = accounts.add_user("root", PASSWORD, roles=("admin",))
    assert admin.can_facilitate(COLLECTION)


def test_the_user_record_stays_backwards_compatible():
    old = User("https://x/user/a", "a", "A", frozenset({"member"}), frozenset())
    assert old.collections == frozenset() and not old.can_facilitate(COLLECTION)


# --- who may do what ------------------------------------------------------------------------

def _user(name: str, roles=("member",), collections=()) -> User:
    return User(f"{BASE}user/{name}", name, name, frozenset({"member", *roles}), frozenset(),
                frozenset(collections))


def _proposal(collection: str | None) -> Proposal:
    return Proposal(id="0" * 16, iri=f"{BASE}proposal/x", solution=f"{BASE}solution/x",
                    state="proposed", author="alice", created="2024-01-01T00:00:00Z",
                    changed="2024-01-01T00:00:00Z", title="X", collection=collection)


@pytest.mark.parametrize("who,judges", [
    (_user("fac", collections=(COLLECTION,)), True),
    (_user("elsewhere", collections=(OTHER,)), False),
    (_user("bob"), False),
    (_user("mod", roles=("moderator",)), True),
    (_user("root", roles=("admin",)), True),
])
def test_a_facilitator_judges_the_proposals_of_their_collection_only(who, judges):
    inside, outside = _proposal(COLLECTION), _proposal(None)
    for action in ("validate", "reject", "archive"):
        assert may(who, action, inside) is judges, (who.username, action)
    assert may_view(who, inside) is judges
    assert not may(who, "edit", inside) or who.is_admin  # only the author (or an admin) edits
    assert not may(who, "submit", inside) or who.is_admin
    # a proposal into no collection is the moderators' alone
    assert may(who, "validate", outside) is who.is_moderator
    assert may_view(who, outside) is who.is_moderator


# --- proposing into a collection --------------------------------------------------------------

@pytest.fixture
def catalogue(store, settings):
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    assert c.publishing.ingest("example", DUMP.read_bytes(), format="ttl", mode="strict").stored
    return c


def facet_count(catalogue, collection: str) -> int:
    index = search.open_index(search.index_path(catalogue.settings.store))
    result = search.search(index, SearchRequest(filters={"type": ("solution",)}))
    return {f.value: f.count for f in result.facets.get("collection", [])}.get(collection, 0)


def test_a_solution_proposed_into_a_collection_is_one_of_it(catalogue):
    a = catalogue.accounts
    alice, fac = a.add_user("alice", PASSWORD), a.add_user("fac", PASSWORD, collections=(COLLECTION,))
    elsewhere = a.add_user("elsewhere", PASSWORD, collections=(OTHER,))
    moderation = Moderation(catalogue)
    assert facet_count(catalogue, COLLECTION) == 2

    # only a published collection: nothing is stored otherwise
    checked, nothing = moderation.create(a_form(collection=OTHER), alice, submit=True)
    assert nothing is None and [(p.field, p.kind) for p in checked.problems] == [("collection", "collection")]

    checked, p = moderation.create(a_form("Walrus Exchange", collection=COLLECTION), alice, submit=True)
    assert checked.ok, checked.report.as_text()  # the shapes accept dct:isPartOf
    assert p.collection == COLLECTION and moderation.form(p.id).collection == COLLECTION
    assert ox.Triple(ox.NamedNode(p.solution), DCT.isPartOf, ox.NamedNode(COLLECTION)) in moderation.triples(p.id)
    with pytest.raises(NotAllowed):
        moderation.validate(p.id, elsewhere)
    validated, report = moderation.validate(p.id, fac)
    assert report.stored and validated.last("validate").by == "fac"

    assert facet_count(catalogue, COLLECTION) == 3
    page = catalogue.reader.resource_page(COLLECTION, catalogue.reader.describe(COLLECTION), ("en",))
    assert page.total == 3 and p.solution in {s.iri for s in page.solutions}
    assert "Walrus Exchange" in {s.label for s in page.solutions}
    solution = catalogue.reader.solution_page(p.solution)
    assert COLLECTION in {c.iri for c in solution.collections}


def test_part_of_something_that_is_no_collection_counts_nowhere(catalogue):
    dump = DUMP.read_text() + "\nex:solution-2 dct:isPartOf <http://repo.example.org/not-a-collection> .\n"
    assert catalogue.publishing.ingest("example", dump.encode(), format="ttl", mode="strict").stored
    index = search.open_index(search.index_path(catalogue.settings.store))
    values = {f.value for f in search.search(index, SearchRequest()).facets.get("collection", [])}
    assert values == {COLLECTION}


# --- the command line -----------------------------------------------------------------------

def test_the_command_line_grants_published_collections_only(run_cli):
    assert run_cli("init", "--no-demo").returncode == 0
    assert run_cli("ingest", str(DUMP), "--source", "example").returncode == 0
    env = {"CATALOGUE_NEW_PASSWORD": PASSWORD}
    bad = run_cli("user", "add", "fac", "--facilitator", OTHER, env=env)
    assert bad.returncode == 2 and b"no published collection" in bad.stderr
    assert run_cli("user", "add", "fac", env=env).returncode == 0
    for iri in (OTHER, "not an iri"):
        bad = run_cli("user", "grant", "fac", "--facilitator", iri)
        assert bad.returncode == 2 and b"no published collection" in bad.stderr, bad.stderr
    ok = run_cli("user", "grant", "fac", "--facilitator", COLLECTION)
    assert ok.returncode == 0 and f"facilitator of {COLLECTION}".encode() in ok.stdout


# --- the site ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("facilitators-web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    cli(env, "init", "--no-demo")
    cli(env, "ingest", str(DUMP), "--source", "example")
    cli(env, "user", "add", "alice")
    cli(env, "user", "add", "fac", "--facilitator", COLLECTION)
    cli(env, "user", "add", "root", "--role", "admin")
    with serving(env) as url:
        yield url


def collection_count(site: str) -> int:
    text = requests.get(site + "/search", params={"type": "solution"}, timeout=20).text
    return int(re.search(r">Example repository</span>(?:[^(]*?)</a> \((\d+)\)", text).group(1))


def propose(site: str, s: requests.Session, collection: str = "", **changes) -> requests.Response:
    page = s.get(site + "/propose", timeout=10).text
    return s.post(site + "/propose", data={**fields(**changes), "collection": collection,
                                           "action": "submit", "csrf_token": csrf(page)}, timeout=60)


def test_a_facilitator_validates_a_proposal_into_their_collection_on_the_site(site):
    alice, fac = session(site, "alice"), session(site, "fac")
    form = alice.get(site + "/propose", timeout=10).text
    assert f'<option value="{COLLECTION}" lang="en">Example repository</option>' in form
    inside = propose(site, alice, title="Narwhal Registry Link", collection=COLLECTION)
    outside = propose(site, alice, title="Outside Gateway")
    assert inside.status_code == outside.status_code == 200
    inside_path, outside_path = inside.url[len(site):], outside.url[len(site):]
    assert collection_count(site) == 2

    queue = fac.get(site + "/proposals", timeout=10).text
    assert "Narwhal Registry Link" in queue and "Outside Gateway" not in queue
    assert "Example repository" in queue
    assert fac.get(site + outside_path, timeout=10).status_code == 403
    assert act(site, fac, outside_path + "/validate").status_code == 403

    page = fac.get(site + inside_path, timeout=10).text
    assert "Validate and publish" in page and "Example repository" in page
    assert act(site, fac, inside_path + "/validate").status_code == 303
    puri = re.search(r"(https://catalogue\.example\.org/solution/[0-9a-f]{16})", page).group(1)

    assert collection_count(site) == 3
    r = requests.get(site + "/resource", params={"uri": COLLECTION, "lang": "en"},
                     headers={"Accept": "text/html"}, timeout=20)
    assert "Solutions in this collection (3)" in r.text and "Narwhal Registry Link" in r.text
    assert f'href="/resource?uri={puri}"' in r.text


def test_admins_give_collections_on_the_users_page(site):
    root = session(site, "root")
    page = root.get(site + "/users", timeout=10).text
    assert "Facilitator of" in page
    assert re.search(r"<td>fac</td>.*?<span title=\"" + re.escape(COLLECTION) + r"\">Example repository</span>",
                     page, re.S)
    refused = root.post(site + "/users", data={"username": "alice", "action": "grant", "facilitator": OTHER,
                                               "csrf_token": csrf(page)}, timeout=10)
    assert refused.status_code == 400 and "There is no published collection" in refused.text
    saved = root.post(site + "/users", data={"username": "alice", "action": "grant",
                                             "facilitator": COLLECTION, "csrf_token": csrf(page)}, timeout=10)
    assert saved.status_code == 200 and "Account alice saved" in saved.text
    assert "Moderation" in session(site, "alice").get(site + "/proposals", timeout=10).text
