"""Rules about the code itself: the domain never imports the web, settings are documented,
queries are files that parse, and no SPARQL is built by formatting values."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import queries, updates
from catalogue.errors import CatalogueError
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


# the scripts that rebuild derived data files (catalogue/shapes/build_adms_ap.py,
# catalogue/vocab/build_eira.py...) sit beside their files and are not the domain's code
DATA_DIRS = [ROOT / "catalogue" / d for d in ("sparql", "shapes", "vocab", "data")]
DOMAIN = sorted(p for p in (ROOT / "catalogue").rglob("*.py") if not any(d in p.parents for d in DATA_DIRS))
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


# SPARQL as it is written, not words about it: a form and the brace (or name) that follows
SPARQL_TEXT = re.compile(
    r"\b(?:(?:INSERT|DELETE)\s+DATA\s*\{|DELETE\s+WHERE\s*\{|(?:INSERT|DELETE)\s*\{"
    r"|(?:DROP|CLEAR)\s+(?:SILENT\s+)?(?:GRAPH\s+[<?$\w]|(?:DEFAULT|NAMED|ALL)\s*(?:;|$))"
    r"|SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?:[?$]\w|\*|\()[^{}]*?\bWHERE\s*\{"
    r"|CONSTRUCT\s*(?:\{|WHERE\s*\{)|ASK\s*(?:\{|WHERE\s*\{)|DESCRIBE\s+[?$<])", re.I)


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module; an f-string as its text with each ``{...}`` as X."""
    tree = ast.parse(path.read_text())
    parts, out = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts |= {id(v) for v in node.values}
            out.append((node.lineno, "".join(
                v.value if isinstance(v, ast.Constant) else "X" for v in node.values)))
    out += [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in parts]
    return out


@pytest.mark.parametrize(
    "path", [p for p in DOMAIN + WEB + sorted((ROOT / "catalogue_cli").rglob("*.py"))
             if (ROOT / "catalogue" / "store") not in p.parents],
    ids=lambda p: str(p.relative_to(ROOT)))
def test_sparql_is_written_in_files_not_in_python_strings(path):
    """Queries are ``sparql/*.rq`` files (:mod:`catalogue.queries`), updates
    ``sparql/update/*.ru`` files (:mod:`catalogue.updates`); only ``catalogue/store/``,
    which implements the store itself, writes SPARQL text in Python."""
    found = [(line, m.group(0)) for line, text in _string_literals(path)
             if (m := SPARQL_TEXT.search(text))]
    assert not found, f"{path.relative_to(ROOT)}: SPARQL in a string literal: {found}"


def test_the_sparql_pattern_finds_queries_and_updates_not_words():
    for text in ("INSERT DATA { GRAPH X {", "DELETE { GRAPH X { ?s ?p ?o } }", "delete where {",
                 "DROP SILENT GRAPH X", "CLEAR ALL", "SELECT ?s (COUNT(*) AS ?n) WHERE {",
                 "SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }", "ASK { ?s ?p ?o }",
                 "DESCRIBE <http://x/>", "INSERT { GRAPH X {"):
        assert SPARQL_TEXT.search(text), text
    for text in ("clear all filters", "A SELECT must project every parameter in its WHERE",
                 "a CONSTRUCT query", "updates (INSERT, DELETE, DROP) are refused",
                 "``INSERT DATA``/``DELETE DATA`` block", "drop the graph"):
        assert not SPARQL_TEXT.search(text), text


@pytest.mark.parametrize("name", sorted(updates.all_updates()))
def test_every_saved_update_parses_and_declares_a_title(name):
    """Each ``.ru`` file declares a title and parses once bound: run on an empty store with a
    value of each parameter's type (its parameters are checked when it is loaded)."""
    u = updates.get(name)
    assert u.title, f"{name}.ru has no '#+ title:' line"
    iri, lit = ox.NamedNode("urn:x-test:sample"), ox.Literal("sample")
    samples = {"iri": iri, "literal": lit, "iris": [iri], "literals": [lit],
               "triples": [ox.Triple(iri, iri, lit)]}
    ox.Store().update(u.bind({p.name: samples[p.type] for p in u.params}))


