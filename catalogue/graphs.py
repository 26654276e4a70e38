"""Named graphs: where each kind of fact lives, and which graphs the public sees.

Layout (all under ``CATALOGUE_BASE_URI``):

====================================  ==========================================  =======
graph                                 holds                                       public
====================================  ==========================================  =======
``graph/source/{slug}``               the accepted records of one source          yes
``graph/vocab/{name}``                one vocabulary (EIRA, SPDX, countries...)   yes
``graph/provenance``                  one ``prov:Activity`` per ingest run        yes
``graph/quarantine/{slug}``           records of a source that failed validation  no
``graph/draft/{slug}``                proposed records awaiting moderation        no
``graph/staging/{token}``             a dump being written (moved atomically)     no
====================================  ==========================================  =======
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import NamedNode

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class SlugError(ValueError):
    """A source or vocabulary name is not a slug."""


def check_slug(slug: str, what: str = "source") -> str:
    """Return ``slug`` if it is lowercase letters, digits and dashes (max 63).

    :raise SlugError: otherwise, naming what was expected.
    """
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise SlugError(
            f"{what} name {slug!r} is not valid: use 1-63 lowercase letters, digits and dashes, "
            "starting with a letter or digit (e.g. 'spain-ctt')"
        )
    return slug


@dataclass(frozen=True)
class Graphs:
    """The graph IRIs for one base URI."""

    base: str

    def _g(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{path}")

    def source(self, slug: str) -> NamedNode:
        return self._g(f"source/{check_slug(slug)}")

    def vocab(self, name: str) -> NamedNode:
        return self._g(f"vocab/{check_slug(name, 'vocabulary')}")

    @property
    def provenance(self) -> NamedNode:
        return self._g("provenance")

    def quarantine(self, slug: str) -> NamedNode:
        return self._g(f"quarantine/{check_slug(slug)}")

    def draft(self, slug: str) -> NamedNode:
        return self._g(f"draft/{check_slug(slug)}")

    def staging(self, token: str) -> NamedNode:
        return self._g(f"staging/{token}")

    def kind(self, graph: NamedNode) -> tuple[str, str] | None:
        """('source', slug), ('vocab', name), ('provenance', ''), ... or None if not ours."""
        prefix = f"{self.base}graph/"
        if not graph.value.startswith(prefix):
            return None
        rest = graph.value[len(prefix):]
        kind, _, name = rest.partition("/")
        return kind, name

    def is_public(self, graph: NamedNode) -> bool:
        kind = self.kind(graph)
        return kind is not None and kind[0] in ("source", "vocab", "provenance")
