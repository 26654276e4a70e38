"""Operations (issue 17, item 8): ``health`` (the checks of ``/-/health``: the store
reachable, the search index fresh, the server's background threads alive) and ``public``
(``Catalogue.operations``: those checks, the threads the server registers, and the events
an operator counts, heard by ``webapp/operations.py`` for ``/-/metrics``).
"""

from catalogue.operations.health import Check, HasThread, Health
from catalogue.operations.public import (
           BACKGROUND,
           Event,
           Ingested,
           Operations,
           QueryTimedOut,
           ingested,
)

__all__ = ["BACKGROUND", "Check", "Event", "HasThread", "Health", "Ingested", "Operations", "QueryTimedOut",
           "ingested"]
