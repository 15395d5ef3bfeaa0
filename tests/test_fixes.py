"""Fixes as exact before/after text: the rules' own examples, imports, removals, the fix loop."""

import sys
import textwrap
from types import SimpleNamespace

import pytest
from helpers import ALL_CODES

from corptls_lint.checking.engine import lint_module, lint_source
from corptls_lint.fixing import edits
from corptls_lint.ftypes import Applicability, FixTargets, Settings, Target
from corptls_lint.rules import ALL_RULES
from corptls_lint.running.fixer import fix_text

TARGETS = FixTargets(Target.parse("corp_tls:CA_BUNDLE"), Target.parse("corp_tls:make_session"),
                     Target.parse("corp_tls:ssl_context()", "ssl-context"))
INVALID = [pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
           for rule in ALL_RULES for i, example in enumerate(rule.INVALID)]


def settings(codes=ALL_CODES, targets=TARGETS):
    return Settings(enabled=tuple(codes), targets=targets)


def fixed(source, codes=ALL_CODES, targets=TARGETS, unsafe=False):
    return fix_text(textwrap.dedent(source), "example.py", settings(codes, targets), unsafe).text


@pytest.mark.parametrize("rule, example", INVALID)
def test_invalid_example_fixes_to_its_fixed_text(rule, example):
    result = fix_text(example.code, "example.py", settings([rule.code]), unsafe=True)
    expected = example.code if example.fixed is None else example.fixed
    assert result.text == expected
    if example.fixed is not None:
        assert result.fixed == len(example.positions)
        assert [d.code for d in result.diagnostics if d.code == rule.code] == []


@pytest.mark.parametrize("rule, example", INVALID)
def test_unsafe_fixes_need_the_flag(rule, example):
    found = lint_source(example.code, "example.py", settings([rule.code])).diagnostics
    unsafe = any(d.fix is not None and d.fix.applicability is Applicability.UNSAFE for d in found)
    result = fix_text(example.code, "example.py", settings([rule.code]), unsafe=False)
    expected = example.code if example.fixed is None or unsafe else example.fixed
    assert result.text == expected


@pytest.mark.parametrize("rule, example", INVALID)
def test_fixing_twice_changes_nothing(rule, example):
    once = fix_text(example.code, "example.py", settings(), unsafe=True)
    twice = fix_text(once.text, "example.py", settings(), unsafe=True)
    assert (twice.text, twice.fixed) == (once.text, 0)


def test_every_fixable_rule_shows_several_exact_fixes():
    for rule in ALL_RULES:
        with_fix = [example for example in rule.INVALID if example.fixed is not None]
        assert (len(with_fix) >= 3) == rule.has_fix, rule.code


def test_without_the_key_nothing_changes_and_the_key_is_named():
    source = "import requests\ns = requests.Session()\nrequests.get(u, verify=False)\n"
    result = fix_text(source, "a.py", settings(targets=FixTargets()))
    assert result.text == source and result.fixed == 0
    assert [(d.code, d.fix, d.fix_needs) for d in result.diagnostics] == [
        ("TLS401", None, "session-factory"), ("TLS101", None, "ca-bundle")]


def test_fix_says_where_the_replacement_goes_and_which_import_it_needs():
    source = ("import requests\nfrom corp_tls import make_session\ndef f(CA_BUNDLE):\n"
              "    s = requests.Session()\n    return s.get(u, verify=False), s.head(u)\n")
    found = lint_source(source, "a.py", settings()).diagnostics
    assert [(d.code, d.line, d.col, d.end_line, d.end_col) for d in found] == [
        ("TLS401", 4, 9, 4, 27), ("TLS101", 5, 21, 5, 33)]
    session, verify = (d.fix for d in found)
    assert (session.replacement, session.line, session.col, session.end_line, session.end_col,
            session.import_statement) == ("make_session()", 4, 9, 4, 27, None)
    assert (verify.replacement, verify.line, verify.col, verify.end_line, verify.end_col,
            verify.import_statement) == (
        "corp_tls_CA_BUNDLE", 5, 28, 5, 33, "from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE")


def test_diagnostics_carry_the_replacement_text():
    source = ("import requests, ssl\nrequests.get(u, verify=False)\ns = requests.Session()\n"
              "ctx = ssl._create_unverified_context()\nrequests.post(u)\n")
    found = lint_source(source, "a.py", settings()).diagnostics
    assert [(d.code, d.fix.replacement) for d in found] == [
        ("TLS101", "CA_BUNDLE"), ("TLS401", "make_session()"), ("TLS103", "ssl_context()"),
        ("TLS402", "requests.post(u, verify=CA_BUNDLE)")]


# -- where fixes land ------------------------------------------------------------------------

