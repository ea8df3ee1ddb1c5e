"""End to end: `doit` builds the real thesis into a PDF and a DOCX that follow the template."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from thesisbuild.verify.docx import list_numbers
from thesisbuild.verify.rendered import printed_forms

from .conftest import assert_valid_docx, copy_thesis, run_cli, run_doit

W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
CM = 1440 / 2.54  # twips per centimetre


@pytest.fixture(scope="module")
def built(example_build: Path) -> Path:
    return example_build


@pytest.fixture(scope="module")
def pdf_text(built: Path) -> str:
    reader = PdfReader(built / "build" / "thesis.pdf")
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def docx_text(path: Path) -> str:
    root = docx_part(path, "word/document.xml")
    return "\n".join("".join(t.text or "" for t in p.iterfind(".//w:t", W)) for p in root.iterfind(".//w:p", W))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_doit_writes_the_pdf_and_the_docx(built: Path):
    assert (built / "build" / "thesis.pdf").stat().st_size > 10_000
    assert (built / "build" / "thesis.docx").stat().st_size > 10_000


def test_the_pdf_has_the_chapter_headings_and_the_deepest_section(pdf_text: str):
    text = normalise(pdf_text)
    assert "BAB I" in text and "PENDAHULUAN" in text
    assert "1.1 Latar Belakang" in text
    assert "1.9.7.1 Kualitas Data" in text


def test_the_pdf_formats_citations_in_indonesian_apa(pdf_text: str):
    text = normalise(pdf_text)
    assert "(Khan & Siraj, 2021)" in text
    assert "(Abdelal dkk., 2006)" in text
    assert "Sugiyono (2020, hlm. 9)" in text
    assert not re.search(r"\b[a-z]+\d{4}\?", text)


def test_the_pdf_ends_with_an_alphabetical_reference_list(pdf_text: str):
    text = normalise(pdf_text)
    tail = text[text.rindex("DAFTAR PUSTAKA"):]
    assert "Jordaan, E. (2003). The concept of a middle power in international relations" in tail
    order = [tail.index(name) for name in ("Abdelal, R.", "Chen, X.-P.", "Hopf, T. (2002)",
                                           "Le Corre, P. (2019", "Xinhua. (2023")]
    assert order == sorted(order)


def test_the_pdf_pages_are_a4(built: Path):
    reader = PdfReader(built / "build" / "thesis.pdf")
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.28) < 0.5 and abs(height - 841.89) < 0.5


def test_the_pdf_embeds_only_the_project_fonts(built: Path):
    reader = PdfReader(built / "build" / "thesis.pdf")
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    # Liberation Serif, shipped with thesisbuild: Times New Roman's metrics, so the DOCX breaks alike.
    assert fonts and all(name.startswith("LiberationSerif") for name in fonts), fonts


def test_the_docx_section_is_a4_with_4_4_3_3_cm_margins(built: Path):
    root = docx_part(built / "build" / "thesis.docx", "word/document.xml")
    sections = root.findall(".//w:sectPr", W)
    assert sections
    for sect in sections:
        size = sect.find("w:pgSz", W)
        assert round(int(size.get(f"{{{W['w']}}}w")) / CM, 1) == 21.0
        assert round(int(size.get(f"{{{W['w']}}}h")) / CM, 1) == 29.7
        margins = {k: round(int(sect.find("w:pgMar", W).get(f"{{{W['w']}}}{k}")) / CM, 2)
                   for k in ("top", "left", "bottom", "right")}
        assert margins == {"top": 4.0, "left": 4.0, "bottom": 3.0, "right": 3.0}
        # The page number's baseline 1.75 cm from the edge (page_numbers.distance_cm), as in the PDF: a
        # single-spaced 12 pt line has its baseline 0.933 em below its top, 0.216 em above its bottom.
        mar = sect.find("w:pgMar", W)
        assert int(mar.get(f"{{{W['w']}}}header")) == round(1.75 * CM - 0.933 * 240)
        assert int(mar.get(f"{{{W['w']}}}footer")) == round(1.75 * CM - 0.216 * 240)


def test_the_pdf_prints_its_page_numbers_at_the_profiles_distance_from_the_edge(built: Path):
    """The chapter's opening page has its number at the foot, the next page at the head: each
    baseline 1.75 cm from the page's edge (page_numbers.distance_cm), where the DOCX has it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(built / "build" / "thesis.pdf"))
    texts = [pdf[i].get_textpage() for i in range(len(pdf))]
    opening = next(i for i, t in enumerate(texts) if t.get_text_range().lstrip().startswith("BAB I"))
    for index, number, at_top in ((opening, "1", False), (opening + 1, "2", True)):
        height, text = pdf[index].get_height(), texts[index]
        # A digit sits on the baseline: its box's bottom is the baseline.
        bottoms = [text.get_charbox(i)[1] for i in range(text.count_chars()) if text.get_text_range(i, 1) == number]
        baseline = height - max(bottoms) if at_top else min(bottoms)
        assert abs(baseline / 72 * 2.54 - 1.75) < 0.1, (number, baseline / 72 * 2.54)


