"""Joinup's legal types of licences: the six categories and their 41 terms, in order.

A licence carries its legal types through Joinup's own predicate ``LEGAL_TYPE``, one value
per term, the terms being the concepts of ``catalogue/vocab/licence-legal-type.rdf``. Two
labels occur in two categories ("Sublicense" under Can and Cannot, "Modify/merge" and
"Modify"), so everything here is keyed on the concept's IRI, never on a label. The labels
themselves (and their languages) come from that vocabulary in the store; this module holds
the one thing the vocabulary does not say: the order in which people read them.

URLs name a term by its local name (``?t=Permissive``): short, stable and shareable.
"""

from __future__ import annotations

from dataclasses import dataclass

LEGAL_TYPE = "http://joinup.eu/licence/legal-type"  # the predicate a licence carries its terms with
NAMESPACE = "http://joinup.eu/legal-type#"

# category -> its terms, in Joinup's order (the order of licence-legal-type.rdf's collections)
_TABLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Can", ("Use-Reproduce", "Distribute", "Modify-Merge", "CanSublicence", "CommercialUse", "UsePatents",
             "PlaceWarranty")),
    ("Must", ("IncludeCopyright", "RoyaltyFree", "Statechanges", "DiscloseSource", "Copyleft-Share",
              "LesserCopyleft", "SaaSNetwork", "IncludeLicence", "RenameModifications")),
    ("Cannot", ("HoldLiable", "UseTrademark", "Commerce", "Modify", "EthicalClauses", "PublicSectorOnly",
                "CannotSublicence")),
    ("Compatible", ("NotAvailable", "Permissive", "GPL", "OtherCopyleft", "LinkingFreedom", "Multilingual",
                    "ForData", "ForSoftware")),
    ("Law", ("EU-MSLaw", "USLaw", "LicensorsLaw", "OtherLaw", "NotFixed", "VenueFixed")),
    ("Support", ("StrongCommunity", "Goverments-EU", "OSIApproved", "FSFFREE-Libre")),
)


@dataclass(frozen=True)
class Category:
    key: str  # "Can"
    iri: str  # the skos:Collection
    terms: tuple[str, ...]  # the terms' IRIs, in reading order


CATEGORIES: tuple[Category, ...] = tuple(
    Category(key, NAMESPACE + key, tuple(NAMESPACE + t for t in terms)) for key, terms in _TABLE)
TERMS: tuple[str, ...] = tuple(t for c in CATEGORIES for t in c.terms)
CATEGORY_OF: dict[str, Category] = {t: c for c in CATEGORIES for t in c.terms}


def term_iri(key: str) -> str | None:
    """The term a URL's key names (``Permissive`` or the full IRI), or None if it names none."""
    iri = key if key.startswith(NAMESPACE) else NAMESPACE + key
    return iri if iri in CATEGORY_OF else None


def term_key(iri: str) -> str:
    """The short key of a term, as URLs write it."""
    return iri.removeprefix(NAMESPACE)
