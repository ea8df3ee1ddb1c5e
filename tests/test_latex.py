"""Raw LaTeX, cross-references and images in a skripsi written the way students write them:
nothing is lost silently. One build of tests/fixtures/latex is shared by the module."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import FIXTURES, run_cli

EMU_PER_CM = 360000


def make_images(project: Path) -> None:
    from PIL import Image

    (project / "images").mkdir(exist_ok=True)
    Image.new("RGB", (600, 300), (200, 50, 50)).save(project / "images" / "arsitektur.png", dpi=(96, 96))
    Image.new("RGB", (400, 200), (50, 200, 50)).save(project / "images" / "alur.png", dpi=(96, 96))
    # 3000 px without a dpi: 106 cm tall at its natural size, four times the page.
    Image.new("RGB", (400, 3000), (50, 50, 200)).save(project / "images" / "tinggi.png")


def alur_line() -> int:
    """The line of the fixture's chapter that places images/alur.png."""
    lines = (FIXTURES / "latex" / "bab" / "1.md").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if "(images/alur.png)" in line)


def copy_fixture(dest: Path) -> Path:
    shutil.copytree(FIXTURES / "latex", dest)
    make_images(dest)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    project = copy_fixture(tmp_path_factory.mktemp("latex") / "skripsi")
    proc = run_cli(project, "build")
    assert proc.returncode == 0, proc.stderr
    return project, proc.stderr


def pdf_pages(project: Path) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(project / "build" / "thesis.pdf").pages]


def docx_xml(project: Path) -> str:
    with zipfile.ZipFile(project / "build" / "thesis.docx") as z:
        return z.read("word/document.xml").decode("utf-8")


def docx_text(project: Path) -> str:
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", docx_xml(project), re.S)
    return "\n".join("".join(re.findall(r"<w:t[^>]*>([^<]*)<", p)) for p in paragraphs)


def body(text: str) -> str:
    """The chapters' text, from BAB I's first paragraph (the front matter's lists name captions too)."""
    return text[text.index("Sistem ini"):]


@pytest.fixture(scope="module")
def outputs(built):
    project, _ = built
    pdf = body(" ".join(pdf_pages(project)))
    docx = re.sub(r"\s+", " ", body(docx_text(project)))
    return {"pdf": pdf, "docx": docx}


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_latex_longtable_is_a_numbered_table_in_both_outputs(outputs, fmt):
    text = outputs[fmt]
    for cell in ("Modul", "Status", "Login", "Lulus", "Laporan", "Gagal"):
        assert cell in text, cell
    assert "Tabel 1.1 Hasil pengujian modul" in text
    assert text.count("Modul") == 1       # its head, written for the first page and for later ones, shows once
    assert "longtable" not in text and "\\hline" not in text
    # A longtable as students write it: head and foot markers, a column prefix, \newline in a cell.
    assert "Tabel 2.1 Spesifikasi Use Case Melihat Dashboard" in text
    assert "Main Flow" in text and "Sistem tampilkan halaman dashboard" in text
    for raw in ("\\endfoot", "\\endlastfoot", "\\arraybackslash", "\\newline", "raggedright"):
        assert raw not in text, raw


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_latex_refs_print_the_number_after_the_word_the_author_wrote(outputs, fmt):
    text = outputs[fmt]
    assert "ada pada Tabel 1.1, arsitekturnya pada Gambar 1.1." in text
    assert "Gambar 1.1 Arsitektur sistem" in text
    # Across chapters, and \ref to a section gives its number.
    assert "Tabel 1.1 pada Subbab 1.1 dan Gambar 1.3 dibahas" in text
    assert "Gambar Gambar" not in text and "Tabel Tabel" not in text and "??" not in text
    for raw in ("\\ref", "\\textit", "\\noindent", "\\label", "tab:uji", "fig:arsitektur"):
        assert raw not in text, raw
    assert "sederhana dan cepat (Hopf, 2002)" in text
    # \label inside a Markdown image's caption, as many skripsi write it.
    assert "Diagram alirnya ada pada Gambar 2.1 berikut." in text and "Gambar 2.1 Diagram alir pendaftaran" in text
    # A chapter by the profile's numbering, from another chapter; the author's own word kept, in
    # whatever case ("gambar 1.3", not "gambar Gambar 1.3").
    assert "Seperti dijelaskan pada Bab I, alurnya ada pada gambar 1.3." in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_sections_equations_listings_and_crossref_forms_are_numbered_per_chapter(outputs, fmt):
    text = outputs[fmt]
    assert "Seperti pada Subbab 1.1 dan 1.2, energi dihitung dengan Persamaan (1.1) dan gaya dengan " \
           "Persamaan (1.2); fungsi masuk ada pada Kode 1.1, alurnya pada Gambar 1.2, dan keduanya pada " \
           "Gambar 1.2, Gambar 1.3." in text
    assert "(1.1)" in text.split("Gambar 1.2, Gambar 1.3.", 1)[1]
    assert "Kode 1.1 Fungsi masuk" in text and "def login(user):" in text
    assert "{#" not in text and "@sec" not in text and "@eq" not in text


def test_newpage_is_a_page_break_in_both_outputs(built):
    project, _ = built
    pages = pdf_pages(project)
    figure_page = next(i for i, p in enumerate(pages) if "Gambar 1.1 Arsitektur sistem" in p and "BAB I" in p)
    assert "1.2 Rumusan Masalah" not in pages[figure_page]
    assert "1.2 Rumusan Masalah" in pages[figure_page + 1]
    xml = docx_xml(project)
    caption = xml.index("Arsitektur sistem</w:t>", xml.index("BAB I"))
    assert '<w:br w:type="page"/>' in xml[caption:xml.index("Rumusan Masalah", caption)]


