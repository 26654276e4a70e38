"""Do the site's pages stay fast while /sparql is hammered? (issue 17, item 9)

On the cached generated catalogue of bench/_serve.py (``--solutions N``, N/100 collections,
seed 7), starts the site, then drives ``--clients`` (8) page clients for ``--duration``
seconds over a mix of pages: the home page, ``/solutions`` with a word and a facet, cold
solution pages (``/resource?uri=`` with a browser's Accept, each IRI once: the baseline and
the loaded run take different halves of the shuffled IRIs), a collection's page, ``/eira``,
``/standards``, ``/licences`` and ``/sparql``'s HTML page (the editor: no query). Twice:

* **baseline**: the pages alone;
* **loaded**: the same while two more clients keep two heavy queries running on the public
  ``/sparql`` (licence usage over every solution, through its releases, grouped by licence;
  a case-insensitive REGEX over every solution's title and description, sorted), each sent
  again as soon as its answer (or its time-out) comes back.

The site: ``catalogue serve`` on a copy of the embedded store (one process, ``--threads``),
or with ``--remote`` ``oxigraph serve`` holding the same graphs and ``catalogue serve
--workers W`` on it (``--workers``, default 2: W web processes and the background one).
Visitor queries run in killable worker processes (``CATALOGUE_SPARQL_WORKERS``, default 2;
``--sparql-workers`` sets it) over the public snapshot (embedded) or the remote endpoint; the
site's pages never wait for them, but they share the machine's cores (and, remote, the
SPARQL server). Prints per page kind: requests, 5xx other than 503, 503s, other failures,
p50/p95/p99 ms and req/s, baseline and loaded, the p95 ratio and a verdict; and the heavy
queries' count, time-outs, busy answers and median time. Clients are Python threads with a
``requests.Session`` each, in this process (no wrk: one wrk cannot tell the kinds apart).
Usage::

    python bench/load.py [--solutions 10000] [--duration 30] [--remote]
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _serve  # noqa: E402
from _serve import Lab  # noqa: E402

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/sparql-results+json"}
PREFIXES = "PREFIX dcat: <http://www.w3.org/ns/dcat#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
HEAVY = {
    # every solution's distributions, its own and its releases', counted by licence:
    # ~2 s in-process on the 10k public snapshot (the union default graph)
    "licence usage": PREFIXES + """SELECT ?licence (COUNT(DISTINCT ?solution) AS ?solutions)
       (COUNT(DISTINCT ?distribution) AS ?distributions)
