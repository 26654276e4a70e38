"""Ingest: parse, guard, validate per record and store atomically (the only write path)."""

from catalogue.ingest.errors import InputError, TooLargeError
from catalogue.ingest.parse import Limits, parse_dump
from catalogue.ingest.pipeline import MODES, ingest, validate_dump
from catalogue.ingest.report import Diff, Report

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
