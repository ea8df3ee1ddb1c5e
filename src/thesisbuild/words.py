"""Suspect words (TYP003): rare words close to a frequent one, and words no word list knows.

The Indonesian word list is Sastrawi's 29,933 root words. Inflected forms are reduced to a root
by stripping the regular affixes (meN-, ber-, di-, ter-, ke-, peN-, per-, se-; -kan, -an, -i,
-nya, -lah, -kah, -pun) with the nasal changes of meN-/peN-; a word counts as known when the
word or one of its roots is in the list or in the project's words.txt.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import UserError
from .yamlfile import read_text

_WORD = re.compile(r"[^\W\d_]+")
_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
_PREFIXES = ("di", "ke", "se", "ber", "be", "ter", "per", "pe")
# meN-/peN- with the nasal that replaced the root's first letter.
_NASAL = (("meny", ("s",)), ("peny", ("s",)), ("meng", ("", "k")), ("peng", ("", "k")),
          ("mem", ("p", "")), ("pem", ("p", "")), ("men", ("t", "")), ("pen", ("t", "")),
          ("me", ("",)), ("pe", ("",)))


@lru_cache(maxsize=1)
def indonesian_roots() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    words = {w.strip().lower() for w in StemmerFactory().get_words_from_file() if w.strip()}
    extra = Path(__file__).parent / "data" / "id-extra.txt"
    words |= {line.strip().lower() for line in extra.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    return frozenset(words)


def _strip_suffixes(word: str) -> list[str]:
    out = [word]
    for group in (_PARTICLES, _POSSESSIVES, _SUFFIXES):
        for form in list(out):
            for suffix in group:
                if form.endswith(suffix) and len(form) - len(suffix) >= 3:
                    out.append(form[: -len(suffix)])
    return out


def _strip_prefixes(word: str, depth: int = 2) -> list[str]:
    out = [word]
    if depth == 0:
        return out
    for nasal, firsts in _NASAL:
        if word.startswith(nasal) and len(word) - len(nasal) >= 3:
            rest = word[len(nasal):]
            for first in firsts:
                out.extend(_strip_prefixes(first + rest, depth - 1))
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            out.extend(_strip_prefixes(word[len(prefix):], depth - 1))
    return out


@dataclass
class WordList:
    roots: frozenset[str]
    project: frozenset[str]

    @lru_cache(maxsize=65536)
    def knows(self, word: str) -> bool:
        w = word.lower()
        if w in self.roots or w in self.project:
            return True
        for stem in _strip_suffixes(w):
            for root in _strip_prefixes(stem):
                if root in self.roots or root in self.project:
                    return True
        return False

    def __hash__(self) -> int:
        return id(self)


def load_word_list(path: Path | None) -> WordList:
    project: set[str] = set()
    if path is not None:
        if not path.is_file():
            raise UserError("the word list does not exist; create it (one word per line) or fix its path.", path)
        for line in read_text(path, "word list").splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                project.add(word.lower())
    return WordList(roots=indonesian_roots(), project=frozenset(project))


def word_counts(texts: list[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(_WORD.findall(text))
    return counts


def _deletes(word: str, distance: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition counts as one edit)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def near_frequent(counts: Counter, rare_max: int = 2, frequent_min: int = 5, ratio: int = 5) -> dict[str, str]:
    """Rare words within a small edit distance of a much more frequent word: {"Kazaksthan": "Kazakhstan"}."""
    frequent = {w: c for w, c in counts.items() if c >= frequent_min and len(w) >= 5}
    index: dict[str, set[str]] = {}
    for word in frequent:
        for d in _deletes(word.lower(), 2 if len(word) >= 8 else 1):
            index.setdefault(d, set()).add(word)
    found: dict[str, str] = {}
    for word, count in counts.items():
        if count > rare_max or len(word) < 5 or word in frequent:
            continue
        limit = 2 if len(word) >= 8 else 1
        candidates: set[str] = set()
        for d in _deletes(word.lower(), limit):
            candidates |= index.get(d, set())
        best = None
        for cand in candidates:
            if counts[cand] < ratio * count or cand.lower() == word.lower():
                continue
            distance = damerau(word.lower(), cand.lower())
            if distance <= limit:
                score = (-counts[cand], distance, cand)   # the most frequent, then the closest
                if best is None or score < best:
                    best = score
        if best is not None:
            found[word] = best[2]
    return found
