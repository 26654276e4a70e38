"""What every response carries and what every request may send: security headers and
per-route body limits, both applied outside Flask.

**Headers.** Every response (the app's, a refusal from here; the shared cache keeps them) gets a
Content-Security-Policy without inline script or style, ``X-Content-Type-Options: nosniff``,
``Referrer-Policy`` and ``frame-ancestors 'none'`` (plus ``X-Frame-Options`` for browsers
that predate it). A view that needs a looser policy (the SPARQL editor) sets its own
``Content-Security-Policy`` and it is kept; the other headers are added when absent.

**Body limits.** A body is refused with 413 from its declared ``Content-Length``, before a
byte of it is read: uploads may send up to ``CATALOGUE_MAX_UPLOAD_BYTES`` (plus room for a
form's other fields), everything else (sign-in and other forms, ``/sparql``) at most
:data:`FORM_BODY_BYTES`. ``catalogue serve`` applies :func:`body_limit` inside waitress's
request parser (``webapp/server.py``), at the headers, and to chunked bodies as they arrive;
:class:`BodyLimit` applies it again as WSGI middleware for any other server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

FORM_BODY_BYTES = 1024 * 1024
"""Largest body of any request but an upload: forms, sign-in, ``/sparql`` queries."""

UPLOAD_ROOM = 1024 * 1024
"""What an upload may send beyond the dump itself: a multipart form's boundaries and fields.
The views refuse a dump over the limit with their own report; this is the hard stop."""

# the public validator too: it refuses a paste over its own, smaller limit on its page
_UPLOADS = re.compile(r"^/(?:sources/[^/]+/upload|api/sources/[^/]+/dumps|validator)/?$")



def content_security_policy(*, style_hashes: tuple[str, ...] = ()) -> str:
    """This site's own scripts, styles and fetches only; no inline script; no inline style
    but the exact texts whose ``sha256-...`` hashes are given; ``data:`` for images only (the
    empty favicon); no plugins, no ``<base>``, forms post here, no framing by anyone."""
    styles = " ".join(("'self'", *(f"'{h}'" for h in style_hashes)))
    return ("default-src 'self'; script-src 'self'; "
            f"style-src {styles}; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


DEFAULT_CSP = content_security_policy()

HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)


def body_limit(method: str, path: str, max_upload_bytes: int) -> int:
    """The most bytes a request to ``path`` may send as its body.

    Only ``POST`` to an upload route (the site's form, the API's dumps, the validator) may send a dump;
    any other request gets :data:`FORM_BODY_BYTES`.
    """
    if method.upper() == "POST" and _UPLOADS.match(path):
        return max_upload_bytes + UPLOAD_ROOM
    return FORM_BODY_BYTES


def largest_body(max_upload_bytes: int) -> int:
    """The largest limit of any route: the server's global cap."""
    return max(max_upload_bytes + UPLOAD_ROOM, FORM_BODY_BYTES)


def too_large_message(method: str, path: str, limit: int, declared: int | None) -> str:
    """Why a body is refused, in words a client author can act on."""
    size = f"is {declared:,} bytes" if declared is not None else "goes on"
    what = ("an upload" if limit > FORM_BODY_BYTES
            else "a form, a sign-in or a SPARQL query (uploads go to /sources/SLUG/upload "
                 "or /api/sources/SLUG/dumps)")
    return (f"The body of this {method} {path} {size}, over the {limit:,} bytes accepted for "
            f"{what}; it was not read.")


def add_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` with the security headers it lacks (a view's own CSP wins)."""
    present = {name.lower() for name, _ in headers}
    extra = [(n, v) for n, v in HEADERS if n.lower() not in present]
    if "content-security-policy" not in present:
        extra.append(("Content-Security-Policy", DEFAULT_CSP))
    return headers + extra if extra else headers


class SecurityHeaders:
    """WSGI middleware: every response gets :func:`add_headers`."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            headers = add_headers(list(headers))
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        return self.app(environ, with_headers)


class BodyLimit:
    """WSGI middleware: 413 for a declared body over the route's :func:`body_limit`,
    before the app (or werkzeug) reads any of it.

    A body of unknown length is left to the server (waitress de-chunks and counts it, see
    ``webapp/server.py``) and to Flask's ``MAX_CONTENT_LENGTH``.
    """

    def __init__(self, app: Callable, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:  # not a length: werkzeug reads no body at all
            return self.app(environ, start_response)
        limit = body_limit(method, path, self.max_upload_bytes)
        if declared <= limit:
            return self.app(environ, start_response)
        body = ("413 Request Entity Too Large: "
                + too_large_message(method, path, limit, declared) + "\n").encode()
        start_response("413 Request Entity Too Large", add_headers([
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]))
        return [body]
