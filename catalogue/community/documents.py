"""Documents uploaded to a community (issue 15, item 3): what a file really is, whether it
is safe to keep, and where its bytes live.

A file's type is read from its first bytes, never from its name or from what the browser
said: an ``.exe`` or ELF binary renamed ``.pdf`` is refused, and so is a file whose name or
declared type says one thing while its bytes say another. Archives (ZIP, and the OOXML and
ODF formats, which are ZIP files) are read entry by entry in memory, counting what they
would expand to, so a zip bomb is refused without a byte of it written to disk.

Accepted files are kept content-addressed: ``{dir}/{sha256[:2]}/{sha256}``, written to a
temporary file in the same directory and renamed into place (a reader never sees half a
file); the same bytes uploaded twice are kept once. The directory is
``CATALOGUE_DOCUMENTS``, by default ``documents`` beside the store's directory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.settings import Settings

SHA256 = re.compile(r"^[0-9a-f]{64}$")
# archives: what their entries may add up to, uncompressed (nothing of it is written)
MAX_ENTRIES = 2000
MAX_EXPANDED = 200 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per entry and in total, beyond the first MiB
RATIO_GRACE = 1024 * 1024
NESTED = (".zip", ".jar", ".war", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".cab")
MAX_NAME = 200

# media types by file name extension: what a name promises
BY_EXTENSION = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain", "csv": "text/csv", "md": "text/markdown", "xml": "application/xml",
    "json": "application/json",
}
ACCEPTED = ", ".join(sorted({f".{e}" for e in BY_EXTENSION}))
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF = {BY_EXTENSION[e]: e for e in ("odt", "ods", "odp")}
_TEXT = {"text/plain", "text/csv", "text/markdown"}
_EXECUTABLE = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
               b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!", b"\x00asm", b"dex\n")


class DocumentError(CatalogueError, ValueError):
    """An uploaded file that is not kept: too large (too large), of a type the catalogue
    does not take or not what its name says (unsupported), an archive that would expand too
    far (refused); the message says which and what to do."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    media_type: str
    size: int
    filename: str


def documents_dir(settings: Settings) -> Path:
    """``CATALOGUE_DOCUMENTS``, or ``documents`` beside the store's directory."""
    if settings.documents:
        return Path(settings.documents)
    return Path(os.path.normpath(settings.store)).parent / "documents"


