"""Names for a reader: of properties, paths and classes, in their language; IRIs as CURIEs.

Property and class names are in ``property_labels.json`` (ours, reviewed, per IRI), then the
shapes' ``sh:name``, then the ``rdfs:label`` of the vocabularies in ``vocab/``; the language
chain is requested → English → any, and the IRI's local name when nothing else exists.
Vocabularies and the table are read once per process, lazily.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from catalogue.reports.constraints import Shape, find_shape
from catalogue.reports.i18n import normalise_lang, t
from catalogue.settings import PACKAGE
from catalogue.terms import PREFIXES

LABELS_FILE = Path(__file__).with_name("property_labels.json")
VOCAB_DIR = PACKAGE / "vocab"
# vocabularies whose rdfs:label name properties, best first; the ADMS-AP profile file is
# last: its labels are "Class - property" and sometimes wrong (adms:status "version Notes")
LABEL_FILES = ("dcterms.ttl", "dcat.ttl", "foaf.ttl", "vcard.ttl", "skos.ttl", "adms.ttl",
               "prov.ttl", "adms-ap-2.0.2.FIXED.ttl")


def curie(iri: str) -> str:
    """``dct:license`` for a known namespace, ``<iri>`` otherwise."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def local_name(iri: str) -> str:
    """The last segment of an IRI, the label of last resort."""
    name = re.split(r"[#/:]", iri.rstrip("/#>"))[-1]
    return name or iri


def path_iris(path: str) -> list[str]:
    """The IRIs of a complex path as shacl.py writes it (``^<a>``, ``<a>/<b>``, ``<a>|<b>``)."""
    return re.findall(r"<([^>]*)>", path)


def path_curie(path: str, alternative: str = "|") -> str:
    """A path in prefixed names; ``alternative`` joins the branches of an alternative path."""
    if not path.startswith(("<", "^")):
        return curie(path)
    parts = [curie(i) for i in path_iris(path)]
    if path.startswith("^"):
        return "^" + "".join(parts)
    return (alternative if "|<" in path else "/").join(parts)


