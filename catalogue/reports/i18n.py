"""The reader's language for a report, and the reports' own Babel catalogue (no Flask).

The English sentences are the message ids, written where they are used (``t("The {label} is
missing.", lang, label=...)``); French and German live in the ``reports`` domain's catalogues,
``translations/<lang>/LC_MESSAGES/reports.po``, edited as catalogues and compiled to
``reports.mo``, which :class:`babel.support.Translations` reads. The placeholders are
``str.format`` fields filled after translation. README, "Languages", says how to extract,
update and compile them; ``tests/test_i18n.py`` fails while one is missing or stale.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "fr", "de")
DOMAIN = "reports"
TRANSLATIONS_DIR = Path(__file__).with_name("translations")


def normalise_lang(lang: str | None) -> str:
    """``fr-BE``, ``FR`` or ``fr_FR`` → ``fr``; anything we have no sentences for → ``en``."""
    code = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else "en"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang``, read once; English (the message ids) needs none."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [lang], DOMAIN)


def translate(lang: str, message: str) -> str:
    """``message`` (an English message id) in ``lang``; itself when it has no translation."""
    return translations(lang).gettext(message)


def t(msgid: str, lang: str, /, **values: Any) -> str:
    """A sentence in ``lang`` with its ``{fields}`` filled (the extraction keyword)."""
    return translate(lang, msgid).format(**values)


def N_(message: str) -> str:
    """Marks an English message id for extraction where it is only named, not said yet."""
    return message
