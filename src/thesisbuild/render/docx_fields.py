"""Live numbers in the DOCX: the marks docx.lua leaves become Word's own numbering and fields.

- A numbered heading is numbered by a multilevel list linked to the Heading 1-4 styles ("BAB I",
  then 1.1, 1.1.1, 1.1.1.1 with legal numbering: the chapter's number in Arabic under a Roman
  chapter), so a heading added in Word is numbered and the rest renumber. Appendices have a list of
  their own ("Lampiran A", then A.1), set on their paragraphs. Unnumbered headings (the front
  matter's, the lists', the bibliography's) take no number.
- A caption's number is two SEQ fields, the chapter's count and the label's, restarting in each
  chapter: "Gambar {SEQ Bab \\c}.{SEQ Gambar \\s 1}". Each chapter heading holds hidden SEQ fields
  that count the chapter and set each label's count back to 0 (\\r 0), for LibreOffice, which
  ignores \\s; a figure added anywhere in Word still renumbers the chapter's others.
- An equation's number is the same two SEQ fields in parentheses: "({SEQ Bab \\c}.{SEQ Persamaan \\s 1})".
- A reference to a figure, table or equation is a REF field to a bookmark on its number; one to a
  section is a REF field to a bookmark on the heading's text, \\n \\t: the heading's list number
  without its words ("1.2"; "I" of "BAB I").

Every field carries the number the PDF prints as its result, so the document reads right before
any field is updated, and in editors that never update them.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree

from ..config import Profile
from ..pages import seq_name

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MARK = re.compile(r"⟦tb\|([^⟧]*)⟧")

# Profile numbering names -> w:numFmt values, and the SEQ field's format switch for each.
NUM_FORMATS = {"upper-roman": "upperRoman", "lower-roman": "lowerRoman", "decimal": "decimal",
               "arabic": "decimal", "upper-alpha": "upperLetter", "lower-alpha": "lowerLetter"}
_SEQ_FORMATS = {"upperRoman": "ROMAN", "lowerRoman": "roman", "decimal": "ARABIC",
                "upperLetter": "ALPHABETIC", "lowerLetter": "alphabetic"}
# Paragraph properties after w:numPr in the schema's order (CT_PPrBase).
_AFTER_NUMPR = ("suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
                "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
                "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
                "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
                "sectPr", "pPrChange")
_BOOKMARK_BASE = 800000


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def shown(text: str) -> str:
    """Text with each mark as what it shows: its number (a heading's followed by a space)."""
    def one(m: re.Match) -> str:
        fields = m.group(1).split("|")
        return fields[-1] + (" " if fields[0] == "num" else "")
    return MARK.sub(one, text)


def ref_bookmark(identifier: str) -> str:
    """The hidden bookmark (Word's _Ref… form) on the number of the caption of `identifier`."""
    return "_Ref" + hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:12]


def text_run(text: str) -> etree._Element:
    """A run of text, its spaces kept."""
    r = etree.Element(w("r"))
    t = etree.SubElement(r, w("t"))
    t.set(_XML_SPACE, "preserve")
    t.text = text
    return r


def field(instr: str, result: str | None) -> list[etree._Element]:
    """A complex field's runs: begin, the instruction, separate, the result, end. A field without
    a result is hidden text as well (LibreOffice shows a SEQ field's number despite its \\h)."""
    runs = []
    for kind in ("begin", None, "separate"):
        r = etree.Element(w("r"))
        if not result:
            etree.SubElement(etree.SubElement(r, w("rPr")), w("vanish"))
        if kind is None:
            it = etree.SubElement(r, w("instrText"))
            it.set(_XML_SPACE, "preserve")
            it.text = f" {instr} "
        else:
            etree.SubElement(r, w("fldChar")).set(w("fldCharType"), kind)
        runs.append(r)
    if result:
        runs.append(text_run(result))
    end = etree.Element(w("r"))
    if not result:
        etree.SubElement(etree.SubElement(end, w("rPr")), w("vanish"))
    etree.SubElement(end, w("fldChar")).set(w("fldCharType"), "end")
    return runs + [end]


def _mark_of(run: etree._Element) -> list[str] | None:
    t = run.find("w:t", NS)
    if run.tag != w("r") or t is None or len(run) != 1:
        return None
    m = MARK.fullmatch(t.text or "")
    return m.group(1).split("|") if m else None


def _bookmark(identifier: str, number: int) -> tuple[etree._Element, etree._Element]:
    start, end = etree.Element(w("bookmarkStart")), etree.Element(w("bookmarkEnd"))
    start.set(w("id"), str(number)), start.set(w("name"), ref_bookmark(identifier))
    end.set(w("id"), str(number))
    return start, end


def _set_num(p: etree._Element, ilvl: int, num_id: int) -> None:
    ppr = p.find("w:pPr", NS)
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        p.insert(0, ppr)
    _place_num(ppr, ilvl, num_id)


