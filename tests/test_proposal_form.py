"""The proposal form people can use (issue 12, item 8): EIRA building blocks as checkboxes by
view, named in the reader's language (never an ArchiMate stereotype), with their definition
and a filter as one types; licences as radios, the common ones first, then any licence by
name or SPDX id, and a licence nobody has refused in plain words with nothing stored. No
template has a multiple select. The filter is tried in a real browser at phone width."""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.community import OTHER_LICENCE, LicenceChoices, LicenceOption, ProposalForm
from catalogue.community.choices import COMMON_LICENCES, Block
from catalogue.vocab import vocabularies
from tests.conftest import serving
from tests.test_accessibility import AXE, FAILING, RUN_AXE
from tests.test_moderation import PASSWORD, fields, session
from tests.test_publish_web import cli, csrf

ROOT = Path(__file__).resolve().parent.parent
SPDX = "http://spdx.org/licenses/"
EUPL = LicenceOption(SPDX + "EUPL-1.2", "EUPL-1.2", "European Union Public License 1.2")
GPL = LicenceOption(SPDX + "GPL-3.0-or-later", "GPL-3.0-or-later", "GNU General Public License v3.0 or later")
CHOICES = LicenceChoices((EUPL,), (EUPL, GPL))
GATEWAY = "http://data.europa.eu/dr8/APIGatewayTechnologyService"
VIEWS = ["Legal view", "Organisational view", "Semantic view", "Technical view - application",
         "Technical view - infrastructure"]


# --- the domain ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed,iri", [
    ("EUPL-1.2", EUPL.iri), ("eupl-1.2", EUPL.iri), ("  european union public LICENSE 1.2 ", EUPL.iri),
    (SPDX + "EUPL-1.2", EUPL.iri), ("https://spdx.org/licenses/EUPL-1.2.html", EUPL.iri),
    ("GPL-3.0+", GPL.iri),  # an old SPDX id names the current licence
    ("Frobnicate Licence", None), ("http://example.org/my-licence", None), ("", None),
])
def test_a_licence_is_found_by_its_id_name_or_iri(typed, iri):
    assert CHOICES.resolve(typed) == iri


def test_without_the_spdx_list_any_iri_is_taken_as_it_is():
    nothing = LicenceChoices((), ())
    assert nothing.resolve("http://example.org/my-licence") == "http://example.org/my-licence"
    assert nothing.resolve("EUPL-1.2") is None


def test_a_licence_shows_again_as_ticked_or_typed():
    assert CHOICES.picked("") == ("", "")
    assert CHOICES.picked(EUPL.iri) == (EUPL.iri, "")  # a common one: its radio
    assert CHOICES.picked(GPL.iri) == (OTHER_LICENCE, "GPL-3.0-or-later")  # another: its id, typed
    assert CHOICES.picked("Frobnicate") == (OTHER_LICENCE, "Frobnicate")  # as typed


@pytest.mark.parametrize("licence,other,kept", [
    (EUPL.iri, "", EUPL.iri), (EUPL.iri, "MIT", EUPL.iri),  # a ticked licence wins
    (OTHER_LICENCE, " MIT ", "MIT"), ("", "MIT", "MIT"),  # typed without ticking "another" still counts
    (OTHER_LICENCE, "", ""), ("", "", ""),
])
def test_the_form_reads_the_licence_ticked_or_typed(licence, other, kept):
    form = ProposalForm.from_fields({"licence": licence, "licence_other": other})
    assert form.licence == kept


def test_a_typed_licence_is_a_problem_until_it_is_resolved():
    problems = ProposalForm(licence="Frobnicate Licence").problems()
    assert [(p.field, p.kind, p.value) for p in problems if p.field == "licence"] == [
        ("licence", "licence", "Frobnicate Licence")]


def test_a_hint_leaves_out_the_name_and_stays_short():
    block = Block("x", "Access Management", "en", "Access Management ABB is an Application Component "
                  "implementing the process of granting rights to users and preventing the access to "
                  "non-authorised users, in every public administration of the Union.")
    assert block.hint.startswith("An Application Component implementing")
    assert len(block.hint) <= 141 and block.hint.endswith("…")
    assert Block("y", "Z", "en", "").hint == ""


def test_no_eira_v6_label_or_definition_is_an_archimate_stereotype():
    v6 = next(v for v in vocabularies() if v.name == "eira-v6")
    texts = [q.object.value for q in ox.parse(path=str(v6.file), format=ox.RdfFormat.TURTLE)
             if isinstance(q.object, ox.Literal)]
    assert texts and not [t for t in texts if "<<" in t]


