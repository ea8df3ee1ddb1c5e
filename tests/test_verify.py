"""The template in both outputs, proven by `thesisbuild verify`; and verify proven by wrong outputs."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from thesisbuild.config import BUILTIN_TEMPLATES
from thesisbuild.diagnostics import RULES

from .conftest import copy_thesis, run_cli, run_doit

ORIGINAL = (Path(__file__).resolve().parent.parent / "thesis.yaml").read_text(encoding="utf-8")


def verify(project: Path) -> tuple[int, dict[str, tuple[bool, str]]]:
    proc = run_cli(project, "verify")
    rules = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL)\s+(\S+)\s+(.*)$", line)
        if m:
            rules[m.group(2)] = (m.group(1) == "PASS", m.group(3))
    return proc.returncode, rules


def build(project: Path) -> None:
    proc = run_cli(project, "build")
    assert proc.returncode == 0, proc.stderr


def pdf_text(project: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(project / "build" / "thesis.pdf").pages))


def docx_xml(project: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(project / "build" / "thesis.docx") as z:
        return z.read(part).decode("utf-8")


ALL_RULES = {"pdf.page-size", "pdf.page-numbers", "pdf.margins", "pdf.body-font", "pdf.line-pitch",
             "pdf.chapter-new-page", "pdf.captions", "docx.page", "docx.page-numbering", "docx.chapter-pages",
             "docx.style.body", "docx.style.heading", "docx.style.bibliography", "docx.heading-numbering",
             "docx.toc-page-numbers", "docx.link-color", "docx.valid", "docx.fields"}


def test_verify_passes_on_the_real_thesis(example_build: Path):
    project = example_build
    assert (project / "build" / "verify.txt").is_file()  # doit ran verify
    code, rules = verify(project)
    assert code == 0
    assert set(rules) == ALL_RULES and all(ok for ok, _ in rules.values())
    measured = re.search(r"left ([\d.]+), right ([\d.]+), top ([\d.]+)", rules["pdf.margins"][1])
    assert measured, rules["pdf.margins"][1]
    left, right, top = map(float, measured.groups())
    assert abs(left - 40) <= 0.2 and abs(right - 30) <= 0.2 and abs(top - 40) <= 0.2, rules["pdf.margins"][1]
    assert "20.7 pt" in rules["pdf.line-pitch"][1]
    as_json = run_cli(project, "verify", "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == []     # a passed rule is no finding
    for name in ("cover", "daftar-isi", "bab-i", "daftar-pustaka"):
        assert (project / "build" / "preview" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def wrong(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs built with a different template, then verified against the real one."""
    project = copy_thesis(tmp_path_factory.mktemp("wrong") / "thesis")
    chapter = project / "chapters" / "01-pendahuluan.md"
    # A caption with no figure above it (a paragraph that begins with "Gambar 1.1" is no caption).
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + "\n```{=typst}\n#align(center)[Gambar 1.1 tanpa gambar di atasnya.]\n```\n",
                       encoding="utf-8")
    (project / "thesis.yaml").write_text(ORIGINAL + """
profile:
  page: {width_cm: 17.6, height_cm: 25.0, margin_cm: {top: 3.0, left: 5.0}}
  font: {size_pt: 11}
  body: {line_spacing: 2.0}
  page_numbers: {front_numbering: arabic, other_pages: bottom-center}
  headings: {chapter: {label: CHAPTER}}
  bibliography: {hanging_indent_cm: 0.5}
""", encoding="utf-8")
    # A copy of the template whose chapters run on, without a page break before their headings.
    template = project / "templates" / "skripsi-id"
    shutil.copytree(BUILTIN_TEMPLATES / "skripsi-id", template)
    typ = template / "thesis.typ.j2"
    text = typ.read_text(encoding="utf-8")
    assert text.count("    pagebreak(weak: true)\n") == 1
    typ.write_text(text.replace("    pagebreak(weak: true)\n", ""), encoding="utf-8")
    build(project)
    shutil.rmtree(project / "templates")
    (project / "thesis.yaml").write_text(ORIGINAL, encoding="utf-8")
    # And the DOCX as a careless edit leaves it: blue links, and w:settings out of the schema's order
    # without Word 2013+ mode (Word would open it in Compatibility Mode, or offer to repair it).
    docx = project / "build" / "thesis.docx"
    with zipfile.ZipFile(docx) as z:
        parts = {info: z.read(info.filename) for info in z.infolist()}
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename == "word/styles.xml":
                data = re.sub(rb'(w:styleId="Hyperlink".*?<w:color w:val=")000000', rb"\g<1>0563C1", data, flags=re.S)
            elif info.filename == "word/settings.xml":
                data = re.sub(rb"<w:compat>.*?</w:compat>", b"", data, flags=re.S)
                data = re.sub(rb'(<w:updateFields w:val="true"/>)(.*?)(<w:zoom [^>]*/>)', rb"\3\2\1", data,
                              flags=re.S) if b"<w:zoom" in data else data
                data = data.replace(b"<w:zoom", b"<w:updateFields w:val=\"true\"/><w:zoom", 1)
            elif info.filename == "word/document.xml":
                # Captions' numbers pasted as text: their SEQ fields gone; but the first caption keeps
                # its chapter's count (SEQ CHAPTER \c), only its own number (SEQ Gambar) typed.
                kept = []

                def typed(m: re.Match) -> bytes:
                    if not kept and re.match(rb"\w+ \\c ", m.group(2)):
                        kept.append(m.group(2))
                        return m.group(0)
                    return m.group(1) + b" QUOTE " + m.group(2)
                data = re.sub(rb"(<w:instrText[^>]*>) SEQ ([^<]*)", typed, data)
                assert kept
                # A link's run coloured blue directly, whatever its style says.
                data, n = re.subn(rb"(<w:hyperlink\b[^>]*>\s*<w:r>)", rb'\1<w:rPr><w:color w:val="0000FF"/></w:rPr>',
                                  data, count=1)
                assert n == 1
            z.writestr(info, data)
    return project


