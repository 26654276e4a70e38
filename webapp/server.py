"""Run the app with waitress: one process, many threads, the embedded store opened once.

Waitress reads a request's whole body before the app sees it (into a temporary file beyond
its buffer), so a body limit checked in the app comes after the bytes were taken. Here the
request parser itself asks :func:`webapp.security.body_limit` for the route's limit as
soon as the headers are in: a declared ``Content-Length`` over it is answered 413 at once,
and a chunked body is stopped when it passes it.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import signal

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import RequestEntityTooLarge

from catalogue.app import Catalogue
from catalogue.community import start_notifier
from catalogue.harvesting import start_scheduler
from catalogue.quality import start_link_checks
from catalogue.settings import Settings

from .context import root
from .security import add_headers, body_limit, largest_body, too_large_message


class _TooLarge(RequestEntityTooLarge):
    """Waitress's 413, with our message and the security headers every answer carries."""

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        status, headers, body = super().to_response(ident)
        return status, add_headers(headers), body


def limited_channel(max_upload_bytes: int) -> type[HTTPChannel]:
    """A waitress channel whose parser holds each request to its route's body limit."""

    class Parser(HTTPRequestParser):
        limit: int | None = None

        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)  # sets command and path, or raises
            self.limit = body_limit(self.command, self.path, max_upload_bytes)
            self.adj = copy.copy(self.adj)  # this request's own: waitress refuses at >= max
            self.adj.max_request_body_size = self.limit + 1

        def received(self, data: bytes) -> int:
            consumed = super().received(data)
            if isinstance(self.error, RequestEntityTooLarge) and not isinstance(self.error, _TooLarge):
                declared = None if self.chunked else self.content_length
                self.error = _TooLarge(too_large_message(self.command, self.path,
                                                         self.limit or 0, declared))
                self.expect_continue = False  # no "100 Continue": the answer is already 413
            return consumed

    class Channel(HTTPChannel):
        parser_class = Parser

    return Channel


def _proxy(settings: Settings) -> dict[str, str]:
    """Waitress's options to believe the reverse proxy (and it alone) about the client."""
    if not settings.trusted_proxy:
        return {}
    return {"trusted_proxy": settings.trusted_proxy,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto"}


def _flush_usage_on_sigterm(catalogue: Catalogue) -> None:
    """A stop by SIGTERM (a service manager's, a container's) still writes the usage counts
    kept in memory (up to a flush interval's), then ends the process as SIGTERM always did."""
    def stop(signum, frame) -> None:
        try:
            catalogue.usage.close()
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> int:
    from . import create_app

    if not settings.site_url:  # links in mail lead here
        settings = dataclasses.replace(settings, site_url=f"http://{host}:{port}/")
    app = create_app(settings)
    catalogue = root(app)
    catalogue.store  # open now: fail fast with a clear message if it is locked  # noqa: B018
    logging.basicConfig(level=logging.INFO)
    recovered = catalogue.publishing.recover()  # uploads a stopped server left running; killed ingests' graphs
    if recovered.failed_jobs or recovered.dropped_graphs:
        print(f"Start-up: {len(recovered.failed_jobs)} unfinished upload(s) of a stopped server "
              f"marked failed, {len(recovered.dropped_graphs)} graph(s) of interrupted ingests "
              "dropped", flush=True)
    print(f"Serving {catalogue.store.description} on http://{host}:{port}/ (Ctrl-C stops)",
          flush=True)
    harvests = start_scheduler(catalogue, settings.harvest_interval)  # 0: off (use cron)
    _flush_usage_on_sigterm(catalogue)
    link_checks = start_link_checks(catalogue, settings.linkcheck_interval)  # hours; 0: off
    notifier = start_notifier(catalogue, settings.notify_interval)  # subscription mails; 0: off
    for name, handle in (("harvest_scheduler", harvests), ("link_checks", link_checks), ("notifier", notifier)):
        catalogue.operations.register(name, handle)  # /-/health reports them alive, stopped or off
    try:
        sockets: dict = {}
        server = create_server(app, map=sockets, host=host, port=port, threads=threads,
                               ident="catalogue",
                               max_request_body_size=largest_body(settings.max_upload_bytes),
                               **_proxy(settings))
        channel = limited_channel(settings.max_upload_bytes)
        for listener in list(sockets.values()):  # one per address the host resolves to
            if isinstance(listener, BaseWSGIServer):
                listener.channel_class = channel  # type: ignore[misc]
        server.run()
    finally:
        harvests.stop()
        link_checks.stop()
        notifier.stop()
        catalogue.close()
    return 0
