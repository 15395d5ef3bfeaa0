"""`corptls-lint check [PATH ...]`: the linter, and its fixes (SPEC §2). Also what a bare
`corptls-lint [PATH ...]` runs."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, TextIO, Tuple

from corptls_lint.commands.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, PROG
from corptls_lint.ftypes import ConfigError, Diagnostic, FileOutcome, FileTask
from corptls_lint.output import FORMATS
from corptls_lint.output.common import DOCS_URL
from corptls_lint.output.statistics import FORMATS as STATISTICS_FORMATS

if TYPE_CHECKING:
    from corptls_lint.running.cache import ResultCache
    from corptls_lint.running.config import Config
    from corptls_lint.running.files import SkippedFolders
    from corptls_lint.running.projects import Projects

NAME = "check"
HELP = "find Python code that gets TLS trust wrong, and fix it (the default command)"
EPILOG = f"""exit codes:
  0  no problems (after fixing), or --exit-zero
  1  problems remain; --diff: a fix is pending; --exit-non-zero-on-fix: a file was fixed
  2  usage, configuration or internal error

documentation: {DOCS_URL}
"""

# (path, code, rule name) -> how many findings
FindingCounts = Counter[Tuple[str, str, str]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders to check (default: .); - reads standard input")

    checking = parser.add_argument_group("checking")
    checking.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes")
    checking.add_argument("--extend-select", metavar="CODES", help="add codes to the selection")
    checking.add_argument("--ignore", metavar="CODES", help="codes or prefixes to skip")
    checking.add_argument("--exclude", metavar="GLOBS", help="replace the default excludes")
    checking.add_argument("--extend-exclude", metavar="GLOBS", help="add to the excludes")
    checking.add_argument("--config", metavar="FILE",
                          help="the configuration file for every file, instead of the "
                               "nearest one: a pyproject.toml (its [tool.corptls-lint] table) "
                               "or any other TOML file, as corptls-lint.toml (keys at the top)")
    checking.add_argument("--stdin-filename", metavar="NAME",
                          help="with PATH -: read the source from stdin and report it as NAME")
    checking.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    checking.add_argument("--list-rules", action="store_true",
                          help="code, name, default on/off, fixable")
    checking.add_argument("--explain", metavar="CODE", help="print a rule's documentation")
    checking.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                          help="processes to lint with (default: the CPUs; 1: no pool)")
    checking.add_argument("--cache-dir", metavar="DIR",
                          help="where check results are cached (default: .corptls_cache)")
    checking.add_argument("--no-cache", action="store_true",
                          help="neither read nor write the cache")
    checking.add_argument("--verbose", action="store_true",
                          help="tracebacks for internal errors; cache counts; the skipped "
                               "folders; hints even on a clean run")

    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true",
                        help="apply the fixes, in place (with -: print the fixed source)")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply the fixes marked unsafe")
    fixing.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff; change nothing (exit 1 if any)")
    fixing.add_argument("--show-fixes", action="store_true",
                        help="list the problems fixed (--fix) or fixable (a check) per file")
    fixing.add_argument("--exit-non-zero-on-fix", action="store_true",
                        help="with --fix: exit 1 when a file was fixed, even if nothing remains")
    fixing.add_argument("--ca-bundle", metavar="MODULE:EXPR", help="override ca-bundle")
    fixing.add_argument("--session-factory", metavar="MODULE:EXPR",
                        help="override session-factory")
    fixing.add_argument("--ssl-context", metavar="MODULE:EXPR", help="override ssl-context")

    out = parser.add_argument_group("output")
    out.add_argument("--output-format", choices=FORMATS, default="text", metavar="FORMAT",
                     help=f"how findings are printed: {', '.join(FORMATS)} (default: text)")
    out.add_argument("-o", "--output-file", metavar="FILE",
                     help="write the findings to FILE instead of stdout (its missing "
                          "folders are created)")
    out.add_argument("--statistics", action="store_true",
                     help="a count per code instead of the findings (text, concise, full, "
                          "json; other formats keep their report and print the counts on "
                          "stderr)")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="print the findings only: no summary on stderr (a clean run "
                          "prints nothing)")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text output (auto: in a terminal; honours NO_COLOR and "
                          "FORCE_COLOR)")
    _add_rollout_options(parser)


def _add_rollout_options(parser: argparse.ArgumentParser) -> None:
    """Options for adopting the linter across many repositories (issue 13)."""
    group = parser.add_argument_group("adoption")
    group.add_argument("--force-exclude", action="store_true",
                       help="apply the excludes to files named on the command line too")
    group.add_argument("--baseline", metavar="FILE",
                       help="report only findings that are not in this baseline file")
    group.add_argument("--write-baseline", metavar="FILE",
                       help="record the current findings in FILE (paths relative to the "
                            "project root; missing folders are created) and exit 0")
    group.add_argument("--show-stale-baseline", action="store_true",
                       help="list baseline entries whose findings are gone")
    group.add_argument("--add-noqa", action="store_true",
                       help="add `# noqa: CODE` to every line with a finding and exit 0")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """--list-rules and --explain answer from the rules alone; anything else lints."""
    if args.list_rules:
        list_rules(sys.stdout)
        return EXIT_CLEAN
    if args.explain:
        return explain(args.explain, sys.stdout)
    return lint(args)


def list_rules(stream: TextIO) -> None:
    from corptls_lint.rules import ALL_RULES

    stream.write(f"{'code':<8}{'name':<40}{'default':<9}fixable\n")
    for rule in ALL_RULES:
        default = "on" if rule.default_enabled else "off"
        fixable = "yes" if rule.has_fix else "no"
        stream.write(f"{rule.code:<8}{rule.name:<40}{default:<9}{fixable}\n")


def explain(code: str, stream: TextIO) -> int:
    from corptls_lint import docs_gen, output

    return docs_gen.explain(code, stream, color=output.is_terminal(stream))


def _cache(args: argparse.Namespace, config: Config,
           linted: Sequence[str]) -> Optional[ResultCache]:
    """The results cache, or None: --no-cache, or a folder that cannot be trusted (one
    warning on stderr; the run goes on uncached)."""
    if args.no_cache:
        return None
    from corptls_lint.running.cache import DEFAULT_DIR, open_cache

    directory = Path(args.cache_dir) if args.cache_dir else config.root / DEFAULT_DIR
    cache, problem = open_cache(directory, linted)
    if problem is not None:
        sys.stderr.write(f"{PROG}: warning: {problem}\n")
    return cache


def _write_cache_counts(args: argparse.Namespace, cache: Optional[ResultCache]) -> None:
    """With --verbose: where the files' results came from (a restored cache re-lints nothing)."""
    if args.verbose and cache is not None:
        sys.stderr.write(f"{PROG}: {cache.describe_counts()}\n")


