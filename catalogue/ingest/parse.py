"""Read a dump: size limits, gzip, format guessing, hostile-input guards, then parse.

Guards run before the parser sees a byte it could be hurt by:

* RDF/XML entities: only plain text ones (``<!ENTITY owl "http://...">``) are accepted,
  and expanded here, after counting what they would grow to: a text or attribute value
  that would expand past ``max_literal_bytes``, or a dump past ``max_bytes``, is refused
  without expanding anything (pyoxigraph expands internal entities without limit: 864
  bytes become a 300 MB literal). Every other DTD feature is refused.
* JSON-LD whose ``@context`` or ``@import`` names a document (``http:``, ``file:``...) is
  refused: contexts are never fetched. JSON nested deeper than ``max_json_depth`` is
  refused (pyoxigraph 0.5.13 crashes the process at ~4,000 levels).
* Files over ``max_upload_bytes`` (after decompression) and literals over
  ``max_literal_bytes`` are refused; so is any token over the parser's own buffer
  (16 MiB in pyoxigraph 0.5.13, which raises ``MemoryError`` for it).

Each refusal names the setting that sets the limit (``CATALOGUE_MAX_...``).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from catalogue.formats import Format, UnknownFormatError, rdf_format, rdf_format_for_path
from catalogue.ingest.errors import InputError, TooLargeError


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * 1024 * 1024
    max_literal_bytes: int = 1024 * 1024
    max_json_depth: int = 200


# the settings that set each limit, named in refusals so an operator knows what to change
MAX_BYTES_SETTING = "CATALOGUE_MAX_UPLOAD_BYTES"
MAX_LITERAL_SETTING = "CATALOGUE_MAX_LITERAL_BYTES"


@dataclass
class ParsedDump:
    """The triples of a dump (graph names of quad formats are merged) and what it was."""

    triples: list[ox.Triple]
    format: Format
    size: int
    data: bytes


def read_bytes(data: bytes, limits: Limits) -> bytes:
    """Decompress gzip if the data is gzip, enforcing the size limit while inflating.

    :raise TooLargeError: the (inflated) data is over ``limits.max_bytes``.
    :raise InputError: the gzip stream is corrupt.
    """
    if data[:2] == b"\x1f\x8b":
        out = io.BytesIO()
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                while chunk := gz.read(1 << 20):
                    out.write(chunk)
                    if out.tell() > limits.max_bytes:
                        raise TooLargeError(
                            f"the dump is larger than {limits.max_bytes:,} bytes once decompressed",
                            kind="too-large",
                        )
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"the gzip data is corrupt: {exc}", kind="syntax") from None
        data = out.getvalue()
    if len(data) > limits.max_bytes:
        raise TooLargeError(
            f"the dump is {len(data):,} bytes, over the limit of {limits.max_bytes:,}",
            kind="too-large",
        )
    return data


def read_file(path: str | Path, limits: Limits) -> bytes:
    """Read a file without ever holding more than the limit (plus one chunk).

    :raise InputError: the file cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", kind="fetch") from None
    if len(head) > limits.max_bytes and head[:2] != b"\x1f\x8b":
        raise TooLargeError(
            f"{path} is over the limit of {limits.max_bytes:,} bytes", kind="too-large"
        )
    return head


