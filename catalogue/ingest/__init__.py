"""Ingest: parse, guard, validate per record and store atomically (the only write path)."""

from catalogue.ingest.errors import InputError, TooLargeError
from catalogue.ingest.fetch import Fetched, PrivateAddressError, check_url, fetch, public_url
from catalogue.ingest.history import HistoryError, RunDetail
from catalogue.ingest.jobs import (
    Job,
    JobLimitError,
    Outcome,
    error_context_of,
    report_json,
    report_of,
)
from catalogue.ingest.parse import Limits, parse_dump, read_file
from catalogue.ingest.pipeline import MODES, ingest, limits_of, validate_dump
from catalogue.ingest.report import Diff, Report
from catalogue.ingest.validator import (
    DEFAULT_PROFILE,
    OFFERED_FORMATS,
    PROFILES,
    Checked,
    PublicValidator,
    ValidatorError,
)

__all__ = [
    "DEFAULT_PROFILE",
    "MODES",
    "OFFERED_FORMATS",
    "PROFILES",
    "Checked",
    "Diff",
    "Fetched",
    "HistoryError",
    "InputError",
    "Job",
    "JobLimitError",
    "Limits",
    "Outcome",
    "PrivateAddressError",
    "PublicValidator",
    "Report",
    "RunDetail",
    "TooLargeError",
    "ValidatorError",
    "check_url",
    "error_context_of",
    "fetch",
    "ingest",
    "limits_of",
    "parse_dump",
    "public_url",
    "read_file",
    "report_json",
    "report_of",
    "validate_dump",
]
