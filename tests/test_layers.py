"""The import graph runs one way: no cycle, no upward import, no streamlit below the UI.

``LAYERS`` is the one statement of the order (docs/architecture.md draws it). A package may import
its own layer and the layers before it. Commands (``app.py``, ``care_map.py``, ``bench/``, every
``__main__`` and ``cli_*`` module) are entry points above every layer: they put the layers together
(e.g. an analysis command writes its CSV through ``reports.export``) and no library module imports
them. Imports inside functions count the same as imports at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. config says where this installation keeps its state; geo is reference geography (postcodes, authorities, boundaries) and knows nothing of
# the 903; data reads and checks inputs (the store sits beside it); analysis holds every rule and
# statistic; access (roles, users, audit log) refuses child data by analysis.disclosure's definition.
LAYERS: list[tuple[str, ...]] = [
    ("config",),
    ("geo",),
    ("data", "store"),
    ("analysis",),
    ("access",),
    ("maps", "reports"),
    ("ui",),
    ("app_pages",),
]
COMMAND_PACKAGES = ("app", "care_map", "bench")
UI_PACKAGES = ("ui", "app_pages", "app")
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
OURS = set(RANK) | set(COMMAND_PACKAGES)


def _module_files() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        # A top-level module (app.py) by its name, anything else by its top folder (not .venv's).
        if (rel.stem if len(rel.parts) == 1 else rel.parts[0]) not in OURS:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _module_files()


def _imports(name: str, path: Path) -> set[str]:
    """Our modules that ``name`` imports, anywhere in its body (``from X import a`` -> X.a if a module)."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                targets.append(sub if sub in MODULES else module)
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _is_command(name: str) -> bool:
    last = name.rpartition(".")[2]
    return name.split(".")[0] in COMMAND_PACKAGES or last == "__main__" or last.startswith("cli_")


def test_every_package_has_a_layer():
    packages = {name.split(".")[0] for name in MODULES}
    assert packages <= OURS
    assert {"geo", "data", "analysis", "access", "maps", "reports", "ui", "app_pages", "app"} <= packages


def _upward(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for name, targets in graph.items():
        if _is_command(name):
            continue
        for target in targets:
            if _is_command(target):
                found.append(f"{name} imports the command module {target}")
            elif RANK[target.split(".")[0]] > RANK[name.split(".")[0]]:
                found.append(f"{name} imports {target}, a higher layer")
    return sorted(found)


def test_no_upward_import():
    upward = _upward(GRAPH)
    assert not upward, "\n".join(upward)


def test_upward_finder_finds_upward_imports():
    assert _upward({"data.readers": {"analysis.missing"}, "geo.boundaries": {"geo.postcodes"}}) == [
        "data.readers imports analysis.missing, a higher layer"
    ]
    assert _upward({"maps.common": {"analysis.cli_placements"}}) == [
        "maps.common imports the command module analysis.cli_placements"
    ]
    assert _upward({"analysis.cli_placements": {"reports.export"}, "app": {"ui.identity"}}) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", [p for layer in LAYERS for p in layer if p not in UI_PACKAGES])
def test_no_streamlit_below_the_ui(package):
    users = []
    for name, path in MODULES.items():
        if name.split(".")[0] != package:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            if any(m == "streamlit" or m.startswith(("streamlit.", "streamlit_")) for m in modules):
                users.append(name)
    assert not users


def test_no_import_error_guard_around_our_modules():
    """``except ImportError`` around our own import would blank a feature silently when it breaks."""
    guarded = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            catches = {
                n.id for h in node.handlers for n in ast.walk(h.type) if h.type is not None and isinstance(n, ast.Name)
            }
            if not catches & {"ImportError", "ModuleNotFoundError"}:
                continue
            for inner in node.body:
                for sub in ast.walk(inner):
                    module = sub.module if isinstance(sub, ast.ImportFrom) and not sub.level else None
                    names = [a.name for a in sub.names] if isinstance(sub, ast.Import) else [module or ""]
                    if any(n.split(".")[0] in OURS for n in names):
                        guarded.append(f"{name}:{sub.lineno}")
    assert not guarded, guarded
