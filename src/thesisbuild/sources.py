"""Chapters as text with exact positions, and the regions of Markdown that are not prose.

Block structure comes from markdown-it-py (a CommonMark parser that keeps line maps);
inline regions (code spans, autolinks, URLs, e-mail addresses, math, raw HTML, link
targets) are found inside the prose lines it reports. Offsets are character offsets
into the original text, so every finding maps back to file:line:column.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from markdown_it import MarkdownIt

from .yamlfile import read_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_BACKTICKS = re.compile(r"`+")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s]+)>")
_BARE_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"]+|www\.[^\s<>\"]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
_RAW_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)(?:[^$\\\n]|\\.)+?(?<=\S)\$(?!\d)")

_md = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str


@dataclass
class Source:
    """One Markdown file: its text, line table and non-prose regions."""

    path: Path
    text: str
    _regions: list[Region] | None = field(default=None, repr=False)

    @classmethod
    def read(cls, path: Path) -> "Source":
        return cls(path=path, text=read_text(path, "chapter"))

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in re.finditer(r"\n", self.text))
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    @property
    def regions(self) -> list[Region]:
        if self._regions is None:
            self._regions = find_regions(self.text)
        return self._regions

    @cached_property
    def _region_starts(self) -> list[int]:
        return [r.start for r in self.regions]

    def region_at(self, offset: int) -> Region | None:
        i = bisect.bisect_right(self._region_starts, offset) - 1
        if i >= 0 and self.regions[i].start <= offset < self.regions[i].end:
            return self.regions[i]
        return None

    def overlaps_region(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._region_starts, end - 1) - 1
        return i >= 0 and self.regions[i].end > start


def position_in(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset in any text."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def find_regions(text: str) -> list[Region]:
    """The parts of a Markdown text that are not prose, merged and sorted."""
    found: list[Region] = []
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)] + [len(text)]

    def line_span(first: int, last: int) -> tuple[int, int]:
        return line_starts[first], line_starts[min(last, len(line_starts) - 1)]

    body_offset = 0
    fm = _FRONT_MATTER.match(text)
    if fm:
        found.append(Region(0, fm.end(), "front-matter"))
        body_offset = fm.end()
    for m in _COMMENT.finditer(text, body_offset):
        found.append(Region(m.start(), m.end(), "comment"))

    first_body_line = text.count("\n", 0, body_offset)
    body = text[body_offset:]
    prose_lines: list[tuple[int, int]] = []
    for token in _md.parse(body):
        if token.map is None:
            continue
        first, last = token.map[0] + first_body_line, token.map[1] + first_body_line
        if token.type in ("fence", "code_block"):
            found.append(Region(*line_span(first, last), "code"))
        elif token.type == "html_block":
            found.append(Region(*line_span(first, last), "html"))
        elif token.type == "inline":
            prose_lines.append(line_span(first, last))

    for start, end in prose_lines:
        found.extend(_inline_regions(text, start, end))
    for m in _REF_DEFINITION.finditer(text, body_offset):
        found.append(Region(m.start(), m.end(), "link"))
    for m in _DISPLAY_MATH.finditer(text, body_offset):
        found.append(Region(m.start(), m.end(), "math"))
    return _merge(found)


def _inline_regions(text: str, start: int, end: int) -> list[Region]:
    found: list[Region] = []
    # Code spans first: a backtick run closes at the next run of the same length.
    runs = list(_BACKTICKS.finditer(text, start, end))
    i = 0
    code: list[tuple[int, int]] = []
    while i < len(runs):
        opener = runs[i]
        if opener.start() > 0 and text[opener.start() - 1] == "\\":
            i += 1
            continue
        for j in range(i + 1, len(runs)):
            if len(runs[j].group()) == len(opener.group()):
                code.append((opener.start(), runs[j].end()))
                i = j + 1
                break
        else:
            i += 1
    found.extend(Region(a, b, "code") for a, b in code)

    def outside_code(pos: int) -> bool:
        return not any(a <= pos < b for a, b in code)

    for pattern, kind in ((_AUTOLINK, "url"), (_LINK_TARGET, "url"), (_BARE_URL, "url"),
                          (_EMAIL, "email"), (_RAW_HTML_TAG, "html"), (_INLINE_MATH, "math")):
        for m in pattern.finditer(text, start, end):
            if outside_code(m.start()):
                a, b = m.span()
                if kind == "url" and pattern is _LINK_TARGET:
                    a += 1  # keep the closing bracket of the link text as prose
                if kind == "url" and pattern is _BARE_URL:
                    b = a + len(m.group().rstrip(".,;:!?)]'\""))
                found.append(Region(a, b, kind))
    return found


def _merge(regions: list[Region]) -> list[Region]:
    regions.sort(key=lambda r: (r.start, -r.end))
    merged: list[Region] = []
    for r in regions:
        if r.end <= r.start:
            continue
        if merged and r.start < merged[-1].end:
            last = merged[-1]
            if r.end > last.end:
                merged[-1] = Region(last.start, r.end, last.kind)
            continue
        merged.append(r)
    return merged
