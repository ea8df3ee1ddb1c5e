"""TEX001: raw LaTeX in a chapter that the build cannot convert.

The build reads raw LaTeX with pandoc's LaTeX reader (filters/latex.lua): tables (longtable,
tabular, table), figures, \\ref, \\label, \\textit and the like, \\newpage. What that reader cannot
turn into document content (a tikzpicture, an unknown macro) would be lost; it is reported here at
its place with the Markdown to write instead, and the build shows it as code until it is replaced."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..i18n import N_, tr
from ..sources import Source

# Environments pandoc's LaTeX reader converts to document content.
SUPPORTED_ENVIRONMENTS = {
    "longtable", "tabular", "tabular*", "tabularx", "table", "table*", "figure", "figure*", "center",
    "flushleft", "flushright", "itemize", "enumerate", "description", "quote", "quotation", "verse",
    "verbatim", "lstlisting", "minted", "equation", "equation*", "align", "align*", "gather", "gather*",
    "multline", "multline*", "eqnarray", "minipage", "small", "footnotesize", "landscape", "sidewaystable",
    "singlespace", "spacing", "onehalfspace", "doublespace", "justify", "abstract",
}
MATH_ENVIRONMENTS = {"equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
                     "eqnarray", "eqnarray*", "displaymath", "math", "alignat", "alignat*", "flalign", "flalign*"}
# Commands it converts, or that only set layout the template decides (dropped without loss).
SUPPORTED_COMMANDS = {
    # text
    "textit", "textbf", "emph", "underline", "texttt", "textsc", "textsuperscript", "textsubscript",
    "textup", "textmd", "textrm", "textsf", "textnormal", "mbox", "url", "href", "footnote", "cite",
    "citep", "citet", "parencite", "textcite", "ldots", "dots", "LaTeX", "TeX", "enquote", "sout",
    "item", "textendash", "textemdash", "textquotedblleft", "textquotedblright", "degree",
    # structure and references
    "ref", "autoref", "cref", "Cref", "eqref", "label", "caption", "includegraphics", "section",
    "subsection", "subsubsection", "paragraph", "section*", "subsection*", "begin", "end",
    # tables
    "hline", "cline", "toprule", "midrule", "bottomrule", "multicolumn", "multirow", "endhead",
    "endfirsthead", "endfoot", "endlastfoot", "tabularnewline", "centering", "raggedright",
    "raggedleft", "arraybackslash", "textwidth", "linewidth", "columnwidth", "hsize",
    # layout hints
    "noindent", "indent", "par", "newpage", "clearpage", "pagebreak", "cleardoublepage", "vspace",
    "hspace", "smallskip", "medskip", "bigskip", "vfill", "hfill", "linebreak", "newline",
    "small", "footnotesize", "scriptsize", "normalsize", "large", "Large", "tiny", "FloatBarrier",
    "phantomsection", "onehalfspacing", "doublespacing", "singlespacing", "setlength", "baselineskip",
    "renewcommand", "arraystretch", "selectfont", "justifying", "addcontentsline", "restoregeometry",
    "newgeometry", "captionsetup", "textheight", "tabcolsep", "extracolsep", "fill", "relax",
    "setcounter", "pagenumbering", "pagestyle", "thispagestyle", "linespread", "setstretch", "parindent",
    "newcommand", "providecommand", "DeclareMathOperator",
    "parskip", "doublespacing",
}

_REMEDIES = {
    "tikzpicture": N_("draw it as an image (SVG or PNG, or a script in figures/) and place it with "
                      "![Caption](images/name.png){{#fig-name}}"),
    "pgfplot": N_("draw it as an image (SVG or PNG, or a script in figures/) and place it with "
                  "![Caption](images/name.png){{#fig-name}}"),
    "axis": N_("draw it as an image and place it with ![Caption](images/name.png){{#fig-name}}"),
    "algorithm": N_("write the steps as a numbered list, or as a code block with a caption "
                    "(': Caption {{#lst-name}}' before it)"),
    "algorithmic": N_("write the steps as a numbered list, or as a code block with a caption"),
    "pageref": N_("refer to the element by its number instead (@fig-name, @tbl-name, @sec-name)"),
    "tableofcontents": N_("remove it; the template makes the Daftar Isi"),
    "listoffigures": N_("remove it; the template makes the Daftar Gambar"),
    "listoftables": N_("remove it; the template makes the Daftar Tabel"),
    "bibliography": N_("remove it; the build adds the reference list after the last chapter"),
    "printbibliography": N_("remove it; the build adds the reference list after the last chapter"),
    "input": N_("paste the file's text into the chapter, or list it as a chapter in thesis.yaml"),
    "include": N_("paste the file's text into the chapter, or list it as a chapter in thesis.yaml"),
}
_DEFAULT_REMEDY = N_("write it in Markdown instead (a table as a pipe table with ': Caption {{#tbl-name}}', a figure "
                     "as ![Caption](path){{#fig-name}}, emphasis as *text*) or remove it")

_COMMAND = re.compile(r"\\([A-Za-z]+\*?)")
# Macro definitions pandoc's reader applies to the text and math after them (latex_macros).
_DEFINITION = re.compile(r"\\(?:newcommand|renewcommand|providecommand|DeclareMathOperator)\*?\s*"
                         r"(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))")


def defined_macros(sources: list[Source]) -> dict[str, list[tuple[Source, int, int]]]:
    """The macros the chapters define, with where each definition lies (name, then its body)."""
    found: dict[str, list[tuple[Source, int, int]]] = {}
    for source in sources:
        if "\\" not in source.text:
            continue
        for m in _DEFINITION.finditer(source.text):
            region = source.region_at(m.start())
            if region is not None and region.kind != "latex":
                continue
            found.setdefault(m.group(1) or m.group(2), []).append((source, m.start(), _definition_end(source.text, m.end())))
    return found


def _definition_end(text: str, at: int) -> int:
    """The end of a definition's optional [n] and its {body}, braces balanced; a line at most."""
    while at < len(text) and text[at] in " \t":
        at += 1
    if text.startswith("[", at):
        close = text.find("]", at)
        at = close + 1 if close != -1 else at
    if not text.startswith("{", at):
        return at
    depth = 0
    for i in range(at, min(len(text), at + 2000)):
        if text[i] == "{" and text[i - 1] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i + 1
    return at
