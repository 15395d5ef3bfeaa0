"""Issue 27, coverage round 4: values that travel into HTTP wrappers' options dicts and from
a test's parametrization, CA bundle paths that travel or are built from fixed parts, and
the traps that must stay quiet; exact positions."""

import textwrap

import pytest
from helpers import findings

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings


def found(source, code):
    return [(line, col) for line, col, got in findings(textwrap.dedent(source)) if got == code]


def messages(source, code):
    result = lint_source(textwrap.dedent(source), "example.py", Settings(enabled=(code,)))
    return [d.message for d in result.diagnostics]


# -- 1. HTTP wrappers' options dicts with a `verify` entry (TLS105) ---------------------------
@pytest.mark.parametrize("source, expected", [
    # an Airflow connection's extras (the HTTP, WebHDFS and Vault hooks read `verify`)
    ("from airflow.models.connection import Connection\n"
     "c = Connection(host='h', port=1, extra={'use_ssl': 'True', 'verify': False})\n",
     [(2, 60)]),
    # the HTTP hook's per-request options, on an unresolved receiver's run()
    ("def test(self):\n    self.hook.run('/x', extra_options={'verify': False})\n", [(2, 40)]),
    ("from airflow.providers.http.hooks.http import HttpHook\n"
     "opts = {'verify': False}\n"
     "HttpHook(method='GET').run('/x', extra_options=opts)\n", [(2, 9)]),
    # python-telegram-bot's httpx client arguments
    ("from telegram.request import HTTPXRequest\n"
     "HTTPXRequest(httpx_kwargs={'http1': True, 'verify': False})\n", [(2, 43)]),
])
def test_wrapper_option_dicts(source, expected):
    assert found(source, "TLS105") == expected


def test_wrapper_option_dict_names_the_client():
    source = ("from airflow.models import Connection\n"
              "Connection(extra={'verify': False})\n")
    assert messages(source, "TLS105") == [
        "TLS verification disabled by Airflow's extra entry verify; give the client the CA "
        "bundle instead"]


@pytest.mark.parametrize("source", [
    "from airflow.models import Connection\nConnection(extra={'verify': True})\n",
    "from airflow.models import Connection\nConnection(extra={'verify': CA})\n",
    # another call's `extra=` (not a connection), a `run()` without extra_options
    "record(extra={'verify': False})\n",
    "def t(self):\n    self.hook.run('/x', data={'verify': False})\n",
])
def test_wrapper_option_dict_traps(source):
    assert found(source, "TLS105") == []


# -- 2. a test's parametrization flowing into an options dict (TLS105) -------------------------
def test_parametrized_rows_reach_the_options_dict():
    source = """\
        import pytest
        from airflow.providers.http.operators.http import HttpOperator

        @pytest.mark.parametrize(
            ("data", "extra_options", "more"),
            [
                ({"data": 1}, {"verify": False}, {"verify": True}),
                ("data", {"verify": False}, None),
                pytest.param("x", {"verify": False}, 3, id="param"),
            ],
        )
        def test_pagination(data, extra_options, more):
            HttpOperator(task_id="t", data=data, extra_options=extra_options)
        """
    assert found(source, "TLS105") == [(7, 24), (8, 19), (9, 28)]


@pytest.mark.parametrize("source", [
    # the secure rows only
    "import pytest\nfrom airflow.providers.http.operators.http import HttpOperator\n"
    "@pytest.mark.parametrize('opts', [{'verify': True}])\n"
    "def test(opts):\n    HttpOperator(task_id='t', extra_options=opts)\n",
    # another parameter's rows: `other` is not handed to the operator
    "import pytest\nfrom airflow.providers.http.operators.http import HttpOperator\n"
    "@pytest.mark.parametrize('other, opts', [({'verify': False}, {})])\n"
    "def test(other, opts):\n    HttpOperator(task_id='t', extra_options=opts)\n",
    # not pytest's decorator
    "from airflow.providers.http.operators.http import HttpOperator\n"
    "@parametrize('opts', [{'verify': False}])\n"
    "def test(opts):\n    HttpOperator(task_id='t', extra_options=opts)\n",
    # a starred row: the places are unknown
    "import pytest\nfrom airflow.providers.http.operators.http import HttpOperator\n"
    "@pytest.mark.parametrize('a, opts', [(*ROW, {'verify': True})])\n"
    "def test(a, opts):\n    HttpOperator(task_id='t', extra_options=opts)\n",
])
def test_parametrized_traps(source):
    assert found(source, "TLS105") == []


