"""Our harvesting of other repositories (federation): each source's harvest settings,
the harvest itself through the ingest pipeline, and the scheduler (``harvester``)."""
