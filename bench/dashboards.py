"""The quality dashboards (/sources/{slug}/quality, /quality) on a large catalogue, under 4
concurrent clients signed in as a moderator, against the home page.

Uses the cached generated catalogue of bench/_serve.py (``generate.py --solutions N
--collections N/100 --seed 7``, ingested once as the source ``bench``), copies its store,
runs ``catalogue init --no-demo`` on the copy, recomputes the quality scores (``catalogue
quality``: each source's quality graph and a run in the quality history) and adds a few
earlier runs to the history so the trend has points; then:

* times what the dashboards read once per data version and quality history (the source's
  scores from its quality graph, the site's summary): the first reader after a change pays it;
* drives a mix of dashboard states (the page, a later page of worst records, the JSON; the
  site page and its JSON) through the Flask test client from 4 threads, each signed in as a
  moderator (the shared response cache never keeps a signed-in page): each state once
  right after a change (cold), then the mix repeated (warm); the home page the same way.

Prints p50/p95 and each page's warm p50 as a multiple of the home page's. Usage::

    python bench/dashboards.py [--solutions 10000] [--requests 200] [--clients 4]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _serve  # noqa: E402
from browse import summary, timed  # noqa: E402

from catalogue import updates  # noqa: E402
from catalogue.app import Catalogue  # noqa: E402
from catalogue.quality.history import Summary, run_triples  # noqa: E402
from catalogue.settings import load_settings  # noqa: E402

PASSWORD = "a long enough password"


def signed_in(app, user) -> object:
    """A test client whose session is ``user``'s (as signing in would leave it)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = user.username
        session["version"] = user.session_version
    return client


def drive(app, user, paths: list[str], n: int, clients: int) -> list[float]:
    """``n`` requests over ``paths`` from ``clients`` signed-in threads; each one's ms."""
    times: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        client = signed_in(app, user)
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


def earlier_runs(catalogue: Catalogue, slug: str, k: int = 12) -> None:
    """``k`` made-up earlier runs of ``slug`` (a month apart), so the trend has points."""
    state = catalogue.publishing.source(slug)
    assert state is not None and state.graph is not None
    now = datetime.now(UTC)
    current = catalogue.quality.dashboards.source(slug).trend[-1].summary
    for i in range(k, 0, -1):
        grow = (k - i + 1) / (k + 1)
        summary = Summary(int(current.solutions * grow), round(current.mean_total * (0.8 + 0.2 * grow), 2),
                          current.means, current.levels)
        _, triples = run_triples(catalogue.graphs, slug, f"v{i}", state.graph, summary, now - timedelta(days=30 * i))
        updates.run(catalogue.store, "graph_insert", graph=catalogue.graphs.quality_history, data=triples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200, help="warm requests per page (default 200)")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    data = _serve.prepare_data(args.solutions, max(1, args.solutions // 100), 7)
    with tempfile.TemporaryDirectory(prefix="dashboards-bench-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(data.store, store)
        env = {**os.environ, "CATALOGUE_STORE": str(store)}
        subprocess.run([_serve.exe("catalogue"), "init", "--no-demo"], env=env, check=True, capture_output=True)
        settings = load_settings(store=str(store), response_cache_mb=0)
        catalogue = Catalogue(settings)
        t = time.perf_counter()
        done = catalogue.quality.rebuild()
        print(f"{args.solutions:,} solutions: quality scores recomputed ({sum(done.values()):,} scored) "
              f"in {time.perf_counter() - t:.1f} s", flush=True)
        earlier_runs(catalogue, "bench")
        catalogue.accounts.add_user("bench-moderator", PASSWORD, roles=("moderator",))
        moderator = catalogue.accounts.user("bench-moderator")

        dashboards = catalogue.quality.dashboards
        print("read once per data version and quality history (the first reader pays it):")
        dashboards._cache = type(dashboards._cache)(256)
        timed("a source's scores (quality_totals.rq, quality_means.rq over its quality graph) and its page", lambda: dashboards.source("bench"))
        timed("the site's summary (every source's scores, links, history)", dashboards.site)

        from webapp import create_app

        app = create_app(settings, catalogue)
        signed_in(app, moderator)  # the session key is read from the store once, before the threads
        pages = {
            "/sources/bench/quality": ["/sources/bench/quality", "/sources/bench/quality?page=50",
                                       "/sources/bench/quality.json"],
            "/quality": ["/quality", "/quality.json"],
            "/ (home)": ["/"],
        }
        every = [p for paths in pages.values() for p in paths]
        dashboards._cache = type(dashboards._cache)(256)  # as after a change: everything read again
        catalogue._derived.clear()
        cold = drive(app, moderator, every, len(every), args.clients)
        print(f"each state once right after a change ({len(every)} states, {args.clients} clients): {summary(cold)}")
        print(f"warm, {args.requests} requests per page over its states, {args.clients} clients signed in "
              "as a moderator:")
        medians = {}
        for name, paths in pages.items():
            times = drive(app, moderator, paths, args.requests, args.clients)
            medians[name] = statistics.median(times)
            print(f"  {name:<24} {len(paths)} states  {summary(times)}", flush=True)
        home = medians["/ (home)"]
        print("ratio of warm p50 to the home page's: " + ", ".join(
            f"{name} {m / home:.2f}x" for name, m in medians.items() if name != "/ (home)"))
        catalogue.close()


if __name__ == "__main__":
    main()
