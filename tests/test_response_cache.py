"""The shared response cache in front of the app (webapp/response_cache.py): what it answers
by itself, what always reaches the app, and that an ingest is never hidden by it."""

from __future__ import annotations

from pathlib import Path

import pytest

import webapp.linked_data as linked_data
from catalogue.app import Catalogue
from catalogue.settings import load_settings
from webapp import create_app
from webapp.response_cache import SharedCache, share

DATA = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
SOLUTION = "http://repo.example.org/solution-1"
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture
def site(tmp_path, monkeypatch):
    """(catalogue, test client without a cookie jar, list of the views' calls)."""
    c = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    report = c.publishing.ingest("example", DATA.read_bytes(), filename="x.ttl")
    assert report.stored, report.as_text()
    calls: list[str] = []
    real = linked_data._dereference

    def counting(iri, ext, url_for_format):
        calls.append(iri)
        return real(iri, ext, url_for_format)

    monkeypatch.setattr(linked_data, "_dereference", counting)
    app = create_app(c.settings, c)
    yield c, app.test_client(use_cookies=False), calls
    c.close()


def get(client, accept=None, **headers):
    if accept:
        headers["Accept"] = accept
    return client.get("/resource", query_string={"uri": SOLUTION}, headers=headers)


def test_a_repeated_anonymous_get_is_answered_without_the_app(site):
    _, client, calls = site
    first, second = get(client, "text/turtle"), get(client, "text/turtle")
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and SOLUTION.encode() in second.data
    assert dict(second.headers) == dict(first.headers)
    assert second.headers["Vary"] == "Accept" and second.headers["ETag"]
    assert calls == [SOLUTION]


def test_each_variant_is_kept_by_the_headers_it_varies_on(site):
    _, client, calls = site
    ttl = get(client, "text/turtle")
    html_en = get(client, "text/html", **{"Accept-Language": "en"})
    html_fr = get(client, "text/html", **{"Accept-Language": "fr"})
    assert ttl.mimetype == "text/turtle" and html_en.mimetype == html_fr.mimetype == "text/html"
    assert b'lang="en"' in html_en.data and b'lang="fr"' in html_fr.data
    assert len(calls) == 3
    again = [get(client, "text/turtle"), get(client, "text/html", **{"Accept-Language": "fr"}),
             get(client, "text/html", **{"Accept-Language": "en"})]
    assert [r.data for r in again] == [ttl.data, html_fr.data, html_en.data]
    assert len(calls) == 3
    # a header the response does not vary on does not matter; one it varies on does
    assert get(client, "text/turtle", **{"Accept-Language": "de"}).data == ttl.data
    assert len(calls) == 3
    get(client, "application/n-triples")
    assert len(calls) == 4


@pytest.mark.parametrize("headers", [
    {"Cookie": "lang=fr"},
    {"Authorization": "Bearer abc"},
    {"Range": "bytes=0-10"},
])
def test_cookies_authorization_and_ranges_always_reach_the_app(site, headers):
    _, client, calls = site
    get(client, "text/turtle")
    get(client, "text/turtle", **headers)
    get(client, "text/turtle", **headers)
    assert len(calls) == 3


def test_conditional_and_head_requests_reach_the_app_and_get_304(site):
    _, client, calls = site
    etag = get(client, "text/turtle").headers["ETag"]
    assert get(client, "text/turtle", **{"If-None-Match": etag}).status_code == 304
    assert client.head("/resource", query_string={"uri": SOLUTION}, headers=TURTLE).status_code == 200
    assert len(calls) == 3


def test_an_ingest_is_served_at_once(site):
    c, client, calls = site
    before = get(client, "text/turtle")
    assert b"Renamed solution" not in before.data
    changed = DATA.read_bytes().replace(b"Open e-Invoicing Gateway\"@en", b"Renamed solution\"@en", 1)
    assert changed != DATA.read_bytes()
    assert c.publishing.ingest("example", changed, filename="x.ttl").stored
    after = get(client, "text/turtle")
    assert b"Renamed solution" in after.data and after.headers["ETag"] != before.headers["ETag"]
    assert len(calls) == 2


