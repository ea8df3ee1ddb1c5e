"""TYP001-TYP003: recurring typos from the dictionary, and suspect words."""

from __future__ import annotations

import bisect
import hashlib
import marshal
import re
from collections import Counter
from pathlib import Path

from ..citations import find_citations
from ..diagnostics import Diagnostic, Severity
from ..fsutil import code_digest, write_atomic
from ..i18n import tr
from ..sources import Source
from ..typos import TypoDictionary, find_typos
from ..words import _WORD, LONGEST_WORD, WordList, damerau, near_frequent


def check_typos(sources: list[Source], dictionary: TypoDictionary | None,
                words: WordList | None, cache: Path | None = None) -> list[Diagnostic]:
    """TYP001/TYP002 from the dictionary, TYP003 from the word lists; `cache`, a folder where each
    chapter's prose words are kept for the next run (kept_prose_words)."""
    diagnostics: list[Diagnostic] = []
    covered: dict = {}           # per source: spans the dictionary already reports
    if dictionary is not None:
        for source in sources:
            hits = find_typos(source, dictionary)
            covered[source.path] = [(h.start, h.end) for h in hits]
            for hit in hits:
                entry = hit.form.entry
                if entry.fixable:
                    message = (tr('"{text}" is a known typo for "{right}"; in a quotation, which is kept verbatim; '
                                  "check the source.", text=hit.text, right=hit.replacements[0]) if hit.quoted
                               else tr('"{text}" is a known typo for "{right}"; thesisbuild fix corrects it.',
                                       text=hit.text, right=hit.replacements[0]))
                    diagnostics.append(Diagnostic.at("TYP001", source, hit.start, hit.end, message,
                                             severity=Severity.INFO if hit.quoted else None, fix=hit.fix()))
                else:
                    options = tr(" or ").join(f'"{r}"' for r in hit.replacements)
                    message = (tr('"{text}" is a known typo for {options}; in a quotation, which is kept verbatim; '
                                  "choose one and correct it by hand.", text=hit.text, options=options) if hit.quoted
                               else tr('"{text}" is a known typo for {options}; choose one and correct it by hand.',
                                       text=hit.text, options=options))
                    diagnostics.append(Diagnostic.at("TYP002", source, hit.start, hit.end, message,
                                             severity=Severity.INFO if hit.quoted else None))
    if words is not None:
        diagnostics += _suspects(sources, words, covered, cache)
    return diagnostics


# Text that is not prose even outside the Markdown regions of sources.py: raw LaTeX (the names of
# commands, their optional arguments, and every argument of the commands whose arguments are
# names, sizes or labels), pandoc attribute lists and raw attributes, paths, file names, domain
# names, identifiers from code (camelCase, snake_case), and @/# references.
_EXTENSIONS = ("png|jpe?g|gif|svg|pdf|eps|tiff?|bmp|webp|md|txt|csv|tsv|xlsx?|docx?|pptx?|odt|json|ya?ml|xml"
               "|html?|css|scss|js|jsx|ts|tsx|vue|php|py|ipynb|java|kt|dart|go|rs|c|cpp|h|cs|rb|sql|db"
               "|sqlite|bib|csl|tex|sty|cls|lua|sh|bat|exe|apk|zip|env|ini|conf|log")
_ARGUMENT = r"(?:\s*\[[^\]\n]*\]|\s*\{(?:[^{}\n]|\{(?:[^{}\n]|\{[^{}\n]*\})*\})*\})"
_NOT_PROSE = re.compile(
    r"\\(?:begin|end|includegraphics|ref|pageref|eqref|autoref|[cC]ref|label|cite\w*|url|href|input"
    r"|include|usepackage|documentclass|vspace|hspace|setlength|addtolength|multicolumn|multirow|cline"
    r"|cmidrule|newcommand|renewcommand|hypersetup|pagestyle|thispagestyle|pagenumbering|setcounter"
    r"|addcontentsline|fontsize|color|textcolor|rowcolor|cellcolor|resizebox|scalebox|rule|def"
    r"|graphicspath|bibliography|bibliographystyle)\*?" + _ARGUMENT + "*"
    r"|\\[A-Za-z@]+\*?(?:\[[^\]\n]*\])?"
    r"|\{=[\w-]+\}|\{[^{}\n]*=[^{}\n]*\}"
    r"|(?<![\w/.])[\w.~-]*(?:/[\w.~%+-]+)+/?"
    rf"|(?<![\w.])[\w-]+(?:\.[\w-]+)*\.(?:{_EXTENSIONS})(?![\w-])"
    r"|(?<![\w.])(?:[\w-]+\.)+(?:com|org|net|io|id|edu|gov|dev|app|info|biz)(?![\w-])"
    r"|\b[a-z]+[A-Z]\w*|\b\w+_\w+"
    r"|[@#][\w:.-]+|(?<![\w.])\.[A-Za-z][\w-]*")
