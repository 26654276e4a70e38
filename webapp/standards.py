"""``/standards``: the catalogue of ICT standards and specifications (catalogue/standards/,
``Catalogue.standards``) as cards with facets, and as CSV for a call for tenders.

Every state is a URL (``q``, ``sort``, ``page``, a repeatable parameter per facet: ``block``,
``view``, ``maintainer``, ``kind``, ``assessed``, ``score``, and ``all=FACET``);
``/standards.csv`` (or ``/standards?format=csv``) gives every specification the same state
selects, not one page. ``/standards?block=PURI`` is the procurer's view: the specifications
of one building block, best assessed first. A specification's and an assessment's own
pages are their PURIs' (webapp/linked_data.py, content negotiation like every resource).

:raise 400: a malformed parameter, or a facet value that does not exist (the message says
    which and what is accepted).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import lazy_gettext

from .browse import Links
from .context import root
from .i18n import label_languages
from .response_cache import share

bp = Blueprint("standards", __name__)

TITLES = {"block": lazy_gettext("EIRA building block"), "view": lazy_gettext("EIRA view"),
          "maintainer": lazy_gettext("Maintainer"), "kind": lazy_gettext("Kind"),
          "assessed": lazy_gettext("CAMSS assessment"), "score": lazy_gettext("Best CAMSS score")}
SORT_NAMES = {"best": lazy_gettext("best assessed"), "name": lazy_gettext("name")}
KIND_NAMES = {"standard": lazy_gettext("Standard"), "specification": lazy_gettext("Specification"),
              "application-profile": lazy_gettext("Application profile"),
              "family": lazy_gettext("Family of specifications")}
VALUE_NAMES = {
    "kind": KIND_NAMES,
    "assessed": {"yes": lazy_gettext("Assessed"), "no": lazy_gettext("Not assessed")},
    "score": {band: lazy_gettext("%(low)s to %(high)s %%", low=band.split("-")[0], high=band.split("-")[1])
              for band in ("90-100", "75-89", "50-74", "0-49")},
}
OUTCOME_NAMES = {"met": lazy_gettext("Criteria met"), "partly": lazy_gettext("Criteria partly met"),
                 "not-met": lazy_gettext("Criteria not met"), "unscored": lazy_gettext("Not scored")}


@bp.route("/standards")
@bp.route("/standards.csv", endpoint="csv")
def listing():
    """Every specification as a card (20 a page), or all that match as CSV."""
    args = request.args.to_dict(flat=False)
    wants_csv = request.path.endswith(".csv") or (args.pop("format", [""]) or [""])[0] == "csv"
    if wants_csv:
        text = root().standards.csv(args, label_languages(),
                                    lambda iri: url_for("ld.resource", uri=iri, _external=True))
        share(request.environ)
        return Response(text, mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="specifications.csv"'})
    found = root().standards.listing(args, label_languages())
    facets = [replace(f, values=[replace(v, label=str(VALUE_NAMES[f.name][v.value]))
                                 for v in f.values]) if f.name in VALUE_NAMES else f
              for f in found.facets]
    found = replace(found, facets=facets)
    req = found.request
    block = req.filters.get("block", (None,))[0] if len(req.filters.get("block", ())) == 1 else None
    block_name = root().standards.index().block_label(block, label_languages()) if block else None
    share(request.environ)
    return render_template(
        "standards.html", listing=found, req=req, links=Links("standards.listing", req),
        titles={k: str(v) for k, v in TITLES.items()},
        sort_names={k: str(v) for k, v in SORT_NAMES.items()},
        kind_names=KIND_NAMES, block=block, block_name=block_name,
        csv_url=Links("standards.csv", req).goto(page=None))
