"""Start a thesis: `thesisbuild new DIR` writes a complete thesis that builds at once; `thesisbuild init`
writes the same build files around Markdown chapters that already exist.

The files are package data under `scaffold/files/`: `common/` for every thesis, `id/` and `en/`
per language. A name ending in `.j2` is a Jinja2 template (the suffix is dropped); a leading `dot-`
stands for `.` (`dot-gitignore` is `.gitignore`), because package-data globs skip hidden files."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from .. import __version__
from ..config import BUILTIN_TEMPLATES, load_profile
from ..errors import UserError, display_path
from ..i18n import tr
from .survey import FRONT_SLOTS, TEMPLATE_PAGES, survey

FILES = Path(__file__).resolve().parent / "files"


@dataclass(frozen=True)
class Language:
    code: str               # the scaffold's folder: id, en
    tag: str                # thesis.yaml's `lang`
    profile: str            # the template profile a thesis in this language starts with
    first_chapter: str      # `new`'s first chapter


LANGUAGES = {
    "id": Language("id", "id-ID", "skripsi-id", "chapters/01-pendahuluan.md"),
    "en": Language("en", "en-US", "thesis-en", "chapters/01-introduction.md"),
}
# A language whose profile is not installed starts with this one (same pages, Indonesian labels).
FALLBACK_PROFILE = "skripsi-id"


def profile_for(code: str) -> str:
    """The built-in template profile for a language, or the fallback while that one is not installed."""
    name = LANGUAGES[code].profile
    return name if (BUILTIN_TEMPLATES / name / "profile.yaml").is_file() else FALLBACK_PROFILE


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(FILES)), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False,
                             # pandoc's ids ({#fig-x}) are text here, not Jinja2 comments.
                             comment_start_string="{##", comment_end_string="##}")
    env.filters["q"] = yaml_scalar
    return env


def yaml_scalar(value) -> str:
    """A YAML scalar that reads back as this text: plain when that is safe, else double-quoted (a JSON
    string is a valid YAML one), so any title prints as written."""
    text = str(value)
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./ -]*", text) and not text.endswith(" ") \
            and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _target_name(rel: str) -> str:
    parts = [("." + p[4:]) if p.startswith("dot-") else p for p in rel.split("/")]
    name = "/".join(parts)
    return name[:-3] if name.endswith(".j2") else name


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(FILES).as_posix() for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def render_files(code: str, context: dict, include_examples: bool = True) -> dict[str, str]:
    """The scaffold's files for a language, rendered: target path -> text. Without
    `include_examples` the example chapter, bibliography and figure are left out (for `init`);
    front texts come from `front_texts`."""
    env = _environment()
    out: dict[str, str] = {}
    for rel in [*_tree(FILES / "common"), *_tree(FILES / code)]:
        inner = rel.split("/", 1)[1]
        target = _target_name(inner)
        if target.startswith("front/"):
            continue            # chosen by the profile below
        if not include_examples and target.split("/")[0] in ("chapters", "bibliography", "figures"):
            continue
        if rel.endswith(".j2"):
            out[target] = env.get_template(rel).render(**context)
        else:
            out[target] = (FILES / rel).read_text(encoding="utf-8")
    return out


def front_texts(code: str, profile: str) -> dict[str, str]:
    """front/<name>.md for each text the profile's front matter reads (optional ones left out), from
    the language's own examples, else the other language's, else a one-line placeholder."""
    out: dict[str, str] = {}
    order = [code, *(c for c in LANGUAGES if c != code)]
    for name in front_names(profile, include_optional=False):
        for lang in order:
            path = FILES / lang / "front" / f"{name}.md"
            if path.is_file():
                out[f"front/{name}.md"] = path.read_text(encoding="utf-8")
                break
        else:
            out[f"front/{name}.md"] = f"**[{name}]**\n"
    return out


def front_names(profile: str, include_optional: bool = True) -> list[str]:
    values = load_profile(profile, FILES).values      # the built-in profile, whatever folder we are in
    return [str(item["text"]) for item in values.get("front_matter", [])
            if isinstance(item, dict) and "text" in item and (include_optional or not item.get("optional"))]


META_FIELDS = ("title", "author", "student_id", "programme", "faculty", "university", "city", "year", "degree",
               "dean")


def install_source() -> dict:
    """How this thesisbuild was installed, for the thesis's README and CI workflow: pip's
    requirement, and whether another machine (a CI runner) can install from it. pip records a
    git URL, an archive's URL or a local folder or file it installed from (PEP 610,
    direct_url.json); without that record it came from a package index, by version."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        direct = json.loads(distribution("thesisbuild").read_text("direct_url.json") or "null")
    except (PackageNotFoundError, ValueError):
        direct = None
    if not isinstance(direct, dict) or not isinstance(direct.get("url"), str):
        return {"requirement": f"thesisbuild=={__version__}", "portable": True}
    url = direct["url"]
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id") or vcs.get("requested_revision") or ""
        return {"requirement": f"thesisbuild @ git+{url}" + (f"@{commit}" if commit else ""), "portable": True}
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse

        # A copy on this computer: the same command works here, not on another machine.
        return {"requirement": unquote(urlparse(url).path), "portable": False}
    return {"requirement": f"thesisbuild @ {url}", "portable": True}


