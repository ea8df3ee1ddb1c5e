"""Suspect words (TYP003): rare words close to a frequent one, and words no word list knows.

Word lists, all shipped as data:
- Indonesian: Sastrawi's 29,933 root words, the 28,796 stems of the hunspell dictionary id_ID
  (data/id-hunspell.txt.gz, LGPL-3.0, Ali Ahmadi) and data/id-extra.txt (words of academic and IT
  writing that both lack: fitur, validasi, luring, surel ...).
- English: 277,913 word forms of SCOWL (hunspell en_US expanded, and the "huge" American list;
  data/en-words.txt.gz, permissive licence in the file's header) and data/en-extra.txt (IT terms),
  so that the English terms of an Indonesian thesis are not suspects.

Inflected Indonesian forms are reduced to a root by stripping the regular affixes (meN-, peN-,
ber-, di-, ter-, ke-, pe-, per-, se-, antar-, non-, pra-, pasca-, semi-, sub-, tidak-
(ketidakefisienan); -kan, -an, -i, -nya, -ku, -mu, -lah, -kah, -pun) with the nasal rules of
meN-/peN-: meng- before a vowel, g, h or k (loans: mengklik), or for a k it replaced; mem- before
b, f, v or p (memper-), or for a p; men- before c, d, j, z or s (loans: menspesifikasikan), or for
a t; meny- for an s; me- before l, m, n, r, w, y; menge- before a one-syllable root. So "pengunaan"
stays unknown (peN- is "peng" before g). A word counts as known when it or one of its roots is in a
list or in the project's words.txt.
"""

from __future__ import annotations

import gzip
import hashlib
import marshal
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from . import __version__
from .errors import UserError
from .fsutil import write_atomic
from .i18n import N_, tr
from .yamlfile import read_text

_WORD = re.compile(r"[^\W\d_]+")
_DATA = Path(__file__).parent / "data"
_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
_PREFIXES = ("di", "ke", "se", "ber", "be", "ter", "per", "pe", "antar", "non", "pra", "pasca", "semi", "sub",
             "tidak")
_VOWELS = "aeiou"
# meN-/peN-: the nasal, the root's first letters it may stand before, and the letter it replaced.
_CONSONANTS = "bcdfghjklmnpqrstvwxyz"
_NASAL = (("menge", _CONSONANTS, ""), ("penge", _CONSONANTS, ""),   # one-syllable roots: mengecek
          ("meny", "", "s"), ("peny", "", "s"),
          ("meng", _VOWELS + "ghk", "k"), ("peng", _VOWELS + "ghk", "k"),
          ("mem", "bfpv", "p"), ("pem", "bfv", "p"),
          ("men", "cdjzs", "t"), ("pen", "cdjz", "t"),
          ("me", "lmnrwy", ""), ("pe", "lmnrwy", ""))


