"""May a work under one licence be redistributed under another? Rules as data, tried in order.

The rules are ``rules.ttl`` beside this module (Joinup's Licensing Assistant's 18 rules, T01
to T18, then the INCOMPATIBLE fallback), read once at start-up: each rule has an order, a
condition on the *use* side (the licence of the work being reused, inbound) and one on the
*redistribute* side (the licence of the combined or derived work, outbound), and its advice
in English, French and German, and its outcome (compatible, compatible under the conditions
the advice states, or incompatible). A side's condition is "the SPDX id is one of these" and/or
"the licence carries one of these legal types"; both must hold when both are given, values
within one are alternatives; no condition holds for any licence. The first rule whose two
sides hold gives the advice, so order matters: Apache-2.0 → Apache-2.0 is T01 (same
licence), not T12 (permissive inbound).

A rules file that does not parse, or a rule without an order or advice, is a
:class:`RulesError` at start-up, never a wrong answer later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from catalogue.errors import CatalogueError
from catalogue.licences.directory import Licence
from catalogue.licences.spdx import canonical_spdx, spdx_id
from catalogue.terms import CAT, RDFS

RULES_FILE = Path(__file__).with_name("rules.ttl")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# what a rule's advice concludes (cat:outcome): allowed, allowed under the conditions it states, or not
OUTCOMES = {CAT.Compatible.value: "compatible", CAT.Conditional.value: "conditional",
            CAT.Incompatible.value: "incompatible"}


class RulesError(CatalogueError):
    """The compatibility rules file is broken: the message says which rule and what."""

    public_message = False


@dataclass(frozen=True)
class Condition:
    """One side of a rule: no constraint when both sets are empty."""

    spdx: frozenset[str] = frozenset()  # current SPDX ids
    legal_types: frozenset[str] = frozenset()  # term IRIs

    def holds(self, licence: Licence) -> bool:
        if self.spdx and (licence.spdx is None or canonical_spdx(licence.spdx) not in self.spdx):
            return False
        return not self.legal_types or bool(self.legal_types & licence.legal_types)


@dataclass(frozen=True)
class Rule:
    iri: str
    name: str  # "T04"
    order: int
    use: Condition = field(default_factory=Condition)
    redistribute: Condition = field(default_factory=Condition)
    same_licence: bool = False
    fallback: bool = False
    outcome: str = "incompatible"  # OUTCOMES: what the advice concludes
    advice: tuple[tuple[str, str], ...] = ()  # (language, text with {use} and {redistribute})

    def holds(self, use: Licence, redistribute: Licence) -> bool:
        if self.fallback:
            return True
        if self.same_licence:
            return use.key == redistribute.key
        return self.use.holds(use) and self.redistribute.holds(redistribute)

    def advice_text(self, languages: Sequence[str] = ("en",)) -> str:
        by_lang = dict(self.advice)
        for lang in (*languages, "en"):
            if lang in by_lang:
                return by_lang[lang]
        return self.advice[0][1]


@dataclass(frozen=True)
class Verdict:
    use: Licence
    redistribute: Licence
    rule: Rule
    advice: str  # in the reader's language, naming the two licences
    chosen: tuple[str, ...] = ()  # for an expression on the use side: the choice the verdict is about

    @property
    def compatible(self) -> bool:
        """Allowed, perhaps under the conditions the advice states."""
        return self.rule.outcome != "incompatible"

    def as_json(self, languages: Sequence[str] = ("en",)) -> dict:
        """The answer as /licences/compatibility and ``catalogue licence check --json`` give it."""
        def side(lic: Licence) -> dict:
            return {"iri": lic.iri, "spdx": lic.spdx, "title": lic.title(languages)}

        answer = {"use": side(self.use), "redistribute": side(self.redistribute), "rule": self.rule.name,
                  "outcome": self.rule.outcome, "compatible": self.compatible, "advice": self.advice}
        if self.use.expression:
            answer.update(expression=self.use.expression, chosen=list(self.chosen))
        return answer


def read_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of ``path`` in order.

    :raise RulesError: the file does not parse (with line and column), a rule has no
        order or no English advice, two rules share an order, or there is no fallback.
    """
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise RulesError(f"{path.name}: {exc}") from exc
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
    for q in quads:
        if isinstance(q.subject, ox.NamedNode | ox.BlankNode):
            by_subject.setdefault(q.subject, []).append((q.predicate.value, q.object))

    def values(node, prop: ox.NamedNode) -> list:
        return [o for p, o in by_subject.get(node, []) if p == prop.value]

    def condition(node) -> Condition:
        spdx = {canonical_spdx(sid) for o in values(node, CAT.spdx) if (sid := spdx_id(o.value))}
        types = {o.value for o in values(node, CAT.legalType)}
        return Condition(frozenset(spdx), frozenset(types))

    rules = []
    for subject, props in by_subject.items():
        if (RDF_TYPE.value, CAT.CompatibilityRule) not in props:
            continue
        name = next((o.value for o in values(subject, RDFS.label)), subject.value.rsplit("#", 1)[-1])
        orders = values(subject, CAT.order)
        advice = tuple(sorted((o.language or "", o.value) for o in values(subject, CAT.advice)
                              if isinstance(o, ox.Literal)))
        if not orders or not dict(advice).get("en"):
            raise RulesError(f"{path.name}: rule {name} needs cat:order and an English cat:advice")
        outcome = [OUTCOMES.get(o.value) for o in values(subject, CAT.outcome)]
        if len(outcome) != 1 or outcome[0] is None:
            raise RulesError(f"{path.name}: rule {name} needs one cat:outcome: "
                             "cat:Compatible, cat:Conditional or cat:Incompatible")
        inbound, outbound = values(subject, CAT.inbound), values(subject, CAT.outbound)
        rules.append(Rule(
            iri=subject.value, name=name, order=int(orders[0].value),
            use=condition(inbound[0]) if inbound else Condition(),
            redistribute=condition(outbound[0]) if outbound else Condition(),
            same_licence=any(o.value == "true" for o in values(subject, CAT.sameLicence)),
            fallback=any(o.value == "true" for o in values(subject, CAT.fallback)),
            outcome=outcome[0], advice=advice))
    rules.sort(key=lambda r: r.order)
    if len({r.order for r in rules}) != len(rules):
        raise RulesError(f"{path.name}: two rules share an order")
    if not rules or not rules[-1].fallback:
        raise RulesError(f"{path.name}: the last rule must be the fallback (cat:fallback true)")
    return tuple(rules)


