"""How long `corptls-lint server` takes to publish the diagnostics of a large module, over a
real stdio session, as an editor sees it.

    python benchmarks/server_latency.py [--lines 2000] [--changes 20] [--command CMD ...]

A project with `ca-bundle` configured and one module of --lines lines (an HTTP client layer:
classes, functions, requests and ssl calls, a finding every hundred lines or so) is written
to a temporary folder; the server (`corptls-lint server` next to this interpreter, or
--command) is started there. Measured, from the moment the client has written the
notification to the moment it has read the diagnostics published for that version:

- open: textDocument/didOpen of the module (the first lint, configuration read);
- change: a textDocument/didChange after a pause (a keystroke's edit of a line), --changes
  times: the server lints it at once;
- typing: a burst of keystrokes 40 ms apart, from its last one: the server's debounce (it
  lints a burst once, when it stops), then the lint;
- code action: the quick fix of one finding (its computation included).

Prints the median and the worst of each. The target (issue 29): a 2,000-line module's
diagnostics within 300 ms of a change. --client-every 1 makes every block an HTTP client (the
worst case: nothing for the screens to leave out). CI does not time anything: tests/test_server.py runs
this script once on a small module to see that it works.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from lsp_client import LspClient  # noqa: E402  # the tests' client, a plain stdio one

PAUSE = 0.5  # seconds without a change before a measured one
BURST, KEYSTROKE_GAP = 6, 0.04  # a burst of typing: keystrokes this far apart

PYPROJECT = """[tool.corptls-lint]
ca-bundle = "corp_tls:CA_BUNDLE"
"""

HEADER = '''"""An HTTP client layer, generated for the server's latency benchmark."""

import json
import logging
import ssl

import requests

log = logging.getLogger(__name__)

'''

# Blocks of 20 lines. Most are the code around the HTTP calls (parsing, validation,
# retries); every CLIENT_EVERY-th is a client class with a request and an SSL context, half of
# them with a finding that has a fix (verify=False), some with a hardcoded bundle (TLS301).
PLAIN_BLOCK = '''

def parse_record_{n}(payload, strict=False):
    """Turn record {n} of a response into a dict; None when it is incomplete."""
    if not isinstance(payload, dict):
        raise TypeError(f"record {n}: expected a dict, got {{type(payload).__name__}}")
    fields = {{key.lower(): value for key, value in payload.items() if value is not None}}
    missing = [name for name in ("id", "name", "updated") if name not in fields]
    if missing and strict:
        raise ValueError(f"record {n}: missing {{', '.join(missing)}}")
    if missing:
        log.warning("record %s incomplete: %s", {n}, missing)
        return None
    retries = 0
    while retries < 3 and not fields.get("name"):
        retries += 1
        fields["name"] = str(fields["id"]).strip() or None
    fields["checksum"] = sum(ord(char) for char in json.dumps(fields, sort_keys=True)) % 65521
    return fields
'''

CLIENT_BLOCK = '''

class Service{n}:
    """Calls service {n}."""

    def __init__(self, base_url, token):
        self.base_url = base_url
        self.token = token

    def fetch(self, path, **params):
        url = f"{{self.base_url}}/{{path}}"
        log.debug("GET %s", url)
        response = requests.get(url, params=params, timeout=10, verify={verify})
        response.raise_for_status()
        return json.loads(response.text)

    def context(self):
        context = ssl.create_default_context(cafile={cafile})
        return context
'''
CLIENT_EVERY = 8


def module(lines: int, client_every: int = CLIENT_EVERY) -> str:
    """A module of about `lines` lines (at least one client block); every `client_every`-th
    block a client (1: every block, the worst case: nothing for the screens to leave out)."""
    blocks: List[str] = []
    clients = 0
    while len((HEADER + "".join(blocks)).splitlines()) < lines - 19 or not blocks:
        n = len(blocks)
        if n % client_every == 0:
            blocks.append(CLIENT_BLOCK.format(
                n=n, verify="False" if clients % 2 == 0 else "True",
                cafile='"/etc/ssl/corp.pem"' if clients % 4 == 1 else "None"))
            clients += 1
        else:
            blocks.append(PLAIN_BLOCK.format(n=n))
    return HEADER + "".join(blocks)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _line(name: str, samples: List[float]) -> str:
    return (f"{name:<12} median {_ms(statistics.median(samples)):>7}   "
            f"worst {_ms(max(samples)):>7}   ({len(samples)} runs)")


def measure(command: List[str], lines: int, changes: int, client_every: int) -> List[str]:
    folder = Path(tempfile.mkdtemp(prefix="corptls-server-bench-"))
    try:
        (folder / ".git").mkdir()  # the project's top: configuration is not looked for above
        (folder / "pyproject.toml").write_text(PYPROJECT)
        text = module(lines, client_every)
        path = folder / "services.py"
        path.write_text(text)
        client = LspClient(command, cwd=folder)
        try:
            client.initialize(folder)
            started = time.perf_counter()
            uri = client.open(path, text)
            found = client.diagnostics(uri, 1)
            opened = time.perf_counter() - started
            source_lines = text.splitlines(keepends=True)
            version = 1

            def keystroke() -> int:
                """A comment grows on a line of the module's middle part: the new version."""
                nonlocal version
                version += 1
                index = len(source_lines) // 2 + version % 40
                source_lines[index] = source_lines[index].rstrip("\n") + "#\n"
                client.change(uri, "".join(source_lines), version)
                return version

            change_times, typing_times = [], []
            for _ in range(changes):
                time.sleep(PAUSE)  # the user stopped typing: one change
                started = time.perf_counter()
                client.diagnostics(uri, keystroke())
                change_times.append(time.perf_counter() - started)
                time.sleep(PAUSE)  # a burst of typing: measured from its last keystroke
                for _ in range(BURST - 1):
                    keystroke()
                    time.sleep(KEYSTROKE_GAP)
                started = time.perf_counter()
                client.diagnostics(uri, keystroke())
                typing_times.append(time.perf_counter() - started)
            first = next(d for d in found if d["code"] == "TLS101")["range"]
            action_times = []
            for _ in range(5):
                started = time.perf_counter()
                actions = client.code_actions(uri, (first["start"]["line"],
                                                    first["start"]["character"]),
                                              (first["start"]["line"],
                                               first["start"]["character"]),
                                              only=["quickfix"])
                action_times.append(time.perf_counter() - started)
                assert actions and actions[0]["title"].startswith("Fix TLS101"), actions
            client.shutdown_and_exit()
        finally:
            client.kill()
        return [f"module: {len(text.splitlines())} lines, {len(found)} findings",
                _line("open", [opened]), _line("change", change_times),
                _line("typing", typing_times),
                _line("code action", action_times)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--client-every", type=int, default=CLIENT_EVERY,
                        help="one block in this many is an HTTP client (default: "
                             f"{CLIENT_EVERY}; 1: every block, the worst case)")
    parser.add_argument("--command", nargs="+",
                        default=[str(Path(sys.executable).parent / "corptls-lint"), "server"])
    args = parser.parse_args(argv)
    for line in measure(args.command, args.lines, args.changes, args.client_every):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
