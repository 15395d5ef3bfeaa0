"""The server's text handling: lines as the protocol splits them, columns in the client's
units, and the minimal edits between a text and its fixed text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corptls_lint.server.text_edits import (UTF8, UTF16, UTF32, Position, TextEdit, apply_edits,
                                            client_column, line_contents, minimal_edits,
                                            server_column, split_lines)


def test_lines_split_at_the_protocols_line_breaks_only():
    text = "a\r\nb\rc\nd\x0ce\u2028f"
    assert split_lines(text) == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f"]
    assert line_contents(text) == ["a", "b", "c", "d\x0ce\u2028f"]
    assert line_contents("x\n") == ["x", ""]
    assert line_contents("") == [""]


@pytest.mark.parametrize("encoding, expected", [(UTF16, 5), (UTF8, 8), (UTF32, 4)])
def test_columns_in_the_clients_units(encoding, expected):
    line = "\U0001F512\u00e9ab="  # padlock (astral), e-acute, then ASCII
    assert client_column(line, 4, encoding) == expected
    assert server_column(line, expected, encoding) == 4
    assert client_column("plain", 3, encoding) == 3


def test_a_changed_word_is_one_edit_of_that_word():
    before = "requests.get(url, verify=False)\n"
    after = "requests.get(url, verify=CA_BUNDLE)\n"
    assert minimal_edits(before, after) == [
        TextEdit(Position(0, 25), Position(0, 30), "CA_BUNDLE")]


def test_an_added_import_and_a_changed_line_are_two_edits():
    before = "import requests\n\nrequests.get(u, verify=False)\n"
    after = ("import requests\nfrom corp_tls import CA_BUNDLE\n\n"
             "requests.get(u, verify=CA_BUNDLE)\n")
    assert minimal_edits(before, after) == [
        TextEdit(Position(1, 0), Position(1, 0), "from corp_tls import CA_BUNDLE\n"),
        TextEdit(Position(2, 23), Position(2, 28), "CA_BUNDLE")]


def test_a_removed_statement_and_crlf_line_ends():
    before = "import ssl\r\nurllib3.disable_warnings()\r\nx = 1\r\n"
    after = "import ssl\r\nx = 1\r\n"
    edits = minimal_edits(before, after)
    assert edits == [TextEdit(Position(1, 0), Position(2, 0), "")]
    assert apply_edits(before, edits) == after


def test_a_crlf_is_never_split():
    before = "a = 1\r\nb = 2\r\n"
    after = "a = 1\nb = 2\r\n"
    edits = minimal_edits(before, after)
    assert edits == [TextEdit(Position(0, 5), Position(1, 0), "\n")]
    assert apply_edits(before, edits) == after


def test_text_added_at_the_end_without_a_final_line_break():
    assert minimal_edits("x = 1", "x = 1\ny = 2") == [
        TextEdit(Position(0, 5), Position(0, 5), "\ny = 2")]
    assert minimal_edits("x = 1\n", "x = 1\ny = 2\n") == [
        TextEdit(Position(1, 0), Position(1, 0), "y = 2\n")]


def test_equal_texts_need_no_edit():
    assert minimal_edits("same\n", "same\n") == []


_TEXT = st.lists(st.sampled_from(["a", "b", "x = 1", "verify=False", "\U0001F512", "é",
                                  "\n", "\r\n", "\r", " "]), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_the_edits_turn_the_text_into_the_new_one(before, after):
    edits = minimal_edits(before, after)
    assert apply_edits(before, edits) == after
    ends = [(e.start.line, e.start.col, e.end.line, e.end.col) for e in edits]
    for (l1, c1, l2, c2), (m1, d1, _, _) in zip(ends, ends[1:]):
        assert (l1, c1) <= (l2, c2) <= (m1, d1)  # in order, never overlapping
