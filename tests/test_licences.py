"""The Licensing Assistant's domain: the compatibility rules (each with its own cases, in
order, inbound and outbound by SPDX id, by old SPDX id and by licence IRI), the rules file's
own errors, and finding, comparing and naming licences with the errors a reader sees."""

from __future__ import annotations

import pytest

from catalogue.errors import ErrorKind
from catalogue.licences import Licence, LicenceError, RulesError
from catalogue.licences.compatibility import check, read_rules
from catalogue.licences.directory import lookup, suggestions
from catalogue.licences.legal_types import CATEGORIES, NAMESPACE, TERMS, term_iri

LT = NAMESPACE
RULES = read_rules()


def lic(key: str, *types: str, spdx: bool = True, iri: str | None = None) -> Licence:
    return Licence(key=key, iri=iri or f"http://licences.example.org/{key}", spdx=key if spdx else None,
                   titles=(("en", f"The {key} licence"),), legal_types=frozenset(LT + t for t in types),
                   text=None, solutions=0, members=(iri or f"http://licences.example.org/{key}",))


def rule(use: Licence, redistribute: Licence) -> str:
    return check(RULES, use, redistribute).rule.name


def test_the_legal_types_table_has_41_terms_in_6_categories_keyed_on_concepts():
    assert [c.key for c in CATEGORIES] == ["Can", "Must", "Cannot", "Compatible", "Law", "Support"]
    assert len(TERMS) == len(set(TERMS)) == 41
    # the two labels that occur twice are different concepts
    assert {LT + "CanSublicence", LT + "CannotSublicence", LT + "Modify-Merge", LT + "Modify"} <= set(TERMS)
    assert term_iri("Permissive") == LT + "Permissive" and term_iri("Nonsense") is None


def test_the_rules_file_has_the_18_rules_in_order_and_the_fallback_last():
    assert [r.name for r in RULES] == [f"T{n:02}" for n in range(1, 19)] + ["INCOMPATIBLE"]
    for r in RULES:
        assert {"en", "fr", "de"} <= dict(r.advice).keys(), r.name


GPL_FAMILY = ["GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only"]
EUPL12_APPENDIX = ["GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only",
                   "LGPL-2.1-only", "LGPL-3.0-only", "OSL-3.0", "CECILL-2.0", "CECILL-2.1", "EPL-2.0", "CPL-1.0",
                   "MPL-2.0", "CC-BY-SA-4.0"]