def _write_skipped(skipped: Optional[SkippedFolders]) -> None:
    """With --verbose: the folders the walk left out, counted by reason, in one line."""
    from corptls_lint.output.common import display_path

    line = skipped.describe(display_path) if skipped is not None else None
    if line is not None:
        sys.stderr.write(f"{PROG}: {line}\n")


def lint(args: argparse.Namespace) -> int:
    from corptls_lint.running.startup import defer_libcst

    defer_libcst()
    from corptls_lint import output
    from corptls_lint.checking.engine import INTERNAL_ERROR
    from corptls_lint.output.common import display_path
    from corptls_lint.running import progress, stdin_source
    from corptls_lint.running.files import SkippedFolders, discover
    from corptls_lint.running.projects import Projects
    from corptls_lint.running.runner import run_tasks

    _check_adoption_options(args)
    projects = Projects(args)
    mode = "diff" if args.diff else "fix" if args.fix else "check"
    if mode == "fix":
        _interrupt_on_sigterm()
    from_stdin = stdin_source.reads_stdin(args)
    passed_through = None  # --fix - of a force-excluded name: the source, unchanged
    if from_stdin:
        name = display_path(stdin_source.display_name(args))
        config = projects.for_dir(stdin_source.config_start(args))
        source = stdin_source.read_source()
        tasks = [FileTask(name, projects.settings(name), mode=mode,
                          unsafe_fixes=args.unsafe_fixes, source=source,
                          verbose=args.verbose)]
        if stdin_source.force_excluded(args, name, config):
            tasks = []
            passed_through = source if mode == "fix" else None
    else:
        paths = args.paths or ["."]
        config = projects.for_dir(Path(paths[0]) if Path(paths[0]).is_dir()
                                  else Path(paths[0]).parent)
        skipped = SkippedFolders() if args.verbose else None
        found = discover(paths, projects.resolver, force_exclude=args.force_exclude,
                         skipped=skipped)
        _write_skipped(skipped)
        # as the findings show them: relative to the current folder, no `./` (diff headers too)
        tasks = [FileTask(display_path(path), projects.settings(path), mode=mode,
                          unsafe_fixes=args.unsafe_fixes, verbose=args.verbose)
                 for path in found]
        _warn_unmatched_globs(projects)
    cache = (_cache(args, config, args.paths or ["."])
             if mode == "check" or args.show_fixes else None)
    before = (_fixable_counts(run_tasks([replace(t, mode="check") for t in tasks],
                                        jobs=args.jobs, cache=cache), args.unsafe_fixes)
              if args.show_fixes and mode != "check" else None)
    fixed_source = passed_through
    if from_stdin and mode == "fix" and tasks:  # the fixed source goes to stdout, as ruff does
        fixed_source, outcome = stdin_source.fix(tasks[0])
        outcomes = [outcome]
    elif progress.should_show(len(tasks), sys.stderr):
        with progress.bar(len(tasks), sys.stderr) as advance:
            outcomes = run_tasks(tasks, jobs=args.jobs, cache=cache if mode == "check" else None,
                                 on_done=advance)
    else:
        outcomes = run_tasks(tasks, jobs=args.jobs, cache=cache if mode == "check" else None)
    _write_cache_counts(args, cache)
    diagnostics: List[Diagnostic] = [d for outcome in outcomes for d in outcome.diagnostics]
    if args.write_baseline:
        return _write_baseline(Path(args.write_baseline), projects, diagnostics)
    diagnostics = _without_baselined(
        args, projects, diagnostics, [task.path for task in tasks if task.source is None],
        {task.path: stdin_source.text_of(task.source) for task in tasks
         if task.source is not None})
    if args.add_noqa:
        return _add_noqa(diagnostics)

    if mode == "diff":
        sys.stdout.write("".join(outcome.diff for outcome in outcomes))
    if fixed_source is not None:
        sys.stdout.flush()
        sys.stdout.buffer.write(fixed_source)
        sys.stdout.flush()
    # --statistics in a format that has a table (text, concise, full, json) prints the
    # counts instead of the findings, as ruff does; the report formats keep their report
    counts_only = args.statistics and args.output_format in STATISTICS_FORMATS
    reported = mode != "diff" or bool(args.output_file)  # else stdout holds the diff
    if reported:
        # with --fix -, stdout holds the source: the remaining findings go to stderr
        default = sys.stderr if fixed_source is not None else sys.stdout
        if counts_only:
            _write_report(args, default, lambda stream, color: output.write_statistics(
                diagnostics, stream, args.output_format, args.unsafe_fixes))
        else:
            sources = ({tasks[0].path: stdin_source.text_of(tasks[0].source)}
                       if from_stdin and tasks else {})
            _write_findings(args, diagnostics, default, sources)
    if args.statistics and not (counts_only and reported):
        output.write_statistics(diagnostics, sys.stderr, "text", args.unsafe_fixes)
    if not args.quiet:
        _summary(args, projects, mode, outcomes, diagnostics, before)
    if any(d.code == INTERNAL_ERROR for d in diagnostics):
        return EXIT_ERROR
    if mode == "diff":  # as ruff: --diff fails only while a fix is pending
        return EXIT_FINDINGS if any(outcome.diff for outcome in outcomes) else EXIT_CLEAN
    if mode == "fix" and args.exit_non_zero_on_fix and any(o.fixed for o in outcomes):
        return EXIT_FINDINGS
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _write_findings(args: argparse.Namespace, diagnostics: List[Diagnostic], default: TextIO,
                    sources: Dict[str, str]) -> None:
    _write_report(args, default,
                  lambda stream, color: _emit(args, diagnostics, stream, color, sources))


