"""Bibliographies (CSL-YAML, CSL-JSON, BibTeX) as Reference objects that know their place."""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .i18n import tr
from .errors import UserError, display_path
from .fsutil import write_atomic
from .pandoc import pandoc_path
from .yamlfile import load_yaml, read_text


@dataclass(frozen=True)
class Person:
    family: str            # with its particle, as the style prints it: "Le Corre"
    given: str = ""
    literal: str = ""      # an organisation or a single-name author: "Xinhua", "Sugiyono"

    @property
    def display(self) -> str:
        return self.literal or self.family


@dataclass(frozen=True)
class Reference:
    id: str
    data: dict[str, Any]
    path: Path
    line: int | None

    @property
    def type(self) -> str:
        return str(self.data.get("type", ""))

    @cached_property
    def authors(self) -> list[Person]:
        people = self.data.get("author") or self.data.get("editor") or []
        out = []
        for p in people if isinstance(people, list) else []:
            if not isinstance(p, dict):
                continue
            if p.get("literal"):
                out.append(Person(family="", literal=str(p["literal"])))
                continue
            particle = str(p.get("non-dropping-particle", "")).strip()
            family = " ".join(x for x in (particle, str(p.get("family", "")).strip()) if x)
            given = " ".join(x for x in (str(p.get("given", "")).strip(),
                                         str(p.get("dropping-particle", "")).strip()) if x)
            if family or given:
                out.append(Person(family=family, given=given))
        return out

    @property
    def year(self) -> str | None:
        issued = self.data.get("issued")
        if isinstance(issued, dict):
            parts = issued.get("date-parts")
            if parts and parts[0] and parts[0][0] not in (None, ""):
                return str(parts[0][0])
            if issued.get("literal"):
                m = re.search(r"\d{4}", str(issued["literal"]))
                return m.group() if m else None
            if issued.get("raw"):
                m = re.search(r"\d{4}", str(issued["raw"]))
                return m.group() if m else None
        elif isinstance(issued, (str, int)):
            m = re.search(r"\d{4}", str(issued))
            return m.group() if m else None
        return None

    @property
    def year_suffix(self) -> str:
        return str(self.data.get("year-suffix", "")).strip()

    @property
    def doi(self) -> str:
        return str(self.data.get("DOI", "") or self.data.get("doi", "")).strip()

    @property
    def title(self) -> str:
        return str(self.data.get("title", "")).strip()


def load_references(paths: list[Path]) -> list[Reference]:
    """Every entry of the thesis's bibliographies; a key given twice stops the build (citeproc would
    take one of the two silently)."""
    refs: list[Reference] = []
    for path in paths:
        refs.extend(load_file(path))
    first: dict[str, Reference] = {}
    for ref in refs:
        if ref.id in first:
            other = first[ref.id]
            raise UserError(tr("@{key} is the key of two entries (the other is at {place}); give each work its own "
                               "key.", key=ref.id, place=f"{display_path(other.path)}:{other.line}"),
                            ref.path, ref.line, code="BIB002")
        first[ref.id] = ref
    return refs


def load_file(path: Path) -> list[Reference]:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _load_csl_yaml(path)
    if suffix == ".json":
        return _load_csl_json(path)
    if suffix in (".bib", ".bibtex"):
        return _load_bibtex(path)
    raise UserError(tr("unknown bibliography format; use CSL-YAML (.yaml), CSL-JSON (.json) or BibTeX (.bib)."), path)


def _load_csl_yaml(path: Path) -> list[Reference]:
    doc = load_yaml(path, "bibliography")
    data = doc.data
    prefix: tuple = ()
    if isinstance(data, dict) and "references" in data:
        data, prefix = data["references"], ("references",)
    if data is None:
        return []
    if not isinstance(data, list):
        raise UserError(tr("a CSL-YAML bibliography must be a list of entries under 'references:'."),
                        path, 1)
    refs = []
    for i, item in enumerate(data):
        line = doc.line_of(*prefix, i)
        refs.append(_reference(item, path, line, i))
    return refs


