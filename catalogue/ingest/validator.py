"""Anyone's check of a file (the public ``/validator`` page): pasted text, an uploaded file
or a URL, validated exactly as a publisher's dry run is (:func:`validate_dump`), and nothing
stored: no store is ever opened here.

What a publisher's upload takes on trust, a stranger's is checked for first, each refusal a
:class:`ValidatorError` whose ``reason`` a page words in the reader's language:

* one way in, not none or several (``no-input``, ``several``); a known profile
  (``profile``) and format (``format``);
* a size limit, ``CATALOGUE_VALIDATOR_MAX_BYTES`` (``too-large``): a file is read up to it
  and no further, a URL's answer streamed and cut there, gzip inflated only up to it;
* text, not a picture or a spreadsheet (``not-text``: ``detail`` names what it looks like)
  and UTF-8, the one encoding RDF formats share (``encoding``: ``detail`` is the line);
* a file name or an answer's media type the format table knows (``extension``,
  ``media-type``: a URL that answers ``text/html`` is a web page, not its data);
* a URL fetched as harvesting fetches (:func:`catalogue.ingest.fetch.fetch`: http(s) only,
  no private or local address unless ``CATALOGUE_ALLOW_PRIVATE_URLS``, bounded in time),
  its refusal passed on as ``fetch`` with the fetcher's words in ``detail``, except that of
  a private or local address (``private``: ``detail`` is the host as the URL names it, and
  nothing says what a name resolved to: no map of the server's network for strangers);
* at most :data:`AT_ONCE` checks at a time per process (``busy``), the download included: a
  slow server holds a turn for up to ``CATALOGUE_FETCH_DEADLINE``, never more request
  threads than the turns; SHACL is CPU work.

Whatever the parser or the shapes say is not a refusal but the report itself.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import IO

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.formats import Format, UnknownFormatError, rdf_format, rdf_format_for_path
from catalogue.ingest.errors import InputError, TooLargeError
from catalogue.ingest.fetch import PrivateAddressError, fetch
from catalogue.ingest.parse import Limits, read_bytes, sniff
from catalogue.ingest.pipeline import validate_dump
from catalogue.ingest.report import Report
from catalogue.settings import Settings

# the profiles a visitor chooses from: the extra shapes each adds to ADMS-AP's (the CLI's --profile)
PROFILES: dict[str, tuple[str, ...]] = {"adms-ap": (), "dcat-ap-3": ("dcat-ap-3.0.1",)}
DEFAULT_PROFILE = "adms-ap"
OFFERED_FORMATS = ("ttl", "rdf", "nt", "jsonld")  # the choices a page offers; the table reads all
AT_ONCE = 2  # checks validating at once in one process
WAIT = 1.0  # seconds a check waits for its turn before it is refused as busy (it holds a thread)

# media types that say nothing about the format: the URL's file name, then the content, decide
_UNTYPED = {"text/plain", "application/octet-stream", "binary/octet-stream", "application/gzip",
            "application/x-gzip", "application/download", "application/force-download"}
_TURTLE = re.compile(rb"^\s*(@prefix|@base|PREFIX|BASE)\b", re.M | re.I)
_NO_EXTENSION = {"", "txt", "text"}  # file names that leave the format to the content
_MAGIC = ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"%PDF", "pdf"),
          (b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0", "office"), (b"\xff\xfe", "utf-16"),
          (b"\xfe\xff", "utf-16"), (b"\x7fELF", "program"), (b"MZ", "program"))


class ValidatorError(CatalogueError):
    """Why a submission is refused before it is validated; ``reason`` says which (see the
    module's docstring), ``detail`` and ``limit`` what a message names. Nothing is stored."""

    def __init__(self, message: str, reason: str, *, detail: str = "", limit: int = 0,
                 error_kind: ErrorKind = ErrorKind.BAD_INPUT) -> None:
        super().__init__(message, error_kind=error_kind)
        self.reason, self.detail, self.limit = reason, detail, limit


@dataclass(frozen=True)
class Checked:
    """A check's outcome: the report (``report.error`` set when the data would not parse),
    the bytes validated (for the lines around a parse error), and ``looks_like``: the label
    of the format the data seems to be in, when it failed to parse in another one."""

    report: Report
    data: bytes
    looks_like: str | None = None


class PublicValidator:
    """The checks anyone may ask for, bounded by ``settings``; one per process (it counts
    the checks running)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._turns = threading.BoundedSemaphore(AT_ONCE)

    @property
    def max_bytes(self) -> int:
        """The size limit: ``CATALOGUE_VALIDATOR_MAX_BYTES``, never over the upload limit."""
        return min(self.settings.validator_max_bytes, self.settings.max_upload_bytes)

    def too_large(self) -> ValidatorError:
        """The refusal of anything over :attr:`max_bytes` (also for a web form too big to read)."""
        return ValidatorError(
            f"the data is over the validator's limit of {self.max_bytes:,} bytes "
            "(CATALOGUE_VALIDATOR_MAX_BYTES): check a smaller part, or publish it through a "
            "source's dry run", "too-large", limit=self.max_bytes, error_kind=ErrorKind.TOO_LARGE)

    def check(self, *, text: str | None = None, file: IO[bytes] | None = None,
              filename: str | None = None, url: str | None = None, media_type: str | None = None,
              format: str | None = None, profile: str = DEFAULT_PROFILE) -> Checked:
        """Validate what was given (exactly one of ``text``, ``file``, ``url``) against
        ADMS-AP and the ``profile``'s extra shapes. ``format`` (a name or media type) wins
        over the file name (``filename``; the URL's path), the media type (``media_type`` of
        a sent body; the Content-Type a URL answers with) and the content, in that order.

        :raise ValidatorError: the submission is refused (see the module's docstring).
        """
        if profile not in PROFILES:
            raise ValidatorError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}",
                                 "profile", detail=profile)
        chosen = self._format(format) if format else None
        given = [way for way, value in (("text", text and text.strip()), ("file", file is not None),
                                        ("url", url and url.strip())) if value]
        if not given:
            raise ValidatorError("nothing to check: paste the text, choose a file or give a URL",
                                 "no-input")
        if len(given) > 1:
            raise ValidatorError(f"use one way to give the data, not {len(given)} "
                                 f"({', '.join(given)})", "several", detail=", ".join(given))
        if not self._turns.acquire(timeout=WAIT):
            raise ValidatorError("the validator is busy with other checks: try again in a few "
                                 "seconds", "busy", error_kind=ErrorKind.TOO_MANY)
        try:  # the turn covers the download: a slow server must not hold threads beyond it
            if text is not None and given == ["text"]:
                data = text.encode("utf-8", "surrogatepass")
                if len(data) > self.max_bytes:
                    raise self.too_large()
            elif file is not None:
                data = file.read(self.max_bytes + 1)
                if len(data) > self.max_bytes:
                    raise self.too_large()
            else:
                assert url is not None
                data, filename, media_type = self._fetch(url.strip())
            data = self._text(data)
            return self._validate(data, chosen or self._guess(filename, media_type), filename, profile)
        finally:
            self._turns.release()

    def _format(self, name: str) -> Format:
        try:
            return rdf_format(name)
        except UnknownFormatError as exc:
            raise ValidatorError(str(exc), "format", detail=name,
                                 error_kind=ErrorKind.UNSUPPORTED) from None

    def _fetch(self, url: str) -> tuple[bytes, str, str | None]:
        """The URL's answer, its path (for the file name's extension) and media type.

        :raise ValidatorError: ``too-large``, ``private`` or ``fetch``.
        """
        s = self.settings
        try:
            got = fetch(url, max_bytes=self.max_bytes, timeout=s.fetch_timeout,
                        allow_private=s.allow_private_urls, deadline=s.fetch_deadline)
        except TooLargeError:
            raise self.too_large() from None
        except PrivateAddressError as exc:
            raise ValidatorError(f"{exc.host} is, or resolves to, a loopback, private or link-local "
                                 "address: the validator fetches only from the public internet",
                                 "private", detail=exc.host) from None
        except InputError as exc:
            raise ValidatorError(str(exc), "fetch", detail=str(exc),
                                 error_kind=exc.error_kind) from None
        return got.data, got.url.split("?", 1)[0].split("#", 1)[0], got.media_type

    def _text(self, data: bytes) -> bytes:
        """``data`` inflated if gzip (up to the limit), if it is UTF-8 text.

        :raise ValidatorError: ``too-large``, ``not-text`` or ``encoding``.
        """
        if data[:2] == b"\x1f\x8b":
            try:
                data = read_bytes(data, Limits(max_bytes=self.max_bytes))
            except TooLargeError:
                raise self.too_large() from None
            except InputError:  # corrupt gzip
                raise _not_text("gzip") from None
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise _not_text(what)
        head = data[:8192]
        controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
        if b"\x00" in head or controls > len(head) // 100:
            raise _not_text("binary")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ValidatorError(f"the data is not UTF-8 text (line {line} has a byte that is "
                                 "not UTF-8): save it as UTF-8 and check it again", "encoding",
                                 detail=str(line), error_kind=ErrorKind.UNSUPPORTED) from None
        return data

    def _guess(self, filename: str | None, media_type: str | None) -> Format | None:
        """The format a media type or a file name names; None leaves it to the content.

        :raise ValidatorError: ``media-type`` or ``extension`` naming no RDF format.
        """
        media = (media_type or "").split(";")[0].strip().lower()
        if media and media not in _UNTYPED:
            try:
                return rdf_format(media)
            except UnknownFormatError:
                raise ValidatorError(
                    f"the data is {media}, not an RDF format the validator reads (Turtle, "
                    "RDF/XML, N-Triples, JSON-LD)", "media-type", detail=media,
                    error_kind=ErrorKind.UNSUPPORTED) from None
        if filename:
            found = rdf_format_for_path(filename)
            if found is not None:
                return found
            name = filename.rsplit("/", 1)[-1].lower().removesuffix(".gz")
            ext = name.rsplit(".", 1)[-1] if "." in name else ""
            if ext not in _NO_EXTENSION:
                raise ValidatorError(
                    f"a file ending in .{ext} is not in an RDF format the validator reads: name "
                    "it .ttl (Turtle), .rdf (RDF/XML), .nt (N-Triples) or .jsonld (JSON-LD), or "
                    "choose its format", "extension", detail="." + ext,
                    error_kind=ErrorKind.UNSUPPORTED)
        return None

    def _validate(self, data: bytes, fmt: Format | None, filename: str | None,
                  profile: str) -> Checked:
        """The dry run itself (in the caller's turn)."""
        result = validate_dump(data, format=fmt.name if fmt else None, filename=filename,
                               settings=self.settings, profiles=PROFILES[profile])
        report = result if isinstance(result, Report) else result.report
        looks_like = None
        if report.error is not None and report.error.kind == "syntax" and fmt is not None:
            seen = sniff(data)
            if seen is not None and seen.name not in (fmt.name, "trig") and (
                    seen.name != "ttl" or _TURTLE.search(data[:4096])):  # "ttl": sniff's last guess
                looks_like = seen.label
        return Checked(report, data, looks_like)


_WHAT = {"png": "a PNG image", "jpeg": "a JPEG image", "gif": "a GIF image", "pdf": "a PDF document",
         "zip": "a ZIP archive (as Word, Excel and OpenDocument files are)",
         "office": "an old Microsoft Office document", "utf-16": "UTF-16 text (save it as UTF-8)",
         "program": "a program", "gzip": "a damaged gzip file", "binary": "binary data"}


def _not_text(what: str) -> ValidatorError:
    return ValidatorError(f"this is not RDF: the data is not text but {_WHAT[what]}. "
                          "Give a file in Turtle, RDF/XML, N-Triples or JSON-LD", "not-text",
                          detail=what, error_kind=ErrorKind.UNSUPPORTED)
