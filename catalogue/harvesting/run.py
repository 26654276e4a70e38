"""Harvesting: one source (:func:`harvest_source`) or every due one (:func:`harvest_due`).
A run claims its source, fetches its dump or its endpoint's answer to a CONSTRUCT under the
fetch rules, stores what comes back through the ingest pipeline (the only write path) and
records how it ended on the source; every failure is an outcome, never raised.

A harvest first claims its source with one conditional update (status "running"), so two
processes on a shared remote store, or the in-server scheduler and a cron run, never
harvest one source at once. A claim older than :func:`stale_after` belongs to a run whose
process died; the schedule may then start another.

Apart from ``settings`` (what is harvested, how often: read and written by the source page
and ``catalogue harvest configure`` without any run) and from ``scheduler`` (the thread a
server harvests in; the command line runs this module's functions once, from cron).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pyoxigraph as ox

from catalogue import updates
from catalogue.errors import ErrorKind
from catalogue.formats import UnknownFormatError, rdf_format
from catalogue.graphs import Graphs, check_slug
from catalogue.harvesting.settings import (
    DEFAULT_QUERY,
    END_PREDICATES,
    STALE_AFTER,
    STATE_PREDICATES,
    HarvestConfigError,
    HarvestSettings,
    harvest_settings,
    harvest_state,
    sparql_wrapper,
)
from catalogue.ingest import InputError, Report
from catalogue.ingest.fetch import Fetched, fetch, public_url
from catalogue.settings import Settings
from catalogue.terms import CAT, XSD

if TYPE_CHECKING:  # app imports much; importing it lazily keeps this module importable from it
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

STATUSES = ("running", "stored", "rejected", "failed")  # a source's cat:lastHarvestStatus
MAX_MESSAGE_CHARS = 600


@dataclass
class HarvestOutcome:
    """One harvest's result; ``skipped``: another run held the source, nothing was done."""

    slug: str
    status: str  # stored | rejected | failed | skipped
    message: str
    url: str
    report: Report | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("stored", "skipped")

    def as_json(self) -> dict:
        return {"source": self.slug, "status": self.status, "message": self.message,
                "url": self.url, "report": self.report.as_json() if self.report else None}


# the run's state on its source: a claim, then how it ended


def _datetime(value: datetime) -> ox.Literal:
    return ox.Literal(value.astimezone(UTC).isoformat(), datatype=XSD.dateTime)


def claim_update(graphs: Graphs, slug: str, started: datetime, stale: timedelta, message: str) -> str:
    """Mark a harvest running, unless one started less than ``stale`` ago still is, and
    only while the source is configured: one transaction, so of two claimants one wins."""
    src = graphs.source_resource(slug)
    state = [ox.Triple(src, CAT.lastHarvestStarted, _datetime(started)),
             ox.Triple(src, CAT.lastHarvestStatus, ox.Literal("running")),
             ox.Triple(src, CAT.lastHarvestMessage, ox.Literal(message))]
    return updates.text("harvest_claim", registry=graphs.registry, source=src,
                        stale=_datetime(started - stale), predicate=STATE_PREDICATES, data=state)


def finish_update(graphs: Graphs, slug: str, started: datetime, status: str, message: str) -> str:
    """Record how the run that started at ``started`` ended (if no other run took over)."""
    src = graphs.source_resource(slug)
    state = [ox.Triple(src, CAT.lastHarvestEnded, _datetime(datetime.now(UTC))),
             ox.Triple(src, CAT.lastHarvestStatus, ox.Literal(status)),
             ox.Triple(src, CAT.lastHarvestMessage, ox.Literal(message))]
    return updates.text("harvest_finish", registry=graphs.registry, source=src,
                        started=_datetime(started), predicate=END_PREDICATES, data=state)


# the schedule


def stale_after(settings: Settings) -> timedelta:
    """How old a "running" claim must be to be taken for a dead run's."""
    return max(STALE_AFTER, timedelta(seconds=2 * settings.fetch_deadline))


def due(
    settings_list: Sequence[HarvestSettings], now: datetime, *, stale_after: timedelta = STALE_AFTER,
) -> list[HarvestSettings]:
    """The sources to harvest at ``now``: never harvested, or last started at least their
    ``every`` ago (a fixed cadence, however long runs take); one still running is left
    alone unless it started more than ``stale_after`` ago."""
    return [s for s in settings_list if s.is_due(now, stale_after)]


# harvesting


def harvest_due(catalogue: Catalogue, now: datetime | None = None) -> list[HarvestOutcome]:
    """Harvest every due source, one after the other. Fetch errors, unreadable data and
    rejections are outcomes (recorded on each source), never raised."""
    now = now or datetime.now(UTC)
    todo = due(harvest_settings(catalogue.store, catalogue.graphs), now,
               stale_after=stale_after(catalogue.settings))
    outcomes = []
    for hs in todo:
        try:
            outcomes.append(harvest_source(catalogue, hs.slug))
        except HarvestConfigError:  # its harvest was cleared since the list was read
            continue
    return outcomes


