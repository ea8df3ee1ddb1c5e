"""PDF measurements, from the page objects pdfium reads (text runs, pictures, bookmarks)."""

from __future__ import annotations

import functools
import json
import multiprocessing
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Profile
from ..errors import UserError
from ..fsutil import code_digest, write_atomic
from ..i18n import plural, tr
from ..pages import roman
from .common import Check, close
from .page_keys import page_keys

MM = 72 / 25.4           # points per millimetre
PARALLEL_FROM = 40       # pages from which two processes read the PDF
_ROMAN = re.compile(r"^[ivxlcdm]+$")
_ARABIC = re.compile(r"^\d+$")


@dataclass
class Line:
    y: float             # baseline, points from the bottom
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float
    font: str


@dataclass
class Page:
    number: int          # 1-based index in the file
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    images: list[tuple[float, float, float, float]] = field(default_factory=list)  # graphics: x0, y0, x1, y1


def read_pdf(path: Path, processes: int = 2, cache: Path | None = None
             ) -> tuple[list[Page], list[tuple[int, str, int, float | None]]]:
    """Pages with their text lines and images, and the outline as (level, title, page, top); a
    long PDF in two processes unless `processes` is 1 (another process already takes a core);
    with `cache`, a folder where the pages read are kept under their keys (page_keys.py), and only
    the pages not kept there are read.

    pdfium reads the page objects: a text object (a run of glyphs in one font, from its origin on
    the baseline) gives its text, font, size and extent; a line spans the font's descent to one
    em above it, as in the PDF's own font metrics. Images and vector paths are pictures."""
    # The file read once: the pages read and the keys they are kept under are of the same bytes,
    # though a build (`thesisbuild watch`) may replace the file meanwhile.
    data = _bytes(path)
    document = _open(path, data)
    try:
        count, outline = len(document), _outline(document)
    finally:
        document.close()
    keys = page_keys(data) if cache is not None else None
    if keys is not None and len(keys) != count:
        keys = None
    kept = _kept_pages(cache) if keys is not None else {}
    numbers = [n for n in range(1, count + 1) if keys is None or keys[n - 1] not in kept]
    if not numbers:
        read = []
    elif len(numbers) < PARALLEL_FROM or processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        read = _read_pages(path, numbers, data)
    else:
        # Many pages: two processes read alternate pages (pdfium is not thread-safe).
        halves = [numbers[0::2], numbers[1::2]]
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            both = list(pool.map(_read_pages, [path, path], halves, [data, data]))
        read = both[0] + both[1]
    found = {page.number: page for page in read}
    pages = [found.get(n) or replace(kept[keys[n - 1]], number=n) for n in range(1, count + 1)]
    if keys is not None and read:
        _keep_pages(cache, dict(zip(keys, pages)))
    return pages, outline


_KEPT_PAGES = "pdf-pages.json"


@functools.lru_cache(maxsize=1)
def _reader_version() -> str:
    """What a page's reading depends on besides the page: pdfium, this module and the keys'."""
    import pypdfium2

    code = code_digest(Path(__file__), Path(__file__).with_name("page_keys.py"))[:16]
    return f"{getattr(pypdfium2, 'PYPDFIUM_INFO', '')} {getattr(pypdfium2, 'PDFIUM_INFO', '')} {code}"


def _kept_pages(cache: Path | None) -> dict[str, Page]:
    try:
        kept = json.loads((cache / _KEPT_PAGES).read_text(encoding="utf-8"))
        if kept.get("version") != _reader_version():
            return {}
        return {key: Page(number=0, width=width, height=height, lines=[Line(*line) for line in lines],
                          images=[tuple(image) for image in images])
                for key, (width, height, lines, images) in kept["pages"].items()}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def _keep_pages(cache: Path, pages: dict[str, Page]) -> None:
    """The PDF's pages under their keys, for the next verify (the pages of older builds dropped)."""
    data = {key: [page.width, page.height,
                  [[line.y, line.x0, line.x1, line.top, line.bottom, line.text, line.size, line.font]
                   for line in page.lines], [list(image) for image in page.images]]
            for key, page in pages.items()}
    cache.mkdir(parents=True, exist_ok=True)
    write_atomic(cache / _KEPT_PAGES, json.dumps({"version": _reader_version(), "pages": data},
                                                 ensure_ascii=False, separators=(",", ":")))


