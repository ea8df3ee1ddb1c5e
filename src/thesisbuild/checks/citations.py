"""CIT001-CIT007: citations, pandoc and prose, against the bibliography."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..bibliography import Person, Reference
from ..citations import Citation, closest_key, crossref_labels, find_citations
from ..cslrender import InTextRenderer
from ..diagnostics import Diagnostic, Fix
from ..i18n import N_, plural, tr
from ..prose import CitedWork, ProseCitation, find_prose_citations, fold, fold_tokens, split_author
from ..sources import Source

_LOCATOR_WORD = {"id": "hlm.", "en": "p."}
_CUE = re.compile(r"\b(?:menurut|oleh|dalam|dari|lihat|according\s+to|by|see)\s*,?\s*$", re.I)
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "le", "la", "les",
              "bin", "binti", "al", "el", "ten", "ter", "d", "l"}
_ETAL_WORD = {"id": "dkk.", "en": "et al."}


def language(lang: str) -> str:
    return "id" if lang.lower().startswith("id") else "en"


# ---------------------------------------------------------------- matching authors

def _person_form(written: str, person: Person) -> str | None | bool:
    """None: written as the style prints it; a text: a tolerated form problem; False: another person."""
    printed = person.display
    written = re.sub(r"\s+", " ", written.strip())
    if written == printed:
        return None
    wt, pt = fold_tokens(written), fold_tokens(printed)
    if not pt or not wt:
        return False
    if wt == pt:
        return N_("capitals or punctuation")
    if person.literal:          # an organisation's name has no given names or particles
        return False
    given = fold_tokens(person.given)
    if len(wt) > len(pt) and wt[-len(pt):] == pt:
        lead = wt[:-len(pt)]
        if not given or all(any(t == g or t == g[:1] for g in given) for t in lead):
            return N_("given name or initials before the surname")
    if len(wt) > len(pt) and wt[:len(pt)] == pt and all(len(t) <= 2 for t in wt[len(pt):]):
        return N_("initials after the surname")
    if len(wt) < len(pt) and pt[-len(wt):] == wt and all(t in _PARTICLES for t in pt[:-len(wt)]):
        return N_("the surname's particle is missing")
    return False


@dataclass(frozen=True)
class AuthorMatch:
    issues: tuple[str, ...]


def match_authors(author: str, entry: Reference) -> AuthorMatch | None:
    """Does the author text as written name this entry's authors? With which form problems?"""
    cited = split_author(author)
    people = entry.authors
    if not people or not cited.names:
        return None
    issues: list[str] = []
    # "Martha & Olcott" for Martha Brill Olcott: a given name read as a co-author.
    if len(cited.names) == 2 and len(people) == 1 and not cited.etal:
        form = _person_form(cited.names[1], people[0])
        if form is not False and fold(cited.names[0]) in fold_tokens(people[0].given):
            return AuthorMatch((N_("a given name written as a co-author"),))
    first = _person_form(cited.names[0], people[0])
    if first is False:
        return None
    if first:
        issues.append(first)
    if not cited.etal:
        for name, person in zip(cited.names[1:], people[1:]):
            form = _person_form(name, person)
            if form is False:
                return None
            if form:
                issues.append(form)
        if len(cited.names) > len(people):
            return None
        if len(cited.names) == 1 and len(people) == 2:
            issues.append(N_("the second author is missing"))
    return AuthorMatch(tuple(issues))


def _year_matches(year: str, entry: Reference) -> bool:
    digits, suffix = year[:4], year[4:]
    if year in ("n.d.", "t.t."):
        return entry.year is None
    if entry.year != digits:
        return False
    return not suffix or not entry.year_suffix or entry.year_suffix == suffix


@dataclass
class Resolution:
    kind: str                           # resolved | unresolved | year-mismatch | ambiguous
    entries: list[Reference] = field(default_factory=list)
    issues: tuple[str, ...] = ()


def author_index(refs: list[Reference]) -> dict[str, list[Reference]]:
    """Entries by each folded word of their first author's name: "Le Corre" under "le" and "corre"."""
    index: dict[str, list[Reference]] = {}
    for entry in refs:
        if entry.authors:
            for token in set(fold_tokens(entry.authors[0].display)):
                index.setdefault(token, []).append(entry)
    return index


