"""Hardening, round 2: what a hostile repository (or another user of the machine) could still
do after round 1 (test_hardening.py): forge the cache where git cannot vouch for it, write
through a committed symlink, hide a package behind a planted file, stop the run with one
undecodable file, plant a configuration above the checkout, hang a fix on a FIFO, crash on a
symlink loop. Each case as the attacker would set it up, through the installed console script."""

import json
import os
import socket
import subprocess
import sys

import pytest

FINDING = 'import requests\nrequests.get("u", verify=False)\n'
FINDING_LINE = ("2:19: TLS101 TLS verification disabled with a falsy verify=; "
                "pass the CA bundle instead")
POLICY_HINT = ("TLS401 (sessions without the company trust settings) is off: configure "
               "'session-factory' in [tool.corptls-lint] or pass --extend-select TLS401.")


def lines(text):
    return text.splitlines()


# -- named paths that are not regular files --------------------------------------------------

@pytest.fixture
def not_regular(tmp_path):
    """A FIFO, a unix socket and a device named on the command line, beside a real finding."""
    os.mkfifo(tmp_path / "pipe.py")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.py"))
    (tmp_path / "app.py").write_text(FINDING)
    yield tmp_path, ["pipe.py", "sock.py", "/dev/null", "app.py"]
    server.close()


NOT_REGULAR = [f"{name}:1:1: TLS001 cannot parse: cannot read: not a regular file"
               for name in ("pipe.py", "sock.py", "/dev/null")]  # in the order named


@pytest.mark.parametrize("mode", [[], ["--fix"], ["--output-format", "full"],
                                  ["--output-format", "html", "-o", "report.html"]])
def test_a_fifo_socket_or_device_is_tls001_and_never_read(run_cli, not_regular, mode):
    folder, names = not_regular
    result = run_cli("--no-cache", *mode, *names, cwd=folder)  # a read would hang: timeout
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    if "-o" in mode:
        report = (folder / "report.html").read_text()
        assert report.count("not a regular file") == 3 and "TLS101" in report
    elif mode == ["--output-format", "full"]:
        assert [line for line in lines(result.stdout) if ": TLS" in line] == (
            NOT_REGULAR + ["app.py:" + FINDING_LINE])
    else:
        assert lines(result.stdout) == NOT_REGULAR + ["app.py:" + FINDING_LINE]
    assert (folder / "app.py").read_text() == FINDING


def test_diff_of_a_fifo_reports_it_and_does_not_hang(run_cli, not_regular):
    folder, names = not_regular
    result = run_cli("--diff", "--output-format", "concise", "-o", "findings.txt", *names,
                     cwd=folder)
    assert result.returncode == 0  # no fix pending: app.py's needs a ca-bundle configured
    assert lines((folder / "findings.txt").read_text()) == (
        NOT_REGULAR + ["app.py:" + FINDING_LINE])
    assert lines(result.stderr)[0] == "Would fix 0 problems (4 remaining)."


@pytest.mark.parametrize("mode, summary", [
    (["--add-noqa"], "Added 1 noqa comment to 1 file."),
    (["--write-baseline", "b.json"], "Wrote 1 finding to the baseline b.json."),
])
def test_adoption_modes_skip_a_fifo_without_reading_it(run_cli, not_regular, mode, summary):
    folder, names = not_regular
    result = run_cli("--no-cache", *mode, *names, cwd=folder)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", summary + "\n")
    if "--write-baseline" in mode:
        recorded = json.loads((folder / "b.json").read_text())["findings"]
        assert [(entry["path"], entry["code"]) for entry in recorded] == [("app.py", "TLS101")]
        again = run_cli("--no-cache", "--baseline", "b.json", *names, cwd=folder)
        assert (again.returncode, lines(again.stdout)) == (1, sorted(NOT_REGULAR))


