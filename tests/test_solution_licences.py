"""A solution page names the licences of each release's distributions and warns when two of
them cannot be combined by the Licensing Assistant's rules (issue 13): the real server over a
store holding one publisher's solution whose release 2.0 mixes GPL-2.0-only and GPL-3.0-only
(T05 both ways) with Apache-2.0, and whose release 1.0 mixes EUPL-1.2, MIT (MIT goes into
EUPL-1.2) and the expression GPL-2.0-only OR MIT with an in-house licence the assistant does
not know; then the domain alone, over hand-made licences and the shipped rules."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from catalogue.labels import LABEL_PROPERTIES
from catalogue.licences import Licence, LicenceError
from catalogue.licences.compatibility import check, check_expression, read_rules
from catalogue.licences.directory import expression_entry
from catalogue.licences.expressions import is_expression, parse
from catalogue.pages.solution import Distribution, Link, Release, SolutionPage, check_licences
from tests.conftest import ROOT, serving

DUMP = Path(__file__).parent / "data" / "solution_licences" / "release-licences.ttl"
TOOLKIT = "http://toolkit.example.org/toolkit"
GPL2, GPL3 = "GNU General Public License v2.0 only", "GNU General Public License v3.0 only"
INHOUSE = "Records Office Template Licence"
CHECK_GPL = "/licences/compatibility?use=GPL-2.0-only&amp;redistribute=GPL-3.0-only"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("solution-licences") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store)}
    for args in (["init", "--no-demo"], ["ingest", str(DUMP), "--source", "toolkit"]):
        done = subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    with serving(env) as url:
        yield url


def releases(site) -> dict[str, str]:
    """Each release's part of the solution page, by its version."""
    r = requests.get(site + "/resource", params={"uri": TOOLKIT}, headers={"Accept": "text/html"}, timeout=20)
    assert r.status_code == 200, r.text
    parts = r.text.split('<div class="release">')[1:]
    assert len(parts) == 2
    return {re.search(r"Records Toolkit (\d\.\d)</a>", part).group(1): part for part in parts}  # type: ignore[union-attr]


def test_two_licences_that_cannot_be_combined_are_named_with_a_link_to_the_check(site):
    newer = releases(site)["2.0"]
    assert newer.count('class="licence-conflict"') == 1  # Apache-2.0 goes into either GPL (T12)
    warning = html.unescape(newer.split('class="licence-conflict"', 1)[1].split("</p>", 1)[0])
    assert "Cannot be combined" in warning and GPL2 in warning and GPL3 in warning
    assert CHECK_GPL in newer
    check_page = requests.get(site + html.unescape(CHECK_GPL), headers={"Accept": "application/json"}, timeout=20)
    assert check_page.json()["rule"] == "T05" and check_page.json()["compatible"] is False


def test_each_licence_in_use_is_listed_once_and_links_to_the_assistant(site):
    newer = releases(site)["2.0"]
    listed = newer.split("Licences in this release:", 1)[1].split("</p>", 1)[0]
    assert re.findall(r'href="(/licences\?q=[^"]+)"', listed) == [
        "/licences?q=Apache-2.0", "/licences?q=GPL-2.0-only", "/licences?q=GPL-3.0-only"]  # GPL-2.0 twice: once
    assert "could not be checked" not in newer


def test_licences_that_combine_one_way_give_no_warning_and_an_unknown_one_a_note(site):
    older = releases(site)["1.0"]
    assert "licence-conflict" not in older  # EUPL-1.2 -> MIT is T14, but MIT -> EUPL-1.2 is T12
    listed = older.split("Licences in this release:", 1)[1].split("</p>", 1)[0]
    assert 'href="/licences?q=EUPL-1.2"' in listed
    assert 'href="/licences?q=MIT"' in listed  # named by its SPDX IRI itself
    assert 'href="/licences?q=GPL-2.0-only+OR+MIT">GPL-2.0-only OR MIT</a>' in listed  # goes into EUPL-1.2: T04
    assert INHOUSE in listed and "/licences?q=http" not in listed  # not in the assistant: its own page
    note = older.split('class="licence-unchecked"', 1)[1].split("</p>", 1)[0]
    assert INHOUSE in note and "could not be checked" in note


def test_the_solutions_data_is_unchanged(site):
    """The check is for readers of the page: the Turtle and JSON-LD of the solution stay its
    own description (with the labels of what it points to), as published."""
    dumped = {t for t in ox.parse(path=str(DUMP), format=ox.RdfFormat.TURTLE)
              if t.subject == ox.NamedNode(TOOLKIT)}
    served = {}
    for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)):
        r = requests.get(site + f"/resource.{ext}", params={"uri": TOOLKIT}, timeout=20)
        assert r.status_code == 200
        served[ext] = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(r.content, format=fmt)}
    assert served["ttl"] == served["jsonld"]
    own = {t for t in served["ttl"] if t.subject == ox.NamedNode(TOOLKIT)}
    assert own == {ox.Triple(t.subject, t.predicate, t.object) for t in dumped}
    assert all(t.predicate in LABEL_PROPERTIES for t in served["ttl"] - own)
    assert not any("combined" in t.object.value or "Licensing Assistant" in t.object.value for t in served["ttl"])


