from __future__ import annotations

from typing import Dict, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients, opt_outs, travel, values
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import Applicability, identifier
from corptls_lint.rules import origin_fixes
from corptls_lint.rules.base import OFF, ClientUse, FileContext, FixRequest, Invalid, Rule
from corptls_lint.screens.shapes import FALSY, CallerArgument, KeywordArg, Travel


class VerifyDisabled(Rule):
    """
    ## What it does
    Finds a falsy `verify=` (`False`, `0`, `""`, or a name bound once to one of them, a
    parameter with such a default included) passed to:

    - the `requests` and `httpx` module functions (`requests.get`, `requests.api.request`,
      `httpx.post`, ...) under any import alias;
    - `httpx.Client`, `httpx.AsyncClient`, `httpx.HTTPTransport`, `httpx.AsyncHTTPTransport` and
      `httpx.create_ssl_context`;
    - the libraries whose `verify=` is requests' own: curl_cffi (`curl_cffi.requests.get`,
      `request`, ..., also re-exported as `curl_cffi.get`, and its `Session` and
      `AsyncSession`, which take `verify=` themselves), niquests (its functions, the async
      `aget`, ..., `Session`, `AsyncSession`), grequests (`grequests.get`, ...) and
      requests-html (`HTMLSession`, `AsyncHTMLSession`). requests-futures' `FuturesSession`
      and cloudscraper's `create_scraper()` take no `verify=` of their own: their requests
      are the verb methods below;
    - an HTTP verb method (`get`, `post`, `put`, `patch`, `delete`, `head`, `options`,
      `request`, `send`, `stream`) whose receiver no import explains, such as `session.get(...)`
      or `self.http.post(...)`, and the methods that hand `verify=` to requests the same way:
      the token calls of requests-oauthlib and authlib sessions (`fetch_token`,
      `fetch_request_token`, `fetch_access_token`, `refresh_token`) and a requests adapter's
      `get_connection_with_tls_context`;
    - the same key in a `**{"verify": False}` or `**dict(verify=False)` dict, written in the
      call or bound once to a name;
    - `functools.partial(requests.get, verify=False)` (any taker above, `from functools import
      partial` too), reported at the keyword, and a call of a name bound to such a partial;
    - a call resolved through a name bound once (`get = requests.get`), `getattr(requests,
      "get")(...)`, or `from requests import *` (also httpx, ssl, urllib3), and a session's or
      adapter's verb method called as a function in a monkeypatch (`original =
      requests.Session.request` ... `original(self, method, url, **kwargs)`).

    A falsy value is also `not True`, `not 1`, `bool(0)` and a walrus `(v := False)`; a
    conditional `verify=False if DEBUG else True` is reported at its falsy branch.

    A falsy value that travels to such a call inside the module is reported where it is
    written, once, with the call named in the message: a dict built over several statements
    and passed as `**kwargs` (`kw["verify"] = False`, `kw.update(verify=False)`,
    `kw.setdefault("verify", False)`, or one of the dict displays a `for` loop takes `kw`
    from: `for kw in ({...}, {"verify": False}):`; also a wrapper's own `**kwargs` passed on to
    `requests.get(url, **kwargs)` or `super().request(method, url, **kwargs)`, as in an
    overridden or monkeypatched `Session.request`, `HTTPAdapter.send` or `httpx.Client.__init__`;
    and a dict kept on the instance, `**self._kwargs`, that a method of the class fills:
    `self._kwargs["verify"] = verify_https`, reported at that parameter's falsy default), a local
    bound to `False` on one branch, `self._verify = False` (or a class attribute default)
    that reaches `verify=self._verify` (also the falsy default of a parameter a method stores
    there: `def __init__(self, url, verify=False): self._verify = verify`; a store into
    `self.verify` is TLS102's), the default of `options.get("verify", False)`, and
    a same-module call site that passes a falsy value, by keyword or position, to a parameter
    that reaches such a call (`def fetch(u, verify=True): requests.get(u, verify=verify)`
    ... `fetch(u, False)`, also `self.fetch(u, verify=False)` inside the class, through a
    local bound once to the parameter, and through one more function that passes its own
    parameter on). A call site is followed when its name resolves to the function's one
    definition and the function does not rebind the parameter. A parameter whose falsy
    default reaches such a call (`def fetch(url, verify=False)`) is reported at the default,
    once, however many calls it reaches; when the parameter is a wrapper flag
    (`verify_ssl=False`), TLS105 reports that default and this rule does not.

    Names are read as Python reads them (NFKC-normalised, PEP 3131), so a look-alike
    spelling such as `requests.ｇet(url, ｖerify=False)` is the same call and is reported the
    same way.

    Not reported: `verify=` on other calls (`jwt.decode(token, verify=False)`,
    `partial(jwt.decode, verify=False)`, `form.validate(verify=False)`), `verify=True`,
    `verify=None`, and any value that is not a literal (`verify=settings.CA_BUNDLE`,
    `verify=certifi.where()`, `verify=not insecure` for a parameter `insecure`,
    `kwargs["verify"] = self.ca_bundle`).

    ## Why is this bad?
    Without verification the client accepts any certificate for any host name: whoever sits on
    the network path (a hostile Wi-Fi, a compromised proxy, a spoofed DNS answer) can read and
    change the traffic, tokens and passwords included, and nothing fails. `verify=False` is
    almost always a workaround for `CERTIFICATE_VERIFY_FAILED` behind a corporate CA or a
    TLS-inspecting proxy; the lasting fix is to trust that CA, as the enterprise CA guide
    explains.

    ## Example
    ```python
    import requests

    requests.get("https://intranet.example.com", verify=False)
    ```

    ## Use instead
    ```python
    import requests
    from corp_tls import CA_BUNDLE

    requests.get("https://intranet.example.com", verify=CA_BUNDLE)
    ```

    ## Fix
    Offered when `ca-bundle` is configured: the value becomes the configured bundle expression
    and its import is added. For an httpx call (httpx 0.28 deprecated a path string for
    `verify=`, warning with a DeprecationWarning) the value is an SSL context: the
    `ssl-context` when that is configured, else `ssl.create_default_context(cafile=<ca-bundle>)`
    (httpx's own advice), with `from ssl import create_default_context` added unless `ssl` is
    imported already.
    Safe, except in three places where it is unsafe (applied only with `--unsafe-fixes`, always
    shown by `--diff`): an entry of a `**kwargs` dict (`**dict(verify=False)` too), a
    parameter default (`def fetch(url, verify=False)`), whose other callers may rely on it,
    and a walrus (`verify=(v := False)` -> `(v := <ca-bundle>)`: `v` may be read elsewhere).
    `functools.partial(requests.get, verify=False)`, `not True` and `bool(0)` get the safe
    fix of the keyword's value.
    A value that travels gets its fix where it is written, as it is reported there: the
    literal `False` (or `0`) of `verify = False` on a branch, of `self._verify = False`, of
    `options.get("verify", False)`, of a conditional's branch (`False if DEBUG else True`),
    or of a call site's argument (`fetch(url, False)`) becomes the bundle (the context for
    httpx, as above). Unsafe: the same variable may be read
    elsewhere (`if not verify: warn()`), so a person checks what else it changes. The same
    holds for a `False` stored into a `**kwargs` dict (`kwargs["verify"] = False`,
    `kwargs.setdefault("verify", False)`, `kwargs.update(verify=False)`, also in a
    monkeypatched `Session.request`): the literal becomes the bundle, unsafe.

    ## Options
    - `ca-bundle`
    - `ssl-context` (httpx calls)

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - httpx: SSL, https://www.python-httpx.org/advanced/ssl/
    - curl_cffi: documentation, https://curl-cffi.readthedocs.io/
    - niquests: documentation, https://niquests.readthedocs.io/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS101"
    caller_opt_outs = True
    name = "verify-disabled"
    message = "TLS verification disabled with a falsy verify=; pass the CA bundle instead"
    triggers = ((b"verify",),)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED}
    candidates = (KeywordArg(("verify",), FALSY), Travel(("verify",), FALSY),
                  CallerArgument(("verify",), FALSY))
    # a program's own command-line options (analysis/opt_outs.py)
    context_shapes = (opt_outs.COMMAND_LINE_SHAPE,)
    has_fix = True
    fix_keys = ("ca-bundle", "ssl-context")

    client_uses = (
        ClientUse('requests',
                  "`verify=False` (any falsy value) on `requests.get/post/...`, `requests.request`, a session's verb methods",
                  OFF, '`verify=<ca-bundle>`'),
        ClientUse('httpx',
                  '`verify=False` on `httpx.get/...`, `Client`, `AsyncClient`, `HTTPTransport`, `create_ssl_context`',
                  OFF, '`verify=<ssl-context>` (or a context on `<ca-bundle>`)'),
        ClientUse('curl_cffi',
                  '`verify=False` on `curl_cffi.requests.get/...`, `request`, `Session`, '
                  '`AsyncSession` (also as `curl_cffi.get`, `curl_cffi.Session`)',
                  OFF, '`verify=<ca-bundle>`'),
        ClientUse('niquests',
                  '`verify=False` on `niquests.get/...`, `aget/...`, `Session`, `AsyncSession`',
                  OFF, '`verify=<ca-bundle>`'),
        ClientUse('grequests', '`verify=False` on `grequests.get/...`, `request`',
                  OFF, '`verify=<ca-bundle>`'),
        ClientUse('requests-html', '`verify=False` on `HTMLSession`, `AsyncHTMLSession`',
                  OFF, '`verify=<ca-bundle>`'),
        ClientUse("pyArango, Airflow's Vault client",
                  '`verify=False` on `pyArango.connection.Connection`, '
                  '`airflow.providers.hashicorp._internal_client.vault_client._VaultClient`',
                  OFF, '`verify=<ca-bundle>`'),
    )

    VALID = [
        "import requests\nrequests.get(url, verify=True)\n",
        "import requests\nrequests.get(url, verify=None)\n",
        "import requests, certifi\nrequests.get(url, verify=certifi.where())\n",
        "import requests\nrequests.get(url, verify=settings.CA_BUNDLE)\n",
        "import jwt\njwt.decode(token, verify=False)\n",
        "form.validate(verify=False)\n",
        "import requests\nV = False\nV = True\nrequests.get(url, verify=V)\n",
        "# requests.get(url, verify=False)\nx = 'requests.get(url, verify=False)'\n",
        "import requests\nrequests.get(url, **{'timeout': 3})\n",
        "import requests\ndef f(kw):\n    kw['verify'] = CA\n    requests.get(url, **kw)\n",
        "import requests\nrequests.get(url, verify=opts.get('verify', True))\n",
        "import requests\nrequests.get(url, verify=True if x else ca_path)\n",
        "import requests\ndef fetch(url, insecure):\n"
        "    return requests.get(url, verify=not insecure)\n",
        "from functools import partial\nimport jwt\ndecode = partial(jwt.decode, verify=False)\n",
        # a wrapper never called with False
        "import requests\ndef fetch(url, verify=True):\n"
        "    return requests.get(url, verify=verify)\nfetch(url)\nfetch(url, verify=CA)\n",
        "import requests\nclass S(requests.Session):\n"
        "    def request(self, method, url, **kwargs):\n        kwargs['verify'] = self.ca_bundle\n"
        "        return super().request(method, url, **kwargs)\n",
        "import curl_cffi\ncurl_cffi.requests.get(url, verify=True)\n",
        "import niquests\nniquests.get(url, verify=CA)\n",
        "import grequests\ngrequests.map(reqs, verify=False)\n",
        # a library carrying out its caller's choice: the caller passing True is reported
        "import requests\n"
        "def fetch(url, insecure):\n"
        "    kw = {'timeout': 5}\n"
        "    if insecure:\n"
        "        kw['verify'] = False\n"
        "    return requests.get(url, **kw)\n",
        "from curl_cffi.requests import Session\nwith Session[Response](verify=CA) as s:\n"
        "    s.get(url)\n",
        "from pyArango.connection import Connection\nConnection(arangoURL=u, verify=True)\n",
    ]
    INVALID = [
        # a generic class called with its type arguments (curl_cffi's typed sessions)
        Invalid(
            "from curl_cffi.requests import Session\n"
            "with Session[Response](verify=False) as s:\n"
            "    s.get(url)\n",
            [(2, 24)],
            "from curl_cffi.requests import Session\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "with Session[Response](verify=CA_BUNDLE) as s:\n"
            "    s.get(url)\n"),
        # one of the dicts a loop passes with `**`
        Invalid(
            "import requests\n"
            "for kw in ({'timeout': 5}, {'verify': False}):\n"
            "    requests.get(url, **kw)\n",
            [(2, 29)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "for kw in ({'timeout': 5}, {'verify': CA_BUNDLE}):\n"
            "    requests.get(url, **kw)\n"),
        # a client built on requests that hands its verify= over (pyArango's connection), the
        # value a class attribute's default
        Invalid(
            "from pyArango import connection\n"
            "class Backend:\n"
            "    verify = False\n"
            "    def connect(self):\n"
            "        return connection.Connection(arangoURL=self.url, verify=self.verify)\n",
            [(3, 14)],
            "from pyArango import connection\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class Backend:\n"
            "    verify = CA_BUNDLE\n"
            "    def connect(self):\n"
            "        return connection.Connection(arangoURL=self.url, verify=self.verify)\n"),
        Invalid(
            "import requests\n"
            "requests.get(url, verify=False)\n",
            [(2, 19)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, verify=CA_BUNDLE)\n"),
        # fullwidth letters: Python reads `requests.ｇet(..., ｖerify=...)` as get and verify
        Invalid(
            "import requests\n"
            "requests.ｇet(url, ｖerify=False)\n",
            [(2, 19)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.ｇet(url, ｖerify=CA_BUNDLE)\n"),
        Invalid(
            "import requests as r\n"
            "r.post(url, data=d, verify=0)\n",
            [(2, 21)],
            "import requests as r\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "r.post(url, data=d, verify=CA_BUNDLE)\n"),
        Invalid(
            "from requests import get as fetch\n"
            "fetch(url, verify='')\n",
            [(2, 12)],
            "from requests import get as fetch\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "fetch(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "requests.api.request('GET', url, verify=False)\n",
            [(2, 34)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.api.request('GET', url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import httpx\n"
            "client = httpx.Client(\n"
            "    timeout=3,\n"
            "    verify=False,\n"
            ")\n",
            [(4, 5)],
            "import httpx\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "client = httpx.Client(\n"
            "    timeout=3,\n"
            "    verify=ssl_context(),\n"
            ")\n"),
        Invalid(
            "class Api:\n"
            "    def fetch(self):\n"
            "        return self.session.get(self.url, verify=False)\n",
            [(3, 43)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class Api:\n"
            "    def fetch(self):\n"
            "        return self.session.get(self.url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "VERIFY = False\n"
            "def f():\n"
            "    requests.get(url, verify=VERIFY)\n",
            [(4, 23)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "VERIFY = False\n"
            "def f():\n"
            "    requests.get(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "requests.get(url, **{'verify': False})\n",
            [(2, 22)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, **{'verify': CA_BUNDLE})\n"),
        Invalid(
            "import requests\n"
            "OPTS = {'verify': False, 'timeout': 5}\n"
            "requests.get(url, **OPTS)\n",
            [(3, 19)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "OPTS = {'verify': CA_BUNDLE, 'timeout': 5}\n"
            "requests.get(url, **OPTS)\n"),
        Invalid(
            "import requests\n"
            "def fetch(url, verify=False):\n"
            "    return requests.get(url, verify=verify)\n",
            [(2, 23)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def fetch(url, verify=CA_BUNDLE):\n"
            "    return requests.get(url, verify=verify)\n"),
        Invalid(
            "import requests\n"
            "from corp_tls import make_session\n"
            "requests.get(url, verify=False)\n",
            [(3, 19)],
            "import requests\n"
            "from corp_tls import CA_BUNDLE, make_session\n"
            "requests.get(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "from corp_tls import CA_BUNDLE as BUNDLE\n"
            "import requests\n"
            "requests.get(url, verify=False)\n",
            [(3, 19)],
            "from corp_tls import CA_BUNDLE as BUNDLE\n"
            "import requests\n"
            "requests.get(url, verify=BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "def fetch(url, CA_BUNDLE=None):\n"
            "    return requests.get(url, verify=False)\n",
            [(3, 30)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE\n"
            "\n"
            "\n"
            "def fetch(url, CA_BUNDLE=None):\n"
            "    return requests.get(url, verify=corp_tls_CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "with requests.Session() as s:\n"
            "    s.get(url, verify=False)  # legacy proxy\n",
            [(3, 16)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "with requests.Session() as s:\n"
            "    s.get(url, verify=CA_BUNDLE)  # legacy proxy\n"),
        Invalid(
            "import requests\n"
            "INSECURE = True\n"
            "def fetch(url):\n"
            "    kw = {'timeout': 5}\n"
            "    if INSECURE:\n"
            "        kw['verify'] = False\n"
            "    return requests.get(url, **kw)\n",
            [(6, 9)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "INSECURE = True\n"
            "def fetch(url):\n"
            "    kw = {'timeout': 5}\n"
            "    if INSECURE:\n"
            "        kw['verify'] = CA_BUNDLE\n"
            "    return requests.get(url, **kw)\n"),
        Invalid(
            "class Api:\n"
            "    _verify = False\n"
            "    def __init__(self, options):\n"
            "        self.verify = options.get('ssl_verify', False)\n"
            "    def get(self, url):\n"
            "        return self.session.get(url, verify=self._verify)\n"
            "    def post(self, url):\n"
            "        return self.session.post(url, verify=self.verify)\n",
            [(2, 15), (4, 49)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class Api:\n"
            "    _verify = CA_BUNDLE\n"
            "    def __init__(self, options):\n"
            "        self.verify = options.get('ssl_verify', CA_BUNDLE)\n"
            "    def get(self, url):\n"
            "        return self.session.get(url, verify=self._verify)\n"
            "    def post(self, url):\n"
            "        return self.session.post(url, verify=self.verify)\n"),
        Invalid(
            "import requests\n"
            "def fetch(url, ca=None):\n"
            "    verify = ca\n"
            "    if ca is None:\n"
            "        verify = False\n"
            "    requests.get(url, verify=verify)\n"
            "    requests.post(url, verify=verify)\n",
            [(2, 19)]),
        Invalid(
            "import requests\n"
            "def fetch(url, options):\n"
            "    return requests.get(url, verify=options.get('verify_ssl', False))\n",
            [(3, 63)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def fetch(url, options):\n"
            "    return requests.get(url, verify=options.get('verify_ssl', CA_BUNDLE))\n"),
        Invalid(
            "import requests\n"
            "def fetch(url, verify=True):\n"
            "    return requests.get(url, verify=verify)\n"
            "fetch(url, verify=False)\n"
            "fetch(url, False)\n",
            [(4, 12), (5, 12)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def fetch(url, verify=True):\n"
            "    return requests.get(url, verify=verify)\n"
            "fetch(url, verify=CA_BUNDLE)\n"
            "fetch(url, CA_BUNDLE)\n"),
        Invalid(
            "import functools\n"
            "import requests\n"
            "get = functools.partial(requests.get, verify=False)\n",
            [(3, 39)],
            "import functools\n"
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "get = functools.partial(requests.get, verify=CA_BUNDLE)\n"),
        Invalid(
            "from functools import partial\n"
            "import requests\n"
            "request = partial(requests.request, 'GET', verify=False)\n"
            "request(url)\n",
            [(3, 44)],
            "from functools import partial\n"
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "request = partial(requests.request, 'GET', verify=CA_BUNDLE)\n"
            "request(url)\n"),
        Invalid(
            "import requests\n"
            "old_request = requests.Session.request\n"
            "def patched(self, method, url, **kwargs):\n"
            "    kwargs['verify'] = False\n"
            "    return old_request(self, method, url, **kwargs)\n"
            "requests.Session.request = patched\n",
            [(4, 5)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "old_request = requests.Session.request\n"
            "def patched(self, method, url, **kwargs):\n"
            "    kwargs['verify'] = CA_BUNDLE\n"
            "    return old_request(self, method, url, **kwargs)\n"
            "requests.Session.request = patched\n"),
        Invalid(
            "import requests\n"
            "class InsecureSession(requests.Session):\n"
            "    def request(self, method, url, **kwargs):\n"
            "        kwargs.setdefault('verify', False)\n"
            "        return super().request(method, url, **kwargs)\n",
            [(4, 37)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class InsecureSession(requests.Session):\n"
            "    def request(self, method, url, **kwargs):\n"
            "        kwargs.setdefault('verify', CA_BUNDLE)\n"
            "        return super().request(method, url, **kwargs)\n"),
        Invalid(
            "from requests.adapters import HTTPAdapter\n"
            "class NoVerify(HTTPAdapter):\n"
            "    def send(self, request, **kwargs):\n"
            "        kwargs.update(verify=False)\n"
            "        return super().send(request, **kwargs)\n",
            [(4, 23)],
            "from requests.adapters import HTTPAdapter\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class NoVerify(HTTPAdapter):\n"
            "    def send(self, request, **kwargs):\n"
            "        kwargs.update(verify=CA_BUNDLE)\n"
            "        return super().send(request, **kwargs)\n"),
        Invalid(
            "import requests\n"
            "class Api:\n"
            "    def _get(self, url, check):\n"
            "        verify = check\n"
            "        return requests.get(url, verify=verify)\n"
            "    def fetch(self, url, secure=True):\n"
            "        return self._get(url, check=secure)\n"
            "    def run(self):\n"
            "        return self.fetch(url, False)\n",
            [(9, 32)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class Api:\n"
            "    def _get(self, url, check):\n"
            "        verify = check\n"
            "        return requests.get(url, verify=verify)\n"
            "    def fetch(self, url, secure=True):\n"
            "        return self._get(url, check=secure)\n"
            "    def run(self):\n"
            "        return self.fetch(url, CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "def fetch(url, verify=False):\n"
            "    return requests.get(url, verify=verify)\n"
            "fetch(url, verify=False)\n",
            [(2, 23), (4, 12)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def fetch(url, verify=CA_BUNDLE):\n"
            "    return requests.get(url, verify=verify)\n"
            "fetch(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "requests.get(url, verify=False if DEBUG else True)\n",
            [(2, 26)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, verify=CA_BUNDLE if DEBUG else True)\n"),
        Invalid(
            "import requests\n"
            "requests.get(url, verify=not True)\n"
            "requests.get(url, verify=bool(0))\n",
            [(2, 19), (3, 19)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, verify=CA_BUNDLE)\n"
            "requests.get(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "requests.get(url, verify=(checked := False))\n",
            [(2, 19)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, verify=(checked := CA_BUNDLE))\n"),
        Invalid(
            "import requests\n"
            "OPTS = dict(verify=False)\n"
            "requests.get(url, **OPTS)\n"
            "requests.post(url, **dict(verify=0))\n",
            [(3, 19), (4, 27)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "OPTS = dict(verify=CA_BUNDLE)\n"
            "requests.get(url, **OPTS)\n"
            "requests.post(url, **dict(verify=CA_BUNDLE))\n"),
        Invalid(
            "import requests\n"
            "from requests import *\n"
            "get(url, verify=False)\n"
            "getattr(requests, 'post')(url, verify=False)\n",
            [(3, 10), (4, 32)],
            "import requests\n"
            "from requests import *\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "get(url, verify=CA_BUNDLE)\n"
            "getattr(requests, 'post')(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "class Array:\n"
            "    def __init__(self, target, verify_https=False):\n"
            "        self._session = requests.Session()\n"
            "        self._kwargs = {'timeout': 5}\n"
            "        self._kwargs['verify'] = verify_https\n"
            "    def get(self, path):\n"
            "        return self._session.get(path, **self._kwargs)\n",
            [(3, 45)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class Array:\n"
            "    def __init__(self, target, verify_https=CA_BUNDLE):\n"
            "        self._session = requests.Session()\n"
            "        self._kwargs = {'timeout': 5}\n"
            "        self._kwargs['verify'] = verify_https\n"
            "    def get(self, path):\n"
            "        return self._session.get(path, **self._kwargs)\n"),
        Invalid(
            "import requests\n"
            "class Gate:\n"
            "    def __init__(self, host, ssl_check=False):\n"
            "        self._check = ssl_check\n"
            "    def login(self, session):\n"
            "        return session.post(self.url, verify=self._check)\n",
            [(3, 40)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class Gate:\n"
            "    def __init__(self, host, ssl_check=CA_BUNDLE):\n"
            "        self._check = ssl_check\n"
            "    def login(self, session):\n"
            "        return session.post(self.url, verify=self._check)\n"),
        Invalid(
            "from curl_cffi import requests as cffi\n"
            "cffi.get(url, impersonate='chrome', verify=False)\n",
            [(2, 37)],
            "from curl_cffi import requests as cffi\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "cffi.get(url, impersonate='chrome', verify=CA_BUNDLE)\n"),
        Invalid(
            "from curl_cffi.requests import AsyncSession\n"
            "async def main(url):\n"
            "    async with AsyncSession(verify=False) as s:\n"
            "        return await s.get(url)\n",
            [(3, 29)],
            "from curl_cffi.requests import AsyncSession\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "async def main(url):\n"
            "    async with AsyncSession(verify=CA_BUNDLE) as s:\n"
            "        return await s.get(url)\n"),
        Invalid(
            "import niquests\n"
            "import grequests\n"
            "s = niquests.Session(verify=0)\n"
            "jobs = [grequests.get(u, verify=False) for u in urls]\n",
            [(3, 22), (4, 26)],
            "import niquests\n"
            "import grequests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "s = niquests.Session(verify=CA_BUNDLE)\n"
            "jobs = [grequests.get(u, verify=CA_BUNDLE) for u in urls]\n"),
        Invalid(
            "def token(oauth):\n"
            "    return oauth.fetch_token(TOKEN_URL, client_secret=secret, verify=False)\n",
            [(2, 63)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def token(oauth):\n"
            "    return oauth.fetch_token(TOKEN_URL, client_secret=secret, verify=CA_BUNDLE)\n"),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.callers = travel.CallerArguments()
        # each sink's fix kind, for the call sites that reach it (None: sinks of one name differ)
        self.sink_kinds: Dict[str, Optional[str]] = {}
        # where a travelling False is written -> (the value, the first message, the fix kinds
        # of every sink it reaches): reported at the end, fixed only when the kinds agree (a
        # context for httpx would break a requests call the same value reaches)
        self.origins: Dict[int, Tuple[cst.CSTNode, cst.BaseExpression, str, Set[Optional[str]]]] = {}
        # the wrapper flags that are insecure when falsy (TLS105's, as configured)
        self.flags = {name for name, kind in clients.insecure_keywords(
            context.insecure_keywords or clients.DEFAULT_INSECURE_KEYWORDS).items()
            if kind == FALSY}
        self.flag_defaults: Set[int] = set()  # ids of those flags' defaults

    def visit_Call(self, node: cst.Call) -> None:
        self.callers.note_call(node, self.scope)
        wrapped = travel.partial_target(node, self.scope)
        if wrapped is not None:
            self._partial(node, wrapped)
            return
        func, qualified = travel.callee(node, self.scope)
        if not travel.takes_verify(func, qualified):
            return
        kind = clients.verify_fix_kind(qualified)
        sink = clients.sink_name(node, qualified)
        arg = clients.keyword(node, "verify")
        if arg is not None and self.is_falsy(arg.value):
            if values.from_parameter_default(arg.value, self.scope):
                self._default(arg.value, sink, kind)  # where the default is written
            else:
                self.report(arg, fix=_direct_fix(arg.value, kind))
        for anchor, entry in travel.double_star_values(node, "verify", self.scope):
            if self.is_falsy(entry):
                self.report(anchor, fix=FixRequest(kind, Applicability.UNSAFE, node=entry))
        # Values that travel: reported where they are written, naming this call.
        message = f"verify=False written here reaches {sink}(); pass the CA bundle instead"
        if arg is not None and not self.is_falsy(arg.value):
            # a parameter default stored as `self.x` (`self._verify = verify`); not for
            # `x.verify = verify`, which TLS102 reports where it is stored
            stored = (values.is_falsy if not (isinstance(arg.value, cst.Attribute) and identifier(
                arg.value.attr.value) == "verify") else None)
            for origin in travel.travelled_origins(arg.value, self.scope, self.is_falsy, stored):
                self._note_origin(origin, origin, message, kind)
            # `verify=False if DEBUG else True`, also through a name bound once to it
            bound, bound_scope = values.origin(arg.value, self.scope)
            for branch in values.falsy_branches(bound, bound_scope):
                self._note_origin(branch, branch, message, kind)
        if arg is not None:
            self.callers.note_sink(arg.value, self.scope, sink)
            self.sink_kinds[sink] = kind if self.sink_kinds.get(sink, kind) == kind else None
        for written, value in travel.splatted_values(node, "verify", self.scope, self.is_falsy):
            self._note_origin(written, value, message, kind)
        for where, value, default in travel.attribute_items(node, "verify", self.scope,
                                                            values.is_falsy):
            verb = "by default here" if default else "written here"
            self._note_origin(where, value, f"verify=False {verb} reaches {sink}(); pass the "
                                            "CA bundle instead", kind)

    def _partial(self, node: cst.Call, wrapped: cst.BaseExpression) -> None:
        """`functools.partial(requests.get, verify=False)`: the keyword reaches the callable."""
        qualified = self.scope.qualify(wrapped, aliases=True)
        arg = clients.keyword(node, "verify")
        if arg is None or not travel.takes_verify(wrapped, qualified):
            return
        sink = clients.sink_name(cst.Call(func=wrapped), qualified)
        kind = clients.verify_fix_kind(qualified)
        if self.is_falsy(arg.value):
            if values.from_parameter_default(arg.value, self.scope):
                self._default(arg.value, sink, kind)
            else:
                self.report(arg, f"verify=False bound by partial() to {sink}(); pass the CA "
                                 "bundle instead", _direct_fix(arg.value, kind))
            return
        message = f"verify=False written here reaches {sink}(); pass the CA bundle instead"
        for origin in travel.travelled_origins(arg.value, self.scope, self.is_falsy):
            self._note_origin(origin, origin, message, kind)
        for branch in values.falsy_branches(arg.value, self.scope):
            self._note_origin(branch, branch, message, kind)

    def _default(self, name: cst.BaseExpression, sink: str, kind: str) -> None:
        """A parameter whose falsy default reaches the sink: reported at the default."""
        value, _ = values.origin(name, self.scope)
        self._note_origin(value, value, f"verify=False by default here reaches {sink}(); "
                                        "pass the CA bundle instead", kind)

    def visit_Param(self, node: cst.Param) -> None:
        # a wrapper flag's falsy default (`verify_ssl=False`) is TLS105's finding, at the
        # same place: one finding a value
        if node.default is not None and identifier(node.name.value) in self.flags:
            self.flag_defaults.add(id(node.default))

    def leave_Module(self, node: cst.Module) -> None:
        for where, value, function, sink in self.callers.origins(_passed_falsy, defaults=True):
            verb = "by default here" if where is value else "passed here"
            self._note_origin(where, value, f"verify=False {verb} reaches {sink}() through "
                                            f"{function}(); pass the CA bundle instead",
                              self.sink_kinds.get(sink))
        for where, value, message, kinds in self.origins.values():
            if id(where) in self.flag_defaults:
                continue
            kind = next(iter(kinds)) if len(kinds) == 1 else None
            fix = origin_fixes.target_at_origin(value, kind) if kind is not None else None
            self.report(where, message, fix)

    def _note_origin(self, where: cst.CSTNode, value: cst.BaseExpression, message: str,
                     kind: Optional[str]) -> None:
        known = self.origins.get(id(where))
        if known is None:
            self.origins[id(where)] = (where, value, message, {kind})
        else:
            known[3].add(kind)


def _passed_falsy(value: cst.BaseExpression, scope: Scope) -> bool:
    """A falsy call-site argument that is not a parameter's default passed on (that default
    is reported where it is written)."""
    return values.is_falsy(value, scope) and not values.from_parameter_default(value, scope)


def _direct_fix(value: cst.BaseExpression, kind: str) -> FixRequest:
    """The value becomes the bundle; in a walrus (`verify=(v := False)`) only the bound value,
    so `v` still exists, and unsafe: `v` may be read elsewhere."""
    if isinstance(value, cst.NamedExpr):
        return FixRequest(kind, Applicability.UNSAFE, node=value.value)
    return FixRequest(kind, node=value)
