"""Fetch a dump from a URL: http(s) only, bounded in size and time, no private addresses.

A publisher's URL must not make the server reach into its own network (SSRF): hosts that
resolve to loopback, private, link-local or reserved addresses are refused unless
``CATALOGUE_ALLOW_PRIVATE_URLS`` is on: the name is checked before connecting, and the
address each connection reached after it (a name may resolve differently the second time). URLs carrying a user name or password are refused
everywhere (uploads, the command line, harvest settings): where a dump came from is
published, so a URL must hold no secret; ``public_url`` is the form that is published
(no query string either, where access tokens travel).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from catalogue.ingest.errors import InputError, TooLargeError


class PrivateAddressError(InputError):
    """A URL's host is, or resolves to, a loopback, private, link-local or reserved address
    (kind ``fetch``); ``host`` is the name as the URL gives it."""

    def __init__(self, message: str, host: str) -> None:
        super().__init__(message, kind="fetch")
        self.host = host


@dataclass
class Fetched:
    data: bytes
    media_type: str | None
    url: str


def check_url(url: str) -> SplitResult:
    """An absolute http(s) URL, well formed, without a user name or password, split.

    The one check of a URL's form, for every URL the catalogue fetches or keeps (uploads,
    ``catalogue ingest URL``, harvest settings); whether its host is private is checked
    when it is fetched (addresses change).

    :raise InputError: (kind ``fetch``) not http(s), malformed (e.g. port 99999, an
        unclosed ``[``), or carrying credentials.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    except ValueError as exc:
        raise InputError(f"{url!r} is not a valid URL ({exc}): give an absolute http(s) URL such as "
                         "https://example.org/dump.ttl", kind="fetch") from None
    if (parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() or ord(c) < 32 for c in url)):
        raise InputError(f"only absolute http(s) URLs can be fetched, not {url!r}: give one such "
                         "as https://example.org/dump.ttl", kind="fetch")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "a URL must not carry a user name or password (user:password@): where a dump came "
            "from is public. Give a URL that needs no credentials", kind="fetch")
    return parts