PLACES = {
    "class body and method": ("""\
        import requests


        class Api:
            session = requests.Session()

            def get(self, url):
                return self.session.get(url, verify=False)
        """, """\
        from corp_tls import CA_BUNDLE, make_session


        class Api:
            session = make_session()

            def get(self, url):
                return self.session.get(url, verify=CA_BUNDLE)
        """),
    "nested function and with block": ("""\
        import requests
        import urllib3

        def outer():
            def inner(url):
                with requests.Session() as s:
                    urllib3.disable_warnings()
                    s.verify = False
                    return s.get(url)
            return inner
        """, """\
        from corp_tls import CA_BUNDLE, make_session


        def outer():
            def inner(url):
                with make_session() as s:
                    s.verify = CA_BUNDLE
                    return s.get(url)
            return inner
        """),
    "multi-line call with comments on the touched lines": ("""\
        import requests

        response = requests.request(
            "GET",
            url,  # the endpoint
            verify=False,  # TODO: proxy
            # keep this note
        )
        """, """\
        import requests

        from corp_tls import CA_BUNDLE

        response = requests.request(
            "GET",
            url,  # the endpoint
            verify=CA_BUNDLE,  # TODO: proxy
            # keep this note
        )
        """),
    "docstring, future import and shebang stay first": ("""\
        #!/usr/bin/env python3
        # -*- coding: utf-8 -*-
        \"\"\"Tool.\"\"\"
        from __future__ import annotations
        import requests
        requests.get(u, verify=False)
        """, """\
        #!/usr/bin/env python3
        # -*- coding: utf-8 -*-
        \"\"\"Tool.\"\"\"
        from __future__ import annotations
        import requests

        from corp_tls import CA_BUNDLE

        requests.get(u, verify=CA_BUNDLE)
        """),
    "removal in a block leaves pass and the comments": ("""\
        import urllib3
        if True:
            # we trust the proxy
            urllib3.disable_warnings(  # for now
                urllib3.exceptions.InsecureRequestWarning)
        pool = urllib3.PoolManager()
        """, """\
        import urllib3
        if True:
            # we trust the proxy
            # for now
            pass
        pool = urllib3.PoolManager()
        """),
    "removal keeps the following statement's spacing": ("""\
        import requests, urllib3
        x = 1

        urllib3.disable_warnings()
        y = 2
        """, """\
        import requests
        x = 1

        y = 2
        """),
}


@pytest.mark.parametrize("name", list(PLACES))
def test_fix_in_place(name):
    before, after = PLACES[name]
    assert fixed(before) == textwrap.dedent(after)
    assert fixed(after) == textwrap.dedent(after)


# -- imports ---------------------------------------------------------------------------------

