"""Issue 27, coverage round 3: test data is not configuration (analysis/test_data.py). An
assertion's expected value, a value only read back in assertions, a mocked context's own
settings, and what a test expects to be rejected are not reported; the same values where
they configure a connection are. Exact (line, col, code) of each finding."""

import pytest
from helpers import findings

from corptls_lint.rules import ALL_RULES


def codes(source):
    return [f for f in findings(source) if f[2].startswith("TLS") and f[2] not in ("TLS000",)]


@pytest.mark.parametrize("source, expected", [
    # the expected side of an assert: data (arq's settings dict)
    ("import redis\n"
     "def test_settings():\n"
     "    assert as_dict(settings) == {'ssl_cert_reqs': 'none', 'port': 6379}\n", []),
    # a call in the assertion makes a request: reported
    ("import requests\n"
     "def test_get():\n"
     "    assert requests.get(URL, verify=False).ok\n",
     [(3, 30, "TLS101")]),
    # unittest's assertEqual: its arguments are data, short of a call
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_versions(self):\n"
     "        self.assertEqual(resolve('TLSv1'), [ssl.PROTOCOL_TLSv1])\n", []),
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_versions(self):\n"
     "        self.assertTrue(ssl.SSLContext(ssl.PROTOCOL_TLSv1))\n",
     [(4, 40, "TLS501")]),
    # a wrapper flag passed as a keyword to a mock's expected call: the keyword is data too
    # (airflow-druid's operator test); the same flag on the operator is reported
    ("from unittest.mock import patch\n"
     "from airflow.providers.apache.druid.operators.druid import DruidOperator\n"
     "@patch('airflow.providers.apache.druid.operators.druid.DruidHook')\n"
     "def test_hook(hook):\n"
     "    verify_ssl = False\n"
     "    DruidOperator(task_id='t', verify_ssl=verify_ssl)\n"
     "    hook.assert_called_once_with(timeout=5, verify_ssl=verify_ssl)\n"
     "    hook.assert_called_with(verify_ssl=False)\n",
     [(6, 32, "TLS105")]),
    # an options object built right before a block that expects it rejected is part of
    # that configuration (pymongo's kms_tls_options test); before a refused connection,
    # or not handed to the rejected call, it is set-up and stays reported
    ("import pymongo\n"
     "from pymongo.encryption_options import AutoEncryptionOpts\n"
     "def test_missing_ca(self):\n"
     "    opts = AutoEncryptionOpts({}, 'k.d', kms_tls_options={'kmip': {'tlsCAFile': '/no/ca.pem'}})\n"
     "    with self.assertRaises(FileNotFoundError):\n"
     "        pymongo.MongoClient(auto_encryption_opts=opts)\n"
     "    opts = AutoEncryptionOpts({}, 'k.d', kms_tls_options={'kmip': {'tlsCAFile': '/ca.pem'}})\n"
     "    with self.assertRaises(ssl.SSLError):\n"
     "        pymongo.MongoClient(auto_encryption_opts=opts)\n"
     "    other = AutoEncryptionOpts({}, 'k.d', kms_tls_options={'kmip': {'tlsCAFile': '/c.pem'}})\n"
     "    with self.assertRaises(FileNotFoundError):\n"
     "        pymongo.MongoClient(auto_encryption_opts=opts)\n",
     [(7, 68, "TLS301"), (10, 69, "TLS301")]),
    # a mock's expected calls are data, as a dict(...) there is
    ("from unittest.mock import call\n"
     "def test_calls(connect):\n"
     "    assert connect.call_args == call(host, ssl_cert_reqs='none')\n"
     "    assert connect.call_args == dict(host=host, tlsAllowInvalidCertificates=True)\n", []),
    # another call in the assertion is an action: reported
    ("def test_calls(connect):\n"
     "    assert connect(host, ssl_cert_reqs='none').ping()\n",
     [(2, 26, "TLS105")]),
    # a dict bound to a name the test only compares (pymongo's expanded tlsInsecure)
    ("import pymongo\n"
     "class T(TestCase):\n"
     "    def test_expand(self):\n"
     "        res = {'tlsAllowInvalidCertificates': True}\n"
     "        self.assertEqual(res, parse_uri(URI)['options'])\n", []),
    # the same dict handed to a client: reported
    ("import pymongo\n"
     "class T(TestCase):\n"
     "    def test_expand(self):\n"
     "        res = {'tlsAllowInvalidCertificates': True}\n"
     "        client = pymongo.MongoClient(**res)\n"
     "        self.assertEqual(res, client.options)\n",
     [(4, 16, "TLS105")]),
])
def test_expected_values(source, expected):
    assert codes(source) == expected


