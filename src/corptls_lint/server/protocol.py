"""`corptls-lint server`: the Language Server Protocol over stdio, on pygls.

What an editor gets:

- diagnostics when a document is opened or saved, when it changes after a pause, and
  DEBOUNCE_SECONDS after the last change of a burst of typing (changes less than that apart);
  each with its code, message, severity (a rule's finding is a warning,
  a file that cannot be parsed an error), the rule's page (`codeDescription.href`) and source
  `corptls-lint`. A text that does not parse keeps the findings of its last text that did,
  plus the one syntax error (TLS001), until it parses again;
- code actions: a quick fix per fixable finding (an unsafe fix says so in its title), "Fix all
  corptls-lint problems" (`source.fixAll.corptls-lint`: every safe fix, as `--fix`), and
  "Add noqa for TLSxxx" for every finding. Each edit is computed on the document's current
  text and version (`linting`, `text_edits`), never on the file on disk;
- the configuration read again when a configuration file changes (the client's file
  watchers, registered for `**/*.toml`, or a changed mtime of a file read, see `linting`);
  every open document is linted again then.

Documents are synchronised whole (`TextDocumentSyncKind.Full`): the server splits lines as the
protocol does (`text_edits`), never as `str.splitlines` would.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar, Union
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from corptls_lint import __version__
from corptls_lint.checking.engine import INTERNAL_ERROR, PARSE_ERROR
from corptls_lint.ftypes import Applicability, ConfigError, Diagnostic
from corptls_lint.output.common import TOOL_NAME, help_uri
from corptls_lint.server import text_edits
from corptls_lint.server.linting import UNSILENCEABLE, Linter, with_noqa

SOURCE = TOOL_NAME
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.{TOOL_NAME}"
FIX_ALL_TITLE = "Fix all corptls-lint problems"
# A burst of typing (changes less than this apart) is linted once, this long after its last
# change; a change after a pause is linted at once (docs/integrations/language-server.md has
# the figures of benchmarks/server_latency.py).
DEBOUNCE_SECONDS = 0.15
# What the client is asked to watch: configuration files (pyproject.toml, corptls-lint.toml,
# an `extend`ed table, ruff's and isort's settings for the imports a fix adds).
WATCHED_GLOBS = ("**/*.toml", "**/setup.cfg", "**/.isort.cfg", "**/tox.ini")
_RUN_PROBLEMS = (PARSE_ERROR, INTERNAL_ERROR)
# What a code action does (its data says, for codeAction/resolve).
_FIX, _NOQA, _FIX_ALL = "fix", "noqa", "fixAll"
# A quick fix's title by the fix's kind (rules.base.FixRequest): what the edit does.
_FIX_TITLES = {
    "ca-bundle": "use the configured CA bundle",
    "add-verify": "pass the configured CA bundle",
    "ssl-context": "use the configured SSL context",
    "session-factory": "use the configured session factory",
    "replace-keyword": "use the configured trust setting",
    "secure-dict": "use the configured trust setting",
    "secure-and-add": "verify with the configured trust setting",
    "secure-literal": "turn verification back on",
    "remove-argument": "remove the argument",
    "remove-statement": "remove the statement",
}

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


@dataclass
class _Document:
    """What the server knows of one open document."""

    uri: str
    path: str
    text: str = ""
    version: Optional[int] = None
    linted_version: Optional[int] = None
    linted_generation: int = -1
    diagnostics: List[Diagnostic] = field(default_factory=list)  # the current text's
    last_parsed: List[Diagnostic] = field(default_factory=list)  # of the last text that parsed
    pending: Optional[asyncio.TimerHandle] = None
    last_change: float = float("-inf")  # the event loop's time of the last change


class CorpTLSServer(LanguageServer):
    def __init__(self, linter: Linter) -> None:
        super().__init__(TOOL_NAME, __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.linter = linter
        self.documents: Dict[str, _Document] = {}
        self._shown_errors: Set[str] = set()
        self.shut_down = False  # the client asked for a shutdown before its exit
        self._register()

    # -- wiring ------------------------------------------------------------------------------

    def _on(self, method: str, handler: _Handler, options: Optional[object] = None) -> None:
        """Handle `method` with a bound method (pygls tags the function it is given, which a
        bound method cannot take: a plain function calls it)."""
        def call(params: Any) -> Any:
            return handler(params)

        self.feature(method, options)(call)

    def _register(self) -> None:
        self._on(types.INITIALIZED, self._initialized)
        self._on(types.TEXT_DOCUMENT_DID_OPEN, self._did_open)
        self._on(types.TEXT_DOCUMENT_DID_CHANGE, self._did_change)
        self._on(types.TEXT_DOCUMENT_DID_SAVE, self._did_save)
        self._on(types.TEXT_DOCUMENT_DID_CLOSE, self._did_close)
        self._on(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, self._did_change_watched_files)
        self._on(types.TEXT_DOCUMENT_CODE_ACTION, self._code_action, types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=True))
        self._on(types.CODE_ACTION_RESOLVE, self._resolve)
        self._on(types.SHUTDOWN, self._shutdown)

    def _initialized(self, params: types.InitializedParams) -> None:
        """Ask the client to watch the configuration files, where it can."""
        capabilities = self.client_capabilities
        watched = (capabilities.workspace.did_change_watched_files
                   if capabilities.workspace is not None else None)
        if watched is None or not watched.dynamic_registration:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
        self.client_register_capability(types.RegistrationParams(registrations=[
            types.Registration(
                id=f"{TOOL_NAME}-configuration", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers))]))

    # -- documents ---------------------------------------------------------------------------

    def _did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        document = self.documents[item.uri] = _Document(item.uri, path_of(item.uri, self))
        document.text, document.version = item.text, item.version
        self._lint(document)

    def _did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return
        document.text = self.workspace.get_text_document(document.uri).source  # pygls applied it
        document.version = params.text_document.version
        loop = asyncio.get_running_loop()
        now, last = loop.time(), document.last_change
        document.last_change = now
        if document.pending is None and now - last >= DEBOUNCE_SECONDS:
            self._lint(document)  # a change after a pause (a paste, an applied fix): at once
            return
        self._cancel(document)  # a burst of typing: once, when it stops
        document.pending = loop.call_later(DEBOUNCE_SECONDS, self._lint, document)

    def _did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        document = self.documents.get(params.text_document.uri)
        if document is not None:
            self._lint(document)

    def _did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        document = self.documents.pop(params.text_document.uri, None)
        if document is not None:
            self._cancel(document)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=document.uri, diagnostics=[]))

    def _did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        self.linter.reload()
        self._lint_stale()

    def _shutdown(self, params: None) -> None:
        self.shut_down = True
        for document in self.documents.values():
            self._cancel(document)

    @staticmethod
    def _cancel(document: _Document) -> None:
        if document.pending is not None:
            document.pending.cancel()
            document.pending = None

    # -- linting -----------------------------------------------------------------------------

    def _lint(self, document: _Document) -> None:
        """Lint the document's current text now, and publish its diagnostics."""
        self._cancel(document)
        generation = self.linter.generation
        try:
            found = self.linter.lint(document.path, document.text)
        except ConfigError as error:
            self._show_error(f"{TOOL_NAME}: {error}")
            found = []
        document.linted_version = document.version
        document.linted_generation = self.linter.generation
        run_problems = [d for d in found if d.code in _RUN_PROBLEMS]
        if any(d.code == PARSE_ERROR for d in found):
            # the last findings stay while the user types a statement through
            found = document.last_parsed + run_problems
        else:
            document.last_parsed = found
        document.diagnostics = found
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=document.uri, version=document.version,
            diagnostics=[self._diagnostic(document.text, d) for d in found]))
        if self.linter.generation != generation:  # the configuration changed meanwhile
            self._lint_stale()

    def _lint_stale(self) -> None:
        """Lint every open document the current configuration has not linted."""
        for document in list(self.documents.values()):
            if document.linted_generation != self.linter.generation:
                self._lint(document)

    def _current(self, document: _Document) -> List[Diagnostic]:
        """The findings of the document's current text (linted now if a change is pending)."""
        if (document.linted_version != document.version or document.pending is not None
                or document.linted_generation != self.linter.generation):
            self._lint(document)
        return document.diagnostics

    def _show_error(self, message: str) -> None:
        """A configuration error, shown once (each lint would raise it again)."""
        sys.stderr.write(message + "\n")
        if message not in self._shown_errors:
            self._shown_errors.add(message)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))

    # -- code actions ------------------------------------------------------------------------

    def _code_action(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        """The actions for the findings the range touches, and "fix all" where a safe fix is
        left. A client that resolves code actions gets them without their edits, computed
        by `_resolve` for the one chosen (an editor asks at every move of the cursor)."""
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return []
        wanted = params.context.only
        diagnostics = self._current(document)
        if any(d.code == PARSE_ERROR for d in diagnostics):
            return []  # no fix applies to a text that does not parse; its findings are old
        lines = text_edits.line_contents(document.text)
        touched = [d for d in diagnostics if _overlaps(self._range(lines, d), params.range)]
        plans: List[Tuple[str, Optional[Diagnostic]]] = []
        if _wants(wanted, types.CodeActionKind.QuickFix):
            plans += [(_FIX, d) for d in touched
                      if d.fix is not None and d.code not in _RUN_PROBLEMS]
            plans += [(_NOQA, d) for d in touched if d.code not in UNSILENCEABLE]
        lazy = self._resolves_edits()
        if (_wants(wanted, FIX_ALL_KIND) and (lazy or wanted or touched)
                and any(d.fix is not None and d.fix.applicability is Applicability.SAFE
                        for d in diagnostics)):
            plans.append((_FIX_ALL, None))
        actions = []
        for what, diagnostic in plans:
            action = self._plan(document, what, diagnostic)
            if not lazy:
                action.edit = self._edit(document, what, diagnostic)
                if action.edit is None:  # the fix would break the code: the finding says so
                    continue
            actions.append(action)
        return actions

    def _resolve(self, action: types.CodeAction) -> types.CodeAction:
        """The edit of an action `_code_action` listed, on the document's text, if it is still
        the text the action was listed for (else no edit: the editor applies nothing)."""
        data = action.data if isinstance(action.data, dict) else {}
        document = self.documents.get(str(data.get("uri")))
        if document is None or document.version != data.get("version"):
            return action
        at = data.get("at")
        diagnostic = None
        if at is not None:
            found = [d for d in self._current(document) if _key(d) == list(at)]
            if not found:
                return action
            diagnostic = found[0]
        action.edit = self._edit(document, str(data.get("do")), diagnostic)
        return action

    def _resolves_edits(self) -> bool:
        code_action = (self.client_capabilities.text_document.code_action
                       if self.client_capabilities.text_document is not None else None)
        resolve = code_action.resolve_support if code_action is not None else None
        return resolve is not None and "edit" in resolve.properties

    def _plan(self, document: _Document, what: str,
              diagnostic: Optional[Diagnostic]) -> types.CodeAction:
        """The action without its edit: title, kind, the finding, what `_resolve` needs."""
        data = {"uri": document.uri, "version": document.version, "do": what,
                "at": _key(diagnostic) if diagnostic is not None else None}
        if diagnostic is None:
            return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data=data)
        lsp_diagnostics = [self._diagnostic(document.text, diagnostic)]
        if what == _NOQA:
            return types.CodeAction(title=f"Add noqa for {diagnostic.code}",
                                    kind=types.CodeActionKind.QuickFix,
                                    diagnostics=lsp_diagnostics, data=data)
        fix = diagnostic.fix
        assert fix is not None
        unsafe = fix.applicability is Applicability.UNSAFE
        title = (f"Fix {diagnostic.code}{' (unsafe)' if unsafe else ''}: "
                 f"{_FIX_TITLES.get(fix.description, fix.description)}")
        return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                                diagnostics=lsp_diagnostics, is_preferred=not unsafe,
                                data=data)

    def _edit(self, document: _Document, what: str,
              diagnostic: Optional[Diagnostic]) -> Optional[types.WorkspaceEdit]:
        """The minimal edits of the action on the document's current text; None when it would
        change nothing."""
        text = document.text
        if what == _FIX_ALL:
            new_text = self.linter.fix_all(document.path, text)
        elif what == _NOQA and diagnostic is not None:
            new_text = with_noqa(text, diagnostic)
        elif what == _FIX and diagnostic is not None:
            new_text = self.linter.fix_one(document.path, text, diagnostic)
        else:
            return None
        if new_text == text:
            return None
        lines = text_edits.line_contents(text)
        encoding = self._encoding()
        edits: List[Union[types.TextEdit, types.AnnotatedTextEdit, types.SnippetTextEdit]] = [
            types.TextEdit(range=types.Range(_position(lines, edit.start, encoding),
                                             _position(lines, edit.end, encoding)),
                           new_text=edit.new_text)
            for edit in text_edits.minimal_edits(text, new_text)]
        return self._workspace_edit(document, edits)

    def _workspace_edit(self, document: _Document, edits: List[Any]) -> types.WorkspaceEdit:
        """Versioned (`documentChanges`) where the client takes it: an edit of an older text is
        then refused, never applied to the wrong lines."""
        capabilities = self.client_capabilities.workspace
        edit_capabilities = capabilities.workspace_edit if capabilities is not None else None
        if edit_capabilities is not None and edit_capabilities.document_changes:
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=document.uri, version=document.version),
                edits=edits)])
        return types.WorkspaceEdit(changes={document.uri: edits})

    # -- conversions -------------------------------------------------------------------------

    def _encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(encoding.value if isinstance(encoding, types.PositionEncodingKind)
                   else encoding or text_edits.UTF16)

    def _range(self, lines: List[str], diagnostic: Diagnostic) -> types.Range:
        """The finding's span: from its line and column to its end, or to the end of its line
        when the end is not known (a syntax error's line)."""
        encoding = self._encoding()
        start = text_edits.Position(diagnostic.line - 1, diagnostic.col - 1)
        if diagnostic.end_line:
            end = text_edits.Position(diagnostic.end_line - 1, diagnostic.end_col - 1)
        else:
            end = text_edits.Position(start.line, len(_line(lines, start.line)))
        return types.Range(_position(lines, start, encoding), _position(lines, end, encoding))

    def _diagnostic(self, text: str, diagnostic: Diagnostic) -> types.Diagnostic:
        lines = text_edits.line_contents(text)
        run_problem = diagnostic.code in _RUN_PROBLEMS
        return types.Diagnostic(
            range=self._range(lines, diagnostic), message=diagnostic.message,
            severity=(types.DiagnosticSeverity.Error if run_problem
                      else types.DiagnosticSeverity.Warning),
            code=diagnostic.code,
            code_description=types.CodeDescription(href=help_uri(diagnostic.code)),
            source=SOURCE)


