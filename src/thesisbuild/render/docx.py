"""DOCX through pandoc, with a reference document generated from the template profile."""

from __future__ import annotations

import hashlib
import io
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from lxml import etree

from .. import __version__
from ..config import Profile, Thesis
from ..escape import ooxml_text
from ..fsutil import write_atomic
from ..pages import format_number
from ..pandoc import pandoc_bytes, pandoc_path, run_pandoc
from .document import PreparedDocument, ReadingPages
from .docx_fields import NUM_FORMATS, live_numbers, shown
from .docx_layout import (image_descriptions, layout_parts, openxml_marks, reading_parts, settings_xml,
                          unique_revision_ids)
from .parts import image_stamps, joined_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
FILTER = Path(__file__).resolve().parent.parent / "filters" / "docx.lua"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def twips(cm: float) -> int:
    return round(float(cm) / 2.54 * 1440)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _child(parent: etree._Element, tag: str, first: bool = False) -> etree._Element:
    """The w:tag child of parent, created if missing."""
    found = parent.find(f"w:{tag}", NS)
    if found is None:
        found = etree.Element(_w(tag))
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _set(el: etree._Element, **attrs: object) -> etree._Element:
    for key, value in attrs.items():
        el.set(_w(key), str(value))
    return el


def _replace(parent: etree._Element, tag: str, **attrs: object) -> etree._Element:
    for old in parent.findall(f"w:{tag}", NS):
        parent.remove(old)
    el = etree.SubElement(parent, _w(tag))
    return _set(el, **attrs)


# Order of children inside w:pPr and w:rPr that Word validates.
_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange"]
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _sort_children(el: etree._Element, order: list[str]) -> None:
    rank = {f"{{{W}}}{name}": i for i, name in enumerate(order)}
    children = sorted(el, key=lambda c: rank.get(c.tag, len(order)))
    for c in children:
        el.remove(c)
    el.extend(children)


def _style(styles: etree._Element, style_id: str, name: str | None = None,
           based_on: str | None = "Normal") -> etree._Element:
    style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
    if style is None:
        style = etree.SubElement(styles, _w("style"))
        _set(style, type="paragraph", customStyle=1, styleId=style_id)
        _set(etree.SubElement(style, _w("name")), val=name or style_id)
        if based_on:
            _set(etree.SubElement(style, _w("basedOn")), val=based_on)
        etree.SubElement(style, _w("qFormat"))
    return style


def _paragraph(style: etree._Element, *, line: int | None = None, before: int | None = None,
               after: int | None = None, jc: str | None = None, first_line: int | None = None,
               left: int | None = None, hanging: int | None = None) -> etree._Element:
    ppr = _child(style, "pPr")
    if line is not None or before is not None or after is not None:
        spacing = _replace(ppr, "spacing")
        if before is not None:
            _set(spacing, before=before)
        if after is not None:
            _set(spacing, after=after)
        if line is not None:
            _set(spacing, line=line, lineRule="auto")
    if first_line is not None or left is not None or hanging is not None:
        ind = _replace(ppr, "ind")
        _set(ind, left=left or 0, right=0)
        if hanging is not None:
            _set(ind, hanging=hanging)
        else:
            _set(ind, firstLine=first_line or 0)
    if jc is not None:
        _replace(ppr, "jc", val=jc)
    return ppr


def _run(style: etree._Element, font: str, half_points: int, bold: bool | None = None,
         caps: bool | None = None) -> None:
    rpr = _child(style, "rPr")
    _replace(rpr, "rFonts", ascii=font, hAnsi=font, cs=font, eastAsia=font)
    for tag in ("color", "sz", "szCs", "b", "bCs", "i", "iCs", "caps"):
        for old in rpr.findall(f"w:{tag}", NS):
            rpr.remove(old)
    _set(etree.SubElement(rpr, _w("color")), val="000000")
    _set(etree.SubElement(rpr, _w("sz")), val=half_points)
    _set(etree.SubElement(rpr, _w("szCs")), val=half_points)
    if bold:
        etree.SubElement(rpr, _w("b"))
        etree.SubElement(rpr, _w("bCs"))
    if caps:
        etree.SubElement(rpr, _w("caps"))
    _sort_children(rpr, _RPR_ORDER)


