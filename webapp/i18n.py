"""The reader's language: UI strings through Babel (English, French, German), and the
order in which data labels are chosen (the reader's language, then English, then any).

The language comes from ``?lang=xx`` (remembered in a cookie), else the cookie, else the
browser's ``Accept-Language``; English otherwise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch"}
COOKIE = "lang"


def reader_language() -> str:
    if "reader_language" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        if asked not in LANGUAGES:
            asked = _from_header(request.headers.get("Accept-Language", ""))
        g.reader_language = asked
    return g.reader_language


_by_header: dict[str, str] = {}


def _from_header(header: str) -> str:
    """The best of our languages for an Accept-Language header (memoised: browsers send
    the same few, and parsing one costs as much as serving a cached page)."""
    found = _by_header.get(header)
    if found is None:
        from werkzeug.datastructures import LanguageAccept
        from werkzeug.http import parse_accept_header

        found = parse_accept_header(header, LanguageAccept).best_match(list(LANGUAGES), default="en")
        if len(_by_header) > 1024:
            _by_header.clear()
        _by_header[header] = found
    return found


def label_languages() -> tuple[str, ...]:
    """Where data labels are looked for, in order (then untagged, then any)."""
    lang = reader_language()
    return (lang,) if lang == "en" else (lang, "en")


def translations():
    """This request's translations, looked up once: Flask-Babel looks them up again for
    every string (~25 µs each, and a page has 30 or more)."""
    if not has_request_context():
        return get_translations()
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """What Jinja2's newstyle ``gettext`` gives (the translation, marked safe when the
    template escapes, always formatted with ``variables``, which are then escaped), in one
    call instead of three."""
    found = translations().ugettext(string)
    return (Markup(found) if eval_ctx.autoescape else found) % variables


def number(value: int | float | None) -> str:
    """A number as the reader writes it (62,411 in English, 62 411 in French, 62.411 in
    German); empty for None."""
    if value is None:
        return ""
    return format_decimal(value, locale=reader_language() if has_request_context() else "en")


def day(value: date | datetime | None, style: str = "medium") -> str:
    """A date as the reader writes it (4 Dec 2026, 4 déc. 2026, 04.12.2026); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=style, locale=reader_language() if has_request_context() else "en")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["day"] = day
    Babel(app, locale_selector=reader_language, default_translation_directories="translations")
    app.jinja_env.install_gettext_callables(  # as Flask-Babel's, with the lookup above
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    # ``_("...")`` and ``{% trans %}`` straight to the lookup: the extension's newstyle
    # gettext goes through three template calls (a page has ~60 strings, 0.3 ms)
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _gettext

    @app.after_request
    def remember(response):
        lang = request.args.get("lang")
        if lang in LANGUAGES and request.cookies.get(COOKIE) != lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if request.endpoint and response.mimetype == "text/html" \
                and "Accept-Language" not in response.headers.get("Vary", ""):
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