def resolve(work: CitedWork, refs: list[Reference], index: dict[str, list[Reference]] | None = None) -> Resolution:
    if index is not None:
        # Only entries whose first author shares a word with the first two names written.
        names = split_author(work.author).names[:2]
        seen: dict[int, Reference] = {}
        for name in names:
            for token in fold_tokens(name):
                for entry in index.get(token, ()):
                    seen.setdefault(id(entry), entry)
        refs = list(seen.values())
    candidates = [(e, m) for e in refs if (m := match_authors(work.author, e)) is not None]
    if not candidates:
        return Resolution("unresolved")
    dated = [(e, m) for e, m in candidates if _year_matches(work.year, e)]
    if not dated:
        return Resolution("year-mismatch", [e for e, _ in candidates])
    best = min(len(m.issues) for _, m in dated)
    top = [(e, m) for e, m in dated if len(m.issues) == best]
    if len(top) > 1:
        return Resolution("ambiguous", [e for e, _ in top])
    return Resolution("resolved", [top[0][0]], top[0][1].issues)


def _narrative_candidates(cite: ProseCitation) -> list[ProseCitation]:
    """"Menurut Jordaan (2003)": try "Jordaan" before "Menurut Jordaan"."""
    work = cite.works[0]
    text = work.author
    starts = [0] + [m.end() for m in re.finditer(r"(?:,\s*|\s+)(?=\S)", text)]
    out = []
    for s in reversed(starts):
        part = text[s:]
        if not re.match(r"[A-ZÀ-ÖØ-ÞĀ-ſ]|(?:van|von|de|di|le|la|da|du|der|den)\s", part):
            continue
        if re.match(r"(?:et\s*al\.?|dkk\.?|&|dan|and)\b", part):
            continue
        moved = replace(work, author=part, author_start=work.author_start + s)
        out.append(replace(cite, start=work.author_start + s, works=(moved,)))
    return out


# ---------------------------------------------------------------- the rules

@dataclass
class CitationContext:
    refs: list[Reference]
    lang: str
    csl: Path | None = None
    labels: set[str] = field(default_factory=set)     # figure and table labels ("fig-x", "tbl-y")

    @cached_property
    def by_id(self) -> dict[str, Reference]:
        return {r.id: r for r in self.refs}

    @cached_property
    def index(self) -> dict[str, list[Reference]]:
        return author_index(self.refs)

    @cached_property
    def _resolved(self) -> dict[tuple[str, str], Resolution]:
        return {}

    def resolve(self, work: CitedWork) -> Resolution:
        """The same author text and year resolve the same way everywhere in the thesis."""
        key = (re.sub(r"\s+", " ", work.author), work.year)
        if key not in self._resolved:
            self._resolved[key] = resolve(work, self.refs, self.index)
        return self._resolved[key]

    @cached_property
    def _citeproc(self):
        return InTextRenderer(self.refs, self.csl, self.lang)

    def printed(self, entry: Reference) -> str:
        """The author as the style prints it in a parenthetical citation: "Le Corre"."""
        return self._citeproc.author_part(entry.id) or (entry.authors[0].display if entry.authors else entry.id)

    def closest_key(self, key: str) -> str | None:
        return closest_key(key, self.by_id)

    def closest_author(self, author: str) -> Reference | None:
        names = {fold(e.authors[0].display): e for e in self.refs if e.authors}
        first = split_author(author).names[0] if split_author(author).names else author
        match = difflib.get_close_matches(fold(first), list(names), n=1, cutoff=0.6)
        return names[match[0]] if match else None


def _cite_text(entry: Reference, ctx: "CitationContext") -> str:
    return f"@{entry.id} ({ctx.printed(entry)}, {entry.year or 'n.d.'})"


# A page locator after a key, "[@key, p. 12]" or "@key [hlm. 12]": its word and what follows it.
_PANDOC_LOCATOR = re.compile(r"(?:\s*,\s*|\s+\[\s*)(p|pp|pg|page|pages|hlm|hal|halaman)(\.?)(?=\s*\d)", re.I)
# Page words citeproc does not read as a locator in the thesis's language, and so prints as written
# beside the style's own word: the other language's, and the Indonesian "hal." and an undotted "hlm".
_FOREIGN_LOCATOR = {"id": {"p", "pp", "pg", "page", "pages", "hal"}, "en": {"hlm", "hal", "halaman"}}


