"""Admin commands: publishers (sources), API tokens, users, a source's history.

``catalogue publisher add SLUG --name NAME``, ``catalogue token create SLUG`` (the new
token on its last line, shown once), ``catalogue user add USERNAME ...``,
``catalogue user revoke-sessions USERNAME``,
``catalogue history SLUG``, ``catalogue rollback SLUG VERSION``, ``catalogue withdraw SLUG``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from catalogue.app import Catalogue
from catalogue.community import ROLES, AccountError, is_collection
from catalogue.ingest import HistoryError


class CommandError(ValueError):
    """Refused with a message (exit 2)."""


def _with_catalogue(settings, fn):
    catalogue = Catalogue(settings)
    try:
        return fn(catalogue)
    except (AccountError, HistoryError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        catalogue.close()


def _known_source(catalogue: Catalogue, slug: str) -> None:
    if catalogue.publishing.source(slug) is None:
        raise CommandError(f"no source {slug!r}: register it first with "
                           f"'catalogue publisher add {slug} --name NAME'")


def _known_collection(catalogue: Catalogue, iri: str) -> None:
    if not is_collection(catalogue, iri):
        raise CommandError(f"no published collection {iri!r}: give the full IRI of a "
                           "dcat:Catalog the catalogue publishes")


def _roles_text(user, *, sources_always: bool = True) -> str:
    """What an account may do, as the commands print it."""
    sources = ", ".join(sorted(user.sources)) or ("nothing" if sources_always else "")
    return (f"roles {', '.join(sorted(user.roles))}" + (f"; publisher of {sources}" if sources else "")
            + (f"; facilitator of {', '.join(sorted(user.collections))}" if user.collections else ""))


def cmd_publisher_add(args, settings) -> int:
    def run(c: Catalogue) -> int:
        c.publishing.register_source(args.slug, args.name)
        print(f"source {args.slug!r} registered as {' '.join(args.name.split())!r}")
        return 0
    return _with_catalogue(settings, run)


def cmd_publisher_list(args, settings) -> int:
    def run(c: Catalogue) -> int:
        for slug, state in sorted(c.publishing.sources().items()):
            print(f"{slug}\t{state.name or ''}\t{state.version or '(no data yet)'}")
        return 0
    return _with_catalogue(settings, run)


def cmd_token_create(args, settings) -> int:
    def run(c: Catalogue) -> int:
        _known_source(c, args.slug)
        token, secret = c.accounts.create_token(args.slug, args.label or "")
        print(f"created {token.label} for source {args.slug!r} ({token.iri});")
        print("it is shown only now: keep it secret. Use it as 'Authorization: Bearer TOKEN'.")
        print(secret)
        return 0
    return _with_catalogue(settings, run)


def cmd_token_list(args, settings) -> int:
    def run(c: Catalogue) -> int:
        for t in c.accounts.tokens(args.slug):
            print(f"{t.iri}\t{t.label}\tcreated {t.created}\t"
                  f"{'revoked ' + t.revoked if t.revoked else 'active'}")
        return 0
    return _with_catalogue(settings, run)


def cmd_token_revoke(args, settings) -> int:
    def run(c: Catalogue) -> int:
        if not c.accounts.revoke_token(args.token, args.slug):
            raise CommandError(f"source {args.slug!r} has no active token {args.token!r}")
        print(f"revoked {args.token}")
        return 0
    return _with_catalogue(settings, run)


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("CATALOGUE_NEW_PASSWORD"):
        return os.environ["CATALOGUE_NEW_PASSWORD"]
    if not sys.stdin.isatty():
        raise CommandError("give the password with --password-stdin or CATALOGUE_NEW_PASSWORD")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise CommandError("the passwords differ")
    return first


def cmd_user_add(args, settings) -> int:
    password = _password(args)

    def run(c: Catalogue) -> int:
        for slug in args.publisher or ():
            _known_source(c, slug)
        for iri in args.facilitator or ():
            _known_collection(c, iri)
        user = c.accounts.add_user(args.username, password, name=args.name,
                                   roles=tuple(args.role or ()), sources=tuple(args.publisher or ()),
                                   collections=tuple(args.facilitator or ()), email=args.email)
        print(f"user {user.username!r} created: {_roles_text(user, sources_always=False)}")
        return 0
    return _with_catalogue(settings, run)


def cmd_user_grant(args, settings) -> int:
    def run(c: Catalogue) -> int:
        if c.accounts.user(args.username) is None:
            raise CommandError(f"no user {args.username!r}")
        for slug in args.publisher or ():
            _known_source(c, slug)
        for iri in args.facilitator or ():
            _known_collection(c, iri)
        for slug in args.publisher or ():
            c.accounts.grant(args.username, source=slug)
        for iri in args.facilitator or ():
            c.accounts.grant(args.username, collection=iri)
        for role in args.role or ():
            c.accounts.grant(args.username, role=role)
        print(f"user {args.username!r}: {_roles_text(c.accounts.user(args.username))}")
        return 0
    return _with_catalogue(settings, run)


def cmd_user_password(args, settings) -> int:
    password = _password(args)

    def run(c: Catalogue) -> int:
        c.accounts.set_password(args.username, password)
        print(f"password of {args.username!r} changed")
        return 0
    return _with_catalogue(settings, run)


def cmd_user_email(args, settings) -> int:
    def run(c: Catalogue) -> int:
        c.accounts.set_email(args.username, args.address or None)
        print(f"e-mail of {args.username!r}: {args.address or 'none'}")
        return 0
    return _with_catalogue(settings, run)


def cmd_user_link_oidc(args, settings) -> int:
    issuer = args.issuer or settings.oidc_issuer
    if not issuer:
        raise CommandError("give --issuer, or set CATALOGUE_OIDC_ISSUER")

    def run(c: Catalogue) -> int:
        c.accounts.link_oidc(args.username, issuer, args.subject)
        print(f"{args.username!r} now signs in through {issuer} as {args.subject!r}")
        return 0
    return _with_catalogue(settings, run)


def cmd_user_revoke_sessions(args, settings) -> int:
    def run(c: Catalogue) -> int:
        c.accounts.end_sessions(args.username)
        print(f"every session of {args.username!r} has ended: it must sign in again")
        return 0
    return _with_catalogue(settings, run)


def cmd_history(args, settings) -> int:
    def run(c: Catalogue) -> int:
        runs = c.publishing.runs(args.slug)
        kept = set(c.publishing.versions(args.slug))
        current = c.publishing.source(args.slug)
        if args.json:
            print(json.dumps({"runs": runs, "versions": sorted(kept, reverse=True),
                              "current": current.version if current else None}, indent=2))
            return 0
        for r in runs:
            mark = "*" if current and r["id"] == current.version else " "
            can = "kept" if r["id"] in kept else ""
            print(f"{mark} {r['id']}\t{r['ended']}\t{r['outcome']}\t+{r.get('added', 0)} "
                  f"-{r.get('removed', 0)} ~{r.get('changed', 0)}\t{can}")
        return 0
    return _with_catalogue(settings, run)


def cmd_rollback(args, settings) -> int:
    def run(c: Catalogue) -> int:
        report = c.publishing.rollback(args.slug, args.version, by="command line")
        d = report.diff
        assert d is not None  # a roll back always has one
        print(f"source {args.slug!r} is back at version {args.version}: "
              f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed "
              f"({report.activity})")
        return 0
    return _with_catalogue(settings, run)


def cmd_withdraw(args, settings) -> int:
    if not args.yes:
        raise CommandError(f"this withdraws every record of {args.slug!r} (410 Gone); "
                           "add --yes to confirm (a roll back brings them back)")

    def run(c: Catalogue) -> int:
        _known_source(c, args.slug)
        report = c.publishing.withdraw_all(args.slug, by="command line")
        assert report.diff is not None  # a withdrawal always has one
        print(f"withdrew {len(report.diff.removed)} record(s) of {args.slug!r} "
              f"({report.activity})")
        return 0
    return _with_catalogue(settings, run)


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publisher", help="register federated sources (publishers)")
    ps = p.add_subparsers(dest="action", required=True)
    s = ps.add_parser("add", help="register a source, or rename it")
    s.add_argument("slug", help="lowercase letters, digits and dashes, e.g. spain-ctt")
    s.add_argument("--name", required=True, help="the publisher's name as people read it")
    s.set_defaults(func=cmd_publisher_add)
    s = ps.add_parser("list", help="registered sources")
    s.set_defaults(func=cmd_publisher_list)

    p = sub.add_parser("token", help="API tokens of a source")
    ps = p.add_subparsers(dest="action", required=True)
    s = ps.add_parser("create", help="a new token (printed once, on the last line)")
    s.add_argument("slug")
    s.add_argument("--label", help="what the token is for, e.g. 'nightly upload'")
    s.set_defaults(func=cmd_token_create)
    s = ps.add_parser("list", help="a source's tokens (never their secrets)")
    s.add_argument("slug")
    s.set_defaults(func=cmd_token_list)
    s = ps.add_parser("revoke", help="revoke a token by its IRI")
    s.add_argument("slug")
    s.add_argument("token", help="the token's IRI, as 'token list' shows it")
    s.set_defaults(func=cmd_token_revoke)

    p = sub.add_parser("user", help="local accounts")
    ps = p.add_subparsers(dest="action", required=True)
    s = ps.add_parser("add", help="create an account")
    s.add_argument("username")
    s.add_argument("--name", help="full name shown on the site")
    s.add_argument("--role", action="append", choices=ROLES, help="admin, moderator (repeatable)")
    s.add_argument("--publisher", action="append", metavar="SLUG",
                   help="make the user a publisher of this source (repeatable)")
    s.add_argument("--facilitator", action="append", metavar="COLLECTION_IRI",
                   help="make the user a facilitator of this published collection: they moderate "
                        "the solutions proposed into it (repeatable)")
    s.add_argument("--email", help="where the catalogue writes to them (a moderator's requests for changes...)")
    s.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    s.set_defaults(func=cmd_user_add)
    s = ps.add_parser("grant", help="give roles, sources or collections to an account")
    s.add_argument("username")
    s.add_argument("--role", action="append", choices=ROLES)
    s.add_argument("--publisher", action="append", metavar="SLUG")
    s.add_argument("--facilitator", action="append", metavar="COLLECTION_IRI")
    s.set_defaults(func=cmd_user_grant)
    s = ps.add_parser("password", help="set an account's password")
    s.add_argument("username")
    s.add_argument("--password-stdin", action="store_true")
    s.set_defaults(func=cmd_user_password)
    s = ps.add_parser("email", help="set (or, without ADDRESS, remove) where the catalogue writes to an account")
    s.add_argument("username")
    s.add_argument("address", nargs="?", default="")
    s.set_defaults(func=cmd_user_email)

    s = ps.add_parser("link-oidc", help="sign-in through the OpenID Connect provider as SUBJECT opens this account")
    s.add_argument("username")
    s.add_argument("subject", help="the provider's 'sub' for the person (EU Login: their uid)")
    s.add_argument("--issuer", help="the provider (default: CATALOGUE_OIDC_ISSUER)")
    s.set_defaults(func=cmd_user_link_oidc)

    s = ps.add_parser("revoke-sessions", help="end every session of an account (sign it out everywhere)")
    s.add_argument("username")
    s.set_defaults(func=cmd_user_revoke_sessions)

    s = sub.add_parser("history", help="a source's runs, and the versions kept for roll back")
    s.add_argument("slug")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("withdraw", help="withdraw every record of a source (410 Gone)")
    s.add_argument("slug")
    s.add_argument("--yes", action="store_true", help="confirm")
    s.set_defaults(func=cmd_withdraw)

    s = sub.add_parser("rollback", help="make a kept earlier version of a source current again")
    s.add_argument("slug")
    s.add_argument("version", help="a version id from 'catalogue history SLUG'")
    s.set_defaults(func=cmd_rollback)
