"""Each page of a PDF named by what it draws, so that verify reads again only the pages an edit
changed.

A page draws what its page object and the objects it reaches hold: its content stream, its
resources (the fonts, with their widths and embedded programs, the images and forms) and its
annotations. A page's key is a hash over those objects, each referenced object replaced by its own
hash (object numbers are not kept: a new build numbers objects anew), except:
- the page's /Parent (the page tree, which lists every page);
- a reference to another page (a link's destination), which counts as that page's position only,
  not its content;
- /StructParents and /StructParent, the numbers of the page's and its annotations' entries in the
  document's structure tree, which count up through the whole document (a link added in chapter 3
  renumbers every later page's) and have no part in what verify measures.

The PDF is read as typst writes it: one file with a classic cross-reference table, each object
between its offset and the next one's. A file of another shape (object or cross-reference streams,
incremental updates) gets no keys, and verify reads every page."""

from __future__ import annotations

import hashlib
import re

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"(\d+) (\d+)[ \t]*\r?\n")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_HEAD = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_REF = re.compile(rb"(\d+)\s+(\d+)\s+R\b")
_KEY_REF = re.compile(rb"/(\w+)\s+(\d+)\s+\d+\s+R\b")
_STREAM = re.compile(rb"(?<=[>\s])stream\r?\n")
_STRUCT = re.compile(rb"/StructParents?\s+\d+")
_PARENT = re.compile(rb"/Parent\s+\d+\s+\d+\s+R\b")
_TYPE = re.compile(rb"/Type\s*/(\w+)")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_INHERITED = re.compile(rb"/(?:Resources|MediaBox|CropBox|Rotate)\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_END_STREAM = re.compile(rb"\r?\n?endstream\b")


def page_keys(data: bytes) -> list[str] | None:
    """A key for each page, in order, or None when the file is not of the shape this reads."""
    try:
        return _Reader(data).keys()
    except (ValueError, KeyError, IndexError, RecursionError):
        return None


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        end = _STARTXREF.search(data, max(0, len(data) - 64))
        if end is None:
            raise ValueError("no startxref")
        xref = int(end.group(1))
        if not data.startswith(b"xref", xref):
            raise ValueError("not a classic cross-reference table")
        offsets: dict[int, int] = {}
        at = xref + 4
        while True:
            while data[at:at + 1] in (b"\r", b"\n", b" "):
                at += 1
            section = _SUBSECTION.match(data, at)
            if section is None:
                break
            first, count = int(section.group(1)), int(section.group(2))
            at = section.end()
            for n in range(count):
                entry = _ENTRY.match(data, at)
                if entry is None:
                    raise ValueError("a bad cross-reference entry")
                if entry.group(3) == b"n":
                    offsets[first + n] = int(entry.group(1))
                at = entry.end()
                while data[at:at + 1] in (b"\r", b"\n", b" "):
                    at += 1
        if not data.startswith(b"trailer", at):
            raise ValueError("no trailer")
        trailer = data[at:data.index(b"startxref", at)]
        if b"/Prev" in trailer or b"/XRefStm" in trailer:
            raise ValueError("an incremental update")
        self.trailer = trailer
        # Each object runs from its offset to the next object's (or the table's).
        bounds = sorted(set(offsets.values()) | {xref})
        following = dict(zip(bounds, bounds[1:]))
        self.spans = {number: (offset, following[offset]) for number, offset in offsets.items()}
        self.hashes: dict[int, bytes] = {}
        self.budget = 50 * len(offsets) + 1000     # object visits, against a pathological graph

    def body(self, number: int) -> tuple[bytes, bytes]:
        """An object's dictionary (or value) and its stream's bytes (b"" for none)."""
        start, end = self.spans[number]
        head = _HEAD.match(self.data, start)
        if head is None or int(head.group(1)) != number:
            raise ValueError("an object is not at its offset")
        text = self.data[head.end():end]
        stream = _STREAM.search(text)
        if stream is None:
            return text, b""
        # The stream's length, and "endstream" right after it: the dictionary was cut where it ends.
        length = _LENGTH.search(text, 0, stream.start())
        if length is None or not _END_STREAM.match(text, stream.end() + int(length.group(1))):
            raise ValueError("a stream whose length is not where it ends")
        return text[:stream.start()], text[stream.end():]

    def pages(self) -> list[int]:
        refs = {m.group(1): int(m.group(2)) for m in _KEY_REF.finditer(self.trailer)}
        catalog, _ = self.body(refs[b"Root"])
        tree = {m.group(1): int(m.group(2)) for m in _KEY_REF.finditer(catalog)}
        out: list[int] = []
        self._kids(tree[b"Pages"], out, 0)
        return out

    def _kids(self, number: int, out: list[int], depth: int) -> None:
        if depth > 32:
            raise ValueError("a page tree too deep")
        value, _ = self.body(number)
        kind = _TYPE.search(value)
        if kind is not None and kind.group(1) == b"Page":
            if not (b"/Resources" in value and b"/MediaBox" in value):
                raise ValueError("a page that inherits its resources or size")
            out.append(number)
            return
        if _INHERITED.search(value):
            raise ValueError("a page-tree node that gives its pages attributes")
        kids = _KIDS.search(value)
        if kids is None:
            raise ValueError("a page-tree node without kids")
        for ref in _REF.finditer(kids.group(1)):
            self._kids(int(ref.group(1)), out, depth + 1)

    def keys(self) -> list[str]:
        pages = self.pages()
        self.page_index = {number: index for index, number in enumerate(pages)}
        return [self.hash(number, frozenset({number}), number).hex() for number in pages]

    def hash(self, number: int, path: frozenset[int], page: int) -> bytes:
        """An object's hash; `path` the objects being hashed around it (a reference back to one
        of them counts as a loop), `page` the page being keyed."""
        if number in self.hashes:
            return self.hashes[number]
        self.budget -= 1
        if self.budget < 0:
            raise ValueError("too many objects reached from the pages")
        value, stream = self.body(number)
        value = _STRUCT.sub(b"", _PARENT.sub(b"", value))
        digest = hashlib.blake2b(digest_size=16)
        looped = False
        last = 0
        for ref in _REF.finditer(value):
            digest.update(value[last:ref.start()])
            last = ref.end()
            target = int(ref.group(1))
            if target in self.page_index and target != page:
                digest.update(b"<page %d>" % self.page_index[target])
            elif target in path or target not in self.spans:
                digest.update(b"<loop>" if target in path else b"<none>")
                looped = True
            else:
                digest.update(self.hash(target, path | {target}, page))
        digest.update(value[last:])
        digest.update(b"\0stream\0" + stream)
        out = digest.digest()
        if not looped and number not in self.page_index:
            self.hashes[number] = out      # an object in a loop hashes as seen from where it was met
        return out
