"""What the proposal form offers to choose from: the EIRA building blocks grouped by view,
and the licences (the common ones first, then every SPDX licence), from the vocabularies.

A person picks a building block by its name in their language, with its definition to hand,
never by an ArchiMate stereotype or a PURI; and a licence by its name or SPDX id, never from
hundreds of entries in one list. What the record states is unchanged: the block's PURI
(``dct:type``) and the licence's SPDX IRI (``http://spdx.org/licenses/ID``).

Read by two saved queries (``moderation_building_blocks``, ``moderation_licences``) once per
data version; the labels are chosen in the reader's languages on each request (a few
hundred blocks: plain Python). How often the catalogue's solutions use each licence comes
from the Licensing Assistant (``Catalogue.licences``), read once per data version there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue.community.proposals import OTHER_LICENCE
from catalogue.licences.spdx import SPDX_LICENCES, canonical_spdx, spdx_id
from catalogue.pages.facts import choose, fallback_name

if TYPE_CHECKING:
    from catalogue.app import Catalogue

EIRA_VIEW = "https://catalogue.example.org/def/eira#view/"
# the EIRA views in the order the EIF layers them; a view not listed here comes after, by label
VIEW_ORDER = ("LegalView", "OrganisationalView", "SemanticView", "TechnicalView-Application",
              "TechnicalView-Infrastructure")
# the licences offered first when the catalogue uses fewer than COMMON (a new catalogue)
COMMON_LICENCES = ("EUPL-1.2", "Apache-2.0", "MIT", "GPL-3.0-or-later", "LGPL-3.0-or-later", "MPL-2.0",
                   "BSD-3-Clause", "CC-BY-4.0", "CC0-1.0")
COMMON = 9
HINT = 140  # characters of a definition shown under a block's name
# "Access Management ABB is an Application Component implementing...": the name again, which
# the hint leaves out ("An Application Component implementing...") to say more in HINT
NAME_IS = re.compile(r"^[^.]{0,120}?\bABB\s+is\s+(?=\w)")


@dataclass(frozen=True)
class Block:
    """An EIRA building block as the form offers it."""

    iri: str
    label: str
    language: str | None  # of the label; None: untagged, or no label (the PURI's last segment)
    definition: str = ""
    definition_language: str | None = None

    @property
    def hint(self) -> str:
        """The definition without the name it starts with, cut to about ``HINT`` characters
        at a word (the whole of it if shorter).

        >>> Block("x", "API", "en", "API ABB is an Application Interface that enables rules.").hint
        'An Application Interface that enables rules.'
        """
        text = " ".join(self.definition.split())
        if (found := NAME_IS.match(text)) and len(text) > found.end() + 1:
            text = text[found.end()].upper() + text[found.end() + 1:]
        if len(text) <= HINT:
            return text
        return text[:HINT].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True)
class BlockGroup:
    """The building blocks of one EIRA view, by name; ``iri`` None: the blocks in no view."""

    iri: str | None
    label: str
    language: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class _BlockFacts:
    labels: tuple[ox.Literal, ...]
    definitions: tuple[ox.Literal, ...]
    views: frozenset[str]


def building_blocks(catalogue: Catalogue, languages: Sequence[str] = ("en",)) -> list[BlockGroup]:
    """The EIRA v6 building blocks grouped by view (a block in several views is in each),
    the views in EIF order, then the blocks in no view, as a group whose ``label`` is empty
    for the caller to name. Empty when the EIRA vocabulary is not loaded."""
    blocks, views = catalogue.per_version("proposal building blocks", lambda: _read_blocks(catalogue))
    wanted = tuple(languages)
    chosen = {iri: _block(iri, facts, wanted) for iri, facts in blocks.items()}
    members: dict[str | None, list[Block]] = {}
    for iri, facts in blocks.items():
        for view in facts.views or {None}:
            members.setdefault(view, []).append(chosen[iri])
    groups = []
    for view, found in members.items():
        label = choose(sorted(views.get(view, ()), key=str), wanted) if view else None
        groups.append(BlockGroup(
            view, label.value if label is not None else (fallback_name(view) if view else ""),
            (label.language or None) if label is not None else None,
            tuple(sorted(found, key=lambda b: (b.label.casefold(), b.iri)))))
    return sorted(groups, key=_view_rank)


def _view_rank(group: BlockGroup) -> tuple[int, str]:
    local = group.iri[len(EIRA_VIEW):] if group.iri and group.iri.startswith(EIRA_VIEW) else None
    if local in VIEW_ORDER:
        return VIEW_ORDER.index(local), ""
    return (len(VIEW_ORDER), group.label.casefold()) if group.iri else (len(VIEW_ORDER) + 1, "")


def _block(iri: str, facts: _BlockFacts, languages: tuple[str, ...]) -> Block:
    label = choose(facts.labels, languages)
    definition = choose(facts.definitions, languages)
    return Block(iri, label.value.strip() if label is not None else fallback_name(iri),
                 (label.language or None) if label is not None else None,
                 definition.value.strip() if definition is not None else "",
                 (definition.language or None) if definition is not None else None)


def _read_blocks(catalogue: Catalogue) -> tuple[dict[str, _BlockFacts], dict[str, tuple[ox.Literal, ...]]]:
    """Each block's labels, definitions and views; each view's labels (sorted: the choice
    among two labels in one language does not depend on the order rows come in)."""
    labels: dict[str, set[ox.Literal]] = {}
    definitions: dict[str, set[ox.Literal]] = {}
    in_views: dict[str, set[str]] = {}
    views: dict[str, set[ox.Literal]] = {}
    for r in catalogue.select("moderation_building_blocks"):
        block = r["block"].value
        labels.setdefault(block, set())
        if isinstance(label := r.get("label"), ox.Literal):
            labels[block].add(label)
        if isinstance(definition := r.get("definition"), ox.Literal):
            definitions.setdefault(block, set()).add(definition)
        if (view := r.get("view")) is not None and isinstance(view_label := r.get("viewLabel"), ox.Literal):
            in_views.setdefault(block, set()).add(view.value)
            views.setdefault(view.value, set()).add(view_label)

    def ordered(found: Iterable[ox.Literal]) -> tuple[ox.Literal, ...]:
        return tuple(sorted(found, key=lambda lit: (lit.language or "", lit.value)))

    blocks = {iri: _BlockFacts(ordered(found), ordered(definitions.get(iri, ())),
                               frozenset(in_views.get(iri, ())))
              for iri, found in labels.items()}
    return blocks, {iri: ordered(found) for iri, found in views.items()}


# --- licences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceOption:
    """A licence the form offers: the IRI the record states, its SPDX id and its name."""

    iri: str
    spdx: str
    name: str


@dataclass(frozen=True)
class LicenceChoices:
    """The licences a proposal may be under: ``common`` offered first, ``every`` by name."""

    common: tuple[LicenceOption, ...]
    every: tuple[LicenceOption, ...]

    def get(self, iri: str) -> LicenceOption | None:
        return next((lic for lic in self.every if lic.iri == iri), None)

    def picked(self, value: str) -> tuple[str, str]:
        """How a form's licence shows on the form again: the choice ticked (``""`` none, a
        common licence's IRI, or ``other``) and the text in the "another licence" box (the
        SPDX id of a licence that is not a common one, or what was typed)."""
        if not value:
            return "", ""
        if any(lic.iri == value for lic in self.common):
            return value, ""
        known = self.get(value)
        return OTHER_LICENCE, known.spdx if known is not None else value

    def resolve(self, text: str) -> str | None:
        """The IRI of the licence ``text`` names, else None: its IRI, its SPDX id (any case;
        an old id such as ``GPL-3.0+`` names the current one), its SPDX page, or its name
        (any case).

        When the SPDX list is not loaded (``every`` is empty) any IRI is taken as it is:
        nothing can tell a licence from another web address then.

        >>> eupl = LicenceOption("http://spdx.org/licenses/EUPL-1.2", "EUPL-1.2",
        ...                      "European Union Public License 1.2")
        >>> choices = LicenceChoices((eupl,), (eupl,))
        >>> choices.resolve("eupl-1.2") == choices.resolve("European Union Public License 1.2") == eupl.iri
        True
        >>> choices.resolve("Public Domain") is None
        True
        """
        wanted = " ".join(text.split())
        if not wanted:
            return None
        if not self.every:
            return wanted if _is_iri(wanted) else None
        sid = spdx_id(wanted.replace("https://", "http://", 1)) if "://" in wanted else wanted
        by_id = canonical_spdx(sid or "").casefold()
        folded = wanted.casefold()
        for lic in self.every:
            if lic.iri == wanted or lic.spdx.casefold() == by_id or lic.name.casefold() == folded:
                return lic.iri
        return None


def licence_choices(catalogue: Catalogue) -> LicenceChoices:
    """Every SPDX licence that is not deprecated, by name; first the ``COMMON`` licences the
    catalogue's solutions use most (the Licensing Assistant's count), topped up from
    ``COMMON_LICENCES``. Both empty when the SPDX list is not loaded."""
    return catalogue.per_version("proposal licences", lambda: _read_licences(catalogue))


def _read_licences(catalogue: Catalogue) -> LicenceChoices:
    every: dict[str, LicenceOption] = {}
    for r in catalogue.select("moderation_licences"):
        iri = r["licence"].value
        sid = spdx_id(iri)
        if sid and iri == SPDX_LICENCES + sid and iri not in every:
            every[iri] = LicenceOption(iri, sid, " ".join(r["name"].value.split()))
    by_id = {lic.spdx.casefold(): lic for lic in every.values()}
    used = [lic.spdx for lic in catalogue.licences.all() if lic.solutions > 0 and lic.spdx]
    common: list[LicenceOption] = []
    for sid in (*used, *COMMON_LICENCES):
        found = by_id.get(canonical_spdx(sid).casefold())
        if found is not None and found not in common and len(common) < COMMON:
            common.append(found)
    return LicenceChoices(tuple(common), tuple(sorted(every.values(), key=lambda x: (x.name.casefold(), x.spdx))))


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return "://" in value
