"""Fetch a dump from a URL: http(s) only, bounded in size and time, no private addresses.

A publisher's URL must not make the server reach into its own network (SSRF): hosts that
resolve to loopback, private, link-local or reserved addresses are refused unless
``CATALOGUE_ALLOW_PRIVATE_URLS`` is on. URLs carrying a user name or password are refused
everywhere (uploads, the command line, harvest settings): where a dump came from is
published, so a URL must hold no secret; ``public_url`` is the form that is published
(no query string either, where access tokens travel).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

import requests

from .errors import InputError, TooLargeError


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

    :raise InputError: (kind ``fetch``) the URL is refused, or its host cannot be resolved.
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
            raise InputError(
                f"{parts.hostname} resolves to {ip}, a private or local address; fetching from "
                "it is refused (set CATALOGUE_ALLOW_PRIVATE_URLS=true to allow it)",
                kind="fetch",
            )


def fetch(url: str, *, max_bytes: int, timeout: float, allow_private: bool = False) -> Fetched:
    """Download ``url`` (redirects checked hop by hop).

    :raise InputError: refused address, network error or HTTP error status.
    :raise TooLargeError: the body is over ``max_bytes``.
    """
    session = requests.Session()
    for _ in range(5):
        check_host(url, allow_private)
        try:
            response = session.get(
                url, stream=True, timeout=timeout, allow_redirects=False,
                headers={"Accept": "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.9, "
                                   "application/ld+json;q=0.8, */*;q=0.1"},
            )
        except requests.RequestException as exc:
            raise InputError(f"cannot fetch {url}: {exc}", kind="fetch") from None
        if response.is_redirect and "location" in response.headers:
            try:
                url = requests.compat.urljoin(url, response.headers["location"])
            except ValueError:  # e.g. an unclosed [ in the Location header
                raise InputError(f"fetching {url} redirects to a malformed URL", kind="fetch") from None
            continue
        if response.status_code >= 400:
            raise InputError(f"fetching {url} failed: HTTP {response.status_code}", kind="fetch")
        chunks, size = [], 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise TooLargeError(f"{url} is larger than {max_bytes:,} bytes", kind="too-large")
            chunks.append(chunk)
        media = response.headers.get("content-type", "").split(";")[0].strip() or None
        return Fetched(b"".join(chunks), media, url)
    raise InputError(f"too many redirects fetching {url}", kind="fetch")
