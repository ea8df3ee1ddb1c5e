"""DOCX measurements, from the WordprocessingML itself."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

from lxml import etree

from ..config import Profile
from ..errors import UserError
from ..i18n import tr
from ..pages import WORD_PAGE_FORMATS, format_number, seq_name
from .common import Check, close
from .schema import validate_package

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
CM = 1440 / 2.54


def _val(el, attr: str = "val") -> str | None:
    return None if el is None else el.get(f"{{{W}}}{attr}")


def _read(path: Path) -> dict[str, etree._Element]:
    if not path.is_file():
        raise UserError(tr("no such DOCX; build it first with `doit`."), path)
    try:
        with zipfile.ZipFile(path) as z:
            parts = {name: etree.fromstring(z.read(name)) for name in z.namelist()
                     if name.endswith(".xml") or name.endswith(".rels")}
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as err:
        raise UserError(tr("not a readable DOCX ({problem}); rebuild it.", problem=err), path) from None
    return parts


def read_document(path: Path) -> etree._Element:
    return _read(path)["word/document.xml"]


def _style_props(styles: etree._Element, style_id: str) -> dict:
    """Effective paragraph and run properties of a style, following basedOn and the defaults."""
    chain = []
    current = style_id
    while current:
        st = styles.find(f"w:style[@w:styleId='{current}']", NS)
        if st is None:
            break
        chain.append(st)
        current = _val(st.find("w:basedOn", NS))
    props: dict = {}
    defaults = styles.find("w:docDefaults", NS)
    layers = [defaults.find("w:rPrDefault/w:rPr", NS), defaults.find("w:pPrDefault/w:pPr", NS)] if defaults is not None else []
    for st in reversed(chain):
        layers += [st.find("w:rPr", NS), st.find("w:pPr", NS)]
    for layer in layers:
        if layer is None:
            continue
        fonts = layer.find("w:rFonts", NS)
        if _val(fonts, "ascii"):
            props["font"] = _val(fonts, "ascii")
        if layer.find("w:sz", NS) is not None:
            props["size"] = int(_val(layer.find("w:sz", NS))) / 2
        b = layer.find("w:b", NS)
        if b is not None:
            props["bold"] = _val(b) not in ("0", "false")
        sp = layer.find("w:spacing", NS)
        if sp is not None and _val(sp, "line"):
            props["line"] = int(_val(sp, "line")) / 240
        ind = layer.find("w:ind", NS)
        if ind is not None:
            for key in ("firstLine", "hanging", "left"):
                if _val(ind, key) is not None:
                    props[key] = int(_val(ind, key)) / CM
        jc = layer.find("w:jc", NS)
        if jc is not None:
            props["jc"] = _val(jc)
    return props


_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
# The rules of the whole thesis's pages: its front matter and body sections, its lists. A chapter's
# draft has one section in the reading page setup and no lists.
WHOLE_THESIS_RULES = ("docx.page-numbering", "docx.chapter-pages", "docx.toc-page-numbers")


def draft_chapter(parts: dict[str, etree._Element]) -> str | None:
    """The chapter a draft DOCX names in its custom properties (thesisbuild.chapter, which
    `thesisbuild draft` writes); None for the whole thesis's DOCX."""
    custom = parts.get("docProps/custom.xml")
    if custom is None:
        return None
    for prop in custom.iter(f"{_CUSTOM}property"):
        if prop.get("name") == "thesisbuild.chapter":
            return "".join(prop.itertext()).strip() or None
    return None


