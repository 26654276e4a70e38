"""Why a dump could not be read: what, and where (line and column when known)."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.errors import CatalogueError, ErrorKind

# the kind of failure each kind of unreadable dump is (the rest are bad input)
_ERROR_KINDS = {"too-large": ErrorKind.TOO_LARGE, "format": ErrorKind.UNSUPPORTED}


@dataclass
class InputError(CatalogueError):
    """A dump is unreadable or refused (exit code 2, HTTP 400/413/415). Nothing is stored.
    ``kind`` says how; ``error_kind`` follows from it (too large, a format we do not read,
    else bad input)."""

    message: str
    line: int | None = None
    column: int | None = None
    kind: str = "syntax"  # syntax | refused | too-large | format | fetch

    def __post_init__(self) -> None:
        self.error_kind = _ERROR_KINDS.get(self.kind, ErrorKind.BAD_INPUT)

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            where = f" (line {self.line}" + (f", column {self.column}" if self.column else "") + ")"
        return f"{self.message}{where}"

    def as_json(self) -> dict:
        return {"message": self.message, "line": self.line, "column": self.column}


class TooLargeError(InputError):
    """The dump, or something in it, is over a configured limit."""