IMPORTS = {
    "merged into a parenthesized multi-line import": ("""\
        import requests
        from corp_tls import (
            make_session,
            ssl_context,  # for httpx
        )
        requests.get(u, verify=False)
        """, """\
        import requests
        from corp_tls import (
            CA_BUNDLE,
            make_session,
            ssl_context,  # for httpx
        )
        requests.get(u, verify=CA_BUNDLE)
        """),
    "reused through `import corp_tls`": ("""\
        import corp_tls
        import requests
        requests.get(u, verify=False)
        """, """\
        import corp_tls
        import requests
        requests.get(u, verify=corp_tls.CA_BUNDLE)
        """),
    "reused through an alias": ("""\
        import requests
        from corp_tls import make_session as new_session
        s = requests.Session()
        """, """\
        from corp_tls import make_session as new_session
        s = new_session()
        """),
    "module-level name of the same spelling is not shadowed": ("""\
        import requests
        CA_BUNDLE = "/etc/ssl/corp.pem"
        requests.get(u, verify=CA_BUNDLE)
        """, """\
        import requests

        from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE

        CA_BUNDLE = "/etc/ssl/corp.pem"
        requests.get(u, verify=corp_tls_CA_BUNDLE)
        """),
    "a module-level name bound to False is not shadowed": ("""\
        import requests
        CA_BUNDLE = False
        requests.get(u, verify=False)
        """, """\
        import requests

        from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE

        CA_BUNDLE = False
        requests.get(u, verify=corp_tls_CA_BUNDLE)
        """),
    # Python reads ＣA_BUNDLE as CA_BUNDLE (NFKC): a plain import would be rebound to False
    "a look-alike module-level name bound to False is not shadowed": ("""\
        import requests
        ＣA_BUNDLE = False
        requests.get(u, verify=False)
        """, """\
        import requests

        from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE

        ＣA_BUNDLE = False
        requests.get(u, verify=corp_tls_CA_BUNDLE)
        """),
    "a look-alike module-level name of the same spelling is not shadowed": ("""\
        import requests
        ＣA_BUNDLE = "/etc/ssl/corp.pem"
        requests.get(u, verify=CA_BUNDLE)
        """, """\
        import requests

        from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE

        ＣA_BUNDLE = "/etc/ssl/corp.pem"
        requests.get(u, verify=corp_tls_CA_BUNDLE)
        """),
    "a look-alike import of the target is reused": ("""\
        import requests
        from ｃorp_tls import ＣA_BUNDLE
        requests.get(u, verify=False)
        """, """\
        import requests
        from ｃorp_tls import ＣA_BUNDLE
        requests.get(u, verify=CA_BUNDLE)
        """),
    "an import of the name from elsewhere is not reused": ("""\
        import requests
        from settings import CA_BUNDLE
        requests.get(u, verify=False)
        print(CA_BUNDLE)
        """, """\
        import requests
        from settings import CA_BUNDLE

        from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE

        requests.get(u, verify=corp_tls_CA_BUNDLE)
        print(CA_BUNDLE)
        """),
    "two targets of one module share one statement": ("""\
        \"\"\"Doc.\"\"\"
        import requests
        s = requests.Session()
        requests.get(u, verify=False)
        """, """\
        \"\"\"Doc.\"\"\"
        import requests

        from corp_tls import CA_BUNDLE, make_session

        s = make_session()
        requests.get(u, verify=CA_BUNDLE)
        """),
    "an import the fix made unused goes, one still used stays": ("""\
        import requests
        from ssl import PROTOCOL_TLS_CLIENT, _create_unverified_context as unverified
        ctx = unverified()
        proto = PROTOCOL_TLS_CLIENT
        s = requests.Session()
        """, """\
        from ssl import PROTOCOL_TLS_CLIENT

        from corp_tls import make_session, ssl_context

        ctx = ssl_context()
        proto = PROTOCOL_TLS_CLIENT
        s = make_session()
        """),
    "placed below a sys.path change that later imports need": ("""\
        import sys
        sys.path.insert(0, "vendor")
        import requests
        requests.get(u, verify=False)
        """, """\
        import sys
        sys.path.insert(0, "vendor")
        import requests

        from corp_tls import CA_BUNDLE

        requests.get(u, verify=CA_BUNDLE)
        """),
    "an import in a block the fix emptied goes, the block keeps pass": ("""\
        if not verify:
            import urllib3
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        run()
        """, """\
        if not verify:
            pass
        run()
        """),
    "an import bound twice, both unused after the fix, goes twice": ("""\
        import warnings
        def quiet():
            try:
                from requests.packages.urllib3.exceptions import InsecureRequestWarning

                warnings.simplefilter("ignore", category=InsecureRequestWarning)
            except Exception:
                pass  # we tried
            try:
                from urllib3.exceptions import InsecureRequestWarning
                warnings.simplefilter("ignore", category=InsecureRequestWarning)
            except Exception:
                pass
            warnings.warn("quiet")
        """, """\
        import warnings
        def quiet():
            try:
                pass
            except Exception:
                pass  # we tried
            try:
                pass
            except Exception:
                pass
            warnings.warn("quiet")
        """),
    "an import a docstring mentions goes; one an annotation string names stays": ("""\
        \"\"\"Talks to the server with ssl and urllib3.\"\"\"
        import ssl
        import urllib3
        ctx = ssl._create_unverified_context()
        urllib3.disable_warnings()
        pool: "urllib3.PoolManager" = make()
        """, """\
        \"\"\"Talks to the server with ssl and urllib3.\"\"\"
        import urllib3

        from corp_tls import ssl_context

        ctx = ssl_context()
        pool: "urllib3.PoolManager" = make()
        """),
    "an import also bound by an assignment stays": ("""\
        import urllib3
        urllib3.disable_warnings()
        if old:
            urllib3 = None
        """, """\
        import urllib3
        if old:
            urllib3 = None
        """),
    "an import named in __all__ is kept": ("""\
        import urllib3
        __all__ = ["urllib3"]
        urllib3.disable_warnings()
        """, """\
        import urllib3
        __all__ = ["urllib3"]
        """),
}


@pytest.mark.parametrize("name", list(IMPORTS))
def test_imports(name):
    before, after = IMPORTS[name]
    assert fixed(before) == textwrap.dedent(after)
    assert fixed(after) == textwrap.dedent(after)


NESTED = textwrap.dedent("""\
    import requests
    import urllib3


    class Client:
        @retry(session=requests.Session())
        def fetch(self, url):
            urllib3.disable_warnings()
            return requests.get(url, verify=False)

        def other(self):
            return 1
    """)
NESTED_FIXED = textwrap.dedent("""\
    import requests
    from corp_tls import CA_BUNDLE, make_session


    class Client:
        @retry(session=make_session())
        def fetch(self, url):
            return requests.get(url, verify=CA_BUNDLE)

        def other(self):
            return 1
    """)


