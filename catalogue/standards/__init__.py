"""The catalogue of ICT standards and specifications (issue 14): ELIS's specifications with
the EIRA building blocks each serves (and why), the CSSV dataset's maintainers, kinds and
downloads, and CAMSS's assessments. A module per concern:

- ``index``: the specifications and assessments as read from the store, and how an
  assessment is scored;
- ``listing``: ``/standards`` (words, facets, sorts, pages, CSV) over the derived index;
- ``pages``: a specification's page and an assessment's page;
- ``public``: :class:`Standards`, what the web and the cartography call (``Catalogue.standards``).
"""

from catalogue.standards.index import KINDS, SCORE_BANDS, AssessmentSummary
from catalogue.standards.listing import STANDARDS, BlockRef, SpecCard
from catalogue.standards.pages import OUTCOMES, Answer, AssessmentPage, BlockUse, SpecificationPage
from catalogue.standards.public import BlockSpecification, Standards, UnknownSpecification

__all__ = ["KINDS", "OUTCOMES", "SCORE_BANDS", "STANDARDS", "Answer", "AssessmentPage", "AssessmentSummary",
           "BlockRef", "BlockSpecification", "BlockUse", "SpecCard", "SpecificationPage", "Standards",
           "UnknownSpecification"]