def test_read_regular_refuses_without_opening_for_a_blocking_read(tmp_path):
    from corptls_lint.source.writer import read_regular

    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(str(tmp_path / "pipe.py"))
    with pytest.raises(IsADirectoryError):
        read_regular(str(tmp_path))


# -- a symlink loop named on the command line --------------------------------------------------

LOOP = "loop1:1:1: TLS001 cannot parse: cannot read: Too many levels of symbolic links"


@pytest.fixture
def loop(tmp_path):
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "app.py").write_text(FINDING)
    return tmp_path


@pytest.mark.parametrize("mode", [[], ["--fix"], ["--statistics"]] + [
    ["--output-format", name] for name in
    ("json", "sarif", "github", "gitlab", "junit", "concise", "full", "html")])
def test_a_symlink_loop_is_tls001_in_every_mode_and_format(run_cli, loop, mode):
    result = run_cli("--no-cache", *mode, "loop1", "app.py", cwd=loop)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr
    if mode in ([], ["--fix"], ["--output-format", "concise"]):
        assert lines(result.stdout)[:2] == [LOOP, "app.py:" + FINDING_LINE]
    elif mode == ["--statistics"]:
        assert lines(result.stdout) == ["1\tTLS001\tparse-error", "1\tTLS101\tverify-disabled"]
    else:
        assert "Too many levels of symbolic links" in result.stdout


@pytest.mark.parametrize("mode, summary", [
    (["--diff"], "Would fix 0 problems (2 remaining)."),
    (["--add-noqa"], "Added 1 noqa comment to 1 file."),
    (["--write-baseline", "b.json"], "Wrote 1 finding to the baseline b.json."),
])
def test_a_symlink_loop_in_the_other_modes_is_no_traceback(run_cli, loop, mode, summary):
    result = run_cli("--no-cache", *mode, "loop1", "app.py", cwd=loop)
    assert result.returncode == 0 and lines(result.stderr)[0] == summary
    assert "Traceback" not in result.stdout + result.stderr
    if "--write-baseline" in mode:
        again = run_cli("--no-cache", "--baseline", "b.json", "loop1", "app.py", cwd=loop)
        assert (again.returncode, lines(again.stdout)) == (1, [LOOP])


def test_a_symlink_loop_on_stdin_and_in_the_configuration_is_one_line(run_cli, loop):
    piped = run_cli("-", "--stdin-filename", "loop1", cwd=loop, input=FINDING)
    assert (piped.returncode, piped.stdout) == (1, "loop1:" + FINDING_LINE + "\n")
    for key in ("baseline", "extend"):
        (loop / "pyproject.toml").write_text(f'[tool.corptls-lint]\n{key} = "loop1"\n')
        result = run_cli("--no-cache", "app.py", cwd=loop)
        assert result.returncode == 2 and len(lines(result.stderr)) == 1, result.stderr
        assert result.stderr.startswith("corptls-lint: error: ")


# -- one undecodable file ----------------------------------------------------------------------

# ASCII bytes under a coding line they are not valid in; the trigger word passes the byte screen
UNDECODABLE = b'# coding: utf-16\nimport requests\nrequests.get("u", verify=False)\n'
UNDECODABLE_LINE = ("bad.py:1:1: TLS001 cannot parse: not valid utf-16-le (byte 0x0a on line 3); "
                    "add a coding line or fix the file's encoding")
CA_CONFIG = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'


@pytest.fixture
def undecodable(tmp_path):
    (tmp_path / "pyproject.toml").write_text(CA_CONFIG)
    (tmp_path / "bad.py").write_bytes(UNDECODABLE)
    (tmp_path / "ok.py").write_text(FINDING)
    return tmp_path


