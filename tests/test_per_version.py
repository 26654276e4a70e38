"""What is derived once per data version (Catalogue.per_version) is computed once, even when
many requests ask for it at the same moment."""

from __future__ import annotations

import threading
import time

from catalogue.app import Catalogue


def test_concurrent_askers_wait_for_one_computation(settings):
    catalogue = Catalogue(settings)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.3)  # long enough for every thread to arrive while it runs
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(catalogue.per_version("slow", compute)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [42] * 4 and len(calls) == 1
    assert catalogue.per_version("slow", compute) == 42 and len(calls) == 1  # cached
    catalogue.close()


def test_a_computation_may_ask_for_its_own_name_and_others(settings):
    # re-entrant: no deadlock when a value is built from another per-version value
    catalogue = Catalogue(settings)
    outer = catalogue.per_version("outer", lambda: catalogue.per_version("inner", lambda: 7) + 1)
    assert outer == 8 and catalogue.per_version("inner", lambda: 0) == 7
    catalogue.close()
