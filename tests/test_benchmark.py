"""The benchmark script runs end to end on a tiny local corpus (CI never times anything)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

SCRIPT = REPO / "benchmarks" / "bench.py"
PEER_FINDINGS = (
    "import requests, ssl\n"
    "requests.get('https://x', verify=False)\n"
    "ctx = ssl._create_unverified_context()\n"
)


def _has(tool: str) -> bool:
    return (Path(sys.executable).parent / tool).exists() or shutil.which(tool) is not None


@pytest.fixture
def tiny_corpus(tmp_path):
    shutil.copytree(FIXTURES / "demo", tmp_path / "demo")
    (tmp_path / "peers.py").write_text(PEER_FINDINGS)
    return tmp_path


def run_bench(corpus, *extra):
    done = subprocess.run([sys.executable, str(SCRIPT), "--source", str(corpus), "--repeat", "1",
                           "--jobs", "2", "--large-lines", "2000", *extra],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.slow
def test_table_counts_corptls_findings_on_the_tiny_corpus(tiny_corpus):
    times = {path: path.stat().st_mtime_ns for path in tiny_corpus.rglob("*")}
    lines = run_bench(tiny_corpus)
    # the restored-cache row touches a copy: the corpus others read keeps its times
    assert {path: path.stat().st_mtime_ns for path in tiny_corpus.rglob("*")} == times
    assert lines[0] == "corpus: 1 folders, 5 files, 115 lines"
    header = next(i for i, line in enumerate(lines) if line.startswith("tool "))
    width = bench_module().LABEL_WIDTH
    rows = {line[:width].strip(): line[width:].split() for line in lines[header + 1:header + 8]}
    # wall, lines/s, peak MB, ratio to bandit, ratio to ruff, findings
    assert rows["corptls-lint cold"][-1] == "16"
    assert rows["corptls-lint warm (cache)"][-1] == "16"
    assert rows["restored cache (every file touched)"][-1] == "16"
    assert rows["corptls-lint cold --jobs 1"][-1] == "16"
    assert float(rows["corptls-lint cold"][0]) > 0
    more = {line[:width].strip(): line[width:].split() for line in lines[header + 8:header + 13]}
    assert list(more) == ["corptls-lint cold (3 targets)", "corptls-lint --diff (3 targets)",
                          "large module, check", "large module, --diff",
                          "10,000-term expression, check"]
    # TLS401 on with a factory: every requests.Session(), those whose calls pass verify= too
    assert more["corptls-lint cold (3 targets)"][-1] == "19"
    assert more["large module, check"][-1] == "1"  # the one finding at its end
    assert more["large module, --diff"][-1] == "2"  # two hunks: the import, the fix
    assert more["10,000-term expression, check"][-1] == "1"  # the finding beside it
    assert ("corptls-lint cold findings: TLS101 2, TLS102 1, TLS103 3, TLS104 1, TLS105 1, "
            "TLS106 1, TLS107 1, TLS201 1, TLS301 2, TLS302 1, TLS501 1, "
            "TLS502 1") in lines


@pytest.mark.slow
def test_before_times_an_earlier_revision_in_the_same_rounds(tiny_corpus):
    first = subprocess.run(["git", "-C", str(REPO), "rev-list", "--max-parents=0", "HEAD"],
                           capture_output=True, text=True)
    if first.returncode != 0:
        pytest.skip("not a git checkout (an sdist)")
    lines = run_bench(tiny_corpus, "--before", "HEAD")
    width = bench_module().LABEL_WIDTH
    rows = {line[:width].strip(): line[width:].split() for line in lines}
    # the committed source finds what the working tree finds (CI tests a clean checkout)
    assert rows["corptls-lint cold at HEAD"][-1] == rows["corptls-lint cold"][-1]
    summary = [line for line in lines if line.startswith("cold: ")]
    assert len(summary) == 1 and "the time of corptls-lint cold at HEAD (same rounds)" in summary[0]


@pytest.mark.slow
def test_recall_against_peers_on_the_tiny_corpus(tiny_corpus):
    if not (_has("bandit") and _has("ruff")):
        pytest.skip("bandit and ruff come from the `bench` extra, which CI does not install")
    lines = run_bench(tiny_corpus)
    for expected in ("bandit B501: 1 findings, 1 also reported by corptls-lint",
                     "bandit B323: 1 findings, 1 also reported by corptls-lint",
                     "ruff S501: 1 findings, 1 also reported by corptls-lint",
                     "ruff S323: 1 findings, 1 also reported by corptls-lint"):
        assert expected in lines
    assert not any("not reported:" in line for line in lines)


def bench_module():
    sys.path.insert(0, str(SCRIPT.parent))
    import bench

    return bench


def test_recall_lists_what_corptls_lint_misses():
    bench = bench_module()
    peer = bench.Measure("ruff", findings=[("/a.py", 3, 3, "S501"), ("/a.py", 9, 10, "S501")])
    ours = bench.Measure("corptls-lint", findings=[("/a.py", 10, 10, "TLS101")])
    assert bench.recall(peer, ours, "S") == [
        "ruff S323: 0 findings, 0 also reported by corptls-lint",
        "ruff S501: 2 findings, 1 also reported by corptls-lint",
        "    not reported: /a.py:3",
    ]
