"""`--fix` and `--diff` for one file: the fix loop, then a write or a diff.

The loop is ruff's: lint, apply the fixes that do not overlap, re-parse, lint again, until
nothing changes (at most MAX_PASSES times). A pass whose result would not parse discards every
change: the file is left as it was and its findings say why they were not fixed.

Cheap where it can be: a file is checked first as check mode does (sliced), and a file with a
fix to apply is rewritten in that sliced module: the stubs mark the lines they stand for, and
the original lines are put back around the rewrite. The whole text is parsed only when the
stubbed lines name what the rewrite must know about (a target's name, an import it may leave
unused). After a pass the rewritten slice is linted for what remains (see `_recheck`), and
the fixed text is parsed whole again only when a fix is still pending.
"""

from __future__ import annotations

import ast
import difflib
import functools
import os
import re
import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Type

import libcst as cst

from corptls_lint import output
from corptls_lint.checking.byte_screen import forced_rules, screen
from corptls_lint.checking.engine import (PARSE_ERROR, LintResult, lint_module, lint_source,
                                          rules_for, too_complex_error)
from corptls_lint.fixing import edits, imports
from corptls_lint.fixing.fix_requirements import chosen
from corptls_lint.ftypes import (Applicability, Diagnostic, FileOutcome, FileTask, FixTargets,
                                 ImportOrder, Settings)
from corptls_lint.screens import candidates, lookalikes, slicing
from corptls_lint.source import writer
from corptls_lint.source.decoding import DecodeError

if TYPE_CHECKING:
    from corptls_lint.rules.base import FixRequest, Rule

MAX_PASSES = 10
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass
class FixResult:
    """The text after fixing, how many problems the fixes solved, and what remains."""

    text: str
    diagnostics: List[Diagnostic]
    fixed: int = 0
    fixed_unsafe: int = 0
    fixed_codes: Dict[str, int] = field(default_factory=dict)


