"""The `corptls-lint` command line (SPEC §2): subcommands in the style of ruff. Exit codes: 0
clean, 1 findings, 2 usage/config/internal, 130 interrupted.

`corptls-lint COMMAND ...` runs a command of COMMANDS. Without a command name first, the
arguments are those of `check`, so `corptls-lint src/`, `corptls-lint --fix src/` and
`corptls-lint - --stdin-filename x.py` (the pre-commit hooks, editors, the docs) keep working;
`--doctor` among them (the older spelling) runs `doctor` instead. A first argument that is a
command's name is always the command: a path called `check` or `doctor` is written `./check`
(or after the command, `corptls-lint check check`).

Adding a subcommand (`server`, say): write `commands/NAME.py` with `NAME`, `HELP` (one line
for the command list), `EPILOG` (exit codes, documentation), `add_arguments(parser)` and
`run(args) -> int` (see `Command` below), and add the module to COMMANDS. Its options are its
own; `corptls-lint NAME --help` shows only them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, List, NoReturn, Optional, Protocol, Sequence, Tuple

from corptls_lint import __version__
from corptls_lint.commands import check, doctor, init, server
from corptls_lint.commands.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, PROG
from corptls_lint.ftypes import ConfigError
from corptls_lint.output.common import DOCS_URL

__all__ = ["COMMANDS", "EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "PROG", "build_parsers",
           "main"]

EXIT_INTERRUPTED = 130
VERSION = f"{PROG} {__version__}"


class Command(Protocol):
    """What a module of `corptls_lint.commands` provides."""

    NAME: str
    HELP: str
    EPILOG: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's arguments and options, in groups where it has many."""

    def run(self, args: argparse.Namespace) -> int:
        """Do what the command line asks; the exit code (a ConfigError raised exits 2)."""


COMMANDS: Tuple[Command, ...] = (check, doctor, init, server)
DEFAULT_COMMAND: Command = check
LEGACY_DOCTOR_FLAG = "--doctor"  # `corptls-lint --doctor ...` is `corptls-lint doctor ...`

_BY_NAME: Dict[str, Command] = {command.NAME: command for command in COMMANDS}
# what the top-level parser answers itself; any other first option belongs to `check`
_TOP_LEVEL_OPTIONS = ("-h", "--help", "--version")

USAGE = f"""{PROG} [-h] [--version] COMMAND ...
       {PROG} [PATH ...] [OPTION ...]   (the same as: {PROG} check ...)"""

EPILOG = f"""Without a command, the arguments are check's: `{PROG} src/` is
`{PROG} check src/`, and `{PROG} --doctor ...` is `{PROG} doctor ...`.
A path named like a command is written ./check. `{PROG} COMMAND --help` lists
the options of that command.

documentation: {DOCS_URL}
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2, as every other error of the command line does."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parsers() -> Tuple[argparse.ArgumentParser, Dict[str, argparse.ArgumentParser]]:
    """`corptls-lint COMMAND ...`: the top-level parser, with each command as a subparser that
    has only that command's options, and the subparsers by name (for their usage errors)."""
    parser = _Parser(prog=PROG, usage=USAGE,
                     description="Find and fix Python code that gets TLS trust wrong.",
                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=VERSION)
    # prog given: else argparse builds the commands' prog from the custom usage above
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND",
                                       required=True, prog=PROG)
    by_name: Dict[str, argparse.ArgumentParser] = {}
    for command in COMMANDS:
        by_name[command.NAME] = subparsers.add_parser(
            command.NAME, help=command.HELP, description=_description(command),
            epilog=command.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_arguments(by_name[command.NAME])
    return parser, by_name


def _command_parser(command: Command) -> argparse.ArgumentParser:
    """One command's parser under the bare program name, for the forms without a command
    name: their usage errors read `corptls-lint: error: ...` and --version anywhere prints the
    version, as they always have."""
    parser = _Parser(prog=PROG, description=_description(command), epilog=command.EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=VERSION, help=argparse.SUPPRESS)
    command.add_arguments(parser)
    return parser


def _description(command: Command) -> str:
    """The top of a command's --help: its line of the command list, as a sentence."""
    return command.HELP[:1].upper() + command.HELP[1:] + "."


def _option_strings(parser: argparse.ArgumentParser) -> List[str]:
    return [option for action in parser._actions for option in action.option_strings]


def _before_double_dash(arguments: Sequence[str]) -> Sequence[str]:
    """The arguments that can be options: after `--`, each one is a PATH."""
    return arguments[:arguments.index("--")] if "--" in arguments else arguments


def _parse(arguments: List[str]) -> Tuple[Command, argparse.Namespace]:
    """Which command runs, with its arguments (the module docstring gives the rules)."""
    if arguments and (arguments[0] in _BY_NAME or arguments[0] in _TOP_LEVEL_OPTIONS):
        parser, command_parsers = build_parsers()
        args, unknown = parser.parse_known_args(arguments)
        if unknown:  # said by the command, with its usage: the top-level one would mislead
            command_parsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
        return _BY_NAME[args.command], args
    if LEGACY_DOCTOR_FLAG in _before_double_dash(arguments):
        parser = _command_parser(doctor)
        parser.add_argument(LEGACY_DOCTOR_FLAG, action="store_true", help=argparse.SUPPRESS)
        return doctor, parser.parse_args(arguments)
    parser = _command_parser(DEFAULT_COMMAND)
    args, unknown = parser.parse_known_args(arguments)
    if unknown:
        _reject(parser, unknown)
    return DEFAULT_COMMAND, args


def _reject(parser: argparse.ArgumentParser, unknown: List[str]) -> NoReturn:
    """A doctor option without `--doctor` says what it needs, as it did before `doctor`."""
    known = set(_option_strings(parser))
    doctor_only = [option for option in _option_strings(_command_parser(doctor))
                   if option not in known]
    if any(argument.split("=", 1)[0] in doctor_only for argument in unknown):
        parser.error(f"{', '.join(doctor_only[:-1])} and {doctor_only[-1]} need "
                     f"{LEGACY_DOCTOR_FLAG}")
    parser.error(f"unrecognized arguments: {' '.join(unknown)}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    command, args = _parse(list(sys.argv[1:] if argv is None else argv))
    try:
        return command.run(args)
    except ConfigError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `corptls-lint --output-format json | head`: the reader left
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