def _write_report(args: argparse.Namespace, default: TextIO,
                  write: Callable[[TextIO, bool], None]) -> None:
    """`write(stream, color)` into -o's file (created with its folders, safely) or `default`."""
    from corptls_lint import output

    if args.output_file:
        import io

        from corptls_lint.source.writer import WriteError, write_output

        stream = io.StringIO(newline="\n")
        write(stream, args.color == "always")
        try:
            write_output(args.output_file, stream.getvalue().encode("utf-8"))
        except WriteError as error:
            raise ConfigError(f"--output-file: {error}") from None
        return
    write(default, output.wants_color(args.color, default))


def _emit(args: argparse.Namespace, diagnostics: List[Diagnostic], stream: TextIO, color: bool,
          sources: Dict[str, str]) -> None:
    from corptls_lint import output

    context = output.EmitContext(color=color, terminal=output.is_terminal(stream),
                                 unsafe_fixes=args.unsafe_fixes, sources=dict(sources))
    output.write_findings(args.output_format, diagnostics, stream, context=context)


def _fixable_counts(outcomes: Sequence[FileOutcome], unsafe_fixes: bool) -> FindingCounts:
    """(path, code, name) -> how many findings --fix would fix, from a check's outcomes."""
    from corptls_lint.output.common import fix_applies

    return Counter((d.path, d.code, d.name) for outcome in outcomes for d in outcome.diagnostics
                   if fix_applies(d, unsafe_fixes))


