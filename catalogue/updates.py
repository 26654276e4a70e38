"""Saved SPARQL updates: ``sparql/update/*.ru`` files loaded by name, run with bound terms.

Every write the catalogue makes with SPARQL Update is one of these files, with the same
``#+`` header lines as a saved query (:mod:`catalogue.queries`), e.g.
``sparql/update/account_oidc_link.ru``::

    #+ title: Link an OpenID Connect identity to an account
    #+ description: One identity, one account: the identity leaves whichever account had it.
    #+ param: accounts iri The accounts graph
    #+ param: subject literal The identity ("issuer|sub")
    #+ param: data triples The link

and then the update, where ``?accounts`` and ``?subject`` stand for the terms, and a line
``#+ triples data`` inside its data block for the link's triples. Code calls
``updates.run(store, "account_oidc_link", accounts=g, subject=s, data=[...])``, never text.

Neither backend binds variables of an update (pyoxigraph's ``update`` has no
``substitutions``, and SPARQL 1.1 Update no ``VALUES`` for ``INSERT DATA``), so a value is
written into the text as pyoxigraph serialises it (:mod:`catalogue.store.sparql_text`),
which escapes it as the grammar requires: a value never becomes syntax. Parameter types:

* ``iri``, ``literal``: every ``?name`` (or ``$name``) of the text is the term;
* ``iris``, ``literals``: a list; the line ``#+ values name`` is ``VALUES ?name { ... }``;
* ``triples``: the line ``#+ triples name`` is the triples in N-Triples, one a line, for
  an ``INSERT DATA``/``DELETE DATA`` block or an ``INSERT`` template.

The text is bound in one pass over the template, so a value is never read again as
template. A file's operations (``;``-separated) travel as one request, so they are one
transaction on both backends, as :meth:`Store.update` promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox

from catalogue.queries import ParameterError, QueryError, UnknownQuery
from catalogue.settings import PACKAGE
from catalogue.store import Store
from catalogue.store.sparql_text import ntriples, term, values_terms

UPDATE_DIR = PACKAGE / "sparql" / "update"
SCALAR_TYPES = ("iri", "literal")
LIST_TYPES = ("iris", "literals")
PARAM_TYPES = (*SCALAR_TYPES, *LIST_TYPES, "triples")
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")
_MARK = re.compile(r"^[ \t]*#\+[ \t]*(values|triples)[ \t]+(\w+)[ \t]*$", re.I | re.M)
_VARIABLE = re.compile(r"(?<![\w?$])[?$](\w+)")
# one pass over a template, marker lines and variables, so that nothing written is read again
_TOKEN = re.compile(
    r"(?P<mark>^[ \t]*#\+[ \t]*(?:values|triples)[ \t]+(?P<mark_name>\w+)[ \t]*$)"
    r"|(?<![\w?$])[?$](?P<var>\w+)", re.I | re.M)

Value = ox.NamedNode | ox.Literal | Iterable[ox.NamedNode | ox.Literal] | Iterable[ox.Triple]


@dataclass(frozen=True)
class UpdateParam:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class SavedUpdate:
    name: str
    text: str  # the file's text, headers included
    title: str
    description: str = ""
    params: tuple[UpdateParam, ...] = field(default_factory=tuple)

    @cached_property
    def template(self) -> str:
        """The update without its ``#+ key: value`` header lines (markers stay)."""
        return "\n".join(ln for ln in self.text.splitlines() if not _HEADER.match(ln)).strip() + "\n"

    def bind(self, values: Mapping[str, Value]) -> str:
        """The update to send: each parameter written as pyoxigraph serialises it.

        :raise ParameterError: a parameter is unknown, missing, or not of its type.
        """
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise ParameterError(f"update {self.name!r} has no parameter {name!r}", name)
        written: dict[str, str] = {}
        for p in self.params:
            if p.name not in values:
                raise ParameterError(
                    f"update {self.name!r} needs parameter {p.name!r} ({p.description})", p.name)
            written[p.name] = self._write(p, values[p.name])

        def fill(m: re.Match[str]) -> str:
            if m.group("mark"):  # a marker line: its list or triples
                return written[m.group("mark_name")]
            name = m.group("var")
            return written[name] if name in known and known[name].type in SCALAR_TYPES else m.group(0)

        return _TOKEN.sub(fill, self.template)

    def _write(self, p: UpdateParam, value: Value) -> str:
        try:
            if p.type == "iri":
                if not isinstance(value, ox.NamedNode):
                    raise ValueError("not an IRI (pyoxigraph.NamedNode)")
                return term(value)
            if p.type == "literal":
                if not isinstance(value, ox.Literal):
                    raise ValueError("not a literal (pyoxigraph.Literal)")
                return term(value)
            if isinstance(value, str | ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple):
                raise ValueError("not a list")
            items = list(value)
            if p.type == "triples":
                if not all(isinstance(t, ox.Triple) for t in items):
                    raise ValueError("not a list of triples (pyoxigraph.Triple)")
                return ntriples(items)  # type: ignore[arg-type]
            kind = ox.NamedNode if p.type == "iris" else ox.Literal
            if not all(isinstance(t, kind) for t in items):
                raise ValueError(f"not a list of {'IRIs' if p.type == 'iris' else 'literals'}")
            return values_terms(p.name, items)  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:
            raise ParameterError(f"update {self.name!r}, parameter {p.name!r}: {exc}", p.name) from None



