"""docx.rendered-pages (`thesisbuild verify --render`): the DOCX rendered by LibreOffice, and each
entry of its Daftar Isi, Daftar Gambar and Daftar Tabel checked against the page that rendering
prints it on. LibreOffice does not refresh fields when it opens a file, so the numbers the DOCX
caches are the ones a supervisor without Word reads. LibreOffice is not needed by the build: without
it the rule says so and is not counted."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import etree

from ..i18n import tr
from .common import Check
from ..pages import format_number
from .docx import list_entries

_NUMBER = re.compile(r"^(?:\d+|[ivxlcdm]+)$", re.I)


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def printed_forms(title: str) -> list[str]:
    """A list entry as a rendering may print its heading: "1.1 Latar Belakang", or "I.1 Latar
    Belakang" in an editor without Word's legal numbering (w:isLgl; LibreOffice 7 shows the
    chapter's own Roman number in its sections' numbers)."""
    m = re.match(r"(\d+)((?:\.\d+)+ .*)", title)
    if not m:
        return [title]
    n = int(m.group(1))
    return [title, *(f"{form}{m.group(2)}" for form in (format_number(n, "upper-roman"), format_number(n, "upper-alpha"),
                                                        format_number(n, "lower-roman")))]


def _printed(lines: list[str]) -> str | None:
    """The page number a rendered page prints: its first or last line, when that is a number alone."""
    for line in (lines[0], lines[-1]) if lines else ():
        if _NUMBER.match(line.strip()):
            return line.strip().lower()
    return None


def rendered_pages(docx: Path, document: etree._Element, timeout: float = 300.0) -> Check:
    office = libreoffice()
    expected = tr("each entry of the lists on the page LibreOffice prints it on")
    if office is None:
        return Check("docx.rendered-pages", True, tr("not measured: LibreOffice (soffice) is not installed"), expected)
    import pypdfium2  # lazy: start-up time; only `verify --render` reads the rendering

    with tempfile.TemporaryDirectory(prefix="thesisbuild-render-") as folder:
        subprocess.run([office, "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                        "--outdir", folder, str(docx)], capture_output=True, timeout=timeout)
        rendered = Path(folder) / (docx.stem + ".pdf")
        if not rendered.is_file():
            return Check("docx.rendered-pages", False, tr("LibreOffice could not render the DOCX"), expected)
        pdf = pypdfium2.PdfDocument(str(rendered))
        pages = []
        for i in range(len(pdf)):
            text = pdf[i].get_textpage().get_text_range()
            pages.append([line for line in text.splitlines() if line.strip()])
        pdf.close()
    by_number: dict[str, list[str]] = {}
    for lines in pages:
        number = _printed(lines)
        if number is not None:
            by_number.setdefault(number, []).append(_plain(" ".join(lines)))
    entries = [(_plain(title), page) for title, page in list_entries(document) if page is not None]
    wrong = [f"{title[:40]!r} ({page})" for title, page in entries
             if not any(form in text for text in by_number.get(page, []) for form in printed_forms(title))]
    measured = tr("{count} entries, {pages} pages rendered", count=len(entries), pages=len(pages))
    if wrong:
        measured += tr("; not on the page the list gives: {entries}", entries=", ".join(wrong[:3]))
    return Check("docx.rendered-pages", not wrong and bool(entries), measured, expected)
