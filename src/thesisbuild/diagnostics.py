"""One Diagnostic type for every check: stable code, name, severity, place, message, fix."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from pathlib import Path


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fixable: bool
    summary: str


# The one rule table: the README's table is checked against it by the tests.
RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("CIT001", "unresolved-citation", Severity.ERROR, False,
         "a key with no entry, or a prose citation that matches no entry; names the closest entry"),
    Rule("CIT002", "year-mismatch", Severity.ERROR, False,
         "the author matches an entry but the year does not"),
    Rule("CIT003", "ambiguous-citation", Severity.ERROR, False,
         "a prose citation that matches two or more entries (same author and year, no a/b suffix)"),
    Rule("CIT004", "author-form", Severity.WARNING, False,
         "a prose citation whose author is not written as the style prints it (given names or initials, "
         "capitals or stray punctuation, a missing particle, a given name read as a co-author)"),
    Rule("CIT005", "locator-form", Severity.WARNING, True,
         '"2020;9" or "2020:9" instead of "2020, hlm. 9" (the locator word of the thesis language)'),
    Rule("CIT006", "etal-form", Severity.WARNING, False,
         '"et al." where the thesis language writes "dkk." (or the reverse), or et al./dkk. for one or '
         "two authors"),
    Rule("CIT007", "prose-citation", Severity.INFO, True,
         "a prose citation that resolves to exactly one entry; the fix rewrites it in pandoc syntax"),
    Rule("BIB001", "bibliography-syntax", Severity.ERROR, False,
         "an unreadable bibliography, with line and column"),
    Rule("BIB002", "duplicate-key", Severity.ERROR, False, "one key used by two entries"),
    Rule("BIB003", "duplicate-work", Severity.WARNING, False,
         "the same work under two keys: same DOI, or same normalised title, year and first author"),
    Rule("BIB004", "incomplete-entry", Severity.WARNING, False,
         "fields the citation style in use needs for the entry's type are missing; the message names "
         "the style (its CSL title) and the fields"),
    Rule("BIB005", "uncited-entry", Severity.WARNING, False, "an entry no chapter cites"),
    Rule("TEX001", "unsupported-latex", Severity.WARNING, False,
         "raw LaTeX the build cannot convert (a tikzpicture, an unknown command); it would show as code; names "
         "the Markdown to write instead"),
    Rule("RAW001", "raw-output-block", Severity.WARNING, False,
         "a raw typst or OOXML block: it reaches only the PDF or only the DOCX"),
    Rule("RAW002", "raw-typst-reads", Severity.ERROR, False,
         "raw typst that would read a file (read, image, json, include, ...) into the PDF"),
    Rule("RAW003", "raw-openxml-syntax", Severity.ERROR, False,
         "raw OOXML that is not well-formed XML and would break the DOCX"),
    Rule("XRF001", "crossref-syntax", Severity.INFO, True,
         "pandoc-crossref's @fig:x or {#fig:x}; the fix writes the native @fig-x and {#fig-x}"),
    Rule("XRF002", "unknown-crossref", Severity.ERROR, False,
         "a cross-reference (@fig-, @tbl-, @sec-, @eq-, @lst-, \\ref) to a label no chapter defines; names the "
         "closest label"),
    Rule("XRF003", "duplicate-label", Severity.WARNING, False, "one label given to two elements"),
    Rule("DOC001", "own-reference-list", Severity.WARNING, False,
         'a chapter with its own reference list ({#refs}, a "DAFTAR PUSTAKA" or "References" heading); the '
         "build adds it after the last chapter"),
    Rule("DOC002", "broken-link", Severity.ERROR, False,
         "a link to #id where no heading or label has that id"),
    Rule("DOC003", "empty-chapter", Severity.ERROR, False,
         "a chapter with no text or no heading"),
    Rule("DOC004", "unclosed-fence", Severity.ERROR, False,
         "a code fence never closed: the rest of the chapter would become code"),
    Rule("DOC005", "control-character", Severity.ERROR, False,
         "a control character (a NUL byte, ...) that no output can show"),
    Rule("DOC006", "build-marker", Severity.ERROR, False,
         "the build's own markers (THESISBUILD-...) in a chapter"),
    Rule("DOC007", "deep-brackets", Severity.ERROR, False,
         "square brackets nested more than twelve deep (limits.bracket_depth), which pandoc takes exponential time over"),
    Rule("DOC008", "metadata-block", Severity.WARNING, False,
         "a YAML metadata block (--- title: ... ---) in a chapter; the build leaves it out"),
    Rule("DOC009", "numbered-heading", Severity.WARNING, True,
         'a chapter heading that begins with the label and number the template writes ("# BAB II ..."); the fix '
         "removes them"),
    Rule("DOC010", "unreadable-attributes", Severity.ERROR, False,
         "attributes with an identifier pandoc cannot read ({#sec-x key=}): printed as text, the id missing"),
    Rule("DOC011", "unclosed-comment", Severity.ERROR, False,
         "an HTML comment (<!--) never closed: pandoc prints it and the rest of the chapter as text"),
    Rule("IMG001", "missing-image", Severity.ERROR, False,
         "an image path with no file; names the closest file"),
    Rule("IMG002", "image-outside-thesis", Severity.ERROR, False,
         "an image outside the thesis folder (an absolute path or ../)"),
    Rule("IMG003", "image-path-case", Severity.ERROR, True,
         "an image path that differs from the stored file only in letter case; the fix writes the real name"),
    Rule("IMG004", "image-format", Severity.ERROR, False,
         "an image the outputs cannot embed (PDF, EPS, TIFF); convert it to PNG or SVG"),
    Rule("TYP001", "known-typo", Severity.WARNING, True,
         "a word of the typo dictionary (in a quotation: info, never fixed)"),
    Rule("TYP002", "ambiguous-typo", Severity.WARNING, False,
         "a dictionary word with several candidates; the message lists them"),
    Rule("TYP003", "suspect-word", Severity.INFO, False,
         "a word rare in this thesis and close to a much more frequent one, or in no Indonesian or "
         "English word list nor words.txt; never in LaTeX, paths, URLs, code or italics"),
    # The build's warnings, at the source line they come from.
    Rule("BLD001", "placeholder", Severity.WARNING, False,
         "a thesis.yaml value still the template's placeholder (\"[Nama Lengkap Penulis]\"), at its line"),
    Rule("BLD002", "no-logo", Severity.WARNING, False,
         "no logo in thesis.yaml: the cover shows a dashed slot in its place"),
    Rule("BLD003", "pandoc-warning", Severity.WARNING, False,
         "a warning of pandoc (TeX math it cannot convert, a duplicate identifier), at the chapter line"),
    Rule("BLD004", "staged-typo-fixes", Severity.INFO, False,
         "the outputs carry typo fixes the chapter does not have yet; `doit fix` writes them"),
    Rule("BLD005", "missing-glyph", Severity.WARNING, False,
         "a character no font of the PDF has (an emoji, a Chinese character): it would print as a box"),
    # `thesisbuild verify`: one code per rule of the template profile, measured in the outputs.
    Rule("VFY001", "pdf.page-size", Severity.ERROR, False, "every page's size"),
    Rule("VFY002", "pdf.margins", Severity.ERROR, False,
         "the text block's margins from glyph positions: no body page crosses them, and the body's "
         "outermost lines lie on them"),
    Rule("VFY003", "pdf.page-numbers", Severity.ERROR, False,
         "the page number's text and position on every page (roman or arabic, centre or right, none on "
         "the cover)"),
    Rule("VFY004", "pdf.body-font", Severity.ERROR, False, "the body font and size"),
    Rule("VFY005", "pdf.line-pitch", Severity.ERROR, False, "the distance between baselines of body text"),
    Rule("VFY006", "pdf.chapter-new-page", Severity.ERROR, False,
         "each chapter-level heading at the top of its page"),
    Rule("VFY007", "pdf.captions", Severity.ERROR, False, "a figure caption below its figure, a table caption above its table"),
    Rule("VFY101", "docx.page", Severity.ERROR, False, "each section's page size and margins"),
    Rule("REV001", "review-comment", Severity.INFO, False,
         "thesisbuild review: a comment of the supervisor, at the text it is on, with its replies"),
    Rule("REV002", "review-insertion", Severity.INFO, False, "thesisbuild review: a tracked insertion"),
    Rule("REV003", "review-deletion", Severity.INFO, False, "thesisbuild review: a tracked deletion"),
    Rule("REV004", "review-replacement", Severity.INFO, False,
         "thesisbuild review: a tracked replacement (a deletion and an insertion at one place)"),
    Rule("REV005", "review-move", Severity.INFO, False, "thesisbuild review: text moved with Track Changes"),
    Rule("REV006", "review-format", Severity.INFO, False,
         "thesisbuild review: a tracked change of formatting (the template sets it; change the Markdown by hand)"),
    Rule("REV008", "review-untracked", Severity.WARNING, False,
         "thesisbuild review: words the returned draft has differently with no tracked change (edited with Track "
         "Changes off, or a change rejected); listed, never applied"),
    Rule("REV007", "review-note", Severity.INFO, False,
         "a comment of the supervisor written into a chapter by `thesisbuild review --annotate`, until removed"),
    Rule("VFY102", "docx.page-numbering", Severity.ERROR, False, "each section's page-number format and restart"),
    Rule("VFY103", "docx.chapter-pages", Severity.ERROR, False,
         "a different first page per chapter, with the page numbers where the template puts them"),
    Rule("VFY104", "docx.style.body", Severity.ERROR, False,
         "the body style's font, size, spacing, first-line indent and alignment"),
    Rule("VFY105", "docx.style.heading", Severity.ERROR, False, "the chapter heading style's font, size, weight and alignment"),
    Rule("VFY106", "docx.style.bibliography", Severity.ERROR, False,
         "the bibliography style's hanging indent and spacing"),
    Rule("VFY107", "docx.heading-numbering", Severity.ERROR, False,
         "chapter and section numbers in order (BAB I, then 1.1, 1.1.1; Lampiran A, then A.1)"),
    Rule("VFY108", "docx.toc-page-numbers", Severity.ERROR, False,
         "every entry of the table of contents and the lists of figures and tables ends with its page number"),
    Rule("VFY109", "docx.link-color", Severity.ERROR, False, "links and cross-references black, as in the PDF"),
    Rule("VFY110", "docx.valid", Severity.ERROR, False,
         "the package valid against the OOXML schemas (openxml-audit), in Word 2013+ mode (compatibilityMode 15)"),
    Rule("VFY111", "docx.rendered-pages", Severity.ERROR, False,
         "with --render: each list entry's cached page number is the page LibreOffice prints it on"),
    Rule("VFY112", "docx.fields", Severity.ERROR, False,
         "numbers that stay live in Word: headings numbered by Word's list numbering, captions by SEQ fields, "
         "references to figures and tables REF fields to their captions"),
)}


@dataclass(frozen=True)
class Fix:
    """Replace text[start:end] of the diagnostic's file with `replacement`."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Diagnostic:
    """A finding at path:line:column. A build or verify finding may know less: no column, no line
    (0), or no file at all (path None); the formatters leave out what is unknown."""

    code: str
    path: Path | None
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    severity: Severity = field(default=None)  # type: ignore[assignment]
    fix: Fix | None = None

    def __post_init__(self) -> None:
        if self.severity is None:
            object.__setattr__(self, "severity", RULES[self.code].severity)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def name(self) -> str:
        return self.rule.name

    @classmethod
    def at(cls, code: str, source, start: int, end: int, message: str, *,
           severity: Severity | None = None, fix: Fix | None = None) -> "Diagnostic":
        """A diagnostic for the characters start..end of a Source."""
        line, column = source.position(start)
        end_line, end_column = source.position(end)
        return cls(code=code, path=source.path, line=line, column=column, end_line=end_line,
                   end_column=end_column, message=message, severity=severity, fix=fix)

    @classmethod
    def of(cls, code: str, message: str, path: Path | None = None, line: int | None = None,
           column: int | None = None) -> "Diagnostic":
        """A diagnostic whose place is known only as far as it is given."""
        return cls(code=code, path=path, line=line or 0, column=column or 0, end_line=line or 0,
                   end_column=column or 0, message=message)

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def sort_key(self) -> tuple:
        return (str(self.path or ""), self.line, self.column, self.code)


