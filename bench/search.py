"""The whole /search page (keywords + facet counts + rendering) under 4 concurrent clients,
and the time to rebuild the search index from the store.

Uses the cached generated catalogue of bench/_serve.py (``generate.py --solutions N
--collections N/100 --seed 7``, ingested once), copies its store, times
``Catalogue.search.reindex()`` (a full rebuild), then drives ``/search`` through the Flask test
client from 4 threads over a mix of keyword, facet and sorted requests: each state once
(cold: counted, searched, rendered), then the mix repeated (mostly the page cache, as
browsing by facets repeats states). Prints p50/p95 of both.
Usage::

    python bench/search.py [--solutions 10000] [--requests 400] [--clients 4]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _serve  # noqa: E402

from catalogue import search  # noqa: E402
from catalogue.app import Catalogue  # noqa: E402
from catalogue.settings import load_settings  # noqa: E402

WORDS = ["registry", "invoice", "validator", "taxation", "gateway", "archiving", "open data",
         "facturation", "connector api", "geospatial", "customs", "zzzznothing", ""]


def request_mix(index: search.SearchIndex) -> list[str]:
    """Paths: keywords alone, with one and two facet values, sorted, and a later page."""
    facets = search.search(index, search.SearchRequest()).facets
    licence = facets["licence"][0].value
    paths = []
    for w in WORDS:
        base = {"q": w} if w else {}
        paths.append("/search?" + urlencode(base))
        for k in range(3):  # three of each kind of state, so the cold pass has ~150 samples
            theme = facets["theme"][k % len(facets["theme"])].value
            country = facets["spatial"][k % len(facets["spatial"])].value
            paths.append("/search?" + urlencode({**base, "theme": theme}))
            paths.append("/search?" + urlencode({**base, "theme": theme, "licence": licence}))
            paths.append("/search?" + urlencode({**base, "spatial": country, "sort": "date"}))
            paths.append("/search?" + urlencode({**base, "sort": "title", "page": 3 + k}))
    return list(dict.fromkeys(paths))


def drive(app, paths: list[str], n: int, clients: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        client = app.test_client()
        mine = []
        for i in range(k, n, clients):
            t = time.perf_counter()
            r = client.get(paths[i % len(paths)], headers={"Accept": "text/html"})
            mine.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (paths[i % len(paths)], r.status_code)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    print(f"  {n} requests in {wall:.1f} s: {n / wall:.0f} req/s")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    data = _serve.prepare_data(args.solutions, max(1, args.solutions // 100), 7)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(data.store, store)
        settings = load_settings(store=str(store))
        catalogue = Catalogue(settings)
        t = time.perf_counter()
        n = catalogue.search.reindex()
        print(f"{args.solutions:,} solutions: index rebuild ({n:,} documents) "
              f"{time.perf_counter() - t:.1f} s")
        index = search.open_index(search.index_path(settings.store))
        from webapp import create_app

        app = create_app(settings, catalogue)
        paths = request_mix(index)
        # first sight of each state: counted, searched and rendered (nothing cached yet)
        report(f"/search page, each state once (cold), {args.clients} clients",
               drive(app, paths, len(paths), args.clients))
        # the mix again and again, as browsing by facets does: mostly the page cache
        report(f"/search page, the mix repeated, {args.clients} clients",
               drive(app, paths, args.requests, args.clients))
        index.counts_cache.clear()  # as cold as the first pass: counts computed again
        t = time.perf_counter()
        for p in paths:
            r = search.SearchRequest(**_args(p))
            search.search(index, r)
        print(f"  search() alone (no HTTP, no template), mean over the mix: "
              f"{(time.perf_counter() - t) * 1000 / len(paths):.2f} ms")
        catalogue.close()


def report(what: str, times: list[float]) -> None:
    times = sorted(times)
    q = statistics.quantiles(times, n=100)
    print(f"  {what}: p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, max {times[-1]:.1f} ms")


def _args(path: str) -> dict:
    from urllib.parse import parse_qs

    qs = parse_qs(path.split("?", 1)[1])
    filters = {k: tuple(v) for k, v in qs.items() if k in search.FACETS}
    return {"q": qs.get("q", [""])[0], "sort": qs.get("sort", ["relevance"])[0],
            "page": int(qs.get("page", ["1"])[0]), "filters": filters}


if __name__ == "__main__":
    main()
