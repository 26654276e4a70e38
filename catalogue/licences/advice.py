"""Administrators' edits of the compatibility advice, kept as RDF with their history.

The rules file (``rules.ttl``) holds each rule's advice as shipped; an administrator may
reword it on the site, per language. Each edit is a ``cat:AdviceEdit`` in the curation
graph (private: it names who edited; the edited text itself is what every reader then
sees): the rule, the language, the new text, who and when. Nothing is overwritten: the
current text of a (rule, language) is that of its latest edit, an edit without text puts
the rules file's text back, and the list of edits is the history. An edit changes the data
version, so every cached verdict is recomputed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError
from catalogue.graphs import Graphs
from catalogue.licences.compatibility import Rule
from catalogue.store import Dataset, Store
from catalogue.terms import CAT, DCT, PROV, RDF_TYPE, XSD

LANGUAGES = ("en", "fr", "de")
MAX_ADVICE = 2000  # characters: a paragraph or two, as the shipped texts
PLACEHOLDERS = ("{use}", "{redistribute}")


class AdviceError(CatalogueError):
    """An edit the assistant refuses: unknown rule or language, or a text that does not name
    both licences, names another placeholder, or is too long (bad input)."""


@dataclass(frozen=True)
class AdviceEdit:
    rule: str  # the rule's IRI
    language: str
    text: str | None  # None: back to the rules file's text
    by: str | None  # the account's IRI
    at: str  # ISO date-time


def read_edits(store: Store, graphs: Graphs) -> list[AdviceEdit]:
    """Every edit, oldest first."""
    rows = queries.select(store, "licence_advice_edits", dataset=Dataset(default_graphs=[graphs.curation]))
    return [AdviceEdit(r["rule"].value, r["language"].value,
                       r["advice"].value if r.get("advice") is not None else None,
                       r["by"].value if r.get("by") is not None else None, r["created"].value) for r in rows]


def current(edits: Sequence[AdviceEdit]) -> dict[str, dict[str, str]]:
    """Rule IRI -> language -> text, from the latest edit of each (rule, language)."""
    latest: dict[tuple[str, str], AdviceEdit] = {}
    for e in edits:
        latest[(e.rule, e.language)] = e
    out: dict[str, dict[str, str]] = {}
    for (rule, lang), e in latest.items():
        if e.text is not None:
            out.setdefault(rule, {})[lang] = e.text
    return out


def check_text(text: str) -> str:
    """The text, stripped, if an advice may say it.

    :raise AdviceError: empty, too long, without both placeholders, or with another one.
    """
    text = text.strip()
    if not text:
        raise AdviceError("The advice is empty: write it, or put the shipped text back.")
    if len(text) > MAX_ADVICE:
        raise AdviceError(f"The advice is {len(text)} characters long; at most {MAX_ADVICE}.")
    missing = [p for p in PLACEHOLDERS if p not in text]
    if missing:
        raise AdviceError(f"The advice must name both licences: write {' and '.join(missing)} "
                          "where the licence's name goes.")
    unknown = sorted(set(re.findall(r"\{[^{}]*\}", text)) - set(PLACEHOLDERS))
    if unknown:
        raise AdviceError(f"{', '.join(unknown)} is not a placeholder; use {{use}} and {{redistribute}}.")
    return text


def save(store: Store, graphs: Graphs, rules: Sequence[Rule], rule_name: str, language: str,
         text: str | None, by: str) -> AdviceEdit:
    """Record an edit (``text`` None puts the shipped text back).

    :raise AdviceError: an unknown rule or language, or a text :func:`check_text` refuses.
    """
    rule = next((r for r in rules if r.name == rule_name), None)
    if rule is None:
        raise AdviceError(f"There is no rule {rule_name!r}; the rules are "
                          f"{', '.join(r.name for r in rules)}.")
    if language not in LANGUAGES:
        raise AdviceError(f"Advice is kept in {', '.join(LANGUAGES)}, not {language!r}.")
    checked = None if text is None else check_text(text)
    at = datetime.now(UTC).isoformat()
    edit = graphs.advice_edit(f"{datetime.now(UTC):%Y%m%dt%H%M%S%f}-{secrets.token_hex(4)}")
    triples = [
        ox.Triple(edit, RDF_TYPE, CAT.AdviceEdit),
        ox.Triple(edit, CAT.rule, ox.NamedNode(rule.iri)),
        ox.Triple(edit, DCT.language, ox.Literal(language)),
        ox.Triple(edit, PROV.wasAssociatedWith, ox.NamedNode(by)),
        ox.Triple(edit, DCT.created, ox.Literal(at, datatype=XSD.dateTime)),
    ]
    if checked is not None:
        triples.append(ox.Triple(edit, CAT.advice, ox.Literal(checked, language=language)))
    updates.run(store, "graph_insert", graph=graphs.curation, data=triples)
    return AdviceEdit(rule.iri, language, checked, by, at)
