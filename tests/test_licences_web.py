"""The Licensing Assistant end to end: the real server over a store holding a publisher's
licences with Joinup legal types (counted like bundled ones), through requests, the
command line and chromium on a phone-sized window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, serving

DUMP = Path(__file__).parent / "data" / "licences" / "publisher-licences.ttl"
PASSWORD = "a long enough password"
MUNICIPAL = "http://licences.example.org/municipal"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    store = tmp_path_factory.mktemp("licences") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    for args in (["init", "--no-demo"], ["ingest", str(DUMP), "--source", "municipal"],
                 ["user", "add", "root", "--role", "admin"], ["user", "add", "maria", "--role", "member"]):
        subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    return env


@pytest.fixture(scope="module")
def site(env):
    with serving(env) as url:
        yield url


def listing(site, **params) -> dict:
    r = requests.get(site + "/licences", params=params, headers=JSON, timeout=20)
    assert r.status_code == 200, r.text
    return r.json()


def keys(answer: dict) -> set[str]:
    return {lic["key"] for lic in answer["licences"]}


def test_a_publishers_licences_with_legal_types_are_listed_with_their_use(site):
    every = listing(site)
    by_key = {lic["key"]: lic for lic in every["licences"]}
    assert {MUNICIPAL, "GPL-3.0-only", "CC-BY-SA-4.0", "EUPL-1.2", "MIT"} <= set(by_key)
    assert every["count"] == len(every["licences"]) == every["total"] >= 60  # with the bundled ones
    municipal = by_key[MUNICIPAL]
    assert municipal["spdx"] is None and municipal["title"] == "Example Municipal Open Licence"
    assert not municipal["bundled"] and municipal["iri"] == MUNICIPAL
    assert municipal["legal_types"]["Compatible"] == ["Permissive", "ForSoftware"]
    assert municipal["text"] == "https://licences.example.org/municipal.html"
    assert municipal["solutions"] == 1 and by_key["GPL-3.0-only"]["solutions"] == 1  # named by an old id (GPL-3.0)
    assert by_key["EUPL-1.2"]["solutions"] == 0
    assert every["licences"][0]["solutions"] == 1  # the most used first


def test_the_bundled_classification_wins_over_a_dumps_for_the_same_licence(site):
    eupl = {lic["key"]: lic for lic in listing(site, q="EUPL-1.2")["licences"]}["EUPL-1.2"]
    assert eupl["bundled"] and eupl["iri"].endswith("/licence/EUPL-1.2")
    assert "GPL" in eupl["legal_types"]["Compatible"]  # the bundled terms; the dump's lack GPL


def test_filters_keep_licences_with_every_chosen_term_and_words_match_any_part(site):
    permissive = listing(site, t="Permissive")
    assert {MUNICIPAL, "MIT", "Apache-2.0"} <= keys(permissive) and "GPL-3.0-only" not in keys(permissive)
    assert all("Permissive" in lic["legal_types"]["Compatible"] for lic in permissive["licences"]
               if "expression" not in lic)  # an expression: under one of its choices
    both = listing(site, t=["Copyleft-Share", "ForSoftware"])
    assert {"GPL-3.0-only", "EUPL-1.2"} <= keys(both) and not keys(both) & {MUNICIPAL, "MIT"}
    assert keys(listing(site, t=["Permissive", "Copyleft-Share"])) == set()
    assert keys(listing(site, q="MUNICIPAL")) == {MUNICIPAL}
    assert {"GPL-3.0-only", "LGPL-3.0-only", "AGPL-3.0-only"} <= keys(listing(site, q="gpl-3"))
    assert "CC-BY-SA-4.0" in keys(listing(site, q="Share Alike", t="ForData"))
    into = listing(site, into="EUPL-1.2", t="Permissive")
    assert {MUNICIPAL, "MIT"} <= keys(into) and into["filters"] == {"t": ["Permissive"], "q": "", "into": "EUPL-1.2"}
    assert "GPL-3.0-only" in keys(listing(site, into="eupl-1.2"))  # T04, under conditions
    assert "GPL-3.0-only" not in keys(listing(site, into="MIT"))  # T07: the combination stays GPL


def test_the_listing_works_without_javascript_and_every_state_is_a_link(site):
    r = requests.get(site + "/licences", params={"t": "Permissive"}, timeout=20)
    assert r.status_code == 200
    assert "licences found" in r.text and "Example Municipal Open Licence" in r.text
    assert 'href="/licences?t=Permissive&amp;t=ForSoftware"' in r.text  # add a term
    assert 'href="/licences"' in r.text  # remove the only one
    assert 'action="/licences/compare"' in r.text and 'name="l"' in r.text


def test_an_unknown_legal_type_or_target_is_refused_with_a_reason(site):
    r = requests.get(site + "/licences", params={"t": "Nonsense"}, headers=JSON, timeout=20)
    assert r.status_code == 400 and "Nonsense" in r.json()["error"]["message"]
    r = requests.get(site + "/licences", params={"into": "EUPL-1.3"}, timeout=20)
    assert r.status_code == 404 and "EUPL-1.2" in r.text  # suggested


def test_compare_shows_every_term_by_category_and_marks_differences(site):
    r = requests.get(site + "/licences/compare", params={"l": ["EUPL-1.2", "GPL-3.0", MUNICIPAL]},
                     headers=JSON, timeout=20)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [lic["key"] for lic in body["licences"]] == ["EUPL-1.2", "GPL-3.0-only", MUNICIPAL]
    assert len(body["rows"]) == 41
    rows = {row["term"]: row for row in body["rows"]}
    assert rows["Copyleft-Share"]["values"] == [True, True, False] and rows["Copyleft-Share"]["differs"]
    assert rows["Use-Reproduce"]["values"] == [True, True, True] and not rows["Use-Reproduce"]["differs"]
    html = requests.get(site + "/licences/compare", params={"l": ["EUPL-1.2", "MIT-0", "GPL-3.0-only"][::2]},
                        timeout=20)
    assert html.status_code == 200 and 'class="differs"' in html.text and "You must" in html.text


@pytest.mark.parametrize("names,status,says", [
    (["EUPL-1.2"], 400, "Compare 2 to 5 licences; 1 given."),
    (["EUPL-1.2", "GPL-3.0-only", "CC-BY-SA-4.0", MUNICIPAL, "EUPL-1.2", "GPL-3.0"], 400, "6 given"),
    (["GPL-3.0", "gpl-3.0-only"], 400, "asked twice (it is GPL-3.0-only)"),
    (["EUPL-1.2", "EUPL-1.3"], 400, "'EUPL-1.3'. Did you mean EUPL-1.2"),
])
def test_compare_refuses_bad_requests_saying_which_and_suggesting(site, names, status, says):
    r = requests.get(site + "/licences/compare", params={"l": names}, headers=JSON, timeout=20)
    assert r.status_code == status and says in r.json()["error"]["message"]
    page = requests.get(site + "/licences/compare", params={"l": names}, timeout=20)
    assert page.status_code == status and 'role="alert"' in page.text and 'name="l"' in page.text


def test_the_compatibility_check_answers_json_html_by_id_and_by_iri(site):
    r = requests.get(site + "/licences/compatibility", params={"use": "GPL-3.0-only", "redistribute": "EUPL-1.2"},
                     headers=JSON, timeout=20)
    assert r.status_code == 200
    body = r.json()
    assert body["rule"] == "T04" and body["compatible"] is True and body["outcome"] == "conditional"
    assert body["use"]["spdx"] == "GPL-3.0-only" and body["use"]["iri"].endswith("/licence/GPL-3.0-only")
    assert body["redistribute"]["spdx"] == "EUPL-1.2" and body["redistribute"]["title"].startswith(
        "European Union Public Licence")
    assert "GPL-3.0-only" in body["advice"] and "EUPL-1.2" in body["advice"]
    by_iri = requests.get(site + "/licences/compatibility", params={"use": MUNICIPAL, "redistribute": "CC-BY-SA-4.0"},
                          headers=JSON, timeout=20).json()
    assert by_iri["rule"] == "T12" and "Example Municipal Open Licence" in by_iri["advice"]
    page = requests.get(site + "/licences/compatibility", timeout=20,
                        params={"use": "LGPL-3.0-only", "redistribute": "CC-BY-SA-4.0", "lang": "fr"})
    assert page.status_code == 200 and "T15" in page.text and "passerelle" in page.text


def test_an_unknown_licence_in_a_check_is_a_404_with_suggestions(site):
    r = requests.get(site + "/licences/compatibility", params={"use": "GPL-3.0-onl", "redistribute": "EUPL-1.2"},
                     headers=JSON, timeout=20)
    assert r.status_code == 404 and "Did you mean GPL-3.0-only" in r.json()["error"]["message"]
    page = requests.get(site + "/licences/compatibility", params={"use": "GPL-3.0-onl", "redistribute": "EUPL-1.2"},
                        timeout=20)
    assert page.status_code == 404 and "Did you mean GPL-3.0-only" in page.text and 'id="use"' in page.text
    half = requests.get(site + "/licences/compatibility", params={"use": "MIT"}, headers=JSON, timeout=20)
    assert half.status_code == 400 and "Name both licences" in half.json()["error"]["message"]


def test_the_matrix_crosses_the_licences_in_use_with_the_rule_in_each_cell(site):
    body = requests.get(site + "/licences/matrix", headers=JSON, timeout=20).json()
    assert set(body["licences"]) == {MUNICIPAL, "GPL-3.0-only", "CC-BY-SA-4.0"}  # EUPL-1.2 is unused
    cells = {(row["use"], c["redistribute"]): (c["rule"], c["outcome"]) for row in body["rows"] for c in row["cells"]}
    assert len(cells) == 9
    assert cells[("GPL-3.0-only", "GPL-3.0-only")] == ("T01", "compatible")
    assert cells[(MUNICIPAL, "GPL-3.0-only")] == ("T12", "compatible")
    assert cells[("GPL-3.0-only", MUNICIPAL)] == ("T14", "incompatible")
    assert cells[("CC-BY-SA-4.0", "GPL-3.0-only")] == ("T13", "compatible")  # CC's one-way GPLv3 compatibility
    assert cells[("CC-BY-SA-4.0", MUNICIPAL)] == ("T14", "incompatible")
    page = requests.get(site + "/licences/matrix", timeout=20)
    assert page.status_code == 200 and page.text.count('class="cell ') >= 9
    assert "/licences/compatibility?use=GPL-3.0-only&amp;redistribute=" in page.text


def test_the_command_line_check_gives_the_rule_and_an_exit_code(tmp_path):
    env = {**os.environ, "CATALOGUE_STORE": str(tmp_path / "store")}  # the server holds the other store
    subprocess.run([sys.executable, "-m", "catalogue_cli", "init", "--no-demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "catalogue_cli", "ingest", str(DUMP), "--source", "municipal"], env=env,
                   cwd=ROOT, check=True, capture_output=True)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "catalogue_cli", "licence", "check", *args], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    ok = run("GPL-3.0-only", "EUPL-1.2")
    assert ok.returncode == 0 and ok.stdout.startswith("T04: ")
    no = run("CC-BY-SA-4.0", MUNICIPAL, "--json")
    assert no.returncode == 1 and '"rule": "T14"' in no.stdout  # copyleft into permissive: no
    unknown = run("GPL-3.0-onl", "EUPL-1.2")
    assert unknown.returncode == 2 and "Did you mean GPL-3.0-only" in unknown.stderr


def test_a_newcomer_on_a_phone_finds_compares_and_checks(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site + "/licences")
    page.click("text=EUPL-1.2")  # works may go into EUPL-1.2
    page.click(".facet a:text-is('Permissive')")  # ...and permissive: two clicks
    assert page.locator(".tile", has_text="Example Municipal Open Licence").count() == 1
    assert page.locator(".tile", has_text="GNU General Public License").count() == 0
    assert "into=EUPL-1.2" in page.url and "t=Permissive" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(site + "/licences")
    for key in ("EUPL-1.2", "GPL-3.0-only", MUNICIPAL):
        page.check(f"input[name=l][value='{key}']")
    with page.expect_navigation():
        page.click("text=Compare the selected licences")
    assert page.locator("table.compare thead th").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its box
    page.goto(site + "/licences/compatibility")
    page.fill("#use", "GPL-3.0-only")
    page.fill("#redistribute", "EUPL-1.2")
    with page.expect_navigation():
        page.click("button:text-is('Check')")
    assert "Rule T04 applies." in page.locator(".verdict").inner_text()
    context.close()


def signed_in(site: str, username: str) -> requests.Session:
    s = requests.Session()
    form = s.get(site + "/login", timeout=10).text
    r = s.post(site + "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(form)},
               timeout=10)
    assert r.status_code == 200, r.text[:300]
    return s


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def edit(site: str, s: requests.Session, **data) -> requests.Response:
    page = s.get(site + "/licences/advice", timeout=20).text
    return s.post(site + "/licences/advice", data={**data, "csrf_token": csrf(page)}, allow_redirects=False,
                  timeout=20)


def check_advice(site: str, lang: str = "en") -> dict:
    return requests.get(site + "/licences/compatibility", headers=JSON, timeout=20,
                        params={"use": "MIT", "redistribute": "EUPL-1.2", "lang": lang}).json()


def test_an_administrator_rewords_advice_and_the_history_keeps_every_edit(site):
    assert check_advice(site)["rule"] == "T12"
    admin = signed_in(site, "root")
    r = edit(site, admin, rule="T12", language="fr", action="save",
             text="Oui : {use} est permissive ; gardez ses mentions dans l'œuvre sous {redistribute}.")
    assert r.status_code == 303
    assert check_advice(site, "fr")["advice"] == "Oui : MIT est permissive ; gardez ses mentions dans l'œuvre sous EUPL-1.2."
    assert check_advice(site, "en")["advice"].startswith("Yes: MIT is permissive")  # other languages unchanged
    page = admin.get(site + "/licences/advice", timeout=20).text
    assert "1 edit" in page and "root" in page and "gardez ses mentions" in page
    assert edit(site, admin, rule="T12", language="fr", action="reset").status_code == 303
    assert check_advice(site, "fr")["advice"].startswith("Oui : MIT est permissive. Vous pouvez")  # shipped again
    assert "2 edits" in admin.get(site + "/licences/advice", timeout=20).text


@pytest.mark.parametrize("data,says", [
    ({"rule": "T12", "language": "en", "text": "Just {use}."}, "must name both licences: write {redistribute}"),
    ({"rule": "T12", "language": "en", "text": "{use} into {redistribute} and {other}"}, "{other} is not a placeholder"),
    ({"rule": "T12", "language": "en", "text": "   "}, "The advice is empty"),
    ({"rule": "T12", "language": "en", "text": "{use} {redistribute} " + "x" * 2001}, "at most 2000"),
    ({"rule": "T99", "language": "en", "text": "{use} {redistribute}"}, "There is no rule 'T99'"),
    ({"rule": "T12", "language": "es", "text": "{use} {redistribute}"}, "not 'es'"),
])
def test_a_bad_edit_is_refused_saying_why_and_changes_nothing(site, data, says):
    admin = signed_in(site, "root")
    before = check_advice(site)["advice"]
    r = edit(site, admin, action="save", **data)
    assert r.status_code == 400 and says in r.text.replace("&#39;", "'")
    assert check_advice(site)["advice"] == before


def test_only_administrators_edit_advice_and_the_form_needs_its_token(site):
    anonymous = requests.get(site + "/licences/advice", allow_redirects=False, timeout=20)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    member = signed_in(site, "maria")
    assert member.get(site + "/licences/advice", timeout=20).status_code == 403
    page = member.get(site + "/login", timeout=20).text
    r = member.post(site + "/licences/advice", data={"rule": "T12", "language": "en", "action": "save",
                                                    "text": "{use} {redistribute}", "csrf_token": csrf(page)},
                    allow_redirects=False, timeout=20)
    assert r.status_code == 403
    admin = signed_in(site, "root")
    r = admin.post(site + "/licences/advice", data={"rule": "T12", "language": "en", "action": "save",
                                                   "text": "{use} {redistribute}"}, allow_redirects=False, timeout=20)
    assert r.status_code == 400  # no CSRF token
    assert check_advice(site)["advice"].startswith("Yes: MIT is permissive")


def test_the_questionnaire_suggests_a_ranked_shortlist_with_reasons(site):
    r = requests.get(site + "/licences/choose", headers=JSON, timeout=20,
                     params={"kind": "software", "copyleft": "strong", "eu_law": "yes", "languages": "yes"})
    assert r.status_code == 200
    first = r.json()["suggestions"][0]
    assert first["key"].startswith(("EUPL", "CECILL")) and {"eu-law", "multilingual"} <= set(first["reasons"])
    data = requests.get(site + "/licences/choose", headers=JSON, timeout=20,
                        params={"kind": "data", "copyleft": "none"}).json()["suggestions"]
    assert data and all("for-data" in s["reasons"] and "permissive" in s["reasons"] for s in data)
    assert not {"CC-BY-NC-4.0", "CC-BY-ND-4.0"} & {s["key"] for s in data}
    page = requests.get(site + "/licences/choose", params={"kind": "software", "copyleft": "none", "lang": "de"},
                        timeout=20)
    assert page.status_code == 200 and "Vorgeschlagene Lizenzen" in page.text and "checked" in page.text
    empty = requests.get(site + "/licences/choose", timeout=20)
    assert empty.status_code == 200 and 'name="kind"' in empty.text and "suggestions" not in empty.text
    bad = requests.get(site + "/licences/choose", params={"kind": "wood", "copyleft": "none"}, timeout=20)
    assert bad.status_code == 400 and "software, data" in bad.text


def test_an_spdx_expression_is_listed_filtered_and_checked_by_its_choices(site):
    dual = {lic["key"]: lic for lic in listing(site, q=" OR ")["licences"]}["GPL-2.0-or-later OR MIT"]
    assert dual["expression"] == "GPL-2.0-or-later OR MIT" and dual["choices"] == [["GPL-2.0-or-later"], ["MIT"]]
    assert dual["iri"] == "http://licences.example.org/dual" and dual["solutions"] == 1
    assert "GPL-2.0-or-later OR MIT" in keys(listing(site, t="Permissive"))  # the MIT choice is permissive
    assert "GPL-2.0-or-later OR MIT" in keys(listing(site, t="Copyleft-Share"))  # the GPL one is copyleft
    assert "GPL-2.0-or-later OR MIT" not in keys(listing(site, t=["Permissive", "Copyleft-Share"]))
    assert "http://licences.example.org/typo" not in keys(listing(site))  # "MIT OR OR": not an entry, no error
    r = requests.get(site + "/licences/compatibility", headers=JSON, timeout=20,
                     params={"use": "GPL-2.0-or-later OR MIT", "redistribute": "Apache-2.0"}).json()
    assert r["compatible"] and r["rule"] == "T12" and r["chosen"] == ["MIT"]  # the reuser takes MIT
    adhoc = requests.get(site + "/licences/compatibility", headers=JSON, timeout=20,
                         params={"use": "MIT AND GPL-3.0-only", "redistribute": "Apache-2.0"}).json()
    assert not adhoc["compatible"] and adhoc["chosen"] == ["MIT", "GPL-3.0-only"]  # both apply: GPL says no
    page = requests.get(site + "/licences/compatibility", params={"use": "GPL-2.0-or-later OR MIT",
                                                                 "redistribute": "Apache-2.0"}, timeout=20)
    assert page.status_code == 200 and "lets the reuser choose" in page.text
    bad = requests.get(site + "/licences/compatibility", headers=JSON, timeout=20,
                       params={"use": "MIT OR OR", "redistribute": "Apache-2.0"})
    assert bad.status_code == 400 and "does not parse" in bad.json()["error"]["message"]
    into = requests.get(site + "/licences/compatibility", headers=JSON, timeout=20,
                        params={"use": "MIT", "redistribute": "GPL-2.0-or-later OR MIT"})
    assert into.status_code == 400 and "one licence you distribute under" in into.json()["error"]["message"]
