"""The supervisor's comments and changes as items at their place in today's chapters.

A returned DOCX names the chapters it was built from and a hash of each one's text (custom
properties written with the draft). That text is found among the snapshots sent
(`drafts/<chapter>/*.md`), today's chapter, or the chapter at the draft's commit; a file that names
none (Google Docs drops them) is matched to the chapters by its words. The supervisor's items are
placed in that text, then carried to today's chapter through the difference between the two."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Thesis
from ..drafts import snapshots, text_hash
from ..errors import UserError
from ..i18n import tr
from ..sources import Source
from ..typos import apply_typos, load_dictionary
from ..yamlfile import read_text
from .locate import Carrier, Pair, match, pair_at, wrapped
from .returned import FOOTNOTE_MARK, MATH_MARK, Change, Comment, Returned, read_returned
from .sourcemap import OPAQUE, footnote_units, units
from .untracked import Difference, differences

KINDS = {"comment": "REV001", "insertion": "REV002", "deletion": "REV003", "replacement": "REV004",
         "move": "REV005", "format": "REV006", "untracked": "REV008"}


@dataclass
class Chapter:
    """One chapter as the draft was made from it (`old`) and as it is today (`new`)."""

    name: str
    path: Path
    old: str
    new: str
    sent: Path | None           # the snapshot the draft's text is, if it is one
    exact: bool                 # the draft names this text by its hash (else matched by words)
    carrier: Carrier = field(init=False)

    def __post_init__(self) -> None:
        self.carrier = Carrier(self.old, self.new)


@dataclass
class Item:
    number: int
    kind: str                   # comment, insertion, deletion, replacement, move, format
    author: str
    date: str
    old: str = ""               # the text deleted, replaced, moved or commented on
    new: str = ""               # the text inserted, or the comment's words
    chapter: Chapter | None = None
    start: int | None = None    # today's offsets in the chapter
    end: int | None = None
    was: tuple[int, int] | None = None      # the offsets in the text sent, where the text is gone
    status: str = "placed"      # placed, applied (in today's chapter already), conflict, gone, syntax,
    #                             unplaced, by-hand
    edits: list[tuple[int, int, str]] = field(default_factory=list)  # today's offsets, new Markdown
    replies: list["Item"] = field(default_factory=list)
    done: bool = False
    to: tuple[int, int] | None = None       # a move's destination (today's offset), for the message
    moved: bool = False         # a comment whose words changed since the draft (its place is where they begin)

    @property
    def code(self) -> str:
        return KINDS[self.kind]

    @property
    def applicable(self) -> bool:
        return self.status == "placed" and bool(self.edits)


@dataclass
class Review:
    returned: Returned
    chapters: list[Chapter]
    items: list[Item]
    notes: list[str]            # what the reader should know about the whole file


# ---------------------------------------------------------------- which chapters, which text

def _chapter_files(thesis: Thesis) -> dict[str, Path]:
    """The sources a returned file may hold, by name: the front texts (kata pengantar, abstrak),
    the chapters and the appendices."""
    return {p.stem: p for p in [*thesis.front_text_files(), *thesis.chapters, *thesis.appendices]}


def _git_show(thesis: Thesis, commit: str, path: Path) -> str | None:
    if not re.fullmatch(r"[0-9a-f]{4,40}", commit or ""):
        return None
    try:
        rel = path.resolve().relative_to(thesis.root.resolve()).as_posix()
        proc = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=thesis.root, capture_output=True, timeout=10)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None


def _named_chapters(thesis: Thesis, returned: Returned) -> list[tuple[str, str]]:
    """(chapter, hash) pairs the DOCX names: one for a draft, each chapter for the whole thesis."""
    chapter = returned.properties.get(_CHAPTER, "")
    if chapter:
        return [(chapter, returned.properties.get(_SOURCE, ""))]
    return [(name, digest) for name, _, digest in
            (item.partition(":") for item in returned.properties.get(_CHAPTERS, "").split())]


# The custom properties drafts.identity writes.
_CHAPTER, _SOURCE, _CHAPTERS, _COMMIT = ("thesisbuild.chapter", "thesisbuild.source", "thesisbuild.chapters",
                                         "thesisbuild.commit")


def find_chapters(thesis: Thesis, returned: Returned) -> tuple[list[Chapter], list[str]]:
    files = _chapter_files(thesis)
    notes: list[str] = []
    named = _named_chapters(thesis, returned)
    chapters: list[Chapter] = []
    if named:
        commit = returned.properties.get(_COMMIT, "")
        for name, digest in named:
            path = files.get(name)
            if path is None:
                raise UserError(tr("this DOCX is a draft of the chapter '{name}', which thesis.yaml does not list; "
                                   "add the chapter back to thesis.yaml, or review the file in the thesis it came "
                                   "from.", name=name), returned.path)
            new = read_text(path, "chapter")
            found = None
            for snapshot in reversed(snapshots(thesis, name)):
                old = read_text(snapshot, "chapter")
                if text_hash(old) == digest:
                    found = (old, snapshot)
                    break
            if found is None and text_hash(new) == digest:
                found = (new, None)
            if found is None:
                old = _git_show(thesis, commit, path)
                if old is not None and text_hash(old) == digest:
                    found = (old, None)
            if found is None:
                notes.append(tr("the text {name} was built from is neither a snapshot in drafts/{name}/ nor today's "
                                "chapter; its items are placed by their words and may be missed where the chapter "
                                "changed.", name=name))
                chapters.append(Chapter(name, path, new, new, None, False))
            else:
                chapters.append(Chapter(name, path, found[0], new, found[1], True))
        return chapters, notes
    # No name in the file: the chapters whose words it has, each in the text sent last if that
    # matches better than today's.
    body = returned.stories.get("body")
    words = set(re.findall(r"\w{4,}", body.text.lower())) if body else set()
    for name, path in files.items():
        new = read_text(path, "chapter")
        best = None
        for candidate, snapshot in [(new, None), *((read_text(s, "chapter"), s) for s in reversed(snapshots(thesis, name)))]:
            mine = set(re.findall(r"\w{4,}", candidate.lower()))
            score = len(mine & words) / max(1, len(mine))
            if best is None or score > best[0] + 1e-9:
                best = (score, candidate, snapshot)
        if best and best[0] >= 0.6:
            chapters.append(Chapter(name, path, best[1], new, best[2], False))
    if chapters:
        notes.append(tr("this DOCX does not name the chapters it was built from (Google Docs and some editors drop "
                        "that); it was matched to {names} by its words.", names=", ".join(c.name for c in chapters)))
    return chapters, notes


# ---------------------------------------------------------------- placing the items

@dataclass
class _Text:
    """All stories of the returned DOCX as one text (body, then footnotes), and where each starts."""

    text: str
    offsets: dict[str, int]
    paragraphs: list[tuple[int, int]]


def _joined(returned: Returned) -> _Text:
    parts, offsets, paragraphs, pos = [], {}, [], 0
    for name, story in returned.stories.items():
        offsets[name] = pos
        paragraphs.extend((pos + s, pos + e) for s, e, _ in story.paragraphs)
        parts.append(story.text + "\n")
        pos += len(story.text) + 1
    return _Text("".join(parts), offsets, paragraphs)


def review_file(thesis: Thesis, path: Path) -> Review:
    returned = read_returned(path)
    chapters, notes = find_chapters(thesis, returned)
    if not chapters:
        raise UserError(tr("this DOCX is not a draft of this thesis: it names no chapter and its words match none "
                           "of the chapters in thesis.yaml; review it in the thesis it came from."), path)
    joined = _joined(returned)
    body_units, note_units = [], []
    for index, chapter in enumerate(chapters):
        found = units(chapter.old)
        body_units.extend((index, u) for u in found if u.story == "body")
        note_units.extend((index, u) for u in footnote_units(chapter.old, found))
    pairs = match(joined.paragraphs, joined.text, body_units + note_units)
    written = sum(1 for s, e in joined.paragraphs if joined.text[s:e].strip())
    if not pairs or (not any(c.exact for c in chapters) and len(pairs) < 0.25 * written):
        # A few shared headings ("Latar Belakang") do not make another thesis's chapter this one.
        raise UserError(tr("this DOCX is not a draft of this thesis: none of its paragraphs is in the chapters "
                           "it names; review it in the thesis it came from."), path)
    placer = _Placer(chapters, pairs, joined)
    items: list[Item] = []
    changes = [_shifted(c, joined) for c in returned.changes]
    for group in _grouped(changes):
        items.append(placer.change(group))
    for comment in returned.comments:
        item = placer.comment(comment, joined)
        item.replies = [placer.comment(r, joined) for r in comment.replies]
        items.append(item)
    for difference in differences(pairs, joined.text, _typo_fixes(thesis, chapters)):
        items.append(placer.untracked(difference))
    position = {id(c): i for i, c in enumerate(chapters)}      # in the order of the thesis
    items.sort(key=lambda item: _order(item, position))
    for n, item in enumerate(items, 1):
        item.number = n
    return Review(returned, chapters, items, notes)


def _typo_fixes(thesis: Thesis, chapters: list[Chapter]) -> dict[int, list[tuple[int, int]]]:
    """Per chapter, the spans of the text sent that the typo dictionary rewrote in the draft."""
    if thesis.typos is None or not thesis.typos.is_file():
        return {}
    dictionary = load_dictionary(thesis.typos)
    return {i: [(h.start, h.end) for h in apply_typos(Source(c.path, c.old), dictionary)[1]]
            for i, c in enumerate(chapters)}


def _order(item: Item, position: dict[int, int]) -> tuple:
    if item.chapter is None:
        return (1, 0, 0, item.kind)
    return (0, position.get(id(item.chapter), 0), item.start if item.start is not None else -1,
            item.kind != "comment")


def _shifted(change: Change, joined: _Text) -> Change:
    base = joined.offsets[change.story]
    return Change(change.kind, change.author, change.date, "all", change.start + base, change.end + base,
                  change.text, change.move)


def _grouped(changes: list[Change]) -> list[list[Change]]:
    """A deletion and an insertion by one author at the same place make one replacement; the two
    halves of a move are one move."""
    out: list[list[Change]] = []
    moves: dict[tuple[str, str], list[Change]] = {}
    for c in changes:
        if c.kind in ("move-from", "move-to"):
            key = (c.author, c.move or c.text.strip())
            if key in moves and moves[key][0].kind != c.kind:
                moves[key].append(c)
                continue
            moves[key] = [c]
            out.append(moves[key])
            continue
        last = out[-1] if out else None
        if (last and len(last) == 1 and last[0].author == c.author and {last[0].kind, c.kind} == {"deletion", "insertion"}
                and (last[0].end == c.start if last[0].kind == "deletion" else last[0].start == c.start)
                and "\n" not in last[0].text + c.text):
            last.append(c)
            continue
        out.append([c])
    return out


_MARKUP_INSIDE = re.compile(r"@|\\[A-Za-z]|\$|\[\^")
_MARKS = str.maketrans({FOOTNOTE_MARK: "", MATH_MARK: "", OPAQUE: ""})


def shown(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ¶ ", text.translate(_MARKS)).strip()


class _Placer:
    def __init__(self, chapters: list[Chapter], pairs: list[Pair], joined: _Text):
        self.chapters, self.pairs, self.joined = chapters, pairs, joined

    def _locate(self, a: int, b: int) -> tuple[Chapter | None, int, int, bool]:
        """The chapter and the span in the text sent of the draft's a..b, and whether it is clean."""
        first = pair_at(self.pairs, a)
        last = pair_at(self.pairs, b, closing=True) if b > a else first
        if first is not None and last is None and b == first.end + 1 and a == first.start:
            # A whole paragraph with its mark, and no paragraph of the chapter after it (its last):
            # it goes with the blank lines before it.
            chapter = self.chapters[first.source]
            s, e, clean = first.span(a, first.end)
            before = len(chapter.old[:first.unit.start].rstrip())
            return chapter, before, first.unit.end, clean and first.unit.kind == "para" and s == first.unit.start
        if first is None or last is None:
            return None, 0, 0, False
        if first is last:
            s, e, clean = first.span(a, b)
            return self.chapters[first.source], s, e, clean
        s, _, clean1 = first.span(a, first.end)
        _, e, clean2 = last.span(last.start, b)
        chapter = self.chapters[first.source]
        between = chapter.old[first.unit.end:last.unit.start]
        adjacent = (self.pairs.index(last) == self.pairs.index(first) + 1 and first.source == last.source
                    and first.unit.kind == last.unit.kind == "para" and not between.strip())
        return chapter, s, max(s, e), clean1 and clean2 and adjacent

    def _carry(self, item: Item, chapter: Chapter, s: int, e: int) -> tuple[int, int] | None:
        """Today's span of s..e, or the item marked conflict (text changed) or gone (text not there)."""
        item.chapter = chapter
        today = chapter.carrier.span(s, e)
        if today is not None:
            item.start, item.end = today
            return today
        old = chapter.old[s:e] if e > s else chapter.old[max(0, s - 24):s + 24]
        if len(old.strip()) >= 8 and chapter.new.count(old) == 1:
            at = chapter.new.index(old) + (0 if e > s else min(24, s))
            item.start, item.end = at, at + (e - s)
            item.status = "conflict"
        else:
            item.status = "gone"
            item.was = (s, e)
        return None

    @staticmethod
    def _applied(item: Item, chapter: Chapter, s: int, e: int, text: str) -> bool:
        """The change is in today's chapter already (applied, or made by hand): the words around it
        in the text sent, with it made, are there; the item is placed on it."""
        if chapter.old == chapter.new:
            return False
        # Narrower words around it when another change is near (the review's other items, applied
        # too); only at its own place, not where the same words happen to stand elsewhere.
        expected = chapter.carrier.near(s)
        for wide in (30, 16, 8):
            before, after = chapter.old[max(0, s - wide):s], chapter.old[e:e + wide]
            made = before + text + after
            if len(made.strip()) < 12:
                continue
            found = [m.start() for m in re.finditer(re.escape(made), chapter.new)]
            close = [at for at in found if abs(at + len(before) - expected) <= 200 + len(made)]
            if len(close) == 1:
                at = close[0] + len(before)
                item.chapter, item.start, item.end, item.status = chapter, at, at + len(text), "applied"
                return True
        return False

    def change(self, group: list[Change]) -> Item:
        first = group[0]
        kinds = {c.kind for c in group}
        if kinds & {"move-from", "move-to"}:
            return self._move(group)
        if first.kind == "format":
            item = Item(0, "format", first.author, first.date, old=first.text)
            chapter, s, e, _ = self._locate(first.start, first.end)
            if chapter is None:
                item.status = "unplaced"
            elif self._carry(item, chapter, s, e) is not None:
                item.status = "by-hand"
            return item
        deleted = next((c for c in group if c.kind == "deletion"), None)
        inserted = next((c for c in group if c.kind == "insertion"), None)
        kind = "replacement" if deleted and inserted else "deletion" if deleted else "insertion"
        item = Item(0, kind, first.author, first.date, old=deleted.text if deleted else "",
                    new=inserted.text if inserted else "")
        a, b = (deleted.start, deleted.end) if deleted else (inserted.start, inserted.start)
        chapter, s, e, clean = self._locate(a, b)
        text, text_is_words = item.new, True
        pair = pair_at(self.pairs, a)
        before = next((p for p in self.pairs if p.end == a - 1), None)
        if (kind == "insertion" and item.new.endswith("\n") and before is not None
                and (pair is None or pair.start != a or chapter is None)):
            # A paragraph typed after the chapter's last one (before the draft's bibliography).
            chapter, pair = self.chapters[before.source], before
            s = e = before.unit.end
            text, clean, text_is_words = "\n\n" + markdown_text(item.new.rstrip("\n"), "", 0), True, False
        elif chapter is None:
            item.status = "unplaced"
            return item
        elif kind == "insertion" and pair is not None and "\n" in item.new:
            # A paragraph of its own: before the block it was typed in front of, or after the one
            # it follows; never inside a heading or an item.
            if item.new.endswith("\n") and a == pair.start:
                s = e = pair.unit.start
                text, clean = markdown_text(item.new.rstrip("\n"), "", 0) + "\n\n", True
                text_is_words = False
            elif item.new.startswith("\n") and a == pair.end:
                s = e = pair.unit.end
                text, clean = "\n\n" + markdown_text(item.new.lstrip("\n"), "", 0), True
                text_is_words = False
            elif pair.unit.kind != "para":
                clean = False
        if kind == "replacement" and _MARKUP_INSIDE.search(chapter.old[s:e]):
            # A citation, cross-reference, equation or LaTeX command replaced by words: writing the
            # words would turn a live citation into text. The student decides.
            clean = False
        if kind == "deletion" and clean and pair is not None and pair.start <= a and b <= pair.end:
            s, e = wrapped(pair.unit, s, e)
        today = chapter.carrier.span(s, e)
        if today is None:
            # Changed since: made already (applied, or by hand), else a conflict or gone.
            if clean and self._applied(item, chapter, s, e, inline_markdown(text) if text_is_words else text):
                return item
            self._carry(item, chapter, s, e)
            return item
        if kind == "insertion" and clean and _inserted_at(chapter, s, today[0], text):
            item.chapter, item.status = chapter, "applied"
            item.start, item.end = today[0] - len(text), today[0]
            return item
        item.chapter, (item.start, item.end) = chapter, today
        if not clean:
            item.status = "syntax"
            return item
        item.edits = [(today[0], today[1], markdown_text(item.new, chapter.new, today[0]) if text_is_words else text)]
        return item

    def _move(self, group: list[Change]) -> Item:
        source = next((c for c in group if c.kind == "move-from"), None)
        target = next((c for c in group if c.kind == "move-to"), None)
        c = source or target
        item = Item(0, "move", c.author, c.date, old=(source or target).text, new=(target or source).text)
        if source is None or target is None:
            item.status = "unplaced"
            return item
        chapter, s, e, clean = self._locate(source.start, source.end)
        to_chapter, t, _, clean_to = self._locate(target.start, target.start)
        if chapter is None or to_chapter is None:
            item.status = "unplaced"
            return item
        if clean and clean_to and to_chapter is chapter and chapter.old != chapter.new:
            # Moved already: the text is at its new place and no longer at its old one.
            moved = chapter.old[s:e]
            if (self._applied(item, chapter, t, t, moved)
                    and chapter.old[max(0, s - 30):s] + chapter.old[e:e + 30] in chapter.new):
                return item
            item.status, item.start, item.end, item.chapter = "placed", None, None, None
        today = self._carry(item, chapter, s, e)
        there = to_chapter.carrier.span(t, t)
        if today is None:
            return item
        if there is None:
            item.status = "conflict"
            return item
        item.to = there
        if not (clean and clean_to) or to_chapter is not chapter:
            item.status = "syntax"
            return item
        moved = chapter.new[today[0]:today[1]]
        if "\n" in moved:
            # Whole paragraphs: they go in before the paragraph they were put in front of, with a
            # blank line; the place named is the paragraph's own, not the blank lines before it.
            item.start = today[0] + len(moved) - len(moved.lstrip())
            moved = moved.strip() + "\n\n"
        item.edits = [(today[0], today[1], ""), (there[0], there[0], moved)]
        return item

    def untracked(self, difference: Difference) -> Item:
        chapter = self.chapters[difference.source]
        item = Item(0, "untracked", "", "", old=difference.chapter_words, new=difference.draft_words)
        s, e = difference.start, difference.end
        if not self._applied(item, chapter, s, e, difference.draft_words):
            self._carry(item, chapter, s, e)
        return item

    def comment(self, comment: Comment, joined: _Text) -> Item:
        item = Item(0, "comment", comment.author, comment.date, new=comment.text, done=comment.done)
        if comment.start is None:
            item.status = "unplaced"
            return item
        base = joined.offsets.get(comment.story, 0)
        a, b = comment.start + base, comment.end + base
        item.old = shown(joined.text[a:b])
        chapter, s, e, _ = self._locate(a, b)
        if chapter is None:
            item.status = "unplaced"
            return item
        if self._carry(item, chapter, s, e) is None and item.status == "gone" and e > s:
            # The words commented on changed: the comment stays where they begin, if that place is still there.
            start = chapter.carrier.span(s, s)
            if start is not None:
                end = chapter.carrier.span(e, e)
                item.status, item.was, item.moved = "placed", None, True
                item.start, item.end = start[0], end[0] if end is not None and end[0] >= start[0] else start[0]
        return item


