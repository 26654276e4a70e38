"""Dereferencing throughput over HTTP (wrk), beside our bare-route ceiling and native Oxigraph.

Measures, on one generated catalogue (cached in the temp dir, see bench/_serve.py):

* **embedded**: our app in one waitress process (the same ``create_app`` + waitress threads as
  ``catalogue serve``) with a bare ``/hello`` route added in this script: the ceiling of our
  own stack; then ``/resource?uri=...`` as Turtle and as HTML, cycling over every solution
  IRI (mostly cache misses) and on one hot IRI (the shared response cache's hits);
* **native**: ``oxigraph serve`` on the same graphs answering the equivalent CONSTRUCT
  (``sparql/resource_description.rq``, the one-query form of what the app's two queries
  give, with the IRI inlined and its GRAPH patterns filtered to the same public graphs) at
  ``/query``: the native ceiling;
* **remote**: ``catalogue serve`` × N processes (one port each; one wrk per port, run
  together, connections split) with ``CATALOGUE_SPARQL_QUERY_URL`` on that ``oxigraph serve``.

Prints req/s, p50, p99 and the ratios to the bare route and to native. Needs ``wrk``. Usage::

    python bench/deref.py [--duration 8] [--connections 8] [--processes 2]

``--cold`` measures only cold solution pages (issue 17, item 5): the HTML page of solutions
no cache has rendered yet, through ``/resource?uri=`` with a browser's Accept, on the embedded
store (one process) and on ``oxigraph serve`` with ``--processes`` ``catalogue serve``
processes, ``--rounds`` times each. Every run requests its own slice of the shuffled solution
IRIs, each IRI once (a run that outlasts its slice is flagged: its repeats may be cache
hits); a few pages first compute what is cached per data version (the duplicates, the
licences' rules, the EIRA model), as the first reader after an ingest does::

    python bench/deref.py --cold --solutions 10000 [--rounds 3] [--duration 5]
    python bench/deref.py --cold --solutions 100000 --collections 1000
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _serve  # noqa: E402
from _serve import Lab, Result  # noqa: E402

TURTLE = {"Accept": "text/turtle"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def resource_path(iri: str) -> str:
    return "/resource?uri=" + quote(iri, safe="")


def native_query(iri: str, graphs: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """sparql/resource_description.rq as the app sends it over the public graphs, with the
    resource inlined (the app binds it), and the dataset parameters that go with it."""
    import pyoxigraph as ox

    from catalogue import queries
    from catalogue.store import Dataset

    public = Dataset(default_graphs=[ox.NamedNode(g) for g in graphs],
                     named_graphs=[ox.NamedNode(g) for g in graphs])
    text, _, dataset = queries.get("resource_description").prepare({}, public)
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    params = [("default-graph-uri", g.value) for g in dataset.default_graphs or []]
    return body.replace("?resource", f"<{iri}>"), params


def native_path(iri: str, graphs: list[str]) -> str:
    text, params = native_query(iri, graphs)
    return "/query?" + urlencode([("query", text)] + params)


def simple_path(iri: str, graphs: list[str]) -> str:
    """For reference: the naive one-subject CONSTRUCT (what FACTS.md's native figure measured)."""
    query = f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
    return "/query?" + urlencode([("query", query)] + [("default-graph-uri", g) for g in graphs])


def main() -> None:
    _serve.bench_main(__doc__.splitlines()[0], run, options)


def options(ap) -> None:
    ap.add_argument("--cold", action="store_true",
                    help="only cold HTML solution pages (each IRI once), embedded and remote")
    ap.add_argument("--rounds", type=int, default=3, help="with --cold: runs per store (default 3)")


WARM_PAGES = 20  # pages requested before a --cold run: per-version work, not a page's


def run(args) -> None:
    data = _serve.prepare_data(args.solutions, args.collections, args.seed, refresh=args.refresh)
    if args.cold:
        run_cold(args, data)
        return
    hot = data.solutions[0]
    w = {"duration": args.duration, "connections": args.connections}
    results: dict[str, Result] = {}
    with Lab() as lab:
        many = lab.paths_file("resources", [resource_path(i) for i in data.solutions])
        native_many = lab.paths_file("native", [native_path(i, data.public_graphs) for i in data.solutions])

        print(f"\nembedded store, one process, waitress {args.threads} threads", flush=True)
        app = _serve.start_app(lab, lab.copy_store(data), args.threads)
        _serve.check(app.base + resource_path(hot), TURTLE, want=hot.encode())
        _serve.check(app.base + resource_path(hot), HTML, want=b"<html")
        results["bare"] = _serve.wrk("bare /hello route", app.base + "/hello", warmup=1, **w)
        results["e-ttl-many"] = _serve.wrk(f"Turtle, {len(data.solutions):,} IRIs", app.base, paths=many, headers=TURTLE, **w)
        results["e-ttl-hot"] = _serve.wrk("Turtle, one hot IRI", app.base + resource_path(hot), headers=TURTLE, **w)
        results["e-html-many"] = _serve.wrk(f"HTML, {len(data.solutions):,} IRIs", app.base, paths=many, headers=HTML, **w)
        results["e-html-hot"] = _serve.wrk("HTML, one hot IRI", app.base + resource_path(hot), headers=HTML, **w)
        lab.stop(app)

        print("\nnative: oxigraph serve, /query CONSTRUCT", flush=True)
        ox = _serve.start_oxigraph(lab, data)
        _serve.check(ox.base + native_path(hot, data.public_graphs), TURTLE, want=hot.encode())
        results["n-many"] = _serve.wrk(f"CONSTRUCT, {len(data.solutions):,} IRIs", ox.base, paths=native_many,
                                       headers=TURTLE, warmup=1, **w)
        results["n-hot"] = _serve.wrk("CONSTRUCT, one hot IRI", ox.base + native_path(hot, data.public_graphs),
                                      headers=TURTLE, **w)
        simple = lab.paths_file("simple", [simple_path(i, data.public_graphs) for i in data.solutions])
        results["n-simple"] = _serve.wrk(f"simple CONSTRUCT, {len(data.solutions):,} IRIs", ox.base,
                                         paths=simple, headers=TURTLE, **w)

        print(f"\nremote store: {args.processes} × catalogue serve ({args.threads} threads each) "
              "on that oxigraph serve", flush=True)
        servers = [_serve.start_catalogue_serve(lab, f"catalogue-serve-{k}", ox.base, args.threads,
                                                resource_path(hot)) for k in range(args.processes)]
        for s in servers:
            _serve.check(s.base + resource_path(hot), TURTLE, want=hot.encode())
            _serve.check(s.base + resource_path(hot), HTML, want=b"<html")
        bases = [s.base for s in servers]
        results["r-ttl-many"] = _serve.wrk_spread(f"Turtle, {len(data.solutions):,} IRIs", bases, paths=many, headers=TURTLE, **w)
        results["r-ttl-hot"] = _serve.wrk_spread("Turtle, one hot IRI", [b + resource_path(hot) for b in bases], headers=TURTLE, **w)
        results["r-html-many"] = _serve.wrk_spread(f"HTML, {len(data.solutions):,} IRIs", bases, paths=many, headers=HTML, **w)
        results["r-html-hot"] = _serve.wrk_spread("HTML, one hot IRI", [b + resource_path(hot) for b in bases], headers=HTML, **w)

    bare = results["bare"].rps
    nat = {"many": results["n-many"].rps, "hot": results["n-hot"].rps}

    def row(key: str, group: str, with_bare: bool) -> tuple:
        r = results[key]
        kind = "hot" if key.endswith("hot") else "many"
        return (group, r, r.rps / bare if with_bare else None,
                r.rps / nat[kind] if key[0] in "er" and key != "bare" else None)

    rows = [row("bare", "embedded", True)]
    rows += [row(k, "embedded", True) for k in ("e-ttl-many", "e-ttl-hot", "e-html-many", "e-html-hot")]
    rows += [row(k, "native", False) for k in ("n-many", "n-hot")]
    rows.append(("native", results["n-simple"], None, None))
    rows += [row(k, "remote", False) for k in ("r-ttl-many", "r-ttl-hot", "r-html-many", "r-html-hot")]
    for _, r, _, _ in rows[:5]:
        r.name = "embedded: " + r.name
    for _, r, _, _ in rows[5:8]:
        r.name = "native oxigraph serve: " + r.name
    for _, r, _, _ in rows[8:]:
        r.name = "remote: " + r.name
    print(_serve.table(
        f"Dereferencing, {len(data.solutions):,} solutions ({data.triples:,} triples), wrk "
        f"{args.connections} connections, {args.duration:g} s per run",
        rows,
        "Goals: embedded ≥ 0.80 × bare route; remote ≥ 0.50 × native; p99 < 50 ms. "
        "× native compares like with like (many IRIs with many, hot with hot; HTML with the "
        "native Turtle CONSTRUCT of resource_description.rq; the simple CONSTRUCT row is only a "
        "reference). Remote: one wrk per catalogue serve process, run together; "
        "req/s summed, p50 request-weighted, p99 the worst."))



def run_cold(args, data) -> None:
    """Cold HTML solution pages: embedded, then remote; each run on IRIs no run asked for."""
    iris = list(data.solutions)
    warm, iris = iris[:WARM_PAGES * (1 + args.processes)], iris[WARM_PAGES * (1 + args.processes):]
    runs = 2 * args.rounds
    share = len(iris) // runs
    slices = [iris[k * share:(k + 1) * share] for k in range(runs)]
    w = {"duration": args.duration, "connections": args.connections}
    results: list[tuple[str, int, Result]] = []

    def warm_up(base: str, pages: list[str]) -> None:
        t = time.perf_counter()
        first = None
        for iri in pages:
            _serve.check(base + resource_path(iri), HTML, want=b"<html")
            first = first or time.perf_counter() - t
        print(f"  warm-up {base}: first page {first * 1000:,.0f} ms, {len(pages)} pages "
              f"{(time.perf_counter() - t):.1f} s", flush=True)

    def flag(result: Result, asked: int) -> Result:
        if result.requests > asked:
            repeated = f"{result.requests - asked:,} of {result.requests:,} requests repeated an IRI"
            result.note = f"{result.note}; {repeated}" if result.note else repeated
            print(f"  warning: {repeated} (use a shorter --duration or more --solutions)", flush=True)
        return result

    with Lab() as lab:
        print(f"\ncold solution pages, embedded store, one process, waitress {args.threads} threads",
              flush=True)
        store = lab.copy_store(data)
        app = _serve.start_app(lab, store, args.threads)
        warm_up(app.base, warm[:WARM_PAGES])
        for k in range(args.rounds):
            paths = lab.paths_file(f"cold-e{k}", [resource_path(i) for i in slices[k]])
            r = _serve.wrk(f"embedded round {k + 1}", app.base, paths=paths, headers=HTML, **w)
            results.append(("embedded", k, flag(r, len(slices[k]))))
        lab.stop(app)

        ox = _serve.start_oxigraph(lab, data)
        index_beside = lab.tmp / "remote"  # its search index: remote-search
        lab.copy(data.store.with_name(data.store.name + "-search"), "remote-search")
        if _has_workers():  # catalogue serve --workers N: N web workers on one port
            print(f"\ncold solution pages, remote store: catalogue serve --workers {args.processes} "
                  f"({args.threads} threads each) on oxigraph serve", flush=True)
            port = _serve.free_port()
            servers = [lab.start("catalogue-serve", [
                _serve.exe("catalogue"), "serve", "--port", str(port), "--threads", str(args.threads),
                "--workers", str(args.processes)], port, resource_path(warm[0]),
                env=_serve.catalogue_env(index_beside, remote=ox.base))]
        else:  # before --workers: one process per port
            print(f"\ncold solution pages, remote store: {args.processes} × catalogue serve "
                  f"({args.threads} threads each) on oxigraph serve", flush=True)
            servers = [_serve.start_catalogue_serve(lab, f"catalogue-serve-{k}", ox.base, args.threads,
                                                    resource_path(warm[0]), index_beside)
                       for k in range(args.processes)]
        for k in range(args.processes):  # with --workers, each request may reach either worker
            warm_up(servers[k % len(servers)].base, warm[WARM_PAGES * (1 + k):WARM_PAGES * (2 + k)])
        for k in range(args.rounds):
            mine = slices[args.rounds + k]
            part = len(mine) // len(servers)
            files = [lab.paths_file(f"cold-r{k}-{j}", [resource_path(i) for i in mine[j * part:(j + 1) * part]])
                     for j in range(len(servers))]
            if len(servers) == 1:
                r = _serve.wrk(f"remote round {k + 1}", servers[0].base, paths=files[0], headers=HTML, **w)
                r.note = f"--workers {args.processes}"
            else:
                r = _cold_spread(f"remote round {k + 1}", [s.base for s in servers], files, **w)
            results.append(("remote", k, flag(r, len(mine) // len(servers) * len(servers))))

    def summary(where: str) -> str:
        mine = sorted((r for w_, _, r in results if w_ == where), key=lambda r: r.p99_ms)
        best, typical = mine[0], mine[len(mine) // 2]
        return (f"{where}: best p99 {best.p99_ms:.1f} ms (p50 {best.p50_ms:.1f}, {best.rps:,.0f} req/s); "
                f"median round p99 {typical.p99_ms:.1f} ms (p50 {typical.p50_ms:.1f}, {typical.rps:,.0f} req/s)")

    print(_serve.table(
        f"Cold HTML solution pages, {len(data.solutions):,} solutions ({data.triples:,} triples), "
        f"wrk {args.connections} connections, {args.duration:g} s per run, each IRI once",
        [(w_, r, None, None) for w_, _, r in results],
        summary("embedded") + "\n" + summary("remote") + "\nGoal (issue 17, item 5): p99 < 50 ms at "
        "10k solutions, < 100 ms at 100k, on both. Remote: one wrk per process, run together; "
        "req/s summed, p50 request-weighted, p99 the worst."))


def _has_workers() -> bool:
    """Whether ``catalogue serve`` takes ``--workers`` (issue 17, item 3)."""
    out = subprocess.run([_serve.exe("catalogue"), "serve", "--help"], capture_output=True, text=True)
    return "--workers" in out.stdout


def _cold_spread(name: str, bases: list[str], files: list[Path], *, duration: float,
                 connections: int) -> Result:
    """``_serve.wrk_spread`` with each server its own list of paths (no IRI asked twice)."""
    share = max(1, connections // len(bases))
    procs = [subprocess.Popen(_serve.wrk_cmd(b, duration=duration, connections=share, threads=1,
                                             headers=HTML, paths=f),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for b, f in zip(bases, files, strict=True)]
    try:
        outs = [p.communicate()[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    parts = [_serve.parse_wrk(name, o) for o in outs]
    n = sum(r.requests for r in parts) or 1
    result = Result(name, sum(r.rps for r in parts), sum(r.p50_ms * r.requests for r in parts) / n,
                    max(r.p99_ms for r in parts), n, sum(r.bad for r in parts),
                    note=f"{len(bases)} processes")
    print(f"  {name:<46} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
          f"p99 {result.p99_ms:7.2f} ms" + (f"  ({result.bad} errors)" if result.bad else ""),
          flush=True)
    return result


if __name__ == "__main__":
    main()
