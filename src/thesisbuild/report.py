"""Formatters over the one Diagnostic type: text, json, github, sarif."""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .i18n import plural, tr
from . import __version__
from .diagnostics import RULES, Diagnostic, Severity
from .errors import display_path
from .sources import position_in


@lru_cache(maxsize=256)
def _shown(path: Path) -> str:
    return display_path(path)


def _path(d: Diagnostic) -> str | None:
    return _shown(d.path) if d.path is not None else None


def _where(d: Diagnostic) -> str:
    """path:line:column as far as it is known; "thesisbuild" for a finding about no file."""
    where = _path(d) or "thesisbuild"
    if d.line:
        where += f":{d.line}"
        if d.column:
            where += f":{d.column}"
    return where


def format_text(diagnostics: list[Diagnostic], texts: dict[Path, str]) -> str:
    return "".join(f"{_where(d)}: {d.code} [{d.severity.label}] {d.message}\n" for d in diagnostics)


def print_diagnostics(diagnostics: list[Diagnostic], severity: dict | None = None) -> None:
    """The build's findings on stderr, in the text format; `severity` is thesis.yaml's lint.severity
    (a code mapped to None is switched off)."""
    import sys

    shown = []
    for d in diagnostics:
        if severity and d.code in severity:
            if severity[d.code] is None:
                continue
            d = d.with_severity(severity[d.code])
        shown.append(d)
    sys.stderr.write(format_text(shown, {}))


def _fix_json(d: Diagnostic, texts: dict[Path, str]) -> dict | None:
    if d.fix is None:
        return None
    text = texts.get(d.path, "")
    (sl, sc), (el, ec) = position_in(text, d.fix.start), position_in(text, d.fix.end)
    return {"replacement": d.fix.replacement,
            "start": {"line": sl, "column": sc}, "end": {"line": el, "column": ec}}


def format_json(diagnostics: list[Diagnostic], texts: dict[Path, str]) -> str:
    items = [{
        "path": _path(d), "line": d.line or None, "column": d.column or None, "end_line": d.end_line or None,
        "end_column": d.end_column or None, "code": d.code, "name": d.name, "severity": d.severity.label,
        "message": d.message, "fix": _fix_json(d, texts),
    } for d in diagnostics]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def github_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: str) -> str:
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_github(diagnostics: list[Diagnostic], texts: dict[Path, str]) -> str:
    lines = []
    for d in diagnostics:
        props = ",".join(f"{k}={github_escape_property(str(v))}" for k, v in (
            ("file", _path(d)), ("line", d.line), ("col", d.column), ("endLine", d.end_line),
            ("endColumn", d.end_column), ("title", f"{d.code} {d.name}")) if v)
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{github_escape_data(d.message)}\n")
    return "".join(lines)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def format_sarif(diagnostics: list[Diagnostic], texts: dict[Path, str]) -> str:
    rules = list(RULES.values())
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in diagnostics:
        region = {k: v for k, v in (("startLine", d.line), ("startColumn", d.column), ("endLine", d.end_line),
                                    ("endColumn", d.end_column)) if v}
        location: dict = {"artifactLocation": {"uri": _path(d)}}
        if region:
            location["region"] = region
        result = {
            "ruleId": d.code, "ruleIndex": index[d.code], "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": location}] if d.path is not None else [],
        }
        fix = _fix_json(d, texts)
        if fix is not None:
            result["fixes"] = [{
                "description": {"text": f"Replace with {fix['replacement']}"},
                "artifactChanges": [{"artifactLocation": {"uri": _path(d)}, "replacements": [{
                    "deletedRegion": {"startLine": fix["start"]["line"], "startColumn": fix["start"]["column"],
                                      "endLine": fix["end"]["line"], "endColumn": fix["end"]["column"]},
                    "insertedContent": {"text": fix["replacement"]}}]}],
            }]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "thesisbuild", "version": __version__,
                "rules": [{"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
                           "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]}} for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, Callable[[list[Diagnostic], dict[Path, str]], str]] = {
    "text": format_text, "json": format_json, "github": format_github, "sarif": format_sarif,
}


def summary(diagnostics: list[Diagnostic]) -> str:
    counts = Counter(d.severity for d in diagnostics)
    n = [counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO]]
    return ", ".join((tr(plural(n[0], "{count} error", "{count} errors"), count=n[0]),
                      tr(plural(n[1], "{count} warning", "{count} warnings"), count=n[1]),
                      tr(plural(n[2], "{count} info", "{count} infos"), count=n[2])))
