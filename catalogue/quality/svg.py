"""Charts as SVG written on the server: no script, no library, nothing fetched.

Two kinds, enough for the quality dashboards: a horizontal bar chart (a distribution, the
dimensions against their maxima, sources ranked) and a line chart over time (a trend, the
catalogue's growth), each with axes and labels. Every chart is an ``<svg role="img">``
named by its ``<title>`` and ``<desc>`` (``aria-labelledby``), sized by its ``viewBox``
alone so it scales to the width it is given (a phone's 390 px as a desktop's column), with
every text escaped here. Colours are the site's level colours (``webapp/static/site.css``:
``--ok``, ``--warn``, ``--bad``, ``--accent``); the words are the caller's, already in the
reader's language. The same numbers belong in a table beside the chart: a chart is never
the only way to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

# the site's tokens (site.css :root), by level: a colour is never the only sign of a level
COLOURS = {"excellent": "#1a7f37", "good": "#1a7f37", "fair": "#8a5a00", "poor": "#b42318",
           "insufficient": "#b42318", "": "#0b4f94"}
TRACK = "#f3f5f8"  # --surface
LINE = "#c3ccd5"  # --line
TEXT = "#1b1f24"  # --fg
MUTED = "#4f5964"  # --muted
WIDTH = 400  # viewBox units: about the width of a phone, so a 14-unit text stays readable
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the reader reads it ("73.4 of 100", "12")
    maximum: float | None = None  # a bar's own scale (a dimension's weight), drawn as its track
    level: str = ""  # colours the bar (COLOURS)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(ident: str, title: str, desc: str, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'aria-labelledby="{_e(ident)}-title {_e(ident)}-desc" {FONT} font-size="13">',
            f'<title id="{_e(ident)}-title">{_e(title)}</title>',
            f'<desc id="{_e(ident)}-desc">{_e(desc)}</desc>']


def bar_chart(ident: str, bars: Sequence[Bar], *, title: str, desc: str, scale: float | None = None) -> str:
    """Horizontal bars, one a row: the label on the left (shortened; whole in the bar's
    tooltip), the bar, the value as ``shown``. A bar's length is ``value`` over its own
    ``maximum``, else over ``scale``, else over the largest value.

    ``ident`` makes the ids of the title and description unique in the page.
    """
    row, label_w, value_w, top = 30, 130, 70, 8
    bar_w = WIDTH - label_w - value_w - 8
    height = top * 2 + row * max(len(bars), 1)
    largest = scale or max((b.value for b in bars), default=0) or 1
    out = _open(ident, title, desc, height)
    for i, b in enumerate(bars):
        y = top + i * row
        of = b.maximum or largest
        length = 0.0 if of <= 0 else max(0.0, min(1.0, b.value / of)) * bar_w
        out.append(f'<g><title>{_e(b.label)}: {_e(b.shown)}</title>')
        out.append(f'<text x="{label_w - 6}" y="{y + 19}" text-anchor="end" fill="{TEXT}">{_e(_short(b.label, 18))}</text>')
        if b.maximum:
            out.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="18" fill="{TRACK}" stroke="{LINE}"/>')
        out.append(f'<rect x="{label_w}" y="{y + 5}" width="{length:.1f}" height="18" '
                   f'fill="{COLOURS.get(b.level, COLOURS[""])}"/>')
        out.append(f'<text x="{label_w + length + 4:.1f}" y="{y + 19}" fill="{TEXT}">{_e(b.shown)}</text></g>')
    out.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" stroke="{MUTED}"/>')
    out.append("</svg>")
    return "\n".join(out)


def nice_top(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 5 or 10 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def line_chart(ident: str, points: Sequence[tuple[datetime, float]], *, title: str, desc: str,
               top: float | None = None, shown: Sequence[str] | None = None) -> str:
    """A line over time: y from 0 to ``top`` (else a round bound over the largest value)
    with four gridlines labelled, x from the first time to the last, the first and last
    dates written under the axis; each point a dot whose tooltip is its date and value
    (``shown[i]`` when given). One point is a dot alone.
    """
    height, left, right, upper, lower = 220, 48, 12, 12, 36
    plot_w, plot_h = WIDTH - left - right, height - upper - lower
    top = top or nice_top(max((v for _, v in points), default=0))
    out = _open(ident, title, desc, height)
    for k in range(5):
        value = top * k / 4
        y = upper + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{LINE}"/>')
        label = f"{value:,.0f}" if top >= 4 else f"{value:.1f}"
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{_e(label)}</text>')
    out.append(f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{upper + plot_h}" stroke="{MUTED}"/>')
    if points:
        first, last = points[0][0], points[-1][0]
        span = (last - first).total_seconds() or 1.0

        def xy(at: datetime, value: float) -> tuple[float, float]:
            x = left + (plot_w / 2 if last == first else plot_w * (at - first).total_seconds() / span)
            return x, upper + plot_h - plot_h * max(0.0, min(1.0, value / top))
        coords = [xy(at, v) for at, v in points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            out.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[""]}" stroke-width="2.5"/>')
        for i, ((x, y), (at, v)) in enumerate(zip(coords, points, strict=True)):
            text = shown[i] if shown is not None else f"{v:g}"
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[""]}">'
                       f'<title>{_e(at.strftime("%Y-%m-%d %H:%M"))}: {_e(text)}</title></circle>')
        out.append(f'<text x="{left}" y="{height - 12}" fill="{MUTED}">{_e(first.strftime("%Y-%m-%d"))}</text>')
        if last != first:
            out.append(f'<text x="{WIDTH - right}" y="{height - 12}" text-anchor="end" fill="{MUTED}">'
                       f'{_e(last.strftime("%Y-%m-%d"))}</text>')
    out.append("</svg>")
    return "\n".join(out)