@pytest.fixture(scope="module")
def wrong_verified(wrong: Path) -> tuple[int, dict[str, tuple[bool, str]]]:
    """`thesisbuild verify` once on the wrong outputs, for every rule's test below."""
    return verify(wrong)


@pytest.mark.parametrize("rule, measured", [
    ("pdf.page-size", "176 × 250 mm"),
    ("pdf.page-numbers", "body from page 2; page 2: 2"),
    ("pdf.margins", "top 30."),
    ("pdf.margins", "no line starts at the left margin (leftmost 50.0 mm)"),
    ("pdf.body-font", "LiberationSerif 11 pt"),
    ("pdf.line-pitch", "25.3 pt between baselines"),
    ("pdf.chapter-new-page", "not at the top of a page"),
    ("pdf.captions", "Gambar 1.1 tanpa gambar"),
    ("docx.page", "17.60 × 25.00 cm, margins 3.00/5.00/3.00/3.00 cm"),
    ("docx.page-numbering", "decimal from 1, decimal from 1"),
    ("docx.chapter-pages", "default header: no page number"),
    ("docx.style.body", "Times New Roman 11 pt, spacing 2"),
    ("docx.style.heading", "Times New Roman 11 pt"),
    ("docx.style.bibliography", "hanging 0.50 cm"),
    ("docx.heading-numbering", "0 chapters"),
    ("docx.link-color", "0563C1"),
    ("docx.link-color", "1 link or cross-reference runs coloured 0000FF"),
    ("docx.valid", "problems; first:"),
    ("docx.fields", "has no SEQ field"),
    ("docx.fields", "has its number typed: no SEQ Gambar field"),
])
def test_every_rule_fails_on_an_output_made_deliberately_wrong(wrong_verified, rule: str, measured: str):
    code, rules = wrong_verified
    assert code == 1
    ok, text = rules[rule]
    assert not ok, text
    assert measured in text, text


HOSTILE = 'Judul #panic("boom") ] [ \\\\ <b>& `x` $y$ @key *z*'


@pytest.fixture(scope="module")
def cover(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build for the cover's tests: a hostile title and author, and a logo."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    project = copy_thesis(tmp_path_factory.mktemp("cover") / "thesis")
    text = (project / "thesis.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", "title: '" + HOSTILE.replace("'", "''") + "'", text, flags=re.M)
    text = text.replace('author: "[Nama Lengkap Penulis]"', "author: 'A ]#panic(\"x\")[ <w:p/> & B'")
    (project / "images").mkdir()
    fig = plt.figure(figsize=(1, 1))
    fig.savefig(project / "images" / "logo.png", dpi=50)
    plt.close(fig)
    (project / "thesis.yaml").write_text(text.replace("# logo: images/logo.png", "logo: images/logo.png"),
                                         encoding="utf-8")
    build(project)
    return project


def test_hostile_metadata_prints_literally_and_runs_nothing(cover: Path):
    project = cover
    printed = HOSTILE.replace("\\\\", "\\")
    assert printed.upper() in pdf_text(project)          # the cover prints the title in capitals
    assert 'A ]#panic("x")[ <w:p/> & B' in pdf_text(project)
    xml = docx_xml(project)
    assert "A ]#panic(&quot;x&quot;)[ &lt;w:p/&gt; &amp; B" in xml or 'A ]#panic("x")[ &lt;w:p/&gt; &amp; B' in xml
    assert "Judul #panic(" in docx_xml(project, "docProps/core.xml")


def test_a_changed_value_in_a_copied_profile_changes_both_outputs_and_verify_follows(tmp_path: Path):
    """A thesis that copied its template into templates/ and changes a value there: the next `doit`
    makes both outputs again, each margin where the profile puts it (four different values, so
    that two swapped would show), and verify measures them against the new values."""
    project = copy_thesis(tmp_path / "copied")
    shutil.copytree(BUILTIN_TEMPLATES / "skripsi-id", project / "templates" / "skripsi-id")
    proc = run_doit(project, "pdf", "docx")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    profile = project / "templates" / "skripsi-id" / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "    top: 4.0\n    left: 4.0\n    bottom: 3.0\n    right: 3.0\n",
        "    top: 3.5\n    left: 4.0\n    bottom: 2.5\n    right: 2.0\n"), encoding="utf-8")
    proc = run_doit(project, "pdf", "docx")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^\.  pdf$", proc.stdout, re.M) and re.search(r"^\.  docx$", proc.stdout, re.M), proc.stdout
    code, rules = verify(project)
    assert code == 0, {k: v for k, v in rules.items() if not v[0]}
    assert re.search(r"left 40\.\d, right 20\.\d, top 35\.\d, bottom ≥ 2\d\.\d mm", rules["pdf.margins"][1]), rules
    assert "margins top/left/bottom/right 3.50/4.00/2.50/2.00 cm" in rules["docx.page"][1]
    for margins in re.findall(r"<w:pgMar ([^>]*)/>", docx_xml(project)):
        found = dict(re.findall(r'w:(\w+)="(\d+)"', margins))
        assert (found["top"], found["left"], found["bottom"], found["right"]) == ("1984", "2268", "1417", "1134")


