"""`thesisbuild lint`: every check over the chapters and bibliographies, one report."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .bibliography import Reference, load_file
from .checks.bibliography import bibliography_files_exist, check_bibliography
from .checks.citations import CitationContext, check_citations
from .checks.structure import check_structure
from .checks.typos import check_typos
from .config import Profile
from .typos import load_dictionary
from . import __version__
from .fsutil import write_atomic
from .words import WordList, load_word_list
from .diagnostics import Diagnostic, Severity, Suppressions
from .errors import UserError
from .i18n import N_, tr
from .sources import Source
from .yamlfile import read_text


@dataclass
class LintRequest:
    chapters: list[Path]
    bibliographies: list[Path]
    lang: str = "id-ID"
    csl: Path | None = None
    severity: dict[str, Severity | None] = field(default_factory=dict)   # None switches a rule off
    typos: Path | None = None       # typo dictionary: TYP001/TYP002
    words: Path | None = None       # project word list for TYP003
    suspects: bool = False          # TYP003
    citations: bool = True          # CIT and BIB rules
    structure: bool = True          # TEX, XRF, DOC and IMG rules: LaTeX, cross-references, links, images
    root: Path | None = None        # the thesis folder image paths start from (default: the working directory)
    cache: Path | None = None       # a folder for what one lint run can keep for the next (build/cache/lint)
    profile: Profile | None = None          # the thesis's template profile: headings, limits (DOC001, 7, 9)
    front_texts: list[Path] = field(default_factory=list)   # abstrak, kata pengantar: citations, references


@dataclass
class LintResult:
    diagnostics: list[Diagnostic]
    texts: dict[Path, str]
    references: list[Reference]
    sources: list[Source]

    def worst(self) -> Severity | None:
        return max((d.severity for d in self.diagnostics), default=None)


def load_bibliographies(paths: list[Path]) -> tuple[list[Reference], list[Diagnostic]]:
    """Entries of every readable file; a file that does not parse becomes a BIB001 diagnostic."""
    bibliography_files_exist(paths)
    refs: list[Reference] = []
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            refs.extend(load_file(path))
        except UserError as err:
            line, col = err.line or 1, err.column or 1
            problems.append(Diagnostic(code="BIB001", path=path, line=line, column=col, end_line=line,
                                       end_column=col, message=err.message))
    return refs, problems


def _near_memo(request: LintRequest, words: WordList) -> Path | None:
    """The file that keeps the word list's one-edit neighbours between runs (loaded into `words`),
    named by what they depend on: thesisbuild (its word lists) and words.txt."""
    if request.cache is None:
        return None
    digest = hashlib.sha256(__version__.encode())
    digest.update("\n".join(sorted(words.project)).encode("utf-8"))
    path = request.cache / f"near-{digest.hexdigest()[:16]}.json"
    try:
        words.near.update(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass          # none yet, or unreadable: found again and written anew
    return path


def run_lint(request: LintRequest) -> LintResult:
    for path in request.chapters:
        if not path.is_file():
            raise UserError(tr("chapter file not found; create it or correct the path."), path)
    sources = [Source.read(p) for p in request.chapters]
    fronts = [Source.read(p) for p in request.front_texts if p not in request.chapters]
    refs: list[Reference] = []
    diagnostics: list[Diagnostic] = []
    if request.citations:
        refs, diagnostics = load_bibliographies(request.bibliographies)
        ctx = CitationContext(refs=refs, lang=request.lang, csl=request.csl)
        found, cited = check_citations(sources + fronts, ctx)
        diagnostics += found
        diagnostics += check_bibliography(refs, cited, request.csl)
    if request.structure:
        diagnostics += check_structure(sources, request.root or Path.cwd(), request.profile, fronts)
    dictionary = load_dictionary(request.typos) if request.typos else None
    words = load_word_list(request.words, request.cache) if request.suspects and request.lang.lower().startswith("id") \
        else None
    if dictionary is not None or words is not None:
        memo = _near_memo(request, words) if words is not None else None
        known = len(words.near) if words is not None else 0
        diagnostics += check_typos(sources, dictionary, words, request.cache)
        if memo is not None and len(words.near) > known:
            write_atomic(memo, json.dumps(words.near, ensure_ascii=False, sort_keys=True))

    texts: dict[Path, str] = {s.path: s.text for s in sources + fronts}
    for path in request.bibliographies if request.citations else []:
        if path not in texts:
            try:
                texts[path] = read_text(path, N_("bibliography"))
            except UserError:
                texts[path] = ""
    suppressions = {path: Suppressions(text) for path, text in texts.items()}
    kept = []
    for d in diagnostics:
        if d.path in suppressions and suppressions[d.path].suppresses(d):
            continue
        if d.code in request.severity:
            level = request.severity[d.code]
            if level is None:
                continue
            d = d.with_severity(level)
        kept.append(d)
    kept.sort(key=Diagnostic.sort_key)
    return LintResult(diagnostics=kept, texts=texts, references=refs, sources=sources)
