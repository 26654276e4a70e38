"""The remote backend: any SPARQL 1.1 Query/Update server (Oxigraph server, Virtuoso...).

Results are parsed with pyoxigraph, so callers get the same terms as from the embedded
store. What one server needs beyond the protocol (how queries are sent, where ``VALUES``
and the dataset go, bulk loads, result caps, system graphs) is its dialect
(catalogue/store/dialect.py), detected from the server or set.

HTTP goes through urllib3's connection pool directly, not requests: a page runs up to a dozen
queries, and requests' session machinery cost ~0.35 ms of Python per call on top of
urllib3's (0.57 vs 0.22 ms for ``ASK {}`` against a local Oxigraph server). An endpoint that
asks for a user and password (``CATALOGUE_SPARQL_USER``) is reached through a requests
session, whose ``HTTPDigestAuth`` keeps the server's nonce between calls (digest is what
Virtuoso's ``/sparql-auth`` takes).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urlencode

import pyoxigraph as ox
import urllib3

from catalogue.store.base import (
    ALL,
    Bindings,
    Dataset,
    QuerySyntaxError,
    Rows,
    Store,
    StoreError,
    Triple,
    blank_nodes_last,
    has_blank,
    row,
)
from catalogue.store.construct import instantiate
from catalogue.store.construct import plan as construct_plan
from catalogue.store.dialect import NO_GRAPH, Dialect, detect, is_system_graph, place
from catalogue.store.sparql_lexer import Operation, SparqlShapeError, operations, tokens
from catalogue.store.sparql_text import ntriples, values_clause

CHUNK = 50_000  # triples per Graph Store request
# what an Oxigraph server is sent to parse itself (JSON-LD's processing differs between its versions)
SERVER_PARSED = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)
LOAD_BYTES_PER_SECOND = 1_000_000  # a whole document posted gets this long beyond the timeout
OP_TRIPLES = 1_000  # triples per INSERT/DELETE DATA on Virtuoso (its compiler gives up near 5,000)
PAGE = 100_000  # rows per page when a whole graph is read past a result cap


class ResultCapError(StoreError):
    """The server cut an answer at its result cap (Virtuoso's ``ResultSetMaxRows``): the
    catalogue never works on a silently shortened answer."""


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    data: bytes


T = TypeVar("T")


def _chunks(triples: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(triples)
    while chunk := list(islice(it, size)):
        yield chunk


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint reached over HTTP.

    :param query_url: the SPARQL query endpoint.
    :param update_url: the SPARQL update endpoint.
    :param store_url: the Graph Store Protocol endpoint, if any (derived for Oxigraph and
        Virtuoso).
    :param user: with ``password``, the account updates and reads authenticate as.
    :param dialect: ``oxigraph``, ``virtuoso`` or ``generic``; ``None``: read from the
        server's ``Server`` header at the first request.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        store_url: str | None = None,
        timeout: float = 60.0,
        user: str | None = None,
        password: str | None = None,
        dialect: Dialect | str | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self._store_url = store_url
        self.timeout = timeout
        self._dialect = Dialect(dialect) if dialect else None
        self._dialect_lock = threading.Lock()
        self._cap: int | None | bool = False  # Virtuoso's ResultSetMaxRows; False: not read yet
        # a failed connection is tried once more (nothing was sent); a POST that reached the
        # server is never sent twice
        self._http = urllib3.PoolManager(
            maxsize=16, timeout=urllib3.Timeout(total=timeout),
            retries=urllib3.Retry(total=1, read=False, redirect=False, status=None))
        self._session: Any = None  # a requests.Session, made at the first authenticated call
        self._user, self._password = user or "", password or ""
        self.description = f"remote SPARQL endpoint {query_url}"
        self._loads_natively: bool | None = None  # read from the dialect when first asked

    # HTTP

    def _auth_session(self):  # noqa: ANN202 - requests is imported only when needed
        if self._session is None:
            import requests
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth

            session = requests.Session()
            digest = self._dialect is Dialect.VIRTUOSO
            session.auth = (HTTPDigestAuth if digest else HTTPBasicAuth)(self._user, self._password)
            self._session = session
        return self._session

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str],
                 params: list[tuple[str, str]] | None = None, timeout: float | None = None) -> _Response:
        target = url + ("&" if "?" in url else "?") + urlencode(params) if params else url
        if self._user:
            import requests

            try:
                r = self._auth_session().request(method, target, data=body, headers=headers,
                                                 timeout=timeout or self.timeout)
            except requests.RequestException as exc:
                raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from None
            return _Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)
        try:
            longer: dict[str, Any] = {"timeout": urllib3.Timeout(total=timeout)} if timeout else {}
            response = self._http.request(method, target, body=body, headers=headers, **longer)
        except urllib3.exceptions.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from None
        return _Response(response.status, {k.lower(): v for k, v in response.headers.items()},
                         response.data)

    def _post(self, url: str, data: list[tuple[str, str]] | bytes, headers: dict[str, str], *,
              params: list[tuple[str, str]] | None = None, timeout: float | None = None) -> _Response:
        body = data if isinstance(data, bytes) else urlencode(data).encode("utf-8")
        if not isinstance(data, bytes):
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        response = self._request("POST", url, body, headers, params, timeout)
        _raise_for(response, url)
        return response

    @property
    def dialect(self) -> Dialect:
        """The server's dialect: as set, or read from its ``Server`` header once (a GET of
        ``ASK {}``, which every server answers)."""
        if self._dialect is None:
            with self._dialect_lock:
                if self._dialect is None:
                    response = self._request("GET", self.query_url, None,
                                             {"Accept": "application/sparql-results+json"},
                                             [("query", "ASK {}")])
                    if response.status == 401 and not self._user:
                        raise StoreError(f"the SPARQL endpoint {self.query_url} asks for a user and "
                                         "password: set CATALOGUE_SPARQL_USER and CATALOGUE_SPARQL_PASSWORD")
                    self._dialect = detect(response.headers.get("server", ""))
                    if self._session is not None:  # made before the dialect was known
                        self._session = None
        return self._dialect

    @property
    def store_url(self) -> str | None:
        """The Graph Store Protocol endpoint: as set, else Oxigraph's ``/store`` beside
        ``/query`` or Virtuoso's ``/sparql-graph-crud[-auth]`` beside ``/sparql[-auth]``."""
        if self._store_url is not None:
            return self._store_url or None
        if self.query_url.endswith("/query"):
            return self.query_url[: -len("query")] + "store"
        if self.dialect is Dialect.VIRTUOSO:
            for end, crud in (("/sparql-auth", "/sparql-graph-crud-auth"), ("/sparql", "/sparql-graph-crud")):
                if self.query_url.endswith(end):
                    return self.query_url[: -len(end)] + crud
        return None

    # queries

    def _query(self, sparql: str, bindings: Bindings | None, dataset: Dataset, accept: str) -> bytes:
        if self.dialect is Dialect.OXIGRAPH:
            return self._send(sparql + values_clause(bindings or {}), dataset, accept).data
        return self._send(sparql, dataset, accept, bindings).data

    def _send(self, sparql: str, dataset: Dataset, accept: str,
              bindings: Bindings | None = None) -> _Response:
        """Oxigraph: the protocol's "query via POST directly" (the text as the body, as is:
        url-encoding a query that lists the public graphs cost more than running it), the
        dataset in the URL. Others: a form, ``VALUES`` placed inside the WHERE group, and on
        Virtuoso the dataset as ``FROM``/``FROM NAMED`` in the text."""
        dialect = self.dialect
        if dialect is Dialect.OXIGRAPH:
            headers = {"Accept": accept, "Content-Type": "application/sparql-query; charset=utf-8"}
            return self._post(self.query_url, sparql.encode("utf-8"), headers,
                              params=self._dataset_params(dataset))
        try:
            if dialect is Dialect.VIRTUOSO:
                text, params = place(sparql, bindings, dataset), []
            else:
                text, params = place(sparql, bindings, None), self._dataset_params(dataset)
        except SparqlShapeError as exc:
            raise QuerySyntaxError(str(exc)) from None
        response = self._post(self.query_url, [("query", text)], {"Accept": accept}, params=params)
        if dialect is Dialect.VIRTUOSO and "x-sparql-maxrows" in response.headers:
            raise ResultCapError(
                f"the SPARQL endpoint cut an answer at {response.headers['x-sparql-maxrows']} rows "
                "(Virtuoso's [SPARQL] ResultSetMaxRows): raise it in virtuoso.ini (README, "
                "\"Remote stores\") so that no answer is silently shortened")
        return response

    @staticmethod
    def _dataset_params(dataset: Dataset) -> list[tuple[str, str]]:
        if dataset.union:  # the server's own store holds private graphs too
            raise StoreError("a union default graph is only offered by a public snapshot")
        params: list[tuple[str, str]] = []
        if dataset.default_graphs is not None:
            params += [("default-graph-uri", g.value) for g in dataset.default_graphs]
            # an explicit empty named-graph list must hide the named graphs
            params += [("named-graph-uri", g.value) for g in dataset.named_graphs or []]
            if not params:  # no graph at all: an empty default graph, not the server's choice
                params = [("default-graph-uri", NO_GRAPH.value)]
        elif dataset.named_graphs is not None:
            params += [("named-graph-uri", g.value) for g in dataset.named_graphs]
            if not params:
                params = [("named-graph-uri", NO_GRAPH.value)]
        return params

    def _results(self, body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
        if self._dialect is Dialect.VIRTUOSO and (b"nodeID://" in body or b"#duration" in body
                                                  or b"#boolean" in body):
            body = _virtuoso_terms(body)
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL endpoint sent results that do not parse: {exc}") from None

    def select(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> Rows:
        result = self._results(self._query(sparql, bindings, dataset, "application/sparql-results+json"))
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return Rows(names, [row(names, s) for s in result])

    def ask(self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL) -> bool:
        if self.dialect is Dialect.VIRTUOSO:
            # its ASK answers true for a GRAPH ?g bound to a graph outside FROM NAMED, where the
            # same pattern as a SELECT gives no row: asked as a SELECT of at most one row
            return len(self.select(_ask_as_select(sparql), bindings, dataset=dataset)) > 0
        result = self._results(self._query(sparql, bindings, dataset, "application/sparql-results+json"))
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(result)

    def construct(
        self, sparql: str, bindings: Bindings | None = None, *, dataset: Dataset = ALL
    ) -> list[Triple]:
        if self.dialect is Dialect.VIRTUOSO:  # its CONSTRUCT drops triples without a word
            try:
                how = construct_plan(sparql)
            except SparqlShapeError as exc:
                raise QuerySyntaxError(str(exc)) from None
            return instantiate(how.template, self.select(how.select, bindings, dataset=dataset))
        body = self._query(sparql, bindings, dataset, "application/n-triples")
        return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def result_cap(self) -> int | None:
        """Virtuoso's ``ResultSetMaxRows`` (read once from its configuration), else None."""
        if self.dialect is not Dialect.VIRTUOSO:
            return None
        if self._cap is False:
            cap: int | None = None
            try:
                rows = self.select(_CAP_QUERY)
                value = rows.rows[0].get("cap") if rows.rows else None
                cap = int(value.value) if value is not None and value.value.strip().isdigit() else None
            except StoreError:
                cap = None  # the server does not say: SELECTs still carry the cap's header
            self._cap = cap if cap and cap > 0 else None
        return self._cap if isinstance(self._cap, int) and not isinstance(self._cap, bool) else None

    def query_serialized(
        self,
        sparql: str,
        *,
        dataset: Dataset = ALL,
        results_format: str = "application/sparql-results+json",
        graph_format: str = "text/turtle",
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        if base_iri:  # the protocol has no parameter for it: a BASE declaration, same line
            sparql = f"BASE {ox.NamedNode(base_iri)} {sparql}"
        if self.dialect is Dialect.OXIGRAPH:
            response = self._send(sparql, dataset, f"{results_format}, {graph_format}")
            media = response.headers.get("content-type", results_format).split(";")[0].strip()
            return media, response.data
        # others answer formats of their own making (Virtuoso: 406 for Turtle, quoted CSV
        # headers): ask for the two formats every server writes, write the answer here
        form = _form(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = self.construct(sparql, dataset=dataset)
            return graph_format, _serialize_graph(triples, graph_format)
        result = self._results(self._send(sparql, dataset, "application/sparql-results+json").data)
        return results_format, _serialize_results(result, results_format)

    # updates

    def update(self, sparql: str) -> None:
        if not sparql.strip():
            return
        dialect = self.dialect
        if dialect is Dialect.OXIGRAPH:
            self._post(self.update_url, sparql.encode("utf-8"),
                       {"Content-Type": "application/sparql-update; charset=utf-8"})
        elif dialect is Dialect.GENERIC:
            self._post(self.update_url, [("update", sparql)], {})
        else:
            self._virtuoso_update(sparql)

    def _virtuoso_update(self, sparql: str) -> None:
        """Virtuoso runs a request's operations one by one and keeps those before a failure,
        so the whole text is parsed here first (a syntax error changes nothing, as on other
        servers); then each operation goes on its own: blank-node or big ``INSERT DATA``
        through the Graph Store endpoint in chunks, big ``DELETE DATA`` in parts, ``DROP
        ALL`` as a drop of each of the catalogue's graphs (never Virtuoso's own)."""
        try:
            ox.Store().update(sparql)  # the syntax, on a throwaway store
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except Exception:  # noqa: BLE001,S110 - runtime errors on an empty store mean nothing here
            pass
        try:
            ops = operations(sparql)
        except SparqlShapeError as exc:
            raise QuerySyntaxError(str(exc)) from None
        for op in ops:
            if op.kind in ("INSERT DATA", "DELETE DATA") and op.data is not None:
                quads = _data_quads(op)
                if op.kind == "INSERT DATA" and (len(quads) > OP_TRIPLES or any(_needs_loader(q) for q in quads)):
                    self._load_quads(quads)
                    continue
                if len(quads) > OP_TRIPLES:
                    for part in _chunks(quads, OP_TRIPLES):
                        self._post(self.update_url, [("update", _data_update(op.kind, part))], {})
                    continue
            if _drops_all(op):
                for g in self.named_graphs():
                    self._post(self.update_url, [("update", f"DROP SILENT GRAPH {g}")], {})
                continue
            self._post(self.update_url, [("update", _silent(op))], {})

    def _load_quads(self, quads: list[ox.Quad]) -> None:
        by_graph: dict[ox.NamedNode, list[Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise StoreError("the catalogue writes into named graphs only, not the default graph")
            by_graph.setdefault(q.graph_name, []).append(q.triple)
        for graph, triples in by_graph.items():
            self.write_graph(graph, triples)

    def write_graph(self, graph: ox.NamedNode, triples: Iterable[Triple]) -> int:
        """In requests of ``CHUNK`` triples; every triple that holds a blank node goes in one
        last request, as a blank node's label means one node only within one document (one
        request: a blank node split over two would become two nodes)."""
        if self.dialect is Dialect.VIRTUOSO and not self.store_url:
            raise StoreError("Virtuoso's Graph Store endpoint is unknown: set CATALOGUE_SPARQL_STORE_URL "
                             "(e.g. http://localhost:8890/sparql-graph-crud-auth)")
        n = 0
        for chunk in blank_nodes_last(triples, CHUNK):
            n += len(chunk)
            self._write_document(graph, chunk)
        return n

    @property
    def loads_natively(self) -> bool:
        """An Oxigraph server with its Graph Store endpoint parses a document itself."""
        if self._loads_natively is None:
            self._loads_natively = self.dialect is Dialect.OXIGRAPH and self.store_url is not None
        return self._loads_natively

    @loads_natively.setter
    def loads_natively(self, value: bool) -> None:
        self._loads_natively = value

    def loads_natively_as(self, format: ox.RdfFormat) -> bool:
        return format in SERVER_PARSED and self.loads_natively

    def load_graph(self, graph: ox.NamedNode, data: bytes, format: ox.RdfFormat) -> int | None:
        """On an Oxigraph server (:meth:`loads_natively_as`), the document posted whole to its
        Graph Store endpoint and parsed there, loaded without a transaction (``no_transaction``:
        into a graph nobody reads yet; twice as quick, and the server does not hold the
        whole document in memory); then the graph's size, as another parser read it.
        Elsewhere parsed here and written (:meth:`write_graph`).

        :raise SyntaxError: the server could not parse it (``graph`` may hold part of it).
        """
        if not self.loads_natively_as(format):
            return super().load_graph(graph, data, format)
        try:
            self._post(self.store_url or "", data, {"Content-Type": format.media_type},
                       params=[("graph", graph.value), ("no_transaction", "")],
                       timeout=self.timeout + len(data) / LOAD_BYTES_PER_SECOND)
        except QuerySyntaxError as exc:
            raise SyntaxError(str(exc)) from None
        return self.count(graph)

    def _write_document(self, graph: ox.NamedNode, triples: list[Triple]) -> None:
        """One request adding ``triples`` to ``graph``: through the Graph Store endpoint
        (Virtuoso's takes ``graph-uri=``), else by ``INSERT DATA`` (a server without one)."""
        url = self.store_url
        if url:
            try:
                self._post(url, ntriples(triples).encode("utf-8"), {"Content-Type": "application/n-triples"},
                           params=[("graph-uri" if self.dialect is Dialect.VIRTUOSO else "graph", graph.value)])
                return
            except StoreError:
                if self.dialect is Dialect.VIRTUOSO:
                    raise
                self._store_url = ""  # no Graph Store Protocol here: fall back for good
        self.update(f"INSERT DATA {{ GRAPH {graph} {{\n{ntriples(triples)}}} }}")

    # graphs

    def named_graphs(self) -> list[ox.NamedNode]:
        if self.dialect is Dialect.VIRTUOSO:
            return list(self._graph_counts())
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [g for r in rows if isinstance(g := r.get("g"), ox.NamedNode)]

    def _graph_counts(self) -> dict[ox.NamedNode, int]:
        """Virtuoso: each of the catalogue's graphs and its size. Grouped, as its ``SELECT
        DISTINCT ?g`` over every quad ran past a minute at 100k quads (the grouped count:
        30 ms); its own graphs left out."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {g: int(r["n"].value) for r in rows
                if isinstance(g := r.get("g"), ox.NamedNode) and not is_system_graph(Dialect.VIRTUOSO, g)}

    def count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is not None or self.dialect is not Dialect.VIRTUOSO:
            return super().count(graph)
        return sum(self._graph_counts().values())

    def triples(self, graph: ox.NamedNode) -> list[Triple]:
        return list(self.iter_triples(graph))

    def iter_triples(self, graph: ox.NamedNode) -> Iterator[Triple]:
        """A whole graph: one CONSTRUCT; on Virtuoso a SELECT (whose cut carries a header),
        and past its result cap, pages in a fixed order."""
        if self.dialect is not Dialect.VIRTUOSO:
            yield from self.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph})
            return
        try:  # a SELECT, whose cut carries a header (a CONSTRUCT's does not)
            rows = self.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph})
        except ResultCapError:
            rows = None
        if rows is not None:
            for r in rows:
                yield Triple(r["s"], r["p"], r["o"])  # type: ignore[arg-type]
            return
        cap = self.result_cap() or PAGE
        size = max(1, min(cap - 1, PAGE))  # a page the size of the cap carries the cap's header
        offset = 0
        while True:
            page = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o "
                               f"LIMIT {size} OFFSET {offset}", {"g": graph})
            for r in page:
                yield Triple(r["s"], r["p"], r["o"])  # type: ignore[arg-type]
            if len(page) < size:
                return
            offset += size

    def close(self) -> None:
        self._http.clear()
        if self._session is not None:
            self._session.close()


_CAP_QUERY = ("SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?cap) "
              "WHERE { }")


def _raise_for(response: _Response, url: str) -> None:
    text = response.data.decode("utf-8", "replace").strip()
    if response.status == 400 or (response.status == 500 and _is_virtuoso_syntax(text)):
        raise QuerySyntaxError(text[:2000])
    if response.status == 401:
        raise StoreError(f"the SPARQL endpoint {url} refused the catalogue's credentials (401): "
                         "check CATALOGUE_SPARQL_USER and CATALOGUE_SPARQL_PASSWORD")
    if response.status >= 300:
        raise StoreError(f"the SPARQL endpoint {url} answered {response.status}: {text[:500]}")


def _is_virtuoso_syntax(text: str) -> bool:
    return text.startswith("Virtuoso 37000 Error SP030")


_BNODE = re.compile(rb'"nodeID://')


_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_SECONDS = re.compile(r"^-?\d+(\.\d+)?$")


def _virtuoso_terms(body: bytes) -> bytes:
    """Three of Virtuoso's terms as RDF has them. Its booleans come back ``"1"``/``"0"``:
    their canonical ``true``/``false``. It names blank nodes ``nodeID://b10001`` in
    JSON results, which is no blank node label: the label after the scheme (the same node in
    every answer). It stores an ``xsd:duration`` as its seconds and gives back
    ``"86400.0"^^xsd:duration``, which is no duration: the same length as ``PT86400S``."""
    doc = json.loads(body)
    for binding in doc.get("results", {}).get("bindings", []):
        for value in binding.values():
            text = value.get("value", "")
            if value.get("type") == "bnode" and text.startswith("nodeID://"):
                value["value"] = text[len("nodeID://"):]
            elif value.get("datatype") == _DURATION and _SECONDS.match(text):
                value["value"] = _duration(float(text))
            elif value.get("datatype") == _BOOLEAN and text in ("1", "0"):
                value["value"] = "true" if text == "1" else "false"
    return json.dumps(doc).encode("utf-8")


def _duration(seconds: float) -> str:
    """The canonical ``xsd:duration`` of a number of seconds, as Oxigraph writes it
    (``P1D``, ``PT6H``, ``P1DT2H30M``, ``PT0.5S``)."""
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{int(n)}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if secs:
        time += f"{int(secs) if secs == int(secs) else secs}S"
    text = (f"{int(days)}D" if days else "") + (f"T{time}" if time else "")
    return f"{sign}P{text or 'T0S'}"


def _needs_loader(q: ox.Quad) -> bool:
    """A blank node (refused in ``INSERT DATA``) or an ``xsd:duration`` (its SPARQL compiler
    cannot make one; its loader stores the seconds)."""
    return has_blank(q) or (isinstance(q.object, ox.Literal) and q.object.datatype.value == _DURATION)


def _data_quads(op: Operation) -> list[ox.Quad]:
    """The quads of an ``INSERT DATA``/``DELETE DATA`` block, read as TriG (its syntax is
    SPARQL's data block's, with the operation's prefixes)."""
    assert op.data is not None
    start, end = op.data
    try:
        return list(ox.parse(f"{op.prologue}\n{op.text[start:end]}".encode(), format=ox.RdfFormat.TRIG))
    except SyntaxError as exc:
        raise QuerySyntaxError(f"a data block does not parse: {exc}") from None


def _data_update(kind: str, quads: list[ox.Quad]) -> str:
    body = "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
    return f"{kind} {{\n{body}\n}}"


def _drops_all(op: Operation) -> bool:
    words = [t.keyword for t in tokens(op.text[len(op.prologue):])]
    return bool(words) and words[0] in ("DROP", "CLEAR") and words[-1] in ("ALL", "NAMED")


def _silent(op: Operation) -> str:
    """A graph management operation made ``SILENT``: Virtuoso fails ``DROP GRAPH`` on a graph
    that holds triples but was never made with ``CREATE GRAPH`` (the only kind the catalogue
    has); elsewhere such a graph exists, and its drop succeeds."""
    toks = tokens(op.text[len(op.prologue):])
    if len(toks) > 1 and toks[0].keyword in ("DROP", "CLEAR", "MOVE", "COPY", "ADD") \
            and toks[1].keyword != "SILENT":
        at = len(op.prologue) + toks[0].end
        return op.text[:at] + " SILENT" + op.text[at:]
    return op.text


def _ask_as_select(sparql: str) -> str:
    """``ASK { P }`` as ``SELECT * { P } LIMIT 1`` (the lexer finds the keyword)."""
    for t in tokens(sparql):
        if t.keyword == "ASK":
            return f"{sparql[:t.start]}SELECT *{sparql[t.end:]}\nLIMIT 1"
    raise QuerySyntaxError("ask() needs an ASK query")


def _form(sparql: str) -> str:
    for t in tokens(sparql):
        if t.keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return t.keyword
    return ""


def _serialize_graph(triples: list[Triple], media: str) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.from_media_type(media)) or b""


def _serialize_results(result: ox.QuerySolutions | ox.QueryBoolean, media: str) -> bytes:
    return result.serialize(format=ox.QueryResultsFormat.from_media_type(media)) or b""
