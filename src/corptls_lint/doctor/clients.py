"""Each client's own verdict on the host: where a client is installed, it is asked (a real
request with its own settings, its own trust and its own route), never judged by another
client's rules. requests, httpx, the ssl module (through urllib.request), pip and botocore run
`client_probe.py` in the environment under diagnosis; git runs `git ls-remote`, curl a plain
request, the AWS CLI (when botocore is not importable here) `aws s3api list-buckets
--no-sign-request` against the host. All at once, each within its timeout.

A client "works" when it finished a verified TLS handshake with the host, whatever the HTTP
answer (the doctor judges TLS, not the service)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from corptls_lint.doctor import client_probe
from corptls_lint.doctor.target import Target

# The clients a verdict is given for, in the order they are listed.
NAMES = ("requests", "httpx", "ssl", "pip", "git", "botocore", "curl")
TIMEOUT = 10.0
# A Python client's script imports its package first (pip's takes a second on a slow machine).
STARTUP = 30.0


@dataclass(frozen=True)
class Attempt:
    """What one client did: `stage` is "answered" (verified TLS, then any HTTP answer), "tls",
    "proxy", "config" (a setting it cannot use) or "connect"."""

    name: str
    installed: bool
    version: Optional[str] = None
    ok: Optional[bool] = None
    stage: str = ""
    detail: str = ""
    route: Optional[str] = None  # the proxy it went through, None when direct or unknown


def _env(environ: Mapping[str, str], **extra: str) -> Dict[str, str]:
    env = dict(environ)
    env.setdefault("PATH", os.environ.get("PATH", os.defpath))
    env.update(extra)
    return env


def _which(program: str, environ: Mapping[str, str]) -> Optional[str]:
    return shutil.which(program, path=_env(environ)["PATH"])


def _python(name: str, url: str, environ: Mapping[str, str], timeout: float) -> Attempt:
    script = client_probe.__file__
    try:
        result = subprocess.run([sys.executable, script, name, url, str(timeout)],
                                capture_output=True, text=True, env=_env(environ),
                                timeout=timeout * 2 + STARTUP, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Attempt(name, True, ok=False, stage="connect",
                       detail=f"no answer within {timeout * 2 + STARTUP:.0f} s")
    lines = result.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, ValueError):
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return Attempt(name, True, ok=False, stage="config", detail=last[:400])
    if not answer.get("installed"):
        return Attempt(name, False)
    version = answer.get("version")
    if name == "ssl" and version:  # "OpenSSL 3.0.19 27 Jan 2026"
        version = " ".join(version.split()[:2])
    return Attempt(name, True, version, bool(answer["ok"]), answer["stage"],
                   answer["detail"], answer.get("route"))


# libcurl's messages (git and curl), the first match deciding; a failure none of them names is
# a failure ("connect"): only these prove that TLS was done.
CURL_STAGES = (
    ("tls", ("ssl certificate problem", "verification failed", "certificate verify",
             "no alternative certificate subject name", "does not match target host name",
             "certificate subject name")),
    ("config", ("error setting certificate", "problem with the ssl ca cert",
                "error reading ca cert", "ca certificate set failed")),
    ("proxy", ("from proxy after connect", "proxy", "tunnel failed", "response 407")),
    ("tls", ("gnutls", "ssl_connect", "ssl routines", "tls", "ssl")),
    ("answered", ("returned error", "not found", "not valid", "empty reply",
                  "did not send all necessary objects", "repository")),
)


def curl_stage(text: str) -> str:
    lowered = text.lower()
    for stage, markers in CURL_STAGES:
        if any(marker in lowered for marker in markers):
            return stage
    return "connect"


def _run(argv: List[str], env: Dict[str, str], timeout: float) -> Optional[
        subprocess.CompletedProcess[str]]:
    try:
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except (subprocess.TimeoutExpired, OSError):
        return None


def _version(argv: List[str], env: Dict[str, str]) -> Optional[str]:
    return _cached_version(tuple(argv), env.get("PATH", ""))


@functools.lru_cache(maxsize=16)
def _cached_version(argv: Tuple[str, ...], path: str) -> Optional[str]:
    """A program's version line (the AWS CLI takes seconds to say it: once per process)."""
    result = _run(list(argv), _env(os.environ, PATH=path), STARTUP)
    text = (result.stdout or result.stderr).strip() if result else ""
    return text.splitlines()[0] if text else None


def _libcurl_attempt(name: str, result: Optional[subprocess.CompletedProcess[str]],
                     version: Optional[str], timeout: float) -> Attempt:
    if result is None:
        return Attempt(name, True, version, False, "connect",
                       f"no answer within {timeout:.0f} s")
    text = " ".join((result.stderr.strip().splitlines() or [""])[0].split())  # curl's first line
    stage = "answered" if result.returncode == 0 else curl_stage(result.stderr)
    if name == "curl" and result.returncode in (52, 18, 8):  # empty or odd reply: TLS done
        stage = "answered"
    detail = re.sub(r"^fatal: ", "", text)[:400]
    return Attempt(name, True, version, stage == "answered", stage, detail)


