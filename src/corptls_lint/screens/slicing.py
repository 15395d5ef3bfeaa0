"""Slicing: what libcst does not need to see. The definitions (functions, classes) that hold
no candidate are stubbed out of the text handed to libcst, with a mark that says which lines
each stub stands for, so a finding's lines stay the file's own; `unstub` puts them back.
"""

from __future__ import annotations

import ast
import bisect
import keyword
import re
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from corptls_lint.ftypes import identifier
from corptls_lint.screens import lookalikes

# -- slicing: what libcst does not need to see ---------------------------------------------
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_INDENT = re.compile(r"[ \t\f]*")
# Nodes whose children may hold definitions (ast.match_case exists from Python 3.10 on).
_BLOCKS = tuple(getattr(ast, name) for name in ("stmt", "excepthandler", "match_case")
                if hasattr(ast, name))
# A node the candidate screen located: a call, a name, a store, a definition, ...
Location = Union[ast.expr, ast.stmt]


def stub_definitions(text: str, tree: ast.Module, locations: Sequence[Location],
                     must_stub: Sequence[ast.stmt] = (), mark: bool = False) -> Optional[str]:
    """`text` with what holds no location stubbed out, so libcst parses less.

    Every function and class that holds no location becomes a stub of the same lines:
    `def name(): pass`, or for a definition of several lines `def name():` and a triple-quoted
    string over the lines in between (one token, which libcst parses far faster than as many
    blank lines). In a module of many top-level statements, each run of statements that holds
    no location and names nothing the kept statements name becomes one such string too, so
    a 150,000-line module costs libcst its few relevant lines.

    Line numbers and the text of every kept line are unchanged, so positions and `# noqa` stay
    right, and every name a kept statement uses is bound the same number of times.

    `must_stub`: top-level statements libcst must not see (nested too deep); None when one of
    them cannot be stubbed (it holds a location, or a kept statement names what it names).
    `mark`: each stub holds the string STUB_MARK + "FIRST-LAST" (its lines), so the fixer can
    put the original lines back around what it rewrote (see `unstub`).
    """
    lines = sorted({node.lineno for node in locations})
    spans: List[Tuple[int, int, str]] = []  # (first line, last line, stub)
    in_runs: Set[int] = set()  # ids of the top-level statements inside a stubbed run
    if len(tree.body) >= _RUNS_FROM or must_stub:
        for first, last, statements in _unrelated_runs(tree.body, lines, text,
                                                       one_line=bool(must_stub)):
            spans.append((first, last, ""))
            in_runs.update(map(id, statements))
    for statement in must_stub:
        if id(statement) in in_runs:
            continue
        if not isinstance(statement, _DEFINITIONS) or holds_line(
                lines, first_line(statement), statement.end_lineno or statement.lineno):
            return None  # a definition holding no location is stubbed below

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if id(child) in in_runs:
                continue
            if isinstance(child, _DEFINITIONS):
                first = first_line(child)
                last = child.end_lineno or child.lineno
                index = bisect.bisect_left(lines, first)
                if index < len(lines) and lines[index] <= last:
                    visit(child)
                else:
                    head = f"class {child.name}:" if isinstance(child, ast.ClassDef) else (
                        f"def {child.name}():")
                    spans.append((first, last, head))
            elif isinstance(child, _BLOCKS):
                visit(child)

    visit(tree)
    if not spans:
        return text
    pieces = _LINE_BREAK.split(text)  # line, break, line, break, ..., last line
    for first, last, head in spans:
        at = 2 * (first - 1)
        # `_INDENT` matches the empty string too: its match is never None
        indent = _INDENT.match(pieces[at]).group()  # type: ignore[union-attr]
        label = f"{STUB_MARK}{first}-{last}" if mark else ""
        if first == last:
            body = f'"{label}"' if mark else "pass"
            pieces[at] = f"{indent}{head} {body}" if head else body
            continue
        pieces[at] = f'{indent}{head} """{label}' if head else f'"""{label}'
        for line in range(first + 1, last):
            pieces[2 * (line - 1)] = ""
        pieces[2 * (last - 1)] = '"""'
    return "".join(pieces)


STUB_MARK = "corptls-stub-"
_STUB_LABEL = re.compile(re.escape(STUB_MARK) + r"(\d+)-(\d+)")


def stub_spans(sliced: str) -> List[Tuple[int, int]]:
    """The (first, last) lines of each stub that `stub_definitions(..., mark=True)` wrote."""
    return [(int(match.group(1)), int(match.group(2)))
            for match in _STUB_LABEL.finditer(sliced)]


