"""One finding in plain words: which property, what is wrong, how to fix it.

The sentence for a broken constraint (:mod:`catalogue.reports.constraints`) is chosen here
and said in the reader's language: the English sentences below are the message ids of the
``reports`` Babel catalogue (:mod:`catalogue.reports.i18n`), French and German are in its
``.po`` files. Values are shown as ``<iri>``, ``"text"`` or ``_:blank``, properties as CURIEs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import rdflib

from catalogue.ingest.shacl import Finding
from catalogue.reports.constraints import (
    Constraint,
    Shape,
    constraint_of,
    find_shape,
    is_bare,
    is_typed,
    owner_class,
)
from catalogue.reports.i18n import N_, normalise_lang, t, translate
from catalogue.reports.labels import class_words, curie, label, or_word, path_curie, tables

# The ownership rules' sentences (catalogue/ingest/ownership.py writes them, in English, as
# the finding's message; the report says them in the reader's language).
OWNED = N_("This record is published by the source '{owner}': only that source may describe it.")
FIX_OWNED = N_("Link to it (for example with dct:relation, or owl:sameAs on your own record) "
               "instead of giving it properties, or ask its publisher to change it.")
RESERVED = N_("This resource is in the catalogue's own namespace, which no publisher may describe.")
FIX_RESERVED = N_("Remove the triples that describe it (you may still link to it), or give your "
                  "resource an IRI of your own.")

# sh:nodeKind values in words
NODE_KINDS = {
    "IRI": N_("a link (IRI)"), "Literal": N_("text (a literal)"),
    "BlankNodeOrIRI": N_("a link (IRI) or a nested resource"),
    "BlankNode": N_("a nested resource (blank node)"),
    "IRIOrLiteral": N_("a link (IRI) or text"), "BlankNodeOrLiteral": N_("a nested resource or text"),
}

# Lexical examples for the datatype fix sentence.
DATATYPE_EXAMPLES = {
    "date": "2024-05-01", "dateTime": "2024-05-01T00:00:00Z", "gYear": "2024",
    "gYearMonth": "2024-05", "integer": "42", "nonNegativeInteger": "42", "positiveInteger": "42",
    "decimal": "4.2", "double": "4.2", "boolean": "true", "duration": "P1D",
    "hexBinary": "3a7bd3e2", "anyURI": "https://example.org/", "string": "text",
}


@dataclass(frozen=True)
class Explanation:
    """One finding in the reader's words: which property, what is wrong, what to do."""

    property_label: str
    problem: str
    fix: str

    def as_json(self) -> dict:
        return {"property_label": self.property_label, "problem": self.problem, "fix": self.fix}


def value_kind(value: str | None, constraint: Constraint | None = None) -> str | None:
    """``iri``, ``bnode`` or ``literal``: findings keep values as bare strings.

    The broken constraint decides when it can (a failed sh:nodeKind sh:IRI means the value
    was a literal); otherwise a string that parses as an absolute IRI is taken for one.
    """
    if value is None:
        return None
    if value.startswith("_:"):
        return "bnode"
    kind = constraint.kind if constraint else ""
    if constraint is not None and kind == "nodekind":
        expected = str(constraint.params["kind"]).rsplit("#", 1)[-1]
        return "literal" if "Literal" not in expected else "iri"
    if kind in ("datatype", "min_length", "max_length"):
        return "literal"
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
        try:
            ox.NamedNode(value)
            return "iri"
        except ValueError:
            pass
    return "literal"


def _show(value: Any, kind: str | None = None, limit: int = 80) -> str:
    """A value as a sentence shows it: <iri>, "text" (shortened), _:blank."""
    if isinstance(value, rdflib.URIRef):
        return curie(str(value))
    text = str(value)
    kind = kind or value_kind(text)
    if kind == "iri":
        return f"<{text}>"
    if kind == "bnode":
        return text
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


