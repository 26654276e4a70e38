"""The EIRA cartography (/eira, one view, filtered, a viewpoint, JSON) on a large catalogue,
under 4 concurrent clients, against the home page.

Uses the cached generated catalogue of bench/_serve.py (``generate.py --solutions N
--collections N/100 --seed 7``, ingested once), copies its store, runs ``catalogue init
--no-demo`` on the copy (the vocabularies, EIRA v6.0 and v6.1 with their views, and the ELIS
and CAMSS sources), rebuilds the search index, then:

* times what the map reads once per data version (the vocabulary, the specifications per
  block from the standards index, the values each filter may take) and once per filter
  state (the solutions per block, from the search index): the first reader pays it;
* drives a mix of map states through the Flask test client from 4 threads with the shared
  response cache off: each state once right after a new data version (cold), then the mix
  repeated (warm), first as anonymous readers get it (the view keeps rendered map pages per
  state, language and data version), then with that page cache off too, so every request
  renders its ~320 tiles; the home page the same way, as the yardstick.

Prints p50/p95 of each and the ratio of the warm p50 to the home page's. Usage::

    python bench/eira.py [--solutions 10000] [--requests 400] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _serve  # noqa: E402
from browse import drive, summary, timed  # noqa: E402

from catalogue.app import Catalogue  # noqa: E402
from catalogue.settings import load_settings  # noqa: E402


def states(catalogue: Catalogue) -> dict[str, list[str]]:
    """Paths per kind: the whole map, one view, filters, a viewpoint, JSON."""
    known = catalogue.cartography.known_values()

    def top(facet: str, k: int = 0) -> str:
        return sorted(known[facet].items(), key=lambda kv: -kv[1])[k][0]

    country, theme, publisher, collection = top("spatial"), top("theme"), top("publisher"), top("collection")
    return {
        "/eira": ["/eira", "/eira?" + urlencode({"spatial": country}),
                  "/eira?" + urlencode({"theme": theme, "viewpoint": "interoperability-security"}),
                  "/eira?" + urlencode({"spatial": top("spatial", 1), "collection": collection})],
        "/eira/{view}": ["/eira/semantic", "/eira/technical-application?" + urlencode({"publisher": publisher}),
                         "/eira/legal?viewpoint=key-interoperability-enablers"],
        "/eira.json": ["/eira.json", "/eira.json?" + urlencode({"spatial": country}),
                       "/eira/semantic.json?" + urlencode({"theme": top("theme", 1)})],
        "/ (home)": ["/"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=400, help="warm requests per kind (default 400)")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    data = _serve.prepare_data(args.solutions, max(1, args.solutions // 100), 7)
    with tempfile.TemporaryDirectory(prefix="eira-bench-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(data.store, store)
        env = {**os.environ, "CATALOGUE_STORE": str(store)}
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "catalogue_cli", "init", "--no-demo"], env=env, check=True,
                       capture_output=True, cwd=_serve.ROOT)
        print(f"catalogue init --no-demo (vocabularies, ELIS, CAMSS): {time.perf_counter() - t:.1f} s")
        settings = load_settings(store=str(store), response_cache_mb=0)  # every request renders
        catalogue = Catalogue(settings)
        t = time.perf_counter()
        n = catalogue.search.reindex()
        print(f"{args.solutions:,} solutions: index rebuild ({n:,} documents) {time.perf_counter() - t:.1f} s")

        print("read once per data version (the first reader after an ingest pays it):")
        carto = catalogue.cartography
        timed("EIRA vocabulary (cartography_blocks.rq)", carto.vocabulary)
        timed("specifications per block (the standards index)", carto.specification_counts)
        timed("values each filter may take (search index)", carto.known_values)
        timed("solutions per block, no filter (search index)", lambda: carto.map({}, ("en",)))
        timed("solutions per block, one country (search index)", lambda: carto.map(
            {"spatial": [next(iter(carto.known_values()["spatial"]))]}, ("en",)))

        from webapp import create_app

        app = create_app(settings, catalogue)
        pages = states(catalogue)
        every = [p for paths in pages.values() for p in paths]
        catalogue._derived.clear()  # a new data version: everything read again
        catalogue.search.index().counts_cache.clear()
        catalogue.cartography = type(carto)(catalogue)  # and its per-state caches
        cold = drive(app, every, len(every), args.clients)
        print(f"each state once right after a new data version ({len(every)} states, {args.clients} clients): "
              f"{summary(cold)}")
        from catalogue.cache import LRU
        from webapp import cartography as view

        for label in ("map pages kept per state (as anonymous readers get them)", "every map page rendered"):
            print(f"warm, {args.requests} requests per kind over its states, {args.clients} clients, "
                  f"shared response cache off, {label}:")
            medians = {}
            for name, paths in pages.items():
                times = drive(app, paths, args.requests, args.clients)
                medians[name] = statistics.median(times)
                print(f"  {name:<13} {len(paths)} states  {summary(times)}", flush=True)
            home = medians["/ (home)"]
            print("  ratio of warm p50 to the home page's: " + ", ".join(
                f"{name} {m / home:.2f}x" for name, m in medians.items() if name != "/ (home)"))
            view._pages = LRU(0)  # keeps nothing: the second round renders every request
        catalogue.close()


if __name__ == "__main__":
    main()
