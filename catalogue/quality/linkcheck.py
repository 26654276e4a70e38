"""Checking links over HTTP for the link checker (issue 16, item 2): one URL's outcome.

A link is asked with ``HEAD``; when a server refuses that (405, 501, 403) or breaks the
connection, with a streamed ``GET`` whose body is never read. Redirects are followed by
hand, at most ``max_redirects``, each hop's host checked the way harvesting checks it
(``catalogue.ingest.fetch``: ``check_host`` before connecting, the connected socket's peer
after it), so a link, a redirect or a name resolving to a loopback, private, link-local or
reserved address is refused and never called ("private-address"), unless
``CATALOGUE_ALLOW_PRIVATE_URLS`` is on or the host:port is in
``CATALOGUE_LINKCHECK_ALLOW_HOSTS`` (the test servers). A redirect back to a URL of the same
chain is a loop. Each host's ``robots.txt`` is read once per run, through the same guards,
and a URL it disallows is not requested ("robots", not a failure); a ``robots.txt`` that
cannot be read allows everything (the check itself then says what is wrong with the host).
Two requests to one host are ``host_interval`` seconds apart; hosts are checked in parallel
by a small pool of threads. A timed-out ``HEAD`` is not asked again with ``GET``: a run stays
bounded by the timeout per link.

Outcomes: ``ok``, ``http-error`` (a final status of 400 or more), ``timeout``,
``connection`` (refused, reset, a name that does not resolve, TLS), ``too-many-redirects``,
``redirect-loop``, ``private-address``, ``robots``, ``bad-url`` (not an absolute http(s) URL
without credentials, or a redirect to one). All but ``ok`` and ``robots`` are failures.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from catalogue.ingest.errors import InputError
from catalogue.ingest.fetch import (
    PrivateAddressError,
    check_host,
    check_url,
    guarding_peers,
    private_peer_guard,
    session,
)

if TYPE_CHECKING:
    from catalogue.settings import Settings

OUTCOMES = ("ok", "http-error", "timeout", "connection", "too-many-redirects", "redirect-loop",
            "private-address", "robots", "bad-url")
NOT_FAILURES = frozenset({"ok", "robots"})
AGENT = "catalogue-linkcheck"  # the token robots.txt rules name
RETRY_WITH_GET = frozenset({403, 405, 501})
ROBOTS_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Checked:
    """How one check of one URL ended; ``status`` is the last HTTP status received (None:
    no server answered)."""

    url: str
    outcome: str
    status: int | None = None

    @property
    def failed(self) -> bool:
        return self.outcome not in NOT_FAILURES


@dataclass(frozen=True)
class Policy:
    """How the checker behaves: the CATALOGUE_LINKCHECK_* settings (``of``)."""

    timeout: float = 10.0
    host_interval: float = 1.0
    max_redirects: int = 5
    allow_private: bool = False
    allowed: frozenset[tuple[str, int]] = frozenset()  # (host, port) that may be private
    user_agent: str = f"{AGENT}/1.0"
    workers: int = 4

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(timeout=settings.linkcheck_timeout, host_interval=settings.linkcheck_host_interval,
                   max_redirects=settings.linkcheck_max_redirects,
                   allow_private=settings.allow_private_urls, allowed=settings.linkcheck_allowed,
                   user_agent=f"{AGENT}/1.0 (link checker of the catalogue at {settings.base_uri})")

    def may_be_private(self, host: str, port: int) -> bool:
        return self.allow_private or (host.strip("[]").lower(), port) in self.allowed


class _Refused(Exception):
    """A hop's host is private (checked before connecting): the URL is never called."""


class _Unresolved(Exception):
    """A hop's host name does not resolve."""


class _Pacer:
    """At least ``interval`` seconds between two requests to one host, across threads."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _timed_out(exc: BaseException) -> bool:
    """Whether a request failed by waiting too long (requests wraps some read timeouts in a
    ConnectionError)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, requests.Timeout | TimeoutError | urllib3.exceptions.TimeoutError):
            return True
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None),
                 *(a for a in e.args if isinstance(a, BaseException))]
    return False