def test_only_marked_ok_responses_without_cookies_are_kept(site):
    _, client, calls = site
    missing = {"uri": "http://repo.example.org/nothing"}
    for _ in range(2):
        assert client.get("/resource", query_string=missing, headers=TURTLE).status_code == 404
    assert len(calls) == 2
    for _ in range(2):  # the language switch sets a cookie: never kept
        r = client.get("/resource", query_string={"uri": SOLUTION, "lang": "fr"})
        assert "lang=fr" in r.headers["Set-Cookie"]
    assert len(calls) == 4
    app_cache = client.application.wsgi_app
    hits = app_cache.hits
    client.get("/queries"), client.get("/queries")  # not marked shared
    assert app_cache.hits == hits
    client.get("/"), client.get("/")  # the home page is
    assert app_cache.hits == hits + 1


def test_harvest_documents_are_kept_per_host(site):
    _, client, _ = site
    app_cache = client.application.wsgi_app
    for path in ("/catalog.ttl", "/.well-known/void"):
        hits = app_cache.hits
        one = client.get(path, base_url="http://one.example")
        two = client.get(path, base_url="http://two.example")
        again = client.get(path, base_url="http://one.example")
        assert one.status_code == 200 and b"one.example" in one.data, path
        assert b"two.example" in two.data and b"one.example" not in two.data, path
        assert again.data == one.data and app_cache.hits == hits + 1, path
    # a streamed answer (the sitemap is written as it goes) passes through, never kept
    hits = app_cache.hits
    first, second = client.get("/sitemap.xml"), client.get("/sitemap.xml")
    assert first.status_code == 200 and second.data == first.data and app_cache.hits == hits


def test_zero_megabytes_turns_it_off(tmp_path, monkeypatch):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), response_cache_mb=0))
    assert c.publishing.ingest("example", DATA.read_bytes(), filename="x.ttl").stored
    client = create_app(c.settings, c).test_client(use_cookies=False)
    get(client, "text/turtle"), get(client, "text/turtle")
    assert client.application.wsgi_app.hits == 0
    c.close()


def _toy(size: int):
    """A WSGI app answering every path with ``size`` bytes, marked shared; counts calls."""
    calls = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        share(environ)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(size)),
                                  ("Vary", "Accept")])
        return [b"x" * size]

    return app, calls


def _call(cache, path, accept="a"):
    out = {}
    body = b"".join(cache({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
                           "HTTP_ACCEPT": accept, "HTTP_HOST": "example.org"},
                          lambda status, headers, exc_info=None: out.update(status=status)))
    return out["status"], body


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    app, calls = _toy(1000)
    cache = SharedCache(app, lambda: "v1", max_bytes=16_000)
    for i in range(40):
        assert _call(cache, f"/r{i}") == ("200 OK", b"x" * 1000)
    assert cache.bytes_kept <= 16_000 and len(cache._urls) == 16
    _call(cache, "/r39"), _call(cache, "/r0")
    assert calls.count("/r39") == 1 and calls.count("/r0") == 2


def test_a_new_data_version_replaces_the_old_entries():
    app, calls = _toy(10)
    version = ["v1"]
    cache = SharedCache(app, lambda: version[0], max_bytes=10_000)
    _call(cache, "/r"), _call(cache, "/r", "b"), _call(cache, "/r")
    assert len(calls) == 2
    version[0] = "v2"
    _call(cache, "/r"), _call(cache, "/r")
    assert len(calls) == 3 and len(cache._urls.values()[0]) == 1 and cache.bytes_kept == 10


def test_a_body_larger_than_a_sixteenth_is_not_kept():
    app, calls = _toy(2000)
    cache = SharedCache(app, lambda: "v1", max_bytes=16_000)
    _call(cache, "/big"), _call(cache, "/big")
    assert len(calls) == 2 and cache.bytes_kept == 0


def test_another_host_is_another_entry():
    app, calls = _toy(10)
    cache = SharedCache(app, lambda: "v1", max_bytes=10_000)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/r", "QUERY_STRING": "", "HTTP_ACCEPT": "a"}
    for host in ("one.example", "two.example", "one.example"):
        b"".join(cache({**environ, "HTTP_HOST": host}, lambda *a: None))
    assert calls == ["/r", "/r"]
