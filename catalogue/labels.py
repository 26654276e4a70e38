"""Labels: which properties name a resource, and which literal a reader sees.

One table of label properties, in order of preference, and one rule for choosing among
literals: the reader's languages first, then untagged, then any; never nothing when there
is something. Pages, search and the Linked Data views all use these; the saved queries
that fetch labels (``labels_of.rq``, ``search_labels.rq``, ``resource_description.rq``)
list the same properties.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from catalogue.terms import DCT, FOAF, RDFS, SKOS, VCARD

LABEL_PROPERTIES: tuple[ox.NamedNode, ...] = (SKOS.prefLabel, DCT.title, FOAF.name, RDFS.label, VCARD.fn)
LABEL_IRIS: tuple[str, ...] = tuple(p.value for p in LABEL_PROPERTIES)


def primary(tag: str) -> str:
    """The primary subtag of a language tag, lower case: ``de-AT`` -> ``de``."""
    return tag.split("-", 1)[0].lower()


def pick(literals: Sequence[ox.Literal], languages: Sequence[str] = ("en",)) -> ox.Literal | None:
    """The literal in the first wanted language, then untagged, then any (never nothing if
    there is one)."""
    for want in (*languages, ""):
        for lit in literals:
            if (lit.language or "") == want:
                return lit
    return literals[0] if literals else None


def best(texts: Sequence[tuple[str, str]]) -> str:
    """Of (language, text) pairs, when no reader is known (search documents, facet values):
    English first, then untagged, then the first in language-tag order."""
    if not texts:
        return ""
    ranked = sorted(texts, key=lambda t: (primary(t[0]) != "en", t[0] != "", t[0], t[1]))
    return ranked[0][1]
