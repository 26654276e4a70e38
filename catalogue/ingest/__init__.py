"""Ingest: parse, guard, validate per record and store atomically (the only write path)."""

from .errors import InputError, TooLargeError
from .parse import Limits, parse_dump
from .pipeline import MODES, ingest, validate_dump
from .report import Diff, Report

__all__ = [
    "MODES",
    "Diff",
    "InputError",
    "Limits",
    "Report",
    "TooLargeError",
    "ingest",
    "parse_dump",
    "validate_dump",
]