def test_an_undecodable_file_is_tls001_and_every_output_is_still_written(run_cli, undecodable):
    result = run_cli("--no-cache", "--exit-zero", "--output-format", "sarif", "-o", "out.sarif",
                     ".", cwd=undecodable)
    assert (result.returncode, result.stdout) == (0, "")
    assert "Traceback" not in result.stderr
    sarif = json.loads((undecodable / "out.sarif").read_text())
    assert sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
                  for r in sarif["runs"][0]["results"]) == [("TLS001", "bad.py"),
                                                             ("TLS101", "ok.py")]
    check = run_cli(".", cwd=undecodable)  # and with the cache, twice
    assert run_cli(".", cwd=undecodable).stdout == check.stdout
    assert (check.returncode, lines(check.stdout)) == (1, [UNDECODABLE_LINE,
                                                           "ok.py:" + FINDING_LINE])


FIXED = 'import requests\nfrom corp_tls import CA_BUNDLE\n\nrequests.get("u", verify=CA_BUNDLE)\n'


def test_an_undecodable_file_in_the_fixing_modes(run_cli, undecodable):
    diff = run_cli("--diff", ".", cwd=undecodable)
    assert diff.returncode == 1 and diff.stdout.startswith("--- ok.py\n+++ ok.py\n")
    assert lines(diff.stderr)[0] == "Would fix 1 problem (1 remaining)."
    fix = run_cli("--fix", ".", cwd=undecodable)
    assert (fix.returncode, lines(fix.stdout)) == (1, [UNDECODABLE_LINE])
    assert lines(fix.stderr)[0] == "Fixed 1 problem (1 remaining)."
    assert (undecodable / "ok.py").read_text() == FIXED
    assert (undecodable / "bad.py").read_bytes() == UNDECODABLE


def test_an_undecodable_file_in_the_adoption_modes(run_cli, undecodable):
    noqa = run_cli("--no-cache", "--add-noqa", ".", cwd=undecodable)
    assert (noqa.returncode, noqa.stderr) == (0, "Added 1 noqa comment to 1 file.\n")
    assert (undecodable / "bad.py").read_bytes() == UNDECODABLE
    (undecodable / "ok.py").write_text(FINDING)
    written = run_cli("--no-cache", "--write-baseline", "b.json", ".", cwd=undecodable)
    assert (written.returncode, written.stderr) == (0, "Wrote 1 finding to the baseline b.json.\n")
    baselined = run_cli("--no-cache", "--baseline", "b.json", ".", cwd=undecodable)
    assert (baselined.returncode, lines(baselined.stdout)) == (1, [UNDECODABLE_LINE])


def test_an_undecodable_file_on_standard_input(run_cli, undecodable):
    check = run_cli("-", "--stdin-filename", "bad.py", cwd=undecodable, input=UNDECODABLE.decode())
    assert (check.returncode, lines(check.stdout)) == (1, [UNDECODABLE_LINE])
    fixed = run_cli("--fix", "-", "--stdin-filename", "bad.py", cwd=undecodable,
                    input=UNDECODABLE.decode())
    assert fixed.returncode == 1 and fixed.stdout == UNDECODABLE.decode()
    assert UNDECODABLE_LINE in lines(fixed.stderr)


def test_an_undecodable_file_under_flake8(undecodable):
    (undecodable / "latin.py").write_bytes(b'import requests\nx = "\xff"\n'
                                           b'requests.get("u", verify=False)\n')
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "."],
                            cwd=undecodable, capture_output=True, text=True, timeout=120)
    assert sorted(lines(result.stdout)) == [
        "./" + UNDECODABLE_LINE,
        "./latin.py:1:1: TLS001 cannot parse: not valid utf-8 (byte 0xff on line 2); add a "
        "coding line or fix the file's encoding",
        "./ok.py:" + FINDING_LINE]


# -- a planted pyvenv.cfg or site-packages/ ------------------------------------------------------

