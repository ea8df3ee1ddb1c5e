"""Counting what a thesis holds, in its sources and in its outputs, to prove that nothing is lost.

Sources (Markdown chapters) are read with pandoc's own Markdown reader (the pandoc that
pypandoc-binary ships), so code blocks, HTML comments and math are never mistaken for content:

- tables: pipe, grid, simple and multiline tables that have a caption, and raw LaTeX
  ``table``/``longtable``/``xltabular`` environments that have a ``\\caption``;
- figures: images alone in a paragraph with a caption (pandoc's implicit figures), and raw LaTeX
  ``figure`` environments that have a ``\\caption``;
- listings: code blocks with a caption (attribute or pandoc-crossref's ``: caption {#lst:x}``);
- cross-references: ``@fig-x``/``@tbl-x``/``@sec-x``/``@eq-x``/``@lst-x``, pandoc-crossref's
  ``@fig:x`` and LaTeX ``\\ref{x}``/``\\autoref{x}``/``\\eqref{x}``;
- cited keys: the distinct keys of pandoc citations (``[@a; @b]``, ``@a``) and ``\\cite{a,b}``,
  cross-references excluded.

Outputs:

- PDF (pypdf): caption lines, i.e. lines that start with a label word and a number per chapter
  ("Tabel 3.2", "Gambar A.1", "Figure 4.1"), counted once per label, on pages that are not a list
  of contents/figures/tables (those pages have dot leaders); the entries of the reference list,
  read in pypdf's layout mode, where an entry starts at the left margin and its following lines
  are indented (hanging indent) or the entry starts with "[n]";
- DOCX (python-docx): paragraphs in a caption style ("Image Caption", "Table Caption", "Caption")
  or starting with a label word and a number; the non-empty paragraphs between the reference-list
  heading and the next chapter-level heading;
- unresolved markers in either text: "??", a label word followed by punctuation instead of a
  number ("Gambar ."), a key followed by "?" (pandoc's mark of an unknown citation), and LaTeX or
  pandoc-crossref syntax that reached the reader (``\\ref``, ``{#fig:``, ``\\begin{``).

Label words are parameters: ``INDONESIAN``, ``ENGLISH``, or a ``Labels`` of one's own.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator


# --------------------------------------------------------------------------------------------
# Label words


@dataclass(frozen=True)
class Labels:
    """The words an output uses for captions and for the reference-list heading."""

    figure: tuple[str, ...]
    table: tuple[str, ...]
    references: tuple[str, ...]      # headings of the reference list, compared case-insensitively

    def kind_of(self, word: str) -> str | None:
        if word in self.figure:
            return "figure"
        if word in self.table:
            return "table"
        return None

    @property
    def words(self) -> tuple[str, ...]:
        return self.figure + self.table


INDONESIAN = Labels(figure=("Gambar",), table=("Tabel",), references=("DAFTAR PUSTAKA",))
ENGLISH = Labels(figure=("Figure",), table=("Table",), references=("References", "Bibliography"))


# --------------------------------------------------------------------------------------------
# Sources


CROSSREF_ID = re.compile(r"^(?:fig|tbl|tab|sec|eq|lst)[:\-]")
_TABLE_ENVS = ("table", "table*", "longtable", "xltabular", "sidewaystable")
_FIGURE_ENVS = ("figure", "figure*", "wrapfigure", "sidewaysfigure")
_BEGIN = re.compile(r"\\begin\{([A-Za-z*]+)\}")
_LATEX_REF = re.compile(r"\\(?:ref|autoref|eqref|cref|Cref|pageref)\{([^}]*)\}")
_INCLUDEGRAPHICS = re.compile(r"\\includegraphics\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}")
_LATEX_CITE = re.compile(r"\\(?:cite|citep|citet|parencite|textcite)(?:\[[^\]]*\])*\{([^}]*)\}")


@dataclass(frozen=True)
class Item:
    """A captioned table, figure or listing found in a source."""

    kind: str           # "table", "figure" or "listing"
    caption: str        # plain text, LaTeX commands and labels removed
    label: str          # its identifier or \label, "" when it has none
    form: str           # "markdown" or "latex"
    path: str


@dataclass(frozen=True)
class CrossRef:
    target: str
    form: str           # "pandoc" (@fig-x, @fig:x) or "latex" (\ref{x})
    path: str


@dataclass
class SourceCounts:
    tables: list[Item] = field(default_factory=list)
    figures: list[Item] = field(default_factory=list)
    listings: list[Item] = field(default_factory=list)
    equations: int = 0
    crossrefs: list[CrossRef] = field(default_factory=list)
    cited_keys: set[str] = field(default_factory=set)
    images: list[tuple[str, str]] = field(default_factory=list)     # (source path, image target)

    def add(self, other: "SourceCounts") -> None:
        self.tables += other.tables
        self.figures += other.figures
        self.listings += other.listings
        self.equations += other.equations
        self.crossrefs += other.crossrefs
        self.cited_keys |= other.cited_keys
        self.images += other.images

    def summary(self) -> str:
        return (f"{len(self.tables)} tables, {len(self.figures)} figures, {len(self.listings)} listings, "
                f"{self.equations} display equations, {len(self.crossrefs)} cross-references, "
                f"{len(self.cited_keys)} cited works")


def pandoc_ast(text: str) -> dict:
    """pandoc's reading of Markdown text, as its JSON AST."""
    import pypandoc

    result = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json"],
                            input=text.encode("utf-8"), capture_output=True, check=True)
    return json.loads(result.stdout)