def _read_pages(path: Path, numbers: list[int], data: bytes | None = None) -> list[Page]:
    """The given pages (1-based) with their text lines and images; of `data`, the PDF's bytes,
    when given."""
    import ctypes

    import pypdfium2.raw as raw

    document = _open(path, data)
    pages: list[Page] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    stroke = ctypes.c_float()
    matrix = raw.FS_MATRIX()
    box = raw.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    em = ctypes.c_float()
    descent = ctypes.c_float()
    name = ctypes.create_string_buffer(256)
    text_buffer = (ctypes.c_ushort * 4096)()
    fonts: dict[int | None, str] = {}
    descents: dict[tuple[int | None, float], float] = {}
    # The calls made for every text run, bound once (the attribute lookups were a tenth of the time).
    get_type, get_text, get_bounds = raw.FPDFPageObj_GetType, raw.FPDFTextObj_GetText, raw.FPDFPageObj_GetBounds
    get_matrix, get_size, get_font = raw.FPDFPageObj_GetMatrix, raw.FPDFTextObj_GetFontSize, raw.FPDFTextObj_GetFont
    text_kind, picture_kinds = raw.FPDF_PAGEOBJ_TEXT, (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH)
    string_at, address, buffer_size = ctypes.string_at, ctypes.c_void_p, ctypes.sizeof(text_buffer)
    try:
        for number in numbers:
            pdf_page = document[number - 1]
            width, height = pdf_page.get_size()
            page = Page(number=number, width=width, height=height)
            text_page = pdf_page.get_textpage()
            text_handle = text_page.raw
            rows: dict[float, list] = {}
            def walk(count, get, parent) -> bool:
                """Collect the text and pictures under `parent`; whether it holds any picture."""
                pictured = False
                for i in range(count(parent)):
                    obj = get(parent, i)
                    kind = get_type(obj)
                    if kind == text_kind:
                        size_bytes = get_text(obj, text_handle, text_buffer, buffer_size)
                        # Only the bytes written (the buffer is 8 KB; copying it whole per run cost half the time).
                        text = string_at(text_buffer, max(0, size_bytes - 2)).decode("utf-16-le", "replace")
                        text = text.replace("\x02", "-").replace("\xa0", " ")
                        if not text.strip():
                            continue
                        get_bounds(obj, left, bottom, right, top)
                        get_matrix(obj, matrix)
                        get_size(obj, em)
                        size = em.value * (matrix.a ** 2 + matrix.b ** 2) ** 0.5
                        font = get_font(obj)
                        key = address.from_buffer(font).value    # the handle's address (cast is 3x slower)
                        if key not in fonts:
                            raw.FPDFFont_GetBaseFontName(font, name, ctypes.sizeof(name))
                            fonts[key] = name.value.decode("utf-8", "replace").split("+")[-1]
                        if (key, size) not in descents:
                            raw.FPDFFont_GetDescent(font, size, descent)
                            descents[(key, size)] = descent.value
                        low = matrix.f + descents[(key, size)]
                        rows.setdefault(round(matrix.f, 1), []).append(
                            [matrix.e, right.value, low + size, low, text, size, fonts[key], obj])
                    elif kind in picture_kinds:
                        raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                        inset = 0.0
                        if kind == raw.FPDF_PAGEOBJ_PATH and raw.FPDFPageObj_GetStrokeWidth(obj, stroke):
                            # A rule's bounds reach past its line by its width times the miter limit
                            # (a table's top rule at the top margin would seem to cross it).
                            inset = min(stroke.value * 2, (right.value - left.value) / 2, (top.value - bottom.value) / 2)
                        page.images.append((left.value + inset, bottom.value + inset, right.value - inset,
                                            top.value - inset))
                        pictured = True
                    elif kind == raw.FPDF_PAGEOBJ_FORM:
                        # A form (an embedded SVG figure): its pictures, or the form itself.
                        if not walk(raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, obj):
                            raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                            page.images.append((left.value, bottom.value, right.value, top.value))
                        pictured = True
                return pictured

            walk(raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, pdf_page)
            for row in rows.values():
                last = max(row, key=lambda run: run[1])
                last[1] = _advance_end(raw, text_handle, last, box, origin_x, origin_y)
            page.lines = _lines(rows)
            pages.append(page)
            text_page.close()
            pdf_page.close()
        return pages
    finally:
        document.close()