WHERE {
  ?solution a dcat:Dataset .
  FILTER NOT EXISTS { ?solution dct:isVersionOf ?any }
  { ?solution dcat:distribution ?distribution }
  UNION
  { ?release dct:isVersionOf ?solution ; dcat:distribution ?distribution }
  ?distribution dct:license ?licence .
} GROUP BY ?licence ORDER BY DESC(?solutions)""",
    # a regular expression over every title and description, sorted: ~2 s likewise
    "regex over titles": PREFIXES + """SELECT ?solution ?title WHERE {
  ?solution a dcat:Dataset ; dct:title ?title .
  OPTIONAL { ?solution dct:description ?description }
  FILTER(REGEX(CONCAT(STR(?title), " ", COALESCE(STR(?description), "")),
               "(inter|regist|sem).*(servic|data|model)s?\\\\b", "i"))
} ORDER BY LCASE(STR(?title)) LIMIT 100""",
}
KINDS = ["home", "search", "solution", "collection", "eira", "standards", "licences", "sparql page"]
MIX = ["home", "search", "solution", "search", "solution", "collection", "eira", "solution",
       "standards", "licences", "sparql page", "collection"]  # one cycle; the clients share it
WORDS = ["registry", "invoice", "data", "service", "model", "health", "transport", "open"]


def resource_path(iri: str) -> str:
    return "/resource?uri=" + quote(iri, safe="")


# what the clients ask for


class Paths:
    """The next path of each kind, shared by the page clients (thread-safe)."""

    def __init__(self, fixed: dict[str, list[str]], solutions: list[str]) -> None:
        self._lock = threading.Lock()
        self._mix = itertools.cycle(MIX)
        self._fixed = {k: itertools.cycle(v) for k, v in fixed.items()}
        self._solutions: Iterator[str] = iter(solutions)
        self.solutions_left = len(solutions)

    def next(self) -> tuple[str, str]:
        with self._lock:
            kind = next(self._mix)
            if kind == "solution":
                iri = next(self._solutions, None)
                if iri is not None:
                    self.solutions_left -= 1
                    return kind, resource_path(iri)
                kind = "search"  # the IRIs ran out: no cache hit passes for a cold page
            return kind, next(self._fixed[kind])


def discover(base: str, session: requests.Session) -> dict[str, list[str]]:
    """Paths of the fixed kinds, read from the site's own pages: facet links of /solutions
    (combined with words) and the collections listed on /collections."""
    def links(path: str, pattern: str) -> list[str]:
        r = session.get(base + path, headers=BROWSER, timeout=60)
        r.raise_for_status()
        return sorted({html.unescape(m) for m in re.findall(pattern, r.text)})

    facets = [p for p in links("/solutions", r'href="(/solutions\?[^"]*(?:spatial|theme|licence)=[^"]*)"')
              if "&" not in p and "q=" not in p][:12]
    if not facets:
        raise SystemExit("error: no facet link on /solutions (is the search index empty?)")
    search = [f"{f}&{urlencode({'q': w})}" for f, w in zip(itertools.cycle(facets), WORDS * 3, strict=False)]
    collections = links("/collections", r'href="(/collection/[^"?#]+)"')[:20]
    if not collections:  # the collections' IRIs may not be on this host: dereference them
        collections = [resource_path(i) for i in
                       links("/collections", r'href="/resource\?uri=([^"]*collection[^"]*)"')][:20]
    if not collections:
        raise SystemExit("error: no collection link found on /collections")
    return {"home": ["/"], "search": search, "collection": collections, "eira": ["/eira"],
            "standards": ["/standards"], "licences": ["/licences"], "sparql page": ["/sparql"]}


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    server_errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    busy: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    other: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    samples: list[str] = field(default_factory=list)
    seconds: float = 0.0


def drive_pages(base: str, paths: Paths, clients: int, duration: float) -> Tally:
    """``clients`` threads requesting the mix for ``duration`` seconds; every answer timed
    (latency includes reading the whole body)."""
    tally = Tally()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client() -> None:
        session = requests.Session()
        mine: list[tuple[str, float, int, str]] = []
        start.wait()
        while time.monotonic() < stop_at[0]:
            kind, path = paths.next()
            t = time.perf_counter()
            try:
                r = session.get(base + path, headers=BROWSER, timeout=30)
                status, _ = r.status_code, r.content
            except requests.RequestException as exc:
                status, path = 0, f"{path} ({type(exc).__name__})"
            mine.append((kind, (time.perf_counter() - t) * 1000, status, path))
        with lock:
            for kind, ms, status, path in mine:
                tally.times[kind].append(ms)
                if status == 503:
                    tally.busy[kind] += 1
                elif status >= 500:
                    tally.server_errors[kind] += 1
                elif status != 200:
                    tally.other[kind] += 1
                if status != 200 and len(tally.samples) < 5:
                    tally.samples.append(f"{status} {path}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for th in threads:
        th.start()
    stop_at[0] = time.monotonic() + duration
    t0 = time.monotonic()
    start.wait()
    for th in threads:
        th.join()
    tally.seconds = time.monotonic() - t0
    return tally


class Heavy:
    """Two clients, one per heavy query, each sending its query again as soon as it is answered."""

    def __init__(self, base: str, timeout: float) -> None:
        self.base, self.timeout = base, timeout
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.results: dict[str, list[tuple[str, float]]] = {name: [] for name in HEAVY}
        self.threads = [threading.Thread(target=self._loop, args=(name,), daemon=True) for name in HEAVY]

    def _loop(self, name: str) -> None:
        session = requests.Session()
        url = self.base + "/sparql?" + urlencode({"query": HEAVY[name]})
        while not self.stopping.is_set():
            t = time.perf_counter()
            try:
                r = session.get(url, headers=JSON, timeout=self.timeout)
                body = r.text
                if r.status_code == 200 and '"bindings"' in body:
                    outcome = "ok"
                elif r.status_code == 503 and "longer than" in body:
                    outcome = "timed out"
                elif r.status_code == 503:
                    outcome = "busy"
                else:
                    outcome = f"HTTP {r.status_code}"
            except requests.Timeout:
                outcome = "client time-out"
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            with self.lock:
                self.results[name].append((outcome, time.perf_counter() - t))
            if outcome == "busy":
                time.sleep(0.1)  # a 503 busy comes back after 2 s of waiting: not a hot loop

    def start(self) -> None:
        for th in self.threads:
            th.start()

    def stop(self) -> None:
        self.stopping.set()
        for th in self.threads:  # each ends after its current query (daemon: never hangs the exit)
            th.join(self.timeout + 5)

    def report(self) -> list[str]:
        lines = ["| heavy query | sent | answered | timed out (503) | busy (503) | other | median s | max s |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, got in self.results.items():
            outcomes = [o for o, _ in got]
            ok = [s for o, s in got if o == "ok"]
            others = sorted({o for o in outcomes if o not in ("ok", "timed out", "busy")})
            lines.append(f"| {name} | {len(got)} | {len(ok)} | {outcomes.count('timed out')} | "
                         f"{outcomes.count('busy')} | {len(got) - len(ok) - outcomes.count('timed out') - outcomes.count('busy')}"
                         f"{' (' + ', '.join(others) + ')' if others else ''} | "
                         f"{statistics.median(s for _, s in got) if got else 0:.2f} | "
                         f"{max((s for _, s in got), default=0):.2f} |")
        return lines


# figures


def pct(times: list[float], p: int) -> float:
    if not times:
        return float("nan")
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def kind_table(base: Tally, loaded: Tally) -> list[str]:
    lines = ["| page | run | requests | 5xx | 503 | other | p50 ms | p95 ms | p99 ms | req/s | p95 × baseline |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        for label, t in (("baseline", base), ("loaded", loaded)):
            times = t.times[kind]
            ratio = ""
            if label == "loaded" and base.times[kind] and times:
                ratio = f"{pct(times, 95) / pct(base.times[kind], 95):.2f}"
            lines.append(f"| {kind if label == 'baseline' else ''} | {label} | {len(times)} | "
                         f"{t.server_errors[kind]} | {t.busy[kind]} | {t.other[kind]} | "
                         f"{pct(times, 50):.1f} | {pct(times, 95):.1f} | {pct(times, 99):.1f} | "
                         f"{len(times) / t.seconds:.1f} | {ratio} |")
    every_b = [x for k in KINDS for x in base.times[k]]
    every_l = [x for k in KINDS for x in loaded.times[k]]
    for label, t, every in (("baseline", base, every_b), ("loaded", loaded, every_l)):
        ratio = f"{pct(every_l, 95) / pct(every_b, 95):.2f}" if label == "loaded" else ""
        lines.append(f"| all pages | {label} | {len(every)} | {sum(t.server_errors.values())} | "
                     f"{sum(t.busy.values())} | {sum(t.other.values())} | {pct(every, 50):.1f} | "
                     f"{pct(every, 95):.1f} | {pct(every, 99):.1f} | {len(every) / t.seconds:.1f} | "
                     f"{ratio} |")
    return lines


def verdicts(base: Tally, loaded: Tally, fast_ms: float) -> list[str]:
    """A line per kind: errors first, then the p95 ratio (a p95 under ``fast_ms`` is fast
    whatever its ratio: doubling 4 ms is no harm to a reader)."""
    out = []
    for kind in KINDS:
        b, lo = base.times[kind], loaded.times[kind]
        if not b or not lo:
            out.append(f"  {kind:<12} not measured")
            continue
        failures = loaded.server_errors[kind] + loaded.busy[kind] + loaded.other[kind]
        ratio, p95 = pct(lo, 95) / pct(b, 95), pct(lo, 95)
        if failures:
            word = f"FAILS under load: {failures} of {len(lo)} answers not 200"
        elif p95 <= fast_ms:
            word = f"fast (p95 {p95:.0f} ms ≤ {fast_ms:g} ms; {ratio:.2f}× baseline)"
        elif ratio <= 1.5:
            word = f"holds (p95 {ratio:.2f}× baseline: {p95:.0f} ms)"
        elif ratio <= 3:
            word = f"slower (p95 {ratio:.2f}× baseline: {p95:.0f} ms)"
        else:
            word = f"HURT (p95 {ratio:.2f}× baseline: {p95:.0f} ms)"
        out.append(f"  {kind:<12} {word}")
    return out


# the site


def site_env(store: Path, remote: str | None, args) -> dict[str, str]:
    env = _serve.catalogue_env(store)
    if remote is not None:
        env["CATALOGUE_SPARQL_QUERY_URL"] = f"{remote}/query"
        env["CATALOGUE_SPARQL_UPDATE_URL"] = f"{remote}/update"
    if args.sparql_workers:
        env["CATALOGUE_SPARQL_WORKERS"] = str(args.sparql_workers)
    if args.sparql_timeout:
        env["CATALOGUE_SPARQL_TIMEOUT"] = str(args.sparql_timeout)
    return env


def start_site(lab: Lab, data: _serve.Data, args) -> tuple[_serve.Server, str]:
    """``catalogue serve`` on a copy of the embedded store, or --workers on oxigraph serve."""
    # embedded: the store; remote: the path beside which its search index lies ({store}-search)
    store = lab.tmp / "store"
    if not args.remote:
        lab.copy(data.store, "store")
    index = data.store.with_name(data.store.name + "-search")
    if index.is_dir():
        lab.copy(index, "store-search")
    remote = None
    if args.remote:
        remote = _serve.start_oxigraph(lab, data).base
    env = site_env(store, remote, args)
    # the cached index may be of an older layout: rebuilt here, before serving (on a remote
    # store the web worker whose thread rebuilt it by catching up went on reading the old one);
    # --init also loads this checkout's vocabularies (EIRA views, standards...)
    steps = [["init", "--no-demo"]] if args.init else [["index"]]
    for step in steps:
        t = time.perf_counter()
        r = subprocess.run([_serve.exe("catalogue"), *step], env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"error: catalogue {' '.join(step)} failed:\n{r.stderr[-3000:]}")
        print(f"  catalogue {' '.join(step)}: {time.perf_counter() - t:.1f} s", flush=True)
    port = _serve.free_port()
    cmd = [_serve.exe("catalogue"), "serve", "--port", str(port), "--threads", str(args.threads)]
    if args.remote:
        cmd += ["--workers", str(args.workers)]
        what = (f"remote: oxigraph serve + catalogue serve --workers {args.workers} "
                f"(--threads {args.threads} each)")
    else:
        what = f"embedded store: catalogue serve, one process, --threads {args.threads}"
    server = lab.start("catalogue-serve", cmd, port, "/", env=env, timeout=180)
    return server, what


def warm_up(base: str, fixed: dict[str, list[str]], solutions: list[str]) -> None:
    """Each fixed path once and a few solution pages: what is computed once per data version
    (counts, the EIRA model, standards, licences, duplicates) is not a page's cost."""
    session = requests.Session()
    t = time.perf_counter()
    for path in [p for v in fixed.values() for p in v] + [resource_path(i) for i in solutions]:
        t1 = time.perf_counter()
        r = session.get(base + path, headers=BROWSER, timeout=300)
        if r.status_code != 200:
            raise SystemExit(f"error: {path} answered {r.status_code}:\n{r.text[:1500]}")
        if time.perf_counter() - t1 > 2:  # once per data version, or a machine busy elsewhere
            print(f"    {path}: {time.perf_counter() - t1:.1f} s", flush=True)
    print(f"  warm-up: every page state once and {len(solutions)} solution pages, "
          f"{time.perf_counter() - t:.1f} s", flush=True)