def public_url(url: str) -> str:
    """``url`` as it may be published: no user name or password, query string or fragment
    (access tokens travel in query strings). A malformed URL gives ``""``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def check_host(url: str, allow_private: bool) -> None:
    """Refuse a malformed URL (``check_url``) and, unless allowed, one whose host resolves
    to a private or local address.

    :raise PrivateAddressError: the host is (or resolves to) a private or local address.
    :raise InputError: (kind ``fetch``) the URL is malformed, or its host cannot be resolved.
    """
    parts = check_url(url)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: a label over 63 characters
        raise InputError(f"cannot resolve {parts.hostname}: {exc}", kind="fetch") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global or ip.is_multicast:
            raise PrivateAddressError(
                f"{parts.hostname} resolves to {ip}, a private or local address; fetching from "
                "it is refused (set CATALOGUE_ALLOW_PRIVATE_URLS=true to allow it)",
                parts.hostname or "",
            )


DEFAULT_DEADLINE = 120.0  # seconds for a whole download: CATALOGUE_FETCH_DEADLINE's default
_current = threading.local()  # the deadline of the fetch running in this thread, if any


class _Deadline:
    """The end of one whole download. When it passes, every socket the download opened is
    shut down: that wakes a read blocked on a server that sends a byte now and then (a
    socket timeout counts per read, and reading a 64 KiB chunk waits for all of it, so
    one byte a second kept a request thread for as long as the server liked)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self._passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def passed(self) -> bool:
        return self._passed or time.monotonic() >= self.ends

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Keep a duplicate of a new connection's socket: shutting the duplicate down stops
        the connection even once TLS has wrapped (and detached) the original object."""
        with self._lock:
            dup = sock.dup()
            self._sockets.append(dup)
            if self._passed:
                _shutdown(dup)

    def _expire(self) -> None:
        with self._lock:
            self._passed = True
            for s in self._sockets:
                _shutdown(s)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for s in self._sockets:
                s.close()
            self._sockets.clear()

    def error(self, url: str) -> InputError:
        return InputError(
            f"fetching {url} was stopped after {self.seconds:g} seconds, the most a whole "
            "download may take (CATALOGUE_FETCH_DEADLINE): the server sends too slowly. Give "
            "a URL that answers faster, or upload the file itself", kind="fetch")


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the other side: nothing left to stop
        pass


PeerGuard = Callable[[str, int, str], None]  # (host as dialled, port, peer address); raises to refuse


def private_peer_guard(allowed: Callable[[str, int], bool] | None = None) -> PeerGuard:
    """A guard refusing a connection whose peer is a private or local address, unless
    ``allowed(host, port)`` (the link checker's allow-list of test servers).

    ``check_host`` resolves a name before the request, and the connection resolves it again:
    a name answering a public address first and a private one next (DNS rebinding) would pass
    the first check. The guard looks at the address the socket actually connected to.
    """
    def guard(host: str, port: int, peer: str) -> None:
        ip = ipaddress.ip_address(peer.split("%")[0])
        if (not ip.is_global or ip.is_multicast) and not (allowed is not None and allowed(host, port)):
            raise PrivateAddressError(
                f"{host} connected to a private or local address; fetching from it is refused "
                "(set CATALOGUE_ALLOW_PRIVATE_URLS=true to allow it)", host)
    return guard


@contextmanager
def guarding_peers(guard: PeerGuard | None) -> Iterator[None]:
    """Check the peer of every connection this thread opens in the block with ``guard``
    (None: no check, private addresses allowed)."""
    before = getattr(_current, "peer_guard", None)
    _current.peer_guard = guard
    try:
        yield
    finally:
        _current.peer_guard = before


class _Watched:
    """A urllib3 connection whose socket the running fetch's deadline can shut down, and
    whose peer address the running fetch's guard checks (not through a proxy: the proxy
    resolves the name, and its address is the operator's choice)."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        guard: PeerGuard | None = getattr(_current, "peer_guard", None)
        if guard is not None and not getattr(self, "proxy", None):
            try:
                guard(str(getattr(self, "host", "")), int(getattr(self, "port", 0) or 0), sock.getpeername()[0])
            except BaseException:
                sock.close()
                raise
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(sock)
        return sock


def session() -> requests.Session:
    """A requests session whose connections (direct or through an HTTP proxy) are watched:
    by the deadline of :func:`fetch` and by the peer guard of :func:`guarding_peers`."""
    s = requests.Session()
    s.mount("http://", _Adapter())
    s.mount("https://", _Adapter())
    return s


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(HTTPAdapter):
    """requests' adapter, its connections (direct or through an HTTP proxy) watched."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have classes of their own
            manager.pool_classes_by_scheme = _POOLS
        return manager


def fetch(url: str, *, max_bytes: int, timeout: float, allow_private: bool = False,
          deadline: float | None = None) -> Fetched:
    """Download ``url`` (redirects checked hop by hop).

    ``timeout`` bounds each wait for a connection or for the next bytes; ``deadline`` (in
    seconds, default ``DEFAULT_DEADLINE``) the whole download, redirects included, however
    the server paces its bytes.

    :raise PrivateAddressError: the host, or a redirect's, is a private or local address, or
        a connection reached one (a name resolved again to another address: DNS rebinding).
    :raise InputError: network error, HTTP error status, or the deadline passed (the message
        says so and names CATALOGUE_FETCH_DEADLINE).
    :raise TooLargeError: the body is over ``max_bytes``.
    """
    clock = _Deadline(DEFAULT_DEADLINE if deadline is None else deadline)
    watched = session()
    _current.deadline = clock
    try:
        with guarding_peers(None if allow_private else private_peer_guard()):
            return _download(watched, url, max_bytes, timeout, allow_private, clock)
    finally:
        _current.deadline = None
        clock.close()
        watched.close()


def _download(session: requests.Session, url: str, max_bytes: int, timeout: float,
              allow_private: bool, clock: _Deadline) -> Fetched:
    for _ in range(5):
        check_host(url, allow_private)
        wait = min(timeout, clock.remaining())
        if wait <= 0:
            raise clock.error(url)
        try:
            response = session.get(
                url, stream=True, timeout=(wait, wait), allow_redirects=False,
                headers={"Accept": "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.9, "
                                   "application/ld+json;q=0.8, */*;q=0.1"},
            )
        except (requests.RequestException, OSError) as exc:
            raise _failure(url, exc, clock, timeout) from None
        if response.is_redirect and "location" in response.headers:
            try:
                url = requests.compat.urljoin(url, response.headers["location"])
            except ValueError:  # e.g. an unclosed [ in the Location header
                raise InputError(f"fetching {url} redirects to a malformed URL", kind="fetch") from None
            continue
        if response.status_code >= 400:
            raise InputError(f"fetching {url} failed: HTTP {response.status_code}", kind="fetch")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLargeError(f"{url} is larger than {max_bytes:,} bytes", kind="too-large")
                chunks.append(chunk)
                if clock.passed:
                    break
        except (requests.RequestException, OSError) as exc:
            raise _failure(url, exc, clock, timeout) from None
        finally:  # the connection goes now, not when the garbage collector finds it: an
            response.close()  # unread rest (a body over the limit) keeps the sender waiting
        if clock.passed:  # cut off: a body that ends with the connection looks complete
            raise clock.error(url)
        media = response.headers.get("content-type", "").split(";")[0].strip() or None
        return Fetched(b"".join(chunks), media, url)
    raise InputError(f"too many redirects fetching {url}", kind="fetch")


def _failure(url: str, exc: Exception, clock: _Deadline, timeout: float) -> InputError:
    """Why a download broke off, in words: the deadline, a silent server, or the network."""
    if clock.passed:
        return clock.error(url)
    if isinstance(exc, requests.Timeout):
        return InputError(f"cannot fetch {url}: the server did not answer within {timeout:g} "
                          "seconds (CATALOGUE_FETCH_TIMEOUT)", kind="fetch")
    return InputError(f"cannot fetch {url}: {exc}", kind="fetch")
