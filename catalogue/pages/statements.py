"""Every statement a description makes about a resource, in words: the generic table of a
resource that has no page of its own, and the "All statements" section of the pages that
do (EIRA building blocks, vocabulary terms).

A property is named by :func:`catalogue.reports.labels.property_name` (our table of names in
the reader's language, the vocabulary's label, a prefixed name: never a full IRI); a class
by :func:`class_name`; a language by its name (:mod:`catalogue.languages`); any other IRI by
its label from the description in the reader's languages. The IRI itself is kept for the
link and its title, never shown as the name when a name exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from catalogue.labels import LABEL_IRIS
from catalogue.languages import AUTHORITY, language_name
from catalogue.pages.facts import choose
from catalogue.reports.labels import class_name, compact_name, property_name
from catalogue.terms import RDF_TYPE


@dataclass(frozen=True)
class Statement:
    """One (property, value) of a resource, as a row shows it."""

    property: str  # the property's IRI (for the title attribute)
    name: str  # its name in the reader's language
    value: str  # a literal's text, or the IRI of the value
    label: str | None = None  # the value's name, when it is an IRI that has one
    language: str | None = None  # a literal's language tag
    is_iri: bool = False


def statement_rows(iri: str, triples: list[ox.Triple], languages: tuple[str, ...]) -> list[Statement]:
    """The statements of ``triples`` about ``iri``: ``rdf:type`` first, then by property
    name and value. A blank node's statements are folded into its row ("Name value; ...")."""
    subject = ox.NamedNode(iri)
    reader = languages[0] if languages else "en"
    rows = []
    for t in triples:
        if t.subject != subject:
            continue
        o = t.object
        name = property_name(t.predicate.value, reader)
        if isinstance(o, ox.Literal):
            rows.append(Statement(t.predicate.value, name, o.value, language=o.language or None))
        elif isinstance(o, ox.NamedNode):
            rows.append(Statement(t.predicate.value, name, o.value, is_iri=True,
                                  label=value_label(o, t.predicate, triples, languages)))
        else:
            folded = "; ".join(f"{property_name(b.predicate.value, reader)} "
                               f"{value_label(b.object, b.predicate, triples, languages) or _text(b.object)}"
                               for b in triples if b.subject == o and b.predicate != RDF_TYPE)
            rows.append(Statement(t.predicate.value, name, folded or "…"))
    rows.sort(key=lambda r: (r.property != RDF_TYPE.value, r.name.lower(), r.label or r.value))
    return rows


def value_label(node, predicate: ox.NamedNode, triples: list[ox.Triple],
                languages: tuple[str, ...]) -> str | None:
    """What to call an IRI value: a class by its name, a language by its name, anything else
    by its label in the description (reader's languages first); None when nothing names it
    (a web address, an unlabelled resource)."""
    if not isinstance(node, ox.NamedNode):
        return None
    reader = languages[0] if languages else "en"
    if predicate == RDF_TYPE:
        return class_name(node.value, reader)
    if node.value.startswith(AUTHORITY):
        found = language_name(node.value, reader)
        if found:
            return found
    labels = [t.object for t in triples if t.subject == node and t.predicate.value in LABEL_IRIS
              and isinstance(t.object, ox.Literal)]
    chosen = choose(labels, languages)
    if chosen is not None:
        return chosen.value
    compact = compact_name(node.value)  # a term of a known vocabulary: its prefixed name
    return compact if ":" in compact else None


def _text(term) -> str:
    """A term's text in a folded row: a literal's value, an IRI, a nested node's marker."""
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else "…"