def wait_index(index: Path, limit: float = 900) -> None:
    """Remote: the workers catch their search index up with the store in a thread (a whole
    rebuild when it does not say what it was written from, as the cached one does not):
    wait until that is done, so neither run measures it."""
    import fcntl

    t = time.perf_counter()
    while time.perf_counter() - t < limit:
        built = index / "built.json"
        if built.exists() and "sources" in json.loads(built.read_text() or "{}"):
            with open(index / ".catch-up.lock", "a") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass
                else:
                    fcntl.flock(f, fcntl.LOCK_UN)
                    print(f"  search index caught up with the remote store in "
                          f"{time.perf_counter() - t:.1f} s", flush=True)
                    return
        time.sleep(1)
    raise SystemExit(f"error: the search index at {index} did not catch up in {limit:g} s")


def wait_heavy_ready(server: _serve.Server, args) -> None:
    """Each heavy query once; on the embedded store, then wait for the public snapshot (made
    in the background after the first query) so both runs query the store visitors get."""
    session = requests.Session()
    for name, q in HEAVY.items():
        t = time.perf_counter()
        r = session.get(server.base + "/sparql?" + urlencode({"query": q}), headers=JSON, timeout=120)
        print(f"  {name}: {r.status_code} in {time.perf_counter() - t:.2f} s (first run)", flush=True)
        if r.status_code not in (200, 503):
            raise SystemExit(f"error: {name} answered {r.status_code}:\n{r.text[:1500]}")
    if not args.remote:
        _serve.wait_for_log(server, "public snapshot of data version", timeout=300)


