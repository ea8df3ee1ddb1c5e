"""Where a place in the returned draft is in the Markdown: paragraphs matched to units, characters
aligned within them, and a snapshot's offsets carried to today's chapter.

The draft's paragraphs are matched to the chapter's units in order (a heading to its heading, a
paragraph to its paragraph; the draft's own text, such as its bibliography, to none), by the words
they share. Within a matched pair the draft's characters are aligned with the unit's visible
characters: the words line up, a citation's rendered text stands against its placeholder, a typo
the build fixed is a one-letter difference. A span of the draft maps to the Markdown it came from,
and is *clean* when the Markdown there is the words alone, or whole citations or equations that the
span covers whole."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .returned import FOOTNOTE_MARK
from .sourcemap import Unit

# What the outputs print differently from what the student typed, character for character.
_SAME = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " ", "\t": " ",
                       "\u2009": " ", "\u202f": " "})
_WORD = re.compile(r"\w{2,}")


def normalise(text: str) -> str:
    return text.translate(_SAME)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


@dataclass
class Pair:
    """A draft paragraph and the unit it was made from, aligned character by character."""

    start: int                  # the paragraph's span in its story's text
    end: int
    unit: Unit
    source: int                 # index of the source (chapter) the unit belongs to
    ops: list[tuple[str, int, int, int, int]]

    def point(self, pos: int) -> int | None:
        """The source offset of a place between two characters of the paragraph (None: inside text
        the outputs write for something else, such as a rendered citation). Syntax the draft does
        not show is kept on the far side: a word added after a bold word goes after its `**`...
        unless the place is the paragraph's end, where it goes before `{#sec:x}`."""
        p = pos - self.start
        v = None
        for tag, i1, i2, j1, j2 in self.ops:
            if tag == "equal" and i1 <= p <= i2:
                v = j1 + (p - i1)
                break
            if p == i1:
                v = j1
                break
            if p == i2 and tag != "equal":
                v = j2
                break
            if i1 < p < i2:
                return None
        if v is None:
            v = len(self.unit.visible)
        return self.visible_point(v)

    def visible_point(self, v: int) -> int:
        spans = self.unit.spans
        if not spans:
            return self.unit.start
        if v <= 0:
            return spans[0][0]
        return spans[min(v, len(spans)) - 1][1]

    def span(self, a: int, b: int) -> tuple[int, int, bool]:
        """The source span of the paragraph's characters a..b, and whether it is clean: only words,
        or whole opaque things (a citation) that a..b covers whole."""
        a, b = a - self.start, b - self.start
        touched: list[int] = []
        clean = True
        for tag, i1, i2, j1, j2 in self.ops:
            if tag == "equal":
                lo, hi = max(a, i1), min(b, i2)
                if lo < hi:
                    touched.extend(range(j1 + lo - i1, j1 + hi - i1))
            elif tag == "insert":
                if a < i1 < b:      # words of the source the draft does not show, inside the span
                    touched.extend(range(j1, j2))
            elif tag == "replace" and max(a, i1) < min(b, i2):
                if i1 < a or i2 > b:
                    clean = False       # part of a citation's rendered text, or of a changed word
                touched.extend(range(j1, j2))
            # "delete": text only the draft has (a caption's "Gambar 1.1", a letter a typo fix added)
        if not touched:
            s = self.point(a + self.start)
            e = self.point(b + self.start)
            if s is None or e is None:
                place = s if s is not None else e if e is not None else self.unit.start
                return place, place, False
            return s, max(s, e), clean and a == b
        lo, hi = min(touched), max(touched)
        s, e = self.unit.spans[lo][0], self.unit.spans[hi][1]
        if FOOTNOTE_MARK in self.unit.visible[lo:hi + 1]:
            clean = False       # a note's mark: its text, elsewhere in the chapter, would be left behind
        # Syntax inside the span that the draft does not show (`**`, a link's target, a comment).
        if any(s < m1 and m0 < e for m0, m1 in self.unit.markup):
            clean = False
        return s, e, clean


