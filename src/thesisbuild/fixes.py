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
        diff.extend(difflib.unified_diff(original.splitlines(keepends=True), new.splitlines(keepends=True),
                                         fromfile=f"a/{name}", tofile=f"b/{name}"))
        if write:
            _write_preserving(path, original, new)
    return "".join(diff), count


def _write_preserving(path: Path, original: str, new: str) -> None:
    """Write back with the file's own BOM; everything else is in the text already."""
    raw = path.read_bytes()
    if raw.decode("utf-8-sig", errors="replace") != original:
        # Saved in an editor since it was read: its new text is kept, and nothing is fixed in it.
        raise UserError(tr("this file changed while it was being fixed; nothing was written to it. Run the "
                           "command again."), path)
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    write_atomic(path, bom + new.encode("utf-8"))
