"""Build ``licences.DERIVED.ttl``: our classification of the licences most used by European
public-sector software and data, in the terms of Joinup's Licensing Assistant.

Two hand-kept tables are the source, so a reviewer reads one line per decision:

- ``licences.csv``: one row per licence: its SPDX id (the public key in URLs), its official
  title in English (empty: the SPDX list's name), French and German where the steward
  publishes one, and the page of its official text;
- ``licence-classification.csv``: one row per assignment: SPDX id, a concept of
  ``licence-legal-type.rdf`` (its local name: ``Copyleft-Share``, ``GPL``...) and the basis
  (the clause of the licence text, the steward, the FSF's licence list, or Joinup's own
  classification in its JLC feature tests, ``tests/data/joinup/README.md``).

The Support terms "OSI approved" and "FSF Free/Libre" are not in the table: they are read
from the bundled SPDX list (the ``spdx`` vocabulary), and their basis names its version.

Each licence is ``<licence/{SPDX id}>``, a relative IRI: the catalogue resolves it against
its base URI when it loads the file (``"base": true`` in ``vocabularies.json``), so the
bundled licences get persistent IRIs on the catalogue's own site. Run it after changing a
table or the SPDX list::

    python catalogue/vocab/build_licences.py
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
LICENCES = HERE / "licences.csv"
CLASSIFICATION = HERE / "licence-classification.csv"
LEGAL_TYPES = HERE / "licence-legal-type.rdf"
OUT = HERE / "licences.DERIVED.ttl"

LEGAL_TYPE = "http://joinup.eu/legal-type#"
SPDX_LICENCES = "http://spdx.org/licenses/"
SPDX = "http://spdx.org/rdf/terms#"
# the Support terms that come from the SPDX list's flags, not from the table
SPDX_FLAGS = {"isOsiApproved": "OSIApproved", "isFsfLibre": "FSFFREE-Libre"}

PREFIXES = {
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "joinup": "http://joinup.eu/licence/",
    "lt": LEGAL_TYPE,
    "cat": "https://catalogue.example.org/def/catalogue#",
}


def spdx_file() -> tuple[Path, str]:
    """The bundled SPDX summary (the ``spdx`` vocabulary) and its list version."""
    manifest = json.loads((HERE / "vocabularies.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["vocabularies"] if e["name"] == "spdx")
    version = re.search(r"(\d+\.\d+)", entry["file"])
    return HERE / entry["file"], version.group(1) if version else "?"


def spdx_entries() -> tuple[dict[str, dict[str, object]], str]:
    """{SPDX id: {'name': ..., 'isOsiApproved': bool, ...}} of the bundled list, its version."""
    path, version = spdx_file()
    out: dict[str, dict[str, object]] = defaultdict(dict)
    for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p = q.subject.value, q.predicate.value
        if not s.startswith(SPDX_LICENCES) or not p.startswith(SPDX):
            continue
        o = q.object
        value: object = o.value == "true" if isinstance(o, ox.Literal) and o.datatype.value.endswith("#boolean") else o.value
        out[s[len(SPDX_LICENCES):]][p[len(SPDX):]] = value
    return dict(out), version


def legal_type_concepts() -> set[str]:
    skos_concept = ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return {q.subject.value[len(LEGAL_TYPE):]
            for q in ox.parse(path=str(LEGAL_TYPES), format=ox.RdfFormat.RDF_XML)
            if q.predicate == rdf_type and q.object == skos_concept}


def read_tables() -> tuple[list[dict[str, str]], dict[str, list[tuple[str, str]]]]:
    """The licences (in table order) and {SPDX id: [(legal type, basis), ...]}."""
    with LICENCES.open(encoding="utf-8", newline="") as f:
        licences = list(csv.DictReader(f))
    assignments: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with CLASSIFICATION.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            assignments[row["spdx_id"]].append((row["legal_type"], row["basis"]))
    return licences, dict(assignments)


def classification() -> dict[str, list[tuple[str, str]]]:
    """Every licence's assignments, the SPDX flags' included: {SPDX id: [(term, basis)]}.

    :raise ValueError: a row names a licence not in ``licences.csv``, a term that is not a
        concept of ``licence-legal-type.rdf``, repeats a term, or has no basis; a licence is
        not in the SPDX list or is deprecated there.
    """
    licences, assignments = read_tables()
    concepts = legal_type_concepts()
    spdx, version = spdx_entries()
    ids = [row["spdx_id"] for row in licences]
    unknown = set(assignments) - set(ids)
    if unknown:
        raise ValueError(f"classified but not in licences.csv: {sorted(unknown)}")
    out: dict[str, list[tuple[str, str]]] = {}
    for sid in ids:
        entry = spdx.get(sid)
        if entry is None or entry.get("isDeprecatedLicenseId"):
            raise ValueError(f"{sid}: not a current id of the SPDX list {version}")
        rows = list(assignments.get(sid, []))
        for flag, term in SPDX_FLAGS.items():
            if entry.get(flag):
                rows.append((term, f"SPDX licence list {version}: {flag} true"))
        terms = [t for t, _ in rows]
        if len(terms) != len(set(terms)):
            raise ValueError(f"{sid}: a legal type is assigned twice")
        for term, basis in rows:
            if term not in concepts:
                raise ValueError(f"{sid}: {term!r} is not a concept of licence-legal-type.rdf")
            if not basis.strip():
                raise ValueError(f"{sid}: {term} has no basis")
        out[sid] = rows
    return out


def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def turtle() -> str:
    licences, _ = read_tables()
    spdx, version = spdx_entries()
    classified = classification()
    lines = [
        "# Licences classified in the terms of Joinup's Licensing Assistant, each assignment with",
        "# its basis. Made by build_licences.py from licences.csv and licence-classification.csv",
        f"# (and the SPDX licence list {version} for the OSI/FSF flags): do not edit by hand.",
        "# Licence of this file: CC-BY-4.0. The licence IRIs are relative: the catalogue resolves",
        "# them against its base URI (CATALOGUE_BASE_URI) when it loads this file.",
    ]
    lines += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()]
    for row in licences:
        sid = row["spdx_id"]
        title = row["title_en"] or str(spdx[sid]["name"])
        titles = [_literal(title, "en")] + [
            _literal(row[f"title_{lang}"], lang) for lang in ("fr", "de") if row[f"title_{lang}"]]
        terms = classified[sid]
        lines.append("")
        lines.append(f"<licence/{sid}> a dct:LicenseDocument ;")
        lines.append(f"    dct:title {', '.join(titles)} ;")
        lines.append(f"    rdfs:label {_literal(sid)} ;")
        lines.append(f"    owl:sameAs <{SPDX_LICENCES}{sid}> ;")
        lines.append(f"    foaf:page <{row['page']}> ;")
        lines.append(f"    joinup:legal-type {', '.join(f'lt:{t}' for t, _ in terms)} ;")
        bases = [f"        [ cat:legalType lt:{t} ; dct:source {_literal(b)} ]" for t, b in terms]
        lines.append("    cat:legalTypeBasis\n" + ",\n".join(bases) + " .")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(turtle(), encoding="utf-8")
    counts = classification()
    print(f"{OUT.name}: {len(counts)} licences, {sum(map(len, counts.values()))} assignments")
