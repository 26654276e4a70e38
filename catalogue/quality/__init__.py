"""Quality scores per solution, as W3C DQV in public quality graphs (issue 16, items 1 and 3).

``table`` (the one scoring table: criteria, points, levels; scoring a graph), ``dqv`` (the
measurements as triples), ``public`` (``Catalogue.quality``: recompute a source's quality
graph after an ingest or all of them, read a record's score, the minimum a site shows).
"""

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
           "Score", "level_floor", "level_of", "score_graph"]