def stubbed_text(sliced: str, original: str) -> Optional[str]:
    """The lines of `original` that the marked `sliced` text stubbed out, joined; None when
    the two do not have the same lines."""
    lines = _split_lines(original)
    if len(lines) != len(_split_lines(sliced)):
        return None
    return "".join(line for first, last in stub_spans(sliced) for line in lines[first - 1:last])


def unstub(rewritten: str, sliced: str, original: str) -> Optional[str]:
    """`rewritten` (a rewrite of the marked `sliced` text of `original`) with each stub's lines
    replaced by the original lines it stands for. None when a stub is missing, out of order or
    changed: the rewrite then has to be done on the whole text."""
    old_lines = _split_lines(sliced)
    new_lines = _split_lines(rewritten)
    source_lines = _split_lines(original)
    if len(old_lines) != len(source_lines):
        return None
    starts = [0]  # the offset in `rewritten` where each of its lines starts
    for line in new_lines:
        starts.append(starts[-1] + len(line))
    out: List[str] = []
    cursor = 0  # the first line of `rewritten` not yet copied
    labels = _STUB_LABEL.finditer(rewritten)
    for first, last in stub_spans(sliced):
        match = next(labels, None)
        if match is None or (int(match.group(1)), int(match.group(2))) != (first, last):
            return None
        at_line = bisect.bisect_right(starts, match.start()) - 1  # the line holding the label
        count = last - first + 1
        if at_line < cursor or new_lines[at_line:at_line + count] != old_lines[first - 1:last]:
            return None
        out.extend(new_lines[cursor:at_line])
        out.extend(source_lines[first - 1:last])
        cursor = at_line + count
    if next(labels, None) is not None:
        return None
    out.extend(new_lines[cursor:])
    return "".join(out)


def _split_lines(text: str) -> List[str]:
    """Lines with their breaks (CR LF, CR or LF, as `_LINE_BREAK` counts them)."""
    pieces = _LINE_BREAK.split(text)
    lines = [pieces[i] + pieces[i + 1] for i in range(0, len(pieces) - 1, 2)]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


# Below this many top-level statements, stubbing definitions is all the slicing there is.
_RUNS_FROM = 200


def first_line(node: Location) -> int:
    decorators: Optional[List[ast.expr]] = getattr(node, "decorator_list", None)
    if not decorators:
        return node.lineno
    return min(min(d.lineno for d in decorators), node.lineno)


def _unrelated_runs(body: Sequence[ast.stmt], location_lines: Sequence[int], text: str,
                    one_line: bool = False) -> Iterator[Tuple[int, int, List[ast.stmt]]]:
    """Runs of top-level statements that hold no location, import nothing and name nothing
    that a kept statement names (followed to a fixpoint): (first line, last line, statements).
    A run sharing a line with a kept statement (`a = 1; b = 2`) is not stubbed, nor (unless
    `one_line`) a run of one line, which costs libcst little."""
    spans = [(first_line(node), node.end_lineno or node.lineno) for node in body]
    pieces = _LINE_BREAK.split(text)
    source_lines = pieces[::2]
    kept = [isinstance(node, (ast.Import, ast.ImportFrom))
            or holds_line(location_lines, *span) for node, span in zip(body, spans)]
    # the search looks for names as written: a text that spells one with look-alikes
    # (`ＣA = ...` binds `CA`) goes to the index of words as Python reads them
    if lookalikes.spelled_otherwise(text) or not _keep_naming_statements(
            kept, spans, source_lines, pieces, text):
        _keep_naming_statements_indexed(kept, spans, source_lines)
    index = 0
    while index < len(body):
        if kept[index]:
            index += 1
            continue
        start = index
        while index < len(body) and not kept[index]:
            index += 1
        first, last = spans[start][0], spans[index - 1][1]
        before = spans[start - 1][1] if start else 0
        after = spans[index][0] if index < len(body) else last + 1
        if before < first and last < after and (last > first or one_line):
            yield first, last, list(body[start:index])


def _keep_naming_statements_indexed(kept: List[bool], spans: Sequence[Tuple[int, int]],
                                    source_lines: Sequence[str]) -> None:
    """Keep every statement that names something a kept statement names, to a fixpoint, from
    an index of every statement's words."""
    mentions = [_words(source_lines[first - 1:last]) for first, last in spans]
    by_name: Dict[str, List[int]] = {}
    for index, names in enumerate(mentions):
        for name in names:
            by_name.setdefault(name, []).append(index)
    pending = [name for index, names in enumerate(mentions) if kept[index] for name in names]
    seen: Set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for index in by_name.get(name, ()):
            if not kept[index]:
                kept[index] = True
                pending.extend(mentions[index])


