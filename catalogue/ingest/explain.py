"""A validation report a publisher can act on: plain words, in their language, with a fix.

The SHACL findings in a :class:`~catalogue.ingest.report.Report` name IRIs and shapes; this
module turns each into *which property* (its label in the reader's language), *what is
wrong* (derived from the shape's constraint: sh:minCount, sh:maxCount, sh:class, sh:nodeKind,
sh:datatype, sh:in, sh:pattern...) and *how to fix it*, scores every record, shows the
lines around a parse error, and exports a standard SHACL report in Turtle and an extended
JSON report.

Sentences are plain dict tables (English, French, German; anything else falls back to
English): the catalogue package never imports Flask, so Flask-Babel is not used here.
Property and class names are in ``property_labels.json`` (ours, reviewed), then the shapes'
``sh:name``, then the ``rdfs:label`` of the vocabularies in ``vocab/``; the language chain
is requested → English → any, and the IRI's local name when nothing else exists.

Shapes and vocabularies are read once per process, lazily (the shapes graphs are the ones
the validator already compiled: :func:`catalogue.ingest.shacl.load_shapes` is cached, so
blank-node shapes keep the labels the findings carry).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH

from catalogue.formats import LABELS
from catalogue.ingest.errors import InputError
from catalogue.ingest.ownership import OWNED_RULE, RESERVED_RULE
from catalogue.ingest.parse import Limits, parse_dump, read_bytes
from catalogue.ingest.report import Report
from catalogue.ingest.shacl import (
    DUMP_SHAPES,
    PROFILES,
    RECORD_SHAPES,
    Finding,
    load_shapes,
    shape_files,
)
from catalogue.settings import ROOT
from catalogue.terms import PREFIXES

LANGUAGES = ("en", "fr", "de")
LABELS_FILE = Path(__file__).with_name("property_labels.json")
VOCAB_DIR = ROOT / "vocab"
# vocabularies whose rdfs:label name properties, best first; the ADMS-AP profile file is
# last: its labels are "Class - property" and sometimes wrong (adms:status "version Notes")
LABEL_FILES = ("dcterms.ttl", "dcat.ttl", "foaf.ttl", "vcard.ttl", "skos.ttl", "adms.ttl",
               "prov.ttl", "adms-ap-2.0.2.FIXED.ttl")
SH_NS = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# the store's rules on who may describe what (catalogue/ingest/ownership.py): not shapes
OWNERSHIP_RULES = {OWNED_RULE: "owned", RESERVED_RULE: "reserved"}
_OWNER = re.compile(r"published by the source '([^']+)'")
QUALITY_WEIGHT = rdflib.URIRef("https://catalogue.example.org/shapes/quality#weight")
JOINUP_RULE = rdflib.URIRef("https://catalogue.example.org/shapes/adms-ap#joinupRule")


# Points a finding costs when its shape has no q:weight (see record_score).
PENALTY = {"Violation": 20, "Warning": 10, "Info": 3}
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

# Lexical examples for the datatype fix sentence.
DATATYPE_EXAMPLES = {
    "date": "2024-05-01", "dateTime": "2024-05-01T00:00:00Z", "gYear": "2024",
    "gYearMonth": "2024-05", "integer": "42", "nonNegativeInteger": "42", "positiveInteger": "42",
    "decimal": "4.2", "double": "4.2", "boolean": "true", "duration": "P1D",
    "hexBinary": "3a7bd3e2", "anyURI": "https://example.org/", "string": "text",
}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # problems: what is wrong
        "missing": "The {label} is missing.",
        "too_few": "The {label} needs at least {min} values.",
        "too_many_known": "The {label} has {count} values, at most {max} allowed.",
        "too_many": "The {label} has more than {max} value(s), at most {max} allowed.",
        "class_or_bare": "The {label} points to {value}, which the dump describes but does not type {cls}.",
        "class": "The {label} points to {value}, which is not typed {cls}.",
        "typed": "The {label} points to {value}, which the dump describes without a type (rdf:type).",
        "must_be": "The {label} must be {kind}.",
        "datatype": "The {label} {value} is not of type {dt}.",
        "in": "The {label} must be one of: {allowed}.",
        "pattern": "The {label} {value} does not have the expected form ({pattern}).",
        "min_length": "The {label} is shorter than {n} characters.",
        "max_length": "The {label} is longer than {n} characters.",
        "has_value": "The {label} must include {expected}.",
        "node": "The {label} points to {value}, which does not meet its own rules.",
        "qualified": "No {label} is {desc}.",
        "closed": "The {label} is not allowed here.",
        "instances": "The dump describes no resource of type {cls} ({noun}).",
        # fixes: what to do
        "fix_add": "Add {prop} to {this}{more}.",
        "more_hint_example": ": {hint}, for example {example}",
        "more_hint": ": {hint}",
        "more_example": ", for example {example}",
        "fix_add_more": "Add values of {prop} to {this} until it has at least {min}.",
        "fix_keep": "Keep at most {max} value(s) of {prop} on {this} and remove the others.",
        "fix_type_or_unlink": 'Add "a {cls}" to the description of {value}, or link to it without describing it in the dump.',
        "fix_type": 'Give {value} the type {cls} (add "a {cls}"), or point to a resource of that type.',
        "fix_typed": "Give {value} a type (rdf:type), or link to it without describing it in the dump.",
        "fix_as_text": 'Write {prop} as text, for example "..."@en, not as a link.',
        "fix_as_link": "Write {prop} as a link (IRI), for example <https://...>, not as text.",
        "fix_make": "Change {prop} so it is {kind}.",
        "fix_datatype": "Write the value with its type, for example {example}.",
        "fix_in": "Replace {value} by one of the allowed values.",
        "fix_pattern": "Change {value} so it matches {pattern}.",
        "fix_min_length": "Write a longer {label}: at least {n} characters.",
        "fix_max_length": "Shorten {prop} to at most {n} characters.",
        "fix_has_value": "Add {expected} as a value of {prop}.",
        "fix_node": "Fix {value} so it meets the rules for it.",
        "fix_qualified": "Add to {this} a value of {prop} that is {desc}{more}.",
        "fix_closed": "Remove {prop} from {this}.",
        "fix_instances": 'Describe at least one resource of type {cls} in the dump (a resource with "a {cls}").',
        "fix_other": "See the rule {shape}.",
        "owned": "This record is published by the source '{owner}': only that source may describe it.",
        "fix_owned": "Link to it (for example with dct:relation, or owl:sameAs on your own record) instead of giving it properties, or ask its publisher to change it.",
        "reserved": "This resource is in the catalogue's own namespace, which no publisher may describe.",
        "fix_reserved": "Remove the triples that describe it (you may still link to it), or give your resource an IRI of your own.",
        # phrases inside sentences
        "IRI": "a link (IRI)", "Literal": "text (a literal)",
        "BlankNodeOrIRI": "a link (IRI) or a nested resource", "BlankNode": "a nested resource (blank node)",
        "IRIOrLiteral": "a link (IRI) or text", "BlankNodeOrLiteral": "a nested resource or text",
        "ph_class": "a resource typed {cls}",
        "ph_bare": "a bare link to something not described in the dump",
        "ph_typed": "a resource with a type (rdf:type)",
        "ph_datatype": "a value of type {dt}", "ph_langstring": "text with a language tag",
        "ph_min_length": "at least {n} characters long", "ph_max_length": "at most {n} characters long",
        "ph_pattern": "matching {pattern}", "ph_in": "one of {allowed}",
        "or": " or ", "resource": "resource", "this_resource": "this resource",
        "value_word": "value",
        # severities, record kinds, verdicts, headings
        "Violation": "Violation", "Warning": "Warning", "Info": "Info",
        "collection": "collection", "solution": "solution", "release": "release", "other": "other resource",
        "verdict_ok": "The dump conforms: {accepted} record(s) valid.",
        "verdict_bad": "The dump does not conform: {accepted} record(s) valid, {rejected} invalid.",
        "verdict_error": "The dump could not be read: {message}",
        "title": "Validation report", "records": "Records", "dump_problems": "Problems with the whole dump",
        "accepted": "Accepted", "rejected": "Rejected", "property": "Property", "problem": "Problem",
        "fix": "How to fix it", "value": "Value", "focus": "Resource", "score": "Quality score",
        "parse_error": "The file could not be read", "line": "Line", "column": "Column",
        "no_problems": "No problems found.", "severity": "Severity",
    },
    "fr": {
        "missing": "Il manque la propriété « {label} ».",
        "too_few": "La propriété « {label} » doit avoir au moins {min} valeurs.",
        "too_many_known": "La propriété « {label} » a {count} valeurs, {max} au plus sont permises.",
        "too_many": "La propriété « {label} » a plus de {max} valeur(s), {max} au plus sont permises.",
        "class_or_bare": "La propriété « {label} » pointe vers {value}, que le dump décrit sans lui donner le type {cls}.",
        "class": "La propriété « {label} » pointe vers {value}, qui n'a pas le type {cls}.",
        "typed": "La propriété « {label} » pointe vers {value}, que le dump décrit sans type (rdf:type).",
        "must_be": "La propriété « {label} » doit être {kind}.",
        "datatype": "La valeur {value} de la propriété « {label} » n'est pas du type {dt}.",
        "in": "La propriété « {label} » doit être l'une des valeurs : {allowed}.",
        "pattern": "La valeur {value} de la propriété « {label} » n'a pas la forme attendue ({pattern}).",
        "min_length": "La propriété « {label} » fait moins de {n} caractères.",
        "max_length": "La propriété « {label} » fait plus de {n} caractères.",
        "has_value": "La propriété « {label} » doit contenir {expected}.",
        "node": "La propriété « {label} » pointe vers {value}, qui ne respecte pas ses propres règles.",
        "qualified": "Aucune valeur de la propriété « {label} » n'est {desc}.",
        "closed": "La propriété « {label} » n'est pas permise ici.",
        "instances": "Le dump ne décrit aucune ressource de type {cls} ({noun}).",
        "fix_add": "Ajoutez {prop} à {this}{more}.",
        "more_hint_example": " : {hint}, par exemple {example}",
        "more_hint": " : {hint}",
        "more_example": ", par exemple {example}",
        "fix_add_more": "Ajoutez des valeurs de {prop} à {this} pour en avoir au moins {min}.",
        "fix_keep": "Ne gardez que {max} valeur(s) de {prop} sur {this} et supprimez les autres.",
        "fix_type_or_unlink": "Ajoutez « a {cls} » à la description de {value}, ou faites seulement un lien vers cette ressource sans la décrire dans le dump.",
        "fix_type": "Donnez à {value} le type {cls} (ajoutez « a {cls} »), ou pointez vers une ressource de ce type.",
        "fix_typed": "Donnez un type (rdf:type) à {value}, ou faites seulement un lien vers cette ressource sans la décrire dans le dump.",
        "fix_as_text": 'Écrivez la valeur de {prop} comme du texte, par exemple "..."@fr, pas comme un lien.',
        "fix_as_link": "Écrivez la valeur de {prop} comme un lien (IRI), par exemple <https://...>, pas comme du texte.",
        "fix_make": "Modifiez la valeur de {prop} pour qu'elle soit {kind}.",
        "fix_datatype": "Écrivez la valeur avec son type, par exemple {example}.",
        "fix_in": "Remplacez {value} par l'une des valeurs permises.",
        "fix_pattern": "Modifiez la valeur {value} pour qu'elle corresponde à {pattern}.",
        "fix_min_length": "Rédigez une valeur plus longue pour {prop} : au moins {n} caractères.",
        "fix_max_length": "Raccourcissez la valeur de {prop} à {n} caractères au plus.",
        "fix_has_value": "Ajoutez {expected} comme valeur de {prop}.",
        "fix_node": "Corrigez la ressource {value} pour qu'elle respecte ses règles.",
        "fix_qualified": "Ajoutez à {this} une valeur de {prop} qui soit {desc}{more}.",
        "fix_closed": "Retirez {prop} de {this}.",
        "fix_instances": "Décrivez au moins une ressource de type {cls} dans le dump (une ressource avec « a {cls} »).",
        "fix_other": "Voir la règle {shape}.",
        "owned": "Cette fiche est publiée par la source « {owner} » : elle seule peut la décrire.",
        "fix_owned": "Faites-y un lien (par exemple avec dct:relation, ou owl:sameAs sur votre propre fiche) au lieu de lui donner des propriétés, ou demandez à son éditeur de la modifier.",
        "reserved": "Cette ressource est dans l'espace de noms du catalogue lui-même, qu'aucun éditeur ne peut décrire.",
        "fix_reserved": "Retirez les triplets qui la décrivent (vous pouvez toujours y faire un lien), ou donnez à votre ressource une IRI qui vous appartient.",
        "IRI": "un lien (IRI)", "Literal": "du texte (un littéral)",
        "BlankNodeOrIRI": "un lien (IRI) ou une ressource imbriquée",
        "BlankNode": "une ressource imbriquée (nœud anonyme)",
        "IRIOrLiteral": "un lien (IRI) ou du texte", "BlankNodeOrLiteral": "une ressource imbriquée ou du texte",
        "ph_class": "une ressource de type {cls}",
        "ph_bare": "un simple lien vers une ressource non décrite dans le dump",
        "ph_typed": "une ressource typée (rdf:type)",
        "ph_datatype": "une valeur de type {dt}", "ph_langstring": "du texte avec une étiquette de langue",
        "ph_min_length": "d'au moins {n} caractères", "ph_max_length": "d'au plus {n} caractères",
        "ph_pattern": "conforme à {pattern}", "ph_in": "l'une des valeurs {allowed}",
        "or": " ou ", "resource": "ressource", "this_resource": "cette ressource",
        "value_word": "valeur",
        "Violation": "Violation", "Warning": "Avertissement", "Info": "Information",
        "collection": "collection", "solution": "solution", "release": "version", "other": "autre ressource",
        "verdict_ok": "Le dump est conforme : {accepted} fiche(s) valide(s).",
        "verdict_bad": "Le dump n'est pas conforme : {accepted} fiche(s) valide(s), {rejected} non valide(s).",
        "verdict_error": "Le dump n'a pas pu être lu : {message}",
        "title": "Rapport de validation", "records": "Fiches", "dump_problems": "Problèmes du dump entier",
        "accepted": "Acceptée", "rejected": "Rejetée", "property": "Propriété", "problem": "Problème",
        "fix": "Comment corriger", "value": "Valeur", "focus": "Ressource", "score": "Score de qualité",
        "parse_error": "Le fichier n'a pas pu être lu", "line": "Ligne", "column": "Colonne",
        "no_problems": "Aucun problème trouvé.", "severity": "Gravité",
    },
    "de": {
        "missing": "Die Angabe „{label}“ fehlt.",
        "too_few": "Die Angabe „{label}“ braucht mindestens {min} Werte.",
        "too_many_known": "Die Angabe „{label}“ hat {count} Werte, höchstens {max} sind erlaubt.",
        "too_many": "Die Angabe „{label}“ hat mehr als {max} Wert(e), höchstens {max} sind erlaubt.",
        "class_or_bare": "Die Angabe „{label}“ verweist auf {value}, das der Dump beschreibt, aber nicht als {cls} typisiert.",
        "class": "Die Angabe „{label}“ verweist auf {value}, das nicht vom Typ {cls} ist.",
        "typed": "Die Angabe „{label}“ verweist auf {value}, das der Dump ohne Typ (rdf:type) beschreibt.",
        "must_be": "Die Angabe „{label}“ muss {kind} sein.",
        "datatype": "Der Wert {value} der Angabe „{label}“ ist nicht vom Typ {dt}.",
        "in": "Die Angabe „{label}“ muss einer dieser Werte sein: {allowed}.",
        "pattern": "Der Wert {value} der Angabe „{label}“ hat nicht die erwartete Form ({pattern}).",
        "min_length": "Die Angabe „{label}“ ist kürzer als {n} Zeichen.",
        "max_length": "Die Angabe „{label}“ ist länger als {n} Zeichen.",
        "has_value": "Die Angabe „{label}“ muss {expected} enthalten.",
        "node": "Die Angabe „{label}“ verweist auf {value}, das seine eigenen Regeln nicht erfüllt.",
        "qualified": "Kein Wert der Angabe „{label}“ ist {desc}.",
        "closed": "Die Angabe „{label}“ ist hier nicht erlaubt.",
        "instances": "Der Dump beschreibt keine Ressource vom Typ {cls} ({noun}).",
        "fix_add": "Fügen Sie {this} {prop} hinzu{more}.",
        "more_hint_example": ": {hint}, zum Beispiel {example}",
        "more_hint": ": {hint}",
        "more_example": ", zum Beispiel {example}",
        "fix_add_more": "Fügen Sie {this} weitere Werte von {prop} hinzu, bis es mindestens {min} sind.",
        "fix_keep": "Behalten Sie bei {this} höchstens {max} Wert(e) von {prop} und entfernen Sie die anderen.",
        "fix_type_or_unlink": "Ergänzen Sie „a {cls}“ in der Beschreibung von {value} oder verlinken Sie die Ressource nur, ohne sie im Dump zu beschreiben.",
        "fix_type": "Geben Sie {value} den Typ {cls} (ergänzen Sie „a {cls}“) oder verweisen Sie auf eine Ressource dieses Typs.",
        "fix_typed": "Geben Sie {value} einen Typ (rdf:type) oder verlinken Sie die Ressource nur, ohne sie im Dump zu beschreiben.",
        "fix_as_text": 'Schreiben Sie den Wert von {prop} als Text, zum Beispiel "..."@de, nicht als Link.',
        "fix_as_link": "Schreiben Sie den Wert von {prop} als Link (IRI), zum Beispiel <https://...>, nicht als Text.",
        "fix_make": "Ändern Sie den Wert von {prop}, sodass er {kind} ist.",
        "fix_datatype": "Schreiben Sie den Wert mit seinem Typ, zum Beispiel {example}.",
        "fix_in": "Ersetzen Sie {value} durch einen der erlaubten Werte.",
        "fix_pattern": "Ändern Sie den Wert {value}, sodass er {pattern} entspricht.",
        "fix_min_length": "Schreiben Sie einen längeren Wert für {prop}: mindestens {n} Zeichen.",
        "fix_max_length": "Kürzen Sie den Wert von {prop} auf höchstens {n} Zeichen.",
        "fix_has_value": "Fügen Sie {expected} als Wert von {prop} hinzu.",
        "fix_node": "Korrigieren Sie die Ressource {value}, sodass sie ihre Regeln erfüllt.",
        "fix_qualified": "Fügen Sie {this} einen Wert von {prop} hinzu, der {desc} ist{more}.",
        "fix_closed": "Entfernen Sie {prop} bei {this}.",
        "fix_instances": "Beschreiben Sie im Dump mindestens eine Ressource vom Typ {cls} (eine Ressource mit „a {cls}“).",
        "fix_other": "Siehe die Regel {shape}.",
        "owned": "Dieser Eintrag wird von der Quelle „{owner}“ veröffentlicht: Nur diese Quelle darf ihn beschreiben.",
        "fix_owned": "Verlinken Sie ihn (zum Beispiel mit dct:relation oder owl:sameAs in Ihrem eigenen Eintrag), statt ihm Eigenschaften zu geben, oder bitten Sie seinen Herausgeber um die Änderung.",
        "reserved": "Diese Ressource liegt im Namensraum des Katalogs selbst, den kein Herausgeber beschreiben darf.",
        "fix_reserved": "Entfernen Sie die Tripel, die sie beschreiben (verlinken dürfen Sie sie weiterhin), oder geben Sie Ihrer Ressource eine eigene IRI.",
        "IRI": "ein Link (IRI)", "Literal": "Text (ein Literal)",
        "BlankNodeOrIRI": "ein Link (IRI) oder eine eingebettete Ressource",
        "BlankNode": "eine eingebettete Ressource (leerer Knoten)",
        "IRIOrLiteral": "ein Link (IRI) oder Text", "BlankNodeOrLiteral": "eine eingebettete Ressource oder Text",
        "ph_class": "eine Ressource vom Typ {cls}",
        "ph_bare": "ein bloßer Link auf etwas, das der Dump nicht beschreibt",
        "ph_typed": "eine Ressource mit Typ (rdf:type)",
        "ph_datatype": "ein Wert vom Typ {dt}", "ph_langstring": "Text mit Sprach-Tag",
        "ph_min_length": "mindestens {n} Zeichen lang", "ph_max_length": "höchstens {n} Zeichen lang",
        "ph_pattern": "passend zu {pattern}", "ph_in": "einer der Werte {allowed}",
        "or": " oder ", "resource": "Ressource", "this_resource": "dieser Ressource",
        "value_word": "Wert",
        "Violation": "Verstoß", "Warning": "Warnung", "Info": "Hinweis",
        "collection": "Sammlung", "solution": "Lösung", "release": "Version", "other": "sonstige Ressource",
        "verdict_ok": "Der Dump ist konform: {accepted} Datensatz/Datensätze gültig.",
        "verdict_bad": "Der Dump ist nicht konform: {accepted} Datensatz/Datensätze gültig, {rejected} ungültig.",
        "verdict_error": "Der Dump konnte nicht gelesen werden: {message}",
        "title": "Validierungsbericht", "records": "Datensätze", "dump_problems": "Probleme des gesamten Dumps",
        "accepted": "Angenommen", "rejected": "Abgelehnt", "property": "Eigenschaft", "problem": "Problem",
        "fix": "So beheben Sie es", "value": "Wert", "focus": "Ressource", "score": "Qualitätswert",
        "parse_error": "Die Datei konnte nicht gelesen werden", "line": "Zeile", "column": "Spalte",
        "no_problems": "Keine Probleme gefunden.", "severity": "Schweregrad",
    },
}
HEADING_KEYS = ("title", "records", "dump_problems", "accepted", "rejected", "property", "problem",
                "fix", "value", "focus", "score", "parse_error", "line", "column", "no_problems",
                "severity", "Violation", "Warning", "Info")


# --- languages and words ---------------------------------------------------------------------


def normalise_lang(lang: str | None) -> str:
    """``fr-BE``, ``FR`` or ``fr_FR`` → ``fr``; anything we have no sentences for → ``en``."""
    code = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else "en"


def _t(lang: str, key: str, **values: Any) -> str:
    return TEXT[lang][key].format(**values)


def headings(lang: str | None = "en") -> dict[str, str]:
    """The fixed words of a report page (titles, column heads, severities) in one language."""
    lang = normalise_lang(lang)
    return {k: TEXT[lang][k] for k in HEADING_KEYS}


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


def _path_iris(path: str) -> list[str]:
    """The IRIs of a complex path as shacl.py writes it (``^<a>``, ``<a>/<b>``, ``<a>|<b>``)."""
    return re.findall(r"<([^>]*)>", path)


def _path_curie(path: str, alternative: str = "|") -> str:
    """A path in prefixed names; ``alternative`` joins the branches of an alternative path."""
    if not path.startswith(("<", "^")):
        return curie(path)
    parts = [curie(i) for i in _path_iris(path)]
    if path.startswith("^"):
        return "^" + "".join(parts)
    return (alternative if "|<" in path else "/").join(parts)


# --- label tables ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tables() -> dict:
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
def _shape_names(shape: _Shape | None) -> dict[str, str]:
    """Our table's and the shape's own sh:name by language (shared: read-only)."""
    if shape is None:
        return {}
    names = dict(_tables()["shapes"].get(str(shape.node), {}).get("label", {}))
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
    return _label(path, normalise_lang(lang), _find_shape(shape, ""))


def _label(path: str | None, lang: str, shape: _Shape | None) -> str:
    shape_names = _shape_names(shape)
    prop = _tables()["properties"].get(path or "", {}).get("label", {})
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
    return local_name(path) if path else TEXT[lang]["value_word"]


def _in_language(labels: dict[str, str], code: str) -> str | None:
    """The label tagged ``code``, else one tagged with a variant of it (``en-gb`` for ``en``)."""
    if labels.get(code):
        return labels[code]
    return next((v for k, v in labels.items() if k.startswith(code + "-") and v), None)


def _complex_label(path: str, lang: str) -> str:
    labels = [_label(i, lang, None) for i in _path_iris(path)]
    if path.startswith("^"):
        return "^" + "".join(labels)
    return (TEXT[lang]["or"] if "|<" in path else " › ").join(labels)


def _class_words(iri: str | None, lang: str) -> tuple[str, str]:
    """(noun, "this <noun>" in the case a fix sentence needs) for a class or node shape."""
    entry = _tables()["classes"].get(iri or "")
    if entry:
        return entry["noun"].get(lang, entry["noun"]["en"]), entry["this"].get(lang, entry["this"]["en"])
    return TEXT[lang]["resource"], TEXT[lang]["this_resource"]


# --- shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    graph: rdflib.Graph
    node: rdflib.term.Node

    def value(self, name: str):
        return self.graph.value(self.node, SH[name])

    def objects(self, name: str) -> list:
        return list(self.graph.objects(self.node, SH[name]))


@lru_cache(maxsize=1)
def _shape_graphs() -> tuple[rdflib.Graph, ...]:
    """The validator's own shapes graphs (cached in shacl.py, so blank-node ids match)."""
    graphs = []
    for names in (RECORD_SHAPES, DUMP_SHAPES):
        try:
            graphs.append(load_shapes(tuple(shape_files(names))))
        except FileNotFoundError:
            continue
    return tuple(graphs)


