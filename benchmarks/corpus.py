"""Fetch and unpack the pinned benchmark corpus (source distributions from the package index).

The index is the one pip is configured with (`PIP_INDEX_URL` / `pip config`), queried through
its JSON simple API for the exact pinned version; every download is checked against the pinned
sha256. Sdists are unpacked under `<cache-dir>/src/<name>-<version>/`, never inside the repo.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

_SDIST_SUFFIXES = (".tar.gz", ".tar.bz2", ".zip")


@dataclass
class Pin:
    group: str
    name: str
    version: str
    sha256: str  # "-" until the first download fills it in


def read_pins(path: Path) -> List[Pin]:
    pins = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pins.append(Pin(*line.split()))
    return pins


def write_hashes(path: Path, pins: List[Pin]) -> None:
    """Fill in the hashes of the pins file, keeping its comments and order."""
    by_key = {(p.name, p.version): p.sha256 for p in pins}
    out = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            group, name, version, _ = line.split()
            line = f"{group} {name} {version} {by_key[(name, version)]}"
        out.append(line)
    path.write_text("\n".join(out) + "\n")


def index_url() -> str:
    """The index pip would use: the environment, pip's configuration, else pip's default."""
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        found = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                               capture_output=True, text=True)
        url = found.stdout.strip() if found.returncode == 0 else ""
    if not url:
        from pip._internal.models.index import PyPI

        url = PyPI.simple_url
    return url.rstrip("/")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def sdist_url(pin: Pin, index: str) -> tuple:
    request = urllib.request.Request(f"{index}/{_normalise(pin.name)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        files = json.load(response)["files"]
    wanted = {f"{stem}-{pin.version}{suffix}" for suffix in _SDIST_SUFFIXES
              for stem in (pin.name, pin.name.replace("-", "_"), _normalise(pin.name))}
    for entry in files:
        if entry["filename"].lower() in {w.lower() for w in wanted}:
            return entry["filename"], entry["url"]
    raise SystemExit(f"bench: no sdist of {pin.name} {pin.version} on the index")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(pin: Pin, cache_dir: Path, index: str) -> Path:
    """Download (once) and verify one sdist; return its path."""
    sdists = cache_dir / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    stem = _normalise(f"{pin.name}-{pin.version}")  # "." is normalised too: compare stems
    existing = [p for p in sdists.iterdir()
                if any(p.name.endswith(suffix) and _normalise(p.name[: -len(suffix)]) == stem
                       for suffix in _SDIST_SUFFIXES)]
    if existing:
        archive = existing[0]
    else:
        filename, url = sdist_url(pin, index)
        archive = sdists / filename
        partial = archive.with_name(archive.name + ".part")
        with urllib.request.urlopen(url, timeout=600) as response, open(partial, "wb") as out:
            while True:
                block = response.read(1 << 20)
                if not block:
                    break
                out.write(block)
        partial.replace(archive)
    digest = _sha256(archive)
    if pin.sha256 == "-":
        pin.sha256 = digest
    elif digest != pin.sha256:
        archive.unlink()
        raise SystemExit(f"bench: sha256 mismatch for {archive.name}: {digest}")
    return archive


def unpack(pin: Pin, archive: Path, cache_dir: Path) -> Path:
    target = cache_dir / "src" / f"{pin.name}-{pin.version}"
    done = target / ".unpacked"
    if done.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(target)
    else:
        with tarfile.open(archive) as bundle:
            if hasattr(tarfile, "data_filter"):
                bundle.extractall(target, filter="data")
            else:  # pragma: no cover - Python < 3.12 without the backported filter
                bundle.extractall(target)
    done.write_text("")
    return target


def prepare(pins_file: Path, cache_dir: Path, group: str,
            update_hashes: bool = False, index: Optional[str] = None) -> List[Path]:
    """Fetch, verify and unpack one group of the corpus; return the unpacked folders."""
    pins = read_pins(pins_file)
    chosen = [p for p in pins if p.group == group]
    if not chosen:
        raise SystemExit(f"bench: no pins in group {group!r} of {pins_file}")
    if any(p.sha256 == "-" for p in chosen) and not update_hashes:
        raise SystemExit(f"bench: {pins_file} has unpinned hashes; run with --update-hashes")
    index = index or index_url()
    folders = []
    for pin in chosen:
        archive = fetch(pin, cache_dir, index)
        folders.append(unpack(pin, archive, cache_dir))
    if update_hashes:
        write_hashes(pins_file, pins)
    return folders
