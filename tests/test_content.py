"""Community content (issue 15, item 3) in the domain: the states and who moves them, the
public and private graphs, revisions, featured items, events and their iCalendar, documents
(type sniffed from content, executables and zip bombs refused, kept once by SHA-256), and
search documents written per item."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pyoxigraph as ox
import pytest

from catalogue import queries
from catalogue.app import Catalogue
from catalogue.community.content import Upload
from catalogue.community.content_model import ContentError, check_fields
from catalogue.community.documents import DocumentError, check, safe_filename, sniff
from catalogue.community.ical import calendar
from catalogue.errors import ErrorKind
from catalogue.search import SearchRequest
from catalogue.search.index import index_path, open_index
from catalogue.search.query import search
from catalogue.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "catalogue" / "data" / "examples" / "publisher-fixed.ttl"
COLLECTION = "http://repo.example.org/collection"
SOLUTION = "http://repo.example.org/solution-1"
PASSWORD = "a long enough password"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EVENT = {"title": "Kick-off", "description": "We *meet*.", "start": "2030-03-15T09:30", "end": "2030-03-15T12:00",
         "timezone": "Europe/Brussels", "location": "Brussels, Rue de la Loi 200"}


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


def user(c: Catalogue, name: str):
    return c.accounts.user(name)


def in_graph(c: Catalogue, graph: ox.NamedNode, iri: str) -> bool:
    return bool(list(queries.select(c.store, "content_item", graph=graph, item=ox.NamedNode(iri))))


def test_moderated_before_a_member_proposes_and_a_facilitator_publishes(catalogue):
    c = catalogue
    member = user(c, "member")
    news = c.content.create(COLLECTION, "news", {"title": "Hello", "description": "First **news**"}, member,
                            submit=True)
    assert news.state == "proposed" and news.iri == f"{c.graphs.base}content/{news.ident}"
    assert in_graph(c, c.graphs.content_private, news.iri) and not in_graph(c, c.graphs.content, news.iri)
    # hidden from the public and other members: not found, as if it did not exist
    for viewer in (None, user(c, "stranger"), user(c, "author")):
        with pytest.raises(ContentError) as err:
            c.content.get(news.ident, viewer)
        assert err.value.error_kind is ErrorKind.NOT_FOUND
    assert c.content.get(news.ident, user(c, "fac")).title == "Hello"
    container = c.content.container(COLLECTION)
    assert [i.ident for i in c.content.in_container(container, None)] == []
    # the member cannot publish it; the facilitator can
    with pytest.raises(ContentError) as err:
        c.content.act(news.ident, "publish", member)
    assert err.value.error_kind is ErrorKind.FORBIDDEN
    published = c.content.act(news.ident, "publish", user(c, "fac"))
    assert published.state == "published" and published.issued is not None
    assert in_graph(c, c.graphs.content, news.iri) and not in_graph(c, c.graphs.content_private, news.iri)
    assert c.content.get(news.ident, None).state == "published"
    assert [i.ident for i in c.content.in_container(container, None)] == [news.ident]
    # revisions: who and when, for the author and facilitators only
    revisions = c.content.revisions(published, member)
    assert [(r.action, r.who, r.state) for r in revisions] == [("create", "member", "proposed"),
                                                                ("publish", "fac", "published")]
    with pytest.raises(ContentError):
        c.content.revisions(published, user(c, "stranger"))
    # archived by a facilitator, still readable, out of search
    archived = c.content.act(news.ident, "archive", user(c, "fac"))
    assert archived.state == "archived" and in_graph(c, c.graphs.content, news.iri)


def test_refused_goes_back_to_the_author_with_a_reason(catalogue):
    c = catalogue
    item = c.content.create(COLLECTION, "page", {"title": "About us", "description": "x"}, user(c, "member"),
                            submit=True)
    with pytest.raises(ContentError, match="say why"):
        c.content.act(item.ident, "refuse", user(c, "fac"))
    refused = c.content.act(item.ident, "refuse", user(c, "fac"), note="Too short")
    assert refused.state == "draft" and refused.refusal == "Too short"
    edited = c.content.edit(item.ident, {"title": "About us", "description": "A longer text."}, user(c, "member"))
    assert edited.state == "draft" and edited.description == "A longer text."
    again = c.content.act(item.ident, "submit", user(c, "member"))
    assert again.state == "proposed" and again.refusal is None
    assert [r.action for r in c.content.revisions(again, user(c, "member"))] == ["create", "refuse", "edit", "submit"]
    # a facilitator's own post and a moderation-after community publish at once
    own = c.content.create(COLLECTION, "news", {"title": "By a facilitator"}, user(c, "fac"), submit=True)
    assert own.state == "published"
    from catalogue.community.membership import CommunitySettings
    c.membership.configure(COLLECTION, CommunitySettings(moderation="after"), user(c, "owner"))
    assert c.content.create(COLLECTION, "news", {"title": "At once"}, user(c, "member"), submit=True).state == "published"
    assert c.content.create(COLLECTION, "news", {"title": "Kept"}, user(c, "member"), submit=False).state == "draft"


def test_who_may_post(catalogue):
    c = catalogue
    for name in ("stranger",):
        with pytest.raises(ContentError) as err:
            c.content.create(COLLECTION, "news", {"title": "x"}, user(c, name), submit=True)
        assert err.value.error_kind is ErrorKind.FORBIDDEN
    from catalogue.community.membership import CommunitySettings
    c.membership.configure(COLLECTION, CommunitySettings(who_may_post="authors"), user(c, "owner"))
    with pytest.raises(ContentError):
        c.content.create(COLLECTION, "news", {"title": "x"}, user(c, "member"), submit=True)
    assert c.content.create(COLLECTION, "news", {"title": "x"}, user(c, "author"), submit=True).state == "proposed"
    # a solution: news and events by its publishers and moderators, published at once
    assert c.content.create(SOLUTION, "news", {"title": "Release 2"}, user(c, "pub"), submit=True).state == "published"
    with pytest.raises(ContentError) as err:
        c.content.create(SOLUTION, "news", {"title": "x"}, user(c, "member"), submit=True)
    assert err.value.error_kind is ErrorKind.FORBIDDEN
    with pytest.raises(ContentError, match="takes news, event"):
        c.content.create(SOLUTION, "page", {"title": "x"}, user(c, "pub"), submit=True)
    with pytest.raises(ContentError) as err:
        c.content.create("http://nowhere.example.org/x", "news", {"title": "x"}, user(c, "admin"), submit=True)
    assert err.value.error_kind is ErrorKind.NOT_FOUND


def test_featured_first_and_site_wide(catalogue):
    c = catalogue
    fac = user(c, "fac")
    a = c.content.create(COLLECTION, "news", {"title": "Older"}, fac, submit=True)
    b = c.content.create(COLLECTION, "news", {"title": "Newer"}, fac, submit=True)
    assert c.content.featured() == []
    token = c.content.featured_token()
    with pytest.raises(ContentError) as err:
        c.content.feature(a.ident, True, user(c, "member"))
    assert err.value.error_kind is ErrorKind.FORBIDDEN
    c.content.feature(a.ident, True, fac)
    assert [i.ident for i in c.content.featured()] == [a.ident]
    assert c.content.featured_token() != token
    listed = c.content.in_container(c.content.container(COLLECTION), None)
    assert [i.ident for i in listed] == [a.ident, b.ident]
    # archiving ends featuring
    c.content.act(a.ident, "archive", fac)
    assert c.content.featured() == []


def test_discussion_replies_are_threaded(catalogue):
    c = catalogue
    thread = c.content.create(COLLECTION, "discussion", {"title": "Which schema?", "description": "Ideas?"},
                              user(c, "fac"), submit=True)
    first = c.content.reply(thread.ident, {"description": "Use DCAT."}, user(c, "fac"))
    answer = c.content.reply(thread.ident, {"description": "Agreed."}, user(c, "owner"), reply_to=first.iri)
    pending = c.content.reply(thread.ident, {"description": "Me too"}, user(c, "member"))
    assert pending.state == "proposed"
    tree = c.content.replies(thread, None)
    assert [(i.ident, d) for i, d in tree] == [(first.ident, 0), (answer.ident, 1)]
    assert answer.reply_of == first.iri and answer.container == thread.iri
    assert pending.ident in [i.ident for i, _ in c.content.replies(thread, user(c, "member"))]
    with pytest.raises(ContentError):
        c.content.reply(thread.ident, {"description": ""}, user(c, "fac"))
    with pytest.raises(ContentError):
        c.content.reply(thread.ident, {"description": "x"}, user(c, "stranger"))
    # replies are no search documents and not listed in the collection
    assert thread.ident in [i.ident for i in c.content.in_container(c.content.container(COLLECTION), None)]
    assert first.ident not in [i.ident for i in c.content.in_container(c.content.container(COLLECTION), None)]


def test_events_in_their_zone_and_as_icalendar(catalogue):
    c = catalogue
    event = c.content.create(COLLECTION, "event", EVENT, user(c, "fac"), submit=True)
    assert event.start == datetime(2030, 3, 15, 8, 30, tzinfo=UTC) and event.timezone == "Europe/Brussels"
    assert event.start.utcoffset().total_seconds() == 3600  # kept with Brussels' offset
    ics = calendar([(event, "https://x/content/1", 0)], "Example")
    parsed = icalendar.Calendar.from_ical(ics)
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["summary"]) == "Kick-off" and str(vevent["uid"]) == event.iri
    assert vevent.decoded("dtstart") == datetime(2030, 3, 15, 8, 30, tzinfo=UTC)
    assert str(vevent["dtstart"].params["TZID"]) == "Europe/Brussels"
    assert parsed.walk("VTIMEZONE")
    assert [e.ident for e in c.content.events(c.content.container(COLLECTION))] == [event.ident]


@pytest.mark.parametrize(("change", "field"), [
    ({"end": "2030-03-15T09:00"}, "end"), ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"start": "next tuesday"}, "start"), ({"location": "", "online_url": ""}, "location"),
    ({"online_url": "javascript:alert(1)"}, "online_url"), ({"title": ""}, "title"),
])
def test_a_bad_event_says_which_field(change, field):
    with pytest.raises(ContentError) as err:
        check_fields("event", {**EVENT, **change})
    assert err.value.field == field


# --- documents ------------------------------------------------------------------------------

def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def test_types_are_read_from_content():
    assert sniff(PDF) == "application/pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == "image/png"
    assert sniff(b'{"a": 1}') == "application/json"
    assert sniff(b"<?xml version='1.0'?><a/>") == "application/xml"
    assert sniff(b"a,b\n1,2\n") == "text/plain"
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert sniff(docx).endswith("wordprocessingml.document")
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert sniff(odt) == "application/vnd.oasis.opendocument.text"
    assert check(b"a,b\n", "data.csv", "text/csv", 1000) == ("text/csv", "data.csv")
    assert safe_filename('../../etc/pass"wd\n.pdf') == "passwd.pdf"


@pytest.mark.parametrize(("data", "name", "declared", "kind", "words"), [
    (b"MZ\x90\x00" + b"\0" * 100, "report.pdf", "application/pdf", ErrorKind.UNSUPPORTED, "program"),
    (b"\x7fELF\x02\x01" + b"\0" * 100, "report.pdf", None, ErrorKind.UNSUPPORTED, "program"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "report.pdf", None, ErrorKind.UNSUPPORTED, "named .pdf"),
    (PDF, "report.pdf", "image/png", ErrorKind.UNSUPPORTED, "sent as image/png"),
    (PDF, "setup.exe", None, ErrorKind.UNSUPPORTED, "not accepted"),
    (b"<html><script>x</script></html>", "page.txt", None, ErrorKind.UNSUPPORTED, "web pages"),
    (b"x" * 2000, "big.txt", None, ErrorKind.TOO_LARGE, "at most"),
    (b"", "empty.txt", None, ErrorKind.BAD_INPUT, "empty"),
])
def test_uploads_that_lie_or_harm_are_refused(data, name, declared, kind, words):
    with pytest.raises(DocumentError) as err:
        check(data, name, declared, 1000)
    assert err.value.error_kind is kind and words in str(err.value)


def test_zip_bombs_and_nested_archives_are_refused():
    bomb = _zip({"zeros.txt": b"\0" * (30 * 1024 * 1024)})  # ~30 KB, expands 1000 times
    assert len(bomb) < 100_000
    with pytest.raises(DocumentError, match="zip bomb") as err:
        check(bomb, "data.zip", "application/zip", 10_000_000)
    assert err.value.error_kind is ErrorKind.REFUSED
    with pytest.raises(DocumentError, match="another archive"):
        check(_zip({"inner.zip": _zip({"a.txt": b"a"})}), "data.zip", None, 10_000_000)
    with pytest.raises(DocumentError, match="another archive"):
        check(_zip({"inner.bin": _zip({"a.txt": b"a"})}, zipfile.ZIP_STORED), "data.zip", None, 10_000_000)
    with pytest.raises(DocumentError, match="holds"):
        check(_zip({f"{i}.txt": b"a" for i in range(2001)}), "many.zip", None, 10_000_000)
    assert check(_zip({"a.txt": b"hello " * 100}), "ok.zip", None, 10_000_000)[0] == "application/zip"


def test_documents_are_kept_once_by_checksum(catalogue):
    c = catalogue
    fac = user(c, "fac")
    one = c.content.create(COLLECTION, "document", {"title": "Spec"}, fac, submit=True,
                           upload=Upload(PDF, "The spec.pdf", "application/pdf"))
    two = c.content.create(COLLECTION, "document", {"title": "Same"}, fac, submit=True,
                           upload=Upload(PDF, "copy.pdf", None))
    assert one.sha256 == two.sha256 and one.media_type == "application/pdf" and one.byte_size == len(PDF)
    path = c.content.files.path(one.sha256)
    assert path is not None and path.read_bytes() == PDF
    assert len([p for p in path.parent.iterdir()]) == 1  # stored once, no temporary left
    assert c.content.file_visible(one.sha256, None) is not None
    assert c.content.files.path("../../etc/passwd") is None
    triples = c.content.triples_of(one)
    assert any(t.predicate.value.endswith("checksumValue") and t.object.value == one.sha256 for t in triples)
    link = c.content.create(COLLECTION, "document", {"title": "Elsewhere", "link": "https://example.org/a.pdf"},
                            fac, submit=True)
    assert link.link == "https://example.org/a.pdf" and link.sha256 is None
    with pytest.raises(DocumentError) as err:
        c.content.create(COLLECTION, "document", {"title": "Big"}, fac, submit=True,
                         upload=Upload(b"a" * (65 * 1024), "big.txt", None))
    assert err.value.error_kind is ErrorKind.TOO_LARGE
    # a draft's file is served only to who may see the draft
    secret = b"%PDF-1.4 secret draft\n"
    draft = c.content.create(COLLECTION, "document", {"title": "Draft"}, user(c, "member"), submit=False,
                             upload=Upload(secret, "d.pdf", None))
    assert c.content.file_visible(draft.sha256, None) is None
    assert c.content.file_visible(draft.sha256, user(c, "member")) is not None


def test_search_documents_follow_publication(catalogue):
    c = catalogue
    c.search.reindex()
    draft = c.content.create(COLLECTION, "news", {"title": "Zanzibarian draft"}, user(c, "member"), submit=True)
    index = open_index(index_path(c.settings.store))

    def found(words: str) -> list[str]:
        index.refresh(None)
        return [h.iri for h in search(index, SearchRequest(q=words)).hits]

    assert found("Zanzibarian") == []
    c.content.act(draft.ident, "publish", user(c, "fac"))
    assert found("Zanzibarian") == [draft.iri]
    result = search(index, SearchRequest(filters={"type": ("news",)}))
    assert [h.iri for h in result.hits] == [draft.iri]
    c.search.reindex()  # the full rebuild keeps it
    assert found("Zanzibarian") == [draft.iri]
    c.content.act(draft.ident, "archive", user(c, "fac"))
    assert found("Zanzibarian") == []


def test_private_content_never_in_public_graphs_or_dumps(catalogue):
    c = catalogue
    c.content.create(COLLECTION, "news", {"title": "Secret-draft-words"}, user(c, "member"), submit=False)
    c.content.create(COLLECTION, "news", {"title": "Public-words"}, user(c, "fac"), submit=True)
    assert c.graphs.content in c.public_graphs() and c.graphs.content_private not in c.public_graphs()
    dump = b"".join(c.feeds.export("nq"))
    assert b"Public-words" in dump and b"Secret-draft-words" not in dump and b"content-private" not in dump


def test_the_queue_of_content_to_publish(catalogue):
    user = catalogue.accounts.user
    waiting = catalogue.content.create(COLLECTION, "news", {"title": "Waits"}, user("member"), submit=True)
    catalogue.content.create(COLLECTION, "news", {"title": "A draft"}, user("member"), submit=False)
    assert waiting.state == "proposed"
    for who in ("fac", "owner", "mod", "admin"):
        assert [i.title for i in catalogue.content.waiting_for(user(who))] == ["Waits"], who
    for who in ("member", "author", "pub"):
        assert catalogue.content.waiting_for(user(who)) == [], who
    assert catalogue.content.waiting_for(None) == []
    catalogue.content.act(waiting.ident, "publish", user("fac"))
    assert catalogue.content.waiting_for(user("mod")) == []