def test_no_template_has_a_multiple_select():
    templates = sorted((ROOT / "webapp" / "templates").rglob("*.html"))
    assert templates
    found = [f"{t.name}: {m.group(0)}" for t in templates
             for m in re.finditer(r"<select\b[^>]*\bmultiple\b[^>]*>", t.read_text(encoding="utf-8"))]
    assert found == []


# --- the site ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The vocabularies without the demo: the common licences are the curated ones."""
    store = tmp_path_factory.mktemp("proposal-form") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    cli(env, "init", "--no-demo")
    cli(env, "user", "add", "alice")
    with serving(env) as url:
        yield url


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_the_form_names_blocks_by_view_in_plain_words(site):
    page = session(site, "alice").get(site + "/propose", timeout=30).text
    assert "<<" not in page and "&lt;&lt;" not in page and "ELAP:" not in page
    assert not re.search(r"<select\b[^>]*\bmultiple", page)
    groups = re.findall(r'<details class="picker-group"[^>]*>\s*<summary[^>]*>(.*?)</summary>', page, re.S)
    names = [text_of(g).strip() for g in groups]
    assert names[:5] == VIEWS  # the EIF's layers, in order
    assert names[-1] == "Other building blocks"  # the blocks in no view, last
    assert not any(" open" in d for d in re.findall(r'<details class="picker-group"[^>]*>', page))
    # each group a fieldset with a legend, each block a checkbox by name with its definition
    assert page.count('<fieldset><legend class="visually-hidden"') == len(groups)
    api = re.search(r'<li><input type="checkbox" id="(b\d+-\d+)" name="blocks" '
                    r'value="http://data.europa.eu/dr8/APIApplicationInterface" aria-describedby="\1h">'
                    r' <label for="\1" lang="en">API</label><span class="hint" id="\1h"[^>]*>([^<]+)</span>', page)
    assert api and api.group(2).startswith("An Application Interface that enables")
    assert ">Architecture Principle</label>" in page
    assert 'for="block-filter"' in page and "picker.js" in page


def test_the_licences_are_radios_common_first_then_any_by_name(site):
    page = session(site, "alice").get(site + "/propose", timeout=30).text
    radios = re.findall(r'<input type="radio" id="([^"]+)" name="licence" value="([^"]*)"( checked)?>', page)
    values = [v for _, v, _ in radios]
    assert values[0] == "" and radios[0][2] == " checked"  # none, until one is chosen
    assert values[1:-1] == [SPDX + sid for sid in COMMON_LICENCES]  # a new catalogue: the curated ones
    assert values[-1] == OTHER_LICENCE
    assert '<label for="licence-1">European Union Public License 1.2 <span class="spdx">EUPL-1.2</span></label>' in page
    assert 'list="licence-list"' in page
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', page[page.index('<datalist id="licence-list">'):])
    assert len(options) > 500 and ("MIT", "MIT License") in options


def post(site: str, s, **changes):
    page = s.get(site + "/propose", timeout=30).text
    return s.post(site + "/propose", data={**fields(**changes), "action": "save",
                                           "csrf_token": csrf(page)}, timeout=60)


def test_a_licence_nobody_has_is_refused_by_name_and_nothing_is_stored(site):
    alice = session(site, "alice")
    for typed in ("Frobnicate <b>Licence</b>", "http://example.org/my-licence"):
        r = alice.post(site + "/propose", data={
            **fields(title="Refused Licence Gateway"), "licence": OTHER_LICENCE, "licence_other": typed,
            "action": "save", "csrf_token": csrf(alice.get(site + "/propose", timeout=30).text)}, timeout=60)
        assert r.status_code == 422
        said = f"There is no licence called “{typed}”: pick one from the list or type its SPDX identifier, e.g. EUPL-1.2."
        assert text_of(re.search(r'<p class="problem" id="licence-problem">(.*?)</p>', r.text).group(1)) == said
        assert "<b>Licence</b>" not in r.text  # escaped
        assert re.search(r'<input id="licence_other" name="licence_other" value="([^"]*)"', r.text).group(1) \
            == typed.replace("<", "&lt;").replace(">", "&gt;")  # kept as typed
        assert 'id="licence-other" name="licence" value="other" checked' in r.text
    assert "Refused Licence Gateway" not in alice.get(site + "/proposals", timeout=30).text


