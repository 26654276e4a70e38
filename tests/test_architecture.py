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


DOMAIN = [p for p in sorted((ROOT / "catalogue").rglob("*.py")) if p.name != "cli.py"]


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: p.name)
def test_the_domain_package_never_imports_the_web(path):
    """cli.py is exempt: it is the outer shell whose `serve` starts the web app."""
    assert not _imports(path) & {"flask", "werkzeug", "webapp"}


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
