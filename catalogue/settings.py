"""One settings table: defaults, then ``CATALOGUE_*`` environment, then explicit overrides.

Every setting is declared once here with its help text; a test checks that each one
is documented in the README.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalogue.errors import CatalogueError

# the installed package: saved queries, shapes, vocabularies and the demo catalogue ship inside it
PACKAGE = Path(__file__).resolve().parent


class SettingsError(CatalogueError, ValueError):
    """A setting has a value the catalogue cannot use."""


def _setting(default, help: str, env: str | None = None):
    return field(default=default, metadata={"help": help, "env": env})


@dataclass(frozen=True)
class Settings:
    store: str = _setting(
        str(Path("var") / "store"),
        "Directory of the embedded Oxigraph store, relative to the working directory unless absolute "
        "(opened by one process at a time).",
        "CATALOGUE_STORE",
    )
    sparql_query_url: str = _setting(
        "",
        "Query URL of a remote SPARQL 1.1 endpoint; when set, it replaces the embedded store.",
        "CATALOGUE_SPARQL_QUERY_URL",
    )
    sparql_update_url: str = _setting(
        "",
        "Update URL of the remote endpoint (defaults to the query URL with /query replaced by /update).",
        "CATALOGUE_SPARQL_UPDATE_URL",
    )
    sparql_store_url: str = _setting(
        "",
        "Graph Store Protocol URL of the remote endpoint, for bulk loads (defaults: Oxigraph's "
        "/store beside /query; Virtuoso's /sparql-graph-crud-auth beside /sparql-auth).",
        "CATALOGUE_SPARQL_STORE_URL",
    )
    sparql_user: str = _setting(
        "",
        "User the catalogue authenticates as on the remote endpoint (HTTP digest on Virtuoso, "
        "basic elsewhere), for updates and reads; empty: no authentication.",
        "CATALOGUE_SPARQL_USER",
    )
    sparql_password: str = _setting(
        "",
        "Password of CATALOGUE_SPARQL_USER.",
        "CATALOGUE_SPARQL_PASSWORD",
    )
    sparql_dialect: str = _setting(
        "",
        "How to talk to the remote endpoint: 'oxigraph', 'virtuoso' or 'generic' (README, "
        "\"Remote stores\"); empty: read from the server's Server header at the first request.",
        "CATALOGUE_SPARQL_DIALECT",
    )
    base_uri: str = _setting(
        "https://catalogue.example.org/",
        "Namespace of minted PURIs and named graphs; absolute http(s) IRI ending in '/'.",
        "CATALOGUE_BASE_URI",
    )
    max_upload_bytes: int = _setting(
        200 * 1024 * 1024,
        "Largest dump accepted (after gzip decompression), in bytes.",
        "CATALOGUE_MAX_UPLOAD_BYTES",
    )
    max_literal_bytes: int = _setting(
        1024 * 1024,
        "Largest single literal accepted in a dump, in bytes.",
        "CATALOGUE_MAX_LITERAL_BYTES",
    )
    max_json_depth: int = _setting(
        200,
        "Deepest JSON nesting accepted in JSON-LD input.",
        "CATALOGUE_MAX_JSON_DEPTH",
    )
    max_document_bytes: int = _setting(
        20 * 1024 * 1024,
        "Largest document a community member may upload (a file in a collection), in bytes; "
        "a bigger one is refused (413).",
        "CATALOGUE_MAX_DOCUMENT_BYTES",
    )
    documents: str = _setting(
        "",
        "Directory of uploaded community documents, kept by their SHA-256; empty: `documents` "
        "beside the store's directory (var/documents for the default store).",
        "CATALOGUE_DOCUMENTS",
    )
    shacl_engine: str = _setting(
        "turbo",
        "SHACL engine for ingest: 'turbo' (pyshacl-turbo, Rust) or 'pyshacl' (reference).",
        "CATALOGUE_SHACL_ENGINE",
    )
    validation_workers: int = _setting(
        0,
        "Processes that validate a large dump's records in parallel (0: one per CPU, at most 4; 1: none).",
        "CATALOGUE_VALIDATION_WORKERS",
    )
    sparql_timeout: float = _setting(
        10.0,
        "Seconds a query on the public /sparql endpoint may run before it is stopped (503).",
        "CATALOGUE_SPARQL_TIMEOUT",
    )
    sparql_workers: int = _setting(
        2,
        "Worker processes for /sparql queries: also the cap on concurrent visitor queries.",
        "CATALOGUE_SPARQL_WORKERS",
    )
    sparql_max_results: int = _setting(
        10000,
        "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) one /sparql answer may hold; "
        "bigger answers are refused with a message, never silently cut.",
        "CATALOGUE_SPARQL_MAX_RESULTS",
    )
    response_cache_mb: int = _setting(
        64,
        "Memory (MB) for the shared cache of anonymous GET responses of resources, the home "
        "page and the harvest documents (per data version); 0 turns it off.",
        "CATALOGUE_RESPONSE_CACHE_MB",
    )
    keep_versions: int = _setting(
        5,
        "Earlier versions of each source kept (not public) so a publisher can roll back to them.",
        "CATALOGUE_KEEP_VERSIONS",
    )
    async_upload_bytes: int = _setting(
        5 * 1024 * 1024,
        "API uploads bigger than this (bytes) are answered 202 at once and done in the "
        "background (poll the Location); smaller ones when done. ?async=true asks for it.",
        "CATALOGUE_ASYNC_UPLOAD_BYTES",
    )
    upload_jobs_per_source: int = _setting(
        2,
        "Background uploads (API uploads answered 202, uploads by URL on the site) a source may "
        "have queued or running at once; one more is refused (429) until one ends.",
        "CATALOGUE_UPLOAD_JOBS_PER_SOURCE",
    )
    secret_key: str = _setting(
        "",
        "Key that signs session cookies; empty: a random key kept in the store's private "
        "accounts graph, shared by every web process.",
        "CATALOGUE_SECRET_KEY",
    )
    secure_cookies: bool = _setting(
        False,
        "Send the session cookie over HTTPS only (turn on behind TLS in production).",
        "CATALOGUE_SECURE_COOKIES",
    )
    trusted_proxy: str = _setting(
        "",
        "IP address of the reverse proxy in front of `catalogue serve`, whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed (sign-in failures are then counted per visitor, "
        "not all as the proxy's); empty: none, a connection's address is its client's.",
        "CATALOGUE_TRUSTED_PROXY",
    )
    allow_private_urls: bool = _setting(
        False,
        "Allow fetching dumps from loopback and private network addresses (off: refused).",
        "CATALOGUE_ALLOW_PRIVATE_URLS",
    )
    fetch_timeout: float = _setting(
        30.0,
        "Seconds to wait for a connection, or for the next bytes, when fetching a dump from a URL.",
        "CATALOGUE_FETCH_TIMEOUT",
    )
    fetch_deadline: float = _setting(
        120.0,
        "Seconds a whole download from a URL may take (upload by URL, `catalogue ingest URL`, "
        "harvests), redirects included, however slowly the server sends: then it is stopped.",
        "CATALOGUE_FETCH_DEADLINE",
    )
    validator_max_bytes: int = _setting(
        10 * 1024 * 1024,
        "Largest file the public /validator checks (pasted, uploaded or fetched, after gzip "
        "decompression), in bytes; at most CATALOGUE_MAX_UPLOAD_BYTES is ever read.",
        "CATALOGUE_VALIDATOR_MAX_BYTES",
    )
    validator_rate: int = _setting(
        20,
        "Checks one network address may ask of the public /validator in 10 minutes; one more "
        "is refused (429) until the oldest is 10 minutes old. 0: no limit.",
        "CATALOGUE_VALIDATOR_RATE",
    )
    remote_timeout: float = _setting(
        60.0,
        "Seconds to wait for a remote SPARQL endpoint before giving up.",
        "CATALOGUE_REMOTE_TIMEOUT",
    )
    harvest_interval: int = _setting(
        0,
        "Seconds between the server's checks for sources due for harvesting (0: off; "
        "then run `catalogue harvest --due` from cron, which needs a remote store while serving).",
        "CATALOGUE_HARVEST_INTERVAL",
    )
    oidc_issuer: str = _setting(
        "",
        "Issuer URL of an OpenID Connect provider (EU Login is one) to sign in through; "
        "empty: off. Its discovery document is {issuer}/.well-known/openid-configuration.",
        "CATALOGUE_OIDC_ISSUER",
    )
    oidc_client_id: str = _setting(
        "",
        "Client id this site is registered with at the OpenID Connect provider.",
        "CATALOGUE_OIDC_CLIENT_ID",
    )
    oidc_client_secret: str = _setting(
        "",
        "Client secret given by the OpenID Connect provider (empty: a public client, PKCE only).",
        "CATALOGUE_OIDC_CLIENT_SECRET",
    )
    oidc_name: str = _setting(
        "EU Login",
        "Name of the OpenID Connect provider on the sign-in button.",
        "CATALOGUE_OIDC_NAME",
    )
    min_quality: str = _setting(
        "",
        "Lowest quality a solution needs to be listed on /solutions and found by search by default: a "
        "level (excellent, good, fair, poor) or a score 0-100; empty: every solution. Readers can still "
        "include the others (README, \"Quality\").",
        "CATALOGUE_MIN_QUALITY",
    )
    outdated_after_days: int = _setting(
        1095,
        "Days without a change after which a solution's page says it may be outdated (and it loses "
        "the quality score's \"recent\" points).",
        "CATALOGUE_OUTDATED_AFTER_DAYS",
    )
    linkcheck_interval: float = _setting(
        0.0,
        "Hours between the server's link-check runs (0: off; then run `catalogue links` from cron, "
        "which needs a remote store while serving).",
        "CATALOGUE_LINKCHECK_INTERVAL",
    )
    linkcheck_timeout: float = _setting(
        10.0,
        "Seconds the link checker waits for a connection or an answer before calling a link timed out.",
        "CATALOGUE_LINKCHECK_TIMEOUT",
    )
    linkcheck_host_interval: float = _setting(
        1.0,
        "Seconds the link checker leaves between two requests to one host.",
        "CATALOGUE_LINKCHECK_HOST_INTERVAL",
    )
    linkcheck_max_redirects: int = _setting(
        5,
        "Redirects the link checker follows from one link before calling it too-many-redirects.",
        "CATALOGUE_LINKCHECK_MAX_REDIRECTS",
    )
    linkcheck_broken_after: int = _setting(
        2,
        "Consecutive failed checks after which a link is broken (and its solutions lose the "
        "quality score's \"working-links\" points).",
        "CATALOGUE_LINKCHECK_BROKEN_AFTER",
    )
    linkcheck_allow_hosts: str = _setting(
        "",
        "Comma-separated host:port pairs the link checker may reach although they are private or "
        "local addresses (for tests: 127.0.0.1:8001); every other private address is refused.",
        "CATALOGUE_LINKCHECK_ALLOW_HOSTS",
    )
    usage: bool = _setting(
        True,
        "Count page views of resources and downloads through the distribution links, per resource "
        "and day, without cookies and without keeping who asked (README, \"Usage statistics\"); "
        "off: nothing is counted or shown and the links go straight to their address.",
        "CATALOGUE_USAGE",
    )
    usage_flush_seconds: int = _setting(
        60,
        "Seconds between writes of the usage counts kept in memory to the store (one update each); "
        "also written when the server stops.",
        "CATALOGUE_USAGE_FLUSH_SECONDS",
    )
    comment_trust_after: int = _setting(
        3,
        "Comments of an account visible to the public before its new comments go out without waiting "
        "for moderation (README, \"Communities: comments\"); 0: nobody waits.",
        "CATALOGUE_COMMENT_TRUST_AFTER",
    )
    comment_new_links: int = _setting(
        1,
        "Links a comment may hold while its author's comments still wait for moderation.",
        "CATALOGUE_COMMENT_NEW_LINKS",
    )
    comments_per_hour: int = _setting(
        10,
        "Comments, edits and abuse reports one account may send per hour (429 beyond).",
        "CATALOGUE_COMMENTS_PER_HOUR",
    )
    comments_per_address_per_hour: int = _setting(
        30,
        "Comments, edits and abuse reports one network address (an IPv6 /64) may send per hour (429 beyond).",
        "CATALOGUE_COMMENTS_PER_ADDRESS_PER_HOUR",
    )
    oidc_scopes: str = _setting(
        "openid email profile",
        "Scopes asked of the OpenID Connect provider (space-separated; must include openid).",
        "CATALOGUE_OIDC_SCOPES",
    )
    smtp_host: str = _setting(
        "",
        "SMTP server mail is sent through; empty or 'console': mail is written to the log (standard "
        "error) instead, for local runs (README, \"Mail\").",
        "CATALOGUE_SMTP_HOST",
    )
    smtp_port: int = _setting(587, "Port of the SMTP server.", "CATALOGUE_SMTP_PORT")
    smtp_security: str = _setting(
        "starttls",
        "How the SMTP connection is protected: 'starttls' (upgrade after connecting, port 587), "
        "'tls' (TLS from the start, port 465) or 'none' (a relay on the same machine or tests).",
        "CATALOGUE_SMTP_SECURITY",
    )
    smtp_user: str = _setting("", "User name for the SMTP server (empty: no login).", "CATALOGUE_SMTP_USER")
    smtp_password: str = _setting("", "Password for the SMTP server.", "CATALOGUE_SMTP_PASSWORD")
    smtp_timeout: float = _setting(20.0, "Seconds to wait for the SMTP server.", "CATALOGUE_SMTP_TIMEOUT")
    site_url: str = _setting(
        "",
        "Address of the site people read, for links in mail (e.g. https://interoperable.example.eu/); empty: "
        "CATALOGUE_BASE_URI (catalogue serve uses the address it listens on).",
        "CATALOGUE_SITE_URL",
    )
    notify_interval: int = _setting(
        0,
        "Seconds between the server's runs of the subscription mails (immediate ones, and daily and weekly "
        "digests when due); 0: off (run `catalogue notify` from cron).",
        "CATALOGUE_NOTIFY_INTERVAL",
    )
    mail_from: str = _setting(
        "",
        "Sender of the catalogue's mail, e.g. 'Catalogue <noreply@example.org>' (empty: "
        "noreply@ the host of CATALOGUE_BASE_URI).",
        "CATALOGUE_MAIL_FROM",
    )
    metrics_token: str = _setting(
        "",
        "Token /-/metrics asks for (Authorization: Bearer TOKEN, else 401); empty: the metrics are "
        "public, as Prometheus scrapes them (README, \"Health and metrics\").",
        "CATALOGUE_METRICS_TOKEN",
    )

    @property
    def remote(self) -> bool:
        return bool(self.sparql_query_url)

    @property
    def update_url(self) -> str:
        if self.sparql_update_url:
            return self.sparql_update_url
        if self.sparql_query_url.endswith("/query"):
            return self.sparql_query_url[: -len("query")] + "update"
        return self.sparql_query_url

    def validate(self) -> Settings:
        if not self.base_uri.startswith(("http://", "https://")) or not self.base_uri.endswith("/"):
            raise SettingsError(
                f"CATALOGUE_BASE_URI must be an absolute http(s) IRI ending in '/', got {self.base_uri!r}"
            )
        if any(c in self.base_uri for c in ' <>"{}|\\^`'):
            raise SettingsError(f"CATALOGUE_BASE_URI contains characters not allowed in an IRI: {self.base_uri!r}")
        if self.shacl_engine not in ("turbo", "pyshacl"):
            raise SettingsError(f"CATALOGUE_SHACL_ENGINE must be 'turbo' or 'pyshacl', got {self.shacl_engine!r}")
        if self.sparql_timeout <= 0 or self.sparql_workers < 1 or self.sparql_max_results < 1:
            raise SettingsError("CATALOGUE_SPARQL_TIMEOUT, CATALOGUE_SPARQL_WORKERS and "
                                "CATALOGUE_SPARQL_MAX_RESULTS must be positive")
        if self.response_cache_mb < 0:
            raise SettingsError(f"CATALOGUE_RESPONSE_CACHE_MB must be 0 or more, got {self.response_cache_mb}")
        if self.usage_flush_seconds < 1:
            raise SettingsError(f"CATALOGUE_USAGE_FLUSH_SECONDS must be 1 or more, got {self.usage_flush_seconds}")
        if self.comment_trust_after < 0 or self.comment_new_links < 0:
            raise SettingsError("CATALOGUE_COMMENT_TRUST_AFTER and CATALOGUE_COMMENT_NEW_LINKS must be 0 or more")
        if self.comments_per_hour < 1 or self.comments_per_address_per_hour < 1:
            raise SettingsError("CATALOGUE_COMMENTS_PER_HOUR and CATALOGUE_COMMENTS_PER_ADDRESS_PER_HOUR "
                                "must be 1 or more")
        if self.max_document_bytes < 1:
            raise SettingsError(f"CATALOGUE_MAX_DOCUMENT_BYTES must be 1 or more, got {self.max_document_bytes}")
        if self.keep_versions < 0:
            raise SettingsError(f"CATALOGUE_KEEP_VERSIONS must be 0 or more, got {self.keep_versions}")
        if self.fetch_timeout <= 0 or self.fetch_deadline <= 0:
            raise SettingsError("CATALOGUE_FETCH_TIMEOUT and CATALOGUE_FETCH_DEADLINE must be positive")
        if self.upload_jobs_per_source < 1:
            raise SettingsError("CATALOGUE_UPLOAD_JOBS_PER_SOURCE must be 1 or more, "
                                f"got {self.upload_jobs_per_source}")
        if self.validator_max_bytes < 1 or self.validator_rate < 0:
            raise SettingsError("CATALOGUE_VALIDATOR_MAX_BYTES must be positive and "
                                "CATALOGUE_VALIDATOR_RATE 0 or more")
        if self.validation_workers < 0:
            raise SettingsError(f"CATALOGUE_VALIDATION_WORKERS must be 0 or more, got {self.validation_workers}")
        if self.smtp_security not in ("starttls", "tls", "none"):
            raise SettingsError("CATALOGUE_SMTP_SECURITY must be 'starttls', 'tls' or 'none', "
                                f"got {self.smtp_security!r}")
        if not 0 < self.smtp_port < 65536 or self.smtp_timeout <= 0:
            raise SettingsError("CATALOGUE_SMTP_PORT must be a port (1-65535) and CATALOGUE_SMTP_TIMEOUT positive")
        self._validate_linkcheck()
        if self.sparql_dialect not in ("", "oxigraph", "virtuoso", "generic"):
            raise SettingsError("CATALOGUE_SPARQL_DIALECT must be 'oxigraph', 'virtuoso' or 'generic' "
                                f"(or empty: detected), got {self.sparql_dialect!r}")
        if self.sparql_password and not self.sparql_user:
            raise SettingsError("CATALOGUE_SPARQL_PASSWORD is set but CATALOGUE_SPARQL_USER is not")
        if self.sparql_update_url and not self.sparql_query_url:
            raise SettingsError("CATALOGUE_SPARQL_UPDATE_URL is set but CATALOGUE_SPARQL_QUERY_URL is not")
        if self.trusted_proxy:
            try:
                ipaddress.ip_address(self.trusted_proxy)
            except ValueError:
                raise SettingsError("CATALOGUE_TRUSTED_PROXY must be the proxy's IP address "
                                    f"(e.g. 127.0.0.1), got {self.trusted_proxy!r}") from None
        if self.oidc_issuer:
            self._validate_oidc()
        return self

    def _validate_linkcheck(self) -> None:
        if self.linkcheck_interval < 0 or self.linkcheck_host_interval < 0 or self.linkcheck_max_redirects < 0:
            raise SettingsError("CATALOGUE_LINKCHECK_INTERVAL, CATALOGUE_LINKCHECK_HOST_INTERVAL and "
                                "CATALOGUE_LINKCHECK_MAX_REDIRECTS must be 0 or more")
        if self.linkcheck_timeout <= 0 or self.linkcheck_broken_after < 1:
            raise SettingsError("CATALOGUE_LINKCHECK_TIMEOUT must be positive and "
                                "CATALOGUE_LINKCHECK_BROKEN_AFTER 1 or more")
        for pair in filter(None, (p.strip() for p in self.linkcheck_allow_hosts.split(","))):
            host, _, port = pair.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise SettingsError("CATALOGUE_LINKCHECK_ALLOW_HOSTS must list host:port pairs separated "
                                    f"by commas (e.g. 127.0.0.1:8001), got {pair!r}")

    @property
    def linkcheck_allowed(self) -> frozenset[tuple[str, int]]:
        """CATALOGUE_LINKCHECK_ALLOW_HOSTS as (host, port) pairs, hosts in lower case without
        IPv6 brackets."""
        pairs = filter(None, (p.strip() for p in self.linkcheck_allow_hosts.split(",")))
        return frozenset((h.strip("[]").lower(), int(port)) for h, _, port in (p.rpartition(":") for p in pairs))

    def _validate_oidc(self) -> None:
        """The issuer is trusted with identities: TLS always, except on this machine (tests, dev)."""
        parts = urlsplit(self.oidc_issuer)
        if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
            raise SettingsError("CATALOGUE_OIDC_ISSUER must be an https URL (http only on a loopback "
                                f"address), got {self.oidc_issuer!r}")
        if not self.oidc_client_id:
            raise SettingsError("CATALOGUE_OIDC_ISSUER is set but CATALOGUE_OIDC_CLIENT_ID is not")
        if "openid" not in self.oidc_scopes.split():
            raise SettingsError(f"CATALOGUE_OIDC_SCOPES must include 'openid', got {self.oidc_scopes!r}")


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def settings_table() -> list[tuple[str, str, object, str]]:
    """(field, environment variable, default, help) for every setting."""
    return [(f.name, f.metadata["env"], f.default, f.metadata["help"]) for f in fields(Settings)]


def _convert(kind: type, raw: str) -> object:
    if kind is bool:
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    return kind(raw)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from defaults, the environment and explicit overrides (in that order).

    :raise SettingsError: a value has the wrong type or shape.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}  # each of its field's type: _convert and validate() see to it
    for f in fields(Settings):
        env = f.metadata["env"]
        if env and env in environ and environ[env] != "":
            raw = environ[env]
            try:
                values[f.name] = _convert(type(f.default), raw)
            except ValueError as exc:
                raise SettingsError(f"{env}={raw!r} is not a valid {type(f.default).__name__}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values).validate()
