"""Reading dumps: formats, parse errors with positions, and hostile input refused before
it can hurt (each refusal is a clear InputError; nothing reaches the store)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.ingest.errors import InputError, TooLargeError
from catalogue.ingest.parse import Limits, choose_format, parse_dump, sniff

BROKEN = Path(__file__).parent / "data" / "broken"
TTL = b'@prefix dct: <http://purl.org/dc/terms/> .\n<http://ex.org/a> dct:title "A"@en .\n'


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (TTL, "ttl"),
        (b'<http://ex.org/a> <http://purl.org/dc/terms/title> "A" .\n', "nt"),
        (b'<http://ex.org/a> <http://purl.org/dc/terms/title> "A" <http://ex.org/g> .\n', "nq"),
        (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "rdf"),
        (b'{"@id": "http://ex.org/a", "http://purl.org/dc/terms/title": "A"}', "jsonld"),
        (b"@prefix ex: <http://ex.org/> .\nex:g { ex:a ex:b ex:c . }\n", "trig"),
    ],
)
def test_sniffing_recognises_each_format(data, name):
    assert sniff(data).name == name


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({"format": "text/turtle"}, "ttl"), ({"filename": "dump.ttl.gz"}, "ttl"),
     ({"format": "application/rdf+xml; charset=utf-8"}, "rdf"), ({}, "ttl")],
)
def test_format_comes_from_media_type_then_extension_then_sniffing(kwargs, expected):
    assert choose_format(TTL, format=kwargs.get("format"), filename=kwargs.get("filename")).name == expected


def test_quad_formats_are_merged_into_triples():
    dump = parse_dump(b"@prefix ex: <http://ex.org/> .\nex:g { ex:a ex:b ex:c . }\nex:h { ex:a ex:b ex:c . }\n",
                      format="trig")
    assert len(dump.triples) == 1


def test_gzip_is_accepted():
    assert len(parse_dump(gzip.compress(TTL), filename="x.ttl.gz").triples) == 1


def test_unknown_format_names_the_known_ones():
    with pytest.raises(InputError, match="use one of: ttl"):
        parse_dump(TTL, format="text/plain")


def test_empty_input_is_an_error():
    with pytest.raises(InputError, match="empty"):
        parse_dump(b"  \n")


def test_turtle_error_has_line_and_column():
    with pytest.raises(InputError) as err:
        parse_dump(b'@prefix ex: <http://ex.org/> .\nex:a ex:b "ok" .\nex:a ex:b <bad iri> .\n')
    assert (err.value.line, err.value.column) == (3, 11)
    assert "Invalid IRI code point" in err.value.message


@pytest.mark.parametrize(
    ("name", "line", "column", "words"),
    [
        ("adms_skos_v2.00_controlled_vocabularies.ttl", 29, 24, "not a valid predicate"),
        ("adms_skos_v2.00_controlled_vocabularies.rdf", 47, 3, "Unknown prefix adms:"),
        ("adms-ap_2.0.2_rdf_schema.ttl", 34, 5, "prefix dcterms: has not been declared"),
        ("adms_sw_v1.00_vocabulary.rdf", 111, 36, "Invalid IRI code point"),
        ("example-bee-population-dataset-series-api.ttl", 20, 31, "'/' is not allowed"),
    ],
)
def test_broken_upstream_files_give_line_and_column(name, line, column, words):
    with pytest.raises(InputError) as err:
        parse_dump((BROKEN / name).read_bytes(), filename=name)
    assert (err.value.line, err.value.column) == (line, column)
    assert words in err.value.message
    assert len(err.value.message) < 400


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="http://ex.org/a"><rdf:value>&c;</rdf:value></rdf:Description>
</rdf:RDF>"""


def test_rdfxml_entity_expansion_bomb_is_refused_with_position():
    with pytest.raises(InputError) as err:
        parse_dump(BOMB)
    assert err.value.kind == "refused"
    assert "entities" in err.value.message
    assert err.value.line == 4


def test_rdfxml_external_entity_is_refused():
    data = BOMB.replace(b'<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">',
                        b'<!ENTITY a SYSTEM "file:///etc/passwd">')
    with pytest.raises(InputError, match="refused"):
        parse_dump(data)


def test_rdfxml_plain_namespace_entities_are_expanded():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY dct "http://purl.org/dc/terms/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="&dct;">
<rdf:Description rdf:about="http://ex.org/a"><dct:title>T</dct:title>
<rdf:type rdf:resource="&dct;Agent"/></rdf:Description>
</rdf:RDF>"""
    types = {str(t.object) for t in parse_dump(data).triples}
    assert "<http://purl.org/dc/terms/Agent>" in types


@pytest.mark.parametrize("context", ['"http://example.org/context.jsonld"', '"file:///etc/passwd"',
                                     '["https://w3id.org/x", {"a": "b"}]'])
def test_jsonld_remote_contexts_are_refused_not_fetched(context):
    data = ('{"@context": ' + context + ', "@id": "http://ex.org/a"}').encode()
    with pytest.raises(InputError, match="contexts are never fetched"):
        parse_dump(data, format="jsonld")


def test_jsonld_inline_context_is_fine():
    data = b'{"@context": {"title": "http://purl.org/dc/terms/title"}, "@id": "http://ex.org/a", "title": "A"}'
    assert len(parse_dump(data, format="jsonld").triples) == 1


def test_deeply_nested_json_is_refused_before_the_parser_sees_it():
    """pyoxigraph 0.5.13 segfaults on JSON-LD nested ~4,000 deep: run the real CLI in a
    subprocess so a crash would show as a signal, not take the test run down."""
    depth = 5000
    data = ('{"@id": "http://ex.org/a", "http://ex.org/p": ' + "[" * depth + '"x"' + "]" * depth + "}").encode()
    proc = subprocess.run([sys.executable, "-m", "catalogue_cli", "validate", "-", "--format", "jsonld"],
                          input=data, capture_output=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert b"nested more than" in proc.stdout


def test_oversized_file_is_refused():
    with pytest.raises(TooLargeError):
        parse_dump(TTL * 100, limits=Limits(max_bytes=1000))


def test_gzip_bomb_is_stopped_while_inflating():
    bomb = gzip.compress(b"#" * 50_000_000)
    with pytest.raises(TooLargeError, match="decompressed"):
        parse_dump(bomb, limits=Limits(max_bytes=1_000_000))


def test_oversized_literal_is_refused_naming_the_subject():
    data = b'<http://ex.org/a> <http://ex.org/p> "' + b"x" * 5000 + b'" .\n'
    with pytest.raises(TooLargeError, match="http://ex.org/a"):
        parse_dump(data, limits=Limits(max_literal_bytes=4000))


def test_invalid_utf8_is_an_input_error():
    with pytest.raises(InputError):
        parse_dump(b'<http://ex.org/a> <http://ex.org/p> "\xff\xfe" .\n', format="nt")
