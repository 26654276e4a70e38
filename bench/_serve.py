"""Shared plumbing of the HTTP benchmarks (bench/deref.py, bench/sparql.py).

* the data: a generated catalogue ingested into a catalogue store, exported (all graphs) and
  bulk-loaded into a native Oxigraph store, cached under the temp dir keyed by size + seed;
* servers: our app in one waitress process with an extra bare ``/hello`` route (run this
  module as ``python bench/_serve.py app --port P``), ``catalogue serve`` and
  ``oxigraph serve``, each in its own process group, stopped on exit and on Ctrl-C;
* load: ``wrk`` (required; no Python fallback), its output parsed for req/s and percentiles;
* the table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
PATHS_LUA = HERE / "paths.lua"
SOLUTION = re.compile(r"^<([^>]+/solution/\d+)> <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> "
                      r"<http://www\.w3\.org/ns/dcat#Dataset> \.$")


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("error: these benchmarks use the load generator `wrk`, which is not installed.\n"
                 "Install it with:  sudo apt-get update && sudo apt-get install -y wrk\n"
                 "(Debian/Ubuntu package `wrk`; on macOS: brew install wrk), then run again.")
    return wrk


def exe(name: str) -> str:
    """A console script of the venv (catalogue, oxigraph), else from PATH."""
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"error: `{name}` not found (install the project: make init)")
    return found


def _terminate(signum, frame):  # SIGTERM/SIGHUP behave like Ctrl-C: clean up and leave
    raise KeyboardInterrupt


def install_signal_handlers() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)


# the data


@dataclass
class Data:
    cache: Path
    nt: Path
    store: Path           # the catalogue's embedded store (copy it before serving)
    oxstore: Path         # the same graphs bulk-loaded by the oxigraph CLI (copy it too)
    solutions: list[str]  # solution IRIs, shuffled (seeded)
    public_graphs: list[str]
    triples: int


def _run(cmd: list[str], env: dict[str, str], what: str, **kw) -> None:
    t = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(f"error: {what} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    print(f"  {what}: {time.perf_counter() - t:.1f} s", flush=True)


# the cached catalogue's build: bump when what `catalogue ingest` stores changes what is
# measured (2: quality scores, which cold pages read, were missing from older caches)
CACHE_FORMAT = 2


def prepare_data(solutions: int, collections: int, seed: int, *, refresh: bool = False) -> Data:
    """Generate, ingest, export and bulk-load once; later runs reuse the cache directory."""
    cache = Path(tempfile.gettempdir()) / f"catalogue-bench-{solutions}s-{collections}c-seed{seed}"
    meta = cache / "meta.json"
    if not refresh and meta.exists() and json.loads(meta.read_text()).get("format") != CACHE_FORMAT:
        print(f"the data in {cache} was built by an older bench: building it again", flush=True)
        refresh = True
    if refresh or not meta.exists():
        shutil.rmtree(cache, ignore_errors=True)
        build = cache.with_name(cache.name + f".build-{os.getpid()}")
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        try:
            print(f"preparing {solutions} solutions (seed {seed}) in {cache} (reused next time)",
                  flush=True)
            _build(build, solutions, collections, seed)
            build.rename(cache)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
    info = json.loads(meta.read_text())
    return Data(cache, cache / "data.nt", cache / "store", cache / "oxstore",
                info["solutions"], info["public_graphs"], info["triples"])


def _build(d: Path, solutions: int, collections: int, seed: int) -> None:
    # a 100k-solution dump is ~1 GB of N-Triples: above the upload limit meant for publishers
    env = dict(os.environ, CATALOGUE_STORE=str(d / "store"), CATALOGUE_MAX_UPLOAD_BYTES=str(10**10))
    env.pop("CATALOGUE_SPARQL_QUERY_URL", None)
    env.pop("CATALOGUE_SPARQL_UPDATE_URL", None)
    nt = d / "data.nt"
    _run([sys.executable, str(HERE / "generate.py"), "--solutions", str(solutions),
          "--collections", str(collections), "--seed", str(seed), "--format", "nt",
          "--out", str(nt)], env, "generate")
    _run([exe("catalogue"), "init", "--no-demo"], env, "catalogue init --no-demo")
    _run([exe("catalogue"), "ingest", str(nt), "--source", "bench"], env,
         "catalogue ingest --source bench")
    with open(d / "all.nq", "wb") as out:
        t = time.perf_counter()
        r = subprocess.run([exe("catalogue"), "export", "--all", "--format", "nq"], env=env,
                           stdout=out, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise SystemExit(f"error: catalogue export failed:\n{r.stderr[-3000:]}")
        print(f"  catalogue export --all: {time.perf_counter() - t:.1f} s", flush=True)
    _run([exe("oxigraph"), "load", "--location", str(d / "oxstore"), "--file", str(d / "all.nq")],
         env, "oxigraph load")
    probe = ("import json, sys\nfrom catalogue.app import Catalogue\n"
             "from catalogue.settings import load_settings\n"
             "c = Catalogue(load_settings())\n"
             "print(json.dumps([g.value for g in c.public_graphs()]))\nc.close()\n")
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    public = json.loads(out)
    iris, triples = [], 0
    with open(nt, encoding="utf-8") as f:
        for line in f:
            triples += 1
            m = SOLUTION.match(line.rstrip("\n"))
            if m:
                iris.append(m.group(1))
    iris = sorted(set(iris))
    random.Random(seed).shuffle(iris)
    (d / "all.nq").unlink()
    (d / "meta.json").write_text(json.dumps({"format": CACHE_FORMAT, "solutions": iris,
                                             "public_graphs": public, "triples": triples}))


# processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Lab:
    """A temp dir and the processes started in it; everything goes on exit, Ctrl-C included."""

    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="catalogue-bench-")))
    servers: list[Server] = field(default_factory=list)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc) -> None:
        for s in reversed(self.servers):
            self.stop(s)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def copy(self, src: Path, name: str) -> Path:
        dst = self.tmp / name
        shutil.copytree(src, dst)
        return dst

    def start(self, name: str, cmd: list[str], port: int, ready: str, *,
              env: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              timeout: float = 90.0) -> Server:
        log = self.tmp / f"{name}.log"
        with open(log, "wb") as out:
            # own session: Ctrl-C reaches us, not it, and stop() ends the whole group
            # (waitress threads, the forkserver and the /sparql query workers)
            p = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        server = Server(name, p, log, port)
        self.servers.append(server)
        deadline = time.monotonic() + timeout
        while True:
            if p.poll() is not None:
                raise SystemExit(f"error: {name} exited ({p.returncode}):\n{log.read_text()[-3000:]}")
            try:
                req = urllib.request.Request(server.base + ready, headers=headers or {})
                with urllib.request.urlopen(req, timeout=10) as r:
                    if r.status == 200:
                        return server
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"error: {name} not ready after {timeout:.0f} s:\n"
                                 f"{log.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self, server: Server) -> None:
        p = server.process
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)  # its own group: started by us, by its id
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        else:  # the leader is gone; its workers may not be
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGKILL)
        if server in self.servers:
            self.servers.remove(server)

    def copy_store(self, data: Data, name: str = "store") -> Path:
        """A copy of the catalogue's store with its search index beside it (``{name}-search``,
        where the app looks): without it a solution page has no related solutions."""
        store = self.copy(data.store, name)
        index = data.store.with_name(data.store.name + "-search")
        if index.is_dir():
            self.copy(index, name + "-search")
        return store

    def paths_file(self, name: str, paths: list[str]) -> Path:
        f = self.tmp / f"{name}.paths"
        f.write_text("".join(p + "\n" for p in paths), encoding="utf-8")
        return f


def catalogue_env(store: Path | None = None, remote: str | None = None) -> dict[str, str]:
    """The environment of a catalogue process: ``store`` is the embedded store or, with
    ``remote``, the path beside which the search index is read (``{store}-search``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGUE_")}
    for k in ("CATALOGUE_SPARQL_WORKERS", "CATALOGUE_SPARQL_TIMEOUT"):
        if k in os.environ:
            env[k] = os.environ[k]
    if store is not None:
        env["CATALOGUE_STORE"] = str(store)
    if remote is not None:
        env["CATALOGUE_SPARQL_QUERY_URL"] = f"{remote}/query"
        env["CATALOGUE_SPARQL_UPDATE_URL"] = f"{remote}/update"
        env["CATALOGUE_STORE"] = str(store) if store is not None else "/nonexistent-remote-store-is-used"
    return env


def start_app(lab: Lab, store: Path, threads: int) -> Server:
    """Our app plus a bare /hello route, in one waitress process on the embedded store."""
    port = free_port()
    return lab.start("app", [sys.executable, str(Path(__file__)), "app", "--port", str(port),
                             "--threads", str(threads)], port, "/hello", env=catalogue_env(store))


def start_catalogue_serve(lab: Lab, name: str, remote: str, threads: int, ready: str,
                          index_beside: Path | None = None) -> Server:
    port = free_port()
    return lab.start(name, [exe("catalogue"), "serve", "--port", str(port), "--threads", str(threads)],
                     port, ready, env=catalogue_env(index_beside, remote=remote))


def start_oxigraph(lab: Lab, data: Data) -> Server:
    location = lab.copy(data.oxstore, "oxstore")
    port = free_port()
    return lab.start("oxigraph", [exe("oxigraph"), "serve", "--location", str(location),
                                  "--bind", f"127.0.0.1:{port}"], port, "/query?query=ASK%7B%7D",
                     headers={"Accept": "application/sparql-results+json"})


def wait_for_log(server: Server, text: str, timeout: float) -> None:
    """Wait until ``text`` appears in the server's log (e.g. a background task finished)."""
    deadline = time.monotonic() + timeout
    while text not in server.log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise SystemExit(f"error: {server.name} did not log {text!r} in {timeout:g} s")
        time.sleep(0.2)
    line = next(ln for ln in server.log.read_text(errors="replace").splitlines() if text in ln)
    print(f"  {line.strip()}", flush=True)


# wrk


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx responses + socket errors
    note: str = ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(name: str, out: str) -> Result:
    def grab(pattern: str, default: str | None = None) -> str:
        m = re.search(pattern, out, re.M)
        if m is None:
            if default is not None:
                return default
            raise SystemExit(f"error: cannot read wrk's output for {name}:\n{out}")
        return m.group(1)

    bad = int(grab(r"Non-2xx or 3xx responses: (\d+)", "0"))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        bad += sum(int(x) for x in sock.groups())
    return Result(name, float(grab(r"^Requests/sec:\s+([\d.]+)")),
                  _ms(grab(r"^\s+50%\s+(\S+)")), _ms(grab(r"^\s+99%\s+(\S+)")),
                  int(grab(r"^\s+(\d+) requests in")), bad)


def wrk_cmd(url: str, *, duration: float, connections: int, threads: int,
            headers: dict[str, str] | None = None, paths: Path | None = None) -> list[str]:
    cmd = [require_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s",
           "--latency", "--timeout", "10s"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    if paths is not None:
        cmd += ["-s", str(PATHS_LUA), url, "--", str(paths), str(threads)]
    else:
        cmd.append(url)
    return cmd


def wrk(name: str, url: str, *, duration: float, connections: int,
        headers: dict[str, str] | None = None, paths: Path | None = None,
        warmup: float = 0.0) -> Result:
    """One wrk run against one server (threads: 2, one per core, at most one per connection)."""
    threads = max(1, min(2, connections))
    if warmup:
        subprocess.run(wrk_cmd(url, duration=warmup, connections=connections, threads=threads,
                               headers=headers, paths=paths), capture_output=True, check=True)
    out = subprocess.run(wrk_cmd(url, duration=duration, connections=connections, threads=threads,
                                 headers=headers, paths=paths),
                         capture_output=True, text=True, check=True).stdout
    result = parse_wrk(name, out)
    print(f"  {name:<46} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
          f"p99 {result.p99_ms:7.2f} ms" + (f"  ({result.bad} errors)" if result.bad else ""),
          flush=True)
    return result


def wrk_spread(name: str, urls: list[str], *, duration: float, connections: int,
               headers: dict[str, str] | None = None,
               paths: Path | None = None) -> Result:
    """Several servers at once (one wrk each, connections split between them, run together).

    req/s and requests are summed; p50 is the request-weighted mean of the p50s and p99 the
    worst p99 (wrk cannot merge histograms across processes): an approximation on the safe side.
    """
    share = max(1, connections // len(urls))
    procs = [subprocess.Popen(wrk_cmd(u, duration=duration, connections=share, threads=1,
                                      headers=headers, paths=paths),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for u in urls]
    try:
        outs = [p.communicate()[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    parts = [parse_wrk(name, o) for o in outs]
    n = sum(r.requests for r in parts) or 1
    result = Result(name, sum(r.rps for r in parts),
                    sum(r.p50_ms * r.requests for r in parts) / n,
                    max(r.p99_ms for r in parts), n, sum(r.bad for r in parts),
                    note=f"{len(urls)} processes")
    print(f"  {name:<46} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
          f"p99 {result.p99_ms:7.2f} ms" + (f"  ({result.bad} errors)" if result.bad else ""),
          flush=True)
    return result


def settle(url: str, headers: dict[str, str] | None = None, *, fast_ms: float = 200.0,
           limit: float = 60.0) -> None:
    """Wait until a server answers ``url`` quickly again: work left queued by the last run's
    connections (e.g. slow queries whose clients are gone) must not slow the next run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        t = time.perf_counter()
        fetch(url, headers)
        if (time.perf_counter() - t) * 1000 < fast_ms:
            return
        time.sleep(0.5)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def check(url: str, headers: dict[str, str] | None = None, want: bytes | None = None) -> bytes:
    """Fail loudly before measuring anything that would only measure errors."""
    status, body = fetch(url, headers)
    if status != 200 or (want is not None and want not in body):
        raise SystemExit(f"error: {url} answered {status}:\n{body[:1500].decode('utf-8', 'replace')}")
    return body


# the table


def table(title: str, rows: list[tuple[str, Result, float | None, float | None]],
          goal_note: str = "") -> str:
    """rows: (group, result, ratio to the bare route or None, ratio to native or None)."""
    lines = [f"\n{title}", "",
             "| scenario | req/s | p50 ms | p99 ms | errors | × bare route | × native |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for _group, r, bare, native in rows:
        lines.append(f"| {r.name}{' (' + r.note + ')' if r.note else ''} | {r.rps:,.0f} | "
                     f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.bad} | "
                     f"{'' if bare is None else f'{bare:.2f}'} | "
                     f"{'' if native is None else f'{native:.2f}'} |")
    if goal_note:
        lines += ["", goal_note]
    return "\n".join(lines)


# the app server with a bare route (python bench/_serve.py app --port P [--threads N])


def serve_app(port: int, threads: int) -> None:
    """Exactly what ``catalogue serve`` does (webapp/server.py), plus a bare ``/hello``."""
    import logging

    sys.path.insert(0, str(ROOT))
    from waitress import serve as waitress_serve

    from catalogue.settings import load_settings
    from webapp import create_app

    app = create_app(load_settings())

    @app.route("/hello")
    def hello():
        return "hello"

    # the /<path:path> rule of linked_data is registered first; a static rule still wins
    catalogue = app.extensions["catalogue"]
    catalogue.store  # noqa: B018 - opened now, as webapp/server.py does
    logging.basicConfig(level=logging.INFO)
    print(f"Serving {catalogue.store.description} (+ /hello) on http://127.0.0.1:{port}/", flush=True)
    try:
        waitress_serve(app, host="127.0.0.1", port=port, threads=threads, ident="catalogue")
    finally:
        catalogue.close()


def bench_main(description: str, run, options=None) -> None:
    """The command line shared by deref.py and sparql.py: options (``options(parser)`` adds
    a script's own), wrk check, clean Ctrl-C."""
    ap = argparse.ArgumentParser(description=description)
    if options is not None:
        options(ap)
    ap.add_argument("--duration", type=float, default=8, help="seconds per wrk run (default 8)")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads per process (default 8, as catalogue serve)")
    ap.add_argument("--processes", type=int, default=2, help="catalogue serve processes on the remote store (default 2)")
    ap.add_argument("--solutions", type=int, default=10000)
    ap.add_argument("--collections", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--refresh", action="store_true", help="rebuild the cached data")
    args = ap.parse_args()
    require_wrk()
    install_signal_handlers()
    try:
        run(args)
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped, temp dirs removed")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="bench helper: our app + /hello under waitress")
    ap.add_argument("what", choices=["app"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--threads", type=int, default=8)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally: close the store
    serve_app(a.port, a.threads)
