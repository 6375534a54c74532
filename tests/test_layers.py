"""The package's layer order, read from the source (every import, function-level ones included):

    base        errors, records, io, settings, paths, registry, version, text
    stages      extract, corpus, nli, checks        (never import one another)
    aggregate
    pipeline
    outputs     report, profile                     (never import one another)
    fronts      bench, ci, distributed, score, serve, pytest_plugin
    cli         cli, bars, __main__, every <package>/command.py, verify/__init__ (the lazy public API)

A module may import its own package and any lower layer; of its own layer only the base modules
import one another. No import cycles, between packages or between modules. README "Architecture"
draws the same picture; a new package must be placed here before it can pass."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "verify"

LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"errors", "records", "io", "settings", "paths", "registry", "version", "text"}),
    ("stages", {"extract", "corpus", "nli", "checks"}),
    ("aggregate", {"aggregate"}),
    ("pipeline", {"pipeline"}),
    ("outputs", {"report", "profile", "scoring"}),
    ("fronts", {"bench", "ci", "distributed", "serve"}),
    ("cli", {"cli", "bars", "options", "docs", "__main__", "verify", "command", "pytest_plugin"}),  # the pytest plugin is a front door over ci, like the CLI
]
SHARING = {"base", "cli"}  # layers whose units may import one another (still without cycles)

# Imports that break the order today, each with the reason it is allowed for now. Empty is the goal.
KNOWN: dict[tuple[str, str], str] = {}  # (importer, imported): reason — none today


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def unit(module: str) -> str:
    """The layered unit a module belongs to: its top-level package or module; <package>.command → "command"."""
    parts = module.split(".")
    if len(parts) == 1:
        return "verify"
    return "command" if parts[-1] == "command" and len(parts) == 3 else parts[1]


LAYER_OF = {u: i for i, (_, units) in enumerate(LAYERS) for u in units}


def imports(module: str) -> set[str]:
    """verify modules `module` imports anywhere in its body (function-level and TYPE_CHECKING too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            targets = [target] + [f"{target}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:  # `import verify.x.y` names the module y, attributes name nothing
                t = t.rpartition(".")[0] if t.startswith("verify.") else ""
            if t and t != module:
                found.add(t)
    return found


EDGES = {(a, b) for a in MODULES for b in imports(a)}


def test_every_unit_has_a_layer():
    missing = sorted({unit(m) for m in MODULES} - set(LAYER_OF))
    assert not missing, f"place these in LAYERS (and README Architecture): {missing}"


def test_no_module_imports_a_higher_layer_or_a_sibling_stage():
    wrong = []
    for a, b in sorted(EDGES):
        ua, ub = unit(a), unit(b)
        if ua == ub or (a, b) in KNOWN:
            continue
        la, lb = LAYER_OF[ua], LAYER_OF[ub]
        if lb > la or (lb == la and LAYERS[la][0] not in SHARING):
            wrong.append(f"{a} ({LAYERS[la][0]}) imports {b} ({LAYERS[lb][0]})")
    assert not wrong, "\n".join(wrong)


def test_known_exceptions_are_still_needed():
    stale = [f"{a} -> {b}" for a, b in KNOWN if (a, b) not in EDGES]
    assert not stale, f"remove from KNOWN, the import is gone: {stale}"


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.mark.parametrize("level", ["package", "module"])
def test_no_import_cycles(level):
    def package(m: str) -> str:
        return m.split(".")[1] if "." in m else "verify"

    if level == "package":
        edges = {(package(a), package(b)) for a, b in EDGES if package(a) != package(b) and (a, b) not in KNOWN}
    else:
        # a package's __init__ re-exporting its modules is no cycle: the modules never need the __init__ back
        edges = {(a, b) for a, b in EDGES if not (MODULES[b].name == "__init__.py" and a.startswith(b + "."))}
    assert _cycles(edges) == []
