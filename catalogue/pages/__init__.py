"""What a reader sees of a resource: the solution page (``solution``), the licence page
(``licence``), the pages of collections, releases, distributions and publishers
(``resources``), what those pages share (``facts``), the same solution published by
several sources (``duplicates``), and ``reader``, which gathers them for one catalogue
(``Catalogue.reader``)."""

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