CASES = [
    # (use, redistribute, rule)
    (lic("Apache-2.0", "Permissive"), lic("Apache-2.0", "Permissive"), "T01"),  # not T12: order matters
    (lic("X", "Copyleft-Share", spdx=False, iri="http://x/1"), lic("X", spdx=False, iri="http://x/1"), "T01"),
    (lic("GPL-2.0-only", "Copyleft-Share"), lic("EUPL-1.1", "Copyleft-Share"), "T02"),
    (lic("GPL-2.0-or-later"), lic("EUPL-1.1"), "T02"),
    (lic("GPL-3.0-only"), lic("EUPL-1.1"), "T03"),
    (lic("GPL-3.0-or-later"), lic("EUPL-1.1"), "T03"),
    (lic("AGPL-3.0-only"), lic("EUPL-1.1"), "T03"),
    *[(lic(g), lic("EUPL-1.2"), "T04") for g in GPL_FAMILY],
    (lic("GPL-2.0-only"), lic("GPL-3.0-only"), "T05"),
    (lic("GPL-3.0-only"), lic("GPL-2.0-only"), "T05"),
    (lic("EUPL-1.1"), lic("EUPL-1.2"), "T06"),
    (lic("EUPL-1.2"), lic("EUPL-1.1"), "T06"),
    (lic("GPL-2.0-or-later"), lic("Some-GPL-Friendly", "GPL"), "T07"),
    (lic("AGPL-3.0-only"), lic("Some-GPL-Friendly", "GPL"), "T07"),
    *[(lic("EUPL-1.1"), lic(o), "T08") for o in ["GPL-2.0-only", "OSL-3.0", "CECILL-2.0", "CECILL-2.1",
                                                  "EPL-2.0", "CPL-1.0"]],
    *[(lic("EUPL-1.1"), lic(o), "T09") for o in ["GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only"]],
    *[(lic("EUPL-1.2"), lic(o), "T10") for o in EUPL12_APPENDIX],
    (lic("CECILL-2.1"), lic("EUPL-1.2"), "T11"),
    (lic("LiLiQ-Rplus-1.1"), lic("EUPL-1.1"), "T11"),
    (lic("MIT", "Permissive"), lic("GPL-3.0-only", "Copyleft-Share"), "T12"),
    (lic("MIT", "Permissive"), lic("Proprietary-ish", spdx=False), "T12"),  # any outbound licence
    (lic("Apache-2.0", "Permissive", "GPL"), lic("Apache-2.0-ish", "Permissive"), "T12"),  # T12 before T13
    (lic("Some-GPL-Friendly", "GPL"), lic("GPL-3.0-only"), "T13"),
    (lic("Some-GPL-Friendly", "GPL", "LesserCopyleft"), lic("AGPL-3.0-only"), "T13"),
    (lic("MPL-2.0", "LesserCopyleft"), lic("MIT", "Permissive"), "T14"),
    (lic("GPL-3.0-only", "Copyleft-Share"), lic("MIT", "Permissive"), "T14"),
    (lic("LGPL-3.0-only", "LesserCopyleft"), lic("CC-BY-SA-4.0", "Copyleft-Share"), "T15"),
    (lic("OSL-3.0", "Copyleft-Share"), lic("ODbL-1.0", "Copyleft-Share"), "T15"),
    (lic("ODbL-1.0", "Copyleft-Share"), lic("MPL-2.0", "LesserCopyleft"), "T16"),
    (lic("Soft", "ForSoftware"), lic("Data", "ForData"), "T17"),
    (lic("Data", "ForData"), lic("Soft", "ForSoftware"), "T18"),
    (lic("Data", "ForData"), lic("Other-Data", "ForData"), "INCOMPATIBLE"),
    (lic("GPL-3.0-only", "Copyleft-Share"), lic("Proprietary-ish", spdx=False), "INCOMPATIBLE"),
    (lic("EUPL-1.2"), lic("Apache-2.0", "Permissive"), "INCOMPATIBLE"),  # unclassified EUPL: no rule applies
]


@pytest.mark.parametrize("use,redistribute,expected", CASES,
                         ids=[f"{c[2]}-{c[0].key}-to-{c[1].key}" for c in CASES])
def test_each_rule_holds_for_its_own_cases_and_the_first_rule_wins(use, redistribute, expected):
    assert rule(use, redistribute) == expected


def test_every_rule_has_a_case():
    assert {c[2] for c in CASES} == {r.name for r in RULES}


def test_old_spdx_ids_name_the_current_licence():
    assert rule(lic("GPL-3.0"), lic("EUPL-1.2")) == "T04"  # GPL-3.0 is GPL-3.0-only
    assert rule(lic("GPL-2.0+"), lic("EUPL-1.1")) == "T02"
    assert rule(lic("EUPL-1.2"), lic("LGPL-2.1")) == "T10"  # the appendix's LGPL-2.1


def test_the_advice_names_both_licences_in_the_readers_language():
    verdict = check(RULES, lic("GPL-3.0-only"), lic("EUPL-1.2"), ("fr",))
    assert verdict.rule.name == "T04" and verdict.compatible
    assert "GPL-3.0-only" in verdict.advice and "EUPL-1.2" in verdict.advice and "l'annexe" in verdict.advice
    assert "{use}" not in verdict.advice
    unnamed = check(RULES, lic("Local", "Permissive", spdx=False), lic("MIT"), ("de",))
    assert "The Local licence" in unnamed.advice and "freizügig" in unnamed.advice  # a title when no SPDX id
    assert not check(RULES, lic("Data", "ForData"), lic("D2", "ForData")).compatible


