"""The DOCX looks like the PDF where the audit found it did not: lists indented as typst indents them,
inline code as wide as the PDF's, tables as wide and aligned as the PDF's, a table's description its
caption, the lists of figures and tables collected by their captions' SEQ identifier, and the
reference document in Word 2013+ mode. Measured on the PDF (pypdfium2) against the DOCX's XML, and,
where LibreOffice is installed, against the DOCX as LibreOffice lays it out."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from .conftest import run_cli, run_doit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CM_PER_PT = 2.54 / 72
MARGIN_LEFT_CM = 4.0
TEXT_WIDTH_CM = 14.0

CHAPTER = """# DAFTAR DAN TABEL

Paragraf pembuka dengan berkas `figures/contoh-grafik.py` dan `bibliography/references.yaml` di dalam kalimat.

- Butir pertama
- Butir kedua
    - Anak satu

1. Satu
2. Dua
    1. Sub satu
    2. Sub dua
3. Tiga
    - Poin dalam nomor

Paragraf setelah daftar.

: Jadwal kegiatan {#tbl-kecil}

| No | Kegiatan | Mulai | Selesai |
|---:|:---|:---:|---|
| 1 | Analisis dan penulisan | Jan | Mar |
| 2 | Sidang | Apr | Apr |

\\newpage

: Skenario pengujian {#tbl-lebar}

| No | Fungsi yang Diuji | Skenario Pengujian | Data Masukan | Hasil yang Diharapkan | Status |
|----|-------------------|--------------------|--------------|------------------------|--------|
| 1 | Masuk | Pengguna memasukkan nama pengguna dan kata sandi yang benar | admin | Sistem menampilkan halaman dasbor sesuai hak akses | Belum diuji |
"""


@pytest.fixture(scope="module")
def look(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new thesis (`thesisbuild new`) with a second chapter of lists, inline code and a narrow table."""
    base = tmp_path_factory.mktemp("look")
    project = base / "skripsi"
    proc = run_cli(base, "new", str(project))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (project / "chapters" / "02-daftar.md").write_text(CHAPTER, encoding="utf-8")
    yaml = (project / "thesis.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("  - chapters/01-pendahuluan.md", "  - chapters/01-pendahuluan.md\n  - chapters/02-daftar.md")
    (project / "thesis.yaml").write_text(yaml, encoding="utf-8")
    proc = run_doit(project)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    return project


def _part(docx: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read(name))


def _words(pdf: Path) -> list[tuple[int, str, float, float, float, float]]:
    """Every word of the PDF: page, text, left and right edge (cm from the page's left), top (cm), and
    where its last character begins."""
    import pypdfium2

    out = []
    document = pypdfium2.PdfDocument(str(pdf))
    for index in range(len(document)):
        page = document[index]
        height = page.get_height()
        text = page.get_textpage()
        word, left, right, top, last = "", 0.0, 0.0, 0.0, 0.0
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            box = text.get_charbox(i)
            if ch.isspace() or not ch:
                if word:
                    out.append((index, word, left, right, top, last))
                word = ""
                continue
            if not word:
                left, top = box[0] * CM_PER_PT, (height - box[3]) * CM_PER_PT
            word += ch
            right, last = box[2] * CM_PER_PT, box[0] * CM_PER_PT
        if word:
            out.append((index, word, left, right, top, last))
    return out


def _word(words, text: str, after: str | None = None) -> tuple[int, str, float, float, float, float]:
    """The first word `text`, or the first after the word `after`."""
    start = 0
    if after is not None:
        start = next(i for i, w in enumerate(words) if w[1] == after) + 1
    return next(w for w in words[start:] if w[1] == text)


def _numbering_of(docx: Path, first_words: str) -> tuple[etree._Element, etree._Element]:
    """The paragraph that begins with `first_words` and its list level's definition."""
    doc, numbering = _part(docx, "word/document.xml"), _part(docx, "word/numbering.xml")
    for p in doc.iter(f"{{{W}}}p"):
        if "".join(p.itertext()).startswith(first_words) and p.find("w:pPr/w:numPr", NS) is not None:
            num_id = p.find("w:pPr/w:numPr/w:numId", NS).get(f"{{{W}}}val")
            ilvl = p.find("w:pPr/w:numPr/w:ilvl", NS).get(f"{{{W}}}val")
            abstract = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(f"{{{W}}}val")
            lvl = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl[@w:ilvl='{ilvl}']", NS)
            return p, lvl
    raise AssertionError(f"no list paragraph starting {first_words!r}")


def _ind_cm(lvl: etree._Element) -> tuple[float, float]:
    ind = lvl.find("w:pPr/w:ind", NS)
    left = int(ind.get(f"{{{W}}}left")) / 1440 * 2.54
    return left, int(ind.get(f"{{{W}}}hanging", "0")) / 1440 * 2.54


@pytest.mark.parametrize("item, marker, after", [("Butir", "•", None), ("Satu", "1.", None),
                                                 ("Anak", "‣", None), ("Sub", "1.", "Dua"),
                                                 ("Poin", "•", None)])     # a bullet list in a numbered item
def test_list_indents_in_numbering_xml_equal_the_pdfs(look: Path, item: str, marker: str, after: str | None):
    words = _words(look / "build" / "thesis.pdf")
    pdf_text = _word(words, item, after)[2] - MARGIN_LEFT_CM
    index = words.index(_word(words, item, after))
    pdf_marker = words[index - 1][2] - MARGIN_LEFT_CM
    assert words[index - 1][1] == marker
    _p, lvl = _numbering_of(look / "build" / "thesis.docx", {"Sub": "Sub satu"}.get(item, item))
    left, hanging = _ind_cm(lvl)
    assert abs(left - pdf_text) < 0.05, (item, left, pdf_text)
    if lvl.find("w:lvlJc", NS).get(f"{{{W}}}val") == "left":
        assert abs(left - hanging - pdf_marker) < 0.05, (item, left - hanging, pdf_marker)
    assert lvl.find("w:lvlText", NS).get(f"{{{W}}}val") in (marker, "%1.", "%2.")


def test_inline_code_is_as_wide_as_the_pdfs(look: Path):
    """Verbatim Char: a font Word has (Courier New), each character as wide as DejaVu Sans Mono's in
    the PDF within 1 %."""
    words = _words(look / "build" / "thesis.pdf")
    code = _word(words, "figures/contoh-grafik.py", "berkas")
    pdf_char = (code[5] - code[2]) / (len(code[1]) - 1)      # from its first character's start to its last's
    styles = _part(look / "build" / "thesis.docx", "word/styles.xml")
    rpr = styles.find("w:style[@w:styleId='VerbatimChar']/w:rPr", NS)
    assert rpr.find("w:rFonts", NS).get(f"{{{W}}}ascii") == "Courier New"
    size_pt = int(rpr.find("w:sz", NS).get(f"{{{W}}}val")) / 2
    spacing = rpr.find("w:spacing", NS)
    extra_pt = int(spacing.get(f"{{{W}}}val")) / 20 if spacing is not None else 0
    docx_char = (0.6 * size_pt + extra_pt) * 2.54 / 72
    assert abs(docx_char - pdf_char) / pdf_char < 0.01, (docx_char, pdf_char)
    assert size_pt < 10


def _table(docx: Path, caption: str) -> etree._Element:
    doc = _part(docx, "word/document.xml")
    for tbl in doc.iter(f"{{{W}}}tbl"):
        if caption in (tbl.find("w:tblPr/w:tblCaption", NS).get(f"{{{W}}}val")):
            return tbl
    raise AssertionError(caption)


def _pdf_table_width_cm(pdf: Path, word: str) -> float:
    """The widest ruled line on the page with `word`, less the 1 pt stroke's half at each end."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(str(pdf))
    for index in range(len(document)):
        page = document[index]
        if word not in page.get_textpage().get_text_range():
            continue
        widths = [(b[2] - b[0]) for o in page.get_objects() if o.type == raw.FPDF_PAGEOBJ_PATH
                  for b in [o.get_bounds()]]
        return (max(widths) - 1.0) * CM_PER_PT
    raise AssertionError(word)


def test_a_narrow_table_is_as_wide_as_the_pdfs_centred_and_its_cells_aligned_like_the_pdfs(look: Path):
    tbl = _table(look / "build" / "thesis.docx", "Jadwal kegiatan")
    width = tbl.find("w:tblPr/w:tblW", NS)
    assert width.get(f"{{{W}}}type") == "dxa"
    docx_cm = int(width.get(f"{{{W}}}w")) / 1440 * 2.54
    pdf_cm = _pdf_table_width_cm(look / "build" / "thesis.pdf", "Sidang")
    assert abs(docx_cm - pdf_cm) < 0.1, (docx_cm, pdf_cm)
    assert docx_cm < TEXT_WIDTH_CM - 2
    assert tbl.find("w:tblPr/w:jc", NS).get(f"{{{W}}}val") == "center"
    grid = [int(c.get(f"{{{W}}}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert len(set(grid)) > 1                # not equal columns: as wide as their cells
    aligns = [[p.find("w:pPr/w:jc", NS).get(f"{{{W}}}val") for p in tr.iterfind("w:tc/w:p", NS)]
              for tr in tbl.findall("w:tr", NS)]
    # ---: right, :--- left, :---: centre, --- (no alignment) centred as typst centres it.
    assert all(row == ["right", "left", "center", "center"] for row in aligns), aligns


def test_a_tables_header_cells_sit_at_the_top_as_the_pdfs(look: Path):
    styles = _part(look / "build" / "thesis.docx", "word/styles.xml")
    aligns = [a.get(f"{{{W}}}val") for a in
              styles.iterfind("w:style[@w:styleId='Table']/w:tblStylePr[@w:type='firstRow']/w:tcPr/w:vAlign", NS)]
    assert aligns == ["top"]


def test_no_table_cell_is_justified(look: Path):
    doc = _part(look / "build" / "thesis.docx", "word/document.xml")
    cells = list(doc.iterfind(".//w:tc//w:p", NS))
    assert cells
    assert all(p.find("w:pPr/w:jc", NS) is not None for p in cells)
    assert not [p for p in cells if p.find("w:pPr/w:jc", NS).get(f"{{{W}}}val") in ("both", "distribute")]


def test_a_tables_description_is_its_caption_as_shown(look: Path):
    captions = [t.get(f"{{{W}}}val") for t in _part(look / "build" / "thesis.docx", "word/document.xml")
                .iterfind(".//w:tblCaption", NS)]
    assert captions == ["Tabel 1.1 Jadwal penelitian", "Tabel 2.1 Jadwal kegiatan", "Tabel 2.2 Skenario pengujian"]


def test_the_lists_of_figures_and_tables_collect_captions_by_their_seq_identifier(look: Path):
    doc = _part(look / "build" / "thesis.docx", "word/document.xml")
    toc = [" ".join(t.text.split()) for t in doc.iter(f"{{{W}}}instrText") if t.text.strip().startswith("TOC")]
    assert 'TOC \\h \\z \\c "Gambar"' in toc and 'TOC \\h \\z \\c "Tabel"' in toc, toc
    assert not [t for t in toc if "\\t" in t.split()]
    seqs = {t.text.split()[1] for t in doc.iter(f"{{{W}}}instrText") if t.text.strip().startswith("SEQ")}
    assert {"Gambar", "Tabel"} <= seqs


def test_the_reference_document_is_in_word_2013_mode(look: Path):
    settings = _part(look / "build" / "reference.docx", "word/settings.xml")
    modes = [c.get(f"{{{W}}}val") for c in settings.iterfind("w:compat/w:compatSetting", NS)
             if c.get(f"{{{W}}}name") == "compatibilityMode"]
    assert modes == ["15"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_lays_out_lists_code_and_the_table_where_the_pdf_has_them(look: Path, tmp_path: Path):
    """The DOCX as LibreOffice prints it: each list's marker and text, the word after the inline code
    and the table's cells within 0.05 cm of the PDF's, and as many pages."""
    proc = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(look / "build" / "thesis.docx")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    pdf, lo = _words(look / "build" / "thesis.pdf"), _words(tmp_path / "thesis.pdf")
    for text, after in (("Butir", None), ("Satu", None), ("Anak", None), ("Sub", "Dua"), ("Tiga", None),
                        ("•", None), ("3.", None), ("No", "kegiatan"), ("Sidang", None), ("Selesai", None),
                        ("bibliography/references.yaml", "berkas")):
        a, b = _word(pdf, text, after), _word(lo, text, after)
        assert abs(a[2] - b[2]) < 0.05, (text, a, b)
    # Lines end where the PDF's do: the inline code's line holds the same words.
    code_pdf, code_lo = _word(pdf, "bibliography/references.yaml"), _word(lo, "bibliography/references.yaml")
    line = lambda words, w: [x[1] for x in words if x[0] == w[0] and abs(x[4] - w[4]) < 0.2]  # noqa: E731
    assert line(pdf, code_pdf) == line(lo, code_lo)
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(tmp_path / "thesis.pdf"))) == \
        len(pypdfium2.PdfDocument(str(look / "build" / "thesis.pdf")))


def test_a_column_is_never_narrower_than_its_longest_word(look: Path):
    """A pipe table with a row longer than 72 characters gets relative widths from its dashes: "No"
    and "Status" had columns narrower than the words (typst let them run over the cell's edge, Word
    broke them inside: "N/o"). Both outputs widen such a column to its word and the cell's insets."""
    # The words' widths in Liberation Serif (Times New Roman's metrics) at the body's 12 pt, and the
    # 5 pt insets each side.
    need_cm = {"No": (0.722 + 0.5) * 12 + 10, "Status": (0.556 + 0.278 + 0.444 + 0.278 + 0.5 + 0.389) * 12 + 10}
    need_cm = {word: pt / 72 * 2.54 for word, pt in need_cm.items()}
    typ = (look / "build" / "thesis.typ").read_text(encoding="utf-8")
    shares = [float(x) for x in re.search(r"columns: \(([\d.]+)%, [\d.]+%, [\d.]+%, [\d.]+%, [\d.]+%, ([\d.]+)%\)",
                                          typ).groups()]
    assert shares[0] / 100 * TEXT_WIDTH_CM >= need_cm["No"] and shares[1] / 100 * TEXT_WIDTH_CM >= need_cm["Status"]
    doc = _part(look / "build" / "thesis.docx", "word/document.xml")
    grid = next([int(c.get(f"{{{W}}}w")) / 1440 * 2.54 for c in t.iterfind("w:tblGrid/w:gridCol", NS)]
                for t in doc.iter(f"{{{W}}}tbl") if len(t.findall("w:tblGrid/w:gridCol", NS)) == 6)
    assert grid[0] >= need_cm["No"] and grid[-1] >= need_cm["Status"], grid


def test_when_not_every_word_fits_the_columns_with_the_shortest_words_are_widened_first():
    """A table whose long words cannot all fit (a code of 40 characters): "No" and "Status" still
    get their width, as far as the wider columns can give."""
    import json

    from thesisbuild.pandoc import run_pandoc

    filters = Path(__file__).resolve().parent.parent / "src" / "thesisbuild" / "filters"
    long = "X" * 40
    table = ("| No | Keterangan yang panjang sekali | Status |\n|-|--------------------------------------|-|\n"
             f"| 1 | {long} {'kata ' * 12}| Belum diuji |\n")
    proc = run_pandoc(["-f", "markdown", "-t", "json", "--lua-filter", str(filters / "images.lua"),
                       "-M", "thesisbuild-image-max-width-cm=14", "-M", "thesisbuild-image-max-height-cm=20",
                       "-M", "thesisbuild-font-size-pt=12"], input_text=table)
    block = json.loads(proc.stdout)["blocks"][0]
    widths = [spec[1]["c"] for spec in block["c"][2]]
    assert abs(sum(widths) - 1) < 0.01
    cm = [w * TEXT_WIDTH_CM for w in widths]
    assert cm[0] >= ((0.722 + 0.5) * 12 + 10) / 72 * 2.54            # "No"
    assert cm[2] >= ((0.667 + 0.444 + 0.278 + 0.5 + 0.778) * 12 + 10) / 72 * 2.54   # "Belum"
    assert cm[1] * 72 / 2.54 < 40 * 0.722 * 12                          # the code cannot fit: it breaks
