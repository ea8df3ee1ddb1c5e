"""TYP001-TYP003: recurring typos from the dictionary, and suspect words."""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from ..sources import Source
from ..typos import TypoDictionary, find_typos
from ..words import _WORD, WordList, near_frequent, word_counts


def check_typos(sources: list[Source], dictionary: TypoDictionary | None,
                words: WordList | None) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    covered: dict = {}           # per source: spans the dictionary already reports
    if dictionary is not None:
        for source in sources:
            hits = find_typos(source, dictionary)
            covered[source.path] = [(h.start, h.end) for h in hits]
            for hit in hits:
                entry = hit.form.entry
                where = "in a quotation, which is kept verbatim; " if hit.quoted else ""
                if entry.fixable:
                    message = (f'"{hit.text}" is a known typo for "{hit.replacements[0]}"; '
                               f"{where}{'check the source' if hit.quoted else 'thesisbuild fix corrects it'}.")
                    diagnostics.append(Diagnostic.at("TYP001", source, hit.start, hit.end, message,
                                             severity=Severity.INFO if hit.quoted else None, fix=hit.fix()))
                else:
                    options = " or ".join(f'"{r}"' for r in hit.replacements)
                    diagnostics.append(Diagnostic.at("TYP002", source, hit.start, hit.end,
                                             f'"{hit.text}" is a known typo for {options}; {where}choose one and '
                                             "correct it by hand.",
                                             severity=Severity.INFO if hit.quoted else None))
    if words is not None:
        diagnostics += _suspects(sources, words, covered)
    return diagnostics


def _suspects(sources: list[Source], words: WordList, covered: dict) -> list[Diagnostic]:
    """Words to look at: rare and close to a frequent word, or unknown to every word list."""
    prose = {s.path: _prose_words(s) for s in sources}
    counts = word_counts([" ".join(w for _, w in found) for found in prose.values()])
    neighbours = near_frequent(counts)
    out: list[Diagnostic] = []
    for source in sources:
        seen: set[str] = set()
        per_file = {}
        for _, word in prose[source.path]:
            per_file[word] = per_file.get(word, 0) + 1
        spans = covered.get(source.path, [])
        for start, word in prose[source.path]:
            if word in seen or len(word) < 3 or any(a <= start < b for a, b in spans):
                continue
            known = words.knows(word)
            near = neighbours.get(word)
            if near and not known:
                message = (f'"{word}" ({counts[word]}×) looks like a misspelling of "{near}" ({counts[near]}×); '
                           f"add it to typos.yaml or to words.txt.")
            elif not known and word[:1].islower():
                times = per_file[word]
                message = (f'"{word}" is in no Indonesian word list nor words.txt'
                           f"{f' ({times}× in this file)' if times > 1 else ''}; add it to words.txt if it is right.")
            else:
                continue
            seen.add(word)
            out.append(Diagnostic.at("TYP003", source, start, start + len(word), message))
    return out


def _prose_words(source: Source) -> list[tuple[int, str]]:
    from ..citations import find_citations

    keys = [(c.start, c.end) for c in find_citations(source, crossrefs=True)]
    found = []
    for m in _WORD.finditer(source.text):
        if source.region_at(m.start()) is not None or any(a <= m.start() < b for a, b in keys):
            continue
        found.append((m.start(), m.group()))
    return found


def suggestions(sources: list[Source], words: WordList, dictionary: TypoDictionary | None = None) -> list[str]:
    """Ready-to-paste typos.yaml lines for the suspects that have a likely correction and that the
    dictionary does not cover yet."""
    covered: set[str] = set()
    if dictionary is not None:
        for source in sources:
            for hit in find_typos(source, dictionary):
                covered.update(_WORD.findall(hit.text))
    prose = [" ".join(w for _, w in _prose_words(s)) for s in sources]
    counts = word_counts(prose)
    lines = []
    for word, near in sorted(near_frequent(counts).items()):
        if word not in covered and not words.knows(word):
            lines.append(f"{word}: {near}    # {counts[word]}× here; \"{near}\" {counts[near]}×")
    return lines
