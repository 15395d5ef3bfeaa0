"""`junit`: JUnit XML for CI test-report views, as ruff writes it: one test suite per file, one
failed test case per finding; a clean run is one passing test case."""

from __future__ import annotations

import re
from typing import Sequence, TextIO
from xml.etree import ElementTree as ET

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import TOOL_NAME, EmitContext, by_file

# XML 1.0 cannot carry these characters at all, not even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def document(diagnostics: Sequence[Diagnostic]) -> ET.Element:
    suites = ET.Element("testsuites", name=TOOL_NAME, tests=str(max(len(diagnostics), 1)),
                        failures=str(len(diagnostics)), errors="0")
    if not diagnostics:
        suite = ET.SubElement(suites, "testsuite", name=TOOL_NAME, tests="1", failures="0",
                              errors="0")
        ET.SubElement(suite, "testcase", name="No problems found", classname=TOOL_NAME)
    for path, findings in by_file(diagnostics):
        suite = ET.SubElement(suites, "testsuite", name=_xml_text(path),
                              tests=str(len(findings)), failures=str(len(findings)),
                              errors="0")
        for d in findings:
            case = ET.SubElement(suite, "testcase", name=f"{TOOL_NAME}.{d.code}",
                                 classname=_xml_text(path), file=_xml_text(path),
                                 line=str(d.line))
            failure = ET.SubElement(case, "failure", message=_xml_text(d.message),
                                    type=d.code)
            failure.text = _xml_text(f"line {d.line}, col {d.col}, {d.message}")
    return suites


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    tree = document(diagnostics)
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(tree, encoding="unicode") + "\n")
