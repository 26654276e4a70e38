"""HTTP content negotiation (RFC 9110 §12.5.1): q-values, wildcards and specificity.

``choose`` picks, among the media types a resource offers (in the server's order of
preference), the one the client's Accept header rates highest. For each offered type the
*most specific* matching range decides its quality (``text/turtle;q=0`` beats ``text/*``),
``q=0`` means "not acceptable", and ties go to the server's order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: int  # count of parameters other than q: more is more specific

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))

    @property
    def specificity(self) -> tuple[int, int, int]:
        return (self.type != "*", self.subtype != "*", self.params)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The ranges of an Accept header; malformed parts are skipped, a missing header is */*."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        t, _, s = media.partition("/")
        if not t or not s or (t == "*" and s != "*"):
            continue
        q, params = 1.0, 0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name.strip():
                params += 1
        ranges.append(MediaRange(t, s, q, params))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of the most specific matching range."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    best = max(matching, key=lambda r: r.specificity)
    return best.q


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered type to send, or None when nothing offered is acceptable (406).

    Memoised by (header, offered): clients send the same few Accept headers, and parsing
    one is a sizeable part of serving a cached representation."""
    key = (header, tuple(offered))
    try:
        return _chosen[key]
    except KeyError:
        pass
    best = _choose(header, offered)
    if len(_chosen) >= CHOSEN_MAX:
        _chosen.clear()
    _chosen[key] = best
    return best


CHOSEN_MAX = 1024
_chosen: dict[tuple[str | None, tuple[str, ...]], str | None] = {}


def _choose(header: str | None, offered: list[str]) -> str | None:
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for media_type in offered:  # server preference order breaks ties
        q = quality(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best