def _node_kind(kind: str, lang: str, otherwise: str) -> str:
    return translate(lang, NODE_KINDS[kind]) if kind in NODE_KINDS else otherwise


def _phrase(shape: Shape, lang: str) -> str:
    """What a value shape (an sh:or member, a qualified value shape) asks, in a few words."""
    if is_bare(shape):
        return t("a bare link to something not described in the dump", lang)
    if is_typed(shape):
        return t("a resource with a type (rdf:type)", lang)
    parts = []
    for name in ("class", "datatype", "minLength", "maxLength", "pattern"):
        v = shape.value(name)
        if v is None:
            continue
        shown = curie(str(v)) if isinstance(v, rdflib.URIRef) else str(v)
        if name == "class":
            parts.append(t("a resource typed {cls}", lang, cls=shown))
        elif name == "datatype" and str(v).endswith("#langString"):
            parts.append(t("text with a language tag", lang))
        elif name == "datatype":
            parts.append(t("a value of type {dt}", lang, dt=shown))
        elif name == "minLength":
            parts.append(t("at least {n} characters long", lang, n=shown))
        elif name == "maxLength":
            parts.append(t("at most {n} characters long", lang, n=shown))
        else:
            parts.append(t("matching {pattern}", lang, pattern=shown))
    kind = shape.value("nodeKind")
    if kind is not None:
        parts.insert(0, _node_kind(str(kind).rsplit("#", 1)[-1], lang, curie(str(kind))))
    return ", ".join(parts) or t("resource", lang)


def _datatype_example(datatype: str) -> str:
    local = datatype.rsplit("#", 1)[-1]
    if local == "langString":
        return '"..."@en'
    return f'"{DATATYPE_EXAMPLES.get(local, "...")}"^^{curie(datatype)}'


def _more(lang: str, path: str | None) -> str:
    entry = tables()["properties"].get(path or "", {})
    hint = entry.get("hint", {}).get(lang) or entry.get("hint", {}).get("en")
    example = entry.get("example")
    if hint and example:
        return t(": {hint}, for example {example}", lang, hint=hint, example=example)
    if hint:
        return t(": {hint}", lang, hint=hint)
    return t(", for example {example}", lang, example=example) if example else ""


def explain_finding(finding: Finding, lang: str | None = "en", count: int | None = None) -> Explanation:
    """Property label, problem and fix for one finding, in ``lang`` (unknown → English).

    ``count``, the number of values the focus node has for the path, makes a sh:maxCount
    problem say how many there are.
    """
    lang = normalise_lang(lang)
    if not (finding.path or "").startswith("^"):
        finding = replace(finding, focus="")  # only the dump-level sentences name the focus
    return _explain(finding, lang, count)


@lru_cache(maxsize=8192)
def _explain(finding: Finding, lang: str, count: int | None) -> Explanation:
    """Cached: a large report says the same thing about thousands of nodes."""
    shape = find_shape(finding.shape, finding.message)
    constraint = constraint_of(finding, count)
    name = label(finding.path, lang, shape)
    words = _Words(finding, lang, name, shape, constraint)
    problem, fix = _SENTENCES.get(constraint.kind, _other)(words)
    return Explanation(name, problem, fix)


@dataclass
class _Words:
    """What the sentence builders fill their templates with."""

    finding: Finding
    lang: str
    label: str
    shape: Shape | None
    constraint: Constraint

    @property
    def params(self) -> dict[str, Any]:
        return self.constraint.params

    @property
    def prop(self) -> str:
        path = self.finding.path
        return path_curie(path, or_word(self.lang)) if path else self.label

    @property
    def this(self) -> str:
        return class_words(owner_class(self.shape), self.lang)[1]

    @property
    def value(self) -> str:
        v = self.finding.value
        return _show(v, value_kind(v, self.constraint)) if v is not None else "?"

    def t(self, msgid: str, /, **values: Any) -> str:
        return t(msgid, self.lang, **values)


