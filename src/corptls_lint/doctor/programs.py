"""What other programs on this machine trust, so one screen shows why `pip install`, the AWS
SDK, conda or git fail while requests works: pip (PIP_CERT, `cert` in its config files, its
truststore default), botocore (AWS_CA_BUNDLE, `ca_bundle` in ~/.aws/config), conda
(`ssl_verify` in .condarc, CONDA_SSL_VERIFY) and git (GIT_SSL_CAINFO, http.sslCAInfo).

Nothing here imports those programs; their rules are restated (see each function) and the
bundle files they name get the same checks as requests' (bundle.py)."""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

from corptls_lint.doctor.environment import installed_version
from corptls_lint.doctor.ftypes import Check, Status


@dataclass(frozen=True)
class ProgramTrust:
    program: str
    source: str  # where the setting comes from
    cafile: Optional[str]  # the bundle it names, None for a default store
    message: str
    status: Status = Status.OK
    os_store: bool = False  # the OS store is trusted as well as `cafile`


def pip_uses_truststore(version: Optional[str]) -> bool:
    """pip 24.2+ on Python 3.10+ verifies through truststore (the OS store) unless run with
    --use-deprecated=legacy-certs; a `cert` bundle is then loaded into that context as well."""
    return _version_at_least(version, (24, 2)) and sys.version_info >= (3, 10)


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def _ini_value(path: str, sections: Tuple[str, ...], key: str) -> Optional[str]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return None
    value = None
    for section in sections:  # later sections win, as pip's command section over [global]
        if parser.has_option(section, key):
            value = parser.get(section, key).strip()
    return value


