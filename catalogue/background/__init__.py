"""Background work run once across the servers sharing a store: leases in the store
(``lease``); the background threads start in one place (``threads``: ``start_background``)."""

from catalogue.background.lease import DEFAULT_TTL, SETTLE_SECONDS, Claim, Lease, process_name
from catalogue.background.threads import UsageCompaction, start_background, stop_background

__all__ = ["DEFAULT_TTL", "SETTLE_SECONDS", "Claim", "Lease", "UsageCompaction", "process_name",
           "start_background", "stop_background"]
