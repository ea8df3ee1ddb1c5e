"""A DOCX that came back from the supervisor, read as text with its comments and tracked changes.

Each story (the body, each footnote) becomes one text as the draft showed it before the supervisor's
changes: paragraphs joined by a newline (the paragraph mark), text the supervisor deleted included,
text they inserted left out. Their changes and comments are spans of that text, so that the draft's
own text can be matched to the Markdown it was made from. Word, LibreOffice and Google Docs write
the same elements: `w:ins`, `w:del` (`w:delText`), `w:moveFrom`/`w:moveTo`, inserted or deleted
paragraph marks (`w:pPr/w:rPr/w:ins|w:del`), `w:rPrChange`; comments in `comments.xml` anchored by
`w:commentRangeStart`/`End` or by their `w:commentReference` alone, replies and the done state in
`commentsExtended.xml` (Word, LibreOffice); Google Docs writes a reply as a comment of its own on the
same range, which is threaded here by that range."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import UserError
from ..i18n import tr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

# One character in the text for what the draft shows but is not text: a footnote's mark, an
# equation. The Markdown side (sourcemap) writes the same characters for the same things.
FOOTNOTE_MARK = "\ue000"
MATH_MARK = "\ue001"

_CHANGES_AUTHOR = "thesisbuild.changes-author"     # a -changes.docx: the student's own changes
_CHANGE_TAGS = {"ins": "insertion", "del": "deletion", "moveFrom": "move-from", "moveTo": "move-to"}
_PASS_THROUGH = {"hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "dir", "bdo"}


def _q(tag: str, ns: str = W) -> str:
    return f"{{{ns}}}{tag}"


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass
class Change:
    """A tracked change: text inserted or deleted (or moved) by one author at one time, as a span
    of its story's text (an insertion has no width there: it sits at `start`)."""

    kind: str                   # insertion, deletion, move-from, move-to, format
    # A paragraph mark inserted or deleted is a "\n" in `text`.
    author: str
    date: str
    story: str
    start: int
    end: int
    text: str                   # the inserted or deleted text
    move: str = ""              # the name that pairs a move's two halves


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    initials: str = ""
    para_id: str = ""           # w14:paraId of its last paragraph (the key of commentsExtended)
    parent: str = ""            # the para_id of the comment it answers
    done: bool = False
    story: str = ""
    start: int | None = None
    end: int | None = None
    replies: list["Comment"] = field(default_factory=list)


@dataclass
class Story:
    name: str                   # "body", or "footnote 3"
    text: str = ""              # as the draft showed it (original view)
    paragraphs: list[tuple[int, int, str]] = field(default_factory=list)   # (start, end, style)


@dataclass
class Returned:
    path: Path
    properties: dict[str, str]
    stories: dict[str, Story]
    changes: list[Change]
    comments: list[Comment]     # top-level comments, replies under them


# ---------------------------------------------------------------- reading the package

def read_returned(path: Path, accepted_authors: frozenset[str] = frozenset()) -> Returned:
    """The returned DOCX. Changes by `accepted_authors` (the student's own, in a -changes.docx) are
    taken as part of the draft's text."""
    parts = _open_package(path)
    properties = _custom_properties(parts.get("docProps/custom.xml"))
    own = properties.get(_CHANGES_AUTHOR, "")
    if not accepted_authors and own:
        accepted_authors = frozenset([own])
    reader = _Reader(accepted_authors)
    try:
        body = etree.fromstring(parts["word/document.xml"]).find(_q("body"))
        reader.story("body", body)
        if "word/footnotes.xml" in parts:
            for note in etree.fromstring(parts["word/footnotes.xml"]).iter(_q("footnote")):
                if note.get(_q("type")) in (None, "normal"):
                    reader.story(f"footnote {note.get(_q('id'))}", note)
        comments = _comments(parts, reader)
    except etree.XMLSyntaxError as err:
        raise UserError(tr("this DOCX is damaged ({detail}); ask for the file again or open and save it in "
                           "Word or LibreOffice.", detail=str(err)), path) from None
    return Returned(path, properties, reader.stories, reader.merged_changes(), comments)


