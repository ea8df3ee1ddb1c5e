"""Pandoc citations found in a chapter, with exact positions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sources import Source

# Pandoc's citation key: begins with a letter, digit or _, and may contain single
# internal punctuation characters; @{...} allows anything but braces.
_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
_CITE = re.compile(r"(?<![\w@\\])(-?)@(?:\{([^{}\n]+)\}|(" + _KEY + "))")


@dataclass(frozen=True)
class Citation:
    key: str
    source: Source
    start: int           # offset of the "@" (or the "-" of "-@")
    end: int

    @property
    def line(self) -> int:
        return self.source.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.position(self.start)[1]


def find_citations(source: Source) -> list[Citation]:
    """Every pandoc citation key in prose; code, URLs, e-mail, math and comments are skipped."""
    found = []
    for m in _CITE.finditer(source.text):
        if source.region_at(m.start()) is not None:
            continue
        key = m.group(2) if m.group(2) is not None else m.group(3)
        found.append(Citation(key=key, source=source, start=m.start(), end=m.end()))
    return found


# Labels that "@…" may point at instead of a bibliography entry: {#fig-…} and {#tbl-…}.
_LABEL = re.compile(r"\{#((?:fig|tbl)-[\w:.\-]+)")


def crossref_labels(sources: list[Source]) -> set[str]:
    """Figure and table labels defined in the chapters: "@fig-x" refers to them, not to a work."""
    labels = set()
    for source in sources:
        for m in _LABEL.finditer(source.text):
            region = source.region_at(m.start())
            if region is None or region.kind == "attributes":
                labels.add(m.group(1))
    return labels


def closest_key(key: str, keys) -> str | None:
    """The bibliography key nearest to a mistyped one, for "did you mean @…?"."""
    import difflib

    match = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.6)
    return match[0] if match else None