@pytest.mark.parametrize("source, expected", [
    # a setter test: the context is only read back in assertions
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_set(self):\n"
     "        ctx = make_context()\n"
     "        ctx.check_hostname = False\n"
     "        self.assertFalse(ctx.check_hostname)\n", []),
    # the same context then used: reported
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_set(self):\n"
     "        ctx = ssl.create_default_context()\n"
     "        ctx.check_hostname = False\n"
     "        self.assertFalse(ctx.check_hostname)\n"
     "        ctx.wrap_socket(sock)\n",
     [(5, 9, "TLS103")]),
    # a response read in assertions is no data: the request was made (a call)
    ("import requests\n"
     "def test_get():\n"
     "    r = requests.get(URL, verify=False)\n"
     "    assert r.status_code == 200\n",
     [(3, 27, "TLS101")]),
    # a mocked context's own settings
    ("from unittest import mock\n"
     "import ssl\n"
     "def test_mocked():\n"
     "    context = mock.MagicMock()\n"
     "    context.verify_mode = ssl.CERT_NONE\n"
     "    opts._ssl_context = context\n", []),
    # a mock that carries options to real code is no context: reported
    ("from unittest import mock\n"
     "def test_mocked():\n"
     "    opts = mock.Mock()\n"
     "    opts.ssl_verify = False\n"
     "    connector = Connector(opts)\n"
     "    requests.get(URL, verify=opts.ssl_verify)\n",
     [(4, 5, "TLS105")]),
])
def test_values_read_back_and_mocks(source, expected):
    assert codes(source) == expected


@pytest.mark.parametrize("source, expected", [
    # the last statement of a block that expects a configuration error
    ("import pytest, requests\n"
     "def test_bad_bundle():\n"
     "    with pytest.raises(IOError):\n"
     "        requests.get(URL, verify='/garbage')\n", []),
    ("import pymongo\n"
     "class T(TestCase):\n"
     "    def test_conflict(self):\n"
     "        with self.assertRaises(InvalidURI):\n"
     "            pymongo.MongoClient('mongodb://h/?tlsInsecure=true',\n"
     "                                tlsAllowInvalidHostnames=True)\n", []),
    # the set-up before it runs: reported
    ("import pytest, ssl\n"
     "def test_bad_bundle():\n"
     "    with pytest.raises(IOError):\n"
     "        ctx = ssl.create_default_context(cafile='/etc/ca.pem')\n"
     "        ctx.load_verify_locations(cafile='/path/to/nowhere')\n",
     [(4, 42, "TLS301")]),
    # an expected SSL or connection error: a connection was made, reported
    ("import pytest, requests\n"
     "def test_timeout():\n"
     "    with pytest.raises(requests.exceptions.ConnectionError):\n"
     "        requests.get(URL, verify=False)\n",
     [(4, 27, "TLS101")]),
    # the callable form
    ("import pytest, requests\n"
     "def test_bad_bundle():\n"
     "    pytest.raises(ValueError, requests.get, URL, verify=False)\n", []),
    # the callable form expecting an SSLError: a weak protocol refused (TLS501's own case)
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_refused(self):\n"
     "        self.assertRaises(ssl.SSLError, ssl.SSLContext, ssl.PROTOCOL_TLSv1)\n", []),
    # a connection expected to fail: a weak protocol refused is the point (TLS501 quiet),
    # a certificate check switched off is not (thrift's helpers; pytest.raises(SSLError))
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_old(self):\n"
     "        self._assert_connection_failure(server, ssl_version=ssl.PROTOCOL_SSLv3)\n"
     "        self._assert_connection_success(server, ssl_version=ssl.PROTOCOL_TLSv1_1)\n",
     [(5, 61, "TLS501")]),
    ("import pytest, ssl\n"
     "def test_refused():\n"
     "    with pytest.raises(ssl.SSLError):\n"
     "        ssl.SSLContext(ssl.PROTOCOL_TLSv1).wrap_socket(sock)\n"
     "    with pytest.raises(ssl.SSLError):\n"
     "        requests.get(URL, verify=False)\n",
     [(4, 9, "TLS107"), (6, 27, "TLS101")]),
    ("import ssl\n"
     "class T(TestCase):\n"
     "    def test_client_cert_missing(self):\n"
     "        ctx = ssl.create_default_context()\n"
     "        ctx.check_hostname = False\n"
     "        self._assert_connection_failure(server, ssl_context=ctx)\n",
     [(5, 9, "TLS103")]),
])
def test_rejected_configurations(source, expected):
    assert codes(source) == expected


def test_every_rule_page_says_so():
    for rule in ALL_RULES:
        page = rule.documentation()
        assert ("Test data is not reported" in page) == rule.quiet_in_test_data
        assert ("A connection a test expects to fail" in page) == (
            rule.quiet_in_refused_connections)
    assert [rule.code for rule in ALL_RULES if rule.quiet_in_refused_connections] == ["TLS501"]


@pytest.mark.parametrize("source, expected", [
    # async tests: the block and the assertions are the same shapes
    ("import pytest, aiohttp\n"
     "async def test_bad_bundle():\n"
     "    async with aiohttp.ClientSession() as s:\n"
     "        with pytest.raises(FileNotFoundError):\n"
     "            ssl.create_default_context(cafile='/no/such/ca.pem')\n", []),
    # a module-level expected table is not followed through its name (other modules read it)
    ("EXPECTED = {'ssl_cert_reqs': 'none'}\n"
     "def test_mode():\n"
     "    assert parse(URL) == EXPECTED\n",
     [(1, 13, "TLS105")]),
    # a name read outside the assertions too: reported
    ("def test_settings():\n"
     "    opts = {'ssl_cert_reqs': 'none'}\n"
     "    assert parse(URL) == opts\n"
     "    redis.Redis(**opts)\n",
     [(2, 13, "TLS105")]),
])
def test_edges(source, expected):
    assert codes(source) == expected
