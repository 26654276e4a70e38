"""The scoring table: what a solution's description is scored on, and how many points each.

ONE table (``CRITERIA``; README, "Quality"): five dimensions after data.europa.eu's Metadata
Quality Assessment adapted to ADMS-AP solutions, 100 points in all. A criterion is met or
not (no partial credit), so every point a record loses is one criterion it does not meet,
and its ``advice`` says what to add. The criteria are also named, without points, in
``catalogue/vocab/quality-metrics.ttl`` (a test checks both agree).

Scored in Python over one source graph's triples (``store.triples``): one read per source,
no query per record. Accessibility counts URLs given, and whether they answer: the link
checker (``links``) says which URLs are broken, and ``score_graph`` takes that set
(unchecked links count as working). ADMS-AP conformance is met by every published
record (a record with a violation is never published); the criterion is kept so the table
matches MQA's and a lax mode later can lose it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from catalogue.store import Node

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
# (name, lowest score) from the best down: a score's level is the first it reaches
LEVELS: tuple[tuple[str, int], ...] = (("excellent", 85), ("good", 70), ("fair", 50), ("poor", 30),
                                       ("insufficient", 0))
EU_FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
EIRA = "http://data.europa.eu/dr8/"


@dataclass(frozen=True)
class Criterion:
    code: str  # also the criterion's IRI in the quality vocabulary (q:{code})
    dimension: str
    points: int
    advice: str  # English; the web layer shows it translated by code


CRITERIA: tuple[Criterion, ...] = (
    Criterion("keywords", "findability", 8, "Add keywords (dcat:keyword)"),
    Criterion("themes", "findability", 6, "Add a theme (dcat:theme)"),
    Criterion("spatial", "findability", 5, "Add the spatial coverage (dct:spatial)"),
    Criterion("eira", "findability", 6, "Add its EIRA building blocks (dct:type)"),
    Criterion("access-url", "accessibility", 8,
              "Add a distribution, and an access URL to each (dcat:accessURL)"),
    Criterion("download-url", "accessibility", 8, "Add a download URL to a distribution (dcat:downloadURL)"),
    Criterion("working-links", "accessibility", 4,
              "Fix or replace its broken links (access, download, landing page, documentation)"),
    Criterion("file-type", "interoperability", 7,
              "Give each distribution a file type from the EU file-types vocabulary (dct:format)"),
    Criterion("media-type", "interoperability", 4, "Give each distribution a media type (dcat:mediaType)"),
    Criterion("conformance", "interoperability", 4, "Fix its ADMS-AP violations"),
    Criterion("specifications", "interoperability", 5,
              "Declare the specifications it implements (dct:conformsTo)"),
    Criterion("licence", "reusability", 8, "Add a licence to each distribution (dct:license)"),
    Criterion("contact", "reusability", 4, "Add a contact point (dcat:contactPoint)"),
    Criterion("publisher", "reusability", 4, "Add a publisher (dct:publisher)"),
    Criterion("documentation", "reusability", 4, "Add documentation (foaf:page)"),
    Criterion("dates", "contextuality", 4, "Say when it was issued and last modified (dct:issued, dct:modified)"),
    Criterion("versions", "contextuality", 4, "Describe its releases or version (dct:hasVersion, owl:versionInfo)"),
    Criterion("release-notes", "contextuality", 3, "Add release notes (adms:versionNotes)"),
    Criterion("recent", "contextuality", 4, "Update its description: it has not changed for a long time"),
)
BY_CODE = {c.code: c for c in CRITERIA}
WEIGHTS = {d: sum(c.points for c in CRITERIA if c.dimension == d) for d in DIMENSIONS}
assert sum(WEIGHTS.values()) == 100

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DCAT = "http://www.w3.org/ns/dcat#"
_DCT = "http://purl.org/dc/terms/"
_P = {
    "keyword": _DCAT + "keyword", "theme": _DCAT + "theme", "spatial": _DCT + "spatial",
    "type": _DCT + "type", "distribution": _DCAT + "distribution", "access": _DCAT + "accessURL",
    "download": _DCAT + "downloadURL", "format": _DCT + "format", "media": _DCAT + "mediaType",
    "conforms": _DCT + "conformsTo", "license": _DCT + "license", "contact": _DCAT + "contactPoint",
    "publisher": _DCT + "publisher", "page": "http://xmlns.com/foaf/0.1/page", "landing": _DCAT + "landingPage",
    "issued": _DCT + "issued", "modified": _DCT + "modified", "hasVersion": _DCT + "hasVersion",
    "isVersionOf": _DCT + "isVersionOf", "versionInfo": "http://www.w3.org/2002/07/owl#versionInfo",
    "notes": "http://www.w3.org/ns/adms#versionNotes",
}


_DATASET = ox.NamedNode(_DCAT + "Dataset")
_WANTED = frozenset(_P.values()) | {_RDF_TYPE}


@dataclass(frozen=True)
class Score:
    """One solution's score: per dimension, the total, and the criteria it does not meet."""

    record: str
    dimensions: dict[str, int]
    lost: tuple[str, ...]  # criterion codes, in table order

    @property
    def total(self) -> int:
        return sum(self.dimensions.values())

    @property
    def level(self) -> str:
        return level_of(self.total)

    def explanations(self) -> list[str]:
        """Every point lost, as what to fix: "Add keywords (dcat:keyword): +8"."""
        return [f"{BY_CODE[c].advice}: +{BY_CODE[c].points}" for c in self.lost]


