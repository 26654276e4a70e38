"""/standards (the catalogue of ICT standards and specifications) on a large catalogue,
under 4 concurrent clients, against the home page.

Uses the cached generated catalogue of bench/_serve.py (``generate.py --solutions N
--collections N/100 --seed 7``, ingested once), copies its store, runs ``catalogue init
--no-demo`` on the copy (vocabularies, and the bundled ELIS and CAMSS sources, validated like
any dump: their load time is printed), rebuilds the search index, then:

* times the standards' index, read once per data version (five saved queries over the
  sources' current graphs, and the EIRA blocks' names): the first reader after an ingest pays it;
* drives a mix of /standards states (facets, sorts, pages, words, a block's procurer view,
  every value of a facet, the CSV of a block) through the Flask test client from 4 threads
  with the shared response cache off, so every request renders: each state once right after
  a new data version (cold), then the mix repeated (warm); the home page the same way.

Prints p50/p95 and the warm p50 as a multiple of the home page's. Usage::

    python bench/standards.py [--solutions 10000] [--requests 400] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _serve  # noqa: E402
from browse import drive, summary  # noqa: E402

from catalogue.app import Catalogue  # noqa: E402
from catalogue.settings import load_settings  # noqa: E402

DXS = "http://data.europa.eu/dr8/DataExchangeApplicationService"


def states(catalogue: Catalogue) -> dict[str, list[str]]:
    """Paths: the plain list, sorts, a later page, facets, words, a block, a whole facet."""
    facets = {f.name: f for f in catalogue.standards.listing({}, ("en",)).facets}
    maintainer = facets["maintainer"].values[0].value
    view = facets["view"].values[0].value
    return {
        "/standards": ["/standards", "/standards?sort=name", "/standards?page=9",
                       "/standards?" + urlencode({"kind": "standard", "assessed": "yes"}),
                       "/standards?" + urlencode({"maintainer": maintainer}),
                       "/standards?" + urlencode({"view": view, "score": "75-89"}),
                       "/standards?q=xml", "/standards?" + urlencode({"q": "data exchange", "sort": "name"}),
                       "/standards?" + urlencode({"block": DXS}), "/standards?all=block"],
        "/standards.csv": ["/standards.csv?" + urlencode({"block": DXS}), "/standards.csv?kind=standard"],
        "/ (home)": ["/"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=400, help="warm requests per page (default 400)")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    data = _serve.prepare_data(args.solutions, max(1, args.solutions // 100), 7)
    with tempfile.TemporaryDirectory(prefix="standards-bench-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(data.store, store)
        env = {**os.environ, "CATALOGUE_STORE": str(store)}
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "catalogue_cli", "init", "--no-demo"], env=env, check=True,
                       capture_output=True, cwd=Path(__file__).resolve().parent.parent)
        print(f"{args.solutions:,} solutions: catalogue init --no-demo (vocabularies, ELIS, CAMSS) "
              f"{time.perf_counter() - t:.1f} s")
        settings = load_settings(store=str(store), response_cache_mb=0)  # every request renders
        catalogue = Catalogue(settings)
        catalogue.search.reindex()
        t = time.perf_counter()
        index = catalogue.standards.index()
        print(f"the standards' index, once per data version ({len(index.entries)} specifications): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")

        from webapp import create_app

        app = create_app(settings, catalogue)
        pages = states(catalogue)
        every = [p for paths in pages.values() for p in paths]
        catalogue._derived.clear()  # a new data version: everything read again
        cold = drive(app, every, len(every), args.clients)
        print(f"each state once right after a new data version ({len(every)} states, {args.clients} clients): "
              f"{summary(cold)}")
        print(f"warm, {args.requests} requests per page over its states, {args.clients} clients "
              f"(shared response cache off: every request renders):")
        medians = {}
        import statistics

        for name, paths in pages.items():
            times = drive(app, paths, args.requests, args.clients)
            medians[name] = statistics.median(times)
            print(f"  {name:<15} {len(paths)} states  {summary(times)}", flush=True)
        home = medians["/ (home)"]
        print("ratio of warm p50 to the home page's: " + ", ".join(
            f"{name} {m / home:.2f}x" for name, m in medians.items() if name != "/ (home)"))
        catalogue.close()


if __name__ == "__main__":
    main()