@lru_cache(maxsize=1)
def _profile_graphs() -> tuple[rdflib.Graph, ...]:
    """Optional profiles' shapes, read only when a finding names a shape we do not know."""
    graphs = []
    for profile in PROFILES:
        try:
            graphs.append(load_shapes(tuple(shape_files(RECORD_SHAPES, (profile,)))))
        except (FileNotFoundError, ValueError):
            continue
    return tuple(graphs)


@lru_cache(maxsize=1)
def _shapes_by_message() -> dict[str, _Shape]:
    """Our English sh:message → shape: finds a blank-node shape relabelled in another process."""
    out: dict[str, _Shape] = {}
    for g in _shape_graphs():
        for node, message in g.subject_objects(SH.message):
            out.setdefault(str(message), _Shape(g, node))
    return out


@lru_cache(maxsize=512)
def _find_shape(shape: str | None, message: str) -> _Shape | None:
    """The shape a finding names (IRI or ``_:id``), else the one with the finding's message."""
    if shape:
        node = rdflib.BNode(shape[2:]) if shape.startswith("_:") else rdflib.URIRef(shape)
        for g in _shape_graphs():
            if (node, None, None) in g:
                return _Shape(g, node)
        if not shape.startswith("_:"):
            for g in _profile_graphs():
                if (node, None, None) in g:
                    return _Shape(g, node)
    return _shapes_by_message().get(message) if message else None


