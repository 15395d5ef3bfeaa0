"""`corptls-lint server`: the language server, over stdin and stdout (SPEC §7). The findings
of each open document as it is typed, the fixes as quick fixes, "fix all" and "add noqa" as
code actions; see corptls_lint/server and docs/integrations/language-server.md.

pygls is the `server` extra: without it the command says which extra to install (exit 2).
"""

from __future__ import annotations

import argparse
import sys

from corptls_lint.commands.common import EXIT_ERROR, PROG
from corptls_lint.output.common import DOCS_URL

NAME = "server"
HELP = "run the language server (LSP over stdio) for editors: findings as you type, quick fixes"
EPILOG = f"""An editor starts it and talks to it over stdin and stdout. Each file's
configuration is the nearest pyproject.toml or corptls-lint.toml above it, as
for `{PROG} check`.

exit codes:
  0  the client asked it to exit after a shutdown
  1  the client exited without a shutdown
  2  the server extra is not installed: pip install '{PROG}[server]'

documentation: {DOCS_URL}
"""

INSTALL_HINT = f"pip install '{PROG}[server]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # what vscode-languageclient and other clients append for a stdio transport
    parser.add_argument("--stdio", action="store_true",
                        help="talk over stdin and stdout (the default and only transport)")


def check_defaults() -> argparse.Namespace:
    """`check`'s options at their defaults, with --fix: the per-file settings the server
    builds are those of `corptls-lint --fix - --stdin-filename PATH`."""
    from corptls_lint.commands import check

    parser = argparse.ArgumentParser(prog=PROG)
    check.add_arguments(parser)
    return parser.parse_args(["--fix"])


def run(args: argparse.Namespace) -> int:
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401
    except ImportError as error:
        missing = (error.name or "pygls").split(".")[0]
        sys.stderr.write(f"{PROG}: error: `{PROG} server` needs the server extra "
                         f"({missing} is missing): {INSTALL_HINT}\n")
        return EXIT_ERROR
    from corptls_lint.server.linting import Linter
    from corptls_lint.server.protocol import start

    return start(Linter(check_defaults()))
