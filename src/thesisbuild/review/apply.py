"""Writing what the student accepts into the chapters: the supervisor's tracked changes, and their
comments as `<!-- review: … -->` notes. Each chapter is written once, atomically, and only where an
item changes it; `--diff` shows the same changes without writing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError, display_path
from ..fsutil import write_atomic
from ..i18n import tr
from ..sources import Source
from .items import Item, Review


@dataclass
class Plan:
    edits: dict[Path, list[tuple[int, int, str, Item]]]
    texts: dict[Path, str]
    applied: list[Item]
    skipped: list[Item]


def parse_selection(text: str | None) -> tuple[set[int], set[str]] | None:
    """`--select 1,3,5-7,REV004`: item numbers and codes; None when not given."""
    if not text:
        return None
    numbers, codes = set(), set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        m = re.fullmatch(r"#?(\d+)(?:-(\d+))?", part)
        if m:
            numbers.update(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1))
        elif re.fullmatch(r"REV\d{3}", part.upper()):
            codes.add(part.upper())
        else:
            raise UserError(tr("--select '{part}' is neither an item number (3, 5-7) nor a code (REV004); give "
                               "those, separated by commas.", part=part))
    return numbers, codes


def chosen(item: Item, selection: tuple[set[int], set[str]] | None, author: str | None) -> bool:
    if author and item.author.casefold() != author.casefold():
        return False
    if selection is None:
        return True
    numbers, codes = selection
    return item.number in numbers or item.code in codes


def plan(reviews: list[Review], selection=None, author: str | None = None, annotate: bool = False,
         changes: bool = True) -> Plan:
    edits: dict[Path, list[tuple[int, int, str, Item]]] = {}
    texts: dict[Path, str] = {}
    applied, skipped = [], []
    for review in reviews:
        for item in review.items:
            if not chosen(item, selection, author):
                continue
            if item.kind == "comment":
                if annotate and item.chapter is not None and item.start is not None and not item.done:
                    note = _note(item)
                    at = _outside_code(item.chapter.path, item.chapter.new,
                                       item.end if item.end is not None else item.start)
                    if note not in item.chapter.new[max(0, at - 400):at + len(note) + 400]:
                        if at > 0 and item.chapter.new[at - 1] == "\n":
                            note += "\n"           # after a code block: a line of its own
                        edits.setdefault(item.chapter.path, []).append((at, at, note, item))
                        texts[item.chapter.path] = item.chapter.new
                        applied.append(item)
                continue
            if not changes:
                continue
            if not item.applicable:
                skipped.append(item)
                continue
            chapter = item.chapter
            texts[chapter.path] = chapter.new
            mine = edits.setdefault(chapter.path, [])
            if any(_overlap(s, e, a, b) for s, e in ((s, e) for s, e, _ in item.edits)
                   for a, b, _, _ in mine):
                skipped.append(item)
                continue
            mine.extend((s, e, text, item) for s, e, text in item.edits)
            applied.append(item)
    return Plan(edits, texts, applied, skipped)


def _overlap(s: int, e: int, a: int, b: int) -> bool:
    return (s < b and a < e) or (s == e == a) or (a == b and s < a < e) or (s == e and a < s < b)


def _outside_code(path: Path, text: str, at: int) -> int:
    """A place for a note that the outputs do not print: after the code, math, link or comment the
    place is inside (a code block's note goes after its closing fence)."""
    for region in Source(path, text).regions:
        if region.start < at < region.end and region.kind in ("code", "math", "url", "comment", "html", "link"):
            at = region.end
    return at


def _note(item: Item) -> str:
    """`<!-- review: Dr. Sari: sumber? | Budi: sudah -->`: the comment and its replies, on one line."""
    said = [f"{c.author}: {' '.join(c.new.split())}" for c in (item, *item.replies)]
    return "<!-- review: " + " | ".join(said).replace("--", "–") + " -->"


def new_text(text: str, edits: list[tuple[int, int, str, Item]]) -> str:
    for s, e, replacement, _ in sorted(edits, key=lambda x: (x[0], x[1]), reverse=True):
        text = text[:s] + replacement + text[e:]
    return text


def diff(plan_: Plan) -> str:
    out = []
    for path, edits in plan_.edits.items():
        old = plan_.texts[path]
        name = display_path(path)
        out.extend(difflib.unified_diff(old.splitlines(keepends=True), new_text(old, edits).splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))
    return "".join(out)


def write(plan_: Plan) -> list[Path]:
    """Each changed chapter written whole, atomically; a chapter changed on disk since it was read is
    left alone (the review is run again)."""
    written = []
    for path, edits in plan_.edits.items():
        old = plan_.texts[path]
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        if raw.decode("utf-8-sig", errors="replace") != old:
            raise UserError(tr("the chapter changed while the review was read; nothing was written to it. Run the "
                               "review again."), path)
        text = new_text(old, edits)
        if "\r\n" in old:
            # Windows line ends stay Windows line ends, the new lines' too.
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        write_atomic(path, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        written.append(path)
    return written


