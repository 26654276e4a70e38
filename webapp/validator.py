"""The public validator (``/validator``): anyone, without an account, checks a file against
ADMS-AP (or DCAT-AP 3 as well) and reads the report a publisher's dry run gives; nothing is
stored (:class:`catalogue.ingest.PublicValidator`).

One form, three ways in: pasted text, a file, a URL. ``Accept: application/json`` answers
the publishers' API dry-run report instead, and refusals in the one error shape; a program
may also send the file itself as the body (``Content-Type: text/turtle``...).

Limits: ``CATALOGUE_VALIDATOR_MAX_BYTES`` per check (a form too big to read is refused on the
page, not by the server's bare 413 up to the upload routes' body limit,
``webapp/security.py``); ``CATALOGUE_VALIDATOR_RATE`` checks per network address in
:data:`WINDOW` seconds (:mod:`webapp.throttle`); a request refused for the rate is not counted.

CSRF: a browser's form carries the token as every form does (the page sets the session cookie
that holds it). A request that sends no cookie at all (a program, ``curl``) is exempt, as the
API is: there is no session to ride on, and a check changes nothing.
"""

from __future__ import annotations

import io

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from catalogue.errors import CatalogueError
from catalogue.formats import rdf_format
from catalogue.ingest import (
    DEFAULT_PROFILE,
    OFFERED_FORMATS,
    PROFILES,
    Checked,
    PublicValidator,
    ValidatorError,
)

from . import reports
from .auth import csrf
from .errors import status_of
from .i18n import reader_language
from .negotiate import choose
from .throttle import Throttle, address_key

bp = Blueprint("validator", __name__)

WINDOW = 600.0  # seconds over which CATALOGUE_VALIDATOR_RATE counts an address's checks
FORM_ROOM = 64 * 1024  # what a form may hold beyond the pasted text: its other fields
ECHO_CHARS = 200_000  # pasted text longer than this is not sent back in the refused form
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """One validator (it counts the checks running) and one rate counter per app."""
    app = state.app
    settings = app.config["CATALOGUE_SETTINGS"]
    app.extensions["validator"] = PublicValidator(settings)
    app.extensions["validator_rate"] = (Throttle(settings.validator_rate, WINDOW, cells=4096)
                                        if settings.validator_rate else None)


def _validator() -> PublicValidator:
    return current_app.extensions["validator"]


