"""Chapter drafts for the supervisor, and tracked changes since the draft last sent."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from lxml import etree

from thesisbuild.drafts import diff_markdown
from thesisbuild.verify.docx import list_numbers

from .conftest import assert_valid_docx, copy_thesis, run_cli, run_doit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=project,
                   check=True, capture_output=True)


def docx_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def tracked(xml: str) -> list[tuple[str, str]]:
    out = []
    for m in re.finditer(r"<w:(ins|del) [^>]*>(.*?)</w:\1>", xml, re.S):
        out.append((m.group(1), "".join(re.findall(r"<w:(?:t|delText)[^>]*>([^<]*)<", m.group(2)))))
    return out


def with_second_chapter(project: Path) -> None:
    (project / "chapters" / "02-tinjauan.md").write_text(
        "# TINJAUAN PUSTAKA\n\n## Teori Identitas\n\nIdentitas dikonstruksi secara sosial [@hopf2002].\n",
        encoding="utf-8")
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - chapters/01-pendahuluan.md\n", "  - chapters/01-pendahuluan.md\n  - chapters/02-tinjauan.md\n"),
        encoding="utf-8")


def test_a_draft_holds_one_chapter_with_its_thesis_numbering_line_numbers_and_references(tmp_path: Path):
    project = copy_thesis(tmp_path / "draft")
    with_second_chapter(project)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "thesis")
    proc = run_doit(project, "draft:02-tinjauan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docx = project / "build" / "drafts" / "02-tinjauan.docx"
    xml = docx_xml(docx)
    assert "<w:lnNumType" in xml and 'w:countBy="1"' in xml
    assert 'w:restart="continuous"' in xml          # numbered on through the pages, as the PDF draft
    # Word numbers the chapter BAB II and its first section 2.1, as the thesis does.
    with zipfile.ZipFile(docx) as z:
        parts = {name: etree.fromstring(z.read(name)) for name in
                 ("word/document.xml", "word/styles.xml", "word/numbering.xml")}
    shown = [numbers + "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
             for p, numbers in list_numbers(parts).items()]
    assert shown[0] == "BAB IITINJAUAN PUSTAKA"          # "BAB II", a line break, the title
    assert "2.1 Teori Identitas" in shown
    assert len(re.findall(r'<w:pStyle w:val="Bibliography"', xml)) == 1      # only the work it cites
    with zipfile.ZipFile(docx) as z:
        header = z.read("word/header-draft.xml").decode("utf-8")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True,
                            text=True).stdout.strip()
    assert re.search(rf"DRAF · \d+ \w+ \d{{4}} · komit {commit}<", header)
    # The page number's tab stop at the right edge of the text block: 21 cm less 4 cm and the draft's
    # 3 cm right margin = 14 cm.
    assert re.search(r'<w:tab w:val="right" w:pos="(\d+)"', header).group(1) == str(round(14 / 2.54 * 1440))
    pdf = " ".join(p.extract_text() for p in PdfReader(project / "build" / "drafts" / "02-tinjauan.pdf").pages)
    assert "BAB II" in pdf and "2.1 Teori Identitas" in pdf and f"komit {commit}" in pdf
    assert "PENDAHULUAN" not in pdf and "Hopf, T. (2002)" in pdf and "Jordaan" not in pdf
    assert right_edge_mm(project / "build" / "drafts" / "02-tinjauan.pdf") == pytest.approx(210 - 30, abs=2)

    # Room for handwritten comments, set in thesis.yaml: both drafts take the wider margin. The
    # chapter edited and not committed yet: their header says the text is not the commit's.
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "profile:\n  drafts:\n    right_margin_cm: 7.0\n",
                      encoding="utf-8")
    chapter = project / "chapters" / "02-tinjauan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nKalimat yang belum dikomit.\n", encoding="utf-8")
    proc = run_doit(project, "draft:02-tinjauan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(docx) as z:
        header = z.read("word/header-draft.xml").decode("utf-8")
        margins = re.search(r"<w:pgMar [^>]*>", z.read("word/document.xml").decode("utf-8")).group(0)
    assert re.search(rf"komit {commit} \+ perubahan belum dikomit<", header), header
    assert re.search(r'w:right="(\d+)"', margins).group(1) == str(round(7 / 2.54 * 1440))
    pdf = " ".join(p.extract_text() for p in PdfReader(project / "build" / "drafts" / "02-tinjauan.pdf").pages)
    assert f"komit {commit} + perubahan belum dikomit" in " ".join(pdf.split())
    assert right_edge_mm(project / "build" / "drafts" / "02-tinjauan.pdf") == pytest.approx(210 - 70, abs=2)


def right_edge_mm(path: Path) -> float:
    """Where the rightmost character of the PDF's pages ends, in mm from the left edge."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        right = 0.0
        for page in document:
            text = page.get_textpage()
            for i in range(text.count_chars()):
                if text.get_text_range(i, 1).strip():
                    right = max(right, text.get_charbox(i)[2])
        return right / 72 * 25.4
    finally:
        document.close()