def _git(url: str, environ: Mapping[str, str], timeout: float) -> Attempt:
    git = _which("git", environ)
    if git is None:
        return Attempt("git", False)
    env = _env(environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="", SSH_ASKPASS="",
               GIT_HTTP_LOW_SPEED_LIMIT="1", GIT_HTTP_LOW_SPEED_TIME=str(int(timeout)))
    found = _version([git, "--version"], env)
    version = found.split()[-1] if found else None
    result = _run([git, "ls-remote", url], env, timeout + 10)
    return _libcurl_attempt("git", result, version, timeout)


def _curl(url: str, environ: Mapping[str, str], timeout: float) -> Attempt:
    curl = _which("curl", environ)
    if curl is None:
        return Attempt("curl", False)
    env = _env(environ)
    version = _version([curl, "--version"], env)
    version = " ".join(version.split()[:2]) if version else None
    result = _run([curl, "-sS", "-o", os.devnull, "--connect-timeout", str(int(timeout)),
                   "--max-time", str(int(timeout)), url], env, timeout + 10)
    return _libcurl_attempt("curl", result, version, timeout)


AWS_STAGES = (
    ("tls", ("ssl validation failed", "certificate verify failed")),
    ("proxy", ("failed to connect to proxy",)),
    ("connect", ("could not connect to the endpoint", "connect timeout", "read timeout")),
)


def _aws_cli(url: str, environ: Mapping[str, str], timeout: float) -> Attempt:
    aws = _which("aws", environ)
    if aws is None:
        return Attempt("botocore", False)
    env = _env(environ, AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard", AWS_PAGER="",
               AWS_EC2_METADATA_DISABLED="true")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    found = _version([aws, "--version"], env) or ""
    parts = dict(part.split("/", 1) for part in found.split() if "/" in part)
    version = f"aws-cli {parts['aws-cli']}" if "aws-cli" in parts else None
    if version and "botocore" in parts:
        version += f", botocore {parts['botocore']}"
    if version is None:
        return Attempt("botocore", False)
    result = _run([aws, "s3api", "list-buckets", "--endpoint-url", url, "--no-sign-request",
                   "--cli-connect-timeout", str(int(timeout)), "--cli-read-timeout",
                   str(int(timeout))], env, timeout * 2 + STARTUP)
    if result is None:
        return Attempt("botocore", True, version, False, "connect",
                       f"no answer within {timeout * 2 + STARTUP:.0f} s")
    text = " ".join(result.stderr.split())
    stage = "answered"
    if result.returncode != 0:
        lowered = text.lower()
        stage = next((name for name, markers in AWS_STAGES
                      if any(marker in lowered for marker in markers)), "answered")
    return Attempt("botocore", True, version, stage == "answered", stage, text[:400])


def _botocore(url: str, environ: Mapping[str, str], timeout: float) -> Attempt:
    attempt = _python("botocore", url, environ, timeout)
    return attempt if attempt.installed else _aws_cli(url, environ, timeout)


def _python_client(name: str) -> Callable[[str, Mapping[str, str], float], Attempt]:
    return lambda url, environ, timeout: _python(name, url, environ, timeout)


RUNNERS: Dict[str, Callable[[str, Mapping[str, str], float], Attempt]] = {
    "requests": _python_client("requests"), "httpx": _python_client("httpx"),
    "ssl": _python_client("ssl"), "pip": _python_client("pip"), "git": _git,
    "botocore": _botocore, "curl": _curl}


def ask_all(target: Target, environ: Mapping[str, str], only: Sequence[str] = NAMES,
            timeout: float = TIMEOUT) -> List[Attempt]:
    """The attempt at `target` of every client of `only` (--client), in the order of NAMES;
    the others are not asked (installed None)."""
    asked = [name for name in NAMES if name in only]
    with ThreadPoolExecutor(max_workers=len(asked) or 1) as pool:
        futures = {name: pool.submit(RUNNERS[name], target.url, environ, timeout)
                   for name in asked}
        return [futures[name].result() if name in futures else Attempt(name, False, stage="")
                for name in NAMES]


def bundle_environ(environ: Mapping[str, str], path: str) -> Dict[str, str]:
    """`environ` with every client pointed at `path` (--bundle): a file or a CA folder."""
    env = dict(environ)
    absolute = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(absolute):
        for name in ("SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT",
                     "AWS_CA_BUNDLE"):
            env.pop(name, None)
        env.update(REQUESTS_CA_BUNDLE=absolute, SSL_CERT_DIR=absolute,
                   GIT_SSL_CAPATH=absolute)
        return env
    env.update(REQUESTS_CA_BUNDLE=absolute, SSL_CERT_FILE=absolute, CURL_CA_BUNDLE=absolute,
               GIT_SSL_CAINFO=absolute, PIP_CERT=absolute, AWS_CA_BUNDLE=absolute)
    env.pop("SSL_CERT_DIR", None)
    return env