def test_the_template_variants_are_values_not_code(tmp_path: Path):
    project = copy_thesis(tmp_path / "variants")
    (project / "thesis.yaml").write_text(ORIGINAL + """
profile:
  page: {margin_cm: {top: 3.0}}
  body: {line_spacing: 2.0, indent_after_heading: false}
  page_numbers: {other_pages: bottom-center}
  headings: {chapter: {layout: one-line}}
  citations: {narrative_and: dan}
  front_matter:
    - {page: cover}
    - {page: title_page}
    - {text: abstrak, title: ABSTRAK, line_spacing: 1.0}
    - {text: abstract, title: ABSTRACT, line_spacing: 1.0, lang: en}
    - {text: kata-pengantar, title: KATA PENGANTAR}
    - {list: contents, title: DAFTAR ISI}
""", encoding="utf-8")
    build(project)
    code, rules = verify(project)
    assert code == 0, {k: v for k, v in rules.items() if not v[0]}
    assert "27.6 pt" in rules["pdf.line-pitch"][1]
    text = pdf_text(project)
    assert "I. PENDAHULUAN" in text and "BAB I" not in text
    assert "Strauss dan Corbin (1990)" in text and "(Khan & Siraj, 2021)" in text
    assert text.index("ABSTRAK") < text.index("KATA PENGANTAR") < text.index("DAFTAR ISI")
    assert "PERNYATAAN ORISINALITAS" not in text
    xml = docx_xml(project)
    assert "I. PENDAHULUAN" in xml and "Strauss dan Corbin" in xml
    # The first paragraph after a heading starts at the margin, the next ones 1.27 cm in.
    styles = docx_xml(project, "word/styles.xml")
    indents = {name: re.search(r'w:firstLine="(\d+)"', styles[styles.index(f'w:styleId="{name}"'):]).group(1)
               for name in ("FirstParagraph", "BodyText")}
    assert indents == {"FirstParagraph": "0", "BodyText": "720"}, indents
    starts = line_starts_mm(project / "build" / "thesis.pdf", "Latar Belakang")
    assert starts[0] == pytest.approx(40, abs=0.5) and starts[1] == pytest.approx(40, abs=0.5), starts
    assert any(start == pytest.approx(52.7, abs=0.5) for start in starts[2:]), starts
    # The same PDF measured against the template's page numbers (top-right on pages that open no
    # chapter): the numbers are where the variant put them, not where the template wants them.
    (project / "thesis.yaml").write_text((project / "thesis.yaml").read_text(encoding="utf-8").replace(
        "  page_numbers: {other_pages: bottom-center}\n", ""), encoding="utf-8")
    code, rules = verify(project)
    assert code == 1 and not rules["pdf.page-numbers"][0], rules
    assert "bottom-center (want" in rules["pdf.page-numbers"][1] and "top-right)" in rules["pdf.page-numbers"][1]