# -- 3. CA bundle paths built from fixed parts (TLS301) -------------------------------------
@pytest.mark.parametrize("source, expected", [
    # in the call: an f-string of the module's folder, a join, pathlib
    ("import os, ssl\n"
     "ctx = ssl.create_default_context(cafile=f'{os.path.dirname(__file__)}/server.pem')\n",
     [(2, 34)]),
    ("from influxdb_client import InfluxDBClient\nimport os\n"
     "c = InfluxDBClient(url, token=t, ssl_ca_cert=os.path.join(os.path.dirname(__file__), "
     "'server.pem'))\n", [(3, 34)]),
    ("import ssl\nfrom pathlib import Path\n"
     "ctx = ssl.create_default_context(cafile=str(Path(__file__).parent / 'ca.pem'))\n",
     [(3, 34)]),
    # through names: reported where the path is built (the last name, which holds it)
    ("import os, ssl\n"
     "def server():\n"
     "    ssl_directory = os.path.join(os.path.dirname(__file__), 'ssl_resources', 'ssl')\n"
     "    ca_file = os.path.join(ssl_directory, 'ca.pem')\n"
     "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
     "    ctx.load_verify_locations(cafile=ca_file)\n", [(4, 15)]),
])
def test_fixed_built_paths(source, expected):
    assert found(source, "TLS301") == expected


def test_built_path_through_a_name_names_the_call():
    source = ("import os, ssl\nCA = os.path.join(os.path.dirname(__file__), 'ca.pem')\n"
              "def f(ctx):\n    ctx.load_verify_locations(CA)\n")
    assert messages(source, "TLS301") == [
        "hardcoded CA bundle path built here reaches ctx.load_verify_locations(); use the "
        "configured CA bundle"]


@pytest.mark.parametrize("source", [
    # a part from elsewhere: a fixture's folder, a parameter, the environment
    "import os, ssl\ndef t(ssl_kafka):\n"
    "    ssl.create_default_context(cafile=os.path.join(ssl_kafka.ssl_dir, 'ca-cert'))\n",
    "import os, ssl\ndef t(base):\n    ca = os.path.join(base, 'ca.pem')\n"
    "    ssl.create_default_context(cafile=ca)\n",
    "import os, ssl\nssl.create_default_context(cafile=os.path.join(os.environ['HOME'], 'ca'))\n",
    # a join that is not a path: a server's context
    "import os, ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_verify_locations(os.path.join(os.path.dirname(__file__), 'clients.pem'))\n",
])
def test_built_path_traps(source):
    assert found(source, "TLS301") == []


# -- 4. CA bundle paths in `**` dicts and the dicts of a loop (TLS301) -----------------------
@pytest.mark.parametrize("source, expected", [
    ("import urllib3\nssl_kw = {'key_file': k, 'ca_certs': '/root/path_to_pem'}\n"
     "p = urllib3.PoolManager(5, **ssl_kw)\n", [(2, 26)]),
    ("import urllib3\nkw = {}\nkw['ca_cert_dir'] = '/etc/ssl/certs'\n"
     "urllib3.PoolManager(**kw)\n", [(3, 1)]),
    ("from urllib3 import HTTPSConnectionPool\n"
     "def t(self, context):\n"
     "    for kwargs in [\n"
     "        {'ca_certs': '/a'},\n"
     "        {'ca_cert_dir': '/a'},\n"
     "        {'ca_certs': 'a', 'ca_cert_dir': 'a'},\n"
     "        {'ssl_context': context},\n"
     "    ]:\n"
     "        with HTTPSConnectionPool(self.host, self.port, **kwargs) as pool:\n"
     "            pool.request('GET', '/')\n",
     [(4, 10), (5, 10), (6, 10), (6, 27)]),
    # a table's client: redis-py's keyword in a `**` dict
    ("import redis\nopts = {'ssl': True, 'ssl_ca_certs': '/etc/redis/ca.pem'}\n"
     "r = redis.Redis(host, **opts)\n", [(2, 22)]),
    ("import requests\nrequests.get(url, **{'verify': '/etc/ssl/corp.pem'})\n", [(2, 22)]),
])
def test_splatted_bundles(source, expected):
    assert found(source, "TLS301") == expected


