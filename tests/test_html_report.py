"""`--output-format html -o report.html`: the migration report, rendered by headless Chromium.

The totals Chromium renders must be the json output's; the page must load nothing from the
network. Skipped where Chromium is not installed (.ci/run installs Debian's `chromium`).
"""

import json
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser

import pytest
from conftest import REPO

from corptls_lint.output.common import is_test_path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium():
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")


def chromium_run(*args, cwd):
    # --no-sandbox: CI containers run as root; every host resolves to nothing, so a page that
    # tried to load anything from the network would show the gap.
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


class _Totals(HTMLParser):
    """The numbers the page shows: cards (data-total), chart rows (data-count), folder and
    file tables (data-folder, data-file), and one data-finding element per finding."""

    def __init__(self):
        super().__init__()
        self.values = {}
        self.findings = Counter()
        self._key = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("data-total", "data-count", "data-folder", "data-file"):
            if name in attrs:
                self._key = (name[5:], attrs[name])
        if "data-finding" in attrs:
            self.findings[attrs["data-finding"]] += 1

    def handle_data(self, data):
        if self._key is not None and data.strip():
            self.values[self._key] = int(data)
            self._key = None


def rendered_totals(report, cwd):
    result = chromium_run("--dump-dom", report.as_uri(), cwd=cwd)
    assert "<h1>corptls-lint migration report</h1>" in result.stdout, result.stderr[-2000:]
    parser = _Totals()
    parser.feed(result.stdout)
    return parser


@pytest.mark.parametrize("folder", ["fixtures/demo", "fixtures/migration"])
def test_rendered_totals_match_the_json_output(run_cli, tmp_path, folder):
    report = tmp_path / "report.html"
    made = run_cli("--output-format", "html", "-o", report, "--no-cache", folder, cwd=REPO)
    assert made.returncode == 1 and made.stdout == ""
    findings = json.loads(run_cli("--output-format", "json", "--no-cache", folder,
                                  cwd=REPO).stdout)["findings"]
    page = rendered_totals(report, tmp_path)
    codes = Counter(f["code"] for f in findings)
    files = Counter(f["path"] for f in findings)
    folders = Counter(f["path"].rpartition("/")[0] or "." for f in findings)
    tests = sum(1 for f in findings if is_test_path(f["path"]))
    assert page.values[("total", "findings")] == len(findings)
    assert page.values[("total", "files")] == len(files)
    assert page.values[("total", "fixable")] == sum(1 for f in findings if f["fixable"])
    assert page.values[("total", "tests")] == tests
    assert page.values[("total", "non-tests")] == len(findings) - tests
    assert {code: page.values[("count", code)] for code in codes} == dict(codes)
    assert {name: page.values[("folder", name)] for name in folders} == dict(folders)
    assert {name: page.values[("file", name)] for name in files} == dict(files)
    assert page.findings == codes


def test_report_is_self_contained(run_cli, tmp_path):
    report = tmp_path / "report.html"
    run_cli("--output-format", "html", "-o", report, "--no-cache", "fixtures/migration",
            cwd=REPO)
    text = report.read_text()
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|url\(|@import", text)
    assert "default-src 'none'" in text  # the policy forbids anything the page might fetch
    # each finding shows its source lines and, when it has one, its fix as a diff
    findings = json.loads(run_cli("--output-format", "json", "--no-cache", "fixtures/migration",
                                  cwd=REPO).stdout)["findings"]
    assert text.count('class="src"') == text.count("data-finding=") == len(findings)
    assert ('<span class="add">+from corp_tls import CA_BUNDLE</span>\n'
            '<span class="del">-            verify=False,  # proxy re-signs everything</span>\n'
            '<span class="add">+            verify=CA_BUNDLE,  # proxy re-signs everything</span>'
            ) in text


def test_tests_and_application_code_are_counted_apart(run_cli, tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "app").mkdir()
    source = "import requests\nrequests.get(u, verify=False)\n"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # the repository root
    for name in ("tests/helpers.py", "app/conftest.py", "app/api.py", "app/api_test.py"):
        (tmp_path / name).write_text(source)
    report = tmp_path / "report.html"
    run_cli("--output-format", "html", "-o", report, ".", cwd=tmp_path)
    page = rendered_totals(report, tmp_path)
    assert (page.values[("total", "tests")], page.values[("total", "non-tests")]) == (3, 1)
    # run from inside tests/, its files are still tests
    run_cli("--output-format", "html", "-o", report, ".", cwd=tmp_path / "tests")
    page = rendered_totals(report, tmp_path)
    assert (page.values[("total", "tests")], page.values[("total", "non-tests")]) == (1, 0)


def test_a_screenshot_of_the_report_is_an_image(run_cli, tmp_path):
    report = tmp_path / "report.html"
    run_cli("--output-format", "html", "-o", report, "--no-cache", "fixtures/demo", cwd=REPO)
    shot = tmp_path / "shot.png"
    chromium_run(f"--screenshot={shot}", "--window-size=1000,700", report.as_uri(),
                 cwd=tmp_path)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 700)
