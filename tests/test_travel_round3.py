"""Issue 27, coverage round 3: values that travel, aliases and rebinding, reported at the
origin of the insecure value with exact positions, and the traps that must stay quiet."""

import textwrap

import pytest
from helpers import findings

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.running.fixer import fix_text

TARGETS = FixTargets(Target.parse("corp_tls:CA_BUNDLE"), Target.parse("corp_tls:make_session"),
                     Target.parse("corp_tls:ssl_context()", "ssl-context"))


def found(source, code):
    return [(line, col) for line, col, got in findings(textwrap.dedent(source)) if got == code]


def messages(source, code):
    result = lint_source(textwrap.dedent(source), "example.py", Settings(enabled=(code,)))
    return [d.message for d in result.diagnostics]


def fixed(source, code, unsafe=False):
    settings = Settings(enabled=(code,), targets=TARGETS)
    return fix_text(textwrap.dedent(source), "example.py", settings, unsafe).text


# -- 1. functools.partial ---------------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import functools, requests\nget = functools.partial(requests.get, verify=False)\n",
     [(2, 39)]),
    ("from functools import partial\nimport httpx\nc = partial(httpx.Client, verify=False)\n",
     [(3, 27)]),
    ("from functools import partial\nimport httpx\npost = partial(httpx.post, verify=0)\n",
     [(3, 28)]),
    ("from functools import partial as p\nimport requests\n"
     "r = p(requests.request, 'GET', verify=False)\n", [(3, 32)]),
    # a partial bound to a name, the keyword given at the call
    ("from functools import partial\nimport requests\nget = partial(requests.get, timeout=5)\n"
     "get(url, verify=False)\n", [(4, 10)]),
])
def test_partial(source, expected):
    assert found(source, "TLS101") == expected


def test_partial_names_the_sink_and_fixes_safely():
    source = "import functools, requests\nget = functools.partial(requests.get, verify=False)\n"
    assert "requests.get()" in messages(source, "TLS101")[0]
    assert fixed(source, "TLS101") == (
        "import functools, requests\n\nfrom corp_tls import CA_BUNDLE\n\n"
        "get = functools.partial(requests.get, verify=CA_BUNDLE)\n")


def test_partial_of_another_callable_is_not_reported():
    assert found("from functools import partial\nimport jwt\n"
                 "decode = partial(jwt.decode, verify=False)\n", "TLS101") == []


