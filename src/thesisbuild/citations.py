"""Pandoc citations found in a chapter, with exact positions."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .sources import Source

# Pandoc's citation key: begins with a letter, digit or _, and may contain single
# internal punctuation characters; @{...} allows anything but braces.
_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
_CITE = re.compile(r"(?<![\w@\\])(-?)@(?:\{([^{}\n]+)\}|(" + _KEY + "))")


_TEX_CITE = re.compile(r"\\(?:cite|citep|citet|parencite|textcite|autocite|citeauthor|citeyear)\*?"
                       r"(?:\s*\[[^\]\n]*\]){0,2}\s*\{([^{}\n]+)\}")


def cited_keys(text: str) -> list[str]:
    """Every key a text cites, "@key", "@{key}" and raw LaTeX's "\\cite{key}" alike, in the order
    it cites them; a plain scan of the text (code and comments are not told apart), for what only
    needs the works a text may cite."""
    return list(_cited_keys(text))


@functools.lru_cache(maxsize=1024)
def _cited_keys(text: str) -> tuple[str, ...]:
    """cited_keys, kept for the next build of the same process (`thesisbuild watch`)."""
    found = [(m.start(), m.group(2) if m.group(2) is not None else m.group(3)) for m in _CITE.finditer(text)]
    if "\\" in text:
        found += [(m.start(), key.strip()) for m in _TEX_CITE.finditer(text) for key in m.group(1).split(",")
                  if key.strip()]
        found.sort()
    return tuple(key for _, key in found)


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


def find_citations(source: Source, crossrefs: bool = False) -> list[Citation]:
    """Every pandoc citation key in prose; code, URLs, e-mail, math and comments are skipped.
    Cross-references (@fig-x, @sec:y, ...) are not citations and are left out unless asked for.
    The lint and the build ask for a chapter's keys several times: they are found once per text."""
    memo = source.__dict__.get("_citations")
    if memo is None or memo[0] is not source.text:
        memo = (source.text, _all_citations(source))
        source.__dict__["_citations"] = memo
    return [c for c, xref in memo[1] if crossrefs or not xref]


def _all_citations(source: Source) -> list[tuple[Citation, bool]]:
    """Each key with whether it is a cross-reference written as a citation (@fig-x)."""
    found = []
    for m in _CITE.finditer(source.text):
        if source.region_at(m.start()) is not None:
            continue
        key = m.group(2) if m.group(2) is not None else m.group(3)
        found.append((Citation(key=key, source=source, start=m.start(), end=m.end()), is_crossref_key(key)))
    if "\\" in source.text:
        # Raw LaTeX's \cite{a, b}, which the build converts into the same citations.
        for m in _TEX_CITE.finditer(source.text):
            region = source.region_at(m.start())
            if region is not None and region.kind != "latex":
                continue
            offset = m.start(1)
            for part in m.group(1).split(","):
                key = part.strip()
                at = offset + part.index(key) if key else offset
                if key:
                    found.append((Citation(key=key, source=source, start=at, end=at + len(key)), False))
                offset += len(part) + 1
        found.sort(key=lambda item: item[0].start)
    return found


# Cross-references: "@fig-x" (or pandoc-crossref's "@fig:x") points at a label in the document,
# never at a work. The kinds: figures, tables, sections, equations and code listings.
XREF_KINDS = ("fig", "tbl", "sec", "eq", "lst")
_XREF_KEY = re.compile(r"^(?:fig|tbl|sec|eq|lst)[-:]")
_LABEL = re.compile(r"\{#((?:fig|tbl|sec|eq|lst)[-:][\w:.\-]+)")
_TEX_LABEL = re.compile(r"\\label\s*\{([^{}\n]+)\}")
_TEX_REF = re.compile(r"\\(?:ref|autoref|cref|Cref|eqref)\s*\{([^{}\n]+)\}")
# A code block's id and caption in its attributes: ```{#lst-x .python caption="..."}
_FENCE_ID = re.compile(r"^ {0,3}(?:`{3,}|~{3,})\s*\{[^}\n]*#((?:lst|fig|tbl|eq|sec)[-:][\w:.\-]+)", re.M)


def is_crossref_key(key: str) -> bool:
    """"fig-x", "tbl:y", "sec-z", "eq-a", "lst-b": a cross-reference, not a citation key."""
    return _XREF_KEY.match(key) is not None


def normalise_label(label: str) -> str:
    """pandoc-crossref's "fig:x" and the native "fig-x" are one label."""
    kind, sep, rest = label.partition(":")
    return f"{kind}-{rest}" if sep and rest and kind in XREF_KINDS else label


@dataclass(frozen=True)
class Label:
    name: str            # as written
    source: Source
    start: int
    end: int


def find_labels(source: Source) -> list[Label]:
    """Labels defined in a chapter: {#fig-x} attributes, ```{#lst-x} code blocks, \\label{x}."""
    found = []
    for m in _LABEL.finditer(source.text):
        region = source.region_at(m.start())
        if region is None or region.kind in ("attributes", "math"):
            found.append(Label(m.group(1), source, m.start(1), m.end(1)))
    for m in _FENCE_ID.finditer(source.text):
        found.append(Label(m.group(1), source, m.start(1), m.end(1)))
    for m in _TEX_LABEL.finditer(source.text):
        region = source.region_at(m.start())
        if region is None or region.kind in ("math", "latex"):
            found.append(Label(m.group(1), source, m.start(1), m.end(1)))
    return found


def crossref_labels(sources: list[Source]) -> set[str]:
    """Labels defined in the chapters, normalised: "@fig-x" refers to them, not to a work."""
    return {normalise_label(label.name) for s in sources for label in find_labels(s)}


@dataclass(frozen=True)
class CrossRef:
    label: str           # as written: "fig:x", "tab:data"
    source: Source
    start: int
    end: int
    latex: bool          # \ref{x} rather than @x


def find_crossrefs(source: Source) -> list[CrossRef]:
    """References to labels: @fig-x and the other kinds, and LaTeX's \\ref{x}."""
    found = [CrossRef(c.key, source, c.start, c.end, False) for c in find_citations(source, crossrefs=True)
             if is_crossref_key(c.key)]
    for m in _TEX_REF.finditer(source.text):
        region = source.region_at(m.start())
        if region is None or region.kind == "latex":
            found.append(CrossRef(m.group(1), source, m.start(), m.end(), True))
    found.sort(key=lambda r: r.start)
    return found


def closest_key(key: str, keys) -> str | None:
    """The bibliography key nearest to a mistyped one, for "did you mean @…?"."""
    import difflib

    match = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.6)
    return match[0] if match else None
