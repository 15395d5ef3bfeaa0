"""benchmarks/isort_proof.py: its matching of ruff diagnostics, its sdist look-up, and one
project proved end to end from a local sdist (no download; skipped without ruff)."""

import io
import shutil
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import isort_proof  # noqa: E402  (found through the line above)


def test_new_diagnostics_ignore_line_numbers_and_count_repeats():
    before = [("a.py", 3, "I001", "Import block is un-sorted or un-formatted"),
              ("a.py", 9, "F401", "`os` imported but unused")]
    after = [("a.py", 4, "I001", "Import block is un-sorted or un-formatted"),  # moved: not new
             ("a.py", 10, "F401", "`os` imported but unused"),
             ("a.py", 12, "F401", "`os` imported but unused"),  # a second one: new
             ("b.py", 1, "I001", "Import block is un-sorted or un-formatted")]  # other file
    assert isort_proof.new_diagnostics(before, after) == [after[2], after[3]]


def test_find_sdist_normalises_the_name(tmp_path):
    for name in ("python_kasa-0.12.0.tar.gz", "python_kasa-0.11.0.tar.gz",
                 "deebot-client-6.0.2.tar.gz", "notes.txt"):
        (tmp_path / name).write_text("")
    kasa = isort_proof.Project("python-kasa", "0.12.0", "", "kasa")
    deebot = isort_proof.Project("deebot-client", "6.0.2", "", "deebot_client")
    missing = isort_proof.Project("aiohue", "4.9.0", "", "aiohue")
    assert isort_proof.find_sdist(tmp_path, kasa) == tmp_path / "python_kasa-0.12.0.tar.gz"
    assert isort_proof.find_sdist(tmp_path, deebot) == tmp_path / "deebot-client-6.0.2.tar.gz"
    assert isort_proof.find_sdist(tmp_path, missing) is None


def test_the_five_are_pinned_with_a_hash_and_a_reason():
    assert len(isort_proof.PROJECTS) == 5
    for project in isort_proof.PROJECTS + isort_proof.RESERVE:
        assert len(project.sha256) == 64 and project.why, project.name


TOY = {
    "toy-1.0/pyproject.toml": '[project]\nname = "toy"\nversion = "1.0"\n\n'
                              '[tool.ruff.lint]\nselect = ["I", "F"]\n',
    "toy-1.0/src/toy/__init__.py": "",
    "toy-1.0/src/toy/util.py": "NAME = 'toy'\n",
    "toy-1.0/src/toy/client.py": (
        "import requests\n\nfrom toy import util\n\n\n"
        "def fetch(url):\n    return requests.get(url, verify=False), util.NAME\n"
    ),
}


def _sdist(folder: Path) -> Path:
    path = folder / "toy-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in TOY.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.skipif(shutil.which("ruff") is None
                    and not (Path(sys.executable).parent / "ruff").exists(),
                    reason="ruff is not installed")
def test_a_src_layout_project_is_proved_end_to_end(tmp_path):
    project = isort_proof.Project("toy", "1.0", "", "src", path="src")
    work = tmp_path / "work"
    work.mkdir()
    outcome = isort_proof.prove(project, _sdist(tmp_path), "safe", work, sys.executable)
    assert outcome.error == ""
    assert outcome.files_fixed == ["src/toy/client.py"]
    assert outcome.fixed_codes == {"TLS101": 1}
    assert (outcome.findings_before, outcome.findings_after) == (1, 0)
    assert outcome.trust_module == "src/toy/corp_tls.py"
    assert outcome.idempotent is True and outcome.compile_failures == []
    assert outcome.new == []
    # requests is installed with the test extra: the fixed module imports, from the fixed tree
    assert outcome.imports == {"toy.client": ("ok", "ok")}
    table = isort_proof.report([outcome])
    assert any(line.startswith("| toy 1.0 ") and "| safe " in line for line in table.splitlines())
