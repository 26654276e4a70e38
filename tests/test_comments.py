"""Comments (issue 15, item 4; catalogue/community/comments.py): threads on a solution and a
release, one's own edits and deletions, new accounts' comments held for moderation, hides
with a reason, abuse reports, who may do what, and what stays private: pending, hidden and
deleted comments, the edit history and reports never reach the public graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.community.comments import MAX_DEPTH, MAX_LENGTH, CommentError, links_in
from catalogue.errors import ErrorKind
from catalogue.settings import load_settings

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
EX = "http://repo.example.org/"
S1, S2, RELEASE = EX + "solution-1", EX + "solution-2", EX + "solution-1-v1"
PASSWORD = "correct horse battery"


@pytest.fixture
def catalogue(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo"))
    c.publishing.register_source("alpha", "Alpha")
    assert c.publishing.ingest("alpha", GOOD, filename="alpha.ttl").stored
    yield c
    c.close()


@pytest.fixture
def people(catalogue):
    a = catalogue.accounts
    return {"mia": a.add_user("mia", PASSWORD, name="Mia"), "ola": a.add_user("ola", PASSWORD, name="Ola"),
            "mod": a.add_user("mod", PASSWORD, roles=("moderator",)),
            "root": a.add_user("root", PASSWORD, roles=("admin",))}


def public_text(c: Catalogue) -> str:
    """Every public triple as N-Quads (what /sparql and the dumps may carry)."""
    return "\n".join(str(q) for q in c.store.quads(c.public_graphs()))


def problem(call) -> CommentError:
    with pytest.raises(CommentError) as caught:
        call()
    return caught.value


def test_a_new_accounts_comment_waits_then_is_approved_and_public(catalogue, people):
    c = catalogue.comments
    first = c.post(S1, "A **first** look", people["mia"])
    assert first.state == "pending"
    assert "first** look" not in public_text(catalogue)
    # its author sees it, waiting; the public and other members do not
    assert [s.comment.state for s in c.thread(S1, people["mia"])] == ["pending"]
    assert c.thread(S1, None) == [] and c.thread(S1, people["ola"]) == []
    assert [q.comment.iri for q in c.queue(people["mod"])] == [first.iri]
    c.approve(first.ident, people["mod"])
    assert [s.comment.text for s in c.thread(S1, None)] == ["A **first** look"]
    assert "first** look" in public_text(catalogue)
    assert c.queue(people["mod"]) == []
    # the SIOC description the public graph holds
    predicates = {q.predicate.value for q in catalogue.store.quads([catalogue.graphs.comments])
                  if q.subject == ox.NamedNode(first.iri)}
    assert {"http://rdfs.org/sioc/ns#reply_of", "http://rdfs.org/sioc/ns#content",
            "http://purl.org/dc/terms/creator", "http://purl.org/dc/terms/created"} <= predicates


def test_after_enough_approved_comments_an_account_posts_at_once(catalogue, people):
    c = catalogue.comments
    for n in range(catalogue.settings.comment_trust_after):
        comment = c.post(S1, f"comment {n}", people["mia"])
        assert comment.state == "pending"
        c.approve(comment.ident, people["mod"])
    assert c.post(S1, "now trusted", people["mia"]).state == "visible"
    assert c.post(S1, "moderators never wait", people["mod"]).state == "visible"


def test_threads_nest_replies_to_a_depth_limit_on_a_release(catalogue, people):
    c = catalogue.comments
    parent = c.post(RELEASE, "top", people["mod"])
    chain = [parent]
    for depth in range(2, MAX_DEPTH + 1):
        chain.append(c.post(RELEASE, f"reply at {depth}", people["root"], parent=chain[-1].ident))
    err = problem(lambda: c.post(RELEASE, "too deep", people["mod"], parent=chain[-1].ident))
    assert err.problem == "too-deep" and err.error_kind is ErrorKind.CONFLICT
    [top] = c.thread(RELEASE, None)
    node, depth = top, 1
    while node.replies:
        [node] = node.replies
        depth += 1
    assert depth == MAX_DEPTH and not node.may_reply
    # a reply belongs to the same page and answers a visible comment
    assert problem(lambda: c.post(S2, "elsewhere", people["mod"], parent=parent.ident)).problem == "no-parent"
    pending = c.post(RELEASE, "waiting", people["mia"])
    assert problem(lambda: c.post(RELEASE, "to a pending one", people["mod"], parent=pending.ident)).problem \
        == "no-parent"


def test_authors_edit_and_delete_their_own_and_nobody_elses(catalogue, people):
    c = catalogue.comments
    mine = c.post(S1, "before", people["mod"])
    assert problem(lambda: c.edit(mine.ident, "hijacked", people["ola"])).error_kind is ErrorKind.FORBIDDEN
    assert problem(lambda: c.delete(mine.ident, people["root"])).error_kind is ErrorKind.FORBIDDEN
    edited = c.edit(mine.ident, "after", people["mod"])
    assert edited.text == "after" and edited.edited and edited.state == "visible"
    public = public_text(catalogue)
    assert '"after"' in public and '"before"' not in public  # the old text stays private
    assert [a.action for a in c.acts(edited)] == ["edit"]
    reply = c.post(S1, "a reply", people["root"], parent=mine.ident)
    c.delete(mine.ident, people["mod"])
    [top] = c.thread(S1, None)
    assert top.comment.state == "deleted" and not top.full and top.comment.text == ""
    assert [r.comment.iri for r in top.replies] == [reply.iri]  # the thread keeps its shape
    assert '"after"' not in public_text(catalogue)
    assert problem(lambda: c.delete(mine.ident, people["mod"])).error_kind is ErrorKind.CONFLICT
    assert problem(lambda: c.edit(mine.ident, "back", people["mod"])).problem == "not-editable"
    # a deleted comment without replies leaves nothing behind for readers
    lone = c.post(S2, "lonely", people["mod"])
    c.delete(lone.ident, people["mod"])
    assert c.thread(S2, None) == []


def test_an_untrusted_authors_edit_of_a_visible_comment_waits_again(catalogue, people):
    c = catalogue.comments
    comment = c.post(S1, "harmless", people["mia"])
    c.approve(comment.ident, people["mod"])
    assert c.edit(comment.ident, "now with spam", people["mia"]).state == "pending"
    assert "spam" not in public_text(catalogue)


def test_moderators_hide_with_a_reason_the_author_reads(catalogue, people):
    c = catalogue.comments
    rude = c.post(S1, "something rude", people["root"])
    assert problem(lambda: c.hide(rude.ident, "no", people["ola"])).error_kind is ErrorKind.FORBIDDEN
    assert problem(lambda: c.hide(rude.ident, "  ", people["mod"])).problem == "no-reason"
    c.hide(rude.ident, "Be kind to each other", people["mod"])
    assert "something rude" not in public_text(catalogue)
    [public] = c.thread(S1, None)
    assert not public.full and public.comment.state == "hidden"
    [own] = c.thread(S1, people["root"])
    assert own.full and own.comment.reason == "Be kind to each other"
    [act] = c.acts(own.comment)
    assert act.action == "hide" and act.by.endswith("/user/mod") and act.reason == "Be kind to each other"
    assert problem(lambda: c.hide(rude.ident, "again", people["mod"])).error_kind is ErrorKind.CONFLICT
    c.approve(rude.ident, people["root"])  # shown again, by an administrator
    assert "something rude" in public_text(catalogue)


def test_reports_reach_the_queue_once_per_reader(catalogue, people):
    c = catalogue.comments
    comment = c.post(S1, "buy cheap pills", people["mod"])
    assert problem(lambda: c.report(comment.ident, "mine", people["mod"])).error_kind is ErrorKind.FORBIDDEN
    c.report(comment.ident, "spam", people["mia"])
    assert problem(lambda: c.report(comment.ident, "spam again", people["mia"])).error_kind is ErrorKind.CONFLICT
    c.report(comment.ident, "advertising", people["ola"])
    [queued] = c.queue(people["mod"])
    assert sorted(r.reason for r in queued.reports) == ["advertising", "spam"]
    [seen] = c.thread(S1, people["mia"])
    assert seen.reported and not seen.may_report
    assert "spam" not in public_text(catalogue) and "advertising" not in public_text(catalogue)
    c.approve(comment.ident, people["mod"])  # kept: the reports are dealt with
    assert c.queue(people["mod"]) == []
    assert problem(lambda: c.approve(comment.ident, people["mod"])).problem == "not-approvable"


def test_the_queue_is_for_moderators(catalogue, people):
    c = catalogue.comments
    c.post(S1, "waiting", people["mia"])
    assert c.queue(people["ola"]) == []
    assert len(c.queue(people["root"])) == 1


def test_bad_input_is_refused_with_its_reason(catalogue, people):
    c = catalogue.comments
    assert problem(lambda: c.post(S1, "   ", people["mod"])).problem == "empty"
    err = problem(lambda: c.post(S1, "x" * (MAX_LENGTH + 1), people["mod"]))
    assert err.problem == "too-long" and err.limit == MAX_LENGTH
    assert problem(lambda: c.post("http://nowhere.example.org/x", "hi", people["mod"])).error_kind \
        is ErrorKind.NOT_FOUND
    assert problem(lambda: c.post("not an iri", "hi", people["mod"])).problem == "no-target"
    assert problem(lambda: c.get("zz")).error_kind is ErrorKind.NOT_FOUND
    # a new account's comment holds at most CATALOGUE_COMMENT_NEW_LINKS links
    two = "see https://a.example.org and [this](https://b.example.org)"
    assert links_in(two) == 2
    err = problem(lambda: c.post(S1, two, people["mia"]))
    assert err.problem == "too-many-links" and err.error_kind is ErrorKind.REFUSED
    assert c.post(S1, "see https://a.example.org", people["mia"]).state == "pending"
    assert c.post(S1, two, people["mod"]).state == "visible"  # trusted: no link limit


def test_comments_never_move_the_data_version_but_move_their_own(catalogue, people):
    before, version = catalogue.data_version().token, catalogue.comments.version()
    catalogue.changed()
    comment = catalogue.comments.post(S1, "hello", people["mod"])
    catalogue.changed()
    assert catalogue.data_version().token == before
    assert catalogue.comments.version() != version
    moved = catalogue.comments.version()
    catalogue.comments.post(S1, "pending", people["mia"])  # nothing public changed
    assert catalogue.comments.version() == moved
    catalogue.comments.hide(comment.ident, "gone", people["mod"])
    assert catalogue.comments.version() != moved


def test_created_is_a_utc_datetime(catalogue, people):
    comment = catalogue.comments.post(S1, "when?", people["mod"])
    assert comment.created.endswith(("Z", "+00:00"))
    [created] = [q.object for q in catalogue.store.quads([catalogue.graphs.comments])
                 if q.subject == ox.NamedNode(comment.iri) and q.predicate.value.endswith("/created")]
    assert created.datatype.value == "http://www.w3.org/2001/XMLSchema#dateTime"
