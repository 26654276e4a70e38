"""What a reader sees of a resource: the solution page (``solution``), the licence page
(``licence``), the pages of collections, releases, distributions and publishers
(``resources``), what those pages share (``facts``), the same solution published by
several sources (``duplicates``), and ``reader``, which gathers them for one catalogue
(``Catalogue.reader``)."""

from catalogue.pages.concepts import ConceptPage
from catalogue.pages.eira import EiraBlockPage
from catalogue.pages.resources import (
    AgentPage,
    CollectionPage,
    DistributionPage,
    LicencePage,
    Page,
    ReleasePage,
)
from catalogue.pages.solution import is_solution
from catalogue.pages.statements import Statement, statement_rows

__all__ = ["AgentPage", "CollectionPage", "ConceptPage", "DistributionPage", "EiraBlockPage",
           "LicencePage", "Page", "ReleasePage", "Statement", "is_solution", "statement_rows"]