def _inserted_at(chapter: Chapter, s: int, at: int, text: str) -> bool:
    """An insertion already made at today's place `at` of the snapshot's s: the words before the
    place in the snapshot, then the inserted words, end at `at` today."""
    words = markdown_text(text, chapter.new, max(0, at - len(text)))
    before = chapter.old[max(0, s - 30):s]
    start = at - len(words)
    return bool(words.strip()) and chapter.new[start:at] == words and chapter.new[start - len(before):start] == before


_ESCAPE = re.compile(r"([\\*_`\[\]$<~^])|(?<!\w)(@)")


def markdown_text(text: str, new: str, at: int) -> str:
    """The supervisor's words as Markdown that prints them: syntax characters escaped, a new
    paragraph a blank line, and what would start a block at the start of a line ("# ", "- ",
    "1991. ", "> ") written so that it does not."""
    out = _ESCAPE.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)
    out = out.replace("\t", " ")
    out = re.sub(r"\n", "\n\n", out)
    line_start = at <= 0 or (at <= len(new) and new[at - 1] == "\n")
    return re.sub(r"(^|\n\n)(?:(#)|([-+] )|(\d+)([.)]) |(>))",
                  lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"\\{m.group(3)}" if m.group(3)
                                          else f"{m.group(4)}\\{m.group(5)} " if m.group(4) else f"\\{m.group(6)}"),
                  out) if line_start or "\n" in out else out


def inline_markdown(text: str) -> str:
    """The words as Markdown inside a line (for finding them in the chapter)."""
    return markdown_text(text, "x", 1)


__all__ = ["Chapter", "Item", "KINDS", "Review", "markdown_text", "review_file", "shown"]
