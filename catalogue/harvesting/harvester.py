"""Harvesting registered sources: fetch each one's dump or SPARQL endpoint on a schedule and
store what comes back through the ingest pipeline (the only write path).

How a source is harvested, and how its last harvest went, are triples on the source itself
in the registry graph. That graph is public, so a harvest URL must carry no secret::

    <{base}source/{slug}> cat:harvestURL <https://repo.example.org/adms.ttl> ;
        cat:harvestKind "dump" ;                  # or "sparql": a CONSTRUCT sent to the URL
        cat:harvestQuery "CONSTRUCT ..." ;        # sparql only
        cat:harvestEvery "P1D"^^xsd:duration ;    # days, hours, minutes, seconds
        cat:harvestMode "strict" ;                # or "partial"
        cat:lastHarvestStarted "..."^^xsd:dateTime ;
        cat:lastHarvestEnded "..."^^xsd:dateTime ;
        cat:lastHarvestStatus "stored" ;          # running | stored | rejected | failed
        cat:lastHarvestMessage "Stored: 12 records accepted, 0 rejected." .

A harvest first claims its source with one conditional update (status "running"), so two
processes on a shared remote store, or the in-server scheduler and a cron run, never
harvest one source at once. A claim older than :func:`stale_after` belongs to a run whose
process died; the schedule may then start another.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.endpoint.checks import RefusedQuery, check_query
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.formats import UnknownFormatError, rdf_format
from catalogue.graphs import Graphs, check_slug
from catalogue.ingest import MODES, InputError, Report
from catalogue.ingest.fetch import Fetched, fetch, public_url
from catalogue.ingest.fetch import check_url as check_fetchable
from catalogue.settings import Settings
from catalogue.store import Store
from catalogue.terms import CAT, RDF_TYPE, XSD

if TYPE_CHECKING:  # service imports much; importing it lazily keeps this module importable from it
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)

KINDS = ("dump", "sparql")
STATUSES = ("running", "stored", "rejected", "failed")
DEFAULT_QUERY = queries.get("harvest_everything").body  # sent when a sparql harvest has none
DEFAULT_EVERY = "P1D"
MIN_EVERY = timedelta(minutes=1)
MAX_URL_CHARS = 2000
MAX_QUERY_CHARS = 4000  # it travels in a GET URL, and servers refuse URLs beyond ~8 KB
MAX_MESSAGE_CHARS = 600
STALE_AFTER = timedelta(hours=1)  # a validation of a large dump alone can take minutes

SETTING_PREDICATES = (CAT.harvestURL, CAT.harvestKind, CAT.harvestQuery, CAT.harvestEvery,
                      CAT.harvestMode)
END_PREDICATES = (CAT.lastHarvestEnded, CAT.lastHarvestStatus, CAT.lastHarvestMessage)
STATE_PREDICATES = (CAT.lastHarvestStarted, *END_PREDICATES)

_DURATION = re.compile(
    r"^P(?!$)(?:(\d{1,5})D)?(?:T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,8})S)?)?$")


class HarvestConfigError(CatalogueError, ValueError):
    """A harvest setting is unusable, or a source has none; the message says which and why."""


@dataclass(frozen=True)
class HarvestSettings:
    """How a source is harvested and (``started``...``message``) how its last harvest went."""

    slug: str
    url: str
    kind: str
    every: timedelta
    mode: str
    query: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    status: str | None = None
    message: str | None = None

    @property
    def every_text(self) -> str:
        return format_every(self.every)

    @property
    def next_due(self) -> datetime | None:
        """When the schedule next asks for a harvest (``None``: never harvested, so now)."""
        return self.started + self.every if self.started else None

    def is_due(self, now: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
        if self.started is None:
            return True
        if self.status == "running" and now - self.started < stale_after:
            return False
        return self.started + self.every <= now

    def as_json(self) -> dict:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {"source": self.slug, "url": self.url, "kind": self.kind, "query": self.query,
                "every": self.every_text, "mode": self.mode, "started": iso(self.started),
                "ended": iso(self.ended), "status": self.status, "message": self.message,
                "next_due": iso(self.next_due)}


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


# checking settings


def parse_every(text: str) -> timedelta:
    """An ISO 8601 duration in days, hours, minutes and seconds (``PT6H``, ``P1D``,
    ``P1DT12H``); months and years are refused, their length varies.

    :raise HarvestConfigError: not such a duration, or under a minute.
    """
    m = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if not m:
        raise HarvestConfigError(
            f"schedule {text!r} is not an ISO 8601 duration in days, hours, minutes or seconds "
            "(e.g. PT6H, P1D, P1DT12H)")
    days, hours, minutes, seconds = (int(g or 0) for g in m.groups())
    every = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if every < MIN_EVERY:
        raise HarvestConfigError(f"schedule {text!r} is shorter than a minute")
    return every


def format_every(every: timedelta) -> str:
    """The canonical xsd:duration (as Oxigraph writes it back: ``PT24H`` is ``P1D``)."""
    days, rest = divmod(int(every.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


def check_url(url: str) -> str:
    """An absolute http(s) URL without credentials (the registry graph is public).

    Whether its host is private is checked when it is fetched (addresses change).

    :raise HarvestConfigError: otherwise.
    """
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        raise HarvestConfigError(f"harvest URL {url!r} is not an absolute http(s) URL "
                                 f"of at most {MAX_URL_CHARS} characters")
    try:
        check_fetchable(url)  # the same check as uploads' URLs: form, scheme, no credentials
    except InputError as exc:
        raise HarvestConfigError(f"harvest URL: {exc.message} (the registry graph, where it is "
                                 "kept, is public too)") from None
    try:
        ox.NamedNode(url)
    except ValueError as exc:
        raise HarvestConfigError(f"harvest URL {url!r} is not a valid IRI: {exc}") from None
    return url


def check_harvest_query(text: str) -> str:
    """A CONSTRUCT query with no SERVICE and no update, checked before it is stored.

    Parsed by Oxigraph, the parser every other query here goes through (rdflib's refuses
    some valid SPARQL 1.1). ``Store().query`` parses and plans, and returns a lazy iterator
    that is never consumed, so nothing is evaluated; SERVICE is refused before that, as the
    public endpoint refuses it (a harvest reads that endpoint's own data, it must not make
    it call other hosts).

    :raise HarvestConfigError: too long, refused, does not parse, or not a CONSTRUCT.
    """
    if not isinstance(text, str) or not text.strip():
        raise HarvestConfigError("the harvest query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise HarvestConfigError(
            f"the harvest query is longer than {MAX_QUERY_CHARS} characters (it is sent in a URL)")
    try:
        check_query(text)
    except RefusedQuery:
        raise HarvestConfigError(
            "the harvest query must be a plain CONSTRUCT: SERVICE (which would make the "
            "endpoint call other hosts) and updates are refused") from None
    try:
        result = ox.Store().query(text)
    except SyntaxError as exc:
        raise HarvestConfigError(f"the harvest query does not parse: {exc}") from None
    if not isinstance(result, ox.QueryTriples) or _wrapper("http://x/", text).queryType != "CONSTRUCT":
        raise HarvestConfigError("the harvest query must be a CONSTRUCT query")
    return text


def check_settings(
    slug: str, url: str, kind: str = "dump", every: str | timedelta = DEFAULT_EVERY,
    mode: str = "strict", query: str | None = None,
) -> HarvestSettings:
    """:raise HarvestConfigError: (or SlugError) any setting is unusable."""
    check_slug(slug)
    if kind not in KINDS:
        raise HarvestConfigError(f"harvest kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if mode not in MODES:
        raise HarvestConfigError(f"harvest mode must be one of {', '.join(MODES)}, got {mode!r}")
    if query is not None and kind != "sparql":
        raise HarvestConfigError("a harvest query goes with the sparql kind only")
    interval = every if isinstance(every, timedelta) else parse_every(every)
    if interval < MIN_EVERY:
        raise HarvestConfigError("the schedule is shorter than a minute")
    query = check_harvest_query(query or DEFAULT_QUERY) if kind == "sparql" else None
    return HarvestSettings(slug, check_url(url), kind, interval, mode, query)


# the registry: one update each, from pyoxigraph-serialised terms


def configure_harvest(
    store: Store, graphs: Graphs, slug: str, url: str, kind: str = "dump",
    every: str | timedelta = DEFAULT_EVERY, mode: str = "strict", query: str | None = None,
) -> HarvestSettings:
    """Set (replace) how a source is harvested; registers the source if it is new.

    The last harvest's state is kept.

    :raise HarvestConfigError: (or SlugError) a setting is unusable; nothing is written.
    """
    hs = check_settings(slug, url, kind, every, mode, query)
    store.update(configure_update(graphs, hs))
    return hs


def configure_update(graphs: Graphs, hs: HarvestSettings) -> str:
    src = graphs.source_resource(hs.slug)
    triples = [
        ox.Triple(src, RDF_TYPE, CAT.Source),
        ox.Triple(src, CAT.slug, ox.Literal(hs.slug)),
        ox.Triple(src, CAT.harvestURL, ox.NamedNode(hs.url)),
        ox.Triple(src, CAT.harvestKind, ox.Literal(hs.kind)),
        ox.Triple(src, CAT.harvestEvery, ox.Literal(hs.every_text, datatype=XSD.duration)),
        ox.Triple(src, CAT.harvestMode, ox.Literal(hs.mode)),
    ]
    if hs.query is not None:
        triples.append(ox.Triple(src, CAT.harvestQuery, ox.Literal(hs.query)))
    return updates.text("harvest_configure", registry=graphs.registry, source=src,
                        predicate=SETTING_PREDICATES, data=triples)


def clear_harvest(store: Store, graphs: Graphs, slug: str) -> None:
    """Stop harvesting a source: remove its harvest settings and state (not its data)."""
    updates.run(store, "harvest_clear", registry=graphs.registry,
                source=graphs.source_resource(check_slug(slug)),
                predicate=SETTING_PREDICATES + STATE_PREDICATES)


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


def harvest_settings(store: Store, graphs: Graphs) -> list[HarvestSettings]:
    """Every source with a harvest configured, by slug, with its last harvest's state."""
    out: dict[str, HarvestSettings] = {}
    for row in queries.select(store, "harvest_settings", registry=graphs.registry):
        slug = row["slug"].value
        if slug in out:
            continue
        try:
            out[slug] = _from_row(row)
        except (HarvestConfigError, ValueError) as exc:  # written by hand? skip, never stop cron
            log.warning("source %s: unusable harvest settings in the registry: %s", slug, exc)
    return list(out.values())