def styles_xml(original: bytes, profile: Profile, lang: str) -> bytes:
    root = etree.fromstring(original)
    font = profile.font.family
    half_points = round(float(profile.font.size_pt) * 2)
    body_line = round(240 * float(profile.body.line_spacing))
    indent = twips(profile.body.first_line_indent_cm)
    jc = "both" if profile.body.align == "justify" else "left"

    def blank_lines(count: float, spacing: float = float(profile.body.line_spacing)) -> int:
        """Twips of `count` empty lines as the PDF sets them: a line of Times New Roman is 1.15 em
        (font.single_line_em) times the line spacing, not 12 pt times it."""
        return round(float(count) * float(profile.font.size_pt) * float(profile.font.single_line_em)
                     * float(spacing) * 20)

    defaults = root.find("w:docDefaults", NS)
    rpr = defaults.find("w:rPrDefault/w:rPr", NS)
    _replace(rpr, "rFonts", ascii=font, hAnsi=font, cs=font, eastAsia=font)
    for tag, val in (("sz", half_points), ("szCs", half_points)):
        _replace(rpr, tag, val=val)
    _replace(rpr, "lang", val=lang, eastAsia=lang, bidi="ar-SA")
    _sort_children(rpr, _RPR_ORDER)
    ppr_default = _child(_child(defaults, "pPrDefault"), "pPr")
    _replace(ppr_default, "spacing", before=0, after=0, line=body_line, lineRule="auto")

    normal = _style(root, "Normal")
    _paragraph(normal, line=body_line, before=0, after=0, jc=jc)
    _run(normal, font, half_points)
    for body_style in ("BodyText", "FirstParagraph"):
        st = _style(root, body_style)
        _paragraph(st, line=body_line, before=0, after=0, jc=jc,
                   first_line=indent if (body_style == "BodyText" or profile.body.indent_after_heading) else 0)
    compact = _style(root, "Compact")       # tight lists (and table cells, set single in finish_docx)
    _paragraph(compact, line=body_line, before=0, after=0)
    quote = _style(root, "BlockText", "Block Text")
    _paragraph(quote, line=round(240 * float(profile.block_quotes.line_spacing)), before=0,
               after=body_line - 240, jc=jc, left=twips(profile.block_quotes.indent_cm), first_line=0)

    chapter = profile.headings.chapter
    section = profile.headings.section
    for level in range(1, 10):
        st = root.find(f"w:style[@w:styleId='Heading{level}']", NS)
        if st is None:
            continue
        is_chapter = level == 1
        ppr = _paragraph(st, line=body_line, before=0,
                         after=blank_lines(chapter.space_after_lines) if is_chapter else 0,
                         jc="center" if is_chapter and chapter.align in ("center", "centre") else "left",
                         left=0, first_line=0)
        # A chapter's title is written in capitals by the filter when the profile says so; the
        # titles the template adds (lists, references, front texts) print as the profile writes them.
        _run(st, font, half_points, bold=chapter.bold if is_chapter else section.bold)
        for tag in ("keepNext", "keepLines", "pageBreakBefore", "numPr", "outlineLvl"):
            for old in ppr.findall(f"w:{tag}", NS):
                ppr.remove(old)
        etree.SubElement(ppr, _w("keepNext"))
        etree.SubElement(ppr, _w("keepLines"))
        if is_chapter:
            etree.SubElement(ppr, _w("pageBreakBefore"))
        _set(etree.SubElement(ppr, _w("outlineLvl")), val=level - 1)
        _sort_children(ppr, _PPR_ORDER)

    single = 240
    logo = _style(root, "CoverLogo", "Cover Logo")
    _paragraph(logo, line=single, before=0, after=0, jc="center", left=0, first_line=0)
    page_text = _style(root, "PageText", "Page Text")
    _paragraph(page_text, line=single, before=0, after=0, jc="center", left=0, first_line=0)
    abstract = _style(root, "AbstractText", "Abstract Text")
    _paragraph(abstract, line=single, before=0, after=single, jc=jc, first_line=indent)
    for level in range(1, profile.headings.section.max_level + 1):
        # Regular, as in the PDF's Daftar Isi.
        toc = _style(root, f"TOC{level}", f"toc {level}")
        # One entry a body line apart, as the PDF's Daftar Isi.
        _paragraph(toc, line=body_line, before=0, after=0, jc="left", left=567 * (level - 1), first_line=0)
        _run(toc, font, half_points, bold=False)
    toc_heading = _style(root, "TOCHeading", "TOC Heading")
    ppr = _paragraph(toc_heading, line=body_line, before=0, after=blank_lines(chapter.space_after_lines),
                     jc="center", left=0, first_line=0)
    for old in ppr.findall("w:outlineLvl", NS) + ppr.findall("w:pageBreakBefore", NS):
        ppr.remove(old)
    etree.SubElement(ppr, _w("pageBreakBefore"))
    # Body text's outline level: Daftar Isi does not list itself when Word refreshes it (the style
    # is based on Heading 1, whose level it would take).
    _set(etree.SubElement(ppr, _w("outlineLvl")), val=9)
    _run(toc_heading, font, half_points, bold=True)
    caption_line = round(240 * float(profile.captions.line_spacing))
    for cap_id in ("Caption", "ImageCaption", "TableCaption"):
        cap = _style(root, cap_id)
        _paragraph(cap, line=caption_line, before=0, after=body_line - 240,
                   jc="center" if profile.captions.align in ("center", "centre") else "left",
                   left=0, first_line=0)
        _run(cap, font, half_points)

    _table_style(root)
    _code_style(root, float(profile.font.size_pt))
    hyperlink = root.find("w:style[@w:styleId='Hyperlink']", NS)
    if hyperlink is not None:
        # Links and cross-references print black, as in the PDF.
        rpr = _child(hyperlink, "rPr")
        for old in rpr.findall("w:color", NS):
            rpr.remove(old)
        _set(etree.SubElement(rpr, _w("color")), val="000000")
        _sort_children(rpr, _RPR_ORDER)

    bib = _style(root, "Bibliography")
    entry_line = round(240 * float(profile.bibliography.line_spacing))
    hang = twips(profile.bibliography.hanging_indent_cm)
    _paragraph(bib, line=entry_line, before=0,
               # A blank line between entries as tall as the PDF's, in the entry's spacing.
               after=blank_lines(profile.bibliography.space_between_entries_lines,
                                 float(profile.bibliography.line_spacing)),
               jc="both" if profile.bibliography.align == "justify" else "left",
               left=hang, hanging=hang)
    for st in root.findall("w:style", NS):
        p = st.find("w:pPr", NS)
        if p is not None:
            _sort_children(p, _PPR_ORDER)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_NORMAL_TABLE = (f'<w:style xmlns:w="{W}" w:type="table" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
                 '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
                 '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                 '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>')


def _table_style(root: etree._Element) -> None:
    """Tables as in the PDF: a full grid of thin lines, centred. pandoc's "Table" style is based on
    Word's "Normal Table", which its reference document lacks (a schema error): it is added."""
    if root.find("w:style[@w:styleId='TableNormal']", NS) is None:
        table = root.find("w:style[@w:styleId='Table']", NS)
        normal = etree.fromstring(_NORMAL_TABLE)
        if table is not None:
            table.addprevious(normal)
        else:
            root.append(normal)
    table = root.find("w:style[@w:styleId='Table']", NS)
    if table is None:
        return
    # The header row's cells at the top, as typst sets every cell (pandoc's style puts them at the
    # bottom: a one-line header cell beside a wrapped one sat low).
    for align in table.iterfind("w:tblStylePr[@w:type='firstRow']/w:tcPr/w:vAlign", NS):
        align.set(_w("val"), "top")
    tblpr = _child(table, "tblPr")
    for tag in ("jc", "tblBorders"):
        for old in tblpr.findall(f"w:{tag}", NS):
            tblpr.remove(old)
    jc = etree.Element(_w("jc"))
    _set(jc, val="center")
    borders = etree.Element(_w("tblBorders"))
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(etree.SubElement(borders, _w(side)), val="single", sz=4, space=0, color="000000")
    # CT_TblPr's order: ..., jc, ..., tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook.
    tblpr.insert(0, jc)
    ind = tblpr.find("w:tblInd", NS)
    if ind is not None:
        ind.addnext(borders)
    else:
        jc.addnext(borders)
    # typst's cell inset, 5 pt on every side (render.docx.table_layout widens the columns to match).
    for old in tblpr.findall("w:tblCellMar", NS):
        tblpr.remove(old)
    margins = etree.Element(_w("tblCellMar"))
    for side in ("top", "left", "bottom", "right"):
        _set(etree.SubElement(margins, _w(side)), w=CELL_INSET_TWIPS, type="dxa")
    look = tblpr.find("w:tblLook", NS)
    if look is not None:
        look.addprevious(margins)
    else:
        tblpr.append(margins)


def _code_style(root: etree._Element, size_pt: float) -> None:
    """Inline code (pandoc's Verbatim Char) as wide as the PDF's (see CODE_FONT)."""
    code = root.find("w:style[@w:styleId='VerbatimChar']", NS)
    if code is None:
        return
    half_points = round(size_pt * CODE_SIZE_EM * 2)
    extra = (CODE_ADVANCE_EM * CODE_SIZE_EM * size_pt - _COURIER_ADVANCE_EM * half_points / 2) * 20
    rpr = _child(code, "rPr")
    _replace(rpr, "rFonts", ascii=CODE_FONT, hAnsi=CODE_FONT, cs=CODE_FONT, eastAsia=CODE_FONT)
    _replace(rpr, "spacing", val=round(extra))
    _replace(rpr, "sz", val=half_points)
    _replace(rpr, "szCs", val=half_points)
    _sort_children(rpr, _RPR_ORDER)


def document_xml(profile: Profile) -> bytes:
    """An empty body whose section properties carry the page size and margins."""
    m = profile.page.margin_cm
    # The page number's baseline page_numbers.distance_cm from the edge, as in the PDF: a single-spaced
    # line of Times New Roman has its baseline 0.933 em below its top and 0.216 em above its bottom.
    size_twips = float(profile.font.size_pt) * 20
    distance = float(profile.page_numbers.distance_cm) / 2.54 * 1440
    header, footer = round(distance - 0.933 * size_twips), round(distance - 0.216 * size_twips)
    xml = (f'<w:document xmlns:w="{W}"><w:body><w:sectPr>'
           f'<w:pgSz w:w="{twips(profile.page.width_cm)}" w:h="{twips(profile.page.height_cm)}"/>'
           f'<w:pgMar w:top="{twips(m.top)}" w:right="{twips(m.right)}" w:bottom="{twips(m.bottom)}" '
           f'w:left="{twips(m.left)}" w:header="{header}" w:footer="{footer}" w:gutter="0"/>'
           f'</w:sectPr></w:body></w:document>')
    return etree.tostring(etree.fromstring(xml), xml_declaration=True, encoding="UTF-8", standalone=True)


def reference_docx(thesis: Thesis) -> bytes:
    """pandoc's default reference document with the profile's styles and page."""
    raw = pandoc_bytes(["--print-default-data-file", "reference.docx"])
    profile = thesis.profile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            data = src.read(name)
            if name == "word/styles.xml":
                data = styles_xml(data, profile, thesis.lang)
            elif name == "word/document.xml":
                data = document_xml(profile)
            elif name == "word/settings.xml":
                data = settings_xml(data, update_fields=False)     # Word 2013+ mode, as the thesis's
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def write_reference_docx(thesis: Thesis, path: Path) -> None:
    write_atomic(path, reference_docx(thesis))


def _writer_args(doc: PreparedDocument, reference: Path) -> list[str]:
    chapter = doc.thesis.profile.headings.chapter
    captions = doc.thesis.profile.captions
    meta = {"chapter-label": chapter.label, "chapter-numbering": chapter.numbering,
            "chapter-layout": chapter.layout, "chapter-separator": chapter.one_line_separator,
            "max-level": doc.thesis.profile.headings.section.max_level,
            "caption-separator": captions.separator,
            "chapter-uppercase": "true" if chapter.uppercase else "false",
            "appendix-label": doc.thesis.profile.appendices.label,
            "appendix-numbering": doc.thesis.profile.appendices.numbering}
    # The figure and table labels come with every conversion (see PreparedDocument.pandoc_args);
    # passing a key twice would make it a list.
    args = ["--reference-doc", str(reference), "--lua-filter", str(FILTER)]
    if doc.chapters_before is not None:
        meta["chapters-before"] = doc.chapters_before
    for key, value in meta.items():
        args += ["-M", f"thesisbuild-{key}={value}"]
    return args


def render_docx(doc: PreparedDocument, reference: Path, docx_path: Path, pages_json: Path | None = None,
                pages: ReadingPages | None = None, properties: dict[str, str] | None = None) -> None:
    """The DOCX of the prepared document, in the thesis's page setup or in `pages`; `properties`
    are its custom properties."""
    if doc.parts:
        # The parts' format-neutral documents (read once for the PDF and the DOCX), written as one,
        # usually while the PDF was laid out (start_docx_writer).
        data, stderr = _written(doc, reference)
        doc.check_pandoc(stderr)
        write_atomic(docx_path, finish_docx(data, doc.thesis, pages_json, pages, properties))
        return
    tmp = docx_path.with_name(f".{docx_path.name}.partial")
    try:
        doc.convert("docx", _writer_args(doc, reference), output=tmp)
        write_atomic(docx_path, finish_docx(tmp.read_bytes(), doc.thesis, pages_json, pages, properties,
                                            doc.chapters_before or 0))
    finally:
        tmp.unlink(missing_ok=True)


# pandoc's DOCX writer over the whole thesis (a second on 150 pages) runs while typst lays out the
# PDF: the PDF's task starts it, the DOCX's task takes its result, which waits in build/cache/docx/
# under a hash of everything it is made from. Only the finishing (styles, page layout, the lists'
# page numbers from the PDF) waits for the PDF.
_WRITING: dict[str, Future] = {}
_POOL = ThreadPoolExecutor(max_workers=1)


def _writer_job(doc: PreparedDocument, reference: Path) -> tuple[str, Path, list[str], str]:
    text = joined_parts(doc, "openxml", openxml_marks(doc.thesis))
    args = _writer_args(doc, reference)
    if '"appendix"' not in text:
        # No heading can be an appendix's (its class would be this string): docx.lua need not walk
        # the whole thesis for the appendices' figures and tables (a tenth of the writer's time).
        args += ["-M", "thesisbuild-no-appendix=true"]
    digest = hashlib.sha256()
    pandoc = Path(pandoc_path())
    stat = pandoc.stat()
    # The DOCX holds the images' bytes, which pandoc reads as it writes: their stamps are in the key.
    images = sorted(image_stamps(doc).values())
    for item in (__version__, str(pandoc), str(stat.st_size), str(stat.st_mtime_ns), *args, *images, text):
        digest.update(item.encode("utf-8") + b"\0")
    for path in (reference, FILTER):
        digest.update(path.read_bytes() + b"\0")
    key = digest.hexdigest()[:32]
    return key, doc.thesis.build_dir / "cache" / "docx" / f"{key}.docx", args, text


def _write(doc: PreparedDocument, path: Path, args: list[str], text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        proc = run_pandoc(["-f", "json", "-t", "docx", *args, "-o", str(tmp)], input_text=text,
                          cwd=doc.thesis.root, env=doc.env())
        write_atomic(path.with_suffix(".err"), proc.stderr)
        write_atomic(path, tmp.read_bytes())       # written last: it marks the conversion done
    finally:
        tmp.unlink(missing_ok=True)
    for old in path.parent.iterdir():
        if old.stem != path.stem and not old.name.startswith("."):
            old.unlink(missing_ok=True)


def start_docx_writer(doc: PreparedDocument, reference: Path) -> None:
    """Start pandoc's DOCX writer on the whole thesis in the background, unless its result is kept."""
    if not doc.parts or not reference.is_file():
        return
    key, path, args, text = _writer_job(doc, reference)
    if key not in _WRITING and not path.is_file():
        _WRITING[key] = _POOL.submit(_write, doc, path, args, text)


def _written(doc: PreparedDocument, reference: Path) -> tuple[bytes, str]:
    """The DOCX pandoc writes for the thesis and pandoc's messages: started earlier, kept, or now."""
    key, path, args, text = _writer_job(doc, reference)
    running = _WRITING.pop(key, None)
    if running is not None:
        running.result()                  # its UserError, if pandoc failed
    if not path.is_file():
        _write(doc, path, args, text)
    return path.read_bytes(), path.with_suffix(".err").read_text(encoding="utf-8")


# ---------------------------------------------------------------- lists, tables and code as the PDF sets them

# The shipped Liberation Serif has Times New Roman's advance widths: the widths of a list's markers
# and of a table's cells as both the PDF and Word measure them (typst sets text without kerning,
# profile font.kerning, so a text's width is the sum of its glyphs' advances).
_FONT_FILES = {(False, False): "LiberationSerif-Regular.ttf", (True, False): "LiberationSerif-Bold.ttf",
               (False, True): "LiberationSerif-Italic.ttf", (True, True): "LiberationSerif-BoldItalic.ttf"}
_ADVANCES: dict[tuple[bool, bool], tuple[dict[int, float], float]] = {}
# typst's list markers by depth (•, ‣, –) and its body indent between a marker and the text (0.5 em,
# list.body-indent and enum.body-indent); the template sets both lists' indent to 0.
TYPST_BULLETS = ("\u2022", "\u2023", "\u2013")
BODY_INDENT_EM = 0.5
# Inline code as typst sets it by default (the template sets no raw font): DejaVu Sans Mono at 0.8 em,
# each character 0.602 em of its size wide. Word has no DejaVu Sans Mono: Courier New (Liberation
# Mono in LibreOffice, the same widths), 0.6 em wide, at the nearest half point, with the character
# spacing that makes up the rest, so that a line with a file name in it ends where the PDF's does.
CODE_FONT = "Courier New"
CODE_SIZE_EM = 0.8
CODE_ADVANCE_EM = 0.602
_COURIER_ADVANCE_EM = 0.6
# Glyphs Liberation Serif lacks, as wide as typst draws them from its fallback font.
_FALLBACK_EM = {"\u2023": 0.373}


def text_em(text: str, bold: bool = False, italic: bool = False) -> float:
    """The advance width of `text` in Times New Roman (Liberation Serif), in em."""
    key = (bold, italic)
    if key not in _ADVANCES:
        # lazy: fontTools (a dependency of matplotlib) is read only when a list or table is finished
        from fontTools.ttLib import TTFont

        font = TTFont(Path(__file__).resolve().parent.parent / "fonts" / _FONT_FILES[key], lazy=True)
        cmap, hmtx, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        _ADVANCES[key] = ({code: hmtx[name][0] / units for code, name in cmap.items()}, 0.5)
    widths, default = _ADVANCES[key]
    return sum(widths.get(ord(ch), _FALLBACK_EM.get(ch, default)) for ch in text)


def _number_text(fmt: str, n: int) -> str:
    """Item n's number as a level of numFmt `fmt` shows it."""
    return format_number(n, _NUMBER_STYLES.get(fmt, "decimal"))


# Word's numFmt values -> the profile's numbering names format_number reads.
_NUMBER_STYLES = {fmt: style for style, fmt in NUM_FORMATS.items() if style != "arabic"}


def _marker_em(lvl: etree._Element, ilvl: int, first: int, count: int) -> float:
    """The widest marker a list level shows for items first..first+count-1 (typst's marker column)."""
    fmt_el = lvl.find("w:numFmt", NS)
    fmt = fmt_el.get(_w("val")) if fmt_el is not None else "decimal"
    text_el = lvl.find("w:lvlText", NS)
    text = text_el.get(_w("val"), "") if text_el is not None else ""
    if fmt == "bullet":
        return text_em(text)
    return max(text_em(text.replace(f"%{ilvl + 1}", _number_text(fmt, n)))
               for n in range(first, first + max(count, 1)))


def list_indents(parts: dict[str, bytes], profile: Profile) -> dict[str, bytes]:
    """Lists indented as the PDF sets them (the template's list and enum: indent 0, body indent 0.5 em):
    each marker at the left edge of its parent's text (the margin for a list's first level), its text
    the marker column's width plus 0.5 em further. The marker column is as wide as the list's widest
    marker ("10." in a list of ten), which typst aligns at its right; bullets are typst's own (•, ‣, –).
    Each of pandoc's lists gets a level definition of its own; a paragraph that goes on an item (a
    marker of blanks) starts at its item's text, with the body's first-line indent, as in the PDF."""
    if "word/numbering.xml" not in parts:
        return parts
    doc = etree.fromstring(parts["word/document.xml"])
    numbering = etree.fromstring(parts["word/numbering.xml"])
    size_twips = float(profile.font.size_pt) * 20
    gap = BODY_INDENT_EM * size_twips
    abstracts = {a.get(_w("abstractNumId")): a for a in numbering.findall("w:abstractNum", NS)}
    nums = {n.get(_w("numId")): n for n in numbering.findall("w:num", NS)}
    items = [(p, num.find("w:numId", NS).get(_w("val")), int(num.find("w:ilvl", NS).get(_w("val"))))
             for p in doc.iter(_w("p")) if (num := p.find("w:pPr/w:numPr", NS)) is not None
             and num.find("w:numId", NS) is not None and num.find("w:ilvl", NS) is not None]
    if not items:
        return parts

    def level(abstract: etree._Element, ilvl: int) -> etree._Element | None:
        return abstract.find(f"w:lvl[@w:ilvl='{ilvl}']", NS)

    def blank(lvl: etree._Element | None) -> bool:
        text = lvl.find("w:lvlText", NS) if lvl is not None else None
        fmt = lvl.find("w:numFmt", NS) if lvl is not None else None
        return (fmt is not None and fmt.get(_w("val")) == "bullet" and text is not None
                and not text.get(_w("val"), "").strip())

    counts: dict[tuple[str, int], int] = {}
    for _, num_id, ilvl in items:
        counts[(num_id, ilvl)] = counts.get((num_id, ilvl), 0) + 1
    next_abstract = max((int(a) for a in abstracts), default=0) + 1
    own: dict[str, etree._Element] = {}           # numId -> its own copy of the level definitions
    text_at: dict[int, float] = {}                # twips: where the latest item of each depth has its text
    bullet_at: dict[int, bool] = {}               # whether the latest item of each depth is a bullet's
    for p, num_id, ilvl in items:
        num = nums.get(num_id)
        abstract = abstracts.get(num.find("w:abstractNumId", NS).get(_w("val"))) if num is not None else None
        if abstract is None:
            continue
        if blank(level(abstract, ilvl)):
            # A further paragraph of an item: at the item's text, no marker, first line indented.
            for lvl in abstract.findall("w:lvl", NS):
                _replace(lvl, "suff", val="nothing")
                _replace(lvl, "lvlText", val="")
                _sort_lvl(lvl)
            ppr = p.find("w:pPr", NS)
            _replace(ppr, "ind", left=round(text_at.get(ilvl, 0)), right=0,
                     firstLine=twips(profile.body.first_line_indent_cm))
            _sort_children(ppr, _PPR_ORDER)
            continue
        base = text_at.get(ilvl - 1, 0.0) if ilvl > 0 else 0.0
        # typst counts a bullet's depth in bullet lists only: a list in a numbered item starts at •.
        bullets_above = sum(1 for k in range(ilvl) if bullet_at.get(k))
        if num_id not in own:
            copy = etree.fromstring(etree.tostring(abstract))
            copy.set(_w("abstractNumId"), str(next_abstract))
            nsid = copy.find("w:nsid", NS)
            if nsid is not None:
                nsid.set(_w("val"), f"{0x7B000000 + next_abstract:08X}")
            abstract.addnext(copy)
            num.find("w:abstractNumId", NS).set(_w("val"), str(next_abstract))
            next_abstract += 1
            own[num_id] = copy
            # Its levels from its own (at its parent's text); those above, as nested from the margin.
            outer, position = 0.0, base
            for lvl in copy.findall("w:lvl", NS):
                depth = int(lvl.get(_w("ilvl")))
                _typst_bullet(lvl, bullets_above + depth - ilvl if depth >= ilvl else depth)
                width = _marker_em(lvl, depth, _start(num, lvl, depth), counts.get((num_id, depth), 1)) * size_twips
                if depth < ilvl:
                    outer += width + gap
                    _level_indent(lvl, outer, width, gap)
                else:
                    position += width + gap
                    _level_indent(lvl, position, width, gap)
        lvl = level(own[num_id], ilvl)
        ind = lvl.find("w:pPr/w:ind", NS) if lvl is not None else None
        text_at[ilvl] = float(ind.get(_w("left"))) if ind is not None else base
        fmt = lvl.find("w:numFmt", NS) if lvl is not None else None
        bullet_at[ilvl] = fmt is not None and fmt.get(_w("val")) == "bullet"
    parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/numbering.xml"] = etree.tostring(numbering, xml_declaration=True, encoding="UTF-8",
                                                 standalone=True)
    return parts


_LVL_ORDER = ["start", "numFmt", "lvlRestart", "pStyle", "isLgl", "suff", "lvlText", "lvlPicBulletId",
              "legacy", "lvlJc", "pPr", "rPr"]


def _sort_lvl(lvl: etree._Element) -> None:
    _sort_children(lvl, _LVL_ORDER)


def _start(num: etree._Element, lvl: etree._Element, depth: int) -> int:
    override = num.find(f"w:lvlOverride[@w:ilvl='{depth}']/w:startOverride", NS)
    if override is not None:
        return int(override.get(_w("val")))
    start = lvl.find("w:start", NS)
    return int(start.get(_w("val"))) if start is not None else 1


def _typst_bullet(lvl: etree._Element, depth: int) -> None:
    """A bullet level shows typst's marker of that depth, in the body's font (pandoc's are Symbol's)."""
    fmt = lvl.find("w:numFmt", NS)
    text = lvl.find("w:lvlText", NS)
    if fmt is None or fmt.get(_w("val")) != "bullet" or text is None or not text.get(_w("val"), "").strip():
        return
    text.set(_w("val"), TYPST_BULLETS[depth % len(TYPST_BULLETS)])
    for rpr in lvl.findall("w:rPr", NS):
        lvl.remove(rpr)


def _level_indent(lvl: etree._Element, left: float, width: float, gap: float) -> None:
    """The text at `left`; the marker in the column `width` wide, `gap` before the text: a number at
    the column's right (typst's enum.number-align: end), a bullet at its left."""
    fmt = lvl.find("w:numFmt", NS)
    bullet = fmt is not None and fmt.get(_w("val")) == "bullet"
    _replace(lvl, "suff", val="tab")
    _replace(lvl, "lvlJc", val="left" if bullet else "right")
    ppr = _child(lvl, "pPr")
    # A right-aligned number ends where the first line starts (left - hanging), a bullet begins there.
    _replace(ppr, "ind", left=round(left), hanging=round(width + gap if bullet else gap))
    _sort_lvl(lvl)


# A table's cells as typst insets them (table.inset: 5pt on every side), in the Table style; pandoc's
# gridCol widths are shares of the 5.5 inches it assumes for the text block.
CELL_INSET_TWIPS = 100
CELL_SLACK_TWIPS = 10
_PANDOC_TEXT_WIDTH = 7920


def _shown_text(p: etree._Element) -> str:
    texts = [el.text or "" if el.tag == _w("t") else " " for el in p.iter(_w("t"), _w("tab"), _w("br"))]
    return " ".join(shown("".join(texts)).split())


def _paragraph_em(p: etree._Element) -> float:
    """A cell paragraph's width on one line, in em of the body font."""
    total = 0.0
    for run in p.iter(_w("r")):
        rpr = run.find("w:rPr", NS)
        bold = rpr is not None and rpr.find("w:b", NS) is not None
        italic = rpr is not None and rpr.find("w:i", NS) is not None
        code = rpr is not None and rpr.find("w:rStyle[@w:val='VerbatimChar']", NS) is not None
        for t in run.iter(_w("t")):
            text = shown(t.text or "")
            total += len(text) * CODE_ADVANCE_EM * CODE_SIZE_EM if code else text_em(text, bold, italic)
    return total


def _auto_columns(natural: list[float], available: float) -> list[float]:
    """typst's auto columns: each as wide as its widest cell; when together wider than the text
    block, the ones wider than a fair share of it shrink to that share (their cells wrap)."""
    if sum(natural) <= available:
        return natural
    fair = available / len(natural)
    narrow = [w for w in natural if w <= fair]
    share = (available - sum(narrow)) / max(1, len(natural) - len(narrow))
    return [w if w <= fair else share for w in natural]


def table_layout(xml: bytes, profile: Profile) -> bytes:
    """Tables as the PDF sets them: cells single-spaced (the template's tables.line_spacing; pandoc
    gives them the list style), aligned as typst aligns them (a column without an alignment of its
    own is centred, as the table sits in a centred figure; never justified), as wide as typst makes
    them (a table of auto columns as wide as its cells, centred; relative columns as shares of the
    text block), and the table's description (w:tblCaption) its caption as it reads."""
    if b"<w:tbl>" not in xml and b"<w:tbl " not in xml:
        return xml
    root = etree.fromstring(xml)
    spacing = round(240 * float(profile.tables.line_spacing))
    size_twips = float(profile.font.size_pt) * 20
    available = (float(profile.page.width_cm) - float(profile.page.margin_cm.left)
                 - float(profile.page.margin_cm.right)) / 2.54 * 1440
    for tbl in root.iter(_w("tbl")):
        for p in tbl.iterfind(".//w:tc//w:p", NS):
            ppr = p.find("w:pPr", NS)
            if ppr is None:
                ppr = etree.Element(_w("pPr"))
                p.insert(0, ppr)
            _replace(ppr, "spacing", before=0, after=0, line=spacing, lineRule="auto")
            _replace(ppr, "ind", left=0, firstLine=0)
            jc = ppr.find("w:jc", NS)
            align = jc.get(_w("val")) if jc is not None else "center"
            _replace(ppr, "jc", val="left" if align in ("both", "distribute") else align)
            _sort_children(ppr, _PPR_ORDER)
        tblpr = tbl.find("w:tblPr", NS)
        caption = tbl.getprevious()
        described = tblpr.find("w:tblCaption", NS) if tblpr is not None else None
        if (described is not None and caption is not None and caption.tag == _w("p")
                and caption.find("w:pPr/w:pStyle[@w:val='TableCaption']", NS) is not None):
            described.set(_w("val"), _shown_text(caption))
        grid = tbl.find("w:tblGrid", NS)
        width_el = tblpr.find("w:tblW", NS) if tblpr is not None else None
        if grid is None or width_el is None:
            continue
        cols = grid.findall("w:gridCol", NS)
        if width_el.get(_w("type")) == "auto":
            natural = [0.0] * len(cols)
            for tr in tbl.findall("w:tr", NS):
                j = 0
                for tc in tr.findall("w:tc", NS):
                    span_el = tc.find("w:tcPr/w:gridSpan", NS)
                    span = int(span_el.get(_w("val"))) if span_el is not None else 1
                    if span == 1 and j < len(natural):
                        widest = max((_paragraph_em(p) for p in tc.iterfind(".//w:p", NS)), default=0.0)
                        natural[j] = max(natural[j], widest * size_twips + 2 * CELL_INSET_TWIPS)
                    j += span
            widths = _auto_columns([max(w, 2 * CELL_INSET_TWIPS) for w in natural], available)
        else:
            widths = [float(c.get(_w("w"), 0)) / _PANDOC_TEXT_WIDTH * available for c in cols]
        # A few twips of slack: LibreOffice wraps a cell whose text fills it exactly.
        widths = [round(w) + CELL_SLACK_TWIPS for w in widths] if width_el.get(_w("type")) == "auto" \
            else [round(w) for w in widths]
        for col, width in zip(cols, widths):
            col.set(_w("w"), str(width))
        _set(width_el, type="dxa", w=sum(widths))
        # Centred in its own properties too (LibreOffice reads no table style's jc); CT_TblPr's order:
        # tblW, jc, ..., tblLayout.
        for tag in ("jc", "tblLayout"):
            for old in tblpr.findall(f"w:{tag}", NS):
                tblpr.remove(old)
        jc = _set(etree.Element(_w("jc")), val="center")
        width_el.addnext(jc)
        layout = _set(etree.Element(_w("tblLayout")), type="fixed")
        after = [c for c in tblpr if etree.QName(c).localname in ("tblCellMar", "tblLook", "tblCaption",
                                                                   "tblDescription")]
        if after:
            after[0].addprevious(layout)
        else:
            tblpr.append(layout)
        for tr in tbl.findall("w:tr", NS):
            j = 0
            for tc in tr.findall("w:tc", NS):
                tcpr = tc.find("w:tcPr", NS)
                if tcpr is None:
                    tcpr = etree.Element(_w("tcPr"))
                    tc.insert(0, tcpr)
                span_el = tcpr.find("w:gridSpan", NS)
                span = int(span_el.get(_w("val"))) if span_el is not None else 1
                for old in tcpr.findall("w:tcW", NS):
                    tcpr.remove(old)
                tcw = etree.Element(_w("tcW"))
                _set(tcw, w=sum(widths[j:j + span]), type="dxa")
                tcpr.insert(0, tcw)
                j += span
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_CUSTOM_PROPS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                 'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"{body}')
_PROPERTY_ID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"     # the format id of user-defined properties