def test_the_docx_body_is_times_new_roman_12_pt_one_and_a_half_spaced_and_justified(built: Path):
    import docx

    document = docx.Document(str(built / "build" / "thesis.docx"))
    for name in ("Normal", "Body Text", "First Paragraph"):
        style = document.styles[name]
        font = style.font
        assert font.name == "Times New Roman" or document.styles["Normal"].font.name == "Times New Roman"
        fmt = style.paragraph_format
        assert fmt.line_spacing == 1.5, name
    body = document.styles["Body Text"]
    assert round(body.paragraph_format.first_line_indent.cm, 2) == 1.27
    assert str(body.paragraph_format.alignment) == "JUSTIFY (3)"
    assert document.styles["Normal"].font.size.pt == 12


def heading_texts(path: Path) -> dict[str, list[str]]:
    """Each heading as Word shows it: the number its list numbering gives it, then its text."""
    with zipfile.ZipFile(path) as z:
        parts = {name: etree.fromstring(z.read(name)) for name in
                 ("word/document.xml", "word/styles.xml", "word/numbering.xml")}
    numbers = list_numbers(parts)
    found: dict[str, list[str]] = {}
    for p in parts["word/document.xml"].iterfind(".//w:p", W):
        style = p.find("w:pPr/w:pStyle", W)
        if style is not None and style.get(f"{{{W['w']}}}val").startswith("Heading"):
            text = "".join("\n" if el.tag.endswith("}br") else (el.text or "")
                           for el in p.iter(f"{{{W['w']}}}t", f"{{{W['w']}}}br"))
            found.setdefault(style.get(f"{{{W['w']}}}val"), []).append(numbers.get(p, "") + text)
    return found


def test_the_docx_numbers_headings_like_the_pdf(built: Path):
    headings = heading_texts(built / "build" / "thesis.docx")
    assert headings["Heading1"] == ["PERNYATAAN ORISINALITAS", "HALAMAN PERSETUJUAN", "HALAMAN PENGESAHAN",
                                    "KATA PENGANTAR", "ABSTRAK", "ABSTRACT", "DAFTAR GAMBAR",
                                    "BAB I\nPENDAHULUAN", "DAFTAR PUSTAKA"]
    assert headings["Heading2"][0] == "1.1 Latar Belakang"
    assert headings["Heading2"][-1] == "1.9 Metode Penelitian"
    assert "1.7.2.3 Konsep Balance of Identity" in headings["Heading4"]
    assert headings["Heading4"][-1] == "1.9.7.1 Kualitas Data"
    styles = docx_part(built / "build" / "thesis.docx", "word/styles.xml")
    heading1 = styles.find(".//w:style[@w:styleId='Heading1']/w:pPr", W)
    assert heading1.find("w:pageBreakBefore", W) is not None
    assert heading1.find("w:jc", W).get(f"{{{W['w']}}}val") == "center"


