from __future__ import annotations

from typing import Optional

import libcst as cst

from corptls_lint.analysis import values
from corptls_lint.ftypes import Applicability
from corptls_lint.rules.base import OFF, ClientUse, FixRequest, Invalid
from corptls_lint.rules.environment_writes import EnvironmentWriteRule, EnvWrite

_EMPTY_DISABLES = ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE")
_EMPTY_TRUST_MESSAGE = ("empty {key} written to the environment: OpenSSL then loads no CA from "
                        "its default {place}, where many systems keep all of them; configure "
                        "the CA bundle instead")
# OpenSSL reads these itself: set but empty, they replace its default CA file or folder.
_PLACES = {"SSL_CERT_FILE": "file", "SSL_CERT_DIR": "folder"}


class VerificationDisabledByEnvironment(EnvironmentWriteRule):
    """
    ## What it does
    Finds code that switches verification off through the process environment: the value
    `"0"` for `PYTHONHTTPSVERIFY`, or an empty string for `CURL_CA_BUNDLE`,
    `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE` or `SSL_CERT_DIR`, written with
    `os.environ[...] = ...`, `os.environ.setdefault(...)`, `os.environ.update(...)` (keywords
    or a dict) or `os.putenv(...)`. Keys and values bound once to a name
    (`KEY = "CURL_CA_BUNDLE"`) count too. pytest's `monkeypatch.setenv(...)` is not reported:
    it lasts one test, which is where a test may want a client without trust.

    ## Why is this bad?
    The setting is process-wide and invisible at the call sites it affects.
    `PYTHONHTTPSVERIFY=0` makes Python builds that carry the PEP 493 switch (some enterprise
    Linux distributions) skip verification in the standard library's HTTPS clients. An empty
    `CURL_CA_BUNDLE` disabled verification in every requests 2.x release before 2.28.0. In
    later releases requests skips an empty value and falls back to certifi's bundle, so the
    line silently discards a bundle that operators configured, and still reads as an attempt
    to switch verification off. An empty `REQUESTS_CA_BUNDLE` discards the configured bundle
    the same way. An empty `SSL_CERT_FILE` or `SSL_CERT_DIR` turns trust to nothing where
    the system keeps its CAs in that place: OpenSSL takes the variable, empty or not, in
    place of its default file (where Red Hat and many Python builds keep the CAs) or folder
    (Debian's and Ubuntu's system Python), so `ssl.create_default_context()` and everything
    built on it (urllib, aiohttp, httpx's system trust) loads no CA and every verified
    connection fails, which is how such code usually ends with verification switched off.

    ## Example
    ```python
    import os

    os.environ["CURL_CA_BUNDLE"] = ""
    ```

    ## Use instead
    Delete the line and configure the CA. When child processes need the bundle in their
    environment, pass the configured one:

    ```python
    import os
    from corp_tls import CA_BUNDLE

    os.environ.setdefault("REQUESTS_CA_BUNDLE", CA_BUNDLE)
    ```

    ## Fix
    The statement is removed when the write is all of it (`os.environ[...] = ""`,
    `os.environ.setdefault(...)`, `os.putenv(...)` on a line of its own); its comments are
    kept. Unsafe: verification comes back with the default trust, and child processes no
    longer inherit the switch, which a person checks (configure the CA first).

    ## Options
    None.

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - requests 2.28.0 release notes (empty `CURL_CA_BUNDLE`), https://requests.readthedocs.io/en/latest/community/updates/#release-history
    - PEP 493: HTTPS verification migration tools, https://peps.python.org/pep-0493/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS104"
    name = "verification-disabled-by-environment"
    message = "TLS verification disabled through the environment"
    triggers = ((b"environ", b"putenv"), (b"PYTHONHTTPSVERIFY", b"CA_BUNDLE", b"SSL_CERT_"))
    has_fix = True

    client_uses = (
        ClientUse('environment (requests, curl, Python)',
                  '`PYTHONHTTPSVERIFY="0"`, an empty `CURL_CA_BUNDLE` / `REQUESTS_CA_BUNDLE` / `SSL_CERT_FILE` / `SSL_CERT_DIR` written to `os.environ`',
                  OFF, 'the write is removed'),
    )

    VALID = [
        "import os\nos.environ['PYTHONHTTPSVERIFY'] = '1'\n",
        "import os\nos.environ['REQUESTS_CA_BUNDLE'] = bundle\n",
        "import os\nx = os.environ['CURL_CA_BUNDLE']\n",
        "import os\nos.environ.pop('CURL_CA_BUNDLE', None)\n",
        "environ = {}\nenviron['CURL_CA_BUNDLE'] = ''\n",
        "import os\nos.environ['SSL_CERT_FILE'] = bundle\n",
        "def test_no_ca(monkeypatch):\n    monkeypatch.setenv('SSL_CERT_FILE', '')\n",
    ]
    INVALID = [
        Invalid("import os\nos.environ['PYTHONHTTPSVERIFY'] = '0'\nrun()\n", [(2, 1)],
                "run()\n"),
        Invalid("from os import environ\ndef f():\n    # no bundle\n"
                "    environ['CURL_CA_BUNDLE'] = ''  # old proxy\n", [(4, 5)],
                "def f():\n    # no bundle\n    # old proxy\n    pass\n"),
        Invalid("import os as o\no.environ.setdefault('REQUESTS_CA_BUNDLE', '')\nrun()\n", [(2, 1)],
                "run()\n"),
        Invalid("import os\nos.environ.update({'PYTHONHTTPSVERIFY': '0'})\n", [(2, 20)]),
        Invalid("import os\nos.environ.update(CURL_CA_BUNDLE='')\n", [(2, 19)]),
        Invalid("import os\nos.putenv('PYTHONHTTPSVERIFY', '0')\nos.system(cmd)\n", [(2, 1)],
                "import os\nos.system(cmd)\n"),
        Invalid("import os\nKEY = 'CURL_CA_BUNDLE'\ndef f():\n    os.environ[KEY] = ''\n", [(4, 5)],
                "KEY = 'CURL_CA_BUNDLE'\ndef f():\n    pass\n"),
        Invalid("import os\nos.environ['SSL_CERT_FILE'] = ''\nrun()\n", [(2, 1)], "run()\n"),
        Invalid("import os\nos.environ.update({'SSL_CERT_DIR': '', 'LANG': 'C'})\n", [(2, 20)]),
        Invalid("import os\nos.putenv('REQUESTS_CA_BUNDLE', '')\nos.system(cmd)\n", [(2, 1)],
                "import os\nos.system(cmd)\n"),
    ]

    def check_write(self, write: EnvWrite) -> None:
        value = values.string_value(write.value, self.scope)
        if (write.key == "PYTHONHTTPSVERIFY" and value == "0") or (
                write.key in _EMPTY_DISABLES and value == ""):
            self.report(write.anchor, fix=self._removal(write))
        elif write.key in _PLACES and value == "":
            self.report(write.anchor, _EMPTY_TRUST_MESSAGE.format(key=write.key,
                                                                  place=_PLACES[write.key]),
                        fix=self._removal(write))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def _removal(self, write: EnvWrite) -> Optional[FixRequest]:
        """Remove the statement when the write is all of it (an update() of many keys stays)."""
        statement = getattr(self, "_statement", None)
        if statement is None or len(statement.body) != 1:
            return None
        small = statement.body[0]
        whole = ((isinstance(small, cst.Assign) and len(small.targets) == 1
                  and small.value is write.value)
                 or (isinstance(small, cst.Expr) and small.value is write.anchor))
        if not whole:
            return None
        return FixRequest("remove-statement", Applicability.UNSAFE, node=statement)
