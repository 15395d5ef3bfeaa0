"""benchmarks/coverage_proof.py: its site list parsing, its grep idioms, the parsing of each
tool's output and the scoring, on a tiny synthetic site list and fake tool output (no network,
no tool run)."""

import json
import sys
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import coverage_proof  # noqa: E402  (found through the line above)

SITES = """\
# a comment line, then a blank one

clients insecure redis-5.0 redis-5.0/app/cache.py 10 test
clients trap redis-5.0 redis-5.0/app/cache.py 20 secure-value
travel insecure tool-1.0 tool-1.0/tool/http.py 5-7 a wrapper default
baseline insecure tool-1.0 tool-1.0/tool/http.py 30
baseline trap tool-1.0 tool-1.0/tool/http.py 40 doc
server trap tool-1.0 tool-1.0/tool/serve.py 3 server-side
"""


def test_parse_sites_reads_ranges_notes_and_skips_comments():
    sites = coverage_proof.parse_sites(SITES)
    assert len(sites) == 6
    first, _, travel = sites[:3]
    assert (first.kind, first.verdict, first.package, first.path, first.first, first.last,
            first.note) == ("clients", "insecure", "redis-5.0", "redis-5.0/app/cache.py", 10,
                            10, "test")
    assert (travel.first, travel.last, travel.note) == (5, 7, "a wrapper default")
    assert sites[3].note == ""
    assert travel.key == "tool-1.0 tool-1.0/tool/http.py:5-7"


@pytest.mark.parametrize("line, message", [
    ("nokind insecure p p.py 1", "unknown kind"),
    ("clients maybe p p.py 1", "verdict"),
    ("clients trap p p.py x1", "bad line"),
    ("clients trap p", "expected"),
])
def test_parse_sites_rejects_malformed_lines(line, message):
    with pytest.raises(ValueError, match=message):
        coverage_proof.parse_sites(line)


def test_the_committed_site_list_and_corpus_parse():
    sites = coverage_proof.parse_sites(coverage_proof.SITES.read_text())
    assert sites and {s.kind for s in sites} == set(coverage_proof.KINDS)
    packages = {f"{p.name}-{p.version}" for p in
                coverage_proof.corpus.read_pins(coverage_proof.PINS) if p.group == "cov3"}
    assert len(packages) >= 150
    assert {s.package for s in sites} <= packages


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "tool-1.0" / "tool-1.0" / "tool").mkdir(parents=True)
    return src


def test_tool_outputs_map_to_package_and_relative_path(tmp_path):
    src = _tree(tmp_path)
    module = src / "tool-1.0" / "tool-1.0" / "tool" / "http.py"
    ours = json.dumps({"findings": [
        {"path": str(module), "line": 30, "end_line": 31, "code": "TLS101"},
        {"path": "/elsewhere/x.py", "line": 1, "code": "TLS101"}]})
    ruff = json.dumps([{"filename": str(module), "code": "S501",
                        "location": {"row": 6}, "end_location": {"row": 6}}])
    bandit = json.dumps({"results": [{"filename": str(module), "test_id": "B501",
                                      "line_number": 30, "line_range": [30, 32]}]})
    here = ("tool-1.0", "tool-1.0/tool/http.py")
    assert coverage_proof.parse_corptls(ours, src) == [(*here, 30, 31, "TLS101")]
    assert coverage_proof.parse_ruff(ruff, src) == [(*here, 6, 6, "S501")]
    assert coverage_proof.parse_bandit(bandit, src) == [(*here, 30, 32, "B501")]


def test_score_counts_found_misses_false_alarms_and_unjudged():
    sites = coverage_proof.parse_sites(SITES)
    http, cache = ("tool-1.0", "tool-1.0/tool/http.py"), ("redis-5.0", "redis-5.0/app/cache.py")
    ours = [(*cache, 10, 10, "TLS105"),  # found (clients)
            (*cache, 20, 20, "TLS105"),  # on a trap: false alarm
            (*http, 6, 6, "TLS101"),  # inside the travel site's range: found
            (*http, 99, 99, "TLS201")]  # on no site: unjudged
    ruff = [(*http, 29, 30, "S501")]  # overlaps baseline's line 30
    bandit = [(*cache, 10, 10, "B501"), (*http, 40, 40, "B501")]  # a trap: not counted
    result = coverage_proof.score(sites, ours, ruff, bandit)
    clients, travel, baseline, server = (result.kinds[k] for k in
                                         ("clients", "travel", "baseline", "server"))
    assert (clients.present, clients.found, clients.traps, clients.false_alarms) == (1, 1, 1, 1)
    assert clients.recall == "100%" and clients.precision == "50%"
    assert (travel.present, travel.found, travel.recall) == (1, 1, "100%")
    assert (baseline.present, baseline.found, baseline.recall) == (1, 0, "0%")
    assert [s.first for s in baseline.misses] == [30]
    assert (baseline.ruff_found, baseline.bandit_found, clients.bandit_found) == (1, 0, 1)
    assert (server.present, server.traps, server.recall, server.precision) == (0, 1, "-", "-")
    assert result.unjudged == [(*http, 99, 99, "TLS201")]
    total = result.total
    assert (total.present, total.found, total.false_alarms, total.traps) == (3, 2, 1, 3)
    lines = coverage_proof.report(result, {"ruff": "ruff x", "bandit": "bandit y"})
    text = "\n".join(lines)
    assert "| clients | 1 | 1 | 100% | 1 | 1 | 50% | 0 (0%) | 1 (100%) |" in text
    assert "| **all** | 3 | 2 | 67% | 3 | 1 | 67% | 1 (33%) | 1 (33%) |" in text
    assert "  miss  tool-1.0 tool-1.0/tool/http.py:30" in lines
    assert "  false redis-5.0 redis-5.0/app/cache.py:20  TLS105  secure-value" in lines
    assert "  tool-1.0 tool-1.0/tool/http.py:99 TLS201" in lines


