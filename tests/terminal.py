"""Running the console script with a pseudo-terminal on stdout or stderr (colour, progress)."""

import os
import pty
import re
import subprocess
import threading

from conftest import console_script

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args, cwd, env_extra=(), terminal="stdout"):
    """Run the console script with stdout or stderr on a pseudo-terminal; return what the
    terminal showed and what went to the other stream."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "PRE_COMMIT", "NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "120", **dict(env_extra)})
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, terminal: slave}
    process = subprocess.Popen([console_script(), *map(str, args)], cwd=cwd, env=env,
                               stdin=subprocess.DEVNULL, **streams)
    os.close(slave)
    other = process.stderr if terminal == "stdout" else process.stdout
    rest = []  # read on a thread, so a full pipe cannot stall the child
    reader = threading.Thread(target=lambda: rest.append(other.read()))
    reader.start()
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=120)
    reader.join()
    os.close(master)
    return process.returncode, shown.decode("utf-8", "replace"), rest[0].decode()


def without_ansi(text):
    return _ANSI.sub("", text).replace("\r", "")
