"""Which licence should I choose? A short questionnaire turned into a ranked shortlist.

The answers are read against the licences' legal types, so the advice follows the same
classification the rest of the assistant shows (and a publisher's licence with legal types
can be suggested too):

* what is licensed: software (``ForSoftware``) or data and content (``ForData``): required;
* how much copyleft: none (``Permissive``), weak (``LesserCopyleft``: changes to the
  licensed files stay open) or strong (``Copyleft-Share`` without ``LesserCopyleft``: every
  derived work stays open): required;
* a network clause (``SaaSNetwork``: offering it as an online service counts as
  distributing it): required when asked for, a drawback otherwise;
* combining with GPL code (the licence is of the GPL family or carries ``GPL``): required
  when asked for;
* EU law (``EU-MSLaw``) and official texts in several EU languages (``Multilingual``):
  preferences that rank, never exclude.

Licences that forbid commercial use or changes (Cannot ``Commerce`` or ``Modify``: the
NC and ND Creative Commons licences) are not open licences and are never suggested. Each
suggestion carries why it fits and what it lacks, as keys the web words in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalogue.errors import ErrorKind
from catalogue.licences.directory import Licence
from catalogue.licences.errors import LicenceError
from catalogue.licences.legal_types import NAMESPACE as LT

KINDS = ("software", "data")
COPYLEFTS = ("none", "weak", "strong")
GPL_FAMILY = {"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only",
              "AGPL-3.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later"}
NOT_OPEN = {LT + "Commerce", LT + "Modify"}  # Cannot: commercial use, changes
SHORTLIST = 5


@dataclass(frozen=True)
class Answers:
    kind: str  # KINDS
    copyleft: str  # COPYLEFTS
    network: bool = False
    gpl: bool = False
    eu_law: bool = False
    languages: bool = False


@dataclass(frozen=True)
class Suggestion:
    licence: Licence
    score: int
    reasons: tuple[str, ...]  # why it fits: keys such as "for-software", "eu-law"
    lacks: tuple[str, ...]  # preferences it does not meet: "eu-law", "multilingual"


def parse_answers(form: Mapping[str, str]) -> Answers | None:
    """The answers of a questionnaire's query string; None while the required ones are unanswered.

    :raise LicenceError: an answer outside its choices (bad input), naming the choices.
    """
    kind, copyleft = form.get("kind", ""), form.get("copyleft", "")
    if not kind and not copyleft:
        return None
    if kind not in KINDS:
        raise LicenceError(f"'kind' is {kind!r}; answer one of {', '.join(KINDS)}.", error_kind=ErrorKind.BAD_INPUT)
    if copyleft not in COPYLEFTS:
        raise LicenceError(f"'copyleft' is {copyleft!r}; answer one of {', '.join(COPYLEFTS)}.",
                           error_kind=ErrorKind.BAD_INPUT)
    flags = {}
    for name in ("network", "gpl", "eu_law", "languages"):
        value = form.get(name, "no") or "no"
        if value not in ("yes", "no"):
            raise LicenceError(f"'{name}' is {value!r}; answer yes or no.", error_kind=ErrorKind.BAD_INPUT)
        flags[name] = value == "yes"
    return Answers(kind, copyleft, **flags)


def _fits(lic: Licence, a: Answers) -> tuple[bool, list[str]]:
    t = lic.legal_types
    reasons = []
    if lic.legal_types & NOT_OPEN:
        return False, []
    kind_term = LT + ("ForSoftware" if a.kind == "software" else "ForData")
    if kind_term not in t:
        return False, []
    reasons.append("for-" + a.kind)
    if a.copyleft == "none":
        if LT + "Permissive" not in t:
            return False, []
        reasons.append("permissive")
    elif a.copyleft == "weak":
        if LT + "LesserCopyleft" not in t:
            return False, []
        reasons.append("weak-copyleft")
    else:
        if LT + "Copyleft-Share" not in t or LT + "LesserCopyleft" in t:
            return False, []
        reasons.append("strong-copyleft")
    if a.network:
        if LT + "SaaSNetwork" not in t:
            return False, []
        reasons.append("network")
    if a.gpl:
        if LT + "GPL" not in t and (lic.spdx or "") not in GPL_FAMILY:
            return False, []
        reasons.append("gpl")
    return True, reasons


def shortlist(licences: Sequence[Licence], a: Answers, n: int = SHORTLIST) -> list[Suggestion]:
    """The ``n`` best licences for the answers, best first (ties: the more used, then by name)."""
    out = []
    for lic in licences:
        fits, reasons = _fits(lic, a)
        if not fits:
            continue
        t, lacks, score = lic.legal_types, [], 0
        for wanted, term, key, weight in ((a.eu_law, "EU-MSLaw", "eu-law", 3),
                                          (a.languages, "Multilingual", "multilingual", 3)):
            if wanted and LT + term in t:
                reasons.append(key)
                score += weight
            elif wanted:
                lacks.append(key)
        if not a.network and LT + "SaaSNetwork" in t:
            lacks.append("network-clause")  # a duty nobody asked for
            score -= 1
        for term, key in (("OSIApproved", "osi"), ("FSFFREE-Libre", "fsf")):
            if LT + term in t and a.kind == "software":
                reasons.append(key)
                score += 1
        out.append(Suggestion(lic, score, tuple(reasons), tuple(lacks)))
    out.sort(key=lambda s: (-s.score, -s.licence.solutions, s.licence.title().casefold()))
    return out[:n]
