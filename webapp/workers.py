"""``catalogue serve --workers N``: N web worker processes on one listening socket, and one
background process, supervised.

The parent binds the socket(s) once, then forks: each web worker runs waitress on the
inherited socket (the kernel hands each connection to one of them), with its own catalogue
over the remote store; one more process runs the background work (harvests, link checks,
mails, the merge of usage counts), unless ``--no-background``. The parent opens no store
and starts no thread before forking (a pyoxigraph store opened then forked hung); it
restarts a process that dies, and on SIGTERM or Ctrl-C stops them all (each writes the usage
counts it holds) and exits.

Several processes need a store they can all open: a SPARQL server
(``CATALOGUE_SPARQL_QUERY_URL``). The embedded store is one RocksDB directory that one
process opens read-write, so ``--workers`` above 1 on it is refused (:class:`WorkersRefused`).
What workers derive from the store stays right across them: each reads the data version
(at most every ``VERSION_TTL`` second) and keys its caches on it; the search index directory
on one machine is shared (one writer at a time, readers reload its commits), on another
machine caught up by its own workers (catalogue/search/upkeep.py).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from catalogue.settings import Settings, SettingsError

log = logging.getLogger(__name__)

STOP_SECONDS = 15.0  # a stopping worker's time to finish its requests and flush, then SIGKILL
QUICK_DEATH = 10.0  # a worker dying sooner than this after its start failed to start
QUICK_DEATHS = 5  # that many quick deaths in a row of one role end the server (exit 1)


class WorkersRefused(SettingsError):
    """``--workers`` above 1 without a store several processes can share."""


def check_can_fork(settings: Settings, workers: int) -> None:
    """:raise WorkersRefused: ``workers`` > 1 on the embedded store, or ``workers`` < 1."""
    if workers < 1:
        raise WorkersRefused(f"--workers must be at least 1, got {workers}")
    if workers > 1 and not settings.remote:
        raise WorkersRefused(
            f"--workers {workers} needs a SPARQL server holding the data: the embedded store "
            f"({settings.store}) is opened read-write by one process only (RocksDB's lock). "
            "Set CATALOGUE_SPARQL_QUERY_URL (and CATALOGUE_SPARQL_UPDATE_URL) to an Oxigraph server "
            "or Virtuoso (README, 'Many web workers'), or serve with one worker and more --threads.")


def listen(host: str, port: int, backlog: int = 1024) -> list[socket.socket]:
    """Bound, listening sockets for every address ``host`` resolves to (as waitress binds).

    :raise OSError: the address is in use or cannot be bound.
    """
    found: list[socket.socket] = []
    seen = set()
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                               flags=socket.AI_PASSIVE):
        if (family, address) in seen:
            continue
        seen.add((family, address))
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(backlog)
        except OSError:
            sock.close()
            for s in found:
                s.close()
            raise
        sock.set_inheritable(True)
        found.append(sock)
    return found


@dataclass
class _Child:
    role: str  # "web" or "background"
    started: float
    quick_deaths: int = 0


class Supervisor:
    """Forks ``workers`` web processes (``web(sockets)``) and, if given, one background
    process (``background()``); restarts one that dies; stops them all on SIGTERM/SIGINT."""

    def __init__(self, web: Callable[[], int], workers: int, background: Callable[[], int] | None) -> None:
        self._run = {"web": web, **({"background": background} if background else {})}
        self.workers = workers
        self.children: dict[int, _Child] = {}
        self._stopping = False

    def _fork(self, role: str, quick_deaths: int = 0) -> None:
        pid = os.fork()
        if pid == 0:  # the child: default signals, then its role, never back into this loop
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = self._run[role]()
            except KeyboardInterrupt:
                code = 0
            except BaseException:  # noqa: BLE001 - reported, then the process ends
                log.exception("%s worker %d failed", role, os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = _Child(role, time.monotonic(), quick_deaths)
        log.info("started %s worker %d", role, pid)

    def _stop(self, signum: int, frame: object) -> None:
        self._stopping = True

    def run(self) -> int:
        """Until SIGTERM or SIGINT: 0; 1 if a role keeps dying as it starts."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for role in self._run:
            for _ in range(self.workers if role == "web" else 1):
                self._fork(role)
        code = 0
        while not self._stopping:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid, status = 0, 0
            if not pid:
                time.sleep(0.2)
                continue
            child = self.children.pop(pid, None)
            if child is None:
                continue
            _forget_metrics(pid)
            lived = time.monotonic() - child.started
            quick = child.quick_deaths + 1 if lived < QUICK_DEATH else 0
            log.warning("%s worker %d ended (%s) after %.0f s: starting another", child.role, pid,
                        _how(status), lived)
            if quick >= QUICK_DEATHS:
                log.error("%s workers keep ending as they start: stopping (the log above says why)", child.role)
                code = 1
                break
            if quick:
                time.sleep(min(30.0, 0.5 * 2 ** quick))  # a failing start is not retried in a tight loop
            if not self._stopping:
                self._fork(child.role, quick)
        self.stop_all()
        return code

    def stop_all(self) -> None:
        """SIGTERM to every child (each finishes and flushes), SIGKILL after ``STOP_SECONDS``."""
        for pid in self.children:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                self.children.pop(pid, None)
            else:
                time.sleep(0.1)
        for pid in self.children:
            _signal(pid, signal.SIGKILL)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.children.clear()


def _forget_metrics(pid: int) -> None:
    """A dead worker's live gauges leave the sums (prometheus_client's multiprocess mode); its
    counters stay counted."""
    from prometheus_client.multiprocess import mark_process_dead

    from .operations import multiprocess

    if multiprocess():
        mark_process_dead(pid)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def supervise(settings: Settings, *, host: str, port: int, threads: int, workers: int,
              background: bool) -> int:
    """Serve with ``workers`` web processes (and a background one) until stopped.

    :raise WorkersRefused: not a remote store.
    :raise OSError: the address cannot be bound.
    """
    from .server import run_background, serve_one

    check_can_fork(settings, workers)
    if not settings.site_url:  # links in mail lead here
        settings = dataclasses.replace(settings, site_url=f"http://{host}:{port}/")
    logging.basicConfig(level=logging.INFO)
    sockets = listen(host, port)
    print(f"Serving {settings.sparql_query_url} on http://{host}:{port}/ with {workers} web workers"
          f"{' and a background worker' if background else ''} (Ctrl-C stops)", flush=True)
    supervisor = Supervisor(lambda: serve_one(settings, threads=threads, sockets=sockets, background=False),
                            workers, (lambda: run_background(settings)) if background else None)
    try:
        return supervisor.run()
    finally:
        for s in sockets:
            s.close()
