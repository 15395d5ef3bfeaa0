"""`json`: one object with the schema `version` and the list of findings, as
`findings.schema.json` (shipped beside this module and in the docs) describes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TextIO, TypedDict, cast

from corptls_lint import __version__
from corptls_lint.ftypes import Diagnostic, Fix
from corptls_lint.output.common import TOOL_NAME, EmitContext, JSONObject

# Bumped when a field changes meaning or goes away; new optional fields keep it.
SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("findings.schema.json")


# The shapes findings.schema.json describes.
class LocationJSON(TypedDict):
    line: int
    column: int
    end_line: int
    end_column: int


# (`import` is a keyword: no class syntax for this one)
_FixJSONRequired = TypedDict("_FixJSONRequired", {
    "description": str, "applicability": str, "replacement": Optional[str],
    "import": Optional[str]})


class FixJSON(_FixJSONRequired, total=False):
    location: LocationJSON  # the rewritten node, which may differ from the reported one


class FindingJSON(TypedDict):
    path: str
    line: int
    column: int
    end_line: Optional[int]
    end_column: Optional[int]
    code: str
    name: str
    message: str
    fixable: bool
    fix: Optional[FixJSON]
    fix_needs: Optional[str]


def schema() -> JSONObject:
    schema_document: JSONObject = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema_document


def _fix_json(fix: Optional[Fix]) -> Optional[FixJSON]:
    if fix is None:
        return None
    result: Dict[str, object] = {
        "description": fix.description, "applicability": fix.applicability.value,
        "replacement": fix.replacement}
    if fix.line:  # the rewritten node, which may differ from the reported one
        location: LocationJSON = {"line": fix.line, "column": fix.col,
                                  "end_line": fix.end_line, "end_column": fix.end_col}
        result["location"] = location
    result["import"] = fix.import_statement
    return cast(FixJSON, result)  # built in the schema's order: `location` before `import`


def finding_json(d: Diagnostic) -> FindingJSON:
    return {"path": d.path, "line": d.line, "column": d.col,
            "end_line": d.end_line or None, "end_column": d.end_col or None,
            "code": d.code, "name": d.name, "message": d.message,
            "fixable": d.fix is not None, "fix": _fix_json(d.fix), "fix_needs": d.fix_needs}


class ToolJSON(TypedDict):
    name: str
    version: str


class DocumentJSON(TypedDict):
    version: int
    tool: ToolJSON
    findings: List[FindingJSON]


def document(diagnostics: Sequence[Diagnostic]) -> DocumentJSON:
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

    def add(prefix: str, properties: JSONObject) -> None:
        for name, prop in properties.items():
            kind = prop.get("type", "object")
            kind = " or ".join(kind) if isinstance(kind, list) else kind
            rows.append(f"| `{prefix}{name}` | {kind} | {prop.get('description', '')} |")

    add("", {k: v for k, v in spec["properties"].items() if k != "findings"})
    add("findings[].", finding["properties"])
    add("findings[].fix.", spec["$defs"]["fix"]["properties"])
    return "\n".join(rows) + "\n"
