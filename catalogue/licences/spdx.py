"""SPDX licence ids: the public key of a licence in URLs, and the old ids that mean the same.

SPDX 3.0 renamed the GNU licences (``GPL-2.0`` became ``GPL-2.0-only``, ``GPL-2.0+``
``GPL-2.0-or-later``...); data and people still use the old ids, and Joinup's compatibility
rules name some of them. ``canonical_spdx`` maps an old id to the current one so that both
name the same licence; the table is the SPDX list's own deprecation notes.
"""

from __future__ import annotations

SPDX_LICENCES = "http://spdx.org/licenses/"

# deprecated id -> current id (SPDX licence list, "deprecated" entries of the GNU family and the EUPL's siblings)
ALIASES: dict[str, str] = {
    "GPL-1.0": "GPL-1.0-only", "GPL-1.0+": "GPL-1.0-or-later",
    "GPL-2.0": "GPL-2.0-only", "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-3.0": "GPL-3.0-only", "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.0": "LGPL-2.0-only", "LGPL-2.0+": "LGPL-2.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only", "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only", "LGPL-3.0+": "LGPL-3.0-or-later",
    "AGPL-1.0": "AGPL-1.0-only", "AGPL-3.0": "AGPL-3.0-only",
    "GFDL-1.1": "GFDL-1.1-only", "GFDL-1.2": "GFDL-1.2-only", "GFDL-1.3": "GFDL-1.3-only",
}
_FOLDED = {k.casefold(): v for k, v in ALIASES.items()}


def canonical_spdx(sid: str) -> str:
    """The current SPDX id for ``sid`` (itself when it is not an old one)."""
    return _FOLDED.get(sid.casefold(), sid)


def spdx_id(iri: str) -> str | None:
    """The SPDX id of an SPDX licence IRI (``http://spdx.org/licenses/MIT`` -> ``MIT``), else None."""
    if iri.startswith(SPDX_LICENCES) and len(iri) > len(SPDX_LICENCES):
        return iri[len(SPDX_LICENCES):].removesuffix(".html")
    return None


def spdx_iri(sid: str) -> str:
    return SPDX_LICENCES + canonical_spdx(sid)