def fix_text(text: str, path: str, settings: Settings, unsafe: bool = False) -> FixResult:
    """Apply the fixes to `text` until it is stable. Never raises for bad input."""
    # A check first, as check mode runs it (screens, then a sliced parse; a file libcst must
    # not see is refused with the reason): most files hold no fix to apply, and they need no
    # second screen, no full parse and no fix loop.
    check = lint_source(text, path, settings, sliced=True, mark_stubs=True)
    checked = check.diagnostics
    if not any(d.fix is not None and (unsafe or d.fix.applicability is Applicability.SAFE)
               for d in checked):
        return FixResult(text, checked)
    if check.too_complex is not None:  # the check stubbed out what a fix must parse whole
        return FixResult(text, [too_complex_error(path, check.too_complex)])
    rule_classes = check.rules
    assert rule_classes is not None  # a fix is only ever offered by a file libcst parsed
    slice_ = _Slice.of(check, text, settings.targets)
    if slice_ is not None:  # the check's tree holds every node the fixes rewrite
        assert check.module is not None  # _Slice.of asked for it
        module, first = check.module, check
    else:
        try:
            module = cst.parse_module(text)
        except Exception:  # the engine turns the same failure into TLS001
            return FixResult(text, lint_source(text, path, settings).diagnostics)
        first = _lint_full(module, path, rule_classes, settings, text, check.tree)
    current, fixed, fixed_unsafe = text, 0, 0
    fixed_codes: Dict[str, int] = {}
    result = first
    for _ in range(MAX_PASSES):
        codes = {id(report.fix): diagnostic.code for report, diagnostic in result.reports}
        requests = [report.fix for report, diagnostic in result.reports
                    if diagnostic.fix is not None and report.fix is not None
                    and report.fix.node is not None
                    and (unsafe or diagnostic.fix.applicability is Applicability.SAFE)
                    and not _defines_target(path, report.fix, settings.targets)]
        if not requests:
            break
        try:
            # the lint pass's ranges and name table serve the edit too (no second pass)
            chosen, solved = edits.choose_non_overlapping(module, requests, result.positions)
            planner = edits.FixPlanner(module, settings.targets, result.names)
            rewritten = edits.apply(module, planner, chosen, result.positions,
                                    slice_.names if slice_ is not None else None,
                                    _import_order(settings)).code
            rewritten_slice = None
            if slice_ is not None:
                rewritten_slice = rewritten if slice_ is not _WHOLE else None
                rewritten = slice_.unstub(rewritten)
            new_text = _keep_final_newline(text, rewritten)
            compiles = _compiles_if_original_did(new_text, text)
        except (imports.NamedOutsideTheSlice, _StubsMoved):
            # the sliced module cannot answer for this rewrite: the same pass, on the whole text
            try:
                module = cst.parse_module(text)
            except Exception:
                return FixResult(text, lint_source(text, path, settings).diagnostics)
            slice_ = None
            first = result = _lint_full(module, path, rule_classes, settings, text, check.tree)
            continue
        except Exception as error:  # a fix that breaks the code is dropped, never written
            return FixResult(text, _not_fixed(first.diagnostics, _reason(error)))
        if new_text == current:
            break
        current = new_text
        fixed += len(solved)
        fixed_unsafe += sum(1 for r in solved if r.applicability is Applicability.UNSAFE)
        for request in solved:
            fixed_codes[codes[id(request)]] = fixed_codes.get(codes[id(request)], 0) + 1
        # Re-lint the fixed text as a check does (sliced): the full parse and lint only when
        # a fix is still pending, or the sliced parse failed (the full parse says why).
        rechecked = _recheck(current, rewritten_slice if compiles else None, path, settings,
                             rule_classes)
        if not any(d.code == PARSE_ERROR or (d.fix is not None and (
                unsafe or d.fix.applicability is Applicability.SAFE)) for d in rechecked):
            return FixResult(current, rechecked, fixed, fixed_unsafe, fixed_codes)
        try:
            module = _reparse(new_text, text)
        except Exception as error:
            return FixResult(text, _not_fixed(first.diagnostics, _reason(error)))
        slice_ = None
        result = _lint_full(module, path, rule_classes, settings, current)
    return FixResult(current, result.diagnostics, fixed, fixed_unsafe, fixed_codes)


def _import_order(settings: Settings) -> ImportOrder:
    """The project's import order; without a project read from disk (standard input, a bare
    file), the configured targets' modules count as first party: they are the project's own
    trust module in nearly every set-up, and the sorter of a project finds them so."""
    order = settings.import_order
    if order.src_modules:
        return order
    targets = settings.targets
    modules = tuple(sorted({target.module.split(".", 1)[0] for target in (
        targets.ca_bundle, targets.session_factory, targets.ssl_context) if target is not None}))
    return replace(order, src_modules=modules)


class _StubsMoved(Exception):
    """The rewrite of a sliced text lost track of a stub (never expected)."""


class _Slice:
    """The check's sliced text, when a fix may rewrite it instead of the whole file: libcst
    then parses only what the check parsed. A rewrite reads the module's names (does the
    target's name clash, is an import still used); the lines stubbed out must not name any of
    them, else the whole file is parsed after all."""

    def __init__(self, parsed: str, text: str, stubbed: str) -> None:
        self.parsed, self.text, self.stubbed = parsed, text, stubbed

    @classmethod
    def of(cls, check: LintResult, text: str, targets: FixTargets) -> Optional[_Slice]:
        """The slice to rewrite; _WHOLE when the check parsed the whole text; None when the
        whole text must be parsed."""
        if check.module is None or check.parsed is None or check.tree is None:
            return None
        if check.parsed == text:
            return _WHOLE
        if slicing.STUB_MARK in text:
            return None
        spans = slicing.stub_spans(check.parsed)
        if check.tree.body and any(first <= slicing.first_line(check.tree.body[0]) <= last
                                   for first, last in spans):
            return None  # a stub first in the module would pass for its docstring
        stubbed = slicing.stubbed_text(check.parsed, text)
        if stubbed is None or _names_a_target(stubbed, check.tree, targets):
            return None
        return cls(check.parsed, text, stubbed)

    def names(self, name: str) -> bool:
        """Whether the stubbed lines hold `name` as a word (or may, spelled otherwise)."""
        return (re.search(r"(?<![\w])%s(?![\w])" % re.escape(name), self.stubbed) is not None
                or lookalikes.spelled_otherwise(self.stubbed))

    def unstub(self, rewritten: str) -> str:
        full = slicing.unstub(_keep_final_newline(self.parsed, rewritten), self.parsed,
                                 self.text)
        if full is None:
            raise _StubsMoved()
        return full


