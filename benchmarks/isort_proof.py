"""Issue 26, item 4's proof: on real projects that run ruff's isort rules (`I`), `corptls-lint
init` then `corptls-lint --fix` must leave nothing new for `ruff check --select I,F`.

    python benchmarks/isort_proof.py [--cache-dir DIR] [--only NAME ...] [--reserve]
                                     [--modes safe,unsafe] [--no-import-check] [--keep]
                                     [--json FILE]

Needs the `corptls-lint` and `ruff` console scripts next to this interpreter (or on PATH) and
pip (`pip install -e '.[test]' ruff` in a venv, then run it with that venv's python). The
script itself uses the standard library only.

For each pinned project below it:

1. downloads the sdist (`pip download --no-deps --no-binary :all: NAME==VERSION`, from the
   index pip is configured with) into the cache folder (`--cache-dir`, else the
   `CORPTLS_ISORT_PROOF_CACHE` variable, else a folder under the system temp dir), checks its
   sha256 against the pin, and unpacks it into a new temporary folder, never in the repository;
2. runs `corptls-lint init` in the project's root (`--module` where the project has more than
   one candidate package), which writes the trust module and the fix targets;
3. records `ruff check --select I,F --output-format json` on the source folder, from the
   project's root so that ruff reads the project's own configuration (its isort settings:
   known-first-party, force-sort-within-sections, ...), and the project's own full ruff
   configuration (no `--select`) too;
4. records corptls-lint's findings, runs `corptls-lint check --fix` (and, in the `unsafe`
   mode, `--fix --unsafe-fixes`, each mode on a fresh copy) on the source folder, and records
   the findings left;
5. runs ruff again, and reports the diagnostics that are new: not present before, matched by
   file, code and message with the line numbers ignored (as a multiset: a second identical
   diagnostic in the same file is new);
6. checks that a second `--fix` changes no byte (idempotence), that every fixed module
   compiles (`python -m py_compile`), and, unless `--no-import-check`, that every fixed
   module still imports: a throwaway venv gets the released package (for its dependencies)
   and each module is imported with the fixed source folder first on `sys.path`. A module
   that did not import before the fix either (a missing optional dependency) is reported
   as "n/a".

The ruff diagnostics before the fix include the trust module's own: `init` writes it before
the first ruff run, so that the table's "new" column is what `--fix` changed in the project's
files and nothing else. The trust module's diagnostics are listed separately.

Exit status: 0 when every project ran and no mode left a new ruff I/F diagnostic, a second
fix that changed something, or a module that no longer compiles or imports; 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    sha256: str
    source: str  # the folder given to corptls-lint and ruff, relative to the sdist's root
    module: Optional[str] = None  # `init --module`, where the default would not do
    path: str = "."  # the folder the package is imported from: "src" in a src layout
    why: str = ""


# The five projects. Each selects ruff's isort rules (`I`) in its own pyproject.toml, and each
# has code that `--fix` rewrites onto the trust module, adding an import of it; they were chosen
# from about 300 sdists scanned for both, to cover different isort settings and layouts.
PROJECTS: List[Project] = [
    Project("prefect", "3.9.1",
            "56f091cd49a06e6c3f98eea93648208f6750361d1dd0aeb60b5faa0e9cb5c458",
            "src", path="src",
            why="src layout; TLS401 (httpx/requests clients) and TLS101 in 5 files, plus TLS103 "
                "and TLS401 unsafe fixes in 3 more; every fixed file already imports from "
                "prefect; one fix is aliased (the name is taken)"),
    Project("poetry", "2.5.1",
            "19fbd566efced512be58989a756aa1333cdc9b6aabb4fc84fd1ec9d29ee74874",
            "src", module="poetry", path="src",
            why="src layout, a namespace package (no __init__.py: init needs --module); isort "
                "force-single-line, lines-between-types, lines-after-imports = 2, "
                "known-third-party poetry.core, a required `from __future__` import; TLS401 "
                "in 2 files among first-party imports, one fix aliased"),
    Project("locust", "2.47.0",
            "70ffe28cdb7a3224a4efb60b31d585c26343d5679fec8d5b18017ffb6893b423",
            "locust",
            why="a custom section-order: a `locust` section ahead of the standard library; "
                "TLS401 (safe) and TLS105 (unsafe)"),
    Project("python-kasa", "0.12.0",
            "92b0cd9eafc89a07a31e5652dd494a2eed0477fc1b0e517ba1b1a045d2cf3643",
            "kasa", module="kasa",
            why="flat layout with two top-level packages (init needs --module kasa); TLS103 in "
                "a file whose only project imports are relative (the first-party section must "
                "go between third-party and local-folder) and in one with none"),
    Project("aiohue", "4.9.0",
            "c1c5edf114266f6b5878ffccf82db8b326141cc3d8c3697f5fc3aa87a4d3747e",
            "aiohue",
            why="isort force-sort-within-sections and combine-as-imports, known-first-party; "
                "TLS103 in 2 files, one with first-party imports, one with relative ones"),
]

# More projects that pass the same filter, run with --reserve (not part of the five).
RESERVE: List[Project] = [
    Project("deebot-client", "6.0.2",
            "ecbe8f9dfe3544683936523f178a3d838c1592a5f459cb4868f4e525469cdf8a",
            "deebot_client",
            why="force-sort-within-sections, combine-as-imports, first-party and relative "
                "imports; one TLS103, an unsafe fix, aliased"),
    Project("label-studio-sdk", "2.1.2",
            "44f1b34be225e30bd0a76aefecf7a2a229cee639843b5f4ef188d585adcb4069",
            "src", path="src",
            why="src layout; a section-order without local-folder; TLS401 x9 in 3 files"),
    Project("zeep", "4.3.3",
            "99d5059f92f721020998695fd9c85289ccb03ec5a2398ad49c6dbe43f19cfb94",
            "src", path="src",
            why="src layout, known-first-party; the CLI's verify option (TLS102)"),
    Project("earthaccess", "0.17.0",
            "a353e40f4c7eb5445f543dcacc81e905ef16799f816a471a68a57f7a407d66ef",
            "earthaccess",
            why="combine-as-imports; TLS401 x4 in 3 files"),
    Project("great-expectations", "1.24.1",
            "d35f98a4a1ec27457b61a99ed194ad55eeabcd9c9677162dd2a5db853e9f2490",
            "great_expectations",
            why="TLS401 x4 in 2 files; its own config selects TC (type-checking imports)"),
    Project("aioshelly", "13.35.0",
            "6f3d5efed19c97403310d542a0842716154e0c1f90ebf67f02df1a8e8eb2549e",
            "aioshelly",
            why="TLS103 in a file with an `if TYPE_CHECKING:` block between the imports"),
    Project("pyenphase", "4.2.0",
            "35e13f0d68e68be50d5c06dcb7278a8f6380429c12f2a25fe4fa385ba7d4740b",
            "src", path="src",
            why="src layout, known-first-party; TLS103 in a module named ssl.py"),
]

MODES = ("safe", "unsafe")


def tool(name: str) -> str:
    """The console script next to this interpreter, else the one on PATH."""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / name, Path(sys.executable).parent / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"isort_proof: `{name}` is not installed (pip install -e '.[test]' ruff)")
    return found


def run(args: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=str(cwd), capture_output=True, text=True, env=env)


# --- the sdists ------------------------------------------------------------------------------

def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def find_sdist(cache: Path, project: Project) -> Optional[Path]:
    stem = f"{_normal(project.name)}-{project.version}"
    for path in sorted(cache.iterdir()):
        base = path.name
        for suffix in (".tar.gz", ".zip", ".tar.bz2"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        else:
            continue
        name, _, version = base.rpartition("-")
        if f"{_normal(name)}-{version}" == stem:
            return path
    return None


def fetch(cache: Path, project: Project) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    sdist = find_sdist(cache, project)
    if sdist is None:
        result = run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                      "--no-binary", ":all:", "--dest", str(cache),
                      f"{project.name}=={project.version}"], cwd=cache)
        sdist = find_sdist(cache, project)
        if sdist is None:
            raise RuntimeError(f"pip download failed: {result.stderr.strip()[-500:]}")
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if project.sha256 and digest != project.sha256:
        raise RuntimeError(f"{sdist.name}: sha256 {digest}, pinned {project.sha256}")
    return sdist


def unpack(sdist: Path, into: Path) -> Path:
    if sdist.name.endswith(".zip"):
        with zipfile.ZipFile(sdist) as archive:
            archive.extractall(into)
    else:
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(into, filter="data")
            else:  # Pythons without the extraction filters
                archive.extractall(into)  # noqa: S202  (a pinned, hash-checked archive)
    entries = list(into.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into


# --- ruff ------------------------------------------------------------------------------------

Diagnostic = Tuple[str, int, str, str]  # (file relative to the project's root, line, code, message)


def ruff_diagnostics(root: Path, source: str,
                     select: Optional[str]) -> Tuple[List[Diagnostic], str]:
    """ruff's diagnostics on `source`, from the project's root; (diagnostics, error)."""
    args = [tool("ruff"), "check", "--no-cache", "--exit-zero", "--output-format", "json"]
    if select:
        args += ["--select", select]
    result = run(args + [source], cwd=root)
    try:
        data = json.loads(result.stdout)
    except ValueError:
        return [], (result.stderr.strip().splitlines() or ["no output"])[-1]
    diagnostics = []
    for item in data:
        path = os.path.relpath(item["filename"], root)
        code = item.get("code") or "syntax-error"
        diagnostics.append((path, item["location"]["row"], code, item["message"]))
    return sorted(diagnostics), ""


def new_diagnostics(before: List[Diagnostic], after: List[Diagnostic]) -> List[Diagnostic]:
    """The diagnostics of `after` that `before` does not have, by file, code and message."""
    left = Counter((path, code, message) for path, _, code, message in before)
    new = []
    for diagnostic in after:
        key = (diagnostic[0], diagnostic[2], diagnostic[3])
        if left[key]:
            left[key] -= 1
        else:
            new.append(diagnostic)
    return new


# --- corptls-lint ----------------------------------------------------------------------------

def lint(root: Path, source: str, *extra: str) -> Tuple[List[Dict[str, object]], str]:
    result = run([tool("corptls-lint"), "check", source, "--no-cache", "--exit-zero", "--quiet",
                  "--output-format", "json", *extra], cwd=root)
    try:
        return list(json.loads(result.stdout)["findings"]), result.stderr
    except (ValueError, KeyError):
        raise RuntimeError(f"corptls-lint {' '.join(extra)}: {result.stderr.strip()[-500:]}")


def snapshot(root: Path, source: str) -> Dict[str, bytes]:
    """The bytes of every Python file under `source`, by its path relative to `root`."""
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted((root / source).rglob("*.py")) if path.is_file()}


# --- importing the fixed modules -------------------------------------------------------------

def module_name(source_dir: Path, file: Path) -> str:
    parts = list(file.relative_to(source_dir).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Imports each module named, with the folder first on sys.path; "ok" only when the module
# came from that folder (not from the installed release).
_IMPORT = """\
import importlib, os, sys
folder = os.path.realpath(sys.argv[1])
sys.path.insert(0, folder)
for name in sys.argv[2:]:
    try:
        module = importlib.import_module(name)
    except BaseException as error:
        print(name, "\\t", type(error).__name__, str(error).splitlines()[0] if str(error) else "")
    else:
        where = os.path.realpath(getattr(module, "__file__", "") or "")
        ok = where.startswith(folder + os.sep)
        print(name, "\\tok" if ok else "\\tnot from the folder: " + where)