def _key(diagnostic: Diagnostic) -> List[object]:
    """What identifies a finding of one version of a document, in a code action's data."""
    return [diagnostic.line, diagnostic.col, diagnostic.end_line, diagnostic.end_col,
            diagnostic.code]


def _line(lines: List[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def _position(lines: List[str], position: text_edits.Position,
              encoding: str) -> types.Position:
    """A position in the client's units; a line past the end is the end of the text."""
    if position.line >= len(lines):
        return types.Position(line=len(lines) - 1,
                              character=text_edits.client_column(lines[-1], len(lines[-1]),
                                                                 encoding))
    line = lines[max(position.line, 0)]
    col = min(max(position.col, 0), len(line))
    return types.Position(line=max(position.line, 0),
                          character=text_edits.client_column(line, col, encoding))


def _overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges share a position, ends included (a cursor at a finding's end)."""
    def key(position: types.Position) -> Tuple[int, int]:
        return position.line, position.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _wants(only: Optional[Sequence[str]], kind: str) -> bool:
    """Whether a request limited to the kinds `only` asks for actions of `kind` (a kind
    includes its sub-kinds: `source.fixAll` asks for `source.fixAll.corptls-lint`)."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def path_of(uri: str, server: Optional[LanguageServer] = None) -> str:
    """The file a document's URI names, which decides its configuration; for a document that
    is not a file (an unsaved `untitled:` buffer), a name in the workspace's folder."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        from pygls.uris import to_fs_path

        path = to_fs_path(uri)
        if path is not None:
            return path
    import os

    root = server.workspace.root_path if server is not None else None
    return os.path.join(root or os.getcwd(), os.path.basename(unquote(parsed.path)) or "untitled.py")


def start(linter: Linter) -> int:
    """Serve over stdin and stdout until the client says exit (or goes away); 0 when it asked
    for a shutdown first, else 1, as the protocol has it. Nothing else may write to stdout:
    it is the protocol's, so the linter's stray prints go to stderr."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    server = CorpTLSServer(linter)
    server.start_io(stdin, stdout)
    return 0 if server.shut_down else 1
