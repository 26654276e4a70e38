"""The bundled demo catalogue (catalogue/data/demo-catalogue.ttl) and its generator (bench/generate.py).

The demo is what `catalogue init` loads and what a newcomer sees first: it must conform to
our shapes and to Joinup's own rules, be varied enough to show every feature (releases,
distributions, licences, several languages, both EIRA versions), and stay exactly what the
generator writes. The generator must be deterministic, and ``--broken K`` must give exactly
K invalid records, since benchmarks and partial-mode tests count on it.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.ingest.pipeline import validate_dump
from catalogue.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "catalogue" / "data" / "demo-catalogue.ttl"
GENERATOR = ROOT / "bench" / "generate.py"
RULES = Path(__file__).resolve().parent / "data" / "joinup" / "DERIVED_joinup-effective_adms-ap_rules.rq"
DEMO_NS = "https://demo.interop.example.eu/"
PREFIXES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
"""
# The EU's official languages as the Publications Office's language authority table
# (http://publications.europa.eu/resource/authority/language) codes and names them: the
# site names a solution's languages by this table, so the demo uses no other.
EU_LANGUAGES = {
    "BUL": "Bulgarian", "CES": "Czech", "DAN": "Danish", "DEU": "German", "ELL": "Greek",
    "ENG": "English", "EST": "Estonian", "FIN": "Finnish", "FRA": "French", "GLE": "Irish",
    "HRV": "Croatian", "HUN": "Hungarian", "ITA": "Italian", "LAV": "Latvian", "LIT": "Lithuanian",
    "MLT": "Maltese", "NLD": "Dutch", "POL": "Polish", "POR": "Portuguese", "RON": "Romanian",
    "SLK": "Slovak", "SLV": "Slovenian", "SPA": "Spanish", "SWE": "Swedish",
}
ROLE_MAILBOXES = {"servicedesk", "interop", "opendata"}  # a service's address, not a person's
# what NFKD does not take apart into an ASCII letter and accents
NOT_DECOMPOSED = str.maketrans({"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "đ": "d", "œ": "oe"})
VERSION = re.compile(r"(?<![\w.])\d+(?:\.\d+)+(?![\w.]*\d)")  # 2.0, 1.0.6; not EN 16931


def generate(tmp_path: Path, *args: str, name: str = "out") -> tuple[bytes, str]:
    """Run the generator as bench/ingest.py does; (output bytes, standard error)."""
    out = tmp_path / name
    proc = subprocess.run([sys.executable, str(GENERATOR), *args, "--out", str(out)],
                          capture_output=True, text=True, timeout=60, check=True)
    return out.read_bytes(), proc.stderr


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings({}, store=str(tmp_path_factory.mktemp("demo") / "store"), shacl_engine="turbo")


@pytest.fixture(scope="module")
def demo() -> ox.Store:
    store = ox.Store()
    store.load(DEMO.read_bytes(), format=ox.RdfFormat.TURTLE)
    return store


def generator_module():
    """bench/generate.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ascii_name(name: str) -> str:
    """The name as an address's local part: our own oracle, apart from the generator's."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(NOT_DECOMPOSED))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return ".".join(re.findall(r"[a-z0-9]+", plain))


def count(store: ox.Store, where: str) -> int:
    rows = list(store.query(PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"))
    return int(rows[0]["n"].value)


def test_the_demo_catalogue_conforms_with_few_warnings(settings):
    result = validate_dump(DEMO.read_bytes(), filename=DEMO.name, settings=settings)
    report = result.report
    assert report.error is None
    violations = [f for f in report.findings if f.severity == "Violation"]
    assert violations == [], violations[:3]
    assert report.conforms and report.rejected == 0
    solutions = sum(1 for r in report.records if r.kind == "solution")
    warnings = [f for f in report.findings if f.severity == "Warning"]
    assert len(warnings) <= solutions // 10, f"{len(warnings)} warnings"


def test_the_demo_catalogue_raises_none_of_joinups_rules():
    graph = "https://demo.interop.example.eu/graph"
    store = ox.Store()
    store.load(DEMO.read_bytes(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    rows = list(store.query(RULES.read_text().replace("@@@TOKEN-GRAPH@@@", graph)))
    assert [(str(r["Rule_ID"]), str(r["Message"])) for r in rows] == []


def test_the_demo_catalogue_has_enough_of_everything(demo):
    solutions = "?x a dcat:Dataset FILTER NOT EXISTS { ?x dct:isVersionOf ?s }"
    assert count(demo, solutions) >= 300
    assert count(demo, "?c a dcat:Catalog ; dcat:dataset ?d . BIND(?c AS ?x)") >= 10
    assert count(demo, "?x a dcat:Dataset ; dct:isVersionOf ?s ; owl:versionInfo ?v") >= 200
    assert count(demo, "?x a dcat:Distribution ; dcat:accessURL ?u ; dct:license ?l") >= 300
    assert count(demo, "?x a dct:LicenseDocument ; owl:sameAs ?spdx "
                       "FILTER STRSTARTS(STR(?spdx), 'http://spdx.org/licenses/')") >= 10
    assert count(demo, "?x a <http://xmlns.com/foaf/0.1/Agent>") >= 40
    # every solution belongs to a collection
    assert count(demo, solutions + " FILTER NOT EXISTS { ?c dcat:dataset ?x }") == 0


def test_the_demo_catalogue_speaks_several_languages(demo):
    langs = {r["l"].value for r in demo.query("SELECT DISTINCT (LANG(?o) AS ?l) WHERE { ?s ?p ?o "
                                               "FILTER (isLiteral(?o) && LANG(?o) != '') }")}
    assert {"en", "fr", "de"} <= langs
    assert len(langs & {"es", "it", "nl", "pl"}) >= 3
    titles = {r["l"].value for r in demo.query(
        PREFIXES + "SELECT DISTINCT (LANG(?t) AS ?l) WHERE { ?s a dcat:Dataset ; dct:title ?t }")}
    assert {"en", "fr", "de", "es", "it", "nl", "pl"} <= titles
    assert re.search("[éèàöüßłąęóñç]", DEMO.read_text(encoding="utf-8"))


def test_the_demo_catalogue_uses_both_eira_versions(demo):
    types = {r["t"].value for r in demo.query(
        PREFIXES + "SELECT DISTINCT ?t WHERE { ?s a dcat:Dataset ; dct:type ?t }")}
    eira = {t for t in types if t.startswith("http://data.europa.eu/dr8/")}
    assert "http://data.europa.eu/dr8/DataExchangeApplicationService" in eira  # v6
    assert "http://data.europa.eu/dr8/DataExchangeService" in eira              # v4
    assert len(eira) >= 30


# --- what a newcomer notices first (issue 12): the demo must look like real data ---------------

def test_collections_are_neither_empty_nor_over_a_quarter_of_the_catalogue(demo):
    sizes = {r["c"].value: int(r["n"].value) for r in demo.query(
        PREFIXES + "SELECT ?c (COUNT(?d) AS ?n) WHERE { ?c a dcat:Catalog OPTIONAL { ?c dcat:dataset ?d } } "
                   "GROUP BY ?c")}
    listed = [r["d"].value for r in demo.query(PREFIXES + "SELECT ?d WHERE { ?c dcat:dataset ?d }")]
    assert len(listed) == len(set(listed)), "a solution in two collections"
    assert min(sizes.values()) >= 1, sizes
    assert max(sizes.values()) <= len(listed) / 4, sorted(sizes.values(), reverse=True)


def test_titles_are_unique_in_each_collection_and_across_the_catalogue(demo):
    rows = list(demo.query(PREFIXES + "SELECT ?c ?d ?t WHERE { ?c dcat:dataset ?d . ?d dct:title ?t }"))
    in_collection = Counter((r["c"].value, r["t"].language, r["t"].value) for r in rows)
    assert [k for k, n in in_collection.items() if n > 1] == []
    overall = Counter((r["t"].language, r["t"].value) for r in rows)
    assert [k for k, n in overall.items() if n > 1] == []
    releases = Counter((r["t"].language, r["t"].value) for r in demo.query(
        PREFIXES + "SELECT ?t WHERE { ?r dct:isVersionOf ?s ; dct:title ?t }"))
    assert [k for k, n in releases.items() if n > 1] == []
    collections = Counter(r["t"].value for r in demo.query(
        PREFIXES + "SELECT ?t WHERE { ?c a dcat:Catalog ; dct:title ?t }"))
    assert [k for k, n in collections.items() if n > 1] == []


def test_release_notes_agree_with_the_version_order(demo):
    """Versions rise with issued dates; a release's description and notes name its own
    version and no other; only the first is the first public release; none is issued after
    its solution was last modified."""
    releases: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in demo.query(PREFIXES + "SELECT ?s ?r ?issued ?v WHERE { ?r dct:isVersionOf ?s ; dct:issued ?issued ; "
                                   "dct:title ?t FILTER (LANG(?t) = 'en') OPTIONAL { ?r owl:versionInfo ?info } "
                                   "BIND (COALESCE(?info, REPLACE(STR(?t), '^.* ', '')) AS ?v) }"):
        releases[r["s"].value].append((r["issued"].value, r["v"].value, r["r"].value))
    texts: dict[str, list[str]] = defaultdict(list)
    for r in demo.query(PREFIXES + "SELECT ?r ?text WHERE { ?r dct:isVersionOf ?s "
                                   "{ ?r dct:description ?text } UNION { ?r adms:versionNotes ?text } }"):
        texts[r["r"].value].append(r["text"].value)
    modified = {r["s"].value: r["m"].value for r in demo.query(
        PREFIXES + "SELECT ?s ?m WHERE { ?s dct:hasVersion ?r ; dct:modified ?m }")}
    problems = []
    for solution, rels in releases.items():
        rels.sort()
        versions = [tuple(int(x) for x in v.split(".")) for _, v, _ in rels]
        if versions != sorted(set(versions)):
            problems.append(f"{solution}: versions by date {[v for _, v, _ in rels]}")
        for k, (issued, version, release) in enumerate(rels):
            for text in texts[release]:
                if set(VERSION.findall(text)) - {version}:
                    problems.append(f"{release} ({version}): {text}")
                if k and "first public release" in text:
                    problems.append(f"{release}: first public release after {rels[0][1]}")
            if solution in modified and issued[:10] > modified[solution][:10]:
                problems.append(f"{release} issued {issued[:10]}, after its solution's last change")
    assert problems == [], f"{len(problems)} problems, e.g. {problems[:5]}"
    assert len(releases) >= 200


def test_email_addresses_are_names_in_plain_ascii(demo):
    """A person's address is their name in ASCII (Kristīne → kristine, not krist.ne), a
    service's its role; every local part is a valid dot-atom."""
    problems = []
    for r in demo.query(PREFIXES + "SELECT ?fn ?mail WHERE { ?c vcard:fn ?fn ; vcard:hasEmail ?mail }"):
        local, _, domain = r["mail"].value.removeprefix("mailto:").partition("@")
        if not re.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)*", local) or not domain.endswith(".example.eu"):
            problems.append(r["mail"].value)
        elif local not in ROLE_MAILBOXES and local != ascii_name(r["fn"].value):
            problems.append(f"{r['fn'].value}: {r['mail'].value}")
    assert problems == []


def test_the_generator_spells_any_name_in_ascii():
    gen = generator_module()
    assert gen.mailbox("Kristīne Ozola") == "kristine.ozola"
    assert gen.mailbox("Søren Kjærgaard") == "soren.kjaergaard"
    assert gen.mailbox("Paweł Wiśniewski") == "pawel.wisniewski"
    assert gen.mailbox("Jürgen Groß") == "jurgen.gross"
    assert gen.mailbox("Đorđe Ærøsund") == "dorde.aerosund"
    assert gen.mailbox("Tomás Ó Briain") == "tomas.o.briain"
    assert gen.mailbox("Ελένη Papadaki") == "papadaki"        # a script it cannot spell: left out
    assert gen.mailbox("Ελένη") == "contact"
    assert gen.slugify("Délos – Łabędź") == "delos-labedz"
    for person in gen.PERSONS:
        assert gen.mailbox(person) == ascii_name(person)


def test_every_language_is_one_the_eu_authority_table_names(demo):
    used = {r["l"].value for r in demo.query(PREFIXES + "SELECT DISTINCT ?l WHERE { ?s dct:language ?l }")}
    table = "http://publications.europa.eu/resource/authority/language/"
    assert {iri.removeprefix(table) for iri in used} <= set(EU_LANGUAGES), used
    assert len(used) >= 8


def test_every_minted_iri_is_in_the_demo_namespace(demo):
    subjects = {q.subject.value for q in demo if isinstance(q.subject, ox.NamedNode)}
    outside = {s for s in subjects if not s.startswith(DEMO_NS)
               and not s.startswith("http://purl.org/adms/licencetype/")}
    assert outside == set()


def test_the_demo_file_is_exactly_what_its_header_command_writes(tmp_path):
    header = DEMO.read_text(encoding="utf-8").splitlines()[:5]
    command = next(line for line in header if line.startswith("# Command: python bench/generate.py"))
    args = command.removeprefix("# Command: python bench/generate.py").split()
    assert args == ["--solutions", "320", "--collections", "12", "--seed", "2026", "--format", "ttl"]
    data, _ = generate(tmp_path, *args)
    assert data == DEMO.read_bytes(), "catalogue/data/demo-catalogue.ttl is stale: regenerate it (catalogue/data/README.md)"


def test_the_generator_is_deterministic(tmp_path):
    args = ["--solutions", "60", "--collections", "5", "--format", "nt", "--broken", "4"]
    first, err1 = generate(tmp_path, *args, "--seed", "7", name="a.nt")
    second, err2 = generate(tmp_path, *args, "--seed", "7", name="b.nt")
    other, _ = generate(tmp_path, *args, "--seed", "8", name="c.nt")
    assert first == second and err1 == err2
    assert first != other


def test_turtle_and_ntriples_outputs_are_the_same_graph(tmp_path):
    args = ["--solutions", "40", "--collections", "4", "--seed", "11"]
    ttl, _ = generate(tmp_path, *args, "--format", "ttl", name="g.ttl")
    nt, _ = generate(tmp_path, *args, "--format", "nt", name="g.nt")
    graphs = []
    for data, fmt in ((ttl, ox.RdfFormat.TURTLE), (nt, ox.RdfFormat.N_TRIPLES)):
        ds = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(data, format=fmt))
        ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        graphs.append(set(ds))
    assert graphs[0] == graphs[1]
    assert any(isinstance(q.object, ox.BlankNode) for q in graphs[0])  # checksums: blank nodes


def test_broken_makes_exactly_k_solutions_invalid_in_varied_ways(tmp_path, settings):
    k = 13
    data, err = generate(tmp_path, "--solutions", "50", "--collections", "10", "--seed", "5",
                         "--format", "nt", "--broken", str(k), name="broken.nt")
    listed = dict(re.findall(r"^broken: (\S+) \((\S+)\)$", err, re.M))
    assert len(listed) == k
    assert len(set(listed.values())) >= 10, listed  # varied
    report = validate_dump(data, format="nt", settings=settings).report
    rejected = {r.iri: r for r in report.records if not r.accepted}
    assert set(rejected) == set(listed)
    assert all(r.kind == "solution" for r in rejected.values())
    assert all(any(f.severity == "Violation" for f in r.findings) for r in rejected.values())
    assert report.accepted == 50 - k + 10
