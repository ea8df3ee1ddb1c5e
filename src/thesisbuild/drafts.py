"""Drafts for the supervisor: one chapter at a time, and what changed since the last one sent.

`thesisbuild draft --mark-sent <chapter>` keeps a snapshot of the chapter's source in
`drafts/<chapter>/<date>.md`, versioned with the thesis. The next draft of that chapter also comes
as `<chapter>-changes.docx`: the word-level differences from that snapshot as Word tracked changes."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .config import Thesis
from .errors import UserError
from .fsutil import remove_stale, write_atomic
from .i18n import tr
from .sources import Source

@dataclass(frozen=True)
class Draft:
    chapter: Path
    index: int              # 0-based position among the thesis's chapters

    @property
    def name(self) -> str:
        return self.chapter.stem

    def outputs(self, thesis: Thesis) -> dict[str, Path]:
        folder = thesis.build_dir / "drafts"
        return {"pdf": folder / f"{self.name}.pdf", "typ": folder / f"{self.name}.typ",
                "docx": folder / f"{self.name}.docx", "changes": folder / f"{self.name}-changes.docx"}


def drafts(thesis: Thesis) -> list[Draft]:
    return [Draft(path, i) for i, path in enumerate(thesis.chapters)]


def find_draft(thesis: Thesis, name: str) -> Draft:
    for draft in drafts(thesis):
        if name in (draft.name, draft.chapter.name, str(draft.chapter)) or draft.chapter.resolve() == Path(name).resolve():
            return draft
    names = ", ".join(d.name for d in drafts(thesis))
    raise UserError(tr("no chapter named '{name}' in thesis.yaml; use one of: {names}.", name=name, names=names),
                    thesis.config_path)


def sent_folder(thesis: Thesis, draft: Draft) -> Path:
    return thesis.root / "drafts" / draft.name


def snapshots(thesis: Thesis, name: str) -> list[Path]:
    """The snapshots of the chapter `name` sent, oldest first: by date, then by the day's number
    (<date>.md, <date>-2.md, ...). Another file in the folder (a note of the student's) is none."""
    folder = thesis.root / "drafts" / name
    found = [p for p in folder.glob("*.md") if _SNAPSHOT.fullmatch(p.stem)] if folder.is_dir() else []
    return sorted(found, key=_sent_order)


def last_sent(thesis: Thesis, draft: Draft) -> Path | None:
    """The newest snapshot."""
    sent = snapshots(thesis, draft.name)
    return sent[-1] if sent else None


_SNAPSHOT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?")


def _sent_order(path: Path) -> tuple[str, int]:
    m = _SNAPSHOT.fullmatch(path.stem)
    return (m.group(1), int(m.group(2) or 1))


def mark_sent(thesis: Thesis, draft: Draft, today: dt.date | None = None, text: str | None = None) -> Path:
    """Keep the chapter's source as it was sent (or `text`, the source a draft was built from),
    named by the date it was sent."""
    today = today or dt.date.today()
    folder = sent_folder(thesis, draft)
    if folder.exists() and not folder.is_dir():
        raise UserError(tr("this is a file, where the snapshots of the drafts sent go (a folder of that name); "
                           "rename or remove it."), folder)
    path = folder / f"{today.isoformat()}.md"
    n = 2
    while path.exists():
        path = folder / f"{today.isoformat()}-{n}.md"
        n += 1
    write_atomic(path, draft.chapter.read_bytes() if text is None else text.encode("utf-8"))
    return path


def _git(thesis: Thesis, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=thesis.root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def text_hash(text: str) -> str:
    """The hash a draft carries of the chapter text it was built from (its custom property
    thesisbuild.source), by which `thesisbuild review` finds that text again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def identity(thesis: Thesis, draft: Draft | None) -> dict[str, str]:
    """The custom properties a DOCX carries to say what it was built from: a draft its chapter, the
    commit and its text's hash; the whole thesis each chapter's hash (no commit: the thesis built
    again from a copy of the sources, as `verify --reproducible` does, is the same file)."""
    props: dict[str, str] = {}
    if draft is not None:
        commit = _git(thesis, "rev-parse", "--short", "HEAD")
        if commit:
            props["thesisbuild.commit"] = commit
        props["thesisbuild.chapter"] = draft.name
        props["thesisbuild.source"] = text_hash(Source.read(draft.chapter).text)
    else:
        # The front texts (kata pengantar, abstrak) too: a supervisor comments on them as well.
        props["thesisbuild.chapters"] = " ".join(
            f"{p.stem}:{text_hash(Source.read(p).text)}"
            for p in dict.fromkeys([*thesis.front_text_files(), *thesis.chapters, *thesis.appendices]))
    return props


def header_text(thesis: Thesis, draft: Draft, epoch: int) -> str:
    """"DRAF · 27 November 2026 · komit 1a2b3c4" (in the profile's words): the commit's date, so the
    same commit gives the same draft."""
    settings = thesis.profile.drafts
    day = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date()
    months = list(settings.months)
    if len(months) != 12:
        raise UserError(tr("drafts.months in the profile must name the twelve months; fix it."),
                        thesis.profile.folder / "profile.yaml")
    date = str(settings.date_format).format(day=day.day, month=months[day.month - 1], year=day.year)
    commit = _git(thesis, "rev-parse", "--short", "HEAD")
    parts = [settings.label, date]
    if commit:
        dirty = _git(thesis, "status", "--porcelain", "--", str(draft.chapter))
        parts.append(f"{settings.commit_word} {commit}" + (f" {settings.uncommitted_note}" if dirty else ""))
    return " · ".join(parts)


def build_draft(thesis: Thesis, draft: Draft) -> list[Path]:
    """The draft's PDF and DOCX (and its changes since the last one sent): the renderers' output
    for one chapter, with the draft's header, margin and line numbers."""
    # lazy: start-up time; doit lists the draft tasks without loading the renderers
    from .render.document import ReadingPages, prepare
    from .render.docx import render_docx, write_reference_docx
    from .render.pdf import render_pdf

    out = draft.outputs(thesis)
    remove_stale(*out.values())
    settings = thesis.profile.drafts
    try:
        # The chapter alone, numbered as in the thesis, in the renderers' reading page setup.
        doc = prepare(thesis, warn=False, only=draft.chapter)
        pages = ReadingPages(header=header_text(thesis, draft, doc.epoch), line_numbers=bool(settings.line_numbers),
                             right_margin_cm=float(settings.right_margin_cm))
        render_pdf(doc, out["typ"], out["pdf"], pages=pages)
        reference = thesis.build_dir / "reference.docx"
        if not reference.is_file():
            write_reference_docx(thesis, reference)
        properties = identity(thesis, draft)
        render_docx(doc, reference, out["docx"], pages=pages, properties=properties)
        written = [out["pdf"], out["docx"]]
        sent = last_sent(thesis, draft)
        if sent is not None:
            changes = prepare(thesis, warn=False, only=draft.chapter,
                              text=changes_markdown(thesis, sent, draft.chapter, doc.epoch))
            # Written beside it first: the tracked changes are finished (track_paragraph_marks)
            # before the -changes.docx appears, whole, under its name.
            unfinished = out["changes"].with_name(f".{out['changes'].name}.untracked")
            try:
                render_docx(changes, reference, unfinished, pages=pages, properties={
                    **properties, "thesisbuild.changes-author": changes_author(thesis),
                    "thesisbuild.changes-since": sent.name})
                write_atomic(out["changes"], track_paragraph_marks(unfinished.read_bytes()))
            finally:
                unfinished.unlink(missing_ok=True)
            written.append(out["changes"])
        out["typ"].unlink(missing_ok=True)
        return written
    except BaseException:
        remove_stale(*out.values())
        raise


# ---------------------------------------------------------------- what changed since the last draft

# A link or image whole; a word with what is inside it ("1.2", "e.g", a URL) but not the punctuation
# after it, which is a token of its own: adding a word before a comma marks the word, not "faktor."
# deleted and "faktor penting." inserted; white space.
_TOKEN = re.compile(r"!?\[[^\[\]\n]*\](?:\([^()\s]*\))?(?:\{[^{}\n]*\})?"
                    r"|[^\s.,;:!?]+(?:[.,;:!?]+[^\s.,;:!?]+)*|[.,;:!?]+|\s+")
_STRUCTURE = re.compile(r"^(?:!\[|\||:|```|~~~|<|\s{4})")


def changes_markdown(thesis: Thesis, old_path: Path, new_path: Path, epoch: int) -> str:
    """The chapter as it is now, with what changed since `old_path` marked as tracked changes."""
    from .render.document import stage_texts  # lazy: start-up time, as in build_draft

    old, new = (stage_texts(thesis, [Source.read(p)], report=False)[0] for p in (old_path, new_path))
    date = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return diff_markdown(old, new, changes_author(thesis), date)


def changes_author(thesis: Thesis) -> str:
    """The changes are the student's: their name from thesis.yaml, while it is not the placeholder."""
    named = thesis.author and not any(p.key == "author" for p in thesis.placeholders)
    return str(thesis.author if named else thesis.profile.drafts.change_author).replace('"', "'")


def _blocks(text: str) -> list[str]:
    return [b for b in re.split(r"\n[ \t]*\n", text.strip("\n")) if b.strip()]


def diff_markdown(old: str, new: str, author: str, date: str) -> str:
    attrs = f'author="{author}" date="{date}"'
    a, b = _blocks(old), _blocks(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(b[j1:j2])
            continue
        # Inside a run of changed blocks, a block changed in place is paired with what it became
        # and marked word by word; only a block with no counterpart is deleted or inserted whole.
        for x, y in _align(a[i1:i2], b[j1:j2]):
            if x is not None and y is not None:
                out.append(_diff_block(x, y, attrs))
            elif x is not None:
                out.append(_whole_block(x, "deletion", attrs))
            else:
                out.append(_whole_block(y, "insertion", attrs))
    return "\n\n".join(out) + "\n"


# Two blocks at least this alike (by their words and punctuation) are one block edited; less alike,
# one was removed and the other written new.
_ALIKE = 0.4


def _words(block: str) -> list[str]:
    return [t for t in _TOKEN.findall(block) if not t.isspace()]


def _pairable(old: str, new: str) -> bool:
    """A paragraph with a paragraph, a heading with a heading of its level; a figure, table or
    other structure is never diffed word by word."""
    if _STRUCTURE.match(old) or _STRUCTURE.match(new):
        return False
    return _heading(old)[0].strip() == _heading(new)[0].strip()


def _align(old: list[str], new: list[str]) -> list[tuple[str | None, str | None]]:
    """The old and the new blocks of a changed run in order, each old block paired with the new one
    it became (None for the other side when it has none): the pairing, in order, that is most alike
    in all. Blocks in the same place of a run of as many old as new blocks always pair (each was
    edited where it stands); otherwise two blocks pair only when at least _ALIKE alike."""
    n, m = len(old), len(new)
    words_old, words_new = [_words(x) for x in old], [_words(y) for y in new]
    score: dict[tuple[int, int], float] = {}
    for i in range(n):
        for j in range(m):
            if not _pairable(old[i], new[j]):
                continue
            matcher = difflib.SequenceMatcher(None, words_old[i], words_new[j], autojunk=False)
            same_place = n == m and i == j
            if not same_place and (matcher.real_quick_ratio() < _ALIKE or matcher.quick_ratio() < _ALIKE):
                continue                    # the cheap upper bounds: too unlike to pair
            ratio = matcher.ratio()
            if ratio >= _ALIKE or same_place:
                score[i, j] = ratio + 1e-3       # pairing beats leaving both unpaired, even when unlike
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1],
                             score[i, j] + best[i + 1][j + 1] if (i, j) in score else 0.0)
    out: list[tuple[str | None, str | None]] = []
    i = j = 0
    while i < n and j < m:
        if (i, j) in score and best[i][j] == score[i, j] + best[i + 1][j + 1]:
            out.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((old[i], None))      # a block removed comes before one written in its place
            i += 1
        else:
            out.append((None, new[j]))
            j += 1
    out.extend((x, None) for x in old[i:])
    out.extend((None, y) for y in new[j:])
    return out


def _heading(block: str) -> tuple[str, str]:
    m = re.match(r"^(#{1,6}\s+)(.*?)(\s*\{[^{}]*\})?\s*$", block, re.S)
    return (m.group(1), m.group(2) + "\x00" + (m.group(3) or "")) if m else ("", block)


def _diff_block(old: str, new: str, attrs: str) -> str:
    if _STRUCTURE.match(old) or _STRUCTURE.match(new):
        return _whole_block(old, "deletion", attrs) + "\n\n" + _whole_block(new, "insertion", attrs)
    if _LIST_ITEM.match(old) and _LIST_ITEM.match(new) and (len(old.splitlines()) > 1 or len(new.splitlines()) > 1):
        return _diff_list(old, new, attrs)
    old_prefix, old_text = _heading(old)
    new_prefix, new_text = _heading(new)
    if old_prefix.strip() != new_prefix.strip():
        return _whole_block(old, "deletion", attrs) + "\n\n" + _whole_block(new, "insertion", attrs)
    old_text, _, _ = old_text.partition("\x00")
    new_text, _, new_attr = new_text.partition("\x00")
    return new_prefix + diff_words(old_text, new_text, attrs) + new_attr


def diff_words(old: str, new: str, attrs: str) -> str:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(b[j1:j2])
            continue
        if op in ("delete", "replace"):
            out.append(_span("".join(a[i1:i2]), "deletion", attrs))
        if op in ("insert", "replace"):
            out.append(_span("".join(b[j1:j2]), "insertion", attrs))
    return "".join(out)


def _span(text: str, kind: str, attrs: str) -> str:
    """A tracked change around words, with the white space that goes with them: accepting and
    rejecting it both leave one space between words ("1991[ yang lalu]," not "1991 [yang lalu],",
    which leaves "1991 ," when rejected). A change of white space alone is not marked."""
    core = text.strip()
    if not core:
        return text if kind == "insertion" else ""
    # pandoc drops the white space at the edges of a span's text; an empty comment (which no output
    # shows) before or after it keeps it there.
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    if kind == "deletion":
        # A deleted reference to a figure, table, equation, listing or section whose element went
        # with it would fail the build: deleted text shows its references as written.
        core = _DELETED_XREF.sub(r"\\@", core)
    inner = (f"{_KEEP}{lead}" if lead else "") + core + (f"{trail}{_KEEP}" if trail else "")
    return f"[{inner}]{{.{kind} {attrs}}}"


_KEEP = "<!-- -->"
_DELETED_XREF = re.compile(r"(?<![\w\\])@(?=(?:fig|tbl|eq|sec|lst)[-:])")


def _whole_block(block: str, kind: str, attrs: str) -> str:
    if _STRUCTURE.match(block):
        if kind == "insertion":
            return block
        first = block.strip().splitlines()[0]
        return _span(re.sub(r"[\[\]{}]", "", first), "deletion", attrs)
    if _LIST_ITEM.match(block):
        # Each item marked on its own, the list kept: a list accepted away (or rejected back)
        # leaves no paragraph of it (or all of its items).
        return "\n".join(marker + _span(text, kind, attrs) for marker, text in _list_items(block))
    if block.startswith(">"):
        text = " ".join(re.sub(r"^>\s?", "", line) for line in block.splitlines())
        return "> " + _span(text, kind, attrs)
    prefix, text = _heading(block)
    text, _, attr = text.partition("\x00")
    return prefix + _span(text.replace("\n", " "), kind, attrs) + attr


# A list item's marker: a bullet, a number, a lower-case letter or Roman numeral ("a.", "ii)"); a
# capital with a full stop is more often an initial ("A. Smith") than a list.
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)]|[a-z][.)]|[ivx]+[.)])[ \t]+")