def count_sources(paths: Iterable[Path]) -> SourceCounts:
    """Everything countable in these Markdown files together."""
    total = SourceCounts()
    for path in paths:
        total.add(count_text(Path(path).read_text(encoding="utf-8-sig"), str(path)))
    return total


def count_text(text: str, path: str = "<text>") -> SourceCounts:
    counts = SourceCounts()
    blocks = pandoc_ast(text)["blocks"]
    _walk_blocks(blocks, counts, path)
    return counts


def _walk_blocks(blocks: list, counts: SourceCounts, path: str) -> None:
    previous = None
    for block in blocks:
        _block(block, previous, counts, path)
        previous = block


def _block(block: dict, previous: dict | None, counts: SourceCounts, path: str) -> None:
    t, c = block["t"], block.get("c")
    if t == "Figure":
        attr, caption, body = c
        text = _caption_text(caption)
        if text:
            counts.figures.append(Item("figure", text, attr[0] or _label_in(caption), "markdown", path))
        _walk_any(caption, counts, path)
        _walk_blocks(body, counts, path)
        return
    if t == "Table":
        attr, caption = c[0], c[1]
        text = _caption_text(caption)
        if text:
            counts.tables.append(Item("table", text, attr[0] or _label_in(caption), "markdown", path))
        _walk_any(c, counts, path)
        return
    if t == "CodeBlock":
        (ident, _classes, kvs), _code = c
        caption = dict(kvs).get("caption", "")
        if caption or ident.startswith("lst"):
            counts.listings.append(Item("listing", caption, ident, "markdown", path))
        return
    if t == "Para" and previous is not None and previous["t"] == "CodeBlock" and c \
            and c[0] == {"t": "Str", "c": ":"}:
        # pandoc-crossref's listing caption below a code block: ": Caption {#lst:x}"
        text = stringify(c[1:])
        label = re.search(r"\{#(lst[:\-][^}\s]*)", text)
        counts.listings.append(Item("listing", re.sub(r"\s*\{#.*", "", text).strip(),
                                    label.group(1) if label else "", "markdown", path))
        return
    if t == "RawBlock":
        fmt, raw = c
        if fmt in ("tex", "latex"):
            _latex(raw, counts, path)
        return
    _walk_any(c, counts, path)


