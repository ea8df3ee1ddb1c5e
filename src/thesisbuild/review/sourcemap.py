"""A chapter's Markdown as the draft shows it, character by character, with where each came from.

The chapter is cut into units, one per paragraph the DOCX has: a heading, a paragraph, a list item,
a table cell, a caption, a code block, a footnote. Each unit's *visible* text is what a reader of
the draft sees of it: its words, without the Markdown syntax (`**`, `#`, `{#sec:x}`, link targets,
comments), and one placeholder character for each thing the outputs write differently (a citation,
a cross-reference, math, a footnote mark, raw LaTeX). For each visible character the unit knows the
source characters it stands for: one for a word's letter, the whole `[@key, hlm. 3]` for a
citation's placeholder. A change in the draft maps back through these to the Markdown, and a change
that would touch syntax the draft does not show is found before it is made."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .returned import FOOTNOTE_MARK, MATH_MARK

OPAQUE = "\ufffc"         # a citation, cross-reference or raw LaTeX: the outputs write their own text

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^( {0,3})([-*+]|\(?(?:\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+|#)[.)])([ \t]+|$)")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]*")
_DIV_FENCE = re.compile(r"^ {0,3}:{3,}")
_TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_GRID_RULE = re.compile(r"^ {0,3}\+[-=:+]+\+[ \t]*$|^ {0,3}-{3,}[ \t]*(?:-{3,}[ \t]*)*$")
_CAPTION = re.compile(r"^ {0,3}(?:Table|Tabel)?:[ \t]+")
_IMAGE_BLOCK = re.compile(r"^ {0,3}!\[")
_DISPLAY_MATH_START = re.compile(r"^ {0,3}\$\$")
_COMMENT_BLOCK = re.compile(r"^ {0,3}<!--")
_HTML_BLOCK = re.compile(r"^ {0,3}</?[A-Za-z][^>]*>\s*$")
_QUOTE = re.compile(r"^ {0,3}> ?")

# Inline syntax, tried in this order at each position.
_INLINE = re.compile(r"""
    (?P<comment><!--.*?-->)
  | (?P<code>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))
  | (?P<dmath>\$\$.+?\$\$)
  | (?P<math>\$(?=\S)(?:[^$\\\n]|\\.)+?(?<=\S)\$(?!\d))
  | (?P<note>\^\[)
  | (?P<noteref>\[\^[^\]\s]+\])
  | (?P<cite>\[[^\[\]]*?-?@[\w:.#$%&+?<>~/-]+[^\[\]]*\](?!\())
  | (?P<bare>(?<![\w@])-?@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*(?<![.:]))
  | (?P<latex>\\(?:[a-zA-Z]+\*?)(?:\[[^\]\n]*\])?(?:\{[^{}\n]*\})*)
  | (?P<escape>\\[^\sA-Za-z0-9])
  | (?P<attr>\{[#.=][^{}\n]*\}|\{[a-z-]+=[^{}\n]*\})
  | (?P<target>\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"]*")?\)|\]\[[^\]\n]*\])
  | (?P<image>!\[)
  | (?P<autolink><(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s]+)>)
  | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)
  | (?P<delim>\*{1,3}|~~|(?<![\w])_{1,3}(?=\S)|(?<=\S)_{1,3}(?![\w]))
  | (?P<bracket>[\[\]])