def _wants_json() -> bool:
    return choose(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json"


@bp.route("/validator", methods=["GET", "POST"])
def page():
    """The form; on POST, the check's report under it (200 conforms, 422 does not, a
    refusal's own status with its message on the page).

    :raise 429: too many checks from this address (``Retry-After`` says when to come back).
    :raise ValidatorError: refused, to a client that asked for JSON (the error handler answers).
    """
    validator = _validator()
    if request.method == "GET":
        return _page(validator)
    wait = _rate_wait()
    if wait:
        message = ngettext("You have asked for many checks in a short time: try again in %(num)d "
                           "minute.", "You have asked for many checks in a short time: try again "
                           "in %(num)d minutes.", (wait + 59) // 60)
        if _wants_json():
            raise TooManyRequests(message, retry_after=wait)
        return _page(validator, error=message), 429, {"Retry-After": str(wait)}
    try:
        checked = _check(validator)
    except CatalogueError as exc:
        if _wants_json():
            raise
        return _page(validator, error=_message(exc)), status_of(exc)
    report = checked.report
    status = status_of(report.error) if report.error is not None else 200 if report.conforms else 422
    if _wants_json():
        response = jsonify(reports.report_json(report, checked.data))
        response.status_code = status
        return response
    return _page(validator, checked=checked), status


csrf.exempt(page)  # checked in _check: a cookie-less program has no session to forge


def _rate_wait() -> int:
    """Seconds this address must wait (0: go on, and this check is counted)."""
    throttle: Throttle | None = current_app.extensions["validator_rate"]
    if throttle is None:
        return 0
    key = address_key(request.remote_addr)
    wait = throttle.wait(key)
    if not wait:
        throttle.failed(key)  # the throttle counts "failures": here, every check
    return wait


def _check(validator: PublicValidator) -> Checked:
    """Read the request (the form, or a body that is the file itself) and check it.

    :raise ValidatorError: refused (a form too big to read is ``too-large``).
    :raise CSRFError: a browser's form without its token (400).
    """
    fields = request.args
    if request.mimetype in _FORMS:
        # the pasted text is a form field: let it be as big as the limit allows, no bigger
        # (percent-encoding may triple a url-encoded form)
        scale = 1 if request.mimetype == "multipart/form-data" else 3
        request.max_form_memory_size = scale * validator.max_bytes + FORM_ROOM
        try:
            if request.cookies:
                csrf.protect()
            fields = request.form
            upload = request.files.get("file")
        except RequestEntityTooLarge:
            raise validator.too_large() from None
        chosen = upload if upload is not None and upload.filename else None
        return validator.check(
            text=fields.get("text"), url=fields.get("url"),
            file=chosen.stream if chosen else None, filename=chosen.filename if chosen else None,
            format=fields.get("format") or None, profile=fields.get("profile") or DEFAULT_PROFILE)
    if request.cookies:
        csrf.protect()
    body = request.stream.read(validator.max_bytes + 1)  # the limit and one byte: over it is refused
    return validator.check(file=io.BytesIO(body) if body else None, media_type=request.mimetype or None,
                           filename=fields.get("filename") or None,
                           format=fields.get("format") or None,
                           profile=fields.get("profile") or DEFAULT_PROFILE)


def _page(validator: PublicValidator, *, checked: Checked | None = None, error: str | None = None):
    from catalogue.reports import explain

    form: dict | MultiDict = {}
    if request.method == "POST" and request.mimetype in _FORMS:
        try:
            form = request.form
        except RequestEntityTooLarge:  # refused unread: nothing to send back
            pass
    text = form.get("text", "")
    return render_template(
        "validator.html", error=error, checked=checked,
        report=checked.report if checked else None,
        explained=explain(checked.report, reader_language(), checked.data) if checked else None,
        text=text if len(text) <= ECHO_CHARS else "", url=form.get("url", ""),
        chosen_format=form.get("format", ""), profile=form.get("profile") or DEFAULT_PROFILE,
        profiles=_profile_labels(), formats=[rdf_format(f) for f in OFFERED_FORMATS],
        limit=_size(validator.max_bytes))


def _profile_labels() -> list[tuple[str, str, str]]:
    """(value, label, hint) of each profile, in PROFILES' order."""
    words = {
        "adms-ap": (_("ADMS-AP"), _("The rules for describing interoperability solutions "
                                    "(Joinup's ADMS application profile).")),
        "dcat-ap-3": (_("DCAT-AP 3.0.1 as well"), _("ADMS-AP, and the European rules for "
                                                     "describing datasets (DCAT-AP 3.0.1).")),
    }
    return [(key, *words[key]) for key in PROFILES]


def _size(n: int) -> str:
    """A byte count as people say it (10 MB, 512 KB)."""
    if n >= 1024 * 1024:
        return _("%(mb)s MB", mb=format_decimal(round(n / (1024 * 1024), 1)))
    if n >= 1024:
        return _("%(kb)s KB", kb=format_decimal(round(n / 1024, 1)))
    return ngettext("%(num)d byte", "%(num)d bytes", n)


def _message(exc: CatalogueError) -> str:
    """A refusal in the reader's language (the domain's English for anything else)."""
    if not isinstance(exc, ValidatorError):
        return str(exc)
    kinds = {
        "png": _("a PNG image"), "jpeg": _("a JPEG image"), "gif": _("a GIF image"),
        "pdf": _("a PDF document"), "zip": _("a ZIP archive (Word, Excel and OpenDocument files are ZIP archives)"),
        "office": _("an old Microsoft Office document"), "utf-16": _("text saved as UTF-16"),
        "program": _("a program"), "gzip": _("a damaged gzip file"), "binary": _("binary data"),
    }
    texts = {
        "no-input": _("Nothing to check: paste the text, choose a file or give a URL."),
        "several": _("Use one way to give your data: paste the text, choose a file or give a "
                     "URL, not more than one."),
        "profile": _("Choose ADMS-AP or DCAT-AP 3.0.1 to check against."),
        "format": _("Choose one of the formats in the list: Turtle, RDF/XML, N-Triples or JSON-LD."),
        "too-large": _("Your data is over the limit of %(limit)s: the validator checks files up "
                       "to that size. Check a smaller part of it.", limit=_size(exc.limit)),
        "not-text": _("This is not RDF: it is not text but %(what)s. Give a file in Turtle, "
                      "RDF/XML, N-Triples or JSON-LD.", what=kinds.get(exc.detail, exc.detail)),
        "encoding": _("This is not UTF-8 text: line %(line)s has a character in another encoding. "
                      "Save the file as UTF-8 and check it again.", line=exc.detail),
        "extension": _("A file ending in %(ext)s is not in a format the validator reads. Name it "
                       ".ttl (Turtle), .rdf (RDF/XML), .nt (N-Triples) or .jsonld (JSON-LD), or "
                       "choose its format in the list.", ext=exc.detail),
        "media-type": _("The URL answered with %(type)s, not with RDF: give the address of the "
                        "file itself (Turtle, RDF/XML, N-Triples or JSON-LD), not of a web page "
                        "about it.", type=exc.detail),
        "fetch": _("The validator could not fetch that URL: %(why)s", why=exc.detail),
        "private": _("The validator fetches only from the public internet: %(host)s is, or "
                     "resolves to, a loopback, private or link-local address. Give a public URL, "
                     "or upload the file.", host=exc.detail),
        "busy": _("The validator is busy with other checks: try again in a few seconds."),
    }
    return texts.get(exc.reason, str(exc))