# Italics are foreign terms by convention (*framework*, _user_, \textit{black box}, \emph{...}).
# Each branch begins with its character and looks behind it, so the search jumps from one *, _ or \
# to the next instead of trying every position.
_ITALIC = re.compile(r"\*(?<![*\w\\]\*)(?![\s*])[^*\n]+?(?<![\s\\])\*(?!\*)"
                     r"|_(?<![\w\\]_)(?![\s_])[^_\n]+?(?<!\s)_(?!\w)"
                     r"|\\(?:textit|emph)\{[^{}\n]*\}")


def _suspects(sources: list[Source], words: WordList, covered: dict, cache: Path | None = None) -> list[Diagnostic]:
    """Words to look at: rare and close to a frequent word, or unknown to every word list.

    Each word is reported once for the whole thesis, at its first occurrence. Italic words are
    foreign terms: they count towards the frequencies, and are reported only when no list knows
    them and they are close to a frequent word (*framwork* beside 20 *framework*)."""
    prose = kept_prose_words(sources, cache)
    counts = Counter(w[1] for found in prose.values() for w in found)
    neighbours = near_frequent(counts)
    out: list[Diagnostic] = []
    decided: dict[tuple[str, bool], str | None] = {}    # None: not a suspect
    reported: set[str] = set()
    for source in sources:
        spans = sorted(covered.get(source.path, []))
        span_starts = [a for a, _ in spans]
        for start, word, italic in prose[source.path]:
            if len(word) < 3 or word in reported:
                continue
            key = (word, italic)
            if key not in decided:
                decided[key] = _suspect_message(word, words, counts, neighbours, italic)
            message = decided[key]
            if message is None:
                continue
            i = bisect.bisect_right(span_starts, start) - 1
            if i >= 0 and start < spans[i][1]:
                continue
            reported.add(word)
            out.append(Diagnostic.at("TYP003", source, start, start + len(word), message))
    return out


def _suspect_message(word: str, words: WordList, counts: Counter, neighbours: dict[str, str],
                     italic: bool = False) -> str | None:
    if len(word) > LONGEST_WORD:
        return tr("a run of {count} letters with no space ({start}...) is no word of any list; break it into "
                  "words, or put it in `code` if it is a name or a value.", count=len(word), start=word[:20])
    near = _neighbour(word, words, neighbours)
    if italic:
        if near is None or words.knows(word) or not _misspelt_neighbour(word, near, words, counts):
            return None
    if near is not None and _misspelt_neighbour(word, near, words, counts):
        return tr('"{word}" ({count}×) looks like a misspelling of "{near}" ({near_count}×); correct it (add it '
                  "to typos.yaml to fix every occurrence), or add it to words.txt if it is right.",
                  word=word, count=counts[word], near=near, near_count=_count(counts, near))
    if words.knows(word) or not word[:1].islower():
        return None
    times = tr(" ({count}× in the thesis)", count=counts[word]) if counts[word] > 1 else ""
    guess = dictionary_correction(word, words, counts)
    hint = tr('; perhaps "{guess}"', guess=guess) if guess else ""
    return tr('"{word}" is in no Indonesian or English word list nor words.txt{times}{hint}; correct it, or add '
              "it to words.txt if it is right.", word=word, times=times, hint=hint)


def _neighbour(word: str, words: WordList, neighbours: dict[str, str]) -> str | None:
    """The frequent neighbour, in lower case for a lower-case word when it is a common word
    ("berdasarakan" -> "berdasarkan", though "Berdasarkan" opens many sentences)."""
    near = neighbours.get(word)
    if near and word[:1].islower() and near[:1].isupper() and words.knows(near.lower()):
        return near[:1].lower() + near[1:]
    return near


def _count(counts: Counter, word: str) -> int:
    """How often a word occurs, its sentence-initial capitalised form included."""
    title = word[:1].upper() + word[1:]
    return counts[word] + (counts[title] if title != word else 0)


def _misspelt_neighbour(word: str, near: str, words: WordList, counts: Counter) -> bool:
    """A rare word next to a frequent one is a misspelling when no list knows it (unless it is a
    capitalised name that differs from a common word in its first letter), or when it is
    known only as a derivation ("menggunkan" from the root "gun") that shares no root with an
    Indonesian word one letter away and written at least twenty times as often ("meneliti" and
    "peneliti" share "teliti")."""
    if word[:1].isupper() and near[:1].islower() and word[:1].lower() != near[:1]:
        return False     # a name beside a common word: "Zahwa" and "bahwa"
    if not words.knows(word):
        return True
    return (not words.listed(word) and not words.is_english(near) and _count(counts, near) >= 20 * counts[word]
            and damerau(word.lower(), near.lower()) == 1 and not words.roots_of(word) & words.roots_of(near))


def dictionary_correction(word: str, words: WordList, counts: Counter) -> str | None:
    """The Indonesian word one edit away (a letter dropped, added, changed, or two swapped) from an
    unknown word of five letters or more: the one the thesis uses most, or the only one."""
    w = word.lower()
    if len(w) < 5:
        return None
    found = words.one_edit_indonesian(w)
    if not found:
        return None
    used = [e for e in found if counts.get(e, 0) or counts.get(e.capitalize(), 0)]
    if used:
        best = max(used, key=lambda e: (counts.get(e, 0) + counts.get(e.capitalize(), 0), e))
    elif len(found) == 1:
        best = found[0]
    else:
        return None
    return best.capitalize() if word[:1].isupper() else best


