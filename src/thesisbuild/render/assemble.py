"""The whole thesis as one staged Markdown text: front matter, chapters, references, appendices.

The staged text is format-neutral. What the template adds that is no Markdown (a page of its own,
a generated list, the start of the body and its page numbers, a front text's line spacing and
language, the appendices' numbering) is a mark: a raw block of the format "thesisbuild" holding
what it stands for as JSON ({"page": "cover", "first": true}), which pandoc keeps in the neutral
document and each renderer writes in its own markup (render/parts.py: expand_marks; the typst in
render/pdf.py, the OOXML in render/docx_layout.py). Front texts are Markdown under unnumbered
headings."""

from __future__ import annotations

import json
import re

from ..config import Thesis
from ..errors import UserError
from ..escape import markdown_text
from ..i18n import N_, tr
from ..pages import load_page, thesis_values
from ..sources import Source
from ..yamlfile import read_text

MARK_FORMAT = "thesisbuild"


def mark(**what) -> str:
    """A raw block of the neutral document standing for what a renderer writes in its place."""
    content = json.dumps(what, ensure_ascii=False, sort_keys=True)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", content)), default=0) + 1)
    return f"{fence}{{={MARK_FORMAT}}}\n{content}\n{fence}"


def front_matter(thesis: Thesis) -> list[str]:
    values = thesis_values(thesis)
    parts: list[str] = []
    for item in thesis.profile.front_matter:
        if "page" in item:
            page = load_page(thesis.profile, item["page"], values)
            first = not parts
            logos = [b for b in page.blocks if b.text is None] if thesis.logo is not None else []
            parts.append(mark(page=item["page"], first=first, part=0))
            for n, _ in enumerate(logos, 1):
                # The logo, as an image that pandoc embeds in the DOCX (typst draws it in its page),
                # between the page's paragraphs above it and those below it.
                rel = thesis.logo.relative_to(thesis.root).as_posix()
                parts.append(f'::: {{.docx-only custom-style="Cover Logo"}}\n![]({rel}){{width={logos[0].logo_width_cm}cm}}\n:::')
                parts.append(mark(page=item["page"], first=first, part=n))
        elif "text" in item:
            path = thesis.front_texts.get(str(item["text"]))
            if path is None:
                path = thesis.front / f"{item['text']}.md" if thesis.front else None
            if path is None or not path.is_file():
                continue          # an optional text that is not written is left out
            body = front_body(read_text(path, N_("front-matter text")))
            spacing = item.get("line_spacing")
            lang = item.get("lang")
            parts.append(f"# {markdown_text(item['title'])} {{.unnumbered}}")
            if spacing is not None:
                parts.append(mark(line_spacing=float(spacing)))
            if lang:
                parts.append(mark(lang=str(lang)))
            style = "Abstract Text" if spacing is not None else "Body Text"
            parts.append(f'::: {{custom-style="{style}"}}\n{body.strip()}\n:::')
            if lang:
                parts.append(mark(lang=thesis.lang.split("-")[0]))
            if spacing is not None:
                parts.append(mark(line_spacing=None))        # the body's spacing again
        elif "list" in item:
            parts.append(mark(list=item["list"], title=str(item["title"])))
    return parts


def front_body(text: str) -> str:
    """A front-matter text without YAML front matter and without a first heading of its own: the
    template writes the title ("ABSTRAK", "Acknowledgements") in its style."""
    text = re.sub(r"\A\ufeff?---\n.*?\n(?:---|\.\.\.)\n", "", text, count=1, flags=re.S)
    text = re.sub(r"\A\s*#\s+[^\n]*\n", "", text, count=1)
    # Page layout is the template's: a line of only \newpage, \pagenumbering{roman} and the like goes.
    return _LAYOUT_LINE.sub("", text)