@pytest.mark.parametrize("q", queries.examples(), ids=lambda q: q.name)
def test_every_example_query_parses_and_declares_a_title(q):
    """The SPARQL editor's examples (``sparql/examples/*.rq``) are files tested like code."""
    assert re.search(r"^#\+\s*title\s*:\s*\S", q.text, re.M), f"{q.name}.rq has no title"
    ox.Store().query(q.body)


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


VIEWS = [p for p in sorted((ROOT / "webapp").glob("*.py")) if p.name != "errors.py"]


def _status_mappings(source: str, namespace: dict) -> list[str]:
    """Where a view maps a domain error to a status itself, which only webapp/errors.py does:
    an ``except`` catching a :class:`CatalogueError` that aborts, raises in its place or names
    a 4xx/5xx status; ``str()`` of a caught error that picks a status or goes to ``abort``;
    ``abort(NNN, str(...))`` anywhere."""
    found = [f"line {source.count(chr(10), 0, m.start()) + 1}: abort(code, str(...))"
             for m in re.finditer(r"abort\(\s*[45]\d\d\s*,\s*str\(", source)]

    def resolved(node: ast.expr) -> object:  # a name or a dotted name, in the module
        if isinstance(node, ast.Attribute):
            return getattr(resolved(node.value), node.attr, None)
        return namespace.get(node.id) if isinstance(node, ast.Name) else None

    def domain(node: ast.expr) -> bool:
        cls = resolved(node)
        return isinstance(cls, type) and issubclass(cls, CatalogueError)

    def text_of(node: ast.AST, name: str) -> bool:  # str(name) or f"...{name}..."
        return any((isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "str"
                    and any(isinstance(a, ast.Name) and a.id == name for a in n.args))
                   or (isinstance(n, ast.FormattedValue) and isinstance(n.value, ast.Name)
                       and n.value.id == name) for n in ast.walk(node))

    for handler in (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ExceptHandler)):
        where = f"line {handler.lineno}"
        caught = [] if handler.type is None else \
            handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        inside = [n for stmt in handler.body for n in ast.walk(stmt)]
        if any(domain(c) for c in caught):
            for n in inside:
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "abort":
                    found.append(f"{where}: abort() on a domain error")
                elif isinstance(n, ast.Raise) and n.exc is not None:
                    found.append(f"{where}: raises in a domain error's place")
                elif isinstance(n, ast.Constant) and type(n.value) is int and 400 <= n.value < 600:
                    found.append(f"{where}: status {n.value} chosen for a domain error")
        if handler.name:
            for n in inside:
                if isinstance(n, (ast.Compare, ast.IfExp)) and text_of(n, handler.name):
                    found.append(f"{where}: a status read off the error's message")
                elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "abort"
                      and text_of(n, handler.name)):
                    found.append(f"{where}: abort() with the error's message")
    return found


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_leave_domain_errors_to_the_one_error_handler(path):
    """Domain errors carry their kind; webapp/errors.py maps kinds to statuses once. A view
    lets them through (or re-raises); a page that shows one (a form, a report) takes its
    status from ``errors.status_of``."""
    module = importlib.import_module(f"webapp.{path.stem}")
    found = _status_mappings(path.read_text(), vars(module))
    assert not found, f"{path.relative_to(ROOT)} maps errors to HTTP itself: {found}"


_NAMES = {"HistoryError": "catalogue.ingest.history", "SlugError": "catalogue.graphs",
          "ModerationError": "catalogue.community.moderation",
          "ParameterError": "catalogue.queries", "RefusedQuery": "catalogue.endpoint.checks"}
