"""Issue 27, coverage round 5, the `bundles` kind (TLS301): CA paths in connection URLs, the
option dicts of kombu, Celery, aio-pika and pymongo's encryption, copies of dicts, MySQL's
`ssl_ca` key; and the traps that stay quiet (a wrap of no socket, expected URLs), with exact
positions."""

import ast
import textwrap

import pytest
from helpers import findings

from corptls_lint.analysis import travel
from corptls_lint.analysis.scopes import module_scope
from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.rules.hardcoded_ca_bundle import HardcodedCABundle
from corptls_lint.running.fixer import fix_text
from corptls_lint.screens.candidates import FileFacts

TARGETS = FixTargets(Target.parse("corp_tls:CA_BUNDLE"), Target.parse("corp_tls:make_session"),
                     Target.parse("corp_tls:ssl_context()", "ssl-context"))


def found(source, code="TLS301"):
    return [(line, col) for line, col, got in findings(textwrap.dedent(source)) if got == code]


def fixed(source, unsafe=False):
    settings = Settings(enabled=("TLS301",), targets=TARGETS)
    return fix_text(textwrap.dedent(source), "example.py", settings, unsafe).text


# -- 1. a CA path in a connection URL ----------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    # a URL handed to a method no import explains (a CLI's connect_uri, a test helper)
    ("cli.connect_uri('postgres://u@h/db?sslmode=verify-full&sslrootcert=c%61.pem')\n",
     [(1, 17)]),
    # implicit concatenation: reported once, at its start
    ("dsn = ('postgresql://u@h/db'\n       '?sslrootcert=/etc/pg/root.crt')\n", [(1, 8)]),
    ("dsn = ('postgresql://u@h/db?sslrootcert=/etc/pg/root.crt' '&a=1'\n"
     "       'mongodb://h/?tlsCAFile=/ca.pem')\n", [(1, 8)]),
    # pymongo reads its URI options in any case; an f-string's unknown parts
    ("uri = 'mongodb://h/?tls=true&tlscafile=/etc/mongo/ca.pem'\n", [(1, 7)]),
    ("url = f'rediss://{host}:6380/0?ssl_ca_certs=/etc/redis/ca.pem'\n", [(1, 7)]),
    # the last option left open, completed with a fixed path: reported at the path
    ("import os\nCA = os.path.join(os.path.dirname(__file__), 'ca.pem')\n"
     "helper(dsn='postgresql://u@h/db' '?sslrootcert=' + CA, ssl=mode)\n", [(3, 52)]),
    ("url = 'amqps://h/vhost?cafile=' + '/etc/rabbitmq/ca.pem'\n", [(1, 35)]),
])
def test_ca_path_in_a_connection_url(source, expected):
    assert found(source) == expected


@pytest.mark.parametrize("source", [
    "conn = connect('postgresql://h/db?sslrootcert=system')\n",  # libpq's system store
    "conn = connect('postgresql://h/db?sslrootcert=')\n",
    "log.info('see postgresql://h/db?sslrootcert=/etc/ca.pem for the setup')\n",
    "conn = connect(f'postgresql://h/db?sslrootcert={ca_path}')\n",  # configured
    "conn = connect('postgresql://h/db?sslrootcert=' + ca_path)\n",
    "conn = connect('postgresql://h/db?sslcert=/etc/pg/client.crt')\n",  # not a CA option
    # expected values: a URL object in an assertion, a parametrized case read only there
    "from yarl import URL\nassert url == URL('amqps://h/?cafile=/ca.pem')\n",
    "import pytest\n@pytest.mark.parametrize('params, expected', [\n"
    "    pytest.param({}, 'mysql://h/db?ssl_ca=%2Fca.pem', id='ssl'),\n])\n"
    "def test_uri(params, expected):\n    assert get_uri(params) == expected\n",
])
def test_urls_without_a_fixed_ca_path_are_quiet(source):
    assert found(source) == []


def test_a_parametrized_url_the_test_connects_with_is_reported():
    source = ("import pytest\n@pytest.mark.parametrize('url', ['rediss://h?ssl_ca_certs=/ca.pem'])\n"
              "def test_connect(url):\n    connect(url)\n")
    assert found(source) == [(2, 34)]


def test_a_url_finding_has_no_fix():
    source = "conn = connect('postgresql://h/db?sslrootcert=/etc/pg/root.crt')\n"
    assert fixed(source, unsafe=True) == source


