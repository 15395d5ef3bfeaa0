"""Proxies on 127.0.0.1 for the doctor's tests: a real TLS-inspecting proxy (mitmproxy's
`mitmdump`, in explicit and reverse mode) and a small CONNECT proxy that can refuse (407, 403).

mitmdump is found through CORPTLS_MITMDUMP (set by .ci/run, which installs mitmproxy in its
own venv) or PATH. Readiness is a polled connect, never a fixed sleep.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import List, Optional, Sequence

from doctor_pki import LoopbackServer

READY_WITHIN = 60.0  # seconds for mitmdump to start listening (its first start makes a CA)


def find_mitmdump() -> Optional[str]:
    configured = os.environ.get("CORPTLS_MITMDUMP")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("mitmdump")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, process: Optional[subprocess.Popen] = None,
                   within: float = READY_WITHIN) -> None:
    """Poll a connect to 127.0.0.1:port until it is accepted."""
    deadline = time.monotonic() + within
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"mitmdump exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {within:.0f} s")
            time.sleep(0.05)  # between polls only: the readiness test is the connect


class Mitmdump:
    """mitmdump on 127.0.0.1, verifying upstream servers with `upstream_ca` (the test PKI's
    root): `mode` "regular" (an explicit proxy, HTTPS_PROXY) or "reverse:https://host:port"
    (transparent interception: clients connect to it as if it were the server)."""

    def __init__(self, executable: str, confdir: Path, upstream_ca: str, mode: str = "regular"):
        self.executable, self.confdir, self.mode = executable, confdir, mode
        self.upstream_ca = upstream_ca
        self.port = 0
        self.process: Optional[subprocess.Popen] = None
        self.log = confdir / f"mitmdump-{mode.split(':')[0]}.log"

    @property
    def ca_cert(self) -> str:
        """The CA mitmdump signs with (made in confdir at its first start)."""
        return str(self.confdir / "mitmproxy-ca-cert.pem")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Mitmdump":
        # The free port is picked before mitmdump binds it: another process may take it in
        # between, so a start that fails is tried again on a new port (three times at most).
        for attempt in range(3):
            self.port = free_port()
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(
                    [self.executable, "--mode", self.mode, "--listen-host", "127.0.0.1",
                     "--listen-port", str(self.port), "--set", f"confdir={self.confdir}",
                     "--set", f"ssl_verify_upstream_trusted_ca={self.upstream_ca}",
                     "--set", "termlog_verbosity=warn", "--set", "flow_detail=0"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                wait_listening(self.port, self.process)
                return self
            except RuntimeError as error:
                self.__exit__()
                if attempt == 2:
                    raise RuntimeError(f"{error}: {self.log.read_text(errors='replace')[-2000:]}")
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ConnectProxy(LoopbackServer):
    """A small HTTP CONNECT proxy on 127.0.0.1 that tunnels to 127.0.0.1 only. `answer` is the
    status line to refuse every CONNECT with ("407 Proxy Authentication Required"), or None;
    with `credentials` ("Basic ..."), a CONNECT without that Proxy-Authorization gets 407.
    `requests_seen` keeps every request head received."""

    def __init__(self, answer: Optional[str] = None, credentials: Optional[str] = None,
                 challenges: Sequence[str] = ('Basic realm="test"',), body: bytes = b"",
                 tls: Optional[ssl.SSLContext] = None):
        """`challenges` are the Proxy-Authenticate values of a 407, `body` its body (sent with
        the head in one write); with `tls`, the proxy speaks TLS first (an https:// proxy)."""
        self.answer, self.credentials = answer, credentials
        self.challenges, self.body, self.tls = challenges, body, tls
        self.requests_seen: List[str] = []
        super().__init__(backlog=16)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _refuse(self, client: socket.socket, status: str) -> None:
        extra = "".join(f"Proxy-Authenticate: {challenge}\r\n" for challenge in self.challenges) \
            if status.startswith("407") else ""
        body = self.body if status.startswith("407") else b""
        client.sendall(f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(body)}\r\n"
                       f"Connection: close\r\n\r\n".encode("ascii") + body)

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(10)
        if self.tls is not None:
            try:
                client = self.tls.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                client.close()
                return  # the client refused the proxy's certificate
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
                if head[:1] == b"\x16":  # a TLS ClientHello: answer as a plain-HTTP proxy does
                    return self._refuse(client, "400 Bad Request")
            text = head.decode("latin-1")
            self.requests_seen.append(text)
            lines = text.split("\r\n")
            method, target = lines[0].split(" ")[:2]
            headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
                       for line in lines[1:] if ":" in line}
            if self.answer is not None:
                return self._refuse(client, self.answer)
            if self.credentials and headers.get("proxy-authorization") != self.credentials:
                return self._refuse(client, "407 Proxy Authentication Required")
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or host.strip("[]") not in ("localhost", "127.0.0.1"):
                return self._refuse(client, "403 Forbidden")
            try:
                upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
            except OSError:
                return self._refuse(client, "502 Bad Gateway")
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _relay(client, upstream)


def _relay(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    while True:
        # a TLS socket may hold decrypted bytes select() cannot see
        readable = [sock for sock in sockets if isinstance(sock, ssl.SSLSocket) and sock.pending()]
        if not readable:
            readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for sock in readable:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            (b if sock is a else a).sendall(data)