@pytest.mark.parametrize("source", [
    "import urllib3\nfor kw in [{'ca_certs': CA}, {'ssl_context': ctx}]:\n"
    "    urllib3.PoolManager(**kw)\n",
    # the loop's dicts go to a call that takes no bundle
    "for kw in [{'ca_certs': '/a'}]:\n    record(**kw)\n",
    # the loop variable is not what is passed
    "import urllib3\nfor kw in [{'ca_certs': '/a'}]:\n    urllib3.PoolManager(**other)\n",
])
def test_splatted_bundle_traps(source):
    assert found(source, "TLS301") == []


# -- 5. a test expecting a missing file (TLS301) ---------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import pytest, ssl\nwith pytest.raises(IOError):\n"
     "    ssl.create_default_context(cafile='/nowhere')\n", []),
    ("import ssl, unittest\nclass T(unittest.TestCase):\n    def test(self):\n"
     "        with self.assertRaises((ValueError, FileNotFoundError)):\n"
     "            ssl.create_default_context(cafile='/nowhere')\n", []),
    # wrong arguments rejected
    ("import etcd3, pytest\nwith pytest.raises(ValueError):\n"
     "    etcd3.client(ca_cert='tests/ca.crt', cert_key='k', cert_cert=None)\n", []),
    # an SSLError: the right CA, an expired certificate; the path still pins the trust
    ("import pytest, requests\nwith pytest.raises(requests.exceptions.SSLError):\n"
     "    requests.get(url, verify='tests/certs/expired/ca/ca.crt')\n", [(3, 23)]),
    # after the block
    ("import pytest, ssl\nwith pytest.raises(OSError):\n    pass\n"
     "ssl.create_default_context(cafile='/etc/ca.pem')\n", [(4, 28)]),
])
def test_expected_missing_file(source, expected):
    assert found(source, "TLS301") == expected


# -- 6. the tables: wrappers that hand verify= or a bundle to their client --------------------
@pytest.mark.parametrize("source, code, expected", [
    ("from airflow.providers.hashicorp._internal_client.vault_client import _VaultClient\n"
     "c = _VaultClient(auth_type='token', url=u, verify=False)\n", "TLS101", [(2, 44)]),
    ("from airflow.providers.hashicorp._internal_client.vault_client import _VaultClient\n"
     "c = _VaultClient(auth_type='token', url=u, verify='/etc/ssl/ca.pem')\n", "TLS301",
     [(2, 44)]),
    # pyArango's connection, its verify a class attribute's default (celery's backend)
    ("from pyArango import connection\n"
     "class Backend:\n"
     "    verify = False\n"
     "    def connect(self):\n"
     "        return connection.Connection(arangoURL=u, verify=self.verify)\n",
     "TLS101", [(3, 14)]),
    ("from faust.auth import SSLCredentials\nc = SSLCredentials(cafile='/ca', capath='/d/')\n",
     "TLS301", [(2, 20), (2, 34)]),
    ("from prefect_redis.connection import redis_from_url\n"
     "c = redis_from_url('rediss://h', ssl_ca_certs='/etc/ca.pem')\n", "TLS301", [(2, 34)]),
    ("from urllib3.util import ssl_\nssl_.ssl_wrap_socket(sock, ca_certs='/tmp/ca')\n",
     "TLS301", [(2, 28)]),
    # etcd3's `ca_cert` (its module the trigger word: `client` is too common)
    ("import etcd3\nc = etcd3.client(\n    ca_cert='tests/ca.crt',\n    cert_key=None)\n",
     "TLS301", [(3, 5)]),
    ("import etcd3\nc = etcd3.client(ca_cert=CA)\n", "TLS301", []),
    # Airflow's Docker hook builds docker's TLSConfig; the keywords in a `**` dict
    ("from airflow.providers.docker.hooks.docker import DockerHook\n"
     "def test(v):\n"
     "    tls_params = {'ca_cert': 'test-ca', 'client_cert': 'c', 'client_key': 'k'}\n"
     "    if v is not None:\n"
     "        tls_params['ssl_version'] = v\n"
     "    DockerHook.construct_tls_config(**tls_params)\n", "TLS301", [(3, 19)]),
])
def test_wrapper_tables(source, code, expected):
    assert found(source, code) == expected


