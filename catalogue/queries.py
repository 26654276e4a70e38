"""Saved SPARQL queries: ``sparql/*.rq`` files loaded by name, run with bound parameters.

Code runs one with :func:`select` (rows), :func:`ask` (a bool) or :func:`construct`
(triples), each refusing a query of another form (:class:`WrongForm`); :func:`run_query`
runs any, for those that show whatever a query gives (the /queries pages, the command line).

A query file starts with ``#+`` header lines::

    #+ title: Solutions implementing an EIRA building block
    #+ description: Every published solution typed with the given building block.
    #+ param: block iri The building block's PURI, e.g. http://data.europa.eu/dr8/...
    #+ public: true

Parameters are converted to RDF terms (``iri``, ``string``, ``integer``, ``date``,
``lang``; ``iris``: a list of IRIs, space-separated as text) and bound, never pasted into
the text, so a value cannot change the query. An ``iris`` parameter needs a ``#+ values``
line (below): it becomes ``VALUES ?name { <a> <b> ... }`` there.
A SELECT must project every parameter (pyoxigraph binds only projected variables).

A bound parameter is known from the start on the embedded store (pyoxigraph
``substitutions``) but only joined at the end on a remote one (a trailing ``VALUES``), so
it can serve as a join key, not in a ``FILTER``. A query that compares a parameter (e.g.
``FILTER(?modified >= ?since)``) puts a line ``#+ values`` inside its ``WHERE`` where
the parameters must be known: they are then bound there by an inline ``VALUES`` block
written from pyoxigraph-serialised terms, the same on every backend.

A query may instead read named graphs with ``GRAPH ?g { ... }`` and put a line
``#+ in-dataset ?g`` after each such pattern: the line becomes ``FILTER (?g IN (...))``
listing the graphs of the dataset it is run on (pyoxigraph-serialised IRIs), and the query
runs over the whole store. Oxigraph evaluates that about twice as fast as the same
patterns over the ~20 graphs listed as the default graph (1.5 vs 3.7 ms for a resource's
description at 10k solutions), because a bound subject is then one index lookup, not one
per listed graph. Every ``GRAPH ?var`` of such a query must have its marker (a test checks).
The embedded store (``Store.scopes_by_function``) gets ``FILTER (<IN_DATASET>(?g))``
instead, a function testing ``?g`` against the dataset's graphs as a set: the same answer
without Oxigraph parsing the list on every line (~3 µs an IRI, 0.1 ms a line at 33 graphs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.settings import PACKAGE
from catalogue.store import ALL, Dataset, Rows, Store
from catalogue.store.base import IN_DATASET
from catalogue.store.sparql_text import values_clause, values_list
from catalogue.terms import XSD

QUERY_DIR = PACKAGE / "sparql"
PARAM_TYPES = ("iri", "iris", "string", "integer", "date", "datetime", "lang")
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I | re.M)
_VALUES_MARK = re.compile(r"^[ \t]*#\+[ \t]*values[ \t]*$", re.I | re.M)
_IN_DATASET_MARK = re.compile(r"^([ \t]*)#\+[ \t]*in-dataset[ \t]+\?(\w+)[ \t]*$", re.I | re.M)


class QueryError(CatalogueError, ValueError):
    """Unknown query or bad parameter value; the message says which and why."""


class UnknownQuery(QueryError):
    """No saved query has that name (or it is not public, where only public ones count)."""

    error_kind = ErrorKind.NOT_FOUND


class ParameterError(QueryError):
    """A parameter is unknown, missing or malformed; ``param`` names it."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class SavedQuery:
    name: str
    text: str
    title: str
    description: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)
    public: bool = False

    @cached_property
    def body(self) -> str:
        """The query without its ``#+ key: value`` header lines: what a reader is shown, or
        another endpoint is sent."""
        return "\n".join(ln for ln in self.text.splitlines()
                         if not re.match(r"^#\+\s*\w+\s*:", ln)).strip()

    @cached_property
    def sent(self) -> str:
        """The text :meth:`prepare` starts from: without its comment lines, but the ``#+
        values`` and ``#+ in-dataset`` markers. Oxigraph's parser spends ~0.1 µs a character
        of comment (and some on each empty line), as much as the rest of a small query
        (release_solution.rq: 0.09 -> 0.06 ms)."""
        return "\n".join(ln for ln in self.text.splitlines() if not ln.lstrip().startswith("#")
                         or _VALUES_MARK.match(ln) or _IN_DATASET_MARK.match(ln))

    @cached_property
    def form(self) -> str:
        body = "\n".join(ln for ln in self.text.splitlines() if not ln.lstrip().startswith("#"))
        body = re.sub(r"^\s*(PREFIX|BASE)\s+[^\n]*$", "", body, flags=re.I | re.M)
        m = _FORM.search(body)
        return m.group(1).upper() if m else "SELECT"

    def bind(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal | list[ox.NamedNode]]:
        """Turn text values into RDF terms by each parameter's declared type.

        :raise QueryError: unknown parameter, missing parameter or malformed value.
        """
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise ParameterError(f"query {self.name!r} has no parameter {name!r}", name)
        out: dict[str, ox.NamedNode | ox.Literal | list[ox.NamedNode]] = {}
        for p in self.params:
            if p.name not in values:
                raise ParameterError(
                    f"query {self.name!r} needs parameter {p.name!r} ({p.description})", p.name)
            out[p.name] = to_term(p, values[p.name])
        return out

    @cached_property
    def has_values_line(self) -> bool:
        """Whether the query has a ``#+ values`` line where its bindings are written."""
        return _VALUES_MARK.search(self.text) is not None

    @cached_property
    def graph_scoped(self) -> bool:
        """Whether the query reads ``GRAPH ?g`` patterns filtered by ``#+ in-dataset ?g``."""
        return _IN_DATASET_MARK.search(self.text) is not None

    def prepare(
        self, bindings: Mapping[str, ox.NamedNode | ox.Literal | list[ox.NamedNode]],
        dataset: Dataset = ALL, *, by_function: bool = False,
    ) -> tuple[str, dict, Dataset]:
        """The text to send, the bindings left for the store to apply, and the dataset.

        With a ``#+ values`` line the bindings are written there as an inline ``VALUES``
        block (from pyoxigraph-serialised terms) and none are left; otherwise every binding
        is left. ``#+ in-dataset ?g`` lines become filters on ``dataset``'s default graphs,
        and the query then runs over the whole store (see the module docstring): the
        graphs listed in the text, or (``by_function``, for a store with
        ``scopes_by_function``) tested by the function ``IN_DATASET`` against the returned
        dataset's ``scope``, the same answer without parsing a list per line.
        """
        text = self.sent
        if self.graph_scoped:
            if by_function and dataset.default_graphs is not None:
                text = _function_scoped_text(text)
                dataset = Dataset(scope=frozenset(dataset.default_graphs))
            else:
                text = _scoped_text(text, None if dataset.default_graphs is None
                                    else tuple(g.value for g in dataset.default_graphs))
                dataset = ALL
        lists = {k: v for k, v in bindings.items() if isinstance(v, list)}
        if not self.has_values_line:
            if lists:
                raise QueryError(f"query {self.name!r}: a list parameter needs a '#+ values' line")
            return text, dict(bindings), dataset
        scalars = {k: v for k, v in bindings.items() if not isinstance(v, list)}
        block = " ".join([values_clause(scalars).strip()] + [values_list(k, v) for k, v in lists.items()])
        return _VALUES_MARK.sub(lambda _: block, text, count=1), {}, dataset


