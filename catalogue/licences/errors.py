"""The assistant's one error: what the reader asked cannot be answered, and why."""

from __future__ import annotations

from collections.abc import Sequence

from catalogue.errors import CatalogueError, ErrorKind


class LicenceError(CatalogueError):
    """A request the assistant cannot answer: an unknown licence (not found), too few or too
    many to compare, the same one twice, an unknown legal type (bad input)."""

    def __init__(self, message: str, *, suggestions: Sequence[str] = (),
                 error_kind: ErrorKind | None = None) -> None:
        if suggestions:
            message += " Did you mean " + ", ".join(suggestions) + "?"
        super().__init__(message, error_kind=error_kind)
        self.suggestions = list(suggestions)
