"""The ``catalogue`` command: init, validate, ingest, stats, query, export, index, serve,
background (and the admin commands of admin.py: publisher, token, user, history, rollback; the
harvest commands of harvest.py).

Exit codes: 0 success (validate: conforms; ingest: stored), 1 violations (rejected),
2 unreadable or refused input, 3 the store is unavailable (e.g. in use by the server).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from catalogue.app import Catalogue
from catalogue.graphs import SlugError
from catalogue.ingest import (
    InputError,
    Report,
    fetch,
    limits_of,
    public_url,
    read_file,
    validate_dump,
)
from catalogue.queries import QueryError
from catalogue.settings import SettingsError, load_settings
from catalogue.store import QuerySyntaxError, StoreError
from catalogue_cli import admin as cli_admin
from catalogue_cli import harvest, licences, links
from catalogue_cli import usage as cli_usage

EXIT_STORE = 3


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def _read_input(target: str, settings) -> tuple[bytes, str | None, str | None]:
    """(data, filename, media type) from a path or an http(s) URL.

    :raise InputError: unreadable file, refused or malformed URL, failed download.
    """
    if _is_url(target):
        got = fetch(target, max_bytes=settings.max_upload_bytes, timeout=settings.fetch_timeout,
                    allow_private=settings.allow_private_urls, deadline=settings.fetch_deadline)
        return got.data, urlsplit(got.url).path.rsplit("/", 1)[-1], got.media_type
    if target == "-":
        return sys.stdin.buffer.read(settings.max_upload_bytes + 1), None, None
    return read_file(target, limits_of(settings)), target, None


def public_origin(target: str) -> str:
    """Where a dump came from, as the public provenance may say it: a URL without user
    info or query string, a file's base name (never a path on this machine)."""
    if _is_url(target):
        return public_url(target)
    if target == "-":
        return "standard input"
    return Path(target).name


