"""Issue 27, coverage round 5 (travel): values that reach a client through a pytest fixture's
`request.param`, a test helper's parameter, an auth plugin's connection parameters, an outer
API's default handed straight on, a client's method on its instance, and Scrapy's flag and
setting; exact positions, and the traps that must stay quiet."""

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


# -- 1. a fixture's request.param, handed the rows of an indirect parametrization -------------
FIXTURE = """\
import json, pytest
from airflow.models import Connection

@pytest.fixture{args}
def setup_conn(request):
    extra = request.param if hasattr(request, "param") else {{}}
    return Connection(conn_id="api", conn_type="http", extra=json.dumps(extra))

class TestHook:
    @pytest.mark.parametrize(
        "{name}", [{{"bearer": "t", "verify": False}}, {{"verify": True}}], {indirect}
    )
    def test_extra(self, {name}):
        assert {name} is None
"""


@pytest.mark.parametrize("args, name, indirect, expected", [
    ("", "setup_conn", "indirect=True", [(11, 40)]),
    ("", "setup_conn", "indirect=['setup_conn']", [(11, 40)]),
    ("(name='conn')", "conn", "indirect=('conn',)", [(11, 34)]),
    # the rows go to the test's own parameter, or to another fixture: not this one's
    ("", "setup_conn", "indirect=False", []),
    ("", "setup_conn", "ids=['a', 'b']", []),
    ("", "setup_conn", "indirect=['other']", []),
    # `name=` renames the fixture: the function's own name no longer reaches it
    ("(name='conn')", "setup_conn", "indirect=True", []),
])
def test_indirect_parametrization(args, name, indirect, expected):
    source = FIXTURE.format(args=args, name=name, indirect=indirect)
    assert found(source, "TLS105") == expected


def test_indirect_parametrization_of_a_request_param_passed_straight():
    source = """\
        import pytest
        from airflow.providers.http.hooks.http import HttpHook

        @pytest.fixture
        def hook(request):
            return HttpHook(method="GET", extra_options=request.param)

        @pytest.mark.parametrize("hook", [{"verify": False}], indirect=True)
        def test_run(hook):
            hook.run("/")
        """
    assert found(source, "TLS105") == [(8, 36)]
    assert "Airflow HTTP's extra_options entry verify" in messages(source, "TLS105")[0]


def test_request_param_outside_a_fixture_is_not_followed():
    source = """\
        import json, pytest
        from airflow.models import Connection

        def make(request):
            return Connection(conn_id="api", extra=json.dumps(request.param))

        @pytest.mark.parametrize("make", [{"verify": False}], indirect=True)
        def test_make(make):
            assert make
        """
    assert found(source, "TLS105") == []


# -- 2. an auth plugin's connection parameters --------------------------------------------------
def test_plugin_connection_params_stored_on_the_instance():
    source = """\
        from keystoneauth1 import plugin

        class GenericPlugin(plugin.BaseAuthPlugin):
            def __init__(self):
                super().__init__()
                self.cert = "/path/to/cert"
                self.connection_params = {"cert": self.cert, "verify": False}

            def get_connection_params(self, session, **kwargs):
                return self.connection_params
        """
    assert found(source, "TLS105") == [(7, 54)]
    assert "get_connection_params" in messages(source, "TLS105")[0]


@pytest.mark.parametrize("source, expected", [
    ("from keystoneclient.auth import base\n"
     "class P(base.BaseAuthPlugin):\n"
     "    def get_connection_params(self, session, **kwargs):\n"
     "        if session:\n"
     "            return {'verify': False}\n"
     "        return {}\n", [(5, 21)]),
    ("from keystoneauth1.identity import v3\n"
     "class P(v3.Password):\n"
     "    def get_connection_params(self, session, **kwargs):\n"
     "        return dict(verify=0)\n", [(4, 21)]),
    # verification kept, another base, another method
    ("from keystoneauth1 import plugin\n"
     "class P(plugin.BaseAuthPlugin):\n"
     "    def get_connection_params(self, session, **kwargs):\n"
     "        return {'verify': '/etc/ssl/ca.pem'}\n", []),
    ("from keystoneauth1 import plugin\n"
     "class P(Base):\n"
     "    def get_connection_params(self, session, **kwargs):\n"
     "        return {'timeout': 1, 'verify': False}\n", []),
    ("from keystoneauth1 import plugin\n"
     "class P(plugin.BaseAuthPlugin):\n"
     "    def get_headers(self, session, **kwargs):\n"
     "        return {'verify': False}\n", []),
    # a nested function's return is not the hook's
    ("from keystoneauth1 import plugin\n"
     "class P(plugin.BaseAuthPlugin):\n"
     "    def get_connection_params(self, session, **kwargs):\n"
     "        def probe():\n"
     "            return {'verify': False}\n"
     "        return {}\n", []),
])
def test_plugin_connection_params(source, expected):
    assert found(source, "TLS105") == expected


