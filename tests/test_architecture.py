"""Rules about the code itself: the domain never imports the web, settings are documented,
queries are files that parse, and no SPARQL is built by formatting values."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import queries
from catalogue.settings import settings_table

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


DOMAIN = sorted((ROOT / "catalogue").rglob("*.py"))
WEB = sorted((ROOT / "webapp").rglob("*.py"))


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_package_never_imports_the_web_or_the_command_line(path):
    """The console script (catalogue_cli/) is the outer shell: it alone imports both."""
    assert not _imports(path) & {"flask", "werkzeug", "webapp", "argparse", "catalogue_cli"}


@pytest.mark.parametrize("path", WEB, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_web_layer_never_imports_the_command_line(path):
    assert "catalogue_cli" not in _imports(path) and "argparse" not in _imports(path)


def test_the_domain_has_no_import_cycle_between_modules():
    """Module-level imports only (a function may import lazily to break a cycle on purpose)."""
    graph: dict[str, set[str]] = {}
    names = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
             for p in DOMAIN}
    for path in DOMAIN:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        deps = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("catalogue"):
                subs = {f"{node.module}.{a.name}" for a in node.names}
                deps |= subs if subs <= names else {node.module}  # submodules, or the module
        graph[name] = deps
    modules = set(graph)
    edges = {m: {d for d in deps if d in modules and d != m} for m, deps in graph.items()}
    seen: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(m: str, stack: list[str]) -> None:
        seen[m] = 1
        for d in sorted(edges[m]):
            if seen.get(d) == 1:
                cycle = stack[stack.index(d):] + [d] if d in stack else [m, d]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if d not in seen:
                visit(d, stack + [d])
        seen[m] = 2

    for m in sorted(modules):
        if m not in seen:
            visit(m, [m])


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for _, env, _, _ in settings_table():
        assert env in readme, f"{env} is not documented in README.md"


@pytest.mark.parametrize("name", sorted(queries.all_queries()))
def test_every_saved_query_parses_and_declares_a_title(name):
    q = queries.get(name)
    assert q.title
    ox.Store().query(q.text) if q.form != "SELECT" or not q.params else None
    # a SELECT must project its parameters so they can be bound
    if q.form == "SELECT":
        head = re.split(r"\bWHERE\b", q.text, flags=re.I)[0]
        for p in q.params:
            assert f"?{p.name}" in head, f"{name}: parameter ?{p.name} is not projected"


@pytest.mark.parametrize("name", sorted(queries.all_queries()))
def test_a_graph_scoped_query_filters_every_graph_it_reads(name):
    """With ``#+ in-dataset`` the query runs over the whole store: a GRAPH variable left
    without its filter would read private graphs (accounts, drafts, quarantine)."""
    q = queries.get(name)
    graph_vars = set(re.findall(r"\bGRAPH\s+\?(\w+)", q.text, flags=re.I))
    marked = set(re.findall(r"^[ \t]*#\+[ \t]*in-dataset[ \t]+\?(\w+)", q.text, flags=re.I | re.M))
    if q.graph_scoped:
        assert graph_vars <= marked, f"{name}: GRAPH ?{sorted(graph_vars - marked)} not filtered"
        assert not re.search(r"\bGRAPH\s+<", q.text), f"{name}: a fixed GRAPH in a scoped query"
    assert marked <= graph_vars, f"{name}: a marker for a variable no GRAPH binds"


@pytest.mark.parametrize("path", sorted((ROOT / "catalogue").rglob("*.py")) + sorted(
    (ROOT / "webapp").rglob("*.py")), ids=lambda p: p.name)
def test_no_sparql_is_built_by_formatting_values(path):
    """f-strings that splice '<{...}>' into query text are the injection we forbid."""
    text = path.read_text()
    spliced = re.search(
        r"f[\"'][^\"'\n]*\b(SELECT|WHERE|INSERT|DELETE|GRAPH|CONSTRUCT|ASK|VALUES)\b[^\"'\n]*<\{", text)
    assert not spliced, f"{path}: a value spliced into SPARQL text"


@pytest.mark.parametrize("path", DOMAIN + WEB, ids=lambda p: str(p.relative_to(ROOT)))
def test_bounded_caches_use_the_one_lru(path):
    """catalogue/cache.py (cachetools) is the one LRU: no hand-written OrderedDict eviction."""
    assert "move_to_end" not in path.read_text() or path.name == "cache.py"


@pytest.mark.parametrize("path", DOMAIN + WEB, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_catalogues_iris_are_minted_only_in_graphs_py(path):
    """catalogue/graphs.py is the one table of what the catalogue names under its base URI
    (and of what a source may describe there: ingest/ownership.py)."""
    if path.name == "graphs.py":
        return
    minted = re.search(r"NamedNode\(f[\"']\{[^}]*base", path.read_text())
    assert not minted, f"{path}: an IRI minted outside catalogue/graphs.py: {minted.group(0)}"