def test_on_a_phone_the_warning_is_in_sight_and_the_page_does_not_scroll_sideways(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site + "/resource?uri=" + TOOLKIT)
    warning = page.locator(".licence-conflict")
    assert warning.count() == 1 and warning.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        warning.locator("a").click()
    assert "T05" in page.locator(".verdict").inner_text()
    context.close()


# the domain alone: the rules over licences built by hand, no store

def _licence(key: str, *types: str) -> Licence:
    return Licence(key=key, iri="http://example.org/" + key, spdx=key, titles=(("en", key),),
                   legal_types=frozenset("http://joinup.eu/legal-type#" + t for t in types), text=None, solutions=0)


class Assistant:
    """The two calls check_licences makes, as ``Catalogue.licences`` answers them, over
    hand-made licences and the shipped rules."""

    def __init__(self, *licences: Licence) -> None:
        self.by = {lic.key: lic for lic in licences} | {lic.iri: lic for lic in licences}
        self.rules = read_rules()
        self.asked = 0

    def get(self, name: str) -> Licence:
        self.asked += 1
        if name in self.by:
            return self.by[name]
        if is_expression(name):
            return expression_entry(*parse(name), {k: lic for k, lic in self.by.items() if "/" not in k})
        raise LicenceError(f"No licence has the SPDX id or IRI {name!r}.")

    def known(self, name: str) -> Licence | None:
        try:
            return self.get(name)
        except LicenceError:
            return None

    def check(self, use: str, redistribute: str, languages=("en",)):
        a, b = self.get(use), self.get(redistribute)
        if b.expression:
            raise LicenceError("Name the one licence you distribute under.")
        return check_expression(self.rules, a, b, self.by, languages) if a.expression else check(self.rules, a, b)


def _page(*releases: list[str]) -> SolutionPage:
    page = SolutionPage(TOOLKIT, "T", None, [], None, None, [], [], [], [], [], [], [], [], [], [], None, None, [])
    for n, licences in enumerate(releases):
        dists = [Distribution(f"{TOOLKIT}/d{n}-{i}", f"d{i}", None, None, [], [Link(iri, iri.rsplit("/", 1)[-1])])
                 for i, iri in enumerate(licences)]
        page.releases.append(Release(f"{TOOLKIT}/r{n}", f"r{n}", None, None, None, dists))
    return page


def test_a_conflict_needs_both_directions_refused_and_is_found_once_per_pair():
    gpl2, gpl3 = _licence("GPL-2.0-only", "Copyleft-Share"), _licence("GPL-3.0-only", "Copyleft-Share")
    eupl, mit = _licence("EUPL-1.2", "Copyleft-Share"), _licence("MIT", "Permissive")
    assistant = Assistant(gpl2, gpl3, eupl, mit)
    page = _page([gpl3.iri, gpl2.iri, gpl2.iri, "http://spdx.org/licenses/MIT"],
                 [eupl.iri, mit.iri, "http://example.org/unknown"])
    check_licences(page, assistant)
    check_licences(page, assistant)  # again: the same answer, not twice the conflicts
    mixed, fine = page.releases
    assert [lic.key for lic in mixed.licences] == ["GPL-2.0-only", "GPL-3.0-only", "MIT"]
    assert [(c.first.key, c.second.key, c.use, c.redistribute) for c in mixed.licence_conflicts] == [
        ("GPL-2.0-only", "GPL-3.0-only", "GPL-2.0-only", "GPL-3.0-only")]
    assert fine.licence_conflicts == [] and [lic.iri for lic in fine.unchecked_licences] == ["http://example.org/unknown"]


def test_an_expression_conflicts_only_when_none_of_its_choices_combines():
    gpl2, gpl3 = _licence("GPL-2.0-only", "Copyleft-Share"), _licence("GPL-3.0-only", "Copyleft-Share")
    mit = _licence("MIT", "Permissive")
    page = _page(["GPL-2.0-only OR MIT", gpl3.iri],  # MIT goes into GPL-3.0-only
                 ["GPL-2.0-only WITH Classpath-exception-2.0", gpl3.iri],  # T05 both ways, for its one choice
                 ["GPL-2.0-only OR MIT", "GPL-3.0-only AND MIT"])  # MIT goes into GPL-3.0-only AND MIT
    check_licences(page, Assistant(gpl2, gpl3, mit))
    either, only, both = page.releases
    assert either.licence_conflicts == [] and both.licence_conflicts == []
    [conflict] = only.licence_conflicts
    assert {conflict.first.key, conflict.second.key} == {"GPL-2.0-only WITH Classpath-exception-2.0", "GPL-3.0-only"}
    assert (conflict.use, conflict.redistribute) == ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-3.0-only")


def test_a_page_without_licences_does_not_ask_the_assistant():
    assistant = Assistant()
    page = _page([])
    check_licences(page, assistant)
    assert assistant.asked == 0 and page.releases[0].licences == [] and page.releases[0].licence_conflicts == []
