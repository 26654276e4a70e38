"""Re-harvests at the speed of the change (issue 17, item 4): a record whose canonical
content did not change since the source's current version is not validated again, and an
unchanged dump reuses the current version instead of writing a copy. Behaviour, not timings
(bench/ingest.py measures those)."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.ingest import shacl, verdicts
from catalogue.ingest.records import RecordIndex, canonical_hash
from catalogue.settings import load_settings
from catalogue.store import EmbeddedStore

EX = "http://repo.example.org/"
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://repo.example.org/> .
"""
SOLUTIONS = 30


def solution(n: int, title: str | None = None) -> str:
    """A solution with a release, a distribution and a checksum (a blank node)."""
    return f"""
ex:solution-{n} a dcat:Dataset, adms:Asset ;
  dct:title "{title or f'Solution number {n}'}"@en ;
  dct:description "A solution that does something useful for public administrations, number {n}."@en ;
  dct:publisher ex:agency ;
  dcat:contactPoint ex:contact ;
  dct:type <http://data.europa.eu/dr8/DataExchangeService> ;
  dct:hasVersion ex:solution-{n}-v1 .
ex:solution-{n}-v1 a dcat:Dataset ;
  dct:title "Solution {n} 1.0"@en ;
  dct:description "First release."@en ;
  dct:publisher ex:agency ;
  dcat:contactPoint ex:contact ;
  dct:isVersionOf ex:solution-{n} ;
  owl:versionInfo "1.0" ;
  dcat:distribution ex:solution-{n}-v1-zip .
ex:solution-{n}-v1-zip a dcat:Distribution ;
  dcat:accessURL <https://code.example.org/{n}.zip> ;
  dct:license ex:eupl ;
  spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha1 ;
                  spdx:checksumValue "{n:040d}" ] .
"""


def dump(titles: dict[int, str] | None = None, extra: int = 0, agent_name: bool = True,
         solution_2_typed: bool = True) -> bytes:
    titles = titles or {}
    members = ", ".join(f"ex:solution-{n}" for n in range(1, SOLUTIONS + 1 + extra))
    parts = [PREFIXES, f"""
ex:collection a dcat:Catalog ;
  dct:title "Example repository"@en ;
  dct:description "Solutions shared by the example administration."@en ;
  dct:publisher ex:agency ;
  dcat:dataset {members} .
ex:agency a foaf:Agent ;
  {'foaf:name "Example Digital Agency"@en ;' if agent_name else ''}
  dct:type <http://purl.org/adms/publishertype/NationalAuthority> .
ex:contact a vcard:Kind ;
  vcard:fn "Service desk" ;
  vcard:hasEmail <mailto:desk@example.org> .
ex:eupl a dct:LicenseDocument ;
  dct:type <http://purl.org/adms/licencetype/PublicDomain> .
<http://purl.org/adms/licencetype/PublicDomain> a skos:Concept ;
  skos:prefLabel "Public domain"@en ;
  skos:inScheme <http://purl.org/adms/licencetype/1.1> .
"""]
    parts += [solution(n, titles.get(n)) for n in range(1, SOLUTIONS + 1 + extra)]
    data = "".join(parts)
    if not solution_2_typed:
        data = data.replace("ex:solution-2 a dcat:Dataset, adms:Asset ;", "ex:solution-2 a foaf:Document ;")
    return data.encode()


RECORDS = SOLUTIONS + 1  # and the collection


@pytest.fixture
def catalogue(tmp_path):
    settings = load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo", keep_versions=1)
    c = Catalogue(settings, EmbeddedStore(tmp_path / "store"))
    c.publishing.register_source("example", "Example repository")
    yield c
    c.close()


def ingest(catalogue: Catalogue, data: bytes, **kwargs):
    report = catalogue.publishing.ingest("example", data, filename="x.ttl", **kwargs)
    return report


def diff_of(report) -> tuple[list, list, list]:
    return report.diff.added, report.diff.removed, report.diff.changed


