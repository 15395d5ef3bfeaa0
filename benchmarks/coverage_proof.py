"""Issue 27, deliverable 4: proof on the real thing. How many of the insecure TLS sites a human
found in real packages does corptls-lint report, how many look-alikes does it report wrongly,
and how do ruff's and bandit's TLS rules do on the same files?

    python benchmarks/coverage_proof.py fetch [--cache-dir DIR]
    python benchmarks/coverage_proof.py grep  [--cache-dir DIR] [--out FILE] [--kind KIND ...]
    python benchmarks/coverage_proof.py score [--cache-dir DIR] [--jobs N] [--rerun-peers]
                                              [--json FILE]
    python benchmarks/coverage_proof.py pick  NAMES-FILE [--cache-dir DIR]   # building the corpus

Run it with the python of a venv that has corptls-lint, ruff and bandit installed
(`pip install -e '.[test]' ruff bandit`): the console scripts next to that interpreter are used,
else the ones on PATH. The script itself uses the standard library and benchmarks/corpus.py.

The corpus is benchmarks/coverage_corpus.txt (group "cov3", the format of corpus.txt:
GROUP NAME VERSION SHA256): sdists of packages that import a TLS-relevant client (redis,
ldap3, kafka, pymongo, psycopg, MySQL drivers, celery/kombu, pika, zeep/suds, xmlrpc, grpc,
curl_cffi, requests, httpx, urllib3, aiohttp, ssl, boto3...). `fetch` downloads them from the
index pip is configured with, checks each sha256 and unpacks it under
`<cache-dir>/src/<name>-<version>/` (corpus.py's functions), never inside the repository. The
cache dir is `--cache-dir`, else $CORPTLS_COVERAGE_CACHE, else `corptls-coverage-proof` under
the system temp dir. Once fetched, `grep` and `score` read the cache only (no download).

`grep` lists the candidate lines of each KIND (the regexes below, one list per kind) for a
human to judge; the judged sites are benchmarks/coverage_sites.txt (its header gives the format
and the judging rules). `score` runs corptls-lint (`--select TLS --output-format json`),
`ruff check --select S501,S502,S503,S504,S323` and `bandit -t B501,B502,B503,B504,B323` on the
same package folders, and prints per kind: insecure sites present, found by corptls-lint (a
finding of any TLS code on the site's line or line range), recall, false alarms (findings on
`trap` sites: every corptls-lint finding that is on no site at all is listed as "unjudged" so
that it can be judged and added as a site), precision, and ruff's and bandit's found/recall;
then a markdown table, then the misses and false alarms of each kind, one line each. ruff's and
bandit's outputs are kept in `<cache-dir>/score/` and reused on the next run (they do not
change when corptls-lint does) unless `--rerun-peers`; corptls-lint runs every time.

`pick` is how the corpus was built: for each candidate name it takes the latest final release
that has an sdist of at most 5 MB, downloads and unpacks it, and keeps it when a .py file
imports one of the clients (IMPORT_RE); it prints the counts and the pins to paste.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (the sibling module, found through the line above)

PINS = HERE / "coverage_corpus.txt"
SITES = HERE / "coverage_sites.txt"
GROUP = "cov3"
KINDS = ("clients", "travel", "aliases", "protocols", "env", "bundles", "server", "baseline")
VERDICTS = ("insecure", "trap")
# ruff's rules about TLS (flake8-bandit's): S501 request-with-no-cert-validation, S502
# ssl-insecure-version, S503 ssl-with-bad-defaults, S504 ssl-with-no-version, S323
# suspicious-unverified-context-usage. Not S113 (request-without-timeout: no TLS), nor S507
# (SSH host keys), S508/S509 (SNMP).
RUFF_RULES = "S501,S502,S503,S504,S323"
BANDIT_TESTS = "B501,B502,B503,B504,B323"

# A module "uses a client" when one of its lines imports one of these (the corpus filter).
IMPORT_RE = re.compile(
    r"^\s*(?:import|from)\s+(?:redis|ldap3|kafka|confluent_kafka|aiokafka|pymongo|motor|psycopg2?"
    r"|asyncpg|pymysql|mysql\.connector|mysql\s+import\s+connector|MySQLdb|aiomysql|celery|kombu"
    r"|pika|aio_pika|zeep|suds|xmlrpc\.client|xmlrpc\s+import\s+client|grpc|curl_cffi|requests"
    r"|httpx|urllib3|aiohttp|ssl|boto3|botocore)\b", re.M)

# -- the idioms of each kind ---------------------------------------------------------------
# (regex, condition): the condition, when not None, is a regex the whole module must match
# (e.g. it makes HTTPS calls). A line goes to the FIRST kind (in KINDS order) with a match, so
# that `baseline` holds only the classic shapes no other kind claims. Comment-only lines are
# skipped.
HTTP_MODULE = (r"^\s*(?:import|from)\s+(?:requests|httpx|urllib3|aiohttp|urllib\.request"
               r"|urllib\s+import\s+request|http\.client|curl_cffi|boto3|botocore)\b")
_LIT = r"""(?:[rbf]{0,2}['"]|os\.path\.join\s*\(|Path\s*\()"""
_ENV = r"(?:REQUESTS_CA_BUNDLE|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|PYTHONHTTPSVERIFY)"
IDIOMS: Dict[str, List[Tuple[str, Optional[str]]]] = {
    "clients": [
        (r"""['"]?\b(?:ssl_)?cert_reqs['"]?\s*[=:]\s*(?:None\b|(?:ssl\.)?CERT_(?:NONE|OPTIONAL)"""
         r"""|['"](?:none|optional|CERT_NONE|CERT_OPTIONAL)['"])|ssl_cert_reqs=(?:none|optional)""",
         None),  # redis, kombu, celery, pymongo, kafka: a dict key, a keyword or a URL query
        (r"""['"]?\bssl_check_hostname['"]?\s*[=:]\s*False|ssl_check_hostname=false""", None),
        (r"\bvalidate\s*=\s*(?:ssl\.)?CERT_(?:NONE|OPTIONAL)", None),  # ldap3.Tls(validate=)
        (r"""enable\.ssl\.certificate\.verification['"]\s*:\s*(?:False|['"]false)""", None),
        (r"""ssl\.endpoint\.identification\.algorithm['"]\s*:\s*['"](?:none)?['"]""", None),
        (r"""\btls(?:AllowInvalidCertificates|Insecure|AllowInvalidHostnames"""
         r"""|DisableOCSPEndpointCheck)['"]?\s*[=:]\s*True|\btls(?:AllowInvalidCertificates"""
         r"""|Insecure|AllowInvalidHostnames)=true""", None),  # pymongo / motor
        (r"\bssl_match_hostname\s*=\s*False", None),
        (r"""\bsslmode['"]?\s*[=:]\s*['"](?:disable|allow|prefer|require|verify-ca)\b"""
         r"""|sslmode=(?:disable|allow|prefer|require|verify-ca)\b""", None),  # libpq
        (r"""['"]?\bssl_verify_(?:cert|identity)['"]?\s*[=:]\s*False"""
         r"""|['"]?\bssl_disabled['"]?\s*[=:]\s*True""", None),  # MySQL connectors
        (r"""['"]check_hostname['"]\s*:\s*False""", None),  # PyMySQL's ssl dict
        (r"""\bssl\s*=\s*['"](?:require|prefer|allow)['"]""", None),  # asyncpg
        (r"(?i)\b(?:broker_use_ssl|redis_backend_use_ssl)\b\s*[=:]", None),  # celery / kombu
        (r"\bSSLOptions\s*\(", None),  # pika
        (r"\bServerProxy\s*\(.*\bcontext\s*=", None),  # xmlrpc.client
        (r"ssl_target_name_override", None),  # grpc
        (r"\bverify\s*=\s*False\b", r"curl_cffi"),
        (r"\bverify_(?:certs|ssl)\s*=\s*False\b|['\"]verify_(?:certs|ssl)['\"]\s*:\s*False",
         None),  # elasticsearch, opensearch, influxdb, ...
    ],
    "travel": [
        (r"\bpartial\s*\(.*\bverify\s*=", None),
        (r"""\[\s*['"]verify['"]\s*\]\s*=(?!=)""", None),
        (r"""\.setdefault\s*\(\s*['"]verify['"]""", None),
        (r"""\bdict\s*\(.*\bverify\s*=\s*False|['"]verify['"]\s*:\s*False""", None),
        (r"\bverify\s*=\s*False\s+if\b|\bverify\s*=\s*.*\bif\b.*\belse\s+False\b", None),
        (r"^\s*(?:def\s+\w+\s*\(.*)?\b\w*(?:verify|insecure)\w*\s*(?::\s*[\w\[\]., ]+)?=\s*False"
         r"\s*[,)]", None),  # a parameter defaulting to False
        (r"^\s*[A-Za-z_]*(?:VERIFY|verify|INSECURE|insecure)\w*\s*(?::\s*\w+\s*)?=\s*(?:False|0)"
         r"\s*(?:#.*)?$", None),  # a variable / constant that may flow into verify=
        (r"\bgetattr\s*\(\s*(?:requests|httpx|session|self\.session)\b", None),
        (r"^\s*from\s+(?:requests|httpx)(?:\.\w+)*\s+import\s+\*", None),
    ],
    "aliases": [
        (r"_create_unverified_context(?!\s*\()", None),  # reached without a call: an alias
        (r"\bfrom\s+ssl\s+import\s+.*\b(?:_create_unverified_context|CERT_NONE)\b", None),
        (r"^\s*import\s+ssl\s+as\s+\w+|^\s*\w+\s*=\s*_?ssl\s*$|^\s*ssl\s*=\s*\w+\s*$", None),
        (r"\bSSLContext\s*\(\s*(?!ssl\.PROTOCOL_|PROTOCOL_|\))[\w.]+", None),
    ],
    "protocols": [
        (r"\bPROTOCOL_(?:SSLv2|SSLv3|TLSv1|TLSv1_1)\b", None),
        (r"\bTLSVersion\.(?:SSLv3|TLSv1|TLSv1_1)\b", None),
        (r"\b(?:minimum|maximum)_version\s*=\s*(?!ssl\.TLSVersion\.TLSv1_[23]\b)"
         r"(?!TLSVersion\.TLSv1_[23]\b)", None),
        (r"""['"](?:SSLv2|SSLv3|TLSv1|TLSv1\.0|TLSv1\.1|TLSv1_1|tlsv1|tlsv1\.1)['"]""", None),
        (r"\bssl_version\s*=", None),
    ],
    "env": [
        (r"""environ\s*\[\s*['"]""" + _ENV + r"""['"]\s*\]\s*=(?!=)""", None),
        (r"""environ\.(?:setdefault|update)\s*\(\s*\{?\s*['"]?""" + _ENV, None),
        (r"""putenv\s*\(\s*['"]""" + _ENV, None),
        (r"""['"]""" + _ENV + r"""['"]\s*:""", None),
        (r"""\b(?:filterwarnings|simplefilter)\s*\(\s*(?:action\s*=\s*)?['"]ignore['"]\s*\)""",
         HTTP_MODULE),
    ],
    "bundles": [
        (r"\bverify\s*=\s*" + _LIT, None),  # requests/boto3/httpx verify="/path"
        (r"""['"]?\b(?:tlsCAFile|ssl_ca|ssl_cafile|sslrootcert|ca_certs|ssl_ca_certs|cafile"""
         r"""|ca_file|capath|ssl_ca_cert|ca_cert|ssl_ca_file|ca_bundle|ca_path)['"]?\s*[=:]\s*"""
         + _LIT, None),
        (r"\bload_verify_locations\s*\(\s*(?:cafile\s*=\s*)?" + _LIT, None),
        (r"sslrootcert=", None),
    ],
    "server": [
        (r"\bPurpose\.CLIENT_AUTH\b|\bserver_side\s*=\s*True\b|\bPROTOCOL_TLS_SERVER\b", None),
        (r"\bmatch_hostname\s*\(", None),
        (r"\bcheck_hostname\s*=\s*False\b", r"match_hostname|getpeercert|server_side\s*=\s*True"),
    ],
    "baseline": [
        (r"\bverify\s*=\s*False\b", None),
        (r"\.verify\s*=\s*False\b", None),
        (r"_create_unverified_context\s*\(", None),
        (r"\bcheck_hostname\s*=\s*False\b", None),
        (r"\bCERT_NONE\b", None),
        (r"\bdisable_warnings\s*\(", None),
        (r"\bssl\s*=\s*False\b", None),
        (r"\bverify_mode\s*=", None),
    ],
}
_COMPILED = {kind: [(re.compile(p), re.compile(c, re.M) if c else None) for p, c in idioms]
             for kind, idioms in IDIOMS.items()}


@dataclass(frozen=True)
class Hit:
    package: str  # NAME-VERSION, the folder under <cache-dir>/src
    path: str  # relative to that folder, with /
    line: int
    kind: str
    text: str


def grep_text(text: str, package: str, path: str,
              kinds: Sequence[str] = KINDS) -> List[Hit]:
    """The candidate lines of one module: at most one hit a line, of the first kind matched."""
    hits = []
    live = {kind: [(p, c) for p, c in _COMPILED[kind] if c is None or c.search(text)]
            for kind in KINDS}
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#") or len(line) > 400:  # comments; generated data
            continue
        for kind in KINDS:
            if any(p.search(line) for p, _ in live[kind]):
                if kind in kinds:
                    hits.append(Hit(package, path, number, kind, line.strip()[:160]))
                break
    return hits


def python_files(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(root) / name


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# -- the judged sites ----------------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    kind: str
    verdict: str
    package: str
    path: str
    first: int
    last: int
    note: str = ""

    @property
    def key(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.package} {self.path}:{span}"


def parse_sites(text: str) -> List[Site]:
    """`KIND VERDICT PACKAGE-VERSION RELATIVE/PATH.py LINE[-LAST] [note words]`; # comments."""
    sites = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
        if not line:
            continue
        parts = line.split(None, 5)
        if len(parts) < 5:
            raise ValueError(f"sites line {number}: expected KIND VERDICT PACKAGE PATH LINE")
        kind, verdict, package, path, span = parts[:5]
        if kind not in KINDS:
            raise ValueError(f"sites line {number}: unknown kind {kind!r}")
        if verdict not in VERDICTS:
            raise ValueError(f"sites line {number}: verdict must be insecure or trap")
        first, _, last = span.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(f"sites line {number}: bad line {span!r}")
        sites.append(Site(kind, verdict, package, path, int(first), int(last or first),
                          parts[5] if len(parts) > 5 else ""))
    return sites


# -- the tools' findings -------------------------------------------------------------------
Finding = Tuple[str, str, int, int, str]  # (package, relative path, first line, last, code)


def locate(path: str, src: Path) -> Optional[Tuple[str, str]]:
    """(package, path relative to it) of a finding's file under <cache-dir>/src."""
    try:
        relative = Path(os.path.realpath(path)).relative_to(os.path.realpath(src))
    except ValueError:
        return None
    parts = relative.parts
    if len(parts) < 2:
        return None
    return parts[0], "/".join(parts[1:])


def parse_corptls(text: str, src: Path) -> List[Finding]:
    data = json.loads(text or "{}")
    found = []
    for item in data.get("findings", []):
        where = locate(item["path"], src)
        if where:
            found.append((*where, item["line"], item.get("end_line") or item["line"],
                          item["code"]))
    return found


def parse_ruff(text: str, src: Path) -> List[Finding]:
    found = []
    for item in json.loads(text or "[]"):
        where = locate(item["filename"], src)
        if where:
            found.append((*where, item["location"]["row"], item["end_location"]["row"],
                          item["code"]))
    return found


def parse_bandit(text: str, src: Path) -> List[Finding]:
    found = []
    for item in json.loads(text or "{}").get("results", []):
        where = locate(item["filename"], src)
        if where:
            lines = item.get("line_range") or [item["line_number"]]
            found.append((*where, min(lines), max(lines), item["test_id"]))
    return found


def overlaps(site: Site, finding: Finding) -> bool:
    package, path, first, last, _ = finding
    return (package == site.package and path == site.path
            and first <= site.last and last >= site.first)


# -- scoring -------------------------------------------------------------------------------
@dataclass
class KindScore:
    kind: str
    present: int = 0
    traps: int = 0
    found: int = 0
    false_alarms: int = 0
    ruff_found: int = 0
    bandit_found: int = 0
    misses: List[Site] = field(default_factory=list)
    alarms: List[Tuple[Site, List[str]]] = field(default_factory=list)

    @staticmethod
    def ratio(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "-"

    @property
    def recall(self) -> str:
        return self.ratio(self.found, self.present)

    @property
    def precision(self) -> str:
        return self.ratio(self.found, self.found + self.false_alarms)


@dataclass
class Score:
    kinds: Dict[str, KindScore]
    unjudged: List[Finding]  # corptls-lint findings on no site

    @property
    def total(self) -> KindScore:
        total = KindScore("all")
        for score in self.kinds.values():
            for name in ("present", "traps", "found", "false_alarms", "ruff_found",
                         "bandit_found"):
                setattr(total, name, getattr(total, name) + getattr(score, name))
        return total


def index_findings(findings: Iterable[Finding]) -> Dict[Tuple[str, str], List[Finding]]:
    by_file: Dict[Tuple[str, str], List[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding[0], finding[1]].append(finding)
    return by_file


# A library carrying out the opt-out its caller chose (`if not verify: ctx.verify_mode =
# CERT_NONE`): judged `trap` here, since the caller's False is the insecure site; the issue's
# own held-out set counted only server contexts and manual host-name checks as false alarms,
# so `score --opt-out insecure` scores these sites as insecure instead (both are reported).
OPT_OUT_NOTE = "option-mapping"


def as_opt_out_insecure(sites: Sequence[Site]) -> List[Site]:
    """The sites with the library opt-outs (OPT_OUT_NOTE) judged insecure."""
    return [Site(s.kind, "insecure", s.package, s.path, s.first, s.last, s.note)
            if s.verdict == "trap" and OPT_OUT_NOTE in s.note.split() else s for s in sites]


def score(sites: Sequence[Site], ours: Sequence[Finding], ruff: Sequence[Finding],
          bandit: Sequence[Finding]) -> Score:
    """Per kind: an insecure site is found when a finding overlaps its lines; a trap site with
    one is a false alarm. corptls-lint's findings on no site are returned as unjudged."""
    kinds = {kind: KindScore(kind) for kind in KINDS}
    ours_by, ruff_by, bandit_by = (index_findings(ours), index_findings(ruff),
                                   index_findings(bandit))
    on_a_site: Set[Finding] = set()
    for site in sites:
        entry = kinds[site.kind]
        mine = [f for f in ours_by.get((site.package, site.path), []) if overlaps(site, f)]
        on_a_site.update(mine)
        if site.verdict == "insecure":
            entry.present += 1
            if mine:
                entry.found += 1
            else:
                entry.misses.append(site)
            if any(overlaps(site, f) for f in ruff_by.get((site.package, site.path), [])):
                entry.ruff_found += 1
            if any(overlaps(site, f) for f in bandit_by.get((site.package, site.path), [])):
                entry.bandit_found += 1
        else:
            entry.traps += 1
            if mine:
                entry.false_alarms += 1
                entry.alarms.append((site, sorted({f[4] for f in mine})))
    unjudged = sorted(f for f in ours if f not in on_a_site)
    return Score(kinds, unjudged)


def report(result: Score, peers: Dict[str, str]) -> List[str]:
    lines = [f"{'kind':<10} {'present':>7} {'found':>5} {'recall':>6} {'traps':>5} "
             f"{'false':>5} {'precision':>9}   {'ruff':>4} {'recall':>6}   {'bandit':>6} "
             f"{'recall':>6}"]
    rows = [*result.kinds.values(), result.total]
    for k in rows:
        lines.append(f"{k.kind:<10} {k.present:>7} {k.found:>5} {k.recall:>6} {k.traps:>5} "
                     f"{k.false_alarms:>5} {k.precision:>9}   {k.ruff_found:>4} "
                     f"{k.ratio(k.ruff_found, k.present):>6}   {k.bandit_found:>6} "
                     f"{k.ratio(k.bandit_found, k.present):>6}")
    lines += ["", f"ruff: {peers.get('ruff', '')}", f"bandit: {peers.get('bandit', '')}", "",
              "| kind | insecure sites | corptls-lint found | recall | traps | false alarms "
              "| precision | ruff found | bandit found |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for k in rows:
        name = f"**{k.kind}**" if k.kind == "all" else k.kind
        lines.append(f"| {name} | {k.present} | {k.found} | {k.recall} | {k.traps} | "
                     f"{k.false_alarms} | {k.precision} | {k.ruff_found} "
                     f"({k.ratio(k.ruff_found, k.present)}) | {k.bandit_found} "
                     f"({k.ratio(k.bandit_found, k.present)}) |")
    for k in result.kinds.values():
        if k.misses or k.alarms:
            lines += ["", f"== {k.kind}: {len(k.misses)} missed, {len(k.alarms)} false alarms"]
            lines += [f"  miss  {s.key}  {s.note}".rstrip() for s in k.misses]
            lines += [f"  false {s.key}  {','.join(codes)}  {s.note}".rstrip()
                      for s, codes in k.alarms]
    if result.unjudged:
        lines += ["", f"== unjudged: {len(result.unjudged)} corptls-lint findings on no site "
                      "(judge them into the site list)"]
        lines += [f"  {p} {f}:{a} {c}" for p, f, a, _, c in result.unjudged]
    return lines


# -- running the tools ---------------------------------------------------------------------
def tool(name: str) -> Optional[str]:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def folders_of(cache_dir: Path, pins_file: Path) -> List[Path]:
    folders = []
    for pin in corpus.read_pins(pins_file):
        if pin.group == GROUP:
            folder = cache_dir / "src" / f"{pin.name}-{pin.version}"
            if not (folder / ".unpacked").exists():
                raise SystemExit(f"coverage: {folder.name} is not fetched; run `fetch` first")
            folders.append(folder)
    return folders


def run(command: List[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if not done.stdout.strip():
        raise SystemExit(f"coverage: {command[0]} printed nothing (exit {done.returncode}): "
                         f"{done.stderr[-2000:]}")
    return done.stdout


def run_corptls(folders: Sequence[Path], jobs: Optional[int], scratch: Path) -> str:
    exe = tool("corptls-lint")
    if exe is None:
        raise SystemExit("coverage: corptls-lint is not installed next to this python")
    config = scratch / "corptls.toml"  # no project's own configuration applies
    config.write_text("")
    command = [exe, "check", "--select", "TLS", "--output-format", "json", "--exit-zero",
               "--no-cache", "--config", str(config), "--exclude", ".git"]
    if jobs:
        command += ["--jobs", str(jobs)]
    return run(command + [str(f) for f in folders])


def run_peer(name: str, folders: Sequence[Path], store: Path, rerun: bool) -> Tuple[str, str]:
    """(output, how it was had) of ruff or bandit, reused from the cache unless rerun."""
    saved = store / f"{name}.json"
    keyfile = store / f"{name}.folders"
    key = "\n".join(str(f) for f in folders)
    if not rerun and saved.exists() and keyfile.exists() and keyfile.read_text() == key:
        return saved.read_text(), f"reused {saved.name} (--rerun-peers to run it again)"
    exe = tool(name)
    if exe is None:
        return "", "not installed"
    if name == "ruff":
        command = [exe, "check", "--isolated", "--no-cache", "--exit-zero", "--preview",
                   "--output-format", "json", "--select", RUFF_RULES, "--exclude", ".git",
                   *map(str, folders)]
    else:
        command = [exe, "-q", "-r", "-f", "json", "-t", BANDIT_TESTS, *map(str, folders)]
    output = run(command)
    store.mkdir(parents=True, exist_ok=True)
    saved.write_text(output)
    keyfile.write_text(key)
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return output, f"ran {' '.join(version.split()[:2])} ({' '.join(command[1:8])} ...)"


# -- picking the corpus --------------------------------------------------------------------
def latest_sdist(name: str, index: str, max_bytes: int) -> Optional[corpus.Pin]:
    """The pin of the latest final release with an sdist of at most max_bytes, or None."""
    import urllib.request

    from packaging.version import InvalidVersion, Version

    request = urllib.request.Request(f"{index}/{corpus._normalise(name)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        files = json.load(response)["files"]
    best: Optional[Tuple[Version, int, str]] = None
    stem = corpus._normalise(name)
    for entry in files:
        filename = entry["filename"]
        suffix = next((s for s in corpus._SDIST_SUFFIXES if filename.endswith(s)), None)
        if suffix is None or entry.get("yanked"):
            continue
        base = filename[: -len(suffix)]
        if not corpus._normalise(base).startswith(stem + "-"):
            continue
        try:
            version = Version(base[len(stem) + 1:])
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        size = entry.get("size") or 0
        if best is None or version > best[0]:
            best = (version, size, base[len(stem) + 1:])
    if best is None or best[1] > max_bytes:
        return None
    return corpus.Pin(GROUP, name, best[2], "-")


def imports_a_client(folder: Path) -> List[str]:
    found: Set[str] = set()
    for path in python_files(folder):
        for match in IMPORT_RE.finditer(read(path)):
            found.add(match.group(0).split()[1].split(".")[0])
    return sorted(found)


def pick(names: Sequence[str], cache_dir: Path, max_bytes: int) -> int:
    index = corpus.index_url()
    tried, downloaded, kept = len(names), 0, []

    def one(name: str) -> Tuple[str, Optional[corpus.Pin], List[str], str]:
        try:
            pin = latest_sdist(name, index, max_bytes)
            if pin is None:
                return name, None, [], "no sdist under the size limit"
            archive = corpus.fetch(pin, cache_dir, index)
            folder = corpus.unpack(pin, archive, cache_dir)
            return name, pin, imports_a_client(folder), ""
        except (Exception, SystemExit) as error:  # a name the index lacks, a bad archive
            return name, None, [], str(error)[:100]

    with ThreadPoolExecutor(4) as pool:
        for name, pin, clients, why in pool.map(one, names):
            if pin is None:
                print(f"# skipped {name}: {why}", file=sys.stderr)
                continue
            downloaded += 1
            if clients:
                kept.append(pin)
                print(f"{pin.group} {pin.name} {pin.version} {pin.sha256}  # {' '.join(clients)}")
            else:
                print(f"# dropped {name} {pin.version}: imports none of the clients",
                      file=sys.stderr)
    print(f"# tried {tried}, downloaded {downloaded}, kept by import {len(kept)}")
    return 0


# -- the commands --------------------------------------------------------------------------
def default_cache() -> Path:
    return Path(os.environ.get("CORPTLS_COVERAGE_CACHE")
                or Path(tempfile.gettempdir()) / "corptls-coverage-proof")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("fetch", "grep", "score", "pick"):
        sub = commands.add_parser(name)
        sub.add_argument("--cache-dir", type=Path, default=None)
        sub.add_argument("--corpus", type=Path, default=PINS)
        if name == "fetch":
            sub.add_argument("--update-hashes", action="store_true")
        if name == "grep":
            sub.add_argument("--out", type=Path, help="also write the hits to this file")
            sub.add_argument("--kind", action="append", choices=KINDS)
        if name == "score":
            sub.add_argument("--sites", type=Path, default=SITES)
            sub.add_argument("--jobs", type=int, default=None)
            sub.add_argument("--rerun-peers", action="store_true")
            sub.add_argument("--json", type=Path, help="write the findings and scores here")
            sub.add_argument("--opt-out", choices=("trap", "insecure"), default="trap",
                             help="how to count a library's implementation of its caller's "
                                  "opt-out (sites noted option-mapping; default: trap)")
        if name == "pick":
            sub.add_argument("names", type=Path, help="a file of candidate names, one a line")
            sub.add_argument("--max-mb", type=float, default=5.0)
    args = parser.parse_args(argv)
    cache_dir = (args.cache_dir or default_cache()).resolve()
    if str(cache_dir).startswith(str(HERE.parent) + os.sep):
        parser.error("the cache dir must be outside the repository")
    if args.command == "pick":
        names = [n.strip() for n in args.names.read_text().splitlines()
                 if n.strip() and not n.startswith("#")]
        return pick(names, cache_dir, int(args.max_mb * 1024 * 1024))
    if args.command == "fetch":
        folders = corpus.prepare(args.corpus, cache_dir, GROUP, update_hashes=args.update_hashes)
        print(f"coverage: {len(folders)} packages under {cache_dir / 'src'}")
        return 0
    folders = folders_of(cache_dir, args.corpus)
    if args.command == "grep":
        kinds = args.kind or list(KINDS)
        out = open(args.out, "w") if args.out else None
        count = 0
        for folder in folders:
            for path in python_files(folder):
                relative = path.relative_to(folder).as_posix()
                for hit in grep_text(read(path), folder.name, relative, kinds):
                    row = f"{hit.kind}\t{hit.package}\t{hit.path}\t{hit.line}\t{hit.text}"
                    print(row)
                    if out:
                        out.write(row + "\n")
                    count += 1
        if out:
            out.close()
        print(f"# {count} candidate lines in {len(folders)} packages", file=sys.stderr)
        return 0
    sites = parse_sites(args.sites.read_text())
    if args.opt_out == "insecure":
        sites = as_opt_out_insecure(sites)
    src = cache_dir / "src"
    with tempfile.TemporaryDirectory() as scratch:
        ours = parse_corptls(run_corptls(folders, args.jobs, Path(scratch)), src)
    store = cache_dir / "score"
    ruff_text, ruff_how = run_peer("ruff", folders, store, args.rerun_peers)
    bandit_text, bandit_how = run_peer("bandit", folders, store, args.rerun_peers)
    ruff, bandit = parse_ruff(ruff_text, src), parse_bandit(bandit_text, src)
    result = score(sites, ours, ruff, bandit)
    print(f"corptls-lint: {len(ours)} findings; ruff ({RUFF_RULES}): {len(ruff)}; "
          f"bandit ({BANDIT_TESTS}): {len(bandit)}; {len(sites)} judged sites in "
          f"{len(folders)} packages")
    print("\n".join(report(result, {"ruff": ruff_how, "bandit": bandit_how})))
    if args.json:
        args.json.write_text(json.dumps({
            "corptls": ours, "ruff": ruff, "bandit": bandit,
            "kinds": {k: {"present": s.present, "found": s.found, "traps": s.traps,
                          "false_alarms": s.false_alarms, "ruff_found": s.ruff_found,
                          "bandit_found": s.bandit_found} for k, s in result.kinds.items()},
            "unjudged": result.unjudged}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
