"""The shared types every room passes around: findings, fixes, settings, tasks and outcomes.

It imports nothing of the package, so any module may import it."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


class Applicability(enum.Enum):
    """How sure a fix is, as ruff grades it."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Target:
    """A configured `MODULE:EXPR` value such as `corp_tls:CA_BUNDLE`."""

    module: str
    expr: str

    @classmethod
    def parse(cls, text: str, key: str = "ca-bundle") -> "Target":
        """Parse `MODULE:NAME[.ATTR...]`, with an optional empty call `()` where `key` is
        "session-factory" or "ssl-context". Raise ValueError with the grammar when malformed:
        the text is written into fixed code, so it must be names and dots, nothing else."""
        callable_ok = key in CALLABLE_TARGETS
        grammar = "MODULE:NAME[.ATTR...]" + ("[()]" if callable_ok else "")
        module, sep, expr = text.partition(":")
        call = "()" if callable_ok and expr.endswith("()") else ""
        names = expr[:len(expr) - len(call)]
        if not sep or not is_dotted_name(module) or not is_dotted_name(names):
            raise ValueError(f"expected {grammar} (identifiers only), got {text!r}")
        # stored as Python reads it, so a fix writes `CA_BUNDLE` for `ＣA_BUNDLE`
        return cls(_normalized(module), _normalized(names) + call)

    def __str__(self) -> str:
        return f"{self.module}:{self.expr}"

    def module_files(self) -> Tuple[str, str]:
        """The files that can define MODULE, as POSIX paths from the folder its top package
        is in: `a/b.py` or `a/b/__init__.py`. The fixer (a module must not import itself) and
        the trust module's exemption (TLS301, TLS401) both ask which file is the target's."""
        stem = self.module.replace(".", "/")
        return (f"{stem}.py", f"{stem}/__init__.py")

    def may_be_module_file(self, path: str) -> bool:
        """Whether `path` ends with one of `module_files()`: a string test, no file system
        (asked of every file of a run)."""
        return ("/" + path.replace("\\", "/")).endswith(_module_file_suffixes(self.module))


@functools.lru_cache(maxsize=64)
def _module_file_suffixes(module: str) -> Tuple[str, ...]:
    return tuple(f"/{tail}" for tail in Target(module, "").module_files())


# The keys whose target may be called with no arguments (a factory, a context builder).
CALLABLE_TARGETS = ("session-factory", "ssl-context")


def is_dotted_name(text: str) -> bool:
    """`a`, `a.b.c`: identifiers that are not keywords, joined by dots, nothing else. A part is
    judged as Python reads it: `Ｎone` is the keyword `None`."""
    import keyword

    return bool(text) and all(part.isidentifier() and identifier(part).isidentifier()
                              and not keyword.iskeyword(identifier(part))
                              for part in text.split("."))


def _normalized(dotted: str) -> str:
    return ".".join(identifier(part) for part in dotted.split("."))


def identifier(name: str) -> str:
    """A name as Python's parser reads it: NFKC-normalised (PEP 3131), so `ｖerify` is
    `verify` and `ｓsl.ｃontext` names `ssl.context`. Every comparison of a name written in
    code or configuration goes through here; ASCII, nearly every name, is returned as is."""
    if name.isascii():
        return name
    import unicodedata  # only for the rare non-ASCII name

    return unicodedata.normalize("NFKC", name)


@dataclass(frozen=True)
class FixTargets:
    """The trust objects the project configured; a fix that needs a missing one is not offered."""

    ca_bundle: Optional[Target] = None
    session_factory: Optional[Target] = None
    ssl_context: Optional[Target] = None


@dataclass(frozen=True)
class Fix:
    """What a fix does, for --fix, --diff and the json/sarif outputs."""

    description: str
    applicability: Applicability = Applicability.SAFE
    # The new source text of the rewritten node (None where the fix removes a statement).
    replacement: Optional[str] = None
    # Where the rewritten node is (it may differ from the reported node): 1-based lines and
    # columns, the end exclusive, as Diagnostic's. 0 when unknown.
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0
    # The imports the fix needs, as statements one a line (`from corp_tls import CA_BUNDLE`);
    # --fix merges each into an existing `from corp_tls import ...`. None when the names are
    # already imported. Two only for httpx without `ssl-context`: `from ssl import
    # create_default_context` too.
    import_statement: Optional[str] = None


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. `line` and `col` are 1-based, as flake8 prints them."""

    path: str
    line: int
    col: int
    code: str
    message: str
    end_line: int = 0
    end_col: int = 0
    name: str = field(default="", compare=False)
    fix: Optional[Fix] = field(default=None, compare=False)
    # The configuration key that would make this finding fixable, when it is not.
    fix_needs: Optional[str] = field(default=None, compare=False)

    def format_text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


@dataclass(frozen=True)
class ImportOrder:
    """How the project's import sorter (ruff's `I` rules or isort) orders imports: what a fix
    needs to put an import where the sorter would (see fixing/import_order.py). The defaults
    are ruff's; `source` names the file the settings came from ("" for the defaults)."""

    known_first_party: Tuple[str, ...] = ()
    known_third_party: Tuple[str, ...] = ()
    known_local_folder: Tuple[str, ...] = ()
    extra_standard_library: Tuple[str, ...] = ()
    # the top-level modules and packages found in the project's source folders (`src`,
    # default "." and "src"): first-party for the sorter, as for ruff and isort
    src_modules: Tuple[str, ...] = ()
    force_sort_within_sections: bool = False
    force_single_line: bool = False
    order_by_type: bool = True
    case_sensitive: bool = False
    combine_as_imports: bool = False
    from_first: bool = False
    split_on_trailing_comma: bool = True
    line_length: int = 88
    source: str = ""


@dataclass(frozen=True)
class Settings:
    """The effective settings for linting one file."""

    enabled: Tuple[str, ...] = ()
    targets: FixTargets = FixTargets()
    # `insecure-keywords` (TLS105's wrapper flags); empty: the rule's defaults
    insecure_keywords: Tuple[str, ...] = ()
    # only a fix reads it: check mode keeps the default (so the cache key does not change)
    import_order: ImportOrder = ImportOrder()


@dataclass(frozen=True)
class FileTask:
    """One file to process. `source` holds standard input's bytes for `-`."""

    path: str
    settings: Settings
    mode: str = "check"  # "check" | "fix" | "diff"
    unsafe_fixes: bool = False
    source: Optional[bytes] = None
    verbose: bool = False
    # the codes whose trigger words the runner already found in `source` (not searched again)
    screened: Optional[Tuple[str, ...]] = None


@dataclass
class FileOutcome:
    """What processing one file produced: its remaining findings, and what fixing did."""

    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    fixed: int = 0
    diff: str = ""
    # How many of `fixed` were unsafe fixes (--diff shows them without --unsafe-fixes).
    fixed_unsafe: int = 0
    # `fixed` per rule code, for the table --fix prints.
    fixed_codes: Dict[str, int] = field(default_factory=dict)


class ConfigError(Exception):
    """A configuration or usage problem; the CLI prints it in one line and exits 2."""


@dataclass(frozen=True)
class RuleDoc:
    """A code's documentation: what `--explain` prints and `docs/rules/<code>.md` holds.

    `default` is "on", "off" or "always" (TLS000 and TLS001, which are not selectable rules).
    """

    code: str
    name: str
    default: str
    fix_keys: Tuple[str, ...]
    body: str
    has_fix: bool = False