@lru_cache(maxsize=1024)
def _owner_class(shape: _Shape | None) -> str | None:
    """The class (or node shape) whose instances a property shape checks: says "this X"."""
    if shape is None:
        return None
    for owner in shape.graph.subjects(SH.property, shape.node):
        target = shape.graph.value(owner, SH.targetClass)
        return str(target) if target is not None else str(owner)
    target = shape.value("targetClass")
    return str(target) if target is not None else None


# --- constraints -----------------------------------------------------------------------------


@dataclass
class Constraint:
    """The rule a finding broke, read from its shape: a kind and its parameters."""

    kind: str  # min, max, class, class_or_bare, typed, nodekind, datatype, or, in, pattern,
    #            min_length, max_length, has_value, node, qualified, closed, instances, other
    component: str | None = None  # the sh:...ConstraintComponent, for the SHACL export
    params: dict[str, Any] = field(default_factory=dict)


def _component(name: str) -> str:
    return f"{SH_NS}{name}ConstraintComponent"


def _int(node) -> int | None:
    try:
        return int(node) if node is not None else None
    except (TypeError, ValueError):
        return None


def constraint_of(finding: Finding, count: int | None = None) -> Constraint:
    """Which constraint of the finding's shape was broken (a result does not say which).

    A result without a value is a cardinality (or qualified/hasValue) failure; with a value,
    a value-type one. ``count`` (values of the path on the focus node, when known) tells
    sh:minCount from sh:maxCount when a shape has both.
    """
    path = finding.path or ""
    if path.startswith("^") and RDF_TYPE in path:
        found = _constraint(finding.shape, finding.message, True, count)
        if found.kind == "min":
            return Constraint("instances", found.component, {"class": finding.focus})
        return found
    return _constraint(finding.shape, finding.message, finding.value is None, count)


