"""The HTML pages of licences, collections, releases, distributions, publishers, EIRA
building blocks and vocabulary terms: the HTML alternate of their Linked Data description (webapp/linked_data.py negotiates, caches
and sets the headers; catalogue/pages/resources.py gathers what the page shows).

A licence's plain-words statements are keyed in the domain (``Term.key``) and worded here,
in the reader's language; so is the kind of a vocabulary term (``ConceptPage.kind``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import render_template
from flask_babel import lazy_gettext
from markupsafe import Markup

from catalogue import pages as rp
from catalogue import standards as rstd

from .rich_text import rich_text

TEMPLATES = {
    rp.LicencePage: "licence.html",
    rp.CollectionPage: "collection.html",
    rp.ReleasePage: "release.html",
    rp.DistributionPage: "distribution.html",
    rp.AgentPage: "agent.html",
    rp.EiraBlockPage: "eira_block.html",
    rp.ConceptPage: "concept.html",
    rstd.SpecificationPage: "specification.html",
    rstd.AssessmentPage: "assessment.html",
}
# What kind of term a vocabulary term is, by its scheme (catalogue/pages/concepts.py KINDS)
TERM_KINDS = {
    "country": lazy_gettext("Country"),
    "data-theme": lazy_gettext("Data theme"),
    "file-type": lazy_gettext("File type"),
    "language": lazy_gettext("Language"),
    "place": lazy_gettext("Place"),
    "corporate-body": lazy_gettext("Corporate body"),
    "frequency": lazy_gettext("Frequency"),
    "status": lazy_gettext("Status"),
    "licence-type": lazy_gettext("Licence type"),
    "asset-type": lazy_gettext("Asset type"),
    "publisher-type": lazy_gettext("Publisher type"),
    "representation-technique": lazy_gettext("Representation technique"),
    "interoperability-level": lazy_gettext("Interoperability level"),
    "change-type": lazy_gettext("Change type"),
    "legal-type": lazy_gettext("Licence legal type"),
}
# a bare web address in a vocabulary's text (not already a Markdown or HTML link)
_BARE_URL = re.compile(r"(?<![(<\"'=\[])\bhttps?://[^\s<>\"]+")
GROUP_TITLES = {
    "allows": lazy_gettext("You may"),
    "requires": lazy_gettext("You must"),
    "forbids": lazy_gettext("You must not"),
    "note": lazy_gettext("Good to know"),
}
# What each Term.key says (catalogue/pages/resources.py: ADMS_LICENCE_TERMS and SPDX flags)
STATEMENTS = {
    "public-domain": lazy_gettext("Use, copy, change and share it for any purpose, without conditions."),
    "open-source": lazy_gettext("Use, study, change and share it for any purpose."),
    "attribution": lazy_gettext("Keep the copyright and licence notices, and credit the authors, "
                                "when you share it or a work based on it."),
    "share-alike": lazy_gettext("Share changed versions, and works based on it, under the same licence."),
    "royalties": lazy_gettext("Pay royalties to use it."),
    "nominal-cost": lazy_gettext("Pay a nominal fee to obtain it."),
    "grant-back": lazy_gettext("Grant your improvements back to the licensor."),
    "no-derivatives": lazy_gettext("Share changed versions of it or works based on it."),
    "commercial-use": lazy_gettext("Use it for commercial purposes."),
    "reserved-names": lazy_gettext("Use the licensor's names, endorsement or official status for "
                                   "your own version."),
    "eu-jurisdiction": lazy_gettext("Its jurisdiction is within the European Union."),
    "patents": lazy_gettext("Known patents may restrict its use."),
    "other-restrictions": lazy_gettext("It has other restrictive clauses: read the licence text."),
    "unknown-ipr": lazy_gettext("Who holds the rights is unknown: check before reusing it."),
    "osi-approved": lazy_gettext("Approved by the Open Source Initiative (OSI)."),
    "fsf-libre": lazy_gettext("Free (libre) according to the Free Software Foundation."),
    "spdx-deprecated": lazy_gettext("SPDX has deprecated this licence identifier."),
}


def render(page: rp.Page, **context) -> str:
    """The page in its template; ``context`` gives href, jsonld, alternates, used_by_titles."""
    from .standards import KIND_NAMES, OUTCOME_NAMES  # the standards' pages' words

    return render_template(TEMPLATES[type(page)], page=page, rich_text=rich_text,
                           group_titles=GROUP_TITLES, statements=STATEMENTS,
                           term_kinds=TERM_KINDS, definition_text=definition_text,
                           kind_names=KIND_NAMES, outcome_names=OUTCOME_NAMES, **context)


@lru_cache(maxsize=2048)
def definition_text(text: str | None) -> Markup:
    """A vocabulary's definition as sanitised rich text (:func:`rich_text`), each bare web
    address in it a link named by its host ("eurovoc.europa.eu"): EIRA v4's definitions
    cite long URLs that would run off a phone's screen and bury the sentence.

    Kept by text (a definition is the vocabulary's, the same on every page that shows it:
    Markdown and sanitising cost a cold solution page ~2 ms for its building blocks)."""
    if not text:
        return Markup("")

    def short(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(".,;:!?)")
        host = urlsplit(url).hostname or url
        return f"[{host}](<{url}>){match.group(0)[len(url):]}"

    return rich_text(_BARE_URL.sub(short, text))