class _Whole(_Slice):
    """The check parsed the whole text: its module is the file's."""

    def __init__(self) -> None:
        super().__init__("", "", "")

    def names(self, name: str) -> bool:
        return False

    def unstub(self, rewritten: str) -> str:
        return rewritten


_WHOLE = _Whole()


def _names_a_target(stubbed: str, tree: ast.Module, targets: FixTargets) -> bool:
    """Whether the stubbed lines hold a name the targets' references are decided by: the
    target's own name, its module's, the aliases a clash would give, and the local names of
    the module's imports from the target's module."""
    words: List[str] = []
    prefixes: List[str] = []
    for target in (targets.ca_bundle, targets.session_factory, targets.ssl_context):
        if target is None:
            continue
        root = imports.root_name(target.expr)
        words += [root, target.module.split(".")[0]]
        prefixes.append(f"{target.module.replace('.', '_')}_{root}")
        for statement in tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                module = statement.module if isinstance(statement, ast.ImportFrom) else None
                for alias in statement.names:
                    origin = module or alias.name
                    if origin.split(".")[0] == target.module.split(".")[0]:
                        words.append(alias.asname or alias.name.split(".")[0])
    if not words:
        return False
    if lookalikes.spelled_otherwise(stubbed):  # `ＣA_BUNDLE` is `CA_BUNDLE`: not searchable
        return True
    pattern = r"(?<![\w])(?:%s)(?![\w])" % "|".join(map(re.escape, words))
    if prefixes:
        pattern += r"|(?<![\w])(?:%s)" % "|".join(map(re.escape, prefixes))
    return re.search(pattern, stubbed) is not None


def _recheck(text: str, rewritten_slice: Optional[str], path: str, settings: Settings,
             rule_classes: Sequence[Type[Rule]]) -> List[Diagnostic]:
    """The findings of the fixed `text`, as a check finds them.

    When the pass rewrote a slice, that rewritten slice is what is linted: its lines are the
    fixed text's lines, and its stubs, unchanged, still hold no candidate of any rule (the
    first check's candidate screen saw the whole text), so `ast` and libcst parse only the
    slice (a 150,000-line module's few lines). The fixed text is checked from scratch when a
    rule the first check did not keep now has a candidate.
    """
    tree = _ast_tree(rewritten_slice) if rewritten_slice is not None else None
    if rewritten_slice is not None and tree is not None:
        enabled = rules_for(settings.enabled)
        data = text.encode("utf-8", "surrogatepass")
        triggered = set(screen(data, enabled)) | set(forced_rules(data, enabled, settings))
        facts = candidates.FileFacts(tree, rewritten_slice.encode("utf-8", "surrogatepass"))
        kept = facts.screen([rule for rule in enabled if rule in triggered])
        if not kept:
            return []
        if set(kept) <= set(rule_classes):
            try:
                module = cst.parse_module(rewritten_slice)
            except Exception:  # the check from scratch says why
                module = None
            if module is not None:
                return lint_module(module, path, kept, settings.targets,
                                   insecure_keywords=settings.insecure_keywords,
                                   ast_tree=tree, source_text=text).diagnostics
    return lint_source(text, path, settings, sliced=True).diagnostics