@lru_cache(maxsize=4096)
def _constraint(shape_id: str | None, message: str, no_value: bool, count: int | None) -> Constraint:
    """Per shape, not per finding: a large report repeats a few shapes thousands of times.
    The result is shared: treat it as read-only."""
    if shape_id in OWNERSHIP_RULES:  # not a SHACL shape: the store's rule (ownership.py)
        owner = _OWNER.search(message)
        return Constraint(OWNERSHIP_RULES[shape_id], params={"owner": owner.group(1) if owner else "?"})
    shape = _find_shape(shape_id, message)
    if shape is None:
        return Constraint("other")
    readers = _NO_VALUE_READERS if no_value else _VALUE_READERS
    for reader in readers:
        found = reader(shape, count)
        if found is not None:
            return found
    return Constraint("other")


def _read_min(shape: _Shape, count: int | None) -> Constraint | None:
    n, m = _int(shape.value("minCount")), _int(shape.value("maxCount"))
    if n is None or (m is not None and count is not None and count > m):
        return None
    return Constraint("min", _component("MinCount"), {"min": n})


def _read_max(shape: _Shape, count: int | None) -> Constraint | None:
    m = _int(shape.value("maxCount"))
    return None if m is None else Constraint("max", _component("MaxCount"), {"max": m, "count": count})


