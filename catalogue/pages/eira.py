"""What an EIRA building block's page shows (``/dr8/NAME``), gathered from its description
and anchored saved queries; no HTML here (webapp/resource_pages.py renders it).

The vocabularies (``vocab/eira-v4.0.0.rdf``, ``eira-v6.0.0.DERIVED.ttl``,
``eira-v4-to-v6.DERIVED.ttl``) model a block as a ``skos:Concept`` in the v4 scheme
(``http://data.europa.eu/dr8``) or the v6 one (``V6_SCHEME``); its views are the
``skos:Collection``s listing it (``eira_block_views.rq``); v6 gives each block viewpoints,
interoperability dimensions and an ArchiMate type as plain text (``eirax:``); v4 relates
blocks with ``skos:broader`` and ``skos:related``; a v4 block that v6 renamed says
``dct:isReplacedBy`` its successor, which says ``dct:replaces`` it.

The page: the block's name and definition first, its view(s) and viewpoints, which EIRA it
is from and its successor or predecessor, related blocks by name, the solutions that
implement it (the search index's ``eira`` facet), then every statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.pages.concepts import alternative_names, definition, narrower
from catalogue.pages.facts import Facts, Label, Text, UsedList, choose, fallback_name, used_lists
from catalogue.pages.statements import Statement, statement_rows
from catalogue.terms import DCT, OWL, SKOS

if TYPE_CHECKING:
    from catalogue.pages.reader import Reader

EIRA = "http://data.europa.eu/dr8/"
V4_SCHEME = "http://data.europa.eu/dr8"
V6_SCHEME = "https://catalogue.example.org/def/eira/v6.0.0"
V61_SCHEME = "https://catalogue.example.org/def/eira/v6.1.0"
EIRAX = "https://catalogue.example.org/def/eira#"


@dataclass
class EiraBlockPage:
    iri: str
    title: Text
    other_names: list[Text]
    definition: Text | None
    version: str | None  # "4", "6" (v6.0), "6.1" (only v6.1 has it), None: no scheme says it is theirs
    views: list[Label]
    viewpoints: list[str]
    dimensions: list[str]  # interoperability dimensions (v6)
    archimate_type: str | None  # (v6)
    deprecated: bool
    successors: list[Label]  # v6 blocks that replace this v4 one; a v6.0 block's v6.1 rename
    predecessors: list[Label]  # v4 blocks this v6 one replaces; the v6.0 block a v6.1 one renames
    broader: list[Label]
    narrower: list[Label]
    related: list[Label]
    used_by: list[UsedList] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    @property
    def implemented_by(self) -> UsedList | None:
        """The solutions implementing it (the ``eira`` facet), if any."""
        return next((u for u in self.used_by if u.facet == "eira"), None)


def is_block(iri: str, triples: list[ox.Triple]) -> bool:
    """Whether ``iri`` is an EIRA building block: a concept under the EIRA namespace (its
    views, under ``/view/``, are collections)."""
    node = ox.NamedNode(iri)
    return iri.startswith(EIRA) and any(t.subject == node and t.object == SKOS.Concept
                                        for t in triples)


def views(reader: Reader, iri: str, languages: tuple[str, ...]) -> list[Label]:
    """The EIRA views listing the block (``eira_block_views.rq``), by name."""
    found: dict[str, list[ox.Literal]] = {}
    for r in reader.select("eira_block_views", block=ox.NamedNode(iri)):
        labels = found.setdefault(r["view"].value, [])
        if isinstance(label := r.get("label"), ox.Literal):  # (optional)
            labels.append(label)
    out = []
    for view, labels in found.items():
        lit = choose(labels, languages)
        out.append(Label(view, lit.value, lit.language or None) if lit is not None
                   else Label(view, fallback_name(view)))
    return sorted(out, key=lambda x: x.label.lower())


def version_of(f: Facts, node: ox.NamedNode, listed_in: list[Label]) -> str | None:
    """Which EIRA a block is from: "6" in the v6.0 scheme; "6.1" only in v6.1's; "4" in the v4
    one, or listed in a v4 view (``http://data.europa.eu/dr8/view/...``: v4 concepts name no
    scheme), or replaced by a successor; None when nothing says."""
    schemes = {x.value for x in f.d.iris(node, SKOS.inScheme)}
    schemes |= {x.value for x in f.d.iris(node, SKOS.topConceptOf)}
    if V6_SCHEME in schemes:
        return "6"
    if V61_SCHEME in schemes:  # new in v6.1, or renamed there (its predecessor is v6.0's)
        return "6.1"
    if V4_SCHEME in schemes or any(v.iri.startswith(EIRA + "view/") for v in listed_in) \
            or f.d.iris(node, DCT.isReplacedBy):
        return "4"
    return None


def eira_block_page(reader: Reader, iri: str, triples: list[ox.Triple],
                    languages: tuple[str, ...] = ("en",)) -> EiraBlockPage:
    """A building block's page from its description ``triples`` (as ``Reader.describe``
    gives them, with the labels of the blocks it points at) and two saved queries (its
    views, the blocks narrower than it); who implements it comes from the search index."""
    node = ox.NamedNode(iri)
    f = Facts(triples, languages)
    title = f.title(node, SKOS.prefLabel)
    listed_in = views(reader, iri, languages)
    broader, parts = f.links(node, SKOS.broader), narrower(reader, iri, languages)
    deprecated = any(lit.value in ("true", "1") for lit in f.d.literals(node, OWL.deprecated))
    return EiraBlockPage(
        iri=iri, title=title, other_names=alternative_names(f, node, title),
        definition=definition(f, node), version=version_of(f, node, listed_in),
        views=listed_in,
        viewpoints=sorted({x.value for x in f.d.literals(node, ox.NamedNode(EIRAX + "viewpoint"))}),
        dimensions=sorted({x.value for x in f.d.literals(
            node, ox.NamedNode(EIRAX + "interoperabilityDimension"))}),
        archimate_type=f.value(node, ox.NamedNode(EIRAX + "archimateType")),
        deprecated=deprecated,
        successors=f.links(node, DCT.isReplacedBy), predecessors=f.links(node, DCT.replaces),
        broader=broader, narrower=parts,
        related=[x for x in f.links(node, SKOS.related) if x not in broader and x not in parts],
        used_by=used_lists(reader, iri, languages),
        statements=statement_rows(iri, triples, languages),
    )
