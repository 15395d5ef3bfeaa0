"""`--add-noqa` through the installed console script: every finding silenced on the line flake8
reads, merged with existing noqa codes, every other byte kept, idempotent."""

import subprocess
import sys

from corptls_lint.adoption.add_noqa import add_to_text, merge_noqa

SOURCE = (
    "# -*- coding: latin-1 -*-\r\n"
    "import requests, urllib3\r\n"
    "AUTHOR = 'Jos\xe9'\r\n"
    "urllib3.disable_warnings()\r\n"
    "requests.get('https://a.example/a/very/long/url', verify=False)  # noqa: E501\r\n"
    "requests.post(\r\n"
    "    url,\r\n"
    "    verify=False,\r\n"
    ")\r\n"
    "requests.put(url, verify=False, data='''\r\n"
    "payload''')\r\n"
    "requests.get(url, verify=False, \\\r\n"
    "             timeout=3)  # the legacy host\r\n"
    "r = requests.get(url, verify='')  \r\n"
)
EXPECTED = (
    "# -*- coding: latin-1 -*-\r\n"
    "import requests, urllib3\r\n"
    "AUTHOR = 'Jos\xe9'\r\n"
    "urllib3.disable_warnings()  # noqa: TLS201\r\n"
    "requests.get('https://a.example/a/very/long/url', verify=False)  # noqa: E501,TLS101\r\n"
    "requests.post(\r\n"
    "    url,\r\n"
    "    verify=False,  # noqa: TLS101\r\n"
    ")\r\n"
    "requests.put(url, verify=False, data='''\r\n"
    "payload''')  # noqa: TLS101\r\n"
    "requests.get(url, verify=False, \\\r\n"
    "             timeout=3)  # the legacy host  # noqa: TLS101\r\n"
    "r = requests.get(url, verify='')  # noqa: TLS101\r\n"
)


def test_add_noqa_then_a_run_finds_nothing_and_a_second_changes_no_byte(run_cli, tmp_path):
    app = tmp_path / "app.py"
    app.write_bytes(SOURCE.encode("latin-1"))
    before = run_cli("--no-cache", "app.py", cwd=tmp_path)
    assert len(before.stdout.splitlines()) == 6
    added = run_cli("--no-cache", "--add-noqa", "app.py", cwd=tmp_path)
    assert (added.returncode, added.stdout) == (0, "")
    assert added.stderr == "Added 6 noqa comments to 1 file.\n"
    assert app.read_bytes() == EXPECTED.encode("latin-1")
    after = run_cli("--no-cache", "app.py", cwd=tmp_path)
    assert (after.returncode, after.stdout) == (0, "")
    again = run_cli("--no-cache", "--add-noqa", "app.py", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "Added 0 noqa comments to 0 files.\n")
    assert app.read_bytes() == EXPECTED.encode("latin-1")


def test_flake8_agrees_that_the_added_comments_silence_the_findings(tmp_path):
    app = tmp_path / "app.py"
    app.write_bytes(EXPECTED.encode("latin-1"))
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "app.py"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "")
    app.write_bytes(SOURCE.encode("latin-1"))
    unsilenced = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "app.py"],
                                cwd=tmp_path, capture_output=True, text=True)
    assert len(unsilenced.stdout.splitlines()) == 6


def test_add_noqa_keeps_mode_and_bom(run_cli, tmp_path):
    app = tmp_path / "app.py"
    app.write_bytes(b"\xef\xbb\xbfimport requests\nrequests.get(u, verify=False)\n")
    app.chmod(0o750)
    run_cli("--no-cache", "--add-noqa", "app.py", cwd=tmp_path)
    assert app.read_bytes() == (b"\xef\xbb\xbfimport requests\n"
                                b"requests.get(u, verify=False)  # noqa: TLS101\n")
    assert app.stat().st_mode & 0o777 == 0o750


def test_merge_keeps_the_existing_list_and_its_spacing():
    assert merge_noqa("x()  # noqa: E501, W291", ["TLS101"]) == "x()  # noqa: E501, W291, TLS101"
    assert merge_noqa("x()  # NOQA:E501 long url", ["TLS101", "TLS201"]) == (
        "x()  # NOQA:E501,TLS101,TLS201 long url")
    assert merge_noqa("x()  # noqa", ["TLS101"]) == "x()  # noqa"
    assert merge_noqa("x()\t", ["TLS101"]) == "x()  # noqa: TLS101"


def test_two_codes_on_one_line_share_one_comment():
    text = "import requests\nrequests.get(u, verify=False, cert='/etc/x.pem')\n"
    assert add_to_text(text, {2: {"TLS301", "TLS101"}}) == (
        "import requests\nrequests.get(u, verify=False, cert='/etc/x.pem')  # noqa: TLS101,TLS301\n")
