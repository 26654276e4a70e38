"""Proposed solutions and their moderation: on both store backends, the state machine with
who and when, refused transitions, privacy until validated, publication through the
ingest pipeline (source ``community``) and withdrawal (410); then the site, through a
real server: the form, its plain-language problems, the permission matrix, CSRF."""

from __future__ import annotations

import os
import re

import pyoxigraph as ox
import pytest
import requests

from catalogue import search
from catalogue.app import Catalogue
from catalogue.community import Moderation, NotAllowed, ProposalForm, TransitionError
from catalogue.graphs import COMMUNITY
from catalogue.search import SearchRequest
from catalogue.terms import CAT
from tests.conftest import serving
from tests.test_publish_web import cli, csrf

PASSWORD = "a long enough password"
API = "http://data.europa.eu/dr8/APIApplicationInterface"


def a_form(title: str = "Open Procurement Gateway", **changes) -> ProposalForm:
    values = dict(
        title=title, language="en",
        description=f"{title} lets public buyers publish tenders and receive bids from suppliers "
                    "across borders, following the eProcurement standards.",
        blocks=(API,), keywords="procurement, tenders", landing_page="https://gateway.example.org/",
        publisher="Example Agency", email="desk@example.org",
        access_url="https://gateway.example.org/download.zip",
        licence="http://spdx.org/licenses/EUPL-1.2")
    return ProposalForm(**{**values, **changes})


@pytest.fixture
def catalogue(store, settings):
    c = Catalogue(settings, store)
    yield c


@pytest.fixture
def people(catalogue):
    a = catalogue.accounts
    return {"alice": a.add_user("alice", PASSWORD), "bob": a.add_user("bob", PASSWORD),
            "mod": a.add_user("mod", PASSWORD, roles=("moderator",)),
            "root": a.add_user("root", PASSWORD, roles=("admin",))}


@pytest.fixture
def moderation(catalogue):
    return Moderation(catalogue)


def proposed(moderation, user, title: str = "Open Procurement Gateway"):
    checked, p = moderation.create(a_form(title), user, submit=True)
    assert checked.ok and p is not None, checked.report.as_text()
    return p


def searched(catalogue, words: str) -> list[str]:
    index = search.open_index(search.index_path(catalogue.settings.store))
    return [h.iri for h in search.search(index, SearchRequest(q=words)).hits]


def test_the_states_record_who_and_when(catalogue, moderation, people):
    checked, draft = moderation.create(a_form(), people["alice"])
    assert checked.ok and draft.state == "draft" and draft.author == "alice"
    assert moderation.submit(draft.id, people["alice"]).state == "proposed"
    p, report = moderation.validate(draft.id, people["mod"])
    assert report.stored and p.state == "validated"
    assert [(e.action, e.state, e.by) for e in p.events] == [
        ("create", "draft", "alice"), ("submit", "proposed", "alice"), ("validate", "validated", "mod")]
    assert p.last("validate").at >= p.last("submit").at >= p.created
    # the workflow is RDF in the private moderation graph
    facts = {(t.predicate, t.object) for t in catalogue.store.triples(moderation.graph)
             if t.subject == ox.NamedNode(p.iri)}
    assert (CAT.state, ox.Literal("validated")) in facts
    assert (CAT.proposedBy, ox.NamedNode(people["alice"].iri)) in facts
    assert (CAT.validatedBy, ox.NamedNode(people["mod"].iri)) in facts
    assert {pred for pred, _ in facts} >= {CAT.proposedAt, CAT.validatedAt, CAT.createdAt, CAT.history}
    proposed(moderation, people["bob"], "Second Gateway")  # something must stay published
    second = moderation.proposals(state="proposed")[0]
    moderation.validate(second.id, people["root"])
    archived, _ = moderation.archive(p.id, people["mod"])
    assert archived.state == "archived" and archived.last("archive").by == "mod"


def test_refused_transitions_say_why_and_change_nothing(moderation, people):
    _, draft = moderation.create(a_form(), people["alice"])
    with pytest.raises(TransitionError, match="a draft proposal cannot be validated"):
        moderation.validate(draft.id, people["mod"])
    with pytest.raises(TransitionError, match="cannot be archived: only a validated one"):
        moderation.archive(draft.id, people["mod"])
    with pytest.raises(NotAllowed):
        moderation.submit(draft.id, people["bob"])  # not the author
    moderation.submit(draft.id, people["alice"])
    with pytest.raises(TransitionError):
        moderation.submit(draft.id, people["alice"])
    with pytest.raises(TransitionError, match="cannot be edited"):
        moderation.edit(draft.id, a_form("Renamed"), people["alice"])
    for who in ("alice", "bob"):  # members, the author included, do not moderate
        with pytest.raises(NotAllowed):
            moderation.validate(draft.id, people[who])
    assert moderation.get(draft.id).state == "proposed"
    assert [e.action for e in moderation.get(draft.id).events] == ["create", "submit"]


