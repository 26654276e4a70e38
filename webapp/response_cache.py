"""A shared HTTP cache in front of the app, for what every anonymous reader gets alike.

The persistent URIs are read far more than the data changes, by crawlers and harvesters
as much as by people. A view marks a response as shared (:func:`share`): the same bytes
for anyone who sends the same headers the response ``Vary``-ies on. The next anonymous
``GET`` of that URL is then answered here, before Flask builds a request, runs its hooks
and routes it: roughly what a reverse proxy such as Varnish would do, kept in-process so
the README's one command still gives the fast path.

What is never answered from here:

* requests with a ``Cookie`` or ``Authorization`` (signed-in users, language cookies);
* anything but ``GET``; conditional and ``Range`` requests (the app answers those from its
  own per-resource cache, with 304/206 semantics it already tests);
* responses that are not 200, set a cookie, or were not marked by their view.

Entries are keyed by scheme, host, path, query string and the values of the request
headers the response varies on, and belong to one data version (the token of
:meth:`catalogue.app.Catalogue.data_version`): after an ingest they are never served
again. The cache is bounded in bytes and least-recently-used entries go first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from catalogue.cache import LRU

SHARED = "catalogue.shared_response"  # the environ key a view sets to opt a response in
NOTE = "catalogue.note."  # environ keys a view leaves for the middleware outside this cache


def share(environ: dict) -> None:
    """Mark the response being built for ``environ`` as the same for every anonymous reader
    who sends the same ``Vary`` headers."""
    environ[SHARED] = True


def note(environ: dict, name: str, value: str) -> None:
    """Leave a fact about the response for a WSGI middleware outside this cache (the usage
    counter reads which resource a page shows): kept with a cached entry and put back into
    the environ of each request it answers, so the middleware sees hits like misses."""
    environ[NOTE + name] = value


@dataclass(frozen=True)
class Entry:
    token: str
    vary: tuple[tuple[str, str], ...]  # (environ key, value) the response depends on
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    notes: tuple[tuple[str, str], ...] = ()  # what the view noted (:func:`note`)


_BYPASS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_RANGE", "HTTP_IF_NONE_MATCH",
           "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE")


def _environ_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


class SharedCache:
    """WSGI middleware: ``app.wsgi_app = SharedCache(app.wsgi_app, version, max_bytes)``.

    :param version: the current data version token (cheap: the catalogue caches it).
    :param max_bytes: the bodies kept, in total; 0 turns the cache off.
    """

    def __init__(self, app: Callable, version: Callable[[], str], max_bytes: int) -> None:
        self.app = app
        self.version = version
        self.max_bytes = max_bytes
        # url -> its variants (one per data version and Vary values), bounded by their bytes
        self._urls: LRU[tuple[str, ...], list[Entry]] = LRU(
            max(max_bytes, 1), sizeof=lambda entries: sum(len(e.body) for e in entries))
        self._lock = threading.Lock()  # a counter and a read-modify-write of a URL's variants
        self.hits = 0
        self.stores = 0

    @property
    def bytes_kept(self) -> int:
        """The bodies kept, in total (at most ``max_bytes``)."""
        return self._urls.currsize

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (not self.max_bytes or environ.get("REQUEST_METHOD") != "GET"
                or any(k in environ for k in _BYPASS)):
            return self.app(environ, start_response)
        url = (environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
               environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
               environ.get("QUERY_STRING", ""))
        try:
            token = self.version()
        except Exception:  # the store is unreachable: the app gives the proper error page
            return self.app(environ, start_response)
        entry = self._lookup(url, token, environ)
        if entry is not None:
            environ.update(entry.notes)
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        return self._fill(url, token, environ, start_response)

    def _lookup(self, url: tuple[str, ...], token: str, environ: dict) -> Entry | None:
        entries = self._urls.get(url)
        for e in entries or ():
            if e.token == token and all(environ.get(k, "") == v for k, v in e.vary):
                with self._lock:
                    self.hits += 1
                return e
        return None

    def _fill(self, url: tuple[str, ...], token: str, environ: dict,
              start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        result = self.app(environ, capture)
        status, headers = seen.get("status", ""), seen.get("headers", [])
        names = {k.lower() for k, _ in headers}
        if (not environ.get(SHARED) or not status.startswith("200 ") or "set-cookie" in names
                or "content-length" not in names):  # no length: streamed, pass it through
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        vary = [v for k, val in headers if k.lower() == "vary" for v in val.split(",") if v.strip()]
        if any(v.strip() == "*" for v in vary):
            return [body]
        self._put(url, Entry(token, tuple((_environ_key(v), environ.get(_environ_key(v), ""))
                                          for v in vary), status, tuple(headers), body,
                              tuple((k, v) for k, v in environ.items() if k.startswith(NOTE))))
        return [body]

    def _put(self, url: tuple[str, ...], entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes // 16:  # one page may not push out a sixteenth of the rest
            return
        with self._lock:
            entries = self._urls.get(url) or []
            # an older version's entries, or the same variant, are replaced
            keep = [entry] + [e for e in entries if e.token == entry.token and e.vary != entry.vary]
            self._urls.put(url, keep)  # least recently used URLs go first when over max_bytes
            self.stores += 1
