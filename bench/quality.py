"""What the quality score (catalogue/quality/) adds to an ingest, as a ratio.

For each size: generate a catalogue (bench/generate.py, seeded), then in separate processes,
each on a fresh store, time ``Catalogue.publishing.ingest`` of it (parse, SHACL, the atomic
switch, then the search index: what a publisher waits for) without the score (its
recompute replaced by nothing) and with it (scoring the source's graph and writing its DQV
quality graph), and the score's own time. Prints seconds and the ratio with / without.
Usage::

    python bench/quality.py --sizes 2000 10000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(mode: str, path: str, workdir: str) -> dict:
    """Runs in a fresh process: one ingest of ``path``, with or without the score."""
    sys.path.insert(0, str(ROOT))
    from catalogue.app import Catalogue
    from catalogue.settings import load_settings

    settings = load_settings({}, store=f"{workdir}/store-{mode}", max_upload_bytes=10**10)
    c = Catalogue(settings)
    try:
        c.publishing.register_source("bench", "Bench")
        scored: dict = {}
        original = c.quality.recompute

        def timed(source: str, written=None) -> int:
            if mode == "without":
                return 0
            t = time.perf_counter()
            n = original(source, written)
            scored.update(seconds=time.perf_counter() - t, solutions=n)
            return n
        c.quality.recompute = timed  # type: ignore[method-assign]
        data = Path(path).read_bytes()
        t = time.perf_counter()
        report = c.publishing.ingest("bench", data, format="nt", mode="partial")
        seconds = time.perf_counter() - t
        assert report.stored
        return {"seconds": seconds, "score_seconds": scored.get("seconds", 0.0),
                "solutions": scored.get("solutions", 0)}
    finally:
        c.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-quality-") as work:
            path = f"{work}/catalogue-{size}.nt"
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--solutions", str(size),
                            "--collections", str(max(10, size // 100)), "--seed", "7", "--out", path,
                            "--format", "nt"], check=True, stderr=subprocess.DEVNULL)
            results = {}
            for mode in ("without", "with"):
                proc = subprocess.run([sys.executable, __file__, "--child", mode, path, work],
                                      capture_output=True, text=True)
                if proc.returncode != 0:
                    print(proc.stderr, file=sys.stderr)
                    raise SystemExit(f"ingest {mode} the score failed")
                results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
            without, with_ = results["without"]["seconds"], results["with"]["seconds"]
            print(f"{size:,} solutions: ingest without the score {without:.1f} s, with it {with_:.1f} s "
                  f"(the score itself {results['with']['score_seconds']:.2f} s for "
                  f"{results['with']['solutions']:,} solutions): ratio {with_ / without:.3f}")


if __name__ == "__main__":
    main()
