"""Counts kept in memory between two writes to the store: thread-safe and bounded.

A page view or a download adds one to the count of (resource, day, kind); a flush takes
them all at once and, if the store refuses them, gives them back to be written next time.
The number of distinct (resource, day, kind) kept is capped, so a store that stays down
cannot make the process grow without bound: past the cap, new keys are not counted (the
counts already kept still grow) and the loss is counted in ``dropped``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Literal

Kind = Literal["downloads", "views", "data"]
KINDS: tuple[Kind, ...] = ("downloads", "views", "data")
Key = tuple[str, str, Kind]  # (resource IRI, day as YYYY-MM-DD, kind)
MAX_KEYS = 100_000  # about 20 MB at most


class Tally:
    """``add`` from any thread; ``take`` to flush; ``give_back`` what could not be written."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self._counts: dict[Key, int] = {}
        self._lock = threading.Lock()
        self.dropped = 0  # counts lost because the tally was full

    def __len__(self) -> int:
        return len(self._counts)

    def add(self, resource: str, day: str, kind: Kind, n: int = 1) -> bool:
        """Add ``n`` to a count; False when the tally is full and the key is new (lost)."""
        key = (resource, day, kind)
        with self._lock:
            if key not in self._counts and len(self._counts) >= self.max_keys:
                self.dropped += n
                return False
            self._counts[key] = self._counts.get(key, 0) + n
            return True

    def take(self) -> dict[Key, int]:
        """Every count kept, which the tally then forgets."""
        with self._lock:
            counts, self._counts = self._counts, {}
            return counts

    def give_back(self, counts: Mapping[Key, int]) -> None:
        """Put counts that could not be written back (added to those counted since)."""
        for (resource, day, kind), n in counts.items():
            self.add(resource, day, kind, n)

    def peek(self) -> dict[Key, int]:
        """A copy of the counts kept (for tests and ``catalogue usage``)."""
        with self._lock:
            return dict(self._counts)