@pytest.mark.parametrize("use,redistribute,outcome", [
    (lic("MIT", "Permissive"), lic("GPL-3.0-only"), "compatible"),  # T12
    (lic("GPL-3.0-only"), lic("EUPL-1.2"), "conditional"),  # T04: under the conditions the advice states
    (lic("GPL-3.0-only", "Copyleft-Share"), lic("MIT", "Permissive"), "incompatible"),  # T14 says no
    (lic("GPL-2.0-only"), lic("GPL-3.0-only"), "incompatible"),  # T05
    (lic("Data", "ForData"), lic("D2", "ForData"), "incompatible"),  # no rule
])
def test_a_rule_says_whether_its_advice_allows_it(use, redistribute, outcome):
    verdict = check(RULES, use, redistribute)
    assert verdict.rule.outcome == outcome and verdict.compatible == (outcome != "incompatible")


def test_an_administrators_edited_advice_replaces_the_rules_text():
    t12 = next(r for r in RULES if r.name == "T12")
    verdict = check(RULES, lic("MIT", "Permissive"), lic("EUPL-1.2"), ("en",),
                    advice={t12.iri: {"en": "Edited: {use} into {redistribute}."}})
    assert verdict.advice == "Edited: MIT into EUPL-1.2."


@pytest.mark.parametrize("text,says", [
    ("@prefix cat: <https://catalogue.example.org/def/catalogue#> .\n<http://r/1> a cat:CompatibilityRule ;\n"
     "  rule:x 1 .\n", "line 3"),
    ("@prefix cat: <https://catalogue.example.org/def/catalogue#> .\n"
     "<http://r/1> a cat:CompatibilityRule ; cat:order 1 .\n", "English cat:advice"),
    ("@prefix cat: <https://catalogue.example.org/def/catalogue#> .\n"
     "<http://r/1> a cat:CompatibilityRule ; cat:order 1 ; cat:advice \"a\"@en .\n", "cat:outcome"),
    ("@prefix cat: <https://catalogue.example.org/def/catalogue#> .\n"
     "<http://r/1> a cat:CompatibilityRule ; cat:order 1 ; cat:outcome cat:Compatible ; cat:advice \"a\"@en .\n",
     "fallback"),
])
def test_a_broken_rules_file_is_refused_at_start_up_saying_what(tmp_path, text, says):
    path = tmp_path / "rules.ttl"
    path.write_text(text)
    with pytest.raises(RulesError, match=says):
        read_rules(path)


def test_names_are_looked_up_by_spdx_id_old_id_or_iri_and_unknown_ones_get_suggestions():
    known = [lic("GPL-3.0-only"), lic("LGPL-3.0-only"), lic("MIT"), lic("Local", spdx=False, iri="http://l/1")]
    assert lookup(known, "gpl-3.0-only").key == "GPL-3.0-only"
    assert lookup(known, "GPL-3.0").key == "GPL-3.0-only"
    assert lookup(known, "http://l/1").key == "Local"
    assert lookup(known, "GPL-3.0-onl") is None
    assert suggestions(known, "GPL-3.0-onl")[0] == "GPL-3.0-only"
    assert suggestions(known, "MTI") == ["MIT"]


def test_a_licence_error_says_which_and_suggests_and_has_a_kind():
    exc = LicenceError("No licence has the SPDX id or IRI 'MTI'.", suggestions=["MIT"],
                       error_kind=ErrorKind.NOT_FOUND)
    assert str(exc).endswith("Did you mean MIT?") and exc.error_kind is ErrorKind.NOT_FOUND


