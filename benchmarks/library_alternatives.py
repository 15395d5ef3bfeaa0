"""The figures behind the hand-written parts that a kept library could replace (the docstrings of
analysis/scopes.py, fixing/imports.py, checking/noqa.py and doctor/store.py quote them).

    python benchmarks/library_alternatives.py [FOLDER ...]

FOLDER: Python files to measure on (default: the installed requests, urllib3 and libcst
packages, real code of every size). Prints one line per comparison.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, ScopeProvider

from corptls_lint.analysis import scopes
from corptls_lint.fixing.imports import NeededImport, add_imports


def _files(folders: List[str]) -> List[Path]:
    if not folders:
        folders = [str(Path(importlib.util.find_spec(name).origin).parent)  # type: ignore
                   for name in ("requests", "urllib3", "libcst")]
    return sorted(path for folder in folders for path in Path(folder).rglob("*.py"))


def _best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _all_scopes(module: cst.Module) -> None:
    """What the engine builds when every function matters: the module's scope and each
    function's and class's (it builds them lazily, so this is its worst case)."""
    module_scope = scopes.module_scope(module)
    for node in _definitions(module):
        if isinstance(node, cst.FunctionDef):
            scopes.function_scope(node, module_scope)
        else:
            scopes.class_scope(node, module_scope)


def _definitions(module: cst.Module) -> List[cst.CSTNode]:
    found: List[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            found.append(node)

    module.visit(Collect())
    return found


def _scope_provider(module: cst.Module) -> None:
    MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)


def _add_import_ours(module: cst.Module) -> None:
    add_imports(module, [NeededImport("corp_tls", "CA_BUNDLE")])


def _add_import_libcst(module: cst.Module) -> None:
    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, "corp_tls", "CA_BUNDLE")
    AddImportsVisitor(context).transform_module(module)


def compare(files: List[Path]) -> None:
    modules = []
    for path in files:
        try:
            modules.append(cst.parse_module(path.read_bytes()))
        except (cst.ParserSyntaxError, RecursionError):
            continue
    lines = sum(module.code.count("\n") for module in modules)
    print(f"{len(modules)} modules, {lines} lines")
    for label, ours, theirs in (
            ("scopes: module, class and function scopes vs libcst ScopeProvider",
             _all_scopes, _scope_provider),
            ("imports: add `from corp_tls import CA_BUNDLE` vs libcst AddImportsVisitor",
             _add_import_ours, _add_import_libcst)):
        mine = sum(_best_of(3, lambda m=m: ours(m)) for m in modules)
        library = sum(_best_of(3, lambda m=m: theirs(m)) for m in modules)
        print(f"{label}: {mine * 1000:.0f} ms vs {library * 1000:.0f} ms "
              f"({library / mine:.1f}x)")


def shadowing() -> None:
    """The case AddImportsVisitor gets wrong: the module already binds the name to something else."""
    source = "CA_BUNDLE = False\n\ndef get(u):\n    return requests.get(u, verify=CA_BUNDLE)\n"
    module = cst.parse_module(source)
    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, "corp_tls", "CA_BUNDLE")
    theirs = AddImportsVisitor(context).transform_module(module).code
    shadowed = theirs.index("from corp_tls import CA_BUNDLE") < theirs.index("CA_BUNDLE = False")
    print("imports: AddImportsVisitor on a module binding CA_BUNDLE = False adds a plain "
          f"`from corp_tls import CA_BUNDLE` that the module then rebinds: {shadowed}")


def flake8_import_cost() -> None:
    """What importing flake8's noqa pattern (flake8.defaults) costs a process that does not."""
    runs = []
    for _ in range(5):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import flake8.defaults"],
                                capture_output=True, text=True, check=True)
        last = [line for line in result.stderr.splitlines() if line.endswith("flake8.defaults")]
        runs.append(int(last[-1].split("|")[1]) / 1000)
    print(f"noqa: importing flake8.defaults costs {statistics.median(runs):.1f} ms (median of 5)")


if __name__ == "__main__":
    compare(_files(sys.argv[1:]))
    shadowing()
    flake8_import_cost()
