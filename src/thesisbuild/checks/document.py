"""DOC003-DOC006: a chapter the build would render wrongly without a word.

- DOC003: a chapter with no text, or with no heading at all (the outputs would show a chapter with
  no title, or run its text into the chapter before);
- DOC004: a code fence that is never closed: everything after it would become code;
- DOC005: control characters (a NUL byte, ...) that no output can show;
- DOC006: the build's own markers (THESISBUILD-...) in a chapter, which would forge the DOCX's
  table of contents or page structure;
- DOC007: square brackets nested more than twelve deep (the profile's limits.bracket_depth), on which pandoc's time grows
  exponentially (twenty deep: a minute);
- DOC008: a YAML metadata block (--- title: ... ---) in a chapter: pandoc would read it as settings
  of the whole document (its bibliography, language, title), and it shows in no output; the build
  leaves it out;
- DOC009: a chapter heading that begins with the chapter's label and number ("# BAB II TINJAUAN
  PUSTAKA"), which the template writes itself ("BAB II" twice); the fix removes them;
- DOC010: attributes with an identifier that pandoc cannot read ({#sec-x key=}): pandoc prints
  them as text and the identifier does not exist, so a reference to it fails only in the build;
- DOC011: an HTML comment never closed: pandoc prints it and the rest of the chapter as text (a
  private note in the thesis), while the lint took it all for a comment."""

from __future__ import annotations

import re

import yaml

from ..diagnostics import Diagnostic, Fix
from ..i18n import tr
from ..sources import CONTROL_CHARACTER, Source

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)|^[^\n]+\n {0,3}(?:=+|-+)[ \t]*$", re.M)
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.M)
_MARKER = re.compile(r"THESISBUILD-[A-Z]+")
# Attributes with an identifier, as the cross-reference checks find them; and pandoc's syntax for
# attributes: #id, .class, key=value (the value quoted, or without spaces, or empty), and "-".
_ID_ATTRIBUTES = re.compile(r"\{[^{}\n]*?#([\w:.\-]+)[^{}\n]*\}")
_ATTRIBUTE = (r"""(?:#[\w:.\-]+|\.[\w:\-][\w:.\-]*|-"""
              r"""|[\w:\-][\w:.\-]*=(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^\s"'{}][^\s{}]*|(?=[\s}])))""")
_VALID_ATTRIBUTES = re.compile(r"\{[ \t]*(?:" + _ATTRIBUTE + r"(?:[ \t]+" + _ATTRIBUTE + r")*)?[ \t]*\}")
MAX_BRACKETS = 12          # the profile's limits.bracket_depth when there is no profile


def check_document(sources: list[Source], chapter_label: str | None = None,
                   bracket_depth: int = MAX_BRACKETS) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for source in sources:
        text = source.text
        for start, end in metadata_blocks(source):
            out.append(Diagnostic.at("DOC008", source, start, text.find("\n", start), tr(
                "a YAML metadata block in a chapter is no part of the thesis (pandoc would read it as settings of the "
                "whole document) and the build leaves it out; move what it says into thesis.yaml, or delete it.")))
        if chapter_label:
            out.extend(_labelled_headings(source, chapter_label))
        if not text.strip():
            out.append(Diagnostic.of("DOC003", tr("this file has no text; write the chapter, or remove it from "
                                                  "thesis.yaml."), source.path, 1, 1))
            continue
        unclosed = _unclosed_fence(text)
        if unclosed is not None:
            line_end = text.find("\n", unclosed)
            out.append(Diagnostic.at("DOC004", source, unclosed, len(text) if line_end < 0 else line_end, tr(
                "this code fence is never closed, so everything after it would be shown as code; close it with a "
                "line of the same backticks or tildes.")))
        if not _HEADING.search(text):
            out.append(Diagnostic.of("DOC003", tr("this file has no heading; begin it with the chapter's title "
                                                  "(# Pendahuluan)."), source.path, 1, 1))
        for m in CONTROL_CHARACTER.finditer(text):
            out.append(Diagnostic.at("DOC005", source, m.start(), m.end(), tr(
                "a control character ({code}) that no output can show; delete it (it often comes from "
                "copying out of a PDF).", code=f"U+{ord(m.group()):04X}")))
        deep = _deep_brackets(text, bracket_depth)
        if deep is not None:
            out.append(Diagnostic.at("DOC007", source, deep, deep + 1, tr(
                "square brackets open {depth} deep here; pandoc's time grows exponentially with such nesting (a "
                "build would hang). Close them, or write a literal bracket as \\[.", depth=bracket_depth + 1)))
        for m in _ID_ATTRIBUTES.finditer(text):
            region = source.region_at(m.start())
            if (region is None or region.kind == "attributes") and not _VALID_ATTRIBUTES.fullmatch(m.group()):
                out.append(Diagnostic.at("DOC010", source, m.start(), m.end(), tr(
                    "pandoc cannot read the attributes {attributes} and would print them as text, so #{id} would "
                    "not exist; write them as {{#id .class key=value}}, a value with spaces in quotes.",
                    attributes=m.group(), id=m.group(1))))
        unclosed = _unclosed_comment(source)
        if unclosed is not None:
            out.append(Diagnostic.at("DOC011", source, unclosed, unclosed + 4, tr(
                "this comment is never closed, so pandoc would print it and everything after it as text; close it "
                "with --> where the note ends.")))
        for m in _MARKER.finditer(text):
            out.append(Diagnostic.at("DOC006", source, m.start(), m.end(), tr(
                "{marker} is a marker of the build itself and may not appear in a chapter; reword it.",
                marker=m.group())))
    return out



