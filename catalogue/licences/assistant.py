"""The Licensing Assistant: find, compare and combine licences, from their legal content.

Reached as ``Catalogue.licences``. The directory (every licence with an SPDX id or legal
types, with how many solutions use it) is read once per data version; the compatibility
rules once per process. Every failure a reader can cause is a :class:`LicenceError` whose
message says what was wrong and, for a name nobody has, the closest names there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.errors import ErrorKind
from catalogue.labels import pick
from catalogue.licences import advice, chooser, directory
from catalogue.licences.advice import AdviceEdit
from catalogue.licences.compatibility import Rule, Verdict, check, check_expression, read_rules
from catalogue.licences.directory import Licence
from catalogue.licences.errors import LicenceError
from catalogue.licences.legal_types import CATEGORIES, TERMS, term_iri
from catalogue.store import Node

if TYPE_CHECKING:
    from catalogue.app import Catalogue

COMPARE_MIN, COMPARE_MAX = 2, 5
MATRIX_SIZE = 15  # the most used licences the compatibility matrix crosses
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"


@dataclass(frozen=True)
class Found:
    """The licences a filter keeps, and the filter."""

    licences: list[Licence]
    terms: tuple[str, ...]  # the chosen legal types (IRIs)
    text: str
    total: int  # licences known before filtering


@dataclass(frozen=True)
class TermLabel:
    label: str
    definition: str


@dataclass(frozen=True)
class Matrix:
    """Rows are the licence of the work reused, columns the licence it goes into."""

    licences: list[Licence]
    cells: list[list[Verdict]]


class Licences:
    """The assistant over one catalogue."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._rules: tuple[Rule, ...] | None = None

    # reading

    def all(self) -> list[Licence]:
        """Every licence the assistant knows with how many solutions use it, most used first
        (read once per data version: counting is the costly part, ~3 s at 100k solutions)."""
        return self._root.per_version("licences", lambda: self._read(counted=True))

    def classified(self) -> list[Licence]:
        """Every licence with its legal types, uses not counted (``solutions`` 0): what checks
        need (a solution page checks its releases' licences), read in ~0.1 s per data version."""
        return self._root.per_version("licences-classified", lambda: self._read(counted=False))

    def _read(self, *, counted: bool) -> list[Licence]:
        graphs = self._root.graphs
        rows = self._root.select("licence_directory")
        counts: Iterable[Mapping[str, Node]] = self._root.select("licence_solution_counts") if counted else ()

        def bundled(graph: str) -> bool:
            return graphs.kind(ox.NamedNode(graph)) == ("vocab", "licences")

        return directory.build(rows, counts, bundled)

    def term_labels(self, languages: Sequence[str] = ("en",)) -> dict[str, TermLabel]:
        """Each legal type's and category's label and definition in the reader's language."""
        found: dict[str, dict[str, list[ox.Literal]]] = {}
        for r in self._root.per_version("licence-term-labels",
                                        lambda: list(self._root.select("licence_legal_type_labels"))):
            text = r["text"]
            if isinstance(text, ox.Literal):
                found.setdefault(r["concept"].value, {}).setdefault(r["p"].value, []).append(text)
        out = {}
        for iri in (*TERMS, *(c.iri for c in CATEGORIES)):
            props = found.get(iri, {})
            label = pick(props.get(SKOS_PREF_LABEL, []), languages)
            definition = pick(props.get(SKOS_DEFINITION, []), languages)
            out[iri] = TermLabel(label.value.strip() if label else iri.rsplit("#", 1)[-1],
                                 definition.value.strip() if definition else "")
        return out

    def find(self, terms: Sequence[str] = (), text: str = "") -> Found:
        """The licences that carry every chosen legal type (keys like ``Permissive`` or IRIs)
        and whose SPDX id, IRI or title contains ``text``.

        :raise LicenceError: a term names no legal type (bad input).
        """
        chosen = []
        for key in terms:
            iri = term_iri(key)
            if iri is None:
                raise LicenceError(f"{key!r} is not a legal type of the Licensing Assistant; "
                                   "use the names the filters offer (e.g. Permissive, GPL, Copyleft-Share).",
                                   error_kind=ErrorKind.BAD_INPUT)
            if iri not in chosen:
                chosen.append(iri)
        licences = self.all()
        kept = [lic for lic in licences if lic.carries(chosen) and lic.matches(text)]
        return Found(kept, tuple(chosen), text.strip(), len(licences))

    def get(self, name: str, *, counted: bool = False) -> Licence:
        """The licence an SPDX id, IRI or SPDX expression names (``counted``: with how many
        solutions use it, which costs the first caller of a data version the count).

        :raise LicenceError: nobody has that name (not found), with the closest names; an
            expression that does not parse (bad input).
        """
        licences = self.all() if counted else self.classified()
        found = directory.lookup(licences, name)
        if found is None:
            raise LicenceError(f"No licence has the SPDX id or IRI {name!r}.",
                               suggestions=directory.suggestions(licences, name), error_kind=ErrorKind.NOT_FOUND)
        return found

    def known(self, name: str) -> Licence | None:
        """The licence ``name`` names, or None: for callers to whom an unknown licence is
        normal (a solution page's licences), without the suggestions ``get`` computes.

        :raise LicenceError: ``name`` is an SPDX expression that does not parse.
        """
        return directory.lookup(self.classified(), name)

    def compare(self, names: Sequence[str]) -> list[Licence]:
        """2 to 5 distinct licences, in the order asked.

        :raise LicenceError: too few or too many, the same licence twice, or an unknown
            name (all bad input: the message says which and suggests close ids).
        """
        names = [n.strip() for n in names if n.strip()]
        if not COMPARE_MIN <= len(names) <= COMPARE_MAX:
            raise LicenceError(f"Compare {COMPARE_MIN} to {COMPARE_MAX} licences; {len(names)} given.",
                               error_kind=ErrorKind.BAD_INPUT)
        chosen: list[Licence] = []
        for name in names:
            try:
                lic = self.get(name, counted=True)
            except LicenceError as exc:
                raise LicenceError(f"No licence has the SPDX id or IRI {name!r}.", suggestions=exc.suggestions,
                                   error_kind=ErrorKind.BAD_INPUT) from exc
            if any(c.key == lic.key for c in chosen):
                raise LicenceError(f"{name!r} is asked twice (it is {lic.key}): compare different licences.",
                                   error_kind=ErrorKind.BAD_INPUT)
            chosen.append(lic)
        return chosen

    # compatibility

    @property
    def rules(self) -> tuple[Rule, ...]:
        if self._rules is None:
            self._rules = read_rules()
        return self._rules

    def check(self, use: str, redistribute: str, languages: Sequence[str] = ("en",)) -> Verdict:
        """May a work under ``use`` be redistributed under ``redistribute``? (SPDX ids or IRIs)

        :raise LicenceError: either side names no licence (not found, with suggestions).
        """
        return self.verdict(self.get(use), self.get(redistribute), languages)

    def verdict(self, use: Licence, redistribute: Licence, languages: Sequence[str] = ("en",)) -> Verdict:
        """The rules' verdict for two licences the assistant holds (an expression on the use
        side: its first choice that may go, see compatibility.check_expression).

        :raise LicenceError: ``redistribute`` is an expression: one licence is distributed under.
        """
        if redistribute.expression:
            raise LicenceError(f"Name the one licence you distribute under, not the expression {redistribute.key!r}.",
                               error_kind=ErrorKind.BAD_INPUT)
        if use.expression:
            return check_expression(self.rules, use, redistribute, {lic.key: lic for lic in self.classified()}, languages,
                                    self.edited_advice())
        return check(self.rules, use, redistribute, languages, advice=self.edited_advice())

    # the advice administrators edit (catalogue/licences/advice.py)

    def edited_advice(self) -> dict[str, dict[str, str]]:
        """Rule IRI -> language -> the text an administrator wrote (read once per data version)."""
        return self._root.per_version("licence-advice", lambda: advice.current(
            advice.read_edits(self._root.store, self._root.graphs)))

    def advice_edits(self) -> list[AdviceEdit]:
        """Every edit, oldest first: the history."""
        return advice.read_edits(self._root.store, self._root.graphs)

    def edit_advice(self, rule: str, language: str, text: str | None, by: str) -> AdviceEdit:
        """Reword a rule's advice in one language (``text`` None: back to the shipped text).

        :raise AdviceError: unknown rule or language, or a text that does not name both
            licences (bad input).
        """
        edit = advice.save(self._root.store, self._root.graphs, self.rules, rule, language, text, by)
        self._root.changed()
        return edit

    def matrix(self, size: int = MATRIX_SIZE, languages: Sequence[str] = ("en",)) -> Matrix:
        """The verdict for every pair of the ``size`` most used licences (unused ones are
        left out: a matrix of licences nobody uses answers no one's question; so are SPDX
        expressions: one distributes under one licence)."""
        def compute() -> Matrix:
            used = [lic for lic in self.all() if lic.solutions > 0 and not lic.expression][:size]
            return Matrix(used, [[self.verdict(a, b, languages) for b in used] for a in used])
        return self._root.per_version(f"licence-matrix:{size}:{','.join(languages)}", compute)

    def choose(self, answers: chooser.Answers) -> list[chooser.Suggestion]:
        """The licences that fit a questionnaire's answers, best first (see chooser.py)."""
        return chooser.shortlist(self.all(), answers)

    def compatible_with(self, redistribute: str) -> Callable[[Licence], bool]:
        """Whether a licence's works may be redistributed under ``redistribute`` (for filters)."""
        target = self.get(redistribute)
        return lambda lic: self.verdict(lic, target).compatible