_MAPPINGS = {
    "abort with the message": "try:\n    f()\nexcept RefusedQuery as exc:\n    abort(403, str(exc))\n",
    "a status read off the message": "try:\n    f()\nexcept (HistoryError, SlugError) as exc:\n"
                                     "    raise ApiError(409 if 'already' in str(exc) else 404, str(exc))\n",
    "a status by class": "try:\n    f()\nexcept ModerationError as exc:\n"
                         "    return page(error_text(exc), 403 if isinstance(exc, NotAllowed) else 409)\n",
    "a bare abort": "try:\n    check_slug(s)\nexcept SlugError:\n    abort(404)\n",
    "anywhere": "def f(e):\n    abort(400, str(e))\n",
}
_NOT_MAPPINGS = {
    "let through": "report = catalogue.rollback(slug, version)\n",
    "a page with the kind's status": "try:\n    f()\nexcept ModerationError as exc:\n"
                                     "    return page(error_text(exc), status_of(exc))\n",
    "re-raised": "try:\n    f()\nexcept ParameterError:\n    if download:\n        raise\n",
    "not a domain error": "try:\n    ox.NamedNode(v)\nexcept ValueError:\n    abort(400, 'not an IRI')\n",
}


@pytest.mark.parametrize("case", sorted(_MAPPINGS) + sorted(_NOT_MAPPINGS))
def test_the_error_mapping_check_finds_mappings_and_only_them(case):
    namespace = {name: getattr(importlib.import_module(module), name) for name, module in _NAMES.items()}
    found = _status_mappings(_MAPPINGS.get(case) or _NOT_MAPPINGS[case], namespace)
    assert bool(found) == (case in _MAPPINGS), found


@pytest.mark.parametrize("path", WEB, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_reach_the_domain_through_the_typed_root(path):
    """webapp/context.py's root() is the one way from a view to the Catalogue."""
    assert path.name == "context.py" or 'extensions["catalogue"]' not in path.read_text()


CAPABILITIES = {p.parent.name for p in (ROOT / "catalogue").glob("*/__init__.py")}


def _public_names(package: str) -> set[str]:
    """A capability package's ``__all__``: the names it offers the web and the command line
    (``__all__ = [...]``, then any ``__all__ += [...]``)."""
    tree = ast.parse((ROOT / "catalogue" / package / "__init__.py").read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                for t in node.targets):
            names = set(ast.literal_eval(node.value))
        elif (isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)
              and node.target.id == "__all__" and isinstance(node.op, ast.Add)):
            names |= set(ast.literal_eval(node.value))
    return names


def _internal_imports(path: Path) -> list[str]:
    """Imports of a capability's internals: a module inside a package of ``catalogue/``, or
    a name its ``__init__`` does not list in ``__all__``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        modules = []
        if isinstance(node, ast.Import):
            modules = [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [(node.module, [a.name for a in node.names])]
        for module, names in modules:
            parts = module.split(".")
            if parts[0] != "catalogue" or len(parts) < 2 or parts[1] not in CAPABILITIES:
                continue
            if len(parts) > 2:
                found.append(f"line {node.lineno}: {module}")
            elif names is not None:
                found += [f"line {node.lineno}: {module}.{n}" for n in names if n not in _public_names(parts[1])]
    return found


@pytest.mark.parametrize("path", WEB + sorted((ROOT / "catalogue_cli").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_web_and_the_command_line_use_only_a_capabilitys_public_names(path):
    """A capability package (``catalogue/ingest/``, ``community/``, ``search/``...) offers
    its public interface in its ``__init__``'s ``__all__``; views and commands import that,
    never a module inside it, so a capability can rearrange its modules freely."""
    assert not _internal_imports(path), f"{path.relative_to(ROOT)} imports internals: {_internal_imports(path)}"


def test_the_internals_check_finds_internal_imports(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from catalogue.ingest.fetch import fetch\nfrom catalogue.ingest import ownership\n"
                   "import catalogue.search.index\nfrom catalogue.ingest import Report\nfrom catalogue import graphs\n")
    assert [f.split(":")[0] for f in _internal_imports(bad)] == ["line 1", "line 2", "line 3"]