def _walk_any(node, counts: SourceCounts, path: str) -> None:
    """Inline content anywhere below `node`: citations, cross-references, math, raw LaTeX."""
    if isinstance(node, list):
        if node and all(isinstance(n, dict) and "t" in n for n in node) and _is_blocks(node):
            _walk_blocks(node, counts, path)
            return
        for item in node:
            _walk_any(item, counts, path)
        return
    if not isinstance(node, dict) or "t" not in node:
        return
    t, c = node["t"], node.get("c")
    if t == "Cite":
        for citation in c[0]:
            key = citation["citationId"]
            if CROSSREF_ID.match(key):
                counts.crossrefs.append(CrossRef(key, "pandoc", path))
            else:
                counts.cited_keys.add(key)
        return
    if t == "Image":
        counts.images.append((path, c[2][0]))
        _walk_any(c[1], counts, path)
        return
    if t == "Math":
        if c[0]["t"] == "DisplayMath":
            counts.equations += 1
        return
    if t == "RawInline":
        if c[0] in ("tex", "latex"):
            _latex_inline(c[1], counts, path)
        return
    if t in ("Code", "CodeBlock", "Str"):
        return
    if t in ("Figure", "Table", "CodeBlock", "RawBlock", "Para"):
        _block(node, None, counts, path)
        return
    _walk_any(c, counts, path)


_BLOCK_TYPES = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
                "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}


def _is_blocks(nodes: list) -> bool:
    return nodes[0]["t"] in _BLOCK_TYPES


def _latex_inline(raw: str, counts: SourceCounts, path: str) -> None:
    for m in _LATEX_REF.finditer(raw):
        counts.crossrefs.append(CrossRef(m.group(1).strip(), "latex", path))
    for m in _LATEX_CITE.finditer(raw):
        counts.cited_keys.update(k.strip() for k in m.group(1).split(",") if k.strip())


def _latex(raw: str, counts: SourceCounts, path: str) -> None:
    """Raw LaTeX: float environments with a caption, and the references and citations inside."""
    pos = 0
    for env, start, end in _environments(raw):
        if start < pos:
            continue          # inside an environment already counted (tabular in table)
        body = raw[start:end]
        caption = _braced_after(body, r"\caption")
        if env in _TABLE_ENVS or env in _FIGURE_ENVS:
            pos = end
            if caption is not None:
                kind = "table" if env in _TABLE_ENVS else "figure"
                label = _braced_after(body, r"\label") or ""
                item = Item(kind, latex_to_text(caption), label.strip(), "latex", path)
                (counts.tables if kind == "table" else counts.figures).append(item)
        if env in ("equation", "equation*", "align", "align*", "eqnarray"):
            counts.equations += 1
            pos = end
    for m in _INCLUDEGRAPHICS.finditer(raw):
        counts.images.append((path, m.group(1).strip()))
    _latex_inline(raw, counts, path)