def _read_qualified(shape: _Shape, count: int | None) -> Constraint | None:
    inner = shape.value("qualifiedValueShape")
    if inner is None:
        return None
    n = _int(shape.value("qualifiedMinCount"))
    return Constraint("qualified", _component("QualifiedMinCount"),
                      {"shape": _Shape(shape.graph, inner), "min": n or 1})


def _read_has_value(shape: _Shape, count: int | None) -> Constraint | None:
    v = shape.value("hasValue")
    return None if v is None else Constraint("has_value", _component("HasValue"), {"expected": v})


def _read_or(shape: _Shape, count: int | None) -> Constraint | None:
    alternatives = shape.value("or")
    if alternatives is None:
        return None
    members = [_Shape(shape.graph, m) for m in Collection(shape.graph, alternatives)]
    bare = [m for m in members if _is_bare(m)]
    others = [m for m in members if not _is_bare(m)]
    if bare and len(others) == 1 and others[0].value("class") is not None:
        return Constraint("class_or_bare", _component("Or"), {"class": str(others[0].value("class"))})
    if bare and len(others) == 1 and _is_typed(others[0]):
        return Constraint("typed", _component("Or"))
    return Constraint("or", _component("Or"), {"members": members})


def _is_bare(shape: _Shape) -> bool:
    """``[ sh:closed true ]`` with no property: a node with no triples, i.e. a bare link."""
    return bool(shape.value("closed")) and not shape.objects("property")


def _is_typed(shape: _Shape) -> bool:
    return str(shape.value("path")) == RDF_TYPE and _int(shape.value("minCount")) == 1


def _simple(name: str, kind: str, component: str, param: str):
    def read(shape: _Shape, count: int | None) -> Constraint | None:
        v = shape.value(name)
        return None if v is None else Constraint(kind, _component(component), {param: v})
    return read


def _read_in(shape: _Shape, count: int | None) -> Constraint | None:
    values = shape.value("in")
    if values is None:
        return None
    return Constraint("in", _component("In"),
                      {"allowed": list(Collection(shape.graph, values))})


def _read_closed(shape: _Shape, count: int | None) -> Constraint | None:
    return Constraint("closed", _component("Closed")) if shape.value("closed") else None


_VALUE_READERS = (
    _read_or, _simple("class", "class", "Class", "class"),
    _simple("nodeKind", "nodekind", "NodeKind", "kind"),
    _simple("datatype", "datatype", "Datatype", "datatype"), _read_in,
    _simple("pattern", "pattern", "Pattern", "pattern"),
    _simple("minLength", "min_length", "MinLength", "n"),
    _simple("maxLength", "max_length", "MaxLength", "n"),
    _simple("node", "node", "Node", "node"), _read_closed, _read_has_value,
)
_NO_VALUE_READERS = (_read_qualified, _read_min, _read_max, _read_has_value, _read_or, _read_closed)


# --- sentences -------------------------------------------------------------------------------


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
    if kind == "nodekind":
        expected = str(constraint.params["kind"]).rsplit("#", 1)[-1]  # type: ignore[union-attr]
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


def _phrase(shape: _Shape, lang: str) -> str:
    """What a value shape (an sh:or member, a qualified value shape) asks, in a few words."""
    if _is_bare(shape):
        return _t(lang, "ph_bare")
    if _is_typed(shape):
        return _t(lang, "ph_typed")
    parts = []
    for name, key, param in (("class", "ph_class", "cls"), ("datatype", "ph_datatype", "dt"),
                             ("minLength", "ph_min_length", "n"), ("maxLength", "ph_max_length", "n"),
                             ("pattern", "ph_pattern", "pattern")):
        v = shape.value(name)
        if v is None:
            continue
        if name == "datatype" and str(v).endswith("#langString"):
            parts.append(_t(lang, "ph_langstring"))
        else:
            parts.append(_t(lang, key, **{param: curie(str(v)) if isinstance(v, rdflib.URIRef) else str(v)}))
    kind = shape.value("nodeKind")
    if kind is not None:
        parts.insert(0, TEXT[lang].get(str(kind).rsplit("#", 1)[-1], curie(str(kind))))
    return ", ".join(parts) or TEXT[lang]["resource"]


def _datatype_example(datatype: str) -> str:
    local = datatype.rsplit("#", 1)[-1]
    if local == "langString":
        return '"..."@en'
    return f'"{DATATYPE_EXAMPLES.get(local, "...")}"^^{curie(datatype)}'


def _more(lang: str, path: str | None) -> str:
    entry = _tables()["properties"].get(path or "", {})
    hint = entry.get("hint", {}).get(lang) or entry.get("hint", {}).get("en")
    example = entry.get("example")
    if hint and example:
        return _t(lang, "more_hint_example", hint=hint, example=example)
    if hint:
        return _t(lang, "more_hint", hint=hint)
    return _t(lang, "more_example", example=example) if example else ""


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
    shape = _find_shape(finding.shape, finding.message)
    constraint = constraint_of(finding, count)
    label = _label(finding.path, lang, shape)
    words = _Words(finding, lang, label, shape, constraint)
    problem, fix = _SENTENCES.get(constraint.kind, _other)(words)
    return Explanation(label, problem, fix)


@dataclass
class _Words:
    """What the sentence builders fill their templates with."""

    finding: Finding
    lang: str
    label: str
    shape: _Shape | None
    constraint: Constraint

    @property
    def params(self) -> dict[str, Any]:
        return self.constraint.params

    @property
    def prop(self) -> str:
        path = self.finding.path
        return _path_curie(path, TEXT[self.lang]["or"]) if path else self.label

    @property
    def this(self) -> str:
        return _class_words(_owner_class(self.shape), self.lang)[1]

    @property
    def value(self) -> str:
        v = self.finding.value
        return _show(v, value_kind(v, self.constraint)) if v is not None else "?"

    def t(self, key: str, **values: Any) -> str:
        return _t(self.lang, key, **values)