"""


def import_results(python: str, path_dir: Path, modules: List[str]) -> Dict[str, str]:
    if not modules:
        return {}
    result = run([python, "-c", _IMPORT, str(path_dir), *modules], cwd=path_dir)
    outcome = {}
    for line in result.stdout.splitlines():
        name, _, verdict = line.partition(" \t")
        outcome[name] = verdict.strip()
    for name in modules:
        outcome.setdefault(name, f"crashed: {result.stderr.strip()[-200:]}")
    return outcome


def import_venv(work: Path, project: Project, sdist: Path) -> Tuple[Optional[str], str]:
    """A venv with the released package and its dependencies; (its python, or None, why not)."""
    venv = work / "import-venv"
    result = run([sys.executable, "-m", "venv", str(venv)], cwd=work)
    if result.returncode:
        return None, "venv: " + result.stderr.strip()[-200:]
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    result = run([python, "-m", "pip", "install", "--quiet", str(sdist)], cwd=work)
    if result.returncode:
        return None, "pip install: " + (result.stderr.strip().splitlines() or ["?"])[-1][:200]
    return python, ""


# --- one project, one mode -------------------------------------------------------------------

@dataclass
class Outcome:
    project: Project
    mode: str
    error: str = ""
    files_fixed: List[str] = field(default_factory=list)
    findings_before: int = 0
    findings_after: int = 0
    fixed_codes: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    ruff_before: List[Diagnostic] = field(default_factory=list)
    ruff_after: List[Diagnostic] = field(default_factory=list)
    new: List[Diagnostic] = field(default_factory=list)
    own_error: str = ""
    own_before: int = 0
    own_after: int = 0
    own_new: List[Diagnostic] = field(default_factory=list)
    trust_module: str = ""
    trust_module_diagnostics: List[Diagnostic] = field(default_factory=list)
    idempotent: Optional[bool] = None
    not_idempotent: List[str] = field(default_factory=list)
    compile_failures: List[str] = field(default_factory=list)
    imports: Dict[str, Tuple[str, str]] = field(default_factory=dict)  # module: (before, after)
    import_note: str = ""
    init_note: str = ""
    fix_stderr: str = ""

    @property
    def import_failures(self) -> List[str]:
        return [name for name, (before, after) in self.imports.items()
                if before == "ok" and after != "ok"]

    @property
    def ok(self) -> bool:
        return (not self.error and not self.new and self.idempotent is True
                and not self.compile_failures and not self.import_failures)


def prove(project: Project, sdist: Path, mode: str, work: Path,
          import_python: Optional[str]) -> Outcome:
    outcome = Outcome(project, mode)
    root = unpack(sdist, work / mode)
    source_dir = root / project.source
    if not source_dir.is_dir():
        outcome.error = f"no folder {project.source} in the sdist"
        return outcome

    init = [tool("corptls-lint"), "init"] + (["--module", project.module] if project.module else [])
    result = run(init, cwd=root)
    pyproject = root / "pyproject.toml"
    if (result.returncode and pyproject.is_file()
            and "[tool.corptls-lint]" not in pyproject.read_text(encoding="utf-8")):
        # `init` could not add its table (it has failed on a [tool] table split by another
        # one, as poetry projects have it): give it an empty one at the end, and say so
        last_line = (result.stderr.strip().splitlines()[-1:]
                     or [f"exit status {result.returncode}"])
        outcome.init_note = (f"init failed ({last_line[0][:150]}); it ran again after an empty "
                             "[tool.corptls-lint] table was appended to pyproject.toml")
        with pyproject.open("a", encoding="utf-8") as file:
            file.write("\n[tool.corptls-lint]\n")
        result = run(init, cwd=root)
    if result.returncode:
        outcome.error = "init: " + (result.stdout + result.stderr).strip()[-300:]
        return outcome
    created = [line.split(None, 1)[1] for line in result.stdout.splitlines()
               if line.startswith("created") and line.endswith(".py")]
    outcome.trust_module = created[0].strip() if created else ""

    outcome.ruff_before, error = ruff_diagnostics(root, project.source, "I,F")
    if error:
        outcome.error = "ruff: " + error
        return outcome
    own_before, outcome.own_error = ruff_diagnostics(root, project.source, None)
    outcome.trust_module_diagnostics = [d for d in outcome.ruff_before
                                        if d[0] == outcome.trust_module]

    findings, _ = lint(root, project.source)
    outcome.findings_before = len(findings)
    before = snapshot(root, project.source)
    fix = ["--fix"] + (["--unsafe-fixes"] if mode == "unsafe" else [])
    remaining, outcome.fix_stderr = lint(root, project.source, *fix)
    outcome.findings_after = len(remaining)
    after = snapshot(root, project.source)
    outcome.files_fixed = sorted(name for name in after if before.get(name) != after[name])
    outcome.fixed_codes = (Counter(str(f["code"]) for f in findings)
                           - Counter(str(f["code"]) for f in remaining))

    lint(root, project.source, *fix)
    again = snapshot(root, project.source)
    outcome.not_idempotent = sorted(name for name in again if after.get(name) != again[name])
    outcome.idempotent = not outcome.not_idempotent

    outcome.ruff_after, error = ruff_diagnostics(root, project.source, "I,F")
    if error:
        outcome.error = "ruff after the fix: " + error
        return outcome
    outcome.new = new_diagnostics(outcome.ruff_before, outcome.ruff_after)
    if not outcome.own_error:
        own_after, outcome.own_error = ruff_diagnostics(root, project.source, None)
        outcome.own_before, outcome.own_after = len(own_before), len(own_after)
        outcome.own_new = new_diagnostics(own_before, own_after)

    for name in outcome.files_fixed:
        result = run([sys.executable, "-m", "py_compile", str(root / name)], cwd=root)
        if result.returncode:
            outcome.compile_failures.append(name)

    if import_python is not None:
        path_dir = root / project.path
        modules = [module_name(path_dir, root / name) for name in outcome.files_fixed]
        pristine = unpack(sdist, work / f"{mode}-pristine") / project.path
        was = import_results(import_python, pristine, modules)
        now = import_results(import_python, path_dir, modules)
        outcome.imports = {name: (was[name], now[name]) for name in modules}
    return outcome


# --- the report ------------------------------------------------------------------------------

def table(rows: List[List[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def import_cell(outcome: Outcome) -> str:
    if outcome.import_note:
        return outcome.import_note
    if not outcome.imports:
        return "-"
    ok = sum(1 for before, after in outcome.imports.values() if before == after == "ok")
    na = sum(1 for before, _ in outcome.imports.values() if before != "ok")
    broken = len(outcome.import_failures)
    cell = f"{ok}/{len(outcome.imports)} ok"
    if na:
        cell += f", {na} n/a"
    if broken:
        cell += f", {broken} BROKEN"
    return cell


def report(outcomes: List[Outcome]) -> str:
    out = []
    rows = [["project", "mode", "files fixed", "fixed", "corptls before/after",
             "ruff I,F before/after", "NEW I,F", "own ruff new", "idempotent", "compiles",
             "imports"]]
    for o in outcomes:
        label = f"{o.project.name} {o.project.version}"
        if o.error:
            rows.append([label, o.mode, "ERROR"] + [""] * 8)
            continue
        new_codes = Counter(code for _, _, code, _ in o.new)
        rows.append([
            label, o.mode, str(len(o.files_fixed)),
            " ".join(f"{code}x{n}" for code, n in sorted(o.fixed_codes.items())) or "-",
            f"{o.findings_before}/{o.findings_after}",
            f"{len(o.ruff_before)}/{len(o.ruff_after)}",
            (" ".join(f"{code}x{n}" for code, n in sorted(new_codes.items())) or "0"),
            ("error" if o.own_error else str(len(o.own_new))),
            "yes" if o.idempotent else "NO",
            "yes" if not o.compile_failures else f"NO ({len(o.compile_failures)})",
            import_cell(o),
        ])
    out.append(table(rows))
    for o in outcomes:
        head = f"\n{o.project.name} {o.project.version} ({o.mode}):"
        if o.error:
            out.append(head + "\n  ERROR: " + " ".join(o.error.split()))
            continue
        lines = [f"  fixed: {', '.join(o.files_fixed) or 'nothing'}"]
        if o.init_note:
            lines.append(f"  {o.init_note}")
        lines += [f"  NEW {code} {path}:{line} {message}" for path, line, code, message in o.new]
        lines += [f"  new under the project's own ruff config: {code} {path}:{line} {message}"
                  for path, line, code, message in o.own_new
                  if (path, line, code, message) not in o.new]
        if o.own_error:
            lines.append(f"  the project's own ruff config could not run: {o.own_error}")
        if o.trust_module_diagnostics:
            lines += [f"  trust module (before and after): {code} {path}:{line} {message}"
                      for path, line, code, message in o.trust_module_diagnostics]
        lines += [f"  NOT IDEMPOTENT: {name}" for name in o.not_idempotent]
        lines += [f"  DOES NOT COMPILE: {name}" for name in o.compile_failures]
        lines += [f"  import {name}: before {before}; after {after}"
                  for name, (before, after) in o.imports.items() if after != "ok" or before != "ok"]
        summary = [line for line in o.fix_stderr.strip().splitlines() if line.strip()][:1]
        lines += [f"  corptls-lint: {line.strip()}" for line in summary]
        out.append(head + "\n" + "\n".join(lines))
    return "\n".join(out)


def versions() -> str:
    ruff = run([tool("ruff"), "--version"], cwd=Path.cwd()).stdout.strip()
    corptls = run([tool("corptls-lint"), "--version"], cwd=Path.cwd()).stdout.strip()
    return f"{ruff}; {corptls}; Python {sys.version.split()[0]}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    default_cache = os.environ.get("CORPTLS_ISORT_PROOF_CACHE") or str(
        Path(tempfile.gettempdir()) / "corptls-isort-proof")
    parser.add_argument("--cache-dir", default=default_cache,
                        help="where the sdists are kept (default: %(default)s)")
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME",
                        help="only these projects")
    parser.add_argument("--reserve", action="store_true",
                        help="also the reserve projects (more that pass the same filter)")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="safe (--fix), unsafe (--fix --unsafe-fixes), or both (default)")
    parser.add_argument("--no-import-check", action="store_true",
                        help="skip the import check (it installs each release in a venv)")
    parser.add_argument("--keep", action="store_true", help="keep the unpacked folders")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    modes = [mode for mode in args.modes.split(",") if mode]
    if not set(modes) <= set(MODES):
        parser.error(f"--modes: {args.modes}")
    pool = PROJECTS + (RESERVE if args.reserve or args.only else [])
    chosen = [p for p in pool if not args.only or p.name in args.only]
    if not chosen:
        parser.error("no project chosen")

    print(f"versions: {versions()}")
    for project in chosen:
        print(f"  {project.name}=={project.version}: {project.why}")
    outcomes: List[Outcome] = []
    for project in chosen:
        work = Path(tempfile.mkdtemp(prefix=f"isort-proof-{project.name}-"))
        try:
            try:
                sdist = fetch(Path(args.cache_dir), project)
            except RuntimeError as error:
                outcomes += [Outcome(project, mode, error=str(error)) for mode in modes]
                continue
            python, note = (None, "skipped") if args.no_import_check else import_venv(
                work, project, sdist)
            for mode in modes:
                try:
                    outcome = prove(project, sdist, mode, work, python)
                except RuntimeError as error:
                    outcome = Outcome(project, mode, error=str(error))
                if python is None and not outcome.error:
                    outcome.import_note = note
                outcomes.append(outcome)
                print(f"  {project.name} {mode}: done", file=sys.stderr, flush=True)
        finally:
            if args.keep:
                print(f"  kept {work}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)

    print(report(outcomes))
    if args.json:
        Path(args.json).write_text(json.dumps([{
            "project": f"{o.project.name}=={o.project.version}", "mode": o.mode, "error": o.error,
            "files_fixed": o.files_fixed, "fixed_codes": dict(o.fixed_codes),
            "findings_before": o.findings_before, "findings_after": o.findings_after,
            "ruff_before": o.ruff_before, "ruff_after": o.ruff_after, "new": o.new,
            "own_new": o.own_new, "own_error": o.own_error, "idempotent": o.idempotent,
            "compile_failures": o.compile_failures, "imports": o.imports,
        } for o in outcomes], indent=1) + "\n")
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
