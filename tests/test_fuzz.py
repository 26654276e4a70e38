"""Fuzzing (issue 17, item 6): property-based tests (Hypothesis) of the parse guards and the
upload API, fed real dumps mutated byte by byte and random bytes. Whatever arrives: a
specific refusal (an InputError, a 4xx with a message), never another exception, never a
500, and a refused upload leaves the store as it was.

A bounded run in CI (``FUZZ_EXAMPLES``, default 60 per property, no deadline: the machine
may be busy); ``make fuzz`` runs 2,000 per property.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.app import Catalogue
from catalogue.ingest.errors import InputError
from catalogue.ingest.parse import parse_dump
from catalogue.settings import load_settings
from webapp import create_app

DATA = Path(__file__).parent / "data"
# real dumps: Turtle, Joinup's federation test files (RDF/XML), N-Triples; JSON-LD made below
SEEDS = [DATA / "ingest" / "two-solutions.ttl", DATA / "joinup" / "federation_valid_adms.rdf",
         DATA / "joinup" / "federation_invalid_adms.rdf", DATA / "w3c-protocol" / "data1.nt"]
SEED_BYTES = [p.read_bytes() for p in SEEDS]
SEED_BYTES.append(ox.serialize(ox.parse(SEED_BYTES[0], format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.JSON_LD))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("FUZZ_RANDOM") is None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
FORMATS = [None, "ttl", "nt", "nq", "trig", "rdf", "jsonld", "application/ld+json", "text/turtle"]


@st.composite
def mutated(draw) -> bytes:
    """A real dump with a few bytes flipped, cut, duplicated or inserted (XML/JSON specials
    included: entities, deep nesting, quotes)."""
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "dup":
            data[at:at] = data[at:at + draw(st.integers(1, 400))] * draw(st.integers(1, 20))
        else:
            data[at:at] = draw(st.sampled_from([
                b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b"&a;&a;", b"[" * 300, b"{\"@context\": ", b"\"\"\"",
                b"\x00", b"\xff\xfe", b"@prefix : <", b"_:b", b"<<", b"\\u0000", b"\r\n", "é".encode()]))
    return bytes(data)


ANY_BYTES = st.one_of(mutated(), st.binary(max_size=4096))


@FUZZ
@given(data=ANY_BYTES, fmt=st.sampled_from(FORMATS))
def test_the_parse_guards_refuse_or_parse_never_crash(data, fmt):
    try:
        parse_dump(data, format=fmt, filename=None)
    except InputError as exc:  # TooLargeError is one too
        assert str(exc)  # a message a person can act on


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    store = tmp_path_factory.mktemp("fuzz") / "store"
    catalogue = Catalogue(load_settings({}, store=str(store), shacl_engine="turbo"))
    catalogue.publishing.register_source("fuzz", "Fuzz")
    assert catalogue.publishing.ingest("fuzz", SEED_BYTES[0], format="ttl").stored
    _token, secret = catalogue.accounts.create_token("fuzz")
    app = create_app(catalogue.settings, catalogue=catalogue)
    yield app.test_client(), {"Authorization": f"Bearer {secret}"}, catalogue
    catalogue.close()


@FUZZ
@given(data=ANY_BYTES, media=st.sampled_from(["text/turtle", "application/rdf+xml", "application/ld+json",
                                               "application/n-triples", "application/octet-stream",
                                               "text/plain", "application/gzip"]),
       mode=st.sampled_from(["strict", "partial", "bogus"]))
def test_the_upload_api_answers_every_body_and_a_refusal_changes_nothing(api, data, media, mode):
    client, auth, catalogue = api
    before = catalogue.publishing.source("fuzz")
    r = client.post(f"/api/sources/fuzz/dumps?mode={mode}", data=data, headers={**auth, "Content-Type": media})
    assert r.status_code < 500, r.get_data(as_text=True)[:300]
    if r.status_code >= 400:
        assert r.is_json and r.get_json()["error"]["message"] if r.status_code != 422 else r.is_json
        assert catalogue.publishing.source("fuzz") == before  # the store as it was
    else:
        assert r.status_code in (201, 202)
