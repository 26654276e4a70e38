"""Fetch a dump from a URL: http(s) only, bounded in size and time, no private addresses.

A publisher's URL must not make the server reach into its own network (SSRF): hosts that
resolve to loopback, private, link-local or reserved addresses are refused unless
``CATALOGUE_ALLOW_PRIVATE_URLS`` is on.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from .errors import InputError, TooLargeError


@dataclass
class Fetched:
    data: bytes
    media_type: str | None
    url: str


def check_host(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"only http(s) URLs can be fetched, not {url!r}", kind="fetch")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
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
            url = requests.compat.urljoin(url, response.headers["location"])
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
