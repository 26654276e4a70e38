"""What a licence's page shows, gathered from the store (no HTML here; the web layer
renders it): its titles, legal types, what it lets you do, its SPDX entry and who uses it.

What a licence lets you do, in plain words, has three sources, each named on the page:

* the licence's legal type when a vocabulary groups it (the Joinup Licensing Assistant's
  ``Can`` / ``Must`` / ``Cannot`` collections, ``vocab/licence-legal-type.rdf``): the type's
  own label and definition, as the vocabulary says them;
* the ADMS licence type (``http://purl.org/adms/licencetype/``, ``vocab/adms-skos``), which
  carries only a label: :data:`ADMS_LICENCE_TERMS` says what each type means for a reuser,
  as a key the web layer words in the reader's language;
* the licence's SPDX entry (``owl:sameAs``, ``vocab/spdx``): OSI approval and FSF libre
  status, and deprecation.

Split from ``resources`` (issue 11): the licence page is half of what that module held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.pages.facts import (
    Facts,
    Label,
    Text,
    UsedList,
    choose,
    fallback_name,
    others,
    text_of,
    used_lists,
)
from catalogue.terms import DCT, OWL, RDFS, SPDX

if TYPE_CHECKING:
    from catalogue.pages.reader import Reader

ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
SPDX_LICENCES = ("http://spdx.org/licenses/", "https://spdx.org/licenses/")
LEGAL_TYPE_GROUPS = {  # Joinup Licensing Assistant collections -> what they say
    "http://joinup.eu/legal-type#Can": "allows",
    "http://joinup.eu/legal-type#Must": "requires",
    "http://joinup.eu/legal-type#Cannot": "forbids",
}
GROUPS = ("allows", "requires", "forbids", "note")
# The ADMS licence types carry a label only; what each means for a reuser, as (group, key):
# the web layer words each key (webapp/resource_pages.py). Types without a clear meaning for
# a reuser (ISO compliant, non-ISO compliant) say nothing beyond their label.
ADMS_LICENCE_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "PublicDomain": (("allows", "public-domain"),),
    "Attribution": (("requires", "attribution"),),
    "ViralEffect-ShareAlike": (("requires", "share-alike"),),
    "RoyaltiesRequired": (("requires", "royalties"),),
    "NominalCost": (("requires", "nominal-cost"),),
    "GrantBack": (("requires", "grant-back"),),
    "NoDerivativeWork": (("forbids", "no-derivatives"),),
    "NonCommercialUseOnly": (("forbids", "commercial-use"),),
    "ReservedNames-Endorsement-OfficialStatus": (("forbids", "reserved-names"),),
    "JurisdictionWithinTheEU": (("note", "eu-jurisdiction"),),
    "KnownPatentEncumbrance": (("note", "patents"),),
    "OtherRestrictiveClauses": (("note", "other-restrictions"),),
    "UnknownIPR": (("note", "unknown-ipr"),),
}


@dataclass(frozen=True)
class Term:
    """One thing a licence allows, requires or forbids (or a note), and where it is said."""

    group: str  # allows | requires | forbids | note
    source: Label  # the legal type or SPDX entry that says it
    key: str | None = None  # a statement the site words (ADMS licence type, SPDX flags)
    label: Text | None = None  # the vocabulary's own words (a Joinup legal type)
    definition: Text | None = None
    group_label: Text | None = None  # the vocabulary's group, for a group of kind "note"


@dataclass(frozen=True)
class SpdxEntry:
    iri: str
    identifier: str
    name: Text | None
    osi_approved: bool | None
    fsf_libre: bool | None
    deprecated: bool | None


@dataclass
class LicencePage:
    iri: str
    title: Text
    other_titles: list[Text]
    identifier: str | None  # e.g. the SPDX short identifier in rdfs:label
    description: Text | None
    legal_types: list[Label]
    terms: list[Term]
    spdx: list[SpdxEntry]
    see_also: list[str]
    used_by: list[UsedList]

    def terms_in(self, group: str) -> list[Term]:
        return [t for t in self.terms if t.group == group]


def _flag(f: Facts, node, predicate) -> bool | None:
    values = f.d.literals(node, predicate)
    return values[0].value.strip().lower() in ("true", "1") if values else None


def licence_page(reader: Reader, iri: str, triples: list[ox.Triple],
                 languages: tuple[str, ...] = ("en",)) -> LicencePage:
    node = ox.NamedNode(iri)
    f = Facts(triples, languages)
    title = f.title(node, DCT.title, RDFS.label)
    legal_types = f.links(node, DCT.type)
    terms: list[Term] = []
    # 1. legal types a vocabulary groups (Joinup Licensing Assistant): its own words
    grouped: dict[tuple[str, str], dict] = {}
    for r in reader.select("licence_legal_terms", licence=node):
        said = grouped.setdefault((r["type"].value, r["group"].value),
                                  {"label": [], "definition": [], "group": []})
        for key, var in (("label", "label"), ("definition", "definition"), ("group", "groupLabel")):
            if var in r and isinstance(r[var], ox.Literal) and r[var] not in said[key]:
                said[key].append(r[var])
    by_iri = {t.iri: t for t in legal_types}
    for (type_iri, group), found in sorted(grouped.items()):
        kind = LEGAL_TYPE_GROUPS.get(group, "note")
        terms.append(Term(
            group=kind, source=by_iri.get(type_iri, Label(type_iri, fallback_name(type_iri))),
            label=text_of(choose(found["label"], languages)),
            definition=text_of(choose(found["definition"], languages)),
            group_label=text_of(choose(found["group"], languages)) if kind == "note" else None,
        ))
    # 2. ADMS licence types: what each means, worded by the site
    for t in legal_types:
        if t.iri.startswith(ADMS_LICENCE_TYPE):
            for group, key in ADMS_LICENCE_TERMS.get(t.iri[len(ADMS_LICENCE_TYPE):], ()):
                terms.append(Term(group=group, source=t, key=key))
    # 3. the SPDX entry: OSI / FSF status
    spdx = []
    for same in f.d.iris(node, OWL.sameAs):
        if not same.value.startswith(SPDX_LICENCES):
            continue
        s = Facts(reader.describe(same.value), languages)
        entry = SpdxEntry(
            iri=same.value, identifier=fallback_name(same.value), name=s.text(same, SPDX.name),
            osi_approved=_flag(s, same, SPDX.isOsiApproved), fsf_libre=_flag(s, same, SPDX.isFsfLibre),
            deprecated=_flag(s, same, SPDX.isDeprecatedLicenseId))
        spdx.append(entry)
        source = Label(same.value, "SPDX " + entry.identifier)
        if entry.osi_approved or entry.fsf_libre:
            terms.append(Term(group="allows", source=source, key="open-source"))
        if entry.osi_approved:
            terms.append(Term(group="note", source=source, key="osi-approved"))
        if entry.fsf_libre:
            terms.append(Term(group="note", source=source, key="fsf-libre"))
        if entry.deprecated:
            terms.append(Term(group="note", source=source, key="spdx-deprecated"))
    identifier = f.value(node, RDFS.label)
    return LicencePage(
        iri=iri, title=title, other_titles=others(f.texts(node, DCT.title), title),
        identifier=identifier if identifier != title.value else None,
        description=f.text(node, DCT.description), legal_types=legal_types,
        terms=sorted(terms, key=lambda t: GROUPS.index(t.group)), spdx=spdx,
        see_also=f.urls(node, RDFS.seeAlso), used_by=used_lists(reader, iri, languages),
    )