# -- 3. a default that takes the branch of an unverified context ----------------------------
HANDLER = """\
import ssl
from http import client

def handler(key_file=None, timeout=None, verify={default}, context=None):
    def connect(scheme, host, port):
        kwargs = {{}}
        if not verify:
            kwargs["context"] = ssl._create_unverified_context()
        elif context:
            kwargs["context"] = context
        return client.HTTPSConnection(host, port, **kwargs)
    return connect
"""


def test_unverified_context_reported_at_the_default_that_takes_it():
    # the library carries out its caller's opt-out: reported once, at its insecure default
    source = HANDLER.format(default="False")
    assert found(source, "TLS103") == [(4, 49)]
    assert messages(source, "TLS103")[0].startswith("the default of verify chooses this")


@pytest.mark.parametrize("default", ["True", "CA_BUNDLE"])
def test_a_secure_or_unknown_default_leaves_the_opt_out_to_the_caller(default):
    assert found(HANDLER.format(default=default), "TLS103") == []


def test_a_wrapper_flag_default_is_tls105s_only():
    source = ("import ssl\n"
              "def context(verify_ssl=False):\n"
              "    if not verify_ssl:\n"
              "        return ssl._create_unverified_context()\n"
              "    return ssl.create_default_context()\n")
    assert found(source, "TLS103") == []
    assert found(source, "TLS105") == [(2, 24)]


# -- 4. Scrapy's verify_certificates --------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("class ScrapyClientContextFactory:\n"
     "    def __init__(self, method=None, *args, verify_certificates=False, **kw):\n"
     "        self._verify_certificates = verify_certificates\n", [(2, 64)]),
    ("factory = make_factory(method, verify_certificates=False)\n", [(1, 32)]),
    ("factory = make_factory(method, verify_certificates=True)\n", []),
    ("def f(verify_certificates=True):\n    return verify_certificates\n", []),
])
def test_verify_certificates_flag(source, expected):
    assert found(source, "TLS105") == expected


# -- 5. an outer API that hands a reported default straight on -----------------------------
HTTPLIB = """\
import ssl
from http import client

def handler(timeout=None, verify=False):
    def connect(host, port):
        if not verify:
            return client.HTTPSConnection(host, port, context=ssl._create_unverified_context())
        return client.HTTPSConnection(host, port)
    return connect

class HttpLib:
    def __init__(self, custom_handler=None, verify={outer}):
        self.handler = custom_handler or handler({passed})
"""


@pytest.mark.parametrize("outer, passed, expected", [
    ("False", "verify=verify", [(4, 34), (12, 52)]),
    ("False", "None, verify", [(4, 34), (12, 52)]),
    ("0", "verify=verify", [(4, 34), (12, 52)]),  # 0 == False
    # a secure default of its own; another value (only the same one is known to take the
    # branch: `if verify is False:` would not take it with None); a value not passed on
    ("True", "verify=verify", [(4, 34)]),
    ("None", "verify=verify", [(4, 34)]),
    ("False", "verify=bool(verify)", [(4, 34)]),
    ("False", "timeout=verify", [(4, 34)]),
])
def test_outer_default_handed_on(outer, passed, expected):
    source = HTTPLIB.format(outer=outer, passed=passed)
    assert found(source, "TLS103") == expected


def test_outer_default_names_the_function_it_hands_on_to():
    source = HTTPLIB.format(outer="False", passed="verify=verify")
    assert ("the default of verify, passed on to handler(), chooses this"
            in messages(source, "TLS103")[1])


def test_outer_default_of_an_opt_out_reported_at_its_default():
    source = """\
        import ssl
        def make_context(cafile=None, verify=False):
            ctx = ssl.create_default_context(cafile=cafile)
            if not verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            return ctx

        def connect(host, verify=False):
            return make_context(verify=verify).wrap_socket(open_socket(host), server_hostname=host)

        def local_name_means_another_function(verify=False):
            make_context = other
            return make_context(verify=verify)
        """
    assert found(source, "TLS103") == [(2, 38), (9, 26)]


# -- 6. Scrapy's DOWNLOAD_VERIFY_CERTIFICATES setting ----------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("DOWNLOAD_VERIFY_CERTIFICATES = False\n", [(1, 1)]),
    ("settings = {'DOWNLOAD_VERIFY_CERTIFICATES': 0, 'BOT_NAME': 'x'}\n", [(1, 13)]),
    ("def configure(settings):\n    settings['DOWNLOAD_VERIFY_CERTIFICATES'] = False\n",
     [(2, 5)]),
    ("DOWNLOAD_VERIFY_CERTIFICATES = True\n", []),
    ("DOWNLOAD_VERIFY_CERTIFICATES = env_flag('VERIFY')\n", []),
    ("self.DOWNLOAD_VERIFY_CERTIFICATES = False\n", []),
])
def test_scrapy_setting(source, expected):
    assert found(source, "TLS105") == expected
    if expected:
        assert "Scrapy's setting DOWNLOAD_VERIFY_CERTIFICATES" in messages(source, "TLS105")[0]


