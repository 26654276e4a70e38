"""Saved SPARQL queries: ``sparql/*.rq`` files loaded by name, run with bound parameters.

A query file starts with ``#+`` header lines::

    #+ title: Solutions implementing an EIRA building block
    #+ description: Every published solution typed with the given building block.
    #+ param: block iri The building block's PURI, e.g. http://data.europa.eu/dr8/...
    #+ public: true

Parameters are converted to RDF terms (``iri``, ``string``, ``integer``, ``date``,
``lang``) and bound, never pasted into the text, so a value cannot change the query.
A SELECT must project every parameter (pyoxigraph binds only projected variables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .settings import ROOT
from .store import Dataset, Rows, Store
from .terms import XSD

QUERY_DIR = ROOT / "sparql"
PARAM_TYPES = ("iri", "string", "integer", "date", "lang")
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I | re.M)


class QueryError(ValueError):
    """Unknown query or bad parameter value; the message says which and why."""


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

    @property
    def form(self) -> str:
        body = "\n".join(ln for ln in self.text.splitlines() if not ln.lstrip().startswith("#"))
        body = re.sub(r"^\s*(PREFIX|BASE)\s+[^\n]*$", "", body, flags=re.I | re.M)
        m = _FORM.search(body)
        return m.group(1).upper() if m else "SELECT"

    def bind(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Turn text values into RDF terms by each parameter's declared type.

        :raise QueryError: unknown parameter, missing parameter or malformed value.
        """
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise QueryError(f"query {self.name!r} has no parameter {name!r}")
        out: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            if p.name not in values:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.description})")
            out[p.name] = to_term(p, values[p.name])
        return out


def to_term(p: Param, value: str) -> ox.NamedNode | ox.Literal:
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
        if p.type == "lang":
            if not re.match(r"^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$", value):
                raise ValueError("not a language tag")
            return ox.Literal(value.lower())
        return ox.Literal(value)
    except ValueError as exc:
        raise QueryError(f"parameter {p.name!r}: {value!r} is {exc}") from None


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
    """:raise QueryError: no such query."""
    try:
        return all_queries()[name]
    except KeyError:
        raise QueryError(
            f"no saved query named {name!r}; known: {', '.join(sorted(all_queries()))}"
        ) from None


def run(
    store: Store, name: str, *, dataset: Dataset | None = None, **values: str | ox.NamedNode | ox.Literal
) -> Rows | bool | list[ox.Triple]:
    """Run a saved query with its parameters (text values are converted by declared type)."""
    q = get(name)
    text_values = {k: v for k, v in values.items() if isinstance(v, str)}
    bindings = q.bind({**text_values, **{k: v.value for k, v in values.items()
                                          if not isinstance(v, str)}})
    bindings.update({k: v for k, v in values.items() if not isinstance(v, str)})
    ds = dataset or Dataset()
    if q.form == "SELECT":
        return store.select(q.text, bindings, dataset=ds)
    if q.form == "ASK":
        return store.ask(q.text, bindings, dataset=ds)
    return store.construct(q.text, bindings, dataset=ds)
