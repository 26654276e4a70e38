"""Saved updates (catalogue/updates.py): parameters are checked, and bound as terms."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalogue import updates
from catalogue.queries import ParameterError, QueryError, UnknownQuery

G = ox.NamedNode("http://example.org/graph")
T = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
              ox.Literal("o"))


def test_an_update_is_run_by_name_with_terms():
    store = ox.Store()

    class Recorder:
        def update(self, text: str) -> None:
            store.update(text)

    updates.run(Recorder(), "graph_insert", graph=G, data=[T])  # type: ignore[arg-type]
    assert [q.triple for q in store] == [T] and {q.graph_name for q in store} == {G}


@pytest.mark.parametrize("values, param", [
    ({"data": [T]}, "graph"),  # missing
    ({"graph": G, "data": [T], "other": G}, "other"),  # unknown
    ({"graph": "http://example.org/graph", "data": [T]}, "graph"),  # text, not a term
    ({"graph": ox.Literal("g"), "data": [T]}, "graph"),  # a literal for an IRI
    ({"graph": G, "data": T}, "data"),  # one triple, not a list
    ({"graph": G, "data": [G]}, "data"),  # a list of IRIs, not of triples
])
def test_a_parameter_missing_unknown_or_of_another_type_is_refused(values, param):
    with pytest.raises(ParameterError) as info:
        updates.text("graph_insert", **values)
    assert info.value.param == param


def test_a_list_parameter_takes_terms_of_its_type_only():
    with pytest.raises(ParameterError, match="IRIs"):
        updates.text("harvest_clear", registry=G, source=G, predicate=[ox.Literal("p")])
    text = updates.text("harvest_clear", registry=G, source=G, predicate=[G])
    assert f"VALUES ?predicate {{ {G} }}" in text and "#+" not in text


def test_an_unknown_update_is_named_in_the_error():
    with pytest.raises(UnknownQuery, match="graph_insert"):
        updates.get("no_such_update")


def test_a_template_with_an_unused_parameter_or_a_stray_marker_does_not_load(tmp_path):
    unused = tmp_path / "unused.ru"
    unused.write_text("#+ title: t\n#+ param: graph iri g\n#+ param: data triples d\n"
                      "INSERT DATA { GRAPH ?graph { } }\n")
    with pytest.raises(QueryError, match="data is never used"):
        updates.parse_update_file(unused)
    stray = tmp_path / "stray.ru"
    stray.write_text("#+ title: t\n#+ param: graph iri g\n"
                     "INSERT DATA { GRAPH ?graph {\n#+ triples graph\n} }\n")
    with pytest.raises(QueryError, match="names no triples parameter"):
        updates.parse_update_file(stray)