# -- 7. PyMISP's flag by position, travelling (TLS105) ---------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("from pymisp import PyMISP\nPyMISP(url, key, False)\n", [(2, 18)]),
    ("from pymisp import ExpandedPyMISP\nm = ExpandedPyMISP(url, key, 0, debug=True)\n",
     [(2, 30)]),
    # bound on both branches of a try at module level, passed in a method
    ("from pymisp import PyMISP\n"
     "try:\n    from keys import url, key\n    verifycert = False\n"
     "except ImportError:\n    url = 'https://misp'\n    verifycert = False\n"
     "class T:\n    def setUp(cls):\n        cls.misp = PyMISP(url, key, verifycert)\n",
     [(4, 18), (7, 18)]),
])
def test_pymisp_by_position(source, expected):
    assert found(source, "TLS105") == expected


@pytest.mark.parametrize("source", [
    "from pymisp import PyMISP\nPyMISP(url, key, True, False)\n",
    "from pymisp import PyMISP\nPyMISP(url, key)\n",
    # a name bound to a secure value; another library's third argument
    "from pymisp import PyMISP\nverifycert = True\nPyMISP(url, key, verifycert)\n",
    "from other import Client\nClient(url, key, False)\n",
])
def test_pymisp_by_position_traps(source):
    assert found(source, "TLS105") == []


# -- 8. an options dict by position, built over several statements (TLS105) -------------------
def test_options_dict_item_stores_by_position():
    source = """\
        import copy
        from openstack.config import cloud_region

        def test_verify(self):
            config_dict = copy.deepcopy(fake_config_dict)
            config_dict['cacert'] = None
            config_dict['verify'] = False
            cc = cloud_region.CloudRegion("test1", "region-xx", config_dict)
            config_dict['verify'] = True
            cc = cloud_region.CloudRegion("test1", "region-xx", config=config_dict)
        """
    assert found(source, "TLS105") == [(7, 5)]


@pytest.mark.parametrize("source", [
    # stored into another dict; a fourth argument that is not the config
    "from openstack.config import cloud_region\nother = {}\nother['verify'] = False\n"
    "cloud_region.CloudRegion('c', 'r', config)\n",
    "from openstack.config import cloud_region\nflags = {}\nflags['verify'] = False\n"
    "cloud_region.CloudRegion('c', 'r', config, flags)\n",
])
def test_options_dict_item_store_traps(source):
    assert found(source, "TLS105") == []


# -- 9. stripe's switch (TLS105) --------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import stripe\nstripe.StripeClient(api_key='k', verify_ssl_certs=False)\n", [(2, 34)]),
    ("from stripe import StripeClient\nStripeClient('k', verify_ssl_certs=0)\n", [(2, 19)]),
    ("import stripe\nstripe.StripeClient(api_key='k', verify_ssl_certs=True)\n", []),
    ("import other\nother.Client(verify_ssl_certs=False)\n", []),
])
def test_stripe(source, expected):
    assert found(source, "TLS105") == expected


# -- 10. the dicts of a loop, for verify= too (TLS101) ----------------------------------------
def test_loop_dicts_reach_verify():
    source = """\
        import requests

        def check(url):
            for kwargs in ({"timeout": 5}, {"verify": False, "timeout": 5}):
                requests.get(url, **kwargs)
        """
    assert found(source, "TLS101") == [(4, 37)]
    assert messages(source, "TLS101") == [
        "verify=False written here reaches requests.get(); pass the CA bundle instead"]


@pytest.mark.parametrize("source", [
    # the loop's dicts are secure; the loop takes another name
    "import requests\nfor kw in [{'verify': True}]:\n    requests.get(url, **kw)\n",
    "import requests\nfor other in [{'verify': False}]:\n    requests.get(url, **kw)\n",
    # a loop in another function does not bind this name
    "import requests\ndef a():\n    for kw in [{'verify': False}]:\n        pass\n"
    "def b(kw):\n    requests.get(url, **kw)\n",
])
def test_loop_dict_traps(source):
    assert found(source, "TLS101") == []


# -- 11. an options dict written as JSON text (TLS105) ----------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import json\nfrom airflow.models import Connection\n"
     "c = Connection(conn_id='c', extra=json.dumps({'secure': True, 'verify': False}))\n",
     [(3, 63)]),
    ("import json\nfrom airflow.models import Connection\n"
     "EXTRA = json.dumps({'verify': False})\n"
     "def test():\n    Connection(conn_id='c', extra=EXTRA)\n", [(3, 21)]),
    ("import json\nfrom airflow.models import Connection\n"
     "Connection(extra=json.dumps({'verify': True}))\n", []),
    # another function's dumps
    ("from airflow.models import Connection\nConnection(extra=dumps({'verify': False}))\n", []),
])
def test_json_dumped_extras(source, expected):
    assert found(source, "TLS105") == expected