def _summary(args: argparse.Namespace, projects: Projects, mode: str,
             outcomes: Sequence[FileOutcome], diagnostics: List[Diagnostic],
             before: Optional[FindingCounts]) -> None:
    from corptls_lint import output

    if mode == "check":
        unsafe = output.unsafe_fix_count(diagnostics)
        fixable = sum(1 for d in diagnostics if d.fix is not None) - unsafe
        sys.stderr.write(output.summary(len(diagnostics), fixable) + "\n")
        if unsafe:
            sys.stderr.write(f"{unsafe} more fixable with --unsafe-fixes.\n")
        _write_test_counts(projects, diagnostics)
        if args.show_fixes:
            _show_fixes("Fixable with --fix", _fixable_counts(outcomes, args.unsafe_fixes))
    else:
        from corptls_lint.running.fixer import fix_table, summary_lines

        sys.stderr.writelines(line + "\n" for line in summary_lines(outcomes, mode,
                                                                    args.unsafe_fixes))
        if before is not None:
            after = Counter((d.path, d.code, d.name) for o in outcomes for d in o.diagnostics)
            _show_fixes("Fixed" if mode == "fix" else "Would fix", before - after)
        if mode == "fix":  # what is left of the migration, and why
            sys.stderr.writelines(line + "\n" for line in fix_table(outcomes,
                                                                    args.unsafe_fixes))
    missing = sorted({d.fix_needs for d in diagnostics if d.fix_needs})
    if missing:
        keys = ", ".join(f"'{key}'" for key in missing)
        sys.stderr.write(f"Configure {keys} in [tool.corptls-lint] to make more findings fixable.\n")
    # a clean check is one line, as ruff's: the hint is for a run that has something to show
    # (or --verbose), not for every pre-commit run and editor save
    if mode == "check" and (diagnostics or args.verbose):
        _write_policy_hint(projects)


def _show_fixes(title: str, counts: FindingCounts) -> None:
    """ruff's --show-fixes enumeration: per file, how many of each code."""
    from corptls_lint.output.common import display_path, escape_path

    counts = +counts
    if not counts:
        return
    sys.stderr.write(f"{title}:\n")
    last = None
    for (path, code, name), count in sorted(counts.items()):
        if path != last:
            sys.stderr.write(f"- {escape_path(display_path(path))}:\n")
            last = path
        sys.stderr.write(f"    {count} x {code} ({name})\n")