def test_the_docx_numbers_stay_live_in_word(built: Path):
    """Headings numbered by Word's multilevel list linked to the Heading styles (a heading added in
    Word is numbered), none typed; captions numbered by SEQ fields restarting in each chapter."""
    docx = built / "build" / "thesis.docx"
    styles, numbering = docx_part(docx, "word/styles.xml"), docx_part(docx, "word/numbering.xml")
    val = f"{{{W['w']}}}val"
    num_ids = {style: styles.find(f".//w:style[@w:styleId='{style}']/w:pPr/w:numPr/w:numId", W)
               for style in ("Heading1", "Heading2", "Heading3", "Heading4")}
    assert len({el.get(val) for el in num_ids.values() if el is not None}) == 1, "all four on one list"
    num = numbering.find(f"w:num[@w:numId='{num_ids['Heading1'].get(val)}']", W)
    abstract = numbering.find(f"w:abstractNum[@w:abstractNumId='{num.find('w:abstractNumId', W).get(val)}']", W)
    levels = {lvl.find("w:pStyle", W).get(val): lvl for lvl in abstract.iterfind("w:lvl", W)}
    assert levels["Heading1"].find("w:lvlText", W).get(val) == "BAB %1"
    assert levels["Heading1"].find("w:numFmt", W).get(val) == "upperRoman"
    assert levels["Heading2"].find("w:lvlText", W).get(val) == "%1.%2"
    assert levels["Heading2"].find("w:isLgl", W) is not None      # 1.1 under BAB I, not I.1
    document = docx_part(docx, "word/document.xml")
    typed = [t.text for t in document.iterfind(".//w:p/w:r/w:t", W)
             if re.match(r"(BAB [IVX]+|\d+\.\d+(\.\d+)*)$|\d+\.\d+ ", t.text or "")
             and t.getparent().getparent().find("w:pPr/w:pStyle", W).get(val).startswith("Heading")]
    assert typed == []
    captions = [p for p in document.iterfind(".//w:p", W)
                if p.find("w:pPr/w:pStyle[@w:val='ImageCaption']", W) is not None]
    codes = [" ".join((t.text or "").strip() for t in p.iterfind(".//w:instrText", W)) for p in captions]
    assert codes == ["SEQ BAB \\c \\* ARABIC SEQ Gambar \\* ARABIC \\s 1"] * 2
    # The chapter heading counts the chapter and sets the caption count back to 0, hidden.
    chapter = next(p for p in document.iterfind(".//w:p", W)
                   if p.find("w:pPr/w:pStyle[@w:val='Heading1']", W) is not None
                   and "".join(t.text or "" for t in p.iterfind(".//w:t", W)) == "PENDAHULUAN")
    assert [(t.text or "").strip() for t in chapter.iterfind(".//w:instrText", W)] == \
        ["SEQ BAB \\h", "SEQ Gambar \\r 0 \\h"]
    assert all(r.find("w:rPr/w:vanish", W) is not None for r in chapter.iterfind("w:r", W) if r.find("w:t", W) is None
               and r.find("w:br", W) is None)


def test_equation_numbers_and_references_to_equations_and_sections_are_fields(tmp_path: Path):
    """An equation's and a listing's number are SEQ fields like a caption's; a reference to one a REF field to its
    number, one to a section a REF field (\\n \\t) to a bookmark on the heading: the numbers the PDF prints."""
    project = copy_thesis(tmp_path / "eq")
    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("# PENDAHULUAN", "# PENDAHULUAN {#sec-pendahuluan}", 1)
                       + "\n## Model {#sec-model}\n\nEnergi dihitung dengan @eq-energi, seperti pada subbab "
                       "@sec-model dan bab @sec-pendahuluan.\n\n$$ E = m c^2 $$ {#eq-energi}\n\nProgram pada @lst-halo "
                       "mencetak salam.\n\n```{#lst-halo .python caption=\"Program pertama\"}\nprint(1)\n```\n",
                       encoding="utf-8")
    proc = run_doit(project, "pdf", "docx")
    assert proc.returncode == 0, proc.stderr
    document = docx_part(project / "build" / "thesis.docx", "word/document.xml")
    text = lambda p: "".join(t.text or "" for t in p.iterfind(".//w:t", W))  # noqa: E731
    codes = lambda p: [(t.text or "").strip() for t in p.iterfind(".//w:instrText", W)]  # noqa: E731
    paragraphs = list(document.iterfind(".//w:body/w:p", W))
    number = next(p for p in paragraphs if re.fullmatch(r"\(\d+\.\d+\)", text(p)))
    assert codes(number) == ["SEQ BAB \\c \\* ARABIC", "SEQ Persamaan \\* ARABIC \\s 1"]
    sentence = next(p for p in paragraphs if text(p).startswith("Energi dihitung"))
    heading = next(p for p in paragraphs if text(p) == "Model")
    docx = project / "build" / "thesis.docx"
    parts = {name: docx_part(docx, name) for name in ("word/numbering.xml", "word/styles.xml")}
    section = list_numbers({**parts, "word/document.xml": document})[heading].strip()
    # The word and its number held together by a no-break space, as typst's reference holds them.
    assert text(sentence) == (f"Energi dihitung dengan Persamaan\u00a0{text(number)}, seperti pada subbab {section} "
                              f"dan bab I.")
    refs = codes(sentence)
    bookmarks = {b.get(f"{{{W['w']}}}name") for b in document.iterfind(".//w:bookmarkStart", W)}
    assert [r.split()[0] for r in refs] == ["REF"] * 3 and all(r.split()[1] in bookmarks for r in refs)
    assert refs[1].endswith("\\n \\t \\h") and refs[2].endswith("\\n \\t \\h")
    heading_marks = {b.get(f"{{{W['w']}}}name") for b in heading.iterfind("w:bookmarkStart", W)}
    assert refs[1].split()[1] in heading_marks
    listing = next(p for p in paragraphs if text(p) == "Kode 1.1 Program pertama")
    assert codes(listing) == ["SEQ BAB \\c \\* ARABIC", "SEQ Kode \\* ARABIC \\s 1"]
    program = next(p for p in paragraphs if text(p).startswith("Program pada"))
    assert text(program) == "Program pada Kode\u00a01.1 mencetak salam." and codes(program)[0].split()[0] == "REF"
    printed = "\n".join(page.extract_text() for page in PdfReader(project / "build" / "thesis.pdf").pages)
    assert " ".join(text(sentence).split()) in " ".join(printed.split())          # the PDF prints the same numbers