def verify_docx(path: Path, profile: Profile, schema_problems=None) -> list[Check]:
    """Every DOCX rule; `schema_problems` is a call that gives the validator's findings (started
    earlier, beside the PDF's rules), else the package is validated here. A chapter's draft is
    measured in its own page setup (the drafts' right margin), and the rules of the whole thesis's
    pages pass as not applicable to it."""
    parts = _read(path)
    document, styles = parts["word/document.xml"], parts["word/styles.xml"]
    rels = {r.get("Id"): r.get("Target") for r in parts["word/_rels/document.xml.rels"]}
    checks: list[Check] = []
    W_cm, H_cm = float(profile.page.width_cm), float(profile.page.height_cm)
    m = {side: float(profile.page.margin_cm[side]) for side in ("top", "left", "bottom", "right")}
    chapter = draft_chapter(parts)
    if chapter is not None:
        m["right"] = float(profile.drafts.right_margin_cm)

    # Each section's page size and margins.
    sections = document.findall(".//w:sectPr", NS)
    off = []
    for i, sect in enumerate(sections, 1):
        size, mar = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
        got = (int(_val(size, "w")) / CM, int(_val(size, "h")) / CM,
               *(int(_val(mar, k)) / CM for k in ("top", "left", "bottom", "right")))
        want = (W_cm, H_cm, *(float(m[k]) for k in ("top", "left", "bottom", "right")))
        if not all(close(a, b, 0.02) for a, b in zip(got, want)):
            off.append(tr("section {number}: {width} × {height} cm, margins {margins} cm", number=i,
                          width=f"{got[0]:.2f}", height=f"{got[1]:.2f}",
                          margins="/".join(f"{v:.2f}" for v in got[2:])))
    if not sections:
        measured = tr("no sections")
    elif off:
        measured = tr("{count} sections; {problem}", count=len(sections), problem=off[0])
    else:
        size, mar = sections[0].find("w:pgSz", NS), sections[0].find("w:pgMar", NS)
        margins = "/".join(f"{int(_val(mar, k)) / CM:.2f}" for k in ("top", "left", "bottom", "right"))
        measured = tr("{count} sections, {width} × {height} cm, margins top/left/bottom/right {margins} cm",
                      count=len(sections), width=f"{int(_val(size, 'w')) / CM:.2f}",
                      height=f"{int(_val(size, 'h')) / CM:.2f}", margins=margins)
    checks.append(Check("docx.page", bool(sections) and not off, measured,
                        tr("{width} × {height} cm, margins {margins} cm", width=f"{W_cm:g}", height=f"{H_cm:g}",
                           margins=f"{m['top']:g}/{m['left']:g}/{m['bottom']:g}/{m['right']:g}")))

    # Page-number format and restart: front matter roman from 1, the body arabic from 1, then continuing.
    formats = []
    for sect in sections:
        num = sect.find("w:pgNumType", NS)
        formats.append((_val(num, "fmt") or "decimal", _val(num, "start")))
    front_fmt = WORD_PAGE_FORMATS[profile.page_numbers.front_numbering]
    body_fmt = WORD_PAGE_FORMATS[profile.page_numbers.body_numbering]
    want = [(front_fmt, "1"), (body_fmt, "1")] + [(body_fmt, None)] * max(0, len(formats) - 2)
    checks.append(Check("docx.page-numbering", formats == want and len(formats) >= 2,
                        ", ".join(tr("{format} from {start}", format=f, start=s) if s else f for f, s in formats),
                        tr("{front} from 1, then {body} from 1, then continuing", front=front_fmt, body=body_fmt)))

    # Chapter openings: a different first page, number there and in the running header.
    bad = []
    for i, sect in enumerate(sections[1:], 2):
        if sect.find("w:titlePg", NS) is None:
            bad.append(tr("section {number} has no different first page", number=i))
            continue
        refs = {(el.tag.split("}")[1], _val(el, "type")): rels.get(el.get(f"{{{R}}}id")) for el in sect
                if el.tag in (f"{{{W}}}headerReference", f"{{{W}}}footerReference")}
        for (kind, which), position in (
                (("footerReference", "first"), profile.page_numbers.chapter_opening),
                (("headerReference" if profile.page_numbers.other_pages.startswith("top") else "footerReference",
                  "default"), profile.page_numbers.other_pages)):
            target = refs.get((kind, which))
            part = parts.get(f"word/{target}") if target else None
            jc = _val(part.find(".//w:jc", NS)) if part is not None else None
            has_page = part is not None and any("PAGE" in (t.text or "") for t in part.iter(f"{{{W}}}instrText"))
            want_jc = "center" if position.endswith("center") else "right"
            if not has_page or jc != want_jc:
                bad.append(tr("section {number} {which} {part}: {found}", number=i, which=which, part=kind[:6],
                              found=f"PAGE {jc}" if has_page else tr("no page number")))
    checks.append(Check("docx.chapter-pages", not bad and len(sections) >= 2,
                        tr("{count} body sections", count=len(sections) - 1)
                        + (f"; {'; '.join(bad[:3])}" if bad else tr(", each with its own first page")),
                        tr("chapter opening {opening}, other pages {other}",
                           opening=profile.page_numbers.chapter_opening,
                           other=profile.page_numbers.other_pages)))

    # Styles: body, headings, bibliography.
    font, size = profile.font.family, float(profile.font.size_pt)
    spacing = float(profile.body.line_spacing)
    indent = float(profile.body.first_line_indent_cm)
    justify = "both" if profile.body.align == "justify" else "left"
    body = _style_props(styles, "BodyText")
    checks.append(Check("docx.style.body",
                        body.get("font") == font and close(body.get("size", 0), size, 0.01)
                        and close(body.get("line", 0), spacing, 0.01) and close(body.get("firstLine", 0), indent, 0.01)
                        and body.get("jc") == justify,
                        _describe(body, indent=bool(indent)),
                        tr("{font} {size} pt, spacing {spacing}, first line {indent} cm, {align}",
                           font=font, size=f"{size:g}", spacing=f"{spacing:g}", indent=f"{indent:g}", align=justify)))
    heading = _style_props(styles, "Heading1")
    chapter_align = "center" if profile.headings.chapter.align in ("center", "centre") else "left"
    checks.append(Check("docx.style.heading",
                        heading.get("font") == font and close(heading.get("size", 0), size, 0.01)
                        and heading.get("bold") == bool(profile.headings.chapter.bold)
                        and heading.get("jc") == chapter_align,
                        _describe(heading), tr("{font} {size} pt, bold, {align}", font=font, size=f"{size:g}",
                                               align=chapter_align)))
    bib = _style_props(styles, "Bibliography")
    hang = float(profile.bibliography.hanging_indent_cm)
    bib_spacing = float(profile.bibliography.line_spacing)
    checks.append(Check("docx.style.bibliography",
                        close(bib.get("hanging", 0), hang, 0.01) and close(bib.get("line", 0), bib_spacing, 0.01),
                        _describe(bib), tr("hanging indent {indent} cm, spacing {spacing} inside an entry",
                                           indent=f"{hang:g}", spacing=f"{bib_spacing:g}")))

    # Heading numbering: BAB I, then 1.1, 1.1.1 under it; Lampiran A, then A.1.
    numbers = list_numbers(parts)
    checks.append(_heading_numbering(document, profile, numbers, draft=chapter is not None))
    checks.append(_fields(document, numbers, profile))
    # The table of contents (and the lists of tables and figures) with their page numbers.
    checks.append(_toc_page_numbers(document, profile))
    checks.append(_link_color(styles, document))
    checks.append(_package(parts, schema_problems() if schema_problems else validate_package(str(path))))
    if chapter is not None:
        checks = [replace(check, ok=True, measured=tr(
            "not applicable: a draft of the chapter {chapter}, one section with no front matter or lists",
            chapter=chapter)) if check.rule in WHOLE_THESIS_RULES else check for check in checks]
    return checks


