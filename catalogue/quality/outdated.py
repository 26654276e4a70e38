"""When a record "may be outdated": a threshold per kind of asset, set by moderators.

A software release a year old is old; a code list unchanged for five years may be current.
So moderators set, per ADMS asset type (``dct:type`` in ``http://purl.org/adms/assettype/``:
Ontology, Code list, Schema...), after how many days without a change a record of that type
"may be outdated" and loses the score's "recent" points; ``CATALOGUE_OUTDATED_AFTER_DAYS``
stays the default for the others. A record of several types takes the longest threshold (the
most lenient: it is not called outdated while any of its kinds would keep it current).

Thresholds are facts in the private curation graph, each written with who and when
(``cat:OutdatedThreshold``); the newest per type wins, so the history stays. They are read
once per data version (the data version changes when one is set: pages say it at once).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from catalogue import queries, updates
from catalogue.errors import CatalogueError, ErrorKind
from catalogue.store import Dataset
from catalogue.terms import CAT, DCT, RDF_TYPE, XSD

if TYPE_CHECKING:
    from catalogue.app import Catalogue
    from catalogue.community.accounts import User

ASSET_TYPES = "http://purl.org/adms/assettype/"
MAX_DAYS = 36500  # a hundred years


class ThresholdError(CatalogueError):
    """A threshold that cannot be set: not a moderator (forbidden), not an ADMS asset type,
    not a whole number of days from 1 to 36500 (bad input)."""


@dataclass(frozen=True)
class AssetType:
    iri: str
    label: str
    days: int | None  # the moderators' threshold, None: the default


def threshold(types: Iterable[str], thresholds: Mapping[str, int], default: int) -> int:
    """The days after which a record of ``types`` may be outdated: the longest threshold
    among its asset types that have one, else ``default`` (0: never)."""
    found = [thresholds[t] for t in types if t in thresholds]
    return max(found) if found else default


class Thresholds:
    """``Catalogue.quality.thresholds``: the moderators' thresholds per asset type."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root

    def current(self) -> dict[str, int]:
        """Asset type IRI -> days (0: never outdated), once per data version."""
        return self._root.per_version("quality:thresholds", self.read)

    def read(self) -> dict[str, int]:
        rows = queries.select(self._root.store, "outdated_thresholds",
                              dataset=Dataset(default_graphs=[self._root.graphs.curation]))
        latest: dict[str, tuple[str, int | None]] = {}
        for r in rows:
            kind, when = r["type"].value, r["when"].value
            days = int(r["days"].value) if "days" in r else None
            if kind not in latest or latest[kind][0] < when:
                latest[kind] = (when, days)
        return {kind: days for kind, (_, days) in latest.items() if days is not None}

    def asset_types(self, languages: tuple[str, ...] = ("en",)) -> list[AssetType]:
        """Every ADMS asset type (from the vocabulary), named, with its threshold if set."""
        current = self.current()
        rows = self._root.select("adms_asset_types")
        iris = sorted({r["type"].value for r in rows})
        names = self._root.reader.names(iris, languages)
        return sorted((AssetType(i, names.get(i, i.rsplit("/", 1)[-1]), current.get(i)) for i in iris),
                      key=lambda a: a.label.lower())

    def set(self, asset_type: str, days: int | None, by: User) -> None:
        """Set (or, ``days`` None, clear back to the default) a type's threshold.

        :raise ThresholdError: ``by`` is no moderator (forbidden), not an ADMS asset type,
            days out of 0-36500 (0: records of the type are never called outdated).
        """
        if not by.is_moderator:
            raise ThresholdError("only moderators set when records may be outdated", error_kind=ErrorKind.FORBIDDEN)
        if not asset_type.startswith(ASSET_TYPES) or asset_type not in {
                r["type"].value for r in self._root.select("adms_asset_types")}:
            raise ThresholdError(f"{asset_type!r} is not an ADMS asset type")
        if days is not None and not 0 <= days <= MAX_DAYS:
            raise ThresholdError(f"give a number of days from 0 to {MAX_DAYS} (0: never outdated)")
        node = self._root.graphs.curation_action(secrets.token_hex(16))
        data = [ox.Triple(node, RDF_TYPE, CAT.OutdatedThreshold),
                ox.Triple(node, CAT.assetType, ox.NamedNode(asset_type)),
                ox.Triple(node, CAT.actor, self._root.accounts.user_iri(by.username)),
                ox.Triple(node, DCT.created, ox.Literal(datetime.now(UTC).isoformat(timespec="microseconds"),
                                                        datatype=XSD.dateTime))]
        if days is not None:
            data.append(ox.Triple(node, CAT.outdatedAfterDays, ox.Literal(str(days), datatype=XSD.integer)))
        updates.run(self._root.store, "graph_insert", graph=self._root.graphs.curation, data=data)
        self._root.changed()