def test_a_planted_pyvenv_cfg_or_site_packages_hides_no_package(run_cli, tmp_path):
    import venv

    for package in ("myapp", "other"):
        (tmp_path / "src" / package).mkdir(parents=True)
        (tmp_path / "src" / package / "api.py").write_text(FINDING)
    (tmp_path / "src" / "myapp" / "pyvenv.cfg").write_text("")  # planted: no home, no python
    (tmp_path / "src" / "other" / "site-packages").mkdir()  # planted: empty
    for name in (".venv", "env"):  # the real ones, whatever their name
        venv.create(tmp_path / name, with_pip=False, symlinks=True)
        (tmp_path / name / "tool.py").write_text(FINDING)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_text(FINDING)
    (tmp_path / "linked").symlink_to("src")
    result = run_cli("--no-cache", "--verbose", ".", cwd=tmp_path)
    assert lines(result.stdout) == ["src/myapp/api.py:" + FINDING_LINE,
                                    "src/other/api.py:" + FINDING_LINE]
    assert lines(result.stderr)[0] == (
        "corptls-lint: skipped 5 folders: 2 virtual environments (.venv, env), "
        "2 excluded (build, src/other/site-packages), 1 symlink (linked)")
    quiet = run_cli("--no-cache", ".", cwd=tmp_path)
    assert "skipped" not in quiet.stderr and quiet.stdout == result.stdout
    # named with --force-exclude: the same decision as the walk's
    forced = run_cli("--no-cache", "--force-exclude", "src/myapp/api.py", "env/tool.py",
                     cwd=tmp_path)
    assert lines(forced.stdout) == ["src/myapp/api.py:" + FINDING_LINE]


def test_a_pyvenv_cfg_without_home_or_interpreter_is_no_environment(tmp_path):
    from corptls_lint.running.files import is_environment

    (tmp_path / "pyvenv.cfg").write_text("version = 3.11\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python3").write_text("")
    assert not is_environment(str(tmp_path))
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert is_environment(str(tmp_path))
    (tmp_path / "bin" / "python3").unlink()
    assert not is_environment(str(tmp_path))


# -- a configuration planted above the checkout ------------------------------------------------