def _load_csl_json(path: Path) -> list[Reference]:
    text = read_text(path, "bibliography")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise UserError(tr("bibliography is not valid JSON ({problem}); fix the syntax there.", problem=err.msg),
                        path, err.lineno, err.colno) from None
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if not isinstance(data, list):
        raise UserError(tr("a CSL-JSON bibliography must be a list of entries."), path, 1)
    lines = _id_lines(text, r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
    return [_reference(item, path, lines.get(str(item.get("id")) if isinstance(item, dict) else ""), i)
            for i, item in enumerate(data)]


def _load_bibtex(path: Path) -> list[Reference]:
    """BibTeX and BibLaTeX through pandoc's parser (the one citeproc uses)."""
    text = read_text(path, "bibliography")
    proc = subprocess.run([pandoc_path(), "-f", "bibtex", "-t", "csljson"], input=text, capture_output=True,
                          text=True, encoding="utf-8")
    if proc.returncode != 0:
        m = re.search(r"\(line (\d+), column (\d+)\):\s*(.*)", proc.stderr, re.S)
        problem = " ".join(m.group(3).split()) if m else proc.stderr.strip()
        raise UserError(tr("bibliography is not valid BibTeX ({problem}); fix the syntax there.", problem=problem), path,
                        int(m.group(1)) if m else None, int(m.group(2)) if m else None)
    data = json.loads(proc.stdout or "[]")
    lines = _id_lines(text, r"@\w+\s*[{(]\s*([^,\s]+)\s*,")
    # pandoc's BibTeX reader writes its own dates (a year "n.d." stays as written): not checked as CSL.
    return [_reference(item, path, lines.get(str(item.get("id"))), i, csl=False) for i, item in enumerate(data)]


def _id_lines(text: str, pattern: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for m in re.finditer(pattern, text):
        lines.setdefault(m.group(1), text.count("\n", 0, m.start()) + 1)
    return lines


def _reference(item: Any, path: Path, line: int | None, index: int, csl: bool = True) -> Reference:
    if not isinstance(item, dict) or not item.get("id"):
        raise UserError(tr("bibliography entry {number} has no 'id'; give every entry a citation key.", number=index + 1),
                        path, line)
    for field in _DATE_FIELDS if csl else ():
        date = item.get(field)
        if isinstance(date, dict) and "date-parts" in date and not _date_parts_ok(date["date-parts"]):
            raise UserError(tr("@{key}: '{field}' has date-parts that are not a list of [year, month, day] lists; "
                               "write it as date-parts: [[2018]] (or [[2018, 5, 19]]).", key=item["id"], field=field),
                            path, line)
        wrong = _impossible_date(date)
        if wrong:
            raise UserError(tr("@{key}: '{field}' is {date}, which is no date of the calendar (a month from 1 to 12, "
                               "a day the month has); correct it.", key=item["id"], field=field, date=wrong), path, line)
    return Reference(id=str(item["id"]), data=item, path=path, line=line)


_DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def _impossible_date(date: Any) -> str | None:
    """A date that no calendar has, as written ("2018-13-45"), or None. CSL's seasons (months
    13-16 and 21-24) are dates; a day is checked against its month and year."""
    if isinstance(date, dict) and isinstance(date.get("date-parts"), list):
        parts = [[int(x) for x in p] for p in date["date-parts"]
                 if isinstance(p, list) and all(isinstance(x, int) or (isinstance(x, str) and x.isdigit()) for x in p)]
    elif isinstance(date, str) and _ISO_DATE.match(date.strip()):
        parts = [[int(x) for x in _ISO_DATE.match(date.strip()).groups() if x is not None]]
    else:
        return None
    for p in parts:
        if len(p) >= 2 and not (1 <= p[1] <= 12 or 13 <= p[1] <= 16 or 21 <= p[1] <= 24):
            return "-".join(map(str, p))
        if len(p) == 3:
            days = calendar.monthrange(p[0], p[1])[1] if 1 <= p[0] and p[1] <= 12 else 31
            if not 1 <= p[2] <= days:
                return "-".join(map(str, p))
    return None


def _date_parts_ok(parts: Any) -> bool:
    """CSL's date-parts: one or two lists (a range) of up to three year, month, day numbers."""
    return (isinstance(parts, list) and 1 <= len(parts) <= 2
            and all(isinstance(p, list) and 1 <= len(p) <= 3
                    and all(isinstance(x, (int, str)) and not isinstance(x, bool) for x in p) for p in parts))


def citeproc_files(paths: list[Path], cache: Path, csl: Path, lang: str) -> list[Path]:
    """The bibliographies in the form pandoc's citeproc reads fastest: a CSL-YAML file is
    converted to CSL-JSON once per change of its bytes or of the style, by pandoc itself, into
    `cache`. pandoc reads CSL-YAML through its Markdown reader, a tenth of a second for a 25 KB
    file in every conversion of every part; CSL-JSON takes a hundredth. (BibTeX is read fast as it
    is.) The conversion is used only when the thesis's style prints every entry of it, cited, as it
    prints the file's own (CSL-JSON has no math, for one); else the file is given to pandoc as it is."""
    out = []
    for path in paths:
        if path.suffix.lower() not in (".yaml", ".yml"):
            out.append(path)
            continue
        data = path.read_bytes()
        pandoc = Path(pandoc_path())
        key = hashlib.sha256(b"\0".join([data, Path(csl).read_bytes(), lang.encode(), str(pandoc).encode(),
                                         str(pandoc.stat().st_size).encode()])).hexdigest()[:32]
        target = cache / f"{key}.json"
        if not target.is_file():
            converted = _as_csl_json(path, data.decode("utf-8", "replace"), csl, lang)
            if converted is None:
                out.append(path)
                continue
            write_atomic(target, converted)
        out.append(target)
    if cache.is_dir():
        keep = {p.name for p in out}
        for old in cache.glob("*.json"):
            if old.name not in keep:
                old.unlink(missing_ok=True)
    return out


def _as_csl_json(path: Path, text: str, csl: Path, lang: str) -> str | None:
    """The CSL-YAML file as CSL-JSON written by pandoc, or None when it cannot be converted
    faithfully. pandoc reads it as a Markdown document's metadata: the file between "---" and
    "...", its entries under 'references:' (a bare list of entries is put there)."""
    if any(line.rstrip() in ("---", "...") for line in text.splitlines()):
        return None
    try:
        data = load_yaml(path, "bibliography").data
        expected = [ref.id for ref in load_file(path)]
    except UserError:
        return None
    head = "" if isinstance(data, dict) else "references:\n"
    converted = _pandoc_quiet(["-f", "markdown", "-s", "-t", "csljson"], f"---\n{head}{text}\n...\n")
    try:
        ids = [str(item.get("id")) for item in json.loads(converted or "[]")] if converted is not None else None
    except (ValueError, AttributeError):
        return None
    if ids != expected or not ids:
        return None
    # Every entry cited and listed by the thesis's style, from the file and from its conversion.
    document = "[" + "; ".join(f"@{{{key}}}" for key in ids) + "]\n"
    with tempfile.TemporaryDirectory(prefix="thesisbuild-bib-") as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        copy = Path(tmp) / "bibliography.json"
        copy.write_text(converted, encoding="utf-8")
        printed = list(pool.map(lambda bib: _pandoc_quiet(["-f", "markdown", "-t", "native", "--citeproc", "--csl", str(csl),
                                                           "-M", f"lang={lang}", "--bibliography", str(bib)], document),
                                (path, copy)))
    return converted if printed[0] is not None and printed[0] == printed[1] else None


def _pandoc_quiet(args: list[str], text: str) -> str | None:
    """pandoc's output, or None when it failed or had anything to say."""
    proc = subprocess.run([pandoc_path(), *args], input=text, capture_output=True, text=True, encoding="utf-8")
    return proc.stdout if proc.returncode == 0 and not proc.stderr.strip() else None
