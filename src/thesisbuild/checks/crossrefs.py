"""XRF001-XRF003 and DOC001-DOC002: cross-references, labels, internal links, a chapter's own
reference list.

A cross-reference (@fig-x, @tbl-x, @sec-x, @eq-x, @lst-x, pandoc-crossref's @fig:x, LaTeX's \\ref{x})
points at a label in the thesis, never at a bibliography entry; one whose label does not exist is
reported here, not as a citation."""

from __future__ import annotations

import difflib
import re
import unicodedata

from ..citations import find_crossrefs, find_labels, normalise_label
from ..diagnostics import Diagnostic, Fix, Severity
from ..i18n import tr
from ..sources import Source

_CROSSREF_FORM = re.compile(r"^(fig|tbl|sec|eq|lst):")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M)
_HEADING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ID_ATTR = re.compile(r"\{[^{}\n]*?#([\w:.\-]+)[^{}\n]*\}")
_HTML_ID = re.compile(r"<[A-Za-z][^<>]*\bid=[\"']([^\"'<>]+)[\"']")
_INTERNAL_LINK = re.compile(r"\]\(#([^()\s]+)\)")
_REFS_DIV = re.compile(r"^ {0,3}:::+\s*\{[^}\n]*#refs\b|<div[^>\n]*\bid=[\"']refs[\"']", re.M)
# Headings a chapter should not have: the build adds the reference list itself.
BIBLIOGRAPHY_TITLES = {"daftar pustaka", "references", "bibliography", "referensi", "kepustakaan",
                       "daftar referensi", "works cited", "reference list", "pustaka"}


def auto_identifier(heading: str) -> str:
    """pandoc's identifier for a heading without an explicit one (the auto_identifiers extension):
    its text without formatting and raw LaTeX, only letters, digits, "_", "-" and ".", words joined
    by "-", lower case, from the first letter on."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)                       # links: their text
    text = re.sub(r"\\[A-Za-z]+\*?(?:\[[^\]]*\])?(?:\{[^{}]*\})*", "", text)      # raw LaTeX: dropped
    text = re.sub(r"[*`]|(?<!\w)_+|_+(?!\w)", "", text)                              # emphasis and code marks
    return text_identifier(text)


def text_identifier(text: str) -> str:
    """pandoc's automatic identifier for a heading whose text, without formatting, is `text`."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in "_-." or ch.isspace())
    ident = "-".join(kept.split())
    while ident and not unicodedata.category(ident[0]).startswith("L"):
        ident = ident[1:]
    return ident or "section"


def heading_ids(source: Source) -> list[tuple[str, int]]:
    """Identifiers of a chapter's headings, explicit or made by pandoc, with their offsets."""
    found = []
    for m in _HEADING.finditer(source.text):
        if source.region_at(m.start()) is not None and source.region_at(m.start()).kind != "attributes":
            continue
        title = m.group(2)
        attrs = _HEADING_ATTRS.search(title)
        explicit = re.search(r"#([\w:.\-]+)", attrs.group(1)) if attrs else None
        if explicit:
            found.append((explicit.group(1), m.start()))
        else:
            found.append((auto_identifier(title[:attrs.start()] if attrs else title), m.start()))
    return found


def unnumbered_ids(source: Source) -> list[str]:
    """The identifiers of the headings that have no number ({#sec-x .unnumbered} or {#sec-x -})."""
    found = []
    for m in _HEADING.finditer(source.text):
        if source.region_at(m.start()) is not None and source.region_at(m.start()).kind != "attributes":
            continue
        attrs = _HEADING_ATTRS.search(m.group(2))
        if attrs is None:
            continue
        items = attrs.group(1).split()
        ident = next((item[1:] for item in items if item.startswith("#")), None)
        if ident and (".unnumbered" in items or "-" in items):
            found.append(ident)
    return found


def explicit_ids(source: Source) -> list[tuple[str, int]]:
    """Identifiers written in attributes, {#id .class}, with their offsets."""
    found = []
    for m in _ID_ATTR.finditer(source.text):
        region = source.region_at(m.start())
        if region is None or region.kind == "attributes":
            found.append((m.group(1), m.start(1)))
    return found


def heading_texts(source: Source) -> list[tuple[str, int, int]]:
    out = []
    for m in _HEADING.finditer(source.text):
        if source.region_at(m.start()) is None:
            title = _HEADING_ATTRS.sub("", m.group(2))
            out.append((title, m.start(2), m.start(2) + len(title)))
    return out