def _min(w: _Words) -> tuple[str, str]:
    n = w.params["min"]
    if n <= 1:
        return w.t("missing", label=w.label), w.t("fix_add", prop=w.prop, this=w.this,
                                                    more=_more(w.lang, w.finding.path))
    return w.t("too_few", label=w.label, min=n), w.t("fix_add_more", prop=w.prop, this=w.this, min=n)


def _max(w: _Words) -> tuple[str, str]:
    m, count = w.params["max"], w.params.get("count")
    problem = (w.t("too_many_known", label=w.label, count=count, max=m) if count
               else w.t("too_many", label=w.label, max=m))
    return problem, w.t("fix_keep", max=m, prop=w.prop, this=w.this)


def _class_or_bare(w: _Words) -> tuple[str, str]:
    cls = curie(w.params["class"])
    return (w.t("class_or_bare", label=w.label, value=w.value, cls=cls),
            w.t("fix_type_or_unlink", cls=cls, value=w.value))


def _class(w: _Words) -> tuple[str, str]:
    cls = curie(str(w.params["class"]))
    return w.t("class", label=w.label, value=w.value, cls=cls), w.t("fix_type", value=w.value, cls=cls)


def _typed(w: _Words) -> tuple[str, str]:
    return w.t("typed", label=w.label, value=w.value), w.t("fix_typed", value=w.value)


def _nodekind(w: _Words) -> tuple[str, str]:
    kind = str(w.params["kind"]).rsplit("#", 1)[-1]
    words = TEXT[w.lang].get(kind, kind)
    fix = {"Literal": "fix_as_text", "IRI": "fix_as_link"}.get(kind)
    return (w.t("must_be", label=w.label, kind=words),
            w.t(fix, prop=w.prop) if fix else w.t("fix_make", prop=w.prop, kind=words))


def _datatype(w: _Words) -> tuple[str, str]:
    dt = str(w.params["datatype"])
    return (w.t("datatype", label=w.label, value=w.value, dt=curie(dt)),
            w.t("fix_datatype", example=_datatype_example(dt)))


def _or(w: _Words) -> tuple[str, str]:
    members: list[_Shape] = w.params["members"]
    alternatives = TEXT[w.lang]["or"].join(_phrase(m, w.lang) for m in members)
    problem = w.t("must_be", label=w.label, kind=alternatives)
    datatypes = [m.value("datatype") for m in members]
    if datatypes and all(d is not None for d in datatypes) and not str(datatypes[0]).endswith("langString"):
        return problem, w.t("fix_datatype", example=_datatype_example(str(datatypes[0])))
    return problem, w.t("fix_make", prop=w.prop, kind=alternatives)


def _in(w: _Words) -> tuple[str, str]:
    allowed = ", ".join(_show(v) for v in w.params["allowed"])
    return w.t("in", label=w.label, allowed=allowed), w.t("fix_in", value=w.value)


def _pattern(w: _Words) -> tuple[str, str]:
    pattern = str(w.params["pattern"])
    return (w.t("pattern", label=w.label, value=w.value, pattern=pattern),
            w.t("fix_pattern", value=w.value, pattern=pattern))


def _length(w: _Words) -> tuple[str, str]:
    kind, n = w.constraint.kind, w.params["n"]
    return w.t(kind, label=w.label, n=n), w.t("fix_" + kind, label=w.label, prop=w.prop, n=n)


def _has_value(w: _Words) -> tuple[str, str]:
    expected = _show(w.params["expected"])
    return w.t("has_value", label=w.label, expected=expected), w.t("fix_has_value", expected=expected, prop=w.prop)


def _node(w: _Words) -> tuple[str, str]:
    return w.t("node", label=w.label, value=w.value), w.t("fix_node", value=w.value)


def _qualified(w: _Words) -> tuple[str, str]:
    desc = _phrase(w.params["shape"], w.lang)
    example = _tables()["properties"].get(w.finding.path or "", {}).get("example")
    more = w.t("more_example", example=example) if example else ""
    return (w.t("qualified", label=w.label, desc=desc),
            w.t("fix_qualified", this=w.this, prop=w.prop, desc=desc, more=more))


def _closed(w: _Words) -> tuple[str, str]:
    return w.t("closed", label=w.label), w.t("fix_closed", prop=w.prop, this=w.this)


def _instances(w: _Words) -> tuple[str, str]:
    cls = w.finding.focus
    noun = _class_words(cls, w.lang)[0]
    if noun == TEXT[w.lang]["resource"]:
        noun = _label(cls, w.lang, None)
    return w.t("instances", cls=curie(cls), noun=noun), w.t("fix_instances", cls=curie(cls))


def _other(w: _Words) -> tuple[str, str]:
    """No constraint we can read: the shape's own message (English), split at its colon."""
    message = w.finding.message.strip()
    if ": " in message:
        head, tail = message.split(": ", 1)
        return head.rstrip(".") + ".", tail[:1].upper() + tail[1:]
    shape = curie(w.finding.shape) if w.finding.shape and not w.finding.shape.startswith("_:") else "?"
    return message or w.label, w.t("fix_other", shape=shape)


def _ownership(w: _Words) -> tuple[str, str]:
    kind = w.constraint.kind
    return w.t(kind, owner=w.params["owner"]), w.t("fix_" + kind)


_SENTENCES = {
    "owned": _ownership, "reserved": _ownership,
    "min": _min, "max": _max, "class_or_bare": _class_or_bare, "class": _class, "typed": _typed,
    "nodekind": _nodekind, "datatype": _datatype, "or": _or, "in": _in, "pattern": _pattern,
    "min_length": _length, "max_length": _length, "has_value": _has_value, "node": _node,
    "qualified": _qualified, "closed": _closed, "instances": _instances,
}


# --- value counts (for "has 3 values, at most 1 allowed") ------------------------------------


def _value_counts(report: Report, data: bytes | None, findings: Iterable[Finding]) -> Counter:
    """Values per (focus, path) in the dump, for the sh:maxCount findings only."""
    wanted = {(f.focus, f.path) for f in findings
              if f.value is None and f.path and not f.path.startswith(("<", "^"))
              and constraint_of(f).kind == "max"}
    counts: Counter = Counter()
    if not wanted or data is None:
        return counts
    names = {label: name for name, label in LABELS.items()}
    try:
        parsed = parse_dump(data, format=names.get(report.format or ""))
    except InputError:
        return counts
    for t in parsed.triples:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
        if (s, t.predicate.value) in wanted:
            counts[(s, t.predicate.value)] += 1
    return counts


# --- quality score ---------------------------------------------------------------------------


def finding_penalty(finding: Finding) -> int:
    """Points a finding costs: its shape's q:weight, else 20 / 10 / 3 by severity."""
    weight = _weight(_find_shape(finding.shape, finding.message))
    return weight if weight is not None else PENALTY.get(finding.severity, PENALTY["Violation"])


@lru_cache(maxsize=1024)
def _weight(shape: _Shape | None) -> int | None:
    return _int(shape.graph.value(shape.node, QUALITY_WEIGHT)) if shape is not None else None


