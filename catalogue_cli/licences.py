"""``catalogue licence check USE REDISTRIBUTE [--json]``: the Licensing Assistant's
compatibility check from the console, the same answer as ``/licences/compatibility``.

Exit codes: 0 allowed (perhaps under the conditions the advice states), 1 not allowed (the
rule that applies says no, or none applies), 2 a licence nobody has (the message suggests
close ids).
"""

from __future__ import annotations

import argparse
import json
import sys

from catalogue.app import Catalogue
from catalogue.licences import LicenceError
from catalogue.settings import Settings

EXIT_INCOMPATIBLE = 1
EXIT_UNKNOWN = 2


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = Catalogue(settings)
    try:
        verdict = catalogue.licences.check(args.use, args.redistribute, (args.lang,))
    except LicenceError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    finally:
        catalogue.close()
    if args.json:
        print(json.dumps(verdict.as_json((args.lang,)), ensure_ascii=False, indent=2))
    else:
        print(f"{verdict.rule.name}: {verdict.advice}")
    return 0 if verdict.compatible else EXIT_INCOMPATIBLE


def register_cli(sub) -> None:
    p = sub.add_parser("licence", help="the Licensing Assistant: licence check USE REDISTRIBUTE")
    lsub = p.add_subparsers(dest="licence_command", required=True)
    s = lsub.add_parser("check", help="may a work under USE be redistributed under REDISTRIBUTE?")
    s.add_argument("use", help="licence of the work being reused: an SPDX id (e.g. GPL-3.0-only) or a licence IRI")
    s.add_argument("redistribute", help="licence of the combined or derived work (e.g. EUPL-1.2)")
    s.add_argument("--json", action="store_true", help="the answer as JSON, like /licences/compatibility")
    s.add_argument("--lang", default="en", choices=["en", "fr", "de"], help="language of the advice")
    s.set_defaults(func=cmd_check)
