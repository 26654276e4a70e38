"""A source's harvest settings: how it is harvested, checked before anything is written,
configured, cleared and read back with how its last harvest went.

They are triples on the source itself in the registry graph. That graph is public, so a
harvest URL must carry no secret::

    <{base}source/{slug}> cat:harvestURL <https://repo.example.org/adms.ttl> ;
        cat:harvestKind "dump" ;                  # or "sparql": a CONSTRUCT sent to the URL
        cat:harvestQuery "CONSTRUCT ..." ;        # sparql only
        cat:harvestEvery "P1D"^^xsd:duration ;    # days, hours, minutes, seconds
        cat:harvestMode "strict" ;                # or "partial"
        cat:lastHarvestStarted "..."^^xsd:dateTime ;
        cat:lastHarvestEnded "..."^^xsd:dateTime ;
        cat:lastHarvestStatus "stored" ;          # running | stored | rejected | failed
        cat:lastHarvestMessage "Stored: 12 records accepted, 0 rejected." .

Apart from ``run`` (which writes the ``lastHarvest*`` state) because a source's page and
``catalogue harvest configure`` read and write settings without harvesting, and the checks
are plain functions of what a person typed, testable without a store or a network.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urldefrag

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.endpoint.checks import RefusedQuery, check_query
from catalogue.errors import CatalogueError
from catalogue.graphs import Graphs, check_slug
from catalogue.ingest import MODES, InputError
from catalogue.ingest.fetch import check_url as check_fetchable
from catalogue.store import Store
from catalogue.terms import CAT, RDF_TYPE, XSD

log = logging.getLogger(__name__)

KINDS = ("dump", "sparql")
DEFAULT_QUERY = queries.get("harvest_everything").body  # sent when a sparql harvest has none
DEFAULT_EVERY = "P1D"
MIN_EVERY = timedelta(minutes=1)
MAX_URL_CHARS = 2000
MAX_QUERY_CHARS = 4000  # it travels in a GET URL, and servers refuse URLs beyond ~8 KB
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
    if not isinstance(result, ox.QueryTriples) or sparql_wrapper("http://x/", text).queryType != "CONSTRUCT":
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


# reading back, with the last harvest's state (``run`` writes it)


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


# a CONSTRUCT as the SPARQL 1.1 Protocol sends it


def sparql_wrapper(endpoint: str, query: str):
    """SPARQLWrapper's view of a CONSTRUCT sent to ``endpoint`` by GET, asking for Turtle:
    its query type checks a harvest query (:func:`check_harvest_query`), its request is the
    URL a sparql harvest fetches (``run.sparql_request_url``). One builder for both, so what
    is checked is what is sent."""
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

