"""The search's "Licence terms" facet (``licencetype``): the Joinup legal types of the licences
of a solution's distributions, from the licence itself or from the bundled classification's
licence that names the same SPDX entry; and the saved queries on licences' legal types.

On the demo catalogue (its licences name SPDX entries but carry no legal types) plus a
publisher's dump whose licences carry their own (tests/data/licences/publisher-licences.ttl),
in process; then the real server over a store whose index ``catalogue index`` rebuilt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from catalogue import search
from catalogue.app import Catalogue
from catalogue.licences import TERMS
from catalogue.search import LICENCE_TERMS, SearchRequest
from catalogue.settings import load_settings
from tests.conftest import ROOT, serving

DUMP = Path(__file__).parent / "data" / "licences" / "publisher-licences.ttl"
LT = "http://joinup.eu/legal-type#"
PERMISSIVE, COPYLEFT = LT + "Permissive", LT + "Copyleft-Share"
DEMO = "https://demo.interop.example.eu/licence/"
EX = "http://licences.example.org/"
# the demo's licences in the bundled classification's terms (by their SPDX entries)
DEMO_PERMISSIVE = [DEMO + k for k in ("apache-2.0", "bsd-3-clause", "cc-by-4.0", "cc0-1.0", "dl-de-by-2.0",
                                      "etalab-2.0", "mit")]
DEMO_COPYLEFT = [DEMO + k for k in ("agpl-3.0", "cc-by-sa-4.0", "eupl-1.1", "eupl-1.2", "gpl-3.0", "mpl-2.0")]
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    settings = load_settings({}, store=str(tmp_path_factory.mktemp("legal-types") / "store"))
    c = Catalogue(settings)
    c.publishing.init()  # vocabularies, the bundled classification and the demo, indexed
    assert c.publishing.ingest("municipal", DUMP.read_bytes(), filename=DUMP.name).stored
    yield c
    c.close()


@pytest.fixture(scope="module")
def index(catalogue):
    return catalogue.search.index()


def found(index, **filters: list[str]) -> set[str]:
    """Every hit (all pages) of a search with these filters."""
    request = SearchRequest(filters={k: tuple(v) for k, v in filters.items()})
    first = search.search(index, request)
    hits = {h.iri for h in first.hits}
    for page in range(2, first.pages + 1):
        hits |= {h.iri for h in search.search(index, SearchRequest(filters=request.filters, page=page)).hits}
    assert len(hits) == first.total
    return hits


def test_the_facet_offers_only_terms_of_the_licensing_assistant():
    assert set(LICENCE_TERMS) <= set(TERMS) and len(set(LICENCE_TERMS)) == len(LICENCE_TERMS) == 9


def test_permissive_finds_exactly_the_solutions_with_a_permissively_licensed_distribution(index):
    permissive = found(index, licencetype=[PERMISSIVE])
    # the same as asking for any of those licences: the demo's (bundled terms through their
    # SPDX entries) and the municipal licence (its own terms, no SPDX entry)
    assert permissive == found(index, licence=[*DEMO_PERMISSIVE, EX + "municipal"])
    assert EX + "gateway" in permissive and EX + "registry" not in permissive
    assert len(permissive) > 100


def test_copyleft_finds_exactly_the_solutions_with_a_copyleft_distribution(index):
    copyleft = found(index, licencetype=[COPYLEFT])
    assert copyleft == found(index, licence=[*DEMO_COPYLEFT, EX + "gpl3", EX + "ccbysa"])
    assert {EX + "gateway", EX + "registry"} <= copyleft
    only_permissive = found(index, licence=DEMO_PERMISSIVE) - found(index, licence=DEMO_COPYLEFT)
    assert only_permissive and not only_permissive & copyleft


def test_a_licence_without_spdx_entry_or_legal_types_gives_none(index):
    isa_only = found(index, licence=[DEMO + "isa-oml-1.1"]) - found(index, licence=[
        *DEMO_PERMISSIVE, *DEMO_COPYLEFT, DEMO + "lgpl-3.0"])
    assert isa_only, "the demo has solutions under the ISA Open Metadata Licence only"
    typed = set().union(*(found(index, licencetype=[t]) for t in LICENCE_TERMS))
    assert not isa_only & typed


def test_the_facet_counts_each_term_under_its_vocabulary_label(index):
    everything = search.search(index, SearchRequest(languages=("fr", "en")))
    values = {f.value: f for f in everything.facets["licencetype"]}
    assert set(values) <= set(LICENCE_TERMS) and {PERMISSIVE, COPYLEFT, LT + "GPL"} <= set(values)
    assert values[PERMISSIVE].label == "Permissive" and values[COPYLEFT].label == "Copyleft/Share a."
    assert values[LT + "SaaSNetwork"].label == "SaaS/network"  # the vocabulary's trailing space dropped
    assert values[PERMISSIVE].language == "en"  # the vocabulary has no French label: English, marked
    for value, facet in values.items():
        assert facet.count == len(found(index, licencetype=[value])) > 0, value
    ordered = [f.count for f in everything.facets["licencetype"]]
    assert ordered == sorted(ordered, reverse=True)


def test_it_combines_with_the_licence_facet(index):
    eupl = DEMO + "eupl-1.2"
    both = found(index, licencetype=[PERMISSIVE], licence=[eupl])
    assert both == found(index, licencetype=[PERMISSIVE]) & found(index, licence=[eupl]) != set()
    result = search.search(index, SearchRequest(filters={"licencetype": (PERMISSIVE,), "licence": (eupl,)}))
    # each facet counts as if its own selection were cleared
    types = {f.value: f.count for f in result.facets["licencetype"]}
    assert types[COPYLEFT] == len(found(index, licence=[eupl]))  # every EUPL solution is copyleft
    assert types[PERMISSIVE] == len(both)
    licences = {f.value: f.count for f in result.facets["licence"]}
    assert licences[eupl] == len(both)
    assert licences[DEMO + "mit"] == len(found(index, licence=[DEMO + "mit"]))


def test_two_terms_are_ored(index):
    either = found(index, licencetype=[PERMISSIVE, COPYLEFT])
    assert either == found(index, licencetype=[PERMISSIVE]) | found(index, licencetype=[COPYLEFT])


# the real server, over a store whose index was deleted and rebuilt by `catalogue index`


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("legal-types-web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    shutil.rmtree(search.index_path(str(store)))
    subprocess.run([sys.executable, "-m", "catalogue_cli", "index"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    with serving(env) as url:
        yield url


def rows(site: str, name: str, **params: str) -> list[dict[str, str]]:
    r = requests.get(f"{site}/queries/{name}.json", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def search_page(site: str, **params: str) -> requests.Response:
    r = requests.get(site + "/search", params=params, headers={"Accept": "text/html"}, timeout=20)
    assert r.status_code == 200, r.text
    return r


def test_the_facet_survives_catalogue_index_and_agrees_with_the_saved_query(site):
    for term in (PERMISSIVE, COPYLEFT):
        solutions = {r["solution"] for r in rows(site, "solutions_by_licence_legal_type", type=term)}
        r = search_page(site, licencetype=term)
        assert f"{len(solutions):,} results" in r.text, term
        assert solutions and all(s.startswith("https://demo.interop.example.eu/solution/") for s in solutions)
    page = search_page(site)
    assert "<h2>Licence terms</h2>" in page.text and "Copyleft/Share a." in page.text
    assert "licencetype=http://joinup.eu/legal-type%23Permissive" in page.text


def test_licences_by_legal_type_answers_bundled_and_demo_licences(site):
    permissive = {r["licence"]: r for r in rows(site, "licences_by_legal_type", type=PERMISSIVE)}
    assert {DEMO + "mit", DEMO + "apache-2.0"} <= set(permissive)
    assert any(k.endswith("/licence/MIT") and not k.startswith(DEMO) for k in permissive)  # the bundled one
    assert not {DEMO + "gpl-3.0", DEMO + "eupl-1.2", DEMO + "isa-oml-1.1"} & set(permissive)
    assert permissive[DEMO + "mit"]["spdx"] == "http://spdx.org/licenses/MIT"
    assert permissive[DEMO + "mit"]["label"] == "MIT" and permissive[DEMO + "mit"]["type"] == PERMISSIVE
    r = requests.get(f"{site}/queries/licences_by_legal_type.json", timeout=10)
    assert r.status_code == 400 and "type" in r.text  # the parameter is required


def test_each_licence_with_its_legal_types(site):
    every = rows(site, "licence_legal_types")
    eupl = {r["type"]: r for r in every if r["licence"] == DEMO + "eupl-1.2"}
    assert {COPYLEFT, LT + "GPL", LT + "EU-MSLaw"} <= set(eupl) and PERMISSIVE not in eupl
    assert eupl[COPYLEFT]["from"] == "bundled" and eupl[COPYLEFT]["typeLabel"] == "Copyleft/Share a."
    bundled = [r for r in every if r["licence"].endswith("/licence/EUPL-1.2") and r["licence"] != DEMO + "eupl-1.2"]
    assert bundled and {r["from"] for r in bundled} == {"own"}
    assert not [r for r in every if r["licence"] == DEMO + "isa-oml-1.1"]


def test_the_saved_queries_are_listed_at_queries(site):
    r = requests.get(site + "/queries", headers={"Accept": "text/html"}, timeout=10)
    for name in ("licences_by_legal_type", "solutions_by_licence_legal_type", "licence_legal_types"):
        assert f'action="/queries/{name}"' in r.text, name
