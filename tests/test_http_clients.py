"""Issue 27's HTTP and TLS clients: requests-compatible libraries (TLS101, TLS301), other
clients' bundle parameters (TLS301) and switches (TLS105), as exact findings and fixes."""

import textwrap

import pytest
from helpers import findings

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.running.fixer import fix_text

TARGETS = FixTargets(Target.parse("corp_tls:CA_BUNDLE"), Target.parse("corp_tls:make_session"),
                     Target.parse("corp_tls:ssl_context()", "ssl-context"))
CODES = ("TLS101", "TLS102", "TLS103", "TLS105", "TLS301", "TLS401")


def found(source, codes=CODES):
    return findings(textwrap.dedent(source), codes)


def fixed(source, codes=CODES, unsafe=False):
    return fix_text(textwrap.dedent(source), "example.py",
                    Settings(enabled=tuple(codes), targets=TARGETS), unsafe).text


# -- requests-compatible clients: TLS101 and TLS301 as for requests ---------------------------
@pytest.mark.parametrize("source, expected", [
    ("import curl_cffi.requests as creq\ncreq.post(url, verify=False)\n", [(2, 16, "TLS101")]),
    ("import curl_cffi\ncurl_cffi.requests.request('GET', url, verify=0)\n",
     [(2, 40, "TLS101")]),
    ("from curl_cffi import Session as S\ns = S(impersonate='chrome', verify=False)\n",
     [(2, 29, "TLS101")]),
    ("import curl_cffi\ns = curl_cffi.requests.Session()\ns.verify = False\n",
     [(3, 1, "TLS102")]),
    ("from niquests import aget\nasync def f(u):\n    return await aget(u, verify=False)\n",
     [(3, 26, "TLS101")]),
    ("import niquests as nq\nwith nq.Session(verify='/etc/ssl/corp.pem') as s:\n    s.get(u)\n",
     [(2, 17, "TLS301")]),
    ("from requests_html import AsyncHTMLSession\nasession = AsyncHTMLSession(verify=False)\n",
     [(2, 29, "TLS101")]),
    ("import grequests\nrs = (grequests.get(u, verify='/etc/ssl/corp.pem') for u in urls)\n",
     [(2, 24, "TLS301")]),
    # cloudscraper and requests-futures: their requests are verb methods of a session
    ("import cloudscraper\nscraper = cloudscraper.create_scraper()\n"
     "scraper.get(url, verify=False)\n", [(3, 18, "TLS101")]),
    ("from requests_futures.sessions import FuturesSession\nsession = FuturesSession()\n"
     "future = session.get(url, verify=False)\n", [(3, 27, "TLS101")]),
])
def test_requests_compatible_clients_are_read_as_requests(source, expected):
    assert found(source) == expected


def test_a_multi_line_call_and_a_value_bound_first():
    source = """\
        from curl_cffi import requests as cr
        VERIFY = False
        CA = '/etc/pki/' 'corp.pem'
        r = cr.get(
            url,
            impersonate='chrome110',
            verify=VERIFY,
        )
        s = cr.AsyncSession(
            verify=CA)
        """
    assert found(source) == [(7, 5, "TLS101"), (10, 5, "TLS301")]


@pytest.mark.parametrize("source", [
    "import curl_cffi\ncurl_cffi.requests.get(url, verify=True)\n",
    "import curl_cffi\ncurl_cffi.requests.get(url, verify=CA_BUNDLE)\n",
    "import grequests\ngrequests.map(reqs, verify=False)\n",  # not a request
    "import mylib\nmylib.Session(verify=False)\n",  # no import says what it is
    "from curl_cffi import CurlOpt\nc.setopt(CurlOpt.SSL_VERIFYPEER, 1)\n",
    "import niquests\nniquests.get(url, verify=None)\n",
    "import jwt\njwt.decode(token, verify=False)\n",
])
def test_look_alikes_of_the_requests_compatible_clients_are_not_reported(source):
    assert found(source) == []


def test_the_session_policy_leaves_other_libraries_sessions_alone():
    # the factory returns a requests.Session: it cannot stand in for curl_cffi's or niquests'
    source = ("import requests, niquests\nfrom curl_cffi import requests as cr\n"
              "a = requests.Session()\nb = cr.Session()\nc = niquests.Session()\n")
    result = lint_source(source, "example.py", Settings(enabled=("TLS401",), targets=TARGETS))
    assert [(d.line, d.col, d.code) for d in result.diagnostics] == [(3, 5, "TLS401")]


def test_requests_compatible_fixes_write_the_bundle():
    assert fixed("""\
        from curl_cffi import requests as cr
        cr.get(url, verify=False)
        s = cr.Session(verify='/etc/ssl/corp.pem')
        """) == textwrap.dedent("""\
        from curl_cffi import requests as cr

        from corp_tls import CA_BUNDLE

        cr.get(url, verify=CA_BUNDLE)
        s = cr.Session(verify=CA_BUNDLE)
        """)