def test_after_mark_sent_and_an_edit_the_changes_docx_tracks_only_the_changed_words(tmp_path: Path):
    project = copy_thesis(tmp_path / "sent")
    # The chapter's opening (its headings and first paragraph) keeps the draft small.
    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text("".join(chapter.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")
    proc = run_cli(project, "draft", "--mark-sent", "01-pendahuluan")
    assert proc.returncode == 0, proc.stderr
    snapshots = list((project / "drafts" / "01-pendahuluan").glob("*.md"))
    assert len(snapshots) == 1
    assert snapshots[0].read_bytes() == (project / "chapters" / "01-pendahuluan.md").read_bytes()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.md", snapshots[0].name)
    chapter = project / "chapters" / "01-pendahuluan.md"
    text = chapter.read_text(encoding="utf-8")
    sentence = "Presiden Nazarbayev menggunakan kebijakan untuk memperkuat posisinya"
    assert text.count(sentence) == 1
    chapter.write_text(text.replace(sentence, "Presiden Nazarbayev memakai kebijakan tersebut untuk memperkuat "
                                              "kedudukannya"), encoding="utf-8")
    config = project / "thesis.yaml"           # the student's name, no longer the placeholder
    config.write_text(re.sub(r"(?m)^author: .*$", "author: Siti Rahma", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    xml = docx_xml(project / "build" / "drafts" / "01-pendahuluan-changes.docx")
    assert tracked(xml) == [("del", "menggunakan"), ("ins", "memakai"), ("ins", " tersebut"),
                            ("del", "posisinya"), ("ins", "kedudukannya")]
    marks = re.findall(r"<w:(?:ins|del) [^>]*>", xml)
    assert all('w:author="Siti Rahma"' in m for m in marks)
    # Revision ids are unique across the document (pandoc numbers insertions and deletions each from 1).
    ids = [re.search(r'w:id="(\d+)"', m).group(1) for m in marks]
    bookmarks = re.findall(r'<w:bookmarkStart [^>]*w:id="(\d+)"', xml)
    assert len(set(ids)) == len(ids) and not set(ids) & set(bookmarks)
    assert "<w:lnNumType" in xml
    for name in ("01-pendahuluan.docx", "01-pendahuluan-changes.docx"):
        assert_valid_docx(project / "build" / "drafts" / name)
    # The snapshots deleted: nothing was sent, so no changes draft of an older comparison is left to send.
    shutil.rmtree(project / "drafts" / "01-pendahuluan")
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "build" / "drafts" / "01-pendahuluan.docx").is_file()
    assert not (project / "build" / "drafts" / "01-pendahuluan-changes.docx").exists()


def test_word_level_changes_keep_citations_whole_and_headings_marked_in_place():
    old = "# BAB\n\n## Latar\n\nSatu dua tiga [@hopf2002].\n\nParagraf lama.\n"
    new = "# BAB\n\n## Latar Belakang\n\nSatu tiga empat [@hopf2002; @lee2015].\n\nParagraf baru.\n"
    out = diff_markdown(old, new, "thesisbuild", "2026-01-01T00:00:00Z")
    attrs = 'author="thesisbuild" date="2026-01-01T00:00:00Z"'
    assert f"## Latar[<!-- --> Belakang]{{.insertion {attrs}}}" in out
    assert f"Satu[<!-- --> dua]{{.deletion {attrs}}} tiga " in out
    # A citation is one token: it is deleted or inserted whole, never cut inside its brackets.
    assert f"[[@hopf2002]]{{.deletion {attrs}}}[empat [@hopf2002; @lee2015]]{{.insertion {attrs}}}." in out
    # Words change, the punctuation after them stays.
    assert f"Paragraf [lama]{{.deletion {attrs}}}[baru]{{.insertion {attrs}}}." in out


def _settle(marked: str, accept: bool) -> str:
    """The text after accepting (or rejecting) every change, as Word would leave it."""
    import re

    keep, drop = ("insertion", "deletion") if accept else ("deletion", "insertion")
    span = r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\{\.%s [^{}]*\}"
    text = re.sub(span % drop, "", marked)
    return re.sub(span % keep, lambda m: m.group(1), text).replace("<!-- -->", "")


def test_accepting_or_rejecting_every_change_gives_the_new_or_the_old_text_with_its_spaces():
    old = "Sejak merdeka pada tahun 1991, Kazakhstan dipengaruhi beberapa faktor. Dua kalimat dihapus. Tiga.\n"
    new = "Sejak merdeka pada tahun 1991 yang lalu, Kazakhstan dipengaruhi beberapa faktor penting. Tiga.\n"
    out = diff_markdown(old, new, "Siti", "2026-01-01T00:00:00Z")
    assert '1991[<!-- --> yang lalu]{.insertion author="Siti"' in out
    assert _settle(out, accept=True) == new and _settle(out, accept=False) == old
    out = diff_markdown("beberapa faktor. Tiga.\n", "beberapa faktor penting. Tiga.\n", "Siti", "2026-01-01T00:00:00Z")
    assert 'faktor[<!-- --> penting]{.insertion author="Siti"' in out


def test_an_unknown_chapter_name_is_a_clear_error(tmp_path: Path):
    project = copy_thesis(tmp_path / "unknown")
    proc = run_cli(project, "draft", "99-penutup")
    assert proc.returncode == 2
    assert "no chapter named '99-penutup'" in proc.stderr and "01-pendahuluan" in proc.stderr


def test_the_last_draft_sent_is_the_newest_even_when_two_went_out_on_one_day(tmp_path: Path):
    import datetime as dt

    from thesisbuild.config import load_thesis
    from thesisbuild.drafts import find_draft, last_sent, mark_sent, snapshots

    project = copy_thesis(tmp_path / "thesis")
    thesis = load_thesis(project / "thesis.yaml")
    draft = find_draft(thesis, "01-pendahuluan")
    chapter = project / "chapters" / "01-pendahuluan.md"
    first = mark_sent(thesis, draft, dt.date(2026, 11, 27))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nKalimat kedua.\n", encoding="utf-8")
    second = mark_sent(thesis, draft, dt.date(2026, 11, 27))
    assert (first.name, second.name) == ("2026-11-27.md", "2026-11-27-2.md")
    # "-" sorts before ".": by name alone the first of the day would pass for the newest.
    assert last_sent(thesis, draft) == second
    third = mark_sent(thesis, draft, dt.date(2026, 12, 1))
    assert last_sent(thesis, draft) == third
    # A note the student keeps beside the snapshots is no draft sent.
    (third.parent / "catatan.md").write_text("Masukan dari rapat.\n", encoding="utf-8")
    assert last_sent(thesis, draft) == third
    assert [p.name for p in snapshots(thesis, "01-pendahuluan")] == ["2026-11-27.md", "2026-11-27-2.md",
                                                                      "2026-12-01.md"]


def test_a_deleted_figure_and_its_reference_show_in_the_changes_draft(tmp_path: Path):
    """The figure and the sentence that referred to it deleted since the draft was sent: the
    -changes.docx shows the deleted reference as written, instead of failing on a label that is gone."""
    project = copy_thesis(tmp_path / "gone")
    chapter = project / "chapters" / "01-pendahuluan.md"
    text = chapter.read_text(encoding="utf-8")
    sent = text + "\nSeperti terlihat pada @fig-linimasa, urutannya jelas.\n"
    chapter.write_text(sent, encoding="utf-8")
    assert run_cli(project, "draft", "--mark-sent", "01-pendahuluan").returncode == 0
    figure = next(line for line in text.splitlines() if "{#fig-linimasa}" in line)
    chapter.write_text(text.replace(figure + "\n", ""), encoding="utf-8")
    proc = run_cli(project, "draft", "01-pendahuluan")
    assert proc.returncode == 0, proc.stderr
    deleted = [t for kind, t in tracked(docx_xml(project / "build" / "drafts" / "01-pendahuluan-changes.docx"))
               if kind == "del"]
    assert any("@fig-linimasa" in t for t in deleted)


# ---------------------------------------------------------------- paragraphs and headings added or removed whole

def test_a_changed_heading_and_paragraph_beside_an_added_one_are_marked_word_by_word():
    """The heading and the paragraph under it both edited and a paragraph added after them: the
    edits are marked word by word, and only the added paragraph is inserted whole."""
    old = "# BAB\n\n## Latar Belakang\n\nTulis latar belakang di sini. Pisahkan paragraf.\n\nKutipan.\n"
    new = ("# BAB\n\n## Latar Belakang Masalah\n\nTulis latar belakang di sini; Pisahkan paragraf.\n\n"
           "Paragraf baru yang ditambahkan.\n\nKutipan.\n")
    out = diff_markdown(old, new, "A", "D")
    attrs = 'author="A" date="D"'
    assert f"## Latar Belakang[<!-- --> Masalah]{{.insertion {attrs}}}\n" in out
    assert f"di sini[.]{{.deletion {attrs}}}[;]{{.insertion {attrs}}} Pisahkan paragraf." in out
    assert f"\n\n[Paragraf baru yang ditambahkan.]{{.insertion {attrs}}}\n\nKutipan." in out
    assert "[Latar Belakang]{.deletion" not in out and "[Tulis" not in out

    def blocks(text: str) -> str:           # a block settled away leaves blank lines, no paragraph
        return re.sub(r"\n{3,}", "\n\n", text)
    assert blocks(_settle(out, accept=True)) == new and blocks(_settle(out, accept=False)) == old
    # A block rewritten beyond recognition, beside one removed, is deleted and inserted whole.
    out = diff_markdown("A.\n\nSatu dua tiga empat.\n\nLima enam.\n\nZ.\n", "A.\n\nTujuh delapan sembilan.\n\nZ.\n",
                        "A", "D")
    assert out.count(".deletion") == 2 and out.count(".insertion") == 1
    assert blocks(_settle(out, accept=True)) == "A.\n\nTujuh delapan sembilan.\n\nZ.\n"


def test_a_list_or_quote_removed_or_added_whole_keeps_its_items():
    old = "A.\n\n1. Bagaimana [x]?\n2. Mengapa\n   lagi?\n\n> Kutipan\n> panjang.\n\nB.\n"
    out = diff_markdown(old, "A.\n\nB.\n", "a", "d")
    assert '1. [Bagaimana [x]?]{.deletion author="a" date="d"}\n2. [Mengapa lagi?]{.deletion' in out
    assert '\n\n> [Kutipan panjang.]{.deletion' in out


def _paragraphs(body) -> list[tuple[str, str]]:
    """(style, text) of each paragraph of a document body, as it shows (no deleted text)."""
    out = []
    for p in body.iter(f"{{{W}}}p"):
        style = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        out.append((style.get(f"{{{W}}}val") if style is not None else "",
                    re.sub(r"\s+", " ", "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))).strip()))
    return out


def _settled_docx(path: Path, accept: bool):
    """The document body after Accept All (or Reject All), done on the XML as Word does it: the
    changes of the other kind dropped, these kept; a paragraph whose mark is dropped joins the next."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{{{W}}}body")
    drop, keep = (f"{{{W}}}del", f"{{{W}}}ins") if accept else (f"{{{W}}}ins", f"{{{W}}}del")
    for el in list(body.iter(drop, keep)):
        parent = el.getparent()
        if parent.tag == f"{{{W}}}rPr":          # a paragraph mark's change: handled below
            continue
        if el.tag == keep:
            for child in el:
                el.addprevious(child)
        parent.remove(el)
    for t in body.iter(f"{{{W}}}delText"):
        t.tag = f"{{{W}}}t"
    for p in list(body.iter(f"{{{W}}}p")):
        marks = p.findall(f"{{{W}}}pPr/{{{W}}}rPr/*")
        if any(m.tag == keep for m in marks):
            for m in marks:
                m.getparent().remove(m)
        if any(m.tag == drop for m in marks):
            following = p.getnext()
            content = [c for c in p if c.tag != f"{{{W}}}pPr"]
            at = 1 if following.find(f"{{{W}}}pPr") is not None else 0
            for c in reversed(content):
                following.insert(at, c)
            p.getparent().remove(p)
    return body


@pytest.fixture(scope="module")
def whole_paragraphs(tmp_path_factory) -> Path:
    """The example chapter sent, then: its first heading and the paragraph under it edited, a
    paragraph added after that one, a heading and its paragraph removed. The draft sent, the new
    draft and its -changes.docx are kept as old.docx, new.docx and changes.docx."""
    project = copy_thesis(tmp_path_factory.mktemp("whole") / "thesis")
    assert run_cli(project, "draft", "--mark-sent", "01-pendahuluan").returncode == 0
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    drafts_dir = project / "build" / "drafts"
    (project / "old.docx").write_bytes((drafts_dir / "01-pendahuluan.docx").read_bytes())
    chapter = project / "chapters" / "01-pendahuluan.md"
    text = chapter.read_text(encoding="utf-8")
    removed = re.search(r"## Rumusan Masalah\n\n[^\n]+\n\n", text).group()
    first = re.search(r"## Latar Belakang\n\n([^\n]+\n)", text).group(1)
    assert "beberapa faktor. " in first
    text = text.replace(removed, "").replace("## Latar Belakang\n", "## Latar Belakang Masalah\n").replace(
        first, first.replace("beberapa faktor. ", "beberapa faktor; ")
        + "\nParagraf baru yang ditambahkan sesudah paragraf pertama.\n")
    chapter.write_text(text, encoding="utf-8")
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (project / "new.docx").write_bytes((drafts_dir / "01-pendahuluan.docx").read_bytes())
    (project / "changes.docx").write_bytes((drafts_dir / "01-pendahuluan-changes.docx").read_bytes())
    return project


def test_accept_all_gives_the_new_draft_and_reject_all_the_one_sent(whole_paragraphs: Path):
    """Whole paragraphs and a heading added or removed: their paragraph marks are tracked too, so
    Accept All leaves exactly the new draft's paragraphs and Reject All those of the draft sent, with
    no empty paragraph or empty numbered heading where one was."""
    project = whole_paragraphs
    changes = project / "changes.docx"
    with zipfile.ZipFile(changes) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{{{W}}}body")
    new = _paragraphs(_settled_docx(project / "new.docx", accept=True))
    old = _paragraphs(_settled_docx(project / "old.docx", accept=True))
    assert len(old) == len(new) + 1           # two removed, one added
    assert _paragraphs(_settled_docx(changes, accept=True)) == new
    assert _paragraphs(_settled_docx(changes, accept=False)) == old
    xml = docx_xml(changes)
    # Word by word where a heading or paragraph was edited; whole where one was added or removed.
    assert ("ins", " Masalah") in tracked(xml) and ("del", ".") in tracked(xml) and ("ins", ";") in tracked(xml)
    assert ("ins", "Paragraf baru yang ditambahkan sesudah paragraf pertama.") in tracked(xml)
    assert ("del", "Rumusan Masalah") in tracked(xml)
    marks = body.findall(f".//{{{W}}}pPr/{{{W}}}rPr/*")
    assert sorted(m.tag.split("}")[1] for m in marks) == ["del", "del", "ins"]
    # Every change the student's (the profile's stand-in while thesis.yaml's author is a placeholder),
    # dated by the build's SOURCE_DATE_EPOCH (no git here: 1980-01-01), not by the clock.
    changes_marks = [*body.iter(f"{{{W}}}ins"), *body.iter(f"{{{W}}}del")]
    assert {m.get(f"{{{W}}}author") for m in changes_marks} == {"thesisbuild"}
    assert {m.get(f"{{{W}}}date") for m in changes_marks} == {"1980-01-01T00:00:00Z"}
    words = re.findall(r'<w:(?:ins|del) w:id="\d+" (w:author="[^"]*" w:date="[^"]*")>', xml)
    assert {f'w:author="{m.get(f"{{{W}}}author")}" w:date="{m.get(f"{{{W}}}date")}"' for m in marks} == set(words)
    ids = re.findall(r'<w:(?:ins|del|bookmarkStart)\b[^>]*\bw:id="(\d+)"', xml)
    assert len(ids) == len(set(ids))
    assert_valid_docx(changes)


LIBREOFFICE_SETTLE = r'''
import json, os, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
from libreoffice_edit import FILTER, Office, paragraphs, pv
import uno

out = {}
office = Office(tempfile.mkdtemp(prefix="lo-settle-"), "Thesis Student", "TS")
try:
    ctx = office.start(time.monotonic() + 60)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    for spec in sys.argv[2:]:
        path, how = spec.rsplit(":", 1)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                           (pv("Hidden", True), pv("FilterName", FILTER)))
        if how != "none":
            dispatcher.executeDispatch(doc.getCurrentController().getFrame(),
                                       ".uno:%sAllTrackedChanges" % how, "", 0, ())
        doc.getTextFields().refresh()
        out[spec] = [[p.ParaStyleName, p.getString()] for p in paragraphs(doc)]
        doc.close(True)
finally:
    office.kill()
json.dump(out, sys.stdout)
'''


def test_accept_all_and_reject_all_in_libreoffice(whole_paragraphs: Path, tmp_path: Path):
    """The same in real LibreOffice (Edit > Track Changes > Accept All / Reject All, through UNO):
    the paragraphs and their styles are the new draft's, or the sent draft's."""
    import json
    import shutil

    system_python = Path("/usr/bin/python3")
    if not shutil.which("soffice") or not system_python.is_file() or subprocess.run(
            [str(system_python), "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.skip("LibreOffice (soffice) with python3-uno is not installed")
    script = tmp_path / "settle.py"
    script.write_text(LIBREOFFICE_SETTLE, encoding="utf-8")
    project = whole_paragraphs
    specs = [f"{project / 'changes.docx'}:Accept", f"{project / 'changes.docx'}:Reject",
             f"{project / 'new.docx'}:none", f"{project / 'old.docx'}:none"]
    proc = subprocess.run([str(system_python), str(script), str(Path(__file__).resolve().parent), *specs],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shown = json.loads(proc.stdout)
    accepted, rejected, new, old = (shown[s] for s in specs)
    assert len(old) == len(new) + 1
    assert accepted == new
    assert rejected == old


def test_items_of_a_list_changed_added_or_removed_are_marked_in_their_own_items(tmp_path: Path):
    """A list written without blank lines is one block of Markdown: an item edited, added or removed
    is marked inside its own item (a change spanning two items was printed as Markdown text, "]{.insertion
    author=…}", in the DOCX), and Accept All or Reject All gives the new or the sent list."""
    project = copy_thesis(tmp_path / "lists")
    chapter = project / "chapters" / "01-pendahuluan.md"
    listed = ("\n\nKendala yang ditemukan:\n\n- kepala laboratorium tidak dapat memantau barang.\n"
              "- stok bahan habis pakai diketahui.\n\n1. Satu\n   a. sub satu\n   b. sub dua\n2. Dua\n")
    chapter.write_text(chapter.read_text(encoding="utf-8").rstrip("\n") + listed, encoding="utf-8")
    assert run_cli(project, "draft", "--mark-sent", "01-pendahuluan").returncode == 0
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    drafts_dir = project / "build" / "drafts"
    old = _paragraphs(_settled_docx(drafts_dir / "01-pendahuluan.docx", accept=True))
    edited = listed.replace("memantau barang.", "memantau barang;").replace(
        "- stok bahan habis pakai diketahui.\n", "- stok bahan habis pakai tidak diketahui;\n- barang baru.\n").replace(
        "   b. sub dua\n", "").replace("2. Dua\n", "2. Dua diubah\n")
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace(listed, edited), encoding="utf-8")
    proc = run_doit(project, "draft:01-pendahuluan")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    new = _paragraphs(_settled_docx(drafts_dir / "01-pendahuluan.docx", accept=True))
    changes = drafts_dir / "01-pendahuluan-changes.docx"
    xml = docx_xml(changes)
    assert ".insertion" not in xml and ".deletion" not in xml and "]{" not in xml
    assert ("del", ".") in tracked(xml) and ("ins", ";") in tracked(xml)
    assert ("ins", "barang baru.") in tracked(xml) and ("del", "sub dua") in tracked(xml)
    assert ("ins", " diubah") in tracked(xml)
    assert _paragraphs(_settled_docx(changes, accept=True)) == new
    assert _paragraphs(_settled_docx(changes, accept=False)) == old
