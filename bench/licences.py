"""The Licensing Assistant's pages on a large catalogue: /licences with every kind of filter,
/licences/compare, /licences/compatibility and /licences/matrix.

Uses the cached generated catalogue of bench/_serve.py (``generate.py --solutions N``,
ingested once), copies its store, loads the current vocabularies into the copy (``catalogue
init --no-demo``: the bundled licence classification), then times:

* the directory read (every licence, its legal types and its solutions counted per SPDX
  entry: two saved queries over the whole catalogue), done once per data version;
* each page state through the Flask test client with the shared response cache off (so every
  request renders), first with the directory cold (a new data version), then warm; and the
  home page the same way, as the yardstick the ratios use.

Usage::

    python bench/licences.py [--solutions 100000] [--rounds 5]
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

from catalogue.app import Catalogue  # noqa: E402
from catalogue.licences import CATEGORIES, term_key  # noqa: E402
from catalogue.settings import load_settings  # noqa: E402


def states() -> list[str]:
    """Every single legal type, pairs across categories, words, 'may go into', all at once."""
    terms = [term_key(t) for c in CATEGORIES for t in c.terms]
    paths = ["/licences", "/licences?q=gpl", "/licences?q=creative%20commons", "/licences?into=EUPL-1.2"]
    paths += ["/licences?" + urlencode({"t": t}) for t in terms]
    paths += ["/licences?" + urlencode({"t": ["Permissive", t]}, doseq=True) for t in terms[:12]]
    paths.append("/licences?" + urlencode({"t": ["Permissive", "ForSoftware", "OSIApproved"], "q": "a",
                                           "into": "EUPL-1.2"}, doseq=True))
    paths += ["/licences/compare?" + urlencode({"l": ls}, doseq=True) for ls in (
        ["EUPL-1.2", "MIT"], ["EUPL-1.2", "GPL-3.0-only", "Apache-2.0", "MPL-2.0", "CC-BY-4.0"])]
    paths += ["/licences/compatibility?" + urlencode({"use": u, "redistribute": r}) for u, r in (
        ("GPL-3.0-only", "EUPL-1.2"), ("MIT", "GPL-2.0-only"), ("CC-BY-SA-4.0", "MIT"))]
    paths.append("/licences/matrix")
    return paths


def timed(client, path: str) -> float:
    t = time.perf_counter()
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, (path, r.status_code, r.data[:300])
    return (time.perf_counter() - t) * 1000


def summary(times: list[float]) -> str:
    times = sorted(times)
    q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return f"p50 {statistics.median(times):.1f} ms, p95 {q[18]:.1f} ms, max {times[-1]:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    data = _serve.prepare_data(args.solutions, max(1, args.solutions // 100), 7)
    with tempfile.TemporaryDirectory(prefix="licences-bench-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(data.store, store)
        env = {**os.environ, "CATALOGUE_STORE": str(store)}
        subprocess.run([_serve.exe("catalogue"), "init", "--no-demo"], env=env, check=True, capture_output=True)
        # the shared response cache off: every request renders (the directory stays cached per version)
        settings = load_settings(store=str(store), response_cache_mb=0)
        catalogue = Catalogue(settings)
        from webapp import create_app

        app = create_app(settings, catalogue)
        client = app.test_client()
        paths = states()

        reads = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            licences = catalogue.licences._read(counted=True)
            reads.append((time.perf_counter() - t) * 1000)
        used = sum(1 for lic in licences if lic.solutions)
        print(f"{args.solutions:,} solutions, {len(licences)} licences ({used} in use): "
              f"directory read {summary(reads)}")

        cold, warm, home_cold, home_warm = [], [], [], []
        for _ in range(args.rounds):
            catalogue._derived.clear()  # a new data version: the directory is read again
            home_cold.append(timed(client, "/"))
            cold.append(timed(client, paths[0]))
            for p in paths:
                warm.append(timed(client, p))
            home_warm.append(timed(client, "/"))
        print(f"  /licences with the directory cold: {summary(cold)}; the home page cold: {summary(home_cold)}")
        print(f"  {len(paths)} states ({len(paths) - 7} listing filters, compare, compatibility, matrix), "
              f"warm: {summary(warm)}")
        ratio = statistics.median(warm) / statistics.median(home_warm)
        print(f"  ratio: a warm assistant page / a warm home page = {ratio:.2f}x; "
              f"cold /licences / cold home = {statistics.median(cold) / statistics.median(home_cold):.2f}x")
        catalogue.close()


if __name__ == "__main__":
    main()
