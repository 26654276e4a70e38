"""The browse pages (/solutions, /collections, /publishers, /eira) on a large catalogue,
under 4 concurrent clients, against the home page.

Uses the cached generated catalogue of bench/_serve.py (``generate.py --solutions N
--collections N/100 --seed 7``, ingested once), copies its store, loads the current
vocabularies into the copy (``catalogue init --no-demo``: EIRA v6 with its views), rebuilds
the search index, then:

* times what each page reads once per data version (the collections, the publishers with
  their places, the EIRA views with their counts): the first reader after an ingest pays it;
* drives a mix of page states (facets, sorts, pages, words, every value of a facet) through
  the Flask test client from 4 threads with the shared response cache off, so every request
  renders: each state once right after a new data version (cold), then the mix repeated
  (warm); the home page the same way, as the yardstick of the ratios.

Prints p50/p95 and each page's warm p50 as a multiple of the home page's.
Usage::

    python bench/browse.py [--solutions 10000] [--requests 400] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
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


def states(catalogue: Catalogue) -> dict[str, list[str]]:
    """Paths per page: the plain page, sorts, a later page, facets, words, a whole facet."""
    index = catalogue.search.index()
    facets = search.search(index, search.SearchRequest(filters={"type": ("solution",)})).facets
    country, theme, licence = (facets[n][0].value for n in ("spatial", "theme", "licence"))
    publishers = catalogue.browse.publishers({}, ("en",)).facets
    pub_country = publishers[0].values[0].value
    pub_type = publishers[1].values[0].value if publishers[1].values else pub_country
    return {
        "/solutions": ["/solutions", "/solutions?sort=newest", "/solutions?page=7",
                       "/solutions?" + urlencode({"spatial": country}),
                       "/solutions?" + urlencode({"theme": theme, "licence": licence, "sort": "newest"}),
                       "/solutions?q=registry", "/solutions?" + urlencode({"q": "invoice", "sort": "relevance"}),
                       "/solutions?all=publisher", "/solutions?" + urlencode({"all": "eira", "spatial": country})],
        "/collections": ["/collections", "/collections?sort=size", "/collections?page=2"],
        "/publishers": ["/publishers", "/publishers?sort=solutions", "/publishers?all=country",
                        "/publishers?" + urlencode({"country": pub_country}),
                        "/publishers?" + urlencode({"type": pub_type, "sort": "solutions"})],
        "/eira": ["/eira"],
        "/ (home)": ["/"],
    }


def drive(app, paths: list[str], n: int, clients: int) -> list[float]:
    """``n`` requests over ``paths`` from ``clients`` threads; the time of each in ms."""
    times: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        client = app.test_client()
        mine = []
        for i in range(k, n, clients):
            path = paths[i % len(paths)]
            t = time.perf_counter()
            r = client.get(path, headers={"Accept": "text/html"})
            mine.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code, r.data[:300])
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return times


def summary(times: list[float]) -> str:
    times = sorted(times)
    q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return f"p50 {statistics.median(times):7.1f} ms  p95 {q[18]:7.1f} ms  max {times[-1]:7.1f} ms"


def timed(what: str, compute) -> None:
    t = time.perf_counter()
    compute()
    print(f"  {what}: {(time.perf_counter() - t) * 1000:.0f} ms", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=400, help="warm requests per page (default 400)")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    data = _serve.prepare_data(args.solutions, max(1, args.solutions // 100), 7)
    with tempfile.TemporaryDirectory(prefix="browse-bench-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(data.store, store)
        env = {**os.environ, "CATALOGUE_STORE": str(store)}
        subprocess.run([_serve.exe("catalogue"), "init", "--no-demo"], env=env, check=True, capture_output=True)
        settings = load_settings(store=str(store), response_cache_mb=0)  # every request renders
        catalogue = Catalogue(settings)
        t = time.perf_counter()
        n = catalogue.search.reindex()
        print(f"{args.solutions:,} solutions: index rebuild ({n:,} documents) {time.perf_counter() - t:.1f} s")

        print("read once per data version (the first reader after an ingest pays it):")
        browse = catalogue.browse
        timed("index counts (solutions per publisher, collection, EIRA block)", browse._counts)
        timed("collections (browse_collections.rq, publishers' names)",
              lambda: catalogue.per_version("browse:collections", browse._read_collections))
        timed("publishers (browse_publishers.rq, places of their solutions, labels)",
              lambda: catalogue.per_version("browse:publishers", browse._read_publishers))
        timed("EIRA map (vocabulary, specifications, counts)", lambda: catalogue.cartography.map({}, ("en",)))

        from webapp import create_app

        app = create_app(settings, catalogue)
        pages = states(catalogue)
        every = [p for paths in pages.values() for p in paths]
        catalogue._derived.clear()  # a new data version: everything read again
        catalogue.search.index().counts_cache.clear()
        cold = drive(app, every, len(every), args.clients)
        print(f"each state once right after a new data version ({len(every)} states, {args.clients} clients): "
              f"{summary(cold)}")
        print(f"warm, {args.requests} requests per page over its states, {args.clients} clients "
              f"(shared response cache off: every request renders):")
        medians = {}
        for name, paths in pages.items():
            times = drive(app, paths, args.requests, args.clients)
            medians[name] = statistics.median(times)
            print(f"  {name:<13} {len(paths)} states  {summary(times)}", flush=True)
        home = medians["/ (home)"]
        print("ratio of warm p50 to the home page's: " + ", ".join(
            f"{name} {m / home:.2f}x" for name, m in medians.items() if name != "/ (home)"))
        catalogue.close()


if __name__ == "__main__":
    main()
