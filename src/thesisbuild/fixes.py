"""Applying Fix edits to files: non-overlapping, atomic, or shown as a diff."""

from __future__ import annotations

import difflib
from pathlib import Path

from .diagnostics import Diagnostic, Fix
from .errors import UserError, display_path
from .fsutil import write_atomic
from .i18n import tr


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    """Apply fixes left to right; where two overlap the one that starts first (the wider) wins."""
    applied: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: (f.start, -(f.end - f.start))):
        if applied and fix.start < applied[-1].end:
            continue
        applied.append(fix)
    out, last = [], 0
    for fix in applied:
        out.append(text[last:fix.start])
        out.append(fix.replacement)
        last = fix.end
    out.append(text[last:])
    return "".join(out), applied


def fix_files(diagnostics: list[Diagnostic], texts: dict[Path, str], *, write: bool) -> tuple[str, int]:
    """Returns the unified diff of all changes and the number of fixes applied."""
    by_path: dict[Path, list[Fix]] = {}
    for d in diagnostics:
        if d.fix is not None:
            by_path.setdefault(d.path, []).append(d.fix)
    diff: list[str] = []
    count = 0
    for path in sorted(by_path):
        original = texts[path]
        new, applied = apply_fixes(original, by_path[path])
        if new == original:
            continue
        count += len(applied)
        name = display_path(path)
        diff.extend(unified_diff(original.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"a/{name}", f"b/{name}"))
        if write:
            _write_preserving(path, original, new)
    return "".join(diff), count


class _LineForLine(difflib.SequenceMatcher):
    """The opcodes of two texts of as many lines, each line kept or replaced in its place (fixes
    within lines): what difflib would find, without its search for the longest matches, which on a
    long chapter with repeated lines took seconds."""

    def get_opcodes(self):
        a, b = self.a, self.b
        codes, start = [], 0
        while start < len(a):
            same = a[start] == b[start]
            end = start + 1
            while end < len(a) and (a[end] == b[end]) == same:
                end += 1
            codes.append(("equal" if same else "replace", start, end, start, end))
            start = end
        return codes


def unified_diff(old: list[str], new: list[str], fromfile: str, tofile: str, context: int = 3) -> list[str]:
    """difflib.unified_diff's lines; a fix that keeps the line count is diffed line for line."""
    if len(old) != len(new):
        return list(difflib.unified_diff(old, new, fromfile=fromfile, tofile=tofile, n=context))
    out = []
    for group in _LineForLine(None, old, new).get_grouped_opcodes(context):
        if not out:
            out += [f"--- {fromfile}\n", f"+++ {tofile}\n"]
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in old[i1:i2]]
            else:
                out += ["-" + line for line in old[i1:i2]] + ["+" + line for line in new[j1:j2]]
    return out


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it (difflib's own rule)."""
    length = stop - start
    beginning = start + 1 if length else start
    return f"{beginning}" if length == 1 else f"{beginning},{length}"


def _write_preserving(path: Path, original: str, new: str) -> None:
    """Write back with the file's own BOM; everything else is in the text already."""
    raw = path.read_bytes()
    if raw.decode("utf-8-sig", errors="replace") != original:
        # Saved in an editor since it was read: its new text is kept, and nothing is fixed in it.
        raise UserError(tr("this file changed while it was being fixed; nothing was written to it. Run the "
                           "command again."), path)
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    write_atomic(path, bom + new.encode("utf-8"))