# -- 2. options dicts ------------------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("from kombu import Connection\n"
     "conn = Connection('amqps://', ssl={'ca_certs': '/etc/pki/ca.crt'})\n", [(2, 36)]),
    ("from celery import Celery\n"
     "app = Celery('t', broker_use_ssl={'ca_certs': 'certs/ca.pem'})\n", [(2, 35)]),
    # stored on the connection or the app
    ("def test_ssl(self):\n    self.client.ssl = {'keyfile': 'k', 'ca_certs': 'my_cacerts'}\n",
     [(2, 40)]),
    ("app.conf.broker_use_ssl = {'ca_certs': '/etc/ca.pem'}\n", [(1, 28)]),
    ("from aio_pika import connect\nconnect(url, ssl_options={'capath': '/etc/ssl/certs'})\n",
     [(2, 27)]),
    ("from pymongo.encryption import ClientEncryption\n"
     "ClientEncryption(kms, ns, client, opts, kms_tls_options={\n"
     "    'kmip': {'tlsCAFile': 'does-not-exist'}, 'aws': {}})\n", [(3, 14)]),
    # MySQL's key in any dict, when it looks like a file
    ("extra = {'client': 'mysql-connector-python', 'ssl_ca': '/path/to/ca'}\n", [(1, 46)]),
])
def test_options_dict_entries(source, expected):
    assert found(source) == expected


@pytest.mark.parametrize("copy", [
    "{k: opts[k] for k in opts}", "{k: v for k, v in opts.items()}", "dict(opts)",
    "opts.copy()", "copy.copy(opts)", "{k: opts[k] for k in opts.keys()}",
])
def test_a_copy_of_a_dict_holds_its_entries(copy):
    source = (f"import copy\nfrom kombu import Connection\nopts = {{'ca_certs': '/etc/ca.crt'}}\n"
              f"Connection('amqps://', ssl={copy})\n")
    assert found(source) == [(3, 9)]


@pytest.mark.parametrize("copy", [
    "{k: opts[k] for k in opts if k != 'ca_certs'}",  # filtered
    "{k: other[k] for k in opts}", "{k: CA for k in opts}",
])
def test_a_partial_or_other_comprehension_is_no_copy(copy):
    source = (f"from kombu import Connection\nopts = {{'ca_certs': '/etc/ca.crt'}}\n"
              f"Connection('amqps://', ssl={copy})\n")
    assert found(source) == []


@pytest.mark.parametrize("source", [
    "sslopt = {'ca_certs': '/does/not/exist'}\nwrap_sni_socket(sock, sslopt)\n",
    "self.ssl = {'ca_certs': CA_BUNDLE}\n",
    "extra = {'ssl_ca': 'ssl_ca'}\n",  # a table of option names
    "from aio_pika import connect\nconnect(url, ssl_options={'cafile': CA_BUNDLE})\n",
])
def test_options_dicts_without_a_fixed_path_are_quiet(source):
    assert found(source) == []


def test_options_dict_entries_fix_to_the_bundle():
    assert fixed("from aio_pika import connect\n"
                 "connect(url, ssl_options={'cafile': '/etc/ca.pem', 'capath': '/etc/certs'})\n"
                 ) == ("from aio_pika import connect\n\nfrom corp_tls import CA_BUNDLE\n\n"
                       "connect(url, ssl_options={'cafile': CA_BUNDLE, 'capath': '/etc/certs'})\n")


# -- 3. a wrap of no socket; a plain-HTTP pool still counts ----------------------------------
def test_a_plain_http_pool_is_reported():
    # a redirect to https:// follows with the same pool settings (the coverage sites judge
    # urllib3's own tests of this shape insecure)
    source = """\
        import urllib3
        def test_http(self):
            with urllib3.PoolManager(ca_certs="REQUIRED", ca_cert_dir="/nosuchdir") as http:
                r = http.request("GET", f"http://{self.host}:{self.port}/")
        """
    assert found(source) == [(3, 30), (3, 51)]


def test_a_wrap_of_no_socket_is_quiet():
    source = """\
        import pytest
        from urllib3.util.ssl_ import ssl_wrap_socket
        with pytest.raises(SSLError):
            ssl_wrap_socket(None, ca_certs="/tmp/fake-file")
        ssl_wrap_socket(sock, ca_certs="/tmp/fake-file")
        """
    assert found(source) == [(5, 23)]


# -- 4. the screen and the shared helpers ----------------------------------------------------
def test_the_screen_keeps_a_url_with_a_ca_option_and_drops_other_urls():
    def kept(source):
        return HardcodedCABundle in FileFacts(ast.parse(source)).screen([HardcodedCABundle])
    assert kept("x = go('postgresql://h/db?sslrootcert=/ca.pem')\n")
    assert kept("x = go('mongodb://h/?tlsCAFile=' + CA)\n")
    assert not kept("x = go('postgresql://h/db?sslmode=verify-full')\n")
    assert kept("x = go(f'rediss://{host}/0?ssl_ca_certs=/ca.pem')\n")
    assert not kept("x = 'see sslrootcert=/ca.pem'\n")  # not a URL


def test_parametrized_cases_give_each_parameter_its_values():
    import libcst as cst
    module = cst.parse_module(
        "import pytest\n@pytest.mark.parametrize('a, b', [(1, 2), pytest.param(3, 4, id='x')])\n"
        "@pytest.mark.parametrize('c', [5])\ndef test(a, b, c):\n    pass\n")
    function = module.body[1]
    cases = [(name, cst.Module([]).code_for_node(value))
             for name, value in travel.parametrized_cases(function, module_scope(module))]
    assert cases == [("a", "1"), ("b", "2"), ("a", "3"), ("b", "4"), ("c", "5")]