def test_an_unchanged_reingest_validates_nothing_and_keeps_the_version(catalogue):
    first = ingest(catalogue, dump())
    assert first.stored and first.validated == RECORDS
    version = catalogue.publishing.source("example").version
    again = ingest(catalogue, dump())
    assert again.stored and again.validated == 0
    assert diff_of(again) == ([], [], [])
    assert again.as_json()["results"] == first.as_json()["results"]  # same findings, kept
    # a run is recorded, generating the version already current: no copy of it written
    runs = catalogue.publishing.runs("example")
    assert [r["outcome"] for r in runs] == ["stored", "stored"]
    assert catalogue.publishing.source("example").version == version
    assert catalogue.publishing.versions("example") == [version]
    detail = catalogue.publishing.run_detail("example", runs[0]["id"])
    assert detail.accepted == RECORDS and detail.report.diff.changed == []
    assert catalogue.reader.describe(EX + "solution-3")


def test_blank_node_labels_alone_count_as_unchanged():
    """The checksums are blank nodes: every parse names them anew, and explicit labels
    renamed change nothing either."""
    a = RecordIndex(_parse(dump()))
    b = RecordIndex(_parse(dump()))
    assert {r.iri: a.signature(r) for r in a.records} == {r.iri: b.signature(r) for r in b.records}
    nt = _nt("_:x", "_:y")
    assert canonical_hash(_parse_nt(nt)) == canonical_hash(_parse_nt(nt.replace(b"_:x", b"_:renamed")))
    # two blank nodes alike are still two; a blank node used twice is not a tree (RDFC-1.0)
    assert canonical_hash(_parse_nt(_nt("_:x", "_:y"))) != canonical_hash(_parse_nt(_nt("_:x", "_:x")))


def test_a_dump_with_renamed_blank_nodes_is_an_unchanged_reingest(catalogue):
    ingest(catalogue, dump())
    again = ingest(catalogue, dump())  # Turtle's [ ] get new labels in every parse
    assert again.validated == 0 and diff_of(again) == ([], [], [])


def test_a_changed_record_and_a_new_one_alone_are_validated(catalogue):
    ingest(catalogue, dump())
    report = ingest(catalogue, dump(titles={7: "Solution seven, renamed"}, extra=1))
    assert report.stored, report.as_text()
    # the new solution, the renamed one, and the collection (it lists one more dataset)
    assert report.validated == 3
    assert diff_of(report) == ([EX + f"solution-{SOLUTIONS + 1}"], [],
                               [EX + "collection", EX + "solution-7"])
    runs = catalogue.publishing.runs("example")
    detail = catalogue.publishing.run_detail("example", runs[0]["id"])
    title = [c for c in detail.changes if c.subject == EX + "solution-7"
             and c.property == "http://purl.org/dc/terms/title"]
    assert title and title[0].old == ("Solution number 7 @en",)
    assert title[0].new == ("Solution seven, renamed @en",)
    assert catalogue.publishing.source("example").version != runs[1]["id"]  # a new version


def test_a_record_invalid_only_because_another_changed_is_caught(catalogue):
    """The agent every record names loses its name; the collection links to a solution
    that stops being a dataset: records whose own triples did not change are validated
    again, as what they are validated from changed."""
    ingest(catalogue, dump())
    report = ingest(catalogue, dump(agent_name=False))
    assert not report.stored and report.validated == RECORDS
    assert all(not r.accepted for r in report.records)
    report = ingest(catalogue, dump(solution_2_typed=False))
    collection = next(r for r in report.records if r.iri == EX + "collection")
    assert not collection.accepted and not report.stored
    assert any("dataset" in (f.path or "") for f in collection.findings)


def test_a_change_of_shapes_forces_full_validation(catalogue, tmp_path, monkeypatch):
    ingest(catalogue, dump())
    copy = tmp_path / "shapes"
    shutil.copytree(shacl.SHAPES_DIR, copy)
    with (copy / "quality.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# the same shapes, another file: a new release of them\n")
    monkeypatch.setattr(shacl, "SHAPES_DIR", copy)
    report = ingest(catalogue, dump())
    assert report.stored and report.validated == RECORDS
    assert diff_of(report) == ([], [], [])
    assert ingest(catalogue, dump()).validated == 0  # then kept under the new shapes