@lru_cache(maxsize=256)
def _scoped_text(text: str, graphs: tuple[str, ...] | None) -> str:
    """``text`` with each ``#+ in-dataset ?g`` line made a filter on ``graphs`` (None: any
    graph; an empty tuple: none, as an empty default graph has no triples)."""
    if graphs is None:
        return _IN_DATASET_MARK.sub("", text)
    listed = ", ".join(str(ox.NamedNode(g)) for g in graphs)
    return _IN_DATASET_MARK.sub(lambda m: f"{m.group(1)}FILTER (?{m.group(2)} IN ({listed}))", text)


def to_term(p: Param, value: str) -> ox.NamedNode | ox.Literal | list[ox.NamedNode]:
    if p.type == "iris":
        return [to_term(Param(p.name, "iri", p.description), v) for v in value.split()]  # type: ignore[misc]
    try:
        if p.type == "iri":
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                raise ValueError("not an absolute IRI")
            return ox.NamedNode(value)
        if p.type == "integer":
            return ox.Literal(str(int(value)), datatype=XSD.integer)
        if p.type == "date":
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                raise ValueError("not a date (YYYY-MM-DD)")
            return ox.Literal(value, datatype=XSD.date)
        if p.type == "datetime":
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))  # ValueError: not one
            if moment.tzinfo is None:
                raise ValueError("a date-time without its time zone (e.g. 2024-01-01T00:00:00Z)")
            return ox.Literal(moment.isoformat(), datatype=XSD.dateTime)
        if p.type == "lang":
            if not re.match(r"^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$", value):
                raise ValueError("not a language tag")
            return ox.Literal(value.lower())
        return ox.Literal(value)
    except ValueError as exc:
        raise ParameterError(f"parameter {p.name!r}: {value!r} is {exc}", p.name) from None