def test_the_docx_has_the_citations_and_a_hanging_indent_reference_list(built: Path):
    path = built / "build" / "thesis.docx"
    text = normalise(docx_text(path))
    assert "(Khan & Siraj, 2021)" in text and "(Abdelal dkk., 2006)" in text
    assert "Sugiyono (2020, hlm. 9)" in text
    assert "DAFTAR PUSTAKA" in text
    root = docx_part(path, "word/document.xml")
    entries = [p for p in root.iterfind(".//w:p", W)
               if p.find("w:pPr/w:pStyle[@w:val='Bibliography']", W) is not None]
    assert len(entries) == 33
    firsts = ["".join(t.text for t in p.iterfind(".//w:t", W)) for p in entries]
    assert firsts == sorted(firsts, key=lambda s: s.lower())
    styles = docx_part(path, "word/styles.xml")
    ind = styles.find(".//w:style[@w:styleId='Bibliography']/w:pPr/w:ind", W)
    assert round(int(ind.get(f"{{{W['w']}}}hanging")) / CM, 2) == 1.27


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], str]:
    """A second clean build of the example in another folder, then a second `doit` there: the outputs
    of the clean build (kept as bytes) and what the second run printed. Only the incremental test
    goes on to edit this project. Its pieces are converted anew (the session's example build found
    them in the restored cache): the two builds agree only if the cache changes no byte."""
    project = copy_thesis(tmp_path_factory.mktemp("rebuilt") / "inc", cached=False)
    # A new interpreter: a hash seed other than the example build's (an order of a set of strings
    # that reached an output would show).
    proc = run_doit(project, fresh=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    outputs = {name: (project / "build" / name).read_bytes() for name in ("thesis.pdf", "thesis.docx")}
    second = run_doit(project)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr
    return project, outputs, second.stdout


def test_two_clean_builds_are_byte_identical(built: Path, rebuilt):
    _, outputs, _ = rebuilt
    for name in ("thesis.pdf", "thesis.docx"):
        assert outputs[name] == (built / "build" / name).read_bytes(), name


def test_a_second_doit_runs_nothing_and_an_edit_reruns_only_what_depends_on_it(rebuilt):
    project, _, second = rebuilt
    assert sorted(re.findall(r"^(\.|--)\s+(\S+)", second, re.M)) == \
        sorted([("--", t) for t in ("lint", "figure:kerangka-pemikiran", "figure:linimasa", "pdf",
                                    "reference_docx", "docx", "verify", "preview")])
    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nKalimat tambahan.\n", encoding="utf-8")
    third = run_doit(project)
    ran = dict((name, mark) for mark, name in re.findall(r"^(\.|--)\s+(\S+)", third.stdout, re.M))
    assert ran == {"lint": ".", "figure:kerangka-pemikiran": "--", "figure:linimasa": "--", "pdf": ".",
                   "reference_docx": "--", "docx": ".", "verify": ".", "preview": "."}
    # verify took the schema check started during the build, for the DOCX this run wrote (its
    # findings are kept under that DOCX's hash), and `thesisbuild verify` afterwards agrees.
    kept = json.loads((project / "build" / "cache" / "verify" / "schema-findings.json").read_text(encoding="utf-8"))
    assert kept["docx"] == hashlib.sha256((project / "build" / "thesis.docx").read_bytes()).hexdigest()
    assert kept["problems"] == []
    again = run_cli(project, "verify")
    assert again.returncode == 0 and again.stdout == (project / "build" / "verify.txt").read_text(encoding="utf-8")


def test_an_unknown_citation_fails_the_build_at_its_place_and_leaves_no_stale_output(built: Path, tmp_path: Path):
    # The example with the outputs of an earlier build in its build/ folder.
    project = tmp_path / "stale"
    shutil.copytree(built, project, ignore=shutil.ignore_patterns(".doit.db*"))
    assert (project / "build" / "thesis.pdf").exists() and (project / "build" / "thesis.docx").exists()
    chapter = project / "chapters" / "01-pendahuluan.md"
    text = chapter.read_text(encoding="utf-8")
    line = text[: text.index("[@roberts2012]")].count("\n") + 1
    chapter.write_text(text.replace("[@roberts2012]", "[@robert2012]", 1), encoding="utf-8")
    proc = run_doit(project)
    assert proc.returncode != 0
    assert f"chapters/01-pendahuluan.md:{line}:" in proc.stdout + proc.stderr
    assert "@robert2012" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (project / "build" / "thesis.pdf").exists()
    assert not (project / "build" / "thesis.docx").exists()


def test_no_absolute_path_or_build_metadata_leaks_into_the_outputs(built: Path):
    needles = [str(built).encode(), b"site-packages", b"thesisbuild-chapter-layout"]
    pdf = (built / "build" / "thesis.pdf").read_bytes()
    assert not [n for n in needles if n in pdf]
    with zipfile.ZipFile(built / "build" / "thesis.docx") as z:
        for name in z.namelist():
            part = z.read(name)
            assert not [n for n in needles if n in part], name


def test_the_outputs_carry_the_typo_fixes_while_the_chapter_keeps_the_authors_text(built: Path, pdf_text: str):
    text = normalise(pdf_text)
    for typo in ("Kazakhtan", "Kazahktan", "Kazahkstan", "Amerikat Serikat", " dna ", "memilki"):
        assert typo not in text, typo
    assert text.count("Kazakhstan") > 100
    docx = normalise(docx_text(built / "build" / "thesis.docx"))
    assert "Kazakhtan" not in docx and "Kazakhstan" in docx
    chapter = (built / "chapters" / "01-pendahuluan.md").read_text(encoding="utf-8")
    assert chapter.count("Kazakhtan") == 14   # the build never writes a source


def toc_entries(root: etree._Element) -> list[tuple[str, str]]:
    """(title, cached page number) of every entry of Daftar Isi, Daftar Gambar and Daftar Tabel."""
    entries = []
    for p in root.iterfind(".//w:p", W):
        style = p.find("w:pPr/w:pStyle", W)
        if style is None or not re.fullmatch(r"TOC\d", style.get(f"{{{W['w']}}}val")):
            continue
        # The runs in document order; the PAGEREF field's result lies between its "separate" and "end".
        title, result, state = [], [], "title"
        for r in p.iterfind(".//w:r", W):
            instr = "".join(t.text or "" for t in r.iterfind("w:instrText", W))
            char = r.find("w:fldChar", W)
            kind = char.get(f"{{{W['w']}}}fldCharType") if char is not None else None
            if "PAGEREF" in instr:
                state = "pageref"
            elif kind == "separate" and state == "pageref":
                state = "result"
            elif kind == "end" and state == "result":
                state = "done"
            elif state == "title" and r.find("w:tab", W) is None:
                title += [t.text or "" for t in r.iterfind("w:t", W)]
            elif state == "result":
                result += [t.text or "" for t in r.iterfind("w:t", W)]
        assert state == "done", f"no PAGEREF field with a result in {''.join(title)!r}"
        entries.append(("".join(title).strip(), "".join(result).strip()))
    return entries


def test_each_docx_contents_entry_shows_its_page_number_as_the_pdfs_contents_do(built: Path, pdf_text: str):
    """Word shows a field's cached result until the fields are updated (and some editors never update
    them): each entry of Daftar Isi and Daftar Gambar must carry its page number there."""
    root = docx_part(built / "build" / "thesis.docx", "word/document.xml")
    entries = toc_entries(root)
    titles = [t for t, _ in entries]
    assert "BAB I PENDAHULUAN" in titles and "1.9.7 Analisis dan Interpretasi Data" in titles
    assert "DAFTAR PUSTAKA" in titles and any(t.startswith("Gambar 1.2 ") for t in titles)
    pdf_pages = {normalise(title).strip(): page
                 for title, page in re.findall(r"^(.+?) (?:\. ?)+\s*([ivxlcdm]+|\d+)$", pdf_text, re.M)}
    for title, page in entries:
        assert re.fullmatch(r"\d+|[ivxlcdm]+", page), f"{title!r} shows no page number: {page!r}"
        in_pdf = pdf_pages.get(normalise(title))
        assert in_pdf == page, f"{title!r}: page {page} in the DOCX, {in_pdf} in the PDF"
    body = [int(page) for title, page in entries if page.isdigit() and not title.startswith("Gambar")]
    assert body[0] == 1 and body == sorted(body)
    # Every entry of the PDF's lists is in the DOCX's too, down to the deepest level.
    in_pdf = [normalise(title).strip() for title, _ in
              re.findall(r"^(.+?) (?:\. ?)+\s*([ivxlcdm]+|\d+)$", pdf_text, re.M)]
    assert "1.7.1.1 Konsep Middle Power" in in_pdf, in_pdf
    assert [t for t in in_pdf if t not in {normalise(t2).strip() for t2 in titles}] == []


def test_the_cover_and_approval_pages_name_the_student_and_each_supervisor_in_order(built: Path, pdf_text: str):
    """thesis.yaml's values where the template puts them: the student number on the cover, and the
    supervisors in their order, "Pembimbing I" first, in both outputs."""
    docx = normalise(docx_text(built / "build" / "thesis.docx"))
    for text in (normalise(pdf_text), docx):
        first, second = text.find("Pembimbing I [Nama Pembimbing I]"), text.find("Pembimbing II [Nama Pembimbing II]")
        assert 0 <= first < second, text[:3000]
        assert "[Nomor Induk Mahasiswa]" in text


def test_a_pdf_a_profile_value_writes_pdf_a_2b(tmp_path: Path):
    """PDF/A for a library deposit: typst checks what the standard needs while it writes (fonts
    embedded, no transparency groups it forbids, metadata) and fails otherwise; the PDF says which
    standard it follows in its XMP metadata, as a validator reads it."""
    project = copy_thesis(tmp_path / "thesis")
    with (project / "thesis.yaml").open("a", encoding="utf-8") as f:
        f.write("profile:\n  pdf:\n    standard: a-2b\n")
    proc = run_cli(project, "build", "--pdf")
    assert proc.returncode == 0, proc.stderr[-2000:]
    reader = PdfReader(str(project / "build" / "thesis.pdf"))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp), xmp[:500]
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp), xmp[:500]
    plain = PdfReader(str(_plain_pdf(tmp_path)))
    assert "/Metadata" not in plain.trailer["/Root"] or "pdfaid" not in \
        plain.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def _plain_pdf(tmp_path: Path) -> Path:
    project = copy_thesis(tmp_path / "plain")
    assert run_cli(project, "build", "--pdf").returncode == 0
    return project / "build" / "thesis.pdf"