# -- 2. kwargs in wrappers, subclasses, monkeypatches ---------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("""\
     import requests
     def get(url, **kwargs):
         kwargs["verify"] = False
         return requests.get(url, **kwargs)
     """, [(3, 5)]),
    ("""\
     import requests
     def get(url, **kwargs):
         kwargs.setdefault("verify", False)
         return requests.get(url, **kwargs)
     """, [(3, 33)]),
    ("""\
     import requests
     class Insecure(requests.Session):
         def request(self, method, url, **kwargs):
             kwargs.update(verify=False)
             return super().request(method, url, **kwargs)
     """, [(4, 23)]),
    ("""\
     import requests
     old_request = requests.Session.request
     def patched(self, method, url, **kwargs):
         kwargs["verify"] = False
         return old_request(self, method, url, **kwargs)
     requests.Session.request = patched
     """, [(4, 5)]),
    ("""\
     from requests.adapters import HTTPAdapter
     original_send = HTTPAdapter.send
     def send(self, request, **kwargs):
         kwargs.setdefault("verify", False)
         return original_send(self, request, **kwargs)
     HTTPAdapter.send = send
     """, [(4, 33)]),
])
def test_kwargs_of_a_wrapper(source, expected):
    assert found(source, "TLS101") == expected


def test_kwargs_message_names_the_sink_and_the_fix_is_unsafe():
    source = """\
    import httpx
    _init = httpx.Client.__init__
    def patched(self, *args, **kwargs):
        kwargs["verify"] = False
        kwargs.setdefault("timeout", 5)
        _init(self, *args, **kwargs)
    """
    assert "httpx.Client.__init__()" in messages(source, "TLS101")[0]
    assert fixed(source, "TLS101") == textwrap.dedent(source)
    assert fixed(source, "TLS101", unsafe=True) == (
        "import httpx\n\nfrom corp_tls import ssl_context\n\n"
        "_init = httpx.Client.__init__\n"
        "def patched(self, *args, **kwargs):\n"
        '    kwargs["verify"] = ssl_context()\n'
        '    kwargs.setdefault("timeout", 5)\n'
        "    _init(self, *args, **kwargs)\n")


def test_kwargs_set_to_the_bundle_is_not_reported():
    assert found("""\
    import requests
    class S(requests.Session):
        def request(self, method, url, **kwargs):
            kwargs["verify"] = self.ca_bundle
            return super().request(method, url, **kwargs)
    """, "TLS101") == []


# -- 3. a project's own wrapper ---------------------------------------------------------------
def test_method_through_self_keyword_and_position():
    assert found("""\
    import requests
    class Api:
        def fetch(self, url, verify=True):
            return requests.get(url, verify=verify)
        def run(self):
            self.fetch(url, verify=False)
            self.fetch(url, False)
    """, "TLS101") == [(6, 25), (7, 25)]


def test_one_level_of_nesting_and_a_local():
    source = """\
    import requests
    def _get(url, check):
        verify = check
        return requests.get(url, verify=verify)
    def fetch(url, secure=True):
        return _get(url, check=secure)
    fetch(url, False)
    fetch(url, secure=0)
    """
    assert found(source, "TLS101") == [(7, 12), (8, 12)]
    assert all("through fetch()" in m for m in messages(source, "TLS101"))


def test_two_levels_of_nesting_are_not_followed():
    assert found("""\
    import requests
    def a(url, v):
        return requests.get(url, verify=v)
    def b(url, v=True):
        return a(url, v)
    def c(url, v=True):
        return b(url, v)
    c(url, False)
    """, "TLS101") == []


def test_falsy_default_is_reported_at_the_default_once():
    source = """\
    import requests
    def fetch(url, verify=False):
        requests.get(url, verify=verify)
        return requests.post(url, verify=verify)
    fetch(url, verify=False)
    """
    assert found(source, "TLS101") == [(2, 23), (5, 12)]
    assert fixed(source, "TLS101", unsafe=True) == (
        "import requests\n\nfrom corp_tls import CA_BUNDLE\n\n\n"
        "def fetch(url, verify=CA_BUNDLE):\n"
        "    requests.get(url, verify=verify)\n"
        "    return requests.post(url, verify=verify)\n"
        "fetch(url, verify=CA_BUNDLE)\n")
    # both fixes are unsafe: other callers may rely on the default, and the value may be
    # read elsewhere
    assert fixed(source, "TLS101") == textwrap.dedent(source)


def test_falsy_default_through_a_relay_is_reported_at_the_default():
    assert found("""\
    import requests
    def _get(url, verify):
        return requests.get(url, verify=verify)
    def fetch(url, verify=False):
        return _get(url, verify=verify)
    """, "TLS101") == [(4, 23)]


def test_wrapper_flag_default_is_one_finding_of_tls105():
    source = """\
    import requests
    def fetch(url, verify_ssl=False):
        return requests.get(url, verify=verify_ssl)
    """
    assert [f for f in findings(textwrap.dedent(source))] == [(2, 27, "TLS105")]


def test_wrapper_never_called_with_false_is_quiet():
    assert found("""\
    import requests
    def fetch(url, verify=True):
        return requests.get(url, verify=verify)
    fetch(url)
    fetch(url, verify=CA)
    """, "TLS101") == []


# -- 4. conditional and computed values --------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import requests\nrequests.get(u, verify=False if DEBUG else True)\n", [(2, 24)]),
    ("import requests\nrequests.get(u, verify=True if strict else False)\n", [(2, 44)]),
    ("import requests\nrequests.get(u, verify=0 if x else CA)\n", [(2, 24)]),
    ("import requests\nV = False if DEBUG else True\nrequests.get(u, verify=V)\n", [(2, 5)]),
    ("import requests\nrequests.get(u, verify=not True)\n", [(2, 17)]),
    ("import requests\nrequests.get(u, verify=not 1)\n", [(2, 17)]),
    ("import requests\nrequests.get(u, verify=bool(0))\n", [(2, 17)]),
    ("import requests\nrequests.get(u, verify=(v := False))\n", [(2, 17)]),
    ("import requests\nrequests.get(u, **dict(verify=False))\n", [(2, 24)]),
    ("import requests\nkw = dict(verify=False)\nrequests.get(u, **kw)\n", [(3, 17)]),
    ("import requests\nkw = {'verify': False}\nrequests.get(u, **kw)\n", [(3, 17)]),
    ("import requests\ngetattr(requests, 'get')(u, verify=False)\n", [(2, 29)]),
    ("from requests import *\nget(u, verify=False)\n", [(2, 8)]),
    ("from httpx import *\nc = Client(verify=False)\n", [(2, 12)]),
])
def test_conditional_and_computed(source, expected):
    assert found(source, "TLS101") == expected


def test_conditional_fix_changes_only_the_branch():
    assert fixed("import requests\nrequests.get(u, verify=False if DEBUG else True)\n",
                 "TLS101", unsafe=True) == (
        "import requests\n\nfrom corp_tls import CA_BUNDLE\n\n"
        "requests.get(u, verify=CA_BUNDLE if DEBUG else True)\n")


def test_walrus_fix_keeps_the_binding_and_is_unsafe():
    source = "import requests\nrequests.get(u, verify=(v := False))\n"
    assert fixed(source, "TLS101") == source
    assert fixed(source, "TLS101", unsafe=True) == (
        "import requests\n\nfrom corp_tls import CA_BUNDLE\n\n"
        "requests.get(u, verify=(v := CA_BUNDLE))\n")


@pytest.mark.parametrize("source", [
    "import requests\nrequests.get(u, verify=True if x else ca_path)\n",
    "import requests\ndef f(u, insecure):\n    return requests.get(u, verify=not insecure)\n",
    "import requests\nrequests.get(u, verify=not False)\n",
    "import requests\nrequests.get(u, verify=bool(1))\n",
    "from mylib import *\nget(u, verify=False)\n",
    "import requests\nbool = str\nrequests.get(u, verify=bool(0))\n",
])
def test_conditional_traps(source):
    assert found(source, "TLS101") == []


# -- 5. TLS103 aliases and rebinding, TLS107 a protocol in a variable ---------------------------
@pytest.mark.parametrize("source, expected", [
    ("import ssl\nunverified = ssl._create_unverified_context\n"
     "ssl._create_default_https_context = unverified\n", [(3, 1)]),
    ("import ssl\n"
     "ssl._create_default_https_context = getattr(ssl, '_create_unverified_context')\n",
     [(2, 1)]),
    ("import ssl as _ssl\nssl_mod = _ssl\n"
     "ssl_mod._create_default_https_context = ssl_mod._create_unverified_context\n", [(3, 1)]),
    ("import ssl\ns = ssl\ns._create_default_https_context = s._create_unverified_context\n",
     [(3, 1)]),
    ("import ssl\nunverified = ssl._create_unverified_context\nctx = unverified()\n", [(3, 7)]),
    ("import ssl\nctx = getattr(ssl, '_create_unverified_context')()\n", [(2, 7)]),
    ("from ssl import *\nctx.verify_mode = CERT_NONE\n", [(2, 1)]),
])
def test_unverified_context_aliases(source, expected):
    assert found(source, "TLS103") == expected


def test_unverified_context_traps():
    assert found("import ssl\ns = ssl\n"
                 "s._create_default_https_context = s.create_default_context\n", "TLS103") == []
    # `import *` brings no private name
    assert found("from ssl import *\nctx = _create_unverified_context()\n", "TLS103") == []


@pytest.mark.parametrize("source, expected", [
    ("import ssl\nproto = ssl.PROTOCOL_TLS\nctx = ssl.SSLContext(proto)\n", [(3, 7)]),
    ("import ssl\nproto = ssl.PROTOCOL_SSLv23\ndef f():\n    return ssl.SSLContext(proto)\n",
     [(4, 12)]),
    ("from ssl import SSLContext, PROTOCOL_TLS as P\nproto = P\nctx = SSLContext(proto)\n",
     [(3, 7)]),
    ("import ssl\nproto = ssl.PROTOCOL_TLS_CLIENT\nctx = ssl.SSLContext(proto)\n", []),
    ("import ssl\nproto = ssl.PROTOCOL_TLS\nctx = ssl.SSLContext(proto)\n"
     "ctx.verify_mode = ssl.CERT_REQUIRED\n", []),
    ("import ssl\ndef f(proto=ssl.PROTOCOL_TLS):\n    return ssl.SSLContext(proto)\n", []),
])
def test_context_protocol_in_a_variable(source, expected):
    assert found(source, "TLS107") == expected


# -- shapes met in real code ------------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    # a module function replaced by a partial
    ("import requests\nfrom functools import partial\n"
     "requests.get = partial(requests.get, verify=False)\n", [(3, 38)]),
    # the original function kept under another name, called by the replacement
    ("""\
     import requests as _requests
     _orig_post = _requests.post
     def _patched_post(*args, **kwargs):
         kwargs.setdefault("verify", False)
         return _orig_post(*args, **kwargs)
     _requests.post = _patched_post
     """, [(4, 33)]),
    ("""\
     import httpx
     _init = httpx.Client.__init__
     def insecure_init(self, *args, **kwargs):
         kwargs.setdefault("verify", False)
         _init(self, *args, **kwargs)
     """, [(4, 33)]),
    # a dict on the instance, filled in __init__ from a parameter whose default is False
    ("""\
     import requests
     class Array:
         def __init__(self, target, verify_https=False, ssl_cert=None):
             self._kwargs = {}
             if ssl_cert and verify_https:
                 self._kwargs["verify"] = ssl_cert
             else:
                 self._kwargs["verify"] = verify_https
         def get(self, path):
             return self._session.get(path, **self._kwargs)
         def post(self, path):
             return self._session.post(path, **self._kwargs)
     """, [(3, 45)]),
])
def test_real_code_shapes(source, expected):
    assert found(source, "TLS101") == expected


def test_instance_dict_store_of_false_is_reported_at_the_store():
    source = """\
    import requests
    class Api:
        def __init__(self):
            self.kw = {}
            self.kw["verify"] = False
        def get(self, url):
            return requests.get(url, **self.kw)
    """
    assert found(source, "TLS101") == [(5, 9)]
    assert fixed(source, "TLS101", unsafe=True) == textwrap.dedent(source).replace(
        "import requests\n", "import requests\n\nfrom corp_tls import CA_BUNDLE\n\n\n").replace(
        '"verify"] = False', '"verify"] = CA_BUNDLE')


def test_unverified_function_bound_on_one_branch():
    source = """\
    import ssl
    def context(host):  # (a branch on the caller's `verify` would be its opt-out)
        if host != "localhost":
            create = getattr(ssl, "create_default_context", None)
        else:
            create = getattr(ssl, "_create_unverified_context", None)
        return create()
    """
    assert found(source, "TLS103") == [(6, 18)]
    assert found(source.replace("_create_unverified_context", "create_default_context"),
                 "TLS103") == []


def test_client_option_default_is_reported_at_the_default_once():
    source = """\
    import boto3
    def clients(verify=False):
        return boto3.client("s3", verify=verify), boto3.resource("s3", verify=verify)
    """
    assert found(source, "TLS105") == [(2, 20)]
    assert fixed(source, "TLS105", unsafe=True) == (
        "import boto3\n\nfrom corp_tls import CA_BUNDLE\n\n\n"
        "def clients(verify=CA_BUNDLE):\n"
        '    return boto3.client("s3", verify=verify), boto3.resource("s3", verify=verify)\n')
    # TLS101 leaves boto3 to TLS105: one finding
    assert [code for _, _, code in findings(textwrap.dedent(source))] == ["TLS105"]


def test_star_import_resolves_only_when_it_is_the_last_one():
    assert found("from mylib import *\nfrom requests import *\nget(u, verify=False)\n",
                 "TLS101") == [(3, 8)]
    # a later star import of another module may define get()
    assert found("from requests import *\nfrom mylib import *\nget(u, verify=False)\n",
                 "TLS101") == []
    # a name the module binds itself is not the star import's
    assert found("from requests import *\ndef get(u, verify):\n    pass\nget(u, verify=False)\n",
                 "TLS101") == []


def test_parameter_default_stored_on_the_instance():
    source = """\
    import requests
    class Gate:
        def __init__(self, host, check=False, verify=False):
            self._check = check
            self.verify = verify
        def login(self, session):
            session.post(self.url, verify=self._check)
            return requests.get(self.url, verify=self._check)
        def other(self):
            return requests.get(self.url, verify=self.verify)
    """
    # once at the default stored as self._check; the default stored as self.verify is
    # TLS102's, at the default too
    assert findings(textwrap.dedent(source)) == [(3, 36, "TLS101"), (3, 50, "TLS102")]
    assert found(source.replace("check=False", "check=True"), "TLS101") == []