# A run of non-space characters with a character that may start or mark non-prose text (or a
# lower-case letter before a capital: camelCase); only such runs are searched with _NOT_PROSE, so
# that the search stays linear and cheap on plain prose.
_MARKED_RUN = re.compile(r"(?<!\S)[^\s/\\_@#.{}=]*?(?:[/\\_@#.{}=]|[a-z][A-Z])\S*")


def prose_words(source: Source) -> list[tuple[int, str, bool]]:
    """The words of a chapter's prose, in order, as (start, word, in italics); one pass over the text
    with sorted skip spans. Plain tuples: a chapter of 5 MB has 600,000 words."""
    text = source.text
    skip = [(c.start, c.end) for c in find_citations(source, crossrefs=True)]
    skip += [(r.start, r.end) for r in source.regions]
    searched = -1        # the text up to here has been searched already
    for run in _MARKED_RUN.finditer(text):
        a, b = run.span()
        if a < searched:
            continue
        if text[a] == "\\":
            # A LaTeX command's arguments may hold spaces: search from the command to the line's end.
            b = text.find("\n", a)
            b = len(text) if b < 0 else b
        skip.extend(m.span() for m in _NOT_PROSE.finditer(text, a, b))
        searched = b
    # A word is left out when it starts inside a skipped span, and is in italics when it starts
    # inside an italic one: each a bisection into sorted, disjoint intervals.
    skip_starts, skip_ends = _union(skip)
    italic = [m.span() for m in _ITALIC.finditer(text)]          # disjoint, in order
    italic_starts, italic_ends = [a for a, _ in italic], [b for _, b in italic]
    right = bisect.bisect_right
    return [(start, m.group(), (j := right(italic_starts, start) - 1) >= 0 and start < italic_ends[j])
            for m in _WORD.finditer(text)
            if not ((i := right(skip_starts, start := m.start()) - 1) >= 0 and start < skip_ends[i])]


def kept_prose_words(sources: list[Source], cache: Path | None) -> dict[Path, list[tuple[int, str, bool]]]:
    """Each chapter's prose_words, kept in `cache` under a hash of its text and of the code that
    finds them: after an edit only the edited chapter is searched again (the others' are read, in
    Python's marshal format, in a hundredth of the time). The words of chapters no longer there
    are dropped."""
    if cache is None:
        return {source.path: prose_words(source) for source in sources}
    out, used = {}, set()
    for source in sources:
        digest = hashlib.sha256((_prose_code() + "\0" + source.text).encode("utf-8"))
        path = cache / f"prose-{digest.hexdigest()[:32]}.marshal"
        used.add(path.name)
        try:
            found = marshal.loads(path.read_bytes())
            if not isinstance(found, list):
                raise ValueError(path)
        except (OSError, ValueError, EOFError, TypeError):
            found = prose_words(source)
            write_atomic(path, marshal.dumps(found))
        out[source.path] = found
    for old in cache.glob("prose-*.marshal"):
        if old.name not in used:
            old.unlink(missing_ok=True)
    return out


def _prose_code() -> str:
    """What prose_words depends on besides a chapter's text: this module, the citation finder and
    the regions of sources.py, by their code."""
    package = Path(__file__).resolve().parent.parent
    return code_digest(Path(__file__), package / "citations.py", package / "sources.py")


def _union(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Overlapping spans merged: their starts and ends, in order."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def suggestions(sources: list[Source], words: WordList, dictionary: TypoDictionary | None = None) -> list[str]:
    """Ready-to-paste typos.yaml lines for likely misspellings that the dictionary does not cover yet.

    A word gets a line only when it is in no word list (Indonesian, English, words.txt) and is not
    in italics, and its correction is either a word of the thesis at least five times as frequent
    (Damerau distance 1 for words of 5-7 letters, 2 from 8 letters) or the Indonesian dictionary
    word one edit away. A correct English word is therefore never "corrected" into another."""
    covered: set[str] = set()
    if dictionary is not None:
        for source in sources:
            for hit in find_typos(source, dictionary):
                covered.update(_WORD.findall(hit.text))
    prose = [w for s in sources for w in prose_words(s)]
    counts = Counter(w[1] for w in prose)
    neighbours = near_frequent(counts)
    candidates = sorted({word for _, word, italic in prose if not italic} - covered)
    lines = []
    for word in candidates:
        near = _neighbour(word, words, neighbours)
        if near is not None and _misspelt_neighbour(word, near, words, counts):
            lines.append(f"{word}: {near}    # " + tr('{count}× here; "{near}" {near_count}×', count=counts[word],
                                                        near=near, near_count=_count(counts, near)))
        elif not words.knows(word) and word[:1].islower():
            guess = dictionary_correction(word, words, counts)
            if guess:
                lines.append(f"{word}: {guess}    # " + tr('{count}× here; "{guess}" is in the Indonesian word list',
                                                             count=counts[word], guess=guess))
    return lines
