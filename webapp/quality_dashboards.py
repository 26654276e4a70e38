"""The quality dashboards (issue 16, item 4): a source's, public like its scores, and the
site's, for moderators; each as a page with SVG charts and their numbers in tables, as
CSV and as JSON (``.csv``, ``.json``).

``/sources/<slug>/quality`` (``?page=N``: the worst records, 20 a page) and ``/quality``.
The numbers are ``Catalogue.quality.dashboards``'; the charts ``catalogue.quality.svg``'s,
drawn here with words in the reader's language. Nothing here is kept by the shared
response cache: the links and the quality history change without the data version.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from catalogue.quality import export, svg

from .auth import current_user, login_required, require
from .context import root
from .i18n import label_languages, number
from .quality import dimension_name, level_name

bp = Blueprint("quality_dashboards", __name__)


def _record_page(iri: str) -> str:
    return url_for("ld.resource", uri=iri, _external=True)


def _json(data: object) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/json")


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _mean(value: float) -> str:
    return number(round(value, 1))


def _level_bars(levels: dict[str, int]) -> list[svg.Bar]:
    return [svg.Bar(level_name(lv), n, number(n), level=lv) for lv, n in levels.items()]


def _dimension_bars(means: dict[str, float], maxima: dict[str, int]) -> list[svg.Bar]:
    return [svg.Bar(dimension_name(d), v, _("%(mean)s of %(max)s", mean=_mean(v), max=maxima[d]),
                    maximum=maxima[d]) for d, v in means.items()]


@bp.route("/sources/<slug>/quality")
@bp.route("/sources/<slug>/quality.<any(csv, json):fmt>")
def source(slug: str, fmt: str | None = None):
    """A source's quality dashboard (anyone may read it: scores are public data).

    :raise DashboardError: no such source (404); ``page`` is not one of its pages (400).
    """
    dashboards = root().quality.dashboards
    d = dashboards.source(slug, page=request.args.get("page"), languages=label_languages())
    if fmt == "json":
        return _json(export.source_json(d, _record_page))
    if fmt == "csv":
        return _csv(export.source_csv(d, dashboards.all_titles(slug, label_languages()), dashboards.measurements(slug)),
                    f"quality-{slug}.csv")
    s = d.scores
    bins = [(10 * i, 100 if i == len(s.bins) - 1 else 10 * i + 9, n) for i, n in enumerate(s.bins)]
    charts = {
        "levels": svg.bar_chart("levels", _level_bars(s.levels), title=_("Solutions per level"),
                                desc=_("How many of the source's solutions reach each quality level.")),
        "bins": svg.bar_chart("bins", [svg.Bar(f"{lo}–{hi}", n, number(n))
                                       for lo, hi, n in bins],
                              title=_("Solutions per score"), desc=_("How many solutions score in each 10-point band.")),
        "dimensions": svg.bar_chart("dimensions", _dimension_bars(s.means, d.maxima),
                                    title=_("Mean score per dimension"),
                                    desc=_("Each dimension's mean score against the most it can score.")),
        "trend": svg.line_chart("trend", [(r.at, r.summary.mean_total) for r in d.trend], top=100,
                                title=_("Mean score over time"),
                                desc=_("The source's mean score after each scoring run."),
                                shown=[_mean(r.summary.mean_total) for r in d.trend]) if d.trend else "",
    }
    return render_template("quality_source.html", d=d, bins=bins,
                           charts={k: Markup(v) for k, v in charts.items()})  # noqa: S704 - svg.py escapes every text


@bp.route("/quality")
@bp.route("/quality.<any(csv, json):fmt>")
@login_required
def site(fmt: str | None = None):
    """The site's quality dashboard: sources ranked, dimensions, levels, broken links, the
    catalogue's growth.

    :raise 403: the account is neither a moderator nor an administrator.
    """
    user = current_user()
    require(user is not None and user.is_moderator)
    d = root().quality.dashboards.site()
    if fmt == "json":
        return _json(export.site_json(d))
    if fmt == "csv":
        return _csv(export.site_csv(d), "quality.csv")
    charts = {
        "sources": svg.bar_chart("sources", [svg.Bar(s.name, s.mean_total, _mean(s.mean_total), level=s.level)
                                             for s in d.sources],
                                 title=_("Mean score per source"), scale=100,
                                 desc=_("Each source's mean quality score, best first.")),
        "levels": svg.bar_chart("levels", _level_bars(d.levels), title=_("Solutions per level"),
                                desc=_("How many of the catalogue's solutions reach each quality level.")),
        "dimensions": svg.bar_chart("dimensions", _dimension_bars(d.means, d.maxima),
                                    title=_("Mean score per dimension"),
                                    desc=_("Each dimension's mean score against the most it can score.")),
        "growth": svg.line_chart("growth", [(at, float(n)) for at, n in d.growth],
                                 title=_("Solutions in the catalogue"),
                                 desc=_("How many solutions the catalogue held after each scoring run."),
                                 shown=[number(n) for _at, n in d.growth]) if d.growth else "",
    }
    return render_template("quality_site.html", d=d,
                           charts={k: Markup(v) for k, v in charts.items()})  # noqa: S704 - svg.py escapes every text