def test_the_manifest_names_every_input_tool_font_and_output_by_hash(example_build: Path):
    import hashlib
    import json

    manifest = json.loads((example_build / "build" / "manifest.json").read_text(encoding="utf-8"))
    for name in ("thesis.pdf", "thesis.docx"):
        assert manifest["outputs"][name] == hashlib.sha256((example_build / "build" / name).read_bytes()).hexdigest()
    assert "chapters/01-pendahuluan.md" in manifest["inputs"]
    assert "bibliography/references.yaml" in manifest["inputs"]
    assert "figures/linimasa.py" in manifest["inputs"] and "figures/linimasa.csv" in manifest["inputs"]
    assert manifest["fonts"] and manifest["tools"]["pandoc"].startswith("pandoc")
    text = json.dumps(manifest)
    assert str(example_build) not in text and "/tmp/" not in text   # no absolute path


def test_the_docx_names_the_thesis_and_its_author_in_its_properties(built: Path):
    """Word's File > Info shows the title and the author from thesis.yaml; the dates are the build's
    SOURCE_DATE_EPOCH, not the machine's clock."""
    core = docx_part(built / "build" / "thesis.docx", "docProps/core.xml")
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert core.findtext(f"{dc}title").startswith("Strategi Middle Power Kazakhstan")
    assert core.findtext(f"{dc}creator") == "[Nama Lengkap Penulis]"
    import datetime as dt
    import json

    epoch = json.loads((built / "build" / "manifest.json").read_text(encoding="utf-8"))["source_date_epoch"]
    when = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [core.findtext(f"{{http://purl.org/dc/terms/}}{name}") for name in ("created", "modified")] == [when, when]


