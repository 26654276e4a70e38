"""Health and metrics for machines (issue 17, item 8), under the reserved ``/-/`` prefix.

* ``GET /-/health``: JSON ``{"status": "ok" | "unavailable", "checks": {...}}`` from
  ``Catalogue.operations.health()``; 200 when every check passes, else 503 (a load balancer
  takes the worker out). Never cached, no session read or cookie set.
* ``GET /-/metrics``: Prometheus' text exposition (``prometheus_client``): requests and
  their latency by route *template*, method and status class; ingests by outcome; SHACL
  findings by severity; ``/sparql`` time-outs; the shared response cache's hits, misses
  and size. With ``CATALOGUE_METRICS_TOKEN`` set it asks for ``Authorization: Bearer``.

Each app has its own :class:`prometheus_client.CollectorRegistry` (tests build many apps;
the library's global registry would mix them). Under ``catalogue serve --workers N`` the
CLI sets ``PROMETHEUS_MULTIPROC_DIR`` before the library is imported (its multiprocess mode:
each worker writes its values to files there) and ``/-/metrics`` answers the sum over the
workers, whichever one a scrape reaches; the shared response cache's figures, which live
in each process, are then copied into metrics of its own after each request.
Requests are timed by :class:`TimeRequests`, the outermost WSGI middleware, so shared-cache
hits are counted like the rest; their route is the one Flask matched when the page was
built, which the cache replays as a note.
Labels are bounded: a route is a rule such as ``/sources/<slug>``, never a raw path.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, request_started
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from catalogue.operations import Event, Ingested, QueryTimedOut

from .context import root
from .response_cache import NOTE, SHARED, SharedCache

bp = Blueprint("operations", __name__)
ROUTE_NOTE = NOTE + "route"  # the matched rule, replayed by the shared cache on its hits
UNMATCHED = "(unmatched)"  # no rule matched (404, 405)
OUTSIDE = "(none)"  # answered before Flask routed it (a body over its limit)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
INGEST_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
EXTENSION = "catalogue.metrics"
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # set by `catalogue serve --workers N` (catalogue_cli)
CACHE_HITS = ("catalogue_response_cache_hits", "Anonymous GETs answered from the shared response cache")
CACHE_STORES = ("catalogue_response_cache_stores", "Responses put into the shared response cache")
CACHE_BYTES = ("catalogue_response_cache_bytes", "Bytes of bodies the shared response cache keeps now "
               "(summed over the workers)")
CACHE_MAX = ("catalogue_response_cache_max_bytes", "The shared response cache's limit, per worker "
             "(CATALOGUE_RESPONSE_CACHE_MB; 0: off)")
NO_STORE = {"Cache-Control": "no-store"}


class Metrics:
    """One app's metrics and their registry (thread-safe: waitress's threads share them)."""

    def __init__(self, cache: SharedCache | None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("catalogue_http_requests", "HTTP requests answered, by route template, "
                                "method and status class (2xx...5xx)", ["route", "method", "status"], registry=r)
        self.latency = Histogram("catalogue_http_request_duration_seconds", "Seconds until the app returned "
                                 "its answer (a streamed body's sending not included), by route template and "
                                 "method", ["route", "method"], buckets=LATENCY_BUCKETS, registry=r)
        self.ingests = Counter("catalogue_ingests", "Ingests by outcome: stored, rejected (not stored: the "
                               "dump's problems or a refusal), failed", ["outcome"], registry=r)
        self.ingest_seconds = Histogram("catalogue_ingest_duration_seconds", "Seconds an ingest took, by "
                                        "outcome", ["outcome"], buckets=INGEST_BUCKETS, registry=r)
        self.findings = Counter("catalogue_validation_findings", "SHACL findings reported by ingests, by "
                                "severity", ["severity"], registry=r)
        self.timeouts = Counter("catalogue_sparql_query_timeouts", "Visitor /sparql queries stopped at "
                                "CATALOGUE_SPARQL_TIMEOUT", registry=r)
        self.cache_misses = Counter("catalogue_response_cache_misses", "Shareable responses the app had to "
                                    "build: not (or no longer) in the shared response cache", registry=r)
        for outcome in ("stored", "rejected", "failed"):  # shown at 0 before the first of each
            self.ingests.labels(outcome)
        self.multiprocess = multiprocess()  # fixed when prometheus_client was imported
        # with several workers, the cache's figures copied into metrics after each request
        self.copied_cache = cache if self.multiprocess else None
        self._copied = (0, 0)  # the cache's hits and stores already added to the counters below
        if cache is not None and self.multiprocess:
            self.cache_hits = Counter(*CACHE_HITS, registry=r)
            self.cache_stores = Counter(*CACHE_STORES, registry=r)
            self.cache_bytes = Gauge(*CACHE_BYTES, multiprocess_mode="livesum", registry=r)
            Gauge(*CACHE_MAX, multiprocess_mode="livemax", registry=r).set(cache.max_bytes)
        elif cache is not None:
            r.register(_CacheCollector(cache))

    def exposition(self) -> bytes:
        """The text ``/-/metrics`` answers: this app's metrics, or every worker's summed."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        summed = CollectorRegistry()
        MultiProcessCollector(summed)
        return generate_latest(summed)

    def heard(self, event: Event) -> None:
        """A domain event (``Catalogue.operations.watch``) counted."""
        if isinstance(event, Ingested):
            self.ingests.labels(event.outcome).inc()
            self.ingest_seconds.labels(event.outcome).observe(event.seconds)
            for severity, n in event.findings.items():
                self.findings.labels(severity).inc(n)
        elif isinstance(event, QueryTimedOut):
            self.timeouts.inc()

    def request(self, environ: dict, status: str, seconds: float) -> None:
        route = environ.get(ROUTE_NOTE) or OUTSIDE
        method = environ.get("REQUEST_METHOD", "")
        method = method if method in METHODS else "other"
        self.requests.labels(route, method, f"{status[:1] or '5'}xx").inc()
        self.latency.labels(route, method).observe(seconds)
        if environ.get(SHARED):
            self.cache_misses.inc()
        cache = self.copied_cache
        if cache is not None:
            hits, stores = cache.hits, cache.stores
            self.cache_hits.inc(hits - self._copied[0])
            self.cache_stores.inc(stores - self._copied[1])
            self._copied = (hits, stores)
            self.cache_bytes.set(cache.bytes_kept)