def test_a_change_of_vocabulary_forces_full_validation(catalogue, tmp_path, monkeypatch):
    ingest(catalogue, dump())
    vocab = verdicts.vocabularies()[0]
    changed = tmp_path / vocab.file.name
    changed.write_bytes(vocab.file.read_bytes() + b"\n# a new release\n")
    monkeypatch.setattr(verdicts, "vocabularies",
                        lambda: (type(vocab)(**{**vocab.__dict__, "file": changed}),))
    assert ingest(catalogue, dump()).validated == RECORDS


def test_a_roll_back_and_pruning_keep_the_verdicts_with_their_version(catalogue):
    ingest(catalogue, dump())
    first = catalogue.publishing.source("example").version
    ingest(catalogue, dump(titles={3: "Three"}))
    catalogue.publishing.rollback("example", first)
    # the first version's verdicts came back with it: nothing to validate
    assert ingest(catalogue, dump()).validated == 0
    ingest(catalogue, dump(titles={4: "Four"}))
    ingest(catalogue, dump(titles={5: "Five"}))  # keep_versions=1: older versions go
    kept = set(catalogue.publishing.versions("example"))
    graphs = catalogue.graphs
    validation = {g.value.rsplit("/", 1)[-1] for g in catalogue.store.named_graphs()
                  if g.value.startswith(graphs.validation("example", "x").value[:-1])}
    assert validation == kept and len(kept) == 2


def test_partial_mode_reuses_the_verdict_of_an_unchanged_invalid_record(catalogue):
    broken = dump().replace(b'ex:solution-4-v1-zip a dcat:Distribution ;\n  dcat:accessURL <https://code.example.org/4.zip> ;',
                            b'ex:solution-4-v1-zip a dcat:Distribution ;')
    first = ingest(catalogue, broken, mode="partial")
    assert first.stored and first.rejected == 1
    again = ingest(catalogue, broken, mode="partial")
    assert again.stored and again.rejected == 1 and again.validated == 0
    assert again.as_json()["results"] == first.as_json()["results"]
    assert catalogue.publishing.source("example").version != first.activity.rsplit("/", 1)[-1]


def _parse(data: bytes):
    from catalogue.ingest.parse import parse_dump

    return parse_dump(data, filename="x.ttl").triples


def _nt(a: str, b: str) -> bytes:
    return (f"<http://x/s> <http://x/p> {a} .\n<http://x/s> <http://x/q> {b} .\n"
            f"{a} <http://x/v> \"1\" .\n").encode() + (f"{b} <http://x/v> \"1\" .\n".encode()
                                                       if a != b else b"")


def _parse_nt(data: bytes):
    from catalogue.ingest.parse import parse_dump

    return parse_dump(data, format="nt").triples


def test_on_every_backend_a_reingest_reuses_verdicts_and_lists_changes(store, settings):
    """The verdicts graph and the changed records' old triples (read by subject, with their
    blank nodes) come back the same from a remote store."""
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    assert c.publishing.ingest("example", dump(), filename="x.ttl").validated == RECORDS
    again = c.publishing.ingest("example", dump(), filename="x.ttl")
    assert again.validated == 0 and diff_of(again) == ([], [], [])
    changed = dump(titles={2: "Two"}).replace(b'spdx:checksumValue "' + b"0" * 39 + b'2"',
                                              b'spdx:checksumValue "' + b"f" * 40 + b'"')
    report = c.publishing.ingest("example", changed, filename="x.ttl")
    assert report.validated == 1 and diff_of(report) == ([], [], [EX + "solution-2"])
    detail = c.publishing.run_detail("example", c.publishing.runs("example")[0]["id"])
    changes = {(ch.subject.rsplit("›", 1)[-1].strip(), ch.old, ch.new) for ch in detail.changes}
    assert ("Two @en" in {v for _, _, new in changes for v in new})
    assert any(old == ("0" * 39 + "2",) and new == ("f" * 40,) for _, old, new in changes), changes