def test_the_manifest_names_a_figure_helper_module_the_scripts_import(thesis_dir: Path):
    """figures/_*.py are inputs of every figure (a change draws them again): the manifest says so."""
    from thesisbuild.config import load_thesis
    from thesisbuild.manifest import manifest

    (thesis_dir / "figures" / "_gaya.py").write_text("WARNA = 'black'\n", encoding="utf-8")
    assert "figures/_gaya.py" in manifest(load_thesis(thesis_dir / "thesis.yaml"), 0)["inputs"]


def test_verify_reproducible_builds_again_and_finds_the_same_bytes(example_build: Path, tmp_path: Path):
    proc = run_cli(example_build, "verify", "--reproducible")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.count("PASS reproducible") == 2
    # A PDF changed after the build (by hand, or by another tool) is not what its sources make.
    copy = shutil.copytree(example_build, tmp_path / "thesis")
    with (copy / "build" / "thesis.pdf").open("ab") as pdf:
        pdf.write(b"%")
    proc = run_cli(copy, "verify", "--reproducible")
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert re.search(r"^FAIL reproducible: thesis\.pdf", proc.stdout, re.M), proc.stdout
    assert re.search(r"^PASS reproducible: thesis\.docx", proc.stdout, re.M), proc.stdout



def test_a_table_longer_than_a_page_goes_on_over_the_next_pages(tmp_path: Path):
    import pypdfium2

    project = copy_thesis(tmp_path / "thesis")
    rows = "\n".join(f"| {i} | Provinsi {i} | {i * 7} |" for i in range(120))
    (project / "chapters" / "02-data.md").write_text(
        "# DATA\n\nTabel berikut panjang.\n\n| No | Provinsi | Nilai |\n|---|---|---|\n" + rows
        + "\n\n: Data provinsi {#tbl-prov}\n", encoding="utf-8")
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - chapters/01-pendahuluan.md", "  - chapters/01-pendahuluan.md\n  - chapters/02-data.md"), encoding="utf-8")
    proc = run_cli(project, "build", "--pdf")
    assert proc.returncode == 0, proc.stderr[-2000:]
    document = pypdfium2.PdfDocument(str(project / "build" / "thesis.pdf"))
    places: dict[int, tuple[int, int]] = {}
    try:
        for number, page in enumerate(document):
            text = page.get_textpage()
            for i in range(120):
                found = text.search(f"Provinsi {i}", match_whole_word=True)
                hit = found.get_next()
                if hit is not None:
                    places[i] = (number, round(text.get_charbox(hit[0])[1]))
    finally:
        document.close()
    # Every row once, each at its own place: rows that no longer fit were drawn over one another at
    # the bottom of the page.
    assert sorted(places) == list(range(120)), sorted(set(range(120)) - set(places))[:5]
    assert len(set(places.values())) == 120, "rows drawn over one another"


