"""PDF through typst: the profile's preamble, then pandoc's typst body; no TeX anywhere."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..config import Profile, Thesis
from ..errors import UserError
from ..escape import typst_array, typst_str
from ..fsutil import write_atomic
from .document import PreparedDocument

_NUMBERING = {"upper-roman": "I", "lower-roman": "i", "decimal": "1", "arabic": "1",
              "upper-alpha": "A", "lower-alpha": "a"}
_ALIGN = {"center": "center", "centre": "center", "left": "left", "right": "right"}


def font_paths(thesis: Thesis) -> list[str]:
    """The thesis's fonts/ folder if it has fonts, else matplotlib's STIX fonts."""
    own = thesis.root / "fonts"
    if own.is_dir() and any(p.suffix.lower() in (".ttf", ".otf", ".ttc") for p in own.rglob("*")):
        return [str(own)]
    import matplotlib

    return [str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf")]


def layout_values(profile: Profile, lang: str) -> dict:
    """Derived numbers the template needs, computed once from the profile."""
    size = float(profile.get("font.size_pt"))
    single = size * float(profile.get("font.single_line_em"))
    language, _, region = lang.partition("-")
    chapter_numbering = profile.get("headings.chapter.numbering")
    if chapter_numbering not in _NUMBERING:
        raise UserError(f"headings.chapter.numbering '{chapter_numbering}' is not one of "
                        f"{', '.join(_NUMBERING)}; fix it in the profile.", profile.folder / "profile.yaml")
    return {
        "font_size_pt": _num(size),
        "single_pitch_pt": _num(single),
        "pitch_pt": _num(single * float(profile.get("body.line_spacing"))),
        "pdf_families": list(profile.get("font.pdf_families")),
        "lang": language.lower(),
        "region": region.upper(),
        "chapter_numbering": _NUMBERING[chapter_numbering],
        "chapter_align": _ALIGN.get(profile.get("headings.chapter.align"), "center"),
        "section_align": _ALIGN.get(profile.get("headings.section.align"), "left"),
    }


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        block_start_string="<%", block_end_string="%>",
        variable_start_string="<<", variable_end_string=">>",
        comment_start_string="<#", comment_end_string="#>",
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
    )
    env.filters["typst_str"] = typst_str
    env.filters["typst_array"] = typst_array
    return env


def typst_preamble(thesis: Thesis) -> str:
    profile = thesis.profile
    try:
        template = _environment(profile.folder).get_template("thesis.typ.j2")
        return template.render(p=profile.values, layout=layout_values(profile, thesis.lang),
                               meta={"title": thesis.title, "author": thesis.author})
    except jinja2.TemplateNotFound:
        raise UserError("the template profile has no thesis.typ.j2; copy it from the built-in "
                        "skripsi-id profile.", profile.folder) from None
    except jinja2.UndefinedError as err:
        raise UserError(f"the template needs a value the profile lacks ({err.message}); add it to "
                        "profile.yaml.", profile.folder / "profile.yaml") from None


def render_pdf(doc: PreparedDocument, typ_path: Path, pdf_path: Path) -> None:
    import typst

    body = doc.convert("typst")
    write_atomic(typ_path, typst_preamble(doc.thesis) + body)
    try:
        pdf = typst.compile(str(typ_path), root=str(doc.thesis.root), font_paths=font_paths(doc.thesis),
                            ignore_system_fonts=True, timestamp=doc.epoch)
    except Exception as err:  # typst reports source errors as exceptions with its own message
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(f"typst could not compile the document ({first}); see {typ_path.name}.",
                        typ_path) from None
    write_atomic(pdf_path, pdf)
