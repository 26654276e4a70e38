"""Quality as readers see it (catalogue/quality/): level names, what would raise a score,
the badge's words, in the reader's language.

The scoring explains each point lost in English with a stable criterion code
(``catalogue/quality/table.py``); the site shows the advice translated by that code
(``ADVICE``), so the catalogue stays free of the web's translations. Template globals:
``quality_level_name(level)``, ``quality_advice(code)``, ``quality_dimension_name(name)``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from catalogue.quality import CRITERIA, OUTCOMES, ThresholdError, level_of
from catalogue.search import FacetValue

from .auth import current_user, login_required, require
from .context import root
from .errors import status_of
from .i18n import label_languages

bp = Blueprint("quality", __name__)

LEVEL_NAMES = {"excellent": lazy_gettext("Excellent"), "good": lazy_gettext("Good"),
               "fair": lazy_gettext("Fair"), "poor": lazy_gettext("Poor"),
               "insufficient": lazy_gettext("Insufficient")}
DIMENSION_NAMES = {"findability": lazy_gettext("Findability"), "accessibility": lazy_gettext("Accessibility"),
                   "interoperability": lazy_gettext("Interoperability"),
                   "reusability": lazy_gettext("Reusability"), "contextuality": lazy_gettext("Contextuality")}
ADVICE = {
    "keywords": lazy_gettext("Add keywords (dcat:keyword)"),
    "themes": lazy_gettext("Add a theme (dcat:theme)"),
    "spatial": lazy_gettext("Add the spatial coverage (dct:spatial)"),
    "eira": lazy_gettext("Add its EIRA building blocks (dct:type)"),
    "access-url": lazy_gettext("Add a distribution, and an access URL to each (dcat:accessURL)"),
    "download-url": lazy_gettext("Add a download URL to a distribution (dcat:downloadURL)"),
    "working-links": lazy_gettext("Fix or replace its broken links (access, download, landing page, documentation)"),
    "file-type": lazy_gettext("Give each distribution a file type from the EU file-types vocabulary (dct:format)"),
    "media-type": lazy_gettext("Give each distribution a media type (dcat:mediaType)"),
    "conformance": lazy_gettext("Fix its ADMS-AP violations"),
    "specifications": lazy_gettext("Declare the specifications it implements (dct:conformsTo)"),
    "licence": lazy_gettext("Add a licence to each distribution (dct:license)"),
    "contact": lazy_gettext("Add a contact point (dcat:contactPoint)"),
    "publisher": lazy_gettext("Add a publisher (dct:publisher)"),
    "documentation": lazy_gettext("Add documentation (foaf:page)"),
    "dates": lazy_gettext("Say when it was issued and last modified (dct:issued, dct:modified)"),
    "versions": lazy_gettext("Describe its releases or version (dct:hasVersion, owl:versionInfo)"),
    "release-notes": lazy_gettext("Add release notes (adms:versionNotes)"),
    "recent": lazy_gettext("Update its description: it has not changed for a long time"),
}
assert set(ADVICE) == {c.code for c in CRITERIA}, "every criterion has its advice translated"
# how a link check ended (catalogue/quality/linkcheck.py), as a solution's page names a broken link
LINK_OUTCOMES = {
    "ok": lazy_gettext("answers"),
    "http-error": lazy_gettext("the server answers with an error"),
    "timeout": lazy_gettext("no answer in time"),
    "connection": lazy_gettext("cannot connect"),
    "too-many-redirects": lazy_gettext("too many redirects"),
    "redirect-loop": lazy_gettext("redirects in a loop"),
    "private-address": lazy_gettext("points to a private network address"),
    "robots": lazy_gettext("not checked: robots.txt disallows it"),
    "bad-url": lazy_gettext("not a valid web address"),
}
assert set(LINK_OUTCOMES) == set(OUTCOMES), "every link-check outcome has its words"


def relabel(values: list[FacetValue]) -> None:
    """Name the quality facet's values (level codes) in the reader's language, in place."""
    values[:] = [FacetValue(v.value, level_name(v.value), None, v.count, v.selected) for v in values]



@bp.app_template_global("quality_level_name")
def level_name(level_or_score: str | int) -> str:
    """A level's name in the reader's language, from the level or a score."""
    level = level_of(level_or_score) if isinstance(level_or_score, int) else level_or_score
    return str(LEVEL_NAMES.get(level, level))


@bp.app_template_global("quality_advice")
def advice(code: str, english: str = "") -> str:
    return str(ADVICE[code]) if code in ADVICE else english


@bp.app_template_global("link_outcome")
def link_outcome(outcome: str, status: int | None = None) -> str:
    """How a link's last check ended, in the reader's language (with its HTTP status)."""
    words = str(LINK_OUTCOMES.get(outcome, outcome))
    return f"{words} (HTTP {status})" if status is not None and outcome == "http-error" else words


@bp.app_template_global("quality_dimension_name")
def dimension_name(name: str) -> str:
    return str(DIMENSION_NAMES.get(name, name))


@bp.app_template_global("quality_level")
def level(score: int) -> str:
    """The level code of a score (a CSS class: quality-good)."""
    return level_of(score)


# "may be outdated" per kind of asset: the moderators' thresholds

@bp.route("/moderation/quality", methods=["GET", "POST"])
@login_required
def thresholds():
    """Moderators set, per ADMS asset type, after how many days without a change a record
    may be outdated (blank: the site's default)."""
    user = current_user()
    assert user is not None
    require(user.is_moderator)
    error, status = None, 200
    if request.method == "POST":
        raw = request.form.get("days", "").strip()
        try:
            days = int(raw) if raw else None
        except ValueError:
            days, error, status = None, _("Give a whole number of days, or leave it empty for the default."), 400
        if error is None:
            try:
                root().quality.thresholds.set(request.form.get("type", ""), days, user)
            except ThresholdError as exc:
                error, status = str(exc), status_of(exc)
            else:
                flash(_("Saved: pages and scores follow it (scores at the next scoring run)."))
                return redirect(url_for("quality.thresholds"), code=303)
    return render_template("quality_thresholds.html", types=root().quality.thresholds.asset_types(label_languages()),
                           default=root().settings.outdated_after_days, error=error), status