_DIRECTIVE = re.compile(
    r"(?:<!--|#|%)\s*thesisbuild:\s*(disable-next-line|disable|enable)\b((?:[\s,]+[A-Z]{3}\d{3})*)")


class Suppressions:
    """`thesisbuild: disable CODE` … `enable CODE` and `disable-next-line CODE` comments of one file.
    No code means every code."""

    def __init__(self, text: str):
        self._ranges: list[tuple[int, int, frozenset[str] | None]] = []
        open_: dict[str | None, int] = {}
        line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        import bisect

        def line_of(offset: int) -> int:
            return bisect.bisect_right(line_starts, offset)

        last_line = len(line_starts)
        for m in _DIRECTIVE.finditer(text):
            verb = m.group(1)
            codes = re.findall(r"[A-Z]{3}\d{3}", m.group(2) or "")
            keys: list[str | None] = list(codes) if codes else [None]
            comment_end = text.find("-->", m.end())
            end_line = line_of(comment_end if comment_end != -1 and text.startswith("<!--", m.start()) else m.end())
            if verb == "disable-next-line":
                self._ranges.append((end_line + 1, end_line + 1, frozenset(codes) if codes else None))
            elif verb == "disable":
                for key in keys:
                    open_.setdefault(key, line_of(m.start()))
            else:
                for key in keys:
                    if key is None:
                        for k, start in list(open_.items()):
                            self._ranges.append((start, line_of(m.start()), frozenset([k]) if k else None))
                        open_.clear()
                    elif key in open_:
                        self._ranges.append((open_.pop(key), line_of(m.start()), frozenset([key])))
        for key, start in open_.items():
            self._ranges.append((start, last_line, frozenset([key]) if key else None))

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        for first, last, codes in self._ranges:
            if first <= diagnostic.line <= last and (codes is None or diagnostic.code in codes):
                return True
        return False