def _min(w: _Words) -> tuple[str, str]:
    n = w.params["min"]
    if n <= 1:
        return (w.t("The {label} is missing.", label=w.label),
                w.t("Add {prop} to {this}{more}.", prop=w.prop, this=w.this,
                    more=_more(w.lang, w.finding.path)))
    return (w.t("The {label} needs at least {min} values.", label=w.label, min=n),
            w.t("Add values of {prop} to {this} until it has at least {min}.", prop=w.prop,
                this=w.this, min=n))


def _max(w: _Words) -> tuple[str, str]:
    m, count = w.params["max"], w.params.get("count")
    problem = (w.t("The {label} has {count} values, at most {max} allowed.", label=w.label,
                   count=count, max=m) if count
               else w.t("The {label} has more than {max} value(s), at most {max} allowed.",
                        label=w.label, max=m))
    return problem, w.t("Keep at most {max} value(s) of {prop} on {this} and remove the others.",
                        max=m, prop=w.prop, this=w.this)


def _class_or_bare(w: _Words) -> tuple[str, str]:
    cls = curie(w.params["class"])
    return (w.t("The {label} points to {value}, which the dump describes but does not type {cls}.",
                label=w.label, value=w.value, cls=cls),
            w.t('Add "a {cls}" to the description of {value}, or link to it without describing it '
                "in the dump.", cls=cls, value=w.value))


def _class(w: _Words) -> tuple[str, str]:
    cls = curie(str(w.params["class"]))
    return (w.t("The {label} points to {value}, which is not typed {cls}.", label=w.label,
                value=w.value, cls=cls),
            w.t('Give {value} the type {cls} (add "a {cls}"), or point to a resource of that type.',
                value=w.value, cls=cls))


def _typed(w: _Words) -> tuple[str, str]:
    return (w.t("The {label} points to {value}, which the dump describes without a type (rdf:type).",
                label=w.label, value=w.value),
            w.t("Give {value} a type (rdf:type), or link to it without describing it in the dump.",
                value=w.value))


def _nodekind(w: _Words) -> tuple[str, str]:
    kind = str(w.params["kind"]).rsplit("#", 1)[-1]
    words = _node_kind(kind, w.lang, kind)
    problem = w.t("The {label} must be {kind}.", label=w.label, kind=words)
    if kind == "Literal":
        return problem, w.t('Write {prop} as text, for example "..."@en, not as a link.', prop=w.prop)
    if kind == "IRI":
        return problem, w.t("Write {prop} as a link (IRI), for example <https://...>, not as text.",
                            prop=w.prop)
    return problem, w.t("Change {prop} so it is {kind}.", prop=w.prop, kind=words)


def _datatype(w: _Words) -> tuple[str, str]:
    dt = str(w.params["datatype"])
    return (w.t("The {label} {value} is not of type {dt}.", label=w.label, value=w.value, dt=curie(dt)),
            w.t("Write the value with its type, for example {example}.", example=_datatype_example(dt)))


def _or(w: _Words) -> tuple[str, str]:
    members: list[Shape] = w.params["members"]
    alternatives = or_word(w.lang).join(_phrase(m, w.lang) for m in members)
    problem = w.t("The {label} must be {kind}.", label=w.label, kind=alternatives)
    datatypes = [m.value("datatype") for m in members]
    if datatypes and all(d is not None for d in datatypes) and not str(datatypes[0]).endswith("langString"):
        return problem, w.t("Write the value with its type, for example {example}.",
                            example=_datatype_example(str(datatypes[0])))
    return problem, w.t("Change {prop} so it is {kind}.", prop=w.prop, kind=alternatives)


def _in(w: _Words) -> tuple[str, str]:
    allowed = ", ".join(_show(v) for v in w.params["allowed"])
    return (w.t("The {label} must be one of: {allowed}.", label=w.label, allowed=allowed),
            w.t("Replace {value} by one of the allowed values.", value=w.value))


