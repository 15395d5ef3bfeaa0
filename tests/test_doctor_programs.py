"""The doctor's view of other programs' trust (pip, botocore, conda, git), checked against
pip's and git's own answers in the same test."""

import io
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("cryptography")

from doctor_pki import Pki  # noqa: E402

from corptls_lint.doctor import programs, run_doctor  # noqa: E402

TRUST_VARIABLES = ("PIP_CERT", "PIP_CONFIG_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
                   "AWS_CA_BUNDLE", "AWS_CONFIG_FILE", "AWS_PROFILE", "CONDA_SSL_VERIFY",
                   "CONDARC", "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY", "GIT_CONFIG_GLOBAL",
                   "XDG_CONFIG_HOME", "SSL_CERT_FILE", "SSL_CERT_DIR")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def home(tmp_path, pki):
    """A home folder whose pip, AWS, conda and git settings all name the internal root."""
    home = tmp_path / "home"
    (home / ".config" / "pip").mkdir(parents=True)
    (home / ".config" / "pip" / "pip.conf").write_text(
        f"[global]\ncert = /nowhere/global.pem\n[install]\ncert = {pki.path('root.pem')}\n")
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(
        f"[default]\nregion = eu-west-1\n[profile work]\nca_bundle = {pki.path('root.pem')}\n")
    (home / ".condarc").write_text("channels:\n  - defaults\nssl_verify: false\n")
    (home / ".gitconfig").write_text(f"[http]\n\tsslCAInfo = {pki.path('root.pem')}\n")
    return home


def clean_environ(home, **extra):
    environ = {k: v for k, v in os.environ.items() if k not in TRUST_VARIABLES}
    environ.update(HOME=str(home), AWS_PROFILE="work", GIT_CONFIG_NOSYSTEM="1", **extra)
    return environ


def pips_own_cert(environ):
    """What pip itself resolves as `pip install`'s --cert, with this environment."""
    code = ("from pip._internal.commands import create_command; "
            "options, _ = create_command('install').parse_args([]); print(options.cert)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=environ, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_each_programs_setting_is_found(home, pki):
    environ = clean_environ(home)
    found = {trust.program.split()[0]: trust for trust in programs.discover(environ)}
    root = pki.path("root.pem")
    assert found["pip"].cafile == root == pips_own_cert(environ)
    truststore = programs.pip_uses_truststore(found["pip"].program.split()[1])
    plus = " plus the OS trust store (truststore, pip 24.2+)" if truststore else ""
    assert found["pip"].message == (f"cert = {root} (in {home / '.config' / 'pip' / 'pip.conf'})"
                                    f"{plus}")
    assert (found["botocore"].cafile, found["botocore"].message) == (
        root, f"ca_bundle = {root} (in {home / '.aws' / 'config'} [profile work])")
    assert (found["conda"].status.value, found["conda"].message) == (
        "fail", f"ssl_verify: false (in {home / '.condarc'}): conda does not verify "
                f"certificates")
    git_own = subprocess.run(["git", "config", "--get", "http.sslCAInfo"], capture_output=True,
                             text=True, env=environ, cwd=home).stdout.strip()
    assert found["git"].cafile == root == git_own


def test_variables_win_over_files(home, pki):
    other = pki.path("root-and-intermediate.pem")
    environ = clean_environ(home, PIP_CERT=other, AWS_CA_BUNDLE=other, GIT_SSL_CAINFO=other,
                            CONDA_SSL_VERIFY=other)
    found = {trust.program.split()[0]: trust.cafile for trust in programs.discover(environ)}
    assert found == {"pip": other, "botocore": other, "conda": other, "git": other}
    assert pips_own_cert(environ) == other


def test_the_doctor_checks_each_programs_bundle_in_one_screen(home, pki):
    out = io.StringIO()
    code = run_doctor(None, None, "json", environ=clean_environ(home), stdout=out,
                      stderr=io.StringIO())
    doc = json.loads(out.getvalue())
    [bundle] = [b for b in doc["bundles"] if b["path"] == pki.path("root.pem")]
    assert bundle["used_by"] == ["pip", "botocore", "git"]
    warning = [c for c in bundle["checks"] if c["id"] == "no-public-roots"]
    assert warning[0]["message"].startswith(
        f"{pki.path('root.pem')} holds no public root: pip, botocore, git trust only this file")
    [section] = [s for s in doc["sections"] if s["title"] == "Other programs' trust"]
    assert [(c["id"], c["status"]) for c in section["checks"]] == [
        ("trust-pip", "ok"), ("trust-botocore", "ok"), ("trust-conda", "fail"),
        ("trust-git", "ok")]
    assert code == 1  # conda does not verify