def _emit(report: Report, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        print(report.as_text())
    return report.exit_code


def cmd_validate(args, settings) -> int:
    try:
        data, filename, media = _read_input(args.file, settings)
    except InputError as exc:
        return _emit(Report(error=exc), args.json)
    result = validate_dump(data, format=args.format or media, filename=filename,
                           settings=settings, profiles=args.profile or ())
    return _emit(result if isinstance(result, Report) else result.report, args.json)


def cmd_ingest(args, settings) -> int:
    try:
        data, filename, media = _read_input(args.file, settings)
    except InputError as exc:
        return _emit(Report(source=args.source, mode=args.mode, error=exc), args.json)
    catalogue = Catalogue(settings)
    try:
        report = catalogue.publishing.ingest(
            args.source, data, format=args.format or media, filename=filename, mode=args.mode,
            profiles=args.profile or (), origin=public_origin(args.file),
        )
    finally:
        catalogue.close()
    return _emit(report, args.json)


def cmd_init(args, settings) -> int:
    catalogue = Catalogue(settings)
    try:
        result = catalogue.publishing.init(demo=not args.no_demo, standards=not args.no_standards,
                                           force=args.force)
    finally:
        catalogue.close()
    for name, state in result.items():
        print(f"{name}: {state}")
    return 0


def cmd_stats(args, settings) -> int:
    catalogue = Catalogue(settings)
    try:
        stats = catalogue.feeds.stats()
    finally:
        catalogue.close()
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        print(f"{stats['triples']:,} triples in {stats['store']}")
        for slug, s in stats["sources"].items():
            print(f"  source {slug}: {s['records']:,} records, {s['triples']:,} triples")
        for name, n in stats["vocabularies"].items():
            print(f"  vocabulary {name}: {n:,} triples")
        for slug, s in stats["quarantine"].items():
            print(f"  quarantined from {slug}: {s['records']:,} records")
    return 0


def cmd_query(args, settings) -> int:
    import pyoxigraph as ox

    from catalogue import queries
    from catalogue.formats import serialize

    params = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param needs key=value, got {item!r}")
        params[key] = value
    q = queries.get(args.name)
    catalogue = Catalogue(settings)
    try:
        result = queries.run_query(catalogue.store, q, params, dataset=catalogue.public_dataset())
    finally:
        catalogue.close()
    if isinstance(result, list):  # CONSTRUCT, DESCRIBE
        fmt = {"json": ox.RdfFormat.JSON_LD, "csv": ox.RdfFormat.N_TRIPLES}.get(
            args.format, ox.RdfFormat.TURTLE)
        sys.stdout.buffer.write(serialize(result, fmt))
    elif isinstance(result, bool):  # ASK
        print(json.dumps({"head": {}, "boolean": result}) if args.format == "json"
              else str(result).lower())
    else:
        rows = result
        if args.format == "json":
            print(json.dumps({
                "head": {"vars": rows.variables},
                "results": {"bindings": [
                    {k: _json_term(v) for k, v in r.items()} for r in rows]},
            }, indent=2, ensure_ascii=False))
        elif args.format == "ttl":
            raise QueryError(f"{args.name} is a SELECT query: use --format json or csv")
        else:
            import csv

            writer = csv.writer(sys.stdout)
            writer.writerow(rows.variables)
            for r in rows:
                writer.writerow([r[v].value if v in r else "" for v in rows.variables])
    return 0


def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def cmd_export(args, settings) -> int:
    catalogue = Catalogue(settings)
    try:
        for chunk in catalogue.feeds.export(args.format, include_private=args.all):
            sys.stdout.buffer.write(chunk)
    finally:
        catalogue.close()
    return 0


def cmd_index(args, settings) -> int:
    import time

    from catalogue.search import SearchIndexError

    catalogue = Catalogue(settings)
    started = time.monotonic()
    try:
        n = catalogue.search.reindex(args.source)
    except SearchIndexError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return EXIT_STORE
    finally:
        catalogue.close()
    print(f"indexed {n:,} records in {time.monotonic() - started:.1f} s")
    return 0


def cmd_quality(args, settings) -> int:
    """Recompute every source's quality scores (or one's), then the search index that sorts
    and filters by them: for cron (a score's "recent" points age with the clock)."""
    import time

    from catalogue.search import SearchIndexError

    catalogue = Catalogue(settings)
    started = time.monotonic()
    try:
        done = ({args.source: catalogue.quality.recompute(args.source)} if args.source
                else catalogue.quality.rebuild())
        catalogue.changed()
        catalogue.search.reindex(args.source)
    except SearchIndexError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return EXIT_STORE
    finally:
        catalogue.close()
    print(f"scored {sum(done.values()):,} solutions of {len(done)} sources "
          f"in {time.monotonic() - started:.1f} s")
    return 0


def cmd_notify(args, settings) -> int:
    """Send the due subscription mails (for cron: immediate ones every few minutes, the
    digests when due); prints what was sent."""
    catalogue = Catalogue(settings)
    try:
        frequencies = tuple(args.frequency) if args.frequency else ("immediate", "daily", "weekly")
        done = catalogue.subscriptions.notify(frequencies, force=args.now)
    finally:
        catalogue.close()
    print(f"{done['due']} subscription(s) due: {done['sent']} mail(s) sent, {done['failed']} failed")
    return 1 if done["failed"] else 0


def _backups(settings, act) -> int:
    """Run ``act(catalogue.backups)`` and print what it says; a refused backup or restore
    is its message on standard error and exit code 2."""
    from catalogue.backup import BackupError

    catalogue = Catalogue(settings)
    try:
        print(act(catalogue.backups))
    except BackupError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return 2
    finally:
        catalogue.close()
    return 0


def cmd_backup(args, settings) -> int:
    """Back up every graph and document into a new directory (online on the embedded store)."""
    def act(backups) -> str:
        m = backups.backup(args.dir)
        return f"backed up {m.quads:,} quads in {m.graphs:,} graphs and {m.documents:,} documents to {args.dir}"
    return _backups(settings, act)


def cmd_restore(args, settings) -> int:
    """Restore a backup into an empty store, then rebuild the search index."""
    def act(backups) -> str:
        m = backups.restore(args.dir)
        return (f"restored {m.quads:,} quads in {m.graphs:,} graphs and {m.documents:,} documents from "
                f"{args.dir} (taken {m.created}); the search index is rebuilt")
    return _backups(settings, act)


def cmd_serve(args, settings) -> int:
    with metrics_directory(args.workers):  # before prometheus_client is imported (by webapp)
        from webapp.server import serve

        return serve(settings, host=args.host, port=args.port, threads=args.threads, workers=args.workers,
                     background=not args.no_background)


@contextmanager
def metrics_directory(workers: int) -> Iterator[None]:
    """With several web workers, prometheus_client's multiprocess mode: each worker writes its
    metrics to files in ``PROMETHEUS_MULTIPROC_DIR`` and ``/-/metrics`` sums them, whichever
    worker a scrape reaches. The library reads the variable when it is imported. The directory
    is an operator's if set (its files of an earlier run are removed, as the library asks),
    else a new temporary one, removed when the server stops."""
    if workers == 1:
        yield
        return
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="catalogue-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.db"):
        old.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    try:
        yield
    finally:
        if not given:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]  # no process started later is sent there
            shutil.rmtree(directory, ignore_errors=True)


