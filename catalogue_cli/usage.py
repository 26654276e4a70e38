"""``catalogue usage IRI [--days N] [--json]``: a resource's stored usage counts day by day
(downloads, page views, data requests), today included, and their totals.

What a running server still holds in memory is written within CATALOGUE_USAGE_FLUSH_SECONDS;
an embedded store is locked while a server runs (exit 3, as for every command then).

Exit codes: 0 printed, 2 not an IRI or days not from 1 to 366, 3 the store is unavailable.
"""

from __future__ import annotations

import argparse
import json
import sys

from catalogue.app import Catalogue
from catalogue.settings import Settings
from catalogue.usage import UsageError


def cmd_usage(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = Catalogue(settings)
    try:
        days = catalogue.usage.per_day(args.iri, args.days)
    except UsageError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return 2
    finally:
        catalogue.close()
    if args.json:
        print(json.dumps({"resource": args.iri, "days": [
            {"day": d.day.isoformat(), "downloads": d.downloads, "views": d.views, "data": d.data}
            for d in days]}, indent=2))
        return 0
    print(f"{'day':<10}  {'downloads':>9}  {'views':>9}  {'data':>9}")
    for d in days:
        if d.downloads or d.views or d.data or args.all:
            print(f"{d.day.isoformat():<10}  {d.downloads:>9}  {d.views:>9}  {d.data:>9}")
    print(f"{'total':<10}  {sum(d.downloads for d in days):>9}  {sum(d.views for d in days):>9}  "
          f"{sum(d.data for d in days):>9}")
    return 0


def register_cli(sub) -> None:
    """Add ``catalogue usage`` to the CLI's subparsers."""
    s = sub.add_parser("usage", help="a resource's usage counts day by day (README, Usage statistics)")
    s.add_argument("iri", help="the resource's IRI (a distribution for downloads, any page for views)")
    s.add_argument("--days", type=int, default=30, help="how many days up to today (1-366, default 30)")
    s.add_argument("--all", action="store_true", help="list days without counts too")
    s.add_argument("--json", action="store_true", help="every day as JSON")
    s.set_defaults(func=cmd_usage)