def check_pandoc_citations(source: Source, ctx: CitationContext) -> tuple[list[Diagnostic], set[str]]:
    diagnostics, cited = [], set()
    lang = language(ctx.lang)
    for c in find_citations(source):
        if c.key in ctx.labels:
            continue          # a cross-reference (XRF rules check those)
        cited.add(c.key)
        if c.key not in ctx.by_id:
            hint = ctx.closest_key(c.key)
            message = (tr("@{key} has no bibliography entry; did you mean @{hint}?", key=c.key, hint=hint) if hint
                       else tr("@{key} has no bibliography entry; add the entry or correct the key.", key=c.key))
            diagnostics.append(Diagnostic.at("CIT001", source, c.start, c.end, message))
        locator = _PANDOC_LOCATOR.match(source.text, c.end)
        if locator and (locator.group(1).lower() in _FOREIGN_LOCATOR[lang]
                        or (lang == "id" and locator.group(1).lower() == "hlm" and not locator.group(2))):
            wrong = locator.group(1) + locator.group(2)
            pages = re.match(r"\s*\d+\s*[-\u2013]\s*\d", source.text[locator.end(2):locator.end(2) + 40])
            right = "pp." if lang == "en" and pages else _LOCATOR_WORD[lang]
            diagnostics.append(Diagnostic.at(
                "CIT005", source, locator.start(1), locator.end(2),
                tr('"{wrong}" is not the page word of a thesis in {language}: the style would print it as written; '
                   'write "{right}".', wrong=wrong, right=right,
                   language=tr("Indonesian") if lang == "id" else tr("English")),
                fix=Fix(locator.start(1), locator.end(2), right)))
    return diagnostics, cited


def check_prose_citations(source: Source, ctx: CitationContext) -> tuple[list[Diagnostic], set[str]]:
    diagnostics: list[Diagnostic] = []
    cited: set[str] = set()
    lang = language(ctx.lang)
    for found in find_prose_citations(source):
        cite, resolutions = _choose(found, ctx)
        if cite is None:
            continue
        for work, res in zip(cite.works, resolutions):
            where = (work.author_start, work.year_start + len(work.year))
            if res.kind == "unresolved":
                near = ctx.closest_author(work.author)
                if near:
                    message = tr('"{author}, {year}" matches no bibliography entry; did you mean {suggestion}?',
                                 author=work.author, year=work.year, suggestion=_cite_text(near, ctx))
                else:
                    message = tr('"{author}, {year}" matches no bibliography entry; add the entry or correct the '
                                 "citation.", author=work.author, year=work.year)
                diagnostics.append(Diagnostic.at("CIT001", source, *where, message))
                continue
            if res.kind == "year-mismatch":
                have = ", ".join(_cite_text(e, ctx) for e in res.entries)
                diagnostics.append(Diagnostic.at("CIT002", source, *where,
                                         tr('"{author}" is in the bibliography, but not for {year}: it has '
                                            "{have}; correct the year or the entry.",
                                            author=work.author, year=work.year, have=have)))
            elif res.kind == "ambiguous":
                keys = ", ".join(f"@{e.id}" for e in res.entries)
                diagnostics.append(Diagnostic.at("CIT003", source, *where,
                                         tr('"{author}, {year}" matches {count} entries ({keys}); give them '
                                            "year suffixes (2020a, 2020b) or cite by key.", author=work.author,
                                            year=work.year, count=len(res.entries), keys=keys)))
            entries = res.entries if res.kind in ("resolved", "year-mismatch") else []
            entry = entries[0] if len(entries) == 1 else None
            if res.kind == "resolved":
                cited.add(entry.id)
            if entry is not None:
                match = match_authors(work.author, entry)
                if match and match.issues:
                    printed = ctx.printed(entry)
                    diagnostics.append(Diagnostic.at("CIT004", source, work.author_start, work.author_end,
                                             tr('"{author}" is not how the style prints this author '
                                                '({issues}); write "{printed}".', author=work.author,
                                                issues="; ".join(tr(i) for i in match.issues), printed=printed)))
                etal = _etal_problem(work, entry, lang, ctx)
                if etal:
                    diagnostics.append(Diagnostic.at("CIT006", source, work.author_start, work.author_end, etal))
            if work.locator and (work.locator_sep.strip() in (";", ":") or not work.locator_word):
                word = _LOCATOR_WORD[lang]
                replacement = f", {word} {work.locator}"
                diagnostics.append(Diagnostic.at(
                    "CIT005", source, work.locator_start, work.locator_end,
                    tr('write the page as "{right}", not "{wrong}".', right=f"{work.year}{replacement}",
                       wrong=f'{work.year}{work.locator_sep}{work.locator_word + " " if work.locator_word else ""}'
                             f"{work.locator}"),
                    fix=Fix(work.locator_start, work.locator_end, replacement)))
        if all(r.kind == "resolved" for r in resolutions):
            keys = [r.entries[0].id for r in resolutions]
            replacement = _pandoc_syntax(cite, keys, lang)
            diagnostics.append(Diagnostic.at("CIT007", source, cite.start, cite.end,
                                     tr('prose citation "{text}" can be written {replacement}, so the style '
                                        "formats it and lists the work.", text=_one_line(cite.text),
                                        replacement=replacement),
                                     fix=Fix(cite.start, cite.end, replacement)))
    return diagnostics, cited


