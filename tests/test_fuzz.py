"""Property tests: generated Python (hypothesmith) with the rules' trigger calls planted in it.

CI runs a bounded number of examples; `pytest -m fuzz_long` runs the long campaign.
"""

import os
import re

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.rules import ALL_RULES
from corptls_lint.running.fixer import fix_text

ALL_CODES = tuple(rule.code for rule in ALL_RULES)
# Every rule's INVALID examples are the trigger snippets planted into generated code.
TRIGGERS = [example.code for rule in ALL_RULES for example in rule.INVALID]
SHORT = settings(max_examples=int(os.environ.get("CORPTLS_FUZZ_EXAMPLES", "40")), deadline=None,
                 suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=int(os.environ.get("CORPTLS_FUZZ_EXAMPLES", "3000")), deadline=None,
                suppress_health_check=list(HealthCheck))


def planted(source: str, trigger: str, where: int) -> str:
    """The generated module with a trigger snippet before it, after it, or in a function."""
    if not source.endswith("\n"):
        source += "\n"
    if where == 0:
        return trigger + source
    if where == 1:
        return source + trigger
    body = "".join("    " + line + "\n" for line in trigger.splitlines())
    return source + "def _planted():\n" + body


def check_never_raises(source: str) -> None:
    result = lint_source(source, "fuzz.py", Settings(enabled=ALL_CODES))
    codes = {d.code for d in result.diagnostics}
    assert "TLS000" not in codes, result.diagnostics
    try:
        cst.parse_module(source)
    except Exception:
        return
    assert "TLS001" not in codes, result.diagnostics


fuzz_cases = st.tuples(hypothesmith.from_grammar(), st.sampled_from(TRIGGERS),
                       st.integers(min_value=0, max_value=2))


def fuzz_test(check, config):
    """A hypothesis test of `check` on generated modules with a trigger snippet planted."""
    @config
    @given(fuzz_cases)
    def test(case):
        source, trigger, where = case
        check(planted(source, trigger, where))
    return test


test_linting_generated_code_never_raises = fuzz_test(check_never_raises, SHORT)
test_linting_generated_code_never_raises_long = pytest.mark.fuzz_long(
    fuzz_test(check_never_raises, LONG))


@SHORT
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    result = lint_source(b"import requests\n" + data, "fuzz.py", Settings(enabled=ALL_CODES))
    assert all(d.code != "TLS000" for d in result.diagnostics)


TARGETS = FixTargets(Target.parse("corp_tls:CA_BUNDLE"), Target.parse("corp_tls:make_session"),
                     Target.parse("corp_tls:ssl_context()", "ssl-context"))
FIX_SETTINGS = Settings(enabled=ALL_CODES, targets=TARGETS)


def check_fix_properties(source: str) -> None:
    """--fix output parses, a second pass changes nothing, and nothing fixable remains."""
    try:
        cst.parse_module(source)
    except Exception:
        return
    first = fix_text(source, "fuzz.py", FIX_SETTINGS, unsafe=True)
    cst.parse_module(first.text)
    second = fix_text(first.text, "fuzz.py", FIX_SETTINGS, unsafe=True)
    assert second.text == first.text
    assert second.fixed == 0
    leftover = [d for d in first.diagnostics if d.fix is not None]
    assert leftover == [], leftover


test_fixing_generated_code_is_safe_and_idempotent = fuzz_test(check_fix_properties, SHORT)
test_fixing_generated_code_is_safe_and_idempotent_long = pytest.mark.fuzz_long(
    fuzz_test(check_fix_properties, LONG))


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_fixing_every_trigger_alone_is_safe_and_idempotent(trigger):
    check_fix_properties(trigger)


# -- hostile shapes (issue 15): deep nesting, long operator chains, odd encodings ---------------
FINDING = "import requests\nrequests.get(u, verify=False)\n"
BRACKETS = [("(", ")"), ("[", "]"), ("{", "}")]
OPERATORS = ["+", "-", "*", " and ", " or ", " | ", "."]


def check_bounded(source: str, shallow: bool) -> None:
    """Never TLS000; the planted finding is reported when the construct is within limits,
    TLS001 "too complex" otherwise."""
    result = lint_source(source, "fuzz.py", Settings(enabled=ALL_CODES))
    codes = [d.code for d in result.diagnostics]
    assert "TLS000" not in codes, result.diagnostics
    if shallow:
        assert codes == ["TLS101"], result.diagnostics
    else:
        assert codes == ["TLS001"] and "too complex" in result.diagnostics[0].message


@SHORT
@given(st.lists(st.sampled_from(BRACKETS), min_size=1, max_size=3000))
def test_deep_nesting_is_bounded(brackets):
    opening = "".join(pair[0] for pair in brackets)
    closing = "".join(pair[1] for pair in reversed(brackets))
    # CPython itself refuses more than 200 nested brackets (199 on some versions)
    check_bounded(FINDING + "x = " + opening + "1" + closing + "\n", len(brackets) < 199)


@SHORT
@given(st.sampled_from(OPERATORS), st.integers(min_value=1, max_value=8000))
def test_long_operator_chains_are_bounded(operator, terms):
    term = "a" if operator == "." else "1"
    expression = operator.join([term] * terms)
    # a left-nested chain is as deep as it is long (libcst nests `and` and `or` chains too)
    source = FINDING + "x = " + expression + "\n"
    if terms < 990:
        check_bounded(source, True)
    elif terms > 1010:
        check_bounded(source, False)


CODECS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "unicode_escape", "koi8-r"]


@SHORT
@given(st.sampled_from(CODECS), st.sampled_from(["\n", "\r\n", "\r"]),
       st.text(alphabet="abcé€ж\u00a0", max_size=20), st.booleans())
def test_odd_encodings_are_fixed_exactly_or_left_alone(tmp_path_factory, codec, newline, word,
                                                       cookie):
    from corptls_lint.ftypes import FileTask
    from corptls_lint.running.fixer import fix_file
    from corptls_lint.source import writer

    text = (f"# coding: {codec}\n" if cookie else "") + f"name = {word!r}\n" + FINDING
    text = text.replace("\n", newline)
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return
    path = tmp_path_factory.mktemp("enc") / "m.py"
    path.write_bytes(data)
    outcome = fix_file(FileTask(str(path), FIX_SETTINGS, mode="fix"))
    assert all(d.code != "TLS000" for d in outcome.diagnostics), outcome.diagnostics
    after = path.read_bytes()
    if after == data:
        return  # left alone (undecodable as declared, or not faithfully writable)
    source = writer.read_source(str(path))  # decodes the way Python reads the file
    assert source.encoding == writer.from_bytes(str(path), data).encoding
    # what Python reads from the original bytes (cp1252 bytes without a cookie read as UTF-8)
    expected = writer.from_bytes(str(path), data).text.replace("verify=False", "verify=CA_BUNDLE")

    def lines(content):  # the fix also adds the import and a blank line after it
        return [line for line in content.split(newline)
                if line and line != "from corp_tls import CA_BUNDLE"]

    assert lines(source.text) == lines(expected)
    assert set(re.findall(r"\r\n|\r|\n", source.text)) == {newline}
