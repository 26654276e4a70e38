"""Our harvesting of other repositories (federation): each source's harvest settings,
the harvest itself through the ingest pipeline, and the scheduler (``harvester``)."""

from catalogue.harvesting.harvester import (
    DEFAULT_EVERY,
    KINDS,
    MODES,
    HarvestConfigError,
    clear_harvest,
    configure_harvest,
    harvest_due,
    harvest_settings,
    harvest_source,
    harvest_state,
    start_scheduler,
)

__all__ = ["DEFAULT_EVERY", "KINDS", "MODES", "HarvestConfigError", "clear_harvest", "configure_harvest",
           "harvest_due", "harvest_settings", "harvest_source", "harvest_state", "start_scheduler"]
