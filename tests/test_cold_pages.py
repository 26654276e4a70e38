"""Cold solution pages (issue 17, item 5): a page not yet cached asks few queries. Its
releases, distributions, contact points and building blocks are described in one round
(Reader.describe_many: resources_own.rq over all of them, then one labels_of.rq), giving
exactly what describing each alone gives; its usage summary is one query (usage_shown.rq)
counting downloads ever and views of the last 30 days.
"""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalogue import queries
from catalogue.app import Catalogue
from catalogue.settings import load_settings
from catalogue.store import EmbeddedStore, RemoteStore

DEMO = "https://demo.interop.example.eu/"
SOLUTION = DEMO + "solution/0001"
DIST = DEMO + "distribution/0001-2"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo catalogue on the embedded store."""
    settings = load_settings({}, store=str(tmp_path_factory.mktemp("cold") / "store"))
    catalogue = Catalogue(settings)
    catalogue.publishing.init(standards=False)
    yield catalogue
    catalogue.close()


def subjects(catalogue: Catalogue) -> list[str]:
    rows = catalogue.select("release_distributions_of", solution=SOLUTION)
    found = [r["release"].value for r in rows] + [r["distribution"].value for r in rows if "distribution" in r]
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("backend", ["embedded", "remote"])
def test_describing_many_at_once_gives_what_describing_each_gives(request, tmp_path, backend):
    if backend == "embedded":
        store = EmbeddedStore(tmp_path / "store")
    else:  # the inline VALUES block, as another SPARQL server gets it
        url = request.getfixturevalue("oxigraph_server")
        store = RemoteStore(url + "/query", url + "/update")
        store.update("DROP SILENT ALL")
    c = Catalogue(load_settings({}, store=str(tmp_path / "unused")), store)
    try:
        c.publishing.init(standards=False)
        public = c.public_dataset()
        iris = [r["s"].value for r in store.select(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s", dataset=public)]
        assert len(iris) > 500
        iris = iris[::7] + ["http://example.org/nothing-describes-this"]
        one_by_one = {}
        for iri in iris:
            c.reader._described.clear()
            one_by_one[iri] = c.reader.describe(iri)
        c.reader._described.clear()
        c.reader._labelled = ("", {})
        kept = {iri: one_by_one[iri] for iri in iris[::3]}  # some kept, the rest asked
        for iri in kept:
            c.reader.describe(iri)
        together = c.reader.describe_many(iris + iris[:5])  # repeats are described once
        assert list(together) == iris
        for iri in iris:
            assert set(together[iri]) == set(one_by_one[iri]), iri
        assert together["http://example.org/nothing-describes-this"] == []
    finally:
        if backend != "embedded":
            store.update("DROP SILENT ALL")
        c.close()


def test_a_cold_solution_page_describes_its_parts_in_one_round(demo, monkeypatch):
    asked: collections.Counter[str] = collections.Counter()
    for form in ("select", "construct"):
        real = getattr(queries, form)

        def counting(store, name, *, _real=real, **kw):
            asked[name] += 1
            return _real(store, name, **kw)
        monkeypatch.setattr(queries, form, counting)
    demo.reader._described.clear()
    demo.reader._labelled = ("", {})
    page = demo.reader.solution_page(SOLUTION)
    assert len(page.releases) >= 2 and any(r.distributions for r in page.releases) and page.contacts
    assert asked["resources_own"] == 2  # the solution (not yet described here), then its parts
    # the labels of what the solution and its parts point to, then its collections' titles
    # (kept per data version: a collection's members' pages ask them once)
    assert asked["resource_own"] == 0 and asked["labels_of"] == 3
    assert asked["release_distributions_of"] == 1 and "releases_of" not in asked
    # its collections: read for every solution once per data version, not per page
    assert "collections_of" not in asked and asked["solutions_collections"] <= 1
    asked.clear()
    demo.reader._described.clear()
    demo.reader.solution_page(SOLUTION)
    assert asked["labels_of"] == 0 and asked["solutions_collections"] == 0  # labels known
    # what it described is what describing each alone gives
    monkeypatch.undo()
    demo.reader._described.clear()
    alone = {iri: demo.reader.describe(iri) for iri in subjects(demo)}
    assert demo.reader.describe_many(list(alone)) == alone


def test_a_solutions_collections_are_what_collections_of_gives(demo):
    """Every solution's collections come from one read per data version
    (solutions_collections.rq) and the labels kept per version: what collections_of.rq
    gives for the solution alone."""
    solutions = [r["s"].value for r in demo.store.select(
        "SELECT DISTINCT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> FILTER(isIRI(?s)) }",
        dataset=demo.public_dataset())]
    listed = 0
    for iri in solutions:
        alone: dict[str, set] = {}
        for r in demo.select("collections_of", solution=iri):
            alone.setdefault(r["collection"].value, set()).update([r["title"]] if "title" in r else [])
        kept = demo.reader._collections_of(iri)
        assert {c: set(titles) for c, titles in kept.items()} == alone, iri
        listed += bool(kept)
    assert listed > 5


def test_a_solutions_collections_follow_an_ingest(tmp_path):
    """A solution moved to another collection by a new ingest is listed in that one at once."""
    dump = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_text()
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo"))
    try:
        c.publishing.register_source("alpha", "Alpha")
        assert c.publishing.ingest("alpha", dump.encode(), filename="alpha.ttl").stored
        solution = "http://repo.example.org/solution-2"
        assert [x.label for x in c.reader.solution_page(solution).collections] == ["Example repository"]
        moved = dump.replace("dcat:dataset ex:solution-1, ex:solution-2 .", """dcat:dataset ex:solution-1 .