def parse_query_file(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        m = re.match(r"^#\+\s*(\w+)\s*:\s*(.*)$", line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "param":
            name, ptype, *desc = value.split(None, 2)
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path.name}: parameter {name} has unknown type {ptype!r}")
            params.append(Param(name, ptype, desc[0] if desc else ""))
        else:
            meta[key] = value
    return SavedQuery(
        name=path.stem,
        text=text,
        title=meta.get("title", path.stem.replace("_", " ")),
        description=meta.get("description", ""),
        params=tuple(params),
        public=meta.get("public", "false").lower() == "true",
    )


@lru_cache(maxsize=1)
def _all(directory: Path = QUERY_DIR) -> dict[str, SavedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


def all_queries() -> dict[str, SavedQuery]:
    return _all(QUERY_DIR)


def get(name: str) -> SavedQuery:
    """:raise UnknownQuery: no such query."""
    try:
        return all_queries()[name]
    except KeyError:
        raise UnknownQuery(
            f"no saved query named {name!r}; known: {', '.join(sorted(all_queries()))}"
        ) from None


def public_queries() -> list[SavedQuery]:
    """The queries marked ``#+ public: true``, by title."""
    return sorted((q for q in all_queries().values() if q.public), key=lambda q: q.title.lower())


@lru_cache(maxsize=1)
def examples() -> tuple[SavedQuery, ...]:
    """The queries the SPARQL editor offers to start from (``sparql/examples/*.rq``), in
    file name order; the catalogue never runs them itself."""
    return tuple(parse_query_file(p) for p in sorted((QUERY_DIR / "examples").glob("*.rq")))


def get_public(name: str) -> SavedQuery:
    """A query offered to the public.

    :raise UnknownQuery: no such query, or it is not marked public (the same answer, so
        private queries cannot be told from missing ones).
    """
    q = all_queries().get(name)
    if q is None or not q.public:
        known = ", ".join(q.name for q in public_queries())
        raise UnknownQuery(f"no public saved query named {name!r}; known: {known}")
    return q


Value = str | ox.NamedNode | ox.Literal | list[ox.NamedNode]
Result = Rows | bool | list[ox.Triple]


class WrongForm(QueryError):
    """The saved query is not of the form asked for (a SELECT run by :func:`ask`...)."""


@lru_cache(maxsize=256)
def _function_scoped_text(text: str) -> str:
    """``text`` with each ``#+ in-dataset ?g`` line made a test of ``?g`` by the store's
    ``IN_DATASET`` function (:attr:`Dataset.scope`)."""
    function = str(ox.NamedNode(IN_DATASET))
    return _IN_DATASET_MARK.sub(lambda m: f"{m.group(1)}FILTER ({function}(?{m.group(2)}))", text)


def select(store: Store, name: str, *, dataset: Dataset | None = None, **values: Value) -> Rows:
    """The rows of a saved SELECT, with its parameters (text values are converted by
    declared type, terms bound as they are).

    :raise UnknownQuery: no such query.
    :raise WrongForm: the query is not a SELECT.
    :raise ParameterError: a parameter is unknown, missing or malformed.
    """
    text, bindings, ds = _prepared(name, ("SELECT",), values, dataset, store.scopes_by_function)
    return store.select(text, bindings, dataset=ds)


def ask(store: Store, name: str, *, dataset: Dataset | None = None, **values: Value) -> bool:
    """The answer of a saved ASK; parameters and failures as for :func:`select`
    (:raise WrongForm: the query is not an ASK)."""
    text, bindings, ds = _prepared(name, ("ASK",), values, dataset, store.scopes_by_function)
    return store.ask(text, bindings, dataset=ds)


def construct(
    store: Store, name: str, *, dataset: Dataset | None = None, **values: Value
) -> list[ox.Triple]:
    """The triples of a saved CONSTRUCT or DESCRIBE; parameters and failures as for
    :func:`select` (:raise WrongForm: the query is neither)."""
    text, bindings, ds = _prepared(name, ("CONSTRUCT", "DESCRIBE"), values, dataset,
                                   store.scopes_by_function)
    return store.construct(text, bindings, dataset=ds)


def _prepared(
    name: str, forms: tuple[str, ...], values: Mapping[str, Value], dataset: Dataset | None,
    by_function: bool = False,
) -> tuple[str, dict, Dataset]:
    q = get(name)
    if q.form not in forms:
        raise WrongForm(f"saved query {name!r} is a {q.form}, not a {' or '.join(forms)}")
    text_values = {k: v for k, v in values.items() if isinstance(v, str)}
    bindings = q.bind({**text_values, **{k: " ".join(t.value for t in v) if isinstance(v, list)
                                          else v.value for k, v in values.items()
                                          if not isinstance(v, str)}})
    bindings.update({k: v for k, v in values.items() if not isinstance(v, str)})
    return q.prepare(bindings, dataset or Dataset(), by_function=by_function)


def run_query(
    store: Store, query: SavedQuery, values: Mapping[str, str], *, dataset: Dataset
) -> Result:
    """Run ``query``, whatever its form, with text parameter values (e.g. from a web form
    or the command line), as terms.

    Unlike :func:`select`, values come in a mapping, so any parameter name is safe.

    :raise ParameterError: a parameter is unknown, missing or malformed (``.param`` says which).
    """
    text, bindings, ds = query.prepare(query.bind(dict(values)), dataset)
    if query.form == "SELECT":
        return store.select(text, bindings, dataset=ds)
    if query.form == "ASK":
        return store.ask(text, bindings, dataset=ds)
    return store.construct(text, bindings, dataset=ds)


def run_serialized(
    store: Store,
    query: SavedQuery,
    values: Mapping[str, str],
    *,
    dataset: Dataset,
    results_format: str = "application/sparql-results+json",
    graph_format: str = "text/turtle",
) -> tuple[str, bytes]:
    """Run ``query`` and return (media type, body) serialised by the store itself.

    SELECT/ASK answers come in ``results_format``, CONSTRUCT/DESCRIBE in ``graph_format``
    (media types from :mod:`catalogue.formats`). Parameters not placed by ``#+ values`` are
    bound by a trailing ``VALUES`` block, as the remote backend binds them for :func:`select`.

    :raise ParameterError: a parameter is unknown, missing or malformed (``.param`` says which).
    """
    text, bindings, dataset = query.prepare(query.bind(dict(values)), dataset)
    return store.query_serialized(text + values_clause(bindings), dataset=dataset,
                                  results_format=results_format, graph_format=graph_format)