def test_the_docx_is_a_valid_word_2013_package(built: Path):
    """The OOXML schemas and the package's references (openxml-audit, Office 2019 rules); Word 2013+
    mode rather than Compatibility Mode; w:settings in the schema's order."""
    docx = built / "build" / "thesis.docx"
    assert_valid_docx(docx)
    settings = docx_part(docx, "word/settings.xml")
    mode = settings.find("w:compat/w:compatSetting[@w:name='compatibilityMode']", W)
    assert mode is not None and mode.get(f"{{{W['w']}}}val") == "15"
    names = [etree.QName(child).localname for child in settings]
    assert names.index("zoom") < names.index("updateFields") < names.index("compat") < names.index("rsids")


def test_the_docx_looks_like_the_pdf_links_tables_and_lists(built: Path):
    styles = docx_part(built / "build" / "thesis.docx", "word/styles.xml")

    def style(style_id: str) -> etree._Element:
        found = styles.find(f"w:style[@w:styleId='{style_id}']", W)
        assert found is not None, style_id
        return found

    # Links and cross-references black, as in the PDF.
    assert style("Hyperlink").find("w:rPr/w:color", W).get(f"{{{W['w']}}}val") == "000000"
    # Tables: a full grid, centred.
    table = style("Table").find("w:tblPr", W)
    assert table.find("w:jc", W).get(f"{{{W['w']}}}val") == "center"
    assert {etree.QName(b).localname for b in table.find("w:tblBorders", W)} == \
        {"top", "left", "bottom", "right", "insideH", "insideV"}
    # Daftar Isi does not list itself after Word refreshes it (body text's outline level), and its
    # entries are regular, four levels deep as the profile numbers them.
    assert style("TOCHeading").find("w:pPr/w:outlineLvl", W).get(f"{{{W['w']}}}val") == "9"
    for level in range(1, 5):
        assert style(f"TOC{level}").find("w:rPr/w:b", W) is None
    body = etree.tostring(docx_part(built / "build" / "thesis.docx", "word/document.xml")).decode("utf-8")
    assert 'TOC \\o "1-4"' in body
    # A picture's description is its figure's text, never its file's path.
    assert "build/figures" not in body and 'descr="Linimasa peristiwa' in body


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11,
          "xii": 12, "xiii": 13, "xiv": 14, "xv": 15}


