"""A community content item as data: its kinds and states, its RDF (schema.org, SIOC, DCMI,
DCAT, SPDX), and the checks a form's fields pass before anything is written.

Vocabulary (issue 15's shared design): every item is a ``cat:ContentItem`` and one of
``schema:NewsArticle`` (news), ``schema:Event`` (event), ``sioc:Thread`` (discussion),
``sioc:Post`` (a reply in a discussion), ``foaf:Document`` (document), ``schema:WebPage``
(page); ``dct:title``, ``dct:description`` (Markdown source), ``sioc:has_container``,
``dct:creator``, ``dct:created``, ``dct:modified``, ``dct:issued`` (when first published;
all ``xsd:dateTime`` in UTC), ``cat:state`` and ``cat:featured``. Events add
``schema:startDate``/``schema:endDate`` (with the offset of their zone), ``cat:timeZone``
(an IANA name), ``schema:location`` and/or ``schema:url``; documents ``dcat:downloadURL``,
``dcat:mediaType``, ``dcat:byteSize``, ``spdx:checksum`` and ``cat:fileName``, or
``foaf:page`` (a link); replies ``sioc:reply_of``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pyoxigraph as ox

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.terms import CAT, DCAT, DCT, FOAF, RDF_TYPE, SPDX, XSD, Namespace

SCHEMA = Namespace("http://schema.org/")
SIOC = Namespace("http://rdfs.org/sioc/ns#")

KINDS = {"news": SCHEMA.NewsArticle, "event": SCHEMA.Event, "discussion": SIOC.Thread,
         "document": FOAF.Document, "page": SCHEMA.WebPage, "reply": SIOC.Post}
BY_TYPE = {t.value: k for k, t in KINDS.items()}
IN_COLLECTION = ("news", "event", "discussion", "document", "page")
IN_SOLUTION = ("news", "event")
STATES = ("draft", "proposed", "published", "archived")
PUBLIC_STATES = ("published", "archived")
MAX_TITLE = 200
MAX_TEXT = 50_000
MAX_PLACE = 300
MAX_URL = 2000
IDENT = re.compile(r"^[0-9a-f]{12}$")


class ContentError(CatalogueError, ValueError):
    """A content item that cannot be written or shown: bad input (``field`` names the form's
    field), not found (also what others' drafts look like), forbidden, or a conflict (a
    state change that does not apply to the item's state)."""

    def __init__(self, message: str, *, field: str | None = None, error_kind: ErrorKind | None = None) -> None:
        super().__init__(message, error_kind=error_kind)
        self.field = field


@dataclass(frozen=True)
class Item:
    iri: str
    ident: str
    kind: str
    title: str
    description: str
    container: str
    creator: str  # the account's IRI
    state: str
    created: datetime | None = None
    modified: datetime | None = None
    issued: datetime | None = None
    featured: bool = False
    reply_of: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    timezone: str | None = None
    location: str | None = None
    online_url: str | None = None
    # documents: a file kept here, or a link
    sha256: str | None = None
    media_type: str | None = None
    byte_size: int | None = None
    filename: str | None = None
    link: str | None = None
    refusal: str | None = None  # why a facilitator sent it back to draft

    @property
    def public(self) -> bool:
        return self.state in PUBLIC_STATES

    def creator_name(self, base: str) -> str:
        """The username in the creator's IRI (``{base}user/{name}``)."""
        return self.creator.removeprefix(f"{base}user/")


@dataclass(frozen=True)
class Fields:
    """A form's fields, checked (:func:`check_fields`)."""

    title: str
    description: str
    start: datetime | None = None
    end: datetime | None = None
    timezone: str | None = None
    location: str | None = None
    online_url: str | None = None
    link: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _dt(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def utc(value: datetime) -> ox.Literal:
    """An instant as ``xsd:dateTime`` in UTC (what feeds and digests compare)."""
    return _dt(value.astimezone(UTC))


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _when(term: ox.Literal) -> datetime | None:
    try:
        value = datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def checksum_node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(f"{iri}#checksum")


def triples(item: Item, download: str | None) -> list[ox.Triple]:
    """The item's description (``download``: the PURI of its file, for a stored document)."""
    s = ox.NamedNode(item.iri)
    out = [ox.Triple(s, RDF_TYPE, CAT.ContentItem), ox.Triple(s, RDF_TYPE, KINDS[item.kind]),
           ox.Triple(s, DCT.title, ox.Literal(item.title)),
           ox.Triple(s, DCT.description, ox.Literal(item.description)),
           ox.Triple(s, SIOC.has_container, ox.NamedNode(item.container)),
           ox.Triple(s, DCT.creator, ox.NamedNode(item.creator)),
           ox.Triple(s, CAT.state, ox.Literal(item.state))]
    for prop, when in ((DCT.created, item.created), (DCT.modified, item.modified), (DCT.issued, item.issued)):
        if when is not None:
            out.append(ox.Triple(s, prop, utc(when)))
    if item.featured:
        out.append(ox.Triple(s, CAT.featured, ox.Literal(True)))
    if item.reply_of:
        out.append(ox.Triple(s, SIOC.reply_of, ox.NamedNode(item.reply_of)))
    if item.start is not None and item.end is not None:
        out += [ox.Triple(s, SCHEMA.startDate, _dt(item.start)), ox.Triple(s, SCHEMA.endDate, _dt(item.end)),
                ox.Triple(s, CAT.timeZone, ox.Literal(item.timezone or "UTC"))]
    if item.location:
        out.append(ox.Triple(s, SCHEMA.location, ox.Literal(item.location)))
    if item.online_url:
        out.append(ox.Triple(s, SCHEMA.url, ox.NamedNode(item.online_url)))
    if item.link:
        out.append(ox.Triple(s, FOAF.page, ox.NamedNode(item.link)))
    if item.sha256 and download:
        c = checksum_node(item.iri)
        out += [ox.Triple(s, DCAT.downloadURL, ox.NamedNode(download)),
                ox.Triple(s, DCAT.mediaType, ox.Literal(item.media_type or "application/octet-stream")),
                ox.Triple(s, DCAT.byteSize, ox.Literal(str(item.byte_size or 0), datatype=XSD.nonNegativeInteger)),
                ox.Triple(s, CAT.fileName, ox.Literal(item.filename or "document")),
                ox.Triple(s, SPDX.checksum, c),
                ox.Triple(c, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
                ox.Triple(c, SPDX.checksumValue, ox.Literal(item.sha256))]
    if item.refusal:
        out.append(ox.Triple(s, CAT.refusalNote, ox.Literal(item.refusal)))
    return out


def parse(rows: Iterable[tuple[str, str, str, ox.NamedNode | ox.Literal | ox.BlankNode]],
          base: str) -> dict[str, Item]:
    """Items from ``(item IRI, subject IRI, predicate IRI, object)`` rows (the content
    queries' ``?item ?s ?p ?o``), by IRI; rows of what is not a whole item are skipped."""
    grouped: dict[str, dict[str, list]] = {}
    for iri, subject, predicate, obj in rows:
        key = predicate if subject == iri else "checksum:" + predicate
        grouped.setdefault(iri, {}).setdefault(key, []).append(obj)
    out: dict[str, Item] = {}
    for iri, props in grouped.items():
        found = _item(iri, props, base)
        if found is not None:
            out[iri] = found
    return out


def _item(iri: str, p: dict[str, list], base: str) -> Item | None:
    def one(prop: ox.NamedNode) -> str | None:
        values = p.get(prop.value)
        return values[0].value if values else None

    def when(prop: ox.NamedNode) -> datetime | None:
        values = p.get(prop.value)
        return _when(values[0]) if values and isinstance(values[0], ox.Literal) else None

    kinds = [BY_TYPE[t.value] for t in p.get(RDF_TYPE.value, []) if t.value in BY_TYPE]
    title, container, creator, state = one(DCT.title), one(SIOC.has_container), one(DCT.creator), one(CAT.state)
    if not kinds or title is None or container is None or creator is None or state not in STATES:
        return None
    size = one(DCAT.byteSize)
    return Item(
        iri=iri, ident=iri.removeprefix(f"{base}content/"), kind=kinds[0], title=title,
        description=one(DCT.description) or "", container=container, creator=creator, state=state or "draft",
        created=when(DCT.created), modified=when(DCT.modified), issued=when(DCT.issued),
        featured=one(CAT.featured) == "true", reply_of=one(SIOC.reply_of),
        start=when(SCHEMA.startDate), end=when(SCHEMA.endDate), timezone=one(CAT.timeZone),
        location=one(SCHEMA.location), online_url=one(SCHEMA.url),
        sha256=(p.get("checksum:" + SPDX.checksumValue.value) or [None])[0] and
        p["checksum:" + SPDX.checksumValue.value][0].value,
        media_type=one(DCAT.mediaType), byte_size=int(size) if size and size.isdigit() else None,
        filename=one(CAT.fileName), link=one(FOAF.page), refusal=one(CAT.refusalNote))


# checking a form's fields

def _url(value: str, name: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > MAX_URL or " " in value:
        raise ContentError(f"the {name} must be an http or https address (e.g. https://example.org/meeting), "
                           f"at most {MAX_URL} characters", field=name)
    try:
        ox.NamedNode(value)
    except ValueError:
        raise ContentError(f"the {name} is not a valid address", field=name) from None
    return value


def _zone(name: str) -> ZoneInfo:
    name = name.strip()
    if not name or name not in _zones():
        raise ContentError(f"{name!r} is not a time zone: choose one such as Europe/Brussels", field="timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContentError(f"{name!r} is not a time zone: choose one such as Europe/Brussels",
                           field="timezone") from None


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def zone_names() -> list[str]:
    """The IANA time zones a form offers, sorted."""
    return sorted(z for z in _zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))


def _local(value: str, zone: ZoneInfo, name: str) -> datetime:
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ContentError(f"the {name} must be a date and time such as 2027-03-15T09:30", field=name) from None
    if local.tzinfo is not None:
        local = local.replace(tzinfo=None)
    if not 1900 < local.year < 2200:
        raise ContentError(f"the {name} must be a date between 1901 and 2199", field=name)
    return local.replace(tzinfo=zone)


def check_fields(kind: str, form: dict[str, str], *, has_file: bool = False) -> Fields:
    """The fields of a ``kind`` item from a form (strings by name), checked.

    :raise ContentError: a missing or malformed field (``field`` names it): a title of
        1-200 characters, text up to 50,000; an event's start and end as local date-times
        with an IANA zone, the end after the start, a place or an online link; a document's
        file or link.
    """
    title = " ".join((form.get("title") or "").split())
    if kind == "reply":
        title = title or "Re:"
    if not title or len(title) > MAX_TITLE:
        raise ContentError(f"give a title of 1 to {MAX_TITLE} characters", field="title")
    text = (form.get("description") or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise ContentError(f"the text is too long: at most {MAX_TEXT:,} characters", field="description")
    if kind in ("reply", "discussion") and not text:
        raise ContentError("write something", field="description")
    out = Fields(title, text)
    if kind == "event":
        zone = _zone(form.get("timezone") or "")
        start = _local(form.get("start") or "", zone, "start")
        end = _local(form.get("end") or "", zone, "end")
        if end <= start:
            raise ContentError("the event must end after it starts", field="end")
        place = " ".join((form.get("location") or "").split())
        if len(place) > MAX_PLACE:
            raise ContentError(f"the place is too long: at most {MAX_PLACE} characters", field="location")
        online = _url(form.get("online_url") or "", "online_url")
        if not place and not online:
            raise ContentError("give the place, an online link, or both", field="location")
        out = replace(out, start=start, end=end, timezone=zone.key, location=place or None, online_url=online)
    if kind == "document":
        link = _url(form.get("link") or "", "link")
        if not has_file and not link:
            raise ContentError("choose a file to upload, or give a link to the document", field="file")
        out = replace(out, link=None if has_file else link)
    return out
