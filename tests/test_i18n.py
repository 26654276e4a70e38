"""The site speaks English, French and German: UI strings through Babel, chosen by ?lang=,
a cookie or Accept-Language; data labels in the reader's language with a fallback marker.
Report sentences are a Babel catalogue of their own, read without Flask."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "webapp" / "translations"
# domain: (its translations directory, its extraction mapping, its keywords)
CATALOGUES = {
    "messages": (TRANSLATIONS, ROOT / "webapp" / "babel.cfg", ("lazy_gettext", "_")),
    "reports": (ROOT / "catalogue" / "reports" / "translations",
                ROOT / "catalogue" / "reports" / "babel.cfg", ("t",)),
}
LANGUAGES = ("fr", "de")
STEPS = "run `make messages`, translate in the .po files, then `make compile` (README, Languages)"
FIELDS = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")  # %(name)s in the UI, {name} in reports


def key(message_id):
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


def pot_ids(path: Path) -> set:
    with path.open("rb") as f:
        return {key(m.id) for m in read_po(f) if m.id}


def fields(text: str) -> set[str]:
    return {a or b for a, b in FIELDS.findall(text)}


@pytest.mark.parametrize("domain", sorted(CATALOGUES))
def test_the_template_holds_every_string_of_the_code(domain):
    directory, mapping, keywords = CATALOGUES[domain]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / f"{domain}.pot"
        subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", str(mapping),
                        *(arg for k in keywords for arg in ("-k", k)), "-c", "Translators:",
                        "-o", str(fresh), str(ROOT)], check=True, cwd=ROOT, capture_output=True)
        assert pot_ids(fresh) == pot_ids(directory / f"{domain}.pot"), f"{domain}: strings changed: {STEPS}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("domain", sorted(CATALOGUES))
def test_every_string_is_translated_and_compiled(domain, lang):
    """The .po files are the translations (edited as catalogues); the .mo are compiled from them."""
    directory = CATALOGUES[domain][0]
    ids = pot_ids(directory / f"{domain}.pot")
    with (directory / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as f:
        catalog = read_po(f)
    assert not catalog.fuzzy, f"{domain} {lang}: the catalogue is marked fuzzy"
    messages = {key(m.id): m for m in catalog if m.id}
    done = {i for i, m in messages.items()
            if not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))}
    assert ids <= done, f"{domain} {lang}: untranslated or fuzzy {sorted(map(str, ids - done))}: {STEPS}"
    for i, m in messages.items():  # a translation fills only the fields the code gives it
        allowed = fields(" ".join(i if isinstance(i, tuple) else (i,)) + " " + " ".join(m.auto_comments))
        for text in m.string if isinstance(m.string, tuple) else (m.string,):
            assert fields(text) <= allowed, f"{domain} {lang}: {text!r} uses {fields(text) - allowed}"
    po = {i: key(messages[i].string) for i in done}
    with (directory / lang / "LC_MESSAGES" / f"{domain}.mo").open("rb") as f:
        mo = {key(m.id): key(m.string) for m in read_mo(f) if m.id}
    assert po == mo, f"{domain} {lang}: {domain}.mo is stale: {STEPS}"


def test_report_sentences_come_from_their_catalogue_without_flask():
    code = ("import sys; from catalogue.reports import headings; "
            "print(headings('de')['fix'], '|', headings('fr')['title']); "
            "assert not any(m.split('.')[0] in ('flask', 'flask_babel', 'webapp') for m in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "So beheben Sie es | Rapport de validation"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from catalogue.app import Catalogue
    from catalogue.settings import load_settings
    from catalogue.store import EmbeddedStore
    from webapp import create_app

    settings = load_settings({}, store=str(tmp_path_factory.mktemp("i18n") / "store"))
    catalogue = Catalogue(settings, EmbeddedStore(settings.store))
    catalogue.publishing.init()  # vocabularies and the demo catalogue
    yield create_app(settings, catalogue).test_client()
    catalogue.close()


DEMO = "https://demo.interop.example.eu/solution/0001"


def test_the_language_comes_from_the_browser_then_sticks_when_chosen(client):
    de = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="de">' in de and "Interoperabilitätslösungen finden" in de
    fr = client.get("/?lang=fr")
    assert "lang=fr" in fr.headers["Set-Cookie"]
    assert "Trouver et réutiliser" in fr.get_data(as_text=True)
    again = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)  # cookie wins
    assert '<html lang="fr">' in again
    client.delete_cookie("lang")
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "pt"}).get_data(as_text=True)


def test_the_switch_links_keep_the_page_and_its_parameters(client):
    page = client.get("/search?q=taxation&sort=title&lang=en").get_data(as_text=True)
    assert 'href="/search?q=taxation&amp;sort=title&amp;lang=de"' in page


def test_a_solution_page_in_french_with_labels_in_french_or_marked(client):
    page = client.get(f"/resource?uri={DEMO}&lang=fr", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Versions et téléchargements" in page and "Publié par" in page
    assert "Économie et finances" in page            # the EU data theme's French label
    # the solution has English and Spanish titles only: English is shown, marked as such
    assert 'class="lang fallback"' in page and "Pas disponible dans votre langue" in page
    en = client.get(f"/resource?uri={DEMO}&lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Releases and downloads" in en and 'class="lang fallback"' not in en.split("<h1")[1].split("</h1>")[0]


def test_search_facets_and_counts_are_translated(client):
    page = client.get("/search?q=taxation&lang=de").get_data(as_text=True)
    assert "Ergebnisse" in page and "Räumliche Abdeckung" in page and "Sortieren nach" in page


def test_the_home_page_offers_ways_in(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Recently changed solutions" in page and "All 320 solutions, newest first" in page
    for heading in ("By topic", "By country", "By EIRA view"):
        assert heading in page
    assert "/search?theme=http" in page and "/search?spatial=http" in page and "/search?eira=http" in page
    assert "Technical view - application" in page or "Technical View - Application" in page


def test_facet_values_are_named_in_the_readers_language_or_marked(client):
    import re

    for lang, germany in (("fr", "Allemagne"), ("de", "Deutschland"), ("en", "Germany")):
        page = client.get(f"/search?lang={lang}").text
        assert re.search(rf'<span lang="{lang}">{germany}</span>', page), lang
    # EIRA building blocks are named in English only: shown in English, marked as such
    page = client.get("/search?lang=fr").text
    eira = page[page.index('id="facet-eira"'):] if 'id="facet-eira"' in page else page
    assert re.search(r'<span lang="en">[^<]+</span> <span class="lang fallback"', eira)
    home = client.get("/?lang=de").text
    assert "Deutschland" in home and "Germany" not in home
