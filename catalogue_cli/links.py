"""``catalogue links [--source SLUG]``: run the link checker once (the work is
catalogue/quality/'s ``Catalogue.links``), printing progress and a summary."""

from __future__ import annotations

import sys
import threading

from catalogue.app import Catalogue
from catalogue.quality import Checked, LinkCheckError
from catalogue.settings import Settings

PROGRESS_EVERY = 100  # links between two "checked N of M" lines


def register_cli(sub) -> None:
    """Add ``catalogue links`` to the CLI's subparsers.

    Exit codes: 0 the run ended and no link it checked is broken, 1 some are broken, 2 bad
    arguments or settings (an unknown source), 3 the store is unavailable.
    """
    p = sub.add_parser(
        "links", help="check the published links (access, download, landing pages, documentation)",
        description="Check every distribution's access and download URL and every dataset's landing "
                    "page and documentation in the published data, store the results in the public "
                    "links graph and rescore the solutions whose links broke or were fixed.")
    p.add_argument("--source", help="only the links of this source (default: every source)")
    p.set_defaults(func=cmd_links)


def cmd_links(args, settings: Settings) -> int:
    catalogue = Catalogue(settings)
    lock = threading.Lock()
    done = [0]

    def progress(found: Checked) -> None:  # called from the checker's threads
        with lock:
            done[0] += 1
            if found.outcome != "ok":
                status = f" HTTP {found.status}" if found.status is not None else ""
                print(f"  {found.outcome}{status}: {found.url}", flush=True)
            if done[0] % PROGRESS_EVERY == 0:
                print(f"checked {done[0]:,} links...", flush=True)

    try:
        print(f"checking the links of {'source ' + args.source if args.source else 'every source'}...",
              flush=True)
        run = catalogue.links.run(args.source, progress=progress)
    except LinkCheckError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return 2
    finally:
        catalogue.close()
    took = (run.ended - run.started).total_seconds() if run.ended and run.started else 0.0
    print(f"checked {run.checked:,} links in {took:.1f} s: {run.ok:,} ok, {run.failing:,} failing, "
          f"{run.broken:,} broken, {run.refused:,} refused (robots.txt or a private address)")
    print(f"quality rescored for: {', '.join(run.rescored) if run.rescored else 'no source (no change)'}")
    return 1 if run.broken else 0