def test_a_tall_image_and_its_caption_stay_inside_the_margins(built):
    project, _ = built
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTFigure, LTImage, LTTextContainer

    cm = 72 / 2.54
    for page in extract_pages(project / "build" / "thesis.pdf"):
        texts = [(re.sub(r"\s+", " ", el.get_text()).strip(), el) for el in page if isinstance(el, LTTextContainer)]
        caption = [el for text, el in texts if text == "Gambar 1.3 Denah gedung yang tinggi"]
        if not caption:
            continue
        images = [el for el in page if isinstance(el, (LTFigure, LTImage))]
        assert images and caption[0].y0 >= 3.0 * cm - 1, "caption in the bottom margin"
        for image in images:
            assert image.y1 <= page.height - 4.0 * cm + 1 and image.y0 >= caption[0].y1
        break
    else:
        raise AssertionError("no page with the tall figure")
    extents = [(int(cx), int(cy)) for cx, cy in re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', docx_xml(project))]
    tallest = max(extents, key=lambda e: e[1])
    assert tallest[1] <= (29.7 - 4.0 - 3.0) * EMU_PER_CM
    assert tallest[0] * 3000 == pytest.approx(tallest[1] * 400, rel=0.01)    # proportions kept


def test_what_cannot_be_converted_is_said_at_its_line_and_shown(built, outputs):
    _, stderr = built
    assert re.search(r"bab/2\.md:9:1: TEX001 \[warning\] the LaTeX environment tikzpicture cannot be converted", stderr)
    assert "\\begin{tikzpicture}" in outputs["pdf"] and "\\begin{tikzpicture}" in outputs["docx"]


def test_pandocs_warnings_name_the_chapter_line_once(built):
    _, stderr = built
    lines = [line for line in stderr.splitlines() if "Could not convert TeX math" in line]
    assert len(lines) == 1 and lines[0].startswith("bab/2.md:7: BLD003 [warning] pandoc:")


# ---------------------------------------------------------------- failures before anything is built

def test_a_missing_image_stops_the_build_at_the_chapter_line(tmp_path: Path):
    project = copy_fixture(tmp_path / "skripsi")
    (project / "images" / "alur.png").unlink()
    proc = run_cli(project, "build")
    assert proc.returncode == 2
    assert re.search(rf"bab/1\.md:{alur_line()}:\d+: IMG001 \[error\] the image images/alur\.png does not exist", proc.stderr)
    assert "thesis.typ" not in proc.stderr and "Traceback" not in proc.stderr
    assert not (project / "build" / "thesis.pdf").exists()


def test_a_pdf_image_is_reported_with_a_remedy_not_a_crash(tmp_path: Path):
    project = copy_fixture(tmp_path / "skripsi")
    (project / "images" / "alur.pdf").write_bytes(b"%PDF-1.4\n")
    chapter = project / "bab" / "1.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("images/alur.png", "images/alur.pdf"),
                       encoding="utf-8")
    proc = run_cli(project, "build")
    assert proc.returncode == 2
    assert re.search(rf"bab/1\.md:{alur_line()}:\d+: IMG004 \[error\] the image images/alur\.pdf is a PDF file.*convert it to PNG or SVG",
                     proc.stderr)


def test_an_unknown_crossref_stops_the_build_as_a_crossref_not_a_citation(tmp_path: Path):
    project = copy_fixture(tmp_path / "skripsi")
    chapter = project / "bab" / "2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Gambar @fig-tinggi", "Gambar @fig-tingi"),
                       encoding="utf-8")
    proc = run_cli(project, "build")
    assert proc.returncode == 2
    assert re.search(r"bab/2\.md:5:\d+: XRF002 \[error\] the cross-reference @fig-tingi points at no label in the thesis "
                     r"\(did you mean @fig-tinggi\?\)", proc.stderr)
    assert "bibliography" not in proc.stderr.split("[error]", 1)[1]


def test_a_typst_error_names_the_chapter_line_not_thesis_typ(tmp_path: Path):
    project = copy_fixture(tmp_path / "skripsi")
    (project / "images" / "alur.png").write_bytes(b"not a png at all")       # exists, so the lint passes
    proc = run_cli(project, "build", "--pdf")
    assert proc.returncode == 2
    assert re.search(rf"^bab/1\.md:{alur_line()}: error: typst could not compile .*decode image", proc.stderr, re.M)
    assert not (project / "build" / "thesis.pdf").exists()


def test_a_chapters_draft_numbers_references_into_other_chapters(tmp_path: Path):
    project = copy_fixture(tmp_path / "skripsi")
    proc = run_cli(project, "draft", "2")
    assert proc.returncode == 0, proc.stderr
    pdf = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(project / "build" / "drafts" / "2.pdf").pages))
    assert "Tabel 1.1 pada Subbab 1.1 dan Gambar 1.3 dibahas lagi di sini." in pdf
    assert "Tabel 2.1 Spesifikasi Use Case" in pdf
    assert "Seperti dijelaskan pada Bab I, alurnya ada pada gambar 1.3." in pdf
    with zipfile.ZipFile(project / "build" / "drafts" / "2.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "Tabel 1.1 pada Subbab 1.1 dan Gambar 1.3 dibahas lagi di sini." in "".join(
        re.findall(r"<w:t[^>]*>([^<]*)<", xml))


def test_the_images_a_chapter_places_are_inputs_of_the_build(tmp_path: Path):
    """doit rebuilds the PDF and DOCX when a placed image changes (a generated figure has its own task)."""
    from thesisbuild.config import load_thesis

    project = copy_fixture(tmp_path / "skripsi")
    thesis = load_thesis(project / "thesis.yaml")
    names = {p.name for p in thesis.source_files()}
    assert {"arsitektur.png", "alur.png", "tinggi.png"} <= names
