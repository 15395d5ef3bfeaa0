"""`gitlab`: a GitLab Code Quality report (the `codequality` artifact of a CI job), paths
relative to the repository root, one fingerprint per finding from its normalised statement."""

from __future__ import annotations

import json
from typing import List, Sequence, TextIO

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import (EmitContext, JSONObject, fingerprints, is_run_problem,
                                        root_relative, rule_metadata)


def report(diagnostics: Sequence[Diagnostic], context: EmitContext) -> List[JSONObject]:
    severity = {meta.code: meta.severity_name for meta in rule_metadata()}
    paths = {d.path: root_relative(d.path, context.root, context.cwd) or d.path
             for d in diagnostics}
    digests = fingerprints(diagnostics, lambda d: paths[d.path], context.lines)
    return [{
        "type": "issue",
        "check_name": d.code,
        "description": f"{d.code} {d.message}",
        "categories": ["Bug Risk"] if is_run_problem(d) else ["Security"],
        "severity": "blocker" if is_run_problem(d) else severity.get(d.code, "minor"),
        "fingerprint": digest,
        "location": {"path": paths[d.path],
                     "lines": {"begin": d.line, "end": max(d.end_line, d.line)}},
    } for d, digest in zip(diagnostics, digests)]


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    json.dump(report(diagnostics, context), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