def _environments(raw: str) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each \\begin{name}...\\end{name}, outer ones first."""
    for m in _BEGIN.finditer(raw):
        name = m.group(1)
        end_tag = "\\end{" + name + "}"
        depth, i = 1, m.end()
        begin_tag = "\\begin{" + name + "}"
        while depth:
            nb, ne = raw.find(begin_tag, i), raw.find(end_tag, i)
            if ne < 0:
                ne = len(raw) - len(end_tag)
                depth = 0
                break
            if 0 <= nb < ne:
                depth, i = depth + 1, nb + len(begin_tag)
            else:
                depth, i = depth - 1, ne + len(end_tag)
        yield name, m.start(), min(len(raw), ne + len(end_tag))


def _braced_after(text: str, command: str) -> str | None:
    """The balanced {...} argument after the first `command` (not `command*`), or None."""
    for m in re.finditer(re.escape(command) + r"(?![A-Za-z*])\s*(?:\[[^\]]*\])?\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            if text[i] == "{" and text[i - 1] != "\\":
                depth += 1
            elif text[i] == "}" and text[i - 1] != "\\":
                depth -= 1
            i += 1
        return text[m.end():i - 1]
    return None


def latex_to_text(latex: str) -> str:
    """The words of a LaTeX fragment: \\textit{x} -> x, \\label{..} and other commands dropped."""
    text = re.sub(r"\\(?:label|ref|cite)\{[^}]*\}", "", latex)
    text = re.sub(r"\\([%&#_$])", r"\1", text)
    text = re.sub(r"\\[A-Za-z]+\*?(?:\[[^\]]*\])?", "", text)
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    return re.sub(r"\s+", " ", text).strip()


def _caption_text(caption) -> str:
    _short, long_blocks = caption
    return stringify(long_blocks).strip()


def _label_in(caption) -> str:
    """A `\\label{x}` written inside a Markdown caption."""
    found: list[str] = []

    def visit(node):
        if isinstance(node, list):
            for n in node:
                visit(n)
        elif isinstance(node, dict):
            if node.get("t") == "RawInline":
                m = re.search(r"\\label\{([^}]*)\}", node["c"][1])
                if m:
                    found.append(m.group(1))
            else:
                visit(node.get("c"))

    visit(caption)
    return found[0] if found else ""


def stringify(node) -> str:
    """The plain text of pandoc AST content (raw LaTeX and notes left out)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    t, c = node.get("t"), node.get("c")
    if t == "Str":
        return c
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Code", "Math"):
        return c[1]
    if t == "RawInline":
        return latex_to_text(c[1]) if c[0] in ("tex", "latex") else ""
    if t in ("RawBlock", "Note"):
        return ""
    if t in ("Link", "Image", "Span"):
        return stringify(c[1])
    if t == "Cite":
        return stringify(c[1])
    if t == "Quoted":
        return '"' + stringify(c[1]) + '"'
    if t in ("Plain", "Para"):
        return stringify(c) + " "
    return stringify(c)


# --------------------------------------------------------------------------------------------
# Outputs: captions and reference lists


@dataclass(frozen=True)
class Caption:
    kind: str           # "figure" or "table"
    number: str         # "3.2", "A.1"
    text: str           # the whole line or paragraph


_NUMBER = r"(?P<number>(?:\d+|[A-Z])\.\d+)"
_LEADERS = re.compile(r"(?:\.\s?){5,}")


def _caption_line(labels: Labels) -> re.Pattern:
    words = "|".join(re.escape(w) for w in labels.words)
    # The label, its number, an optional "." or ":", then the caption's first word on the same line:
    # "Tabel 3.2 Spesifikasi ...", "Figure 4.1: Results". A sentence that merely ends with a
    # reference at the start of a line ("Tabel 3.2.") is not a caption.
    return re.compile(rf"^\s*(?P<word>{words})[\s\u00a0]+{_NUMBER}(?![\d.]*\d)[.:]?[\s\u00a0]+\S")


def pdf_pages(path: Path) -> list[str]:
    return list(_extracted(str(path), *_stamp(path), "plain"))


def _stamp(path: Path) -> tuple[int, int]:
    """The file's modification time and size: a rebuilt output is read again."""
    stat = Path(path).stat()
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=32)
def _extracted(path: str, mtime: int, size: int, mode: str) -> tuple[str, ...]:
    """The text of every page (pypdf takes seconds on a long thesis: each output is read once per
    test session while unchanged)."""
    from pypdf import PdfReader

    if mode == "layout":
        return tuple(p.extract_text(extraction_mode="layout") or "" for p in PdfReader(path).pages)
    return tuple(page.extract_text() or "" for page in PdfReader(path).pages)


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))


def is_list_page(text: str) -> bool:
    """A page of Daftar Isi / Daftar Gambar / Daftar Tabel: it has dot leaders."""
    return bool(_LEADERS.search(text))


