"""--jobs, --cache-dir, --no-cache and start-up, through the installed console script."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from corptls_lint.ftypes import Diagnostic, Settings
from corptls_lint.running.cache import CLEAN, ResultCache

FINDING = "import requests\nrequests.get(url, verify=False)\n"
EXPECTED_LINE = "m{0:02d}.py:2:19: TLS101 TLS verification disabled with a falsy verify=; pass the CA bundle instead"


@pytest.fixture
def project(tmp_path):
    """Twelve files with a finding, three clean ones, one that cannot parse."""
    for i in range(12):
        (tmp_path / f"m{i:02d}.py").write_text(FINDING)
    for i in range(3):
        (tmp_path / f"clean{i}.py").write_text("import os\n")
    (tmp_path / "broken.py").write_text("import requests\nrequests.get(verify=False\n")
    return tmp_path


def entries(cache_dir):
    return sorted(cache_dir.glob("v2/*/*.json"))


def test_jobs_give_the_same_output_in_the_same_order(run_cli, project):
    serial = run_cli("--jobs", "1", "--no-cache", ".", cwd=project)
    pooled = run_cli("--jobs", "2", "--no-cache", ".", cwd=project)
    assert serial.returncode == pooled.returncode == 1
    assert pooled.stdout == serial.stdout
    lines = serial.stdout.splitlines()
    # CPython's own message and column, which 3.10 changed
    broken = ("2:13: TLS001 cannot parse: '(' was never closed" if sys.version_info >= (3, 10)
              else "2:26: TLS001 cannot parse: unexpected EOF while parsing")
    assert lines[0] == "broken.py:" + broken
    assert lines[1:] == [EXPECTED_LINE.format(i) for i in range(12)]


def test_jobs_must_be_a_positive_number(run_cli, project):
    result = run_cli("--jobs", "0", ".", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "corptls-lint: error: argument --jobs/-j: expected a positive number of processes, got '0'")


def test_a_warm_run_answers_from_the_cache(run_cli, project, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache")
    cold = run_cli("--cache-dir", cache_dir, ".", cwd=project)
    stored = entries(cache_dir)
    # entries are keyed by content: the twelve identical files share one, the broken file has
    # another, and the clean files never reach the cache (no trigger word)
    assert len(stored) == 2
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d17")
    from corptls_lint.ftypes import Diagnostic

    mine = ResultCache(cache_dir)  # signed with this user's key: what the user's runs trust
    for entry in stored:
        mine.put(entry.stem, [Diagnostic("x.py", 1, 1, "TLS999", "from the cache", 1, 2,
                                         name="x")])
    warm = run_cli("--cache-dir", cache_dir, ".", cwd=project)
    assert [line for line in warm.stdout.splitlines()] == (
        ["broken.py:1:1: TLS999 from the cache"]
        + [f"m{i:02d}.py:1:1: TLS999 from the cache" for i in range(12)])
    assert cold.stdout != warm.stdout


def test_a_changed_file_or_changed_settings_miss_the_cache(run_cli, project, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache")
    run_cli("--cache-dir", cache_dir, ".", cwd=project)
    (project / "m00.py").write_text("import requests\n\nrequests.get(url, verify=0)\n")
    again = run_cli("--cache-dir", cache_dir, ".", cwd=project)
    assert EXPECTED_LINE.format(0).replace(":2:19:", ":3:19:") in again.stdout.splitlines()
    for entry in entries(cache_dir):  # poison what the default settings stored
        entry.write_text("[]")
    narrowed = run_cli("--cache-dir", cache_dir, "--select", "TLS101", ".", cwd=project)
    assert narrowed.stdout == again.stdout


def test_a_corrupt_entry_is_ignored_and_rewritten(run_cli, project, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache")
    cold = run_cli("--cache-dir", cache_dir, ".", cwd=project)
    for entry in entries(cache_dir):
        entry.write_bytes(b'{"truncated')
    warm = run_cli("--cache-dir", cache_dir, ".", cwd=project)
    assert warm.stdout == cold.stdout
    for entry in entries(cache_dir):
        assert isinstance(json.loads(entry.read_text().split("\n", 1)[1]), list)


def test_no_cache_writes_nothing(run_cli, project):
    result = run_cli("--no-cache", ".", cwd=project)
    assert result.returncode == 1
    assert not (project / ".corptls_cache").exists()


def test_the_default_cache_lives_beside_the_configuration(run_cli, project):
    (project / "pyproject.toml").write_text("[tool.corptls-lint]\n")
    (project / "sub").mkdir()
    (project / "sub" / "x.py").write_text(FINDING)
    run_cli("x.py", cwd=project / "sub")
    assert len(entries(project / ".corptls_cache")) == 1
    assert (project / ".corptls_cache" / ".gitignore").read_text() == "*\n"


def test_concurrent_runs_share_a_cache_safely(run_cli, project, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache")
    reference = run_cli("--no-cache", ".", cwd=project).stdout
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        run_cli("--cache-dir", cache_dir, "--jobs", "1", ".", cwd=project).stdout))
        for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [reference] * 3
    assert not list(cache_dir.glob("v2/*/.tmp-*"))
    assert run_cli("--cache-dir", cache_dir, ".", cwd=project).stdout == reference


def _touch(*paths):
    later = time.time() + 3600
    for path in paths:
        os.utime(path, (later, later))


def _restore_elsewhere(source, target):
    """What a CI runner does with a cached `.corptls_cache`: a fresh checkout beside it, every
    file a new inode with a new mtime (and so a new ctime)."""
    shutil.copytree(source, target)
    _touch(target, *target.rglob("*"))


def _cache_counts(stderr):
    return next(line for line in stderr.splitlines() if line.startswith("corptls-lint: cache:"))


def test_a_restored_cache_in_a_fresh_checkout_relints_nothing(run_cli, project, tmp_path_factory):
    (project / "pyproject.toml").write_text("[tool.corptls-lint]\n")  # the cache lives beside it
    cold = run_cli("--verbose", ".", cwd=project)
    assert _cache_counts(cold.stderr) == (
        "corptls-lint: cache: 0 files unchanged (stat index), 13 looked up by content hash, "
        "0 answered from the cache, 13 linted and stored")
    checkout = tmp_path_factory.mktemp("runner") / "checkout"
    _restore_elsewhere(project, checkout)
    restored = run_cli("--verbose", ".", cwd=checkout)
    # the stat index knows none of the files; their content finds every entry, nothing is linted
    # (the clean files screen out by their bytes, before any hashing)
    assert _cache_counts(restored.stderr) == (
        "corptls-lint: cache: 0 files unchanged (stat index), 13 looked up by content hash, "
        "13 answered from the cache, 0 linted and stored")
    assert (restored.returncode, restored.stdout) == (cold.returncode, cold.stdout)
    assert restored.stdout.count("TLS101") == 12
    again = run_cli("--verbose", ".", cwd=checkout)  # the restored run taught the index
    assert _cache_counts(again.stderr) == (
        "corptls-lint: cache: 16 files unchanged (stat index), 0 looked up by content hash, "
        "13 answered from the cache, 0 linted and stored")
    assert again.stdout == cold.stdout


def test_a_restored_cache_still_has_to_be_trusted(run_cli, project, tmp_path_factory):
    (project / "pyproject.toml").write_text("[tool.corptls-lint]\n")
    run_cli(".", cwd=project)
    checkout = tmp_path_factory.mktemp("runner") / "checkout"
    _restore_elsewhere(project, checkout)
    (checkout / ".corptls_cache").chmod(0o777)
    result = run_cli("--verbose", ".", cwd=checkout)
    assert (f"corptls-lint: warning: cache not used: {checkout / '.corptls_cache'}: others can "
            "write to it") in result.stderr.splitlines()
    assert "corptls-lint: cache:" not in result.stderr


def test_a_touched_file_is_known_by_its_bytes_and_only_by_them(tmp_path):
    settings = Settings(enabled=("TLS101",))
    clean, finding = tmp_path / "clean.py", tmp_path / "m.py"
    clean.write_text("import os\n")
    finding.write_text(FINDING)
    key = ResultCache(tmp_path).key(finding.read_bytes(), settings)
    first = ResultCache(tmp_path / "cache")
    first.remember(str(clean), clean.stat(), settings, CLEAN, clean.read_bytes())
    first.remember(str(finding), finding.stat(), settings, key)
    first.save_index()
    _touch(clean, finding)  # a fresh checkout: new mtimes and ctimes, the same bytes
    restored = ResultCache(tmp_path / "cache")
    assert restored.known(str(clean), clean.stat(), settings) == CLEAN
    assert restored.known(str(finding), finding.stat(), settings) == key
    assert (restored.unchanged, restored.hashed) == (0, 2)
    restored.save_index()  # the new stats are learned: the next run reads neither file
    warm = ResultCache(tmp_path / "cache")
    assert [warm.known(str(p), p.stat(), settings) for p in (clean, finding)] == [CLEAN, key]
    assert (warm.unchanged, warm.hashed) == (2, 0)
    # the same sizes, other bytes: the entries do not stand for the files
    clean.write_text("import re\n")
    finding.write_text(FINDING.replace("verify=False", "verify=0    "))
    changed = ResultCache(tmp_path / "cache")
    assert [changed.known(str(p), p.stat(), settings) for p in (clean, finding)] == [None, None]
    assert changed.known(str(clean), clean.stat(), Settings(enabled=("TLS102",))) is None


def test_a_clean_entry_recorded_without_its_bytes_needs_the_screen(tmp_path):
    settings = Settings(enabled=("TLS101",))
    clean = tmp_path / "clean.py"
    clean.write_text("import os\n")
    first = ResultCache(tmp_path / "cache")
    first.remember(str(clean), clean.stat(), settings, CLEAN)
    first.save_index()
    _touch(clean)
    assert ResultCache(tmp_path / "cache").known(str(clean), clean.stat(), settings) is None


def _fingerprint_of(package_parent):
    done = subprocess.run(
        [sys.executable, "-c", "from corptls_lint.running.cache import _code_fingerprint as f; print(f())"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(package_parent), "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_code_fingerprint_follows_the_source_not_its_file_times(tmp_path):
    """A reinstall of the same version (new mtimes) keeps the cache; an edited module drops it."""
    import corptls_lint

    installed = Path(corptls_lint.__file__).parent
    copy = tmp_path / "site" / "corptls_lint"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    first = _fingerprint_of(copy.parent)
    later = time.time() + 3600
    for path in copy.rglob("*.py"):
        os.utime(path, (later, later))
    assert _fingerprint_of(copy.parent) == first
    rule = copy / "rules" / "verify_disabled.py"
    rule.write_text(rule.read_text() + "\n# edited\n")
    assert _fingerprint_of(copy.parent) != first


def test_cache_keys_depend_on_content_and_settings(tmp_path):
    cache = ResultCache(tmp_path)
    a = cache.key(b"x = 1\n", Settings(enabled=("TLS101",)))
    assert a == cache.key(b"x = 1\n", Settings(enabled=("TLS101",)))
    assert a != cache.key(b"x = 2\n", Settings(enabled=("TLS101",)))
    assert a != cache.key(b"x = 1\n", Settings(enabled=("TLS101", "TLS102")))
    finding = Diagnostic("old/path.py", 2, 19, "TLS101", "m", 2, 31, name="verify-disabled")
    cache.put(a, [finding])
    assert cache.get(a, "new/path.py") == [
        Diagnostic("new/path.py", 2, 19, "TLS101", "m", 2, 31, name="verify-disabled")]


def imported_modules(*args, cwd):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "corptls_lint", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=60)
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_version_imports_neither_libcst_nor_rich(tmp_path):
    names = imported_modules("--version", cwd=tmp_path)
    assert "corptls_lint.cli" in names
    assert not {n for n in names if n.split(".")[0] in ("libcst", "rich", "pathspec")}


def test_a_one_file_run_imports_no_rich_pool_or_pathspec(project):
    names = imported_modules("--no-cache", "m00.py", cwd=project)
    assert "libcst._parser.entrypoints" in names  # the file has a finding: libcst is needed
    unwanted = {"rich", "pathspec", "concurrent", "multiprocessing"}
    assert not {n for n in names if n.split(".")[0] in unwanted}


def test_a_warm_run_does_not_read_unchanged_files(tmp_path, monkeypatch):
    import builtins

    from corptls_lint.ftypes import FileTask
    from corptls_lint.running.runner import run_tasks

    source = tmp_path / "m.py"
    source.write_text(FINDING)
    (tmp_path / "clean.py").write_text("import os\n")
    settings = Settings(enabled=("TLS101",))
    tasks = [FileTask(str(tmp_path / name), settings) for name in ("clean.py", "m.py")]
    cold = run_tasks(tasks, jobs=1, cache=ResultCache(tmp_path / "cache"))
    opened = []
    real_open, real_os_open = builtins.open, os.open
    monkeypatch.setattr(builtins, "open", lambda path, *a, **k: (
        opened.append(str(path)), real_open(path, *a, **k))[1])
    monkeypatch.setattr(os, "open", lambda path, *a, **k: (  # how source files are read
        opened.append(str(path)), real_os_open(path, *a, **k))[1])
    warm = run_tasks(tasks, jobs=1, cache=ResultCache(tmp_path / "cache"))
    assert warm == cold and [d.code for d in warm[1].diagnostics] == ["TLS101"]
    assert not [path for path in opened if path.endswith(".py")]
    source.write_text(FINDING.replace("verify=False", "verify=0"))  # the size changes
    changed = run_tasks(tasks, jobs=1, cache=ResultCache(tmp_path / "cache"))
    assert str(source) in opened
    assert [d.message for d in changed[1].diagnostics] == [d.message for d in cold[1].diagnostics]


def test_a_one_file_run_without_trigger_words_never_loads_libcst(tmp_path):
    (tmp_path / "clean.py").write_text("import os\nprint(os.sep)\n")
    names = imported_modules("--no-cache", "clean.py", cwd=tmp_path)
    assert "corptls_lint.rules" in names
    assert not {n for n in names if n.split(".")[0] == "libcst"}


def test_a_one_file_run_loads_no_toml_parser_or_subprocess_it_does_not_need(tmp_path):
    (tmp_path / "clean.py").write_text("import os\nprint(os.sep)\n")
    names = imported_modules("--no-cache", "clean.py", cwd=tmp_path)
    assert "corptls_lint.running.config" in names and "subprocess" not in names
    toml_above = any((folder / name).is_file() for folder in tmp_path.parents
                     for name in ("pyproject.toml", "corptls-lint.toml", ".corptls-lint.toml"))
    if not toml_above:  # a stray TOML file above the test folder must be read
        assert "tomllib" not in names and "tomli" not in names
    (tmp_path / "pyproject.toml").write_text("[tool.corptls-lint]\n")
    names = imported_modules("--no-cache", "clean.py", cwd=tmp_path)
    assert {"tomllib", "tomli"} & names


def test_a_cache_restored_at_the_same_path_answers_clean_files_by_their_bytes(run_cli, project):
    # a CI runner checks out at the same path every time: all mtimes new, the cache restored
    (project / "pyproject.toml").write_text("[tool.corptls-lint]\n")
    cold = run_cli("--verbose", ".", cwd=project)
    later = time.time() + 100
    for path in project.rglob("*.py"):
        os.utime(path, (later, later))
    restored = run_cli("--verbose", ".", cwd=project)
    # the three files without trigger words are not even screened again
    assert _cache_counts(restored.stderr) == (
        "corptls-lint: cache: 0 files unchanged (stat index), 16 looked up by content hash, "
        "13 answered from the cache, 0 linted and stored")
    assert restored.stdout == cold.stdout
