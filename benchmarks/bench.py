"""Benchmark corptls-lint against bandit and ruff (their TLS rules) on the same files.

    python benchmarks/bench.py --cache-dir DIR [--group tls|django] [--repeat 3] [--jobs N]
    python benchmarks/bench.py --source FOLDER [FOLDER ...]      # a local corpus, no download
    python benchmarks/bench.py --cache-dir DIR --before REV    # also an earlier commit's cold run

The pinned corpus (benchmarks/corpus.txt) is fetched from the package index pip uses, checked
against its sha256 and unpacked under DIR, outside the repository. Every tool runs on the same
folders in the same run; the table gives the median wall time of --repeat runs, lines per
second, the peak memory of the whole process tree (PSS), and the ratios to bandit and ruff. Then the
findings of each tool, and how many of bandit's B501/B323 and ruff's S501/S323 findings
corptls-lint also reports (same file, a line within the peer's range).

`--before REV` adds the cold run of the source at git revision REV (its `src/`, run with the
same interpreter and dependencies) to the same rounds as the cold run, so a rule or engine
change is compared with what it replaces on the same machine at the same moment.

bandit and ruff come from the `bench` extra; a missing one is reported as not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (the sibling module, found through the line above)

BANDIT_TESTS = "B501,B323,B502,B503,B504"
RUFF_RULES = "S501,S323,S502,S503,S504"
# A peer's finding is "also reported" when corptls-lint reports one of these codes there.
RECALL_CODES = {
    "B501": {"TLS101"}, "S501": {"TLS101"},
    "B323": {"TLS103"}, "S323": {"TLS103"},
}

Finding = Tuple[str, int, int, str]  # (real path, first line, last line, code)


@dataclass
class Measure:
    label: str
    walls: List[float] = field(default_factory=list)
    peak_kb: int = 0
    findings: List[Finding] = field(default_factory=list)
    missing: Optional[str] = None  # why the tool did not run
    whole_corpus: bool = True  # False: lines/s and ratios do not apply

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


# -- running one command, timed, with the peak memory of its process tree ------------------
def _children(pid: int) -> List[int]:
    found: List[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def _rss_kb(pid: int) -> int:
    """The process's proportional set size: pages shared with forked workers count once in
    the sum over the tree (plain RSS would count them in every worker). RSS where PSS is
    not available."""
    for name, field_name in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}") as handle:
                for line in handle:
                    if line.startswith(field_name):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def _tree_rss_kb(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(_children(pid))
    return total


def run_measured(command: Sequence[str], stdout_path: Path) -> Tuple[float, int, int]:
    """(wall seconds, peak KB of the process tree, exit code). Memory is sampled from /proc
    every 20 ms (PSS summed over pool workers); where /proc is missing, the largest child's
    peak from getrusage is used."""
    peak = [0]
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_rss_kb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    if not peak[0]:
        import resource

        peak[0] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak[0], code


# -- the tools ---------------------------------------------------------------------------
def _tool(name: str) -> Optional[str]:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _real(path: str) -> str:
    return os.path.realpath(path)


def parse_corptls(text: str) -> List[Finding]:
    found = []
    for line in text.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
            code = parts[3].split()[0]
            found.append((_real(parts[0]), int(parts[1]), int(parts[1]), code))
    return found


def parse_diff(text: str) -> List[Finding]:
    """One entry per hunk of a unified diff (the diff's size, not findings)."""
    return [("", 0, 0, "hunk") for line in text.splitlines() if line.startswith("@@ ")]


TARGET_OPTIONS = ["--ca-bundle", "corp_tls:CA_BUNDLE", "--session-factory",
                  "corp_tls:make_session", "--ssl-context", "corp_tls:ssl_context()"]
LARGE_MODULE_LINES = 150_000


def write_large_module(folder: Path, lines: int) -> Path:
    """A module of `lines` short statements and one `verify=False` at the end."""
    path = folder / "large_module.py"
    body = "".join(f"value_{n} = {n} + 1\n" for n in range(lines))
    path.write_text("import requests\n" + body + "requests.get(URL, verify=False)\n")
    return path


DEEP_TERMS = 10_000


def write_deep_expression(folder: Path, terms: int) -> Path:
    """A module with one `verify=False` and a generated `1 + 1 + ...` of `terms` terms."""
    path = folder / "deep_expression.py"
    path.write_text("import requests\nrequests.get(URL, verify=False)\n"
                    "total = " + " + ".join(["1"] * terms) + "\n")
    return path


def parse_bandit(text: str) -> List[Finding]:
    data = json.loads(text or "{}")
    return [(_real(r["filename"]), min(r["line_range"] or [r["line_number"]]),
             max(r["line_range"] or [r["line_number"]]), r["test_id"])
            for r in data.get("results", [])]


def parse_ruff(text: str) -> List[Finding]:
    return [(_real(d["filename"]), d["location"]["row"], d["end_location"]["row"], d["code"])
            for d in json.loads(text or "[]")]


def measure(label: str, command: Optional[List[str]], parse, repeat: int, scratch: Path,
            before=None, missing: str = "") -> Measure:
    result = Measure(label)
    if command is None:
        result.missing = missing or "not installed"
        return result
    for _ in range(repeat):
        _run_once(result, command, parse, scratch, before)
    return result


def measure_rounds(rows: Sequence[Tuple[str, Optional[List[str]], object, object]], repeat: int,
                   scratch: Path) -> List[Measure]:
    """Each (label, command, parse, before) once per round, in turn, for `repeat` rounds. A
    machine whose speed drifts during the benchmark (ruff took 1.26-1.97 s within one morning
    here) then slows every row of a round alike, and their ratios hold."""
    results = [Measure(label) for label, *_ in rows]
    for result, (_, command, _, _) in zip(results, rows):
        if command is None:
            result.missing = "not installed"
    for _ in range(repeat):
        for result, (_, command, parse, before) in zip(results, rows):
            if command is not None:
                _run_once(result, command, parse, scratch, before)
    return results


def _run_once(result: Measure, command: List[str], parse, scratch: Path, before) -> None:
    if before is not None:
        before()
    out = scratch / f"{result.label.replace(' ', '_')}.out"
    wall, peak, _ = run_measured(command, out)
    result.walls.append(wall)
    result.peak_kb = max(result.peak_kb, peak)
    if len(result.walls) == 1:
        result.findings = parse(out.read_text(encoding="utf-8", errors="replace"))


def earlier_source(revision: str, python: str, target: Path) -> List[str]:
    """The command that runs corptls-lint as it was at a git revision: its `src/` exported
    from this repository into `target` (bytecode compiled, as for the installed one), run by
    the same interpreter, so only the source differs."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", "--format=tar",
                              revision, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    source = target / "src"
    subprocess.run([python, "-m", "compileall", "-q", str(source)], check=True,
                   stdout=subprocess.DEVNULL)
    return [python, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
            "from corptls_lint.cli import main; sys.exit(main())", str(source)]


def compile_bytecode(python: str) -> None:
    """Write the bytecode of the installed corptls_lint, as pip does when it installs a wheel.
    An editable checkout run with PYTHONDONTWRITEBYTECODE set never has it, and then every run
    compiles the package again (about 0.3 s of a one-file run)."""
    subprocess.run([python, "-c", "import compileall, os, corptls_lint; "
                    "compileall.compile_dir(os.path.dirname(corptls_lint.__file__), quiet=1)"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- a restored CI cache: a fresh checkout of the same files, every mtime new ------------
def copy_checkout(folders: Sequence[str], files: Sequence[str], target: Path) -> List[str]:
    """Copies of the files corptls-lint lints, one folder per corpus folder: the benchmark
    touches its own copy, never the shared unpacked corpus others may be reading."""
    copies = [target / f"{number}-{Path(folder).name}" for number, folder in enumerate(folders)]
    for path in files:
        number = next(n for n, folder in enumerate(folders)
                      if path.startswith(folder.rstrip(os.sep) + os.sep))
        copy = copies[number] / os.path.relpath(path, folders[number])
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return [str(copy) for copy in copies]


def touch_all(folders: Sequence[str]) -> None:
    """A new mtime (and so a new ctime) for every file, as a fresh checkout has."""
    stamp = time.time()
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                os.utime(os.path.join(root, name), (stamp, stamp))


# -- the report ----------------------------------------------------------------------------
def count_lines(paths: Sequence[str]) -> Tuple[int, int, List[str]]:
    """(files, lines, the files) corptls-lint lints under `paths`, with the default config."""
    from corptls_lint.running.config import Config
    from corptls_lint.running.files import discover

    files = discover(list(paths), Config())
    lines = 0
    for path in files:
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    return len(files), lines, files


def recall(peer: Measure, ours: Measure, prefix: str) -> List[str]:
    by_file: Dict[str, List[Finding]] = {}
    for finding in ours.findings:
        by_file.setdefault(finding[0], []).append(finding)
    report = []
    for code, wanted in sorted(RECALL_CODES.items()):
        theirs = [f for f in peer.findings if f[3] == code]
        if peer.missing is not None or not code.startswith(prefix):
            continue
        missed = [f for f in theirs
                  if not any(o[3] in wanted and f[1] <= o[1] <= f[2]
                             for o in by_file.get(f[0], []))]
        report.append(f"{peer.label.split()[0]} {code}: {len(theirs)} findings, "
                      f"{len(theirs) - len(missed)} also reported by corptls-lint")
        for path, first, last, _ in missed:
            report.append(f"    not reported: {path}:{first}" + (f"-{last}" if last != first else ""))
    return report


LABEL_WIDTH = 37  # the first column: the longest label and a space


def table(rows: List[Measure], lines: int, bandit: Measure, ruff: Measure) -> List[str]:
    out = [f"{'tool':<{LABEL_WIDTH}}{'wall s':>9}{'lines/s':>11}{'peak MB':>9}"
           f"{'bandit/x':>10}{'x/ruff':>8}{'findings':>10}"]
    for row in rows:
        if row.missing is not None:
            out.append(f"{row.label:<{LABEL_WIDTH}}{row.missing:>9}")
            continue
        wall = row.wall
        if not row.whole_corpus:
            out.append(f"{row.label:<{LABEL_WIDTH}}{wall:>9.2f}{'-':>11}{row.peak_kb / 1024:>9.0f}"
                       f"{'-':>10}{'-':>8}{len(row.findings):>10}")
            continue
        vs_bandit = f"{bandit.wall / wall:.1f}" if bandit.missing is None else "-"
        vs_ruff = f"{wall / ruff.wall:.1f}" if ruff.missing is None else "-"
        out.append(f"{row.label:<{LABEL_WIDTH}}{wall:>9.2f}{lines / wall:>11,.0f}{row.peak_kb / 1024:>9.0f}"
                   f"{vs_bandit:>10}{vs_ruff:>8}{len(row.findings):>10}")
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", help="where sdists are downloaded and unpacked")
    parser.add_argument("--group", default="tls", help="corpus group in corpus.txt (tls, django)")
    parser.add_argument("--corpus", default=str(HERE / "corpus.txt"), help="the pins file")
    parser.add_argument("--source", nargs="+", help="benchmark these folders instead")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool (median)")
    parser.add_argument("--bandit-repeat", type=int, default=None,
                        help="runs of bandit (default: --repeat; it takes minutes on the corpus)")
    parser.add_argument("--jobs", type=int, default=None, help="corptls-lint --jobs (default: CPUs)")
    parser.add_argument("--large-lines", type=int, default=LARGE_MODULE_LINES,
                        help="lines of the generated large module (default: 150,000)")
    parser.add_argument("--update-hashes", action="store_true",
                        help="fill in missing sha256 pins from the first download")
    parser.add_argument("--before", metavar="REV",
                        help="also time the cold run of this git revision's source, in the "
                             "same rounds as the cold run")
    args = parser.parse_args(argv)

    if args.source:
        folders = [str(Path(p).resolve()) for p in args.source]
    elif args.cache_dir:
        folders = [str(p) for p in corpus.prepare(Path(args.corpus), Path(args.cache_dir).resolve(),
                                                  args.group, args.update_hashes)]
    else:
        parser.error("give --cache-dir (to fetch the pinned corpus) or --source FOLDER")
    files, lines, file_list = count_lines(folders)
    print(f"corpus: {len(folders)} folders, {files:,} files, {lines:,} lines")

    corptls = _tool("corptls-lint")
    if corptls is None:
        print("bench: corptls-lint is not installed", file=sys.stderr)
        return 2
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    beside = Path(corptls).parent / "python"  # the interpreter the console script runs
    compile_bytecode(str(beside) if beside.exists() else sys.executable)
    with tempfile.TemporaryDirectory(prefix="corptls-bench-") as scratch_name:
        scratch = Path(scratch_name)
        cache = scratch / "cache"
        base = [corptls, "--exit-zero", "--cache-dir", str(cache), *jobs]

        def empty_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        bandit_exe, ruff_exe = _tool("bandit"), _tool("ruff")
        before_rows = []
        if args.before:
            python = str(beside) if beside.exists() else sys.executable
            before_cache = scratch / "before-cache"
            before_rows.append((f"corptls-lint cold at {args.before}",
                                earlier_source(args.before, python, scratch / "before")
                                + ["--exit-zero", "--cache-dir", str(before_cache), *jobs,
                                   *folders],
                                parse_corptls,
                                lambda: shutil.rmtree(before_cache, ignore_errors=True)))
        # cold, warm (the cache the cold run just wrote) and ruff in rounds: their ratios
        cold, warm, ruff, *before = measure_rounds([
            ("corptls-lint cold", base + folders, parse_corptls, empty_cache),
            ("corptls-lint warm (cache)", base + folders, parse_corptls, None),
            ("ruff (TLS rules)", None if ruff_exe is None else
             [ruff_exe, "check", "--isolated", "--no-cache", "--exit-zero", "--output-format",
              "json", "--select", RUFF_RULES, *folders], parse_ruff, None),
            *before_rows,
        ], args.repeat, scratch)
        # a CI runner: the cache an earlier run saved at the same checkout path, restored
        # beside a fresh checkout (new inodes, every file touched before each run), so the
        # stat index matches no file and the files' bytes decide
        checkout = copy_checkout(folders, file_list, scratch / "checkout")
        saved_cache, restored_cache = scratch / "saved-cache", scratch / "restored-cache"
        on_checkout = [corptls, "--exit-zero", *jobs, "--cache-dir"]
        shutil.copytree(cache, saved_cache)
        run_measured(on_checkout + [str(saved_cache), *checkout], scratch / "saved.out")

        def restore_cache() -> None:
            shutil.rmtree(restored_cache, ignore_errors=True)
            shutil.copytree(saved_cache, restored_cache)
            touch_all(checkout)

        restored = measure("restored cache (every file touched)",
                           on_checkout + [str(restored_cache), *checkout], parse_corptls,
                           args.repeat, scratch, before=restore_cache)
        serial = measure("corptls-lint cold --jobs 1",
                         [corptls, "--exit-zero", "--no-cache", "--jobs", "1", *folders],
                         parse_corptls, args.repeat, scratch)
        one_file = sorted({f[0] for f in cold.findings}) or file_list[:1]
        single = measure("corptls-lint one file", [corptls, "--exit-zero", "--no-cache",
                                                   *one_file[:1]],
                         parse_corptls, max(args.repeat, 5), scratch)
        single.whole_corpus = False
        bandit = measure("bandit (TLS tests)",
                         None if bandit_exe is None else
                         [bandit_exe, "-r", "-q", "-f", "json", "-t", BANDIT_TESTS, *folders],
                         parse_bandit, args.bandit_repeat or args.repeat, scratch)

        # a migration's --diff over the whole corpus, every target configured (issue 17),
        # beside a check of the same configuration (TLS401 is on once a factory is set)
        cold_targets = measure("corptls-lint cold (3 targets)",
                               [corptls, "--exit-zero", "--no-cache", *jobs, *TARGET_OPTIONS,
                                *folders], parse_corptls, args.repeat, scratch)
        diff = measure("corptls-lint --diff (3 targets)",
                       [corptls, "--diff", "--no-cache", *jobs, *TARGET_OPTIONS, *folders],
                       parse_diff, args.repeat, scratch)
        # one generated 150,000-line module with one finding: check and --diff stay linear
        large = write_large_module(scratch, args.large_lines)
        large_check = measure("large module, check", [corptls, "--exit-zero", "--no-cache",
                                                      str(large)],
                              parse_corptls, args.repeat, scratch)
        large_diff = measure("large module, --diff",
                             [corptls, "--diff", "--no-cache", *TARGET_OPTIONS, str(large)],
                             parse_diff, args.repeat, scratch)
        # a generated 10,000-term expression beside one finding: stubbed out, the finding kept
        deep = measure(f"{DEEP_TERMS:,}-term expression, check",
                       [corptls, "--exit-zero", "--no-cache",
                        str(write_deep_expression(scratch, DEEP_TERMS))],
                       parse_corptls, args.repeat, scratch)
        for row in (large_check, large_diff, deep):
            row.whole_corpus = False

    rows = [cold, *before, warm, restored, serial, single, bandit, ruff, cold_targets, diff,
            large_check, large_diff, deep]
    print(f"bandit -t {BANDIT_TESTS}; ruff --select {RUFF_RULES} --no-cache --isolated")
    print(f"median of {args.repeat} runs (bandit: {args.bandit_repeat or args.repeat}); jobs={args.jobs or os.cpu_count()}; "
          f"lines/s over the whole corpus (one-file row: {one_file[0] if one_file else '-'})")
    print("\n".join(table(rows, lines, bandit, ruff)))
    print(f"--diff: {diff.wall / cold_targets.wall:.1f}x the cold check with the same targets, "
          f"{diff.wall / cold.wall:.1f}x the default cold check")
    for row in before:
        print(f"cold: {cold.wall / row.wall:.2f}x the time of {row.label} (same rounds); "
              f"findings {len(cold.findings)} now, {len(row.findings)} then")
    print()
    for row in (cold, bandit, ruff):
        if row.missing is None:
            counts = Counter(f[3] for f in row.findings)
            print(f"{row.label.split(' (')[0]} findings: " + (", ".join(f"{code} {n}" for code, n in
                                                         sorted(counts.items())) or "none"))
    for peer, prefix in ((bandit, "B"), (ruff, "S")):
        for line in recall(peer, cold, prefix):
            print(line)
        if peer.missing is not None:
            print(f"{peer.label}: {peer.missing}, recall not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
