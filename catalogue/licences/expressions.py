"""SPDX licence expressions (``GPL-2.0-or-later OR MIT``, ``Apache-2.0 WITH LLVM-exception``).

A publisher may licence a distribution under an expression rather than one licence: its
``dct:license`` is then a licence document carrying the expression as SPDX 3's
``SimpleLicensing/licenseExpression``. Expressions are parsed with ``license-expression``
(the AboutCode/nexB library that ScanCode and many SBOM tools use, with the SPDX licence
list built in), never by hand.

What an expression means here:

* ``A OR B``: the reuser chooses one: each alternative is a *choice*;
* ``A AND B``: both apply at once: one choice holding both;
* ``A WITH exception``: licence ``A`` (the exception only widens it, e.g. a linking
  exception); the exception is shown, not classified.

So an expression is, once expanded, a list of choices, each a list of licences that all
apply (disjunctive normal form). Its legal types under one choice: what *every* licence of
the choice allows (Can, Compatible, Support) and what *any* of them requires or forbids
(Must, Cannot, Law). A filter keeps the expression when some choice carries every chosen
term; the expression's own legal types are those that hold whatever the choice.

:raise ExpressionError: an expression that does not parse, or names an unknown licence id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from license_expression import (
    AND,
    OR,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    get_spdx_licensing,
)
from license_expression import (
    ExpressionError as _LibraryError,
)

from catalogue.errors import ErrorKind
from catalogue.licences.errors import LicenceError
from catalogue.licences.legal_types import CATEGORY_OF
from catalogue.licences.spdx import canonical_spdx

LICENSE_EXPRESSION = "https://spdx.org/rdf/3.0.1/terms/SimpleLicensing/licenseExpression"
MAX_CHOICES = 64  # an expression expanding to more choices is refused, not computed
ALL_MUST_ALLOW = {"Can", "Compatible", "Support"}  # every licence of a choice must carry these


class ExpressionError(LicenceError):
    """An SPDX expression that cannot be used: the message says what is wrong where."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_kind=ErrorKind.BAD_INPUT)


@lru_cache(maxsize=1)
def _licensing():
    return get_spdx_licensing()


def is_expression(text: str) -> bool:
    """Whether ``text`` is more than one licence id (has an operator or parentheses)."""
    words = text.replace("(", " ( ").replace(")", " ) ").split()
    return any(w.upper() in ("AND", "OR", "WITH", "(", ")") for w in words)


@lru_cache(maxsize=1024)
def parse(text: str) -> tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """(the expression as SPDX writes it, its choices of licence ids, its exceptions).

    :raise ExpressionError: it does not parse, names an id the SPDX list lacks, or expands
        to more than ``MAX_CHOICES`` choices.
    """
    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=True, strict=True)
    except _LibraryError as exc:
        raise ExpressionError(f"The licence expression {text!r} does not parse: {exc}. "
                              "Write SPDX ids joined by AND, OR or WITH, e.g. 'GPL-2.0-or-later OR MIT'.") from exc
    if parsed is None:
        raise ExpressionError("The licence expression is empty.")
    exceptions: list[str] = []

    def choices(node) -> list[list[str]]:
        if isinstance(node, LicenseWithExceptionSymbol):
            exceptions.append(node.exception_symbol.key)
            return [[canonical_spdx(node.license_symbol.key)]]
        if isinstance(node, LicenseSymbol):
            return [[canonical_spdx(node.key)]]
        parts = [choices(a) for a in node.args]
        if isinstance(node, OR):
            out = [c for p in parts for c in p]
        elif isinstance(node, AND):
            out = [[]]
            for p in parts:
                out = [a + b for a in out for b in p]
        else:  # pragma: no cover - the library has no other operator
            raise ExpressionError(f"The licence expression {text!r} uses an operator other than AND, OR, WITH.")
        if len(out) > MAX_CHOICES:
            raise ExpressionError(f"The licence expression {text!r} allows more than {MAX_CHOICES} combinations.")
        return out

    expanded = tuple(tuple(dict.fromkeys(c)) for c in choices(parsed))
    return parsed.render(), tuple(dict.fromkeys(expanded)), tuple(dict.fromkeys(exceptions))


def combined_types(types: Sequence[Iterable[str]]) -> frozenset[str]:
    """The legal types of licences that all apply at once (one choice)."""
    sets = [set(t) for t in types]
    if not sets:
        return frozenset()
    every = set.intersection(*sets)
    anyof = set.union(*sets)
    return frozenset(t for t in anyof if t in every or CATEGORY_OF[t].key not in ALL_MUST_ALLOW)
