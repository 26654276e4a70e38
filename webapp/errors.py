"""Errors are mapped to HTTP once, here, and answered in one shape.

A domain error (:class:`catalogue.errors.CatalogueError`) carries its kind: :data:`STATUS`
maps each kind to its status. Views let domain errors through and raise HTTP errors
(``abort``, the API's :class:`~webapp.api.ApiError`) for what they check themselves; none
builds an error response (``tests/test_architecture.py`` fails on one that does). Every
error is answered as:

* JSON, ``{"error": {"status": 404, "message": "..."}}``, to the publishers' API
  (``/api/``), to the SPARQL endpoint's clients (unless a browser asks) and to any client
  that prefers ``application/json``;
* the error page (``error.html``: status, name, message) to browsers;
* one line of text, ``404 Not Found: message``, to anything else.

A page that shows a form or a report with the error in it (the upload's report, the
proposal form) stays a page, and takes its status from :func:`status_of`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from catalogue.errors import CatalogueError, ErrorKind

STATUS: dict[ErrorKind, int] = {
    ErrorKind.BAD_INPUT: 400,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED: 415,
    ErrorKind.REFUSED: 422,
    ErrorKind.TOO_MANY: 429,
    ErrorKind.UNAVAILABLE: 503,
}
RETRY_AFTER = {ErrorKind.TOO_MANY: 10}  # seconds: work in progress ends soon
PRIVATE = "The catalogue cannot do this right now; the error has been logged."
UNEXPECTED = "Something went wrong on our side; the error has been logged."


def status_of(exc: CatalogueError) -> int:
    """The HTTP status of a domain error, by its kind."""
    return STATUS[exc.error_kind]


class Reworded(CatalogueError):
    """A domain error told in the reader's words (a translated sentence); its kind, and so
    its status, stay the original's. Raised by :func:`reworded`."""

    def __init__(self, message: str, original: CatalogueError, title: str | None = None) -> None:
        super().__init__(message, error_kind=original.error_kind)
        self.title = title


@contextmanager
def reworded(message: str, *errors: type[CatalogueError], title: str | None = None) -> Iterator[None]:
    """Say ``message`` (and, on the error page, ``title``) for any of ``errors`` raised
    inside; the status is still the error's kind's::

        with reworded(_("There is no proposal %(id)s.", id=pid), ProposalNotFound):
            p = moderation.get(pid)
    """
    try:
        yield
    except errors as exc:
        raise Reworded(message, exc, title) from exc


def _answer_format() -> str:
    """json, html or text (see the module's docstring)."""
    if request.path.startswith("/api/"):
        return "json"
    best = request.accept_mimetypes.best_match(["text/html", "text/plain", "application/json"],
                                               default="text/plain")
    if request.blueprint == "sparql" and best != "text/html":
        return "json"
    return {"text/html": "html", "application/json": "json"}.get(best, "text")


def error_response(status: int, message: str, *, name: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """The one shape of every error answer, in the format the client takes."""
    name = name or HTTP_STATUS_CODES.get(status, "Unknown Error")
    answer = _answer_format()
    if answer == "json":
        response = jsonify({"error": {"status": status, "message": message}})
    elif answer == "html":
        response = Response(render_template("error.html", code=status, name=name, description=message),
                            content_type="text/html; charset=utf-8")
    else:
        response = Response(f"{status} {name}: {message}\n", content_type="text/plain; charset=utf-8")
    response.status_code = status
    response.headers.update(headers or {})
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CatalogueError)
    def domain_error(exc: CatalogueError):
        kind = exc.error_kind
        headers = {"Retry-After": str(RETRY_AFTER[kind])} if kind in RETRY_AFTER else {}
        message = str(exc)
        if not exc.public_message:  # for operators: logged, not shown
            app.logger.error("%s: %s", type(exc).__name__, exc, exc_info=exc)
            message = PRIVATE
        return error_response(STATUS[kind], message, name=getattr(exc, "title", None), headers=headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return error_response(exc.code or 500, exc.description or exc.name, name=exc.name,
                              headers=headers)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, UNEXPECTED, name="Internal Server Error")