def context(code: str, profile: str, *, meta: dict | None = None, lang: str | None = None,
            chapters: list[str], appendices: list[str] | None = None, bibliography: list[str],
            csl: str = "apa", notes: list[str] | None = None, front_texts: dict[str, str] | None = None) -> dict:
    first = chapters[0]
    return {
        "version": __version__, "install": install_source(), "meta": {**dict.fromkeys(META_FIELDS, ""), "supervisors": [], **(meta or {})},
        "lang": lang or LANGUAGES[code].tag, "template": profile,
        "csl": csl, "chapters": chapters, "appendices": appendices or [], "bibliography": bibliography,
        "notes": notes or [], "front_names": [f"{n}.md" for n in front_names(profile)],
        "front_texts": front_texts or {},
        "first_chapter": first, "first_chapter_name": Path(first).stem,
        "chapters_dir": Path(first).parent.as_posix() if Path(first).parent != Path(".") else ".",
    }


def check_language(code: str) -> str:
    code = code.strip().lower().split("-")[0]
    if code not in LANGUAGES:
        raise UserError(tr("no scaffold for the language '{code}'; use {choices}.", code=code,
                           choices=tr(" or ").join(f"--lang {c}" for c in LANGUAGES)))
    return code


def new_thesis(folder: Path, code: str = "id") -> list[str]:
    """Write a complete example thesis into `folder`, which must not exist or be empty."""
    code = check_language(code)
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(tr("this folder exists and is not empty; choose another folder for the new thesis, "
                           "or run `thesisbuild init {folder}` to add the build files to the thesis in it.",
                           folder=folder),
                        folder)
    language = LANGUAGES[code]
    profile = profile_for(code)
    ctx = context(code, profile, chapters=[language.first_chapter],
                  bibliography=["bibliography/references.yaml"])
    files = {**render_files(code, ctx), **front_texts(code, profile)}

    # Everything is written into a hidden folder beside the target and then renamed into place,
    # so a failure leaves no half-made thesis.
    target = folder.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for rel, text in sorted(files.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        if target.exists():
            # An empty folder (perhaps the working directory) stays; its contents arrive.
            for child in sorted(staging.iterdir()):
                os.replace(child, target / child.name)
            staging.rmdir()
        else:
            staging.chmod(0o755)
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    lines = [tr("wrote {path}", path=(Path(display_path(folder)) / rel).as_posix()) for rel in sorted(files)]
    if profile != language.profile:
        lines.append(tr("note: the template '{wanted}' is not installed; the thesis uses '{profile}' until it "
                        "is (change `template:` in thesis.yaml then).", wanted=language.profile, profile=profile))
    return lines + [next_step(folder)]


def next_step(folder: Path) -> str:
    here = Path(folder).resolve() == Path.cwd().resolve()
    # Quoted for the shell when the name has spaces or brackets ("skripsi saya (final)").
    command = "doit" if here else f"cd {shlex.quote(display_path(folder))} && doit"
    return tr("Next: {command}   (builds build/thesis.pdf and build/thesis.docx)", command=command)


def write_new_file(path: Path, text: str) -> bool:
    """Write `path` atomically unless it exists; True when written. An existing file is never replaced."""
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)      # fails, without replacing, if the file appeared meanwhile
        except FileExistsError:
            return False
        except OSError:             # a file system without hard links
            with open(path, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


EMPTY_BIBLIOGRAPHY = {
    "id": "# Daftar pustaka dalam CSL-YAML (di Zotero: Export Collection > \"CSL YAML\"), satu entri per karya:\n"
          "# - id: braun2006\n#   type: article-journal\n#   ...\n",
    "en": "# The bibliography in CSL-YAML (Zotero: Export Collection > \"CSL YAML\"), one entry per work:\n"
          "# - id: braun2006\n#   type: article-journal\n#   ...\n",
}


def _missing_ignores(path: Path, ours: str) -> list[str]:
    """Our .gitignore lines that an existing .gitignore lacks (compared without slashes)."""
    have = {line.strip().strip("/") for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    return [line for line in ours.split() if line.strip("/") not in have and line.strip("/") != "__pycache__"]


def init_thesis(folder: Path) -> list[str]:
    """Write thesis.yaml and the build files around the Markdown chapters already in `folder`.

    Nothing that exists is replaced; every source file found is reported, with where it went."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(tr("this folder does not exist; give the folder that holds the Markdown chapters, or "
                           "run `thesisbuild new {folder}` to start a thesis there.", folder=folder), folder)
    found = survey(folder)
    chapters = [f.rel for f in found.of("chapter")]
    if not chapters:
        raise UserError(tr("no Markdown chapters here (looked in the folder and in chapters/, source/, src/, bab/ "
                           "and similar folders); add them, or run `thesisbuild new` to start a thesis."), folder)
    code = found.language
    profile = profile_for(code)
    names = set(front_names(profile))
    lines: list[str] = []
    notes: list[str] = list(found.notes)
    front_texts: dict[str, str] = {}
    for item in found.files:
        if item.role in ("chapter", "appendix"):
            found_line = (tr("chapter {path}", path=item.rel) if item.role == "chapter"
                          else tr("appendix {path}", path=item.rel))
            if not item.heading:
                found_line += tr(" (it has no # heading to give its title)")
            elif re.match(r"(BAB|CHAPTER|Bab|Chapter)\s+([IVXLC]+|\d+)\b", item.heading):
                found_line += tr(" (its heading '{heading}' has a number: the build numbers chapters, so write the "
                                 "title alone)", heading=item.heading)
            lines.append(found_line)
        elif item.role == "stub":
            lines.append(tr("left {path}: {why}", path=item.rel, why=item.why))
            notes.append(tr("left out {path}: {why}", path=item.rel, why=item.why))
        else:
            slot = next((name for name in FRONT_SLOTS[item.front] if name in names), None)
            if item.front in TEMPLATE_PAGES:
                why = f"{item.why}; {tr(TEMPLATE_PAGES[item.front])}"
            elif slot and slot not in front_texts:
                front_texts[slot] = item.rel
                lines.append(tr("front text {path} ({slot})", path=item.rel, slot=slot))
                continue
            elif slot:
                why = tr("{what}; the template has one {slot} text, {path} already", what=item.why, slot=slot,
                         path=front_texts[slot])
            else:
                why = tr("{what}; the template '{profile}' has no place for it (make it an appendix if needed)",
                         what=item.why, profile=profile)
            lines.append(tr("left {path}: {why}", path=item.rel, why=why))
            notes.append(tr("front matter {path}: {why}", path=item.rel, why=why))

    bibliography = found.bibliography
    extra: dict[str, str] = {}
    if not bibliography:
        bibliography = ["bibliography/references.yaml"]
        extra["bibliography/references.yaml"] = EMPTY_BIBLIOGRAPHY[code]
    for rel in found.bibliography:
        lines.append(tr("bibliography {path}", path=rel))
    if found.csl:
        lines.append(tr("style {name}", name=found.csl))
    for source in found.meta_sources:
        lines.append(tr("metadata {path}: {keys}", path=source,
                        keys=", ".join(sorted(found.meta)) or tr("no values thesis.yaml takes")))

    ctx = context(code, profile, meta=found.meta, lang=found.lang, chapters=chapters,
                  appendices=[f.rel for f in found.of("appendix")], bibliography=bibliography,
                  csl=found.csl or "apa", notes=notes, front_texts=front_texts)
    files = {**render_files(code, ctx, include_examples=False), **extra}
    written = []
    for rel, text in files.items():
        path = folder / rel
        if write_new_file(path, text):
            written.append((0, tr("wrote {path}", path=display_path(path))))
        elif rel == ".gitignore" and (missing := _missing_ignores(path, text)):
            written.append((1, tr("left {path}: it exists (not changed); add {lines} to it so that build outputs "
                                  "are not committed", path=display_path(path), lines=", ".join(missing))))
        else:
            written.append((1, tr("left {path}: it exists (not changed)", path=display_path(path))))
    written.sort()
    tag = LANGUAGES[code].tag if not found.lang else found.lang
    if profile != LANGUAGES[code].profile:
        summary = tr("language: {lang}; template: {profile} ('{wanted}' is not installed yet)", lang=tag,
                     profile=profile, wanted=LANGUAGES[code].profile)
    else:
        summary = tr("language: {lang}; template: {profile}", lang=tag, profile=profile)
    return [*(line for _, line in written), *lines, summary, next_step(folder)]
