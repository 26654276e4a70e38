"""``/licences``: the Licensing Assistant (catalogue/licences/).

Every state is a URL, so the assistant works without JavaScript and every answer can be
shared: ``/licences?t=Permissive&t=GPL&q=eupl&into=EUPL-1.2`` (legal types by their short
names, words in the id or name, "may go into" a licence), ``/licences/compare?l=EUPL-1.2&l=MIT``,
``/licences/compatibility?use=GPL-3.0-only&redistribute=EUPL-1.2``. Each answers JSON too
(``Accept: application/json``).

:raise 400: an unknown legal type; fewer than 2 or more than 5 licences to compare, one of
    them unknown or asked twice (the message names it and suggests close ids).
:raise 404: a compatibility check naming a licence nobody has (with suggestions).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from catalogue.licences import (
    CATEGORIES,
    COMPARE_MAX,
    LANGUAGES,
    AdviceError,
    Found,
    Licence,
    LicenceError,
    TermLabel,
    Verdict,
    parse_answers,
    term_key,
)

from .auth import current_user, login_required, require
from .context import root
from .errors import status_of
from .i18n import label_languages
from .linked_data import href
from .negotiate import choose

bp = Blueprint("licences", __name__)

CATEGORY_TITLES = {"Can": lazy_gettext("You can"), "Must": lazy_gettext("You must"),
                   "Cannot": lazy_gettext("You cannot"), "Compatible": lazy_gettext("Compatible"),
                   "Law": lazy_gettext("Governing law"), "Support": lazy_gettext("Support")}
# why a suggested licence fits (catalogue/licences/chooser.py's keys), and what it lacks
REASONS = {"for-software": lazy_gettext("written for software"), "for-data": lazy_gettext("written for data and content"),
           "permissive": lazy_gettext("permissive: others may reuse it in any work, even closed"),
           "weak-copyleft": lazy_gettext("weak copyleft: changes to your files stay open"),
           "strong-copyleft": lazy_gettext("strong copyleft: every derived work stays open"),
           "network": lazy_gettext("offering it as an online service counts as distributing it"),
           "gpl": lazy_gettext("combines with GPL code"), "eu-law": lazy_gettext("governed by the law of an EU Member State"),
           "multilingual": lazy_gettext("official texts in several EU languages"),
           "osi": lazy_gettext("approved by the Open Source Initiative"),
           "fsf": lazy_gettext("free (libre) according to the FSF")}
LACKS = {"eu-law": lazy_gettext("not governed by EU law"), "multilingual": lazy_gettext("no official translations"),
         "network-clause": lazy_gettext("has a network clause you did not ask for")}
# "may go into" shortcuts offered on the page: the licences public bodies most often distribute under
INTO_SHORTCUTS = ("EUPL-1.2", "GPL-3.0-or-later", "Apache-2.0", "MIT", "CC-BY-4.0")
MAX_PARAM = 200


def _wants_json() -> bool:
    return choose(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json"


def _licence_json(lic: Licence, labels: dict[str, TermLabel]) -> dict:
    return {
        "key": lic.key, "iri": lic.iri, "spdx": lic.spdx, "title": lic.title(label_languages()),
        "text": lic.text, "solutions": lic.solutions, "bundled": lic.bundled,
        "legal_types": {c.key: [term_key(t) for t in c.terms if t in lic.legal_types] for c in CATEGORIES},
        "page": request.host_url.rstrip("/") + url_for("licences.listing", q=lic.key),
        **({"expression": lic.expression, "choices": [list(c) for c in lic.choices],
            "exceptions": list(lic.exceptions)} if lic.expression else {}),
    }


def _params(name: str) -> list[str]:
    values = [v.strip()[:MAX_PARAM] for v in request.args.getlist(name) if v.strip()]
    return list(dict.fromkeys(values))[:50]


@bp.route("/licences")
def listing():
    assistant = root().licences
    terms, text = _params("t"), request.args.get("q", "")[:MAX_PARAM]
    into = request.args.get("into", "").strip()[:MAX_PARAM]
    found: Found = assistant.find(terms, text)
    licences = found.licences
    target = None
    if into:
        target = assistant.get(into)
        fits = assistant.compatible_with(target.key)
        licences = [lic for lic in licences if fits(lic)]
    labels = assistant.term_labels(label_languages())
    if _wants_json():
        return jsonify({"count": len(licences), "total": found.total,
                        "filters": {"t": [term_key(t) for t in found.terms], "q": found.text,
                                    "into": target.key if target else None},
                        "licences": [_licence_json(lic, labels) for lic in licences]})

    def state(**changes) -> str:
        params: dict = {"t": [term_key(t) for t in found.terms], "q": found.text or None,
                        "into": target.key if target else None}
        params.update(changes)
        return url_for("licences.listing", **{k: v for k, v in params.items() if v not in (None, "", [])})

    def toggle(term: str) -> str:
        keys = [term_key(t) for t in found.terms]
        key = term_key(term)
        return state(t=[k for k in keys if k != key] if key in keys else [*keys, key])

    return render_template("licences.html", licences=licences, found=found, labels=labels, target=target,
                           categories=CATEGORIES, category_titles=CATEGORY_TITLES, toggle=toggle, state=state,
                           shortcuts=INTO_SHORTCUTS, href=href, label_langs=label_languages(),
                           compare_max=COMPARE_MAX)


def _rows(licences: Sequence[Licence], labels: dict[str, TermLabel]) -> list[dict]:
    rows = []
    for category in CATEGORIES:
        for term in category.terms:
            values = [term in lic.legal_types for lic in licences]
            rows.append({"category": category.key, "term": term_key(term), "iri": term,
                         "label": labels[term].label, "definition": labels[term].definition,
                         "values": values, "differs": len(set(values)) > 1})
    return rows


@bp.route("/licences/compare")
def compare():
    assistant = root().licences
    names = [v.strip()[:MAX_PARAM] for v in request.args.getlist("l") if v.strip()][:20]
    labels = assistant.term_labels(label_languages())
    try:
        licences = assistant.compare(names)
    except LicenceError as exc:
        if _wants_json():
            raise
        return render_template("licence_compare.html", licences=[], rows=[], error=str(exc), names=names,
                               categories=CATEGORIES, category_titles=CATEGORY_TITLES,
                               label_langs=label_languages(), compare_max=COMPARE_MAX), status_of(exc)
    rows = _rows(licences, labels)
    if _wants_json():
        return jsonify({"licences": [_licence_json(lic, labels) for lic in licences],
                        "rows": [{k: v for k, v in r.items() if k != "definition"} for r in rows]})
    return render_template("licence_compare.html", licences=licences, rows=rows, error=None, names=names,
                           categories=CATEGORIES, category_titles=CATEGORY_TITLES, href=href,
                           label_langs=label_languages(), compare_max=COMPARE_MAX)


@bp.route("/licences/compatibility")
def compatibility():
    assistant = root().licences
    use = request.args.get("use", "").strip()[:MAX_PARAM]
    redistribute = request.args.get("redistribute", "").strip()[:MAX_PARAM]
    verdict: Verdict | None = None
    error, status = None, 200
    if use or redistribute:
        try:
            if not (use and redistribute):
                raise LicenceError("Name both licences: the one of the work you reuse (use) and the one you "
                                   "want to distribute under (redistribute).")
            verdict = assistant.check(use, redistribute, label_languages())
        except LicenceError as exc:
            if _wants_json():
                raise
            error, status = str(exc), status_of(exc)
    if _wants_json():
        if verdict is None:
            raise LicenceError("Name both licences: /licences/compatibility?use=GPL-3.0-only&redistribute=EUPL-1.2")
        return jsonify(verdict.as_json(label_languages()))
    keys = [lic.key for lic in assistant.all() if lic.spdx]
    return render_template("licence_compatibility.html", verdict=verdict, error=error, use=use,
                           redistribute=redistribute, keys=keys, href=href, label_langs=label_languages()), status


@bp.route("/licences/matrix")
def matrix():
    matrix = root().licences.matrix(languages=label_languages())
    if _wants_json():
        return jsonify({"licences": [lic.key for lic in matrix.licences],
                        "rows": [{"use": a.key, "cells": [{"redistribute": v.redistribute.key, "rule": v.rule.name,
                                                          "outcome": v.rule.outcome} for v in row]}
                                 for a, row in zip(matrix.licences, matrix.cells, strict=True)]})
    return render_template("licence_matrix.html", matrix=matrix, label_langs=label_languages())


@bp.route("/licences/advice")
@login_required
def advice():
    """The administrators' page: every rule's advice in each language, editable, with history."""
    user = current_user()
    require(user is not None and user.is_admin)
    return _advice_page()


def _advice_page(error: str | None = None, status: int = 200, **kept):
    assistant = root().licences
    edited = assistant.edited_advice()
    history: dict[str, list] = {}
    for e in reversed(assistant.advice_edits()):
        history.setdefault(e.rule, []).append(e)
    return render_template("licence_advice.html", rules=assistant.rules, edited=edited, history=history,
                           advice_languages=LANGUAGES, error=error, kept=kept), status


@bp.route("/licences/advice", methods=["POST"])
@login_required
def edit_advice():
    user = current_user()
    require(user is not None and user.is_admin)
    assert user is not None
    rule, language = request.form.get("rule", ""), request.form.get("language", "")
    text = None if request.form.get("action") == "reset" else request.form.get("text", "")
    try:
        root().licences.edit_advice(rule, language, text, user.iri)
    except AdviceError as exc:
        return _advice_page(str(exc), status_of(exc), rule=rule, language=language, text=text or "")
    flash(_("The advice of %(rule)s (%(language)s) is saved.", rule=rule, language=language) if text is not None
          else _("The advice of %(rule)s (%(language)s) is the shipped text again.", rule=rule, language=language))
    return redirect(url_for("licences.advice") + f"#{rule}-{language}", code=303)


@bp.route("/licences/choose")
def choose_licence():
    """The questionnaire (a GET form: every set of answers is a link) and its shortlist."""
    answers = parse_answers(request.args)
    suggestions = root().licences.choose(answers) if answers else None
    if _wants_json():
        if answers is None:
            raise LicenceError("Answer at least kind (software or data) and copyleft (none, weak or strong): "
                               "/licences/choose?kind=software&copyleft=strong")
        assert suggestions is not None
        return jsonify({"answers": vars(answers), "suggestions": [
            {"key": s.licence.key, "iri": s.licence.iri, "title": s.licence.title(label_languages()),
             "score": s.score, "reasons": list(s.reasons), "lacks": list(s.lacks)} for s in suggestions]})
    return render_template("licence_choose.html", answers=answers, suggestions=suggestions, form=request.args,
                           reasons={k: str(v) for k, v in REASONS.items()},
                           lacks={k: str(v) for k, v in LACKS.items()}, label_langs=label_languages(), href=href)