def test_a_moderator_sends_a_proposal_back_with_a_note(moderation, people):
    p = proposed(moderation, people["alice"])
    back = moderation.reject(p.id, people["mod"], "Say which standard it follows.")
    assert back.state == "draft" and back.note == "Say which standard it follows."
    assert back.last("reject").by == "mod" and back.last("reject").note == back.note
    checked, edited = moderation.edit(p.id, a_form(description="Follows EN 16931. " * 8), people["alice"],
                                      submit=True)
    assert checked.ok and edited.state == "proposed" and edited.note is None
    assert [e.action for e in edited.events] == ["create", "submit", "reject", "edit", "submit"]
    assert "EN 16931" in moderation.form(p.id).description


def test_a_draft_is_nowhere_public_until_validated(catalogue, moderation, people):
    p = proposed(moderation, people["alice"], "Zanzibar Registry Bridge")
    public = {g.value for g in catalogue.public_graphs()}
    assert not any("/graph/draft/" in g for g in public)
    assert not catalogue.reader.describe(p.solution)
    assert b"Zanzibar" not in b"".join(catalogue.feeds.export("nq"))
    catalogue.search.reindex()
    assert p.solution not in searched(catalogue, "Zanzibar")
    assert catalogue.reader.withdrawal(p.solution) is None

    moderation.validate(p.id, people["mod"])
    assert catalogue.reader.describe(p.solution)
    assert catalogue.publishing.source(COMMUNITY).name == "Community proposals"
    stored = catalogue.store.triples(catalogue.publishing.source_graph(COMMUNITY))
    assert ox.NamedNode(p.solution) in {t.subject for t in stored}
    assert p.solution in searched(catalogue, "Zanzibar")
    assert catalogue.publishing.runs(COMMUNITY)[0]["origin"] == "moderation"  # public: no account name
    assert not any("/graph/draft/" in g.value for g in catalogue.public_graphs())


def test_archiving_withdraws_it_and_its_puri_is_gone(catalogue, moderation, people):
    first = proposed(moderation, people["alice"], "First Gateway")
    second = proposed(moderation, people["bob"], "Second Gateway")
    moderation.validate(first.id, people["mod"])
    moderation.validate(second.id, people["mod"])
    moderation.archive(first.id, people["mod"])
    assert not catalogue.reader.describe(first.solution)
    gone = catalogue.reader.withdrawal(first.solution)
    assert gone is not None and gone.source == COMMUNITY
    assert catalogue.reader.describe(second.solution)
    assert first.solution not in searched(catalogue, "Gateway")
    # the last one too: the community source is then withdrawn as a whole
    moderation.archive(second.id, people["mod"])
    assert not catalogue.reader.describe(second.solution) and catalogue.reader.withdrawal(second.solution)
    assert not searched(catalogue, "Gateway")
    assert catalogue.publishing.runs(COMMUNITY)[0]["outcome"] == "withdrawn"


def test_a_refused_form_stores_nothing_and_says_why_in_plain_words(catalogue, moderation, people):
    from catalogue.reports import explain

    checked, p = moderation.create(a_form(publisher="", landing_page="javascript:alert(1)",
                                          access_url="https://[broken", email="not an address"),
                                   people["alice"])
    assert p is None and not checked.ok
    assert {(x.field, x.kind) for x in checked.problems} == {
        ("landing_page", "web-address"), ("access_url", "web-address"), ("email", "email")}
    words = [x.problem + " " + x.fix for r in explain(checked.report, "en").records for x in r.problems]
    assert any("publisher" in w.lower() for w in words)
    assert moderation.proposals() == []
    assert not catalogue.store.triples(moderation.graph)


def test_the_form_builds_safe_rdf_and_reads_back(moderation, people):
    hostile = a_form('Tool "> . <http://evil.example/x> <http://evil.example/y> "z" .',
                     keywords='a, b , "c"')
    checked, p = moderation.create(hostile, people["alice"])
    assert checked.ok
    assert moderation.form(p.id).title == hostile.title  # a literal, never syntax
    assert not any("evil" in t.subject.value for t in moderation.triples(p.id))
    assert moderation.form(p.id).keywords == '"c", a, b'
    assert moderation.form(p.id).licence == "http://spdx.org/licenses/EUPL-1.2"


# --- the site --------------------------------------------------------------------------------

