"""Name resolution through imports, aliases, scopes and bound-once values, per SPEC §1."""

import textwrap

import pytest
from helpers import findings


def check(source, expected):
    assert findings(textwrap.dedent(source)) == expected


CASES = {
    "module alias": ("""
        import requests as r
        r.get(u, verify=False)
        """, [(3, 10, "TLS101")]),
    "from import alias": ("""
        from requests import get as fetch, Session
        fetch(u, verify=False)
        """, [(3, 10, "TLS101")]),
    "requests.api dotted import": ("""
        import requests.api
        requests.api.post(u, verify=False)
        """, [(3, 22, "TLS101")]),
    "httpx module and constructor": ("""
        import httpx
        httpx.get(u, verify=False)
        c = httpx.AsyncClient(verify=False)
        """, [(3, 14, "TLS101"), (4, 23, "TLS101")]),
    "import inside function": ("""
        def f():
            import requests as q
            q.put(u, verify=0)
        """, [(4, 14, "TLS101")]),
    "import below use at module level": ("""
        def f():
            rq.get(u, verify=False)
        import requests as rq
        """, [(3, 15, "TLS101")]),
    "nested functions and closures": ("""
        import requests
        OFF = False
        def outer():
            def inner():
                return requests.get(u, verify=OFF)
            return inner
        """, [(6, 32, "TLS101")]),
    "class attribute constant is not visible in methods": ("""
        import requests
        class A:
            OFF = False
            def m(self):
                return requests.get(u, verify=OFF)
        """, []),
    "local shadowing a module constant": ("""
        import requests
        V = False
        def f(V=True):
            return requests.get(u, verify=V)
        """, []),
    "name bound twice is not a constant": ("""
        import requests
        V = False
        if debug:
            V = True
        requests.get(u, verify=V)
        """, []),
    "receiver shadowed by a local object is unresolved": ("""
        import requests
        def f(requests):
            return requests.get(u, verify=False)
        """, [(4, 28, "TLS101")]),
    "unknown module verb is not HTTP": ("""
        import cache
        cache.get(key, verify=False)
        """, []),
    "multi-line call": ("""
        import requests

        response = requests.request(
            "GET",
            url,
            headers=h,
            verify=False,  # TODO
        )
        """, [(8, 5, "TLS101")]),
    "text in comments and strings is never reported": ('''
        """requests.get(u, verify=False)"""
        # requests.get(u, verify=False)
        x = "verify=False"
        ''', []),
    "verify from settings or environment": ("""
        import os, requests, certifi, truststore
        requests.get(u, verify=settings.CA_BUNDLE)
        requests.get(u, verify=os.environ["REQUESTS_CA_BUNDLE"])
        requests.get(u, verify=certifi.where())
        requests.get(u, verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
        """, []),
    "session methods after construction": ("""
        import requests
        s = requests.Session()
        s.verify = CA
        s.get(u, verify=False)
        s.verify = False
        """, [(5, 10, "TLS101"), (6, 1, "TLS102")]),
    "urllib3 through requests.packages": ("""
        from requests.packages import urllib3
        urllib3.disable_warnings()
        pool = urllib3.PoolManager(cert_reqs="CERT_NONE", ca_certs="/etc/ca.pem")
        """, [(3, 1, "TLS201"), (4, 28, "TLS103"), (4, 51, "TLS301")]),
    "ssl module alias": ("""
        import ssl as s
        ctx = s._create_unverified_context()
        s._create_default_https_context = s._create_unverified_context
        """, [(3, 7, "TLS103"), (4, 1, "TLS103")]),
    "match and type statements (3.10, 3.12 syntax)": ("""
        import requests
        type Url = str
        def f[T](x: T) -> T:
            match x:
                case {"insecure": True}:
                    return requests.get(u, verify=False)
        """, [(7, 36, "TLS101")]),
    # the names a sequence or class pattern binds count: VERIFY is bound twice, not reported
    "sequence and class patterns bind names": ("""
        import requests
        VERIFY = False
        match x:
            case [VERIFY, *rest] | Point(VERIFY, y=rest):
                pass
        requests.get(u, verify=VERIFY)
        requests.get(u, verify=False)
        """, [(8, 17, "TLS101")]),
    "session configured in another method of the class": ("""
        import httpx
        class Api:
            def __init__(self):
                self.client = httpx.Client()
            def configure(self, ca):
                self.client.verify = ca
        class Other:
            def __init__(self):
                self.client = httpx.Client()
        """, [(10, 23, "TLS401")]),
    "walrus and lambda do not break scopes": ("""
        import requests
        fetch = lambda u: requests.get(u, verify=False)
        if (s := requests.Session()):
            pass
        """, [(3, 35, "TLS101"), (4, 10, "TLS401")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_resolution(name):
    source, expected = CASES[name]
    check(source, expected)


def test_default_trust_request_only_when_selected():
    source = "import requests\nrequests.get(u)\n"
    assert findings(source, codes=("TLS101",)) == []
    assert findings(source, codes=("TLS402",)) == [(2, 1, "TLS402")]
