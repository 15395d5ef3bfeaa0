"""The package is ready to publish: SPDX license and LICENSE file, classifiers, URLs, keywords,
py.typed, a README whose links work on the package index, an sdist that carries what its tests
need. (.ci/run builds the sdist and wheel, runs `twine check` and tests from the sdist.)"""

import re
import sys

from conftest import REPO

REPOSITORY = "https://github.com/corptls/corptls-lint"

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def project():
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_metadata_a_package_index_shows():
    meta = project()
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    for classifier in ("Framework :: Flake8", "Topic :: Security", "Typing :: Typed",
                       "Programming Language :: Python :: 3.9",
                       "Programming Language :: Python :: 3.13"):
        assert classifier in meta["classifiers"]
    assert meta["urls"]["Source"] == REPOSITORY
    assert all(url.startswith(REPOSITORY) for url in meta["urls"].values())
    assert "CERTIFICATE_VERIFY_FAILED" in meta["keywords"]


def test_typed_marker_and_schema_ship_in_the_package():
    from pathlib import Path

    import corptls_lint

    package = Path(corptls_lint.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "output" / "findings.schema.json").is_file()
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(data["package-data"]["corptls_lint"]) == {"py.typed", "output/*.json"}


def test_sdist_manifest_carries_what_the_tests_read():
    manifest = (REPO / "MANIFEST.in").read_text().split()
    for folder in ("tests", "fixtures", "docs", "benchmarks"):
        assert folder in manifest[manifest.index("graft"):], folder


_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def test_readme_links_are_absolute_and_point_at_files_that_exist():
    blob = f"{REPOSITORY}/blob/main/"
    raw = "https://raw.githubusercontent.com/corptls/corptls-lint/main/"
    for target in _LINK.findall((REPO / "README.md").read_text()):
        assert target.startswith("https://"), target
        for prefix in (blob, raw):
            if target.startswith(prefix):
                assert (REPO / target[len(prefix):].split("#")[0]).is_file(), target
