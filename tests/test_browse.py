"""Browsing: /solutions, /collections and /publishers (catalogue/browse/, webapp/browse.py)
on the demo catalogue (/eira: tests/test_cartography.py): the page models, then the real server, then chromium on a phone."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys

import pytest
import requests

from catalogue import search
from catalogue.app import Catalogue
from catalogue.browse import SOLUTIONS, BrowseRequestError, ListRequest, first_sentence
from catalogue.settings import load_settings
from tests.conftest import ROOT, serving

FRA = "http://publications.europa.eu/resource/authority/country/FRA"
ITA = "http://publications.europa.eu/resource/authority/country/ITA"
NATIONAL = "http://purl.org/adms/publishertype/NationalAuthority"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    c = Catalogue(load_settings({}, store=str(tmp_path_factory.mktemp("browse") / "store")))
    c.publishing.init()  # vocabularies and the demo catalogue, indexed
    yield c
    c.close()


@pytest.fixture(scope="module")
def index(catalogue):
    return catalogue.search.index()


# the state a URL asks for


def test_a_state_written_as_parameters_reads_back_the_same():
    req = ListRequest.parse(SOLUTIONS, {"q": ["invoice"], "sort": ["newest"], "page": ["3"],
                                        "spatial": [FRA, ITA], "all": ["eira"], "utm_source": ["x"]})
    assert (req.q, req.sort, req.page, req.filters, req.whole) == (
        "invoice", "newest", 3, {"spatial": (FRA, ITA)}, "eira")
    same = ListRequest.parse(SOLUTIONS, {**req.params(page=3)})
    assert same == req
    assert "page" not in req.params()  # a change goes back to the first page
    assert req.toggled("spatial", FRA)["spatial"] == [ITA]
    assert ListRequest.parse(SOLUTIONS, {}).params() == {}  # defaults are left out


@pytest.mark.parametrize("args, says", [
    ({"page": ["-1"]}, "page must be a whole number"), ({"page": ["abc"]}, "page must be"),
    ({"page": ["0"]}, "page must be"), ({"page": ["501"]}, "page must be"),
    ({"sort": ["bogus"]}, "sort must be one of title, newest, relevance"),
    ({"all": ["bogus"]}, "all must name a filter of this page"),
    ({"spatial": [f"v{i}" for i in range(21)]}, "too many or too long spatial values"),
    ({"q": ["x" * 501]}, "q is too long")])
def test_a_malformed_parameter_is_refused_with_a_reason(args, says):
    with pytest.raises(BrowseRequestError, match=says):
        ListRequest.parse(SOLUTIONS, args)


def test_a_card_says_the_first_sentence_of_a_description_in_at_most_160_characters():
    assert first_sentence("A registry.  It stores  things. More.") == "A registry."
    assert first_sentence("Version 2.0 of the tool is out") == "Version 2.0 of the tool is out"
    long = "word " * 60
    line = first_sentence(long)
    assert len(line) <= 160 and line.endswith("…") and "  " not in line


# the page models


def test_solutions_are_every_solution_of_the_index_as_cards(catalogue, index):
    listing = catalogue.browse.solutions({}, ("en",))
    expected = search.count(index, search.SearchRequest(filters={"type": ("solution",)}))
    assert listing.total == expected > 20 and len(listing.items) == 20
    card = listing.items[0]
    assert card.kind == "solution" and card.title and card.publishers and card.modified
    assert all(len(c.line) <= 160 and "\n" not in c.line for c in listing.items)
    assert any(c.blocks for c in listing.items) and any(c.licences for c in listing.items)
    assert not any(b.label.startswith("http") for c in listing.items for b in c.blocks)  # names
    titles = [c.title.lower() for c in listing.items]
    assert titles == sorted(titles)


def test_a_facet_value_narrows_to_its_count_and_one_value_per_solution_adds_up(catalogue):
    every = catalogue.browse.solutions({"all": ["publisher"]}, ("en",))
    publishers = next(f for f in every.facets if f.name == "publisher")
    assert publishers.whole and len(publishers.values) == publishers.size > 10
    assert sum(v.count for v in publishers.values) == every.total  # one publisher each
    spatial = next(f for f in every.facets if f.name == "spatial")
    assert len(spatial.values) == 10 and spatial.hidden > 0  # the top 10, then "show all"
    top = spatial.values[0]
    narrowed = catalogue.browse.solutions({"spatial": [top.value]}, ("en",))
    assert narrowed.total == top.count < every.total


def test_every_value_of_a_facet_also_on_search(index):
    """``expand``: what the lead's /search uses for "show all N values"."""
    req = search.SearchRequest(filters={"type": ("solution",)})
    capped = search.search(index, req, facet_limit=3)
    whole = search.search(index, req, facet_limit=3, expand=("spatial",))
    assert len(capped.facets["spatial"]) == 3 < capped.facet_sizes["spatial"]
    assert len(whole.facets["spatial"]) == whole.facet_sizes["spatial"] == capped.facet_sizes["spatial"]
    with pytest.raises(search.SearchRequestError):
        search.search(index, req, expand=("bogus",))


def test_collections_count_what_solutions_lists_for_them(catalogue):
    listing = catalogue.browse.collections({"sort": ["size"]}, ("en",))
    assert listing.total == 12 and all(c.kind == "collection" for c in listing.items)
    sizes = [c.solutions for c in listing.items]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0
    biggest = listing.items[0]
    assert biggest.publishers and biggest.line and biggest.modified
    assert catalogue.browse.solutions({"collection": [biggest.iri]}).total == biggest.solutions
    by_name = [c.title.casefold() for c in catalogue.browse.collections({}, ("en",)).items]
    assert by_name == sorted(by_name)