_BEGIN = re.compile(r"\\begin\s*\{([^{}\n]+)\}")


@dataclass(frozen=True)
class Construct:
    name: str            # "tikzpicture" or "\\foo"
    start: int
    end: int


def unsupported_latex(source: Source, macros: dict | None = None) -> list[Construct]:
    """Raw LaTeX in the prose of a chapter that the build's LaTeX conversion cannot render.
    `macros`: the macros the thesis defines (defined_macros), which pandoc expands."""
    text = source.text
    if "\\" not in text:
        return []
    macros = defined_macros([source]) if macros is None else macros
    bodies = sorted((a, b) for places in macros.values() for s, a, b in places if s.path == source.path)
    found: list[Construct] = []
    skip_until = -1
    for m in _COMMAND.finditer(text):
        if any(a <= m.start() < b for a, b in bodies):
            continue                          # inside a definition: pandoc reads and applies it
        if m.group(1).rstrip("*") in macros:
            continue
        region = source.region_at(m.start())
        if m.start() < skip_until or (region is not None and region.kind != "latex"):
            continue
        if m.start() > 0 and text[m.start() - 1] == "\\":
            continue                          # "\\" line break followed by a word
        name = m.group(1)
        if name == "begin":
            env = _BEGIN.match(text, m.start())
            if env is None:
                continue
            env_name = env.group(1).strip()
            if env_name in MATH_ENVIRONMENTS:
                # Math: pandoc's math converter reads it, and says what it cannot (reported by the build).
                end = text.find(f"\\end{{{env_name}}}", env.end())
                skip_until = len(text) if end == -1 else end
            elif env_name not in SUPPORTED_ENVIRONMENTS:
                end = text.find(f"\\end{{{env_name}}}", env.end())
                end = len(text) if end == -1 else end + len(f"\\end{{{env_name}}}")
                found.append(Construct(env_name, m.start(), end))
                skip_until = end
            continue
        base = name.rstrip("*")
        if name in SUPPORTED_COMMANDS or base in SUPPORTED_COMMANDS:
            continue
        found.append(Construct("\\" + name, m.start(), m.end()))
    return found


def check_latex(sources: list[Source]) -> list[Diagnostic]:
    out = []
    macros = defined_macros(sources)
    for source in sources:
        for c in unsupported_latex(source, macros):
            remedy = tr(_REMEDIES.get(c.name.lstrip("\\").rstrip("*"), _DEFAULT_REMEDY))
            if c.name.startswith("\\"):
                message = tr("the LaTeX command {name} cannot be converted and would show as code in the PDF and "
                             "DOCX; {remedy}.", name=c.name, remedy=remedy)
            else:
                message = tr("the LaTeX environment {name} cannot be converted and would show as code in the PDF "
                             "and DOCX; {remedy}.", name=c.name, remedy=remedy)
            out.append(Diagnostic.at("TEX001", source, c.start, min(c.end, c.start + 200), message))
    return out
