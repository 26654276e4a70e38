"""Events as iCalendar (RFC 5545), with the ``icalendar`` library: one event's ``.ics``, or a
collection's calendar feed.

Times are written in the event's own time zone (``DTSTART;TZID=Europe/Brussels``) with a
``VTIMEZONE`` for it, so a calendar program shows the local time the organisers chose and
moves it right across daylight-saving changes; the ``UID`` is the item's PURI, stable
across edits, and ``SEQUENCE`` grows with each revision so an import updates, not
duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar

from catalogue.community.content_model import Item

PRODID = "-//catalogue//community events//EN"


def _event(item: Item, page_url: str, sequence: int) -> icalendar.Event:
    assert item.start is not None and item.end is not None  # events always have both
    zone = ZoneInfo(item.timezone or "UTC")
    event = icalendar.Event()
    event.add("uid", item.iri)
    event.add("summary", item.title)
    event.add("dtstamp", item.modified or datetime.now(UTC))
    event.add("dtstart", item.start.astimezone(zone))
    event.add("dtend", item.end.astimezone(zone))
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    event.add("url", item.online_url or page_url)
    if item.created is not None:
        event.add("created", item.created)
    if item.modified is not None:
        event.add("last-modified", item.modified)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if item.state == "archived" else "CONFIRMED")
    return event


def calendar(items: Iterable[tuple[Item, str, int]], name: str) -> bytes:
    """An iCalendar file of ``(event, its page's URL, revision count)``, named ``name``."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for item, url, sequence in items:
        cal.add_component(_event(item, url, sequence))
    cal.add_missing_timezones()
    return cal.to_ical()
