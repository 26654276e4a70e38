"""What went wrong, as data: every domain error says which kind of failure it is.

The domain raises; the outer shells decide what a kind means to their callers: the web maps
it to an HTTP status in one place (``webapp/errors.py``). Where one class covers several
situations (a version that does not exist, or that is already current), the raise site names
the kind it means::

    raise HistoryError(f"version {version!r} is already the current one", error_kind=ErrorKind.CONFLICT)
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar


class ErrorKind(Enum):
    BAD_INPUT = "bad-input"  # malformed or unusable input: the message says which and how to fix it
    NOT_FOUND = "not-found"  # nothing has that name (or a name no such thing could have)
    FORBIDDEN = "forbidden"  # this caller may not do this
    CONFLICT = "conflict"  # well-formed, but not in the current state (already current, not a draft)
    REFUSED = "refused"  # understood, and refused by a rule (validation, the endpoint's result cap)
    TOO_LARGE = "too-large"  # over a size limit
    UNSUPPORTED = "unsupported"  # a format the catalogue does not read
    TOO_MANY = "too-many"  # a limit on work in progress: try again once some of it ends
    UNAVAILABLE = "unavailable"  # the store or a worker cannot answer now


class CatalogueError(Exception):
    """Base of the domain's errors: ``error_kind`` says what kind of failure it is (a class
    default, or the raise site's ``error_kind=``); the message says what and where."""

    error_kind: ErrorKind = ErrorKind.BAD_INPUT
    # False when the message is for operators only (it may name paths or internal hosts):
    # the web then tells the public what kind of failure it was, and logs the message
    public_message: ClassVar[bool] = True

    def __init__(self, *args: object, error_kind: ErrorKind | None = None) -> None:
        super().__init__(*args)
        if error_kind is not None:
            self.error_kind = error_kind
