"""The public snapshot of the /sparql workers (catalogue/endpoint/workers.py): the public graphs
alone, queried on the union default graph, answer exactly as the checkpoint with the public
graphs listed, and hold nothing private."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.settings import load_settings

GOOD = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
    "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> } ORDER BY ?s",
    # the solution the 'other' source sent without a contact point is quarantined: private
    "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
    "FILTER (CONTAINS(STR(?s), 'other.example.org/solution-2')) }",
    # an account lives in the private accounts graph
    "ASK { { ?s ?p \"Ada Lovelace\" } UNION { GRAPH ?g { ?s ?p \"Ada Lovelace\" } } }",
]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    store = tmp_path_factory.mktemp("snapshot") / "store"
    c = Catalogue(load_settings({}, store=str(store), sparql_workers=1))
    c.publishing.init(demo=False)
    c.accounts.add_user("ada", "correct horse battery staple", name="Ada Lovelace")
    assert c.store.ask('ASK { GRAPH ?g { ?s ?p "Ada Lovelace" } }')  # in the store, private
    assert c.publishing.ingest("example", GOOD.read_bytes(), filename="x.ttl").stored
    other = GOOD.read_bytes().replace(b"http://repo.example.org/", b"http://other.example.org/")
    other = other.replace(b"  dcat:contactPoint ex:contact ;\n  dct:type <http://data.europa.eu/dr8/DataExchangeService>",
                          b"  dct:type <http://data.europa.eu/dr8/DataExchangeService>")
    report = c.publishing.ingest("other", other, filename="x.ttl", mode="partial")
    assert report.stored and report.rejected >= 1
    yield c
    c.close()


def ask(c: Catalogue, text: str) -> object:
    answer = c.endpoint.query(text, results_format="application/sparql-results+json",
                            graph_format="text/turtle")
    return json.loads(answer.body)


def jobs_of(c: Catalogue, monkeypatch) -> list:
    seen = []
    run = c.endpoint._workers.run

    def spy(job):
        seen.append(job)
        return run(job)

    monkeypatch.setattr(c.endpoint._workers, "run", spy)
    return seen


def test_the_public_snapshot_answers_as_the_checkpoint_does(catalogue, monkeypatch):
    c = catalogue
    ask(c, "ASK {}")  # starts the workers: the first queries read the checkpoint
    jobs = jobs_of(c, monkeypatch)
    token = c.data_version().token
    before = [ask(c, q) for q in QUERIES]
    assert c.endpoint._workers.wait_public(token, 60), "the public snapshot was not ready in 60 s"
    after = [ask(c, q) for q in QUERIES]
    assert after == before
    assert before[3]["boolean"] is False and before[4]["boolean"] is False
    assert int(before[0]["results"]["bindings"][0]["n"]["value"]) > 1000
    assert [j.union for j in jobs[-len(QUERIES):]] == [True] * len(QUERIES)


def test_it_holds_the_public_graphs_alone(catalogue):
    c = catalogue
    token = c.data_version().token
    ask(c, "ASK {}")
    assert c.endpoint._workers.wait_public(token, 60)
    path = c.endpoint._workers.snapshot(token).path
    assert path.endswith("-public")
    copy = ox.Store.read_only(path)
    # the public graphs that hold something (a source without solutions, such as the bundled
    # standards, has a quality graph named in the public list but never written)
    public = {g.value for g in c.public_graphs() if c.store.count(g)}
    assert {g.value for g in copy.named_graphs()} == public
    assert len(copy) == sum(c.store.count(ox.NamedNode(g)) for g in public)
    del copy


def test_a_query_naming_its_dataset_lists_the_graphs(catalogue, monkeypatch):
    c = catalogue
    ask(c, "ASK {}")
    assert c.endpoint._workers.wait_public(c.data_version().token, 60)
    jobs = jobs_of(c, monkeypatch)
    vocab = "https://catalogue.example.org/graph/vocab/eira-v4"
    ask(c, "SELECT * FROM <" + vocab + "> WHERE { ?s ?p ?o } LIMIT 1")  # noqa: S608 - a test query
    c.endpoint.query("ASK { ?s ?p ?o }", results_format="application/sparql-results+json",
                   graph_format="text/turtle", default_graph_uris=[vocab])
    # a FROM in a string or a comment is no dataset clause
    ask(c, 'SELECT ?x WHERE { BIND("FROM <x>" AS ?x) } # FROM NAMED <y>')
    assert [j.union for j in jobs] == [False, False, True]
    assert jobs[0].default_graphs == jobs[1].default_graphs == (vocab,)
    assert jobs[0].named_graphs == jobs[1].named_graphs == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * WHERE { ?s ?p ?o }", None),
    ("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }",
     (["http://g/1"], ["http://g/2"])),
    ("PREFIX g: <http://g/> SELECT * FROM g:1 FROM named g:2 FROM NAMED <3> WHERE {}",
     (["http://g/1"], ["http://g/2", "http://base/3"])),
    ("BASE <http://other/> ASK FROM <x> {}", (["http://other/x"], [])),
    ('SELECT * WHERE { ?s ?p "FROM <http://g/1>" } # FROM <http://g/2>', None),
    ("SELECT ?from WHERE { ?from ?p ?o }", None),
])
def test_a_querys_own_dataset_is_read_from_its_text(text, expected):
    from catalogue.endpoint.checks import dataset_clause

    assert dataset_clause(text, "http://base/") == expected


def test_a_new_data_version_gets_its_own_snapshot(catalogue):
    c = catalogue
    ask(c, "ASK {}")
    first = c.data_version().token
    assert c.endpoint._workers.wait_public(first, 60)
    changed = GOOD.read_bytes().replace(b"Open e-Invoicing Gateway\"@en", b"Renamed gateway\"@en", 1)
    assert c.publishing.ingest("example", changed, filename="x.ttl").stored
    second = c.data_version().token
    assert second != first
    q = 'ASK { ?s ?p "Renamed gateway"@en }'
    assert ask(c, q)["boolean"] is True  # at once, from the new checkpoint
    assert c.endpoint._workers.wait_public(second, 60)
    assert ask(c, q)["boolean"] is True


@pytest.mark.parametrize("store", ["remote", "virtuoso"], indirect=True)
def test_a_remote_stores_public_copy_keeps_each_blank_node_one_node(store, tmp_path, monkeypatch):
    """The copy of a remote store's public graphs is loaded in batches, each naming blank
    nodes afresh: a blank node's triples must land in one (here one triple a batch)."""
    from catalogue.endpoint import workers

    graph = ox.NamedNode("http://example.org/graph/public")
    node, s = ox.BlankNode(), ox.NamedNode("http://example.org/s")
    store.write_graph(graph, [ox.Triple(s, ox.NamedNode("http://example.org/p"), node),
                              ox.Triple(s, ox.NamedNode("http://example.org/title"), ox.Literal("plain")),
                              ox.Triple(node, ox.NamedNode("http://example.org/q"), ox.Literal("deep"))])

    class Shared:  # the test's store, left open for its fixture
        def iter_triples(self, g):
            return store.iter_triples(g)

        def close(self):
            pass

    monkeypatch.setattr(workers, "open_store", lambda settings: Shared())
    monkeypatch.setattr(workers, "COPY_BATCH", 1)
    workers._copy_remote_graphs(load_settings({}, store=str(tmp_path / "unused")), str(tmp_path / "copy"),
                                (graph.value,))
    copy = ox.Store(str(tmp_path / "copy"))
    found = [r["v"].value for r in copy.query(
        "SELECT ?v WHERE { GRAPH ?g { <http://example.org/s> <http://example.org/p> ?b . ?b ?q ?v } }")]
    assert found == ["deep"] and len(copy) == 3
