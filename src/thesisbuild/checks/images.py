"""IMG001-IMG004: every image a chapter places, checked before anything is built.

Image paths are read from the thesis folder (where thesis.yaml is), as pandoc and typst read them.
A path that differs from the stored file only in letter case works on Windows and macOS and fails
everywhere else (and in the PDF build), so it is reported with the file's real name."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path, PurePosixPath

from ..diagnostics import Diagnostic, Fix
from ..i18n import tr
from ..sources import Source, find_images

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
_UNEMBEDDABLE = (".pdf", ".eps", ".ps", ".tif", ".tiff", ".emf", ".wmf")


def _exact(root: Path, parts: tuple[str, ...]) -> tuple[bool, str | None]:
    """Does root/parts exist with exactly this spelling? If not, the spelling it has, if any
    (compared component by component, so a case-insensitive file system cannot hide it)."""
    here, real, exact = root, [], True
    for part in parts:
        if part in (".", ""):
            continue
        if part == "..":
            here = here.parent
            real.append(part)
            continue
        try:
            names = os.listdir(here)
        except OSError:
            return False, None
        if part in names:
            match = part
        else:
            folded = [n for n in names if n.lower() == part.lower()]
            if not folded:
                return False, None
            match, exact = folded[0], False
        here = here / match
        real.append(match)
    return exact and here.exists(), "/".join(real) if here.exists() else None


def _closest(root: Path, rel: PurePosixPath) -> str | None:
    folder = root / Path(*rel.parent.parts) if rel.parent.parts else root
    try:
        names = [n for n in os.listdir(folder) if (folder / n).is_file()]
    except OSError:
        return None
    if not rel.suffix:          # \includegraphics{images/a}: LaTeX finds a.png by itself
        same = sorted(n for n in names if Path(n).stem == rel.name and Path(n).suffix.lower() in _RASTER)
        if same:
            return (rel.parent / same[0]).as_posix()
    match = difflib.get_close_matches(rel.name, names, n=1, cutoff=0.6)
    return (rel.parent / match[0]).as_posix() if match else None


def check_images(sources: list[Source], root: Path) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    root = root.resolve()
    for source in sources:
        for ref in find_images(source):
            written = ref.path
            if _URL.match(written) or re.fullmatch(r"fig-[\w.\-]+", written):
                continue          # a web address (reported by pandoc if unreachable) or a generated figure
            rel = PurePosixPath(written.replace("\\", "/"))
            resolved = (root / written.lstrip("/")).resolve() if not rel.is_absolute() else Path(written).resolve()
            if rel.is_absolute() or not resolved.is_relative_to(root):
                out.append(Diagnostic.at("IMG002", source, ref.start, ref.end,
                                         tr("the image {path} is outside the thesis folder, where the build "
                                            "cannot read it and no one else has it; copy it into the thesis (e.g. "
                                            "images/) and write the path from there.", path=written)))
                continue
            exact, real = _exact(root, rel.parts)
            if not exact and real is not None:
                out.append(Diagnostic.at("IMG003", source, ref.start, ref.end,
                                         tr("the image {path} is stored as {real}; letter case matters outside "
                                            "Windows and macOS. thesisbuild fix corrects the path.", path=written,
                                            real=real),
                                         fix=Fix(ref.start, ref.end, real)))
                written = real
            elif not exact:
                hint = _closest(root, rel)
                if hint:
                    message = tr("the image {path} does not exist (did you mean {hint}?); add the file or correct "
                                 "the path (paths start at the thesis folder).", path=written, hint=hint)
                else:
                    message = tr("the image {path} does not exist; add the file or correct the path (paths start "
                                 "at the thesis folder).", path=written)
                out.append(Diagnostic.at("IMG001", source, ref.start, ref.end, message))
                continue
            if PurePosixPath(written).suffix.lower() in _UNEMBEDDABLE:
                out.append(Diagnostic.at("IMG004", source, ref.start, ref.end,
                                         tr("the image {path} is a {format} file, which the PDF and the DOCX "
                                            "cannot embed; convert it to PNG or SVG (e.g. pdftocairo -svg, or export "
                                            "it again) and place that file.", path=written,
                                            format=PurePosixPath(written).suffix[1:].upper())))
    return out
