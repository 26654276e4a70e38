"""Usage statistics without tracking (issue 16, item 6): downloads through the catalogue's
link of a distribution, page views and data requests per resource, counted per day (UTC)
in a private graph; known bots, HEAD requests and prefetches not counted; no address,
user agent, referrer or cookie kept.

``bots`` (who is a known bot), ``tally`` (counts in memory between two writes, bounded),
``public`` (``Catalogue.usage``: counting, flushing, and the read API pages and dashboards
use: ``totals_for_records``, ``per_day``, ``top``, ``shown``).
"""

from catalogue.usage.bots import is_bot
from catalogue.usage.public import (
    DayCount,
    NotADistributionLink,
    NotPublished,
    Shown,
    Totals,
    Usage,
    UsageError,
    UsageUnavailable,
)
from catalogue.usage.tally import KINDS, Kind

__all__ = ["KINDS", "DayCount", "Kind", "NotADistributionLink", "NotPublished", "Shown", "Totals", "Usage", "UsageError",
           "UsageUnavailable", "is_bot"]