_LAYOUT_LINE = re.compile(r"^[ \t]*(?:\\(?:newpage|clearpage|cleardoublepage|pagebreak|pagenumbering|setcounter|"
                          r"thispagestyle|pagestyle|vspace\*?|vfill|singlespacing|onehalfspacing|doublespacing)"
                          r"(?:\{[^{}\n]*\})*[ \t]*)+$\n?", re.M)


def body_start() -> list[str]:
    return [mark(body="start")]


def back_matter(thesis: Thesis) -> list[str]:
    title = thesis.profile.bibliography.title
    parts = [f"# {markdown_text(title)} {{.unnumbered #daftar-pustaka}}", "::: {#refs}\n:::"]
    if thesis.appendices:
        parts.append(mark(appendices="start"))
        parts.append(f"# {markdown_text(thesis.profile.appendices.title)} {{.unnumbered #lampiran}}")
        # From here on headings are the appendices' own: "Lampiran A", A.1, A.1.1.
        parts.append(mark(appendices="numbering"))
        numbered = bool(thesis.profile.appendices.number_sections)
        for path in thesis.appendices:
            parts.append(appendix_text(Source.read(path), numbered))
    return parts


_HEADING = re.compile(r"^(#{1,6})(\s+)(.*?)(\s*)$", re.M)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def appendix_text(source: Source, numbered: bool = True) -> str:
    """An appendix: its first heading, whatever its level, is its title, a chapter-level heading
    of class "appendix" ("Lampiran A" over the title); the headings under it keep their relative
    levels below it (A.1, A.1.1), unnumbered when the profile says so."""
    headings = [m for m in _HEADING.finditer(source.text) if source.region_at(m.start()) is None]
    before = _COMMENT.sub("", source.text[:headings[0].start()] if headings else source.text)
    if not headings or before.strip():
        line = source.position(len(source.text) - len(source.text.lstrip()))[0] if source.text.strip() else 1
        raise UserError(tr("an appendix begins with its title as a heading ('# Kuesioner Penelitian'); add one "
                           "above the text."), source.path, line)
    top = len(headings[0].group(1))
    out, last = [], 0
    for i, m in enumerate(headings):
        level = 1 if i == 0 else max(2, len(m.group(1)) - top + 1)
        title, attrs = _split_attributes(m.group(3))
        classes = [".appendix"] if i == 0 else ([] if numbered else [".unnumbered"])
        if classes:
            attrs = "{" + " ".join(classes + ([attrs[1:-1].strip()] if attrs else [])) + "}"
        out.append(source.text[last:m.start()])
        out.append(f"{'#' * level}{m.group(2)}{title}{' ' + attrs if attrs else ''}")
        last = m.end()
    out.append(source.text[last:])
    return "".join(out)


def _split_attributes(text: str) -> tuple[str, str]:
    """"Title {#id .class}" -> ("Title", "{#id .class}")."""
    m = re.match(r"^(.*?)\s*(\{[^{}]*\})$", text)
    return (m.group(1), m.group(2)) if m else (text, "")


def assemble(thesis: Thesis, chapter_texts: list[str]) -> str:
    return "\n\n".join(assemble_parts(thesis, chapter_texts)) + "\n"


def assemble_parts(thesis: Thesis, chapter_texts: list[str]) -> list[str]:
    """The staged text in the parts that are converted one by one: the front matter with the start
    of the body, each chapter, and the back matter with the appendices."""
    return ["\n\n".join([*front_matter(thesis), *body_start()]), *(t.rstrip("\n") for t in chapter_texts),
            "\n\n".join(back_matter(thesis))]


def assemble_chapter(thesis: Thesis, chapter_texts: list[str]) -> str:
    """One chapter and the works it cites, to be read on its own (a draft)."""
    title = thesis.profile.bibliography.title
    parts = [*(t.rstrip("\n") for t in chapter_texts),
             f"# {markdown_text(title)} {{.unnumbered #daftar-pustaka}}", "::: {#refs}\n:::"]
    return "\n\n".join(parts) + "\n"