def wrapped(unit: Unit, s: int, e: int) -> tuple[int, int]:
    """s..e widened over the syntax right around it when the span is all that syntax holds: the
    `**` of `**kata**` or the `[`, `](url)` of a link whose words are all deleted go with them,
    instead of leaving `****` or `[](url)`."""
    before = next((m for m in unit.markup if m[1] == s), None)
    after = next((m for m in unit.markup if m[0] == e), None)
    if before and after:
        return before[0], after[1]
    return s, e


def match(paragraphs: list[tuple[int, int]], text: str, units: list[tuple[int, Unit]]) -> list[Pair]:
    """Pairs of draft paragraphs (spans of `text`) and units, in order, each at most once."""
    unit_words = [_words(u.visible) for _, u in units]
    index: dict[str, list[int]] = {}
    for j, words in enumerate(unit_words):
        for w in words:
            index.setdefault(w, []).append(j)
    # Words in very many units ("yang", "dan", the thesis's subject) tell no paragraph from another
    # and would make the comparison paragraphs x units: only the others count.
    common_limit = max(30, len(units) // 20)
    common = {w for w, js in index.items() if len(js) > common_limit}
    for w in common:
        del index[w]
    unit_words = [words - common for words in unit_words]
    para_words = [_words(text[s:e]) - common for s, e in paragraphs]
    scores: list[dict[int, float]] = []
    for words in para_words:
        counts: dict[int, int] = {}
        for w in words:
            for j in index.get(w, ()):
                counts[j] = counts.get(j, 0) + 1
        row = {}
        for j, common in counts.items():
            union = len(words) + len(unit_words[j]) - common
            score = common / union if union else 0.0
            if score >= 0.5 or (score >= 0.3 and common >= 4):
                row[j] = score
        scores.append(row)
    # The heaviest chain of candidate pairs in order (a weighted longest increasing subsequence over
    # the candidates, with a Fenwick tree of the best chain ending before each unit): time grows with
    # the candidates, not with paragraphs x units. On a tie the later paragraph wins, so that a
    # heading matches its place in the text rather than its entry in the table of contents.
    m = len(units)
    tree: list[tuple[float, int, int]] = [(0.0, -1, -1)] * (m + 1)     # (weight, paragraph, candidate)
    chain: list[tuple[int, int, int]] = []                              # (paragraph, unit, previous candidate)

    def best_before(j: int) -> tuple[float, int, int]:
        found = (0.0, -1, -1)
        while j > 0:
            if tree[j] > found:
                found = tree[j]
            j -= j & -j
        return found

    def lift(j: int, value: tuple[float, int, int]) -> None:
        j += 1
        while j <= m:
            if value > tree[j]:
                tree[j] = value
            j += j & -j

    top = (0.0, -1, -1)
    for i, row in enumerate(scores):
        found = []
        for j, score in row.items():
            weight, _, previous = best_before(j)
            found.append((j, (weight + score, i, len(chain))))
            chain.append((i, j, previous))
        for j, value in found:
            lift(j, value)
            top = max(top, value)
    matched: list[tuple[int, int]] = []
    at = top[2]
    while at >= 0:
        i, j, at = chain[at]
        matched.append((i, j))
    matched.reverse()
    matched = _gaps_filled(matched, [bool(text[s:e].strip()) for s, e in paragraphs],
                           [bool(u.visible.strip()) for _, u in units])
    pairs: list[Pair] = []
    for i, j in matched:
        (ps, pe), (source, unit) = paragraphs[i], units[j]
        drawn, visible = normalise(text[ps:pe]), normalise(unit.visible)
        ops = _tidy(_char_ops(drawn, visible), drawn, visible)
        pairs.append(Pair(ps, pe, unit, source, ops))
    return pairs


def _char_ops(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """a and b aligned character by character: word by word first (fast, and words line up with
    words), then the characters of the words that differ."""
    if a == b:
        return [("equal", 0, len(a), 0, len(b))]
    # A word with the spaces after it is one token: half as many, and no token as frequent as a space.
    x = [(m.start(), m.end()) for m in _SPACED_TOKENS.finditer(a)]
    y = [(m.start(), m.end()) for m in _SPACED_TOKENS.finditer(b)]
    words = difflib.SequenceMatcher(None, [a[s:e] for s, e in x], [b[s:e] for s, e in y],
                                    autojunk=len(x) + len(y) > 4000)
    out: list[tuple[str, int, int, int, int]] = []

    def add(op: tuple[str, int, int, int, int]) -> None:
        if out and out[-1][0] == op[0] == "equal":
            out[-1] = ("equal", out[-1][1], op[2], out[-1][3], op[4])
        elif op[1] != op[2] or op[3] != op[4]:
            out.append(op)

    for tag, i1, i2, j1, j2 in words.get_opcodes():
        a1 = x[i1][0] if i1 < len(x) else len(a)
        a2 = x[i2 - 1][1] if i2 > i1 else a1
        b1 = y[j1][0] if j1 < len(y) else len(b)
        b2 = y[j2 - 1][1] if j2 > j1 else b1
        if tag == "equal":
            add(("equal", a1, a2, b1, b2))
        elif a2 > a1 and b2 > b1:
            chars = difflib.SequenceMatcher(None, a[a1:a2], b[b1:b2], autojunk=False)
            for op, k1, k2, l1, l2 in chars.get_opcodes():
                add((op, a1 + k1, a1 + k2, b1 + l1, b1 + l2))
        else:
            add(("delete" if a2 > a1 else "insert", a1, a2, b1, b2))
    return out


def _gaps_filled(matched: list[tuple[int, int]], paragraphs: list[bool], units: list[bool]) -> list[tuple[int, int]]:
    """Between two matched pairs, as many draft paragraphs with text as units with text (three at
    most) are paired in order: a paragraph rewritten so much that few of its words are left (a
    table cell "besar sekali" made "amat besar") is still the one in its place."""
    out: list[tuple[int, int]] = []
    bounds = [(-1, -1), *matched, (len(paragraphs), len(units))]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
        if (i0, j0) != (-1, -1):
            out.append((i0, j0))
        if (i0, j0) == (-1, -1) or (i1, j1) == (len(paragraphs), len(units)):
            continue        # before the first and after the last: the draft's own text (title, bibliography)
        gap_p = [i for i in range(i0 + 1, i1) if paragraphs[i]]
        gap_u = [j for j in range(j0 + 1, j1) if units[j]]
        if 0 < len(gap_p) == len(gap_u) <= 3:
            out.extend(zip(gap_p, gap_u))
    return out


def _tidy(ops: list[tuple[str, int, int, int, int]], a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """A character or two found equal between two differences is chance, not text: the "." of
    "(Abdelal dkk., 2006)" against the full stop after `[@abdelal2006]`. Such runs join their
    neighbours into one difference, which then gives back what its two sides begin and end with
    alike: "(Abdelal dkk., 2006)" stands whole against the key, and the full stop against the full stop."""
    out = list(ops)
    changed = True
    while changed:
        changed = False
        for k in range(1, len(out) - 1):
            tag, i1, i2, j1, j2 = out[k]
            if tag == "equal" and i2 - i1 <= 2 and out[k - 1][0] != "equal" and out[k + 1][0] != "equal":
                out[k - 1:k + 2] = _trimmed(out[k - 1][1], out[k + 1][2], out[k - 1][3], out[k + 1][4], a, b)
                changed = True
                break
    return out


def _trimmed(i1: int, i2: int, j1: int, j2: int, a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    p = 0
    while i1 + p < i2 and j1 + p < j2 and a[i1 + p] == b[j1 + p]:
        p += 1
    q = 0
    while i2 - q > i1 + p and j2 - q > j1 + p and a[i2 - q - 1] == b[j2 - q - 1]:
        q += 1
    middle_tag = "replace" if i2 - q > i1 + p and j2 - q > j1 + p else "delete" if i2 - q > i1 + p else "insert"
    out = []
    if p:
        out.append(("equal", i1, i1 + p, j1, j1 + p))
    if i2 - q > i1 + p or j2 - q > j1 + p:
        out.append((middle_tag, i1 + p, i2 - q, j1 + p, j2 - q))
    if q:
        out.append(("equal", i2 - q, i2, j2 - q, j2))
    return out


def pair_at(pairs: list[Pair], pos: int, closing: bool = False) -> Pair | None:
    """The pair whose paragraph holds the place `pos` (a place at a paragraph's end belongs to it)."""
    for pair in pairs:
        if pair.start <= pos < pair.end or pos == pair.end or (closing and pos == pair.start):
            return pair
    return None


# ---------------------------------------------------------------- from the snapshot to today

class Carrier:
    """Offsets of the snapshot sent, carried to today's chapter through the difference between them."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.pieces: list[tuple[int, int, int, int, bool]] = []    # old span, new span, unchanged
        if old == new:
            self.pieces.append((0, len(old), 0, len(new), True))
            return
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
        oa = _starts(a)
        ob = _starts(b)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            s0, s1, t0, t1 = oa[i1], oa[i2], ob[j1], ob[j2]
            if tag == "equal":
                self.pieces.append((s0, s1, t0, t1, True))
                continue
            self.pieces.extend(_word_pieces(old, new, s0, s1, t0, t1))

    def span(self, s: int, e: int) -> tuple[int, int] | None:
        """Today's offsets of the snapshot's s..e, when that text (and the two characters on each
        side of an insertion's place) is unchanged; else None."""
        lo, hi = (s - 2, e + 2) if s == e else (s, e)
        lo, hi = max(lo, 0), min(hi, len(self.old))
        for o0, o1, n0, n1, same in self.pieces:
            if same and o0 <= lo and hi <= o1 and o1 > o0:
                return n0 + (s - o0), n0 + (e - o0)
        if s == e and not self.old:
            return 0, 0
        return None

    def near(self, s: int) -> int:
        """Roughly where the snapshot's offset s is today (in changed text: the start of the change),
        to tell which of several same texts is the one meant."""
        for o0, o1, n0, n1, same in self.pieces:
            if o0 <= s < o1 or (s == o1 and o1 == len(self.old)):
                return n0 + min(s - o0, n1 - n0)
        return len(self.new)


_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_SPACED_TOKENS = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
_UNCHANGED_AT_LEAST = 3       # tokens: a word, its space and the next word; less is chance


def _word_pieces(old: str, new: str, s0: int, s1: int, t0: int, t1: int) -> list[tuple[int, int, int, int, bool]]:
    """The changed lines old[s0:s1] -> new[t0:t1] compared word by word: what stayed the same (three
    tokens or more together: "an" alike in two rewritten sentences is chance, not text kept), what
    changed."""
    a = [(m.start(), m.end(), m.group()) for m in _TOKENS.finditer(old, s0, s1)]
    b = [(m.start(), m.end(), m.group()) for m in _TOKENS.finditer(new, t0, t1)]
    matcher = difflib.SequenceMatcher(None, [x[2] for x in a], [y[2] for y in b], autojunk=len(a) + len(b) > 4000)
    out: list[tuple[int, int, int, int, bool]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        o0 = a[i1][0] if i1 < len(a) else s1
        o1 = a[i2 - 1][1] if i2 > i1 else o0
        n0 = b[j1][0] if j1 < len(b) else t1
        n1 = b[j2 - 1][1] if j2 > j1 else n0
        out.append((o0, o1, n0, n1, op == "equal" and i2 - i1 >= _UNCHANGED_AT_LEAST))
    return out


def _starts(lines: list[str]) -> list[int]:
    out, pos = [0], 0
    for line in lines:
        pos += len(line)
        out.append(pos)
    return out


__all__ = ["Carrier", "Pair", "match", "normalise", "pair_at", "wrapped"]