_TYPED_NUMBER = re.compile(r"(?:[0-9]+|[IVXLCDM]+|[A-Z])(?:\.[0-9]+)+\s")


# An equation's number, alone in its paragraph at the right margin: "(1.2)", "(A.1)".
_EQUATION_NUMBER = re.compile(r"\((?:\d+|[A-Z]+)\.\d+\)")


def _fields(document: etree._Element, numbers: dict, profile: Profile) -> Check:
    """The DOCX's numbers stay live in Word: every numbered heading takes its number from Word's
    list numbering (none typed), every caption's and equation's number is a SEQ field, and every
    REF field names a bookmark the document has; so a section, figure or equation added in Word
    renumbers on F9."""
    max_level = int(profile.headings.section.max_level)
    bookmarks = {_val(b, "name") for b in document.iter(f"{{{W}}}bookmarkStart")}
    # Each caption label's own SEQ identifier ("Gambar 1.1" counts with SEQ Gambar); the chapter's
    # and the appendices' counts (SEQ BAB \c) give only the part before the dot.
    captions_profile = profile.captions
    labels = {label: seq_name(label) for label in (captions_profile.figure_label, captions_profile.table_label,
                                                   captions_profile.listing_label, captions_profile.equation_label)
              if label}
    parts_seq = {seq_name(profile.headings.chapter.label or "Bab"), seq_name(profile.appendices.label or "Lampiran")}
    label_seqs = set(labels.values()) - parts_seq
    listed = typed = captions = sequenced = refs = 0
    problems: list[str] = []
    for p in document.iter(f"{{{W}}}p"):
        style = _val(p.find("w:pPr/w:pStyle", NS)) or ""
        own = "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        heading = re.fullmatch(r"Heading(\d)", style)
        if heading and int(heading.group(1)) <= max_level:
            if p in numbers:
                listed += 1
            elif _TYPED_NUMBER.match(own):
                typed += 1
                problems.append(tr("heading {heading} has a typed number", heading=repr(own[:24])))
        instructions = " ".join(t.text or "" for t in p.iter(f"{{{W}}}instrText"))
        if style in ("ImageCaption", "TableCaption") or _EQUATION_NUMBER.fullmatch(own.strip()):
            captions += 1
            seqs = re.findall(r"\bSEQ\s+(\S+)", instructions)
            if _EQUATION_NUMBER.fullmatch(own.strip()):
                wanted = {labels.get(captions_profile.equation_label)} & label_seqs
            else:
                wanted = {seq for label, seq in labels.items() if own.startswith(label)} & label_seqs
            if not seqs:
                problems.append(tr("caption {caption} has no SEQ field", caption=repr(own[:24])))
            elif set(seqs) & (wanted or label_seqs):
                sequenced += 1
            else:
                problems.append(tr("caption {caption} has its number typed: no SEQ {name} field",
                                   caption=repr(own[:24]), name="/".join(sorted(wanted or label_seqs))))
        for target in re.findall(r"(?:^|\s)REF\s+(\S+)", instructions):
            refs += 1
            if target not in bookmarks:
                problems.append(tr("REF field to a missing bookmark {name}", name=target))
    measured = tr("{headings} headings numbered by Word's list, {sequenced} of {captions} captions and equation "
                  "numbers with SEQ fields, {refs} REF fields", headings=listed, sequenced=sequenced, captions=captions,
                  refs=refs)
    if problems:
        measured += f"; {'; '.join(problems[:3])}"
    return Check("docx.fields", not problems, measured,
                 tr("headings numbered by Word's list numbering, captions by SEQ fields, cross-references as REF "
                    "fields to bookmarks that exist"))


