"""Quality scores per solution, as W3C DQV in public quality graphs (issue 16, items 1 and 3).

``table`` (the one scoring table: criteria, points, levels; scoring a graph), ``dqv`` (the
measurements as triples), ``public`` (``Catalogue.quality``: recompute a source's quality
graph after an ingest or all of them, read a record's score, the minimum a site shows),
``curation`` (``Catalogue.curation``: change requests, hiding and lifting records),
``dashboard``, ``history``, ``svg``, ``export`` (the dashboards: numbers, each run's
summary, charts, CSV and JSON),
``links`` (``Catalogue.links``: the link checker's runs and results), ``linkcheck`` (one
link's check over HTTP), ``link_scheduler`` (the server's link-check thread).
"""

from catalogue.quality import export, svg
from catalogue.quality.curation import Curation
from catalogue.quality.curation_data import (
    MAX_MESSAGE,
    MAX_REASON,
    Action,
    ChangeRequest,
    CurationError,
    Hiding,
    RecordCuration,
    Requested,
)
from catalogue.quality.dashboard import DashboardError
from catalogue.quality.link_scheduler import start_link_checks
from catalogue.quality.linkcheck import OUTCOMES, Checked
from catalogue.quality.links import BrokenLink, LinkCheckError, LinkChecks, LinkRun
from catalogue.quality.public import MinQualityError, Quality, RecordQuality
from catalogue.quality.table import (
           CRITERIA,
           DIMENSIONS,
           LEVELS,
           Criterion,
           Score,
           level_floor,
           level_of,
           score_graph,
)

__all__ = ["CRITERIA", "DIMENSIONS", "LEVELS", "Criterion", "MinQualityError", "Quality", "RecordQuality",
           "Score", "level_floor", "level_of", "score_graph",
           # the link checker (item 2): links.py (``Catalogue.links``), linkcheck.py, link_scheduler.py
           "OUTCOMES", "BrokenLink", "Checked", "LinkCheckError", "LinkChecks", "LinkRun", "start_link_checks"]
# the curation workflow (item 5): catalogue/quality/curation.py, ``Catalogue.curation``
__all__ += ["MAX_MESSAGE", "MAX_REASON", "Action", "ChangeRequest", "Curation", "CurationError", "Hiding",
            "RecordCuration", "Requested"]
# the dashboards (item 4): catalogue/quality/dashboard.py (``Catalogue.quality.dashboards``),
# history.py (each run's summary), svg.py (charts), export.py (CSV, JSON)
__all__ += ["DashboardError", "export", "svg"]

from catalogue.quality.outdated import AssetType, ThresholdError, Thresholds  # noqa: E402

__all__ += ["AssetType", "ThresholdError", "Thresholds"]