def _choose(cite: ProseCitation, ctx: CitationContext) -> tuple[ProseCitation | None, list[Resolution]]:
    """The citation as the checks see it, or None when it is not a citation at all."""
    if not cite.narrative:
        return cite, [ctx.resolve(w) for w in cite.works]
    fallback = None
    best: tuple | None = None
    rank = {"resolved": 0, "ambiguous": 1, "year-mismatch": 2}
    for candidate in _narrative_candidates(cite):   # shortest author text first
        res = ctx.resolve(candidate.works[0])
        if res.kind == "unresolved":
            fallback = fallback or candidate
            continue
        # Prefer a resolved match, then the fewest form problems, then the longer author text.
        score = (rank[res.kind], len(res.issues), -len(candidate.works[0].author))
        if best is None or score < best[0]:
            best = (score, candidate, res)
    if best is not None:
        return best[1], [best[2]]
    # An unmatched "Xxx (2019)" is a citation only when something says so: a cue word before
    # the name ("Menurut Townsend (2020)"), "dkk."/"et al.", or two authors joined by "&"/"dan".
    if fallback is None:
        return None, []
    author = split_author(fallback.works[0].author)
    before = cite.source.text[max(0, fallback.start - 30):fallback.start]
    if _CUE.search(before) or author.etal or author.connector:
        return fallback, [Resolution("unresolved")]
    return None, []


def _etal_problem(work: CitedWork, entry: Reference, lang: str, ctx: CitationContext) -> str | None:
    written = split_author(work.author).etal
    count = len(entry.authors)
    want = _ETAL_WORD[lang]
    problems = []
    if written and fold(written) != fold(want):
        problems.append(tr('this thesis writes "{want}", not "{written}"', want=want, written=written))
    if written and count <= 2:
        problems.append(tr(plural(count, '@{key} lists {count} author, so the style prints "{printed}" without '
                                         "{want}; add the missing authors to the entry or drop it",
                                  '@{key} lists {count} authors, so the style prints "{printed}" without '
                                  "{want}; add the missing authors to the entry or drop it"),
                           key=entry.id, count=count, printed=ctx.printed(entry), want=want))
    if not written and count >= 3 and len(split_author(work.author).names) < count:
        problems.append(tr('@{key} has {count} authors; write "{printed}"', key=entry.id, count=count,
                           printed=ctx.printed(entry)))
    return "; ".join(problems) + "." if problems else None


def _pandoc_syntax(cite: ProseCitation, keys: list[str], lang: str) -> str:
    word = _LOCATOR_WORD[lang]
    if cite.narrative:
        work = cite.works[0]
        return f"@{keys[0]}" + (f" [{word} {work.locator}]" if work.locator else "")
    items = []
    for work, key in zip(cite.works, keys):
        item = f"{work.prefix}@{key}"
        if work.locator:
            item += f", {word} {work.locator}"
        items.append(item)
    return "[" + "; ".join(items) + "]"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def check_citations(sources: list[Source], ctx: CitationContext) -> tuple[list[Diagnostic], set[str]]:
    ctx.labels = ctx.labels | crossref_labels(sources)
    diagnostics: list[Diagnostic] = []
    cited: set[str] = set()
    for source in sources:
        for check in (check_pandoc_citations, check_prose_citations):
            found, keys = check(source, ctx)
            diagnostics.extend(found)
            cited |= keys
    return diagnostics, cited


__all__ = ["CitationContext", "check_citations", "match_authors", "resolve", "Citation"]
