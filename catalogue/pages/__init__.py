"""What a reader sees of a resource: the solution page (``solution``), the pages of
licences, collections, releases, distributions, publishers and EIRA blocks
(``resources``), and the same solution published by several sources (``duplicates``)."""

from catalogue.pages.resources import (
    AgentPage,
    CollectionPage,
    DistributionPage,
    LicencePage,
    Page,
    ReleasePage,
)
from catalogue.pages.solution import is_solution

__all__ = ["AgentPage", "CollectionPage", "DistributionPage", "LicencePage", "Page", "ReleasePage",
           "is_solution"]