""", re.X | re.S)


@dataclass
class Unit:
    """One paragraph of the draft in the source: its span, and its visible text with, for each
    visible character, the source span it stands for."""

    kind: str                   # heading, para, item, cell, caption, code, math, footnote, other
    start: int
    end: int
    visible: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    markup: list[tuple[int, int]] = field(default_factory=list)    # syntax the draft does not show
    story: str = "body"         # "body", or "footnote" for a note's text
    note: str = ""              # a footnote's label

    def add(self, text: str, start: int) -> None:
        self.visible += text
        self.spans.extend((start + i, start + i + 1) for i in range(len(text)))

    def opaque(self, char: str, start: int, end: int) -> None:
        self.visible += char
        self.spans.append((start, end))

    def hide(self, start: int, end: int) -> None:
        if end > start:
            self.markup.append((start, end))


def units(text: str) -> list[Unit]:
    """The chapter's units in order (footnotes' texts among them, where they are written)."""
    out: list[Unit] = []
    lines = text.splitlines(keepends=True)
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    i = 0
    # A YAML metadata block at the top is no text of the draft.
    if lines and lines[0].rstrip() == "---":
        for j in range(1, len(lines)):
            if lines[j].rstrip() in ("---", "..."):
                i = j + 1
                break
    while i < len(lines):
        line = lines[i].rstrip("\r\n")
        if not line.strip():
            i += 1
            continue
        start = offsets[i]
        fence = _FENCE.match(line)
        if fence:
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(fence.group(1)):
                j += 1
            unit = Unit("code", start, offsets[j] + len(lines[j]) if j < len(lines) else len(text))
            if i + 1 < len(lines):
                body_end = offsets[j] if j < len(lines) else len(text)
                unit.add(text[offsets[i + 1]:body_end].rstrip("\n"), offsets[i + 1])
            out.append(unit)
            i = j + 1
            continue
        j = i + 1       # the block's end: the next blank line (or a fence)
        while j < len(lines) and lines[j].strip() and not _FENCE.match(lines[j]):
            j += 1
        block = range(i, j)
        i = _block(text, lines, offsets, block, out)
    return out


def _line_span(lines, offsets, k) -> tuple[int, int]:
    return offsets[k], offsets[k] + len(lines[k].rstrip("\r\n"))


def _block(text: str, lines: list[str], offsets: list[int], block: range, out: list[Unit]) -> int:
    """Units of the lines of one block (no blank line inside); the index after it. Lines the draft
    does not show (a comment, a div's fence, a LaTeX command alone on its line) are passed over and
    the rest of the block still read."""
    end = block.stop
    k = block.start
    in_list = bool(_LIST_ITEM.match(lines[k]) or _FOOTNOTE_DEF.match(lines[k]))
    while k < end:
        line = lines[k].rstrip("\r\n")
        if _COMMENT_BLOCK.match(line):
            close = text.find("-->", offsets[k])
            if close == -1:
                return len(lines)          # a comment never closed: the rest is comment
            j = k
            while j + 1 < len(lines) and offsets[j + 1] <= close:
                j += 1
            if text[close + 3:offsets[j] + len(lines[j].rstrip("\r\n"))].strip():
                # Words after the comment on its last line: a paragraph begins there (the comment
                # itself is hidden in it).
                k = _paragraph(text, lines, offsets, k, max(end, j + 1), out, in_list)
                continue
            if j + 1 > end:
                return j + 1               # a comment over blank lines: the block ends with it
            k = j + 1
            continue
        if _DIV_FENCE.match(line) or _HTML_BLOCK.match(line) or _COMMAND_ALONE.match(line):
            k += 1
            continue
        if _DISPLAY_MATH_START.match(line):
            j = k
            if not (line.strip().endswith("$$") and len(line.strip()) > 2 or "$$" in line.strip()[2:]):
                while j + 1 < end and "$$" not in lines[j + 1]:
                    j += 1
                j = min(j + 1, end - 1)
            s, e = offsets[k], _line_span(lines, offsets, j)[1]
            unit = Unit("math", s, e)
            unit.opaque(MATH_MARK, s, e)
            out.append(unit)
            k = j + 1
            continue
        begin = _LATEX_BEGIN.match(line)
        if begin:
            j = k
            while j + 1 < end and f"\\end{{{begin.group(1)}}}" not in lines[j]:
                j += 1
            out.append(Unit("other", offsets[k], _line_span(lines, offsets, j)[1]))
            k = j + 1
            continue
        if k + 1 < end and _TABLE_RULE.match(lines[k + 1]) and "|" in line:
            j = k
            while j < end and "|" in lines[j]:
                if j != k + 1:
                    _cells(text, lines, offsets, j, out)
                j += 1
            k = j
            continue
        if _GRID_RULE.match(line) and k + 1 < end:
            out.append(Unit("other", offsets[k], _line_span(lines, offsets, end - 1)[1]))
            return end
        heading = _HEADING.match(line)
        if heading:
            s, e = _line_span(lines, offsets, k)
            unit = Unit("heading", s, e)
            unit.hide(s, s + heading.start(2))
            _inline(text, s + heading.start(2), s + heading.end(2), unit)
            out.append(unit)
            k += 1
            continue
        if k + 1 < end and _SETEXT.match(lines[k + 1]) and not _LIST_ITEM.match(line):
            s, e = _line_span(lines, offsets, k)
            unit = Unit("heading", s, e)
            _inline(text, s, e, unit)
            out.append(unit)
            k += 2
            continue
        note = _FOOTNOTE_DEF.match(line)
        item = _LIST_ITEM.match(line) if in_list or k == block.start else None
        if note or item:
            # The item (or note) and its lines up to the next item.
            stop = k + 1
            while stop < end and not _LIST_ITEM.match(lines[stop]) and not _FOOTNOTE_DEF.match(lines[stop]):
                stop += 1
            s, e = offsets[k], _line_span(lines, offsets, stop - 1)[1]
            marker = (note or item).end()
            unit = Unit("footnote" if note else "item", s, e, story="footnote" if note else "body",
                        note=note.group(1) if note else "")
            unit.hide(s, s + marker)
            _inline(text, s + marker, e, unit)
            out.append(unit)
            k = stop
            continue
        definition = _DEFINITION.match(line) if k > block.start else None
        if definition:
            # A definition list's definition (its term is the line before): the marker hidden.
            stop = k + 1
            while stop < end and not _DEFINITION.match(lines[stop]):
                stop += 1
            s, e = offsets[k], _line_span(lines, offsets, stop - 1)[1]
            unit = Unit("para", s, e)
            unit.hide(s, s + definition.end())
            _inline(text, s + definition.end(), e, unit)
            out.append(unit)
            k = stop
            continue
        k = _paragraph(text, lines, offsets, k, end, out, in_list)
    return end


def _paragraph(text: str, lines: list[str], offsets: list[int], k: int, end: int, out: list[Unit],
               in_list: bool) -> int:
    """A paragraph (or caption, image, quote) from line k: to the block's end, or a line that
    starts something pandoc starts without a blank line (a div's fence, an environment, display
    math, the next item of a list). The next line's index."""
    stop = k + 1
    while stop < end and not (_DIV_FENCE.match(lines[stop]) or _LATEX_BEGIN.match(lines[stop])
                              or _DEFINITION.match(lines[stop])
                              or ("|" in lines[stop] and stop + 1 < end and _TABLE_RULE.match(lines[stop + 1]))
                              or _DISPLAY_MATH_START.match(lines[stop])
                              or (in_list and (_LIST_ITEM.match(lines[stop]) or _FOOTNOTE_DEF.match(lines[stop])))):
        stop += 1
    line = lines[k].rstrip("\r\n")
    s, e = offsets[k], _line_span(lines, offsets, stop - 1)[1]
    kind = "caption" if _CAPTION.match(line) or _IMAGE_BLOCK.match(line) else "para"
    unit = Unit(kind, s, e)
    # What begins the line and is not text: its indent, a quote's ">", a caption's ":".
    lead = _CAPTION.match(line) or _LEAD.match(line)
    unit.hide(s, s + lead.end())
    _inline(text, s + lead.end(), e, unit)
    out.append(unit)
    return stop


_DEFINITION = re.compile(r"^ {0,3}[:~][ \t]+")
_LEAD = re.compile(r"[ \t]*(?:>[ \t]?)*")
_LATEX_BEGIN = re.compile(r"^ {0,3}\\begin\{([^{}]+)\}")
# A LaTeX command alone on its line, which prints no words: \newpage, \noindent, \clearpage.
_COMMAND_ALONE = re.compile(r"^ {0,3}\\[A-Za-z]+\*?(?:\[[^\]]*\])?(?:\{[^{}]*\})*[ \t]*$")


def _cells(text: str, lines, offsets, k: int, out: list[Unit]) -> None:
    s, e = _line_span(lines, offsets, k)
    row = text[s:e]
    bounds = [m.start() for m in re.finditer(r"(?<!\\)\|", row)]
    edges = [-1, *bounds, len(row)]
    for a, b in zip(edges, edges[1:]):
        cell = row[a + 1:b]
        if a == -1 and not cell.strip() or b == len(row) and not cell.strip():
            continue
        lead = len(cell) - len(cell.lstrip())
        c0, c1 = s + a + 1 + lead, s + a + 1 + len(cell.rstrip())
        unit = Unit("cell", c0, c1)
        _inline(text, c0, c1, unit)
        out.append(unit)


def _inline(text: str, start: int, end: int, unit: Unit) -> None:
    """The visible text of text[start:end] added to the unit."""
    pos = start
    while pos < end:
        m = _INLINE.search(text, pos, end)
        stop = m.start() if m else end
        _plain(text, pos, stop, unit)
        if m is None:
            break
        kind = m.lastgroup if m.lastgroup not in ("ticks", "codetext") else "code"
        s, e = m.start(), m.end()
        if kind == "code":
            unit.hide(s, m.start("codetext"))
            unit.add(m.group("codetext"), m.start("codetext"))
            unit.hide(m.end("codetext"), e)
        elif kind in ("dmath", "math"):
            unit.opaque(MATH_MARK, s, e)
        elif kind == "note":
            # An inline note: its mark here; its words are the note's, in the footnotes.
            close = _matching(text, e - 1, end)
            unit.opaque(FOOTNOTE_MARK, s, close + 1 if close is not None else e)
            pos = close + 1 if close is not None else e
            continue
        elif kind == "noteref":
            unit.opaque(FOOTNOTE_MARK, s, e)
        elif kind in ("cite", "bare", "latex"):
            unit.opaque(OPAQUE, s, e)
        elif kind == "escape":
            # "\\#" shows "#": the character stands for both, so that replacing or deleting it takes
            # its backslash along (a backslash left before other words would begin a command).
            unit.opaque(text[s + 1:e], s, e)
        elif kind == "autolink":
            unit.hide(s, s + 1)
            unit.add(text[s + 1:e - 1], s + 1)
            unit.hide(e - 1, e)
        else:       # comment, attributes, link target, image or html tag, emphasis, a bracket
            unit.hide(s, e)
        pos = e


def _plain(text: str, start: int, end: int, unit: Unit) -> None:
    """Words as they are; a line break inside a paragraph shows as a space, a quote's `>` not at all."""
    pos = start
    for m in re.finditer(r"\n[ \t]*(?:>[ \t]?)?", text[start:end]):
        a = start + m.start()
        unit.add(text[pos:a], pos)
        unit.visible += " "
        unit.spans.append((a, a + 1))
        unit.hide(a + 1, start + m.end())
        pos = start + m.end()
    unit.add(text[pos:end], pos)


def _matching(text: str, open_at: int, end: int) -> int | None:
    depth = 0
    for i in range(open_at, end):
        if text[i] == "[" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "]" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return None


def footnote_units(text: str, units_: list[Unit]) -> list[Unit]:
    """The notes' own text, in the order their marks appear in the body: a `[^label]` definition,
    or the words of an inline `^[note]`."""
    by_label = {u.note: u for u in units_ if u.story == "footnote"}
    out: list[Unit] = []
    for u in units_:
        if u.story != "body":
            continue
        for (s, e), ch in zip(u.spans, u.visible):
            if ch != FOOTNOTE_MARK:
                continue
            if text.startswith("^[", s):
                note = Unit("footnote", s, e, story="footnote")
                note.hide(s, s + 2)
                _inline(text, s + 2, e - 1, note)
                note.hide(e - 1, e)
                out.append(note)
            else:
                label = text[s + 2:e - 1]
                if label in by_label:
                    out.append(by_label[label])
    return out