# -- TLS301: other clients' bundle parameters, from the tables --------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import boto3\nsession = boto3.session.Session()\n"
     "s3 = session.client('s3', verify='/etc/pki/corp.pem')\n", [(3, 27, "TLS301")]),
    ("from boto3 import resource\ns3 = resource('s3', verify='/etc/pki/corp.pem')\n",
     [(2, 21, "TLS301")]),
    ("from keystoneauth1 import session as ks\nsess = ks.Session(auth=a, verify='/etc/ca.pem')\n",
     [(2, 27, "TLS301")]),
    ("from tornado.httpclient import HTTPRequest\nHTTPRequest(u, ca_certs='/etc/ca.pem')\n",
     [(2, 16, "TLS301")]),
    ("from tornado import httpclient\n"
     "httpclient.AsyncHTTPClient(defaults={'ca_certs': '/ca.pem'})\n",
     [(2, 38, "TLS301")]),
    ("import httplib2\nh = httplib2.Http(ca_certs='/etc/ca.pem')\n", [(2, 19, "TLS301")]),
    ("import ldap3\nt = ldap3.Tls(validate=2, ca_certs_path='/etc/ssl/certs')\n",
     [(2, 27, "TLS301")]),
    ("import websocket\nws = websocket.WebSocket(sslopt={'ca_cert_path': '/etc/ssl/certs'})\n",
     [(2, 34, "TLS301")]),
    ("import paho.mqtt.publish as publish\n"
     "publish.single('t', 'x', hostname=h, tls={'ca_certs': '/etc/ca.pem'})\n",
     [(2, 43, "TLS301")]),
    ("import pycurl\nc = pycurl.Curl()\nc.setopt(c.PROXY_CAINFO, '/etc/ca.pem')\n",
     [(3, 26, "TLS301")]),
    ("from pathlib import Path\nimport grpc\n"
     "creds = grpc.ssl_channel_credentials(\n"
     "    root_certificates=Path('/etc/ca.pem').read_bytes())\n", [(4, 5, "TLS301")]),
    ("import grpc as g\nROOTS = open('/etc/ca.pem', 'rb').read()\n"
     "creds = g.ssl_channel_credentials(ROOTS)\n", [(3, 35, "TLS301")]),
    ("from opensearchpy import OpenSearch\nCA = '/etc/ca.pem'\n"
     "client = OpenSearch(hosts, use_ssl=True, ca_certs=CA)\n", [(3, 42, "TLS301")]),
])
def test_other_clients_bundle_paths(source, expected):
    assert found(source) == expected


@pytest.mark.parametrize("source", [
    "import boto3\nboto3.client('s3', verify=True)\n",
    "import pycurl, certifi\nc.setopt(pycurl.CAINFO, certifi.where())\n",
    "import pycurl\nc.setopt(pycurl.URL, 'https://example.com/')\n",
    "import grpc\ngrpc.ssl_channel_credentials(open(args.ca, 'rb').read())\n",
    "import grpc\ngrpc.ssl_channel_credentials(private_key=open('/k.pem', 'rb').read())\n",
    "data = open('/etc/ca.pem').read()\nparse(data)\n",
    "from tornado.httpserver import HTTPServer\n"
    "HTTPServer(app, ssl_options={'ca_certs': '/etc/clients.pem'})\n",
    "from ldap3 import Tls\nimport ssl\nTls(validate=ssl.CERT_REQUIRED, ca_certs_file=CA)\n",
    "import docker\ndocker.tls.TLSConfig(client_cert=(c, k), ca_cert=os.environ['CA'])\n",
    "import mylib\nmylib.Tls(ca_certs_file='/etc/ca.pem')\n",
    "import paho.mqtt.publish as publish\npublish.single('topic', 'payload', hostname='h')\n",
    "from paho.mqtt import subscribe\nsubscribe.simple('topic/#', hostname='broker')\n",
])
def test_other_clients_look_alikes_are_not_reported(source):
    assert [f for f in found(source) if f[2] == "TLS301"] == []


def test_grpc_roots_read_in_a_with_block():
    source = """\
        import grpc
        class DispatchClient:
            def __init__(self, address):
                with open('server.crt', 'rb') as f:
                    roots = f.read()
                creds = grpc.ssl_channel_credentials(root_certificates=roots)
        def from_config(cert_path):
            with open(cert_path, 'rb') as f:
                return grpc.ssl_channel_credentials(f.read())
        """
    assert found(source) == [(6, 46, "TLS301")]
    assert fixed(source, codes=("TLS301",)).splitlines()[7] == (
        "        with open(CA_BUNDLE, 'rb') as f:")


def test_other_clients_fixes_write_the_bundle_and_leave_folders():
    assert fixed("""\
        import grpc, pycurl
        ROOTS = open('/etc/ca.pem', 'rb').read()
        creds = grpc.ssl_channel_credentials(ROOTS)
        c = pycurl.Curl()
        c.setopt(pycurl.CAINFO, '/etc/ca.pem')
        c.setopt(pycurl.CAPATH, '/etc/ssl/certs')
        """, codes=("TLS301",)) == textwrap.dedent("""\
        import grpc, pycurl

        from corp_tls import CA_BUNDLE

        ROOTS = open(CA_BUNDLE, 'rb').read()
        creds = grpc.ssl_channel_credentials(ROOTS)
        c = pycurl.Curl()
        c.setopt(pycurl.CAINFO, CA_BUNDLE)
        c.setopt(pycurl.CAPATH, '/etc/ssl/certs')
        """)