def test_a_licence_typed_by_its_id_is_stored_as_its_spdx_iri(site):
    alice = session(site, "alice")
    page = alice.get(site + "/propose", timeout=30).text
    r = alice.post(site + "/propose", data={**fields(title="Typed Licence Gateway"), "licence": "",
                                            "licence_other": "zlib", "action": "save",
                                            "csrf_token": csrf(page)}, timeout=60)
    assert r.status_code == 200 and "/proposals/" in r.url
    assert SPDX + "Zlib" in r.text
    edit = alice.get(r.url + "/edit", timeout=30).text  # not a common one: ticked "another", its id typed
    assert 'id="licence-other" name="licence" value="other" checked' in edit
    assert 'name="licence_other" value="Zlib"' in edit


def test_a_refused_form_keeps_the_blocks_ticked_and_their_views_open(site):
    alice = session(site, "alice")
    r = post(site, alice, title="", licence=SPDX + "MIT")
    assert r.status_code == 422
    ticked = re.findall(r'value="http://data.europa.eu/dr8/APIApplicationInterface"[^>]* checked', r.text)
    assert ticked
    assert re.search(r'<details class="picker-group" open>\s*<summary[^>]*>Technical view - application'
                     r' <span class="picked">\(chosen: 1\)</span>', r.text)
    assert 'value="http://spdx.org/licenses/MIT" checked' in r.text
    none = post(site, alice, title="No Block Gateway", blocks=())
    assert none.status_code == 422
    assert "Choose at least one EIRA building block" in text_of(
        re.search(r'<p class="problem" id="blocks-problem">(.*?)</p>', none.text).group(1))
    assert len(re.findall(r'<details class="picker-group" open>', none.text)) >= 5  # on error: all open


def test_filter_the_blocks_on_a_phone_then_propose(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(site + "/login")
        page.fill("#username", "alice")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(site + "/propose")
        search = page.locator("#block-filter")
        assert search.is_visible()  # shown by picker.js; hidden without it
        search.press_sequentially("gateway")
        shown = page.locator("#blocks li:visible label")
        names = shown.all_inner_texts()
        assert names and all("gateway" in n.lower() for n in names), names
        assert "API Gateway" in names
        assert page.locator("#blocks li:not(:visible)").count() > 300  # the others are hidden
        assert page.locator("details.picker-group:visible").count() < 7
        assert re.fullmatch(r"Building blocks shown: \d+", page.locator("#block-filter-count").inner_text())
        search.press("Enter")  # filters, does not send the form
        assert "/propose" in page.url and page.locator(".problems").count() == 0
        page.locator(f'#blocks li:visible input[value="{GATEWAY}"]').first.check()
        assert page.locator("details.picker-group:visible .picked").first.inner_text() == "(chosen: 1)"
        search.fill("")  # back to closed views, but the chosen block's
        opened = page.locator("details.picker-group[open]")
        assert opened.count() == 1 and opened.locator(f'input[value="{GATEWAY}"]').is_checked()
        assert page.locator("details.picker-group:visible").count() >= 6
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "scrolls sideways"
        # axe on every block, views open (the site's audit sees them closed)
        page.evaluate("document.querySelectorAll('details.picker-group').forEach(d => { d.open = true; })")
        page.evaluate(AXE.read_text())
        found = page.evaluate(RUN_AXE, [])
        assert [(v["id"], v["nodes"][0]["target"]) for v in found["violations"] if v["impact"] in FAILING] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "scrolls sideways"

        page.fill("#title", "Phone Proposed Gateway")
        page.fill("#description", "Phone Proposed Gateway routes the calls of public services "
                                  "to the registries of every member state, with one contract.")
        page.fill("#keywords", "gateway, api")
        page.fill("#publisher", "Example Agency")
        page.fill("#email", "desk@example.org")
        page.fill("#access_url", "https://gateway.example.org/download.zip")
        page.fill("#licence_other", "apache")  # the datalist offers; typing ticks "another licence"
        assert page.locator("#licence-other").is_checked()
        page.fill("#licence_other", "Apache-2.0")
        for box in page.locator("#licence li label").all():
            height = box.bounding_box()["height"]
            assert height >= 44, height  # a tap target
        with page.expect_navigation():
            page.get_by_role("button", name="Save as a draft").click()
        assert "/proposals/" in page.url, page.locator("main").inner_text()[:2000]
        main = page.locator("main").inner_text()
        assert "API Gateway" in main and SPDX + "Apache-2.0" in main
        assert problems == []
    finally:
        context.close()
