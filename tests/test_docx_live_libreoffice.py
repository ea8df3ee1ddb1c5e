"""The DOCX's numbers are live fields (README): in real LibreOffice a user adds a caption and a heading,
updates all (Tools > Update > Update All), and every number after them, the cross-references to them,
Daftar Gambar and Daftar Isi follow. tests/libreoffice_fields.py makes the edit through LibreOffice's
own API and exports what LibreOffice shows as PDF; the assertions read that PDF.

The example thesis, with a sentence that refers to both figures and to a section added, is built once for
the module; the same DOCX with its SEQ fields replaced by their text (captions typed by hand) goes through
the same edit in the same LibreOffice session, and does not renumber: the check that the captions' test
would fail on typed numbers.

Skipped when LibreOffice (soffice) or the system Python's `uno` module (python3-uno) is missing."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import run_cli
from .test_review_libreoffice import SYSTEM_PYTHON, libreoffice, system_env  # noqa: F401

SCRIPT = Path(__file__).resolve().with_name("libreoffice_fields.py")
CHAPTER = Path("chapters") / "01-pendahuluan.md"
XREF = ("Seperti terlihat pada @fig-linimasa dan @fig-kerangka-pemikiran, rumusan di Subbab @sec-rumusan "
        "dijawab di sini.")
FIRST = "Linimasa peristiwa yang dibahas dalam latar belakang"       # the first figure's caption
SECOND = "Kerangka pemikiran penelitian"
NEW_HEADING = "Subbab Baru"                                          # what libreoffice_fields.py inserts

# A complex field whose code is SEQ, replaced by its result: the number typed as text.
_RPR = r"(?:<w:rPr>(?:(?!</w:r>).)*?</w:rPr>)?"
SEQ_FIELD = re.compile(
    r"<w:r>" + _RPR + r'<w:fldChar w:fldCharType="begin"/></w:r>'
    r"<w:r>" + _RPR + r"<w:instrText[^>]*> SEQ [^<]*</w:instrText></w:r>"
    r"<w:r>" + _RPR + r'<w:fldChar w:fldCharType="separate"/></w:r>'
    r"(.*?)"
    r"<w:r>" + _RPR + r'<w:fldChar w:fldCharType="end"/></w:r>')


@dataclass
class Shown:
    """What LibreOffice's PDF shows: the entries of Daftar Isi and Daftar Gambar (the lines with a dot
    leader), and every other line, whitespace collapsed."""
    entries: list[str]
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass
class Edited:
    fields: Shown       # the DOCX as built
    typed: Shown        # the same with its captions' numbers typed
    chapter: str        # the chapter's Markdown, with the references added


def shown(pdf: Path) -> Shown:
    entries, lines = [], []
    for page in PdfReader(pdf).pages:
        for line in page.extract_text().splitlines():
            line = " ".join(line.split())
            entry = re.fullmatch(r"(.*?) ?\.{4,} ?\S+", line)
            if entry:
                entries.append(entry.group(1))
            elif line:
                lines.append(line)
    return Shown(entries, lines)


def typed_captions(source: Path, target: Path) -> int:
    """A copy of the DOCX whose SEQ fields are their text; how many there were."""
    count = 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml, count = SEQ_FIELD.subn(r"\1", data.decode("utf-8"))
                assert " SEQ " not in xml
                data = xml.encode("utf-8")
            zout.writestr(item, data)
    return count


@pytest.fixture(scope="module")
def edited(libreoffice, example_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Edited:
    """The example thesis with references added, built from a copy of the session's build (its caches),
    then its DOCX and the typed copy edited and updated by LibreOffice: what each PDF shows."""
    folder = tmp_path_factory.mktemp("live")
    project = folder / "thesis"
    shutil.copytree(example_build, project)
    chapter = project / CHAPTER
    text = chapter.read_text(encoding="utf-8")
    assert text.count("\n## Rumusan Masalah\n") == 1 and text.count("\n## Tinjauan Pustaka\n") == 1
    text = text.replace("\n## Rumusan Masalah\n", "\n## Rumusan Masalah {#sec-rumusan}\n")
    text = text.replace("\n## Tinjauan Pustaka\n", f"\n## Tinjauan Pustaka\n\n{XREF}\n")
    chapter.write_text(text, encoding="utf-8")
    proc = run_cli(project, "build")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr

    docx = folder / "fields.docx"
    shutil.copy2(project / "build" / "thesis.docx", docx)
    assert typed_captions(docx, folder / "typed.docx") >= 4      # 2 in each caption, the hidden ones in BAB I
    out = folder / "pdf"
    proc = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(out), str(docx), str(folder / "typed.docx")],
                          capture_output=True, text=True, env=system_env(), timeout=150)
    assert proc.returncode == 0, proc.stderr
    return Edited(shown(out / "fields.pdf"), shown(out / "typed.pdf"), text)


def captions(s: Shown) -> list[str]:
    return [line for line in s.lines if line.startswith("Gambar ")]


def near(s: Shown, words: str) -> str:
    """The text around `words`, for a failure's message."""
    at = s.text.find(words)
    return s.text[max(at, 0):][:200]


