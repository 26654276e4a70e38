"""Failed sign-ins counted in fixed memory that no flood of other failures can flush.

A table of failures per username (or per address) must be bounded, and bounding it by
dropping entries is what an attacker exploits: fail with enough made-up names and the
target's count is dropped with them. Here nothing is ever dropped. Each key is hashed
(with a per-process secret, so nobody can aim at a cell) to one cell in each of ``rows``
rows, and a cell keeps the times of its last ``limit`` failures. A key's count is the
smallest among its cells: other keys' failures can only add to a cell, never take one of
the key's own failures out of all of them, so a lock always lasts its full window. The
price goes the other way: a key whose every cell is also busy with others' failures may be
refused early, which needs many failures from many addresses (at the default sizes, tens of
thousands of failures within one window, each costing the sender an argon2 verification).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import threading
import time
from array import array
from collections.abc import Callable

_NEVER = -(2**31)  # an empty slot: a failure longer ago than any window


class Throttle:
    """At most ``limit`` failures per key in a sliding ``window`` of seconds: beyond that,
    :meth:`wait` says how long the key must wait. Memory is fixed at creation
    (``rows * cells * limit`` 4-byte times: 1.3 MB at the defaults). Per process:
    several web processes each keep their own counts.
    """

    def __init__(self, limit: int = 5, window: float = 900.0, *, cells: int = 32768,
                 rows: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0 or cells < 1 or not 1 <= rows <= 8:
            raise ValueError("limit, window and cells must be positive, rows 1 to 8")
        self.limit, self.window, self.cells, self.rows = limit, int(window), cells, rows
        self._clock, self._start = clock, clock()
        self._times = array("i", [_NEVER]) * (rows * cells * limit)
        self._secret = secrets.token_bytes(16)
        self._lock = threading.Lock()

    def _now(self) -> int:
        return int(self._clock() - self._start)

    def _offsets(self, key: str) -> list[int]:
        """Where the key's cell starts in each row."""
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), key=self._secret,
                                 digest_size=4 * self.rows).digest()
        return [(row * self.cells + int.from_bytes(digest[4 * row:4 * row + 4], "big")
                 % self.cells) * self.limit for row in range(self.rows)]

    def wait(self, key: str) -> int:
        """Seconds until ``key`` may try again (0: now)."""
        now = self._now()
        with self._lock:
            waits = []
            for start in self._offsets(key):
                oldest = min(self._times[start:start + self.limit])
                if now - oldest >= self.window:  # fewer than `limit` failures in the window
                    return 0
                waits.append(oldest + self.window - now)
        return max(1, min(waits))

    def failed(self, key: str) -> None:
        """Count a failure of ``key`` now (it takes the place of its cells' oldest)."""
        now = self._now()
        with self._lock:
            for start in self._offsets(key):
                cell = self._times[start:start + self.limit]
                self._times[start + cell.index(min(cell))] = now


def address_key(remote: str | None) -> str:
    """Whom an address counts as: an IPv4 address itself, an IPv6 address its /64 network
    (one subscriber gets a whole /64: counting its addresses apart would count nothing)."""
    try:
        ip = ipaddress.ip_address(remote or "")
    except ValueError:
        return remote or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
