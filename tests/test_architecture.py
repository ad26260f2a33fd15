"""The borders between the apps (docs/architecture.md): layers, no import cycles, and no
function-level imports that hide one. Read from the source with `ast`, so a new import that
breaks a border fails here before it tangles the code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ficarchive"

# Lowest first. A module imports only its own app and the apps of lower layers; `search` sits
# just above `overlap` (Describe a story uses the overlap check's passage vectors), never the
# other way. `jobs` and `texts` share the bottom layer and import neither each other.
LAYERS: list[tuple[str, ...]] = [
    ("jobs", "texts"),
    ("accounts",),
    ("tags",),
    ("works",),
    ("overlap",),
    ("search",),
    ("community",),
    ("exports",),
    ("api",),
    ("server",),
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# The project's own modules outside the apps: settings helpers below everything, and the
# modules that wire the apps together above everything.
BOTTOM = {
    "ficarchive",
    "ficarchive.config",
    "ficarchive.storage",
    "ficarchive.progress",
    "ficarchive.plain_sql",
}
TOP = {
    "ficarchive.settings",
    "ficarchive.urls",
    "ficarchive.wsgi",
    "ficarchive.cli",
    "ficarchive.context_processors",
}

# Function-level imports of the project's own modules that are there on purpose, and why. An
# app's `apps.py` may import its own and lower modules in `ready()` and in the event receivers
# it connects there: Django loads models only after every AppConfig.
LATE_IMPORTS = {
    "ficarchive.cli": "settings must be configured before Django's command machinery loads",
    "ficarchive.server.gunicorn": "each worker loads the WSGI application after the fork",
    "ficarchive.texts.isolation": "the parsing child loads the formats in its own process",
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: str | None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _target(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
        for alias in node.names
    ]


def _walk(node: ast.AST, function: str | None) -> Iterator[tuple[ast.AST, str | None]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            continue  # imports for type hints only run under mypy
        inner = (
            child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
        )
        yield child, inner
        yield from _walk(child, inner)


def _imports() -> list[Import]:
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, function in _walk(tree, None):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name in _imported_names(module, path, node):
                target = _target(name) if name.startswith("ficarchive") else None
                if target and target != module:
                    found.append(Import(module, target, node.lineno, function))
    return found


IMPORTS = _imports()


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def _rank(module: str) -> float:
    if module in BOTTOM:
        return -1
    if module in TOP:
        return RANK["server"]
    app = _app(module)
    assert app is not None, f"{module} belongs to no layer: add its app to LAYERS"
    return RANK[app]


def test_every_app_has_a_layer() -> None:
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    assert apps == set(RANK)


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{found.importer} (line {found.line}) imports {found.imported}"
        for found in IMPORTS
        if _rank(found.imported) > _rank(found.importer)
    ]
    assert upward == []


def test_apps_of_one_layer_do_not_import_each_other() -> None:
    sideways = [
        f"{found.importer} (line {found.line}) imports {found.imported}"
        for found in IMPORTS
        if _app(found.importer)
        and _app(found.imported)
        and _app(found.importer) != _app(found.imported)
        and _rank(found.imported) == _rank(found.importer)
    ]
    assert sideways == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for found in IMPORTS:
        edges.setdefault(found.importer, set()).add(found.imported)
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_late_imports_only_where_the_order_of_loading_needs_them() -> None:
    late = [
        f"{found.importer}.{found.in_function} (line {found.line}) imports {found.imported}"
        for found in IMPORTS
        if found.in_function is not None
        and not found.importer.endswith(".apps")
        and found.importer not in LATE_IMPORTS
    ]
    assert late == []