def record_score(findings: Sequence[Finding]) -> int:
    """A record's quality, 0-100, in two bands so a rejected record never outranks a valid one.

    ``100 - sum(penalties)``, a penalty per broken rule and node (the same shape failing
    on the same focus node several times counts once; see :func:`finding_penalty`), then
    clamped to 50-100 when the record has no Violation (it can be published) and to 0-49
    when it has one (it is rejected). A record without findings scores 100.
    """
    seen: dict[tuple[str, str], int] = {}
    for f in findings:
        seen[(f.shape or f.message, f.focus)] = finding_penalty(f)
    score = 100 - sum(seen.values())
    if any(f.severity == "Violation" for f in findings):
        return max(0, min(49, score))
    return max(50, min(100, score))


@dataclass(frozen=True)
class Quality:
    """The scores of a report: overall and per record IRI."""

    score: int
    records: dict[str, int]

    def as_json(self) -> dict:
        return {"score": self.score, "records": dict(self.records)}


def quality(report: Report) -> Quality:
    """Per-record scores and an overall one.

    Overall: the mean of the record scores, minus the penalties of dump-level findings,
    capped at 49 when a dump-level Violation rejects the whole dump; 0 for an unreadable
    dump or one without records.
    """
    records = {r.iri: record_score(r.findings) for r in report.records}
    if report.error is not None or not records:
        return Quality(0, records)
    score = round(sum(records.values()) / len(records))
    score -= sum(finding_penalty(f) for f in report.dump_findings)
    if any(f.severity == "Violation" for f in report.dump_findings):
        score = min(score, 49)
    return Quality(max(0, min(100, score)), records)


# --- parse errors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextLine:
    """One line of the dump near a parse error (``text`` may be cut, marked with …)."""

    number: int
    text: str
    is_error: bool

    def as_json(self) -> dict:
        return {"number": self.number, "text": self.text, "error": self.is_error}


@dataclass(frozen=True)
class ErrorContext:
    """The lines around a parse error; ``caret`` is the 0-based character offset of the
    error column in the error line's ``text`` (None when the column is unknown)."""

    line: int
    column: int | None
    lines: list[ContextLine]
    caret: int | None

    def as_json(self) -> dict:
        return {"line": self.line, "column": self.column, "caret": self.caret,
                "lines": [ln.as_json() for ln in self.lines]}


def error_context(
    data: bytes, line: int | None, column: int | None, *, before: int = 2, after: int = 2,
    width: int = 200,
) -> ErrorContext | None:
    """The lines around ``line`` (1-based) with a caret under ``column`` (1-based, in characters).

    Long lines are cut to about ``width`` characters around the column, every line by the
    same window so they stay aligned; tabs become spaces so the caret lines up in a <pre>.
    None when the line is unknown or past the end of the data.
    """
    if line is None or line < 1:
        return None
    try:
        data = read_bytes(data, Limits())  # a gzip upload: show the text the parser saw
    except InputError:
        return None
    lines = data.decode("utf-8", "replace").split("\n")
    if len(lines) > line and lines[-1] == "":
        lines.pop()  # the text after the final newline is not a line, unless the error is there
    if line > len(lines):
        return None
    first, last = max(1, line - before), min(len(lines), line + after)
    error_text = lines[line - 1].rstrip("\r")
    col = None if column is None else len(error_text[: max(column - 1, 0)].expandtabs())
    start = 0 if col is None or col < width // 2 else col - width // 2
    shown = []
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip("\r").expandtabs()
        cut = text[start: start + width]
        if start > 0 and cut:
            cut = "…" + cut
        if start + width < len(text):
            cut += "…"
        shown.append(ContextLine(n, cut, n == line))
    caret = None if col is None else col - start + (1 if start > 0 else 0)
    return ErrorContext(line, column, shown, caret)


# --- the explained report ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedProblem:
    """One finding ready to show: the raw finding's fields plus the words for a person.

    ``focus`` is the node the rule failed on (the record itself or something it owns, e.g.
    a distribution); ``rules`` are the Joinup ADMS-AP rule numbers the shape reproduces.
    """

    severity: str
    severity_label: str
    focus: str
    path: str | None
    property_label: str
    problem: str
    fix: str
    value: str | None
    message: str
    shape: str | None
    rules: tuple[int, ...] = ()

    @property
    def explanation(self) -> Explanation:
        return Explanation(self.property_label, self.problem, self.fix)


@dataclass(frozen=True)
class ExplainedRecord:
    """A record (collection, solution with its releases and distributions...) and its problems,
    most severe first."""

    iri: str
    kind: str
    kind_label: str
    accepted: bool
    score: int
    problems: list[ExplainedProblem]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    @property
    def infos(self) -> int:
        return self.count("Info")


@dataclass(frozen=True)
class ExplainedError:
    """Why the dump could not be read, and where."""

    message: str
    line: int | None
    column: int | None
    kind: str
    context: ErrorContext | None


@dataclass(frozen=True)
class ExplainedReport:
    """Everything a report page shows, in one language.

    ``records`` are ordered rejected first, then accepted ones with problems, then clean
    ones (dump order within each group). ``labels`` are the page's fixed words
    (see :func:`headings`).
    """

    lang: str
    conforms: bool
    verdict: str
    score: int
    accepted: int
    rejected: int
    format: str | None
    triples: int
    records: list[ExplainedRecord]
    dump_problems: list[ExplainedProblem]
    error: ExplainedError | None
    labels: dict[str, str]


class _Explainer:
    """Explains the findings of one report once each (a shared node's finding recurs)."""

    def __init__(self, report: Report, lang: str, data: bytes | None) -> None:
        self.report, self.lang = report, lang
        self.counts = _value_counts(report, data, report.findings)
        self.cache: dict[Finding, ExplainedProblem] = {}

    def problem(self, f: Finding) -> ExplainedProblem:
        if f not in self.cache:
            e = explain_finding(f, self.lang, self.counts.get((f.focus, f.path)))
            self.cache[f] = ExplainedProblem(
                f.severity, TEXT[self.lang].get(f.severity, f.severity), f.focus, f.path,
                e.property_label, e.problem, e.fix, f.value, f.message, f.shape, _rules(f))
        return self.cache[f]

    def problems(self, findings: Iterable[Finding]) -> list[ExplainedProblem]:
        out = [self.problem(f) for f in findings]
        return sorted(out, key=lambda p: SEVERITY_ORDER.get(p.severity, 0))


def _rules(f: Finding) -> tuple[int, ...]:
    return _shape_rules(_find_shape(f.shape, f.message))


@lru_cache(maxsize=1024)
def _shape_rules(shape: _Shape | None) -> tuple[int, ...]:
    if shape is None:
        return ()
    numbers = (_int(o) for o in shape.graph.objects(shape.node, JOINUP_RULE))
    return tuple(sorted(n for n in numbers if n is not None))


