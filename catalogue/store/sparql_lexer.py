"""Where things go in a SPARQL text: a lexer of the SPARQL 1.1 grammar's terminals, for the
few rewrites a server's dialect needs (catalogue/store/dialect.py).

Virtuoso refuses a ``VALUES`` block after the query and reads its dataset only from
``FROM``/``FROM NAMED`` clauses, so the remote backend must place them: the ``VALUES`` just
inside the WHERE group, the dataset clauses before it. A regular expression cannot find that
group (a ``{`` may sit in a string, an IRI, a comment, a ``CONSTRUCT`` template or an
``EXISTS`` inside a projected expression), so this module tokenises the text the way the
grammar does (strings with their escapes and long quotes, IRI references, comments,
variables, punctuation) and reads the structure from the tokens at nesting depth 0. Every
rewritten text is then parsed by pyoxigraph's SPARQL parser (:func:`check_parses`) before it
is sent, once per distinct query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

# The grammar's terminals that can hide a brace, a semicolon or a keyword (SPARQL 1.1, 19.8).
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.:]*(?<!\.)|:[A-Za-z0-9_\-.]*(?<!\.))
  | (?P<punct>[{}();,.\[\]])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class SparqlShapeError(ValueError):
    """The text is not a query or update this module can place things in (the message says why)."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """The significant tokens of ``text`` (no white space, no comments)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


@dataclass(frozen=True)
class QueryShape:
    """Offsets in one query text.

    ``dataset_at``: where ``FROM`` clauses go (before the ``WHERE`` keyword or the group);
    ``where_open``: just after the ``{`` that opens the WHERE group (``None``: no group, as
    in ``DESCRIBE <iri>``, or a ``CONSTRUCT WHERE`` whose group is also its template);
    ``has_dataset``: the query names its own dataset with ``FROM``.
    """

    form: str
    dataset_at: int
    where_open: int | None
    has_dataset: bool


FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@lru_cache(maxsize=2048)
def query_shape(text: str) -> QueryShape:
    """Where the dataset clauses and the WHERE group of a query are.

    :raise SparqlShapeError: no query form at the top level, or an unbalanced group.
    """
    toks = tokens(text)
    i, form = 0, ""
    while i < len(toks):  # the prologue: BASE <iri>, PREFIX p: <iri>
        kw = toks[i].keyword
        if kw in FORMS:
            form = kw
            break
        i += 1
    if not form:
        raise SparqlShapeError("no SELECT, ASK, CONSTRUCT or DESCRIBE at the top of the query")
    i += 1
    if form == "CONSTRUCT" and i < len(toks) and toks[i].text == "{":
        i = skip_group(toks, i)  # the template
    parens, has_dataset = 0, False
    while i < len(toks):
        t = toks[i]
        if t.text == "(":
            parens += 1
        elif t.text == ")":
            parens -= 1
        elif parens == 0 and t.keyword == "FROM":
            has_dataset = True
        elif parens == 0 and t.keyword == "WHERE":
            if form == "CONSTRUCT" and _template_skipped(toks, i) is False:
                return QueryShape(form, t.start, None, has_dataset)
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is None or nxt.text != "{":
                raise SparqlShapeError("WHERE is not followed by a group")
            return QueryShape(form, t.start, nxt.end, has_dataset)
        elif parens == 0 and t.text == "{":
            return QueryShape(form, t.start, t.end, has_dataset)
        elif t.text == "{":  # EXISTS { } inside a projected expression
            i = skip_group(toks, i)
            continue
        i += 1
    return QueryShape(form, len(text), None, has_dataset)


def _template_skipped(toks: list[Token], where: int) -> bool:
    """A CONSTRUCT's template came before ``WHERE`` (False: the short ``CONSTRUCT WHERE``)."""
    return where > 0 and toks[where - 1].text == "}"


def skip_group(toks: list[Token], i: int) -> int:
    """The index after the ``}`` that closes the ``{`` at ``toks[i]``."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "{":
            depth += 1
        elif toks[j].text == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    raise SparqlShapeError("a group opened with '{' is never closed")


@dataclass(frozen=True)
class Operation:
    """One operation of an update: its text with the prologue declared before it (prefixes
    carry over to later operations), and, for ``INSERT DATA``/``DELETE DATA``, the offsets of
    its data block's content within ``text``."""

    text: str
    kind: str  # "INSERT DATA", "DELETE DATA" or the first keyword (DROP, INSERT, DELETE...)
    data: tuple[int, int] | None
    prologue: str


def operations(update: str) -> list[Operation]:
    """The operations of an update, split at the top-level ``;``.

    :raise SparqlShapeError: an unbalanced group.
    """
    toks = tokens(update)
    out: list[Operation] = []
    prologue: list[str] = []
    i = 0
    while i < len(toks):
        kw = toks[i].keyword
        if kw == "PREFIX" and i + 2 < len(toks):
            prologue.append(update[toks[i].start:toks[i + 2].end])
            i += 3
            continue
        if kw == "BASE" and i + 1 < len(toks):
            prologue.append(update[toks[i].start:toks[i + 1].end])
            i += 2
            continue
        if toks[i].text == ";":
            i += 1
            continue
        start, depth, j = toks[i].start, 0, i
        while j < len(toks) and not (depth == 0 and toks[j].text == ";"):
            if toks[j].text == "{":
                depth += 1
            elif toks[j].text == "}":
                depth -= 1
            j += 1
        if depth != 0:
            raise SparqlShapeError("a group opened with '{' is never closed")
        end = toks[j - 1].end
        head = "\n".join(prologue)
        body = update[start:end]
        text = f"{head}\n{body}" if head else body
        offset = len(text) - len(body)
        kind = toks[i].keyword
        data = None
        if kind in ("INSERT", "DELETE") and i + 1 < j and toks[i + 1].keyword == "DATA":
            kind += " DATA"
            if i + 2 < j and toks[i + 2].text == "{":
                close = skip_group(toks, i + 2) - 1
                data = (offset + toks[i + 2].end - start, offset + toks[close].start - start)
        out.append(Operation(text, kind, data, head))
        i = j
    return out


_EMPTY = ox.Store()


@lru_cache(maxsize=2048)
def check_parses(text: str) -> None:
    """Parse ``text`` with pyoxigraph's SPARQL query parser (on an empty store).

    :raise SparqlShapeError: it does not parse (a rewrite went wrong: a bug, never input).
    """
    try:
        _EMPTY.query(text)
    except SyntaxError as exc:
        raise SparqlShapeError(f"a rewritten query does not parse: {exc}") from None
