"""What the search index holds, read from the store in four bulk queries per source.

One document per published solution (a ``dcat:Dataset`` that is not a release), per
collection (``dcat:Catalog``) and per specification (``cssv:Specification``, the catalogue of
ICT standards: its EIRA facet is the building blocks ELIS relates it to). Releases and distributions are not documents of their own:
their licences are a facet of the solution they belong to.

The queries are ``sparql/search_records.rq``, ``search_texts.rq``, ``search_facet_*.rq`` (one per facet)
(run over one source's graph) and ``search_labels.rq`` (run over that graph plus the
vocabularies, for the names of building blocks, themes, countries, licence types and the
legal types of licences).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from catalogue import queries
from catalogue.labels import LABEL_IRIS, best, primary
from catalogue.licences.legal_types import NAMESPACE
from catalogue.store import Dataset, Store

FACETS = ("type", "eira", "theme", "spatial", "licence", "licencetype", "publisher", "collection",
          "language", "quality")  # quality: a solution's level (catalogue/quality/)
FACET_QUERIES = ("eira", "theme", "spatial", "publisher", "licence", "licencetype",
                 "collection")  # search_facet_*.rq
SUMMARY_CHARS = 300

# The legal types the "licencetype" facet offers (of Joinup's 41): the ones people choose
# software or data by (may I relicense it, must I share my changes, even over a network,
# is it GPL-compatible, is it meant for software or data, under EU law, OSI-approved).
# The others are on nearly every licence (use, distribute, no liability...) or are
# details of the text, so as facet values they would narrow nothing and bury these.
LICENCE_TERMS: tuple[str, ...] = tuple(NAMESPACE + key for key in (
    "Permissive", "Copyleft-Share", "LesserCopyleft", "GPL", "SaaSNetwork", "ForSoftware", "ForData",
    "EU-MSLaw", "OSIApproved"))


@dataclass
class Record:
    """One search document: a solution or a collection as read from one source."""

    iri: str
    kind: str  # "solution" | "collection" | "specification"
    source: str
    modified: datetime | None = None
    titles: list[tuple[str, str]] = field(default_factory=list)  # (language tag, text)
    texts: list[tuple[str, str]] = field(default_factory=list)  # descriptions and keywords
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    facets: dict[str, set[str]] = field(default_factory=dict)
    quality: int | None = None  # the total score of a solution (its quality graph), if computed

    @property
    def title(self) -> str:
        return best(self.titles) or self.iri

    @property
    def summary(self) -> str:
        text = " ".join(best(self.descriptions).split())
        return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"

    @property
    def languages(self) -> set[str]:
        return {primary(lang) for lang, _ in self.titles + self.texts if lang}


def _date(term: ox.Literal) -> datetime | None:
    try:
        value = datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # naive: read as UTC


def read_records(store: Store, graph: ox.NamedNode, source: str,
                 public: Sequence[ox.NamedNode] = ()) -> list[Record]:
    """Every solution and collection in one source's graph, with texts and facet values.

    ``public``: the published graphs, visible by name, where the collection a solution
    says it is part of (``dct:isPartOf``) is looked up, as it may be another source's, and
    the legal types of its licences (their own, and those of the bundled classification's
    licence that names the same SPDX entry).
    """
    ds = Dataset(default_graphs=[graph], named_graphs=list(dict.fromkeys([graph, *public])))
    bound: dict[str, dict[str, queries.Value]] = {
        "licencetype": {"value": [ox.NamedNode(t) for t in LICENCE_TERMS]}}
    records: dict[str, Record] = {}
    for r in queries.select(store, "search_records", dataset=ds):
        iri = r["record"].value
        rec = records.setdefault(iri, Record(iri, r["kind"].value, source))
        if r["kind"].value == "solution":
            rec.kind = "solution"  # typed both ways: a solution
        modified = r.get("modified")
        when = _date(modified) if isinstance(modified, ox.Literal) else None
        if when is not None and (rec.modified is None or when > rec.modified):
            rec.modified = when
    for r in queries.select(store, "search_texts", dataset=ds):
        texts_of = records.get(r["record"].value)
        text = r["text"]
        if texts_of is None or not isinstance(text, ox.Literal):  # (the query keeps literals)
            continue
        pair = (text.language or "", text.value)
        if r["field"].value == "title":
            texts_of.titles.append(pair)
        else:
            texts_of.texts.append(pair)
            if r["field"].value == "description":
                texts_of.descriptions.append(pair)
    for facet in FACET_QUERIES:
        for r in queries.select(store, f"search_facet_{facet}", dataset=ds, **bound.get(facet, {})):
            faceted = records.get(r["record"].value)
            if faceted is not None:  # releases and other nodes are not search documents
                faceted.facets.setdefault(facet, set()).add(r["value"].value)
    for rec in records.values():
        rec.facets["type"] = {rec.kind}
        rec.facets["language"] = rec.languages
    return list(records.values())


def read_labels(store: Store, graphs: Sequence[ox.NamedNode]) -> dict[str, dict[str, str]]:
    """Display names of facet values in every language they have: IRI -> {language: label}
    (language "" for an untagged label), from the best label property the value has."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    rows = queries.select(store, "search_labels", dataset=Dataset(default_graphs=list(graphs)))
    for r in rows:
        label = r["label"]
        if not isinstance(label, ox.Literal):  # (the query keeps literals)
            continue
        rank = LABEL_IRIS.index(r["property"].value)
        # (stripped: some vocabulary labels end in a space, e.g. "SaaS/network ")
        found.setdefault(r["value"].value, []).append((rank, label.language or "", label.value.strip()))
    out: dict[str, dict[str, str]] = {}
    for iri, labels in found.items():
        top = min(rank for rank, _, _ in labels)
        by_lang: dict[str, str] = {}
        for _, lang, text in sorted(x for x in labels if x[0] == top):
            by_lang.setdefault(primary(lang) if lang else "", text)
        out[iri] = by_lang
    return out