def line_starts_mm(path: Path, heading: str) -> list[float]:
    """Where the lines from the one that is `heading` on start, in mm from the page's left edge:
    the heading's line, then the lines below it on its page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        for page in document:
            text = page.get_textpage()
            lines: dict[int, list[tuple[float, str]]] = {}
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if char.strip():
                    left, bottom, _, _ = text.get_charbox(i, loose=True)
                    lines.setdefault(round(bottom), []).append((left, char))
            rows = [sorted(chars) for _, chars in sorted(lines.items(), reverse=True)]
            shown = ["".join(c for _, c in row) for row in rows]
            for n, row in enumerate(shown):
                if row.endswith(heading.replace(" ", "")):
                    return [rows[m][0][0] / 72 * 25.4 for m in range(n, len(rows))]
        raise AssertionError(f"no line ends with {heading!r}")
    finally:
        document.close()


def test_the_logo_goes_on_the_cover_of_both_outputs(cover: Path):
    project = cover
    from thesisbuild.verify.pdf import read_pdf

    pages, _ = read_pdf(project / "build" / "thesis.pdf")
    assert pages[0].images, "no image on the cover"
    with zipfile.ZipFile(project / "build" / "thesis.docx") as z:
        media = [name for name in z.namelist() if name.startswith("word/media/")]
    assert len(media) == 3, media   # the logo beside the chapter's two figures
    assert "[Logo]" not in docx_xml(project)


def test_a_new_users_minimal_thesis_builds_and_verifies(tmp_path: Path):
    """Two short chapters, a BibTeX file, no front texts, figures or typo dictionary."""
    project = tmp_path / "mini"
    (project / "bab").mkdir(parents=True)
    (project / "thesis.yaml").write_text("title: Judul Skripsi Saya\nauthor: Siti Aminah\nchapters:\n"
                                         "  - bab/1.md\n  - bab/2.md\nbibliography: refs.bib\n", encoding="utf-8")
    (project / "bab" / "1.md").write_text("# PENDAHULUAN\n\n## Latar Belakang\n\nMenurut @hopf2002, identitas "
                                          "penting.\n", encoding="utf-8")
    (project / "bab" / "2.md").write_text(
        "# TINJAUAN PUSTAKA\n\nTeks [@hopf2002, hlm. 3].\n\n> Kutipan blok yang panjang dari sumber.\n\n"
        ": Perbandingan {#tbl-banding}\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nLihat @tbl-banding.\n", encoding="utf-8")
    (project / "refs.bib").write_text("@book{hopf2002,\n  author = {Hopf, Ted},\n  title = {Social Construction},\n"
                                      "  publisher = {Cornell University Press},\n  year = {2002}\n}\n",
                                      encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parent.parent / "dodo.py", project / "dodo.py")
    proc = run_doit(project)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    code, rules = verify(project)
    assert code == 0 and set(rules) == ALL_RULES
    text = pdf_text(project)
    assert "BAB II TINJAUAN PUSTAKA" in text and "Hopf (2002)" in text and "(Hopf, 2002, hlm. 3)" in text
    assert "KATA PENGANTAR" not in text and "DAFTAR GAMBAR" not in text
    assert "Lihat Tabel 2.1" in text and "DAFTAR TABEL" in text
    # Single spacing inside block quotes and table cells; the quote indented 1.27 cm.
    styles = docx_xml(project, "word/styles.xml")
    quote = re.search(r'w:styleId="BlockText".*?</w:style>', styles, re.S).group()
    assert 'w:line="240"' in quote and 'w:left="720"' in quote
    cells = re.findall(r"<w:tc>.*?</w:tc>", docx_xml(project), re.S)
    assert len(cells) == 4 and all('w:line="240"' in c for c in cells)


# ---------------------------------------------------------------- verify's findings in the lint's formats

# Every rule of the deliberately wrong outputs fails, but the table of contents keeps its page numbers.
FAILING = ALL_RULES - {"docx.toc-page-numbers"}

def test_json_gives_each_failed_rule_with_its_code_name_and_place(wrong: Path):
    proc = run_cli(wrong, "verify", "--format", "json")
    assert proc.returncode == 1
    items = json.loads(proc.stdout)
    by_name = {i["name"]: i for i in items}
    assert set(by_name) == FAILING and len(items) == len(FAILING)
    for item in items:
        assert RULES[item["code"]].name == item["name"] and item["code"].startswith("VFY")
        assert item["severity"] == "error" and "(expected " in item["message"]
    margins = by_name["pdf.margins"]
    assert margins["code"] == "VFY002" and margins["path"] == "build/thesis.pdf"
    assert "no line starts at the left margin" in margins["message"]
    captions = by_name["pdf.captions"]
    assert f"(page {captions['line']})" in captions["message"]         # the line is the PDF page
    assert by_name["docx.page"]["path"] == "build/thesis.docx" and by_name["docx.page"]["line"] is None


def test_sarif_lists_every_rule_and_gives_a_result_per_failed_rule(wrong: Path):
    proc = run_cli(wrong, "verify", "--format", "sarif")
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert {rules[r["ruleIndex"]]["name"] for r in run["results"]} == FAILING
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] and result["level"] == "error"
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == f"build/thesis.{rules[result['ruleIndex']]['name'].split('.')[0]}"


def test_github_annotates_each_failed_rule_and_fail_on_never_exits_0(wrong: Path):
    proc = run_cli(wrong, "verify", "--format", "github", "--fail-on", "never")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert len(lines) == len(FAILING) and all(line.startswith("::error file=build/thesis.") for line in lines)
    assert any(line.startswith("::error file=build/thesis.pdf,") and "title=VFY002 pdf.margins::" in line
               for line in lines), lines
    assert "of 18 rules pass" in proc.stderr


def test_two_processes_read_a_long_pdf_exactly_as_one_does(example_build: Path, monkeypatch):
    """A long thesis is read by two processes, alternate pages each: the pages, lines and pictures
    are the same as one process reads."""
    from thesisbuild.verify import pdf as verify_pdf

    path = example_build / "build" / "thesis.pdf"
    monkeypatch.setattr(verify_pdf, "PARALLEL_FROM", 10 ** 6)
    one = verify_pdf.read_pdf(path)
    monkeypatch.setattr(verify_pdf, "PARALLEL_FROM", 1)
    two = verify_pdf.read_pdf(path)
    assert len(one[0]) > 20
    assert one == two


def test_verify_reads_again_only_the_pages_an_edit_changed(thesis_dir: Path, tmp_path: Path, monkeypatch):
    """verify keeps the pages it read under keys of what each page draws: after a sentence is added
    to the chapter's last section, it reads the pages that changed, takes the others from its cache,
    and finds exactly what a reading of every page finds. A damaged cache is read past."""
    from thesisbuild.verify import pdf as verify_pdf

    assert run_doit(thesis_dir, "pdf").returncode == 0
    path = thesis_dir / "build" / "thesis.pdf"
    cache = thesis_dir / "build" / "cache" / "verify"
    read: list[list[int]] = []
    real = verify_pdf._read_pages
    monkeypatch.setattr(verify_pdf, "_read_pages",
                        lambda pdf, numbers, *data: read.append(list(numbers)) or real(pdf, numbers, *data))
    first, _ = verify_pdf.read_pdf(path, 1, cache)
    assert read == [list(range(1, len(first) + 1))] and len(first) > 20

    chapter = thesis_dir / "chapters" / "01-pendahuluan.md"
    text = chapter.read_text(encoding="utf-8")
    # Letters the thesis has already: a new glyph changes the font every page draws with.
    edited = text.replace("[@creswell2018]", "[@creswell2018] Sekunder Kazakhstankazakhstan.")
    assert edited != text
    chapter.write_text(edited, encoding="utf-8")
    assert run_doit(thesis_dir, "pdf").returncode == 0
    read.clear()
    second, _ = verify_pdf.read_pdf(path, 1, cache)
    changed = read[0]
    assert second == real_read(real, path, len(second))
    where = [page.number for page in second if any("Kazakhstankazakhstan" in line.text for line in page.lines)]
    assert len(where) == 1 and where[0] in changed, (where, changed)
    assert 0 < len(changed) <= 3, changed

    (cache / "pdf-pages.json").write_text('{"version": ', encoding="utf-8")
    read.clear()
    assert verify_pdf.read_pdf(path, 1, cache)[0] == second and read == [list(range(1, len(second) + 1))]

    # A build that replaces the PDF while its pages are read (`thesisbuild watch`): the pages kept
    # are those of the bytes keyed, so the first PDF, back in its place, reads as it is.
    (cache / "pdf-pages.json").unlink()
    before, after = path.read_bytes(), tmp_path / "after.pdf"
    chapter.write_text(text, encoding="utf-8")
    assert run_doit(thesis_dir, "pdf").returncode == 0
    shutil.copy(path, after)
    path.write_bytes(before)

    def replaced_meanwhile(pdf, numbers, *data):
        shutil.copy(after, path)
        return real(pdf, numbers, *data)

    monkeypatch.setattr(verify_pdf, "_read_pages", replaced_meanwhile)
    assert verify_pdf.read_pdf(path, 1, cache)[0] == second
    path.write_bytes(before)
    assert verify_pdf.read_pdf(path, 1, cache)[0] == second


def real_read(read_pages, path: Path, count: int):
    """Every page of the PDF read by pdfium, without the cache."""
    return read_pages(path, list(range(1, count + 1)))


def test_a_pages_key_follows_what_it_draws_and_a_pdf_of_another_shape_has_none(example_build: Path):
    """A page's key changes with its content stream and with a font it draws with, not with its
    place in the structure tree; a PDF updated incrementally or cut short gets no keys (verify then
    reads every page)."""
    import re as _re

    from thesisbuild.verify.page_keys import page_keys

    data = (example_build / "build" / "thesis.pdf").read_bytes()
    keys = page_keys(data)
    assert keys is not None and len(keys) == len(_re.findall(rb"/Type/Page\b", data)) > 20

    def page_object(index: int) -> _re.Match:
        kids = _re.search(rb"/Kids\[([^\]]*)\]", data).group(1).split(b" R")[index].split()[0]
        return _re.search(rb"\n%s 0 obj\n(.*?)endobj" % kids, data, _re.S)

    # The second page's content stream, one byte of its compressed data changed in place.
    contents = int(_re.search(rb"/Contents (\d+) 0 R", page_object(1).group(1)).group(1))
    stream = _re.search(rb"\n%d 0 obj\n<<[^>]*>>\nstream\n" % contents, data).end() + 10
    changed = page_keys(data[:stream] + bytes([data[stream] ^ 1]) + data[stream + 1:])
    assert [i for i, (a, b) in enumerate(zip(keys, changed)) if a != b] == [1]

    # Its number in the structure tree (as long as before, so every offset stays).
    page = page_object(1)
    number = _re.search(rb"/StructParents (\d+)", page.group(1))
    renumbered = str(int(number.group(1)) ^ 1).encode()
    assert len(renumbered) == len(number.group(1))
    at = page.start(1) + number.start(1)
    assert page_keys(data[:at] + renumbered + data[at + len(renumbered):]) == keys

    # A font's program: every page that draws with it changes.
    program = int(_re.search(rb"/FontFile2 (\d+) 0 R", data).group(1))
    start = _re.search(rb"\n%d 0 obj\n<<[^>]*>>\nstream\n" % program, data).end() + 10
    refonted = page_keys(data[:start] + bytes([data[start] ^ 1]) + data[start + 1:])
    assert sum(a != b for a, b in zip(keys, refonted)) > len(keys) // 2

    assert page_keys(data[:-200]) is None
    update = b"\nxref\n0 1\n0000000000 65535 f\r\ntrailer\n<</Size 1/Prev %d>>\nstartxref\n%d\n%%%%EOF\n"
    assert page_keys(data + update % (int(data.rsplit(b"startxref", 1)[1].split()[0]), len(data) + 1)) is None


def test_render_finds_a_list_entry_whose_cached_page_is_not_where_libreoffice_prints_it(example_build: Path,
                                                                                       tmp_path: Path):
    """`verify --render` against LibreOffice's rendering: the real DOCX passes; one whose Daftar Isi
    says BAB I is on page 7 fails, naming the entry."""
    import shutil as _shutil

    if not (_shutil.which("soffice") or _shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed: --render has nothing to render with")
    docx = example_build / "build" / "thesis.docx"
    proc = run_cli(example_build, "verify", "--render", str(docx))
    assert proc.returncode == 0 and "PASS  docx.rendered-pages" in proc.stdout, proc.stdout[-2000:]
    wrong = tmp_path / "thesis.docx"
    with zipfile.ZipFile(docx) as z:
        parts = {info: z.read(info.filename) for info in z.infolist()}
    with zipfile.ZipFile(wrong, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename == "word/document.xml":
                # The PAGEREF result of BAB I's entry: "1" -> "7".
                data, n = re.subn(rb"(PAGEREF pendahuluan .*?<w:t[^>]*>)1(</w:t>)", rb"\g<1>7\2", data, count=1,
                                  flags=re.S)
                assert n == 1
            z.writestr(info, data)
    proc = run_cli(example_build, "verify", "--render", str(wrong))
    assert proc.returncode == 1 and "FAIL  docx.rendered-pages" in proc.stdout, proc.stdout[-2000:]
    assert "'BAB I PENDAHULUAN' (7)" in proc.stdout


def _broken_copy(source: Path, target: Path, replace) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, replace(data) if info.filename == "word/document.xml" else data)
    return target


@pytest.mark.parametrize("which", [0, 20, -1])
def test_the_schema_check_finds_a_fault_in_any_copy_of_a_repeated_element(example_build: Path, tmp_path: Path,
                                                                           which: int):
    """verify validates each distinct element shape once, and keeps the shapes found valid for
    the next run: a bad value in the first, a middle or the last of 32 centred paragraphs is found,
    with exactly the problems openxml-audit finds reading every element, also right after the
    good DOCX was validated with the same cache."""
    from openxml_audit import FileFormat, OpenXmlValidator

    from thesisbuild.verify.schema import validate_package

    def replace(data: bytes) -> bytes:
        spots = [m.start() for m in re.finditer(rb'<w:jc w:val="center"/>', data)]
        assert len(spots) > 20
        at = spots[which]
        return data[:at] + b'<w:jc w:val="middle"/>' + data[at + len(b'<w:jc w:val="center"/>'):]

    good = example_build / "build" / "thesis.docx"
    broken = _broken_copy(good, tmp_path / "broken.docx", replace)
    plain = [str(e) for e in OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)
             .validate(str(broken)).errors if "Numbering definition '0'" not in str(e)]
    assert any("middle" in problem for problem in plain), plain
    assert validate_package(str(broken)) == plain
    cache = tmp_path / "cache"
    assert validate_package(str(good), str(cache)) == []
    assert (cache / "valid-shapes.json").is_file()
    assert validate_package(str(broken), str(cache)) == plain
    assert validate_package(str(good), str(cache)) == []


def test_children_out_of_their_order_are_found_in_every_copy_with_the_problems_a_plain_check_finds(
        example_build: Path, tmp_path: Path):
    """verify checks a sequence of child tags against an element's content model once when it fits;
    one that does not fit is reported wherever it occurs: here two centred paragraphs whose
    alignment comes twice."""
    from openxml_audit import FileFormat, OpenXmlValidator

    from thesisbuild.verify.schema import validate_package

    def replace(data: bytes) -> bytes:
        spots = [m.start() for m in re.finditer(rb'<w:jc w:val="center"/>', data)]
        for at in (spots[-1], spots[0]):
            data = data[:at] + b'<w:jc w:val="center"/>' + data[at:]
        return data

    broken = _broken_copy(example_build / "build" / "thesis.docx", tmp_path / "broken.docx", replace)
    plain = [str(e) for e in OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)
             .validate(str(broken)).errors if "Numbering definition '0'" not in str(e)]
    assert len([p for p in plain if "jc" in p]) >= 2, plain
    assert validate_package(str(broken)) == plain
    assert validate_package(str(broken), str(tmp_path / "cache")) == plain


def test_the_schema_check_reads_on_past_many_unnumbered_headings(example_build: Path, tmp_path: Path):
    """An unnumbered heading removes its style's numbering with numId 0, which openxml-audit
    reports and verify leaves out (ECMA-376 allows it): thirty of them before a link to a missing
    relationship at the end of the document still leave that fault found, as openxml-audit names it."""
    from openxml_audit import FileFormat, OpenXmlValidator

    from thesisbuild.verify.schema import validate_package

    unnumbered = (b'<w:p><w:pPr><w:pStyle w:val="Heading2"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/>'
                  b'</w:numPr></w:pPr><w:r><w:t>Tanpa nomor</w:t></w:r></w:p>')

    def replace(data: bytes) -> bytes:
        body = data.index(b"<w:body>") + len(b"<w:body>")
        data = data[:body] + unnumbered * 30 + data[body:]
        link = list(re.finditer(rb'r:id="rId\d+"', data))[-1]
        return data[:link.start()] + b'r:id="rId999"' + data[link.end():]

    broken = _broken_copy(example_build / "build" / "thesis.docx", tmp_path / "broken.docx", replace)
    problems = validate_package(str(broken))
    assert problems and all("rId999" in problem for problem in problems), problems
    every = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0).validate(str(broken)).errors
    assert problems == [str(e) for e in every if "Numbering definition '0'" not in str(e)]
    proc = run_cli(example_build, "verify", str(broken))
    assert proc.returncode == 1 and "FAIL  docx.valid" in proc.stdout and "rId999" in proc.stdout, proc.stdout


def test_verify_checks_the_docx_schema_where_processes_cannot_fork(example_build: Path, tmp_path: Path, monkeypatch):
    """On Windows there is no fork: the schema check runs in a new interpreter, and finds what it
    finds where it forks (a broken DOCX fails docx.valid, the built one passes)."""
    import multiprocessing

    from thesisbuild.config import load_thesis
    from thesisbuild.verify import verify_files

    def replace(data: bytes) -> bytes:
        at = data.rindex(b'<w:jc w:val="center"/>')
        return data[:at] + b'<w:jc w:val="middle"/>' + data[at + len(b'<w:jc w:val="center"/>'):]

    broken = _broken_copy(example_build / "build" / "thesis.docx", tmp_path / "broken.docx", replace)
    real = multiprocessing.get_context

    def without_fork(method=None):
        if method == "fork":
            raise ValueError("cannot find context for 'fork'")     # as on Windows
        return real(method)

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(multiprocessing, "get_context", without_fork)
    profile = load_thesis(example_build / "thesis.yaml").profile
    checks = {check.path.name: check for check in verify_files([example_build / "build" / "thesis.docx", broken],
                                                               profile) if check.rule == "docx.valid"}
    assert checks["thesis.docx"].ok, checks["thesis.docx"].line()
    assert not checks["broken.docx"].ok and "middle" in checks["broken.docx"].line()


def test_the_early_schema_check_gives_the_findings_of_a_check_made_at_once(example_build: Path, tmp_path: Path,
                                                                          monkeypatch):
    """doit starts the DOCX's schema check before the DOCX is written (verify/schema.py, Early):
    given a broken DOCX it finds what a check made at once finds; one whose process died is made
    at once; one never given a DOCX is stopped when the build ends. The findings are kept under
    the DOCX's hash: the same file is not validated again, another file is."""
    from thesisbuild.verify import schema

    def replace(data: bytes) -> bytes:
        at = data.rindex(b'<w:jc w:val="center"/>')
        return data[:at] + b'<w:jc w:val="middle"/>' + data[at + len(b'<w:jc w:val="center"/>'):]

    good = example_build / "build" / "thesis.docx"
    broken = _broken_copy(good, tmp_path / "broken.docx", replace)
    plain = schema.validate_package(str(broken))
    assert any("middle" in problem for problem in plain), plain

    early = schema.start_early(tmp_path / "cache")
    early.validate(broken)
    assert schema.early_check(broken) is early and schema.early_check(broken) is None
    with monkeypatch.context() as patch:
        # This process validates nothing: the findings are the early process's.
        patch.setattr(schema, "validate_package", lambda *args: pytest.fail("validated in the verifying process"))
        assert early.findings(broken) == plain
    assert early.process.returncode == 0
    assert json.loads((tmp_path / "cache" / "schema-findings.json").read_text(encoding="utf-8"))["problems"] == plain

    dead = schema.start_early(tmp_path / "cache2")
    dead.process.kill()
    dead.validate(broken)
    assert dead.findings(broken) == plain

    unused = schema.start_early(tmp_path / "cache3")
    assert schema.start_early(tmp_path / "cache3") is unused
    schema._stop_unused()
    assert unused.process.poll() is not None

    # Kept for the same bytes (the file is read, not validated), not for others.
    kept = tmp_path / "cache"
    found = json.loads((kept / "schema-findings.json").read_text(encoding="utf-8"))
    found["problems"] = ["a finding kept for these bytes"]
    (kept / "schema-findings.json").write_text(json.dumps(found), encoding="utf-8")
    assert schema.validate_package(str(broken), str(kept)) == ["a finding kept for these bytes"]
    assert schema.validate_package(str(good), str(kept)) == []

    # A build that replaces the DOCX while it is validated: the findings kept are those of the
    # bytes hashed, so the broken DOCX, back in its place, is still found broken.
    from openxml_audit import OpenXmlValidator

    swapped = tmp_path / "swapped.docx"
    shutil.copy(broken, swapped)
    real = OpenXmlValidator.validate

    def replaced_meanwhile(self, path):
        shutil.copy(good, swapped)
        return real(self, path)

    fresh = tmp_path / "cache4"
    with monkeypatch.context() as patch:
        patch.setattr(OpenXmlValidator, "validate", replaced_meanwhile)
        assert schema.validate_package(str(swapped), str(fresh)) == plain
    shutil.copy(broken, swapped)
    assert schema.validate_package(str(swapped), str(fresh)) == plain