def _apply_with(positions_of):
    """One fix pass over NESTED with the lint pass's ranges changed by `positions_of`."""
    import libcst as cst

    module = cst.parse_module(NESTED)
    result = lint_module(module, "example.py", ALL_RULES, TARGETS)
    requests = [report.fix for report, _ in result.reports if report.fix is not None]
    chosen, _ = edits.choose_non_overlapping(module, requests, result.positions)
    planner = edits.FixPlanner(module, TARGETS, result.names)
    return edits.apply(module, planner, chosen, positions_of(result.positions)).code


def test_the_rewrite_visits_only_what_holds_a_fix_and_changes_the_same_text():
    assert _apply_with(lambda positions: positions) == NESTED_FIXED
    assert _apply_with(lambda positions: None) == NESTED_FIXED


def test_ranges_from_the_function_around_a_fix_lead_the_rewrite_there_without_a_fallback(
        monkeypatch):
    import ast

    import libcst as cst

    module = cst.parse_module(NESTED)
    result = lint_module(module, "example.py", ALL_RULES, TARGETS, ast_tree=ast.parse(NESTED),
                         source_text=NESTED)
    made = []
    real = edits._Rewriter

    def counting(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(edits, "_Rewriter", counting)
    requests = [report.fix for report, _ in result.reports if report.fix is not None]
    chosen, _ = edits.choose_non_overlapping(module, requests, result.positions)
    planner = edits.FixPlanner(module, TARGETS, result.names)
    assert edits.apply(module, planner, chosen, result.positions).code == NESTED_FIXED
    assert len(made) == 1  # the class and its block were entered: no whole-module retry


def test_a_range_that_misses_its_node_falls_back_to_the_whole_module():
    def wrong(positions):  # the module's range empty: the rewrite skips everything at first
        module = next(node for node in positions if type(node).__name__ == "Module")
        start = positions[module].start
        return {**positions, module: type(positions[module])(start, start)}

    assert _apply_with(wrong) == NESTED_FIXED


def test_attribute_and_call_targets_import_their_root_name():
    targets = FixTargets(ca_bundle=Target.parse("corp.tls:settings.CA_BUNDLE"),
                         session_factory=Target.parse("corp.tls:sessions.make()", "session-factory"))
    source = "import requests\ns = requests.Session()\nrequests.get(u, verify=False)\n"
    assert fixed(source, targets=targets) == (
        "import requests\n\nfrom corp.tls import sessions, settings\n\n"
        "s = sessions.make()()\nrequests.get(u, verify=settings.CA_BUNDLE)\n")


def test_a_local_of_the_same_name_gets_an_alias_in_every_function():
    source = """\
        import requests
        def a(CA_BUNDLE):
            return requests.get(u, verify=False)
        def b():
            return requests.get(u, verify=False)
        """
    assert fixed(source) == textwrap.dedent("""\
        import requests

        from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE


        def a(CA_BUNDLE):
            return requests.get(u, verify=corp_tls_CA_BUNDLE)
        def b():
            return requests.get(u, verify=corp_tls_CA_BUNDLE)
        """)


# -- the loop --------------------------------------------------------------------------------

def test_overlapping_fixes_are_applied_over_several_passes():
    source = "import requests\nrequests.get(requests.get(u).url)\n"
    result = fix_text(source, "a.py", settings(["TLS402"]))
    assert result.text == ("import requests\n\nfrom corp_tls import CA_BUNDLE\n\n"
                           "requests.get(requests.get(u, verify=CA_BUNDLE).url, "
                           "verify=CA_BUNDLE)\n")
    assert (result.fixed, result.diagnostics) == (2, [])


def test_two_findings_on_one_node_are_both_fixed():
    result = fix_text("s.verify = t.verify = False\n", "a.py", settings())
    assert result.text == "from corp_tls import CA_BUNDLE\n\ns.verify = t.verify = CA_BUNDLE\n"
    assert result.fixed == 2


@pytest.mark.parametrize("path", ["corp_tls.py", "src/corp_tls.py", "corp_tls/__init__.py"])
def test_the_module_that_defines_the_target_is_not_fixed_onto_itself(path):
    source = "import requests\ndef make_session():\n    return requests.Session()\n"
    result = fix_text(source, path, settings())
    assert (result.text, result.fixed) == (source, 0)
    assert fix_text(source, "corp_tls_helpers.py", settings()).fixed == 1


def test_noqa_findings_are_not_fixed():
    source = "import requests\nrequests.get(u, verify=False)  # noqa: TLS101\n"
    assert fixed(source) == source


def test_a_fix_that_would_not_parse_is_discarded(monkeypatch):
    source = "import requests\nrequests.get(u, verify=False)\nrequests.get(u, verify='/ca.pem')\n"

    def broken(module, planner, requests, *_):
        return SimpleNamespace(code=module.code.replace("verify=False", "verify=)"))

    monkeypatch.setattr(edits, "apply", broken)
    result = fix_text(source, "a.py", settings())
    assert (result.text, result.fixed) == (source, 0)
    # CPython's own message: "unmatched ')'" since 3.10, "invalid syntax" on 3.9.
    reason = "unmatched ')'" if sys.version_info >= (3, 10) else "invalid syntax"
    assert [d.message for d in result.diagnostics] == [
        "TLS verification disabled with a falsy verify=; pass the CA bundle instead "
        f"(not fixed: the result would not parse: {reason} (line 2); file left unchanged)",
        "hardcoded CA bundle path; use the configured CA bundle "
        f"(not fixed: the result would not parse: {reason} (line 2); file left unchanged)"]


def test_unparseable_file_is_reported_not_fixed():
    result = fix_text("import requests\ndef f(:\n    requests.get(u, verify=False)\n", "a.py",
                      settings())
    assert [d.code for d in result.diagnostics] == ["TLS001"] and result.fixed == 0


@pytest.mark.parametrize("expr", ["CA BUNDLE", "CA_BUNDLE[0]", "1 + x", "f(", "", "a if b else c"])
def test_targets_must_be_a_name_attribute_or_call(expr):
    with pytest.raises(ValueError):
        Target.parse(f"corp_tls:{expr}")


# -- the migration's fixes (issue 17) ---------------------------------------------------------

def test_unverified_context_of_the_same_block_becomes_the_configured_one():
    assert fixed("""\
        import ssl

        def context():
            ctx = ssl.create_default_context()  # for the lab
            ctx.load_verify_locations(EXTRA)
            # the lab has no CA
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # self-signed
            return ctx
        """) == textwrap.dedent("""\
        from corp_tls import ssl_context


        def context():
            ctx = ssl_context()  # for the lab
            ctx.load_verify_locations(EXTRA)
            # the lab has no CA
            # self-signed
            return ctx
        """)


@pytest.mark.parametrize("source", [
    # on a branch: the code decided, a person reviews it
    "import ssl\nctx = ssl.create_default_context()\nif lab:\n    ctx.check_hostname = False\n",
    "import ssl\nctx = ssl.create_default_context()\nif lab: ctx.check_hostname = False\n",
    # arguments the configured context would drop
    "import ssl\nctx = ssl.create_default_context(cafile=CA)\nctx.check_hostname = False\n",
    "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\nctx.check_hostname = False\n",
    # created in another scope
    "import ssl\nctx = ssl.create_default_context()\ndef f():\n    ctx.check_hostname = False\n",
    # rebound in between
    "import ssl\nctx = ssl.create_default_context()\nctx = other()\nctx.check_hostname = False\n",
])
def test_unverified_context_without_a_safe_place_is_not_fixed(source):
    result = fix_text(source, "a.py", settings(), unsafe=True)
    assert result.text == source and result.fixed == 0
    assert [d.code for d in result.diagnostics] == ["TLS103"]


def test_pool_keywords_become_the_context_and_host_name_checks_come_back():
    assert fixed("""\
        import urllib3
        pool = urllib3.HTTPSConnectionPool(
            host,
            cert_reqs="CERT_NONE",
            assert_hostname=False,
        )
        other = urllib3.PoolManager(4, cert_reqs="CERT_NONE", assert_hostname=False)
        """) == textwrap.dedent("""\
        import urllib3

        from corp_tls import ssl_context

        pool = urllib3.HTTPSConnectionPool(
            host,
            ssl_context=ssl_context(),
        )
        other = urllib3.PoolManager(4, ssl_context=ssl_context())
        """)


def test_pool_fixes_that_could_clash_are_unsafe_or_none():
    splat = "import urllib3\nurllib3.PoolManager(cert_reqs='CERT_NONE', **kw)\n"
    assert fixed(splat) == splat
    assert fixed(splat, unsafe=True) == (
        "import urllib3\n\nfrom corp_tls import ssl_context\n\n"
        "urllib3.PoolManager(ssl_context=ssl_context(), **kw)\n")
    given = "import urllib3\nurllib3.PoolManager(cert_reqs='CERT_NONE', ssl_context=mine)\n"
    wrapped = "import ssl\nssl.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)\n"
    for source in (given, wrapped):
        assert fixed(source, unsafe=True) == source


def test_httpx_clients_get_the_context_and_own_transports_need_the_flag():
    source = ("import httpx\nc = httpx.Client(timeout=5)\n"
              "m = httpx.Client(transport=httpx.MockTransport(app))\n")
    assert fixed(source) == (
        "import httpx\n\nfrom corp_tls import ssl_context\n\n"
        "c = httpx.Client(timeout=5, verify=ssl_context())\n"
        "m = httpx.Client(transport=httpx.MockTransport(app))\n")
    # httpx 0.28 deprecated a path for verify=: a context made from the bundle, as it asks
    bundle_only = FixTargets(ca_bundle=Target.parse("corp_tls:CA_BUNDLE"))
    assert fixed("import httpx\nc = httpx.AsyncClient()\n", targets=bundle_only) == (
        "from ssl import create_default_context\n\nimport httpx\n\nfrom corp_tls import CA_BUNDLE\n\n"
        "c = httpx.AsyncClient(verify=create_default_context(cafile=CA_BUNDLE))\n")


def test_environment_bundle_becomes_the_configured_one_but_not_a_folder():
    source = ("import os\nos.environ['SSL_CERT_DIR'] = '/etc/ssl/certs'\n"
              "os.environ['REQUESTS_CA_BUNDLE'] = '/etc/ssl/corp.pem'\n")
    assert fixed(source) == (
        "import os\n\nfrom corp_tls import CA_BUNDLE\n\nos.environ['SSL_CERT_DIR'] = '/etc/ssl/certs'\n"
        "os.environ['REQUESTS_CA_BUNDLE'] = CA_BUNDLE\n")


def test_environment_switch_goes_only_with_the_flag_and_only_when_it_is_the_statement():
    source = ("import os\nos.environ['PYTHONHTTPSVERIFY'] = '0'  # old build\n"
              "os.environ.update(PYTHONHTTPSVERIFY='0', HOME=h)\n")
    assert fixed(source) == source
    assert fixed(source, unsafe=True) == (
        "import os\n# old build\nos.environ.update(PYTHONHTTPSVERIFY='0', HOME=h)\n")


def test_a_context_disabled_on_an_if_branch_gets_an_unsafe_fix_only():
    # a branch on a module constant: replacing it is a decision, not a migration (the same
    # branch on a parameter, httpx's own `elif verify is False:`, is the caller's opt-out and
    # not reported: tests/test_opt_outs.py)
    source = ("import ssl\n"
              "VERIFY = False\n"
              "def make():\n"
              "    if VERIFY is False:\n"
              "        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
              "        ctx.check_hostname = False\n"
              "        ctx.verify_mode = ssl.CERT_NONE\n"
              "        return ctx\n"
              "    ctx = ssl.create_default_context()\n"
              "    ctx.check_hostname = False\n"
              "    ctx.verify_mode = ssl.CERT_NONE\n"
              "    return ctx\n")
    result = lint_source(source, "a.py", settings())
    assert [(d.line, d.col, d.code, d.fix.applicability) for d in result.diagnostics] == [
        (6, 9, "TLS103", Applicability.UNSAFE), (10, 5, "TLS103", Applicability.SAFE)]
    fixed = fix_text(source, "a.py", settings())
    assert fixed.text == ("import ssl\n"
                          "\n"
                          "from corp_tls import ssl_context\n"
                          "\n"
                          "VERIFY = False\n"
                          "def make():\n"
                          "    if VERIFY is False:\n"
                          "        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
                          "        ctx.check_hostname = False\n"
                          "        ctx.verify_mode = ssl.CERT_NONE\n"
                          "        return ctx\n"
                          "    ctx = ssl_context()\n"
                          "    return ctx\n")


# --- a fix rewrites the check's sliced text, then puts the stubbed lines back ---------------

SLICED_SOURCE = '''\
"""A client module."""
import requests
import urllib3


def unrelated(a, b):
    # nothing here is a candidate: the check stubs it out
    total = a + b
    return total * 2


class Client:
    def helper(self):
        return {"x": 1}

    def fetch(self, url):
        urllib3.disable_warnings()
        return requests.get(url, verify=False)

    def other(self): return 3


def tail():
    return "end"
'''

SLICED_FIXED = '''\
"""A client module."""
import requests

from corp_tls import CA_BUNDLE


def unrelated(a, b):
    # nothing here is a candidate: the check stubs it out
    total = a + b
    return total * 2


class Client:
    def helper(self):
        return {"x": 1}

    def fetch(self, url):
        return requests.get(url, verify=CA_BUNDLE)

    def other(self): return 3


def tail():
    return "end"
'''


def _whole_text_fix(monkeypatch, source, unsafe=False):
    """The same fix with the slice refused (the whole text parsed and rewritten)."""
    from corptls_lint.running import fixer

    with monkeypatch.context() as patch:
        patch.setattr(fixer._Slice, "of", classmethod(lambda cls, *args: None))
        return fix_text(source, "example.py", settings(), unsafe)


def _sliced_only(monkeypatch):
    """Fail the test if the fixer parses and lints the whole text."""
    from corptls_lint.running import fixer

    def whole(*args, **kwargs):
        raise AssertionError("the whole text was parsed")

    monkeypatch.setattr(fixer, "_lint_full", whole)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_fix_rewrites_the_sliced_text_and_keeps_every_stubbed_line(monkeypatch, newline):
    source = SLICED_SOURCE.replace("\n", newline)
    expected = SLICED_FIXED.replace("\n", newline)
    assert _whole_text_fix(monkeypatch, source).text == expected
    _sliced_only(monkeypatch)
    result = fix_text(source, "example.py", settings())
    assert result.text == expected
    assert result.fixed == 2


def test_an_import_the_stubbed_lines_still_use_is_decided_on_the_whole_text(monkeypatch):
    # `urllib3` is read only in a stubbed function: the sliced module alone would drop its
    # import; the fixer parses the whole text instead, and keeps it
    source = SLICED_SOURCE.replace("    return total * 2\n",
                                   "    return urllib3.util.parse_url(total)\n")
    assert "parse_url" in source
    result = fix_text(source, "example.py", settings())
    assert result.text == _whole_text_fix(monkeypatch, source).text
    assert "import urllib3\n" in result.text and "disable_warnings" not in result.text


@pytest.mark.parametrize("spelling", ["CA_BUNDLE", "ＣA_BUNDLE"])
def test_a_target_name_in_the_stubbed_lines_gives_the_same_alias_as_the_whole_text(
        monkeypatch, spelling):
    # a function the check stubs out binds CA_BUNDLE (also spelled with a look-alike, which
    # Python reads as CA_BUNDLE): the import must take an alias, as it does when the whole
    # text is parsed
    source = SLICED_SOURCE.replace("    total = a + b\n", f"    {spelling} = a + b\n    total = 1\n")
    result = fix_text(source, "example.py", settings())
    assert "from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE\n" in result.text
    assert "verify=corp_tls_CA_BUNDLE)" in result.text
    assert result.text == _whole_text_fix(monkeypatch, source).text


def test_a_module_of_many_statements_is_fixed_through_its_stubbed_runs(monkeypatch):
    # from 200 top-level statements on, runs of unrelated statements are stubbed too
    filler = "".join(f"value_{i} = {i}\n" for i in range(300))
    source = ('"""Doc."""\nimport requests\n\n' + filler
              + "response = requests.get(url, verify=False)  # why\n" + filler.replace(
                  "value_", "more_"))
    expected = source.replace("verify=False", "verify=CA_BUNDLE").replace(
        "import requests\n", "import requests\n\nfrom corp_tls import CA_BUNDLE\n", 1)
    assert _whole_text_fix(monkeypatch, source).text == expected
    _sliced_only(monkeypatch)
    assert fix_text(source, "example.py", settings()).text == expected


def test_unstub_refuses_a_rewrite_that_lost_a_stub():
    from corptls_lint.screens import slicing

    original = "def a():\n    return 1\n\n\nx = 2\n"
    sliced = 'def a(): """corptls-stub-1-2\n"""\n\n\nx = 2\n'
    assert slicing.unstub(sliced.replace("x = 2", "x = 3"), sliced, original) == (
        "def a():\n    return 1\n\n\nx = 3\n")
    assert slicing.unstub("x = 3\n", sliced, original) is None
    assert slicing.unstub(sliced.replace('\n"""\n', '\n""" \n'), sliced, original) is None


def test_a_file_holding_the_stub_label_itself_is_fixed_on_the_whole_text(monkeypatch):
    source = SLICED_SOURCE.replace("# nothing here", "# corptls-stub-1-2 nothing here")
    result = fix_text(source, "example.py", settings())
    assert result.text == SLICED_FIXED.replace("# nothing here", "# corptls-stub-1-2 nothing here")


def test_what_a_sliced_fix_leaves_is_found_where_the_whole_text_fix_finds_it(monkeypatch):
    # what the fix leaves (a weak protocol, which needs a person) is reported at its line in
    # the fixed text, where the check found it (an import went, a section's import came)
    source = SLICED_SOURCE.replace("    def other(self): return 3\n",
                                   "    def other(self):\n"
                                   "        return ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n"
                                   ).replace("import urllib3\n", "import ssl\nimport urllib3\n")
    expected = _whole_text_fix(monkeypatch, source)
    _sliced_only(monkeypatch)
    from corptls_lint.running import fixer

    checks = []
    monkeypatch.setattr(fixer, "lint_source", lambda *args, **kwargs: (
        checks.append(args), lint_source(*args, **kwargs))[1])
    result = fix_text(source, "example.py", settings())
    assert len(checks) == 1  # the fixed text is not checked from scratch: its slice is linted
    assert result.text == expected.text
    assert [(d.line, d.col, d.code) for d in result.diagnostics] == [
        (d.line, d.col, d.code) for d in expected.diagnostics] == [(22, 16, "TLS107"),
                                                                   (22, 31, "TLS501")]


@pytest.mark.parametrize("source", [
    # a dict with its own context, a spread, a computed key, or built elsewhere: no fix
    "import ssl, websocket\nwebsocket.create_connection(u, sslopt={'context': c, 'cert_reqs': ssl.CERT_NONE})\n",
    "import ssl, websocket\nwebsocket.create_connection(u, sslopt={**base, 'cert_reqs': ssl.CERT_NONE})\n",
    "import ssl, websocket\nwebsocket.create_connection(u, sslopt={KEY: 1, 'cert_reqs': ssl.CERT_NONE})\n",
    "import ssl, websocket\nopts = {'cert_reqs': ssl.CERT_NONE}\nwebsocket.create_connection(u, sslopt=opts)\n",
])
def test_an_options_dict_the_fix_cannot_vouch_for_is_left_alone(source):
    result = fix_text(source, "example.py", settings(["TLS105"]), unsafe=True)
    assert result.text == source
    assert [d.code for d in result.diagnostics] == ["TLS105"]


def test_tornado_ssl_options_get_the_bundle_in_place_of_cert_none():
    source = ("import ssl\nfrom tornado.iostream import SSLIOStream\n"
              'stream = SSLIOStream(sock, ssl_options={"cert_reqs": ssl.CERT_NONE})\n')
    assert fixed(source, ["TLS105"]) == (
        "from tornado.iostream import SSLIOStream\n\nfrom corp_tls import CA_BUNDLE\n\n"
        'stream = SSLIOStream(sock, ssl_options={"ca_certs": CA_BUNDLE})\n')


_AROUND_A_FIX = [  # statements the check stubs out around a fixed function
    "def plain(a):\n    return a + 1\n",
    "@decorator\n@other(1,\n       2)\ndef decorated(a):\n    return a\n",
    "def one(): return 1\n",
    "async def coro():\n    await thing()\n    return 2\n",
    "class Box:\n    '''Doc.'''\n    def m(self):\n        return 1\n\n    # at class level\n"
    "    def n(self): pass\n",
    "def cont(a):\n    x = a + \\\n        1\n    return x\n",
    "def docs():\n    s = '''\nline\n'''\n    return s\n",
    "def ff():\n\x0c    return 3\n",
    "def tabs():\n\tif True:\n\t\treturn 4\n",
    "def uses_requests():\n    return requests.head('u')\n",
    "def comment_tail():\n    return 1\n    # trailing comment in the block\n",
    "def text():\n    return 'caf\u00e9 \u2028 x'\n",
    "def semi(): a = 1; return a\n",
]


def _stubbed_module(seed):
    """A module of a fixable function among a seeded choice of `_AROUND_A_FIX`."""
    import random

    chosen = random.Random(seed)
    parts = chosen.sample(_AROUND_A_FIX, chosen.randint(1, 6))
    host = chosen.choice(["def fetch(url):\n    return requests.get(url, verify=False)\n",
                          "class C:\n    def fetch(self, url):\n"
                          "        return requests.get(url, verify=False)\n"])
    parts.insert(chosen.randint(0, len(parts)), host)
    gap = chosen.choice(["\n", "\n\n", "\n\n\n"])
    text = "import requests\nimport os\n" + gap + gap.join(parts)
    return text.replace("\n", chosen.choice(["\n", "\r\n"]))





def _module_with_removals(seed):
    """Statement removals (TLS201 at module level, the settings of a replaced context) among
    runs of unrelated statements the check stubs out, with and without comments to move."""
    import random

    chosen = random.Random(seed)
    filler = lambda prefix, count: "".join(f"{prefix}_{i} = {i}\n" for i in range(count))  # noqa: E731
    text = ("import ssl\nimport urllib3\nimport requests\n" + filler("a", chosen.choice([5, 260]))
            + ("# why we silence\n# second line\n" if chosen.random() < 0.5 else "")
            + "urllib3.disable_warnings()  # noisy\n" + filler("b", chosen.choice([0, 220]))
            + "class K:\n    def m(self):\n        return 1\n\n    def ctx(self):\n"
            "        c = ssl.create_default_context()\n        # off\n"
            "        c.check_hostname = False\n        c.verify_mode = ssl.CERT_NONE\n"
            "        return c\n\n    def n(self):\n        return 2\n"
            + filler("c", chosen.choice([0, 210])))
    return text.replace("\n", "\r\n") if chosen.random() < 0.3 else text


@pytest.mark.parametrize("make, seed", [(_stubbed_module, seed) for seed in range(40)]
                         + [(_module_with_removals, seed) for seed in range(8)])
def test_a_sliced_fix_equals_the_whole_text_fix(monkeypatch, make, seed):
    source = make(seed)
    whole = _whole_text_fix(monkeypatch, source, unsafe=True)
    _sliced_only(monkeypatch)
    sliced = fix_text(source, "example.py", settings(), True)
    assert sliced.text == whole.text != source
    assert [(d.line, d.col, d.code) for d in sliced.diagnostics] == [
        (d.line, d.col, d.code) for d in whole.diagnostics]