def _advance_end(raw, text_page, run, box, origin_x, origin_y) -> float:
    """Where a line's last run ends: where its last glyph's advance ends, as pdfminer measured
    (a drawn outline may overhang it, as an italic f does)."""
    import ctypes

    x1, top, bottom, obj = run[1], run[2], run[3], run[7]
    address = ctypes.c_void_p.from_buffer
    key = address(obj).value
    i = raw.FPDFText_GetCharIndexAtPos(text_page, x1 - 0.3, (top + bottom) / 2, 1.0, (top - bottom) / 2)
    if i < 0 or address(raw.FPDFText_GetTextObject(text_page, i)).value != key:
        return x1
    count = raw.FPDFText_CountChars(text_page)
    while (i > 0 and chr(raw.FPDFText_GetUnicode(text_page, i)).isspace()
           and address(raw.FPDFText_GetTextObject(text_page, i - 1)).value == key):
        i -= 1                                     # the run's trailing space: the word before it
    while (i + 1 < count and not chr(raw.FPDFText_GetUnicode(text_page, i + 1)).isspace()
           and address(raw.FPDFText_GetTextObject(text_page, i + 1)).value == key):
        i += 1
    if not raw.FPDFText_GetLooseCharBox(text_page, i, box):
        return x1
    # pdfium marks a hyphen that breaks a word as U+0002, with a box of its own.
    end = box.right if raw.FPDFText_GetUnicode(text_page, i) != 2 else max(box.right, x1)
    following = raw.FPDFText_GetTextObject(text_page, i + 1) if i + 1 < count else None
    if (following and address(following).value == key
            and raw.FPDFText_GetCharOrigin(text_page, i + 1, origin_x, origin_y)
            and bottom <= origin_y.value <= top):
        end = min(end, origin_x.value)   # the space typst sets after a line's last word
    return end


def is_draft(path: Path) -> bool:
    """Whether the PDF is a chapter's draft (`thesisbuild draft` marks it in the PDF's keywords)."""
    document = _open(path)
    try:
        return "thesisbuild-draft" in (document.get_metadata_dict().get("Keywords") or "")
    finally:
        document.close()


def read_outline(path: Path) -> list[tuple[int, str, int, float | None]]:
    """The PDF's bookmarks as (level, title, page, top), from the page tree alone: no page is drawn."""
    document = _open(path)
    try:
        return _outline(document)
    finally:
        document.close()


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise UserError(tr("no such PDF; build it first with `doit`."), path) from None


def _open(path: Path, data: bytes | None = None):
    import pypdfium2

    if data is None and not path.is_file():
        raise UserError(tr("no such PDF; build it first with `doit`."), path)
    try:
        return pypdfium2.PdfDocument(data if data is not None else str(path))
    except Exception as err:
        raise UserError(tr("not a readable PDF ({problem}); rebuild it.", problem=err), path) from None


def _outline(document) -> list[tuple[int, str, int, float | None]]:
    import pypdfium2.raw as raw

    outline = []
    for bookmark in document.get_toc():
        dest = bookmark.get_dest()
        if dest is None:
            continue
        index = dest.get_index()
        if index is None or index < 0:
            continue
        mode, pos = dest.get_view()
        top = float(pos[1]) if mode == raw.PDFDEST_VIEW_XYZ and len(pos) > 1 else None
        outline.append((bookmark.level + 1, bookmark.get_title(), index + 1, top))
    return outline


def _lines(rows: dict[float, list]) -> list[Line]:
    """Text runs on one baseline make a line: (x0, x1, top, bottom, text, size, font) each."""
    lines = []
    for y, row in sorted(rows.items(), key=lambda kv: -kv[0]):
        row.sort(key=lambda run: run[0])
        sizes = _most_common([round(run[5], 1) for run in row])
        fonts = _most_common([run[6] for run in row])
        text = ""
        for i, run in enumerate(row):
            if i and (run[0] - row[i - 1][1] > run[5] * 0.15 or row[i - 1][4][-1:].isspace()
                      or run[4][:1].isspace()):
                text += " "
            text += run[4].strip()
        lines.append(Line(y=y, x0=min(run[0] for run in row), x1=max(run[1] for run in row),
                          top=max(run[2] for run in row), bottom=min(run[3] for run in row), text=text,
                          size=sizes, font=fonts))
    return lines


def _most_common(values: list):
    """The value most runs of a line have, the first of those as many (Counter.most_common's
    choice, without a Counter for the one or two runs most lines have)."""
    if len(values) == 1:
        return values[0]
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=counts.__getitem__)


def _roman(n: int) -> str:
    return roman(n).lower()