def check(rules: Sequence[Rule], use: Licence, redistribute: Licence,
          languages: Sequence[str] = ("en",), advice: dict[str, dict[str, str]] | None = None) -> Verdict:
    """The first rule that holds for ``use`` → ``redistribute``, with its advice naming both.

    ``advice`` overrides a rule's texts (rule IRI -> language -> text: an administrator's
    edits, kept in the store)."""
    rule = next(r for r in rules if r.holds(use, redistribute))
    edited = (advice or {}).get(rule.iri, {})
    text = next((edited[lang] for lang in (*languages, "en") if lang in edited), None) or rule.advice_text(languages)
    named = text.replace("{use}", _name(use, languages)).replace("{redistribute}", _name(redistribute, languages))
    return Verdict(use, redistribute, rule, named)


def _name(licence: Licence, languages: Sequence[str]) -> str:
    """How advice names a licence: its SPDX id (short, exact), else its title."""
    return licence.spdx or licence.title(languages)


def check_expression(rules: Sequence[Rule], use: Licence, redistribute: Licence, known: dict[str, Licence],
                     languages: Sequence[str] = ("en",),
                     advice: dict[str, dict[str, str]] | None = None) -> Verdict:
    """The verdict for a work under an SPDX expression (``use.choices``): the first choice
    whose every licence may go into ``redistribute`` (the reuser picks it), else the first
    refusal; a licence the assistant does not know makes its choice fail. The advice is
    that of the licence the verdict is about, ``chosen`` names the choice."""
    refusal: Verdict | None = None
    for choice in use.choices:
        verdicts = []
        for key in choice:
            part = known.get(key)
            if part is None:
                verdicts.append(replace(check(rules, replace(use, legal_types=frozenset(), alternatives=(),
                                                             choices=(), key=key, spdx=key, titles=(("", key),)),
                                              redistribute, languages, advice), chosen=choice))
                continue
            verdicts.append(replace(check(rules, part, redistribute, languages, advice), chosen=choice))
        bad = next((v for v in verdicts if not v.compatible), None)
        if bad is None and verdicts:
            return replace(verdicts[0], use=use)
        refusal = refusal or (replace(bad, use=use) if bad else None)
    return refusal or check(rules, use, redistribute, languages, advice)
