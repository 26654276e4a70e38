"""The licences the assistant knows: every published licence with an SPDX id or legal types.

One entry per licence *as people name it*: licences that point at the same SPDX entry
(``owl:sameAs <http://spdx.org/licenses/ID>``) are one entry, keyed by that id, whichever
graph states them (the bundled classification, a publisher's dump); a licence without an
SPDX id is its own entry, keyed by its IRI. The entry's legal types are those of the bundled
classification when it has the licence (curated, with a basis for each term), else those of
the publisher's licence that states the most; so a publisher's licence with legal types
counts exactly like a bundled one, and a dump cannot reclassify a bundled licence.

Reading is two saved queries (``licence_directory.rq``, ``licence_solution_counts.rq``)
whose rows this module folds into :class:`Licence` values; filtering and lookups are plain
Python over at most a few hundred entries.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.licences import expressions
from catalogue.licences.legal_types import LEGAL_TYPE, TERMS
from catalogue.licences.spdx import canonical_spdx, spdx_id
from catalogue.store import Node, Rows

OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
DCT_TITLE = "http://purl.org/dc/terms/title"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TEXT_LINKS = ("http://xmlns.com/foaf/0.1/page", "http://www.w3.org/2000/01/rdf-schema#seeAlso")


@dataclass(frozen=True)
class Licence:
    """One licence as the assistant shows it."""

    key: str  # the SPDX id, or the IRI when it has none: the public key in URLs
    iri: str  # the IRI that speaks for it (the bundled one when there is one)
    spdx: str | None
    titles: tuple[tuple[str, str], ...]  # (language, title); "" for untagged
    legal_types: frozenset[str]  # term IRIs
    text: str | None  # a link to the licence's text
    solutions: int  # distinct solutions with a distribution under it
    members: tuple[str, ...] = field(default=())  # every IRI that is this licence
    bundled: bool = False  # classified by the catalogue's own licence vocabulary
    expression: str | None = None  # an SPDX expression (expressions.py), as SPDX writes it
    choices: tuple[tuple[str, ...], ...] = ()  # its choices, each the licence keys that all apply
    alternatives: tuple[frozenset[str], ...] = ()  # the legal types under each choice
    exceptions: tuple[str, ...] = ()  # its WITH exceptions

    def title(self, languages: Sequence[str] = ("en",)) -> str:
        """The title in the first wanted language, then untagged, then English, then the key."""
        by_lang = dict(self.titles)
        for lang in (*languages, "", "en"):
            if lang in by_lang:
                return by_lang[lang]
        return self.titles[0][1] if self.titles else self.key

    def carries(self, terms: Iterable[str]) -> bool:
        """Every term holds, under one of its choices for an expression."""
        wanted = set(terms)
        if self.alternatives:
            return any(wanted <= alt for alt in self.alternatives)
        return wanted <= self.legal_types

    def matches(self, text: str) -> bool:
        """Whether ``text`` is part of its SPDX id, IRI or any title (case-insensitive)."""
        needle = text.casefold().strip()
        hay = [self.key, self.iri, *(t for _, t in self.titles)]
        return not needle or any(needle in h.casefold() for h in hay)


@dataclass
class _Stated:
    iri: str
    spdx: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    spdx_names: list[str] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)
    types_by_graph: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    graphs: set[str] = field(default_factory=set)


def build(rows: Rows, counts: Iterable[Mapping[str, Node]], is_bundled: Callable[[str], bool]) -> list[Licence]:
    """Entries from ``licence_directory`` and ``licence_solution_counts`` rows, sorted by
    use (most used first), then title. ``is_bundled(graph)`` tells the catalogue's own
    licence vocabulary graph from the rest."""
    stated: dict[str, _Stated] = {}
    for r in rows:
        iri, graph, p, o = r["licence"].value, r["g"].value, r["p"].value, r["o"]
        s = stated.setdefault(iri, _Stated(iri))
        s.graphs.add(graph)
        if p == OWL_SAME_AS and (sid := spdx_id(o.value)):
            s.spdx.add(canonical_spdx(sid))
            if (name := r.get("name")) is not None:
                s.spdx_names.append(name.value)
        elif p == DCT_TITLE and isinstance(o, ox.Literal):
            s.titles.setdefault(o.language or "", o.value)
        elif p == RDFS_LABEL:
            s.labels.append(o.value)
        elif p in TEXT_LINKS:
            s.links.append(o.value)
        elif p == LEGAL_TYPE and o.value in TERMS:
            s.types_by_graph[graph].add(o.value)
        elif p == expressions.LICENSE_EXPRESSION and isinstance(o, ox.Literal):
            s.expressions.append(o.value)
    used: dict[str, int] = defaultdict(int)
    for c in counts:  # an old SPDX id (GPL-3.0) counts for the current one (GPL-3.0-only)
        key = c["key"].value
        sid = spdx_id(key)
        used[f"http://spdx.org/licenses/{canonical_spdx(sid)}" if sid else key] += int(c["solutions"].value)
    groups: dict[str, list[_Stated]] = defaultdict(list)
    with_expression: list[tuple[_Stated, tuple]] = []
    for s in stated.values():
        parsed = _expression(s)
        if parsed is not None:
            with_expression.append((s, parsed))
            continue
        key = min(s.spdx) if s.spdx else s.iri
        groups[key].append(s)
    entries = [_entry(key, members, used, is_bundled) for key, members in groups.items()]
    entries = [e for e in entries if e.spdx or e.legal_types]
    by_key = {e.key: e for e in entries}
    for s, (rendered, choices, exceptions) in with_expression:
        entries.append(expression_entry(rendered, choices, exceptions, by_key, iri=s.iri,
                                        titles=tuple(sorted(s.titles.items())), solutions=used.get(s.iri, 0),
                                        text=s.links[0] if s.links else None))
    entries.sort(key=lambda e: (-e.solutions, e.title().casefold(), e.key))
    return entries


def _expression(s: _Stated) -> tuple | None:
    """The parsed expression of a licence that names no SPDX entry, if it has a valid one (a
    licence whose expression does not parse is listed as a plain licence, by its IRI)."""
    if s.spdx or not s.expressions:
        return None
    try:
        return expressions.parse(s.expressions[0])
    except expressions.ExpressionError:
        return None


def expression_entry(rendered: str, choices: tuple[tuple[str, ...], ...], exceptions: tuple[str, ...],
                     by_key: dict[str, Licence], *, iri: str | None = None, titles: tuple = (),
                     solutions: int = 0, text: str | None = None) -> Licence:
    """An entry for an SPDX expression over the licences in ``by_key`` (an id the assistant
    does not know contributes no legal types, so its choices allow nothing it cannot show)."""
    alternatives = tuple(expressions.combined_types([by_key[k].legal_types if k in by_key else frozenset()
                                                     for k in choice]) for choice in choices)
    common = frozenset.intersection(*alternatives) if alternatives else frozenset()
    return Licence(key=rendered, iri=iri or rendered, spdx=None, titles=titles or (("", rendered),),
                   legal_types=common, text=text, solutions=solutions, members=(iri,) if iri else (),
                   expression=rendered, choices=choices, alternatives=alternatives, exceptions=exceptions)


def _entry(key: str, members: list[_Stated], used: dict[str, int],
           is_bundled: Callable[[str], bool]) -> Licence:
    def bundled_types(s: _Stated) -> set[str]:
        return set().union(*(t for g, t in s.types_by_graph.items() if is_bundled(g)))

    def all_types(s: _Stated) -> set[str]:
        return set().union(*s.types_by_graph.values())

    bundled = [s for s in members if any(is_bundled(g) for g in s.graphs)]
    if bundled:
        lead = min(bundled, key=lambda s: s.iri)
        types = bundled_types(lead) or max((all_types(s) for s in members), key=len)
    else:
        lead = max(members, key=lambda s: (len(all_types(s)), len(s.titles), s.iri))
        types = all_types(lead)
    titles: dict[str, str] = {}
    for s in [lead, *sorted(members, key=lambda s: s.iri)]:
        for lang, text in s.titles.items():
            titles.setdefault(lang, text)
    spdx = key if lead.spdx else None
    if not titles:
        name = next((n for s in members for n in s.spdx_names), None) or next(
            (lbl for s in members for lbl in s.labels), None)
        if name:
            titles[""] = name
    links = [link for s in [lead, *members] for link in s.links]
    keyed = spdx and f"http://spdx.org/licenses/{spdx}"
    return Licence(
        key=key, iri=lead.iri, spdx=spdx,
        titles=tuple(sorted(titles.items())),
        legal_types=frozenset(types),
        text=links[0] if links else None,
        solutions=used.get(keyed or lead.iri, 0) if keyed else sum(used.get(s.iri, 0) for s in members),
        members=tuple(sorted(s.iri for s in members)),
        bundled=bool(bundled),
    )


def suggestions(licences: Sequence[Licence], name: str, n: int = 3) -> list[str]:
    """The keys closest to a name nobody has (case-insensitive), for "did you mean"."""
    keys = {lic.key.casefold(): lic.key for lic in licences}
    near = difflib.get_close_matches(name.casefold(), list(keys), n=n, cutoff=0.5)
    starts = [k for k in keys if k.startswith(name.casefold()[:4])] if len(name) >= 2 else []
    ranked = list(dict.fromkeys([*near, *sorted(starts)]))[:n]
    return [keys[k] for k in ranked]


def lookup(licences: Sequence[Licence], name: str) -> Licence | None:
    """The licence a URL names: an SPDX id (case-insensitive, old ids like ``GPL-2.0+``
    too), any IRI that is the licence, or an SPDX expression over known licences.

    :raise ExpressionError: ``name`` is an expression that does not parse.
    """
    wanted = canonical_spdx(name.strip()).casefold()
    for lic in licences:
        if lic.key.casefold() == wanted or name in lic.members or name == lic.iri:
            return lic
    if expressions.is_expression(name):  # an expression nobody published: read it over the known licences
        rendered, choices, exceptions = expressions.parse(name)
        for lic in licences:
            if lic.key == rendered:
                return lic
        return expression_entry(rendered, choices, exceptions, {lic.key: lic for lic in licences})
    return None
