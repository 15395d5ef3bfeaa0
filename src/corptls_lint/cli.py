"""The `corptls-lint` command line (SPEC §2). Exit codes: 0 clean, 1 findings, 2 usage/config/internal."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, NoReturn, Optional, Sequence

from corptls_lint import __version__
from corptls_lint.ftypes import ConfigError, Diagnostic, FileTask, FixTargets, Target
from corptls_lint.output import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROG = "corptls-lint"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Find and fix Python code that gets TLS trust wrong.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders to check (default: .); - reads standard input")
    parser.add_argument("--fix", action="store_true", help="apply the fixes, in place")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply the fixes marked unsafe")
    parser.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff; change nothing (exit 1 if any)")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes")
    parser.add_argument("--extend-select", metavar="CODES", help="add codes to the selection")
    parser.add_argument("--ignore", metavar="CODES", help="codes or prefixes to skip")
    parser.add_argument("--exclude", metavar="GLOBS", help="replace the default excludes")
    parser.add_argument("--extend-exclude", metavar="GLOBS", help="add to the excludes")
    parser.add_argument("--config", metavar="FILE", help="the pyproject.toml to read")
    parser.add_argument("--ca-bundle", metavar="MODULE:EXPR", help="override ca-bundle")
    parser.add_argument("--session-factory", metavar="MODULE:EXPR",
                        help="override session-factory")
    parser.add_argument("--ssl-context", metavar="MODULE:EXPR", help="override ssl-context")
    parser.add_argument("--output-format", choices=FORMATS,
                        default="text", help="how findings are printed (default: text)")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="with PATH -: read the source from stdin and report it as NAME")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--statistics", action="store_true", help="counts per code")
    parser.add_argument("--list-rules", action="store_true",
                        help="code, name, default on/off, fixable")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation")
    parser.add_argument("--verbose", action="store_true", help="tracebacks for internal errors")
    parser.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                        help="processes to lint with (default: the CPUs; 1: no pool)")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="where check results are cached (default: .corptls_cache)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--doctor", action="store_true",
                        help="diagnose the CA bundle Python uses (needs corptls-lint[doctor])")
    parser.add_argument("--bundle", metavar="PATH", help="with --doctor: the CA bundle to check")
    parser.add_argument("--host", metavar="HOST[:PORT]",
                        help="with --doctor: connect to HOST (host, host:port, [v6]:port or an "
                             "https:// URL) along the route requests takes, and explain its "
                             "chain")
    parser.add_argument("--proxy", metavar="URL",
                        help="with --doctor --host: reach HOST through this HTTP proxy instead "
                             "of the one HTTPS_PROXY/ALL_PROXY/NO_PROXY give")
    parser.add_argument("--direct", action="store_true",
                        help="with --doctor --host: connect directly, whatever the proxy "
                             "variables say")
    parser.add_argument("--write-bundle", metavar="PATH",
                        help="with --doctor --host: write the public roots plus the CA "
                             "certificates HOST (or the proxy) sent to PATH")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, got {text!r}")
    return value


def _cache(args: argparse.Namespace, config, linted: Sequence[str]):
    """The results cache, or None: --no-cache, or a folder that cannot be trusted (one
    warning on stderr; the run goes on uncached)."""
    if args.no_cache:
        return None
    from corptls_lint.cache import DEFAULT_DIR, open_cache

    directory = Path(args.cache_dir) if args.cache_dir else config.root / DEFAULT_DIR
    cache, problem = open_cache(directory, linted)
    if problem is not None:
        sys.stderr.write(f"{PROG}: warning: {problem}\n")
    return cache


def _split(text: Optional[str]) -> List[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _targets(args: argparse.Namespace, base: FixTargets) -> FixTargets:
    overrides = {}
    for option in ("ca_bundle", "session_factory", "ssl_context"):
        value = getattr(args, option)
        if value is not None:
            try:
                overrides[option] = Target.parse(value, option.replace("_", "-"))
            except ValueError as error:
                raise ConfigError(f"--{option.replace('_', '-')}: {error}") from None
    return replace(base, **overrides)


def _load(args: argparse.Namespace):
    from corptls_lint import config as config_module

    if args.config:
        config_path: Optional[Path] = Path(args.config)
        if not config_path.is_file():
            raise ConfigError(f"--config: {args.config}: no such file")
    else:
        from corptls_lint import stdin_source

        start = (stdin_source.config_start(args) if stdin_source.reads_stdin(args)
                 else Path(args.paths[0]) if args.paths else Path.cwd())
        config_path = config_module.find_config_file(start)
    config = config_module.load_config(config_path)
    if args.exclude is not None:
        config.exclude = _split(args.exclude)
    config.extend_exclude += _split(args.extend_exclude)
    select = config.select
    if args.select is not None:
        select = config_module.parse_code_list(args.select, "--select")
    extend = config.extend_select + config_module.parse_code_list(
        args.extend_select or "", "--extend-select")
    ignore = config.ignore + config_module.parse_code_list(args.ignore or "", "--ignore")
    enabled = config_module.select_codes(select, extend, ignore)
    return config, enabled, _targets(args, config.targets)


def list_rules(stream) -> None:
    from corptls_lint.rules import ALL_RULES

    stream.write(f"{'code':<8}{'name':<40}{'default':<9}fixable\n")
    for rule in ALL_RULES:
        default = "on" if rule.default_enabled else "off"
        fixable = "yes" if rule.has_fix else "no"
        stream.write(f"{rule.code:<8}{rule.name:<40}{default:<9}{fixable}\n")


def explain(code: str, stream) -> int:
    from corptls_lint import docs_gen, output

    return docs_gen.explain(code, stream, color=output.is_terminal(stream))


def run(args: argparse.Namespace) -> int:
    from corptls_lint.startup import defer_libcst

    defer_libcst()
    from corptls_lint import config as config_module
    from corptls_lint import output, progress, stdin_source
    from corptls_lint.engine import INTERNAL_ERROR
    from corptls_lint.files import discover, unmatched_per_file_globs
    from corptls_lint.runner import run_tasks

    config, enabled, targets = _load(args)
    mode = "diff" if args.diff else "fix" if args.fix else "check"
    if mode == "fix":
        _interrupt_on_sigterm()
    if stdin_source.reads_stdin(args):
        # Standard input is checked only: there is no file to write a fix back to.
        name = stdin_source.display_name(args)
        tasks = [FileTask(name, config_module.settings_for(Path(name), config, enabled, targets),
                          source=stdin_source.read_source(), verbose=args.verbose)]
    else:
        unmatched = unmatched_per_file_globs(config)
        if unmatched:
            raise ConfigError(f"{config.path}: [tool.corptls-lint]: 'per-file-ignores' glob "
                              f"\"{unmatched[0]}\" matches no file under {config.root}")
        paths = discover(args.paths or ["."], config)
        tasks = [FileTask(path, config_module.settings_for(Path(path), config, enabled, targets),
                          mode=mode, unsafe_fixes=args.unsafe_fixes, verbose=args.verbose)
                 for path in paths]
    cache = _cache(args, config, args.paths or ["."]) if mode == "check" else None
    if progress.should_show(len(tasks), sys.stderr):
        with progress.bar(len(tasks), sys.stderr) as advance:
            outcomes = run_tasks(tasks, jobs=args.jobs, cache=cache, on_done=advance)
    else:
        outcomes = run_tasks(tasks, jobs=args.jobs, cache=cache)
    diagnostics: List[Diagnostic] = [d for outcome in outcomes for d in outcome.diagnostics]

    if mode == "diff":
        sys.stdout.write("".join(outcome.diff for outcome in outcomes))
    else:
        output.write_findings(args.output_format, diagnostics, sys.stdout,
                              color=output.is_terminal(sys.stdout))
    if args.statistics:
        text = args.output_format == "text"
        output.write_statistics(diagnostics, sys.stdout if text else sys.stderr)
    if mode == "check":
        unsafe = output.unsafe_fix_count(diagnostics)
        fixable = sum(1 for d in diagnostics if d.fix is not None) - unsafe
        sys.stderr.write(output.summary(len(diagnostics), fixable) + "\n")
        if unsafe:
            sys.stderr.write(f"{unsafe} more fixable with --unsafe-fixes.\n")
    else:
        from corptls_lint.fixer import summary_lines

        sys.stderr.writelines(line + "\n" for line in summary_lines(outcomes, mode,
                                                                    args.unsafe_fixes))
    missing = sorted({d.fix_needs for d in diagnostics if d.fix_needs})
    if missing:
        keys = ", ".join(f"'{key}'" for key in missing)
        sys.stderr.write(f"Configure {keys} in [tool.corptls-lint] to make more findings fixable.\n")
    if any(d.code == INTERNAL_ERROR for d in diagnostics):
        return EXIT_ERROR
    if mode == "diff":  # as ruff: --diff fails only while a fix is pending
        return EXIT_FINDINGS if any(outcome.diff for outcome in outcomes) else EXIT_CLEAN
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _interrupt_on_sigterm() -> None:
    """A terminated --fix unwinds like Ctrl-C, so a write in progress removes its temporary."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


DOCTOR_OPTIONS = ("bundle", "host", "proxy", "write_bundle")


def _doctor(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if not args.doctor:
        parser.error("--bundle, --host, --proxy, --direct and --write-bundle need --doctor")
    if args.paths:
        parser.error("--doctor takes no PATH")
    from corptls_lint.doctor import run_doctor

    return run_doctor(args.bundle, args.host, getattr(args, "output_format", "text"),
                      proxy=args.proxy, direct=args.direct, write_bundle=args.write_bundle)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.doctor or args.direct or any(getattr(args, name) is not None
                                         for name in DOCTOR_OPTIONS):
        return _doctor(parser, args)
    if args.list_rules:
        list_rules(sys.stdout)
        return EXIT_CLEAN
    if args.explain:
        return explain(args.explain, sys.stdout)
    try:
        return run(args)
    except ConfigError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `corptls-lint --output-format json | head`: the reader left
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
