"""Errors are mapped to HTTP once, here: an HTML page for browsers, plain text otherwise."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "text/plain"], default="text/plain")
    return best == "text/html"


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        description = exc.description or exc.name
        if _wants_html():
            return render_template("error.html", code=exc.code, name=exc.name,
                                   description=description), exc.code
        return f"{exc.code} {exc.name}: {description}\n", exc.code, {
            "Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        text = "Something went wrong on our side; the error has been logged."
        if _wants_html():
            return render_template("error.html", code=500, name="Internal Server Error",
                                   description=text), 500
        return f"500 Internal Server Error: {text}\n", 500, {"Content-Type": "text/plain; charset=utf-8"}