def _black(value: str | None) -> bool:
    return value is None or value.lower() in ("000000", "auto")


def _link_runs(document: etree._Element):
    """Every run a link or cross-reference shows: inside w:hyperlink, and the results of REF,
    PAGEREF and HYPERLINK fields (complex fields, nested ones too, and simple fields)."""
    for link in document.iter(f"{{{W}}}hyperlink"):
        yield from link.iter(f"{{{W}}}r")
    for simple in document.iter(f"{{{W}}}fldSimple"):
        if re.match(r"\s*(?:REF|PAGEREF|HYPERLINK)\s", _val(simple, "instr") or ""):
            yield from simple.iter(f"{{{W}}}r")
    for p in document.iter(f"{{{W}}}p"):
        stack: list[list] = []          # [instruction so far, in its result] of each open field
        for r in p.iter(f"{{{W}}}r"):
            char = r.find("w:fldChar", NS)
            kind = _val(char, "fldCharType") if char is not None else None
            if kind == "begin":
                stack.append(["", False])
            elif kind == "separate" and stack:
                stack[-1][1] = True
            elif kind == "end" and stack:
                stack.pop()
            elif stack and not stack[-1][1]:
                stack[-1][0] += "".join(t.text or "" for t in r.iter(f"{{{W}}}instrText"))
            elif any(result and re.match(r"\s*(?:REF|PAGEREF|HYPERLINK)\s", instruction)
                     for instruction, result in stack):
                yield r


