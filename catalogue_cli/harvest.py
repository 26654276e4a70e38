"""``catalogue harvest``: configure, clear, list and run the harvests of other repositories
(the work is catalogue/harvesting/'s)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalogue.app import Catalogue
from catalogue.background import Lease
from catalogue.graphs import check_slug
from catalogue.harvesting import (
    DEFAULT_EVERY,
    KINDS,
    MODES,
    HarvestConfigError,
    clear_harvest,
    configure_harvest,
    harvest_due,
    harvest_settings,
    harvest_source,
    harvest_state,
)
from catalogue.settings import Settings

USAGE = """catalogue harvest --due [--json]
       catalogue harvest SLUG [SLUG ...] [--json]
       catalogue harvest configure SLUG --url URL [--kind dump|sparql] [--every P1D]
                         [--mode strict|partial] [--query-file FILE]
       catalogue harvest clear SLUG
       catalogue harvest status [--json]"""
SUBCOMMANDS = ("configure", "clear", "status")


def register_cli(sub) -> None:
    """Add ``catalogue harvest`` to the CLI's subparsers.

    Exit codes: 0 every harvest stored (or nothing due), 1 one was rejected or failed,
    2 bad arguments or settings, 3 the store is unavailable.
    """
    p = sub.add_parser(
        "harvest", usage=USAGE, help="harvest sources from their URLs (cron: --due); configure them",
        description="Harvest registered sources from their dump or SPARQL endpoint, or set how "
                    "a source is harvested. configure, clear and status are commands, not slugs.")
    p.add_argument("targets", nargs="*", metavar="SLUG", help="sources to harvest now")
    p.add_argument("--due", action="store_true", help="harvest every source whose schedule is due")
    p.add_argument("--json", action="store_true", help="print JSON")
    c = p.add_argument_group("configure SLUG")
    c.add_argument("--url", help="the dump's URL, or the SPARQL endpoint's (http or https)")
    c.add_argument("--kind", choices=KINDS, help="dump (default) or sparql (a CONSTRUCT query)")
    c.add_argument("--every", help=f"ISO 8601 duration between harvests (default {DEFAULT_EVERY})")
    c.add_argument("--mode", choices=MODES, help="strict (default) or partial")
    c.add_argument("--query-file", help="the CONSTRUCT query for --kind sparql (- for stdin; "
                                        "default: every triple of the endpoint's default graph)")
    p.set_defaults(func=cmd_harvest, harvest_parser=p)


def cmd_harvest(args, settings: Settings) -> int:
    from catalogue.app import Catalogue

    p: argparse.ArgumentParser = args.harvest_parser
    word = args.targets[0] if args.targets else None
    configuring = [args.url, args.kind, args.every, args.mode, args.query_file]
    if word not in ("configure", None) and any(v is not None for v in configuring):
        p.error("--url, --kind, --every, --mode and --query-file go with `harvest configure SLUG`")
    if word in SUBCOMMANDS:
        if len(args.targets) != (1 if word == "status" else 2) or args.due:
            p.error(f"`harvest {word}` takes {'no' if word == 'status' else 'one'} SLUG, and no --due")
    elif args.due == bool(args.targets):
        p.error("give either --due or one or more SLUGs")
    catalogue = Catalogue(settings)
    try:
        if word == "configure":
            return _cli_configure(catalogue, args)
        if word == "clear":
            clear_harvest(catalogue.store, catalogue.graphs, args.targets[1])
            print(f"source {args.targets[1]!r} is no longer harvested (its data is kept)")
            return 0
        if word == "status":
            return _cli_status(catalogue, args.json)
        return _cli_harvest(catalogue, args)
    except HarvestConfigError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return 2
    finally:
        catalogue.close()


def _cli_configure(catalogue: Catalogue, args) -> int:
    if args.url is None:
        raise HarvestConfigError("harvest configure needs --url URL")
    query = None
    if args.query_file:
        try:
            query = sys.stdin.read() if args.query_file == "-" else \
                Path(args.query_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise HarvestConfigError(f"cannot read the query file: {exc}") from None
    hs = configure_harvest(catalogue.store, catalogue.graphs, args.targets[1], args.url,
                           args.kind or "dump", args.every or DEFAULT_EVERY, args.mode or "strict",
                           query)
    print(f"source {hs.slug!r} will be harvested from {hs.url} ({hs.kind}, every "
          f"{hs.every_text}, {hs.mode} mode)")
    return 0


def _cli_status(catalogue: Catalogue, as_json: bool) -> int:
    listed = harvest_settings(catalogue.store, catalogue.graphs)
    if as_json:
        print(json.dumps([s.as_json() for s in listed], indent=2, ensure_ascii=False))
        return 0
    for s in listed:
        last = f"{s.status} at {s.started:%Y-%m-%d %H:%M} UTC: {s.message}" if s.started else "never harvested"
        print(f"{s.slug}: {s.kind} {s.url} every {s.every_text} ({s.mode}); last: {last}")
    if not listed:
        print("no source has a harvest configured")
    return 0


def _cli_harvest(catalogue: Catalogue, args) -> int:
    if args.due:
        # the harvests' lease, as a server's scheduler takes it: a cron job and a server
        # sharing the store (or two cron jobs) never harvest the same source twice at once
        lease = Lease(catalogue, "harvests")
        with lease.hold() as held:
            if not held:
                print(f"the harvests are being run by {lease.holder() or 'another process'}: "
                      "nothing done", file=sys.stderr)
                return 0
            try:
                outcomes = harvest_due(catalogue)
            finally:
                lease.release()
    else:
        for slug in args.targets:  # all known before any runs: a typo harvests nothing
            if harvest_state(catalogue.store, catalogue.graphs, check_slug(slug)) is None:
                raise HarvestConfigError(f"source {slug!r} has no harvest configured")
        outcomes = [harvest_source(catalogue, slug) for slug in args.targets]
    if args.json:
        print(json.dumps([o.as_json() for o in outcomes], indent=2, ensure_ascii=False))
    else:
        for o in outcomes:
            print(f"{o.slug}: {o.status}. {o.message}")
        if not outcomes:
            print("no source is due for harvesting")
    return 0 if all(o.ok for o in outcomes) else 1
