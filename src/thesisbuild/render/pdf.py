"""PDF through typst: the profile's preamble, then pandoc's typst body; no TeX anywhere."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import jinja2

from ..config import Profile, Thesis
from ..errors import UserError
from ..escape import typst_array, typst_str
from ..fsutil import write_atomic
from ..i18n import tr
from ..pages import load_page, thesis_values
from ..report import print_diagnostics
from ..sources import Source
from .document import PreparedDocument, ReadingPages
from .glyphs import missing_glyphs
from . import typst_server
from .parts import convert_parts

TYPST_FILTER = Path(__file__).resolve().parent.parent / "filters" / "typst.lua"
_NUMBERING = {"upper-roman": "I", "lower-roman": "i", "decimal": "1", "arabic": "1",
              "upper-alpha": "A", "lower-alpha": "a"}
_CAPTION_START = re.compile(r"caption: \[\n[ \t]*")
_ALIGN = {"center": "center", "centre": "center", "left": "left", "right": "right"}


PACKAGE_FONTS = Path(__file__).resolve().parent.parent / "fonts"


def font_paths(thesis: Thesis) -> list[str]:
    """The thesis's fonts/ folder if it has fonts; else the fonts shipped with thesisbuild (Liberation
    Serif, with Times New Roman's metrics: the PDF breaks lines and pages where the DOCX does) and
    matplotlib's (for characters Liberation Serif lacks)."""
    own = thesis.root / "fonts"
    if own.is_dir() and any(p.suffix.lower() in (".ttf", ".otf", ".ttc") for p in own.rglob("*")):
        return [str(own)]
    # Found without importing matplotlib (0.4 s): only its font folder is needed.
    spec = importlib.util.find_spec("matplotlib")
    return [str(PACKAGE_FONTS), str(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")]


def layout_values(profile: Profile, lang: str) -> dict:
    """Derived numbers the template needs, computed once from the profile."""
    size = float(profile.font.size_pt)
    single = size * float(profile.font.single_line_em)
    language, _, region = lang.partition("-")
    return {
        "font_size_pt": _num(size),
        "single_pitch_pt": _num(single),
        "pitch_pt": _num(single * float(profile.body.line_spacing)),
        "pdf_families": list(profile.font.pdf_families),
        "lang": language.lower(),
        "region": region.upper(),
        "chapter_numbering": _NUMBERING[profile.headings.chapter.numbering],
        "appendix_numbering": _NUMBERING[profile.appendices.numbering],
        "chapter_align": _ALIGN.get(profile.headings.chapter.align, "center"),
        "caption_align": _ALIGN.get(profile.captions.align, "center"),
        "front_numbering": _NUMBERING[profile.page_numbers.front_numbering],
        "body_numbering": _NUMBERING[profile.page_numbers.body_numbering],
        "front_position": profile.page_numbers.front_position,
        "section_align": _ALIGN.get(profile.headings.section.align, "left"),
    }


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _environment(folders: list[Path], cache: Path | None = None) -> jinja2.Environment:
    """The template environment; with `cache`, a folder that keeps the compiled templates between
    builds (compiling the template is a fifth of a second)."""
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)) if cache is not None else None,
        block_start_string="<%", block_end_string="%>",
        variable_start_string="<<", variable_end_string=">>",
        comment_start_string="<#", comment_end_string="#>",
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
    )
    env.filters["typst_str"] = typst_str
    env.filters["typst_array"] = typst_array
    return env


def typst_page(page, thesis: Thesis) -> str:
    """A page the template adds, as typst: every text is a string literal."""
    lines = ["#pagebreak(weak: true)"]
    if page.heading:
        lines.append(f"#heading(level: 1, numbering: none)[#{typst_str(page.heading)}]")
    for block in page.blocks:
        common = f"above: {block.space_before_pt}pt"
        if block.text is None:
            logo = typst_str("/" + thesis.logo.relative_to(thesis.root).as_posix()) if thesis.logo else "none"
            lines.append(f"#block(above: {block.space_before_pt}pt, width: 100%, align(center, "
                         f"logo-slot({block.logo_width_cm}cm, {logo})))")
        else:
            lines.append(f"#page-line({typst_str(block.text)}, size: {block.size_pt}pt, "
                         f"bold: {'true' if block.bold else 'false'}, to: {typst_str(block.align)}, {common})")
    return "\n".join(lines)


def _typst_list(kind: str, title: str, depth: int) -> str:
    # Daftar Isi does not list itself, but keeps a PDF bookmark like every other part.
    listed = "outlined: false, bookmarked: true" if kind == "contents" else "outlined: true"
    heading = f"#heading(level: 1, numbering: none, {listed})[#{typst_str(title)}]"
    if kind == "contents":
        # As deep as headings are numbered (headings.section.max_level), in the DOCX too.
        return f"{heading}\n#outline(title: none, depth: {depth})"
    target = {"tables": "figure.where(kind: table)", "figures": "figure.where(kind: image)"}[kind]
    return (f"#context {{ if query({target}).len() > 0 [\n{heading}\n"
            f"#outline(title: none, target: {target})\n] }}")


def typst_marks(thesis: Thesis):
    """What the typst document writes for each mark of the staged text (render/assemble.py)."""
    values = thesis_values(thesis)

    def expand(what: dict) -> list[str]:
        if "page" in what:
            # The whole page, its logo too (the DOCX's logo image between the marks is not typst's).
            return [typst_page(load_page(thesis.profile, what["page"], values), thesis)] if what["part"] == 0 else []
        if "list" in what:
            return [_typst_list(what["list"], what["title"], thesis.profile.headings.section.max_level)]
        if "line_spacing" in what:
            spacing = what["line_spacing"]
            return [f"#set par(leading: single-pitch * {float(spacing)} - edge)" if spacing is not None
                    else "#set par(leading: pitch - edge)"]
        if "lang" in what:
            return [f"#set text(lang: {typst_str(what['lang'])})"]
        if what.get("body") == "start":
            return ["#pagebreak(weak: true)\n#thesis-part.update(\"body\")\n#counter(page).update(1)\n"
                    "#set page(numbering: body-numbering)"]
        if what.get("appendices") == "numbering":
            return ["#appendix-part.update(true)\n#counter(heading).update(0)\n"
                    "#set heading(numbering: appendix-numbering)"]
        return []
    return expand