def safe_filename(name: str) -> str:
    """The last segment of ``name``, without control characters, path separators or a
    leading dot, at most ``MAX_NAME`` characters; ``document`` if nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base)
                   if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*')
    base = base.strip().lstrip(".").strip()
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) < 10 else base[:MAX_NAME]
    return base or "document"


def _extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def sniff(data: bytes) -> str:
    """The media type of ``data`` read from its content.

    :raise DocumentError: an executable or script (unsupported), a type not accepted
        (unsupported), an archive that is a zip bomb or holds archives (refused).
    """
    head = data[:16]
    if any(head.startswith(sig) for sig in _EXECUTABLE):
        raise DocumentError("this file is a program (an executable or a script), which cannot be "
                            "shared here, whatever its name", error_kind=ErrorKind.UNSUPPORTED)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _archive(data)
    return _text(data)


def _text(data: bytes) -> str:
    if b"\x00" in data:
        raise DocumentError(f"this file's type is not accepted: share a document of one of these "
                            f"kinds: {ACCEPTED}", error_kind=ErrorKind.UNSUPPORTED)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(f"this file's type is not accepted (it is neither a known format nor UTF-8 "
                            f"text): share a document of one of these kinds: {ACCEPTED}",
                            error_kind=ErrorKind.UNSUPPORTED) from None
    start = text.lstrip()[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<script")) or "<script" in text[:4096].lower():
        raise DocumentError("web pages and scripts cannot be shared as documents: give a link to the "
                            "page instead", error_kind=ErrorKind.UNSUPPORTED)
    if start.startswith("<"):
        return "application/xml"
    if start.startswith(("{", "[")):
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            pass
    return "text/plain"


def _archive(data: bytes) -> str:
    """ZIP, OOXML or ODF, after counting what it expands to.

    :raise DocumentError: not a readable archive, too many entries, expanding too far or
        too steeply, or holding another archive (refused).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(f"this archive cannot be read ({exc})", error_kind=ErrorKind.REFUSED) from None
    if len(entries) > MAX_ENTRIES:
        raise DocumentError(f"this archive holds {len(entries)} files: at most {MAX_ENTRIES} are accepted",
                            error_kind=ErrorKind.REFUSED)
    names = [e.filename for e in entries]
    total = 0
    for entry in entries:
        if entry.filename.lower().endswith(NESTED):
            raise DocumentError(f"this archive holds another archive ({entry.filename}): share the files "
                                "themselves", error_kind=ErrorKind.REFUSED)
        expanded, first = 0, b""
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(64 * 1024):
                    first = first or chunk[:8]
                    expanded += len(chunk)
                    total += len(chunk)
                    _limits(entry, expanded, total, len(data))
        except DocumentError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, NotImplementedError) as exc:
            raise DocumentError(f"this archive cannot be read ({exc})", error_kind=ErrorKind.REFUSED) from None
        if first.startswith((b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")):
            raise DocumentError(f"this archive holds another archive ({entry.filename}): share the files "
                                "themselves", error_kind=ErrorKind.REFUSED)
    if "mimetype" in names:
        declared = archive.read("mimetype").decode("ascii", "replace").strip()
        if declared in _ODF:
            return declared
    if "[Content_Types].xml" in names:
        for prefix, ext in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return BY_EXTENSION[ext]
    return "application/zip"


def _limits(entry: zipfile.ZipInfo, expanded: int, total: int, size: int) -> None:
    if total > MAX_EXPANDED:
        raise DocumentError(f"this archive expands to more than {MAX_EXPANDED // (1024 * 1024)} MiB: it "
                            "looks like a zip bomb and is refused", error_kind=ErrorKind.REFUSED)
    steep = expanded > RATIO_GRACE and expanded > MAX_RATIO * max(entry.compress_size, 1)
    if steep or (total > RATIO_GRACE and total > MAX_RATIO * size):
        raise DocumentError(f"this archive expands more than {MAX_RATIO} times ({entry.filename}): it looks "
                            "like a zip bomb and is refused", error_kind=ErrorKind.REFUSED)


def _family(media: str) -> str:
    return "text" if media in _TEXT else media


def check(data: bytes, filename: str, declared: str | None, max_bytes: int) -> tuple[str, str]:
    """(media type to serve, safe file name) for an upload, or why it is refused.

    The type read from the content must match what the file's name promises and what the
    browser declared (when it declared something more precise than
    ``application/octet-stream``); text may be named ``.txt``, ``.csv`` or ``.md`` (served as
    the name says).

    :raise DocumentError: empty or too large (too large), not accepted or not what it
        claims (unsupported), a zip bomb (refused).
    """
    if len(data) > max_bytes:
        raise DocumentError(f"the file is {len(data):,} bytes: at most {max_bytes:,} are accepted",
                            error_kind=ErrorKind.TOO_LARGE)
    if not data:
        raise DocumentError("the file is empty")
    name = safe_filename(filename)
    ext = _extension(name)
    if ext not in BY_EXTENSION:
        raise DocumentError(f"files named .{ext or '(nothing)'} are not accepted: share a document of one "
                            f"of these kinds: {ACCEPTED}", error_kind=ErrorKind.UNSUPPORTED)
    found = sniff(data)
    promised = BY_EXTENSION[ext]
    if found in ("application/json", "application/xml") and promised in _TEXT:
        found = "text/plain"  # structured text named as text: served as the name says
    if _family(found) != _family(promised):
        raise DocumentError(f"the file is named .{ext} ({promised}) but its content is {found}: rename it "
                            "or share the right file", error_kind=ErrorKind.UNSUPPORTED)
    media = promised if found == "text/plain" else found
    claimed = (declared or "").split(";")[0].strip().lower()
    if claimed and claimed not in ("application/octet-stream", "binary/octet-stream") \
            and _family(claimed) != _family(media) \
            and not (claimed in ("application/x-zip-compressed", "application/zip") and media.startswith(
                ("application/zip", "application/vnd."))) \
            and not (claimed == "text/xml" and media == "application/xml"):
        raise DocumentError(f"the file was sent as {claimed} but its content is {media}",
                            error_kind=ErrorKind.UNSUPPORTED)
    return media, name


class DocumentFiles:
    """The content-addressed directory of uploaded documents."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path | None:
        """The file kept for ``sha256``, if any (None for a malformed digest)."""
        if not isinstance(sha256, str) or not SHA256.match(sha256):
            return None
        path = self.directory / sha256[:2] / sha256
        return path if path.is_file() else None

    def keep(self, data: bytes, filename: str, declared: str | None) -> StoredFile:
        """Check ``data`` and keep it (once, whoever uploads it again).

        :raise DocumentError: see :func:`check`.
        """
        media, name = check(data, filename, declared, self.max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        target = self.directory / digest[:2] / digest
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(digest, media, len(data), name)
