"""The reader's language: UI strings through Babel (English, French, German), and the
order in which data labels are chosen (the reader's language, then English, then any).

The language comes from ``?lang=xx`` (remembered in a cookie), else the cookie, else the
browser's ``Accept-Language``; English otherwise.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch"}
COOKIE = "lang"


def reader_language() -> str:
    if "reader_language" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        if asked not in LANGUAGES:
            asked = request.accept_languages.best_match(list(LANGUAGES), default="en")
        g.reader_language = asked
    return g.reader_language


def label_languages() -> tuple[str, ...]:
    """Where data labels are looked for, in order (then untagged, then any)."""
    lang = reader_language()
    return (lang,) if lang == "en" else (lang, "en")


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=reader_language, default_translation_directories="translations")

    @app.after_request
    def remember(response):
        lang = request.args.get("lang")
        if lang in LANGUAGES and request.cookies.get(COOKIE) != lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if request.endpoint and response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def languages():
        def switch(code: str) -> str:
            args = request.args.to_dict(flat=False)
            args["lang"] = [code]
            from urllib.parse import urlencode

            return request.path + "?" + urlencode(args, doseq=True)

        return {"languages": LANGUAGES, "reader_language": reader_language(), "language_url": switch}