def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def shared(tmp_path):
    """A folder anyone can write to (as /tmp is), holding another user's configuration that
    silences everything: `ignore = ["TLS"]`, world-writable."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    planted = folder / ".corptls-lint.toml"
    planted.write_text('ignore = ["TLS"]\n')
    planted.chmod(0o666)
    if os.geteuid() == 0:
        os.chown(planted, 65534, 65534)
    return folder


def test_discovery_stops_at_the_repository_top(run_cli, shared, tmp_path):
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "app.py").write_text(FINDING)
    git("init", "-q", ".", cwd=origin)
    git("add", "app.py", cwd=origin)
    git("commit", "-qm", "app", cwd=origin)
    git("clone", "-q", str(origin), str(shared / "clone"), cwd=tmp_path)
    git("worktree", "add", "-q", str(shared / "worktree"), cwd=origin)  # .git is a file there
    assert (shared / "worktree" / ".git").is_file()
    for checkout in ("clone", "worktree"):
        result = run_cli("--no-cache", ".", cwd=shared / checkout)
        assert (result.returncode, lines(result.stdout)) == (1, ["app.py:" + FINDING_LINE])
        assert "warning" not in result.stderr  # the planted file is never even looked at
        flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "."],
                                cwd=shared / checkout, capture_output=True, text=True,
                                timeout=120)
        assert (flake8.returncode, lines(flake8.stdout)) == (1, ["./app.py:" + FINDING_LINE])
    # a configuration inside the repository, above the folder linted, still applies
    (shared / "clone" / "sub").mkdir()
    (shared / "clone" / "sub" / "api.py").write_text(FINDING)
    (shared / "clone" / "pyproject.toml").write_text('[tool.corptls-lint]\nignore = ["TLS1"]\n')
    inside = run_cli("--no-cache", ".", cwd=shared / "clone" / "sub")
    assert (inside.returncode, inside.stdout) == (0, "")


def test_a_configuration_others_can_write_is_ignored_with_a_warning(run_cli, shared):
    tarball = shared / "unpacked"  # no .git: discovery goes up to the shared folder
    tarball.mkdir()
    (tarball / "app.py").write_text(FINDING)
    reason = ("it belongs to another user (uid 65534)" if os.geteuid() == 0
              else "others can write to it")
    warning = f"corptls-lint: warning: {shared / '.corptls-lint.toml'}: ignored: {reason}"
    result = run_cli("--no-cache", ".", cwd=tarball)
    assert (result.returncode, lines(result.stdout)) == (1, ["app.py:" + FINDING_LINE])
    assert lines(result.stderr).count(warning) == 1
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "."],
                            cwd=tarball, capture_output=True, text=True, timeout=120)
    assert lines(flake8.stdout) == ["./app.py:" + FINDING_LINE]
    assert warning in lines(flake8.stderr)
    # named with --config, it is the user's choice: applied, with a warning
    named = run_cli("--no-cache", "--config", "../.corptls-lint.toml", ".", cwd=tarball)
    assert (named.returncode, named.stdout) == (0, "")
    assert lines(named.stderr)[0] == ("corptls-lint: warning: ../.corptls-lint.toml: others "
                                      "can write to it (applied: it was named explicitly)")


def test_a_world_writable_configuration_of_ones_own_is_ignored_too(run_cli, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "app.py").write_text(FINDING)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.corptls-lint]\nignore = ["TLS"]\n')
    config.chmod(0o646)
    result = run_cli("--no-cache", ".", cwd=tmp_path / "sub")
    assert lines(result.stdout) == ["app.py:" + FINDING_LINE]
    assert lines(result.stderr)[0] == (
        f"corptls-lint: warning: {config}: ignored: others can write to it")
    config.chmod(0o644)
    assert run_cli("--no-cache", ".", cwd=tmp_path / "sub").stdout == ""


# -- writes through committed symlinks ---------------------------------------------------------

@pytest.fixture
def linked_clone(tmp_path):
    """A real clone of a repository that commits symlinks leading out of the checkout: a
    folder (ci/), the README's report name (report.sarif) and a source file (lib.py)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.json").write_text("precious\n")
    (outside / "victim.py").write_text(FINDING)
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "app.py").write_text(FINDING)
    for name, target in (("ci", "../outside"), ("report.sarif", "../outside/victim.json"),
                         ("lib.py", "../outside/victim.py")):
        (origin / name).symlink_to(target)
    git("init", "-q", ".", cwd=origin)
    git("add", ".", cwd=origin)
    git("commit", "-qm", "links", cwd=origin)
    git("clone", "-q", str(origin), str(tmp_path / "clone"), cwd=tmp_path)
    assert (tmp_path / "clone" / "ci").is_symlink()
    return tmp_path / "clone", outside


def _untouched(outside):
    assert sorted(p.name for p in outside.iterdir()) == ["victim.json", "victim.py"]
    assert (outside / "victim.json").read_text() == "precious\n"
    assert (outside / "victim.py").read_text() == FINDING


@pytest.mark.parametrize("args, error", [
    (["--write-baseline", "ci/b.json"],
     "--write-baseline: ci/b.json: it leads outside the project ({outside}/b.json is not under "
     "{clone}); nothing written"),
    (["--output-format", "sarif", "-o", "report.sarif"],
     "--output-file: report.sarif: is a symlink; not followed, nothing written"),
    (["--output-format", "sarif", "-o", "{clone}/report.sarif"],
     "--output-file: {clone}/report.sarif: is a symlink; not followed, nothing written"),
    (["--output-format", "html", "-o", "ci/report.html"],
     "--output-file: ci/report.html: it leads outside the project ({outside}/report.html is "
     "not under {clone}); nothing written"),
    (["--output-format", "html", "-o", "ci/new/report.html"],
     "--output-file: ci/new/report.html: it leads outside the project ({outside} is not "
     "under {clone}); nothing written"),
])
def test_an_output_file_never_goes_through_a_committed_symlink(run_cli, linked_clone, args,
                                                               error):
    clone, outside = linked_clone
    args = [arg.format(clone=clone) for arg in args]
    result = run_cli("--no-cache", *args, "app.py", cwd=clone)
    assert (result.returncode, result.stderr) == (
        2, "corptls-lint: error: " + error.format(clone=clone, outside=outside) + "\n")
    _untouched(outside)
    assert (clone / "report.sarif").is_symlink()


