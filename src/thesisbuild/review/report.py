"""The review's items as the lint's findings (text, json, github, sarif) or as a checklist (md)."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, Severity
from ..errors import display_path
from ..i18n import tr
from ..sources import position_in
from .items import Item, Review, shown
from .returned import short_date


def _quote(text: str, limit: int = 80) -> str:
    text = shown(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _by(item: Item) -> str:
    date = short_date(item.date)
    return f"{item.author}, {date}" if date else item.author


def describe(item: Item) -> str:
    """What the supervisor did, in one line: `comment (Dr. Sari, 2026-12-03): "sumber?" on "…"`."""
    if item.kind == "comment":
        text = tr('comment ({by}): "{text}" on "{quote}"', by=_by(item), text=_quote(item.new, 200),
                  quote=_quote(item.old)) if item.old else tr('comment ({by}): "{text}"', by=_by(item),
                                                               text=_quote(item.new, 200))
        if item.done:
            text += tr(" (marked done)")
        return text
    if item.kind == "insertion":
        return tr('insertion "{new}" ({by})', new=_quote(item.new), by=_by(item))
    if item.kind == "deletion":
        return tr('deletion "{old}" ({by})', old=_quote(item.old), by=_by(item))
    if item.kind == "replacement":
        return tr('replacement "{old}" → "{new}" ({by})', old=_quote(item.old), new=_quote(item.new), by=_by(item))
    if item.kind == "move":
        where = ""
        if item.to is not None and item.chapter is not None:
            line, column = position_in(item.chapter.new, item.to[0])
            where = tr(" to line {line}, column {column}", line=line, column=column)
        return tr('move "{text}"{where} ({by})', text=_quote(item.old), where=where, by=_by(item))
    if item.kind == "untracked":
        return tr('untracked change: the draft reads "{new}" where the chapter has "{old}" (edited with Track '
                  'Changes off, or a change of yours rejected)', new=_quote(item.new), old=_quote(item.old))
    return tr('format change on "{text}" ({by})', text=_quote(item.old), by=_by(item))


def _status(item: Item, review: Review) -> str:
    if item.status == "applied":
        return tr("; already in the chapter")
    if item.status == "conflict":
        return tr("; you have changed this text since the draft was sent: a conflict, apply it by hand")
    if item.status == "gone":
        where = tr(" (shown at its place in the draft sent)") if item.chapter and item.chapter.sent else ""
        if item.kind == "comment":
            return tr("; the text it is on is no longer in the chapter{where}", where=where)
        return tr("; you have changed this text since the draft was sent and it is no longer in the chapter{where}: "
                  "a conflict, apply it by hand", where=where)
    if item.status == "syntax":
        return tr("; it would change Markdown the draft does not show (a citation, a link, emphasis, a heading's "
                  "syntax): apply it by hand")
    if item.status == "unplaced":
        return tr("; in text the build writes (the bibliography, a caption's number, the cover), not in a chapter")
    if item.kind == "format":
        return tr("; formatting comes from the template: change the Markdown by hand if it matters")
    if item.kind == "untracked" and item.status == "placed":
        return tr("; nothing says who made it: apply it by hand if it is right")
    if item.kind == "comment" and item.moved:
        return tr("; the words it is on have changed since the draft was sent")
    return ""


def diagnostics(review: Review) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for item in review.items:
        message = describe(item) + _status(item, review) + f" [#{item.number}]"
        for reply in item.replies:
            message += "\n    ↳ " + tr('reply ({by}): "{text}"', by=_by(reply), text=_quote(reply.new, 200))
        severity = Severity.WARNING if item.status in ("conflict", "gone", "syntax", "unplaced") or (
            item.kind == "untracked" and item.status != "applied") else Severity.INFO
        out.append(_at(item, review, message, severity))
    return out


def _at(item: Item, review: Review, message: str, severity: Severity) -> Diagnostic:
    chapter = item.chapter
    if chapter is not None and item.start is not None:
        (line, column), (end_line, end_column) = (position_in(chapter.new, item.start),
                                                  position_in(chapter.new, item.end or item.start))
        return Diagnostic(item.code, chapter.path, line, column, end_line, end_column, message, severity)
    if chapter is not None and item.was is not None:
        # Gone: at its place in the snapshot sent, where there is one; never at a line of today's
        # chapter it is not on.
        if chapter.sent is not None:
            line, column = position_in(chapter.old, item.was[0])
            return Diagnostic(item.code, chapter.sent, line, column, line, column, message, severity)
        return Diagnostic(item.code, chapter.path, 0, 0, 0, 0, message, severity)
    return Diagnostic(item.code, review.returned.path, 0, 0, 0, 0, message, severity)


def checklist(reviews: list[Review]) -> str:
    """A Markdown checklist: one box per item, with the source line it is on."""
    lines: list[str] = []
    for review in reviews:
        lines.append(f"# {tr('Review of {file}', file=display_path(review.returned.path))}")
        lines.append("")
        for note in review.notes:
            lines.append(f"> {note}")
            lines.append("")
        for item, d in zip(review.items, diagnostics(review)):
            where = display_path(d.path) if d.path else ""
            if d.line:
                where += f":{d.line}:{d.column}"
            box = "x" if item.done or item.status == "applied" else " "
            lines.append(f"- [{box}] **#{item.number}** `{where}` {describe(item)}{_status(item, review)}")
            if item.chapter is not None and item.start is not None:
                context = _context(item.chapter.new, item.start, item.end or item.start)
                if context.strip():
                    lines.append(f"  > {context}")
            for reply in item.replies:
                said = tr('reply ({by}): "{text}"', by=_by(reply), text=_quote(reply.new, 300))
                lines.append(f"  - {said}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _context(text: str, start: int, end: int, wide: int = 70) -> str:
    """The source line around the item, its own text in bold: `…sebagai **sekutu terbesar** di…`."""
    line_start = text.rfind("\n", 0, start) + 1
    if "\n" in text[start:end]:
        end = text.index("\n", start)          # a span over paragraphs: its first line
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    a, b = max(line_start, start - wide), min(line_end, end + wide)
    while a > line_start and not text[a - 1].isspace():
        a -= 1
    while b < line_end and not text[b].isspace():
        b += 1
    marked = text[start:end]
    core = marked.strip()
    middle = marked.replace(core, f"**{core}**", 1) if core else marked
    return ("…" if a > line_start else "") + text[a:start] + middle + text[end:b] + ("…" if b < line_end else "")


def texts(reviews: list[Review]) -> dict[Path, str]:
    """Today's chapter texts, for the formats that give a fix's place."""
    return {c.path: c.new for r in reviews for c in r.chapters}
