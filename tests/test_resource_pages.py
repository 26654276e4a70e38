"""Pages of their own for licences, collections, releases, distributions and publishers, on
the bundled demo catalogue and a hostile dump, through the real server: the key facts of
each, labels in the reader's language or marked, nothing hostile run or linked, the RDF
representations as before, and no sideways scrolling on a phone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from markupsafe import escape

from catalogue.pages import licence as licence_page
from catalogue.pages import resources as resource_pages
from tests.conftest import ARTIFACTS, serving
from webapp.resource_pages import STATEMENTS

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).parent / "data" / "resource_pages" / "hostile.ttl"
DEMO = "https://demo.interop.example.eu/"
EUPL = DEMO + "licence/eupl-1.2"
COLLECTION = DEMO + "collection/taxation-sfd-dk"
RELEASE = DEMO + "release/0108-2.0.8"
DISTRIBUTION = DEMO + "distribution/0001-2"
AGENT = DEMO + "agent/spf-strategie-numerique"
H = "http://hostile.example.org/pages/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("pages") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    for args in (["init"], ["ingest", str(HOSTILE), "--source", "hostile"]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    with serving(env) as url:
        yield url


def page(site, iri, lang="en", accept="text/html", **kw):
    r = requests.get(site + "/resource", params={"uri": iri, "lang": lang},
                     headers={"Accept": accept, **kw.pop("headers", {})}, timeout=20)
    assert r.status_code == 200, r.text[:500]
    return r


def main(r) -> str:
    return r.text.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def h1(text: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)


def demo_graph() -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(ROOT / "catalogue" / "data" / "demo-catalogue.ttl"), format=ox.RdfFormat.TURTLE)]


# --- the domain and the web agree -------------------------------------------------------------

def test_every_plain_words_statement_is_worded():
    keys = {key for terms in licence_page.ADMS_LICENCE_TERMS.values() for _, key in terms}
    keys |= {"open-source", "osi-approved", "fsf-libre", "spdx-deprecated"}
    assert keys <= set(STATEMENTS)
    assert {g for terms in licence_page.ADMS_LICENCE_TERMS.values() for g, _ in terms} <= set(
        licence_page.GROUPS)


def test_which_resources_get_a_page():
    def kind(*types, **extra):
        node = ox.NamedNode("http://x.example/r")
        triples = [ox.Triple(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             ox.NamedNode(t)) for t in types]
        triples += [ox.Triple(node, ox.NamedNode(p), ox.NamedNode(o)) for p, o in extra.items()]
        return resource_pages.kind_of(triples, node.value)

    assert kind("http://purl.org/dc/terms/LicenseDocument") == "licence"
    assert kind("http://www.w3.org/ns/dcat#Catalog") == "collection"
    assert kind("http://www.w3.org/ns/dcat#Distribution") == "distribution"
    assert kind("http://xmlns.com/foaf/0.1/Organization") == "agent"
    assert kind("http://www.w3.org/ns/dcat#Dataset",
                **{"http://purl.org/dc/terms/isVersionOf": "http://x.example/s"}) == "release"
    assert kind("http://www.w3.org/2006/vcard/ns#Kind") is None  # the generic table


# --- each page's key facts --------------------------------------------------------------------

def test_a_licence_page_says_what_it_lets_you_do_and_who_uses_it(site):
    r = page(site, EUPL)
    text = main(r)
    assert "European Union Public Licence 1.2" in h1(text) and "<code>EUPL-1.2</code>" in text
    assert "Viral effect (a.k.a. Share-alike)" in text                     # its ADMS legal type
    assert "You must" in text and "under the same licence" in text          # said by that type
    assert "You may" in text and "Use, study, change and share it" in text  # said by SPDX (OSI)
    assert "Approved by the Open Source Initiative (OSI)." in text
    assert 'href="/resource?uri=http://spdx.org/licenses/EUPL-1.2"' in text  # its SPDX entry
    assert "European Union Public License 1.2" in text                      # SPDX's name for it
    assert 'href="https://spdx.org/licenses/EUPL-1.2.html"' in text          # the licence text
    used = re.search(r"Solutions distributed under this licence \((\d+)\)", text)
    assert used and int(used.group(1)) > 10
    assert "/search?licence=https://demo.interop.example.eu/licence/eupl-1.2" in text
    assert text.count('href="/resource?uri=https://demo.interop.example.eu/solution/') == 10


def test_a_licence_typed_with_a_joinup_legal_type_shows_the_vocabulary_words(site):
    text = main(page(site, H + "licence"))
    allows = text.split("You may", 1)[1].split("</ul>", 1)[0]
    assert "Distribute" in allows and "Ability to distribute the work to third parties" in allows
    assert 'href="/resource?uri=http://joinup.eu/legal-type%23Distribute"' in allows  # its source


def test_a_collection_page_lists_its_solutions(site):
    members = {t.object.value for t in demo_graph() if t.subject == ox.NamedNode(COLLECTION)
               and t.predicate.value == "http://www.w3.org/ns/dcat#dataset"}
    text = main(page(site, COLLECTION))
    assert "Taxation interoperability collection" in h1(text)
    assert '<div class="description" lang="en"><p>A collection of interoperability solutions' in text
    assert "Styrelsen for Fællesoffentlig Digitalisering" in text           # its publisher
    assert f"Solutions in this collection ({len(members)})" in text
    listed = set(re.findall(r'href="/resource\?uri=(https://demo\.interop\.example\.eu/solution/\d+)"', text))
    assert listed == members
    assert f'href="/search?collection={COLLECTION}"' in text


def test_a_release_page_shows_its_downloads(site):
    text = main(page(site, RELEASE))
    assert "Nexa – Open data Connector 2.0.8" in h1(text)
    assert 'Release of <a href="/resource?uri=https://demo.interop.example.eu/solution/0108"' in text
    assert "<dt>Version</dt><dd>2.0.8</dd>" in text and '<time datetime="2016-04-01' in text
    assert "Changes in 2.0.8: bulk import; single sign-on." in text  # its notes
    assert "Installation guide" in text and "OpenAPI description" in text   # both distributions
    assert '&amp;url=https://api.sosnowa-gora.example.eu/nexa-0108/2.0.8/openapi.json"' in text
    assert ">JSON</a>" in text and "Apache License 2.0" in text and "Creative Commons Zero v1.0 Universal" in text


def test_a_distribution_page_says_where_it_belongs(site):
    text = main(page(site, DISTRIBUTION))
    assert "OpenAPI description" in h1(text)
    assert ">JSON</a>" in text and ">Apache License 2.0</a>" in text
    assert '&amp;url=https://api.sierra-alta.example.eu/taxation-reference-implementation-0001/1.0.8/openapi.json"' in text
    assert 'href="/resource?uri=https://demo.interop.example.eu/release/0001-1.0.8"' in text
    assert 'href="/resource?uri=https://demo.interop.example.eu/solution/0001"' in text


def test_a_publisher_page_lists_what_it_publishes(site):
    text = main(page(site, AGENT))
    assert "Federal Public Service Digital Strategy" in h1(text)
    assert "Service public fédéral Stratégie numérique" in text    # its other name
    assert "National authority" in text and 'href="https://www.spf-strategie-numerique.example.eu/"' in text
    assert re.search(r"Published solutions and collections \(\d+\)", text)
    assert 'href="/resource?uri=https://demo.interop.example.eu/solution/' in text


def test_a_contact_point_keeps_the_generic_page(site):
    text = main(page(site, DEMO + "contact/sfd-dk-servicedesk"))
    assert "<th scope=\"col\">Property</th>" in text


# --- languages ----------------------------------------------------------------------------------

def test_pages_in_french_with_labels_in_french_or_marked(site):
    licence = main(page(site, EUPL, "fr"))
    assert "Licence publique de l&#39;Union européenne 1.2" in h1(licence)
    assert "Vous devez" in licence and "sous la même licence" in licence      # worded in French
    # the ADMS legal type has an English label only: shown, and marked as English
    legal = licence.split("</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert "Viral effect" in legal and 'class="lang fallback"' in legal
    agent = main(page(site, AGENT, "fr"))
    assert "Service public fédéral Stratégie numérique" in h1(agent)
    assert 'class="lang fallback"' not in h1(agent)
    release = main(page(site, RELEASE, "de"))
    assert "Version von" in release and 'class="lang fallback"' in h1(release)  # English title, marked


# --- hostile data -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["collection", "release", "distribution", "licence", "agent"])
def test_hostile_data_is_shown_as_text_and_never_linked(site, name):
    r = page(site, H + name)
    text = r.text
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>Agency", "<b>6.6.6"):
        assert raw not in text
    assert not re.search(r"<[a-z][^>]*\bon(error|click|load)\s*=", text)   # no handler in any tag
    assert 'href="javascript:' not in text and "href='javascript:" not in text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in block and json.loads(block)
    assert h1(text).strip()                                                # never an empty title


def test_hostile_iris_are_shown_not_followed(site):
    dist = main(page(site, H + "distribution"))
    for shown in ("javascript:alert('access')", "javascript:alert('download')"):
        assert escape(shown) in dist
    licence = main(page(site, H + "licence"))
    assert escape("javascript:alert('licence-text')") in licence
    assert "&lt;script&gt;alert(&#39;licence&#39;)&lt;/script&gt;" in h1(licence)
    release = main(page(site, H + "release"))
    assert "&lt;/p&gt;&lt;script&gt;alert(&#39;notes&#39;)&lt;/script&gt;" in release
    collection = main(page(site, H + "collection"))
    assert "<strong>Bold</strong>" in collection                          # Markdown rendered, sanitised


# --- the RDF representations are as before -------------------------------------------------------

def test_a_licence_is_still_served_as_turtle_with_the_same_headers(site):
    r = page(site, EUPL, accept="text/turtle")
    assert r.headers["Content-Type"].startswith("text/turtle") and r.headers["Vary"] == "Accept"
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}
    assert ox.Triple(ox.NamedNode(EUPL), ox.NamedNode("http://purl.org/dc/terms/title"),
                     ox.Literal("European Union Public Licence 1.2", language="en")) in triples
    assert ox.Triple(ox.NamedNode(EUPL), ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                     ox.NamedNode("http://spdx.org/licenses/EUPL-1.2")) in triples
    fixed = requests.get(site + "/resource.ttl", params={"uri": EUPL}, timeout=10)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fixed.content, format=ox.RdfFormat.TURTLE)} == triples
    html_page = page(site, EUPL)
    assert html_page.headers["Content-Location"].startswith("/resource.html?uri=")
    for media in ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert f'rel="alternate"; type="{media}"' in html_page.headers["Link"]
        assert f'<link rel="alternate" type="{media}"' in html_page.text
    again = requests.get(site + "/resource", params={"uri": EUPL, "lang": "en"}, timeout=10,
                         headers={"Accept": "text/html", "If-None-Match": html_page.headers["ETag"]})
    assert again.status_code == 304


# --- on a phone ---------------------------------------------------------------------------------

def test_licence_and_release_pages_fit_a_phone(site, browser):
    width = 390
    context = browser.new_context(viewport={"width": width, "height": 844})
    p = context.new_page()
    problems, dialogs = [], []
    p.on("console", lambda m: m.type == "error" and problems.append(m.text))
    p.on("pageerror", lambda e: problems.append(str(e)))
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        for name, iri in (("licence", EUPL), ("release", RELEASE), ("hostile-distribution", H + "distribution")):
            p.goto(site + "/resource?" + requests.compat.urlencode({"uri": iri, "lang": "en"}))
            p.wait_for_selector("article h1")
            assert p.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
            p.screenshot(path=str(ARTIFACTS / f"page-{name}-phone.png"), full_page=True)
        p.goto(site + "/resource?" + requests.compat.urlencode({"uri": EUPL, "lang": "en"}))
        p.get_by_role("link", name="Viral effect (a.k.a. Share-alike)").first.click()
        p.wait_for_url("**licencetype**")
    finally:
        context.close()
    assert problems == [] and dialogs == []


def test_a_release_named_only_by_its_solutions_has_version_gets_a_release_page(tmp_path):
    from pathlib import Path

    from catalogue.app import Catalogue
    from catalogue.settings import load_settings
    from webapp import create_app

    data = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
    data = data.replace(b"  dct:isVersionOf ex:solution-1 ;\n", b"")
    assert b"isVersionOf" not in data
    c = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    try:
        report = c.publishing.ingest("example", data, filename="x.ttl")
        assert report.stored, report.as_text()
        client = create_app(c.settings, c).test_client()
        page = client.get("/resource", query_string={"uri": "http://repo.example.org/solution-1-v1"},
                          headers={"Accept": "text/html"}).text
        assert "Release of" in page and "Open e-Invoicing Gateway" in page
        solution = client.get("/resource", query_string={"uri": "http://repo.example.org/solution-1"},
                              headers={"Accept": "text/html"}).text
        assert "Release of" not in solution
    finally:
        c.close()
