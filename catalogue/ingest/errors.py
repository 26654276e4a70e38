"""Why a dump could not be read: what, and where (line and column when known)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InputError(Exception):
    """A dump is unreadable or refused (exit code 2, HTTP 400/413). Nothing is stored."""

    message: str
    line: int | None = None
    column: int | None = None
    kind: str = "syntax"  # syntax | refused | too-large | format | fetch

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            where = f" (line {self.line}" + (f", column {self.column}" if self.column else "") + ")"
        return f"{self.message}{where}"

    def as_json(self) -> dict:
        return {"message": self.message, "line": self.line, "column": self.column}


class TooLargeError(InputError):
    """The dump, or something in it, is over a configured limit."""
