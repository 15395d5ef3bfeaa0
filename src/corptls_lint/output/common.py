"""What every output format shares: the context an emitter gets, paths as people and CI read
them, a finding's fingerprint, each rule's metadata (doc page, severity, CWE), the source
lines and the fix of a finding as a diff, and which files are tests.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, TextIO, Tuple

from corptls_lint.ftypes import Diagnostic

TOOL_NAME = "corptls-lint"
REPOSITORY_URL = "https://github.com/corptls/corptls-lint"
DOCS_URL = f"{REPOSITORY_URL}/tree/main/docs"
# Findings about the run itself, not the code: an unparsable file, a rule that crashed.
RUN_PROBLEMS = {"TLS001": ("parse-error", "the file cannot be read, decoded or parsed"),
                "TLS000": ("internal-error", "a rule failed on this file (a bug in corptls-lint)")}
REMOVE_STATEMENT = "remove-statement"
# A JSON object of a format whose schema is someone else's and large (SARIF, GitLab's report,
# a JSON Schema): as json.loads gives it and json.dumps takes it.
JSONObject = Dict[str, Any]


@dataclass
class EmitContext:
    """What an emitter may need besides the findings. `sources` holds text that is not on disk
    (standard input) by the finding's path; `cwd` is where paths are shown relative to."""

    color: bool = False
    terminal: bool = False
    unsafe_fixes: bool = False
    cwd: str = field(default_factory=os.getcwd)
    sources: Dict[str, str] = field(default_factory=dict)
    repository_root: Optional[str] = None
    _lines: Dict[str, Optional[List[str]]] = field(default_factory=dict, init=False)

    @property
    def root(self) -> str:
        """The repository root SARIF, GitHub and GitLab paths are relative to (git's top
        level, else the current folder)."""
        if self.repository_root is None:
            self.repository_root = git_toplevel(self.cwd) or self.cwd
        return self.repository_root

    def lines(self, path: str) -> Optional[List[str]]:
        """The finding's file as lines without their line breaks (None when unreadable)."""
        if path not in self._lines:
            self._lines[path] = _read_lines(path, self.sources.get(path))
        return self._lines[path]


Emitter = Callable[[Sequence[Diagnostic], TextIO, EmitContext], None]


def git_toplevel(cwd: str) -> Optional[str]:
    import subprocess  # only formats that need the repository's root pay for it

    try:
        result = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd,
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    top = result.stdout.strip()
    return top if result.returncode == 0 and top else None


def display_path(path: str, cwd: Optional[str] = None) -> str:
    """The path relative to the current folder without `./` (as ruff prints it); a path
    outside the current folder stays as given. `..` is never collapsed: `link/..` need not be
    the current folder when `link` is a symlink, and the path must name the same file."""
    if path in ("-", "") or os.pardir in path.split(os.sep):
        return path
    if os.path.isabs(path):
        # os.path.relpath, without its per-call normalisation of both paths (a run asks for
        # every file it lints): under the current folder, the rest; elsewhere, as given
        cwd = os.path.normpath(cwd or os.getcwd())
        absolute = os.path.normpath(path)
        if absolute == cwd:
            return os.curdir
        prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
        return absolute[len(prefix):] if absolute.startswith(prefix) else path
    return os.path.normpath(path)  # drops `./`, `//` and a trailing `/` (no `..` here)


def root_relative(path: str, root: str, cwd: str) -> Optional[str]:
    """`path` relative to the repository root, in POSIX form; None when outside it."""
    absolute = os.path.normpath(os.path.join(cwd, path))
    for candidate in (absolute, os.path.realpath(absolute)):
        for base in (root, os.path.realpath(root)):
            relative = os.path.relpath(candidate, base)
            if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
                return Path(relative).as_posix()
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\:]")


def escape_path(path: str) -> str:
    """A path safe to print in `path:LINE:COL: CODE message` lines: control characters (a
    newline would start a forged finding), `:` (a name like `a:1:1: TLS999 x.py` would) and
    the escape character itself become `\\xNN` escapes."""
    if os.name == "nt":  # `\` separates folders there, and `C:` names a drive
        drive, rest = os.path.splitdrive(path)
        return drive + re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029:]", _escape_char, rest)
    return _CONTROL.sub(_escape_char, path)


def escape_message(text: str) -> str:
    """Control characters in a message (which may quote source text) as escapes."""
    return _CONTROL_ONLY.sub(_escape_char, text)


_CONTROL_ONLY = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def escape_source(text: str) -> str:
    """A source line for a terminal: tabs kept (carets align on them), other control
    characters (a terminal escape sequence in a string) as escapes."""
    return _CONTROL_BUT_TAB.sub(_escape_char, text)


def _escape_char(match: "re.Match[str]") -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# -- rule metadata -----------------------------------------------------------------------------

# What code scanning shows per rule, by code prefix unless the rule class says otherwise
# (`security_severity`, `cwe` class attributes): CVSS-like severity and the CWE it belongs to.
_SEVERITY_BY_PREFIX = (
    ("TLS10", "7.4", (295,)),   # verification disabled: any man in the middle reads the traffic
    ("TLS20", "5.3", (295, 778)),  # the warning that would show it is silenced
    ("TLS30", "4.3", (295,)),   # a hardcoded bundle: breaks or goes stale, people turn TLS off
    ("TLS40", "3.7", (295,)),   # default trust where the company CA is needed
    ("TLS50", "5.9", (326, 327)),  # weak protocol versions
    ("TLS", "5.0", (295,)),
)