def _place_num(ppr: etree._Element, ilvl: int, num_id: int) -> None:
    old = ppr.find("w:numPr", NS)
    if old is not None:
        ppr.remove(old)
    num = etree.Element(w("numPr"))
    etree.SubElement(num, w("ilvl")).set(w("val"), str(ilvl))
    etree.SubElement(num, w("numId")).set(w("val"), str(num_id))
    later = next((c for c in ppr if c.tag in {w(t) for t in _AFTER_NUMPR}), None)
    if later is not None:
        later.addprevious(num)
    else:
        ppr.append(num)


def live_numbers(parts: dict[str, bytes], profile: Profile, chapters_before: int = 0) -> dict[str, bytes]:
    """document.xml's marks as list numbering and fields; numbering.xml and styles.xml with the
    heading lists (see the module's docstring)."""
    doc = etree.fromstring(parts["word/document.xml"])
    numbering = etree.fromstring(parts["word/numbering.xml"])
    styles = etree.fromstring(parts["word/styles.xml"])
    max_level = int(profile.headings.section.max_level)
    chapter = profile.headings.chapter
    chapter_fmt = NUM_FORMATS[chapter.numbering]
    appendix_fmt = NUM_FORMATS[profile.appendices.numbering]
    chapter_seq, appendix_seq = seq_name(chapter.label or "Bab"), seq_name(profile.appendices.label or "Lampiran")
    if appendix_seq == chapter_seq:
        appendix_seq += "_A"
    main_num, appendix_num = _add_lists(numbering, profile, chapter_fmt, appendix_fmt, max_level, chapters_before)
    _link_heading_styles(styles, main_num, max_level)

    marks = [(run, fields) for run in doc.iter(w("r")) if (fields := _mark_of(run)) is not None]
    captioned = {fields[3] for _, fields in marks if fields[0] == "cap" and fields[3]}
    headed = {fields[3] for _, fields in marks if fields[0] == "num" and len(fields) == 5 and fields[3]}
    labels = sorted({seq_name(fields[2]) for _, fields in marks if fields[0] == "cap"})
    bookmark = _BOOKMARK_BASE
    first_chapter = True
    numbered: set = set()
    for run, fields in marks:
        kind, p = fields[0], run.getparent()
        while p is not None and p.tag != w("p"):
            p = p.getparent()
        if kind == "num":
            which, level, ident = fields[1], int(fields[2]), fields[3] if len(fields) == 5 else ""
            numbered.add(p)
            if which == "appendix":
                _set_num(p, level - 1, appendix_num)
            replacement: list[etree._Element] = []
            if level == 1:
                # The chapter's count for its captions, and each caption count back to 0: hidden,
                # first in the heading (Word's \\s 1 restarts them too; LibreOffice ignores it).
                name = appendix_seq if which == "appendix" else chapter_seq
                reset = f" \\r {chapters_before + 1}" if which == "main" and first_chapter and chapters_before else ""
                replacement = field(f"SEQ {name}{reset} \\h", None)
                for label in labels:
                    replacement += field(f"SEQ {label} \\r 0 \\h", None)
                first_chapter = first_chapter and which != "main"
            if ident:
                # The heading's text in a bookmark, for REF fields to its number (as Word's own
                # cross-references to headings do).
                start, end = _bookmark(ident, bookmark)
                bookmark += 1
                replacement.append(start)
                p.append(end)
        elif kind == "cap":
            _, which, label, ident, n, text = fields
            part, _, number = text.rpartition(".")
            fmt = appendix_fmt if which == "appendix" else "decimal"
            replacement = field(f"SEQ {appendix_seq if which == 'appendix' else chapter_seq} \\c "
                                f"\\* {_SEQ_FORMATS[fmt]}", part)
            replacement += [text_run(".")] + field(f"SEQ {seq_name(label)} \\* ARABIC \\s 1", number)
            if ident:
                start, end = _bookmark(ident, bookmark)
                bookmark += 1
                replacement = [start, *replacement, end]
        elif kind == "ref":
            _, target, text = fields
            if target in captioned:
                replacement = field(f"REF {ref_bookmark(target)} \\h", text)
            elif target in headed:
                # The heading's number without its words ("1.2"; "I" of "BAB I"): \n \t.
                replacement = field(f"REF {ref_bookmark(target)} \\n \\t \\h", text)
            else:
                replacement = [text_run(text)]
        else:
            continue
        for el in replacement:
            run.addprevious(el)
        run.getparent().remove(run)

    # A heading paragraph without a number takes none from its style's list.
    for p in doc.iter(w("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        m = re.fullmatch(r"Heading(\d)", style.get(w("val")) if style is not None else "")
        if m and int(m.group(1)) <= max_level and p not in numbered:
            _set_num(p, 0, 0)

    for name, root in (("word/document.xml", doc), ("word/numbering.xml", numbering), ("word/styles.xml", styles)):
        parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return parts


def _add_lists(numbering: etree._Element, profile: Profile, chapter_fmt: str, appendix_fmt: str, max_level: int,
               chapters_before: int) -> tuple[int, int]:
    """The headings' two multilevel lists; their w:num ids (main, appendices)."""
    chapter = profile.headings.chapter
    abstract_ids = [int(a.get(w("abstractNumId"))) for a in numbering.findall("w:abstractNum", NS)]
    num_ids = [int(n.get(w("numId"))) for n in numbering.findall("w:num", NS)]
    next_abstract, next_num = max(abstract_ids, default=0) + 1, max(num_ids, default=0) + 1
    legal = chapter_fmt != "decimal"
    separator = chapter.one_line_separator.rstrip()

    def opening(label: str) -> tuple[str, str]:
        # Two lines: "BAB I", the title after the line break the heading starts with; one line: "I." and a space.
        return ("%1" + separator, "space") if chapter.layout == "one-line" else (f"{label} %1", "nothing")

    lists = []
    for name, label, fmt, is_legal in (("main", chapter.label, chapter_fmt, legal),
                                       ("appendix", profile.appendices.label, appendix_fmt, False)):
        levels = []
        for ilvl in range(max_level):
            text, suffix = opening(label) if ilvl == 0 else (".".join(f"%{i + 1}" for i in range(ilvl + 1)), "space")
            levels.append((ilvl, fmt if ilvl == 0 else NUM_FORMATS[profile.headings.section.numbering], text, suffix,
                           is_legal and ilvl > 0))
        lists.append((name, levels))

    first_num = numbering.find("w:num", NS)
    ids = []
    for offset, (name, levels) in enumerate(lists):
        abstract = etree.Element(w("abstractNum"))
        abstract.set(w("abstractNumId"), str(next_abstract + offset))
        etree.SubElement(abstract, w("multiLevelType")).set(w("val"), "multilevel")
        for ilvl, fmt, text, suffix, is_legal in levels:
            lvl = etree.SubElement(abstract, w("lvl"))
            lvl.set(w("ilvl"), str(ilvl))
            etree.SubElement(lvl, w("start")).set(w("val"), "1")
            etree.SubElement(lvl, w("numFmt")).set(w("val"), fmt)
            if name == "main":
                etree.SubElement(lvl, w("pStyle")).set(w("val"), f"Heading{ilvl + 1}")
            if is_legal:
                etree.SubElement(lvl, w("isLgl"))
            etree.SubElement(lvl, w("suff")).set(w("val"), suffix)
            etree.SubElement(lvl, w("lvlText")).set(w("val"), text)
            etree.SubElement(lvl, w("lvlJc")).set(w("val"), "left")
            ind = etree.SubElement(etree.SubElement(lvl, w("pPr")), w("ind"))
            ind.set(w("left"), "0"), ind.set(w("firstLine"), "0")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
    for offset, (name, _levels) in enumerate(lists):
        num = etree.SubElement(numbering, w("num"))
        num.set(w("numId"), str(next_num + offset))
        etree.SubElement(num, w("abstractNumId")).set(w("val"), str(next_abstract + offset))
        if name == "main" and chapters_before:
            # Chapter N on its own (a draft): its heading is numbered N, as in the thesis.
            override = etree.SubElement(num, w("lvlOverride"))
            override.set(w("ilvl"), "0")
            etree.SubElement(override, w("startOverride")).set(w("val"), str(chapters_before + 1))
        ids.append(next_num + offset)
    return ids[0], ids[1]


def _link_heading_styles(styles: etree._Element, num_id: int, max_level: int) -> None:
    """Heading 1..max_level numbered by the main list; styles based on them (TOC Heading) take no number."""
    by_id = {s.get(w("styleId")): s for s in styles.findall("w:style", NS)}
    numbered = {f"Heading{n}" for n in range(1, max_level + 1)}
    for style_id, style in by_id.items():
        ppr = style.find("w:pPr", NS)
        if style_id in numbered:
            if ppr is None:
                ppr = etree.SubElement(style, w("pPr"))
            _place_num(ppr, int(style_id[len("Heading"):]) - 1, num_id)
            continue
        parent, seen = style, set()
        while parent is not None and parent.get(w("styleId")) not in seen:
            seen.add(parent.get(w("styleId")))
            based = parent.find("w:basedOn", NS)
            parent = by_id.get(based.get(w("val"))) if based is not None else None
            if parent is not None and parent.get(w("styleId")) in numbered:
                if ppr is None:
                    ppr = etree.Element(w("pPr"))
                    later = next((c for c in style if c.tag == w("rPr")), None)
                    later.addprevious(ppr) if later is not None else style.append(ppr)
                _place_num(ppr, 0, 0)
                break