def pip_config_files(environ: Mapping[str, str]) -> List[str]:
    """pip's configuration files, lowest precedence first (pip._internal.configuration:
    global, user, site, then PIP_CONFIG_FILE; the user files are skipped when PIP_CONFIG_FILE
    names an existing file; none at all when it is os.devnull, pip's way to turn them off)."""
    if environ.get("PIP_CONFIG_FILE") == os.devnull:  # pip reads no configuration file then
        return []
    home = _home(environ)
    xdg_dirs = (environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
    files = [os.path.join(d, "pip", "pip.conf") for d in xdg_dirs] + ["/etc/pip.conf"]
    config_file = environ.get("PIP_CONFIG_FILE")
    if not (config_file and os.path.exists(config_file)):
        xdg_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        files += [os.path.join(home, ".pip", "pip.conf"), os.path.join(xdg_home, "pip", "pip.conf")]
    files.append(os.path.join(sys.prefix, "pip.conf"))
    if config_file and config_file != os.devnull:
        files.append(config_file)
    return files


PIPS_OWN_CERT = ("from pip._internal.commands import create_command; "
                 "options, _ = create_command('install').parse_args([]); print(options.cert or '')")


def pips_own_cert(environ: Mapping[str, str]) -> Optional[str]:
    """What the installed pip resolves as `pip install`'s cert, from its configuration files
    (every section, PIP_CONFIG_FILE, PIP_CONFIG_FILE=/dev/null), asked in `environ`; "" for
    none, None when pip cannot be asked."""
    env = {key: value for key, value in environ.items() if key != "PIP_CERT"}
    env.setdefault("PATH", os.environ.get("PATH", os.defpath))
    try:
        result = subprocess.run([sys.executable, "-c", PIPS_OWN_CERT], capture_output=True,
                                text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _version_at_least(version: Optional[str], wanted: Tuple[int, ...]) -> bool:
    numbers = tuple(int(part) for part in re.findall(r"\d+", version or "")[:len(wanted)])
    return numbers >= wanted


def pip_trust(environ: Mapping[str, str]) -> ProgramTrust:
    """pip install: REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE first (pip's requests session passes no
    verify= per request, so requests' merge_environment_settings lets the variable win over the
    session's `cert`), then PIP_CERT, then `cert` in the config files ([global], then
    [install]); else, from pip 24.2 on Python 3.10+, the OS store through truststore, before
    that pip's vendored certifi."""
    version = installed_version("pip")
    name = f"pip {version}" if version else "pip (not importable here)"
    configured = None
    if environ.get("PIP_CERT"):
        configured = ("PIP_CERT", environ["PIP_CERT"], f"PIP_CERT={environ['PIP_CERT']}")
    else:
        for path in reversed(pip_config_files(environ)):
            value = _ini_value(path, ("global", "install"), "cert") \
                if os.path.isfile(path) else None
            if value:
                configured = (path, value, f"cert = {value} (in {path})")
                break
        own = pips_own_cert(environ) if version else None
        if own is not None and (configured is None or own != configured[1]) and \
                pip_config_files(environ):
            configured = ("pip config", own, f"cert = {own} (pip's own answer for pip install; "
                                             f"see: pip config debug)") if own else None
    truststore = pip_uses_truststore(version)
    plus = " plus the OS trust store (truststore, pip 24.2+)" if truststore else ""
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if environ.get(variable):
            over = f", over {configured[2]}" if configured else ""
            return ProgramTrust(name, variable, environ[variable],
                                f"{variable}={environ[variable]} (pip's requests session lets "
                                f"it win{over}){plus}", os_store=truststore)
    if configured:
        return ProgramTrust(name, configured[0], configured[1], configured[2] + plus,
                            os_store=truststore)
    if truststore:
        return ProgramTrust(name, "truststore", None,
                            "the OS trust store, through truststore (pip 24.2+ default)")
    spec = importlib.util.find_spec("pip")
    vendored = None
    if spec and spec.submodule_search_locations:
        vendored = os.path.join(list(spec.submodule_search_locations)[0], "_vendor", "certifi",
                                "cacert.pem")
    return ProgramTrust(name, "vendored certifi", vendored,
                        f"pip's own copy of certifi{f' ({vendored})' if vendored else ''}; "
                        f"pip 24.2+ on Python 3.10+ uses the OS store instead")


def botocore_trust(environ: Mapping[str, str]) -> Optional[ProgramTrust]:
    """botocore (boto3, the AWS CLI): AWS_CA_BUNDLE, else `ca_bundle` of the profile in
    ~/.aws/config (AWS_CONFIG_FILE), else its certifi."""
    if environ.get("AWS_CA_BUNDLE"):
        return ProgramTrust("botocore", "AWS_CA_BUNDLE", environ["AWS_CA_BUNDLE"],
                            f"AWS_CA_BUNDLE={environ['AWS_CA_BUNDLE']}")
    config = environ.get("AWS_CONFIG_FILE") or os.path.join(_home(environ), ".aws", "config")
    profile = environ.get("AWS_PROFILE") or "default"
    section = profile if profile == "default" else f"profile {profile}"
    value = _ini_value(config, (section,), "ca_bundle") if os.path.isfile(config) else None
    if value:
        return ProgramTrust("botocore", config, value, f"ca_bundle = {value} (in {config} "
                                                       f"[{section}])")
    if installed_version("botocore") is None:
        return None
    return ProgramTrust("botocore", "certifi", None, "certifi (no AWS_CA_BUNDLE, no ca_bundle)")


def _condarc_value(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                match = re.match(r"^ssl_verify\s*:\s*(.+?)\s*$", line)
                if match:
                    return match.group(1).strip("'\"")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def conda_trust(environ: Mapping[str, str]) -> Optional[ProgramTrust]:
    """conda: CONDA_SSL_VERIFY, else `ssl_verify` in CONDARC, ~/.condarc or ~/.conda/.condarc
    (a path, or true/false)."""
    value, source = environ.get("CONDA_SSL_VERIFY"), "CONDA_SSL_VERIFY"
    if not value:
        home = _home(environ)
        for path in (environ.get("CONDARC"), os.path.join(home, ".condarc"),
                     os.path.join(home, ".conda", ".condarc")):
            if path and os.path.isfile(path):
                value, source = _condarc_value(path), path
                if value:
                    break
    if not value:
        return None
    if value.lower() in ("false", "no", "0"):
        return ProgramTrust("conda", source, None, f"ssl_verify: {value} (in {source}): conda "
                            f"does not verify certificates", Status.FAIL)
    if value.lower() in ("true", "yes", "1"):
        return ProgramTrust("conda", source, None, f"ssl_verify: {value} (in {source}): its "
                            f"requests session's REQUESTS_CA_BUNDLE, else certifi")
    return ProgramTrust("conda", source, value, f"ssl_verify: {value} (in {source})")


def git_trust(environ: Mapping[str, str]) -> Optional[ProgramTrust]:
    """git over https: GIT_SSL_CAINFO, else `git config http.sslCAInfo`, else its TLS
    library's default; GIT_SSL_NO_VERIFY or http.sslVerify=false turn verification off."""
    git = shutil.which("git", path=environ.get("PATH"))
    if environ.get("GIT_SSL_NO_VERIFY"):
        return ProgramTrust("git", "GIT_SSL_NO_VERIFY", None,
                            "GIT_SSL_NO_VERIFY is set: git does not verify certificates",
                            Status.FAIL)
    if environ.get("GIT_SSL_CAINFO"):
        return ProgramTrust("git", "GIT_SSL_CAINFO", environ["GIT_SSL_CAINFO"],
                            f"GIT_SSL_CAINFO={environ['GIT_SSL_CAINFO']}")
    if git is None:
        return None

    def config(key: str) -> Optional[str]:
        try:
            result = subprocess.run([git, "config", "--get", key], capture_output=True,
                                    text=True, timeout=10, env=dict(environ), cwd=_home(environ))
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout.strip() or None

    if (config("http.sslVerify") or "").lower() == "false":
        return ProgramTrust("git", "http.sslVerify", None,
                            "http.sslVerify = false: git does not verify certificates",
                            Status.FAIL)
    cainfo = config("http.sslCAInfo")
    if cainfo:
        return ProgramTrust("git", "http.sslCAInfo", os.path.expanduser(cainfo),
                            f"http.sslCAInfo = {cainfo} (git config)")
    return ProgramTrust("git", "default", None, "its TLS library's default store (no "
                                                "GIT_SSL_CAINFO, no http.sslCAInfo)")


def discover(environ: Mapping[str, str]) -> List[ProgramTrust]:
    found = [pip_trust(environ), botocore_trust(environ), conda_trust(environ),
             git_trust(environ)]
    return [trust for trust in found if trust is not None]


def checks(trusts: List[ProgramTrust]) -> List[Check]:
    return [Check(f"trust-{trust.program.split()[0]}", trust.status,
                  f"{trust.program}: {trust.message}",
                  "turn verification back on and give it the combined bundle instead"
                  if trust.status is Status.FAIL else "") for trust in trusts]
