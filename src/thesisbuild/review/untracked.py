"""Words that differ between the returned draft and the Markdown it was made from, with no tracked
change to say so: an edit made with Track Changes off, or a change of the student's that the
supervisor rejected. They are listed, never applied: nothing says who made them or when.

What the outputs themselves write differently is not such a difference: a citation's or a
cross-reference's text, a caption's "Gambar 1.1" and a heading's number, a word the typo dictionary
corrects, quotes and dashes set by the typesetter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .locate import Pair, normalise
from .returned import FOOTNOTE_MARK, MATH_MARK
from .sourcemap import OPAQUE

_GENERATED = {OPAQUE, MATH_MARK, FOOTNOTE_MARK}
_WORDISH = re.compile(r"\w")


@dataclass
class Difference:
    source: int                 # the chapter's index
    start: int                  # span in the text the draft was made from
    end: int
    chapter_words: str
    draft_words: str


def differences(pairs: list[Pair], text: str, fixed: dict[int, list[tuple[int, int]]]) -> list[Difference]:
    """Untracked differences in the matched paragraphs; `fixed` holds, per chapter, the spans the typo
    dictionary rewrote in the outputs."""
    out: list[Difference] = []
    for pair in pairs:
        drawn = normalise(text[pair.start:pair.end])
        visible = normalise(pair.unit.visible)
        found: list[tuple[int, int, int, int]] = []
        for tag, i1, i2, j1, j2 in pair.ops:
            if tag == "equal" or _GENERATED & set(visible[j1:j2]) or _GENERATED & set(drawn[i1:i2]):
                continue
            if i1 == 0 and pair.unit.kind in ("caption", "heading"):
                continue        # "Gambar 1.1 ", "Tabel 2.3 ", a heading's number LibreOffice writes out
            a1, a2 = _word(drawn, i1, i2)
            b1, b2 = _word(visible, j1, j2)
            if found and a1 <= found[-1][1] + 1 and b1 <= found[-1][3] + 1:
                a1, b1 = found[-1][0], found[-1][2]
                found.pop()
            found.append((a1, a2, b1, b2))
        for a1, a2, b1, b2 in found:
            mine, theirs = visible[b1:b2], drawn[a1:a2]
            if _letters(mine) == _letters(theirs) or not _WORDISH.search(mine + theirs):
                continue        # quotes, dashes, spaces: the typesetter's
            if b2 > b1 and _GENERATED & set(visible[b1:b2]):
                continue
            spans = pair.unit.spans
            start = spans[b1][0] if b2 > b1 else pair.visible_point(b1)
            end = spans[b2 - 1][1] if b2 > b1 else start
            if any(s < end and start < e or s == start for s, e in fixed.get(pair.source, ())):
                continue        # the typo dictionary's correction
            out.append(Difference(pair.source, start, end, mine.strip(), theirs.strip()))
    return out


def _word(text: str, i: int, j: int) -> tuple[int, int]:
    """i..j widened to whole words."""
    while i > 0 and text[i - 1].isalnum():
        i -= 1
    while j < len(text) and text[j].isalnum():
        j += 1
    return i, j


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()