def level_of(score: int) -> str:
    """The level a score reaches (``LEVELS``): 'excellent' ... 'insufficient'."""
    return next(name for name, floor in LEVELS if score >= floor)


def level_floor(level: str) -> int:
    """The lowest score of a level.

    :raise KeyError: not a level name.
    """
    return dict(LEVELS)[level]


@dataclass
class _Node:
    props: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))

    def has(self, key: str) -> bool:
        return bool(self.props.get(_P[key]))

    def values(self, key: str) -> list[Node]:
        return self.props.get(_P[key], [])


def _date(term: Node) -> datetime | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        value = datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def score_graph(triples: Iterable[ox.Triple], *, now: datetime | None = None,
                outdated_after_days: int = 1095, broken: Collection[str] = frozenset(),
                thresholds: Mapping[str, int] | None = None) -> list[Score]:
    """Score every solution (a ``dcat:Dataset`` that is not a release) of one graph.

    A solution's distributions are its own and its releases' (``dct:hasVersion`` or the
    release's ``dct:isVersionOf``); its releases count for versions, release notes and
    its latest modification. "Recent" is a modification (else issue) date within
    ``outdated_after_days`` of ``now``, or of the longest threshold moderators set for one
    of its ADMS asset types (``thresholds``: type IRI -> days; 0: never outdated). "Working links": it has links (its own and its
    releases' landing pages and documentation, its distributions' access and download URLs)
    and none is in ``broken`` (the link checker's broken URLs; unchecked ones count as
    working).
    """
    now = now or datetime.now(UTC)
    nodes: dict[str, _Node] = defaultdict(_Node)
    datasets: set[str] = set()
    wanted = _WANTED  # only what a criterion reads (titles and descriptions are a third of a graph)
    for t in triples:
        predicate = t.predicate.value
        if predicate not in wanted:
            continue
        subject, obj = t.subject, t.object
        if isinstance(obj, ox.Triple) or isinstance(subject, ox.Triple):
            continue
        key = str(subject)
        if predicate == _RDF_TYPE:
            if obj == _DATASET:
                datasets.add(key)
            continue
        nodes[key].props[predicate].append(obj)
    releases: dict[str, set[str]] = defaultdict(set)
    for key in datasets:
        for parent in nodes[key].values("isVersionOf"):
            releases[str(parent)].add(key)
        for child in nodes[key].values("hasVersion"):
            releases[key].add(str(child))
    solutions = sorted(k for k in datasets if not nodes[k].has("isVersionOf") and k.startswith("<"))
    by_type = thresholds or {}

    def cutoff(key: str) -> datetime | None:
        """When a change must have been made after to count as recent (None: always)."""
        types = [v.value for v in nodes[key].values("type") if isinstance(v, ox.NamedNode)]
        days = max((by_type[t] for t in types if t in by_type), default=outdated_after_days)
        return now - timedelta(days=days) if days > 0 else None
    return [_score(k, nodes, sorted(releases.get(k, ())), cutoff(k), broken) for k in solutions]


def _links(records: Sequence[_Node], dists: Sequence[_Node]) -> set[str]:
    """The URLs the link checker follows for one solution (IRIs only)."""
    values = [v for n in records for k in ("landing", "page") for v in n.values(k)]
    values += [v for d in dists for k in ("access", "download") for v in d.values(k)]
    return {v.value for v in values if isinstance(v, ox.NamedNode)}


def _score(key: str, nodes: dict[str, _Node], release_keys: Sequence[str], cutoff: datetime | None,
           broken: Collection[str]) -> Score:
    sol = nodes[key]
    rels = [nodes[r] for r in release_keys if r in nodes]
    dists = [nodes[str(d)] for n in [sol, *rels] for d in n.values("distribution")]
    every = lambda k: bool(dists) and all(d.has(k) for d in dists)  # noqa: E731
    dates = [d for n in [sol, *rels] for p in ("modified", "issued") for d in map(_date, n.values(p)) if d]
    met = {
        "keywords": sol.has("keyword"),
        "themes": sol.has("theme"),
        "spatial": sol.has("spatial"),
        "eira": any(isinstance(v, ox.NamedNode) and v.value.startswith(EIRA) for v in sol.values("type")),
        "access-url": every("access"),
        "download-url": any(d.has("download") for d in dists),
        "working-links": bool(links := _links([sol, *rels], dists)) and not any(u in broken for u in links),
        "file-type": bool(dists) and all(
            any(isinstance(v, ox.NamedNode) and v.value.startswith(EU_FILE_TYPES) for v in d.values("format"))
            for d in dists),
        "media-type": every("media"),
        "conformance": True,  # published records passed ADMS-AP validation (module docstring)
        "specifications": sol.has("conforms") or any(d.has("conforms") for d in dists),
        "licence": every("license"),
        "contact": sol.has("contact"),
        "publisher": sol.has("publisher"),
        "documentation": sol.has("page"),
        "dates": sol.has("issued") and sol.has("modified"),
        "versions": bool(rels) or sol.has("versionInfo"),
        "release-notes": any(n.has("notes") for n in [sol, *rels]),
        "recent": cutoff is None or any(d >= cutoff for d in dates),
    }
    lost = tuple(c.code for c in CRITERIA if not met[c.code])
    dims = {d: WEIGHTS[d] - sum(BY_CODE[c].points for c in lost if BY_CODE[c].dimension == d)
            for d in DIMENSIONS}
    return Score(key[1:-1], dims, lost)
