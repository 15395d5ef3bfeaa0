from __future__ import annotations

from corptls_lint.analysis import fixed_paths
from corptls_lint.rules.base import BUNDLE, ClientUse, FixRequest, Invalid
from corptls_lint.rules.environment_writes import EnvironmentWriteRule, EnvWrite

BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


class HardcodedCABundleEnv(EnvironmentWriteRule):
    """
    ## What it does
    Finds a hardcoded path written into `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`,
    `SSL_CERT_FILE` or `SSL_CERT_DIR` with `os.environ[...] = ...`,
    `os.environ.setdefault(...)`, `os.environ.update(...)`, `os.putenv(...)` or, in tests,
    `mock.patch.dict(os.environ, {...})` or `mock.patch("os.environ", {...})`, also with
    the dicts `@pytest.mark.parametrize` gives the test's parameter
    (`mock.patch("os.environ", env)`; their values are not fixed: the case's expected
    result goes with them) (`monkeypatch.setenv` is not: see below). A path is
    hardcoded when it is built only from fixed parts: a non-empty string literal, a name bound
    once to one, an f-string or concatenation of such parts, and `os.path.join`,
    `os.path.dirname` / `abspath` / `expanduser`, `pathlib.Path(...)`, `/`, `.parent`,
    `.resolve()` and `str(...)` over them, with the module's own `__file__` as a fixed part
    (`os.path.join(os.path.dirname(__file__), "ca.pem")`, `str(Path(__file__).parent /
    "ca.pem")`, `f"{HERE}/certs/ca.pem"`). A bundle shipped beside the module is still a
    file chosen in the code, forced on the whole process: it goes stale with the package and
    overrides what operators configured.

    So is a function of the code's own (imported, or defined in the module) given nothing but
    a certificate file's name (`test_utils.get_config_file_path("server-cert.pem")`): it
    finds a file shipped with the code.

    A part that comes from elsewhere (a parameter, `os.environ`, `certifi.where()`, any other
    function's result, a method of a local object such as pytest's `tmp_path.joinpath("ca.pem")`)
    makes the value configuration and is not reported, nor is pytest's
    `monkeypatch.setenv(...)`: it sets the variable for one test and undoes it after, which
    is how a test points a client at its own CA.

    ## Why is this bad?
    The path is right only on the machine it was written on: a container, a Mac, a CI runner
    or the next OS release keeps its bundle elsewhere, and the code then fails with
    `CERTIFICATE_VERIFY_FAILED` or trusts a stale file. Writing the variable from code also
    overrides what operators set for the whole process, and every requests session in it
    follows the variable rather than its own `verify` setting.

    ## Example
    ```python
    import os

    os.environ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/certs/corp-ca.pem"
    ```

    ## Use instead
    ```python
    import os
    from corp_tls import CA_BUNDLE

    os.environ.setdefault("REQUESTS_CA_BUNDLE", CA_BUNDLE)
    ```

    ## Fix
    Offered when `ca-bundle` is configured, for every variable but `SSL_CERT_DIR` (a folder,
    not a file): the written value becomes the configured bundle and its import is added.
    Safe.

    ## Options
    None.

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - OpenSSL: SSL_CTX_load_verify_locations (SSL_CERT_FILE, SSL_CERT_DIR), https://docs.openssl.org/master/man3/SSL_CTX_load_verify_locations/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS302"
    name = "hardcoded-ca-bundle-env"
    message = "hardcoded CA bundle path written into the environment; use the configured bundle"
    triggers = ((b"environ", b"putenv"), (b"CA_BUNDLE", b"SSL_CERT_"))
    has_fix = True
    fix_keys = ("ca-bundle",)

    client_uses = (
        ClientUse('environment (requests, curl, OpenSSL)',
                  'a fixed path (a literal, or joined from literals and `__file__`) written to `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`, `SSL_CERT_FILE`, `SSL_CERT_DIR`',
                  BUNDLE, '`<ca-bundle>`'),
    )

    VALID = [
        "import os\nos.environ['REQUESTS_CA_BUNDLE'] = CA_BUNDLE\n",
        "import os\nos.environ['HOME'] = '/root'\n",
        "import os\nos.environ['CURL_CA_BUNDLE'] = ''\n",
        "import os\nos.environ.get('SSL_CERT_FILE', '/etc/ssl/cert.pem')\n",
        "import os\ndef use(root):\n    os.environ['REQUESTS_CA_BUNDLE'] = f'{root}/ca.pem'\n",
        "import os, certifi\nos.environ['SSL_CERT_FILE'] = os.path.join(os.path.dirname(certifi.where()), 'cacert.pem')\n",
        "def test_ca(monkeypatch):\n    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/tmp/test-ca.pem')\n",
        # a test's own temporary folder, and a file name read from the environment
        "import os\ndef test_ca(tmp_path):\n"
        "    os.environ['SSL_CERT_FILE'] = str(tmp_path.joinpath('ca.pem'))\n"
        "    os.environ['REQUESTS_CA_BUNDLE'] = find_bundle(os.environ['CA_NAME'])\n",
        # parametrized dicts patched in as another mapping than os.environ
        "import pytest\nfrom unittest import mock\n"
        "@pytest.mark.parametrize('env', [{'REQUESTS_CA_BUNDLE': '/some/path'}])\n"
        "def test_env(env):\n    with mock.patch('app.settings', env):\n        pass\n",
    ]
    INVALID = [
        Invalid("import os\nos.environ['REQUESTS_CA_BUNDLE'] = '/etc/ssl/corp.pem'\n", [(2, 1)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "os.environ['REQUESTS_CA_BUNDLE'] = CA_BUNDLE\n"),
        Invalid("import os\nos.environ.setdefault('SSL_CERT_FILE', '/etc/ssl/corp.pem')\n", [(2, 1)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "os.environ.setdefault('SSL_CERT_FILE', CA_BUNDLE)\n"),
        Invalid("import os\nos.environ.update(\n    SSL_CERT_DIR='/etc/ssl/certs',\n)\n", [(3, 5)]),
        Invalid("import os\nfrom unittest.mock import patch\n"
                "@patch.dict(os.environ, {'REQUESTS_CA_BUNDLE': '/tmp/test.crt'})\n"
                "def test_bundle():\n    pass\n", [(3, 26)],
                "import os\nfrom unittest.mock import patch\n\nfrom corp_tls import CA_BUNDLE\n\n"
                "\n@patch.dict(os.environ, {'REQUESTS_CA_BUNDLE': CA_BUNDLE})\n"
                "def test_bundle():\n    pass\n"),
        Invalid("import pytest\nfrom unittest import mock\n"
                "@pytest.mark.parametrize('env, expected', [\n"
                "    ({'REQUESTS_CA_BUNDLE': '/some/path'}, '/some/path'),\n"
                "    ({}, True),\n"
                "])\n"
                "def test_env(env, expected):\n"
                "    with mock.patch('os.environ', env):\n"
                "        assert where() == expected\n", [(4, 7)]),
        Invalid("import os\nBASE = '/etc/ssl'\nos.putenv('CURL_CA_BUNDLE', BASE + '/corp.pem')\n", [(3, 1)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "BASE = '/etc/ssl'\n"
                "os.putenv('CURL_CA_BUNDLE', CA_BUNDLE)\n"),
        Invalid("import os\n"
                "HERE = os.path.dirname(os.path.abspath(__file__))\n"
                "os.environ['REQUESTS_CA_BUNDLE'] = os.path.join(HERE, 'certs', 'ca.pem')\n",
                [(3, 1)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "HERE = os.path.dirname(os.path.abspath(__file__))\n"
                "os.environ['REQUESTS_CA_BUNDLE'] = CA_BUNDLE\n"),
        Invalid("import os\n"
                "from pathlib import Path\n"
                "os.environ.update({'SSL_CERT_FILE': str(Path(__file__).parent / 'ca.pem')})\n",
                [(3, 20)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "os.environ.update({'SSL_CERT_FILE': CA_BUNDLE})\n"),
        # a helper of the project's own that finds a certificate file by its name
        Invalid("import os\n"
                "from tests import utils\n"
                "os.environ['REQUESTS_CA_BUNDLE'] = utils.get_config_file_path('server-cert.pem')\n",
                [(3, 1)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "os.environ['REQUESTS_CA_BUNDLE'] = CA_BUNDLE\n"),
        Invalid("import os\n"
                "ROOT = '/opt/app'\n"
                "os.environ['CURL_CA_BUNDLE'] = f'{ROOT}/certs/ca.pem'\n",
                [(3, 1)],
                "import os\n"
                "\n"
                "from corp_tls import CA_BUNDLE\n"
                "\n"
                "ROOT = '/opt/app'\n"
                "os.environ['CURL_CA_BUNDLE'] = CA_BUNDLE\n"),
    ]

    def check_write(self, write: EnvWrite) -> None:
        if write.key in BUNDLE_VARIABLES and (
                fixed_paths.is_fixed_path(write.value, self.scope)
                or fixed_paths.names_shipped_file(write.value, self.scope)):
            # not SSL_CERT_DIR (a folder, not a bundle file), nor a parametrized case's value
            fix = (FixRequest("ca-bundle", node=write.value)
                   if write.key != "SSL_CERT_DIR" and write.fixable else None)
            self.report(write.anchor, fix=fix)
