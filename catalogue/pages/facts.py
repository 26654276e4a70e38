"""Reading a resource's description for its page: labels and texts chosen in the reader's
languages, and who uses a resource (from the search index, titled in the reader's language).

Every label is chosen in the reader's languages, then untagged, then any, and is never
empty (the IRI's last segment, else the IRI); each says its language so the page can mark
a fallback. Shared by the pages of licences (``licence``) and of the other resources
(``resources``); split from ``resources`` (issue 11) to keep each module under 400 lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.labels import LABEL_PROPERTIES
from catalogue.pages.solution import Description

if TYPE_CHECKING:
    from catalogue.pages.reader import Reader


@dataclass(frozen=True)
class Text:
    value: str
    language: str | None = None  # None: untagged


@dataclass(frozen=True)
class Label:
    iri: str
    label: str
    language: str | None = None


@dataclass(frozen=True)
class UsedList:
    facet: str  # the search facet, also the /search parameter
    total: int
    items: list[Label]


# --- choosing labels ------------------------------------------------------------------------

def _primary(tag: str | None) -> str:
    return (tag or "").split("-", 1)[0].lower()


def choose(literals: Iterable[ox.Literal], languages: tuple[str, ...]) -> ox.Literal | None:
    """The literal in the first of ``languages`` (by primary subtag), then untagged, then
    any; never a blank one."""
    found = [lit for lit in literals if lit.value.strip()]
    for want in (*languages, ""):
        for lit in found:
            if _primary(lit.language) == want:
                return lit
    return found[0] if found else None


def text_of(lit: ox.Literal | None) -> Text | None:
    return Text(lit.value, lit.language or None) if lit is not None else None


def fallback_name(iri: str) -> str:
    """What to call a resource nothing names: its IRI's last segment, else the IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


class Facts:
    """A resource's description, with labels chosen in the reader's languages."""

    def __init__(self, triples: list[ox.Triple], languages: tuple[str, ...]) -> None:
        self.d = Description(triples)
        self.languages = languages

    def text(self, node, predicate) -> Text | None:
        return text_of(choose(self.d.literals(node, predicate), self.languages))

    def texts(self, node, predicate) -> list[Text]:
        return [Text(lit.value, lit.language or None) for lit in self.d.literals(node, predicate)
                if lit.value.strip()]

    def value(self, node, predicate) -> str | None:
        found = self.text(node, predicate)
        return found.value if found else None

    def label(self, node: ox.NamedNode) -> Label:
        """Across every label property, the reader's language first."""
        literals = [lit for p in LABEL_PROPERTIES for lit in self.d.literals(node, p)]
        lit = choose(literals, self.languages)
        if lit is None:
            return Label(node.value, fallback_name(node.value))
        return Label(node.value, lit.value, lit.language or None)

    def title(self, node: ox.NamedNode, *predicates) -> Text:
        """The resource's own title in the reader's language, else any label: never empty."""
        for p in predicates:
            found = self.text(node, p)
            if found:
                return found
        label = self.label(node)
        return Text(label.label, label.language)

    def links(self, node, predicate) -> list[Label]:
        return sorted((self.label(x) for x in self.d.iris(node, predicate)),
                      key=lambda x: x.label.lower())

    def urls(self, node, predicate) -> list[str]:
        """IRIs as text (the web layer links only http(s) ones)."""
        return [x.value for x in self.d.iris(node, predicate)]


def others(texts: list[Text], shown: Text) -> list[Text]:
    return sorted((t for t in texts if t != shown), key=lambda t: (t.language or "", t.value))


def used_lists(reader: Reader, iri: str, languages: tuple[str, ...]) -> list[UsedList]:
    """Who points at ``iri`` through a search facet, titles in the reader's language."""
    out = []
    for used in reader.used_by(iri):
        items = []
        for record, indexed in used.first:
            titles = [t for r in reader.select("record_titles", record=ox.NamedNode(record))
                      if isinstance(t := r["title"], ox.Literal)]  # (the query keeps literals)
            lit = choose(titles, languages)
            items.append(Label(record, lit.value, lit.language or None) if lit is not None
                         else Label(record, indexed or fallback_name(record)))
        out.append(UsedList(used.facet, used.total, sorted(items, key=lambda x: x.label.lower())))
    return out
