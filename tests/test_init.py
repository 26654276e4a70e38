"""`catalogue init`: every vocabulary in its own graph, the demo catalogue as source `demo`,
and a second run that changes nothing."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.store import EmbeddedStore
from catalogue.vocab import vocabularies


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    from catalogue.settings import load_settings

    settings = load_settings({}, store=str(tmp_path_factory.mktemp("init") / "store"))
    catalogue = Catalogue(settings, EmbeddedStore(settings.store))
    first = catalogue.publishing.init()
    yield catalogue, first
    catalogue.close()


def test_every_vocabulary_is_loaded_into_its_own_graph(initialised):
    catalogue, first = initialised
    names = [v.name for v in vocabularies()]
    assert names and all(first[n] == "loaded" for n in names)
    stats = catalogue.feeds.stats()
    for name in names:
        assert stats["vocabularies"][name] > 0, name


def test_the_demo_catalogue_is_loaded_and_conforms(initialised):
    catalogue, first = initialised
    assert first["demo"] == "loaded"
    demo = catalogue.feeds.stats()["sources"]["demo"]
    assert demo["records"] >= 300
    assert "demo" not in catalogue.feeds.stats()["quarantine"]


def test_a_second_init_changes_nothing(initialised):
    catalogue, _ = initialised
    before = set(catalogue.store.quads())
    again = catalogue.publishing.init()
    assert set(again.values()) == {"unchanged"}
    assert set(catalogue.store.quads()) == before


def test_both_eira_versions_dereference_from_the_store(initialised):
    catalogue, _ = initialised
    public = catalogue.public_dataset()
    for block in ("http://data.europa.eu/dr8/DataExchangeApplicationService",   # v6
                  "http://data.europa.eu/dr8/DataExchangeService"):              # v4
        assert catalogue.store.ask("ASK { ?block ?p ?o }", {"block": ox.NamedNode(block)},
                                   dataset=public), block
