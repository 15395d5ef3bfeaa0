"""`corptls-lint doctor`: diagnose the CA bundle Python uses, and a live host (docs/doctor.md).
The doctor package, and cryptography, are imported only when it runs, never by the linter."""

from __future__ import annotations

import argparse

from corptls_lint.output.common import DOCS_URL

NAME = "doctor"
HELP = "diagnose the CA bundle Python uses, and a live host (needs corptls-lint[doctor])"
EPILOG = f"""exit codes:
  0  every installed client works with --host (without --host: every check passed)
  1  an installed client fails with --host (without --host: a check failed)
  2  usage error, or the doctor extra is not installed

documentation: {DOCS_URL}
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bundle", metavar="PATH",
                        help="the CA bundle (file or CA folder) to check")
    parser.add_argument("--host", metavar="HOST[:PORT]",
                        help="ask every client installed here whether it reaches HOST (host, "
                             "host:port, [v6]:port or an https:// URL), then explain its chain "
                             "along the route requests takes")
    parser.add_argument("--proxy", metavar="URL",
                        help="with --host: reach HOST through this HTTP proxy instead of the "
                             "one HTTPS_PROXY/ALL_PROXY/NO_PROXY give")
    parser.add_argument("--direct", action="store_true",
                        help="with --host: connect directly, whatever the proxy variables say")
    parser.add_argument("--write-bundle", metavar="PATH",
                        help="with --host: write to PATH the public roots, what the clients trust "
                             "now, and the CA certificates HOST (or the proxy) needs; then ask "
                             "every client again with it")
    parser.add_argument("--client", action="append", metavar="NAME", dest="clients",
                        choices=("requests", "httpx", "ssl", "pip", "git", "botocore", "curl"),
                        help="with --host: ask only this client (repeatable; default: every "
                             "one installed: requests, httpx, ssl, pip, git, botocore, curl)")
    parser.add_argument("--verbose", action="store_true",
                        help="the traceback of an internal error (credentials masked)")
    parser.add_argument("--output-format", choices=("text", "json"), default="text",
                        help="how the report is printed: text or json (default: text)")


def run(args: argparse.Namespace) -> int:
    from corptls_lint.doctor import run_doctor

    return run_doctor(args.bundle, args.host, args.output_format, proxy=args.proxy,
                      direct=args.direct, write_bundle=args.write_bundle,
                      verbose=args.verbose, clients=args.clients)
