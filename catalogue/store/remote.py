"""The remote backend: any SPARQL 1.1 Query/Update server (Oxigraph server, Virtuoso...).

Results are parsed with pyoxigraph, so callers get the same terms as from the embedded
store. Bulk writes use the Graph Store Protocol when the server offers it (Oxigraph's
``/store``), else chunks of ``INSERT DATA``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import pyoxigraph as ox
import requests

from .base import (
    ALL,
    Bindings,
    Dataset,
    QuerySyntaxError,
    Rows,
    Store,
    StoreError,
    Triple,
)
from .sparql_text import ntriples, values_clause

CHUNK = 50_000


def _chunks(triples: Iterable[Triple], size: int) -> Iterator[list[Triple]]:
    it = iter(triples)
    while chunk := list(islice(it, size)):
        yield chunk


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint reached over HTTP.

    :param query_url: the SPARQL query endpoint.
    :param update_url: the SPARQL update endpoint.
    :param store_url: the Graph Store Protocol endpoint, if any (derived for Oxigraph).
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        store_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        if store_url is None and query_url.endswith("/query"):
            store_url = query_url[: -len("query")] + "store"
        self.store_url = store_url
        self.timeout = timeout
        self.session = requests.Session()
        self.description = f"remote SPARQL endpoint {query_url}"

    def _post(self, url: str, data: dict | bytes, headers: dict[str, str], *, params=None):
        try:
            response = self.session.post(
                url, data=data, headers=headers, params=params, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from None
        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip()[:2000])
        if response.status_code >= 300:
            raise StoreError(
                f"the SPARQL endpoint {url} answered {response.status_code}: "
                f"{response.text.strip()[:500]}"
            )
        return response

    def _query(self, sparql: str, bindings: Bindings | None, dataset: Dataset, accept: str) -> bytes:
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        return self._post(self.query_url, self._form(sparql, bindings, dataset), headers).content

    def _form(self, sparql: str, bindings: Bindings | None, dataset: Dataset) -> list[tuple[str, str]]:
        form: list[tuple[str, str]] = [("query", sparql + values_clause(bindings or {}))]
        if dataset.default_graphs is not None:
            form += [("default-graph-uri", g.value) for g in dataset.default_graphs]
            # an explicit empty named-graph list must hide the named graphs
            named = dataset.named_graphs or []
            form += [("named-graph-uri", g.value) for g in named]
        elif dataset.named_graphs is not None:
            form += [("named-graph-uri", g.value) for g in dataset.named_graphs]
        return form

    def select(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> Rows:
        body = self._query(sparql, bindings, dataset, "application/sparql-results+json")
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return Rows(names, [{n: s[n] for n in names if s[n] is not None} for s in result])

    def ask(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> bool:
        body = self._query(sparql, bindings, dataset, "application/sparql-results+json")
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(result)

    def construct(
        self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL
    ) -> list[Triple]:
        body = self._query(sparql, bindings, dataset, "application/n-triples")
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def query_serialized(
        self,
        sparql: str,
        *,
        dataset: Dataset = ALL,
        results_format: str = "application/sparql-results+json",
        graph_format: str = "text/turtle",
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        accept = f"{results_format}, {graph_format}"
        if base_iri:  # the protocol has no parameter for it: a BASE declaration, same line
            sparql = f"BASE {ox.NamedNode(base_iri)} {sparql}"
        form = self._form(sparql, None, dataset)
        response = self._post(self.query_url, form,
                              {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        media = response.headers.get("content-type", results_format).split(";")[0].strip()
        return media, response.content

    def update(self, sparql: str) -> None:
        if not sparql.strip():
            return
        self._post(
            self.update_url,
            sparql.encode("utf-8"),
            {"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def write_graph(self, graph: ox.NamedNode, triples: Iterable[Triple]) -> int:
        n = 0
        for chunk in _chunks(triples, CHUNK):
            n += len(chunk)
            if self.store_url:
                try:
                    self._post(
                        self.store_url,
                        ntriples(chunk).encode("utf-8"),
                        {"Content-Type": "application/n-triples"},
                        params={"graph": graph.value},
                    )
                    continue
                except StoreError:
                    self.store_url = None  # no Graph Store Protocol here: fall back for good
            self.update(f"INSERT DATA {{ GRAPH {graph} {{\n{ntriples(chunk)}}} }}")
        return n

    def named_graphs(self) -> list[ox.NamedNode]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [r["g"] for r in rows if isinstance(r.get("g"), ox.NamedNode)]

    def close(self) -> None:
        self.session.close()
