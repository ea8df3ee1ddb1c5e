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
from functools import cached_property, lru_cache
from pathlib import Path

from .i18n import N_
from .yamlfile import read_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Characters no output can show (a NUL byte, a bell, a form feed), for the checks of text and values.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BACKTICKS = re.compile(r"`+")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s]+)>")
# Split by literal prefix so that the regex engine can scan for the prefix quickly.
_BARE_URLS = (re.compile(r"https?://[^\s<>\"]+"), re.compile(r"ftp://[^\s<>\"]+"),
              re.compile(r"www\.[^\s<>\"]+"))
_EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_ATTRIBUTES = re.compile(r"\{[#.][^{}\n]*\}")    # pandoc attributes: {#fig-x}, {.unnumbered}
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
_RAW_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"\$(?=\S)(?:[^$\\\n]|\\.)+?(?<=\S)\$(?!\d)")  # not after \\ or $

# Raw LaTeX in prose: a command's name, and the arguments that are names rather than text
# (\ref{fig:x}, \begin{longtable}{|l|l|}, \includegraphics[width=5cm]{images/a.png}).
_LATEX = re.compile(r"\\(?:begin|end)\s*\{[^{}\n]*\}(?:\s*\[[^\]\n]*\])?(?:\{[^{}\n]*\})?"
                    r"|\\(?:[a-zA-Z]*ref|label|includegraphics|cite[pt]?|url|input|include|bibliography(?:style)?"
                    r"|usepackage|documentclass|hspace|vspace|setlength|multicolumn|multirow)\*?\s*(?:\[[^\]\n]*\])?"
                    r"\s*\{[^{}\n]*\}(?:\{[^{}\n]*\})?"
                    r"|\\[A-Za-z]+\*?(?:\[[^\]\n]*\])?")
