"""`sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.

Artifact URIs are relative to the repository root (git's top level, else the current folder),
which `originalUriBaseIds.%SRCROOT%` names, so a run from a subfolder still points at the right
files; each rule carries its doc page (`helpUri`), a `security-severity` and CWE tags, and each
result a fingerprint of its normalised statement, so an alert survives code moving around it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TextIO
from urllib.parse import quote

from corptls_lint import __version__
from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import (REMOVE_STATEMENT, REPOSITORY_URL, TOOL_NAME, EmitContext,
                                        JSONObject, fingerprints, is_run_problem, root_relative,
                                        rule_metadata)
from corptls_lint.source.paths import real_path

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "corptlsStatementHash/v1"


def _rules() -> List[JSONObject]:
    rules = []
    for meta in rule_metadata():
        rule: JSONObject = {
            "id": meta.code,
            "name": meta.name,
            "shortDescription": {"text": meta.message},
            "fullDescription": {"text": _section(meta.documentation, "What it does")
                                or meta.message},
            "help": {"text": meta.documentation, "markdown": meta.documentation},
            "helpUri": meta.help_uri,
            "defaultConfiguration": {"level": "error" if meta.code in ("TLS000", "TLS001")
                                     else "warning", "enabled": meta.default_enabled},
            "properties": {"tags": meta.tags, "precision": "high"},
        }
        if meta.code not in ("TLS000", "TLS001"):
            rule["properties"].update({"fixable": meta.fixable,
                                       "security-severity": meta.security_severity})
        rules.append(rule)
    return rules


def _section(docs: str, title: str) -> str:
    """The text under `## title` in a rule's documentation, on one line."""
    marker = f"## {title}"
    if marker not in docs:
        return ""
    body = docs.split(marker, 1)[1].split("\n## ", 1)[0]
    return " ".join(body.split())


def artifact_location(path: str, context: Optional[EmitContext] = None) -> Dict[str, str]:
    """Relative to %SRCROOT% when the file is in the repository, else an absolute file URI."""
    context = context or EmitContext()
    relative = root_relative(path, context.root, context.cwd)
    if relative is None:
        return {"uri": real_path(Path(context.cwd) / path).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _region(d: Diagnostic) -> JSONObject:
    region = {"startLine": d.line, "startColumn": d.col}
    if d.end_line:
        region.update(endLine=d.end_line, endColumn=d.end_col)
    return region


def _fixes(d: Diagnostic, location: Dict[str, str]) -> Optional[List[JSONObject]]:
    """A SARIF fix needs the new text; a fix whose replacement is not known yet is left out
    (the result's `fixable` property still says a fix exists)."""
    fix = d.fix
    if fix is None or not d.end_line:
        return None
    if fix.replacement is None and fix.description != REMOVE_STATEMENT:
        return None
    where = (_region(d) if not fix.line else
             {"startLine": fix.line, "startColumn": fix.col,
              "endLine": fix.end_line, "endColumn": fix.end_col})
    replacement: JSONObject = {"deletedRegion": where}
    if fix.replacement is not None:
        replacement["insertedContent"] = {"text": fix.replacement}
    return [{"description": {"text": f"{fix.description} ({fix.applicability.value})"},
             "artifactChanges": [{"artifactLocation": dict(location),
                                  "replacements": [replacement]}]}]


def sarif_document(diagnostics: Sequence[Diagnostic],
                   context: Optional[EmitContext] = None) -> JSONObject:
    context = context or EmitContext()
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    locations = [artifact_location(d.path, context) for d in diagnostics]
    uri_of = {id(d): loc["uri"] for d, loc in zip(diagnostics, locations)}
    digests = fingerprints(diagnostics, lambda d: uri_of[id(d)], context.lines)
    results = []
    for d, location, digest in zip(diagnostics, locations, digests):
        result: JSONObject = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if is_run_problem(d) else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": location,
                                                "region": _region(d)}}],
            "partialFingerprints": {FINGERPRINT_KEY: digest},
            "properties": {"fixable": d.fix is not None},
        }
        if d.fix_needs:
            result["properties"]["fixNeeds"] = d.fix_needs
        fixes = _fixes(d, location)
        if fixes:
            result["fixes"] = fixes
        results.append(result)
    root_uri = real_path(context.root).as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__,
                                "semanticVersion": __version__,
                                "informationUri": REPOSITORY_URL, "rules": rules}},
            "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    json.dump(sarif_document(diagnostics, context), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
