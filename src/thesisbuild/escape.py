"""One escaping function per output target, so no value from thesis.yaml runs as code."""

from __future__ import annotations



def _xml_escape(text: str, entities: dict[str, str] | None = None) -> str:
    """&, < and > as entities, and the characters of `entities` (xml.sax.saxutils.escape's rule;
    that module loads urllib.request, http and ssl with it, a twentieth of a second each doit)."""
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for char, entity in (entities or {}).items():
        text = text.replace(char, entity)
    return text


def typst_str(value: object) -> str:
    """A typst string literal: prints exactly `value`, whatever characters it holds."""
    text = str(value)
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def typst_array(values: list[object]) -> str:
    items = ", ".join(typst_str(v) for v in values)
    return f"({items},)" if len(values) == 1 else f"({items})"


def ooxml_text(value: object) -> str:
    """Text for a w:t element."""
    return _xml_escape(str(value), {'"': "&quot;"})


def markdown_text(value: object) -> str:
    """Text that pandoc's Markdown reader reads back literally: every ASCII punctuation escaped."""
    return "".join("\\" + ch if (ch.isascii() and not ch.isalnum() and not ch.isspace()) else ch
                   for ch in str(value).replace("\n", " "))
