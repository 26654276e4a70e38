"""The one bounded cache: a thread-safe LRU on cachetools, by count or by size.

Derived state (rendered pages, representations, descriptions) is kept per data version in
such caches; a new version simply stops matching old keys. One implementation, so every
cache evicts, locks and counts the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``maxsize`` entries, or ``maxsize`` in total of ``sizeof(value)``.

    A value larger than the whole cache is not kept (cachetools refuses it: ``put`` then
    does nothing).

    >>> c: LRU[str, bytes] = LRU(10, sizeof=len)
    >>> c.put("a", b"12345"); c.put("b", b"123456"); c.get("a") is None
    True
    """

    def __init__(self, maxsize: int, *, sizeof: Callable[[V], int] | None = None) -> None:
        self._data: LRUCache[K, V] = LRUCache(maxsize, getsizeof=sizeof)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._data.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            try:
                self._data[key] = value
            except ValueError:  # larger than the cache itself
                self._data.pop(key, None)

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def values(self) -> list[V]:
        """A snapshot of the values, least recently used first."""
        with self._lock:
            return list(self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    @property
    def currsize(self) -> int:
        """Entries, or the total size when a ``sizeof`` was given."""
        return int(self._data.currsize)
