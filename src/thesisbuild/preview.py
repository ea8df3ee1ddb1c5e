"""PNG previews of chosen pages, rendered by typst from the same source as the PDF."""

from __future__ import annotations

import re
from pathlib import Path

from .build import outputs
from .config import Thesis
from .errors import UserError
from .fsutil import write_atomic

PAGES = ("cover", "daftar-isi", "bab-i", "daftar-pustaka")


def chosen_pages(thesis: Thesis) -> dict[str, int]:
    """0-based page indexes of the cover, the first page of Daftar Isi, of BAB I and of DAFTAR PUSTAKA."""
    from .verify.pdf import read_pdf

    pdf = outputs(thesis)["pdf"]
    pages, outline = read_pdf(pdf)
    found = {"cover": 0}
    contents = next((p.number for p in pages if any(ln.text.strip() == _contents_title(thesis) for ln in p.lines)), None)
    if contents:
        found["daftar-isi"] = contents - 1
    chapters = [page for level, title, page, _ in outline if level == 1 and re.search(r"\bI\b", title)]
    first_body = next((page for level, title, page, _ in outline
                       if level == 1 and title.strip().upper().startswith(thesis.profile.get("headings.chapter.label"))),
                      chapters[0] if chapters else None)
    if first_body:
        found["bab-i"] = first_body - 1
    bib = next((page for level, title, page, _ in outline
                if level == 1 and title.strip() == thesis.profile.get("bibliography.title")), None)
    if bib:
        found["daftar-pustaka"] = bib - 1
    return found


def _contents_title(thesis: Thesis) -> str:
    for item in thesis.profile.get("front_matter"):
        if item.get("list") == "contents":
            return str(item["title"])
    return "DAFTAR ISI"


def write_previews(thesis: Thesis, folder: Path | None = None, ppi: int = 60) -> list[Path]:
    import typst

    from .render.pdf import font_paths

    out = outputs(thesis)
    if not out["typ"].is_file() or not out["pdf"].is_file():
        raise UserError("there is no built PDF to preview; run `doit` first.", out["pdf"])
    folder = folder or thesis.build_dir / "preview"
    images = typst.compile(str(out["typ"]), root=str(thesis.root), font_paths=font_paths(thesis),
                           ignore_system_fonts=True, format="png", ppi=ppi)
    written = []
    for name, index in chosen_pages(thesis).items():
        path = folder / f"{name}.png"
        write_atomic(path, images[index])
        written.append(path)
    return written
