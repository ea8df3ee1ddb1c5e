"""The tool's own messages in the user's language: English, or Indonesian from one catalog.

A message is written once, in English, as a `str.format` template with named fields:

    raise UserError(tr("the chapter '{name}' does not exist; create it or fix the list.", name=rel), path, line)

The English template is the key of the catalog `messages/id.yaml`, which holds its Indonesian text with
the same fields. The language is chosen, first match wins, by `set_language()` (the CLI's `--lang`), the
THESISBUILD_LANG environment variable, or a locale (LC_ALL, LC_MESSAGES, LANG) that starts with `id`;
otherwise English. What lands in the thesis is not chosen here: it comes from the template profile.
"""

from __future__ import annotations

import functools
import os
import string
from pathlib import Path

LANGUAGES = ("en", "id")
CATALOG_DIR = Path(__file__).resolve().parent / "messages"

_chosen: str | None = None


def set_language(code: str | None) -> None:
    """Choose the message language for this process (None: back to the environment's)."""
    global _chosen
    _chosen = normalise(code) if code else None


def normalise(code: str) -> str:
    """'id', 'id-ID', 'id_ID.UTF-8', 'ind', 'Indonesian' -> 'id'; anything else English -> 'en'."""
    text = code.strip().lower().replace("_", "-").split(".")[0]
    if text in ("id", "ind", "in", "indonesia", "indonesian", "bahasa") or text.startswith(("id-", "in-")):
        return "id"
    return "en"


def parse_language(code: str) -> str:
    """A message language the user asked for by name; ValueError when it is neither English nor Indonesian."""
    text = code.strip().lower().replace("_", "-").split(".")[0]
    if normalise(text) == "id":
        return "id"
    if text in ("en", "eng", "english", "inggris") or text.startswith("en-"):
        return "en"
    raise ValueError(code)


def language() -> str:
    if _chosen:
        return _chosen
    env = os.environ.get("THESISBUILD_LANG", "").strip()
    if env:
        return normalise(env)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").strip()
        if value:
            return normalise(value)
    return "en"


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The catalog of one language: English template -> translated template."""
    if lang == "en":
        return {}
    import yaml

    path = CATALOG_DIR / f"{lang}.yaml"
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return {str(k): str(v) for k, v in data.items()}


def tr(message: str, /, **values) -> str:
    """`message` (an English template) in the chosen language, with its fields filled in."""
    text = catalog(language()).get(message, message)
    return text.format(**values)


def fields(template: str) -> set[str]:
    """The named fields of a template, for checking that a translation keeps every one."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def plural(count: int, one: str, many: str) -> str:
    """English needs a plural form; Indonesian does not ("1 fix", "2 fixes"; "1 perbaikan", "2 perbaikan")."""
    return one if count == 1 else many


def N_(message: str) -> str:
    """Marks an English phrase for the catalog where it is translated later, by `tr(value)`."""
    return message