def _open_package(path: Path) -> dict[str, bytes]:
    if not path.is_file():
        raise UserError(tr("there is no such file; give the path of the DOCX the supervisor sent back."), path)
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE2 compound file: a Word 97-2003 .doc, or a DOCX encrypted with a password.
        raise UserError(tr("this is an old Word .doc file or a DOCX protected by a password; open it in Word or "
                           "LibreOffice, remove the password, and save it as .docx (Word Document)."), path)
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "word/document.xml" not in names:
                raise UserError(tr("this file is not a Word document (no word/document.xml inside); give the "
                                   "DOCX the supervisor sent back."), path)
            wanted = {"word/document.xml", "word/comments.xml", "word/commentsExtended.xml",
                      "word/footnotes.xml", "docProps/custom.xml"}
            return {name: package.read(name) for name in wanted & names}
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError) as err:
        raise UserError(tr("this file is not a readable DOCX ({detail}); ask for the file again, or open it in "
                           "Word or LibreOffice and save it as .docx.", detail=str(err) or type(err).__name__),
                        path) from None


def _custom_properties(xml: bytes | None) -> dict[str, str]:
    if not xml:
        return {}
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for prop in root.iter(_q("property", CUSTOM)):
        value = next(iter(prop), None)
        if prop.get("name") and value is not None:
            out[prop.get("name")] = value.text or ""
    return out


