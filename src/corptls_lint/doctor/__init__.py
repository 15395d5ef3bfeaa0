"""`corptls-lint doctor` (or `--doctor`): diagnose the CA bundle Python uses, and a live host, like
`openssl s_client` would. Needs the `doctor` extra (cryptography); the linter never imports this
package unless the doctor runs.

May import: `output` (is the stream a terminal), `source` (the one door for the files it
writes: `--write-bundle`), its own modules; nothing of the linter.
"""

from __future__ import annotations

import sys
from typing import Mapping, Optional, TextIO

from corptls_lint.doctor.ftypes import (EXIT_ERROR, EXIT_FAILED,  # noqa: F401 (the package's API)
                                        EXIT_OK)

MISSING_CRYPTOGRAPHY = ("corptls-lint: error: the doctor needs the cryptography package: "
                        "pip install 'corptls-lint[doctor]'")


def run_doctor(bundle: Optional[str], host: Optional[str], output_format: str = "text",
               environ: Optional[Mapping[str, str]] = None, stdout: TextIO = sys.stdout,
               stderr: TextIO = sys.stderr, proxy: Optional[str] = None, direct: bool = False,
               write_bundle: Optional[str] = None, verbose: bool = False) -> int:
    """Run every check, print the report; 0 all verified, 1 a check failed, 2 usage error.
    `proxy` and `direct` override the route the environment gives; `write_bundle` is where the
    combined bundle (public roots plus the CA certificates the host sent) is written; `verbose`
    prints the traceback of an internal error (never a proxy's credentials)."""
    import importlib

    try:
        importlib.import_module("cryptography.x509")
    except ImportError:
        stderr.write(MISSING_CRYPTOGRAPHY + "\n")
        return EXIT_ERROR
    from corptls_lint.doctor.main import Options, run

    options = Options(bundle, host, proxy, direct, write_bundle, verbose)
    return run(options, output_format, environ, stdout, stderr)