def test_fix_and_add_noqa_never_write_through_a_committed_symlink(run_cli, linked_clone):
    clone, outside = linked_clone
    reason = f"it leads outside the project ({outside}/victim.py is not under {clone})"
    fixed = run_cli("--fix", "--ca-bundle", "corp_tls:CA_BUNDLE", "lib.py", "app.py", cwd=clone)
    assert (fixed.returncode, fixed.stdout) == (
        1, f"lib.py:{FINDING_LINE} (not fixed: {reason}; file left unchanged)\n")
    assert (clone / "app.py").read_text() == FIXED  # the file inside is fixed
    noqa = run_cli("--no-cache", "--add-noqa", "lib.py", cwd=clone)
    assert (noqa.returncode, lines(noqa.stderr)) == (
        0, [f"lib.py: --add-noqa: cannot rewrite: {reason}", "Added 0 noqa comments to 0 files."])
    _untouched(outside)


def test_output_files_the_user_places_are_written_atomically_keeping_their_mode(
        run_cli, linked_clone, tmp_path):
    clone, outside = linked_clone
    inside = run_cli("--no-cache", "--output-format", "json", "-o", "reports/r.json", "app.py",
                     cwd=clone)
    assert inside.returncode == 1 and json.loads((clone / "reports" / "r.json").read_text())
    os.chmod(clone / "reports" / "r.json", 0o640)
    again = run_cli("--no-cache", "--output-format", "json", "-o", "reports/r.json", "app.py",
                    cwd=clone)
    assert again.returncode == 1 and (clone / "reports" / "r.json").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in (clone / "reports").iterdir()] == ["r.json"]  # no temporary left
    for folder in ("reports/", "."):
        refused = run_cli("--no-cache", "-o", folder, "app.py", cwd=clone)
        assert (refused.returncode, refused.stderr) == (
            2, f"corptls-lint: error: --output-file: {folder}: is a folder\n")
    elsewhere = tmp_path / "elsewhere" / "r.json"  # an absolute path outside: the user's choice
    mine = run_cli("--no-cache", "--output-format", "json", "-o", elsewhere, "app.py", cwd=clone)
    assert mine.returncode == 1 and json.loads(elsewhere.read_text())
    _untouched(outside)


# -- a forged cache where git cannot vouch -----------------------------------------------------

@pytest.fixture
def forged_repo(tmp_path, monkeypatch, run_cli):
    """A real git repository that commits a .corptls_cache whose entry for app.py says "no
    findings", forged as well as an attacker can: the real CLI run on the same bytes in their
    own checkout (with their own cache home), then every entry rewritten empty through the
    cache's own code, the stat index dropped (it names the attacker's paths)."""
    from corptls_lint.running.cache import ResultCache

    attacker = tmp_path / "attacker"
    attacker.mkdir()
    (attacker / "app.py").write_text(FINDING)
    home = {"XDG_CACHE_HOME": str(tmp_path / "attacker-home")}
    assert run_cli("app.py", cwd=attacker, env=home).returncode == 1
    cache_dir = attacker / ".corptls_cache"
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", home["XDG_CACHE_HOME"])
        forger = ResultCache(cache_dir)
        for entry in cache_dir.glob("v*/*/*.json"):
            forger.put(entry.stem, [])
    for index in cache_dir.glob("v*/index-*.json"):
        index.unlink()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(FINDING)
    import shutil

    shutil.copytree(cache_dir, repo / ".corptls_cache")
    git("init", "-q", ".", cwd=repo)
    git("add", "-f", ".", cwd=repo)
    git("commit", "-qm", "a cache, helpfully committed", cwd=repo)
    return repo