def _link_color(styles: etree._Element, document: etree._Element) -> Check:
    """Links and cross-references print black, as in the PDF (Word's Hyperlink style is blue): the
    Hyperlink style, and no colour set directly on a link's or a cross-reference's own runs."""
    color = styles.find("w:style[@w:styleId='Hyperlink']/w:rPr/w:color", NS)
    value = _val(color, "val") if color is not None else None
    direct = [_val(c) for r in dict.fromkeys(_link_runs(document)) if (c := r.find("w:rPr/w:color", NS)) is not None
              and not _black(_val(c))]
    measured = tr("Hyperlink style color {color}", color=value or "auto")
    if direct:
        measured += tr("; {count} link or cross-reference runs coloured {colors}", count=len(direct),
                       colors=", ".join(sorted(set(direct))))
    return Check("docx.link-color", _black(value) and not direct, measured, tr("black (000000 or auto)"))


def _package(parts: dict[str, etree._Element], problems: list[str]) -> Check:
    """The package valid against the OOXML schemas, in Word 2013+ mode."""
    problems = list(problems)
    settings = parts.get("word/settings.xml")
    mode = settings.find("w:compat/w:compatSetting[@w:name='compatibilityMode']", NS) if settings is not None \
        else None
    if mode is None or _val(mode, "val") != "15":
        problems.append(tr("no compatibilityMode 15: Word opens it in Compatibility Mode"))
    measured = tr("valid, Word 2013+ mode") if not problems else tr(
        "{count} problems; first: {problem}", count=len(problems), problem=problems[0])
    return Check("docx.valid", not problems, measured,
                 tr("a valid OOXML package (openxml-audit) in Word 2013+ mode (compatibilityMode 15)"))

def list_entries(document: etree._Element) -> list[tuple[str, str | None]]:
    """(title, the page number it ends with, or None) of each entry of the generated lists."""
    out = []
    for p in document.iter(f"{{{W}}}p"):
        style = _val(p.find("w:pPr/w:pStyle", NS)) or ""
        if not re.fullmatch(r"TOC\d", style):
            continue
        text = "".join("\t" if el.tag == f"{{{W}}}tab" else (el.text or "")
                       for el in p.iter(f"{{{W}}}t", f"{{{W}}}tab") if el.getparent().tag == f"{{{W}}}r")
        title, tab, page = text.rpartition("\t")
        numbered = tab and re.fullmatch(r"\d+|[ivxlcdm]+", page.strip(), re.I)
        out.append(((title or text).strip(), page.strip().lower() if numbered else None))
    return out


def _toc_page_numbers(document: etree._Element, profile: Profile) -> Check:
    """Each entry of the generated lists ends with its page number, so the lists read right even
    before Word refreshes the fields (and in editors that never do)."""
    entries, missing = 0, []
    for title, page in list_entries(document):
        entries += 1
        if page is None:
            missing.append(title[:30])
    wants_contents = any(item.get("list") == "contents" for item in profile.front_matter)
    ok = not missing and (entries > 0 or not wants_contents)
    measured = tr("{count} entries", count=entries)
    if missing:
        measured += tr("; no page number: {entries}", entries=", ".join(repr(m) for m in missing[:3]))
        if len(missing) > 3:
            measured += tr(" and {count} more", count=len(missing) - 3)
    elif entries:
        measured += tr(", each with its page number")
    return Check("docx.toc-page-numbers", ok, measured,
                 tr("every entry of the table of contents and the lists with its page number"))