def captions_in_lines(lines: Iterable[str], labels: Labels) -> list[Caption]:
    """Caption lines, once per label and number, in order of first appearance."""
    pattern = _caption_line(labels)
    seen: dict[tuple[str, str], Caption] = {}
    for line in lines:
        m = pattern.match(line)
        if not m:
            continue
        kind = labels.kind_of(m.group("word"))
        key = (kind, m.group("number"))
        if key not in seen:
            seen[key] = Caption(kind, m.group("number"), re.sub(r"\s+", " ", line).strip())
    return list(seen.values())


def pdf_captions(path: Path, labels: Labels = INDONESIAN) -> list[Caption]:
    lines: list[str] = []
    for page in pdf_pages(path):
        if not is_list_page(page):
            lines += page.splitlines()
    return captions_in_lines(lines, labels)


def pdf_list_entries(path: Path, labels: Labels = INDONESIAN) -> list[Caption]:
    """The entries of the lists of figures and tables (Daftar Gambar, Daftar Tabel), once per label.

    They are made from the figures and tables the PDF really holds, so they count what a prose line
    that starts with a reference ("Gambar 4.1 menunjukkan ...") could hide among the captions.
    """
    lines: list[str] = []
    for page in pdf_pages(path):
        if is_list_page(page):
            lines += page.splitlines()
    return captions_in_lines(lines, labels)


def pdf_reference_entries(path: Path, labels: Labels = INDONESIAN) -> list[str]:
    """The entries of the reference list, each as one line of text."""
    return reference_entries_in_layout(list(_extracted(str(path), *_stamp(path), "layout")), labels)


def _is_page_number(line: str) -> bool:
    return bool(re.fullmatch(r"\s*(?:\d+|[ivxlcdm]+)\s*", line, re.IGNORECASE))


def reference_entries_in_layout(pages: list[str], labels: Labels) -> list[str]:
    """Entries of the reference list from layout text (pypdf's layout mode), one string each.

    The list starts on the page whose first line is the heading alone (a list page names it with
    a leader and a page number, so it never matches) and runs until a page that opens with
    another centred heading.
    """
    headings = {h.casefold() for h in labels.references}
    lines: list[str] = []
    started = False
    for page in pages:
        body = [ln.rstrip() for ln in page.splitlines() if ln.strip() and not _is_page_number(ln)]
        if not body:
            continue
        first = body[0]
        if not started:
            if first.strip().casefold() in headings:
                started = True
                lines += body[1:]
            continue
        if len(first) - len(first.lstrip()) >= 15 and not re.match(r"\s*\[\d+\]", first):
            break     # the next chapter-level heading (LAMPIRAN, Appendix ...), centred
        if first.strip().isupper() and len(first.split()) <= 4 and not re.search(r"[\d.,]", first):
            break     # a divider page alone in capitals (APPENDICES), which layout text does not indent
        lines += body
    if not lines:
        return []
    numbered = re.compile(r"\s*\[\d+\]")
    if numbered.match(lines[0]):
        starts = [i for i, ln in enumerate(lines) if numbered.match(ln)]
    else:
        margin = min(_indent(ln) for ln in lines)
        starts = [i for i, ln in enumerate(lines) if _indent(ln) <= margin + 1]
    entries = []
    for n, i in enumerate(starts):
        j = starts[n + 1] if n + 1 < len(starts) else len(lines)
        entries.append(re.sub(r"\s+", " ", " ".join(lines[i:j])).strip())
    return entries


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


@dataclass(frozen=True)
class Paragraph:
    style: str
    text: str


