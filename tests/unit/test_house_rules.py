"""The house rules, read off the source (nothing is imported or run):

- only app/web/ imports the browser-only modules `js`, `pyodide` and `pyscript` (everything else runs under
  CPython too); imports inside functions count;
- no module under app/ is over 400 lines;
- the packages under app/ depend one way (chat <- providers, directus, store <- web), and no modules under app/
  import each other at import time;
- every `# noqa` and `# type: ignore` says why, on its line: `# noqa: E402 - reason`,
  `# type: ignore[code]  # reason`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("app", "devkit", "tests", "bench", "scripts")
BROWSER_ONLY = frozenset({"js", "pyodide", "pyscript"})
MAX_LINES = 400
# Outside app/web/ but run only in Pyodide: the build ships it as Pyodide's own pyodide._package_loader.
RUN_IN_PYODIDE = frozenset({"scripts/pyodide_package_loader.py"})

# What each package under app/ must not import (at module level, inside functions or for type checking alike).
FORBIDDEN = {
    "app.chat": ("app.providers", "app.directus", "app.store", "app.web"),
    "app.providers": ("app.directus", "app.store", "app.web"),
    "app.directus": ("app.providers", "app.store", "app.web"),
    "app.store": ("app.providers", "app.directus", "app.web"),
}


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name, or a submodule when `from package import submodule`
    line: int
    at_import_time: bool  # runs when the importing module is imported (not in a function, not TYPE_CHECKING)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    source: str

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def package(self) -> str:
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]


@cache
def modules(top: str) -> tuple[Module, ...]:
    found = []
    for path in sorted((ROOT / top).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path, path.read_text(encoding="utf-8")))
    return tuple(found)


def all_modules() -> Iterator[Module]:
    for top in CHECKED:
        yield from modules(top)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@cache
def imports(module: Module) -> tuple[Import, ...]:
    """Every import in the module, wherever it stands, relative ones made absolute."""
    app_names = {m.name for m in modules("app")}
    found: list[Import] = []

    def add(name: str, node: ast.stmt, at_import_time: bool) -> None:
        found.append(Import(name, node.lineno, at_import_time))

    def visit(node: ast.AST, at_import_time: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, at_import_time)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.package.split(".")
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            add(base, node, at_import_time)
            for alias in node.names:  # `from app.chat import agent` imports the module app.chat.agent
                if f"{base}.{alias.name}" in app_names:
                    add(f"{base}.{alias.name}", node, at_import_time)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append(Import(node.args[0].value, node.lineno, at_import_time))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            at_import_time = False
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for stmt in node.body:
                visit(stmt, False)
            for stmt in node.orelse:
                visit(stmt, at_import_time)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, at_import_time)

    visit(ast.parse(module.source, filename=str(module.path)), True)
    return tuple(found)


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_only_app_web_imports_browser_modules() -> None:
    offenders = [
        f"{module.rel}:{imp.line} imports {imp.module}"
        for module in all_modules()
        if not _within(module.name, "app.web") and module.rel not in RUN_IN_PYODIDE
        for imp in imports(module)
        if imp.module.partition(".")[0] in BROWSER_ONLY
    ]
    assert not offenders, "only app/web/ may import js, pyodide or pyscript:\n" + "\n".join(offenders)


def test_no_module_under_app_is_over_400_lines() -> None:
    long = [f"{m.rel}: {n} lines" for m in modules("app") if (n := len(m.source.splitlines())) > MAX_LINES]
    assert not long, f"modules under app/ over {MAX_LINES} lines:\n" + "\n".join(long)


def test_packages_under_app_depend_one_way() -> None:
    offenders = [
        f"{module.rel}:{imp.line} imports {imp.module}"
        for module in modules("app")
        for package, forbidden in FORBIDDEN.items()
        if _within(module.name, package)
        for imp in imports(module)
        if any(_within(imp.module, other) for other in forbidden)
    ]
    assert not offenders, "a package under app/ imports one it must not:\n" + "\n".join(offenders)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node, or a node importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
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
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_package_cycle_under_app() -> None:
    packages = {m.name for m in modules("app") if m.path.name == "__init__.py" and m.name.count(".") == 1}

    def package_of(name: str) -> str | None:
        return next((p for p in packages if _within(name, p)), None)

    graph: dict[str, set[str]] = {p: set() for p in packages}
    for module in modules("app"):
        source = package_of(module.name)
        for imp in imports(module):
            target = package_of(imp.module)
            if source and target and target != source:
                graph[source].add(target)
    assert not _cycles(graph), f"packages under app/ import each other: {_cycles(graph)}"


def test_no_import_time_cycle_between_modules_under_app() -> None:
    names = {m.name for m in modules("app")}
    graph = {
        m.name: {imp.module for imp in imports(m) if imp.at_import_time and imp.module in names} for m in modules("app")
    }
    cycles = _cycles(graph)
    assert not cycles, "modules under app/ import each other at import time:\n" + "\n".join(map(str, cycles))


NOQA = re.compile(r"#\s*noqa\b")
NOQA_WITH_REASON = re.compile(r"#\s*noqa:\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*\s+-\s+\S")
TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore\b")
TYPE_IGNORE_WITH_REASON = re.compile(r"#\s*type:\s*ignore\[[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*\]\s*#\s*\S")


def test_every_noqa_and_type_ignore_says_why() -> None:
    bare = []
    for module in all_modules():
        for token in tokenize.generate_tokens(io.StringIO(module.source).readline):
            if token.type != tokenize.COMMENT:
                continue
            comment = token.string
            if (NOQA.search(comment) and not NOQA_WITH_REASON.search(comment)) or (
                TYPE_IGNORE.search(comment) and not TYPE_IGNORE_WITH_REASON.search(comment)
            ):
                bare.append(f"{module.rel}:{token.start[0]}: {comment}")
    assert not bare, "write `# noqa: CODE - reason` or `# type: ignore[code]  # reason`:\n" + "\n".join(bare)


def test_the_rules_see_the_code() -> None:
    """The checks above pass vacuously if they find nothing: they must see app/web/'s imports of js."""
    web = [m for m in modules("app") if _within(m.name, "app.web")]
    assert web and any(imp.module.partition(".")[0] == "js" for m in web for imp in imports(m))
    assert len(list(all_modules())) > 100


def test_cycles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": set()}
    assert _cycles(graph) == [["a", "b", "c"], ["d"]]
