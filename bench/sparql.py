"""Typical SELECTs on our ``/sparql`` over HTTP (wrk), beside the bare route and native Oxigraph.

Three queries a visitor typically sends (JSON results, GET):

* ``block``: the solutions typed with one EIRA building block, with a title each (~270 rows);
* ``licences``: how many distributions use each licence (an aggregate over every distribution);
* ``titles``: 20 solutions with their English titles (``FILTER(lang(?title) = "en")``).

Each runs on: **embedded** (our app in one waitress process, as ``catalogue serve``, where a
bare ``/hello`` route added in this script gives our stack's ceiling; queries go to the
``/sparql`` worker processes over the public snapshot: the bench waits until it is
copied, see catalogue/endpoint/workers.py); **native** (``oxigraph serve`` on the
same graphs, the same query at ``/query`` with the same public graphs as
``default-graph-uri``); **remote** (``catalogue serve`` × N processes on that oxigraph
server, one wrk per process, run together). Needs ``wrk``. Usage::

    python bench/sparql.py [--duration 8] [--connections 8] [--processes 2]
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _serve  # noqa: E402
from _serve import Lab, Result  # noqa: E402

from webapp.sparql import EXAMPLES  # noqa: E402

ASK = "/query?query=ASK%7B%7D"
JSON = {"Accept": "application/sparql-results+json"}
QUERIES = {
    "block": """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?solution (SAMPLE(?t) AS ?title) WHERE {
  ?solution a dcat:Dataset ;
            dct:type <http://data.europa.eu/dr8/DataExchangeApplicationService> ;
            dct:title ?t .
  FILTER NOT EXISTS { ?solution dct:isVersionOf ?parent }
} GROUP BY ?solution ORDER BY ?solution""",
    "licences": """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?licence (COUNT(DISTINCT ?distribution) AS ?distributions)
WHERE { ?distribution a dcat:Distribution ; dct:license ?licence . }
GROUP BY ?licence ORDER BY DESC(?distributions) ?licence""",
    "titles": EXAMPLES["Solutions with their English titles"],  # the editor's first example
}
LABELS = {"block": "solutions of one EIRA block", "licences": "licence usage counts",
          "titles": "20 English titles (lang FILTER)"}


def ours(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def native(query: str, graphs: list[str]) -> str:
    return "/query?" + urlencode([("query", query)] + [("default-graph-uri", g) for g in graphs])


def main() -> None:
    _serve.bench_main(__doc__.splitlines()[0], run)


def run(args) -> None:
    data = _serve.prepare_data(args.solutions, args.collections, args.seed, refresh=args.refresh)
    w = {"duration": args.duration, "connections": args.connections}
    results: dict[str, Result] = {}
    with Lab() as lab:
        print(f"\nembedded store, one process, waitress {args.threads} threads, /sparql", flush=True)
        app = _serve.start_app(lab, lab.copy(data.store, "store"), args.threads)
        for q in QUERIES.values():  # also starts the query workers and takes the snapshot
            _serve.check(app.base + ours(q), JSON, want=b'"bindings"')
        _serve.wait_for_log(app, "public snapshot of data version", timeout=300)
        results["bare"] = _serve.wrk("bare /hello route", app.base + "/hello", warmup=1, **w)
        for name, q in QUERIES.items():
            results[f"e-{name}"] = _serve.wrk(LABELS[name], app.base + ours(q), headers=JSON, warmup=1, **w)
            _serve.settle(app.base + ours("ASK {}"), JSON)
        lab.stop(app)

        print("\nnative: oxigraph serve, /query", flush=True)
        ox = _serve.start_oxigraph(lab, data)
        for name, q in QUERIES.items():
            _serve.check(ox.base + native(q, data.public_graphs), JSON, want=b'"bindings"')
            results[f"n-{name}"] = _serve.wrk(LABELS[name], ox.base + native(q, data.public_graphs),
                                              headers=JSON, warmup=1, **w)
            _serve.settle(ox.base + ASK, JSON)

        print(f"\nremote store: {args.processes} × catalogue serve ({args.threads} threads each) "
              "on that oxigraph serve, /sparql", flush=True)
        servers = [_serve.start_catalogue_serve(lab, f"catalogue-serve-{k}", ox.base, args.threads,
                                                ours(QUERIES["titles"]))
                   for k in range(args.processes)]
        for s in servers:
            for q in QUERIES.values():
                _serve.check(s.base + ours(q), JSON, want=b'"bindings"')
        for name, q in QUERIES.items():
            _serve.settle(ox.base + ASK, JSON)
            for s in servers:  # also warms each process up for this query
                _serve.settle(s.base + ours(q), JSON, fast_ms=5000)
            results[f"r-{name}"] = _serve.wrk_spread(LABELS[name], [s.base + ours(q) for s in servers],
                                                     headers=JSON, **w)

    bare = results["bare"].rps
    rows: list[tuple] = [("embedded", results["bare"], 1.0, None)]
    for where, label in (("e", "embedded: "), ("n", "native oxigraph serve: "), ("r", "remote: ")):
        for name in QUERIES:
            r = results[f"{where}-{name}"]
            r.name = label + r.name
            nat = results[f"n-{name}"].rps
            rows.append((where, r, r.rps / bare if where == "e" else None,
                         r.rps / nat if where != "n" and nat else None))
    results["bare"].name = "embedded: bare /hello route"
    print(_serve.table(
        f"/sparql SELECTs, {len(data.solutions):,} solutions ({data.triples:,} triples), wrk "
        f"{args.connections} connections, {args.duration:g} s per run",
        rows,
        "Goals: embedded ≥ 0.80 × bare route; remote ≥ 0.50 × native; p99 < 50 ms. "
        "Remote: one wrk per catalogue serve process, run together; req/s summed, p50 "
        "request-weighted, p99 the worst. errors = non-2xx answers (e.g. 503 busy) + socket errors."))


if __name__ == "__main__":
    main()
