"""The prepared document: chapters staged into one Markdown text, checked, ready for pandoc."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..bibliography import Reference, citeproc_files, load_references
from ..checks.crossrefs import explicit_ids, heading_ids
from ..checks.document import blank_metadata, metadata_blocks
from ..checks.structure import check_structure, enforce
from ..citations import Citation, closest_key, crossref_labels, find_citations
from ..config import Thesis
from ..diagnostics import Diagnostic, Severity
from ..epoch import source_date_epoch
from ..errors import UserError, display_path
from ..i18n import plural, tr
from ..pandoc import run_pandoc
from ..report import print_diagnostics
from ..sources import Source
from ..typos import apply_typos, load_dictionary
from .assemble import assemble_chapter, assemble_parts

# pandoc's Markdown, with bare URLs and e-mail addresses as links (an "@" in them is no citation).
READER = "markdown+autolink_bare_uris"
CITATION_FILTER = Path(__file__).resolve().parent.parent / "filters" / "citations.lua"
CROSSREF_FILTER = Path(__file__).resolve().parent.parent / "filters" / "crossref.lua"
LATEX_FILTER = Path(__file__).resolve().parent.parent / "filters" / "latex.lua"
IMAGES_FILTER = Path(__file__).resolve().parent.parent / "filters" / "images.lua"
_FIGURE_IMAGE = re.compile(r"!\[[^\]]*\]\((fig-[\w.\-]+)\)")
_CAPTION_ROOM_CM = 3.0      # a two-line caption and the space around it, below a full-height image
_STAGED_LINE = re.compile(r"\s*(?:at\s+)?(?:\S+\s+)?line (\d+)(?:,? column \d+)?")
_DUPLICATE_ID = re.compile(r"Duplicate identifier '([^']+)'")
_UNKNOWN_COMMAND = re.compile(r"unexpected control sequence (\\[A-Za-z]+)")
_MATH = re.compile(r"Could not convert TeX math\s+(.+?),\s*rendering as TeX", re.S)
_NOT_FOUND = re.compile(r"\[WARNING\] Citeproc: citation (\S+) not found")


@dataclass(frozen=True)
class ReadingPages:
    """A page setup of the renderers besides the thesis's own: one chapter read on its own and
    written on (drafts.py renders the supervisor's drafts so), with a running header of this text
    and the page number, line numbers when asked, and a wider right margin for notes; no cover,
    front matter, lists or PDF/A."""
    header: str
    line_numbers: bool
    right_margin_cm: float


@dataclass
class PreparedDocument:
    thesis: Thesis
    sources: list[Source]
    references: list[Reference]
    citations: list[Citation]
    epoch: int
    markdown: str = ""
    warnings: list[str] = field(default_factory=list)
    # Where each chapter's text lies in the staged Markdown: (first staged line, source, line count),
    # so that pandoc's messages about the staged text name the chapter and its line.
    line_map: list[tuple[int, Source, int]] = field(default_factory=list)
    _told: set[Diagnostic] = field(default_factory=set)
    quiet: bool = False         # a second rendering of the same build: its warnings were said already
    # One chapter on its own (prepare's `only`): the chapters before it, and the whole thesis's labels
    # ("id=kind:number;...").
    chapters_before: int | None = None
    known_labels: str = ""
    # The whole thesis in the parts converted one by one (render/parts.py): front, chapters, back.
    parts: list[str] = field(default_factory=list)
    # The parts as format-neutral pandoc JSON, once read (render/parts.py: neutral_parts).
    neutral: list[str] | None = None
    # The parts cut into the pieces converted one by one (render/parts.py: pieces), once found.
    pieces: list | None = None
    citation_order: tuple | None = None    # render/parts.py: _citation_order
    image_stamps: dict | None = None       # render/parts.py: image_stamps
    _citeproc_files: list[Path] | None = None

    def source_line(self, staged_line: int) -> tuple[Source, int] | None:
        for first, source, count in self.line_map:
            if first <= staged_line < first + count:
                return source, staged_line - first + 1
        return None

    def map_lines(self, texts: list[str]) -> None:
        """Find each staged chapter text in the assembled Markdown."""
        at = 0
        for source, text in zip(self.sources, texts):
            text = text.rstrip("\n")
            offset = self.markdown.find(text, at) if text else -1
            if offset < 0:
                continue
            self.line_map.append((self.markdown.count("\n", 0, offset) + 1, source, text.count("\n") + 1))
            at = offset + len(text)

    def _place(self, message: str) -> tuple[Path, int] | None:
        """A pandoc message's place in the chapters: from its staged line, or its TeX math text."""
        m = _DUPLICATE_ID.search(message)
        if m:
            # pandoc's position is after the element; the element itself is where the id is written.
            places = [(source, offset) for source in self.sources
                      for ident, offset in heading_ids(source) + explicit_ids(source) if ident == m.group(1)]
            if places:
                source, offset = places[-1]
                return source.path, source.position(offset)[0]
        m = _STAGED_LINE.search(message)
        if m:
            found = self.source_line(int(m.group(1)))
            if found:
                return found[0].path, found[1]
        m = _MATH.search(message)
        if m:
            math = next((line.strip() for line in m.group(1).splitlines() if line.strip()), "")
            for source in self.sources:
                offset = source.text.find(math) if math else -1
                if offset >= 0:
                    return source.path, source.position(offset)[0]
        return None

    def typst_place(self, typ_text: str, line: int) -> tuple[Path, int | None] | None:
        """The chapter (and line, when the text can be found there) behind a line of thesis.typ:
        a quoted path or label on that line, else its words, else the chapter whose heading comes
        last before it."""
        lines = typ_text.splitlines()
        if not 1 <= line <= len(lines):
            return None
        text = lines[line - 1]
        needles = [q.lstrip("/") for q in re.findall(r'"([^"\n]{3,})"', text)]
        needles += re.findall(r"<([\w:.\-]{2,})>", text)
        words = re.findall(r"[^\W\d_]{2,}(?:\s+[^\W\d_]{2,}){3,}", text)
        needles += words[:1]
        for needle in needles:
            for source in self.sources:
                offset = source.text.find(needle)
                if offset >= 0:
                    return source.path, source.position(offset)[0]
        titles = [(s, next(iter(re.findall(r"^#\s+(.+?)\s*(?:\{[^}]*\})?\s*$", s.text, re.M)), ""))
                  for s in self.sources]
        for previous in reversed(lines[:line]):
            heading = re.match(r"^=\s+(.+?)\s*$", previous)
            if heading:
                for source, title in titles:
                    if title and title.lower() in heading.group(1).lower():
                        return source.path, None
                break
        return None

    def report_pandoc(self, stderr: str) -> None:
        """pandoc's warnings, at their chapter line where they have one; each once per build."""
        messages: list[str] = []
        for line in stderr.splitlines():
            if not line.strip():
                continue
            if line.startswith((" ", "\t")) and messages:
                messages[-1] += "\n" + line
            else:
                messages.append(line)
        for message in messages:
            first = re.sub(r"^\[WARNING\]\s*", "", message.splitlines()[0]).strip()
            math = _MATH.search(message)
            if math and first.endswith("math"):
                first += " " + next((line.strip() for line in math.group(1).splitlines() if line.strip()), "")
            place = self._place(message)
            first = _STAGED_LINE.sub("", first).rstrip(":") if place else first
            text = f"pandoc: {first}"
            if "Could not convert TeX math" in first:
                unknown = _UNKNOWN_COMMAND.search(message)
                if unknown:
                    name = unknown.group(1)
                    example = f"\\newcommand{{{name}}}{{\\operatorname{{{name[1:]}}}}}"
                    text += tr(" ({name} is not a command pandoc's math knows); define it once above the equation, "
                               "e.g. {example}, or write the formula with commands pandoc knows.",
                               name=name, example=example)
                else:
                    text += tr("; write it in the math that pandoc reads (a LaTeX math subset) or as an image.")
            finding = Diagnostic.of("BLD003", text, *(place or ()))
            if finding not in self._told and not self.quiet:
                self._told.add(finding)
                print_diagnostics([finding], self.thesis.lint_severity)

    def pandoc_args(self, bibliography: bool = True) -> list[str]:
        """pandoc's arguments for reading the staged text; without `bibliography`, all but the
        bibliography files (which may need converting first: citeproc_bibliography)."""
        thesis = self.thesis
        captions = thesis.profile.captions
        args = ["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER),
                "-M", f"thesisbuild-figures={(thesis.build_dir / 'figures').relative_to(thesis.root).as_posix()}",
                "-M", f"thesisbuild-figure-label={captions.figure_label}",
                "-M", f"thesisbuild-table-label={captions.table_label}",
                # A profile written before equations and listings were numbered falls back to these.
                "-M", f"thesisbuild-equation-label={captions.equation_label}",
                "-M", f"thesisbuild-listing-label={captions.listing_label}",
                "-M", f"thesisbuild-xref-caption-separator={captions.separator}",
                "-M", f"thesisbuild-xref-chapter-numbering={thesis.profile.headings.chapter.numbering}",
                "--lua-filter", str(IMAGES_FILTER), *self._image_box(),
                "--citeproc", "--lua-filter", str(CITATION_FILTER), "--csl", str(thesis.csl),
                "-M", f"thesisbuild-narrative-and={thesis.profile.citations.narrative_and}",
                "-M", f"lang={thesis.lang}",
                "-M", "link-citations=false",
                "-M", "suppress-bibliography=false"]
        if self.chapters_before is not None:
            args += ["-M", f"thesisbuild-xref-chapters-before={self.chapters_before}"]
        if self.known_labels:
            args += ["-M", f"thesisbuild-xref-known={self.known_labels}"]
        for path in self.citeproc_bibliography() if bibliography else ():
            args += ["--bibliography", str(path)]
        return args

    def citeproc_bibliography(self) -> list[Path]:
        """The bibliography files as citeproc reads them (bibliography.citeproc_files), found once."""
        if self._citeproc_files is None:
            self._citeproc_files = citeproc_files(self.thesis.bibliography,
                                                  self.thesis.build_dir / "cache" / "bibliography",
                                                  self.thesis.csl, self.thesis.lang)
        return self._citeproc_files

    def _image_box(self) -> list[str]:
        """The largest image that fits the text block with room for a caption below it."""
        page = self.thesis.profile.page
        margin = page.margin_cm
        width = float(page.width_cm) - float(margin.left) - float(margin.right)
        height = float(page.height_cm) - float(margin.top) - float(margin.bottom) - _CAPTION_ROOM_CM
        return ["-M", f"thesisbuild-image-max-width-cm={width:.2f}",
                "-M", f"thesisbuild-image-max-height-cm={height:.2f}",
                "-M", f"thesisbuild-font-size-pt={float(self.thesis.profile.font.size_pt):g}"]

    def env(self) -> dict[str, str]:
        return {"SOURCE_DATE_EPOCH": str(self.epoch)}

    def convert(self, to: str, extra: list[str] | None = None, output: Path | None = None) -> str:
        """Run pandoc on the staged text; unresolved citations fail the build."""
        args = [*self.pandoc_args(), "-t", to, *(extra or [])]
        if output is not None:
            args += ["-o", str(output)]
        proc = run_pandoc(args, input_text=self.markdown, cwd=self.thesis.root, env=self.env())
        self.check_pandoc(proc.stderr)
        return proc.stdout

    def check_pandoc(self, stderr: str) -> None:
        """Unresolved citations in pandoc's messages fail the build; its warnings are reported."""
        missing = _NOT_FOUND.findall(stderr)
        if missing:
            for source in self.sources:
                for c in find_citations(source, crossrefs=True):
                    if c.key in missing:
                        raise UserError(tr("pandoc found no bibliography entry or label for @{key}; add the entry, "
                                           "label the element it refers to, or correct the key.", key=c.key),
                                        source.path, c.line, c.column)
            raise UserError(tr("pandoc found citations with no bibliography entry ({keys}); add the entries or "
                               "correct the keys.", keys=", ".join(sorted(set(missing)))))
        self.report_pandoc(stderr)


def prepare(thesis: Thesis, warn: bool = True, only: Path | None = None,
            text: str | None = None) -> PreparedDocument:
    """Read the sources, check every citation, and stage the Markdown the renderers share.
    With `only`, that chapter alone, numbered as in the thesis (a draft; with `text`, that text in
    its place)."""
    every = [Source.read(path) for path in thesis.chapters]
    sources = [s for s in every if only is None or s.path == only]
    # Appendices are checked with the chapters (their citations, labels, links and images) and
    # staged after the reference list by assemble().
    appendices = [Source.read(path) for path in thesis.appendices] if only is None else []
    # The front-matter texts (abstrak, kata pengantar) are checked too: their citations, references,
    # images and LaTeX, at their own lines.
    fronts = [Source.read(path) for path in thesis.front_text_files()] if only is None else []
    checked = sources + appendices + fronts
    references = load_references(thesis.bibliography)
    labels = crossref_labels(every + appendices)
    citations = [c for s in checked for c in find_citations(s) if c.key not in labels]
    check_citations_resolve(citations, references)
    check_figures_exist(thesis, sources)
    # Raw LaTeX, cross-references, links and images: errors stop the build at their place, and
    # what cannot be rendered is said at its source line (warnings only once per build). A draft
    # is checked against the whole thesis (its references may point into other chapters).
    mine = {s.path for s in checked}
    found = [d for d in check_structure(every + [s for s in appendices if s.path not in {e.path for e in every}],
                                        thesis.root, thesis.profile, fronts)
             if d.path in mine]
    enforce(found if warn else [d for d in found if d.severity >= Severity.ERROR], thesis.lint_severity)
    doc = PreparedDocument(thesis=thesis, sources=sources, references=references,
                           citations=citations, epoch=source_date_epoch(thesis.root), quiet=not warn)
    if only is None:
        staged = stage_texts(thesis, sources, warn)
        doc.parts = assemble_parts(thesis, staged)
        doc.markdown = "\n\n".join(doc.parts) + "\n"
    else:
        staged = [text] if text is not None else stage_texts(thesis, sources, warn)
        doc.markdown = assemble_chapter(thesis, staged)
        doc.chapters_before = [s.path for s in every].index(only)
        doc.known_labels = thesis_labels(doc, stage_texts(thesis, every, report=False))
    doc.map_lines(staged)
    if warn:
        found = [Diagnostic.of("BLD001", tr("'{key}' is still a placeholder ({value}); fill it in before you submit.",
                                            key=p.key, value=p.value), thesis.config_path, p.line)
                 for p in thesis.placeholders]
        if thesis.logo is None:
            found.append(Diagnostic.of("BLD002", tr("no 'logo' for the cover; a dashed slot stands in its place until "
                                                    "you name the university's logo image."), thesis.config_path))
        print_diagnostics(found, thesis.lint_severity)
    return doc


def thesis_labels(doc: PreparedDocument, texts: list[str]) -> str:
    """Every label of the whole thesis with its number, "id=kind:number;...", for a draft."""
    if not any("{#" in t or "\\label" in t for t in texts):
        return ""
    args = ["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER),
            "-M", "thesisbuild-xref-dump=true", "-t", "plain"]
    proc = run_pandoc(args, input_text="\n\n".join(t.rstrip("\n") for t in texts) + "\n",
                      cwd=doc.thesis.root, env=doc.env())
    return proc.stdout.strip()


def stage_texts(thesis: Thesis, sources: list[Source], report: bool = True) -> list[str]:
    """The chapters as the outputs show them: with the typo dictionary applied in memory.
    The sources are never written; `thesisbuild fix` is the author's decision."""
    # A chapter's YAML metadata block would set the whole document's metadata: left out (DOC008).
    sources = [Source(s.path, blank_metadata(s)) if metadata_blocks(s) else s for s in sources]
    if thesis.typos is None:
        return [s.text for s in sources]
    dictionary = load_dictionary(thesis.typos)
    key = thesis.typos.read_bytes()
    texts, notes = [], []
    for source in sources:
        # The same text with the same dictionary is fixed once per process (watch stages every
        # chapter on every save).
        if (source.text, key) not in _STAGED:
            if len(_STAGED) >= 64:
                _STAGED.clear()
            _STAGED[(source.text, key)] = apply_typos(source, dictionary)
        text, applied = _STAGED[(source.text, key)]
        texts.append(text)
        if applied:
            lines = sorted({source.position(h.start)[0] for h in applied})
            # At the chapter's first fixed line; the message names the others.
            notes.append(Diagnostic.of("BLD004", tr(plural(
                len(applied), "the outputs carry {count} typo fix from {dictionary} that this chapter does not have "
                              "yet (line {lines}); run `doit fix` to write it into the chapter.",
                "the outputs carry {count} typo fixes from {dictionary} that this chapter does not have yet "
                "(lines {lines}); run `doit fix` to write them into the chapter."),
                count=len(applied), dictionary=display_path(thesis.typos), lines=_ranges(lines)),
                source.path, lines[0]))
    if report:
        print_diagnostics(notes, thesis.lint_severity)
    return texts


_STAGED: dict[tuple[str, bytes], tuple[str, list]] = {}


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(parts)


def check_figures_exist(thesis: Thesis, sources: list[Source]) -> None:
    """A chapter that places fig-<name> needs figures/<name>.py."""
    for source in sources:
        for m in _FIGURE_IMAGE.finditer(source.text):
            if source.region_at(m.start()) is not None:
                continue
            name = m.group(1)[4:]
            if not (thesis.root / "figures" / f"{name}.py").is_file():
                line, col = source.position(m.start(1))
                raise UserError(tr("the figure {id} has no script figures/{name}.py; write it or correct the id.",
                                   id=m.group(1), name=name), source.path, line, col)


def check_citations_resolve(citations: list[Citation], references: list[Reference]) -> None:
    """Strict mode: the first unknown key fails the build at its place, naming all of them."""
    known = {r.id for r in references}
    unknown = [c for c in citations if c.key not in known]
    if not unknown:
        return
    first = unknown[0]
    others = sorted({c.key for c in unknown} - {first.key})
    hint = closest_key(first.key, known)
    fields = {"key": first.key, "hint": hint, "others": ", ".join("@" + k for k in others)}
    if hint and others:
        message = tr("citation @{key} has no bibliography entry (did you mean @{hint}?), nor do {others}; add the "
                     "entry to the bibliography or correct the key.", **fields)
    elif hint:
        message = tr("citation @{key} has no bibliography entry (did you mean @{hint}?); add the entry to the "
                     "bibliography or correct the key.", **fields)
    elif others:
        message = tr("citation @{key} has no bibliography entry, nor do {others}; add the entry to the "
                     "bibliography or correct the key.", **fields)
    else:
        message = tr("citation @{key} has no bibliography entry; add the entry to the bibliography or correct the "
                     "key.", **fields)
    raise UserError(message, first.source.path, first.line, first.column)