WEB_USERS = {"alice": (), "bob": (), "mod": ("--role", "moderator"), "root": ("--role", "admin")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("moderation-web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    cli(env, "init", "--no-demo")
    for name, extra in WEB_USERS.items():
        cli(env, "user", "add", name, *extra)
    with serving(env) as url:
        yield url


def session(site: str, username: str | None) -> requests.Session:
    s = requests.Session()
    if username is not None:
        form = s.get(site + "/login", timeout=10).text
        r = s.post(site + "/login", data={"username": username, "password": PASSWORD,
                                          "csrf_token": csrf(form)}, timeout=10)
        assert r.status_code == 200, r.text[:300]
    return s


def fields(**changes) -> dict:
    form = a_form(**changes)
    return {"title": form.title, "language": "en", "description": form.description,
            "blocks": list(form.blocks), "keywords": form.keywords, "landing_page": form.landing_page,
            "publisher": form.publisher, "email": form.email, "access_url": form.access_url,
            "licence": form.licence}


def propose(site: str, s: requests.Session, action: str = "save", **changes) -> requests.Response:
    page = s.get(site + "/propose", timeout=10).text
    return s.post(site + "/propose", data={**fields(**changes), "action": action,
                                           "csrf_token": csrf(page)}, timeout=60)


def act(site: str, s: requests.Session, path: str, **data) -> requests.Response:
    page = s.get(site + ("/login" if not s.cookies else "/proposals"), timeout=10).text
    return s.post(site + path, data={**data, "csrf_token": csrf(page)}, allow_redirects=False,
                  timeout=60)


def sparql_finds(site: str, iri: str) -> bool:
    r = requests.get(site + "/sparql", params={"query": "ASK { <" + iri + "> ?p ?o }"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return r.json()["boolean"]


def test_propose_submit_and_validate_on_the_site(site):
    alice = session(site, "alice")
    refused = propose(site, alice, title="Kept <Title> & co", publisher="")
    assert refused.status_code == 422
    assert "Nothing was saved" in refused.text and "publisher" in refused.text.lower()
    assert 'value="Kept &lt;Title&gt; &amp; co"' in refused.text  # kept, escaped
    assert 'hreflang="ga"' not in refused.text  # the site's language switch is untouched

    saved = propose(site, alice, action="submit", title="Quokka Register Bridge")
    assert saved.status_code == 200 and "/proposals/" in saved.url
    assert "Awaiting moderation" in saved.text
    path = saved.url[len(site):]
    puri = re.search(r"(https://catalogue\.example\.org/solution/[0-9a-f]{16})", saved.text).group(1)
    assert not sparql_finds(site, puri)
    assert requests.get(site + "/solution/" + puri.rsplit("/", 1)[-1], timeout=10).status_code == 404
    assert session(site, "bob").get(site + path, timeout=10).status_code == 403
    assert "Quokka" in session(site, "mod").get(site + "/proposals", timeout=10).text

    mod = session(site, "mod")
    r = act(site, mod, path + "/validate")
    assert r.status_code == 303
    assert sparql_finds(site, puri)
    assert requests.get(site + "/solution/" + puri.rsplit("/", 1)[-1], timeout=10).status_code == 200
    page = mod.get(site + path, timeout=10).text
    assert "Validated and published" in page and "mod" in page


@pytest.fixture(scope="module")
def two_proposals(site):
    """A draft and a proposed proposal of alice's: the matrix changes neither (authorised
    callers get 409, as the action does not apply to the state)."""
    alice = session(site, "alice")
    draft = propose(site, alice, title="Matrix Draft").url[len(site):]
    submitted = propose(site, alice, action="submit", title="Matrix Proposed").url[len(site):]
    return {"draft": draft, "proposed": submitted}


@pytest.mark.parametrize("action,on,allowed", [
    ("submit", "proposed", {"alice", "root"}),
    ("validate", "draft", {"mod", "root"}),
    ("reject", "draft", {"mod", "root"}),
    ("archive", "draft", {"mod", "root"}),
])
@pytest.mark.parametrize("who", [None, "bob", "alice", "mod", "root"])
def test_the_permission_matrix_of_the_moderation_routes(site, two_proposals, action, on, allowed, who):
    s = session(site, who)
    r = act(site, s, f"{two_proposals[on]}/{action}", note="x")
    if who is None:
        assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    elif who in allowed:
        assert r.status_code == 409, (who, action, r.status_code)
    else:
        assert r.status_code == 403, (who, action, r.status_code)


def test_moderation_forms_need_the_csrf_token(site, two_proposals):
    mod = session(site, "mod")
    r = mod.post(site + two_proposals["proposed"] + "/reject", data={"note": "x"}, timeout=10)
    assert r.status_code == 400 and "CSRF" in r.text
    alice = session(site, "alice")
    r = alice.post(site + "/propose", data=fields(), timeout=10)
    assert r.status_code == 400
    assert "Awaiting moderation" in mod.get(site + two_proposals["proposed"], timeout=10).text
