"""The pages a template adds (cover, title page, statements, approval pages), as data.

A page is `templates/<profile>/pages/<name>.yaml`: an optional heading and a list of blocks. A
block's `text` is a Jinja2 template over the thesis's values; what it renders to is plain text,
which each renderer then escapes for its own target, so no value can run as code."""

from __future__ import annotations

import functools
import re

from dataclasses import dataclass

from .config import Profile, Thesis
from .errors import UserError
from .i18n import N_, tr
from .yamlfile import load_yaml

@functools.lru_cache(maxsize=1)
def _environment():
    # lazy: start-up time; verify and the lint use this module's page numbers, not its templates
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


@functools.lru_cache(maxsize=512)
def _compiled(template: str):
    """A page text's template, compiled once per process (`thesisbuild watch` stages the front
    matter on every save)."""
    return _environment().from_string(template)


@dataclass(frozen=True)
class Block:
    text: str | None              # None for the logo
    size_pt: float
    bold: bool
    align: str                    # center | left | right | justify
    space_before_pt: float = 0.0
    logo_width_cm: float = 0.0


@dataclass(frozen=True)
class Page:
    name: str
    heading: str | None           # printed as an unnumbered chapter-level heading, listed in Daftar Isi
    blocks: tuple[Block, ...]


# How Word names each page-number format the profile can choose (page_numbers.*_numbering).
WORD_PAGE_FORMATS = {"lower-roman": "lowerRoman", "upper-roman": "upperRoman", "arabic": "decimal",
                     "decimal": "decimal"}


def roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def format_number(n: int, style: str) -> str:
    """A chapter's or appendix's number in the profile's numbering: upper-roman, decimal, upper-alpha, …"""
    if style == "upper-roman":
        return roman(n)
    if style == "lower-roman":
        return roman(n).lower()
    if style in ("upper-alpha", "lower-alpha"):
        letters = ""
        while n > 0:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        return letters if style == "upper-alpha" else letters.lower()
    return str(n)


def seq_name(label: str) -> str:
    """A caption label's SEQ field identifier in the DOCX ("Gambar"): letters, digits and
    underscores, starting with a letter; the renderer writes it, verify looks for it."""
    name = re.sub(r"\W", "_", label.strip(), flags=re.ASCII).strip("_")
    if not name or not name[0].isalpha():
        name = "L" + name
    return name[:40]


def thesis_values(thesis: Thesis) -> dict:
    return {"title": thesis.title, "author": thesis.author, "student_id": thesis.student_id,
            "programme": thesis.programme, "faculty": thesis.faculty, "university": thesis.university,
            "city": thesis.city, "year": thesis.year, "degree": thesis.degree, "dean": thesis.dean,
            "supervisors": list(thesis.supervisors)}


def load_page(profile: Profile, name: str, values: dict) -> Page:
    path = profile.find(f"pages/{name}.yaml")
    if path is None:
        raise UserError(tr("the template has no page '{name}'; add pages/{name}.yaml to the profile or "
                           "remove it from front_matter.", name=name), profile.folder / "profile.yaml")
    doc = load_yaml(path, N_("template page"))
    data = doc.data or {}
    styles = profile.page_styles
    blocks: list[Block] = []

    def render(template: str, extra: dict, line: int | None) -> str:
        import jinja2  # lazy: start-up time, as in _environment

        try:
            return _compiled(str(template)).render(**values, **extra)
        except jinja2.TemplateError as err:
            raise UserError(tr("the page template cannot be rendered ({problem}); fix it.", problem=err), path, line) from None

    def add(items: list, extra: dict, keys: tuple) -> None:
        for i, item in enumerate(items or []):
            line = doc.line_of(*keys, i)
            if "for" in item:
                for n, value in enumerate(values.get(item["for"]) or [], 1):
                    add(item.get("blocks", []), {**extra, "item": value, "number": n, "number_roman": roman(n)},
                        keys + (i, "blocks"))
                continue
            name = str(item.get("style", "page-text"))
            if name not in styles:
                raise UserError(tr("unknown page style '{style}'; define it under page_styles in profile.yaml.",
                                   style=item.get("style")), path, line)
            style = styles[name]
            common = dict(size_pt=float(style.size_pt), bold=bool(style.bold), align=str(style.align),
                          space_before_pt=float(item.get("space_before_pt", 0)))
            if item.get("logo"):
                blocks.append(Block(text=None, logo_width_cm=float(item.get("width_cm", 4)), **common))
            else:
                blocks.append(Block(text=render(item["text"], extra, line), **common))

    add(data.get("blocks"), {}, ("blocks",))
    heading = data.get("heading")
    return Page(name=name, heading=render(heading, {}, doc.line_of("heading")) if heading else None,
                blocks=tuple(blocks))