def _describe(props: dict, indent: bool = False) -> str:
    """A style's values as verify prints them; with `indent`, the first-line indent even when there is none."""
    bits = [f"{props.get('font', '?')} {props.get('size', 0):g} pt"]
    if "line" in props:
        bits.append(tr("spacing {spacing}", spacing=f"{props['line']:g}"))
    if props.get("firstLine") or indent:
        bits.append(tr("first line {indent} cm", indent=f"{props.get('firstLine', 0):.2f}"))
    if props.get("hanging"):
        bits.append(tr("hanging {indent} cm", indent=f"{props['hanging']:.2f}"))
    if props.get("bold"):
        bits.append(tr("bold"))
    if "jc" in props:
        bits.append(props["jc"])
    return ", ".join(bits)


# w:numFmt values -> the profile's numbering names (pages.format_number writes them).
_NUM_FORMATS = {"upperRoman": "upper-roman", "lowerRoman": "lower-roman", "decimal": "decimal",
                "upperLetter": "upper-alpha", "lowerLetter": "lower-alpha"}
_SUFFIX = {"space": " ", "tab": "\t", "nothing": ""}


def list_numbers(parts: dict[str, etree._Element]) -> dict[etree._Element, str]:
    """The number Word shows before each paragraph it numbers by a list (with the space or tab
    after it), worked out from numbering.xml and styles.xml the way Word counts: a paragraph's own
    w:numPr or its style's (through w:basedOn), numId 0 for none, each level counted from its start
    and restarted under a higher one, w:isLgl showing the higher levels in Arabic numerals."""
    document, styles = parts["word/document.xml"], parts["word/styles.xml"]
    numbering = parts.get("word/numbering.xml")
    if numbering is None:
        return {}
    abstracts = {}
    for a in numbering.findall("w:abstractNum", NS):
        levels = {}
        for lvl in a.findall("w:lvl", NS):
            levels[int(_val(lvl, "ilvl"))] = {
                "start": int(_val(lvl.find("w:start", NS)) or 1) if lvl.find("w:start", NS) is not None else 1,
                "format": _val(lvl.find("w:numFmt", NS)) or "decimal",
                "text": _val(lvl.find("w:lvlText", NS)) or "",
                "legal": lvl.find("w:isLgl", NS) is not None,
                "suffix": _SUFFIX.get(_val(lvl.find("w:suff", NS)) or "tab", "\t")}
        abstracts[_val(a, "abstractNumId")] = levels
    nums = {}
    for num in numbering.findall("w:num", NS):
        starts = {int(_val(o, "ilvl")): int(_val(o.find("w:startOverride", NS)))
                  for o in num.findall("w:lvlOverride", NS) if o.find("w:startOverride", NS) is not None}
        nums[_val(num, "numId")] = (_val(num.find("w:abstractNumId", NS)), starts)
    style_num = {}
    by_id = {_val(st, "styleId"): st for st in styles.findall("w:style", NS)}
    for style_id in by_id:
        current, seen = style_id, set()
        while current in by_id and current not in seen:
            seen.add(current)
            found = by_id[current].find("w:pPr/w:numPr", NS)
            if found is not None:
                style_num[style_id] = found
                break
            current = _val(by_id[current].find("w:basedOn", NS))
    counters: dict[str, list[int]] = {}
    out = {}
    for p in document.iter(f"{{{W}}}p"):
        num_pr = p.find("w:pPr/w:numPr", NS)
        if num_pr is None:
            num_pr = style_num.get(_val(p.find("w:pPr/w:pStyle", NS)) or "")
        if num_pr is None:
            continue
        num_id = _val(num_pr.find("w:numId", NS))
        ilvl = int(_val(num_pr.find("w:ilvl", NS)) or 0) if num_pr.find("w:ilvl", NS) is not None else 0
        if num_id in (None, "0") or num_id not in nums or nums[num_id][0] not in abstracts:
            continue
        abstract_id, starts = nums[num_id]
        levels = abstracts[abstract_id]
        if ilvl not in levels:
            continue
        start = {k: starts.get(k, v["start"]) for k, v in levels.items()}
        count = counters.setdefault(num_id, [start.get(k, 1) - 1 for k in range(9)])
        count[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            count[deeper] = start.get(deeper, 1) - 1
        level = levels[ilvl]

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            fmt = "decimal" if level["legal"] and k < ilvl else levels.get(k, level)["format"]
            return format_number(count[k], _NUM_FORMATS.get(fmt, "decimal"))
        out[p] = re.sub(r"%([1-9])", number, level["text"]) + level["suffix"]
    return out


def _heading_numbering(document: etree._Element, profile: Profile, numbers: dict, draft: bool = False) -> Check:
    """Chapters numbered in the profile's numbering under its label, sections 1.1 under them;
    appendices under their own label and numbering, sections A.1 under them; the headings the
    template adds (unnumbered) end the count until the next chapter. A chapter's draft starts at
    its own chapter's number (BAB II, then 2.1)."""
    label = profile.headings.chapter.label
    style_of = profile.headings.chapter.numbering
    appendix_label = profile.appendices.label
    appendix_style = profile.appendices.numbering
    appendix_sections = bool(profile.appendices.number_sections)
    separator = profile.headings.chapter.one_line_separator.rstrip()
    one_line = profile.headings.chapter.layout == "one-line"

    def opening(word: str, number: str) -> str:
        return f"{number}{separator} " if one_line else f"{word} {number}\n"

    chapter, appendix, problems, count, skipped = 0, 0, [], 0, 0
    counters: list = []
    sections_numbered = True
    any_number = re.compile(r"[0-9]+|[IVXLCDM]+|[A-Z]+|[ivxlcdm]+|[a-z]+")
    for p in document.iter(f"{{{W}}}p"):
        style = _val(p.find("w:pPr/w:pStyle", NS)) or ""
        m = re.fullmatch(r"Heading(\d)", style)
        if not m:
            continue
        level = int(m.group(1))
        # The heading as it shows: Word's number for it (list numbering), then its text.
        text = numbers.get(p, "") + "".join("\n" if el.tag == f"{{{W}}}br" else (el.text or "")
                                            for el in p.iter(f"{{{W}}}t", f"{{{W}}}br"))
        if level == 1:
            if draft and not chapter and not appendix:
                # The draft's chapter: its number is where the count starts.
                skipped = chapter = next((n - 1 for n in range(1, 100)
                                          if text.startswith(opening(label, format_number(n, style_of)))), 0)
            next_chapter = opening(label, format_number(chapter + 1, style_of))
            next_appendix = opening(appendix_label, format_number(appendix + 1, appendix_style))
            if not appendix and text.startswith(next_chapter):
                chapter += 1
                counters, sections_numbered = [format_number(chapter, "decimal")], True
                count += 1
            elif chapter and text.startswith(next_appendix):
                appendix += 1
                counters = [format_number(appendix, appendix_style)]
                sections_numbered = appendix_sections
                count += 1
            else:
                counters = []
                first = text.splitlines()[0] if text else ""
                m_label = next((w for w in (label, appendix_label)
                                if re.fullmatch(rf"{re.escape(w)} (?:{any_number.pattern})", first)), None)
                if m_label and not one_line:
                    problems.append(tr("{heading} out of order", heading=repr(first)))
            continue
        if not counters or not sections_numbered or level > int(profile.headings.section.max_level):
            continue
        counters = (counters + [0] * level)[:level]
        counters[level - 1] += 1
        want = ".".join(map(str, counters)) + " "
        count += 1
        if not text.startswith(want):
            problems.append(tr("{heading} (want {number})", heading=repr(text[:20]), number=want.strip()))
    first = format_number(1, style_of)
    expected = tr("{label} {first}, then 1.1, 1.1.1, 1.1.1.1", label=label, first=first)
    if appendix:
        letter = format_number(1, appendix_style)
        expected += f"; {appendix_label} {letter}"
        if appendix_sections:
            expected += tr(", then {letter}.1, {letter}.1.1", letter=letter)
    return Check("docx.heading-numbering", not problems and chapter > 0,
                 tr("{chapters} chapters, {appendices} appendices, {count} numbered headings", chapters=chapter - skipped,
                    appendices=appendix, count=count)
                 + (f"; {'; '.join(problems[:3])}" if problems else ""), expected)