def test_a_caption_added_in_libreoffice_renumbers_the_figures_their_references_and_daftar_gambar(edited: Edited):
    s = edited.fields
    # The copy of the first caption is Gambar 1.1; the old first figure now reads 1.2, the second 1.3.
    expected = [f"Gambar 1.1 {FIRST}", f"Gambar 1.2 {FIRST}", f"Gambar 1.3 {SECOND}"]
    assert captions(s) == expected
    # The references to them (REF fields to the bookmarks on the old captions' numbers) follow.
    assert "Seperti terlihat pada Gambar 1.2 dan Gambar 1.3, rumusan di Subbab" in s.text, near(s, "Seperti")
    # Daftar Gambar (a TOC of the caption style) lists both the new caption and the old ones.
    assert [e for e in s.entries if e.startswith("Gambar ")] == expected


def test_a_heading_added_in_libreoffice_renumbers_the_sections_their_references_and_daftar_isi(edited: Edited):
    s = edited.fields
    level2 = [NEW_HEADING] + re.findall(r"^## (.+?)(?: \{#[^}]*\})?$", edited.chapter, re.M)
    # LibreOffice 7.4 ignores w:isLgl (legal numbering): "I.2" where Word shows "1.2".
    numbered = re.compile(r"(?:I|1)(?:\.\d+)+ .*")
    headings = [line for line in s.lines if numbered.fullmatch(line)]
    daftar_isi = [e for e in s.entries if numbered.fullmatch(e)]
    for n, title in enumerate(level2, 1):
        heading = re.compile(rf"(?:I|1)\.{n} {re.escape(title)}")
        assert [line for line in headings if heading.fullmatch(line)], (title, headings)
        assert [e for e in daftar_isi if heading.fullmatch(e)], (title, daftar_isi)
    assert [line for line in headings if re.fullmatch(r"(?:I|1)\.4\.1 Tujuan Umum", line)], headings   # was 1.3.1
    # "Rumusan Masalah" was 1.2: its reference (REF \n \t to the heading's bookmark) now says I.3.
    assert re.search(r"rumusan di Subbab (?:I|1)\.3 dijawab di sini\.", s.text), near(s, "Seperti")


def test_captions_typed_as_text_would_not_renumber(edited: Edited):
    """The check on the test above: the same edit on captions whose numbers are typed leaves them as they
    were, so that test fails unless the numbers are fields."""
    s = edited.typed
    assert captions(s) == [f"Gambar 1.1 {FIRST}", f"Gambar 1.1 {FIRST}", f"Gambar 1.2 {SECOND}"]
    assert "Seperti terlihat pada Gambar 1.1 dan Gambar 1.2, rumusan di Subbab" in s.text, near(s, "Seperti")