def test_a_chapters_draft_docx_is_verified_without_the_whole_thesiss_page_rules(tmp_path: Path):
    """`thesisbuild verify build/drafts/<chapter>.docx`: the draft names its chapter in its custom
    properties, so the rules of the whole thesis's pages (front matter numbering, chapter sections,
    the lists) pass as not applicable, and its page is measured with the drafts' right margin; every
    other rule still runs. The same DOCX without that property is measured as a thesis, and fails."""
    project = copy_thesis(tmp_path / "draft")
    (project / "thesis.yaml").write_text(ORIGINAL + "\nprofile:\n  drafts: {right_margin_cm: 7.0}\n",
                                         encoding="utf-8")
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    draft = project / "build" / "drafts" / "01-pendahuluan.docx"
    proc = run_cli(project, "verify", str(draft))
    assert proc.returncode == 0, proc.stdout
    rules = {m.group(2): (m.group(1), m.group(3)) for m in re.finditer(r"(?m)^(PASS|FAIL)\s+(\S+)\s+(.*)$",
                                                                       proc.stdout)}
    assert set(rules) == {r for r in ALL_RULES if r.startswith("docx.")}
    for rule in ("docx.page-numbering", "docx.chapter-pages", "docx.toc-page-numbers"):
        assert rules[rule][0] == "PASS" and "not applicable: a draft of the chapter 01-pendahuluan" in rules[rule][1]
    assert "margins top/left/bottom/right 4.00/4.00/3.00/7.00 cm" in rules["docx.page"][1]
    assert "1 chapters" in rules["docx.heading-numbering"][1] and "2 of 2 captions" in rules["docx.fields"][1]
    # The control: the same DOCX, its thesisbuild.chapter property gone, is measured as a whole thesis.
    thesis_like = tmp_path / "thesis-like.docx"
    with zipfile.ZipFile(draft) as src, zipfile.ZipFile(thesis_like, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/custom.xml":
                data = data.replace(b'name="thesisbuild.chapter"', b'name="thesisbuild.other"')
            out.writestr(info, data)
    proc = run_cli(project, "verify", str(thesis_like))
    assert proc.returncode == 1
    assert re.search(r"(?m)^FAIL  docx.page-numbering ", proc.stdout) and "not applicable" not in proc.stdout
    assert re.search(r"(?m)^FAIL  docx.page .*3\.00/7\.00 cm", proc.stdout)
    # A later chapter's draft starts at its own number: BAB II, then 2.1.
    from .test_drafts import with_second_chapter

    with_second_chapter(project)
    proc = run_doit(project, "draft:02-tinjauan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_cli(project, "verify", str(project / "build" / "drafts" / "02-tinjauan.docx"))
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"(?m)^PASS  docx.heading-numbering +1 chapters", proc.stdout), proc.stdout
    # A draft's PDF is not measured as a thesis: one sentence, exit 2.
    proc = run_cli(project, "verify", str(project / "build" / "drafts" / "02-tinjauan.pdf"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "02-tinjauan.pdf: error: this PDF is a chapter's draft" in proc.stderr, proc.stderr


def test_link_color_reads_the_runs_of_links_and_of_cross_reference_fields():
    """docx.link-color: a colour set directly on a run of a hyperlink, or of a REF or PAGEREF
    field's result (a complex field, nested in another, or a simple one), is found; the field's
    instruction and a coloured run that is no link are not the rule's business."""
    from lxml import etree

    from thesisbuild.verify.docx import W, _link_color

    def run(text: str, color: str | None = None, tag: str = "t") -> str:
        rpr = f'<w:rPr><w:color w:val="{color}"/></w:rPr>' if color else ""
        return f"<w:r>{rpr}<w:{tag}>{text}</w:{tag}></w:r>"

    def field(instruction: str, result: str) -> str:
        return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + run(f" {instruction} ", "FF0000", "instrText")
                + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + result
                + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    styles = etree.fromstring(f'<w:styles xmlns:w="{W}"><w:style w:styleId="Hyperlink"><w:rPr>'
                              '<w:color w:val="000000"/></w:rPr></w:style></w:styles>')

    def check(body: str):
        return _link_color(styles, etree.fromstring(f'<w:document xmlns:w="{W}"><w:body><w:p>{body}</w:p>'
                                                    '</w:body></w:document>'))

    plain = run("merah", "C00000") + field("REF _Ref1 \\h", run("Gambar 1.1", "000000")) \
        + field("SEQ Gambar", run("1", "00FF00"))
    assert check(plain).ok, check(plain).measured
    for body, color in ((f"<w:hyperlink w:anchor='x'>{run('tautan', '0000FF')}</w:hyperlink>", "0000FF"),
                        (field("REF _Ref1 \\h", run("Gambar 1.1", "0563C1")), "0563C1"),
                        (field("PAGEREF x \\h", run("7", "0563C1")), "0563C1"),
                        (field("IF 1 = 1", field("REF _Ref2", run("1.2", "1F4E79"))), "1F4E79"),
                        (f'<w:fldSimple w:instr=" REF _Ref3 \\h ">{run("3", "0000FF")}</w:fldSimple>', "0000FF")):
        result = check(plain + body)
        assert not result.ok and f"1 link or cross-reference runs coloured {color}" in result.measured, body


def test_the_lint_of_a_run_that_verifies_starts_the_schema_check_the_docx_task_takes(thesis_dir: Path,
                                                                                      monkeypatch):
    """The lint takes one core; the DOCX's schema check loads its schemas on the other meanwhile,
    but only in a run that asks for verify (`doit`, `doit run verify`, `doit lint verify`)."""
    from thesisbuild import tasks
    from thesisbuild.config import load_thesis
    from thesisbuild.verify import schema

    assert [tasks._verify_asked(argv) for argv in ([], ["run"], ["verify"], ["lint", "verify"], ["run", "verify"],
                                                   ["lint"], ["pdf", "docx"], ["-n", "2"], ["lint", "x=1"])] == \
        [True, True, True, True, True, False, False, False, False]
    t = load_thesis(thesis_dir / "thesis.yaml")
    cache = tasks._verify_cache(t)
    try:
        monkeypatch.setattr("sys.argv", ["doit", "lint"])
        tasks.run_lint_task(t)
        assert [e for e in schema._STARTED if e.cache == cache] == []
        monkeypatch.setattr("sys.argv", ["doit"])
        tasks.run_lint_task(t)
        started = [e for e in schema._STARTED if e.cache == cache]
        assert len(started) == 1 and started[0].path is None and started[0].process.poll() is None
        assert schema.start_early(cache) is started[0]        # what build_docx asks for
    finally:
        schema._stop_unused()


@pytest.mark.parametrize("good, bad, measured", [
    ('w:line="360"', 'w:line="480"', "spacing 2"),
    ('w:firstLine="720"', 'w:firstLine="0"', "first line 0.00 cm"),
    ('<w:jc w:val="both"/>', '<w:jc w:val="left"/>', "left"),
])
def test_the_body_style_fails_on_each_of_its_values_alone(example_build: Path, tmp_path: Path, good: str, bad: str,
                                                          measured: str):
    """docx.style.body measures every value of the body text's style, each on its own: a DOCX whose
    body is only double-spaced, or only unindented, or only ragged fails it."""
    from thesisbuild.config import load_thesis
    from thesisbuild.verify import verify_files

    def body_only(data: bytes) -> bytes:
        at = data.index(b'w:styleId="BodyText"')
        end = data.index(b"</w:style>", at)
        assert good.encode() in data[at:end]
        return data[:at] + data[at:end].replace(good.encode(), bad.encode()) + data[end:]

    source, target = example_build / "build" / "thesis.docx", tmp_path / "thesis.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, body_only(data) if info.filename == "word/styles.xml" else data)
    profile = load_thesis(example_build / "thesis.yaml").profile
    checks = {c.rule: c for c in verify_files([source], profile)}
    assert checks["docx.style.body"].ok
    check = {c.rule: c for c in verify_files([target], profile)}["docx.style.body"]
    assert not check.ok and measured in check.line(), check.line()
