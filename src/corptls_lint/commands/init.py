"""`corptls-lint init`: set a project up for the fixes (SPEC §7). Run in the project's root,
it writes the trust module into the project's package, points the `ca-bundle`,
`session-factory` and `ssl-context` targets of `[tool.corptls-lint]` at it (a new table extends
the configuration that ruled the project until then), and adds the hook to the
`.pre-commit-config.yaml` of the git work tree.

Every change is planned before any file is written, so a project whose pyproject.toml does
not parse is left as it was. Nothing is overwritten without `--force` (an existing trust
module, a target that names something else); a hook already there is left alone, with or
without it. A second run changes nothing, and says so file by file.
"""

from __future__ import annotations

import argparse
import keyword
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional

from corptls_lint.commands.common import EXIT_CLEAN, PROG
from corptls_lint.ftypes import ConfigError, is_dotted_name
from corptls_lint.output.common import DOCS_URL

if TYPE_CHECKING:
    from corptls_lint.source.writer import SourceFile

NAME = "init"
HELP = "set a project up: a trust module, the fix targets on it, the pre-commit hook"
EPILOG = f"""Run it in the project's root. Files that exist are changed only by adding to
them; an existing trust module and targets that name something else are
replaced only with --force.

exit codes:
  0  done (or nothing to do)
  2  usage error: no package or several (choose with --module), a bad name,
     a configuration file that does not parse, a file that cannot be written

documentation: {DOCS_URL}
"""

DEFAULT_MODULE_NAME = "corp_tls"
# The trust module's names that the targets point at (SPEC §7).
TARGET_NAMES = {"ca-bundle": "CA_BUNDLE", "session-factory": "make_session",
                "ssl-context": "ssl_context()"}
# Top-level folders of a flat layout that are not the project's package: setuptools'
# flat-layout discovery leaves out the same (FlatLayoutPackageFinder.DEFAULT_EXCLUDE).
NOT_THE_PACKAGE = frozenset((
    "benchmark", "benchmarks", "bin", "build", "changelog", "ci", "debian", "dist", "doc",
    "docs", "documentation", "env", "example", "examples", "exercise", "exercises", "fabfile",
    "htmlcov", "manpages", "news", "newsfragments", "python", "requirements", "scripts",
    "site_scons", "tasks", "test", "tests", "tools", "unit_test", "unit_tests", "util",
    "utils", "venv"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--module", metavar="PKG",
                        help="the package to write the trust module into, as a dotted name "
                             "(default: the one package under src/, else at the top)")
    parser.add_argument("--name", metavar="NAME", default=DEFAULT_MODULE_NAME,
                        help=f"the trust module's name (default: {DEFAULT_MODULE_NAME})")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing trust module, and configured targets that "
                             "name something else")


@dataclass(frozen=True)
class Package:
    """The package the trust module goes into."""

    name: str  # dotted: app, or app.net with --module
    folder: Path  # relative to the project's root
    lint_path: str  # what `check` is run on next: src, or the top package's folder


@dataclass
class FilePlan:
    """One file's change: its new text (None: left as it is) and what to say about it."""

    path: Path  # relative to the project's root
    existing: Optional[SourceFile]  # None: no such file
    new_text: Optional[str]
    note: str = ""

    @property
    def status(self) -> str:
        if self.new_text is None:
            return "unchanged"
        return "created" if self.existing is None else "updated"


def run(args: argparse.Namespace) -> int:
    root = Path.cwd()
    name = _trust_module_name(args.name)
    package = find_package(root, args.module)
    module = f"{package.name}.{name}"
    plans = [plan_trust_module(root, package.folder / f"{name}.py", args.force),
             plan_config(root, module, args.force),
             plan_pre_commit(root)]
    for plan in plans:  # each said as it is done: a failed write stops the ones after it
        write(root, plan)
        note = f": {plan.note}" if plan.note else ""
        sys.stdout.write(f"{plan.status:<9} {plan.path.as_posix()}{note}\n")
    if all(plan.new_text is None for plan in plans):
        sys.stdout.write("Nothing changed.\n")
    sys.stdout.write(f"Next: {PROG} check --diff {package.lint_path}   (preview the fixes; "
                     "--fix applies them)\n")
    return EXIT_CLEAN