def _read_list(name: str) -> set[str]:
    """A shipped list: comment lines first, then one lower-case word a line (the .gz lists are
    written that way by make-wordlists.py, so no per-line clean-up is needed)."""
    path = _DATA / name
    if name.endswith(".gz"):
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
        first = next(i for i, line in enumerate(lines) if not line.startswith("#"))
        words = set(lines[first:])
        words.discard("")
        return words
    text = path.read_text(encoding="utf-8")
    return {line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")}


@lru_cache(maxsize=1)
def indonesian_roots() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    words = {w.strip().lower() for w in StemmerFactory().get_words_from_file() if w.strip()}
    return frozenset(words | _read_list("id-hunspell.txt.gz") | _read_list("id-extra.txt"))


@lru_cache(maxsize=1)
def english_words() -> set[str]:
    words = _read_list("en-words.txt.gz")    # 278,000 words: extended in place, not copied
    words.update(_read_list("en-extra.txt"))
    return words


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
    for nasal, before, replaced in _NASAL:
        if word.startswith(nasal) and len(word) - len(nasal) >= 3:
            rest = word[len(nasal):]
            if rest[0] in before:
                out.extend(_strip_prefixes(rest, depth - 1))
            if replaced and rest[0] in _VOWELS:
                out.extend(_strip_prefixes(replaced + rest, depth - 1))
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            out.extend(_strip_prefixes(word[len(prefix):], depth - 1))
    return out


@dataclass
class WordList:
    roots: frozenset[str]
    project: frozenset[str]
    english: set[str] | frozenset[str] = frozenset()
    # Indonesian words one edit away from a word (see one_edit_indonesian), kept between lint runs
    # in the build cache: finding them is most of the lint's time.
    near: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @lru_cache(maxsize=65536)
    def knows(self, word: str) -> bool:
        """In a word list or words.txt, as written or (Indonesian) through its roots."""
        w = word.lower()
        return w in self.english or self.knows_indonesian(w)

    @lru_cache(maxsize=65536)
    def knows_indonesian(self, word: str) -> bool:
        w = word.lower()
        if w in self.roots or w in self.project:
            return True
        for stem in _strip_suffixes(w):
            for root in _strip_prefixes(stem):
                if root in self.roots or root in self.project:
                    return True
        return False

    def one_edit_indonesian(self, word: str) -> list[str]:
        """The Indonesian words (four letters or more) one edit from a lower-case word: a letter
        dropped, added, changed, or two swapped; sorted."""
        if len(word) > LONGEST_WORD:
            return []
        if word not in self.near:
            splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
            edits = {a + b[1:] for a, b in splits if b}
            edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            edits |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
            edits |= {a + c + b for a, b in splits for c in _ALPHABET}
            edits.discard(word)
            self.near[word] = sorted(e for e in edits if len(e) >= 4 and self.knows_indonesian(e))
        return self.near[word]

    def roots_of(self, word: str) -> set[str]:
        """The listed roots a word reduces to: {"teliti"} for "meneliti" and "peneliti"."""
        w = word.lower()
        return {root for stem in _strip_suffixes(w) for root in _strip_prefixes(stem)
                if root in self.roots or root in self.project}

    def listed(self, word: str) -> bool:
        """In a list or words.txt as written, not only through a root."""
        w = word.lower()
        return w in self.roots or w in self.project or w in self.english

    def is_english(self, word: str) -> bool:
        return word.lower() in self.english

    def __hash__(self) -> int:
        return id(self)


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
LONGEST_WORD = 40      # letters; longer runs are not words (see near_frequent)


def shipped_lists(cache: Path | None = None) -> tuple[frozenset[str], set[str]]:
    """The Indonesian roots and the English words (see indonesian_roots, english_words); with
    `cache`, kept there in Python's marshal format, which loads in a third of the time it takes to
    read and split the shipped lists."""
    if cache is None:
        return indonesian_roots(), english_words()
    files = sorted(_DATA.glob("*.txt*"))
    key = "\0".join([__version__, sys.version, version("Sastrawi"),
                     *(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)])
    path = cache / f"wordlists-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"
    try:
        roots, english = marshal.loads(path.read_bytes())
        if isinstance(roots, list) and isinstance(english, list):
            return frozenset(roots), set(english)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    roots, english = indonesian_roots(), english_words()
    for old in cache.glob("wordlists-*.marshal"):
        old.unlink(missing_ok=True)
    # Kept as lists: marshal writes a set of 300,000 words in over a second (it orders the
    # elements), a list in a tenth of that, and a list loads and becomes a set faster than a set loads.
    write_atomic(path, marshal.dumps((list(roots), list(english))))
    return roots, english


def load_word_list(path: Path | None, cache: Path | None = None) -> WordList:
    project: set[str] = set()
    if path is not None:
        if not path.is_file():
            raise UserError(tr("the word list does not exist; create it (one word per line) or fix its path."), path)
        for line in read_text(path, N_("word list")).splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                project.add(word.lower())
    roots, english = shipped_lists(cache)
    return WordList(roots=roots, project=frozenset(project), english=english)


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
    # Edits of a word grow with the square of its length: a run of letters longer than any word
    # (a pasted hash, a line of "aaaa...") has no near neighbour worth the time.
    frequent = {w: c for w, c in counts.items() if c >= frequent_min and 5 <= len(w) <= LONGEST_WORD}
    index: dict[str, set[str]] = {}
    for word in frequent:
        for d in _deletes(word.lower(), 2 if len(word) >= 8 else 1):
            index.setdefault(d, set()).add(word)
    found: dict[str, str] = {}
    for word, count in counts.items():
        if len(word) > LONGEST_WORD:
            continue
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
                score = (distance, -counts[cand], cand)   # the closest, then the most frequent
                if best is None or score < best:
                    best = score
        if best is not None:
            found[word] = best[2]
    return found