def run(args) -> None:
    collections = args.collections or max(1, args.solutions // 100)
    data = _serve.prepare_data(args.solutions, collections, args.seed, refresh=args.refresh)
    iris = list(data.solutions)
    warm, rest = iris[:20], iris[20:]
    half = len(rest) // 2
    with Lab() as lab:
        print(f"\n{len(iris):,} solutions ({data.triples:,} triples)", flush=True)
        server, what = start_site(lab, data, args)
        print(f"  {what} at {server.base}", flush=True)
        if args.remote:  # no catch-up of the index by the workers' threads during a run
            requests.get(server.base + "/solutions", headers=BROWSER, timeout=120)
            wait_index(lab.tmp / "store-search")
        fixed = discover(server.base, requests.Session())
        warm_up(server.base, fixed, warm)
        wait_heavy_ready(server, args)
        timeout = (args.sparql_timeout or 10) + 20  # the server's limit answers first

        print(f"\nbaseline: {args.clients} page clients, {args.duration:g} s", flush=True)
        base_paths = Paths(fixed, rest[:half])
        base = drive_pages(server.base, base_paths, args.clients, args.duration)
        print(f"  {sum(len(v) for v in base.times.values())} requests", flush=True)

        print(f"\nloaded: the same while 2 clients keep {' and '.join(HEAVY)} running on /sparql",
              flush=True)
        heavy = Heavy(server.base, timeout)
        heavy.start()
        time.sleep(1.0)  # both heavy queries under way before the first page
        load_paths = Paths(fixed, rest[half:])
        loaded = drive_pages(server.base, load_paths, args.clients, args.duration)
        print(f"  {sum(len(v) for v in loaded.times.values())} requests; waiting for the heavy "
              "queries under way", flush=True)
        heavy.stop()
        for name, t in (("baseline", base), ("loaded", loaded)):
            if t.samples:
                print(f"  {name}: failures, e.g. " + "; ".join(t.samples), flush=True)
        for name, p in (("baseline", base_paths), ("loaded", load_paths)):
            if p.solutions_left == 0:
                print(f"  warning: the {name} run used every IRI of its half; later solution "
                      "requests were sent to /solutions instead", flush=True)

    where = (f"remote (oxigraph serve + catalogue serve --workers {args.workers})" if args.remote
             else "embedded store (catalogue serve, one process)")
    print(f"\nPages under load, {len(iris):,} solutions ({data.triples:,} triples), {where}, "
          f"--threads {args.threads}, {args.clients} page clients, {args.duration:g} s per run, "
          f"CATALOGUE_SPARQL_WORKERS={args.sparql_workers or 2}, "
          f"CATALOGUE_SPARQL_TIMEOUT={args.sparql_timeout or 10}\n")
    print("\n".join(kind_table(base, loaded)))
    print("\n5xx: server errors other than 503; 503: unavailable/busy; other: 4xx and failed "
          "connections. Latency: until the whole body is read, by Python clients in this process.\n")
    print("\n".join(heavy.report()))
    print(f"\nverdict per page (no failure, then loaded p95: ≤ {args.fast_ms:g} ms fast; ≤ 1.5× baseline "
          "holds; ≤ 3× slower; above, HURT):")
    print("\n".join(verdicts(base, loaded, args.fast_ms)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solutions", type=int, default=10_000)
    ap.add_argument("--collections", type=int, default=0, help="default: solutions / 100")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--refresh", action="store_true", help="rebuild the cached data")
    ap.add_argument("--duration", type=float, default=30, help="seconds per run (default 30)")
    ap.add_argument("--clients", type=int, default=8, help="page clients (default 8)")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads per web process (default 8)")
    ap.add_argument("--remote", action="store_true",
                    help="oxigraph serve holding the data, catalogue serve --workers on it")
    ap.add_argument("--workers", type=int, default=2, help="with --remote: web worker processes (default 2)")
    ap.add_argument("--sparql-workers", type=int, default=0,
                    help="CATALOGUE_SPARQL_WORKERS for the site (default: its own, 2)")
    ap.add_argument("--sparql-timeout", type=float, default=0,
                    help="CATALOGUE_SPARQL_TIMEOUT for the site (default: its own, 10 s)")
    ap.add_argument("--init", action="store_true",
                    help="load this checkout's vocabularies into the copy first (catalogue init --no-demo)")
    ap.add_argument("--fast-ms", type=float, default=50,
                    help="a loaded p95 at or under this is 'fast' whatever its ratio (default 50)")
    args = ap.parse_args()
    _serve.install_signal_handlers()
    try:
        run(args)
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped, temp dirs removed")


if __name__ == "__main__":
    main()