# -- TLS105: ldap3's defaults, hvac, curl_cffi's Curl -----------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import ssl\nfrom paho.mqtt import subscribe\n"
     "subscribe.simple('t', hostname=h, tls={'cert_reqs': ssl.CERT_NONE})\n",
     [(3, 40, "TLS105")]),
    ("import ldap3\nserver = ldap3.Server(\n    'dc.corp',\n    port=636,\n    use_ssl=True,\n)\n",
     [(2, 10, "TLS105")]),
    ("from ldap3 import Server as S\nLDAPS = 'ldaps://dc.corp'\ns = S(LDAPS, tls=None)\n",
     [(3, 5, "TLS105")]),
    ("from ldap3.core.tls import Tls\nimport ssl as s\nt = Tls(None, None, s.CERT_NONE)\n",
     [(3, 21, "TLS105")]),
    ("from ldap3 import Tls\nt = Tls(local_certificate_file=c)\n", [(2, 5, "TLS105")]),
    ("from ldap3 import Connection\n"
     "c = Connection('ldap://dc.corp', auto_bind='TLS_AFTER_BIND')\n", [(2, 34, "TLS105")]),
    ("import ldap3\nURL = 'ldaps://dc.corp:636'\nc = ldap3.Connection(URL, user=u, password=p)\n",
     [(3, 22, "TLS105")]),
    ("from ldap3 import Server, Connection\ndef login(user, password):\n"
     "    conn = Connection(Server('dc.corp'), user, password)\n"
     "    conn.start_tls()\n", [(4, 5, "TLS105")]),
    ("import hvac\nVERIFY = False\nc = hvac.Client(url=u, verify=VERIFY)\n",
     [(3, 24, "TLS105")]),
    ("import curl_cffi\nc = curl_cffi.Curl()\nc.setopt(curl_cffi.CurlOpt.SSL_VERIFYHOST, 0)\n",
     [(3, 1, "TLS105")]),
    ("from httplib2 import Http\nh = Http(disable_ssl_certificate_validation=1)\n",
     [(2, 10, "TLS105")]),
    ("import github\nr = github.Requester.Requester(auth=a, base_url=u, verify=False)\n",
     [(2, 52, "TLS105")]),
    ("import boto3\nOPTS = {'region_name': 'eu-west-1', 'verify': False}\n"
     "s3 = boto3.client('s3', **OPTS)\n", [(2, 37, "TLS105")]),
])
def test_client_switches(source, expected):
    assert found(source) == expected


@pytest.mark.parametrize("source", [
    "import ldap3\nldap3.Server('dc.corp')\n",
    "import ldap3\nldap3.Server('ldap://dc.corp', use_ssl=False)\n",
    "import ldap3\nldap3.Server(host, use_ssl=True, tls=TLS)\n",
    "import ldap3, ssl\nldap3.Tls(validate=ssl.CERT_REQUIRED)\n",
    "import ldap3\nldap3.Tls(**options)\n",
    "import ldap3\nldap3.Server(host, use_ssl=True, **kw)\n",
    "import ldap3\ns = ldap3.Server(h, tls=TLS)\n"
    "ldap3.Connection(s, auto_bind=ldap3.AUTO_BIND_TLS_BEFORE_BIND)\n",
    "import ldap3\ns = ldap3.Server(h)\n"
    "c = ldap3.Connection(s, auto_bind=ldap3.AUTO_BIND_NO_TLS)\n",
    "import ldap3\ns = ldap3.Server(h, use_ssl=ssl_on)\nc = ldap3.Connection(s)\nc.start_tls()\n",
    "import ftplib\nf = ftplib.FTP_TLS(h, context=CTX)\nf.start_tls()\n",
    "from http.server import HTTPServer as Server\nServer(('', 8443), handler)\n",
    "import grpc\n"
    "grpc.secure_channel(t, creds, options=(('grpc.ssl_target_name_override', 'x'),))\n",
    "import hvac\nhvac.Client(url=u, verify='/etc/ca.pem')\n",  # TLS301's
    "import httplib2\nhttplib2.Http(disable_ssl_certificate_validation=False)\n",
    "import mylib\nmylib.Http(disable_ssl_certificate_validation=True)\n",
])
def test_client_switch_look_alikes_are_not_reported(source):
    assert [f for f in found(source) if f[2] == "TLS105"] == []


def test_xmlrpc_with_an_unverified_context_is_tls103():
    source = ("import ssl, xmlrpc.client\n"
              "proxy = xmlrpc.client.ServerProxy(\n"
              "    url, verbose=True, context=ssl._create_unverified_context())\n")
    assert found(source) == [(3, 32, "TLS103")]
    assert found("import xmlrpc.client\nxmlrpc.client.ServerProxy(url, verbose=False)\n") == []