def harvest_source(catalogue: Catalogue, slug: str) -> HarvestOutcome:
    """Fetch one source's data and ingest it, recording "running", then the outcome, on
    the source. Errors are the outcome (a status and a sentence), not raised.

    :raise HarvestConfigError: the source has no harvest configured.
    """
    store, graphs = catalogue.store, catalogue.graphs
    hs = harvest_state(store, graphs, check_slug(slug))
    if hs is None:
        raise HarvestConfigError(
            f"source {slug!r} has no harvest configured (catalogue harvest configure {slug} --url URL)",
            error_kind=ErrorKind.NOT_FOUND)
    started = datetime.now(UTC)
    store.update(claim_update(graphs, slug, started, stale_after(catalogue.settings),
                              f"Fetching {hs.url}"))
    claimed = harvest_state(store, graphs, slug)
    if claimed is None or claimed.status != "running" or claimed.started != started:
        return HarvestOutcome(slug, "skipped", "Another harvest of this source is running.", hs.url)
    try:
        status, message, report = _run(catalogue, hs)
    except Exception as exc:  # noqa: BLE001 - recorded and logged: a cron run goes on
        log.exception("harvest of source %s failed", slug)
        status, message, report = "failed", _sentence(
            f"Nothing stored: the harvest stopped on an unexpected error ({type(exc).__name__}: {exc})"), None
    try:
        store.update(finish_update(graphs, slug, started, status, message))
    except Exception:  # noqa: BLE001 - the outcome is returned; the claim goes stale
        log.exception("could not record the outcome of the harvest of source %s", slug)
    return HarvestOutcome(slug, status, message, hs.url, report)


def _run(catalogue: Catalogue, hs: HarvestSettings) -> tuple[str, str, Report | None]:
    try:
        got = download(hs, catalogue.settings)
    except InputError as exc:  # refused address, network, HTTP status, over the size limit
        return "failed", _sentence(f"Nothing stored: {exc}"), None
    report = catalogue.publishing.ingest(hs.slug, got.data, format=_format_of(got), filename=_filename(hs, got),
                              mode=hs.mode, origin=public_url(hs.url))
    return (*_judged(report), report)


def download(hs: HarvestSettings, settings: Settings) -> Fetched:
    """The source's dump, or its endpoint's answer to the CONSTRUCT, under the fetch limits
    (http(s) only, each redirect hop's host checked, size cap, time limit).

    :raise InputError: refused, unreachable, HTTP error, or too large.
    """
    url = hs.url if hs.kind == "dump" else sparql_request_url(hs.url, hs.query or DEFAULT_QUERY)
    return fetch(url, max_bytes=settings.max_upload_bytes, timeout=settings.fetch_timeout,
                 allow_private=settings.allow_private_urls, deadline=settings.fetch_deadline)


def sparql_request_url(endpoint: str, query: str) -> str:
    """The SPARQL 1.1 Protocol GET request of a CONSTRUCT, as SPARQLWrapper builds it.

    SPARQLWrapper does not send it: its ``query()`` reads through urllib, which follows
    redirects without our address check at each hop and cannot cap the answer's size. The
    URL is fetched like any dump (see :func:`download`), asking for Turtle first.
    """
    wrapper = sparql_wrapper(endpoint, query)
    return wrapper._createRequest().full_url  # the request half of SPARQLWrapper (pinned 2.0.0)



def _format_of(got: Fetched) -> str | None:
    """The served media type if it names an RDF format; else the name or content decides."""
    if got.media_type:
        try:
            return rdf_format(got.media_type).name
        except UnknownFormatError:
            pass
    return None


def _filename(hs: HarvestSettings, got: Fetched) -> str | None:
    if hs.kind != "dump":
        return None
    return urlsplit(got.url).path.rsplit("/", 1)[-1] or None


def _judged(report: Report) -> tuple[str, str]:
    if report.stored:
        quarantined = " (quarantined, not published)" if report.rejected else ""
        return "stored", (f"Stored: {report.accepted} records accepted, "
                          f"{report.rejected} rejected{quarantined}.")
    if report.error is not None:
        return "rejected", _sentence(f"Nothing stored: the data could not be read: {report.error}")
    if not report.records:
        return "rejected", "Nothing stored: the data holds no records."
    first = next((f for f in report.findings if f.severity == "Violation"), None)
    problem = f" First problem: {first.message} (on {first.focus})" if first else ""
    return "rejected", _sentence(
        f"Nothing stored: {report.rejected} of {len(report.records)} records do not conform "
        f"({report.mode} mode).{problem}")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"
    return text if text.endswith((".", "…")) else text + "."