ex:other a dcat:Catalog ; dct:title "Other repository"@en ; dct:description "Elsewhere."@en ;
  dct:publisher ex:agency ; dcat:dataset ex:solution-2 .""")
        assert moved != dump
        assert c.publishing.ingest("alpha", moved.encode(), filename="alpha.ttl").stored
        assert [x.label for x in c.reader.solution_page(solution).collections] == ["Other repository"]
    finally:
        c.close()


def test_a_page_counts_downloads_ever_and_views_of_the_last_30_days(demo):
    usage = demo.usage
    real = usage.clock
    try:
        for days_ago, n in ((45, 5), (3, 2)):
            usage.clock = lambda d=days_ago: datetime.now(UTC) - timedelta(days=d)
            usage.count(DIST, "downloads", n)
            usage.count(SOLUTION, "views", 10 * n)
            usage.flush()
    finally:
        usage.clock = real
    shown = usage.shown(SOLUTION, [DIST, DIST])
    assert (shown.downloads, shown.views) == (7, 20)
    until = usage.shown_until()
    assert shown.views == usage.totals_for_records(
        [SOLUTION], since=until - timedelta(days=29), until=until)[SOLUTION].views
    assert usage.shown(SOLUTION).downloads is None
    assert usage.shown(DIST, [DIST]).downloads == 7


@pytest.mark.parametrize("script_root", ["", "/catalogue"])
def test_a_link_to_a_resource_is_what_url_for_builds(demo, script_root):
    """href() builds the /resource?uri= link from a prefix instead of url_for (a page has
    dozens); the menus' links are built once per app and script root."""
    from flask import url_for

    from webapp import create_app
    from webapp.layout import MENU, fixed_url, href, links
    from webapp.linked_data import href as resource_href

    app = create_app(demo.settings, demo)
    iris = [SOLUTION, "http://a.example/x y", "https://a.example/é?q=1&r=2#f", "http://x/%41+b~c",
            "http://x/a;b,c:d@e!f$g'h(i)j*k", "http://x/[]{}|\\^`\"<>\u2028\U0001F600"]
    for _ in range(2):  # the second time from what was kept
        with app.test_request_context("/", base_url="http://localhost" + script_root):
            for iri in iris:
                assert resource_href(iri) == url_for("ld.resource", uri=iri)
            for endpoint, _label in MENU:
                assert fixed_url(endpoint) == href(endpoint) == url_for(endpoint)
            assert fixed_url("no.such_endpoint") is None
            assert fixed_url("static", filename="site.css") == url_for("static", filename="site.css")
    for lang, solutions in (("en", "Solutions"), ("fr", "Solutions"), ("de", "Lösungen"), ("fr", "Solutions")):
        with app.test_request_context("/", headers={"Accept-Language": lang}):  # labels kept per language
            assert [(e, u, str(label)) for e, u, label in links(MENU)] == [
                (e, fixed_url(e), str(label)) for e, label in MENU]
            assert links(MENU)[0][2] == solutions