class _Reader:
    def __init__(self, accepted: frozenset[str]):
        self.accepted = accepted
        self.stories: dict[str, Story] = {}
        self.changes: list[Change] = []
        self.starts: dict[str, tuple[str, int]] = {}      # comment id -> (story, offset)
        self.ends: dict[str, tuple[str, int]] = {}
        self.references: dict[str, tuple[str, int]] = {}
        self._story: Story | None = None
        self._buf: list[str] = []
        self._pos = 0

    # The text is built in one list per story; `_pos` is its length so far.
    def _add(self, text: str) -> None:
        if text:
            self._buf.append(text)
            self._pos += len(text)

    def story(self, name: str, root) -> None:
        self._story = Story(name)
        self._buf, self._pos = [], 0
        first, joined = True, False
        for p in root.iter(_q("p")):
            if _inside_paragraph(p):
                continue        # a paragraph in a text box of a paragraph: read with it
            if not first and not joined:
                self._add("\n")
            first = False
            # A paragraph mark the supervisor inserted split one paragraph of the draft in two.
            joined = self._paragraph(p)
        self._story.text = "".join(self._buf)
        self.stories[name] = self._story

    def _paragraph(self, p) -> bool:
        """Read one paragraph; true when its mark is an insertion (it and the next were one)."""
        start, first_piece = self._pos, len(self._buf)
        style = p.find(f"{_q('pPr')}/{_q('pStyle')}")
        self._walk(p, None)
        self._story.paragraphs.append((start, self._pos, style.get(_q("val")) if style is not None else ""))
        changed = p.find(f"{_q('pPr')}/{_q('pPrChange')}")
        if changed is not None and changed.get(_q("author"), "") not in self.accepted and self._pos > start:
            # The paragraph's style or layout changed (a heading made body text, an indent).
            self.changes.append(Change("format", changed.get(_q("author"), ""), changed.get(_q("date"), ""),
                                       self._story.name, start, self._pos, "".join(self._buf[first_piece:])))
        mark = p.find(f"{_q('pPr')}/{_q('rPr')}")
        for tag, kind in (("ins", "insertion"), ("moveTo", "move-to")):
            el = mark.find(_q(tag)) if mark is not None else None
            if el is not None and el.get(_q("author"), "") not in self.accepted:
                # A paragraph mark added (a paragraph split, or a whole paragraph inserted or moved
                # here): this paragraph and the next were one in the draft.
                self.changes.append(Change(kind, el.get(_q("author"), ""), el.get(_q("date"), ""),
                                           self._story.name, self._pos, self._pos, "\n"))
                return True
        for tag, kind in (("del", "deletion"), ("moveFrom", "move-from")):
            el = mark.find(_q(tag)) if mark is not None else None
            if el is not None and el.get(_q("author"), "") not in self.accepted:
                # The mark that ends this paragraph: the newline after its text.
                self.changes.append(Change(kind, el.get(_q("author"), ""), el.get(_q("date"), ""),
                                           self._story.name, self._pos, self._pos + 1, "\n"))
                break
        return False

    def _walk(self, el, change) -> None:
        for child in el:
            tag = _local(child)
            if tag in _CHANGE_TAGS and child.getparent() is not None and _local(child.getparent()) != "rPr":
                self._walk(child, child)
            elif tag == "r":
                self._run(child, change)
            elif tag in _PASS_THROUGH:
                self._walk(child, change)
            elif tag in ("oMath", "oMathPara"):
                self._text(MATH_MARK, change, child)
            elif tag == "commentRangeStart":
                self.starts.setdefault(child.get(_q("id")), (self._story.name, self._pos))
            elif tag == "commentRangeEnd":
                self.ends.setdefault(child.get(_q("id")), (self._story.name, self._pos))

    def _run(self, run, change) -> None:
        props = run.find(_q("rPr"))
        if props is not None and props.find(_q("vanish")) is not None:
            return      # hidden text: the fields that keep the chapter's number
        if props is not None and props.find(_q("rPrChange")) is not None:
            changed = props.find(_q("rPrChange"))
            text = "".join(t.text or "" for t in run.iter(_q("t")))
            if text.strip() and changed.get(_q("author"), "") not in self.accepted:
                self.changes.append(Change("format", changed.get(_q("author"), ""), changed.get(_q("date"), ""),
                                           self._story.name, self._pos, self._pos + len(text), text))
        for child in run:
            tag = _local(child)
            if tag in ("t", "delText"):
                self._text(child.text or "", change, child)
            elif tag == "tab":
                self._text("\t", change, child)
            elif tag in ("br", "cr"):
                self._text("\n" if child.get(_q("type")) in (None, "textWrapping") else "", change, child)
            elif tag == "noBreakHyphen":
                self._text("-", change, child)
            elif tag == "sym":
                self._text(chr(int(child.get(_q("char"), "20"), 16)) if child.get(_q("char")) else "", change, child)
            elif tag == "footnoteReference":
                self._text(FOOTNOTE_MARK, change, child)
            elif tag == "commentReference":
                self.references.setdefault(child.get(_q("id")), (self._story.name, self._pos))

    def _text(self, text: str, change, el) -> None:
        if not text:
            return
        if change is None:
            self._add(text)
            return
        kind = _CHANGE_TAGS[_local(change)]
        author = change.get(_q("author"), "")
        if author in self.accepted:
            if kind in ("insertion", "move-to"):
                self._add(text)
            return
        start = self._pos
        if kind in ("deletion", "move-from"):
            self._add(text)
        end = self._pos
        self.changes.append(Change(kind, author, change.get(_q("date"), ""), self._story.name, start, end, text,
                                   move=_move_name(change)))

    def merged_changes(self) -> list[Change]:
        """Pieces of one change written as several runs (Word splits them at every format change)
        joined: same kind, author and date, and adjacent in the text."""
        out: list[Change] = []
        for c in self.changes:
            last = out[-1] if out else None
            if (last is not None and last.kind == c.kind and last.author == c.author and last.date == c.date
                    and last.story == c.story
                    and (last.end == c.start if c.kind not in ("insertion", "move-to") else last.start == c.start)):
                last.end = c.end
                last.text += c.text
                continue
            out.append(Change(**vars(c)))
        return out


def _inside_paragraph(p) -> bool:
    parent = p.getparent()
    while parent is not None:
        if _local(parent) == "p":
            return True
        parent = parent.getparent()
    return False