@pytest.mark.parametrize("code, kind", [
    ('r = redis.Redis(ssl_cert_reqs="none")', "clients"),
    ("c = MongoClient(tlsAllowInvalidCertificates=True)", "clients"),
    ('conn = psycopg2.connect(sslmode="require")', "clients"),
    ("get = partial(requests.get, verify=False)", "travel"),
    ('kwargs["verify"] = False', "travel"),
    ("    verify_ssl: bool = False,", "travel"),
    ("opener = ssl._create_unverified_context", "aliases"),
    ("ctx = ssl.SSLContext(protocol)", "aliases"),
    ("ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)", "protocols"),
    ("ctx.minimum_version = version", "protocols"),
    ('os.environ["REQUESTS_CA_BUNDLE"] = f"{base}/ca.pem"', "env"),
    ('s3 = boto3.client("s3", verify="/etc/corp/ca.pem")', "bundles"),
    ('client = MongoClient(tlsCAFile="/etc/ca.pem")', "bundles"),
    ("ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)", "server"),
    ("requests.get(url, verify=False)", "baseline"),
    ("urllib3.disable_warnings()", "baseline"),
])
def test_grep_puts_each_idiom_in_its_kind(code, kind):
    hits = coverage_proof.grep_text(f"import requests\n{code}\n", "p-1", "p-1/m.py")
    assert [(h.kind, h.line, h.text) for h in hits] == [(kind, 2, code.strip())]


def test_grep_conditions_comments_and_kind_filter():
    curl = "from curl_cffi import requests\nrequests.get(url, verify=False)\n"
    assert [h.kind for h in coverage_proof.grep_text(curl, "p", "m.py")] == ["clients"]
    # a blanket warnings filter counts only in a module that makes HTTPS calls
    quiet = 'import warnings\nwarnings.simplefilter("ignore")\n'
    assert coverage_proof.grep_text(quiet, "p", "m.py") == []
    assert [h.kind for h in coverage_proof.grep_text("import requests\n" + quiet, "p",
                                                     "m.py")] == ["env"]
    assert coverage_proof.grep_text("# requests.get(url, verify=False)\n", "p", "m.py") == []
    assert coverage_proof.grep_text(curl, "p", "m.py", kinds=["baseline"]) == []


def test_import_filter_keeps_modules_that_import_a_client(tmp_path):
    (tmp_path / "a.py").write_text("import os\nfrom mysql import connector\n")
    (tmp_path / "b.py").write_text("import redis.asyncio as r\n")
    (tmp_path / "c.txt").write_text("import pymongo\n")
    assert coverage_proof.imports_a_client(tmp_path) == ["mysql", "redis"]
    (tmp_path / "a.py").write_text("import redistools\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    assert coverage_proof.imports_a_client(tmp_path) == []


def test_fetch_reuses_a_downloaded_sdist_without_the_network(tmp_path):
    sdists = tmp_path / "sdists"
    sdists.mkdir()
    (sdists / "redis_om-1.2.0.tar.gz").write_bytes(b"the archive")
    (sdists / "redis_om-1.2.0.1.tar.gz").write_bytes(b"another version")
    digest = coverage_proof.corpus._sha256(sdists / "redis_om-1.2.0.tar.gz")
    pin = coverage_proof.corpus.Pin("cov3", "redis-om", "1.2.0", digest)
    # an index that cannot be reached: reusing the archive must not look it up
    found = coverage_proof.corpus.fetch(pin, tmp_path, "http://127.0.0.1:9/none")
    assert found == sdists / "redis_om-1.2.0.tar.gz"


def test_opt_out_convention_turns_only_option_mapping_traps_insecure():
    sites = coverage_proof.parse_sites(
        "baseline trap pkg-1 a.py 3 impl option-mapping\n"
        "baseline trap pkg-1 a.py 9 test expected-value\n"
        "baseline insecure pkg-1 a.py 12\n")
    judged = coverage_proof.as_opt_out_insecure(sites)
    assert [site.verdict for site in judged] == ["insecure", "trap", "insecure"]
    ours = [("pkg-1", "a.py", 3, 3, "TLS103")]
    strict = coverage_proof.score(sites, ours, [], [])
    lenient = coverage_proof.score(judged, ours, [], [])
    assert (strict.total.present, strict.total.found, strict.total.false_alarms) == (1, 0, 1)
    assert (lenient.total.present, lenient.total.found, lenient.total.false_alarms) == (2, 1, 0)