# -- adoption across many repositories (issue 13) ----------------------------------------------

def _warn_unmatched_globs(projects: Projects) -> None:
    """A shared template cannot know which repositories have tests: a per-file-ignores glob
    that matches nothing is a warning, not an error."""
    from corptls_lint.running.files import unmatched_per_file_globs

    for config in projects.loaded:
        for glob in unmatched_per_file_globs(config):
            sys.stderr.write(f"{PROG}: warning: {config.path}: 'per-file-ignores' glob "
                             f"\"{glob}\" matches no file under {config.root}\n")


def _check_adoption_options(args: argparse.Namespace) -> None:
    """--write-baseline and --add-noqa record what a check finds: not with a fix or stdin."""
    for option in ("write_baseline", "add_noqa"):
        if getattr(args, option):
            flag = "--" + option.replace("_", "-")
            if args.fix or args.diff:
                raise ConfigError(f"{flag} cannot be combined with --fix or --diff")
            if "-" in (args.paths or []) or args.stdin_filename:
                raise ConfigError(f"{flag} needs files, not standard input")


def _write_baseline(path: Path, projects: Projects, diagnostics: List[Diagnostic]) -> int:
    """Record every current finding (stale entries drop out), with paths relative to the
    project root the baseline file is in, and end the run with exit 0."""
    from corptls_lint.adoption import baseline

    count = baseline.write(path, diagnostics, projects.project_root(path))
    noun = "finding" if count == 1 else "findings"
    sys.stderr.write(f"Wrote {count} {noun} to the baseline {path}.\n")
    return EXIT_CLEAN


def _add_noqa(diagnostics: List[Diagnostic]) -> int:
    from corptls_lint.adoption.add_noqa import add_noqa

    added, files = add_noqa(diagnostics)
    sys.stderr.write(f"Added {added} noqa {'comment' if added == 1 else 'comments'} to "
                     f"{files} {'file' if files == 1 else 'files'}.\n")
    return EXIT_CLEAN


def _without_baselined(args: argparse.Namespace, projects: Projects,
                       diagnostics: List[Diagnostic], checked: List[str],
                       sources: Dict[str, str]) -> List[Diagnostic]:
    """The findings not recorded in the baseline of their file's configuration (or --baseline),
    listing the stale entries with --show-stale-baseline. `sources`: standard input's text, by
    the path it stands for (its findings are fingerprinted in it, not in the file on disk)."""
    if not args.baseline and all(config.baseline is None for config in projects.loaded):
        return diagnostics
    from corptls_lint.adoption import baseline  # only runs with a baseline pay for it

    def baseline_of(path: str) -> Optional[Path]:
        if args.baseline:
            return Path(args.baseline)
        return projects.config_of(path).baseline

    def warn(message: str) -> None:
        sys.stderr.write(f"{PROG}: warning: {message}\n")

    kept, stale = baseline.filter_findings(diagnostics, baseline_of, checked, warn=warn,
                                           sources=sources)
    if args.show_stale_baseline:
        for entry in stale:
            sys.stderr.write(entry.describe() + "\n")
    return kept


def _write_test_counts(projects: Projects, diagnostics: List[Diagnostic]) -> None:
    tests = sum(1 for d in diagnostics if projects.is_test(d.path))
    if tests:
        sys.stderr.write(f"{tests} in test code (test-paths), {len(diagnostics) - tests} in "
                         "other code.\n")


def _write_policy_hint(projects: Projects) -> None:
    hint = projects.policy_hint()
    if hint:
        sys.stderr.write(hint + "\n")


def _interrupt_on_sigterm() -> None:
    """A terminated --fix unwinds like Ctrl-C, so a write in progress removes its temporary."""
    import signal
    from types import FrameType

    def interrupt(signum: int, frame: Optional[FrameType]) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
