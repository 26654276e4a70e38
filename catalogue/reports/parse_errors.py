"""The lines of a dump around a parse error, with a caret under the column."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.ingest.errors import InputError
from catalogue.ingest.parse import Limits, read_bytes


@dataclass(frozen=True)
class ContextLine:
    """One line of the dump near a parse error (``text`` may be cut, marked with …)."""

    number: int
    text: str
    is_error: bool

    def as_json(self) -> dict:
        return {"number": self.number, "text": self.text, "error": self.is_error}


@dataclass(frozen=True)
class ErrorContext:
    """The lines around a parse error; ``caret`` is the 0-based character offset of the
    error column in the error line's ``text`` (None when the column is unknown)."""

    line: int
    column: int | None
    lines: list[ContextLine]
    caret: int | None

    def as_json(self) -> dict:
        return {"line": self.line, "column": self.column, "caret": self.caret,
                "lines": [ln.as_json() for ln in self.lines]}


def error_context(
    data: bytes, line: int | None, column: int | None, *, before: int = 2, after: int = 2,
    width: int = 200,
) -> ErrorContext | None:
    """The lines around ``line`` (1-based) with a caret under ``column`` (1-based, in characters).

    Long lines are cut to about ``width`` characters around the column, every line by the
    same window so they stay aligned; tabs become spaces so the caret lines up in a <pre>.
    None when the line is unknown or past the end of the data.
    """
    if line is None or line < 1:
        return None
    try:
        data = read_bytes(data, Limits())  # a gzip upload: show the text the parser saw
    except InputError:
        return None
    lines = data.decode("utf-8", "replace").split("\n")
    if len(lines) > line and lines[-1] == "":
        lines.pop()  # the text after the final newline is not a line, unless the error is there
    if line > len(lines):
        return None
    first, last = max(1, line - before), min(len(lines), line + after)
    error_text = lines[line - 1].rstrip("\r")
    col = None if column is None else len(error_text[: max(column - 1, 0)].expandtabs())
    start = 0 if col is None or col < width // 2 else col - width // 2
    shown = []
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip("\r").expandtabs()
        cut = text[start: start + width]
        if start > 0 and cut:
            cut = "…" + cut
        if start + width < len(text):
            cut += "…"
        shown.append(ContextLine(n, cut, n == line))
    caret = None if col is None else col - start + (1 if start > 0 else 0)
    return ErrorContext(line, column, shown, caret)