# -- 7. a test helper's parameter that it hands on to the options dict ------------------------
HELPER = """\
import json
from airflow.models import Connection

def connection_with_extra(extra{default}):
    def inner(conn_id="http_default"):
        return Connection(conn_id=conn_id, conn_type="http", extra=json.dumps(extra))
    return inner

class TestOptions:
    def test_process(self):
        conn = connection_with_extra(
            extra={{
                "timeout": 60,
                "verify": {value},
            }}
        )()
"""


@pytest.mark.parametrize("default, value, expected", [
    ("", "False", [(14, 17)]),
    ("=None", "0", [(14, 17)]),
    ("", "True", []),
    ("", "'/etc/ssl/ca.pem'", []),
])
def test_helper_parameter_handed_on(default, value, expected):
    source = HELPER.format(default=default, value=value)
    assert found(source, "TLS105") == expected
    if expected:
        assert "passed to a function that hands it on" in messages(source, "TLS105")[0]


def test_helper_parameter_passed_by_position_and_rebound_helpers():
    source = """\
        from airflow.providers.http.hooks.http import HttpHook

        def run_with(options):
            return HttpHook(method="GET").run("/", extra_options=options)

        def test_run():
            run_with({"verify": False})

        def rebound(options):
            options = {}
            return HttpHook(method="GET").run("/", extra_options=options)

        def test_rebound():
            rebound({"verify": False})
        """
    assert found(source, "TLS105") == [(7, 15)]


# -- 8. a client's method called on its instance (fortiosapi) ---------------------------------
@pytest.mark.parametrize("source, expected", [
    ("from fortiosapi import FortiOSAPI\n"
     "fgt = FortiOSAPI()\n"
     "def connect(conf):\n"
     "    try:\n"
     "        verify = conf['verify']\n"
     "    except KeyError:\n"
     "        verify = False\n"
     "    fgt.tokenlogin(conf['ip'], conf['key'], verify=verify)\n", [(7, 18)]),
    ("import fortiosapi\n"
     "api = fortiosapi.FortiOSAPI()\n"
     "api.login('10.0.0.1', 'admin', '', verify=False)\n", [(3, 36)]),
    # verification kept; another class's login; a name bound twice (which instance is unknown)
    ("from fortiosapi import FortiOSAPI\n"
     "fgt = FortiOSAPI()\n"
     "fgt.login(host, user, password, verify=True)\n", []),
    ("from fortiosapi import FortiOSAPI\n"
     "from portal import Portal\n"
     "fgt = Portal()\n"
     "fgt.login(host, user, password, verify=False)\n", []),
    ("from fortiosapi import FortiOSAPI\n"
     "from portal import Portal\n"
     "fgt = FortiOSAPI()\n"
     "fgt = Portal()\n"
     "fgt.login(host, user, password, verify=False)\n", []),
])
def test_client_method_on_its_instance(source, expected):
    assert found(source, "TLS105") == expected


# -- 9. an options dict built in another function, handed back in a tuple ------------------
JIRASHELL = """\
import argparse
from jira import JIRA


def process_command_line():
    args = argparse.ArgumentParser().parse_args()
    options = {{}}
    options["verify"] = True
    if args.no_verify:
        options["verify"] = {value}
    return options, {{"username": args.user}}


def get_config():
    options = {{"server": "https://jira.example"}}
    cmd_options, cmd_auth = process_command_line()
    options.update(cmd_options)
    return {returned}


def main():
    options, basic_auth = get_config()
    return JIRA(options=options, basic_auth=basic_auth)
"""


@pytest.mark.parametrize("value, returned, expected", [
    ("False", "options, cmd_auth", [(10, 9)]),
    ("0", "options, cmd_auth", [(10, 9)]),
    ("True", "options, cmd_auth", []),
    # the other element of the tuple, a tuple of another length, no tuple at all
    ("False", "cmd_auth, options", []),
    ("False", "options, cmd_auth, None", []),
    ("False", "options", []),
])
def test_options_dict_from_an_unpacked_return(value, returned, expected):
    source = JIRASHELL.format(value=value, returned=returned)
    assert found(source, "TLS105") == expected
    if expected:
        assert "jira's options entry verify" in messages(source, "TLS105")[0]


def test_options_dict_handed_in_as_a_parameter_is_the_callers_choice():
    # `args` is the caller's: `if args.no_verify:` carries out its opt-out (opt_outs' known gap)
    source = """\
        from jira import JIRA

        def options_for(args):
            options = {}
            if args.no_verify:
                options["verify"] = False
            return options, None

        def main(args):
            options, _ = options_for(args)
            return JIRA(options=options)
        """
    assert found(source, "TLS105") == []
