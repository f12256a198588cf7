"""The house rules, read from the source (docs/architecture.md): which app may import which, and
which modules may write. `python -m core.layers` prints the app import graph as a Mermaid
drawing; core/tests/test_structure.py fails when a rule is broken.

Nothing here imports the project: it parses files, so it also runs without Django set up."""

import ast
import functools
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app may import only apps before it; `binhdang` (settings, URL wiring,
# navigation) sits on top and may import any. `demo` builds demo data from every app.
LAYERS = (
    "audit",
    "core",
    "orgs",
    "accounts",
    "plans",
    "indicators",
    "reports",
    "cases",
    "activities",
    "analytics",
    "search",
    "demo",
    "binhdang",
)

# Modules of the HTTP and form layers: they read through selectors/querysets and write only
# by calling services.
HTTP_LAYER = ("views", "forms", "api", "urls")
# Calls that write, wherever they come from; `save(commit=False)` only builds an instance.
WRITING_METHODS = {
    "save",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "select_for_update",
}
WRITING_NAMES = {"atomic", "record_event", "save_audited"}
# A queryset's `.update()` (dict.update is everywhere): a chain that went through `objects`.
QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "for_user"}


@dataclass(frozen=True)
class Import:
    source: str  # module path, dotted
    target: str  # imported module, dotted
    line: int

    @property
    def source_app(self) -> str:
        return self.source.split(".")[0]

    @property
    def target_app(self) -> str:
        return self.target.split(".")[0]


def modules(root: Path = ROOT) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every project module outside tests and migrations."""
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield ".".join(p for p in parts if p != "__init__"), path


def _tree(path: Path) -> ast.Module:
    """The module's syntax tree, parsed once per version of the file (the structural tests walk
    every module several times)."""
    return _parsed(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2048)
def _parsed(path: Path, _version: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(root: Path = ROOT) -> list[Import]:
    """Every import of one project app from another (module-level or inside a function)."""
    found = []
    for name, path in modules(root):
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                # `from app import views` imports the module app.views: name each imported
                # name; module_cycles walks a dotted name up to the module that holds it.
                targets = [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in LAYERS:
                    found.append(Import(name, target, node.lineno))
    return found


def app_graph(found: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for item in found:
        if item.source_app != item.target_app:
            graph[item.source_app].add(item.target_app)
    return graph


def upward(found: list[Import]) -> list[Import]:
    """Imports of a higher app by a lower one."""
    rank = {app: i for i, app in enumerate(LAYERS)}
    return [i for i in found if rank[i.target_app] > rank[i.source_app]]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The app-level import cycles (each once, from its smallest app)."""
    found = set()

    def visit(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                found.add(tuple(path))
            elif nxt not in path and nxt > start:
                visit(start, nxt, [*path, nxt])

    for app in sorted(graph):
        visit(app, app, [app])
    return [list(c) for c in sorted(found)]


def module_cycles(found: list[Import], root: Path = ROOT) -> list[list[str]]:
    """Import cycles between modules (including the lazy imports inside functions)."""
    graph: dict[str, set[str]] = defaultdict(set)
    names = {name for name, _ in modules(root)}
    for item in found:
        target = item.target
        while target and target not in names:
            target = target.rpartition(".")[0]
        if target and target != item.source and not item.source.startswith(target + "."):
            graph[item.source].add(target)
    cycles_found: set[tuple[str, ...]] = set()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = [0]

    def strongconnect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles_found.add(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return [list(c) for c in sorted(cycles_found)]


def _is_http_layer(name: str) -> bool:
    parts = name.split(".")[1:]
    return any(p in HTTP_LAYER or p.startswith(tuple(f"{h}_" for h in HTTP_LAYER)) for p in parts)


def _chain(node: ast.AST) -> list[str]:
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        else:
            return names


def writes(path: Path) -> list[tuple[int, str]]:
    """(line, call) of every write in a module: what only services may do."""
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in WRITING_NAMES:
            found.append((node.lineno, name))
        elif isinstance(func, ast.Attribute) and name in WRITING_METHODS:
            commit = next((k.value for k in node.keywords if k.arg == "commit"), None)
            if name == "save" and isinstance(commit, ast.Constant) and commit.value is False:
                continue
            found.append((node.lineno, name))
        elif isinstance(func, ast.Attribute) and name == "update":
            if QUERYSET_HINTS & set(_chain(func.value)):
                found.append((node.lineno, name))
    return found


def http_writes(root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line}: {call}"
        for name, path in modules(root)
        if _is_http_layer(name)
        for line, call in writes(path)
    ]


def shape_problems(root: Path = ROOT) -> list[str]:
    """Files named against the one shape: no `views_x.py`, `x_services.py`, `common.py`."""
    bad = []
    for name, path in modules(root):
        if ".management." in name:
            continue
        stem = path.stem
        if stem == "common" or stem.endswith("_services"):
            bad.append(str(path.relative_to(root)))
        elif any(stem.startswith(f"{kind}_") for kind in (*HTTP_LAYER, "services", "selectors")):
            bad.append(str(path.relative_to(root)))
    return bad


# The rules that exist once (docs/architecture.md, "One place for each rule"): where each may be.
RULE_HOMES = {
    "spreadsheet text": "core/spreadsheet.py",
    "notification writer": "core/notifications.py",
}


def _rule_of(node: ast.AST) -> str | None:
    """Which once-only rule a node restates, if any."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        texts = {e.value for e in node.elts if isinstance(e, ast.Constant)}
        if {"=", "+", "@"} <= texts:  # the characters that start a formula
            return "spreadsheet text"
    if isinstance(node, ast.Attribute) and node.attr == "quotePrefix":
        return "spreadsheet text"
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "Notification":
            return "notification writer"
    return None


def rule_copies(root: Path = ROOT) -> list[str]:
    """Places restating a rule that has one home."""
    found = []
    for _name, path in modules(root):
        where = str(path.relative_to(root))
        if where == "core/layers.py":  # the checker names what it looks for
            continue
        for node in ast.walk(_tree(path)):
            rule = _rule_of(node)
            if rule and RULE_HOMES[rule] != where:
                found.append(f"{where}:{getattr(node, 'lineno', 0)}: {rule}")
    return found


def mermaid(graph: dict[str, set[str]]) -> str:
    lines = ["graph BT"]
    for app in LAYERS:
        for target in sorted(graph.get(app, ()), key=LAYERS.index):
            lines.append(f"    {app} --> {target}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(mermaid(app_graph(imports())) + "\n")