@pytest.fixture
def heads(monkeypatch):
    """What the write-ahead did in each run: the graphs it started writing, from what
    (``dump``: the bytes being parsed; ``records``) and whether the run published them
    (``finish`` True) or dropped them."""
    from catalogue.ingest import ahead

    seen: list[dict] = []
    start, start_dump = ahead.WriteAhead.start, ahead.WriteAhead.start_dump
    finish, discard = ahead.WriteAhead.finish, ahead.WriteAhead.discard

    def spy_start(self, index):
        if self._thread is None:
            seen.append({"graph": self.graph.value, "kept": None, "from": "records"})
        start(self, index)

    def spy_start_dump(self, data, fmt):
        start_dump(self, data, fmt)
        if self._thread is not None and (not seen or seen[-1]["graph"] != self.graph.value):
            seen.append({"graph": self.graph.value, "kept": None, "from": "dump"})

    def spy_finish(self, index, accepted):
        kept = finish(self, index, accepted)
        seen[-1]["kept"] = kept
        return kept

    def spy_discard(self):
        if self._thread is not None and seen and seen[-1]["graph"] == self.graph.value:
            seen[-1]["kept"] = False
        discard(self)

    monkeypatch.setattr(ahead.WriteAhead, "start", spy_start)
    monkeypatch.setattr(ahead.WriteAhead, "start_dump", spy_start_dump)
    monkeypatch.setattr(ahead.WriteAhead, "finish", spy_finish)
    monkeypatch.setattr(ahead.WriteAhead, "discard", spy_discard)
    return seen


def _graphs(catalogue: Catalogue) -> set[str]:
    return {g.value for g in catalogue.store.named_graphs()}


def _current(catalogue: Catalogue):
    return catalogue.graphs.source("example", catalogue.publishing.source("example").version)


def test_a_changed_dump_publishes_the_version_written_while_it_was_validated(catalogue, heads):
    """The new version is written from the first record known to differ on, alongside
    the validation, and published as is; an unchanged dump starts no write."""
    first = ingest(catalogue, dump())
    assert first.stored and len(heads) == 1 and heads[0]["kept"] is True
    assert heads[0]["graph"] == _current(catalogue).value
    ingest(catalogue, dump())
    assert len(heads) == 1  # unchanged: nothing written ahead
    changed = ingest(catalogue, dump(titles={9: "Solution nine, renamed"}))
    assert changed.stored and changed.validated == 1 and len(heads) == 2 and heads[1]["kept"] is True
    assert heads[1]["graph"] == _current(catalogue).value
    fresh = Catalogue(load_settings({}, store=str(catalogue.settings.store) + "-fresh", shacl_engine="turbo"),
                      EmbeddedStore(None))
    fresh.publishing.register_source("example", "Example repository")
    ingest(fresh, dump(titles={9: "Solution nine, renamed"}))
    assert len(catalogue.store.triples(_current(catalogue))) == len(fresh.store.triples(_current(fresh)))
    assert "Solution nine, renamed" in str(catalogue.store.triples(_current(catalogue)))
    fresh.close()


def test_a_refused_dump_leaves_no_graph_written_ahead(catalogue, heads):
    """A first ingest is written ahead at once; refused (strict), the graph is dropped
    and the store is as it was."""
    before = _graphs(catalogue)
    broken = dump(agent_name=False)
    report = ingest(catalogue, broken)
    assert not report.stored and heads and heads[0]["kept"] is False
    assert _graphs(catalogue) == before