@dataclass(frozen=True)
class RuleMeta:
    code: str
    name: str
    message: str
    documentation: str
    default_enabled: bool
    fixable: bool
    help_uri: str
    security_severity: str
    cwes: Tuple[int, ...]

    @property
    def tags(self) -> List[str]:
        return ["security"] + [f"external/cwe/cwe-{cwe}" for cwe in self.cwes]

    @property
    def severity_name(self) -> str:
        """GitLab's words for the severity (its Code Quality levels)."""
        score = float(self.security_severity)
        return ("critical" if score >= 9 else "major" if score >= 7 else
                "minor" if score >= 4 else "info")


def help_uri(code: str) -> str:
    return f"{REPOSITORY_URL}/blob/main/docs/rules/{code}.md"


def rule_metadata() -> List[RuleMeta]:
    """Every rule, then the run problems, in the order `--list-rules` prints them."""
    from corptls_lint.rules import ALL_RULES

    metas = []
    for rule in ALL_RULES:
        severity, cwes = _severity(rule.code)
        metas.append(RuleMeta(
            rule.code, rule.name, rule.message, rule.documentation(), rule.default_enabled,
            rule.has_fix, help_uri(rule.code),
            str(getattr(rule, "security_severity", severity)),
            tuple(getattr(rule, "cwe", cwes))))
    for code, (name, description) in RUN_PROBLEMS.items():
        metas.append(RuleMeta(code, name, description, description, True, False,
                              help_uri(code), "0.0", ()))
    return metas


def _severity(code: str) -> Tuple[str, Tuple[int, ...]]:
    for prefix, severity, cwes in _SEVERITY_BY_PREFIX:
        if code.startswith(prefix):
            return severity, cwes
    return "5.0", (295,)


def is_run_problem(d: Diagnostic) -> bool:
    return d.code in RUN_PROBLEMS


# -- fingerprints ------------------------------------------------------------------------------

def normalised_statement(d: Diagnostic, lines: Optional[List[str]]) -> str:
    """The reported lines with all whitespace collapsed: stable when code moves up or down or
    is re-indented, changed when the statement itself changes."""
    if not lines or d.line < 1 or d.line > len(lines):
        return d.message
    end = min(max(d.end_line or d.line, d.line), len(lines))
    return " ".join(" ".join(lines[d.line - 1:end]).split())


def fingerprints(diagnostics: Sequence[Diagnostic], path_of: Callable[[Diagnostic], str],
                 lines_of: Callable[[str], Optional[List[str]]]) -> List[str]:
    """One hex digest per finding: its code, path and normalised statement, plus how many
    identical ones came before it in the file (two equal statements stay distinct)."""
    import hashlib  # only the formats with fingerprints need it

    seen: Counter[Tuple[str, str, str]] = Counter()
    digests = []
    for d in diagnostics:
        key = (d.code, path_of(d), normalised_statement(d, lines_of(d.path)))
        occurrence = seen[key]
        seen[key] += 1
        text = "\0".join((*key, str(occurrence)))
        digests.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return digests


# -- source and fixes --------------------------------------------------------------------------

def _read_lines(path: str, text: Optional[str]) -> Optional[List[str]]:
    if text is None:
        from corptls_lint.source.decoding import decode_source
        from corptls_lint.source.writer import read_regular

        try:  # never a FIFO or device: the finding on it is TLS001 already
            text = decode_source(read_regular(path))
        except Exception:  # unreadable or undecodable: the finding is TLS001 already
            return None
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines  # no line after the last


def fix_diff(d: Diagnostic, lines: Optional[List[str]]) -> List[str]:
    """The fix of one finding as diff lines (`-old`, `+new`), without the import it adds
    (shown apart); empty when the fix's text or location is not known."""
    fix = d.fix
    if fix is None or not lines:
        return []
    line, col, end_line, end_col = ((fix.line, fix.col, fix.end_line, fix.end_col) if fix.line
                                    else (d.line, d.col, d.end_line, d.end_col))
    if not end_line or end_line > len(lines) or line < 1:
        return []
    old = lines[line - 1:end_line]
    if fix.replacement is None:
        if fix.description != REMOVE_STATEMENT:
            return []
        return [f"-{text}" for text in old]
    new = lines[line - 1][:col - 1] + fix.replacement + lines[end_line - 1][end_col - 1:]
    return [f"-{text}" for text in old] + [f"+{text}" for text in new.split("\n")]


def fix_applies(d: Diagnostic, unsafe_fixes: bool) -> bool:
    return d.fix is not None and (unsafe_fixes or d.fix.applicability.value == "safe")


# -- tests versus the rest ---------------------------------------------------------------------

# The default test paths (a configurable `test-paths` can replace them later).
DEFAULT_TEST_GLOBS = ("tests/**", "test/**", "**/test_*.py", "**/*_test.py", "**/conftest.py")


def is_test_path(path: str, globs: Sequence[str] = DEFAULT_TEST_GLOBS) -> bool:
    """True for a test file by its relative POSIX path: `tests/**` matches a `tests` folder
    at any depth, `**/x` a file name anywhere."""
    posix = Path(path).as_posix()
    parts = posix.split("/")
    for pattern in globs:
        if pattern.endswith("/**"):
            folder = pattern[:-3]
            if any(fnmatch.fnmatchcase(part, folder) for part in parts[:-1]):
                return True
        elif pattern.startswith("**/"):
            if fnmatch.fnmatchcase(parts[-1], pattern[3:]):
                return True
        elif fnmatch.fnmatchcase(posix, pattern):
            return True
    return False


def by_file(diagnostics: Sequence[Diagnostic]) -> Iterator[Tuple[str, List[Diagnostic]]]:
    """Findings grouped by path, paths in first-seen order."""
    groups: Dict[str, List[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault(d.path, []).append(d)
    return iter(groups.items())
