"""The DOCX's page structure, added after pandoc: real sections with page-number formats and
restarts, a different first page for chapter openings, page numbers in headers and footers, and
a table of contents (and lists of tables and figures) with its entries filled in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..config import Thesis
from ..escape import ooxml_text
from ..pages import WORD_PAGE_FORMATS, load_page, thesis_values
from .document import ReadingPages
from .docx_fields import seq_name, shown, text_run as _run

# Paragraphs the DOCX's marks leave for finishing (layout_parts): where a generated list goes, where
# the body starts and where the appendices start.
BODY_MARKER = "THESISBUILD-BODY-START"
LIST_MARKER = "THESISBUILD-LIST:"          # + contents | tables | figures
APPENDIX_MARKER = "THESISBUILD-APPENDICES"


def _marker(text: str) -> str:
    return f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p>'


def openxml_marks(thesis: Thesis):
    """What the DOCX writes for each mark of the staged text (render/assemble.py): a page the
    template adds as paragraphs (the part of it above or below its logo, which is an image of the
    document between the marks), and the marker paragraphs layout_parts finishes."""
    values = thesis_values(thesis)

    def expand(what: dict) -> list[str]:
        if "page" in what:
            page = load_page(thesis.profile, what["page"], values)
            segments = [s for s in docx_page_xml(page, thesis, first=what["first"]) if isinstance(s, str)]
            return segments[what["part"]:what["part"] + 1]
        if "list" in what:
            return [_marker(f"{LIST_MARKER}{what['list']}|{what['title']}")]
        if what.get("body") == "start":
            return [_marker(BODY_MARKER)]
        if what.get("appendices") == "start":
            return [_marker(APPENDIX_MARKER)]
        return []
    return expand


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
REL_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
REL_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
CT_HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
CT_FOOTER = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
# Profile numbering names -> WordprocessingML w:pgNumType/@w:fmt.
_CAPTION_STYLES = {"figures": "ImageCaption", "tables": "TableCaption"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _text(p: etree._Element) -> str:
    """A paragraph's text as it shows, its numbers (docx_fields' marks) included."""
    parts = []
    for el in p.iter(w("t"), w("br"), w("tab")):
        parts.append(el.text or "" if el.tag == w("t") else " ")
    return re.sub(r"\s+", " ", shown("".join(parts))).strip()


def _style(p: etree._Element) -> str:
    st = p.find("w:pPr/w:pStyle", NS)
    return st.get(w("val")) if st is not None else ""


@dataclass
class Entry:
    level: int
    text: str
    anchor: str
    page: str = ""
    kind: str = ""       # "tables" or "figures" for the heading of that list


def _bookmark(body: list, index: int) -> str | None:
    """The bookmark of the paragraph at `index`: inside it, or just before it (pandoc's way)."""
    inner = body[index].find("w:bookmarkStart", NS)
    if inner is not None:
        return inner.get(w("name"))
    j = index - 1
    while j >= 0 and body[j].tag == w("bookmarkStart"):
        name = body[j].get(w("name"))
        if not name.startswith("ref-") and name != "refs":
            return name
        j -= 1
    return None


def _field_run(instr: str) -> list[etree._Element]:
    begin, sep = etree.Element(w("r")), etree.Element(w("r"))
    etree.SubElement(begin, w("fldChar")).set(w("fldCharType"), "begin")
    instr_run = etree.Element(w("r"))
    it = etree.SubElement(instr_run, w("instrText"))
    it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    it.text = f" {instr} "
    etree.SubElement(sep, w("fldChar")).set(w("fldCharType"), "separate")
    return [begin, instr_run, sep]


def _end_run() -> etree._Element:
    r = etree.Element(w("r"))
    etree.SubElement(r, w("fldChar")).set(w("fldCharType"), "end")
    return r


def _list_paragraphs(entries: list[Entry], instr: str, text_width: int) -> list[etree._Element]:
    """A TOC field whose result holds the entries, so it shows before Word updates it."""
    paragraphs = []
    for i, entry in enumerate(entries):
        p = etree.Element(w("p"))
        ppr = etree.SubElement(p, w("pPr"))
        etree.SubElement(ppr, w("pStyle")).set(w("val"), f"TOC{min(entry.level, 9)}")
        tabs = etree.SubElement(ppr, w("tabs"))
        tab = etree.SubElement(tabs, w("tab"))
        tab.set(w("val"), "right"), tab.set(w("leader"), "dot"), tab.set(w("pos"), str(text_width))
        if i == 0:
            p.extend(_field_run(instr))
        link = etree.SubElement(p, w("hyperlink"))
        link.set(w("anchor"), entry.anchor)
        link.set(w("history"), "1")
        link.append(_run(entry.text))
        tab_run = etree.SubElement(link, w("r"))
        etree.SubElement(tab_run, w("tab"))
        link.extend(_field_run(f"PAGEREF {entry.anchor} \\h"))
        link.append(_run(entry.page))
        link.append(_end_run())
        if i == len(entries) - 1:
            p.append(_end_run())
        paragraphs.append(p)
    return paragraphs


def _heading_paragraph(title: str, style: str, anchor: str | None) -> etree._Element:
    p = etree.Element(w("p"))
    etree.SubElement(etree.SubElement(p, w("pPr")), w("pStyle")).set(w("val"), style)
    if anchor:
        bm = etree.SubElement(p, w("bookmarkStart"))
        bm.set(w("id"), str(700000 + len(anchor))), bm.set(w("name"), anchor)
    p.append(_run(title))
    if anchor:
        etree.SubElement(p, w("bookmarkEnd")).set(w("id"), str(700000 + len(anchor)))
    return p


def _sect_pr(template: etree._Element, refs: dict[str, str], fmt: str, start: int | None) -> etree._Element:
    sect = etree.Element(w("sectPr"))
    for kind, attr in (("headerReference", "header"), ("footerReference", "footer")):
        for which in ("default", "first"):
            rid = refs.get(f"{attr}-{which}")
            if rid:
                ref = etree.SubElement(sect, w(kind))
                ref.set(w("type"), which)
                ref.set(f"{{{R}}}id", rid)
    for tag in ("pgSz", "pgMar"):
        el = template.find(f"w:{tag}", NS)
        if el is not None:
            sect.append(etree.fromstring(etree.tostring(el)))
    num = etree.SubElement(sect, w("pgNumType"))
    num.set(w("fmt"), fmt)
    if start is not None:
        num.set(w("start"), str(start))
    etree.SubElement(sect, w("titlePg"))
    return sect


def _page_number_part(root_tag: str, align: str | None) -> bytes:
    xml = f'<w:{root_tag} xmlns:w="{W}"><w:p><w:pPr><w:pStyle w:val="Normal"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
    if align:
        xml += (f'<w:jc w:val="{align}"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
                f'<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
                f'</w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:{root_tag}>')
    else:
        xml += f'</w:pPr></w:p></w:{root_tag}>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml).encode("utf-8")


_POSITION = {"bottom-center": ("footer", "center"), "bottom-right": ("footer", "right"),
             "top-right": ("header", "right"), "top-center": ("header", "center"), "none": (None, None)}


def _text_width(profile, right_margin_cm: float) -> int:
    """The text block's width in twips, with this right margin (the reading page setup's is wider)."""
    return round((float(profile.page.width_cm) - float(profile.page.margin_cm.left) - right_margin_cm) / 2.54 * 1440)


def layout_parts(thesis: Thesis, parts: dict[str, bytes], pages_json: Path | None) -> dict[str, bytes]:
    """Rewrite document.xml, settings.xml, rels and content types; add header and footer parts."""
    profile = thesis.profile
    doc = etree.fromstring(parts["word/document.xml"])
    body_el = doc.find("w:body", NS)
    final_sect = body_el.find("w:sectPr", NS)

    # Header and footer parts, one per position, and the references each kind of section uses.
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    ctypes = etree.fromstring(parts["[Content_Types].xml"])
    rel_ns = rels.nsmap[None]
    ct_ns = ctypes.nsmap[None]
    made: dict[tuple, str] = {}

    def part_for(kind: str, align: str | None) -> str:
        key = (kind, align)
        if key not in made:
            name = f"{kind}{len(made) + 1}.xml"
            parts[f"word/{name}"] = _page_number_part("hdr" if kind == "header" else "ftr", align)
            rid = f"rIdThesis{len(made) + 1}"
            rel = etree.SubElement(rels, f"{{{rel_ns}}}Relationship")
            rel.set("Id", rid), rel.set("Type", REL_HEADER if kind == "header" else REL_FOOTER)
            rel.set("Target", name)
            ov = etree.SubElement(ctypes, f"{{{ct_ns}}}Override")
            ov.set("PartName", f"/word/{name}"), ov.set("ContentType", CT_HEADER if kind == "header" else CT_FOOTER)
            made[key] = rid
        return made[key]

    def refs_for(first_position: str, default_position: str) -> dict[str, str]:
        out = {}
        for which, position in (("first", first_position), ("default", default_position)):
            kind, align = _POSITION.get(position, (None, None))
            out[f"header-{which}"] = part_for("header", align if kind == "header" else None)
            out[f"footer-{which}"] = part_for("footer", align if kind == "footer" else None)
        return out

    front_refs = refs_for("none", profile.page_numbers.front_position)
    body_refs = refs_for(profile.page_numbers.chapter_opening, profile.page_numbers.other_pages)
    front_fmt = WORD_PAGE_FORMATS[profile.page_numbers.front_numbering]
    body_fmt = WORD_PAGE_FORMATS[profile.page_numbers.body_numbering]

    # Headings and captions, in order, with the page numbers the PDF gave them.
    children = list(body_el)
    headings: list[Entry] = []
    captions: dict[str, list[Entry]] = {"figures": [], "tables": []}
    for i, el in enumerate(children):
        if el.tag != w("p"):
            continue
        style = _style(el)
        m = re.fullmatch(r"Heading(\d)", style)
        text = _text(el)
        if text.startswith(LIST_MARKER) and not text.startswith(f"{LIST_MARKER}contents|"):
            # The list of tables or figures: a chapter-level heading of its own (when the list is
            # not empty), listed in the table of contents like every other.
            kind, _, title = text[len(LIST_MARKER):].partition("|")
            headings.append(Entry(1, title, f"thesisbuild-list-{kind}", kind=kind))
        elif m:
            anchor = _bookmark(children, i) or ""
            headings.append(Entry(int(m.group(1)), _text(el), anchor))
        for kind, cap_style in _CAPTION_STYLES.items():
            if style == cap_style:
                anchor = f"thesisbuild-{kind}-{len(captions[kind]) + 1}"
                bm = etree.Element(w("bookmarkStart"))
                bm.set(w("id"), str(600000 + len(captions["figures"]) * 2 + len(captions["tables"]) * 2 + (kind == "tables")))
                bm.set(w("name"), anchor)
                el.insert(1 if el.find("w:pPr", NS) is not None else 0, bm)
                end = etree.SubElement(el, w("bookmarkEnd"))
                end.set(w("id"), bm.get(w("id")))
                captions[kind].append(Entry(1, _text(el), anchor))
    headings = [h for h in headings if not h.kind or captions.get(h.kind)]
    if pages_json is not None and pages_json.is_file():
        data = json.loads(pages_json.read_text(encoding="utf-8"))
        pdf_headings = data.get("headings", [])
        if len(pdf_headings) == len(headings):
            for entry, item in zip(headings, pdf_headings):
                entry.page = str(item.get("page", ""))
        for kind, repr_kind in (("figures", "image"), ("tables", "table")):
            pdf_caps = [c for c in data.get("captions", []) if repr_kind in str(c.get("kind", ""))]
            if len(pdf_caps) == len(captions[kind]):
                for entry, item in zip(captions[kind], pdf_caps):
                    entry.page = str(item.get("page", ""))

    text_width = _text_width(profile, float(profile.page.margin_cm.right))

    # Replace the markers: lists, the start of the body, the appendices.
    body_start = None
    for el in list(body_el):
        if el.tag != w("p"):
            continue
        text = _text(el)
        if text.startswith(LIST_MARKER):
            kind, _, title = text[len(LIST_MARKER):].partition("|")
            new: list[etree._Element] = []
            if kind == "contents":
                depth = profile.headings.section.max_level      # as deep as the PDF's
                entries = [e for e in headings if e.level <= depth]
                new = [_heading_paragraph(title, "TOCHeading", None),
                       *_list_paragraphs(entries, f'TOC \\o "1-{depth}" \\h \\z \\u', text_width)]
            elif captions.get(kind):
                # The captions' SEQ identifier, as Word's Insert Table of Figures writes it: a caption
                # added with Insert Caption (style "Caption") is listed too when the field is updated.
                label = profile.captions.figure_label if kind == "figures" else profile.captions.table_label
                new = [_heading_paragraph(title, "Heading1", f"thesisbuild-list-{kind}"),
                       *_list_paragraphs(captions[kind], f'TOC \\h \\z \\c "{seq_name(label)}"', text_width)]
            for n in new:
                el.addprevious(n)
            body_el.remove(el)
        elif text == BODY_MARKER:
            body_start = el
        elif text == APPENDIX_MARKER:
            body_el.remove(el)

    # Sections: the front matter, then one per chapter-level heading of the body (the first
    # chapter's heading opens the first body section, right after the marker).
    children = list(body_el)
    if body_start is not None:
        start_index = children.index(body_start)
        chapter_heads = [i for i, el in enumerate(children) if i > start_index
                         and el.tag == w("p") and _style(el) == "Heading1"]
        boundaries = [start_index] + chapter_heads[1:]
        section_props = [_sect_pr(final_sect, front_refs, front_fmt, 1)]
        for n in range(len(boundaries)):
            section_props.append(_sect_pr(final_sect, body_refs, body_fmt, 1 if n == 0 else None))
        # A section's properties go in an empty paragraph of their own that ends the section,
        # before the bookmarks of the next section's heading (never inside a field).
        for boundary, props in zip(boundaries, section_props[:-1]):
            j = boundary
            while j - 1 >= 0 and children[j - 1].tag in (w("bookmarkStart"), w("bookmarkEnd")):
                j -= 1
            holder = etree.Element(w("p"))
            ppr = etree.SubElement(holder, w("pPr"))
            etree.SubElement(ppr, w("spacing")).set(w("line"), "20")  # as low as Word allows
            ppr.append(props)
            children[j].addprevious(holder)
        body_el.remove(body_start)
        body_el.replace(final_sect, section_props[-1])

    parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
    parts["[Content_Types].xml"] = etree.tostring(ctypes, xml_declaration=True, encoding="UTF-8", standalone=True)

    return parts


# The children of w:settings that come after w:updateFields, in the schema's order (ECMA-376 Part 1,
# CT_Settings): w:updateFields and w:compat go before the first of these present.
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator")
_AFTER_COMPAT = _AFTER_UPDATE_FIELDS[_AFTER_UPDATE_FIELDS.index("compat") + 1:]


def settings_xml(original: bytes, update_fields: bool = True) -> bytes:
    """Word opens the file in Word 2013+ mode (compatibilityMode 15), not Compatibility Mode, and
    (for a thesis with tables of contents) refreshes its fields when it opens it; each element at
    its place in the schema's order, which Word checks."""
    settings = etree.fromstring(original)

    def place(element, before: tuple[str, ...]) -> None:
        for child in settings:
            if isinstance(child.tag, str) and etree.QName(child).localname in before:
                child.addprevious(element)
                return
        settings.append(element)

    for old in settings.findall("w:updateFields", NS):
        settings.remove(old)
    if update_fields:
        update = etree.Element(w("updateFields"))
        update.set(w("val"), "true")
        place(update, _AFTER_UPDATE_FIELDS)
    compat = settings.find("w:compat", NS)
    if compat is None:
        compat = etree.Element(w("compat"))
        place(compat, _AFTER_COMPAT)
    for old in compat.findall("w:compatSetting", NS):
        if old.get(w("name")) == "compatibilityMode":
            compat.remove(old)
    mode = etree.SubElement(compat, w("compatSetting"))
    for key, value in (("name", "compatibilityMode"), ("uri", "http://schemas.microsoft.com/office/word"),
                       ("val", "15")):
        mode.set(w(key), value)
    return etree.tostring(settings, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- the reading page setup

def reading_parts(thesis: Thesis, parts: dict[str, bytes], pages: ReadingPages) -> dict[str, bytes]:
    """A chapter read on its own: line numbers when asked, the wider right margin, and a header
    with the given text and the page number."""
    doc = etree.fromstring(parts["word/document.xml"])
    sect = doc.find(f"{{{W}}}body/{{{W}}}sectPr")
    for old in sect.findall(f"{{{W}}}headerReference") + sect.findall(f"{{{W}}}footerReference"):
        sect.remove(old)
    ref = etree.Element(f"{{{W}}}headerReference")
    ref.set(f"{{{W}}}type", "default")
    ref.set(f"{{{R}}}id", "rIdDraftHeader")
    sect.insert(0, ref)
    margin = sect.find(f"{{{W}}}pgMar")
    margin.set(f"{{{W}}}right", str(round(float(pages.right_margin_cm) / 2.54 * 1440)))
    if pages.line_numbers:
        numbers = etree.Element(f"{{{W}}}lnNumType")
        numbers.set(f"{{{W}}}countBy", "1")
        numbers.set(f"{{{W}}}restart", "continuous")       # as the PDF draft numbers its lines
        margin.addnext(numbers)
    parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    # The page number at the right edge of the text block (inside its wider right margin).
    text_width = _text_width(thesis.profile, float(pages.right_margin_cm))
    parts["word/header-draft.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:hdr xmlns:w="{W}"><w:p><w:pPr><w:tabs><w:tab w:val="right" w:pos="{text_width}"/></w:tabs>'
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr>'
        f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{ooxml_text(pages.header)}</w:t></w:r>'
        '<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '</w:p></w:hdr>').encode("utf-8")
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdDraftHeader" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/header" Target="header-draft.xml"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    types = types.replace("</Types>", '<Override PartName="/word/header-draft.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>')
    parts["[Content_Types].xml"] = types.encode("utf-8")
    return parts


_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"


def image_descriptions(xml: bytes) -> bytes:
    """A picture's description is its figure's text (pandoc writes its file's path, build/figures/
    x.png, into the picture's own description: what a screen reader would say)."""
    if b"pic:cNvPr" not in xml:
        return xml
    root = etree.fromstring(xml)
    for frame in root.iter(f"{{{_WP}}}inline", f"{{{_WP}}}anchor"):
        shown = frame.find(f"{{{_WP}}}docPr")
        for picture in frame.iter(f"{{{_PIC}}}cNvPr"):
            picture.set("descr", shown.get("descr", "") if shown is not None else "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# Revisions, comments and bookmarks share one space of ids, each unique in the document (pandoc
# numbers insertions and deletions each from 1, which Word may answer with "unreadable content").
_ANNOTATIONS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
                "trPrChange", "tcPrChange", "numberingChange", "cellIns", "cellDel", "cellMerge")


def unique_revision_ids(xml: bytes) -> bytes:
    if b"<w:ins " not in xml and b"<w:del " not in xml and b"Change " not in xml:
        return xml
    root = etree.fromstring(xml)
    taken = {int(v) for v in root.xpath("//w:bookmarkStart/@w:id | //w:commentRangeStart/@w:id", namespaces=NS)
             if v.isdigit()}
    next_id = max(taken, default=0) + 1
    for element in root.iter(*(w(tag) for tag in _ANNOTATIONS)):
        if element.get(w("id")) is not None:
            element.set(w("id"), str(next_id))
            next_id += 1
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- the pages the template adds

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
