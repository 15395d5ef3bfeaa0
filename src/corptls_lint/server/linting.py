"""What the language server asks of the linter, without the protocol: an open document's
findings, the text after one finding's fix, after every safe fix, and after a noqa comment.

Each document is linted as `corptls-lint - --stdin-filename PATH` lints it: the settings of
the nearest configuration file above PATH (`running.projects`, with check's defaults), its
per-file-ignores, test-ignore and the trust module's exemption, noqa comments, and the
configuration's baseline (the findings fingerprinted in the buffer's text, not the file on
disk). The text is always the editor's; the path only finds the configuration. A file the
configuration excludes (`exclude`, `.venv`, `build`, ...) is not linted: a library opened by
"go to definition" shows no findings, as ruff's server does.

The configuration is read again when a configuration file or baseline that was read changes
(its size or mtime: checked before each lint, a stat each) or when the editor says a
configuration file changed (`reload`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from corptls_lint.adoption.add_noqa import add_to_text
from corptls_lint.adoption.baseline import filter_findings
from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Diagnostic, Settings
from corptls_lint.running.files import is_force_excluded
from corptls_lint.running.fixer import fix_text
from corptls_lint.running.import_settings import import_order_for
from corptls_lint.running.projects import Projects

# A finding that is about the file, not a line of code, cannot be silenced on a line.
UNSILENCEABLE = ("TLS000", "TLS001")

_Signature = Optional[Tuple[int, int]]  # (mtime_ns, size); None: no such file


def _signature(path: Path) -> _Signature:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


class Linter:
    """The configuration of the workspace's files, and the linter run on their texts.

    `args`: check's options as its parser gives them (the defaults; `--fix` on, so fixes put
    their imports where the project's sorter does). The run's `Projects` is built on first
    use and again after any configuration file it read changed: `generation` counts the
    rebuilds, so the caller knows when every open document needs linting again.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args
        self._projects: Optional[Projects] = None
        self._seen: Dict[Path, _Signature] = {}  # the files the configuration came from
        self.generation = 0

    def reload(self) -> None:
        """Forget the configuration: the next lint reads it again."""
        if self._projects is not None:
            self._projects = None
            self.generation += 1

    def _current(self) -> Projects:
        if self._projects is not None and any(_signature(path) != signature
                                              for path, signature in self._seen.items()):
            self.reload()
        if self._projects is None:
            import_order_for.cache_clear()  # the sorter's settings and source folders too
            self._projects = Projects(self._args)
            self._seen = {}
        return self._projects

    def _note_files(self, projects: Projects) -> None:
        for config in projects.loaded:
            for path in (config.path, config.baseline):
                if path is not None and path not in self._seen:
                    self._seen[path] = _signature(path)

    def settings(self, path: str) -> Optional[Settings]:
        """The settings of the file at `path`, or None when its configuration excludes it.
        Raises ConfigError for a configuration file that is wrong."""
        projects = self._current()
        try:
            config = projects.config_of(path)
            if is_force_excluded(path, config):
                return None
            return projects.settings(path)
        finally:
            self._note_files(projects)

    def lint(self, path: str, text: str) -> List[Diagnostic]:
        """The findings of `text` as the file at `path`, as the CLI reports them."""
        settings = self.settings(path)
        if settings is None:
            return []
        diagnostics = lint_source(text, path, settings, sliced=True).diagnostics
        baseline = self._current().config_of(path).baseline
        if baseline is None or not diagnostics:
            return diagnostics
        kept, _ = filter_findings(diagnostics, lambda _: baseline, [], sources={path: text})
        return kept

    def fix_one(self, path: str, text: str, diagnostic: Diagnostic) -> str:
        """`text` with the fix of `diagnostic` (safe or not) applied, and nothing else; `text`
        itself when there is none to apply."""
        settings = self.settings(path)
        if settings is None or diagnostic.fix is None:
            return text
        return fix_text(text, path, settings, unsafe=True, only=diagnostic).text

    def fix_all(self, path: str, text: str) -> str:
        """`text` after `--fix`: every safe fix, until nothing changes."""
        settings = self.settings(path)
        if settings is None:
            return text
        return fix_text(text, path, settings).text


def with_noqa(text: str, diagnostic: Diagnostic) -> str:
    """`text` with `# noqa: CODE` for `diagnostic` where flake8 reads it (as --add-noqa)."""
    if diagnostic.code in UNSILENCEABLE:
        return text
    codes: Dict[int, Set[str]] = {diagnostic.line: {diagnostic.code}}
    return add_to_text(text, codes)