# pandoc's yaml_metadata_block: a line of ---, at the start or after a blank line, not followed by a
# blank line, up to a line of --- or ...; here only when its first line is a "key:" of YAML.
_METADATA = re.compile(r"(?:\A|(?<=\n\n))---[ \t]*\n(?=[A-Za-z_][\w-]*:(?:[ \t]|$))(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.M)


def metadata_blocks(source: Source) -> list[tuple[int, int]]:
    """The spans of the YAML metadata blocks pandoc would read from a chapter: outside code, and
    holding a mapping of YAML (a rule followed by a line with a colon is no such block)."""
    if "---" not in source.text:
        return []
    found = []
    for m in _METADATA.finditer(source.text):
        region = source.region_at(m.start())
        if region is not None and region.kind != "front-matter":
            continue
        body = m.group().split("\n", 1)[1].rsplit("\n", 2 if m.group().endswith("\n") else 1)[0]
        try:
            data = yaml.safe_load(body)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            found.append(m.span())
    return found


def blank_metadata(source: Source) -> str:
    """The chapter's text with its metadata blocks replaced by as many empty lines (the lines after
    them keep their numbers)."""
    text = source.text
    for start, end in reversed(metadata_blocks(source)):
        text = text[:start] + "\n" * text.count("\n", start, end) + text[end:]
    return text


def _labelled_headings(source: Source, label: str) -> list[Diagnostic]:
    pattern = re.compile(r"^(#[ \t]+)(" + re.escape(label) + r"[ \t]+(?:[IVXLCDM]+|\d+)\b[ \t]*[:.\-–—]?[ \t]*)(?=\S)",
                         re.M | re.I)
    out = []
    for m in pattern.finditer(source.text):
        if source.region_at(m.start()) is not None:
            continue
        number = m.group(2).strip().rstrip(":.-–—").strip()
        out.append(Diagnostic.at("DOC009", source, m.start(2), m.end(2), tr(
            "the heading begins with '{number}', which the template writes itself (the outputs would show it "
            "twice); remove it from the heading (thesisbuild fix does).", number=number),
            fix=Fix(m.start(2), m.end(2), "")))
    return out


def _deep_brackets(text: str, limit: int = MAX_BRACKETS) -> int | None:
    """The offset of a '[' opened while `limit` others are open in the same paragraph (a blank line
    ends a paragraph; an escaped bracket does not count)."""
    depth = 0
    for m in _BRACKET_EVENT.finditer(text):
        token = m.group()
        if token == "[":
            depth += 1
            if depth > limit:
                return m.start()
        elif token == "]":
            depth = max(0, depth - 1)
        elif token[0] == "\n":
            depth = 0
    return None


_BRACKET_EVENT = re.compile(r"\\.|\[|\]|\n[ \t]*\n", re.S)   # an escape, a bracket, a blank line


def _unclosed_comment(source: Source) -> int | None:
    """The offset of a <!-- (outside code) that no --> after it closes."""
    at = source.text.find("<!--")
    while at >= 0:
        region = source.region_at(at)
        if region is None or region.kind == "comment":
            return at if source.text.find("-->", at + 4) < 0 else None
        at = source.text.find("<!--", region.end)
    return None


def _unclosed_fence(text: str) -> int | None:
    """The offset of a fence that opens a code block no later fence closes."""
    at = 0
    while True:
        m = _FENCE.search(text, at)
        if m is None:
            return None
        fence = m.group("fence")
        if fence[0] == "`" and "`" in m.group("info"):
            at = m.end()          # ```code``` on one line is inline code, not a fence
            continue
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        end = closing.search(text, m.end())
        if end is None:
            return m.start()
        at = end.end()
