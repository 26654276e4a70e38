"""The bundled SPDX licence list summary (the ``spdx`` vocabulary): a current release, with
the flags the licence pages and the classification read."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from catalogue.vocab import vocabularies

SPDX = "http://spdx.org/licenses/"
TERMS = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def spdx() -> dict[str, dict[str, object]]:
    """{id: {'type': ..., 'name': ..., flag: bool}}"""
    v = next(v for v in vocabularies() if v.name == "spdx")
    out: dict[str, dict[str, object]] = {}
    for q in ox.parse(path=str(v.file), format=ox.RdfFormat.TURTLE):
        entry = out.setdefault(q.subject.value[len(SPDX):], {})
        p, o = q.predicate.value, q.object
        if p.endswith("#type"):
            entry["type"] = o.value[len(TERMS):]
        elif isinstance(o, ox.Literal) and o.datatype.value.endswith("#boolean"):
            entry[p[len(TERMS):]] = o.value == "true"
        else:
            entry[p[len(TERMS):]] = o.value
    return out


def test_the_file_the_title_and_the_version_agree():
    v = next(v for v in vocabularies() if v.name == "spdx")
    version = re.search(r"spdx-licences-(\d+\.\d+)\.DERIVED\.ttl", v.file.name)
    assert version and float(version.group(1)) >= 3.29, v.file.name
    assert version.group(1) in v.title and v.licence == "CC-BY-3.0"


def test_licences_and_exceptions_have_a_name_and_flags(spdx):
    licences = {k: e for k, e in spdx.items() if e["type"] == "ListedLicense"}
    exceptions = {k: e for k, e in spdx.items() if e["type"] == "LicenseException"}
    assert len(licences) >= 700 and len(exceptions) >= 80
    assert all(e.get("name") and "isDeprecatedLicenseId" in e for e in spdx.values())
    assert all("isOsiApproved" in e for e in licences.values())


@pytest.mark.parametrize("sid,osi,fsf,deprecated", [
    ("EUPL-1.2", True, True, False), ("MIT", True, True, False), ("GPL-2.0+", True, True, True),
    ("GPL-2.0-or-later", True, True, False), ("etalab-2.0", False, False, False),
    ("DL-DE-BY-2.0", False, False, False), ("CC-BY-4.0", False, True, False),
])
def test_flags_of_well_known_licences(spdx, sid, osi, fsf, deprecated):
    e = spdx[sid]
    assert (e["isOsiApproved"], bool(e.get("isFsfLibre")), e["isDeprecatedLicenseId"]) == (osi, fsf, deprecated)


def test_exceptions_are_there(spdx):
    assert spdx["Classpath-exception-2.0"]["type"] == "LicenseException"
