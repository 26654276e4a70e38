"""The Licensing Assistant: find licences by their legal content, compare them, and check
whether a work under one may be redistributed under another. A module per concern:

- ``legal_types``: Joinup's six categories of legal types and their terms, in reading order;
- ``spdx``: SPDX ids, the public key of a licence, and the old ids that mean the same;
- ``directory``: every published licence with an SPDX id or legal types, one entry per licence;
- ``compatibility``: the compatibility rules (``rules.ttl``, data) and their evaluation;
- ``advice``: administrators' edits of the rules' advice, as RDF with their history;
- ``chooser``: the "which licence should I choose?" questionnaire and its shortlist;
- ``assistant``: :class:`Licences`, what the web and the command line call (``Catalogue.licences``).
"""

from catalogue.licences.advice import LANGUAGES, AdviceEdit, AdviceError
from catalogue.licences.assistant import (
           COMPARE_MAX,
           COMPARE_MIN,
           Found,
           Licences,
           Matrix,
           TermLabel,
)
from catalogue.licences.chooser import Answers, Suggestion, parse_answers
from catalogue.licences.compatibility import Rule, RulesError, Verdict
from catalogue.licences.directory import Licence
from catalogue.licences.errors import LicenceError
from catalogue.licences.legal_types import (
           CATEGORIES,
           LEGAL_TYPE,
           TERMS,
           Category,
           term_iri,
           term_key,
)

__all__ = ["Answers", "Suggestion", "parse_answers", "LANGUAGES", "AdviceEdit", "AdviceError", "CATEGORIES", "COMPARE_MAX", "COMPARE_MIN", "LEGAL_TYPE", "TERMS", "Category", "Found", "Licence",
           "LicenceError", "Licences", "Matrix", "Rule", "RulesError", "TermLabel", "Verdict", "term_iri", "term_key"]