def test_partial_mode_stores_only_accepted_records_though_all_were_written_ahead(catalogue, heads):
    broken = dump().replace(b'ex:solution-4-v1-zip a dcat:Distribution ;\n  dcat:accessURL <https://code.example.org/4.zip> ;',
                            b'ex:solution-4-v1-zip a dcat:Distribution ;')
    report = ingest(catalogue, broken, mode="partial")
    assert report.stored and report.rejected == 1 and heads[0]["kept"] is False
    graph = _current(catalogue)
    subjects = {t.subject.value for t in catalogue.store.triples(graph) if hasattr(t.subject, "value")}
    assert EX + "solution-4" not in subjects and EX + "solution-5" in subjects
    # the next run of a source that held a record back starts no write ahead (it would be redone)
    again = ingest(catalogue, broken.replace(b"Solution number 9", b"Solution nine"), mode="partial")
    assert again.stored and len(heads) == 1


def test_a_failed_write_ahead_fails_the_run_and_changes_nothing(catalogue, monkeypatch):
    from catalogue.store import StoreError

    ingest(catalogue, dump())
    before, version = _graphs(catalogue), catalogue.publishing.source("example").version
    real = catalogue.store.write_graph

    def failing(graph, triples):
        if "/graph/source/" in graph.value:
            raise StoreError("disk full")
        return real(graph, triples)

    def failing_load(graph, data, fmt):
        raise StoreError("disk full")

    monkeypatch.setattr(catalogue.store, "write_graph", failing)
    monkeypatch.setattr(catalogue.store, "load_graph", failing_load)
    with pytest.raises(StoreError, match="disk full"):
        ingest(catalogue, dump(titles={3: "Three"}))
    monkeypatch.undo()
    assert _graphs(catalogue) == before and catalogue.publishing.source("example").version == version


def test_a_new_dump_is_loaded_while_it_is_parsed_and_published_as_its_records(catalogue, heads):
    """A first ingest, and a dump not byte for byte the one the current version was made
    from, are loaded by the store from their bytes while Python parses them; the version
    published is the records' triples (blank nodes aside), as if they had been written."""
    from catalogue.ingest.parse import parse_dump

    assert ingest(catalogue, dump()).stored
    changed = dump(titles={9: "Solution nine, renamed"})
    assert ingest(catalogue, changed).stored
    assert [(h["from"], h["kept"]) for h in heads] == [("dump", True), ("dump", True)]
    index = RecordIndex(parse_dump(changed, filename="x.ttl").triples)
    stored = catalogue.store.triples(_current(catalogue))
    assert canonical_hash(stored) == canonical_hash(index.stored_triples(index.records))


def test_an_unchanged_dump_in_new_bytes_is_loaded_then_dropped(catalogue, heads):
    """Other bytes, same records: the load started at the parse is dropped, the current
    version stays current and no graph is left behind."""
    ingest(catalogue, dump())
    before, version = _graphs(catalogue), catalogue.publishing.source("example").version
    report = ingest(catalogue, b"# exported again\n" + dump())
    assert report.stored and report.validated == 0 and diff_of(report) == ([], [], [])
    assert [(h["from"], h["kept"]) for h in heads] == [("dump", True), ("dump", False)]
    assert catalogue.publishing.source("example").version == version
    assert {g for g in _graphs(catalogue) if "/graph/source/" in g} == \
        {g for g in before if "/graph/source/" in g}


def test_a_dump_with_triples_no_record_stores_is_written_from_its_records(catalogue, heads):
    """A blank node nothing points at belongs to no record: the dump as loaded holds it, so
    the load is dropped and the records alone are written."""
    stray = dump() + b'\n[] <http://repo.example.org/note> "stray" .\n'
    report = ingest(catalogue, stray)
    assert report.stored and heads[0]["from"] == "dump" and heads[0]["kept"] is False
    stored = catalogue.store.triples(_current(catalogue))
    assert "stray" not in {t.object.value for t in stored}
    assert EX + "solution-9" in {t.subject.value for t in stored}


