"""The whole thesis as one staged Markdown text: front matter, chapters, references, appendices.

Pages the template adds are written as raw typst and raw OOXML blocks (pandoc passes each only to
its own writer); front texts are Markdown under unnumbered headings; the start of the body and the
generated lists are marked for the renderers."""

from __future__ import annotations

import re

from ..config import Thesis
from ..escape import markdown_text, typst_str
from ..pages import load_page, thesis_values
from ..sources import Source
from ..yamlfile import read_text

BODY_MARKER = "THESISBUILD-BODY-START"
LIST_MARKER = "THESISBUILD-LIST:"          # + contents | tables | figures
APPENDIX_MARKER = "THESISBUILD-APPENDICES"


def _raw(fmt: str, content: str) -> str:
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", content)), default=0) + 1)
    return f"{fence}{{={fmt}}}\n{content}\n{fence}"


def _marker(text: str) -> str:
    return _raw("openxml", f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p>')


def front_matter(thesis: Thesis) -> list[str]:
    from .docx import docx_page_xml
    from .pdf import typst_page

    values = thesis_values(thesis)
    parts: list[str] = []
    for item in thesis.profile.get("front_matter"):
        if "page" in item:
            page = load_page(thesis.profile, item["page"], values)
            first = not parts
            parts.append(_raw("typst", typst_page(page, thesis)))
            for segment in docx_page_xml(page, thesis, first=first):
                if isinstance(segment, str):
                    parts.append(_raw("openxml", segment))
                else:
                    # The logo, as an image that pandoc embeds in the DOCX (typst has its own).
                    rel = segment.relative_to(thesis.root).as_posix()
                    width = next(b.logo_width_cm for b in page.blocks if b.text is None)
                    parts.append(f'::: {{.docx-only custom-style="Cover Logo"}}\n![]({rel}){{width={width}cm}}\n:::')
        elif "text" in item:
            path = thesis.front / f"{item['text']}.md" if thesis.front else None
            if path is None or not path.is_file():
                continue          # an optional text that is not written is left out
            body = read_text(path, "front-matter text")
            spacing = item.get("line_spacing")
            lang = item.get("lang")
            parts.append(f"# {markdown_text(item['title'])} {{.unnumbered}}")
            if spacing is not None:
                parts.append(_raw("typst", f"#set par(leading: single-pitch * {float(spacing)} - edge)"))
            if lang:
                parts.append(_raw("typst", f"#set text(lang: {typst_str(lang)})"))
            style = "Abstract Text" if spacing is not None else "Body Text"
            parts.append(f'::: {{custom-style="{style}"}}\n{body.strip()}\n:::')
            if lang:
                parts.append(_raw("typst", f"#set text(lang: {typst_str(thesis.lang.split('-')[0])})"))
            if spacing is not None:
                parts.append(_raw("typst", "#set par(leading: pitch - edge)"))
        elif "list" in item:
            parts.append(_raw("typst", _typst_list(item["list"], item["title"])))
            parts.append(_marker(f"{LIST_MARKER}{item['list']}|{item['title']}"))
    return parts


def _typst_list(kind: str, title: str) -> str:
    # Daftar Isi does not list itself, but keeps a PDF bookmark like every other part.
    listed = "outlined: false, bookmarked: true" if kind == "contents" else "outlined: true"
    heading = f"#heading(level: 1, numbering: none, {listed})[#{typst_str(title)}]"
    if kind == "contents":
        return f"{heading}\n#outline(title: none)"
    target = {"tables": "figure.where(kind: table)", "figures": "figure.where(kind: image)"}[kind]
    return (f"#context {{ if query({target}).len() > 0 [\n{heading}\n"
            f"#outline(title: none, target: {target})\n] }}")


def body_start() -> list[str]:
    return [_raw("typst", "#pagebreak(weak: true)\n#thesis-part.update(\"body\")\n#counter(page).update(1)\n"
                          "#set page(numbering: body-numbering)"),
            _marker(BODY_MARKER)]


def back_matter(thesis: Thesis) -> list[str]:
    title = thesis.profile.get("bibliography.title")
    parts = [f"# {markdown_text(title)} {{.unnumbered #daftar-pustaka}}", "::: {#refs}\n:::"]
    if thesis.appendices:
        parts.append(_marker(APPENDIX_MARKER))
        parts.append(f"# {markdown_text(thesis.profile.get('appendices.title'))} {{.unnumbered #lampiran}}")
        for path in thesis.appendices:
            parts.append(demote_headings(Source.read(path)))
    return parts


def demote_headings(source: Source) -> str:
    """An appendix's headings go one level down, under LAMPIRAN, and are not numbered."""
    out, last = [], 0
    for m in re.finditer(r"^(#{1,5})(\s+)(.*?)(\s*)$", source.text, re.M):
        if source.region_at(m.start()) is not None:
            continue
        attrs = " {.unnumbered}" if "{" not in m.group(3) else ""
        out.append(source.text[last:m.start()])
        out.append(f"#{m.group(1)}{m.group(2)}{m.group(3)}{attrs}")
        last = m.end()
    out.append(source.text[last:])
    return "".join(out)


def assemble(thesis: Thesis, chapter_texts: list[str]) -> str:
    parts = [*front_matter(thesis), *body_start(), *(t.rstrip("\n") for t in chapter_texts), *back_matter(thesis)]
    return "\n\n".join(parts) + "\n"


def assemble_draft(thesis: Thesis, chapter_texts: list[str]) -> str:
    """One chapter and the works it cites, for a draft."""
    title = thesis.profile.get("bibliography.title")
    parts = [*(t.rstrip("\n") for t in chapter_texts),
             f"# {markdown_text(title)} {{.unnumbered #daftar-pustaka}}", "::: {#refs}\n:::"]
    return "\n\n".join(parts) + "\n"
