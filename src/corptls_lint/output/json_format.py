"""`json`: one object with the schema `version` and the list of findings, as
`findings.schema.json` (shipped beside this module and in the docs) describes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Sequence, TextIO

from corptls_lint import __version__
from corptls_lint.ftypes import Diagnostic, Fix
from corptls_lint.output.common import TOOL_NAME, EmitContext

# Bumped when a field changes meaning or goes away; new optional fields keep it.
SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("findings.schema.json")


def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _fix_json(fix: Optional[Fix]) -> Optional[dict]:
    if fix is None:
        return None
    result = {"description": fix.description, "applicability": fix.applicability.value,
              "replacement": fix.replacement}
    if fix.line:  # the rewritten node, which may differ from the reported one
        result["location"] = {"line": fix.line, "column": fix.col,
                              "end_line": fix.end_line, "end_column": fix.end_col}
    result["import"] = fix.import_statement
    return result


def finding_json(d: Diagnostic) -> dict:
    return {"path": d.path, "line": d.line, "column": d.col,
            "end_line": d.end_line or None, "end_column": d.end_col or None,
            "code": d.code, "name": d.name, "message": d.message,
            "fixable": d.fix is not None, "fix": _fix_json(d.fix), "fix_needs": d.fix_needs}


def document(diagnostics: Sequence[Diagnostic]) -> dict:
    return {"version": SCHEMA_VERSION,
            "tool": {"name": TOOL_NAME, "version": __version__},
            "findings": [finding_json(d) for d in diagnostics]}


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    json.dump(document(diagnostics), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def schema_markdown() -> str:
    """The field table of the docs, generated from the schema so the two cannot drift."""
    spec = schema()
    finding = spec["$defs"]["finding"]
    rows = ["| field | type | meaning |", "| --- | --- | --- |"]

    def add(prefix: str, properties: dict) -> None:
        for name, prop in properties.items():
            kind = prop.get("type", "object")
            kind = " or ".join(kind) if isinstance(kind, list) else kind
            rows.append(f"| `{prefix}{name}` | {kind} | {prop.get('description', '')} |")

    add("", {k: v for k, v in spec["properties"].items() if k != "findings"})
    add("findings[].", finding["properties"])
    add("findings[].fix.", spec["$defs"]["fix"]["properties"])
    return "\n".join(rows) + "\n"