def harvest_state(store: Store, graphs: Graphs, slug: str) -> HarvestSettings | None:
    """One source's harvest settings and last state (for its page), or None if it has none."""
    return next((s for s in harvest_settings(store, graphs) if s.slug == slug), None)


def _from_row(row: dict) -> HarvestSettings:
    def text(name: str) -> str | None:
        return row[name].value if name in row else None

    def when(name: str) -> datetime | None:
        if name not in row:
            return None
        value = datetime.fromisoformat(row[name].value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)  # ours are always UTC

    return HarvestSettings(
        slug=row["slug"].value, url=row["url"].value, kind=row["kind"].value,
        every=parse_every(row["every"].value), mode=row["mode"].value, query=text("query"),
        started=when("started"), ended=when("ended"), status=text("status"),
        message=text("message"))


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
    report = catalogue.ingest(hs.slug, got.data, format=_format_of(got), filename=_filename(hs, got),
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
    wrapper = _wrapper(endpoint, query)
    return wrapper._createRequest().full_url  # the request half of SPARQLWrapper (pinned 2.0.0)


def _wrapper(endpoint: str, query: str):
    from SPARQLWrapper import GET, TURTLE, SPARQLWrapper

    base, _, params = urldefrag(endpoint)[0].partition("?")
    wrapper = SPARQLWrapper(base)
    for name, value in parse_qsl(params, keep_blank_values=True):  # e.g. default-graph-uri
        wrapper.addParameter(name, value)  # a "query" parameter is ignored
    wrapper.setQuery(query)
    wrapper.setMethod(GET)
    wrapper.setReturnFormat(TURTLE)
    wrapper.setOnlyConneg(True)  # content negotiation only, no format=/output= parameters
    return wrapper


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


# the in-server scheduler (the embedded store admits one process: cron cannot run beside it)


class Scheduler:
    """A daemon thread running :func:`harvest_due` every ``interval`` seconds; ``stop()``."""

    def __init__(self, catalogue: Catalogue, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        if interval > 0:
            self.thread = threading.Thread(target=self._loop, args=(catalogue,),
                                           name="catalogue-harvest", daemon=True)
            self.thread.start()

    def _loop(self, catalogue: Catalogue) -> None:
        while not self._stop.is_set():
            try:
                for o in harvest_due(catalogue):
                    log.info("harvest of source %s: %s. %s", o.slug, o.status, o.message)
            except Exception:  # noqa: BLE001 - e.g. the store briefly unreachable: try next time
                log.exception("scheduled harvest failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current harvest (waiting at most ``timeout`` seconds for it)."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def start_scheduler(catalogue: Catalogue, interval_seconds: float) -> Scheduler:
    """Harvest due sources from inside the server every ``interval_seconds`` (0: off, the
    returned handle then does nothing)."""
    return Scheduler(catalogue, interval_seconds)
