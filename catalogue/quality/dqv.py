"""Scores as W3C DQV: the triples of a source's quality graph, and measurements read back.

Per solution a ``dqv:QualityMeasurement`` per dimension and one for the total, each with
``dqv:computedOn`` the solution, ``dqv:isMeasurementOf`` a metric of the quality vocabulary
(``catalogue/vocab/quality-metrics.ttl``, ``q:findability`` ... ``q:total``),
``dqv:value`` an ``xsd:integer`` and ``prov:generatedAtTime``; a dimension's measurement
names the criteria the solution lacks (``q:lacks q:keywords``). Measurement IRIs are minted
under the base URI per source and record (``quality/{slug}/{digest}/{metric}``), so the
same record described by two sources has two sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import pyoxigraph as ox

from catalogue.graphs import Graphs
from catalogue.quality.table import BY_CODE, DIMENSIONS, Score

DQV = "http://www.w3.org/ns/dqv#"
Q = "https://catalogue.example.org/def/quality#"
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_MEASUREMENT = ox.NamedNode(DQV + "QualityMeasurement")
_COMPUTED_ON = ox.NamedNode(DQV + "computedOn")
_OF = ox.NamedNode(DQV + "isMeasurementOf")
_VALUE = ox.NamedNode(DQV + "value")
_AT = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
_LACKS = ox.NamedNode(Q + "lacks")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def metric(name: str) -> ox.NamedNode:
    """A metric of the quality vocabulary: a dimension's name or 'total'."""
    return ox.NamedNode(Q + name)


def measurement_triples(graphs: Graphs, slug: str, scores: Iterable[Score], at: datetime) -> Iterator[ox.Triple]:
    """The quality graph of one source: its solutions' measurements."""
    when = ox.Literal(at.isoformat(), datatype=_DATETIME)
    for score in scores:
        record = ox.NamedNode(score.record)
        values = [*((d, score.dimensions[d]) for d in DIMENSIONS), ("total", score.total)]
        for name, value in values:
            m = graphs.quality_measurement(slug, score.record, name)
            yield ox.Triple(m, _TYPE, _MEASUREMENT)
            yield ox.Triple(m, _COMPUTED_ON, record)
            yield ox.Triple(m, _OF, metric(name))
            yield ox.Triple(m, _VALUE, ox.Literal(str(value), datatype=_INTEGER))
            yield ox.Triple(m, _AT, when)
            for code in score.lost:
                if BY_CODE[code].dimension == name:
                    yield ox.Triple(m, _LACKS, ox.NamedNode(Q + code))
