"""The site speaks English, French and German: UI strings through Babel, chosen by ?lang=,
a cookie or Accept-Language; data labels in the reader's language with a fallback marker."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from webapp.translations.translate import DE, FR

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "webapp" / "translations"


def key(message_id):
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


def pot_ids(path: Path) -> set:
    with path.open("rb") as f:
        return {key(m.id) for m in read_po(f) if m.id}


def test_the_template_holds_every_string_of_the_code():
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F",
                        str(TRANSLATIONS.parent / "babel.cfg"), "-k", "lazy_gettext", "-k", "_",
                        "-o", str(fresh), str(ROOT)], check=True, cwd=ROOT, capture_output=True)
        assert pot_ids(fresh) == pot_ids(TRANSLATIONS / "messages.pot"), \
            "UI strings changed: re-run the extract/translate/compile steps in webapp/translations/translate.py"


@pytest.mark.parametrize(("lang", "table"), [("fr", FR), ("de", DE)])
def test_every_string_is_translated_and_compiled(lang, table):
    ids = pot_ids(TRANSLATIONS / "messages.pot")
    assert ids <= set(table), f"{lang}: untranslated {sorted(map(str, ids - set(table)))}"
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        po = {key(m.id): key(m.string) for m in read_po(f) if m.id}
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        mo = {key(m.id): key(m.string) for m in read_mo(f) if m.id}
    assert po == mo, f"{lang}: messages.mo is stale: run pybabel compile -d webapp/translations"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from catalogue.app import Catalogue
    from catalogue.settings import load_settings
    from catalogue.store import EmbeddedStore
    from webapp import create_app

    settings = load_settings({}, store=str(tmp_path_factory.mktemp("i18n") / "store"))
    catalogue = Catalogue(settings, EmbeddedStore(settings.store))
    catalogue.init()  # vocabularies and the demo catalogue
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
