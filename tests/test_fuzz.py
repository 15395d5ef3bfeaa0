"""Property tests: generated Python (hypothesmith) with the rules' trigger calls planted in it.

CI runs a bounded number of examples; `pytest -m fuzz_long` runs the long campaign.
"""

import os

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corptls_lint.engine import lint_source
from corptls_lint.fixer import fix_text
from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.rules import ALL_RULES

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
                     Target.parse("corp_tls:ssl_context()"))
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
