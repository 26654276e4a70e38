"""Errors are mapped to HTTP once (webapp/errors.py): each kind of domain error has its
status, answered as the error page, as JSON or as a line of text, in one shape."""

from __future__ import annotations

import pytest
from flask_babel import gettext as _

from catalogue.app import Catalogue
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.ingest.jobs import JobLimitError
from catalogue.settings import load_settings
from catalogue.store import StoreLockedError
from webapp import create_app
from webapp.errors import PRIVATE, STATUS, UNEXPECTED, reworded

EXPECTED = {
    ErrorKind.BAD_INPUT: (400, "Bad Request"),
    ErrorKind.FORBIDDEN: (403, "Forbidden"),
    ErrorKind.NOT_FOUND: (404, "Not Found"),
    ErrorKind.CONFLICT: (409, "Conflict"),
    ErrorKind.TOO_LARGE: (413, "Request Entity Too Large"),
    ErrorKind.UNSUPPORTED: (415, "Unsupported Media Type"),
    ErrorKind.REFUSED: (422, "Unprocessable Entity"),
    ErrorKind.TOO_MANY: (429, "Too Many Requests"),
    ErrorKind.UNAVAILABLE: (503, "Service Unavailable"),
}
HTML, JSON, TEXT = {"Accept": "text/html"}, {"Accept": "application/json"}, {"Accept": "text/plain"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    c = Catalogue(load_settings({}, store=str(tmp_path_factory.mktemp("errors") / "store")))
    app = create_app(c.settings, c)

    def kind(name: str):
        raise CatalogueError(f"the {name} message", error_kind=ErrorKind[name])

    def locked():
        raise StoreLockedError("the store at /srv/private/store is open in another process")

    def jobs():
        with reworded(_("This source already has %(n)d uploads in progress, the most it may "
                        "have at once. Wait until one of them ends, then upload again.", n=2),
                      JobLimitError, title=_("Too many uploads at once")):
            raise JobLimitError("source 'x' already has 2 upload(s) in progress")

    def bug():
        raise KeyError("a bug")

    app.add_url_rule("/test-errors/kind/<name>", view_func=kind)
    app.add_url_rule("/test-errors/locked", view_func=locked)
    app.add_url_rule("/test-errors/jobs", view_func=jobs)
    app.add_url_rule("/test-errors/bug", view_func=bug)
    yield app.test_client(use_cookies=False)
    c.close()


def test_every_kind_has_a_status():
    assert {k: v[0] for k, v in EXPECTED.items()} == STATUS and set(STATUS) == set(ErrorKind)


@pytest.mark.parametrize("kind", list(ErrorKind), ids=lambda k: k.name)
def test_each_kind_is_its_status_on_the_error_page(client, kind):
    code, name = EXPECTED[kind]
    r = client.get(f"/test-errors/kind/{kind.name}", headers=HTML)
    assert r.status_code == code and r.mimetype == "text/html"
    # a 404 (and 410) says so in words, with the path typed and a search; others name the status
    heading = "<h1>Page not found</h1>" if code == 404 else f"<h1>{code} {name}</h1>"
    assert heading in r.text and f"the {kind.name} message" in r.text


@pytest.mark.parametrize("kind", list(ErrorKind), ids=lambda k: k.name)
def test_each_kind_is_its_status_in_json(client, kind):
    code = EXPECTED[kind][0]
    r = client.get(f"/test-errors/kind/{kind.name}", headers=JSON)
    assert r.status_code == code and r.mimetype == "application/json"
    assert r.get_json() == {"error": {"status": code, "message": f"the {kind.name} message"}}


@pytest.mark.parametrize("kind", list(ErrorKind), ids=lambda k: k.name)
def test_each_kind_is_its_status_in_a_line_of_text(client, kind):
    code, name = EXPECTED[kind]
    r = client.get(f"/test-errors/kind/{kind.name}", headers=TEXT)
    assert r.status_code == code and r.text == f"{code} {name}: the {kind.name} message\n"


def test_too_many_says_when_to_try_again(client):
    for accept in (HTML, JSON):
        assert client.get("/test-errors/kind/TOO_MANY", headers=accept).headers["Retry-After"] == "10"


def test_a_reworded_error_keeps_its_kinds_status_and_says_the_readers_words(client):
    r = client.get("/test-errors/jobs", headers={**HTML, "Accept-Language": "fr"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "10"
    assert "Trop de dépôts à la fois" in r.text and "upload(s)" not in r.text
    r = client.get("/test-errors/jobs", headers=JSON)
    assert r.get_json()["error"]["message"].startswith("This source already has 2 uploads in progress")


def test_an_unavailable_store_is_503_without_its_internals(client, caplog):
    for accept in (HTML, JSON, TEXT):
        r = client.get("/test-errors/locked", headers=accept)
        assert r.status_code == 503 and PRIVATE in r.text and "/srv/private" not in r.text
    assert "/srv/private/store" in caplog.text  # the operator's log has it


def test_the_api_and_the_sparql_endpoint_answer_errors_in_json(client):
    r = client.get("/api/sources/spain-ctt/runs", headers=HTML)  # no token
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.get_json()["error"]["status"] == 401
    assert client.get("/api/no-such-route", headers=HTML).get_json()["error"]["status"] == 404
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", query_string={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 403 and "SERVICE" in r.get_json()["error"]["message"]
    r = client.get("/sparql", query_string={"query": query}, headers=HTML)  # a browser
    assert r.status_code == 403 and r.mimetype == "text/html"


def test_an_unexpected_error_is_500_and_logged(client, caplog):
    r = client.get("/test-errors/bug", headers=JSON)
    assert r.status_code == 500 and r.get_json() == {"error": {"status": 500, "message": UNEXPECTED}}
    assert "a bug" in caplog.text
