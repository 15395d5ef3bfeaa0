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
