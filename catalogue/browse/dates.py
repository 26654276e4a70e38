"""Dates as the store holds them (xsd:date, xsd:dateTime, with or without a zone) read as
one comparable kind: an aware datetime, a date at midnight UTC, a naive time as UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pyoxigraph as ox


def parse(term: ox.Literal) -> datetime | None:
    """The instant ``term`` names; None for a literal that is not a date."""
    try:
        value = datetime.fromisoformat(term.value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def newest(terms: Iterable[ox.Literal]) -> datetime | None:
    """The latest of the dates among ``terms`` (None if none is one)."""
    found = [d for d in map(parse, terms) if d is not None]
    return max(found) if found else None