# --- label tables ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def tables() -> dict:
    """property_labels.json, read once; an empty table if the file is missing."""
    if not LABELS_FILE.exists():
        return {"properties": {}, "shapes": {}, "classes": {}}
    return json.loads(LABELS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _vocab_labels() -> dict[str, dict[str, str]]:
    """rdfs:label of every term in the vocabularies, {iri: {lang: label}}, first file wins."""
    labels: dict[str, dict[str, str]] = {}
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    for name in LABEL_FILES:
        path = VOCAB_DIR / name
        if not path.exists():
            continue
        try:
            quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except (SyntaxError, OSError):
            continue
        for q in quads:
            if q.predicate.value != label or not isinstance(q.object, ox.Literal):
                continue
            text = q.object.value.strip()
            if name.startswith("adms-ap") and " - " in text:
                text = text.split(" - ", 1)[1]  # "Asset Distribution - file Size" → "file Size"
            if text:
                labels.setdefault(q.subject.value, {}).setdefault(q.object.language or "", text)
    return labels


@lru_cache(maxsize=1024)
def _shape_names(shape: Shape | None) -> dict[str, str]:
    """Our table's and the shape's own sh:name by language (shared: read-only)."""
    if shape is None:
        return {}
    names = dict(tables()["shapes"].get(str(shape.node), {}).get("label", {}))
    for name in shape.graph.objects(shape.node, SH.name):
        if isinstance(name, rdflib.Literal):
            names.setdefault(name.language or "", str(name))
    return names


def property_label(path: str | None, lang: str | None = "en", shape: str | None = None) -> str:
    """The name of a property for a reader: never empty.

    Sources per language, best first: our table for this shape, the shape's sh:name, our
    property table, the vocabularies' rdfs:label; languages requested → en → any; then the
    IRI's local name. ``path`` is an IRI or a complex path as in :class:`Finding`.
    """
    return label(path, normalise_lang(lang), find_shape(shape, ""))


def label(path: str | None, lang: str, shape: Shape | None) -> str:
    """:func:`property_label` for a normalised language and a shape already found."""
    shape_names = _shape_names(shape)
    prop = tables()["properties"].get(path or "", {}).get("label", {})
    vocab = _vocab_labels().get(path or "", {})
    for code in dict.fromkeys((lang, "en")):
        for source in (shape_names, prop, vocab):
            found = _in_language(source, code)
            if found:
                return found
    for source in (shape_names, vocab):
        if source:
            return source.get("") or next(iter(source.values()))
    if path and path.startswith(("<", "^")):
        return _complex_label(path, lang)
    return local_name(path) if path else t("value", lang)


def _in_language(labels: dict[str, str], code: str) -> str | None:
    """The label tagged ``code``, else one tagged with a variant of it (``en-gb`` for ``en``)."""
    if labels.get(code):
        return labels[code]
    return next((v for k, v in labels.items() if k.startswith(code + "-") and v), None)


def _complex_label(path: str, lang: str) -> str:
    labels = [label(i, lang, None) for i in path_iris(path)]
    if path.startswith("^"):
        return "^" + "".join(labels)
    return (or_word(lang) if "|<" in path else " › ").join(labels)


def or_word(lang: str) -> str:
    """What joins alternatives, spaces included."""
    return t(" or ", lang)


def class_words(iri: str | None, lang: str) -> tuple[str, str]:
    """(noun, "this <noun>" in the case a fix sentence needs) for a class or node shape."""
    entry = tables()["classes"].get(iri or "")
    if entry:
        return entry["noun"].get(lang, entry["noun"]["en"]), entry["this"].get(lang, entry["this"]["en"])
    return t("resource", lang), t("this resource", lang)


# --- names on resource pages (issue 12): a property column, a class, never a full IRI -------

# namespaces a page may name by prefix besides catalogue.terms.PREFIXES (not served in Turtle)
PAGE_PREFIXES = {
    "eirax": "https://catalogue.example.org/def/eira#",
    "cat": "https://catalogue.example.org/def/catalogue#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "at": "http://publications.europa.eu/ontology/authority/",
    "atold": "http://publications.europa.eu/resource/authority/",
    "joinup": "http://joinup.eu/licence/",
    "lt": "http://joinup.eu/legal-type#",
    "vann": "http://purl.org/vocab/vann/",
}


def compact_name(iri: str) -> str:
    """A prefixed name (``eira:viewpoint``) for a term of a known namespace, else the IRI's
    local name: what a page shows when nothing names a property or class.

    >>> compact_name("https://catalogue.example.org/def/eira#viewpoint")
    'eirax:viewpoint'
    >>> compact_name("http://unknown.example/ns#thing")
    'thing'
    """
    for prefix, ns in (*PREFIXES.items(), *PAGE_PREFIXES.items()):
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return local_name(iri)


def _heading(text: str) -> str:
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=8192)
def property_name(iri: str, lang: str = "en") -> str:
    """The name of a property as a page's property column shows it, never a full IRI.

    Our table (``property_labels.json``) in the reader's language, then the vocabularies'
    ``rdfs:label`` in it, then both in English, then :func:`compact_name`; a name from the
    table or a vocabulary starts upper case (it heads a row).
    """
    code = normalise_lang(lang)
    table = tables()["properties"].get(iri, {}).get("label", {})
    vocab = _vocab_labels().get(iri, {})
    for want in dict.fromkeys((code, "en")):
        for source in (table, vocab):
            found = _in_language(source, want)
            if found:
                return _heading(found)
    return compact_name(iri)


@lru_cache(maxsize=4096)
def class_name(iri: str, lang: str = "en") -> str:
    """The name of a class (an ``rdf:type`` value) for a reader, never a full IRI: our table
    (``skos:Concept`` is "Concept", not the ADMS-AP schema's "Asset type"), the vocabularies'
    ``rdfs:label``, then :func:`compact_name`."""
    code = normalise_lang(lang)
    entry = tables()["classes"].get(iri)
    if entry:
        return _heading(entry["noun"].get(code) or entry["noun"]["en"])
    vocab = _vocab_labels().get(iri, {})
    for want in dict.fromkeys((code, "en")):
        found = _in_language(vocab, want)
        if found:
            return _heading(found)
    return compact_name(iri)
