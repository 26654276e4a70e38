"""Run the app with waitress: one process, many threads, the embedded store opened once (or
several web processes over a remote store: ``webapp/workers.py``).

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
import socket
import threading
from collections.abc import Callable, Iterable

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import RequestEntityTooLarge

from catalogue.app import Catalogue
from catalogue.background import start_background, stop_background
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


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          workers: int = 1, background: bool = True) -> int:
    """Serve the site: one process (``workers`` 1: the background threads in it unless
    ``background`` is false), or ``workers`` web processes and one background process
    (webapp/workers.py) over a remote store.

    :raise WorkersRefused: ``workers`` > 1 on the embedded store.
    """
    if workers != 1:
        from .workers import supervise

        return supervise(settings, host=host, port=port, threads=threads, workers=workers,
                         background=background)
    if not settings.site_url:  # links in mail lead here
        settings = dataclasses.replace(settings, site_url=f"http://{host}:{port}/")
    logging.basicConfig(level=logging.INFO)
    return serve_one(settings, threads=threads, host=host, port=port, background=background)


def _naming_process(app: Callable) -> Callable:
    """The app, its answers saying which worker process made them (``X-Catalogue-Process``):
    with several workers behind one address, how an operator (or a test) tells them apart."""
    pid = str(os.getpid())

    def named(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            if not any(k.lower() == "x-catalogue-process" for k, _ in headers):
                headers = [*headers, ("X-Catalogue-Process", pid)]
            return start_response(status, headers, exc_info)
        return app(environ, start)
    return named


def _recover(catalogue: Catalogue) -> None:
    recovered = catalogue.publishing.recover()  # uploads a stopped server left running; killed ingests' graphs
    if recovered.failed_jobs or recovered.dropped_graphs:
        print(f"Start-up: {len(recovered.failed_jobs)} unfinished upload(s) of a stopped server "
              f"marked failed, {len(recovered.dropped_graphs)} graph(s) of interrupted ingests "
              "dropped", flush=True)


def serve_one(settings: Settings, *, threads: int, host: str = "127.0.0.1", port: int = 8000,
              sockets: list[socket.socket] | None = None, background: bool = True) -> int:
    """One process serving with waitress's ``threads``: on ``host``:``port``, or on the
    listening ``sockets`` a supervisor bound (a web worker); with the background threads
    unless ``background`` is false. Returns when the server stops."""
    from . import create_app

    app = create_app(settings)
    catalogue = root(app)
    catalogue.store  # open now: fail fast with a clear message if it is locked  # noqa: B018
    _recover(catalogue)
    if sockets is None:
        print(f"Serving {catalogue.store.description} on http://{host}:{port}/ (Ctrl-C stops)",
              flush=True)
    handles = start_background(catalogue) if background else {}
    _flush_usage_on_sigterm(catalogue)
    try:
        listening: dict = {}
        where: dict = {"sockets": sockets} if sockets is not None else {"host": host, "port": port}
        served = app if sockets is None else _naming_process(app)
        server = create_server(served, map=listening, threads=threads, ident="catalogue",
                               max_request_body_size=largest_body(settings.max_upload_bytes),
                               **where, **_proxy(settings))
        channel = limited_channel(settings.max_upload_bytes)
        for listener in list(listening.values()):  # one per address the host resolves to
            if isinstance(listener, BaseWSGIServer):
                listener.channel_class = channel  # type: ignore[misc]
        server.run()
    finally:
        stop_background(handles)
        catalogue.close()
    return 0


def run_background(settings: Settings) -> int:
    """The background worker (``catalogue background``, or ``serve --workers N``'s): the
    harvests, link checks, mails and usage merges, each under its lease in the store, until
    SIGTERM or Ctrl-C. Serves no request."""
    logging.basicConfig(level=logging.INFO)
    catalogue = Catalogue(settings)
    from .operations import Metrics, multiprocess  # after the CLI set PROMETHEUS_MULTIPROC_DIR

    if multiprocess():  # its ingests (harvests) are counted in the web workers' /-/metrics too
        catalogue.operations.watch(Metrics(None).heard)
    stopped = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        catalogue.store  # fail fast: the store cannot be opened  # noqa: B018
        _recover(catalogue)
        handles = start_background(catalogue)
        print(f"Background worker {os.getpid()} on {catalogue.store.description}: "
              + ", ".join(f"{name} {'on' if h.thread else 'off'}" for name, h in handles.items()), flush=True)
        try:
            stopped.wait()
        finally:
            stop_background(handles)
    finally:
        catalogue.close()
    return 0