def _git_isolated(tmp_path):
    """No global or system git configuration (a machine's `safe.directory = *` would hide the
    refusal)."""
    return {"HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(tmp_path / "no-gitconfig")}


def _cache_counts(stderr):
    return [line for line in lines(stderr) if line.startswith("corptls-lint: cache:")]


@pytest.mark.parametrize("how", ["git missing from PATH", "GIT_DIR elsewhere",
                                 "dubious ownership"])
def test_a_forged_cache_is_never_trusted_where_git_cannot_vouch(run_cli, forged_repo, tmp_path,
                                                                how):
    env = _git_isolated(tmp_path)
    if how == "git missing from PATH":
        (tmp_path / "empty-bin").mkdir()
        env["PATH"] = str(tmp_path / "empty-bin")
    elif how == "GIT_DIR elsewhere":
        env["GIT_DIR"] = str(tmp_path / "no-such-git-dir")
    else:  # git refuses a repository another user owns: "detected dubious ownership"
        if os.geteuid() != 0:
            pytest.skip("giving the repository to another user needs root")
        os.chown(forged_repo, 65534, 65534)
        os.chown(forged_repo / ".git", 65534, 65534)
        refused = subprocess.run(["git", "ls-files"], cwd=forged_repo / ".corptls_cache",
                                 env={**os.environ, **env}, capture_output=True, text=True)
        assert refused.returncode != 0 and "dubious ownership" in refused.stderr
    first = run_cli("--verbose", "app.py", cwd=forged_repo, env=env)
    assert (first.returncode, first.stdout) == (1, "app.py:" + FINDING_LINE + "\n")
    assert _cache_counts(first.stderr) == [
        "corptls-lint: cache: 0 files unchanged (stat index), 1 looked up by content hash, "
        "0 answered from the cache, 1 linted and stored"]
    # the forged entry was rewritten by this user's run: the next run is answered by it
    second = run_cli("--verbose", "app.py", cwd=forged_repo, env=env)
    assert (second.returncode, second.stdout) == (1, first.stdout)
    assert _cache_counts(second.stderr) == [
        "corptls-lint: cache: 1 files unchanged (stat index), 0 looked up by content hash, "
        "1 answered from the cache, 0 linted and stored"]


def _make_key(home):
    os.environ["XDG_CACHE_HOME"] = home
    from corptls_lint.running.cache import user_key

    return user_key()


def test_the_cache_key_is_private_and_concurrent_first_runs_agree(tmp_path, monkeypatch):
    import multiprocessing
    import stat as stat_module

    home = str(tmp_path / "home-cache")
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        keys = pool.map(_make_key, [home] * 12)
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    folder = tmp_path / "home-cache" / "corptls-lint"
    assert stat_module.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat_module.S_IMODE((folder / "key").stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["key"]  # no temporary left
    monkeypatch.setenv("XDG_CACHE_HOME", home)
    from corptls_lint.running.cache import user_key

    assert user_key() == keys[0]
    monkeypatch.delenv("XDG_CACHE_HOME")  # then ~/.cache
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert len(user_key()) == 32 and (tmp_path / "user" / ".cache" / "corptls-lint" / "key").exists()


def test_without_a_key_the_run_is_uncached_with_one_warning(run_cli, tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    (tmp_path / "app.py").write_text(FINDING)
    for _ in range(2):
        result = run_cli("app.py", cwd=tmp_path,
                         env={"XDG_CACHE_HOME": str(tmp_path / "not-a-folder")})
        assert (result.returncode, result.stdout) == (1, "app.py:" + FINDING_LINE + "\n")
        assert [line for line in lines(result.stderr) if "warning" in line] == [
            "corptls-lint: warning: cache not used: no key to authenticate it: "
            f"{tmp_path}/not-a-folder/corptls-lint/key: Not a directory"]
    assert not (tmp_path / ".corptls_cache").exists()
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "corptls-lint").mkdir(mode=0o700)
    (tmp_path / "keys" / "corptls-lint" / "key").write_bytes(b"k" * 32)
    os.chmod(tmp_path / "keys" / "corptls-lint" / "key", 0o644)  # others can read it: forgeable
    exposed = run_cli("app.py", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "keys")})
    assert exposed.stdout == "app.py:" + FINDING_LINE + "\n"
    assert "cache not used: no key to authenticate it: " in exposed.stderr
    assert "another user can read or write it" in exposed.stderr