_MAY_HAVE_BLOCKS = re.compile(r"^(?: {4}|\t| {0,3}(?:```|~~~|<))", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_RAW_CONTENT_BLOCK = re.compile(r"\s*<(?:script|pre|style|textarea)\b", re.I)


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
        return cls(path=path, text=read_text(path, N_("chapter")))

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

    @cached_property
    def quotes(self) -> list[Region]:
        """Quoted text, verbatim by convention: block quotes and “…” or "…" in a paragraph."""
        return find_quotes(self.text, self.regions)

    @cached_property
    def _quote_starts(self) -> list[int]:
        return [r.start for r in self.quotes]

    def in_quote(self, offset: int) -> bool:
        i = bisect.bisect_right(self._quote_starts, offset) - 1
        return i >= 0 and self.quotes[i].start <= offset < self.quotes[i].end


@lru_cache(maxsize=1)
def _block_parser():
    """CommonMark block structure only; inline parsing is switched off for speed."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable("inline")


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
    if not _MAY_HAVE_BLOCKS.search(body):
        # No indented line, fence or line-initial "<": no code or HTML block can exist, so every
        # paragraph is prose and the parser's answer is known without running it.
        start = body_offset
        for gap in _BLANK_LINE.finditer(text, body_offset):
            prose_lines.append((start, gap.start()))
            start = gap.end()
        prose_lines.append((start, len(text)))
        tokens = []
    else:
        tokens = _block_parser().parse(body)
    for token in tokens:
        if token.map is None:
            continue
        first, last = token.map[0] + first_body_line, token.map[1] + first_body_line
        if token.type in ("fence", "code_block"):
            found.append(Region(*line_span(first, last), "code"))
        elif token.type == "html_block":
            # pandoc reads Markdown inside HTML blocks, so only the tags and comments are HTML;
            # script, pre, style and textarea keep their content raw.
            if _RAW_CONTENT_BLOCK.match(token.content):
                found.append(Region(*line_span(first, last), "html"))
            else:
                prose_lines.append(line_span(first, last))
        elif token.type == "inline":
            prose_lines.append(line_span(first, last))

    found.extend(_inline_regions(text, prose_lines))
    for m in _REF_DEFINITION.finditer(text, body_offset):
        found.append(Region(m.start(), m.end(), "link"))
    for m in _DISPLAY_MATH.finditer(text, body_offset):
        found.append(Region(m.start(), m.end(), "math"))
    return _merge(found)


def _inline_regions(text: str, prose: list[tuple[int, int]]) -> list[Region]:
    """Code spans, links, URLs, e-mail, raw HTML and math in the prose of `text`.

    Each pass runs once over the whole text and only when its trigger character occurs; a match
    outside prose merges into the block region around it, so no filtering is needed."""
    found: list[Region] = []
    code: list[tuple[int, int]] = []
    if "`" in text:
        # A backtick run closes at the next run of the same length, within one paragraph.
        for start, end in prose:
            runs = list(_BACKTICKS.finditer(text, start, end))
            i = 0
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
    code_starts = [a for a, _ in code]

    def outside_code(pos: int) -> bool:
        i = bisect.bisect_right(code_starts, pos) - 1
        return i < 0 or code[i][1] <= pos

    passes = []
    if "<" in text:
        passes += [(_AUTOLINK, "url"), (_RAW_HTML_TAG, "html")]
    if "](" in text:
        passes.append((_LINK_TARGET, "link"))
    if "{" in text:
        passes.append((_ATTRIBUTES, "attributes"))
    if "://" in text or "www." in text:
        passes += [(pattern, "bare-url") for pattern in _BARE_URLS]
    if "$" in text:
        passes.append((_INLINE_MATH, "math"))
    if "\\" in text:
        passes.append((_LATEX, "latex"))
    for pattern, kind in passes:
        for m in pattern.finditer(text):
            if not outside_code(m.start()):
                continue
            a, b = m.span()
            if kind == "math" and a > 0 and text[a - 1] in "\\$":
                continue
            if kind == "link":
                a += 1  # keep the closing bracket of the link text as prose
            elif kind == "bare-url":
                b = a + len(m.group().rstrip(".,;:!?)]'\""))
            found.append(Region(a, b, "url" if kind in ("link", "bare-url") else kind))
    for m in _EMAIL_DOMAIN.finditer(text):
        # Anchored on "@" (fast); the local part is read backwards from it.
        a = m.start()
        while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "._+-"):
            a -= 1
        if a < m.start() and outside_code(a):
            found.append(Region(a, m.end(), "email"))
    return found


_CURLY_QUOTE = re.compile(r"“(?:[^”\n]|\n(?![ \t]*\n))*?”")
_STRAIGHT_QUOTE = re.compile(r'(?<![\w"])"(?=\S)(?:[^"\n]|\n(?![ \t]*\n))*?(?<=\S)"(?!\w)')
_BLOCKQUOTE_START = re.compile(r"^ {0,3}>", re.M)


def find_quotes(text: str, protected: list[Region]) -> list[Region]:
    found: list[Region] = []
    if _BLOCKQUOTE_START.search(text):
        line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)] + [len(text)]
        for token in _block_parser().parse(text):
            if token.type == "blockquote_open" and token.map:
                first, last = token.map
                found.append(Region(line_starts[first], line_starts[min(last, len(line_starts) - 1)], "quote"))
    starts = [r.start for r in protected]

    def is_protected(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and protected[i].start <= pos < protected[i].end

    for pattern in (_CURLY_QUOTE, _STRAIGHT_QUOTE):
        if (pattern is _CURLY_QUOTE and "“" in text) or (pattern is _STRAIGHT_QUOTE and '"' in text):
            for m in pattern.finditer(text):
                if not is_protected(m.start()):
                    found.append(Region(m.start(), m.end(), "quote"))
    return _merge(found)


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


# ---------------------------------------------------------------- the images a source places

# ![alt](path "title"){attrs}; the alt text may hold one level of brackets.
# pandoc also takes a path with spaces ("images/Struktur Organisasi.png") and a "title" after it.
_MD_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^<>\n]+>|[^()\s](?:[^()\n]*?[^()\s])?)"
                       r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
_TEX_IMAGE = re.compile(r"\\includegraphics\s*(?:\[[^\]]*\])?\s*\{([^{}\n]+)\}")

@dataclass(frozen=True)
class ImageRef:
    path: str            # as written
    source: Source
    start: int           # of the path
    end: int
    latex: bool


def find_images(source: Source) -> list[ImageRef]:
    found = []
    for m in _MD_IMAGE.finditer(source.text):
        if source.region_at(m.start()) is not None:
            continue
        start, end = m.span(1)
        path = m.group(1)
        if path.startswith("<"):
            path, start, end = path[1:-1], start + 1, end - 1
        found.append(ImageRef(path, source, start, end, False))
    if "\\includegraphics" in source.text:
        for m in _TEX_IMAGE.finditer(source.text):
            region = source.region_at(m.start())
            if region is None or region.kind == "latex":
                found.append(ImageRef(m.group(1).strip(), source, m.start(1), m.end(1), True))
    found.sort(key=lambda r: r.start)
    return found
