"""Readable pages for EIRA building blocks and vocabulary terms, and names instead of IRIs
(issue 12, items 4 and 5), through the real server on the demo catalogue and a publisher's
own concept scheme: a block's definition first, its view by name, its succession both
ways, who implements it; a term's scheme, broader and narrower terms and use; property
and class names in the reader's language; languages by name; and no web address in what
a reader sees outside links, titles, code and the folded "All statements" section.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from catalogue.languages import language_code, language_name
from catalogue.reports.labels import class_name, compact_name, property_name
from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
SECTORS = Path(__file__).parent / "data" / "readable_pages" / "sectors.ttl"
V4_BLOCK = "/dr8/DataSetCatalogue"  # replaced in v6 by DataSetCatalogueDataObject
V6_BLOCK = "/dr8/DataSetCatalogueDataObject"
COUNTRY = "http://publications.europa.eu/resource/authority/country/DEU"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/ZIP"
S = "http://sectors.example.org/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("readable") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    for args in (["init"], ["ingest", str(SECTORS), "--source", "sectors"]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    with serving(env) as url:
        yield url


def get(site, path, lang="en", **params) -> str:
    r = requests.get(site + path, params={**params, "lang": lang}, headers={"Accept": "text/html"},
                     timeout=30)
    assert r.status_code == 200, r.text[:500]
    return r.text.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def term(site, iri, lang="en") -> str:
    return get(site, "/resource", lang, uri=iri)


def visible_text(page: str) -> str:
    """What a reader sees of a page's main part, outside the folded "All statements"
    section: no tag, no attribute (href, title), nothing in <code>, <pre> or <script>."""
    page = re.sub(r'<details class="all-statements">.*?</details>', " ", page, flags=re.S)
    page = re.sub(r"<(code|pre|script|style)\b[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", page))


def assert_no_web_address_shown(page: str) -> None:
    shown = visible_text(page)
    found = re.search(r".{0,60}https?.{0,60}", shown, re.I | re.S)
    assert found is None, f"a web address is shown as text: {found.group(0)!r}"


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"', 1)[1]


# --- names, without a server ------------------------------------------------------------------

def test_properties_and_classes_have_names_never_iris():
    assert property_name("https://catalogue.example.org/def/eira#viewpoint", "en") == "EIRA viewpoint"
    assert property_name("https://catalogue.example.org/def/eira#viewpoint", "de") == "EIRA-Sichtweise"
    assert property_name("http://purl.org/dc/terms/isReplacedBy", "fr") == "Remplacé par"
    assert property_name("http://www.w3.org/2004/02/skos/core#definition", "en") == "Definition"
    # not in our table: the vocabulary's label, then a prefixed name, never the IRI
    assert property_name("http://www.w3.org/ns/dcat#spatialResolutionInMeters", "en").startswith("Spatial")
    assert property_name("https://catalogue.example.org/def/catalogue#somethingNew") == "cat:somethingNew"
    assert "http" not in property_name("http://unknown.example.org/ns#thing")
    assert class_name("http://www.w3.org/2004/02/skos/core#Concept", "en") == "Concept"  # not "Asset type"
    assert class_name("http://www.w3.org/2004/02/skos/core#Concept", "de") == "Konzept"
    assert compact_name("https://catalogue.example.org/def/eira#viewpoint") == "eirax:viewpoint"


def test_languages_are_named_in_the_readers_language():
    deu = "http://publications.europa.eu/resource/authority/language/DEU"
    assert language_code(deu) == "de" and language_code("GER") == "de" and language_code("de-AT") == "de"
    assert language_name(deu, "en") == "German"
    assert language_name(deu, "de") == "Deutsch"
    assert language_name(deu, "fr") == "Allemand"
    assert language_name("http://publications.europa.eu/resource/authority/language/GLE", "en") == "Irish"
    assert language_name("ENG", "xx") == "English"  # a language Babel does not know reads English
    assert language_name("http://example.org/not-a-language") is None
    assert language_name("QQQ") is None


# --- an EIRA building block -------------------------------------------------------------------

def test_a_v4_block_says_what_it_is_first_and_names_its_v6_successor(site):
    page = get(site, V4_BLOCK)
    assert re.search(r"<h1[^>]*>Data Set Catalogue", page)
    definition = page.index("Indexed inventory of data sets")
    assert definition < page.index("All statements")                       # definition first
    assert definition < page.index("Solutions implementing this building block")
    notice = re.search(r'<p class="notice succession">(.*?)</p>', page, re.S).group(1)
    assert "From EIRA v4; succeeded in v6 by" in notice
    assert 'href="/dr8/DataSetCatalogueDataObject"' in notice and "Dataset Catalogue" in notice
    assert re.search(r'class="chip"[^>]*>Semantic View</a>', page)          # its view, by name
    assert "Shared Knowledge Base" in section(page, "related-blocks")       # skos:broader, by name
    assert "Solutions implementing this building block (" in page
    assert "EIRA v4" in page
    assert_no_web_address_shown(page)


def test_a_v6_block_shows_its_view_viewpoint_and_the_v4_block_it_replaces(site):
    page = get(site, V6_BLOCK)
    assert page.index("Dataset Catalogue ABB is a Data Object") < page.index("All statements")
    notices = re.findall(r'<p class="notice succession">(.*?)</p>', page, re.S)
    notice = next(n for n in notices if "Replaces" in n)
    assert "(EIRA v4)" in notice
    # EIRA v6.1 renamed it (a case change): said as a rename, not as a v4 succession
    assert any("Renamed in EIRA v6.1" in n and "/dr8/DatasetCatalogueDataObject" in n for n in notices)
    assert not any("From EIRA v4" in n for n in notices)
    assert 'href="/dr8/DataSetCatalogue"' in notice and "Data Set Catalogue" in notice
    assert re.search(r'class="chip"[^>]*>Semantic view</a>', page)
    assert re.search(r'class="chip"[^>]*>Key Interoperability Enablers viewpoint<', page)
    used = re.search(r"Solutions implementing this building block \((\d+)\)", page)
    assert used and int(used.group(1)) > 1
    total = int(used.group(1))                                              # the first ten, then search
    assert page.count('<li><a href="/resource?uri=https://demo.interop.example.eu/solution/') == min(total, 10)
    assert ("/search?eira=http://data.europa.eu/dr8/DataSetCatalogueDataObject" in page) == (total > 10)
    assert_no_web_address_shown(page)


def test_a_block_page_in_german_names_its_properties_in_german(site):
    page = get(site, V6_BLOCK, "de")
    statements = page.split('<details class="all-statements">', 1)[1]
    assert "EIRA-Sichtweise" in statements and "Definition" in statements
    headers = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', statements, re.S)
    assert headers and not any("http" in h or "#" in h for h in headers)
    assert 'title="https://catalogue.example.org/def/eira#viewpoint"' in statements  # the IRI: a title


def test_every_block_statement_names_its_property(site):
    page = get(site, V4_BLOCK)
    assert "<details class=\"all-statements\">" in page
    headers = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', page, re.S)
    assert "Type (class)" in headers and "Replaced by" in headers and "Related concept" in headers
    assert not any("http" in h for h in headers)


# --- vocabulary terms -------------------------------------------------------------------------

def test_a_concept_page_shows_its_scheme_broader_term_and_use(site):
    page = term(site, S + "hospitals")
    assert re.search(r"<h1[^>]*>Hospitals", page)
    assert page.index("Places where sick or injured people") < page.index("All statements")
    facts = page.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    assert "Vocabulary" in facts and "Sectors of the example agency" in facts
    assert "Broader" in facts and f'href="/resource?uri={S}health"' in facts and ">Health</a>" in facts
    assert "<code>H-01</code>" in facts                                     # its notation
    assert "Solutions on this topic (1)" in page and "Hospital bed register" in page
    assert_no_web_address_shown(page)
    health = term(site, S + "health", "de")
    assert re.search(r"<h1[^>]*>Gesundheit", health)
    assert "Krankenhäuser" in health.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]  # narrower
    assert_no_web_address_shown(health)


def test_an_authority_table_term_says_what_kind_it_is_and_links_its_search(site):
    page = term(site, COUNTRY)
    assert '<p class="kind">Country</p>' in page and re.search(r"<h1[^>]*>Germany", page)
    assert "Countries Authority Table" in page and "<code>DEU</code>" in page
    assert "Solutions covering this place (" in page
    assert "Asset type" not in page
    assert_no_web_address_shown(page)
    zip_page = term(site, FILE_TYPE, "fr")
    assert '<p class="kind">' in zip_page and ">ZIP<" in zip_page
    used = re.search(r"<dd>(\d[\d,]*) solutions?</dd>", zip_page)          # no facet: a count
    assert used and int(used.group(1).replace(",", "")) > 10
    assert_no_web_address_shown(zip_page)


def test_the_generic_table_names_properties_and_classes(site):
    page = get(site, "/resource", uri="http://data.europa.eu/dr8/view/SemanticView")
    headers = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', page, re.S)
    assert "Member" in headers and "Type (class)" in headers
    assert not any("http" in h for h in headers)
    assert "Collection of concepts" in page                                 # skos:Collection, named
    assert ">Data Set Catalogue</a>" in page                                # members by name


# --- languages on a solution page -------------------------------------------------------------

def test_a_solution_page_names_its_languages(site):
    english = get(site, "/resource", uri=S + "solution")
    languages = english.split("<dt>Languages</dt>", 1)[1].split("</dd>", 1)[0]
    assert "German" in languages and "English" in languages
    assert "DEU" not in languages and "ENG" not in languages
    assert "<a" not in languages  # no language page: the 4 MB language table is not loaded
    german = get(site, "/resource", "de", uri=S + "solution")
    languages = german.split("<dt>Sprachen</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Deutsch" in languages and "Englisch" in languages