def parse_update_file(path: Path) -> SavedUpdate:
    """:raise QueryError: a parameter of unknown type, a marker of no list or triples
    parameter, or a parameter the text never uses."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[UpdateParam] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "param":
            name, ptype, *desc = value.split(None, 2)
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path.name}: parameter {name} has unknown type {ptype!r}")
            params.append(UpdateParam(name, ptype, desc[0] if desc else ""))
        else:
            meta[key] = value
    update = SavedUpdate(path.stem, text, meta.get("title", ""), meta.get("description", ""),
                         tuple(params))
    types = {p.name: p.type for p in params}
    marked = {}
    for m in _MARK.finditer(update.template):
        kind, name = m.group(1).lower(), m.group(2)
        if types.get(name) not in (("triples",) if kind == "triples" else LIST_TYPES):
            raise QueryError(f"{path.name}: '#+ {kind} {name}' names no {kind} parameter")
        marked[name] = kind
    used = set(_VARIABLE.findall(_MARK.sub("", update.template))) | set(marked)
    for p in params:
        if p.name not in used or (p.type not in SCALAR_TYPES and p.name not in marked):
            raise QueryError(f"{path.name}: parameter {p.name} is never used"
                             + ("" if p.type in SCALAR_TYPES else " (it needs its '#+' line)"))
    return update


@lru_cache(maxsize=1)
def _all(directory: Path = UPDATE_DIR) -> dict[str, SavedUpdate]:
    return {p.stem: parse_update_file(p) for p in sorted(directory.glob("*.ru"))}


def all_updates() -> dict[str, SavedUpdate]:
    return _all(UPDATE_DIR)


def get(name: str) -> SavedUpdate:
    """:raise UnknownQuery: no such update."""
    try:
        return all_updates()[name]
    except KeyError:
        raise UnknownQuery(
            f"no saved update named {name!r}; known: {', '.join(sorted(all_updates()))}"
        ) from None


def text(name: str, /, **values: Value) -> str:
    """The saved update ``name`` with its parameters written in, ready for
    :meth:`Store.update` (for a caller that sends it later, or a test).

    :raise UnknownQuery: no such update.
    :raise ParameterError: a parameter is unknown, missing, or not of its type.
    """
    return get(name).bind(values)


def run(store: Store, name: str, /, **values: Value) -> None:
    """Run the saved update ``name`` on ``store`` as one transaction.

    Example: ``updates.run(store, "graph_insert", graph=g, data=[ox.Triple(s, p, o)])``.

    :raise UnknownQuery: no such update.
    :raise ParameterError: a parameter is unknown, missing, or not of its type.
    """
    store.update(text(name, **values))