def test_libreoffice_paginates_the_docx_as_typst_paginates_the_pdf(built: Path, tmp_path: Path):
    """A supervisor without Word opens the DOCX in LibreOffice, which does not refresh fields: the
    cached numbers of Daftar Isi and Daftar Gambar must be the pages LibreOffice prints them on. The
    DOCX and the PDF break lines and pages alike (Liberation Serif, first-fit line breaks, no
    kerning), so the PDF's numbers are the DOCX's."""
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the DOCX's pagination is not rendered here")
    docx = built / "build" / "thesis.docx"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=300)
    rendered = [normalise(page.extract_text() or "") for page in PdfReader(tmp_path / "thesis.pdf").pages]
    typst_pages = len(PdfReader(built / "build" / "thesis.pdf").pages)
    assert len(rendered) == typst_pages
    body = next(i for i, text in enumerate(rendered) if text.strip().startswith("BAB I"))
    lists = {i for i, text in enumerate(rendered) if text.strip().startswith(("DAFTAR ISI", "DAFTAR GAMBAR"))}
    lists |= {i + 1 for i in lists if i + 1 < body}
    wrong = []
    for title, page in toc_entries(docx_part(docx, "word/document.xml")):
        index = _ROMAN[page] - 1 if page in _ROMAN else body + int(page) - 1
        # LibreOffice 7 prints "I.1" where Word prints "1.1" (it ignores legal numbering, w:isLgl).
        forms = [normalise(form) for form in printed_forms(title)]
        heading_here = rendered[index].strip().startswith(forms[0])     # a list's own heading
        if not heading_here and (not any(form in rendered[index] for form in forms) or index in lists):
            found = [i for i, text in enumerate(rendered) if forms[0] in text and i not in lists]
            wrong.append(f"{title!r}: cached {page}, printed on PDF page {[i + 1 for i in found]}")
    assert not wrong, wrong


def test_a_new_commit_dates_the_outputs_anew_and_the_same_commit_builds_nothing(tmp_path: Path):
    """The outputs carry the last commit's time (SOURCE_DATE_EPOCH): a commit rebuilds them with
    its date, a second doit at the same commit finds them current."""
    import os
    import subprocess

    project = copy_thesis(tmp_path / "thesis")

    def commit(when: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "thesis", "--allow-empty"]):
            subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=project,
                           env=env, check=True, capture_output=True)

    def created() -> str:
        return str(PdfReader(project / "build" / "thesis.pdf").metadata.get("/CreationDate"))

    commit("2030-01-02T03:04:05Z")
    assert run_doit(project, "pdf").returncode == 0
    assert created().startswith("D:20300102")
    again = run_doit(project, "pdf")
    assert re.search(r"^-- +pdf$", again.stdout, re.M), again.stdout
    commit("2031-06-07T08:09:10Z")
    rebuilt = run_doit(project, "pdf")
    assert rebuilt.returncode == 0 and re.search(r"^\. +pdf$", rebuilt.stdout, re.M), rebuilt.stdout
    assert created().startswith("D:20310607")
    # A SOURCE_DATE_EPOCH the user sets (a CI job's, a release's) comes before the commit's time.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-m", "doit", "pdf"], cwd=project, capture_output=True, text=True,
                          env={**env, "SOURCE_DATE_EPOCH": "1700000000"})
    assert proc.returncode == 0 and re.search(r"^\. +pdf$", proc.stdout, re.M), proc.stdout + proc.stderr
    assert created().startswith("D:20231114")
    assert json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))["source_date_epoch"] == \
        1700000000


def test_the_previews_show_the_pages_they_are_named_after(built: Path):
    """build/preview/bab-i.png is BAB I's first page, daftar-isi.png the contents' first page, and so on:
    each preview is the PDF's page of that name, drawn."""
    import pypdfium2

    from thesisbuild.config import load_thesis
    from thesisbuild.preview import chosen_pages

    pages = chosen_pages(load_thesis(built / "thesis.yaml"))
    document = pypdfium2.PdfDocument(str(built / "build" / "thesis.pdf"))
    try:
        top = {name: " ".join(document[index].get_textpage().get_text_range().split()[:3])
               for name, index in pages.items()}
        drawn = {name: document[index].render(scale=60 / 72).to_pil() for name, index in pages.items()}
    finally:
        document.close()
    assert top["daftar-isi"].startswith("DAFTAR ISI") and top["bab-i"] == "BAB I PENDAHULUAN", top
    assert top["daftar-pustaka"].startswith("DAFTAR PUSTAKA") and top["cover"].startswith("STRATEGI"), top
    from PIL import Image

    for name, page in drawn.items():
        with Image.open(built / "build" / "preview" / f"{name}.png") as png:
            assert png.convert(page.mode).tobytes() == page.tobytes(), name