def _lint_full(module: cst.Module, path: str, rule_classes: Sequence[Type[Rule]],
               settings: Settings,
               text: str, tree: Optional[ast.Module] = None) -> LintResult:
    """Lint the whole parsed module (its nodes are what the fixes rewrite). `tree`: the
    stdlib tree of `text` when the check already parsed it."""
    return lint_module(module, path, rule_classes, settings.targets,
                       insecure_keywords=settings.insecure_keywords,
                       ast_tree=tree if tree is not None else _ast_tree(text), source_text=text)


def _ast_tree(text: str) -> Optional[ast.Module]:
    """The stdlib tree of `text`: the lint pass then computes the ranges of the functions and
    classes around findings only. None when `ast` cannot parse `text`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _keep_final_newline(original: str, new_text: str) -> str:
    """libcst drops the final line break of a file whose lines end in a bare CR: put it back."""
    if original.endswith("\r") and not new_text.endswith(("\r", "\n")):
        return new_text + "\r"
    return new_text


def _defines_target(path: str, request: FixRequest, targets: FixTargets) -> bool:
    """True in the module that defines the target itself (corp_tls.py must not import itself)."""
    kind, _ = chosen(request, targets)
    target = edits.target_of(kind, targets)
    if target is None:
        return False
    return target.may_be_module_file(path)


class _FixBrokeTheCode(Exception):
    pass


def _reparse(new_text: str, original: str) -> cst.Module:
    """Parse the fixed text; Python itself must accept it too when it accepted the original."""
    try:
        module = cst.parse_module(new_text)
    except cst.ParserSyntaxError as error:  # CPython's words are clearer than libcst's
        reason = _python_error(new_text) or error.message.splitlines()[0]
        raise _FixBrokeTheCode(f"the result would not parse: {reason}") from None
    _compiles_if_original_did(new_text, original)
    return module


def _compiles_if_original_did(new_text: str, original: str) -> bool:
    """Whether `new_text` compiles; raises when it does not and `original` did."""
    reason = _python_error(new_text)
    # the original is compiled only to excuse a failure (most fixed texts compile)
    if reason is not None and _original_compiles(original):
        raise _FixBrokeTheCode(f"the result would not parse: {reason}")
    return reason is None


@functools.lru_cache(maxsize=1)
def _original_compiles(original: str) -> bool:
    """Asked after every pass of one file's loop: compiled once."""
    return _python_error(original) is None


def _python_error(text: str) -> Optional[str]:
    """Why CPython rejects `text`, or None when it accepts it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # a full compile also catches what the parser lets through (`yield` at top level)
            compile(text, "<fixed>", "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"{error.msg} (line {error.lineno})"
        except (ValueError, RecursionError, MemoryError) as error:
            return f"{type(error).__name__}: {error}"
    return None


def _reason(error: Exception) -> str:
    if isinstance(error, _FixBrokeTheCode):
        return str(error)
    return f"internal error while fixing: {type(error).__name__}: {error}"


def _not_fixed(diagnostics: Sequence[Diagnostic], reason: str) -> List[Diagnostic]:
    """The findings of an unfixed file; the fixable ones say why the fix was not applied."""
    return [replace(d, message=f"{d.message} (not fixed: {reason}; file left unchanged)")
            if d.fix is not None else d for d in diagnostics]


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff as `patch -p0` reads it; a missing final newline is marked as diff does."""
    lines = difflib.unified_diff(_LINE.findall(before), _LINE.findall(after),
                                 fromfile=path, tofile=path)
    out = []
    for line in lines:
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def fix_file(task: FileTask) -> FileOutcome:
    """`--fix` (write the file) or `--diff` (return the diff): the fixing side of process_file."""
    try:
        source = (writer.from_bytes(task.path, task.source) if task.source is not None
                  else writer.read_source(task.path))
    except (OSError, DecodeError):  # the engine reports it as TLS001, the same as a check
        from corptls_lint.checking.engine import lint_path

        result = (lint_source(task.source, task.path, task.settings)
                  if task.source is not None else lint_path(task.path, task.settings))
        return FileOutcome(task.path, result.diagnostics)
    if task.mode == "fix" and task.source is None:  # what a killed run left, whether or not
        writer.remove_stale_temporaries(os.path.dirname(os.path.realpath(task.path)) or ".")
    unsafe = task.unsafe_fixes or task.mode == "diff"  # --diff always shows the unsafe fixes
    fixed = fix_text(source.text, task.path, task.settings, unsafe)
    outcome = FileOutcome(task.path, fixed.diagnostics, fixed.fixed)
    outcome.fixed_unsafe = fixed.fixed_unsafe
    outcome.fixed_codes = fixed.fixed_codes
    if fixed.text == source.text:
        return outcome
    if task.mode == "diff":
        outcome.diff = unified_diff(task.path, source.text, fixed.text)
        return outcome
    if task.source is not None:  # standard input is never written back
        return outcome
    try:
        writer.write_source(source, fixed.text)
    except writer.WriteError as error:
        unfixed = lint_source(source.data, task.path, task.settings)
        return FileOutcome(task.path, _not_fixed(unfixed.diagnostics, str(error)))
    return outcome