def verify_pdf(path: Path, profile: Profile, lang: str = "id-ID", processes: int = 2,
               cache: Path | None = None) -> list[Check]:
    """Every PDF rule; `cache`, a folder where the pages read are kept for the next run (read_pdf)."""
    pages, outline = read_pdf(path, processes, cache)
    checks: list[Check] = []
    W, H = float(profile.page.width_cm) * 10, float(profile.page.height_cm) * 10
    m = profile.page.margin_cm
    T, L, B, R = (float(m[k]) * 10 for k in ("top", "left", "bottom", "right"))
    size = float(profile.font.size_pt)
    pitch = size * float(profile.font.single_line_em) * float(profile.body.line_spacing)

    # Page size.
    sizes = Counter((round(p.width / MM, 1), round(p.height / MM, 1)) for p in pages)
    off_pages = [p.number for p in pages if not (close(p.width / MM, W, 0.5) and close(p.height / MM, H, 0.5))]
    wrong = [tr("page {number}", number=n) for n in off_pages]
    measured = ", ".join(tr(plural(n, "{width} × {height} mm ({count} page)", "{width} × {height} mm ({count} pages)"),
                            width=f"{w:g}", height=f"{h:g}", count=n) for (w, h), n in sizes.items())
    checks.append(Check("pdf.page-size", not wrong,
                        measured + (tr("; off: {pages}", pages=", ".join(wrong[:5])) if wrong else ""),
                        f"{W:g} × {H:g} mm", page=next(iter(off_pages), None)))

    # Which pages are the body (arabic numbers), and where chapters open (outline level 1).
    chapter_pages = {page for level, title, page, _ in outline if level == 1}
    numbers = {p.number: _page_number(p, T, B) for p in pages}
    body_start = next((p.number for p in pages if numbers[p.number] and _ARABIC.match(numbers[p.number][0])), None)

    # Page numbers: text and position on every page.
    problems, problem_pages = [], []
    seen = 0
    for p in pages:
        found = numbers[p.number]
        in_body = body_start is not None and p.number >= body_start
        if p.number == 1:
            expect_text, where = None, "none"
        elif not in_body:
            expect_text, where = _roman(p.number), profile.page_numbers.front_position
        else:
            expect_text = str(p.number - body_start + 1)
            where = (profile.page_numbers.chapter_opening if p.number in chapter_pages
                     else profile.page_numbers.other_pages)
        got_text, got_where = (found[0], _position(found[1], found[2], W, L, R, found[3])) if found else (None, "none")
        if (got_text, got_where) != (expect_text, where):
            problems.append(tr("page {number}: {got} {got_where} (want {want} {where})", number=p.number,
                               got=got_text or tr("no number"), got_where=got_where,
                               want=expect_text or tr("none"), where=where))
            problem_pages.append(p.number)
        seen += 1
    checks.append(Check("pdf.page-numbers", not problems,
                        tr("{count} pages checked; body from page {start}", count=seen, start=body_start)
                        + (f"; {'; '.join(problems[:4])}" if problems else ""),
                        tr("cover unnumbered, front {front} {front_position}, body arabic from 1, chapter opening "
                           "{opening}, other pages {other}", front=profile.page_numbers.front_numbering,
                           front_position=profile.page_numbers.front_position,
                           opening=profile.page_numbers.chapter_opening,
                           other=profile.page_numbers.other_pages),
                        page=next(iter(problem_pages), None)))

    # The text block's margins, from glyph positions: on every body page nothing crosses them, and
    # across the body the leftmost line start and the rightmost line end lie on them (headings and
    # reference entries start at the left margin; a justified line ends at the right one).
    body_pages = [p for p in pages if body_start and p.number >= body_start]
    text_width = (W - L - R) * MM
    leftmost = rightmost = None
    longest = 0.0
    tops, bottoms, offs, off_pages = [], [], [], []
    for p in body_pages:
        text = [ln for ln in _text_lines(p, T, B) if ln.size >= size * 0.8]
        if not text:
            continue
        left = min(ln.x0 for ln in text) / MM
        right = (p.width - max(ln.x1 for ln in text)) / MM
        leftmost = left if leftmost is None else min(leftmost, left)
        rightmost = right if rightmost is None else min(rightmost, right)
        longest = max([longest] + [ln.x1 - ln.x0 for ln in text])
        # Figures and smaller text (code, table cells) belong to the text block too: a page may
        # start or end with them.
        every = _text_lines(p, T, B)
        top = (p.height - max([ln.top for ln in every] + [g[3] for g in p.images])) / MM
        bottom = min([ln.bottom for ln in every] + [g[1] for g in p.images]) / MM
        tops.append(top), bottoms.append(bottom)
        if left < L - 0.5 or right < R - 0.5 or top < T - 0.5 or top > T + 8 or bottom < B - 0.5:
            offs.append(tr("page {number}: left {left}, right {right}, top {top}, bottom {bottom}", number=p.number,
                           left=f"{left:.1f}", right=f"{right:.1f}", top=f"{top:.1f}", bottom=f"{bottom:.1f}"))
            off_pages.append(p.number)
    right_known = longest >= 0.8 * text_width      # some line runs (nearly) across the text block
    if leftmost is not None and not close(leftmost, L, 1.0):
        offs.insert(0, tr("no line starts at the left margin (leftmost {mm} mm)", mm=f"{leftmost:.1f}"))
    if right_known and rightmost is not None and not close(rightmost, R, 1.0):
        offs.insert(0, tr("no line ends at the right margin (rightmost {mm} mm)", mm=f"{rightmost:.1f}"))
    if tops:
        right_text = f"{rightmost:.1f}" if right_known else tr("n/a (no full line)")
        measured = tr("left {left}, right {right}, top {top}, bottom ≥ {bottom} mm on {count} body pages",
                      left=f"{leftmost:.1f}", right=right_text, top=f"{min(tops):.1f}", bottom=f"{min(bottoms):.1f}",
                      count=len(tops))
    else:
        measured = tr("no body text found")
    checks.append(Check("pdf.margins", bool(tops) and not offs,
                        measured + (f"; {'; '.join(offs[:3])}" if offs else ""),
                        tr("left {left}, right {right}, top {top}, bottom {bottom} mm", left=f"{L:g}", right=f"{R:g}",
                           top=f"{T:g}", bottom=f"{B:g}"), page=next(iter(off_pages), None)))

    # Body font and size, and the line pitch.
    body_lines = [ln for p in body_pages for ln in _text_lines(p, T, B)]
    fonts = Counter(ln.font for ln in body_lines)
    sizes = Counter(ln.size for ln in body_lines)
    font = fonts.most_common(1)[0][0] if fonts else tr("none")
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    families = [f.replace(" ", "").lower() for f in profile.font.pdf_families]
    font_ok = any(font.replace(" ", "").lower().startswith(f) for f in families)
    checks.append(Check("pdf.body-font", font_ok and close(body_size, size, 0.1),
                        f"{font} {body_size:g} pt", tr("one of {fonts}, {size} pt",
                                                        fonts=", ".join(profile.font.pdf_families), size=f"{size:g}")))
    gaps = []
    for p in body_pages:
        prose = [ln for ln in _text_lines(p, T, B) if close(ln.size, body_size, 0.1)]
        for a, b in zip(prose, prose[1:]):
            gap = a.y - b.y
            if 0 < gap < pitch * 1.5:
                gaps.append(round(gap, 2))
    measured_pitch = Counter(gaps).most_common(1)[0][0] if gaps else 0.0
    checks.append(Check("pdf.line-pitch", close(measured_pitch, pitch, 0.3),
                        tr("{pitch} pt between baselines", pitch=f"{measured_pitch:g}"),
                        tr("{pitch} pt ({spacing} lines)", pitch=f"{pitch:.2f}", spacing=profile.body.line_spacing)))

    # Each chapter opens a new page: its heading is the first text on its page.
    late, late_pages = [], []
    for level, title, page_no, top in outline:
        if level != 1:
            continue
        page = pages[page_no - 1]
        first = next(iter(_text_lines(page, T, B)), None)
        if first is None or not _same_heading(first.text, title, page, T, B):
            late.append(tr("{title} (page {number})", title=title, number=page_no))
            late_pages.append(page_no)
    n_chapters = sum(1 for level, *_ in outline if level == 1)
    checks.append(Check("pdf.chapter-new-page", not late and n_chapters > 0,
                        tr("{count} chapter-level headings", count=n_chapters)
                        + (tr("; not at the top of a page: {headings}", headings=", ".join(late[:4])) if late
                           else tr(", each at the top of its page")),
                        tr("each chapter on a new page"), page=next(iter(late_pages), None)))

    # Captions: "Gambar" below its figure, "Tabel" above its table. A paragraph that begins with a
    # reference ("Gambar 1.1 menunjukkan …") starts where paragraphs start, not where captions do.
    fig_label, tab_label = profile.captions.figure_label, profile.captions.table_label
    paragraph_x = ((leftmost or L) + float(profile.body.first_line_indent_cm) * 10) * MM
    label_number = r"\s*[0-9A-Za-z]+\.\d+"
    # A reference that ends a sentence ("… disajikan pada\nTabel 3.2.") is prose, and so is a short
    # line that is not centred when the profile centres captions.
    prose_reference = re.compile(label_number + r"\s*[.,;:)]*\s*$|" + label_number + r"[,;:)]")
    centred = profile.captions.align in ("center", "centre")
    bad, bad_pages, counted = [], [], 0
    for p in pages:
        # The block as measured (the margins rule judges the margins themselves).
        block_centre = ((leftmost or L) * MM + p.width - ((rightmost if right_known else None) or R) * MM) / 2
        for i, ln in enumerate(p.lines):
            if centred:
                if abs((ln.x0 + ln.x1) / 2 - block_centre) > 3 * MM:
                    continue
                # A justified line of prose is as wide as the block: it is prose when it follows the
                # line above it at the body's pitch, as the lines of one paragraph do.
                prev = p.lines[i - 1] if i > 0 else None
                if (ln.x1 - ln.x0 > 0.97 * text_width and prev is not None
                        and abs(prev.y - ln.y - pitch) < 1.0 and prev.x1 > ln.x1 - MM):
                    continue
            elif paragraph_x > (leftmost or L) * MM + MM and close(ln.x0, paragraph_x, 0.8 * MM):
                continue
            rest = ln.text[len(fig_label):] if ln.text.startswith(fig_label) else ln.text[len(tab_label):]
            if prose_reference.match(rest):
                continue
            if re.match(re.escape(fig_label) + label_number, ln.text) and body_start and p.number >= body_start:
                counted += 1
                above = [img for img in p.images if img[1] >= ln.top - 1]
                if not above or min(img[1] for img in above) - ln.top > 30:
                    bad.append(tr("{caption} (page {number}): no figure just above", caption=ln.text[:30], number=p.number))
                    bad_pages.append(p.number)
            elif re.match(re.escape(tab_label) + label_number, ln.text) and body_start and p.number >= body_start:
                counted += 1
                below = p.lines[i + 1] if i + 1 < len(p.lines) else None
                if below is None or ln.y - below.y > pitch * 3:
                    bad.append(tr("{caption} (page {number}): no table just below", caption=ln.text[:30], number=p.number))
                    bad_pages.append(p.number)
    checks.append(Check("pdf.captions", not bad,
                        tr(plural(counted, "{count} caption", "{count} captions"), count=counted)
                        + (f"; {'; '.join(bad[:3])}" if bad else tr(", each on the right side")),
                        tr("{figure} below its figure, {table} above its table", figure=fig_label, table=tab_label),
                        page=next(iter(bad_pages), None)))
    return checks