def docx_paragraphs(path: Path) -> list[Paragraph]:
    """Body paragraphs in order, with all their text (runs, hyperlinks and field results)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    out = []
    for p in document.element.body.iter(qn("w:p")):
        style_el = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style_id = style_el.get(qn("w:val")) if style_el is not None else ""
        style = _style_name(document, style_id)
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        out.append(Paragraph(style, text))
    return out


def _style_name(document, style_id: str) -> str:
    if not style_id:
        return "Normal"
    names = document.__dict__.setdefault("_style_names", {
        getattr(s, "style_id", None): s.name for s in document.styles})
    return names.get(style_id, style_id)


_CAPTION_STYLES = {"image caption": "figure", "table caption": "table", "caption": None}


def docx_captions(path: Path, labels: Labels = INDONESIAN) -> list[Caption]:
    """Paragraphs in a caption style ("Image Caption", "Table Caption", "Caption"), the styles Word's
    lists of figures and tables are made from. A body paragraph that starts with "Gambar 4.1" is a
    reference in prose ("Gambar 4.1 menunjukkan ..."), not a caption."""
    pattern = _caption_line(labels)
    out = []
    for p in docx_paragraphs(path):
        style = p.style.casefold()
        if style not in _CAPTION_STYLES or not p.text.strip():
            continue
        m = pattern.match(p.text)
        kind = _CAPTION_STYLES[style] or (labels.kind_of(m.group("word")) if m else None)
        out.append(Caption(kind or "unknown", m.group("number") if m else "", p.text.strip()))
    return out


def docx_reference_entries(path: Path, labels: Labels = INDONESIAN) -> list[str]:
    """Non-empty paragraphs between the reference-list heading and the next chapter heading."""
    headings = {h.casefold() for h in labels.references}
    entries: list[str] = []
    inside = False
    for p in docx_paragraphs(path):
        text = p.text.strip()
        is_chapter = p.style.casefold() in ("heading 1", "title")
        if not inside:
            if is_chapter and text.casefold() in headings:
                inside = True
            continue
        if is_chapter:
            break
        if text:
            entries.append(text)
    return entries


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx_paragraphs(path))


# --------------------------------------------------------------------------------------------
# Unresolved references and syntax that reached the reader


_LITERALS = ("??", "\\ref", "\\label{", "\\begin{", "\\end{", "\\caption", "\\includegraphics",
             "\\textit{", "\\textbf{", "\\noindent", "\\newpage", "{#fig:", "{#tbl:", "{#eq:", "{#lst:",
             "{#sec:")


def unresolved_markers(text: str, labels: Labels = INDONESIAN, keys: Iterable[str] = ()) -> list[str]:
    """What a reader would see of a reference that did not resolve, each with some context."""
    found: list[str] = []

    def context(i: int, j: int) -> str:
        return re.sub(r"\s+", " ", text[max(0, i - 30):j + 30]).strip()

    for literal in _LITERALS:
        i = text.find(literal)
        while i >= 0:
            found.append(f"{literal!r}: …{context(i, i + len(literal))}…")
            i = text.find(literal, i + 1)
    words = "|".join(re.escape(w) for w in labels.words)
    for m in re.finditer(rf"\b(?:{words})[ \u00a0]+(?=[.,;:)\]?])", text):
        found.append(f"{m.group(0).strip()!r} without a number: …{context(m.start(), m.end())}…")
    for m in re.finditer(r"(?<![\w@])@?(?:fig|tbl|tab|sec|eq|lst)[:\-][\w\-.:]*\w\??", text):
        found.append(f"{m.group(0)!r}: …{context(m.start(), m.end())}…")
    for key in keys:
        for m in re.finditer(re.escape(key) + r"\?", text):
            found.append(f"{m.group(0)!r} (unresolved citation): …{context(m.start(), m.end())}…")
    return found


def numbering_problems(captions: Iterable[Caption]) -> list[str]:
    """Captions numbered per chapter run 1, 2, 3 … within each chapter and kind, without gaps."""
    by_group: dict[tuple[str, str], list[int]] = {}
    for cap in captions:
        if not cap.number:
            continue
        chapter, n = cap.number.split(".")
        by_group.setdefault((cap.kind, chapter), []).append(int(n))
    problems = []
    for (kind, chapter), numbers in sorted(by_group.items()):
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"{kind} numbers in chapter {chapter} are {sorted(numbers)}, "
                            f"not 1..{len(numbers)}")
    return problems


def normalise(text: str) -> str:
    """Whitespace collapsed, line-end hyphenation joined, quotes straightened: for comparing texts."""
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    text = text.replace("\u00a0", " ").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip()


def missing_captions(items: Iterable[Item], output_text: str, prefix_chars: int = 40) -> list[Item]:
    """Source captions whose text (its first `prefix_chars` characters) the output does not show."""
    haystack = normalise(output_text).casefold().replace(" ", "")
    missing = []
    for item in items:
        needle = normalise(item.caption)[:prefix_chars].casefold().replace(" ", "")
        if needle and needle not in haystack:
            missing.append(item)
    return missing


def image_problems(counts: SourceCounts, root: Path) -> list[str]:
    """Images whose path, read from `root` as pandoc reads it, names no file with exactly that case.

    A LaTeX path without an extension (\\includegraphics{images/erd}) matches any file of that stem.
    """
    problems = []
    for source, target in counts.images:
        if re.match(r"^[a-z]+://", target) or target.startswith("fig-"):
            continue    # a URL, or a figure drawn by a script (its id)
        if not _exact_file(root, target):
            shown = Path(source).relative_to(root) if Path(source).is_relative_to(root) else source
            problems.append(f"{shown}: {target}")
    return problems


def _exact_file(root: Path, target: str) -> bool:
    folder = root
    parts = [p for p in target.replace("\\", "/").split("/") if p not in ("", ".")]
    for i, part in enumerate(parts):
        if part == "..":
            folder = folder.parent
            continue
        try:
            names = set(__import__("os").listdir(folder))
        except OSError:
            return False
        last = i == len(parts) - 1
        if part in names:
            folder = folder / part
        elif last and "." not in part and any(n.rsplit(".", 1)[0] == part for n in names):
            return True
        else:
            return False
    return folder.is_file()


def report(project: Path, labels: Labels = INDONESIAN) -> str:
    """Sources against outputs for a built thesis, as a small table (for a person looking into a loss)."""
    import yaml

    config = yaml.safe_load((project / "thesis.yaml").read_text(encoding="utf-8")) or {}
    sources = count_sources(project / p for key in ("chapters", "appendices") for p in (config.get(key) or []))
    pdf, docx = project / "build" / "thesis.pdf", project / "build" / "thesis.docx"
    rows = [("", "sources", "PDF", "DOCX")]
    pdf_caps = pdf_captions(pdf, labels) if pdf.is_file() else []
    docx_caps = docx_captions(docx, labels) if docx.is_file() else []
    for kind, items in (("table", sources.tables), ("figure", sources.figures)):
        rows.append((kind + "s", str(len(items)), str(len([c for c in pdf_caps if c.kind == kind])),
                     str(len([c for c in docx_caps if c.kind == kind]))))
    rows.append(("cited works", str(len(sources.cited_keys)),
                 str(len(pdf_reference_entries(pdf, labels))) if pdf.is_file() else "-",
                 str(len(docx_reference_entries(docx, labels))) if docx.is_file() else "-"))
    keys = sources.cited_keys | {r.target for r in sources.crossrefs}
    rows.append(("unresolved", "",
                 str(len(unresolved_markers(pdf_text(pdf), labels, keys))) if pdf.is_file() else "-",
                 str(len(unresolved_markers(docx_text(docx), labels, keys))) if docx.is_file() else "-"))
    lines = [f"{a:<14}{b:>9}{c:>7}{d:>7}" for a, b, c, d in rows]
    lines += [f"image not found: {p}" for p in image_problems(sources, project)]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(report(Path(args[0] if args else "."), ENGLISH if "--english" in sys.argv else INDONESIAN))