def typst_preamble(thesis: Thesis, pages: ReadingPages | None = None, chapters_before: int | None = None) -> str:
    """The profile's thesis.typ.j2 rendered: the page emitter; with `pages`, a chapter read on its
    own, numbered after `chapters_before` chapters (the template's `draft` block)."""
    profile = thesis.profile
    reading = None if pages is None else {
        "header": pages.header, "line_numbers": pages.line_numbers, "right_margin_cm": pages.right_margin_cm,
        "chapters_before": chapters_before or 0}
    try:
        template = _environment(profile.folders, thesis.build_dir / "cache" / "templates").get_template("thesis.typ.j2")
        return template.render(p=profile.values, layout=layout_values(profile, thesis.lang),
                               meta={"title": thesis.title, "author": thesis.author}, draft=reading)
    except jinja2.TemplateNotFound:
        raise UserError(tr("the template profile has no thesis.typ.j2; copy it from the built-in skripsi-id "
                           "profile."), profile.folder) from None
    except jinja2.UndefinedError as err:
        raise UserError(tr("the template needs a value the profile lacks ({problem}); add it to profile.yaml.",
                           problem=err.message), profile.folder / "profile.yaml") from None


def typst_compiler(thesis: Thesis, typ_path: Path, warm: bool = True):
    """A typst compiler for thesis.typ; with `warm`, the one the typst server keeps for it between
    builds (render/typst_server.py), where there is a server, else one of this process's own. A
    compiler keeps its fonts, images and layout between compiles."""
    fonts = font_paths(thesis)

    def local():
        import typst

        return typst.Compiler(str(typ_path), root=str(thesis.root), font_paths=fonts, ignore_system_fonts=True)

    if not (warm and typst_server.enabled()):
        return local()
    document = {"typ": str(Path(typ_path).resolve()), "root": str(Path(thesis.root).resolve()), "fonts": fonts,
                "fonts_key": typst_server.fonts_key(fonts)}
    return typst_server.RemoteCompiler(document, local)


def render_pdf(doc: PreparedDocument, typ_path: Path, pdf_path: Path, pages: ReadingPages | None = None,
               compiler=None, page_list: bool = True, server: bool = True):
    """thesis.typ and the PDF (and, in the thesis's own page setup, its page numbers for the DOCX);
    with `pages`, the reading page setup instead; with `compiler`, a warm typst compiler for
    typ_path (see `thesisbuild watch`), else the typst server's, or with `server` False one of
    this process's own. Returns the compiler."""
    extra = ["--lua-filter", str(TYPST_FILTER)]
    if doc.parts:
        body = convert_parts(doc, "typst", extra, typst_marks(doc.thesis))
    else:
        body = doc.convert("typst", extra)
    # pandoc writes a caption as "caption: [⏎ text⏎ ]", whose line break typst reads as a space
    # ("Gambar 1.1  Linimasa", with two): the caption's text starts at its bracket.
    body = _CAPTION_START.sub("caption: [", body)
    write_atomic(typ_path, typst_preamble(doc.thesis, pages, doc.chapters_before) + body)
    if not doc.quiet:
        chapters = doc.sources + [Source.read(path) for path in doc.thesis.appendices]
        print_diagnostics(missing_glyphs(chapters, font_paths(doc.thesis), doc.thesis.build_dir / "cache"),
                          doc.thesis.lint_severity)
    compiler = compiler or typst_compiler(doc.thesis, typ_path, warm=server)
    standard = str(doc.thesis.profile.pdf.standard)
    try:
        pdf = compiler.compile(timestamp=doc.epoch,
                               pdf_standards=[standard] if standard != "none" and pages is None else [])
    except Exception as err:  # typst reports source errors as exceptions with its own message
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        # The chapter and line behind the position typst names in thesis.typ, when it can be found.
        at = re.search(r"^error:[^\n]*\n\s*\S+ \S+?\.typ:(\d+):\d+", str(getattr(err, "diagnostic", "") or ""), re.M)
        place = doc.typst_place(typ_path.read_text(encoding="utf-8"), int(at.group(1))) if at else None
        if place is not None:
            raise UserError(tr("typst could not compile what this chapter becomes ({problem}); correct it here (the "
                               "typst source is {file}, line {line}).", problem=first, file=typ_path.name,
                               line=at.group(1)), place[0], place[1]) from None
        raise UserError(tr("typst could not compile the document ({problem}); see {file}.", problem=first,
                           file=typ_path.name), typ_path) from None
    write_atomic(pdf_path, pdf)
    if pages is None and page_list:
        write_atomic(pages_path(pdf_path), json.dumps(page_numbers(compiler), indent=1) + "\n")
    return compiler


def pages_path(pdf_path: Path) -> Path:
    return pdf_path.with_suffix(".pages.json")


def page_numbers(compiler) -> dict:
    """The printed page number of every outlined heading and caption, in document order, so that
    the DOCX's table of contents can be filled in before Word recomputes it."""
    def query(label: str) -> list:
        return [item["value"] for item in json.loads(compiler.query(label))]

    return {"headings": query("<thesis-heading>"), "captions": query("<thesis-caption>")}