# Rounds of text searches `_keep_naming_statements` tries before building the full index.
_SEARCH_ROUNDS = 8
# More names than this in one round are found by reading the text's identifiers once.
_ALTERNATIVES = 16


def _keep_naming_statements(kept: List[bool], spans: Sequence[Tuple[int, int]],
                            source_lines: Sequence[str], pieces: Sequence[str],
                            text: str) -> bool:
    """The same fixpoint as `_keep_naming_statements_indexed`, without the words of every
    statement: each round searches the text for the names new to it and reads the words of
    only the statements where one occurs (a superset of those that name it, as the search
    asks for no boundary before the name). False, with `kept` unchanged, when the fixpoint
    needs more than _SEARCH_ROUNDS rounds (long chains of names): then the index is cheaper."""
    line_starts = [0]  # the offset in `text` where each line starts
    for index in range(0, len(pieces) - 1, 2):
        line_starts.append(line_starts[-1] + len(pieces[index]) + len(pieces[index + 1]))
    first_lines = [first for first, _ in spans]
    result = list(kept)
    seen: Set[str] = set()
    new: Set[str] = set()
    occurrences: Optional[Dict[str, Set[int]]] = None  # identifier -> the lines holding it
    for index, is_kept in enumerate(result):
        if is_kept:
            new |= _words(source_lines[spans[index][0] - 1:spans[index][1]])
    for _ in range(_SEARCH_ROUNDS):
        new -= seen
        if not new:
            kept[:] = result
            return True
        seen |= new
        if len(new) > _ALTERNATIVES and occurrences is None:
            # a regular expression of many names tries each at every offset: one pass over
            # the identifiers costs less (pip's pkg_resources: 0.25 s -> 0.03 s)
            occurrences = _lines_of_identifiers(text, line_starts)
        if occurrences is not None:
            lines: Iterable[int] = sorted({line for name in new
                                           for line in occurrences.get(name, ())})
        else:
            pattern = re.compile("(?:%s)(?!\\w)" % "|".join(
                map(re.escape, sorted(new, key=len, reverse=True))))
            lines = (bisect.bisect_right(line_starts, match.start())
                     for match in pattern.finditer(text))
        found: Set[str] = set()
        checked: Set[int] = set()
        for line in lines:
            index = bisect.bisect_right(first_lines, line) - 1
            # every statement on that line (`a = 1; b = 2` are two)
            while index >= 0 and spans[index][1] >= line:
                if not result[index] and index not in checked:
                    checked.add(index)
                    words = _words(source_lines[spans[index][0] - 1:spans[index][1]])
                    if words & seen:
                        result[index] = True
                        found |= words
                index -= 1
        new = found
    return False


def _lines_of_identifiers(text: str, line_starts: Sequence[int]) -> Dict[str, Set[int]]:
    """Each identifier of `text` as written -> the lines (from 1) it occurs on, given the
    offset each line starts at."""
    found: Dict[str, Set[int]] = {}
    line, count = 1, len(line_starts)
    for match in _IDENTIFIER.finditer(text):
        at = match.start()
        while line < count and line_starts[line] <= at:
            line += 1
        found.setdefault(match.group(), set()).add(line)
    return found


def lines_holding(data: bytes, words: Iterable[str]) -> List[int]:
    """The sorted line numbers (as Python counts them: \\n, \\r\\n and \\r end a line) on which
    any of the words occurs in `data`."""
    offsets = sorted(match.start() for word in words
                     for match in re.finditer(re.escape(word.encode()), data))
    if not offsets:
        return []
    breaks = [match.end() for match in _BYTE_LINE_BREAK.finditer(data, 0, offsets[-1])]
    return sorted({bisect.bisect_right(breaks, offset) + 1 for offset in offsets})


_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def holds_line(lines: Sequence[int], first: int, last: int) -> bool:
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= last


def _words(lines: Sequence[str]) -> Set[str]:
    """The identifiers in a statement's lines as Python reads them (`ＣA` is `CA`), keywords
    aside. Words in strings, comments and attribute names count too: more statements are kept,
    never fewer."""
    found = set(map(identifier, _IDENTIFIER.findall("\n".join(lines))))
    found.difference_update(_KEYWORDS)
    return found


_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(getattr(keyword, "softkwlist", ()))
