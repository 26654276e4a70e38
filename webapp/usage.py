"""Usage statistics without tracking (catalogue/usage/): the counting link of a
distribution, page views counted around the shared response cache, the numbers pages show,
and a resource's daily counts as JSON or CSV.

* ``GET /go?distribution=IRI&url=URL``: 302 to ``URL`` when it is that published
  distribution's download or access URL (else 404: no open redirect), one download counted
  unless a known bot, a HEAD or a prefetch asked; ``Cache-Control: no-store``, no cookie.
* ``GET /usage.json?uri=IRI&days=30``, ``/usage.csv``: a published resource's counts day by
  day, up to the last completed day.
* :class:`CountViews`: the outermost WSGI middleware; a 200 ``GET`` of a resource's page
  (webapp/linked_data.py notes which resource, and the shared cache replays the note on its
  hits) counts as a view when HTML, a data request otherwise.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, redirect, request, url_for

from catalogue.pages import DistributionPage, ReleasePage
from catalogue.usage import Shown, Usage, UsageError

from .context import root
from .response_cache import NOTE

log = logging.getLogger(__name__)
bp = Blueprint("usage", __name__)
RESOURCE_NOTE = NOTE + "resource"  # set by linked_data._dereference through response_cache.note
# what browsers send when they fetch a link before anyone follows it
_PREFETCH = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ", "HTTP_X_PURPOSE")


def _prefetch(environ: dict) -> bool:
    return any("prefetch" in environ.get(k, "").lower() or "preview" in environ.get(k, "").lower()
               for k in _PREFETCH)


@bp.route("/go")
def go() -> Response:
    """Send the visitor to a distribution's download or access URL, counting a download.

    :raise 400: distribution or url missing, or distribution not an IRI.
    :raise 404: url is not that published distribution's download or access URL.
    """
    target = root().usage.follow(request.args.get("distribution", ""), request.args.get("url", ""),
                                 user_agent=request.headers.get("User-Agent"), method=request.method,
                                 prefetch=_prefetch(request.environ))
    response = redirect(target, 302)
    response.headers["Cache-Control"] = "no-store"  # every follow reaches us, and is counted
    # the distribution's server learns this site sent the visitor, not from which page
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


@bp.route("/usage.json", endpoint="json")
@bp.route("/usage.csv", endpoint="csv")
def series() -> Response:
    """A published resource's counts on each of the last ``days`` completed days (default 30).

    :raise 400: uri missing or not an IRI, days not a whole number from 1 to 366.
    :raise 404: nothing published describes uri.
    """
    usage = root().usage
    raw_days = request.args.get("days", "30")
    if not raw_days.isdigit():
        raise UsageError(f"days must be a whole number from 1 to 366, got {raw_days[:20]!r}")
    days = usage.public_series(request.args.get("uri", ""), int(raw_days))
    if request.endpoint == "usage.csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["day", "downloads", "views", "data"])
        writer.writerows([d.day.isoformat(), d.downloads, d.views, d.data] for d in days)
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": 'inline; filename="usage.csv"'})
    return jsonify({"resource": request.args.get("uri"),
                    "until": days[-1].day.isoformat() if days else None,
                    "days": [{"day": d.day.isoformat(), "downloads": d.downloads, "views": d.views,
                              "data": d.data} for d in days]})


@bp.app_template_global("counted_link")
def counted_link(distribution: str, url: str) -> str:
    """The href of a distribution's link: through /go (counted) unless counting is off."""
    if not root().usage.enabled:
        return url
    return url_for("usage.go", distribution=distribution, url=url)


@bp.app_template_global("usage_shown")
def usage_shown(page: Any) -> Shown | None:
    """What a solution's, release's or distribution's page says of its use (None when
    counting is off): its distributions' downloads and its views in the last 30 days."""
    if isinstance(page, DistributionPage):
        distributions = [page.iri]
    elif isinstance(page, ReleasePage):
        distributions = [d.iri for d in page.distributions]
    else:  # a solution's page: every distribution of its releases
        distributions = [d.iri for r in getattr(page, "releases", ()) for d in r.distributions]
    return root().usage.shown(page.iri, distributions)


class CountViews:
    """WSGI middleware outside the shared cache: counts a view (HTML) or a data request
    (RDF) of each resource page answered 200 to a GET, cached or not; never fails a
    response (a counting error is logged)."""

    def __init__(self, app: Callable, usage: Usage) -> None:
        self.app = app
        self.usage = usage

    def __getattr__(self, name: str) -> Any:
        """The wrapped app's attributes (the shared cache's ``hits``, ``stores``) through this
        one, as if it were not there."""
        return getattr(self.app, name)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or not self.usage.enabled:
            return self.app(environ, start_response)
        seen: dict = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        result = self.app(environ, capture)
        resource = environ.get(RESOURCE_NOTE)
        if resource and seen.get("status", "").startswith("200 "):
            media = next((v for k, v in seen["headers"] if k.lower() == "content-type"), "")
            try:
                self.usage.record(resource, "views" if media.startswith("text/html") else "data",
                                  user_agent=environ.get("HTTP_USER_AGENT"),
                                  prefetch=_prefetch(environ))
            except Exception:
                log.exception("a page view was not counted")
        return result


def init_app(app: Flask) -> None:
    """Register /go and /usage.*, and count page views around everything else (call it
    last: the middleware must sit outside the shared response cache)."""
    app.register_blueprint(bp)
    app.wsgi_app = CountViews(app.wsgi_app, root(app).usage)  # type: ignore[method-assign]
