"""`corptls-lint doctor` (or `--doctor`): diagnose the CA bundle Python uses, and a live host, like
`openssl s_client` would. Needs the `doctor` extra (cryptography); the linter never imports this
package unless the doctor runs.

May import: `output` (is the stream a terminal), `source` (the one door for the files it
writes: `--write-bundle`), its own modules; nothing of the linter.
"""

from __future__ import annotations

import sys
from typing import Mapping, Optional, Sequence, TextIO

from corptls_lint.doctor.ftypes import (EXIT_ERROR, EXIT_FAILED,  # noqa: F401 (the package's API)
                                        EXIT_OK)

MISSING_CRYPTOGRAPHY = ("corptls-lint: error: the doctor needs the cryptography package: "
                        "pip install 'corptls-lint[doctor]'")


def run_doctor(bundle: Optional[str], host: Optional[str], output_format: str = "text",
               environ: Optional[Mapping[str, str]] = None, stdout: TextIO = sys.stdout,
               stderr: TextIO = sys.stderr, proxy: Optional[str] = None, direct: bool = False,
               write_bundle: Optional[str] = None, verbose: bool = False,
               clients: Optional[Sequence[str]] = None) -> int:
    """Run every check, print the report; 0 when every installed client works with the host
    (without a host: no check failed), 1 when one fails, 2 for a usage error.
    `proxy` and `direct` override the route the environment gives; `write_bundle` is where the
    combined bundle (public roots plus the CA certificates the host sent) is written; `verbose`
    prints the traceback of an internal error (never a proxy's credentials); `clients` names the
    clients to ask about the host (default: all of them)."""
    import importlib

    try:
        importlib.import_module("cryptography.x509")
    except ImportError:
        stderr.write(MISSING_CRYPTOGRAPHY + "\n")
        return EXIT_ERROR
    from corptls_lint.doctor.clients import NAMES
    from corptls_lint.doctor.main import Options, run

    options = Options(bundle, host, proxy, direct, write_bundle, verbose,
                      tuple(clients) if clients else NAMES)
    return run(options, output_format, environ, stdout, stderr)
