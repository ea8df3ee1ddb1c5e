"""The pages the template adds (cover, approval, …) in each output's markup.

The staged document carries every front page twice, as raw typst and as raw OOXML (pandoc passes
each only to its own writer), so both markups are written here, below the document and the renderers."""

from __future__ import annotations

from ..config import Thesis
from ..escape import ooxml_text, typst_str


def typst_page(page, thesis: Thesis) -> str:
    """A page the template adds, as typst: every text is a string literal."""
    lines = ["#pagebreak(weak: true)"]
    if page.heading:
        lines.append(f"#heading(level: 1, numbering: none)[#{typst_str(page.heading)}]")
    for block in page.blocks:
        common = f"above: {block.space_before_pt}pt"
        if block.text is None:
            logo = typst_str("/" + thesis.logo.relative_to(thesis.root).as_posix()) if thesis.logo else "none"
            lines.append(f"#block(above: {block.space_before_pt}pt, width: 100%, align(center, "
                         f"logo-slot({block.logo_width_cm}cm, {logo})))")
        else:
            lines.append(f"#page-line({typst_str(block.text)}, size: {block.size_pt}pt, "
                         f"bold: {'true' if block.bold else 'false'}, to: {typst_str(block.align)}, {common})")
    return "\n".join(lines)


_JC = {"center": "center", "left": "left", "right": "right", "justify": "both"}


def docx_page_xml(page, thesis: Thesis, first: bool) -> list:
    """A page the template adds, as WordprocessingML paragraphs (every text escaped); where the
    logo goes, the logo's path (pandoc embeds the image) or a visible slot when there is none."""
    out: list = []
    current = []
    for i, (kind, payload) in enumerate(page_paragraphs(page)):
        brk = "<w:pageBreakBefore/>" if i == 0 and not first and kind != "heading" else ""
        if kind == "heading":
            bookmark = f"thesisbuild-{page.name}"
            current.append(f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
                           f'<w:bookmarkStart w:id="{_bookmark_id(bookmark)}" w:name="{bookmark}"/>'
                           f'<w:r><w:t xml:space="preserve">{ooxml_text(payload)}</w:t></w:r>'
                           f'<w:bookmarkEnd w:id="{_bookmark_id(bookmark)}"/></w:p>')
            continue
        b = payload
        spacing = f'<w:spacing w:before="{round(b.space_before_pt * 20)}" w:after="0" w:line="240" w:lineRule="auto"/>'
        ppr = f'<w:pPr><w:pStyle w:val="PageText"/>{brk}{spacing}<w:ind w:left="0" w:firstLine="0"/>' \
              f'<w:jc w:val="{_JC.get(b.align, "center")}"/></w:pPr>'
        if b.text is None and thesis.logo is not None:
            current.append(f"<w:p>{ppr}</w:p>")      # the space above the logo
            out.append("".join(current))
            out.append(thesis.logo)
            current = []
            continue
        if b.text is None:
            # No logo yet: a dashed square slot of the logo's size, as in the PDF, so that the cover
            # keeps its height (a line of text in its place moved everything below up by 3 cm).
            side = round(b.logo_width_cm / 2.54 * 1440)
            width = (float(thesis.profile.page.width_cm) - float(thesis.profile.page.margin_cm.left)
                     - float(thesis.profile.page.margin_cm.right)) / 2.54 * 1440
            inset = max(0, round((width - side) / 2))
            edge = '<w:{0} w:val="dashed" w:sz="4" w:space="0" w:color="808080"/>'
            ppr = (f'<w:pPr><w:pStyle w:val="PageText"/>{brk}<w:pBdr>'
                   + "".join(edge.format(side_name) for side_name in ("top", "left", "bottom", "right"))
                   + f'</w:pBdr><w:spacing w:before="{round(b.space_before_pt * 20)}" w:after="0" w:line="{side}" '
                   f'w:lineRule="exact"/><w:ind w:left="{inset}" w:right="{inset}" w:firstLine="0"/>'
                   f'<w:jc w:val="center"/><w:textAlignment w:val="center"/></w:pPr>')
            text, rpr = f"[{thesis.profile.words.logo_placeholder}]", '<w:rPr><w:color w:val="808080"/></w:rPr>'
        else:
            text = b.text
            rpr = f'<w:rPr>{"<w:b/><w:bCs/>" if b.bold else ""}<w:sz w:val="{round(b.size_pt * 2)}"/>' \
                  f'<w:szCs w:val="{round(b.size_pt * 2)}"/></w:rPr>'
        current.append(f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{ooxml_text(text)}</w:t></w:r></w:p>')
    if current:
        out.append("".join(current))
    return out


def page_paragraphs(page) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    if page.heading:
        items.append(("heading", page.heading))
    items.extend(("block", b) for b in page.blocks)
    return items


def _bookmark_id(name: str) -> int:
    """A stable bookmark id from the name (pandoc's own ids are small numbers)."""
    import zlib

    return 100000 + zlib.crc32(name.encode("utf-8")) % 800000
