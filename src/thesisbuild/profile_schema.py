"""The schema of a template profile: every key the code and the templates read, with its type.

A profile file (profile.yaml, each profile it `extends:`) and thesis.yaml's `profile:` overrides are
checked against SCHEMA before anything is built: every wrong value is collected with its file and line,
and the values that reach typst or OOXML are only numbers, booleans, words of a fixed list, or
strings (which the templates always quote). The schema is data: a group is a dict of keys, a leaf is
a `Value`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from .i18n import tr

NUMBERINGS = ("upper-roman", "lower-roman", "decimal", "arabic", "upper-alpha", "lower-alpha")
PAGE_NUMBERINGS = ("lower-roman", "upper-roman", "arabic", "decimal")
POSITIONS = ("bottom-center", "bottom-right", "top-right", "top-center", "none")
ALIGNS = ("left", "center", "right", "justify")
LISTS = ("contents", "tables", "figures")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")        # a file name without folders
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Value:
    """One value of the profile: what it is, how it is checked, and how the message names it."""

    kind: str                           # length, number, integer, boolean, true, enum, string, strings, name, lang
    unit: str = ""                      # cm, pt, or lines for a length
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    count: int | None = None            # a list of exactly this many strings

    def expected(self) -> str:
        """What the value must be, as the end of the sentence "'key' must be …"."""
        if self.kind == "length":
            unit = {"cm": tr("a length in cm"), "pt": tr("a size in points (pt)"),
                    "lines": tr("a number of lines")}[self.unit]
            return tr("{unit} (a number such as {example})", unit=unit, example=self._example())
        if self.kind == "number":
            return tr("a number such as {example}", example=self._example())
        if self.kind == "integer":
            return tr("a whole number such as {example}", example=self._example())
        if self.kind == "boolean":
            return tr("true or false")
        if self.kind == "true":
            return tr("true (the template has no other layout)")
        if self.kind == "enum":
            return tr("one of {choices}", choices=", ".join(self.choices))
        if self.kind == "strings":
            if self.count:
                return tr("a list of {count} texts", count=self.count)
            return tr("a list of texts")
        if self.kind == "name":
            return tr("a file name without folders, such as abstrak")
        if self.kind == "lang":
            return tr("a language code such as en or id-ID")
        return tr("a text")

    def _example(self) -> str:
        if self.kind == "integer":
            return str(int(self.minimum or 0) + 1)
        low = self.minimum if self.minimum is not None else 0.0
        return f"{max(low, 1.0):.1f}" if self.unit != "pt" else "12"

    def remedy(self) -> str:
        if self.kind in ("length", "number", "integer"):
            low = "" if self.minimum is None else f"{self.minimum:g}"
            high = "" if self.maximum is None else f"{self.maximum:g}"
            if low and high:
                return tr("write a number from {low} to {high}, without a unit.", low=low, high=high)
            return tr("write a number, without a unit.")
        if self.kind == "boolean":
            return tr("write true or false.")
        if self.kind == "true":
            return tr("write true, or leave the key out.")
        if self.kind == "enum":
            return tr("write one of these words.")
        return tr("correct the value.")

    def check(self, value: Any) -> tuple[bool, Any]:
        """(True, the typed value) or (False, None)."""
        if self.kind in ("length", "number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False, None
            if self.kind == "integer" and isinstance(value, float):
                if not value.is_integer():
                    return False, None
                value = int(value)
            if value != value or value in (float("inf"), float("-inf")):
                return False, None
            if self.minimum is not None and value < self.minimum:
                return False, None
            if self.maximum is not None and value > self.maximum:
                return False, None
            return True, value
        if self.kind == "boolean":
            return (True, value) if isinstance(value, bool) else (False, None)
        if self.kind == "true":
            return (True, value) if value is True else (False, None)
        if self.kind == "enum":
            return (True, value) if isinstance(value, str) and value in self.choices else (False, None)
        if self.kind == "strings":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return False, None
            if self.count is not None and len(value) != self.count:
                return False, None
            return True, list(value)
        if self.kind == "name":
            return (True, value) if isinstance(value, str) and _NAME.match(value) else (False, None)
        if self.kind == "lang":
            return (True, value) if isinstance(value, str) and _LANG.match(value) else (False, None)
        if isinstance(value, str):
            return True, value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, str(value)       # `narrative_and: 1` is the text "1"
        return False, None


def cm(low: float = 0.0, high: float = 50.0) -> Value:
    return Value("length", "cm", low, high)


def pt(low: float = 0.0, high: float = 200.0) -> Value:
    return Value("length", "pt", low, high)


STRING = Value("string")
BOOLEAN = Value("boolean")
SPACING = Value("number", minimum=0.5, maximum=4.0)
ALIGN = Value("enum", choices=ALIGNS)


@dataclass(frozen=True)
class MapOf:
    """A mapping whose keys the profile names (page_styles: page-title, page-body, …)."""
    group: dict


@dataclass(frozen=True)
class FrontMatter:
    """The list of front-matter parts: each a page, a text or a generated list."""


FRONT_ITEM = {
    "page": {"page": Value("name")},
    "text": {"text": Value("name"), "title": STRING, "optional": BOOLEAN, "line_spacing": SPACING,
             "lang": Value("lang")},
    "list": {"list": Value("enum", choices=LISTS), "title": STRING, "optional": BOOLEAN},
}
FRONT_REQUIRED = {"page": ("page",), "text": ("text", "title"), "list": ("list", "title")}

SCHEMA: dict = {
    "name": STRING,
    "language": Value("lang"),
    "page": {
        "width_cm": cm(5.0, 100.0),
        "height_cm": cm(5.0, 100.0),
        "margin_cm": {"top": cm(), "left": cm(), "bottom": cm(), "right": cm()},
    },
    "font": {
        "family": STRING,
        "size_pt": pt(4.0, 72.0),
        "pdf_families": Value("strings"),
        "single_line_em": Value("number", minimum=0.5, maximum=3.0),
        "kerning": BOOLEAN,
    },
    "body": {
        "line_spacing": SPACING,
        "align": ALIGN,
        "first_line_indent_cm": cm(0.0, 10.0),
        "indent_after_heading": BOOLEAN,
        "space_between_paragraphs_pt": pt(0.0, 72.0),
        "line_breaks": Value("enum", choices=("simple", "optimized")),
    },
    "headings": {
        "chapter": {
            "label": STRING,
            "numbering": Value("enum", choices=NUMBERINGS),
            "layout": Value("enum", choices=("two-line", "one-line")),
            "one_line_separator": STRING,
            "uppercase": BOOLEAN,
            "bold": BOOLEAN,
            "align": ALIGN,
            # Every chapter, and every page of the front and back matter, opens a page: the only
            # layout the templates have (the front matter's pages rely on it).
            "new_page": Value("true"),
            "space_after_lines": Value("length", "lines", 0.0, 10.0),
        },
        "section": {
            "numbering": Value("enum", choices=("decimal",)),
            "bold": BOOLEAN,
            "align": ALIGN,
            "max_level": Value("integer", minimum=1, maximum=6),
        },
    },
    "bibliography": {
        "title": STRING,
        "style": STRING,
        # The reference list opens a page of its own in both outputs; a template that runs it on
        # after the last chapter would need its own layout, which no template has.
        "new_page": Value("true"),
        "hanging_indent_cm": cm(0.0, 10.0),
        "align": ALIGN,
        "line_spacing": SPACING,
        "space_between_entries_lines": Value("length", "lines", 0.0, 5.0),
    },
    "page_numbers": {
        "front_numbering": Value("enum", choices=PAGE_NUMBERINGS),
        "front_position": Value("enum", choices=POSITIONS),
        "body_numbering": Value("enum", choices=PAGE_NUMBERINGS),
        "chapter_opening": Value("enum", choices=POSITIONS),
        "other_pages": Value("enum", choices=POSITIONS),
        "distance_cm": cm(0.5, 5.0),
    },
    "front_matter": FrontMatter(),
    "appendices": {
        "title": STRING,
        "label": STRING,
        "numbering": Value("enum", choices=NUMBERINGS),
        "number_sections": BOOLEAN,
    },
    "block_quotes": {"line_spacing": SPACING, "indent_cm": cm(0.0, 10.0)},
    "tables": {"line_spacing": SPACING},
    "captions": {
        "figure_label": STRING,
        "table_label": STRING,
        "equation_label": STRING,
        "listing_label": STRING,
        "separator": STRING,
        "bold_label": BOOLEAN,
        "align": ALIGN,
        "line_spacing": SPACING,
    },
    "citations": {"narrative_and": STRING},
    "words": {"logo_placeholder": STRING},
    "page_styles": MapOf({"size_pt": pt(4.0, 72.0), "bold": BOOLEAN, "align": ALIGN}),
    "drafts": {
        "label": STRING,
        "commit_word": STRING,
        "uncommitted_note": STRING,
        "line_numbers": BOOLEAN,
        "right_margin_cm": cm(0.0, 15.0),
        "change_author": STRING,
        "date_format": STRING,
        "months": Value("strings", count=12),
    },
    "limits": {"figure_seconds": Value("number", minimum=1.0, maximum=3600.0),
               "bracket_depth": Value("integer", minimum=3, maximum=20)},
    "pdf": {"standard": Value("enum", choices=("none", "a-2b", "a-2u", "a-3b", "a-3u"))},
}
# Keys a profile file may hold that are not values of the profile itself.
FILE_ONLY_KEYS = ("extends",)


@dataclass(frozen=True)
class Problem:
    """One wrong value: the keys that lead to it (for its line) and the sentence that says so."""
    keys: tuple
    message: str


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "…'"


def _dotted(prefix: str, keys: tuple) -> str:
    return ".".join([prefix, *map(str, keys)] if prefix else map(str, keys))


def check(data: Any, prefix: str = "") -> tuple[list[Problem], Any]:
    """Every problem of one profile document (or of `profile:` overrides), and its typed values.

    A document may hold only some keys (a profile that extends another, overrides): missing keys
    are checked after merging, by `missing()`. `prefix` is how the keys are named in messages."""
    problems: list[Problem] = []
    typed = _group(SCHEMA, data, (), prefix, problems, allow=FILE_ONLY_KEYS if not prefix else ())
    return problems, typed


def _group(schema: dict, data: Any, keys: tuple, prefix: str, problems: list[Problem],
           allow: tuple = ()) -> dict:
    if not isinstance(data, dict):
        problems.append(Problem(keys, tr("'{key}' is a group of values ({names}); write them one per line "
                                         "under it, not {found}.", key=_dotted(prefix, keys),
                                         names=", ".join(schema), found=_shown(data))))
        return {}
    out: dict = {}
    for key, value in data.items():
        if key in allow:
            out[key] = value
            continue
        spec = schema.get(key) if isinstance(key, str) else None
        if spec is None:
            close = difflib.get_close_matches(str(key), list(schema), n=1)
            if close:
                message = tr("unknown key '{key}' (did you mean {close}?); fix its spelling.",
                             key=_dotted(prefix, keys + (key,)), close=close[0])
            else:
                message = tr("unknown key '{key}'; the keys here are {names}.",
                             key=_dotted(prefix, keys + (key,)), names=", ".join(schema))
            problems.append(Problem(keys + (key,), message))
            continue
        typed = _one(spec, value, keys + (key,), prefix, problems)
        if typed is not _BAD:
            out[key] = typed
    return out


_BAD = object()


def _one(spec: Any, value: Any, keys: tuple, prefix: str, problems: list[Problem]) -> Any:
    if isinstance(spec, dict):
        return _group(spec, value, keys, prefix, problems)
    if isinstance(spec, MapOf):
        if not isinstance(value, dict):
            problems.append(Problem(keys, tr("'{key}' must be a mapping of names to groups of values, not "
                                             "{found}.", key=_dotted(prefix, keys), found=_shown(value))))
            return _BAD
        return {name: _group(spec.group, group, keys + (name,), prefix, problems)
                for name, group in value.items()}
    if isinstance(spec, FrontMatter):
        return _front_matter(value, keys, prefix, problems)
    ok, typed = spec.check(value)
    if ok:
        return typed
    problems.append(Problem(keys, tr("'{key}' must be {expected}, not {found}; {remedy}",
                                     key=_dotted(prefix, keys), expected=spec.expected(),
                                     found=_shown(value), remedy=spec.remedy())))
    return _BAD


def _front_matter(value: Any, keys: tuple, prefix: str, problems: list[Problem]) -> Any:
    if not isinstance(value, list):
        problems.append(Problem(keys, tr("'{key}' must be a list of parts such as '- {{page: cover}}', not "
                                         "{found}.", key=_dotted(prefix, keys), found=_shown(value))))
        return _BAD
    out = []
    for i, item in enumerate(value):
        where = keys + (i,)
        kinds = [k for k in FRONT_ITEM if isinstance(item, dict) and k in item]
        if len(kinds) != 1:
            problems.append(Problem(where, tr("part {number} of '{key}' must name one page, text or list, "
                                              "such as '{{page: cover}}' or '{{text: abstrak, title: ABSTRAK}}', "
                                              "not {found}.", number=i + 1, key=_dotted(prefix, keys),
                                              found=_shown(item))))
            continue
        group = FRONT_ITEM[kinds[0]]
        typed = _group(group, item, where, prefix, problems)
        for needed in FRONT_REQUIRED[kinds[0]]:
            if needed not in item:
                problems.append(Problem(where, tr("part {number} of '{key}' lacks '{needed}'; add it.",
                                                  number=i + 1, key=_dotted(prefix, keys), needed=needed)))
        out.append(typed)
    return out


# Values a profile may leave out: the code has always supplied these.
DEFAULTS: dict[tuple, Any] = {
    ("captions", "equation_label"): "Persamaan",
    ("captions", "listing_label"): "Kode",
    ("body", "line_breaks"): "simple",
    ("font", "kerning"): False,
    ("page_numbers", "distance_cm"): 1.75,
}


def missing(values: dict, schema: dict | None = None, keys: tuple = ()) -> list[tuple]:
    """The keys of the schema a merged profile lacks (after filling DEFAULTS in place)."""
    schema = SCHEMA if schema is None else schema
    lacking: list[tuple] = []
    for key, spec in schema.items():
        path = keys + (key,)
        if key not in values:
            if path in DEFAULTS:
                values[key] = DEFAULTS[path]
                continue
            lacking.append(path)
        elif isinstance(spec, dict) and isinstance(values[key], dict):
            lacking.extend(missing(values[key], spec, path))
        elif isinstance(spec, MapOf) and isinstance(values[key], dict):
            for name, group in values[key].items():
                lacking.extend(missing(group, spec.group, path + (name,)))
    return lacking


__all__ = ["SCHEMA", "Value", "Problem", "check", "missing", "DEFAULTS"]
