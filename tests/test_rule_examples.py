"""Every rule's own VALID and INVALID examples, as exact (line, col, code) assertions."""

import pytest
from helpers import findings

from corptls_lint.checking.byte_screen import screen
from corptls_lint.rules import ALL_RULES

VALID = [pytest.param(rule, source, id=f"{rule.code}-valid-{i}")
         for rule in ALL_RULES for i, source in enumerate(rule.VALID)]
INVALID = [pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
           for rule in ALL_RULES for i, example in enumerate(rule.INVALID)]


@pytest.mark.parametrize("rule, source", VALID)
def test_valid_examples_are_not_reported(rule, source):
    assert [f for f in findings(source) if f[2] == rule.code] == []


@pytest.mark.parametrize("rule, example", INVALID)
def test_invalid_examples_are_reported_exactly(rule, example):
    expected = [(line, col, rule.code) for line, col in example.positions]
    assert [f for f in findings(example.code) if f[2] == rule.code] == expected


@pytest.mark.parametrize("rule, example", INVALID)
def test_byte_screen_keeps_every_invalid_example(rule, example):
    assert rule in screen(example.code.encode(), ALL_RULES)


def test_every_rule_has_examples_and_docs():
    for rule in ALL_RULES:
        assert len(rule.VALID) >= 3 and len(rule.INVALID) >= 3, rule.code
        for section in ("## What it does", "## Why is this bad?", "## Example",
                        "## Use instead", "## Fix"):
            assert section in rule.documentation(), (rule.code, section)


def test_codes_are_unique_and_well_formed():
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 6 and code.startswith("TLS") and code[3:].isdigit() for code in codes)
