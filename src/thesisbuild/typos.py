"""The recurring-typo dictionary (typos.yaml) and where its words occur in a chapter.

Matching is by whole words (hyphens and punctuation are boundaries), in the listed form, its
Title-case form and its lower-case form; an ALL-CAPS word matches only when listed in capitals.
Code, URLs, e-mail, math, HTML, comments, front matter and citation keys are never touched;
quotations are reported but never changed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from .citations import find_citations
from .diagnostics import Fix
from .errors import UserError
from .fixes import apply_fixes
from .i18n import N_, tr
from .sources import Source
from .yamlfile import load_yaml

_MARKUP = re.compile(r"[\[\]@#*_`<>{}!\\|$~^\n\r\t]")   # what Markdown would read as more than text
_TOKEN = re.compile(r"[^\W_]+")          # letters and digits; everything else is a boundary


@dataclass(frozen=True)
class Entry:
    wrong: str                    # as listed
    right: tuple[str, ...]        # one: a fix; several: candidates, reported only
    line: int | None

    @property
    def fixable(self) -> bool:
        return len(self.right) == 1


@dataclass(frozen=True)
class Form:
    """One surface form that matches an entry, and how to write its replacement."""

    entry: Entry
    case: str                     # listed | title | lower
    words: tuple[str, ...]        # the form split into words: ("Amerikat", "Serikat")

    def replacement(self, right: str) -> str:
        if self.case == "title":
            return right[:1].upper() + right[1:]
        if self.case == "lower":
            return right.lower()
        return right


@dataclass
class TypoDictionary:
    path: Path | None
    entries: list[Entry]

    def __post_init__(self) -> None:
        # Forms by their first word. A form listed explicitly wins over one derived from another entry.
        self.forms: dict[str, list[Form]] = {}
        explicit = {e.wrong for e in self.entries}
        for entry in self.entries:
            variants = [("listed", entry.wrong)]
            title = entry.wrong[:1].upper() + entry.wrong[1:]
            lower = entry.wrong.lower()
            if title != entry.wrong and title not in explicit:
                variants.append(("title", title))
            if lower != entry.wrong and lower not in explicit:
                variants.append(("lower", lower))
            for case, surface in variants:
                words = tuple(surface.split())
                bucket = self.forms.setdefault(words[0], [])
                if not any(f.words == words for f in bucket):
                    bucket.append(Form(entry, case, words))
        for bucket in self.forms.values():
            bucket.sort(key=lambda f: -len(f.words))   # the longest phrase first
        # A token (a whole run of letters and digits) that begins a form: the only places a
        # chapter needs to be looked at, found by one search instead of a look at every word.
        firsts = sorted((w for w in self.forms if _TOKEN.fullmatch(w)), key=lambda w: (-len(w), w))
        self.first_words = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, firsts)) + r")(?![^\W_])") \
            if firsts else None

    def __len__(self) -> int:
        return len(self.entries)


def load_dictionary(path: Path) -> TypoDictionary:
    doc = load_yaml(path, N_("typo dictionary"))
    data = doc.data or {}
    if not isinstance(data, dict):
        raise UserError(tr("a typo dictionary maps each wrong form to its right form, one per line "
                           "(Kazakhtan: Kazakhstan)."), path, 1)
    entries = []
    for wrong, right in data.items():
        line = doc.line_of(wrong)
        if isinstance(wrong, bool) or wrong is None:
            # YAML reads yes/no/on/off/true/false/null unquoted as a truth value, not as the word.
            raise UserError(tr("this wrong form is read as a truth value or nothing, not as a word; put the word in "
                               "quotes (\"yes\": ya)."), path, line)
        if isinstance(right, dict) or (isinstance(right, list) and any(isinstance(r, (dict, list)) for r in right)):
            raise UserError(tr("'{wrong}' maps to a mapping or nested list; write its right form (or a list of "
                               "candidates) after the colon.", wrong=wrong), path, line)
        if isinstance(right, bool):
            raise UserError(tr("the right form of '{wrong}' is read as a truth value, not as a word; put it in "
                               "quotes.", wrong=wrong), path, line)
        wrong_text = str(wrong).strip()
        if not wrong_text or not _TOKEN.fullmatch(wrong_text.replace(" ", "").replace("-", "")):
            raise UserError(tr("'{wrong}' is not a word or phrase; list words only.", wrong=wrong), path, line)
        if isinstance(right, list):
            options = tuple(str(r).strip() for r in right if str(r).strip())
        elif right is None or str(right).strip() == "":
            options = ()
        else:
            options = (str(right).strip(),)
        if not options:
            raise UserError(tr("'{wrong}' has no right form; write it after the colon.", wrong=wrong), path, line)
        for option in options:
            if _MARKUP.search(option) or not _TOKEN.search(option):
                # A right form goes into the chapters as written: Markdown in it would become citations,
                # headings or links there.
                raise UserError(tr("the right form '{right}' of '{wrong}' is not a word or phrase; write words only.",
                                   right=option, wrong=wrong), path, line)
        if wrong_text in options:
            raise UserError(tr("'{wrong}' maps to itself; remove the line.", wrong=wrong), path, line)
        entries.append(Entry(wrong_text, options, line))
    # A right form that is itself listed as wrong: fixes would undo each other (a cycle) or change
    # the text again on every run (a chain).
    wrong_at = {e.wrong: e.line for e in entries}
    for entry in entries:
        for option in entry.right:
            if option in wrong_at:
                raise UserError(tr("'{wrong}' is corrected to '{right}', which line {line} lists as a typo itself; "
                                   "write the final right form here, or remove one of the two lines.",
                                   wrong=entry.wrong, right=option, line=wrong_at[option]), path, entry.line)
    return TypoDictionary(path=path, entries=entries)


@dataclass(frozen=True)
class TypoHit:
    start: int
    end: int
    text: str                     # as written
    form: Form
    quoted: bool                  # inside a quotation: report, never fix

    @property
    def replacements(self) -> tuple[str, ...]:
        return tuple(self.form.replacement(r) for r in self.form.entry.right)

    def fix(self) -> Fix | None:
        if self.quoted or not self.form.entry.fixable:
            return None
        right = self.replacements[0]
        parts = re.split(r"(\s+)", self.text)
        words = right.split(" ")
        if len(parts) > 1 and len(words) == (len(parts) + 1) // 2:
            # Same number of words: keep the white space the author wrote between them.
            parts[0::2] = words
            right = "".join(parts)
        return Fix(self.start, self.end, right)


def find_typos(source: Source, dictionary: TypoDictionary) -> list[TypoHit]:
    text = source.text
    if dictionary.first_words is None:
        return []
    keys = sorted((c.start, c.end) for c in find_citations(source, crossrefs=True))
    key_starts = [a for a, _ in keys]
    hits: list[TypoHit] = []
    skip_until = -1
    for token in dictionary.first_words.finditer(text):
        if token.start() < skip_until:
            continue
        for form in dictionary.forms[token.group()]:
            end = _phrase_end(text, token, form.words)
            if end is None:
                continue
            start = token.start()
            k = bisect.bisect_right(key_starts, start) - 1     # the last citation key starting here or before
            if source.overlaps_region(start, end) or (k >= 0 and start < keys[k][1]):
                break
            hits.append(TypoHit(start, end, text[start:end], form, source.in_quote(start)))
            skip_until = end
            break
    return hits


def _phrase_end(text: str, first: re.Match, words: tuple[str, ...]) -> int | None:
    """End offset when the tokens from `first` on spell `words` separated only by white space."""
    end = first.end()
    for word in words[1:]:
        token = _TOKEN.search(text, end)
        if token is None or token.group() != word or not text[end:token.start()].isspace():
            return None
        end = token.end()
    return end


def apply_typos(source: Source, dictionary: TypoDictionary) -> tuple[str, list[TypoHit]]:
    """The text with every fixable, unquoted hit replaced; the hits that were applied."""
    hits = [h for h in find_typos(source, dictionary) if h.fix() is not None]
    new, applied = apply_fixes(source.text, [h.fix() for h in hits])
    applied_starts = {f.start for f in applied}
    return new, [h for h in hits if h.start in applied_starts]