def custom_properties(properties: dict[str, str] | None) -> bytes:
    """docProps/custom.xml with these properties only (Word and LibreOffice keep them when they save)."""
    if not properties:
        return _CUSTOM_PROPS.format(body="/>").encode("utf-8")
    items = "".join(f'<property fmtid="{_PROPERTY_ID}" pid="{pid}" name="{ooxml_text(name)}">'
                    f'<vt:lpwstr>{ooxml_text(str(value))}</vt:lpwstr></property>'
                    for pid, (name, value) in enumerate(sorted(properties.items()), 2))
    return _CUSTOM_PROPS.format(body=f">{items}</Properties>").encode("utf-8")
_DC = "http://purl.org/dc/elements/1.1/"


def finish_docx(data: bytes, thesis: Thesis, pages_json: Path | None = None, pages: ReadingPages | None = None,
                properties: dict[str, str] | None = None, chapters_before: int = 0) -> bytes:
    """The template's page structure (sections, page numbers, filled lists), or the reading page
    setup of `pages`, numbered after `chapters_before` chapters; then drop the build's own metadata
    (pandoc copies it, absolute paths included, into docProps/custom.xml) and name the thesis's
    title and author in the core properties."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        parts = {info.filename: src.read(info.filename) for info in infos}
    date_time = infos[0].date_time
    parts["word/document.xml"] = table_layout(parts["word/document.xml"], thesis.profile)
    parts = list_indents(parts, thesis.profile)
    if pages is None:
        parts = layout_parts(thesis, parts, pages_json)
    else:
        parts = reading_parts(thesis, parts, pages)
    parts = live_numbers(parts, thesis.profile, chapters_before)
    parts["word/document.xml"] = image_descriptions(unique_revision_ids(parts["word/document.xml"]))
    # A chapter read on its own has no lists whose page numbers Word would fill in when it opens.
    parts["word/settings.xml"] = settings_xml(parts["word/settings.xml"], update_fields=pages is None)
    parts["docProps/custom.xml"] = custom_properties(properties)
    parts["docProps/core.xml"] = _core_properties(parts["docProps/core.xml"], thesis)
    order = [i.filename for i in infos] + sorted(set(parts) - {i.filename for i in infos})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, parts[name])
    return out.getvalue()


def _core_properties(xml: bytes, thesis: Thesis) -> bytes:
    root = etree.fromstring(xml)
    for tag, value in (("title", thesis.title), ("creator", thesis.author)):
        el = root.find(f"{{{_DC}}}{tag}")
        if el is None:
            el = etree.SubElement(root, f"{{{_DC}}}{tag}")
        el.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