def test_an_entry_is_bound_to_its_name_and_the_index_to_the_users_key(tmp_path):
    from corptls_lint.ftypes import Diagnostic, Settings
    from corptls_lint.rules import DEFAULT_CODES
    from corptls_lint.running.cache import CLEAN, ResultCache

    settings = Settings(enabled=DEFAULT_CODES)
    cache = ResultCache(tmp_path / "cache", secret=b"s" * 32)
    dirty = cache.key(FINDING.encode(), settings)
    clean = cache.key(b"import os\n", settings)
    cache.put(dirty, [Diagnostic("app.py", 2, 19, "TLS101", "m", 2, 31, name="verify-disabled")])
    cache.put(clean, [])
    entry = lambda key: tmp_path / "cache" / "v2" / key[:2] / f"{key}.json"  # noqa: E731
    # a valid entry of this user's copied under another key's name does not stand for it
    entry(dirty).write_bytes(entry(clean).read_bytes())
    assert cache.get(dirty, "app.py") is None and cache.get(clean, "x.py") == []
    # another user's key (an attacker's machine) authenticates nothing here
    theirs = ResultCache(tmp_path / "cache", secret=b"t" * 32)
    assert theirs.get(clean, "x.py") is None
    source = tmp_path / "app.py"
    source.write_text(FINDING)
    theirs.remember(str(source), source.stat(), settings, CLEAN)
    theirs.save_index()
    assert ResultCache(tmp_path / "cache", secret=b"s" * 32).known(
        str(source), source.stat(), settings) is None


def test_a_committed_cache_folder_linking_out_of_the_repository_gets_no_write(run_cli,
                                                                             tmp_path):
    """git absent (it cannot refuse the committed cache): the cache's own checks still keep
    every write inside it; the planted v2 -> ../../outside is never written through."""
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / ".corptls_cache").mkdir(parents=True)
    (repo / ".corptls_cache" / "CACHEDIR.TAG").write_text(
        "Signature: 8a477f597d28d172789f06886806bc55\n")
    (repo / ".corptls_cache" / "v2").symlink_to("../../outside")
    (repo / "app.py").write_text(FINDING)
    git("init", "-q", ".", cwd=repo)
    git("add", "-f", ".", cwd=repo)
    git("commit", "-qm", "cache", cwd=repo)
    (tmp_path / "empty-bin").mkdir()
    for _ in range(2):
        result = run_cli("app.py", cwd=repo, env={"PATH": str(tmp_path / "empty-bin")})
        assert (result.returncode, result.stdout) == (1, "app.py:" + FINDING_LINE + "\n")
    assert list(outside.iterdir()) == []


def test_init_never_creates_its_module_through_a_committed_symlink(run_cli, tmp_path):
    outside = tmp_path / "outside" / "mypkg"
    outside.mkdir(parents=True)
    (outside / "__init__.py").write_text("")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (repo / "mypkg").symlink_to("../outside/mypkg")
    git("init", "-q", ".", cwd=repo)
    result = run_cli("init", "--module", "mypkg", cwd=repo)
    assert (result.returncode, result.stderr) == (
        2, f"corptls-lint: error: mypkg/corp_tls.py: it leads outside the project "
           f"({outside}/corp_tls.py is not under {repo})\n")
    assert sorted(p.name for p in outside.iterdir()) == ["__init__.py"]
    assert (repo / "pyproject.toml").read_text() == '[project]\nname = "x"\n'
