"""Plain-prose author-year citations: "(Roberts, 2012)", "Jordaan (2003)", "Sugiyono (2020;9)".

Found with exact offsets in the prose of a Markdown source (never in code, URLs, math or
comments). Each citation is split into parts, one per cited work, with the author text as
written, the years, and the locator, so that the checks can compare them with the bibliography
and the fixes can rewrite exactly the right characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .sources import Source

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"          # Latin capitals, with accents
_WORD = rf"[{_UPPER}][\w'’\-]*\.?"  # a capitalised name word, "ROUSSEAU." and "A." included
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|dos|le|la|bin|binti|al|el|ten|ter)"
_NAME = rf"(?:{_PARTICLE}\s+)*{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{0,4}}"
_CONNECT = r"(?:&|dan|and)"
_ETAL = r"(?:et\s*al\.?|dkk\.?)"
AUTHOR = rf"{_NAME}(?:\s*,\s*{_NAME})*(?:\s*,?\s*{_CONNECT}\s+{_NAME})?(?:\s*,?\s+{_ETAL})?"
YEAR = r"(?:1[5-9]\d\d|20\d\d)[a-z]?|n\.d\.|t\.t\."
_LOCATOR_WORD = r"(?:hlm|hal|h|p|pp|pg|pgs|bab|chap|ch|para)\.?"
_LOCATOR = rf"(?P<sep>\s*[,;:]\s*)(?P<word>{_LOCATOR_WORD}\s*)?(?P<num>\d+(?:\s*[-–]\s*\d+)?)"
_PREFIX = r"(?:(?:lihat|lih\.|see|cf\.|bdk\.|e\.g\.,?|misalnya)\s+)"

_PAREN = re.compile(r"\(((?:[^()\n]|\n(?![ \t]*\n)){4,400})\)")  # soft line breaks, no blank line
_HAS_YEAR = re.compile(rf"(?<!\d)(?:{YEAR})(?![\d–-])")
_ITEM = re.compile(rf"^\s*(?P<prefix>{_PREFIX})?(?P<author>{AUTHOR})\s*,?\s*(?P<years>(?:{YEAR})(?:\s*,\s*(?:{YEAR}))*)"
                   rf"(?:{_LOCATOR})?\s*$")
_NARRATIVE_INSIDE = re.compile(rf"^\s*(?P<years>{YEAR})(?:{_LOCATOR})?\s*$")
_NARRATIVE_AUTHOR = re.compile(rf"(?P<author>{AUTHOR})\s*$")


@dataclass(frozen=True)
class CitedWork:
    """One work inside a prose citation."""

    author: str             # as written: "Khan & Siraj", "Shang et al.", "ROUSSEAU."
    author_start: int
    author_end: int
    year: str               # "2012", "2020a", "n.d."
    year_start: int
    locator: str = ""       # the number(s): "9", "12-15"
    locator_word: str = ""  # "hlm." as written, or ""
    locator_sep: str = ""   # ", " / ";" / ":" as written
    locator_start: int = -1
    locator_end: int = -1
    prefix: str = ""        # "lihat " as written


@dataclass(frozen=True)
class ProseCitation:
    source: Source
    start: int              # the whole citation, "(" to ")" or author to ")"
    end: int
    narrative: bool
    works: tuple[CitedWork, ...]

    @property
    def text(self) -> str:
        return self.source.text[self.start:self.end]


def find_prose_citations(source: Source) -> list[ProseCitation]:
    text = source.text
    found: list[ProseCitation] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        if not _HAS_YEAR.search(inner) or source.overlaps_region(m.start(), m.end()):
            continue
        if text[m.start() - 1: m.start()] == "]":  # a Markdown link's target, "[x](…)"
            continue
        narrative = _NARRATIVE_INSIDE.match(inner)
        if narrative:
            cite = _narrative(source, m, narrative)
        else:
            cite = _parenthetical(source, m)
        if cite is not None:
            found.append(cite)
    return found


def _locator(base: int, m: re.Match) -> dict:
    if m.group("num") is None:
        return {}
    return {"locator": m.group("num"), "locator_word": (m.group("word") or "").strip(),
            "locator_sep": m.group("sep"), "locator_start": base + m.start("sep"),
            "locator_end": base + m.end("num")}


def _parenthetical(source: Source, m: re.Match) -> ProseCitation | None:
    inner_start = m.start(1)
    inner = m.group(1)
    works: list[CitedWork] = []
    offset = 0
    for piece in _split_items(inner):
        item = _ITEM.match(piece)
        if item is None:
            return None
        base = inner_start + offset
        years = [y for y in re.finditer(YEAR, item.group("years"))]
        for y in years:
            works.append(CitedWork(
                author=item.group("author"), author_start=base + item.start("author"),
                author_end=base + item.end("author"), year=y.group(),
                year_start=base + item.start("years") + y.start(),
                prefix=item.group("prefix") or "",
                **(_locator(base, item) if y is years[-1] else {})))
        offset += len(piece) + 1  # the ";" that separated it
    return ProseCitation(source=source, start=m.start(), end=m.end(), narrative=False, works=tuple(works))


def _split_items(inner: str) -> list[str]:
    """Split on ";" between works, but not on "2020;9", which is a locator."""
    pieces, start = [], 0
    for sep in re.finditer(";", inner):
        if re.match(r"\s*\d", inner[sep.end():]):
            continue
        pieces.append(inner[start:sep.start()])
        start = sep.end()
    pieces.append(inner[start:])
    return pieces


def _narrative(source: Source, m: re.Match, inside: re.Match) -> ProseCitation | None:
    text = source.text
    window_start = max(0, m.start() - 160)
    before = text[window_start:m.start()]
    author = _NARRATIVE_AUTHOR.search(before)
    if author is None:
        return None
    a_start = window_start + author.start("author")
    if source.overlaps_region(a_start, m.start()):
        return None
    base = m.start(1)
    work = CitedWork(author=author.group("author"), author_start=a_start,
                     author_end=window_start + author.end("author"), year=inside.group("years"),
                     year_start=base + inside.start("years"), **_locator(base, inside))
    return ProseCitation(source=source, start=a_start, end=m.end(), narrative=True, works=(work,))


# ---------------------------------------------------------------- author text, split and normalised

@dataclass(frozen=True)
class AuthorText:
    names: tuple[str, ...]     # "Khan & Siraj" -> ("Khan", "Siraj")
    etal: str                  # "et al." / "dkk." as written, or ""
    connector: str             # "&", "dan", "and", or ""


@lru_cache(maxsize=4096)
def split_author(author: str) -> AuthorText:
    etal = re.search(rf"\s*,?\s*({_ETAL})\s*$", author)
    body = author[: etal.start()] if etal else author
    connector = re.search(rf"\s{_CONNECT}\s", f" {body} ")
    names = [n.strip() for n in re.split(rf"\s*,\s*|\s+{_CONNECT}\s+|\s*&\s*", body) if n.strip()]
    return AuthorText(names=tuple(names), etal=etal.group(1) if etal else "",
                      connector=connector.group().strip() if connector else "")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Case, accents and punctuation folded away: "ROUSSEAU." -> "rousseau", "Sébastien" -> "sebastien"."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]", "", letters.casefold()).strip()


@lru_cache(maxsize=16384)
def fold_tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(text.replace("-", " ")).split())
