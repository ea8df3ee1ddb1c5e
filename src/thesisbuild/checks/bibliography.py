"""BIB001-BIB005: the bibliography itself."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..bibliography import Reference
from ..diagnostics import Diagnostic
from ..errors import display_path
from ..prose import fold

# What APA 7th needs, by CSL type. A tuple means "one of these".
_COMMON: list = ["title", ("author", "editor"), "issued"]
_REQUIRED: dict[str, list] = {
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


def _has(entry: Reference, field: str) -> bool:
    value = entry.data.get(field)
    if field in ("author", "editor"):
        return bool(entry.authors) if field == "author" else bool(value)
    if field == "issued":
        return entry.year is not None or bool(value)
    return value not in (None, "", [], {})


def _missing(entry: Reference) -> list[str]:
    missing = []
    for need in _COMMON + _REQUIRED.get(entry.type, []):
        if isinstance(need, tuple):
            if not any(_has(entry, f) for f in need):
                missing.append(f"{need[0]} or {need[1]}" if len(need) == 2 else f"one of {'/'.join(need)}")
        elif not _has(entry, need):
            missing.append(need)
    return missing


def _at(code: str, entry: Reference, message: str) -> Diagnostic:
    line = entry.line or 1
    return Diagnostic(code=code, path=entry.path, line=line, column=1, end_line=line, end_column=1,
                      message=message)


def check_bibliography(refs: list[Reference], cited: set[str] | None) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    by_id: dict[str, list[Reference]] = defaultdict(list)
    for entry in refs:
        by_id[entry.id].append(entry)
    for key, entries in by_id.items():
        first = entries[0]
        for dup in entries[1:]:
            diagnostics.append(_at("BIB002", dup, f"the key @{key} is already used by the entry at "
                                   f"{display_path(first.path)}:{first.line}; give one of them another key."))

    unique = [entries[0] for entries in by_id.values()]
    groups: dict[tuple, list[Reference]] = defaultdict(list)
    for entry in unique:
        if entry.doi:
            groups[("doi", entry.doi.casefold().removeprefix("https://doi.org/"))].append(entry)
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
        why = f"same DOI, {first.doi}" if key[0] == "doi" else "same title, year and first author"
        for other in entries[1:]:
            diagnostics.append(_at("BIB003", other, f"@{other.id} is the same work as @{first.id} ({why}); "
                                   "keep one entry and cite it by one key."))

    for entry in unique:
        missing = _missing(entry)
        if missing:
            diagnostics.append(_at("BIB004", entry, f"@{entry.id} ({entry.type or 'no type'}) lacks "
                                   f"{', '.join(missing)}, which APA needs; add them from the source."))
        if cited is not None and entry.id not in cited:
            diagnostics.append(_at("BIB005", entry, f"@{entry.id} is not cited in any chapter; cite it or "
                                   "remove it."))
    return diagnostics


def bibliography_files_exist(paths: list[Path]) -> None:
    from ..errors import UserError

    for path in paths:
        if not path.is_file():
            raise UserError("bibliography file not found; create it or correct the path.", path)