def explain(report: Report, lang: str | None = "en", data: bytes | None = None) -> ExplainedReport:
    """The report as a page shows it. ``data`` (the uploaded bytes) adds the lines around a
    parse error and the number of values behind a "too many values" problem."""
    lang = normalise_lang(lang)
    ex = _Explainer(report, lang, data)
    q = quality(report)
    records = [
        ExplainedRecord(r.iri, r.kind, TEXT[lang].get(r.kind, r.kind), r.accepted,
                        q.records[r.iri], ex.problems(r.findings))
        for r in report.records
    ]
    records.sort(key=lambda r: (r.accepted, not r.problems))
    error = None
    if report.error is not None:
        e = report.error
        context = error_context(data, e.line, e.column) if data is not None else None
        error = ExplainedError(e.message, e.line, e.column, e.kind, context)
    return ExplainedReport(
        lang, report.conforms, _verdict(report, lang), q.score, report.accepted, report.rejected,
        report.format, report.triples, records, ex.problems(report.dump_findings), error,
        headings(lang),
    )


def _verdict(report: Report, lang: str) -> str:
    if report.error is not None:
        return _t(lang, "verdict_error", message=str(report.error))
    key = "verdict_ok" if report.conforms else "verdict_bad"
    return _t(lang, key, accepted=report.accepted, rejected=report.rejected)


# --- exports ---------------------------------------------------------------------------------


def explained_json(report: Report, lang: str | None = "en", data: bytes | None = None) -> dict:
    """``report.as_json()`` unchanged plus the explanations.

    Added: ``explanation`` {property_label, problem, fix} in each result, ``quality``
    {score, records: {iri: score}}, ``lang``, and ``context`` (the lines around a parse
    error, see :class:`ErrorContext`; null unless the dump was unreadable and ``data`` given).
    """
    lang = normalise_lang(lang)
    out = report.as_json()
    ex = _Explainer(report, lang, data)
    for item, finding in zip(out["results"], report.findings, strict=True):
        item["explanation"] = ex.problem(finding).explanation.as_json()
    out["quality"] = quality(report).as_json()
    out["lang"] = lang
    context = None
    if report.error is not None and data is not None:
        context = error_context(data, report.error.line, report.error.column)
    out["context"] = context.as_json() if context else None
    return out


def shacl_report_turtle(report: Report, lang: str | None = None) -> bytes:
    """A standard SHACL ``sh:ValidationReport`` of the report's findings, as Turtle.

    Each finding is one ``sh:result`` (each once, though a shared node's finding is in
    several records). Values are typed back from strings (see :func:`value_kind`); the
    constraint component is given when the shape tells it. With ``lang`` other than
    English, the explained problem and fix are added as a second ``sh:resultMessage``.
    An unreadable dump gives a non-conforming report without results, with the reason
    as an ``rdfs:comment``.
    """
    sh = _sh
    root = ox.BlankNode("report")
    triples = [ox.Triple(root, ox.NamedNode(RDF_TYPE), sh("ValidationReport")),
               ox.Triple(root, sh("conforms"), ox.Literal("true" if report.conforms else "false",
                                                         datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean")))]
    if report.error is not None:
        triples.append(ox.Triple(root, ox.NamedNode(PREFIXES["rdfs"] + "comment"),
                                 ox.Literal(str(report.error), language="en")))
    code = normalise_lang(lang) if lang else "en"
    findings = report.findings
    triples += [ox.Triple(root, sh("result"), ox.BlankNode(f"r{i}")) for i in range(len(findings))]
    for i, f in enumerate(findings):
        triples += _result_triples(ox.BlankNode(f"r{i}"), f, code, i)
    prefixes = {k: PREFIXES[k] for k in ("sh", "rdf", "rdfs", "xsd", "dcat", "dct", "foaf", "vcard",
                                         "adms", "skos")}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH_NS + name)


def _term(text: str, kind: str | None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if kind == "bnode":
        try:
            return ox.BlankNode(text[2:])
        except ValueError:
            return ox.Literal(text)
    if kind == "iri":
        try:
            return ox.NamedNode(text)
        except ValueError:
            return ox.Literal(text)
    return ox.Literal(text)


def _result_triples(node: ox.BlankNode, f: Finding, lang: str, i: int) -> list[ox.Triple]:
    sh = _sh
    constraint = constraint_of(f)
    out = [ox.Triple(node, ox.NamedNode(RDF_TYPE), sh("ValidationResult")),
           ox.Triple(node, sh("resultSeverity"), sh(f.severity if f.severity in PENALTY else "Violation")),
           ox.Triple(node, sh("focusNode"), _term(f.focus, value_kind(f.focus)))]
    extra: list[ox.Triple] = []  # a complex path's nodes, written after the result
    if f.path:
        path, extra = _path_term(f.path, i)
        out.append(ox.Triple(node, sh("resultPath"), path))
    if f.value is not None:
        out.append(ox.Triple(node, sh("value"), _term(f.value, value_kind(f.value, constraint))))
    out.append(ox.Triple(node, sh("resultMessage"), ox.Literal(f.message, language="en")))
    if lang != "en":
        e = explain_finding(f, lang)
        out.append(ox.Triple(node, sh("resultMessage"), ox.Literal(f"{e.problem} {e.fix}", language=lang)))
    if f.shape:
        out.append(ox.Triple(node, sh("sourceShape"), _term(f.shape, value_kind(f.shape))))
    if constraint.component:
        out.append(ox.Triple(node, sh("sourceConstraintComponent"), ox.NamedNode(constraint.component)))
    return out + extra


def _path_term(path: str, i: int) -> tuple[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
    """A SHACL path node for a path as shacl.py writes it: IRI, ``^<p>``, ``<a>/<b>``, ``<a>|<b>``."""
    if not path.startswith(("<", "^")):
        return ox.NamedNode(path), []
    iris = [ox.NamedNode(p) for p in _path_iris(path)]
    if path.startswith("^") and iris:
        node = ox.BlankNode(f"p{i}")
        return node, [ox.Triple(node, ox.NamedNode(SH_NS + "inversePath"), iris[0])]
    head, triples = _rdf_list(iris, f"p{i}l")
    if "|<" in path:
        node = ox.BlankNode(f"p{i}")
        return node, [*triples, ox.Triple(node, ox.NamedNode(SH_NS + "alternativePath"), head)]
    return head, triples


def _rdf_list(items: Sequence[ox.NamedNode], prefix: str) -> tuple[ox.BlankNode | ox.NamedNode, list[ox.Triple]]:
    rdf = PREFIXES["rdf"]
    nil: ox.NamedNode | ox.BlankNode = ox.NamedNode(rdf + "nil")
    triples: list[ox.Triple] = []
    head = nil
    for n, item in reversed(list(enumerate(items))):
        cell = ox.BlankNode(f"{prefix}{n}")
        triples += [ox.Triple(cell, ox.NamedNode(rdf + "first"), item),
                    ox.Triple(cell, ox.NamedNode(rdf + "rest"), head)]
        head = cell
    return head, triples


__all__ = [
    "Constraint",
    "ContextLine",
    "ErrorContext",
    "ExplainedError",
    "ExplainedProblem",
    "ExplainedRecord",
    "ExplainedReport",
    "Explanation",
    "Quality",
    "constraint_of",
    "error_context",
    "explain",
    "explain_finding",
    "explained_json",
    "finding_penalty",
    "headings",
    "normalise_lang",
    "property_label",
    "quality",
    "record_score",
    "shacl_report_turtle",
]
