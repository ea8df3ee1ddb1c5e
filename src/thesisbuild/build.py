"""The build: thesis.yaml and sources in, build/thesis.pdf and build/thesis.docx out."""

from __future__ import annotations

import sys
from pathlib import Path

from .config import Thesis, load_thesis, outputs
from .errors import UserError, display_path
from .figures import discover, run_figure
from .fsutil import remove_stale
from .i18n import tr
from .manifest import write_manifest
from .render.document import prepare
from .drafts import identity
from .render.docx import render_docx, start_docx_writer, write_reference_docx
from .render.pdf import pages_path, render_pdf


def build_reference(thesis: Thesis) -> Path:
    target = outputs(thesis)["reference"]
    with _no_stale(target):
        write_reference_docx(thesis, target)
    return target


_PREPARED: dict[tuple, object] = {}


def _prepare(thesis: Thesis, warn: bool):
    """The shared document; if it cannot be prepared, every rendering of it is stale. One process
    that builds the PDF and then the DOCX (doit) prepares it once, while no source changes."""
    out = outputs(thesis)
    paths = [thesis.config_path, *thesis.chapters, *thesis.appendices, *thesis.bibliography,
             *[p for p in (thesis.typos, thesis.logo) if p], *thesis.front_texts.values()]
    if thesis.front:
        paths += sorted(thesis.front.glob("*.md"))
    stamp = (id(thesis), *((str(p), *_mtime(p)) for p in paths))
    # A document prepared with its warnings said serves a quiet build too, not the other way round.
    if stamp not in _PREPARED or (warn and _PREPARED[stamp][1].quiet):
        with _no_stale(out["pdf"], out["typ"], out["docx"]):
            _PREPARED.clear()
            # The thesis is kept with its document: its id stays its own while the entry lives.
            _PREPARED[stamp] = (thesis, prepare(thesis, warn=warn))
    return _PREPARED[stamp][1]


def _mtime(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


def build_pdf(thesis: Thesis, warn: bool = True) -> Path:
    out = outputs(thesis)
    doc = _prepare(thesis, warn)
    # A failed PDF leaves no DOCX of older sources beside it: both outputs or neither are current.
    # thesis.typ stays: it is what typst could not compile, and its error names it.
    with _no_stale(out["pdf"], out["pages"], out["docx"]):
        start_docx_writer(doc, out["reference"])        # pandoc writes the DOCX while typst lays out
        render_pdf(doc, out["typ"], out["pdf"])
    write_manifest(thesis, doc.epoch)          # the build's own epoch: git is not asked again
    _report(out["pdf"])
    return out["pdf"]


def build_docx(thesis: Thesis, warn: bool = True) -> Path:
    out = outputs(thesis)
    doc = _prepare(thesis, warn)
    with _no_stale(out["docx"]):
        if not out["reference"].is_file():
            build_reference(thesis)
        # Each chapter's hash, by which `thesisbuild review` finds the text a returned copy was made from.
        render_docx(doc, out["reference"], out["docx"], pages_path(out["pdf"]), properties=identity(thesis, None))
    write_manifest(thesis, doc.epoch)
    _report(out["docx"])
    return out["docx"]


def ensure_figures(thesis: Thesis) -> None:
    """Draw the figures whose images are missing or older than their script or data (doit does
    this itself, task by task; this serves `thesisbuild build`)."""
    for figure in discover(thesis):
        outs = figure.outputs(thesis.build_dir).values()
        newest = max(p.stat().st_mtime for p in figure.inputs)
        if not all(p.is_file() and p.stat().st_mtime >= newest for p in outs):
            run_figure(figure, thesis.build_dir, float(thesis.profile.limits.figure_seconds))


def build_all(config: Path | None = None) -> list[Path]:
    thesis = load_thesis(config)
    ensure_figures(thesis)
    build_reference(thesis)
    return [build_pdf(thesis), build_docx(thesis, warn=False)]


def _report(path: Path) -> None:
    print(tr("thesisbuild: wrote {path}", path=display_path(path)), file=sys.stderr)


class _no_stale:
    """On any failure, delete the outputs so an old file never passes for a new one."""

    def __init__(self, *paths: Path):
        self.paths = paths

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            remove_stale(*self.paths)
        return False


__all__ = ["build_all", "build_docx", "build_pdf", "build_reference", "outputs", "UserError"]
