"""The dashboards as CSV and JSON: the same numbers as the pages, for a spreadsheet or a
script. Column and key names are English identifiers (criterion codes, dimension and level
names from the scoring table), never translated, so a script reads every language alike.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from catalogue.quality.dashboard import BINS, SiteDashboard, SourceDashboard
from catalogue.quality.history import Run
from catalogue.quality.table import DIMENSIONS, LEVELS, WEIGHTS, level_of


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): titles and names are
    the publishers' words."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _run(run: Run) -> dict[str, Any]:
    s = run.summary
    return {"at": run.at.isoformat(), "version": run.version, "solutions": s.solutions,
            "mean_total": s.mean_total, "dimensions": dict(s.means), "levels": dict(s.levels)}


def source_json(d: SourceDashboard, link: Callable[[str], str]) -> dict[str, Any]:
    """A source's dashboard, with the page of worst records it shows (``link``: a record's
    page on the site)."""
    s = d.scores
    return {
        "source": d.slug, "name": d.name, "version": d.version, "solutions": s.solutions,
        "mean_total": s.mean_total, "level": level_of(int(s.mean_total)) if s.solutions else None,
        "levels": s.levels,
        "bins": [{"from": 10 * i, "to": 100 if i == BINS - 1 else 10 * i + 9, "solutions": n}
                 for i, n in enumerate(s.bins)],
        "dimensions": [{"name": dim, "mean": s.means[dim], "max": WEIGHTS[dim]} for dim in DIMENSIONS],
        "trend": [_run(r) for r in d.trend],
        "links": {"checked": d.links_checked, "broken": [
            {"url": b.url, "outcome": b.outcome, "status": b.status, "checked": b.checked,
             "last_success": b.last_success, "failures": b.failures} for b in d.broken]},
        "worst": {"page": d.page, "pages": d.pages, "records": [
            {"iri": w.iri, "page": link(w.iri), "title": w.title, "total": w.total, "level": w.level,
             "lost": [{"criterion": c.code, "dimension": c.dimension, "points": c.points, "advice": c.advice}
                      for c in w.lost]} for w in d.worst]},
    }


def source_csv(d: SourceDashboard, titles: dict[str, str],
               measured: dict[str, tuple[dict[str, int], tuple[str, ...]]]) -> str:
    """Every solution of the source, worst first: its total, level, each dimension's score
    and the criteria it lacks, as stored (``measured``: ``Dashboards.measurements``)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["record", "title", "total", "level", *DIMENSIONS, "lacks"])
    for r in d.scores.records:
        dims, lost = measured.get(r.iri, ({}, ()))
        w.writerow([r.iri, _cell(titles.get(r.iri, "")), r.total, r.level, *(dims.get(x, "") for x in DIMENSIONS),
                    " ".join(lost)])
    return out.getvalue()


def site_json(d: SiteDashboard) -> dict[str, Any]:
    return {
        "solutions": d.solutions, "mean_total": d.mean_total, "levels": d.levels,
        "dimensions": [{"name": dim, "mean": d.means[dim], "max": WEIGHTS[dim]} for dim in DIMENSIONS],
        "links_checked": d.links_checked, "broken_links": d.broken,
        "sources": [{"source": s.slug, "name": s.name, "solutions": s.solutions, "mean_total": s.mean_total,
                     "level": s.level, "dimensions": s.means, "levels": s.levels, "broken_links": s.broken}
                    for s in d.sources],
        "growth": [{"at": at.isoformat(), "solutions": n} for at, n in d.growth],
    }


def site_csv(d: SiteDashboard) -> str:
    """One row per source, best mean first."""
    out = io.StringIO()
    w = csv.writer(out)
    names = [name for name, _ in LEVELS]
    w.writerow(["source", "name", "solutions", "mean_total", "level", *(f"mean_{x}" for x in DIMENSIONS),
                *(f"level_{x}" for x in names), "broken_links"])
    for s in d.sources:
        w.writerow([s.slug, _cell(s.name), s.solutions, f"{s.mean_total:.2f}", s.level,
                    *(f"{s.means[x]:.2f}" for x in DIMENSIONS), *(s.levels[x] for x in names), s.broken])
    return out.getvalue()