def test_publishers_have_a_country_and_a_type_by_name_and_two_facets(catalogue):
    listing = catalogue.browse.publishers({"sort": ["solutions"], "all": ["country"]}, ("fr", "en"))
    assert listing.total > 20
    counts = [c.solutions for c in listing.items]
    assert counts == sorted(counts, reverse=True)
    first = listing.items[0]
    assert first.countries and not first.countries[0].label.startswith("http")
    assert first.types and first.types[0].label == "Regional authority"
    assert catalogue.browse.solutions({"publisher": [first.iri]}).total == first.solutions
    country = next(f for f in listing.facets if f.name == "country")
    assert sum(v.count for v in country.values) == listing.total  # one country each
    assert any(v.label == "Italie" for v in country.values)  # in the reader's language
    kind = next(f for f in listing.facets if f.name == "type")
    national = next(v for v in kind.values if v.value == NATIONAL)
    only = catalogue.browse.publishers({"type": [NATIONAL]}, ("en",))
    assert only.total == national.count
    both = catalogue.browse.publishers({"type": [NATIONAL], "country": [FRA]}, ("en",))
    french = next(v for v in next(f for f in only.facets if f.name == "country").values if v.value == FRA)
    assert both.total == french.count and all(FRA in [n.iri for n in c.countries] for c in both.items)


# the real server


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("browse-site") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    with serving(env) as url:
        yield url


def get(site: str, path: str, **params) -> requests.Response:
    return requests.get(site + path, params=params, headers=HTML, timeout=30)


def cards(page: requests.Response) -> list[str]:
    """The titles of a page's cards, in order."""
    return [html.unescape(t) for t in re.findall(r'class="card-title">(?:<a [^>]*>|<span[^>]*>)([^<]+)<', page.text)]


def total(page: requests.Response) -> int:
    m = re.search(r'<p class="summary"><strong>([\d,]+) ', page.text)
    assert m, page.text[:2000]
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize("path", ["/solutions", "/collections", "/publishers"])
def test_each_page_lists_cards(site, path):
    page = get(site, path)
    assert page.status_code == 200 and len(cards(page)) >= 10


def test_facet_links_narrow_and_their_counts_add_up(site):
    page = get(site, "/publishers", all="type")
    facet = page.text.split('id="facet-type"', 1)[1].split("</section>", 1)[0]
    values = re.findall(r'<a href="([^"]+)">.*?<span class="count">([\d,]+)</span>', facet)
    assert len(values) > 3
    assert sum(int(n) for _, n in values) == total(page)  # one type per publisher
    href, n = values[0]
    narrowed = get(site, html.unescape(href))
    assert total(narrowed) == int(n) and len(cards(narrowed)) == min(int(n), 20)


def test_a_shared_url_reproduces_the_state(site):
    params = {"q": "customs", "sort": "newest", "spatial": ITA, "page": "2"}
    first = get(site, "/solutions", **params)
    assert first.status_code == 200 and cards(first)
    again = requests.get(first.url, headers=HTML, timeout=30)  # as another reader would
    assert cards(again) == cards(first) and total(again) == total(first)
    assert 'aria-current="true"><strong>title' not in first.text and '<strong aria-current="true">newest' in first.text


def test_show_all_values_lists_every_value_of_a_facet(site):
    page = get(site, "/solutions")
    more = re.search(r'<a class="more" href="([^"]*all=spatial[^"]*)">Show all (\d+) values</a>', page.text)
    assert more, "the country facet offers every value"
    whole = get(site, html.unescape(more.group(1)).split("#")[0])
    facet = whole.text.split('id="facet-spatial"', 1)[1].split("</section>", 1)[0]
    assert facet.count("<li>") == int(more.group(2)) > 10
    assert "Show the top 10 only" in facet


@pytest.mark.parametrize("path, params", [
    ("/solutions", {"page": "-1"}), ("/solutions", {"page": "abc"}), ("/solutions", {"sort": "bogus"}),
    ("/solutions", {"all": "bogus"}), ("/collections", {"sort": "title"}), ("/publishers", {"page": "0"}),
    ("/publishers", {"all": "spatial"})])
def test_a_bad_parameter_is_a_400_that_says_why(site, path, params):
    page = get(site, path, **params)
    assert page.status_code == 400, page.text[:500]
    assert next(iter(params)) in page.text


@pytest.mark.parametrize("path, params", [
    ("/solutions", {"bogus": "x"}), ("/solutions", {"type": "collection"}), ("/solutions", {"page": "400"}),
    ("/publishers", {"country": "http://nowhere.example/x"}), ("/solutions", {"q": "<script>alert(1)</script>"})])
def test_odd_but_harmless_parameters_give_a_page(site, path, params):
    page = get(site, path, **params)
    assert page.status_code == 200
    assert "<script>alert" not in page.text


def test_the_page_speaks_the_readers_language(site):
    page = requests.get(site + "/solutions", params={"lang": "de", "page": "2"}, timeout=30)
    assert "Seite 2 von 16" in page.text
    french = get(site, "/publishers", lang="fr")
    assert french.status_code == 200 and "Italie" in french.text


def test_the_first_card_is_in_sight_on_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for path in ("/solutions", "/collections", "/publishers"):
            page.goto(site + path)
            box = page.locator(".card").first.bounding_box()
            assert box is not None and box["y"] + 60 < 844, (path, box)  # its title at least
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert page.evaluate("window.scrollY") == 0
        page.goto(site + "/solutions")
        box = page.locator(".card").first.bounding_box()
        assert box["y"] + box["height"] <= 844, box  # the whole first card
        # the results come before the filters in the page
        assert page.evaluate("""() => {
            const r = document.querySelector('.results'), f = document.querySelector('#filters');
            return !!(r.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING); }""")
    finally:
        context.close()