def _move_name(change) -> str:
    """The name of a move's range (w:moveFromRangeStart/w:moveToRangeStart before it), which pairs
    the text taken away with the text put back."""
    kind = _local(change)
    if kind not in ("moveFrom", "moveTo"):
        return ""
    for el in change.itersiblings(preceding=True):
        if _local(el) == f"{kind}RangeStart":
            return el.get(_q("name"), "")
    parent = change.getparent()
    for el in parent.itersiblings(preceding=True) if parent is not None else ():
        found = [e for e in el.iter(_q(f"{kind}RangeStart"))]
        if found:
            return found[-1].get(_q("name"), "")
    return ""


# ---------------------------------------------------------------- comments

def _comment_text(el) -> str:
    paragraphs = []
    for p in el.iter(_q("p")):
        paragraphs.append("".join(t.text or "" for t in p.iter(_q("t"))).strip())
    return "\n".join(x for x in paragraphs if x)


def _comments(parts: dict[str, bytes], reader: _Reader) -> list[Comment]:
    if "word/comments.xml" not in parts:
        return []
    comments: list[Comment] = []
    for el in etree.fromstring(parts["word/comments.xml"]).iter(_q("comment")):
        cid = el.get(_q("id"), "")
        paragraphs = list(el.iter(_q("p")))
        para_id = paragraphs[-1].get(_q("paraId", W14), "") if paragraphs else ""
        comment = Comment(cid, el.get(_q("author"), ""), el.get(_q("date"), ""), _comment_text(el),
                          el.get(_q("initials"), ""), para_id)
        start = reader.starts.get(cid) or reader.references.get(cid)
        end = reader.ends.get(cid) or reader.references.get(cid) or start
        if start is not None:
            comment.story, comment.start = start
            comment.end = end[1] if end and end[0] == start[0] else comment.start
            if comment.end < comment.start:
                comment.start, comment.end = comment.end, comment.start
        comments.append(comment)
    extended: dict[str, tuple[str, bool]] = {}
    if "word/commentsExtended.xml" in parts:
        for ex in etree.fromstring(parts["word/commentsExtended.xml"]).iter(_q("commentEx", W15)):
            extended[ex.get(_q("paraId", W15), "")] = (ex.get(_q("paraIdParent", W15), ""),
                                                       ex.get(_q("done", W15)) in ("1", "true"))
    by_para = {c.para_id: c for c in comments if c.para_id}
    top: list[Comment] = []
    for c in comments:
        parent, c.done = extended.get(c.para_id, ("", False))
        if parent and parent in by_para and by_para[parent] is not c:
            c.parent = parent
    for c in comments:
        if c.parent:
            root = by_para[c.parent]
            while root.parent and root.parent in by_para and by_para[root.parent] is not root:
                root = by_para[root.parent]
            root.replies.append(c)
        elif c.para_id not in extended and _same_anchor(top, c) is not None:
            # Nothing says whose reply it is (Google Docs writes no commentsExtended, LibreOffice 7
            # only the done state): a comment on the very range of an earlier one, written after
            # it, is its reply.
            _same_anchor(top, c).replies.append(c)
        else:
            top.append(c)
    return top


def _same_anchor(top: list[Comment], c: Comment) -> Comment | None:
    """The earlier comment `c` answers when nothing says so: one on the very same range (Google
    Docs), or one with no range of its own right at the end of its range (LibreOffice 7's Reply,
    which also begins with a line quoting the comment it answers)."""
    if c.start is None:
        return None
    for other in reversed(top):
        same = (other.story, other.start, other.end) == (c.story, c.start, c.end)
        after = c.start == c.end and other.story == c.story and other.end == c.start and other.end > other.start
        if (same or after) and (other.date <= c.date or not c.date):
            # "Reply to Dr. Sari (03/12/26, 10:15): "sumber?"" (the whole comment, over its
            # paragraphs) goes; the answer stays.
            quote = f'"{other.text}"\n'
            at = c.text.find(quote)
            if other.text and at != -1 and "\n" not in c.text[:at]:
                c.text = c.text[at + len(quote):]
            return other
    return None


def short_date(date: str) -> str:
    """2026-12-03T10:15:00Z -> 2026-12-03."""
    m = re.match(r"\d{4}-\d{2}-\d{2}", date or "")
    return m.group(0) if m else ""
