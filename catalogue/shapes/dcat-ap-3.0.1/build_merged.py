"""Merge DCAT-AP 3.0.1's two SHACL files into one pySHACL can run.

``dcat-ap-SHACL.ttl`` refers to property shapes defined only in ``ranges.ttl``; even merged,
a few ``sh:property`` references point at shapes defined nowhere, and pySHACL aborts on
them. This drops exactly those dangling references (listed in the output header).
Run: ``python shapes/dcat-ap-3.0.1/build_merged.py``.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import SH

HERE = Path(__file__).resolve().parent


def main() -> None:
    g = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        g.parse(HERE / name, format="turtle")
    dangling = sorted(
        (s, o) for s, o in g.subject_objects(SH.property) if not list(g.predicate_objects(o))
    )
    for s, o in dangling:
        g.remove((s, SH.property, o))
    header = "".join(f"#   {s} sh:property {o}\n" for s, o in dangling)
    text = g.serialize(format="turtle")
    (HERE / "DERIVED_dcat-ap-3.0.1-merged.ttl").write_text(
        "# DERIVED: dcat-ap-SHACL.ttl + ranges.ttl (SEMICeu/DCAT-AP releases/3.0.1/shacl,\n"
        "# commit 7c531da7f154794da620fd0e57a3e8afe0286c0f, CC-BY-4.0), merged by build_merged.py,\n"
        f"# with these {len(dangling)} dangling references removed:\n" + header + text
    )
    print(f"{len(g)} triples, {len(dangling)} dangling references removed")


if __name__ == "__main__":
    main()