def sniff(data: bytes) -> Format | None:
    """Guess the format from the first bytes of the content."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF") or head.startswith(b"<!--"):
        return rdf_format("rdf")
    if head.startswith((b"{", b"[")):
        return rdf_format("jsonld")
    text = head.decode("utf-8", "replace")
    if re.search(r"^\s*(@prefix|@base|PREFIX|BASE)\b", text, re.M | re.I):
        if re.search(r"^\s*(GRAPH\s+)?(<[^>]*>|[\w-]*:[\w.-]*)\s*\{|^\s*\{", text, re.M):
            return rdf_format("trig")
        return rdf_format("ttl")
    line = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    if re.match(r'^\s*(<[^>]*>|_:\S+)\s+<[^>]*>\s+(<[^>]*>|_:\S+|".*")\s*\.\s*$', line):
        return rdf_format("nt")
    if re.match(r'^\s*(<[^>]*>|_:\S+)\s+<[^>]*>\s+(<[^>]*>|_:\S+|".*"\S*)\s+(<[^>]*>|_:\S+)\s*\.\s*$', line):
        return rdf_format("nq")
    if text.strip():
        return rdf_format("ttl")
    return None


def choose_format(data: bytes, *, format: str | None, filename: str | None) -> Format:
    """An explicit format (name or media type) wins, then the file extension, then sniffing.

    :raise InputError: the format is unknown or cannot be guessed.
    """
    if format:
        try:
            return rdf_format(format)
        except UnknownFormatError as exc:
            raise InputError(str(exc), kind="format") from None
    if filename:
        found = rdf_format_for_path(filename)
        if found:
            return found
    found = sniff(data)
    if found is None:
        raise InputError("the dump is empty", kind="syntax")
    return found


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[^\[>]*\[(?P<subset>.*?)\]\s*>", re.S | re.I)
_SIMPLE_ENTITY = re.compile(rb'<!ENTITY\s+(?P<name>[A-Za-z_][\w.-]*)\s+(?P<q>["\'])(?P<value>[^"\'&%<\n]{0,2048})(?P=q)\s*>')
_COMMENT = re.compile(rb"<!--.*?-->", re.S)


def _refuse_entities(data: bytes, at: int, why: str) -> InputError:
    line, column = position(data[:at].decode("utf-8", "replace"), at)
    return InputError(
        f"RDF/XML {why} is refused: entities can expand without limit or reach outside the file. "
        "Write the values out in full and remove the DOCTYPE declaration",
        line, column, kind="refused",
    )


def guard_xml(data: bytes, limits: Limits) -> bytes:
    """Expand plain namespace-style entities ourselves; refuse every other DTD feature.

    ``<!ENTITY owl "http://www.w3.org/2002/07/owl#">`` is common in real RDF/XML and is
    expanded here by plain substitution (no nesting, one line, at most 2,048 bytes).
    Entities that refer to other entities, external entities and parameter entities are
    refused. What the references would expand to is counted first, without expanding:
    one text or attribute value (the stretch between two ``<``) growing past
    ``limits.max_literal_bytes``, or the whole dump past ``limits.max_bytes``, is refused
    (a 477 KB file can otherwise name one 2 KB entity 95,000 times: 194 MB). Line
    numbers are preserved, so later parse errors still point at the right line.

    :raise InputError: a DTD feature other than plain text entities (kind ``refused``).
    :raise TooLargeError: the expansion would exceed a limit.
    """
    m = _DOCTYPE.search(data)
    if m is None:
        if re.search(rb"<!ENTITY", data):
            raise _refuse_entities(data, data.index(b"<!ENTITY"), "with an entity declaration")
        return data
    subset = _COMMENT.sub(b"", m.group("subset"))
    entities = {e.group("name"): e.group("value") for e in _SIMPLE_ENTITY.finditer(subset)}
    leftover = _SIMPLE_ENTITY.sub(b"", subset).strip()
    if leftover:
        at = m.start("subset") + max(m.group("subset").find(leftover[:20]), 0)
        raise _refuse_entities(data, at, "with a DTD that declares more than plain text entities")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data[m.end():]):
        raise _refuse_entities(data, m.end(), "with a second DTD or entity declaration")
    newlines = m.group().count(b"\n")
    body = data[m.end():]
    if not entities:
        return data[: m.start()] + b"\n" * newlines + body
    reference = re.compile(b"&(" + b"|".join(re.escape(k) for k in entities) + b");")
    _check_expansion(data, m.end(), body, reference, entities, limits)
    body = reference.sub(lambda r: entities[r.group(1)], body)
    return data[: m.start()] + b"\n" * newlines + body


def _check_expansion(data: bytes, offset: int, body: bytes, reference: re.Pattern[bytes],
                     entities: dict[bytes, bytes], limits: Limits) -> None:
    """Refuse, before expanding, entity references that would grow past a limit.

    The total growth comes from counting references (C speed). Only if it could push one
    value past the literal limit are the references walked to find the largest value
    (checked first: its refusal can say where): a value is the stretch between two ``<``
    (entity values contain no ``<``), which bounds every literal and IRI the parser can
    build from it.

    :raise TooLargeError: naming the limit and its setting (and the line of the value).
    """
    growth = {k: len(v) - len(k) - 2 for k, v in entities.items()}
    counts: dict[bytes, int] = {}
    for name in reference.findall(body):
        counts[name] = counts.get(name, 0) + 1
    grown = sum(growth[k] * n for k, n in counts.items())
    if grown > limits.max_literal_bytes // 2:
        start, end, size = -1, -1, 0
        for r in reference.finditer(body):
            if r.start() >= end:  # a new value: from the < before it to the < after it
                start = body.rfind(b"<", 0, r.start()) + 1
                end = body.find(b"<", r.end())
                end = len(body) if end < 0 else end
                size = end - start
            size += growth[r.group(1)]
            if size > limits.max_literal_bytes:
                at = offset + start
                line, column = position(data[:at].decode("utf-8", "replace"), at)
                raise TooLargeError(
                    f"the RDF/XML entity references in this value expand it past the limit of "
                    f"{limits.max_literal_bytes:,} bytes for a literal ({MAX_LITERAL_SETTING}); "
                    "nothing was expanded. Shorten the value or refer to the entities fewer times",
                    line, column, kind="too-large",
                )
    if len(data) + grown > limits.max_bytes:
        raise TooLargeError(
            f"the RDF/XML entity references expand the dump to {len(data) + grown:,} bytes, over "
            f"the limit of {limits.max_bytes:,} ({MAX_BYTES_SETTING}); nothing was expanded. "
            "Refer to the entities fewer times, or split the dump",
            kind="too-large",
        )


# strings unrolled ("[^"\\]*(?:\\.[^"\\]*)*"): one alternation per character took 22 s on a
# 50 MB string
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)
_CONTEXT_REF = re.compile(r'"@(?:context|import)"\s*:\s*(\[\s*)?"', re.S)


def guard_json(data: bytes, max_depth: int) -> None:
    """Refuse JSON nested deeper than ``max_depth`` and JSON-LD naming remote contexts."""
    text = data.decode("utf-8", "replace")
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                line, column = position(text, m.start())
                raise InputError(
                    f"JSON nested more than {max_depth} levels deep is refused",
                    line, column, kind="refused",
                )
        elif token in "]}":
            depth -= 1
    ref = _CONTEXT_REF.search(text)
    if ref:
        line, column = position(text, ref.start())
        raise InputError(
            "JSON-LD that refers to a context by IRI (\"@context\": \"http...\" or \"@import\") is "
            "refused: contexts are never fetched. Put the context inline as a JSON object",
            line, column, kind="refused",
        )


def _syntax_error(exc: SyntaxError, data: bytes, fmt: Format) -> InputError:
    message = str(exc.args[0] if exc.args else exc)
    line, column = exc.lineno, exc.offset
    if line is None and fmt.rdf == ox.RdfFormat.RDF_XML:
        line, column = _xml_position(data)
        if line is None:
            # RDF-level error without a position: point at the first mention of the culprit
            m = re.search(r"'([^']+)'", message) or re.search(
                r"(?:prefix|element|attribute)\s+(\S+)", message
            )
            if m:
                token = m.group(1).encode()
                at = data.find(token)
                if at >= 0:
                    line, column = position(data[:at].decode("utf-8", "replace"), at)
    message = re.sub(r"^Parser error at line \d+ (between columns \d+ and \d+|column \d+): ", "", message)
    message = re.sub(r'"([^"]{60})[^"]{20,}"', r'"\1..."', message)  # long quoted literals
    return InputError(f"{fmt.label} syntax error: {message}", line, column)


def _xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Where expat finds the XML error (DTDs were refused before, so no entity expansion)."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        return err.lineno, err.offset + 1
    return None, None


def parse_dump(
    data: bytes,
    *,
    format: str | None = None,
    filename: str | None = None,
    base_iri: str | None = None,
    limits: Limits = Limits(),
    ready: Callable[[bytes, Format], None] | None = None,
) -> ParsedDump:
    """Parse a dump into triples after the guards above.

    ``ready`` is called with the bytes about to be parsed and their format once the guards
    passed (an ingest may start writing them then: :class:`catalogue.ingest.ahead.WriteAhead`).

    :raise InputError: unreadable or refused input, with line and column when known.
    :raise TooLargeError: over a size limit.
    """
    data = read_bytes(data, limits)
    fmt = choose_format(data, format=format, filename=filename)
    if fmt.rdf == ox.RdfFormat.RDF_XML:
        data = guard_xml(data, limits)
    elif fmt.rdf == ox.RdfFormat.JSON_LD:
        guard_json(data, limits.max_json_depth)
    if ready is not None:
        ready(data, fmt)
    try:
        # distinct triples in the order read (dict.fromkeys: the loop's cost, not ours, is C's)
        triples = list(dict.fromkeys(_checked(ox.parse(data, format=fmt.rdf, base_iri=base_iri),
                                              limits.max_literal_bytes)))
    except SyntaxError as exc:
        raise _syntax_error(exc, data, fmt) from None
    except ValueError as exc:  # e.g. invalid UTF-8
        raise InputError(f"{fmt.label} cannot be read: {exc}") from None
    except MemoryError as exc:
        raise _token_too_large(exc, data, limits) from None
    return ParsedDump(triples, fmt, len(data), data)


def _checked(quads: Iterable[ox.Quad], max_literal_bytes: int) -> Iterator[ox.Triple]:
    """The quads' triples; a literal over ``max_literal_bytes`` stops the parse.

    :raise TooLargeError: a literal over the limit.
    """
    literal, quarter = ox.Literal, max_literal_bytes // 4
    for quad in quads:
        triple = quad.triple
        obj = triple.object
        if type(obj) is literal and len(obj.value) > quarter \
                and len(obj.value.encode("utf-8")) > max_literal_bytes:
            raise TooLargeError(
                f"a literal of {len(obj.value.encode('utf-8')):,} bytes on {quad.subject} "
                f"is over the limit of {max_literal_bytes:,} ({MAX_LITERAL_SETTING}): "
                "shorten it, or publish the text elsewhere and link to it",
                kind="too-large",
            )
        yield triple


_PARSER_BUFFER = re.compile(r"buffer maximal size of (\d+)")


def _token_too_large(exc: MemoryError, data: bytes, limits: Limits) -> InputError:
    """The refusal for pyoxigraph's ``MemoryError`` on a token over its buffer (a literal
    or IRI over 16 MiB), with the line of the first stretch that long between quotes or
    angle brackets (the parser does not say where).

    :raise MemoryError: ``exc`` again if it is not that (the process is out of memory).
    """
    m = _PARSER_BUFFER.search(str(exc))
    if m is None:
        raise exc
    buffer = int(m.group(1))
    line = column = None
    long = re.search(rb'(?:^|(?<=["\'<>]))[^"\'<>]{%d}' % (buffer // 2), data)
    if long:
        line, column = position(data[: long.start()].decode("utf-8", "replace"), long.start())
    return TooLargeError(
        f"a literal or IRI is over {buffer:,} bytes, the most the parser can hold; literals may "
        f"have at most {limits.max_literal_bytes:,} bytes ({MAX_LITERAL_SETTING}): shorten it, "
        "or publish the text elsewhere and link to it",
        line, column, kind="too-large",
    )
