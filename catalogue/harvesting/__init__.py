"""Our harvesting of other repositories (federation): each source's harvest settings
(``settings``), the harvest itself through the ingest pipeline (``run``), and the
in-server scheduler (``scheduler``)."""

from catalogue.harvesting.run import harvest_due, harvest_source
from catalogue.harvesting.scheduler import start_scheduler
from catalogue.harvesting.settings import (
    DEFAULT_EVERY,
    KINDS,
    MODES,
    HarvestConfigError,
    clear_harvest,
    configure_harvest,
    harvest_settings,
    harvest_state,
)

__all__ = ["DEFAULT_EVERY", "KINDS", "MODES", "HarvestConfigError", "clear_harvest", "configure_harvest",
           "harvest_due", "harvest_settings", "harvest_source", "harvest_state", "start_scheduler"]