class LinkChecker:
    """Checks URLs under one :class:`Policy`; one instance per run (it keeps each host's
    robots.txt and pace for the run)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._pacer = _Pacer(policy.host_interval)
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._lock = threading.Lock()

    def check_all(self, urls: Iterable[str],
                  progress: Callable[[Checked], None] | None = None) -> dict[str, Checked]:
        """Check every URL, hosts in parallel, one host's URLs one after the other;
        ``progress`` is called with each result as it comes (from the pool's threads)."""
        groups: dict[str, list[str]] = defaultdict(list)
        for url in dict.fromkeys(urls):
            try:
                host = (check_url(url).hostname or "").lower()
            except InputError:
                host = ""
            groups[host].append(url)
        results: dict[str, Checked] = {}
        if not groups:
            return results

        def run(group: list[str]) -> None:
            for found in self._check_group(group):
                results[found.url] = found  # one key per thread: dict assignment is atomic
                if progress is not None:
                    progress(found)

        with ThreadPoolExecutor(max_workers=max(1, min(self.policy.workers, len(groups))),
                                thread_name_prefix="catalogue-linkcheck") as pool:
            for f in [pool.submit(run, g) for g in groups.values()]:
                f.result()
        return results

    def _check_group(self, urls: list[str]) -> Iterable[Checked]:
        guard = None if self.policy.allow_private else private_peer_guard(self.policy.may_be_private)
        s = session()
        s.headers["User-Agent"] = self.policy.user_agent
        try:
            with guarding_peers(guard):
                for url in urls:
                    yield self.check(url, s)
        finally:
            s.close()

    def check(self, url: str, s: requests.Session) -> Checked:
        """One URL's outcome (the caller holds the peer guard: see :meth:`check_all`)."""
        link, status = url, None
        seen: set[str] = set()
        for hop in range(self.policy.max_redirects + 1):
            if url in seen:
                return Checked(link, "redirect-loop", status)
            seen.add(url)
            try:
                parts = self._guard(url)
                if not self._robots_allow(s, parts, url):
                    return Checked(link, "robots", status)
                response = self._ask(s, url, parts)
            except (_Refused, PrivateAddressError):  # before connecting, or the peer after
                return Checked(link, "private-address", status)
            except _Unresolved:
                return Checked(link, "connection", status)
            except InputError:
                return Checked(link, "bad-url", status)
            except (requests.RequestException, OSError) as exc:
                return Checked(link, "timeout" if _timed_out(exc) else "connection", status)
            status = response.status_code
            if not response.is_redirect:
                return Checked(link, "ok" if status < 400 else "http-error", status)
            if hop == self.policy.max_redirects:
                break
            try:
                url = urljoin(url, response.headers["location"])
                check_url(url)
            except (ValueError, InputError):
                return Checked(link, "bad-url", status)
        return Checked(link, "too-many-redirects", status)

    def _guard(self, url: str) -> SplitResult:
        """The URL split, its host checked before any connection.

        :raise InputError: not an absolute http(s) URL without credentials.
        :raise _Refused: a private or local address, not allowed.
        :raise _Unresolved: the name does not resolve.
        """
        parts = check_url(url)
        if not self.policy.may_be_private(parts.hostname or "", _port(parts)):
            try:
                check_host(url, allow_private=False)
            except PrivateAddressError:
                raise _Refused() from None
            except InputError:
                raise _Unresolved() from None
        return parts

    def _ask(self, s: requests.Session, url: str, parts: SplitResult) -> requests.Response:
        """HEAD, then GET when the server will not answer a HEAD; headers only, closed.

        :raise requests.RequestException: the GET (or a timed-out HEAD) failed.
        :raise PrivateAddressError: the connection reached a private address.
        """
        host = (parts.hostname or "").lower()
        wait = self.policy.timeout
        self._pacer.wait(host)
        try:
            response = s.head(url, timeout=(wait, wait), allow_redirects=False)
            response.close()
            if response.status_code not in RETRY_WITH_GET:
                return response
        except (requests.RequestException, OSError) as exc:
            if _timed_out(exc):
                raise
        self._pacer.wait(host)
        response = s.get(url, timeout=(wait, wait), allow_redirects=False, stream=True)
        response.close()  # the status is the answer: the body is never read
        return response

    def _robots_allow(self, s: requests.Session, parts: SplitResult, url: str) -> bool:
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        with self._lock:
            lock = self._robots_locks[origin]
        with lock:  # once per host and run, however many threads reach it
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(s, origin)
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(AGENT, url)

    def _read_robots(self, s: requests.Session, origin: str) -> RobotFileParser | None:
        """The host's robots.txt rules, or None (allow all) when it has none or cannot be
        read; fetched through the same guards and pace as a link, at most 64 KiB."""
        url = origin + "/robots.txt"
        wait = self.policy.timeout
        try:
            for _ in range(self.policy.max_redirects + 1):
                parts = self._guard(url)
                self._pacer.wait((parts.hostname or "").lower())
                response = s.get(url, timeout=(wait, wait), allow_redirects=False, stream=True)
                try:
                    if response.is_redirect:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        return None
                    body = self._read_some(response, ROBOTS_MAX_BYTES, 3 * wait)
                finally:
                    response.close()
                rules = RobotFileParser(url)
                rules.parse(body.decode("utf-8", "replace").splitlines())
                return rules
        except (InputError, _Refused, _Unresolved, requests.RequestException, OSError, ValueError):
            return None
        return None

    @staticmethod
    def _read_some(response: requests.Response, limit: int, seconds: float) -> bytes:
        """At most ``limit`` bytes, for at most about ``seconds`` (one read waits at most
        the timeout: a server sending a byte now and then cannot hold the check)."""
        chunks: list[bytes] = []
        size, ends = 0, time.monotonic() + seconds
        while size < limit and time.monotonic() < ends:
            chunk = response.raw.read1(8192)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:limit]