def _pattern(w: _Words) -> tuple[str, str]:
    pattern = str(w.params["pattern"])
    return (w.t("The {label} {value} does not have the expected form ({pattern}).", label=w.label,
                value=w.value, pattern=pattern),
            w.t("Change {value} so it matches {pattern}.", value=w.value, pattern=pattern))


def _length(w: _Words) -> tuple[str, str]:
    n = w.params["n"]
    if w.constraint.kind == "min_length":
        problem = w.t("The {label} is shorter than {n} characters.", label=w.label, n=n)
        # Translators: {prop}, the property as a prefixed name, may be used instead of {label}.
        fix = w.t("Write a longer {label}: at least {n} characters.", label=w.label, prop=w.prop, n=n)
        return problem, fix
    return (w.t("The {label} is longer than {n} characters.", label=w.label, n=n),
            w.t("Shorten {prop} to at most {n} characters.", label=w.label, prop=w.prop, n=n))


def _has_value(w: _Words) -> tuple[str, str]:
    expected = _show(w.params["expected"])
    return (w.t("The {label} must include {expected}.", label=w.label, expected=expected),
            w.t("Add {expected} as a value of {prop}.", expected=expected, prop=w.prop))


def _node(w: _Words) -> tuple[str, str]:
    return (w.t("The {label} points to {value}, which does not meet its own rules.", label=w.label,
                value=w.value),
            w.t("Fix {value} so it meets the rules for it.", value=w.value))


def _qualified(w: _Words) -> tuple[str, str]:
    desc = _phrase(w.params["shape"], w.lang)
    example = tables()["properties"].get(w.finding.path or "", {}).get("example")
    more = w.t(", for example {example}", example=example) if example else ""
    return (w.t("No {label} is {desc}.", label=w.label, desc=desc),
            w.t("Add to {this} a value of {prop} that is {desc}{more}.", this=w.this, prop=w.prop,
                desc=desc, more=more))


def _closed(w: _Words) -> tuple[str, str]:
    return (w.t("The {label} is not allowed here.", label=w.label),
            w.t("Remove {prop} from {this}.", prop=w.prop, this=w.this))


def _instances(w: _Words) -> tuple[str, str]:
    cls = w.finding.focus
    noun = class_words(cls, w.lang)[0]
    if noun == t("resource", w.lang):
        noun = label(cls, w.lang, None)
    return (w.t("The dump describes no resource of type {cls} ({noun}).", cls=curie(cls), noun=noun),
            w.t('Describe at least one resource of type {cls} in the dump (a resource with "a {cls}").',
                cls=curie(cls)))


def _other(w: _Words) -> tuple[str, str]:
    """No constraint we can read: the shape's own message (English), split at its colon."""
    message = w.finding.message.strip()
    if ": " in message:
        head, tail = message.split(": ", 1)
        return head.rstrip(".") + ".", tail[:1].upper() + tail[1:]
    shape = curie(w.finding.shape) if w.finding.shape and not w.finding.shape.startswith("_:") else "?"
    return message or w.label, w.t("See the rule {shape}.", shape=shape)


def _ownership(w: _Words) -> tuple[str, str]:
    if w.constraint.kind == "owned":
        return w.t(OWNED, owner=w.params["owner"]), w.t(FIX_OWNED)
    return w.t(RESERVED), w.t(FIX_RESERVED)


_SENTENCES = {
    "owned": _ownership, "reserved": _ownership,
    "min": _min, "max": _max, "class_or_bare": _class_or_bare, "class": _class, "typed": _typed,
    "nodekind": _nodekind, "datatype": _datatype, "or": _or, "in": _in, "pattern": _pattern,
    "min_length": _length, "max_length": _length, "has_value": _has_value, "node": _node,
    "qualified": _qualified, "closed": _closed, "instances": _instances,
}