def _list_items(block: str) -> list[tuple[str, str]]:
    """A list written without blank lines between its items, as (marker with its indent, the item's
    text on one line); nested items are items of their own."""
    items: list[list[str]] = []
    for line in block.splitlines():
        m = _LIST_ITEM.match(line)
        if m or not items:
            items.append([m.group(0) if m else "", line[m.end():] if m else line])
        else:
            items[-1][1] += " " + line.strip()
    return [(marker, text.strip()) for marker, text in items]


def _diff_list(old: str, new: str, attrs: str) -> str:
    """A list changed: each item kept, changed word by word, or added or removed whole, in its own
    line with its own marker (a change never spans two items: pandoc would not read one)."""
    a, b = _list_items(old), _list_items(new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(marker + text for marker, text in b[j1:j2])
            continue
        olds, news = iter(a[i1:i2]), iter(b[j1:j2])
        # _align keeps both orders: each pair takes the next old item, the next new one, or both.
        for x, y in _align([t for _, t in a[i1:i2]], [t for _, t in b[j1:j2]]):
            if x is not None and y is not None:
                next(olds)
                out.append(next(news)[0] + diff_words(x, y, attrs))
            elif x is not None:
                out.append(next(olds)[0] + _span(x, "deletion", attrs))
            else:
                out.append(next(news)[0] + _span(y, "insertion", attrs))
    return "\n".join(out)


# ---------------------------------------------------------------- paragraphs added or removed whole

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _whole_change(p) -> str | None:
    """"ins" when every word a paragraph shows is inside tracked insertions, "del" when inside
    tracked deletions; None for a paragraph with words untouched (or none)."""
    kinds = set()
    for text in p.iter(_w("t"), _w("delText")):
        if not (text.text or "").strip():
            continue
        change = None
        for ancestor in text.iterancestors():
            if ancestor.tag in (_w("ins"), _w("del")):
                change = ancestor.tag
                break
            if ancestor is p:
                break
        if change is None:
            return None
        kinds.add(change)
    return {_w("ins"): "ins", _w("del"): "del"}.get(kinds.pop()) if len(kinds) == 1 else None


def track_paragraph_marks(data: bytes) -> bytes:
    """The -changes.docx with the paragraph mark of each paragraph inserted (or deleted) whole
    tracked as inserted (deleted) too, by the same author at the same time: pandoc tracks only its
    words, so Reject All (Accept All) would leave an empty paragraph, or an empty numbered heading,
    where it was. Each mark takes a revision id no other element of the document has. The package is
    otherwise rewritten as it was (its parts' order and dates): the same input gives the same file."""
    # lazy: start-up time; doit lists the draft tasks without loading lxml
    import io
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        parts = {info.filename: src.read(info.filename) for info in infos}
    xml = parts["word/document.xml"]
    if b"<w:ins " not in xml and b"<w:del " not in xml:
        return data
    root = etree.fromstring(xml)
    taken = [int(v) for v in root.xpath("//@w:id", namespaces={"w": _W}) if v.isdigit()]
    next_id = max(taken, default=0) + 1
    changed = False
    for p in root.iter(_w("p")):
        kind = _whole_change(p)
        if kind is None:
            continue
        words = next(p.iter(_w(kind)))
        ppr = p.find(_w("pPr"))
        if ppr is None:
            ppr = etree.Element(_w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(_w("rPr"))
        if rpr is None:
            rpr = etree.Element(_w("rPr"))
            after = [ppr.find(_w(tag)) for tag in ("sectPr", "pPrChange")]   # the schema's order
            after = [el for el in after if el is not None]
            if after:
                after[0].addprevious(rpr)
            else:
                ppr.append(rpr)
        if rpr.find(_w("ins")) is not None or rpr.find(_w("del")) is not None:
            continue
        mark = etree.Element(_w(kind))
        mark.set(_w("id"), str(next_id))
        next_id += 1
        for attr in ("author", "date"):
            if words.get(_w(attr)) is not None:
                mark.set(_w(attr), words.get(_w(attr)))
        rpr.insert(0, mark)                 # first in the paragraph mark's properties, as the schema has it
        changed = True
    if not changed:
        return data
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            dst.writestr(info, parts[info.filename])
    return out.getvalue()


__all__ = ["Draft", "build_draft", "changes_author", "changes_markdown", "diff_markdown", "drafts", "find_draft",
           "identity", "mark_sent", "snapshots", "text_hash", "track_paragraph_marks"]
