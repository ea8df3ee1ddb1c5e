"""BLD005: characters of a chapter that no font of the PDF has.

typst draws a character no font has as a box (matplotlib's Last Resort font: a box naming the
character's Unicode block), without a word. The fonts the PDF can use are
those in the thesis's fonts/ folder (else matplotlib's, which the build ships with) and typst's own;
the characters each covers are read from its character map (fontTools, a dependency of matplotlib)
once per set of font files and kept in build/cache/glyphs/. A character that none covers is said
once, at its first place in the chapters."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

from ..diagnostics import Diagnostic
from ..fsutil import write_atomic
from ..i18n import tr
from ..sources import Source

_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
# Characters that need no glyph: spaces, joiners and marks typst handles without drawing them.
_INVISIBLE = {"\n", "\r", "\t", "\u00a0", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def font_files(folders: list[str]) -> list[Path]:
    return sorted(p for folder in folders for p in Path(folder).rglob("*") if p.suffix.lower() in _FONT_SUFFIXES)


def covered(folders: list[str], cache: Path) -> set[int]:
    """The code points some font in `folders` has, from the cache when its files are unchanged."""
    files = font_files(folders)
    key = hashlib.sha256("\0".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
                         .encode("utf-8")).hexdigest()[:32]
    path = cache / "glyphs" / f"{key}.json"
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    # lazy: fontTools is read only when the fonts changed
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    points: set[int] = set()
    for file in files:
        try:
            fonts = TTCollection(str(file), lazy=True).fonts if file.suffix.lower() == ".ttc" \
                else [TTFont(str(file), lazy=True)]
        except (TTLibError, OSError, ValueError, AssertionError):
            continue                  # a file that is no font: typst skips it too
        for font in fonts:
            if "name" in font and (font["name"].getDebugName(1) or "").startswith("Last Resort"):
                continue              # its "glyphs" are boxes naming the missing character's block
            if "cmap" not in font:
                continue
            if "maxp" in font:
                # Numbered glyph names: fontTools would otherwise decode every glyph's name (the
                # 'post' table), nine tenths of the time, for names the coverage never uses.
                font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
            cmap = font.getBestCmap()
            points.update(cmap or ())
    if path.parent.is_dir():
        for old in path.parent.glob("*.json"):
            old.unlink(missing_ok=True)
    write_atomic(path, json.dumps(sorted(points)))
    return points


def missing_glyphs(sources: list[Source], folders: list[str], cache: Path) -> list[Diagnostic]:
    """One warning per character of the chapters' prose that no font covers, at its first place."""
    wanted: dict[str, tuple[Source, int]] = {}
    for source in sources:
        text = source.text
        for char in set(text):
            if ord(char) < 0x250 or char in _INVISIBLE or char in wanted:
                continue          # Latin letters and punctuation: every font of the PDF has them
            if unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc", "Zs", "Zl", "Zp"):
                continue
            at = _shown_at(source, char)
            if at is not None:
                wanted[char] = (source, at)
    if not wanted:
        return []
    have = covered(folders, cache)
    out = []
    for char, (source, at) in sorted(wanted.items(), key=lambda item: (str(item[1][0].path), item[1][1])):
        if ord(char) in have:
            continue
        name = unicodedata.name(char, "").lower()
        out.append(Diagnostic.at("BLD005", source, at, at + len(char), tr(
            "'{char}' (U+{code}{name}) is in no font the PDF can use, so it prints as a box; write it in words, "
            "or put a font that has it in fonts/.", char=char, code=f"{ord(char):04X}",
            name=f", {name}" if name else "")))
    return out


def _shown_at(source: Source, char: str) -> int | None:
    """The first place of `char` that reaches the outputs (not in a comment or a metadata block)."""
    at = source.text.find(char)
    while at >= 0:
        region = source.region_at(at)
        if region is None or region.kind not in ("comment", "front-matter"):
            return at
        at = source.text.find(char, region.end)
    return None