def _trust_module_name(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
        raise ConfigError(f"--name: {name!r} is not a name for a module (letters, digits and "
                          "underscores, as in corp_tls)")
    return name


def find_package(root: Path, module: Optional[str]) -> Package:
    """The package named by --module, else the only one under src/ (src layout) or, when
    src/ holds none, at the top (flat layout). None or several: a usage error that names
    them."""
    if module is not None:
        return _named_package(root, module)
    src = _packages_in(root / "src", exclude=frozenset())
    if src:
        found = [Package(name, Path("src", name), "src") for name in src]
    else:
        found = [Package(name, Path(name), name)
                 for name in _packages_in(root, exclude=NOT_THE_PACKAGE)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ConfigError("no package found (src/PKG/__init__.py or PKG/__init__.py): name "
                          "the one to hold the trust module with --module PKG")
    names = ", ".join(package.folder.as_posix() for package in found)
    raise ConfigError(f"several packages found ({names}): choose one with --module PKG")


def _packages_in(folder: Path, exclude: FrozenSet[str]) -> List[str]:
    if not folder.is_dir():
        return []
    return sorted(child.name for child in folder.iterdir()
                  if child.name.isidentifier() and not keyword.iskeyword(child.name)
                  and not child.name.startswith("_") and child.name not in exclude
                  and (child / "__init__.py").is_file())


def _named_package(root: Path, module: str) -> Package:
    if not is_dotted_name(module):
        raise ConfigError(f"--module: {module!r} is not a dotted package name (as in app or "
                          "app.net)")
    relative = Path(*module.split("."))
    for base in ("src", ""):
        folder = Path(base) / relative if base else relative
        if (root / folder).is_dir():
            return Package(module, folder, base or module.split(".")[0])
    raise ConfigError(f"--module: no folder src/{relative.as_posix()} or "
                      f"{relative.as_posix()} for the package {module}")


def plan_trust_module(root: Path, path: Path, force: bool) -> FilePlan:
    """The trust module from the template; an existing one is replaced only with --force."""
    template = _template()
    if (root / path.with_suffix("")).is_dir():
        return FilePlan(path.with_suffix(""), None, None,
                        "a package of that name is there, left as it is")
    existing = _read(root, path)
    if existing is None:
        return FilePlan(path, None, template)
    if existing.text == template:
        return FilePlan(path, existing, None)
    if not force:
        return FilePlan(path, existing, None, "it exists and differs; --force replaces it")
    return FilePlan(path, existing, template)


def _template() -> str:
    """The trust module's text: `adoption/trust_module.py`, read and never imported (its
    import decides a trust)."""
    from importlib import resources

    return (resources.files("corptls_lint.adoption") / "trust_module.py").read_text("utf-8")


def plan_config(root: Path, module: str, force: bool) -> FilePlan:
    """The three targets in the project's configuration file."""
    from corptls_lint.running import config_edit

    path = config_edit.config_file_for(root).relative_to(root)
    existing = _read(root, path)
    targets: Dict[str, str] = {key: f"{module}:{expr}" for key, expr in TARGET_NAMES.items()}
    above = _configuration_above(root)
    edit = config_edit.set_keys(existing.text if existing else "", path, targets, force,
                                extend=above)
    notes = []
    changed = [key for key in edit.added + edit.replaced if key in targets]
    if changed:
        notes.append(f"{', '.join(changed)} set to {module}")
    if "extend" in edit.added:
        notes.append(f"extend = {above!r} keeps the configuration above")
    notes += [f"kept {key} = {value!r} (--force sets it to {targets[key]!r})"
              for key, value in edit.kept]
    if not notes:
        notes.append(f"the targets name {module}")
    new_text = edit.text if changed else None
    return FilePlan(path, existing, new_text, "; ".join(notes))


def _configuration_above(root: Path) -> Optional[str]:
    """The configuration file that rules the project's folder before init gives it a table
    of its own (a monorepo's, a shared one), relative to the project: its table must extend
    it, or that configuration would stop applying here."""
    import os

    from corptls_lint.running.config import find_config_file

    found = find_config_file(root.parent) if root.parent != root else None
    return None if found is None else Path(os.path.relpath(found, root)).as_posix()


def plan_pre_commit(root: Path) -> FilePlan:
    """corptls-lint's hook, pinned to this version, in .pre-commit-config.yaml."""
    from corptls_lint import __version__
    from corptls_lint.adoption import pre_commit
    from corptls_lint.output.common import REPOSITORY_URL

    path = _repository_top(root) / pre_commit.CONFIG_NAME
    rev = f"v{__version__}"
    existing = _read(root, path)
    if existing is None:
        return FilePlan(path, None, pre_commit.new_config(REPOSITORY_URL, rev))
    edit = pre_commit.add_hook(existing.text, REPOSITORY_URL, rev)
    if edit.text is None:
        return FilePlan(path, existing, None, edit.reason)
    return FilePlan(path, existing, edit.text, f"hook {pre_commit.HOOK_ID} added at {rev}")


def _repository_top(root: Path) -> Path:
    """Where pre-commit reads its configuration: the top of the git work tree the project is
    in (a monorepo's service is not it), relative to the project; the project itself
    outside git."""
    for level, folder in enumerate((root, *root.parents)):
        if (folder / ".git").exists():
            return Path(*[".."] * level)
    return Path()


def _read(root: Path, path: Path) -> Optional[SourceFile]:
    from corptls_lint.source import writer
    from corptls_lint.source.decoding import DecodeError

    if not (root / path).is_file():
        return None
    try:
        return writer.read_source(str(root / path))
    except OSError as error:
        raise ConfigError(f"{path.as_posix()}: cannot read: {error.strerror or error}") from None
    except DecodeError as error:
        raise ConfigError(f"{path.as_posix()}: cannot read: {error}") from None


def write(root: Path, plan: FilePlan) -> None:
    from corptls_lint.source import writer

    if plan.new_text is None:
        return
    try:
        if plan.existing is None:
            writer.create_file(str(root / plan.path), plan.new_text.encode("utf-8"))
        else:
            writer.write_source(plan.existing, plan.new_text)
    except writer.WriteError as error:
        raise ConfigError(f"{plan.path.as_posix()}: {error}") from None