def multiprocess() -> bool:
    """Whether prometheus_client runs in its multiprocess mode (several web workers)."""
    return MULTIPROCESS_DIR in os.environ


class _CacheCollector(Collector):
    """The shared response cache's own counters, read when scraped (one process)."""

    def __init__(self, cache: SharedCache) -> None:
        self.cache = cache

    def collect(self) -> Iterable[Any]:
        yield CounterMetricFamily(*CACHE_HITS, value=self.cache.hits)
        yield CounterMetricFamily(*CACHE_STORES, value=self.cache.stores)
        yield GaugeMetricFamily(*CACHE_BYTES, value=self.cache.bytes_kept)
        yield GaugeMetricFamily(*CACHE_MAX, value=self.cache.max_bytes)


class TimeRequests:
    """WSGI middleware, outermost: every answer counted and timed, cache hits included."""

    def __init__(self, app: Callable, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    def __getattr__(self, name: str) -> Any:
        """The wrapped app's attributes (the shared cache's ``hits``) through this one."""
        return getattr(self.app, name)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        seen = {"status": ""}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.app(environ, capture)
        except BaseException:
            seen["status"] = seen["status"] or "500"
            raise
        finally:
            self.metrics.request(environ, seen["status"], time.perf_counter() - started)


class _NoSessionOnMachineRoutes:
    """The app's session interface, except that ``/-/`` requests get none: they answer while
    the store (which may keep the session's signing key) is down, and never read a cookie,
    set one or add ``Vary: Cookie``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def open_session(self, app: Flask, request: Any) -> Any:
        if request.path.startswith("/-/"):
            return None  # Flask then uses a null session, which it never saves
        return self.inner.open_session(app, request)


def _note_route(sender: Flask, **extra: Any) -> None:
    """Remember which rule matched (``request_started`` comes before any ``before_request``
    hook, so a hook that answers early is still counted under its route)."""
    rule = request.url_rule
    request.environ[ROUTE_NOTE] = rule.rule if rule is not None else UNMATCHED


@bp.get("/-/health")
def health() -> tuple[Response, int, dict[str, str]]:
    """The store reachable, the search index fresh, the background threads alive.

    :return 503: a check failed; its ``reason`` says why."""
    found = root().operations.health()
    # which worker answered: with `serve --workers N` each process is checked by its own answers
    return jsonify(found.as_json()), 200 if found.ok else 503, {**NO_STORE, "X-Catalogue-Process": str(os.getpid())}


@bp.get("/-/metrics")
def metrics() -> Response:
    """Prometheus' text exposition of the metrics (every worker's, summed, under ``--workers N``).

    :return 401: ``CATALOGUE_METRICS_TOKEN`` is set and the request does not bear it."""
    token = root().settings.metrics_token
    if token:
        sent = request.headers.get("Authorization", "")
        scheme, _, value = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return Response("401 Unauthorized: /-/metrics needs 'Authorization: Bearer <CATALOGUE_METRICS_TOKEN>'\n",
                            401, {**NO_STORE, "WWW-Authenticate": 'Bearer realm="metrics"'},
                            mimetype="text/plain")
    return Response(_metrics().exposition(), 200, NO_STORE, content_type=CONTENT_TYPE_LATEST)


def _metrics() -> Metrics:
    found: Metrics = current_app.extensions[EXTENSION]
    return found


def _shared_cache(app: Any) -> SharedCache | None:
    """The shared response cache among the middlewares around ``app`` (each keeps ``.app``)."""
    for _ in range(16):
        if app is None or isinstance(app, SharedCache):
            return app
        app = vars(app).get("app") if hasattr(app, "__dict__") else None
    return None


def init_app(app: Flask) -> None:
    """Register /-/health and /-/metrics and time every request (call it last: the timing
    middleware sits outside the shared cache and the usage counter)."""
    metrics = Metrics(_shared_cache(app.wsgi_app))
    app.extensions[EXTENSION] = metrics
    root(app).operations.watch(metrics.heard)
    request_started.connect(_note_route, app)
    app.session_interface = _NoSessionOnMachineRoutes(app.session_interface)  # type: ignore[assignment]
    app.register_blueprint(bp)
    app.wsgi_app = TimeRequests(app.wsgi_app, metrics)  # type: ignore[method-assign]
