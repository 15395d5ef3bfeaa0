"""A small Language Server Protocol client over stdio, as an editor is one: it starts
`corptls-lint server`, sends requests and notifications as JSON-RPC with Content-Length
headers, answers the server's own requests (registerCapability), and waits for what the
server sends: a test waits for a message, never sleeps. Used by tests/test_server.py and
benchmarks/server_latency.py."""

from __future__ import annotations

import json
import queue
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

# Long enough for a loaded two-core machine; reached only when the server never answers.
TIMEOUT = 60.0

# What a full-featured editor announces: versioned edits, dynamic file watchers, code actions.
CAPABILITIES: Dict[str, Any] = {
    "workspace": {
        "workspaceEdit": {"documentChanges": True},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
    },
    "textDocument": {
        "synchronization": {"didSave": True},
        "publishDiagnostics": {"versionSupport": True, "codeDescriptionSupport": True},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
            "valueSet": ["quickfix", "source", "source.fixAll"]}}},
    },
}


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


class ServerError(Exception):
    pass


class LspClient:
    def __init__(self, command: Sequence[str], cwd: Path,
                 env: Optional[Dict[str, str]] = None) -> None:
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(list(command), cwd=cwd, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr)
        self._incoming: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self._backlog: List[Dict[str, Any]] = []
        self._next_id = 0
        self.server_requests: List[Dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    # -- the wire ----------------------------------------------------------------------------

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self._incoming.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None, "a message without Content-Length"
            self._incoming.put(json.loads(stream.read(length).decode("utf-8")))

    def send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any = None) -> Any:
        self._next_id += 1
        ident = self._next_id
        self.send({"id": ident, "method": method, "params": params})
        reply = self.wait_for(lambda m: m.get("id") == ident and "method" not in m)
        if "error" in reply:
            raise ServerError(reply["error"])
        return reply.get("result")

    def wait_for(self, wanted: Callable[[Dict[str, Any]], bool],
                 timeout: float = TIMEOUT) -> Dict[str, Any]:
        """The first message, earlier ones not yet taken included, that `wanted` accepts."""
        for index, message in enumerate(self._backlog):
            if wanted(message):
                return self._backlog.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self._incoming.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise TimeoutError(f"no such message in {timeout}s; stderr:\n"
                                   f"{self.stderr_text()}") from None
            if message is None:
                self._incoming.put(None)
                raise ServerError(f"the server closed its output; stderr:\n{self.stderr_text()}")
            if "method" in message and "id" in message:  # the server asks: answer as editors do
                self.server_requests.append(message)
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return message
            self._backlog.append(message)

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    # -- the protocol ------------------------------------------------------------------------

    def initialize(self, root: Path, capabilities: Optional[Dict[str, Any]] = None) -> Any:
        result = self.request("initialize", {
            "processId": None, "rootUri": uri_of(root),
            "capabilities": CAPABILITIES if capabilities is None else capabilities,
            "workspaceFolders": [{"uri": uri_of(root), "name": root.name}]})
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: Optional[str] = None, version: int = 1) -> str:
        uri = uri_of(path)
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": version,
            "text": path.read_text() if text is None else text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})

    def save(self, uri: str) -> None:
        self.notify("textDocument/didSave", {"textDocument": {"uri": uri}})

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def diagnostics(self, uri: str, version: Optional[int] = None) -> List[Dict[str, Any]]:
        """The next diagnostics published for `uri` (for its `version`, when given)."""
        message = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == uri
                                and (version is None or m["params"].get("version") == version))
        return list(message["params"]["diagnostics"])

    def code_actions(self, uri: str, start: Sequence[int], end: Sequence[int],
                     only: Optional[List[str]] = None) -> List[Dict[str, Any]]:
        context: Dict[str, Any] = {"diagnostics": []}
        if only is not None:
            context["only"] = only
        return list(self.request("textDocument/codeAction", {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": start[0], "character": start[1]},
                      "end": {"line": end[0], "character": end[1]}},
            "context": context}) or [])

    def shutdown_and_exit(self) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.wait()

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            self.stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.stderr.closed:
            self.stderr.close()


def apply_text_edits(text: str, edits: List[Dict[str, Any]]) -> str:
    """`text` after an editor applies the LSP edits (ranges of the original text; UTF-16
    columns; lines split at \\n, \\r\\n and \\r only)."""
    import re

    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: Dict[str, int]) -> int:
        if position["line"] >= len(lines):
            return len(text)
        line = lines[position["line"]].rstrip("\r\n")
        units, col = 0, 0
        while col < len(line) and units < position["character"]:
            units += 2 if ord(line[col]) > 0xFFFF else 1
            col += 1
        return starts[position["line"]] + col

    ordered = sorted(edits, key=lambda e: (e["range"]["start"]["line"],
                                           e["range"]["start"]["character"]), reverse=True)
    for edit in ordered:
        text = (text[:offset(edit["range"]["start"])] + edit["newText"]
                + text[offset(edit["range"]["end"]):])
    return text


def edits_of(action: Dict[str, Any], uri: str) -> List[Dict[str, Any]]:
    """The text edits of a code action for `uri` (either form of WorkspaceEdit)."""
    edit = action["edit"]
    if "documentChanges" in edit:
        return [e for change in edit["documentChanges"]
                if change["textDocument"]["uri"] == uri for e in change["edits"]]
    return list(edit["changes"][uri])