def _text_lines(page: Page, T: float, B: float) -> list[Line]:
    """Every line but the page number: text that strays into a margin is measured, not skipped."""
    number = _page_number(page, T, B)
    if number is None:
        return list(page.lines)
    return [ln for ln in page.lines if not (ln.text == number[0] and ln.x0 == number[1])]


def _page_number(page: Page, T: float, B: float) -> tuple[str, float, float, bool] | None:
    """The page number printed in the header or footer: (text, x0, x1, in the header)."""
    for ln in page.lines:
        in_header = ln.top > page.height - (T - 2) * MM
        if (in_header or ln.bottom < (B - 2) * MM) and (_ROMAN.match(ln.text) or _ARABIC.match(ln.text)):
            return ln.text, ln.x0, ln.x1, in_header
    return None


def _position(x0: float, x1: float, W: float, L: float, R: float, in_header: bool) -> str:
    centre = (x0 + x1) / 2 / MM
    block_centre = L + (W - L - R) / 2
    across = "center" if close(centre, block_centre, 3) else ("right" if close(x1 / MM, W - R, 1.5) else "other")
    return f"{'top' if in_header else 'bottom'}-{across}"


def _same_heading(first_line: str, title: str, page: Page, T: float, B: float) -> bool:
    """The bookmark's title is the heading as written; the page may show it in capitals."""
    lines = [ln.text for ln in _text_lines(page, T, B)[:3]]
    words = re.sub(r"\s+", " ", title).strip().casefold().split(" ")
    joined = " ".join(lines).casefold()
    return all(w in joined for w in words[-2:])
