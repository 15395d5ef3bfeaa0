"""Issue 15: a hostile repository cannot write outside itself, hide findings or smuggle code into
fixes, and no input crashes, hangs or corrupts a file. Through the installed console script,
security cases first."""

import json
import os
import signal
import stat
import subprocess
import sys
import threading

import pytest

from corptls_lint.ftypes import FileTask, Settings, Target
from corptls_lint.rules import DEFAULT_CODES, RULES_BY_CODE
from corptls_lint.running import runner
from corptls_lint.running.cache import ResultCache
from corptls_lint.source import writer

FINDING = 'import requests\nrequests.get("u", verify=False)\n'
FINDING_LINE = "2:19: TLS101 TLS verification disabled with a falsy verify=; pass the CA bundle instead"
CONFIG = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'


@pytest.fixture
def repo(tmp_path):
    """parent/ (a project of its own) holding repo/ with one finding in app.py."""
    parent = tmp_path / "parent"
    (parent / "repo").mkdir(parents=True)
    (parent / "app.py").write_text(FINDING)
    (parent / "repo" / "app.py").write_text(FINDING)
    return parent / "repo"


def finding_lines(result):
    return [line for line in result.stdout.splitlines() if "TLS" in line]


# -- the cache ---------------------------------------------------------------------------------

def test_a_cache_symlinked_out_of_the_repository_is_refused_and_nothing_is_written(run_cli, repo):
    (repo / ".corptls_cache").symlink_to("../..")
    for _ in range(2):
        result = run_cli("app.py", cwd=repo)
        assert result.returncode == 1
        assert finding_lines(result) == ["app.py:" + FINDING_LINE]
        assert "corptls-lint: warning: cache not used: " in result.stderr
        assert "it is a symlink" in result.stderr
    outside = repo.parent.parent
    assert sorted(p.name for p in outside.iterdir()) == ["parent"]
    assert sorted(p.name for p in repo.parent.iterdir()) == ["app.py", "repo"]
    # and the parent project still reports its own finding
    parent_run = run_cli("--no-cache", ".", cwd=repo.parent)
    assert "app.py:" + FINDING_LINE in parent_run.stdout


def test_a_dangling_cachedir_tag_symlink_creates_no_file(run_cli, repo, tmp_path):
    cache = repo / ".corptls_cache"
    cache.mkdir()
    victim = tmp_path / "created-by-the-attack"
    (cache / "CACHEDIR.TAG").symlink_to(victim)
    result = run_cli("app.py", cwd=repo)
    assert finding_lines(result) == ["app.py:" + FINDING_LINE]
    assert not victim.exists() and not os.path.lexists(str(victim))


def test_cache_dir_at_or_above_a_linted_folder_is_refused(run_cli, repo):
    for _ in range(2):
        result = run_cli("--cache-dir", ".", ".", cwd=repo)
        assert result.returncode == 1
        assert finding_lines(result) == ["app.py:" + FINDING_LINE]
        assert "holds files being linted" in result.stderr
    assert sorted(p.name for p in repo.iterdir()) == ["app.py"]