def test_the_questionnaire_keeps_what_fits_and_ranks_by_preferences():
    from catalogue.licences.chooser import Answers, shortlist

    eupl = lic("EUPL-1.2", "ForSoftware", "Copyleft-Share", "SaaSNetwork", "GPL", "EU-MSLaw", "Multilingual",
               "OSIApproved")
    gpl = lic("GPL-3.0-only", "ForSoftware", "Copyleft-Share", "OSIApproved", "FSFFREE-Libre")
    mpl = lic("MPL-2.0", "ForSoftware", "Copyleft-Share", "LesserCopyleft", "GPL", "OSIApproved")
    mit = lic("MIT", "ForSoftware", "Permissive", "GPL", "OSIApproved", "FSFFREE-Libre")
    ccby = lic("CC-BY-4.0", "ForData", "Permissive")
    ccnd = lic("CC-BY-ND-4.0", "ForData", "Modify")  # not open: never suggested
    every = [eupl, gpl, mpl, mit, ccby, ccnd]

    def keys(**answers):
        return [s.licence.key for s in shortlist(every, Answers(**answers))]

    assert keys(kind="software", copyleft="strong") == ["GPL-3.0-only", "EUPL-1.2"]  # EUPL's network clause, unasked
    assert keys(kind="software", copyleft="strong", eu_law=True, languages=True) == ["EUPL-1.2", "GPL-3.0-only"]
    assert keys(kind="software", copyleft="strong", network=True) == ["EUPL-1.2"]
    assert keys(kind="software", copyleft="weak") == ["MPL-2.0"]
    assert keys(kind="software", copyleft="none", gpl=True) == ["MIT"]
    assert keys(kind="data", copyleft="none") == ["CC-BY-4.0"]
    assert keys(kind="data", copyleft="strong") == []
    best = shortlist(every, Answers("software", "strong", eu_law=True))[1]
    assert best.licence.key == "GPL-3.0-only" and "eu-law" in best.lacks and "strong-copyleft" in best.reasons


@pytest.mark.parametrize("form,says", [
    ({"kind": "wood", "copyleft": "none"}, "'kind' is 'wood'"),
    ({"kind": "data", "copyleft": "some"}, "'copyleft' is 'some'"),
    ({"kind": "data", "copyleft": "none", "gpl": "maybe"}, "'gpl' is 'maybe'; answer yes or no"),
])
def test_questionnaire_answers_outside_their_choices_are_refused(form, says):
    from catalogue.licences import parse_answers

    with pytest.raises(LicenceError, match=says) as caught:
        parse_answers(form)
    assert caught.value.error_kind is ErrorKind.BAD_INPUT
    assert parse_answers({}) is None


def test_spdx_expressions_expand_to_choices_with_their_legal_types():
    from catalogue.licences.directory import expression_entry
    from catalogue.licences.expressions import ExpressionError, parse

    assert parse("GPL-2.0+ or mit") == ("GPL-2.0-or-later OR MIT", (("GPL-2.0-or-later",), ("MIT",)), ())
    assert parse("(MIT AND BSD-3-Clause) OR Apache-2.0 WITH LLVM-exception")[1:] == (
        (("MIT", "BSD-3-Clause"), ("Apache-2.0",)), ("LLVM-exception",))
    for bad, says in (("MIT OR OR", "does not parse"), ("MIT OR NoSuch-1.0", "NoSuch-1.0"), ("", "empty")):
        with pytest.raises(ExpressionError, match=says):
            parse(bad)
    known = {k.key: k for k in (lic("MIT", "Permissive", "Use-Reproduce", "IncludeCopyright"),
                                lic("GPL-3.0-only", "Copyleft-Share", "Use-Reproduce", "DiscloseSource"))}
    either = expression_entry(*parse("MIT OR GPL-3.0-only"), known)
    assert either.carries([LT + "Permissive"]) and either.carries([LT + "Copyleft-Share"])
    assert not either.carries([LT + "Permissive", LT + "Copyleft-Share"])
    assert either.legal_types == {LT + "Use-Reproduce"}  # what holds whichever is chosen
    both = expression_entry(*parse("MIT AND GPL-3.0-only"), known)
    # both apply: a Can/Compatible term only if both carry it, a Must from either
    assert both.alternatives == (frozenset({LT + "Use-Reproduce", LT + "IncludeCopyright", LT + "Copyleft-Share",
                                            LT + "DiscloseSource"}),)
    assert not both.carries([LT + "Permissive"])
    from catalogue.licences.compatibility import check_expression
    verdict = check_expression(RULES, either, lic("Apache-2.0", "Permissive"), known)
    assert verdict.compatible and verdict.chosen == ("MIT",) and verdict.rule.name == "T12"
    assert not check_expression(RULES, both, lic("Apache-2.0", "Permissive"), known).compatible
