"""What a reader sees, as one catalogue serves it: a resource's published description (the
Linked Data views), its page (a solution's, or a licence's, collection's, release's...),
when it was withdrawn, the home page, and the same solution published by several sources.

Reached as ``Catalogue.reader`` (these were ``Catalogue`` methods until issue 11). It reads
the public dataset through the root's saved queries and the search index through
``Catalogue.search``, and keeps its own caches of descriptions and labels, keyed by the data
version. Its one write, a moderator's decision on duplicates (:meth:`Reader.decide_same`),
is here because it changes what these pages and search show.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries
from catalogue.cache import LRU
from catalogue.ingest import ownership
from catalogue.labels import LABEL_IRIS, pick
from catalogue.pages import resources
from catalogue.pages import solution as pages
from catalogue.pages.duplicates import Duplicates, Publication, decide, find_duplicates
from catalogue.search import SearchRequest, search
from catalogue.store import Dataset, Rows
from catalogue.terms import DCT

if TYPE_CHECKING:
    from catalogue.app import Catalogue
    from catalogue.standards import AssessmentPage, SpecificationPage

DESCRIBED = 4096  # descriptions kept per process (a few KB each)
LABELLED = 200_000  # IRIs whose labels are kept per process (a few hundred bytes each)
CHUNK = 100  # resources asked in one resources_own.rq query


@dataclass(frozen=True)
class HomePage:
    newest: list  # search hits, newest first
    solutions: int
    by_view: list  # (view label, [facet values of the blocks solutions implement])
    topics: list
    countries: list
    collections: int = 0
    publishers: int = 0  # organisations that publish at least one solution or collection


# what source_contents.rq counts, by the kind's IRI -> the name a page uses
KIND_OF = {
    "http://www.w3.org/ns/dcat#Catalog": "collections",
    "http://www.w3.org/ns/dcat#Dataset": "solutions",
    "http://purl.org/dc/terms/isVersionOf": "releases",
    "http://www.w3.org/ns/dcat#Distribution": "distributions",
    "http://data.europa.eu/2sa/cssv#Specification": "specifications",
    "http://www.w3.org/ns/dcat#CatalogRecord": "catalogue records",
    "http://data.europa.eu/2sa/cav#Assessment": "assessments",
}


@dataclass(frozen=True)
class SourceContents:
    kinds: dict[str, int]  # "solutions", "releases"... (KIND_OF's names) -> records
    publishers: list[tuple[str, str, int]]  # (IRI, name, solutions and collections), most first


@dataclass(frozen=True)
class UsedBy:
    facet: str  # the search facet, also the /search parameter: eira, licence, publisher...
    total: int
    first: list[tuple[str, str]]  # (iri, title) of the first few, by title


@dataclass(frozen=True)
class Withdrawal:
    source: str
    when: str
    activity: str
    held_back: bool = False  # quarantined by validation (partial mode), not withdrawn by its publisher


class Reader:
    """The read side of one catalogue: descriptions, pages and duplicates."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._described: LRU[str, tuple[str, list[ox.Triple]]] = LRU(DESCRIBED)
        self._labelled: tuple[str, dict[ox.NamedNode, list[ox.Triple]]] = ("", {})

    def select(self, name: str, **params: queries.Value) -> Rows:
        """The root's :meth:`Catalogue.select`: what the resource pages gather from."""
        return self._root.select(name, **params)

    # descriptions

    def describe(self, iri: str) -> list[ox.Triple]:
        """The published description of a resource (empty if none): its own triples, its
        blank nodes', and the labels of the IRIs it points to (what resource_description.rq
        gives in one query).

        The last ``DESCRIBED`` descriptions are kept for the current data version, and the
        labels of up to ``LABELLED`` IRIs: pages describe the same building blocks, licences,
        formats and contacts over and over, and label the same countries and topics."""
        token = self._root.data_version().token
        hit = self._described.get(iri)
        if hit is not None and hit[0] == token:
            return hit[1]
        node = ox.NamedNode(iri)
        own = ownership.description_from_owner(self.select("resource_own", resource=node))
        return self._labelled_descriptions({node: own}, token)[iri]

    def describe_many(self, iris: list[str]) -> dict[str, list[ox.Triple]]:
        """What :meth:`describe` gives for each of ``iris``, in one round: the descriptions
        not kept are asked in one query (resources_own.rq, by chunks of ``CHUNK``), then the
        labels of everything they point to in one more (a solution's page describes its
        releases, distributions and contact points so: 2 queries instead of 2 each)."""
        token = self._root.data_version().token
        out: dict[str, list[ox.Triple]] = {}
        rows: dict[ox.NamedNode, list[dict]] = {}
        for iri in dict.fromkeys(iris):
            hit = self._described.get(iri)
            if hit is not None and hit[0] == token:
                out[iri] = hit[1]
            else:
                rows[ox.NamedNode(iri)] = []
        missing = list(rows)
        for start in range(0, len(missing), CHUNK):
            for r in self.select("resources_own", resource=missing[start:start + CHUNK]):
                rows[r["resource"]].append(r)  # type: ignore[index]
        own = {node: ownership.description_from_owner(Rows(["resource", "g", "p", "o", "bp", "bo"], found))
               for node, found in rows.items()}
        out.update(self._labelled_descriptions(own, token))
        return {iri: out[iri] for iri in dict.fromkeys(iris)}  # in the order asked

    def _labelled_descriptions(self, own: dict[ox.NamedNode, list[ox.Triple]],
                               token: str) -> dict[str, list[ox.Triple]]:
        """Each resource's own triples with the labels of the IRIs it points to (asked
        together), kept for the data version ``token``."""
        targets = {node: list(dict.fromkeys(t.object for t in triples if t.subject == node
                                            and isinstance(t.object, ox.NamedNode)))
                   for node, triples in own.items()}
        labels = self._labels(list(dict.fromkeys(x for xs in targets.values() for x in xs)), token)
        out = {}
        for node, triples in own.items():
            described = list(dict.fromkeys(triples + [t for x in targets[node] for t in labels[x]]))
            self._described.put(node.value, (token, described))
            out[node.value] = described
        return out

    def _labels(self, iris: list[ox.NamedNode], token: str) -> dict[ox.NamedNode, list[ox.Triple]]:
        """The label triples of each IRI (see labels_of.rq), asking only for those not known
        in this data version."""
        with self._lock:
            if self._labelled[0] != token or len(self._labelled[1]) > LABELLED:
                self._labelled = (token, {})
            known = self._labelled[1]
            found = {x: known[x] for x in iris if x in known}
        missing = [x for x in iris if x not in found]
        for start in range(0, len(missing), 200):
            chunk = missing[start:start + 200]
            got: dict[ox.NamedNode, list[ox.Triple]] = {x: [] for x in chunk}
            for t in self._root.construct("labels_of", resource=chunk):
                got[t.subject].append(t)  # type: ignore[index]
            found.update(got)
            with self._lock:
                if self._labelled[0] == token:
                    self._labelled[1].update(got)
        return found

    def names(self, iris: list[str], languages: tuple[str, ...] = ("en",)) -> dict[str, str]:
        """The name a reader sees for each of ``iris`` that has a label in the public data
        (the reader's languages first, see :func:`catalogue.labels.pick`); an IRI without
        one is left out, so a page shows it as it is. Labels are looked up once per data
        version (a table of query results names the same publishers and themes often)."""
        nodes = list(dict.fromkeys(ox.NamedNode(i) for i in iris))
        found = self._labels(nodes, self._root.data_version().token)
        out: dict[str, str] = {}
        for node, triples in found.items():
            for prop in LABEL_IRIS:  # the best label property first
                texts = [t.object for t in triples
                         if t.predicate.value == prop and isinstance(t.object, ox.Literal)]
                chosen = pick(texts, languages)
                if chosen is not None:
                    out[node.value] = chosen.value
                    break
        return out

    def source_contents(self, slug: str, languages: tuple[str, ...] = ("en",)) -> SourceContents:
        """What a source publishes in its current version: records by kind and the
        organisations behind them, by name (once per data version and languages)."""
        return self._root.per_version(f"source-contents:{slug}:{','.join(languages)}",
                                      lambda: self._source_contents(slug, languages))

    def _source_contents(self, slug: str, languages: tuple[str, ...]) -> SourceContents:
        graph = self._root.publishing.source_graph(slug)
        if graph is None:
            return SourceContents({}, [])
        store = self._root.store
        kinds = {KIND_OF.get(r["kind"].value, r["kind"].value): int(r["records"].value)
                 for r in queries.select(store, "source_contents", graph=graph)}
        rows = [(r["publisher"].value, int(r["records"].value))
                for r in queries.select(store, "source_publishers", graph=graph)]
        names = self.names([iri for iri, _ in rows], languages)
        return SourceContents(kinds, [(iri, names.get(iri, iri), n) for iri, n in rows])

    def withdrawal(self, iri: str) -> Withdrawal | None:
        """When and by which source's ingest a resource was last withdrawn or held back by
        validation, if ever.

        Read from the provenance graph alone: only the pipeline writes there, whereas a
        dump could carry a ``prov:Activity`` of its own claiming to withdraw anything."""
        root = self._root
        rows = queries.select(root.store, "resource_withdrawal", resource=ox.NamedNode(iri),
                              dataset=Dataset(default_graphs=[root.graphs.provenance]))
        for r in rows:
            return Withdrawal(r["source"].value, r["ended"].value, r["activity"].value,
                              held_back=r["how"].value.endswith("heldBack"))
        return None

    # pages

    def solution_page(self, iri: str, languages: tuple[str, ...] = ("en",)) -> pages.SolutionPage:
        """Everything a solution's HTML page shows (see catalogue/pages/solution.py), with
        the other sources' records of it, which are left out of its related solutions (they
        share every building block, being the same), and each release's licences checked
        against each other by the Licensing Assistant (``Catalogue.licences``)."""
        page = pages.solution_page(self.describe_many, self._releases_of, self._collections_of,
                                   iri, languages)
        pages.check_licences(page, self._root.licences, languages)
        page.also_published_by = self.also_published_by(iri)
        page.possibly_same_as = self.possibly_same_as(iri)
        same = {p.iri for p in page.also_published_by + page.possibly_same_as}
        page.related = [r for r in self.related(iri, [b.iri for b in page.building_blocks])
                        if r.iri not in same]
        return page

    def _releases_of(self, iri: str) -> dict[str, list[str]]:
        """A solution's releases, each with the distributions some public graph gives it."""
        out: dict[str, list[str]] = {}
        for r in self.select("release_distributions_of", solution=ox.NamedNode(iri)):
            distributions = out.setdefault(r["release"].value, [])
            if "distribution" in r:
                distributions.append(r["distribution"].value)
        return out

    def _collections_of(self, iri: str) -> dict[str, list[ox.Literal]]:
        """The collections listing a solution, with their titles (describing a collection
        whole, with its hundreds of members, would cost more than the rest of the page):
        what collections_of.rq gives, from every solution's collections read once per data
        version (:meth:`_listed_in`) and the collections' labels (kept per data version too),
        so a cold page asks no query for them (0.6 ms at 10k solutions)."""
        listed = self._listed_in().get(iri, ())
        if not listed:
            return {}
        labels = self._labels([ox.NamedNode(c) for c in listed], self._root.data_version().token)
        return {c: list(dict.fromkeys(t.object for t in labels[ox.NamedNode(c)]
                                      if t.predicate == DCT.title and isinstance(t.object, ox.Literal)))
                for c in listed}

    def _listed_in(self) -> dict[str, tuple[str, ...]]:
        """Each resource's collections, by IRI (solutions_collections.rq): a few MB at 100k
        solutions, each collection's IRI one string shared by its members."""
        def read() -> dict[str, tuple[str, ...]]:
            found: dict[str, list[str]] = {}
            shared: dict[str, str] = {}
            for r in self.select("solutions_collections"):
                c = r["collection"].value
                found.setdefault(r["solution"].value, []).append(shared.setdefault(c, c))
            return {s: tuple(sorted(cs)) for s, cs in found.items()}
        return self._root.per_version("solutions' collections", read)

    def related(self, iri: str, blocks: list[str], limit: int = 8) -> list[pages.Link]:
        """Other solutions implementing the same EIRA building blocks (from the search index),
        those sharing the most blocks first; ``detail`` is the number shared."""
        if not blocks:
            return []
        shared: dict[str, list] = {}
        for block in blocks:
            for other, title in self._implementing(block):
                if other != iri:
                    shared.setdefault(other, [title, 0])[1] += 1
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1][1], kv[1][0].lower()))
        return [pages.Link(other, title, str(n)) for other, (title, n) in ranked[:limit]]

    def _implementing(self, block: str) -> list[tuple[str, str]]:
        """The first solutions implementing ``block`` by title, (IRI, title): the same for
        every page naming the block, so searched once per data version (a cold page saved
        1 ms)."""
        def first() -> list[tuple[str, str]]:
            result = search(self._root.search.index(), SearchRequest(
                sort="title", filters={"eira": (block,), "type": ("solution",)}))
            return [(h.iri, h.title) for h in result.hits]
        return self._root.per_version(f"implementing:{block}", first)

    def resource_page(self, iri: str, triples: list[ox.Triple],
                      languages: tuple[str, ...] = ("en",)
                      ) -> resources.Page | SpecificationPage | AssessmentPage | None:
        """The page of a resource that has one of its own (see ``resources.kind_of``),
        gathered from its description ``triples`` (as :meth:`describe` gives them) and a few
        anchored queries; None for any other resource. Not cached here: the web layer caches
        the rendered page by (resource, format, data version, language)."""
        kind = resources.kind_of(triples, iri)
        if kind is None and self.is_release(iri):
            kind = "release"  # named only by its solution's dct:hasVersion
        return resources.build(self, iri, triples, languages, kind=kind)

    def standards_page(self, kind: str, iri: str,
                       languages: tuple[str, ...] = ("en",)) -> SpecificationPage | AssessmentPage:
        """A specification's or a CAMSS assessment's page (``Catalogue.standards``).

        :raise UnknownSpecification: the standards' index has no such resource.
        """
        return self._root.standards.page(kind, iri, languages)

    def is_release(self, iri: str) -> bool:
        """Whether ``iri`` is a release: it says ``dct:isVersionOf``, or a solution names it
        with ``dct:hasVersion`` (ADMS-AP allows either side)."""
        return bool(self.select("release_solution", release=ox.NamedNode(iri)).rows)

    def used_by(self, iri: str) -> list[UsedBy]:
        """Solutions that point at ``iri`` through a search facet (an EIRA block they
        implement, a licence, a publisher, a topic, a place, a collection), read from the
        search index: where a page says "who uses this"."""
        index = self._root.search.index()
        out = []
        for facet in ("eira", "licence", "publisher", "theme", "spatial", "collection"):
            result = search(index, SearchRequest(sort="title", filters={
                facet: (iri,), "type": ("solution", "collection")}))  # not the specifications
            if result.total:
                out.append(UsedBy(facet, result.total, [(h.iri, h.title) for h in result.hits[:10]]))
        return out

    def home(self, languages: tuple[str, ...] = ()) -> HomePage:
        """The home page's ways in: newest solutions, EIRA views with the blocks solutions
        implement, topics and countries with their counts (from the search index), once per
        data version and reader's languages (for the labels)."""
        return self._root.per_version("home:" + ",".join(languages), lambda: self._home(languages))

    def _home(self, languages: tuple[str, ...]) -> HomePage:
        result = search(self._root.search.index(), SearchRequest(
            sort="date", filters={"type": ("solution",)}, languages=languages))
        used = {f.value: f for f in result.facets.get("eira", [])}
        views: dict[str, tuple[str, list]] = {}
        for r in self.select("eira_views"):
            block = r["block"].value
            if block in used and "Deprecated" not in r["label"].value and r["label"].value != "deprecated":
                # v4 and v6 name the same view ("Legal View", "Legal view"): one list each
                label, blocks = views.setdefault(r["label"].value.strip().lower(), (r["label"].value, []))
                if used[block] not in blocks:
                    blocks.append(used[block])
        by_view = sorted(((label, sorted(blocks, key=lambda f: -f.count)[:8])
                          for label, blocks in views.values()), key=lambda v: v[0])
        everything = search(self._root.search.index(), SearchRequest(languages=languages))
        kinds = {f.value: f.count for f in everything.facets.get("type", [])}
        return HomePage(newest=result.hits[:8], solutions=result.total, by_view=by_view,
                        topics=result.facets.get("theme", [])[:12],
                        countries=result.facets.get("spatial", [])[:12],
                        collections=kinds.get("collection", 0),
                        publishers=everything.facet_sizes.get("publisher",
                                                              len(everything.facets.get("publisher", []))))

    # the same solution published by several sources: catalogue/pages/duplicates.py

    def duplicates(self) -> Duplicates:
        """The same solution published by several sources, grouped, canonical record first
        (found once per data version: two queries over the public data)."""
        return self._root.per_version("duplicates", self._find_duplicates)

    def _find_duplicates(self) -> Duplicates:
        graphs = self._root.graphs
        return find_duplicates(self._root.store, graphs.registry, graphs.provenance, graphs.curation)

    def decide_same(self, a: str, b: str, *, same: bool, moderator: str) -> None:
        """A moderator's word that the solutions ``a`` and ``b`` (of two sources) are the
        same (merged: search shows one) or not (no longer listed as possibly the same).
        Takes effect at once: the data version changes and search's hidden set is rewritten.

        :raise DecisionError: not two published solutions of different sources.
        """
        root = self._root
        decision = root.graphs.decision(uuid.uuid4().hex)
        decide(root.store, root.graphs.curation, decision, self._find_duplicates(), a, b,
               same=same, by=ox.NamedNode(moderator), when=datetime.now(UTC))
        root.changed()
        root.search.rewrite_hidden()

    def possibly_same_as(self, iri: str) -> list[Publication]:
        """Other sources' records that may be the same solution as ``iri`` (a shared key,
        one side's claim) but are not merged with it."""
        return self.duplicates().possibly_same_as(iri)

    def also_published_by(self, iri: str) -> list[Publication]:
        """The other sources' records of the solution ``iri``: (slug, name, record IRI)."""
        return self.duplicates().also_published_by(iri)

    def canonical(self, iri: str) -> str:
        """The record search shows for the solution ``iri`` (``iri`` unless duplicated)."""
        return self.duplicates().canonical(iri)