def test_a_committed_cache_is_refused(run_cli, repo):
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    cache = repo / ".corptls_cache"
    cache.mkdir()
    (cache / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    (cache / "note").write_text("forged\n")
    subprocess.run(["git", "add", "-f", ".corptls_cache"], cwd=repo, check=True)
    result = run_cli("app.py", cwd=repo)
    assert finding_lines(result) == ["app.py:" + FINDING_LINE]
    assert "it is committed to git" in result.stderr


def test_a_folder_that_is_not_a_cache_is_never_written(run_cli, repo, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# mine\n")
    result = run_cli("--cache-dir", docs, "app.py", cwd=repo)
    assert "no CACHEDIR.TAG" in result.stderr
    assert sorted(p.name for p in docs.iterdir()) == ["index.md"]


def test_a_forged_index_entry_with_the_files_size_and_mtime_decides_nothing(run_cli, repo):
    first = run_cli("app.py", cwd=repo)
    assert finding_lines(first) == ["app.py:" + FINDING_LINE]
    index_path, = (repo / ".corptls_cache" / "v2").glob("index-*.json")
    signature, index = index_path.read_text().split("\n", 1)  # round 2: signed (HMAC)
    index = json.loads(index)
    info = os.stat(repo / "app.py")
    settings_digest = next(iter(index.values()))[4]
    # What an attacker can set (size, mtime: a tarball keeps them) claims "nothing to see";
    # the inode and ctime it cannot know.
    index[str(repo / "app.py")] = [info.st_size, info.st_mtime_ns, 1, 1, settings_digest, ""]
    index_path.write_text(signature + "\n" + json.dumps(index))
    again = run_cli("app.py", cwd=repo)
    assert finding_lines(again) == ["app.py:" + FINDING_LINE]


def test_a_symlinked_cache_entry_is_not_followed(tmp_path):
    cache = ResultCache(tmp_path / "cache")
    settings = Settings(enabled=DEFAULT_CODES)
    key = cache.key(FINDING.encode(), settings)
    cache.put(key, [])
    entry = tmp_path / "cache" / "v2" / key[:2] / f"{key}.json"
    forged = tmp_path / "forged.json"
    forged.write_text("[]")
    entry.unlink()
    entry.symlink_to(forged)
    assert cache.get(key, "app.py") is None  # a miss: the file is linted again


# -- configured expressions ----------------------------------------------------------------------

@pytest.mark.parametrize("key, value", [
    ("ca-bundle", "corp_tls:CA_BUNDLE(__import__('os').system('id'))"),
    ("ca-bundle", "import:X"),
    ("ca-bundle", "corp_tls:ca()"),
    ("ca-bundle", "corp_tls:CA_BUNDLE[0]"),
    ("ca-bundle", "corp_tls:CA BUNDLE"),
    ("ca-bundle", "corp_tls: CA_BUNDLE"),
    ("session-factory", "corp_tls:make(verify=False)"),
    ("session-factory", "corp_tls:class"),
    ("ssl-context", "corp_tls:ctx()()"),
    ("ssl-context", "corp_tls:ctx().x"),
    # keywords once read as Python reads names (NFKC): `--fix` would write `from corp import Ｎone`
    ("ca-bundle", "corp:Ｎone"),
    ("ssl-context", "ｆrom.tls:ctx()"),
])
def test_configured_targets_are_names_and_dots_only(run_cli, tmp_path, key, value):
    (tmp_path / "pyproject.toml").write_text(f'[tool.corptls-lint]\n{key} = "{value}"\n')
    (tmp_path / "app.py").write_text(FINDING)
    result = run_cli("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 2
    grammar = "MODULE:NAME[.ATTR...]" + ("[()]" if key != "ca-bundle" else "")
    assert result.stderr == (f"corptls-lint: error: {tmp_path / 'pyproject.toml'}: "
                             f"[tool.corptls-lint]: '{key}': expected {grammar} "
                             f"(identifiers only), got {value!r}\n")
    assert (tmp_path / "app.py").read_text() == FINDING


@pytest.mark.parametrize("key, value", [("ca-bundle", "corp.tls:settings.CA_BUNDLE"),
                                        ("session-factory", "corp_tls:make_session"),
                                        ("session-factory", "corp_tls:sessions.make()"),
                                        ("ssl-context", "corp_tls:ssl_context()")])
def test_valid_targets_are_accepted(key, value):
    assert str(Target.parse(value, key)) == value


# -- what --fix must keep ------------------------------------------------------------------------

@pytest.fixture
def fixable(tmp_path):
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    path = tmp_path / "app.py"
    path.write_text(FINDING)
    return path


FIXED = ('import requests\nfrom corp_tls import CA_BUNDLE\n\n'
         'requests.get("u", verify=CA_BUNDLE)\n')


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_fix_keeps_owner_group_and_mode(run_cli, fixable):
    os.chown(fixable, 65534, 65534)
    os.chmod(fixable, 0o640)
    result = run_cli("--fix", "app.py", cwd=fixable.parent)
    assert result.returncode == 0, result.stderr
    info = os.stat(fixable)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
    assert fixable.read_text() == FIXED


def test_a_read_only_file_is_not_fixed(run_cli, fixable):
    os.chmod(fixable, 0o444)
    result = run_cli("--fix", "app.py", cwd=fixable.parent)
    assert result.returncode == 1
    assert result.stdout == ("app.py:2:19: TLS101 TLS verification disabled with a falsy "
                             "verify=; pass the CA bundle instead (not fixed: read-only; file "
                             "left unchanged)\n")
    assert fixable.read_text() == FINDING
    assert stat.S_IMODE(os.stat(fixable).st_mode) == 0o444


def test_an_owner_the_user_cannot_keep_means_not_fixed(fixable, monkeypatch):
    source = writer.read_source(str(fixable))
    real = os.stat(fixable)

    class Foreign:  # the file as another user's would look to a non-root run
        st_uid, st_gid, st_mode, st_nlink = real.st_uid + 1, real.st_gid, real.st_mode, 1

    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(writer.os, "stat", lambda path: Foreign)
    monkeypatch.setattr(writer.os, "fchown", refuse)
    with pytest.raises(writer.WriteError, match=r"cannot keep the file's owner and group"):
        writer.write_source(source, FIXED)
    monkeypatch.undo()
    assert fixable.read_text() == FINDING
    assert [p.name for p in fixable.parent.iterdir() if p.name.startswith(".corptls-")] == []


def test_a_hard_linked_file_is_fixed_in_place_for_every_name(run_cli, fixable):
    other = fixable.parent / "other_name.txt"
    os.link(fixable, other)
    inode = os.stat(fixable).st_ino
    result = run_cli("--fix", "app.py", cwd=fixable.parent)
    assert result.returncode == 0, result.stderr
    assert os.stat(fixable).st_ino == inode and os.stat(fixable).st_nlink == 2
    assert other.read_text() == fixable.read_text() == FIXED
    assert [p.name for p in fixable.parent.iterdir() if p.name.startswith(".corptls-")] == []


def test_unicode_escape_files_are_not_rewritten(run_cli, fixable):
    original = b"# coding: unicode_escape\n" + FINDING.encode()
    fixable.write_bytes(original)
    result = run_cli("--fix", "app.py", cwd=fixable.parent)
    assert result.returncode == 1
    assert ("(not fixed: its encoding (unicode_escape) does not write back the bytes it was "
            "read from; file left unchanged)") in result.stdout
    assert fixable.read_bytes() == original


def test_cr_only_files_keep_their_final_newline(run_cli, fixable):
    fixable.write_bytes(FINDING.replace("\n", "\r").encode())
    result = run_cli("--fix", "app.py", cwd=fixable.parent)
    assert result.returncode == 0, result.stderr
    assert fixable.read_bytes() == FIXED.replace("\n", "\r").encode()


def test_an_import_never_merges_into_one_below_the_first_use(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        CONFIG + 'session-factory = "corp_tls:make_session"\n')
    path = tmp_path / "app.py"
    path.write_text('import requests\n\nrequests.get("u", verify=False)\n\n'
                    'from corp_tls import make_session\n\ns = make_session()\n')
    result = run_cli("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_text() == (
        'import requests\nfrom corp_tls import CA_BUNDLE\n\nrequests.get("u", verify=CA_BUNDLE)\n\n'
        'from corp_tls import make_session\n\ns = make_session()\n')


def test_a_file_named_several_ways_is_fixed_once(run_cli, fixable):
    names = ["app.py", "./app.py", str(fixable)]
    result = run_cli("-j", "4", "--fix", *names, cwd=fixable.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.splitlines()[0] == "Fixed 1 problem (0 remaining)."
    assert fixable.read_text() == FIXED


def test_bom_with_another_coding_line_gets_cpythons_message(run_cli, tmp_path):
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbf# coding: latin-1\n" + FINDING.encode())
    result = run_cli("--no-cache", "a.py", cwd=tmp_path)
    assert result.stdout == "a.py:1:1: TLS001 cannot parse: encoding problem: iso-8859-1 with BOM\n"


@pytest.mark.parametrize("declared", ["latin-1", "UTF-16", "Latin_1", "no-such-codec"])
def test_a_bom_against_a_coding_line_is_named_as_cpython_names_it(declared):
    from corptls_lint.source.decoding import DecodeError, detect_encoding

    data = b"\xef\xbb\xbf# coding: " + declared.encode() + b"\nx = 1\n"
    with pytest.raises(SyntaxError) as cpython:
        compile(data, "a.py", "exec")
    with pytest.raises(DecodeError) as ours:
        detect_encoding(data)
    assert str(ours.value) == cpython.value.msg


# -- inputs the parser must not be trusted with ------------------------------------------------

PLANTED = {
    "brackets.py": "x = " + "(" * 2000 + "1" + ")" * 2000 + "\n",
    "unary.py": "x = " + "-" * 30000 + "1\n",
    "chain5000.py": "x = " + "+".join(["1"] * 5000) + "\n",
    "chain10000.py": "x = " + "+".join(["1"] * 10000) + "\n",
}


def _chain_reason(text):
    """Whether this Python's own parser takes a long chain decides the reason: 3.11 parses
    10,000 terms, 3.12 runs out of stack at 5,000, 3.13 at 10,000."""
    import ast

    try:
        ast.parse(text)
    except (RecursionError, MemoryError):
        return "CPython's parser ran out of stack"
    return "expressions nested more than 1000 levels deep"


PLANTED_REASONS = {
    "brackets.py": "too many nested parentheses",
    "unary.py": "CPython's parser ran out of stack",
    "chain5000.py": _chain_reason(PLANTED["chain5000.py"]),
    "chain10000.py": _chain_reason(PLANTED["chain10000.py"]),
}


@pytest.mark.parametrize("jobs", ["1", "4"])
@pytest.mark.parametrize("fix", [False, True])
def test_planted_inputs_are_tls001_and_every_other_finding_is_kept(run_cli, tmp_path, jobs, fix):
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    for name, text in PLANTED.items():
        (tmp_path / name).write_text(FINDING + text)
    for i in range(12):
        (tmp_path / f"normal_{i:02}.py").write_text(FINDING)
    args = ["--no-cache", "-j", jobs] + (["--fix"] if fix else []) + ["."]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # A check stubs out a statement CPython parsed but nested too deep for libcst when it holds
    # no candidate: the file's finding is reported. A fix needs the whole tree: TLS001.
    deep_but_parsed = "expressions nested more than 1000 levels deep"
    expected = [f"{name}:" + FINDING_LINE if reason == deep_but_parsed and not fix
                else f"{name}:1:1: TLS001 too complex to analyse ({reason})"
                for name, reason in sorted(PLANTED_REASONS.items())]
    if fix:
        assert result.stderr.splitlines()[0] == "Fixed 12 problems (4 remaining)."
        assert all((tmp_path / f"normal_{i:02}.py").read_text() == FIXED for i in range(12))
    else:
        expected += [f"normal_{i:02}.py:" + FINDING_LINE for i in range(12)]
    assert result.stdout.splitlines() == sorted(expected)
    for name, text in PLANTED.items():
        assert (tmp_path / name).read_text() == FINDING + text


def _crash_on_victim(task):
    if task.path.endswith("victim.py"):
        import faulthandler

        faulthandler.disable()  # pytest's handler would print a "fatal error" into the log
        os.kill(os.getpid(), signal.SIGSEGV)
    return _real_process_file(task)


_real_process_file = runner.process_file


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool forks on Linux only")
def test_a_worker_that_dies_costs_only_its_file(tmp_path, monkeypatch):
    paths = []
    for i in range(12):
        path = tmp_path / ("victim.py" if i == 5 else f"m{i:02}.py")
        path.write_text(FINDING)
        paths.append(str(path))
    monkeypatch.setattr(runner, "process_file", _crash_on_victim)
    settings = Settings(enabled=DEFAULT_CODES)
    # the isolated re-runs fork only after the broken pool's threads have ended: a fork while
    # another thread may hold a lock can deadlock the child (Python 3.12+ warns of it)
    threads_before = set(threading.enumerate())
    pool_threads_at_fork = []
    isolated = runner._isolated

    def spy(tasks, jobs):
        pool_threads_at_fork.append(set(threading.enumerate()) - threads_before)
        yield from isolated(tasks, jobs)

    monkeypatch.setattr(runner, "_isolated", spy)
    outcomes = runner.run_tasks([FileTask(p, settings) for p in paths], jobs=4)
    assert pool_threads_at_fork == [set()]
    codes = [[d.code for d in outcome.diagnostics] for outcome in outcomes]
    assert codes == [["TLS101"]] * 5 + [["TLS000"]] + [["TLS101"]] * 6
    assert outcomes[5].diagnostics[0].message == (
        "internal error: the process linting this file died (signal 11)")


def test_jobs_are_capped_by_files_and_cpus():
    cpus = runner.default_jobs()
    assert runner.effective_jobs(1000, 3000) == cpus * runner.JOBS_PER_CPU
    assert runner.effective_jobs(1000, 3) == min(3, cpus * runner.JOBS_PER_CPU)
    assert runner.effective_jobs(None, 1) == 1
    assert runner.effective_jobs(2, 3000) == min(2, cpus * runner.JOBS_PER_CPU)


# -- configuration and discovery errors ----------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    (b"tool = 5\n", "'tool' must be a table, not an integer"),
    (b'tool = "corptls-lint"\n', "'tool' must be a table, not a string"),
    (b"[tool]\ncorptls-lint = 3\n", "[tool.corptls-lint] must be a table, not an integer"),
    (b"\xff\xfe[\x00t\x00", "invalid TOML: not UTF-8 (byte 0xff at offset 0)"),
])
@pytest.mark.parametrize("in_parent", [False, True])
def test_malformed_pyproject_is_one_line_and_exit_2(run_cli, tmp_path, content, message,
                                                    in_parent):
    project = tmp_path / "sub" if in_parent else tmp_path
    project.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_bytes(content)
    (project / "app.py").write_text(FINDING)
    result = run_cli("app.py", cwd=project)
    assert result.returncode == 2
    assert result.stderr == f"corptls-lint: error: {tmp_path / 'pyproject.toml'}: {message}\n"
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "app.py"],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert flake8.returncode == 1
    assert "Traceback" not in flake8.stdout + flake8.stderr
    assert flake8.stdout.strip().splitlines()[-1] == (
        f"corptls-lint: {tmp_path / 'pyproject.toml'}: {message}")


def test_an_unreadable_folder_is_tls001_named_or_walked(tmp_path, monkeypatch, capsys):
    from corptls_lint import cli
    from corptls_lint.running import files

    (tmp_path / "locked").mkdir()
    (tmp_path / "ok.py").write_text(FINDING)
    locked = str(tmp_path / "locked")
    real_scandir, real_listdir = os.scandir, os.listdir

    def deny(real):
        def call(path="."):
            if os.path.abspath(path) == locked:
                raise PermissionError(13, "Permission denied", path)
            return real(path)
        return call

    monkeypatch.setattr(files.os, "scandir", deny(real_scandir))
    monkeypatch.setattr(os, "listdir", deny(real_listdir))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--no-cache", "-j", "1", "locked"]) == 1
    assert capsys.readouterr().out == "locked:1:1: TLS001 cannot read folder: Permission denied\n"
    assert cli.main(["--no-cache", "-j", "1", "."]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "locked:1:1: TLS001 cannot read folder: Permission denied", "ok.py:" + FINDING_LINE]


# -- large files: libcst sees only the statements that matter -----------------------------------

FILLER = "".join(f"x{i} = {i} + 1\n" for i in range(300))


@pytest.mark.parametrize("source, expected", [
    # the falsy constant is 300 statements away from its use
    ("import requests\nVERIFY = False\n" + FILLER + "requests.get(u, verify=VERIFY)\n",
     [(303, 17, "TLS101")]),
    # a name bound twice is not a constant: the far second binding must still be seen
    ("import requests\nVERIFY = False\n" + FILLER + "VERIFY = CA\nrequests.get(u, verify=VERIFY)\n",
     []),
    # the session's verify is set far below: not an unconfigured session
    ("import requests\ns = requests.Session()\n" + FILLER + "s.verify = CA\n", []),
    ("import requests\ns = requests.Session()\n" + FILLER + "t = 1\n", [(2, 5, "TLS401")]),
    # semicolons: a run sharing a line with the finding is kept
    ("import requests\n" + FILLER + "y = 1; requests.get(u, verify=False)\n",
     [(302, 24, "TLS101")]),
])
def test_many_statement_modules_keep_every_finding(source, expected):
    from corptls_lint.checking.engine import lint_source

    result = lint_source(source, "m.py", Settings(enabled=("TLS101", "TLS401")), sliced=True)
    assert [(d.line, d.col, d.code) for d in result.diagnostics] == expected
    whole = lint_source(source, "m.py", Settings(enabled=("TLS101", "TLS401")), sliced=False)
    assert result.diagnostics == whole.diagnostics


def test_unrelated_statement_runs_become_one_string_of_the_same_lines():
    import ast

    from corptls_lint.screens import candidates, slicing

    source = "import requests\n" + FILLER + "requests.get(u, verify=False)\n"
    tree = ast.parse(source)
    facts = candidates.FileFacts(tree)
    rules = facts.screen([RULES_BY_CODE["TLS101"]])
    stubbed = slicing.stub_definitions(source, tree, facts.locations(rules))
    lines = stubbed.split("\n")
    assert len(lines) == len(source.split("\n"))
    assert lines[0] == "import requests" and lines[1] == '"""' and lines[300] == '"""'
    assert lines[301] == "requests.get(u, verify=False)"
