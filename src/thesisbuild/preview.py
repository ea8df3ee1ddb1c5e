"""PNG previews of chosen pages, rendered by pdfium from the built PDF: only the pages kept are drawn."""

from __future__ import annotations

from pathlib import Path

from .config import Thesis, outputs
from .errors import UserError
from .fsutil import write_atomic
from .i18n import tr

_FIRST_NUMBER = {"upper-roman": "I", "lower-roman": "i", "decimal": "1", "arabic": "1", "upper-alpha": "A",
                 "lower-alpha": "a"}
PAGES = ("cover", "daftar-isi", "bab-i", "daftar-pustaka")


def chosen_pages(thesis: Thesis) -> dict[str, int]:
    """0-based page indexes of the cover, the first page of Daftar Isi, of BAB I and of DAFTAR
    PUSTAKA, from the PDF's bookmarks."""
    from .verify.pdf import read_outline  # lazy: start-up time; doit reads PAGES to declare the task

    chapters = [(title.strip(), page) for level, title, page, _ in read_outline(outputs(thesis)["pdf"]) if level == 1]
    # A chapter's bookmark is its number and title: "I PENDAHULUAN" (or "1 …", by the profile).
    first = _FIRST_NUMBER[thesis.profile.headings.chapter.numbering]
    wanted = {
        "daftar-isi": lambda t: t == _contents_title(thesis),
        "bab-i": lambda t: t.split(" ", 1)[0].rstrip(".") == first,
        "daftar-pustaka": lambda t: t == thesis.profile.bibliography.title,
    }
    found = {"cover": 0}
    for name, matches in wanted.items():
        page = next((page for title, page in chapters if matches(title)), None)
        if page is not None:
            found[name] = page - 1
    return found


def _contents_title(thesis: Thesis) -> str:
    for item in thesis.profile.front_matter:
        if item.get("list") == "contents":
            return str(item["title"])
    return "DAFTAR ISI"


def write_previews(thesis: Thesis, folder: Path | None = None, ppi: int = 60) -> list[Path]:
    import io

    import pypdfium2

    out = outputs(thesis)
    if not out["pdf"].is_file():
        raise UserError(tr("there is no built PDF to preview; run `doit` first."), out["pdf"])
    folder = folder or thesis.build_dir / "preview"
    written = []
    document = pypdfium2.PdfDocument(str(out["pdf"]))
    try:
        for name, index in chosen_pages(thesis).items():
            image = document[index].render(scale=ppi / 72).to_pil()
            png = io.BytesIO()
            image.save(png, format="PNG")
            path = folder / f"{name}.png"
            write_atomic(path, png.getvalue())
            written.append(path)
    finally:
        document.close()
    return written