def check_crossrefs(sources: list[Source], bibliography_title: str | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    labels: dict[str, str] = {}                 # normalised -> as written
    seen: dict[str, tuple[Source, int]] = {}
    for source in sources:
        for label in find_labels(source):
            key = normalise_label(label.name)
            if key in seen and (seen[key][0] is not source or seen[key][1] != label.start):
                first, offset = seen[key]
                line = first.position(offset)[0]
                # An error: typst cannot make the PDF with a label given twice.
                out.append(Diagnostic.at("XRF003", source, label.start, label.end,
                                         tr("the label {label} is defined twice (first at {place}); give each "
                                            "figure, table, section, equation or listing its own label.",
                                            label=label.name, place=f"{first.path.name}:{line}"),
                                         severity=Severity.ERROR))
            seen.setdefault(key, (source, label.start))
            labels.setdefault(key, label.name)
            if _CROSSREF_FORM.match(label.name) and source.text[label.start - 1] == "#":
                out.append(Diagnostic.at("XRF001", source, label.start, label.end,
                                         tr("{{#{label}}} is pandoc-crossref's form; write {{#{key}}} "
                                            "(thesisbuild fix converts it).", label=label.name, key=key),
                                         fix=Fix(label.start, label.end, key)))
    # Any other identifier written twice: pandoc keeps both and a link to it is ambiguous.
    ids: dict[str, tuple[Source, int]] = {}
    for source in sources:
        for ident, offset in explicit_ids(source):
            key = normalise_label(ident)
            if key in seen:
                continue                      # a label: reported above
            if key in ids:
                first, at = ids[key]
                out.append(Diagnostic.at("XRF003", source, offset, offset + len(ident),
                                         tr("the identifier #{ident} is given twice (first at {place}); give "
                                            "each element its own.", ident=ident,
                                            place=f"{first.path.name}:{first.position(at)[0]}")))
            else:
                ids[key] = (source, offset)
    known = set(labels)
    unnumbered = {normalise_label(ident) for source in sources for ident in unnumbered_ids(source)}
    for source in sources:
        for ref in find_crossrefs(source):
            key = normalise_label(ref.label)
            if key in unnumbered and not ref.latex:
                out.append(Diagnostic.at("XRF002", source, ref.start, ref.end, tr(
                    "@{label} points at a heading without a number (.unnumbered or -), so there is no number to print; "
                    "link to it by its title, [title](#{label}), or number the heading.", label=ref.label)))
            elif key not in known:
                hint = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                written = f"\\ref{{{ref.label}}}" if ref.latex else f"@{ref.label}"
                if hint:
                    message = tr("the cross-reference {written} points at no label in the thesis (did you mean "
                                 "{hint}?); label the figure, table, section, equation or listing with {{#{key}}}, "
                                 "or correct the reference.", written=written, key=key,
                                 hint=labels[hint[0]] if ref.latex else "@" + hint[0])
                else:
                    message = tr("the cross-reference {written} points at no label in the thesis; label the figure, "
                                 "table, section, equation or listing with {{#{key}}}, or correct the reference.",
                                 written=written, key=key)
                out.append(Diagnostic.at("XRF002", source, ref.start, ref.end, message))
            elif not ref.latex and _CROSSREF_FORM.match(ref.label):
                at = ref.start + (1 if source.text[ref.start] == "@" else 2)
                out.append(Diagnostic.at("XRF001", source, ref.start, ref.end,
                                         tr("@{label} is pandoc-crossref's form; write @{key} (thesisbuild fix "
                                            "converts it).", label=ref.label, key=key), fix=Fix(at, ref.end, key)))
    out += check_links(sources, known, bibliography_title)
    return out


def check_links(sources: list[Source], labels: set[str], bibliography_title: str | None) -> list[Diagnostic]:
    """DOC001 a chapter's own reference list; DOC002 a link to a heading or label that does not exist."""
    out: list[Diagnostic] = []
    ids = set(labels) | {"refs", "daftar-pustaka", "lampiran"}
    for source in sources:
        ids |= {i for i, _ in heading_ids(source)}
        ids |= {normalise_label(m.group(1)) for m in _ID_ATTR.finditer(source.text)}
        ids |= set(_HTML_ID.findall(source.text))
    titles = set(BIBLIOGRAPHY_TITLES)
    if bibliography_title:
        titles.add(bibliography_title.strip().lower())
    for source in sources:
        for m in _INTERNAL_LINK.finditer(source.text):
            if source.region_at(m.start()) is not None:
                continue
            target = m.group(1)
            if target not in ids and normalise_label(target) not in ids:
                hint = difflib.get_close_matches(target, sorted(ids), n=1, cutoff=0.6)
                if hint:
                    message = tr("the link to #{target} points at no heading or label in the thesis (did you mean "
                                 "#{hint}?); correct the target or give the heading that id with {{#{target}}}.",
                                 target=target, hint=hint[0])
                else:
                    message = tr("the link to #{target} points at no heading or label in the thesis; correct the "
                                 "target or give the heading that id with {{#{target}}}.", target=target)
                out.append(Diagnostic.at("DOC002", source, m.start(1) - 1, m.end(1), message))
        for m in _REFS_DIV.finditer(source.text):
            if source.region_at(m.start()) is None or source.region_at(m.start()).kind == "html":
                out.append(Diagnostic.at("DOC001", source, m.start(), m.end(),
                                         tr("a chapter places its own reference list (#refs); remove it, the "
                                            "build adds the reference list after the last chapter.")))
        for title, start, end in heading_texts(source):
            if re.sub(r"\s+", " ", title).strip(" *_").lower() in titles:
                out.append(Diagnostic.at("DOC001", source, start, end,
                                         tr('the chapter has its own "{title}" heading; remove it and the list '
                                            "under it, the build adds the reference list, made from the citations, "
                                            "after the last chapter.", title=title)))
    return out
