"""RAW001-RAW003: raw blocks for one output format in a chapter.

A fenced block ```` ```{=typst} ```` (or `` `...`{=typst} `` inline) goes into the PDF only, and
```` ```{=openxml} ```` into the DOCX only: the other output leaves it out, so the two outputs differ
(RAW001, a warning). Raw typst runs inside the PDF's typst document, so it may not read files
(`read`, `image`, `json`, `include`, ...): a chapter could otherwise print any file of the project in
the PDF (RAW002, an error). Raw OOXML that is not well-formed XML would break the DOCX (RAW003)."""

from __future__ import annotations

import re

from lxml import etree

from ..diagnostics import Diagnostic
from ..i18n import tr
from ..sources import Source

# ```{=typst} ... ``` (three or more backticks or tildes), and `...`{=typst} inline.
_FENCED = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*\{=(?P<format>[\w-]+)\}[ \t]*\n"
                     r"(?P<body>.*?)^[ \t]{0,3}(?P=fence)[`~]*[ \t]*$", re.M | re.S)
_INLINE = re.compile(r"(?<!`)(?P<ticks>`+)(?P<body>[^`].*?)(?P=ticks)\{=(?P<format>[\w-]+)\}", re.S)
# typst's functions that read a file of the project, and its module statements.
_TYPST_READS = re.compile(r"(?<![\w-])(read|json|yaml|toml|csv|xml|cbor|image|plugin|include|import)(?![\w-])")
_ONLY = {"typst": "PDF", "openxml": "DOCX"}
_LINE_COLUMN = re.compile(r",? line \d+(?:, column \d+)?")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NAMESPACES = {"w": _W, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
               "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
               "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
               "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
               "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture"}


def check_raw(sources: list[Source]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for source in sources:
        text = source.text
        blocks = [(m.start(), m.end(), m.group("format"), m.group("body"), m.start("body"))
                  for m in _FENCED.finditer(text)]
        inside = [(a, b) for a, b, *_ in blocks]
        for m in _INLINE.finditer(text):
            if not any(a <= m.start() < b for a, b in inside):
                blocks.append((m.start(), m.end(), m.group("format"), m.group("body"), m.start("body")))
        for start, end, fmt, body, body_start in sorted(blocks):
            out += _check_block(source, start, end, fmt.lower(), body, body_start)
    return out


def _check_block(source: Source, start: int, end: int, fmt: str, body: str, body_start: int) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    head_end = source.text.find("\n", start)
    head_end = end if head_end < 0 or head_end > end else head_end
    if fmt in _ONLY:
        other = "DOCX" if fmt == "typst" else "PDF"
        found.append(Diagnostic.at("RAW001", source, start, head_end, tr(
            "this raw {format} reaches only the {output}; the {other} leaves it out. Write it in Markdown if both "
            "outputs need it.", format=fmt, output=_ONLY[fmt], other=other)))
    if fmt == "typst":
        for m in _TYPST_READS.finditer(body):
            at = body_start + m.start()
            found.append(Diagnostic.at("RAW002", source, at, at + len(m.group(1)), tr(
                "raw typst may not use {name}: it would read files into the PDF. Place images with "
                "![caption](path) and tables in Markdown.", name=m.group(1))))
    elif fmt == "openxml":
        declared = " ".join(f'xmlns:{k}="{v}"' for k, v in _NAMESPACES.items())
        try:
            etree.fromstring(f"<root {declared}>{body}</root>".encode("utf-8"),
                             etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except etree.XMLSyntaxError as err:
            found.append(Diagnostic.at("RAW003", source, start, head_end, tr(
                "this raw OOXML is not well-formed XML ({problem}) and would break the DOCX; correct it or "
                "remove the block.", problem=_LINE_COLUMN.sub("", str(getattr(err, "msg", err))).strip())))
    return found