def cmd_background(args, settings) -> int:
    """Run only the background work (harvests, link checks, mails, usage merges) until
    stopped: the one background worker beside web-only servers (``serve --no-background``)."""
    from webapp.server import run_background

    return run_background(settings)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="catalogue", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="load the vocabularies and the demo catalogue (idempotent)")
    s.add_argument("--no-demo", action="store_true", help="do not load the demo catalogue")
    s.add_argument("--no-standards", action="store_true",
                   help="do not load the ICT standards (ELIS specifications, CAMSS assessments)")
    s.add_argument("--force", action="store_true", help="reload even if unchanged")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("validate", help="parse and SHACL-validate a dump; store nothing")
    s.add_argument("file", help="path, http(s) URL, or - for standard input")
    s.add_argument("--format", help="ttl, nt, nq, trig, rdf, jsonld or a media type")
    s.add_argument("--profile", action="append", help="extra profile, e.g. dcat-ap-3.0.1")
    s.add_argument("--json", action="store_true", help="print the JSON report")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("ingest", help="validate a dump and store it as a source's graph")
    s.add_argument("file", help="path, http(s) URL, or - for standard input")
    s.add_argument("--source", required=True, help="the source's slug, e.g. spain-ctt")
    s.add_argument("--mode", choices=("strict", "partial"), default="strict")
    s.add_argument("--format", help="ttl, nt, nq, trig, rdf, jsonld or a media type")
    s.add_argument("--profile", action="append", help="extra profile, e.g. dcat-ap-3.0.1")
    s.add_argument("--json", action="store_true", help="print the JSON report")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("backup", help="back up every graph and document into a new directory")
    s.add_argument("dir", help="a directory that does not exist yet (or is empty)")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="restore a backup into an empty store, then rebuild the search index")
    s.add_argument("dir", help="a directory written by `catalogue backup`")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("notify", help="send the due subscription mails (immediate, daily and weekly digests)")
    s.add_argument("--frequency", action="append", choices=("immediate", "daily", "weekly"),
                   help="only these (repeatable; default: all, each when due)")
    s.add_argument("--now", action="store_true", help="send them now, due or not (what is new since each one's last mail)")
    s.set_defaults(func=cmd_notify)

    s = sub.add_parser("stats", help="triples, sources, records")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("query", help="run a saved query from catalogue/sparql/")
    s.add_argument("name")
    s.add_argument("--param", action="append", metavar="KEY=VALUE")
    s.add_argument("--format", choices=("json", "csv", "ttl"), default="csv")
    s.set_defaults(func=cmd_query)

    s = sub.add_parser("export", help="dump the public graphs")
    s.add_argument("--format", choices=("nq", "ttl", "trig", "nt"), default="nq")
    s.add_argument("--all", action="store_true", help="include quarantine and drafts (backup)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("index", help="rebuild the search index from the store")
    s.add_argument("--source", help="only this source's records (default: all)")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("quality", help="recompute quality scores (DQV) and the search index")
    s.add_argument("--source", help="only this source (default: all)")
    s.set_defaults(func=cmd_quality)

    s = sub.add_parser("serve", help="serve the site and SPARQL endpoint")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    s.add_argument("--threads", type=int, default=8, help="threads per web worker (default: 8)")
    s.add_argument("--workers", type=int, default=1,
                   help="web worker processes (default: 1); above 1 needs a remote "
                        "store (CATALOGUE_SPARQL_QUERY_URL) and adds a background worker process")
    s.add_argument("--no-background", action="store_true",
                   help="serve pages only: no harvests, link checks, mails or usage merges here "
                        "(run `catalogue background` once elsewhere)")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("background", help="run only the background work: harvests, link checks, mails, "
                                          "usage merges (each under a lease in the store)")
    s.set_defaults(func=cmd_background)

    cli_admin.register_cli(sub)  # publisher, token, user, history, rollback
    harvest.register_cli(sub)  # harvest [--due | SLUG...], harvest configure|clear|status
    licences.register_cli(sub)  # licence check USE REDISTRIBUTE
    links.register_cli(sub)  # links [--source SLUG]
    cli_usage.register_cli(sub)  # usage IRI [--days N] [--json]
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return args.func(args, settings)
    except (SettingsError, SlugError, QueryError, cli_admin.CommandError) as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return 2
    except QuerySyntaxError as exc:
        print(f"catalogue: the query does not parse: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return EXIT_STORE
    except FileNotFoundError as exc:  # e.g. shapes or vocabularies missing from the install
        print(f"catalogue: {exc}", file=sys.stderr)
        return EXIT_STORE
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