def _problems(count: int) -> str:
    return f"{count} problem" if count == 1 else f"{count} problems"


def summary_lines(outcomes: Sequence[FileOutcome], mode: str, unsafe_fixes: bool) -> List[str]:
    """What `--fix` and `--diff` print to stderr after the findings or the diff."""
    fixed = sum(outcome.fixed for outcome in outcomes)
    remaining = [d for outcome in outcomes for d in outcome.diagnostics]
    if mode == "diff":
        lines = [f"Would fix {_problems(fixed)} ({len(remaining)} remaining)."]
        unsafe = sum(outcome.fixed_unsafe for outcome in outcomes)
        if unsafe and not unsafe_fixes:
            lines.append(f"{unsafe} of these fixes {'is' if unsafe == 1 else 'are'} unsafe: "
                         "--fix applies them only with --unsafe-fixes.")
        return lines
    if not fixed and not remaining:
        return ["All checks passed!"]
    lines = [f"Fixed {_problems(fixed)} ({len(remaining)} remaining)."]
    hidden = output.unsafe_fix_count(remaining)
    if hidden and not unsafe_fixes:
        lines.append(f"{hidden} more fixable with --unsafe-fixes.")
    return lines


def fix_table(outcomes: Sequence[FileOutcome], unsafe_fixes: bool) -> List[str]:
    """After --fix: per code, how many were fixed and how many remain, and why they remain,
    so the rest of a migration can be planned."""
    fixed: Dict[str, int] = {}
    for outcome in outcomes:
        if not outcome.diff:  # a --diff outcome fixed nothing on disk
            for code, count in outcome.fixed_codes.items():
                fixed[code] = fixed.get(code, 0) + count
    reasons: Dict[str, Dict[str, int]] = {}
    for outcome in outcomes:
        for diagnostic in outcome.diagnostics:
            why = reasons.setdefault(diagnostic.code, {})
            reason = _why_remaining(diagnostic, unsafe_fixes)
            why[reason] = why.get(reason, 0) + 1
    codes = sorted(set(fixed) | set(reasons))
    if not codes:
        return []
    lines = ["code    fixed  remaining  why remaining"]
    for code in codes:
        explained = "; ".join(f"{count} {reason}" for reason, count in sorted(
            reasons.get(code, {}).items(), key=lambda item: (-item[1], item[0])))
        remaining = sum(reasons.get(code, {}).values())
        lines.append(f"{code:<7} {fixed.get(code, 0):>5}  {remaining:>9}  {explained}".rstrip())
    return lines


def _why_remaining(diagnostic: Diagnostic, unsafe_fixes: bool) -> str:
    if diagnostic.fix_needs is not None:
        return f"no target configured ({diagnostic.fix_needs})"
    if "(not fixed: " in diagnostic.message:
        return "fix not applied (see the message)"
    if diagnostic.fix is not None and not unsafe_fixes and (
            diagnostic.fix.applicability is Applicability.UNSAFE):
        return "unsafe fix (--unsafe-fixes, then review)"
    if diagnostic.fix is not None:
        return "fix overlapped another"
    return "needs a person's decision (no automatic fix)"
