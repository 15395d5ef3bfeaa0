"""The package's architecture, checked: no import cycle between its modules, imports between
rooms (subpackages) flowing one way, and a small top level. docs/architecture.md draws it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

import corptls_lint

PACKAGE_DIR = Path(corptls_lint.__file__).resolve().parent

# Lowest first: a room may import its own modules and any room of a lower rank. The package
# itself (`__version__`) and `ftypes` are below everything; the front-ends above everything.
RANKS: Dict[str, int] = {
    "corptls_lint": 0, "ftypes": 0,
    "source": 1,
    "screens": 2,
    "analysis": 3,
    "rules": 4,
    "fixing": 5,
    "checking": 6,
    "output": 7, "adoption": 7,
    "doctor": 8,
    "running": 8,
    "docs_gen": 8,  # the rule pages, and `--explain` for the CLI
    "server": 9,  # the language server `commands.server` starts
    "commands": 10,  # the subcommands `cli` dispatches to
    "cli": 11, "flake8_plugin": 11, "__main__": 12,
}


def _modules(package_dir: Path) -> Dict[str, Path]:
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = (package_dir.name,) + path.relative_to(package_dir).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def import_graph(package_dir: Path) -> Dict[str, Set[str]]:
    """Module -> the package's modules it imports: every import statement, those inside
    functions and under `if TYPE_CHECKING:` included. `from P import name` is an edge to the
    module P.name where there is one, else to P."""
    modules = _modules(package_dir)
    root = package_dir.name
    graph: Dict[str, Set[str]] = {}
    for module, path in modules.items():
        edges: Set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names
                             if alias.name.split(".")[0] == root)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = _package_of(module, path).split(".")
                    prefix = package[:len(package) - node.level + 1]
                    base = ".".join(prefix + ([node.module] if node.module else []))
                if base.split(".")[0] != root:
                    continue
                for alias in node.names:
                    name = f"{base}.{alias.name}"
                    edges.add(name if name in modules else base)
        graph[module] = {edge for edge in edges if edge != module}
    return graph


def find_cycle(graph: Dict[str, Set[str]]) -> List[str]:
    """One import cycle as a list of modules (first == last), or [] when there is none."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(module: str) -> List[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return []


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def upward_imports(graph: Dict[str, Set[str]]) -> List[Tuple[str, str]]:
    return sorted((module, target) for module, targets in graph.items() for target in targets
                  if room_of(module) != room_of(target)
                  and RANKS[room_of(target)] >= RANKS[room_of(module)])


def test_no_import_cycle_among_the_package_modules():
    assert find_cycle(import_graph(PACKAGE_DIR)) == []


def test_imports_between_rooms_flow_one_way():
    graph = import_graph(PACKAGE_DIR)
    assert {room_of(module) for module in graph} == set(RANKS)
    assert upward_imports(graph) == []


def test_at_most_ten_modules_at_the_top_level():
    top = sorted(path.name for path in PACKAGE_DIR.glob("*.py"))
    assert len(top) <= 10, top


@pytest.mark.parametrize("room", sorted(path.parent.name for path in
                                        PACKAGE_DIR.glob("*/__init__.py")))
def test_each_room_says_what_it_owns_and_may_import(room):
    docstring = ast.get_docstring(ast.parse((PACKAGE_DIR / room / "__init__.py").read_text()))
    assert docstring and "May import:" in docstring


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "pkg"


def test_the_checks_see_a_cycle_through_type_checking_and_a_function(tmp_path):
    package = _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
        "pkg/b.py": "def f():\n    from pkg import c\n",
        "pkg/c.py": "from . import a\n",
    })
    assert find_cycle(import_graph(package)) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]


def test_the_checks_see_an_upward_import(monkeypatch):
    graph = {"corptls_lint.rules.base": {"corptls_lint.checking.engine"},
             "corptls_lint.checking.engine": {"corptls_lint.rules.base"}}
    assert upward_imports(graph) == [("corptls_lint.rules.base", "corptls_lint.checking.engine")]


def private_stdlib_uses(package_dir: Path) -> List[str]:
    """`module._name` where `module` is a standard-library module the file imports: a private
    API that may change in any Python release."""
    import sys

    stdlib = sys.stdlib_module_names  # type: ignore[attr-defined]  # 3.10+
    found = []
    for module, path in _modules(package_dir).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.asname or alias.name for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names
                    if alias.name.split(".")[0] in stdlib}
        found += [f"{module}:{node.lineno} {node.value.id}.{node.attr}" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in imported and node.attr.startswith("_")
                  and not node.attr.startswith("__")]
    return found


def test_no_private_standard_library_api():
    import sys

    if not hasattr(sys, "stdlib_module_names"):
        pytest.skip("sys.stdlib_module_names is Python 3.10's")
    assert private_stdlib_uses(PACKAGE_DIR) == []


def test_the_private_api_check_sees_one(tmp_path):
    import sys

    if not hasattr(sys, "stdlib_module_names"):
        pytest.skip("sys.stdlib_module_names is Python 3.10's")
    package = _write(tmp_path, {"pkg/__init__.py": "",
                                "pkg/a.py": "import tokenize\ntokenize._get_normal_name('x')\n"})
    assert private_stdlib_uses(package) == ["pkg.a:2 tokenize._get_normal_name"]