def test_a_dump_the_store_cannot_load_ahead_is_written_from_its_records(catalogue, monkeypatch):
    """The head start failing is not the run failing: the records are written as before."""
    def refusing(graph, data, fmt):
        catalogue.store.write_graph(graph, _parse(b"@prefix ex: <http://x/> . ex:a ex:b ex:c ."))
        raise SyntaxError("the loader disagrees")

    monkeypatch.setattr(catalogue.store, "load_graph", refusing)
    report = ingest(catalogue, dump())
    assert report.stored
    stored = catalogue.store.triples(_current(catalogue))
    index = RecordIndex(_parse(dump()))
    assert canonical_hash(stored) == canonical_hash(index.stored_triples(index.records))


def test_no_load_ahead_of_a_dataset_format_or_on_a_store_that_loads_in_python(catalogue, tmp_path):
    """Graph names are merged by the parse, not by a load into one graph; a store whose
    loader is Python would slow the parse it runs beside."""
    import pyoxigraph as ox

    from catalogue.formats import rdf_format
    from catalogue.ingest.ahead import WriteAhead

    graph = ox.NamedNode(EX + "graph/ahead")
    with WriteAhead(catalogue.store, graph) as ahead:
        ahead.start_dump(b"<http://x/a> <http://x/b> <http://x/c> <http://x/g> .\n", rdf_format("nq"))
        assert ahead._thread is None
    catalogue.store.loads_natively = False
    with WriteAhead(catalogue.store, graph) as ahead:
        ahead.start_dump(dump(), rdf_format("ttl"))
        assert ahead._thread is None
    assert catalogue.store.count(graph) == 0


@pytest.fixture
def on_server(request, tmp_path):
    """The catalogue on a real Oxigraph server (which parses a posted document itself)."""
    from tests.conftest import backend_store

    store = backend_store(request, tmp_path, "remote")
    settings = load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo", keep_versions=1)
    c = Catalogue(settings, store)
    c.publishing.register_source("example", "Example repository")
    yield c
    store.update("DROP SILENT ALL")
    c.close()


def test_an_oxigraph_server_loads_a_new_dump_from_its_bytes_while_it_is_parsed(on_server, heads):
    """The dump is posted whole to the server's Graph Store endpoint (parsed there, in one
    document: its blank nodes stay one node each) and published as the records' triples;
    JSON-LD, whose processing differs between server versions, is not sent."""
    from catalogue.ingest.parse import parse_dump

    assert on_server.store.loads_natively
    assert ingest(on_server, dump()).stored
    changed = dump(titles={9: "Solution nine, renamed"})
    assert ingest(on_server, changed).stored
    assert [(h["from"], h["kept"]) for h in heads] == [("dump", True), ("dump", True)]
    index = RecordIndex(parse_dump(changed, filename="x.ttl").triples)
    stored = on_server.store.triples(_current(on_server))
    assert canonical_hash(stored) == canonical_hash(index.stored_triples(index.records))
    jsonld = ox.serialize(list(ox.parse(dump(titles={9: "Nine"}), format=ox.RdfFormat.TURTLE)),
                          format=ox.RdfFormat.JSON_LD)
    assert on_server.publishing.ingest("example", jsonld, filename="x.jsonld").stored
    assert heads[2]["from"] == "records"


def test_a_dump_a_server_reads_otherwise_is_written_from_its_records(on_server, heads, monkeypatch):
    """Another parser (another server version) may read the same bytes otherwise: a load
    whose triple count differs from this process's reading is dropped."""
    real = on_server.store.load_graph

    def reads_one_more(graph, data, fmt):
        real(graph, data, fmt)
        on_server.store.write_graph(graph, [ox.Triple(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "y"),
                                                      ox.Literal("read otherwise"))])
        return on_server.store.count(graph)

    monkeypatch.setattr(on_server.store, "load_graph", reads_one_more)
    report = ingest(on_server, dump())
    assert report.stored and heads[0] == {**heads[0], "from": "dump", "kept": False}
    stored = on_server.store.triples(_current(on_server))
    assert "read otherwise" not in {t.object.value for t in stored}
    index = RecordIndex(_parse(dump()))
    assert canonical_hash(stored) == canonical_hash(index.stored_triples(index.records))
