"""A supervisor's edits to one of the tool's drafts, written into its XML the way Word, LibreOffice
or Google Docs write them: tracked insertions, deletions, replacements and moves, comments with
replies, in the body, a caption, a table or a footnote. The tests build returned files with it."""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
NS = {"w": W}
REL_EXTENDED = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
REL_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
CT_EXTENDED = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"


def q(tag: str, ns: str = W) -> str:
    return f"{{{ns}}}{tag}"


class Returned:
    """Edits to a draft as one editor saves them. `editor` is "word", "libreoffice" or "gdocs"."""

    def __init__(self, draft: Path, editor: str = "word", author: str = "Dr. Sari",
                 date: str = "2026-12-03T10:15:00Z"):
        with zipfile.ZipFile(draft) as z:
            self.names = z.namelist()
            self.parts = {n: z.read(n) for n in self.names}
        self.editor, self.author, self.date = editor, author, date
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.notes = etree.fromstring(self.parts["word/footnotes.xml"]) if "word/footnotes.xml" in self.parts else None
        self.comments: list[etree._Element] = []
        self.extended: list[tuple[str, str, bool]] = []     # paraId, parent paraId, done
        self._id = 900
        self._para = 0x10000000

    # ------------------------------------------------------------ finding and splitting runs

    def _paragraphs(self, where: str):
        root = self.notes if where == "footnotes" else self.doc
        return list(root.iter(q("p")))

    def _runs_for(self, text: str, where: str = "body", occurrence: int = 0):
        """Split runs so that `text` (inside one paragraph) is made of whole runs; those runs."""
        seen = 0
        for p in self._paragraphs(where):
            runs = [r for r in p.iter(q("r")) if r.find(q("t")) is not None and r.getparent().tag != q("del")]
            joined = "".join(r.find(q("t")).text or "" for r in runs)
            at = joined.find(text)
            while at != -1 and seen < occurrence:
                seen += 1
                at = joined.find(text, at + 1)
            if at == -1:
                continue
            self._split(runs, at)
            runs = [r for r in p.iter(q("r")) if r.find(q("t")) is not None and r.getparent().tag != q("del")]
            self._split(runs, at + len(text))
            runs = [r for r in p.iter(q("r")) if r.find(q("t")) is not None and r.getparent().tag != q("del")]
            out, pos = [], 0
            for r in runs:
                t = r.find(q("t")).text or ""
                if at <= pos < at + len(text):
                    out.append(r)
                pos += len(t)
            return p, out
        raise AssertionError(f"{text!r} not in the draft's {where}")

    @staticmethod
    def _split(runs, offset: int) -> None:
        pos = 0
        for r in runs:
            t = r.find(q("t"))
            text = t.text or ""
            if pos < offset < pos + len(text):
                cut = offset - pos
                second = copy.deepcopy(r)
                t.text = text[:cut]
                second.find(q("t")).text = text[cut:]
                for el in (t, second.find(q("t"))):
                    el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.addnext(second)
                return
            pos += len(text)

    def _change(self, tag: str, same_id: int | None = None):
        el = etree.Element(q(tag))
        el.set(q("id"), str(same_id if same_id is not None else self._next()))
        el.set(q("author"), self.author)
        el.set(q("date"), self.date)
        return el

    def _next(self) -> int:
        self._id += 1
        return self._id

    @staticmethod
    def _new_run(text: str, like=None):
        r = etree.Element(q("r"))
        if like is not None and like.find(q("rPr")) is not None:
            r.append(copy.deepcopy(like.find(q("rPr"))))
        t = etree.SubElement(r, q("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return r

    # ------------------------------------------------------------ tracked changes

    def insert(self, before: str, text: str, where: str = "body") -> "Returned":
        """Insert `text` just before the words `before`."""
        _, runs = self._runs_for(before, where)
        ins = self._change("ins")
        ins.append(self._new_run(text, runs[0]))
        runs[0].addprevious(ins)
        return self

    def insert_after(self, after: str, text: str, where: str = "body") -> "Returned":
        _, runs = self._runs_for(after, where)
        ins = self._change("ins")
        ins.append(self._new_run(text, runs[-1]))
        runs[-1].addnext(ins)
        return self

    def delete(self, text: str, where: str = "body", same_id: int | None = None):
        _, runs = self._runs_for(text, where)
        dele = self._change("del", same_id)
        runs[0].addprevious(dele)
        for r in runs:
            t = r.find(q("t"))
            t.tag = q("delText")
            dele.append(r)
        return dele

    def replace(self, text: str, new: str, where: str = "body") -> "Returned":
        if self.editor == "gdocs":
            # Google Docs: the insertion first, then the deletion, under one id.
            dele = self.delete(text, where)
            ins = self._change("ins", int(dele.get(q("id"))))
            ins.append(self._new_run(new, dele[0]))
            dele.addprevious(ins)
        else:
            dele = self.delete(text, where)
            ins = self._change("ins")
            ins.append(self._new_run(new, dele[-1]))
            dele.addnext(ins)
        return self

    def untracked(self, text: str, new: str, where: str = "body") -> "Returned":
        """Words changed with Track Changes off: the text is simply different."""
        _, runs = self._runs_for(text, where)
        runs[0].find(q("t")).text = new
        for r in runs[1:]:
            r.getparent().remove(r)
        return self

    def bold(self, text: str) -> "Returned":
        """Words made bold with Track Changes on: the run's old properties in w:rPrChange."""
        _, runs = self._runs_for(text)
        for r in runs:
            rpr = r.find(q("rPr"))
            if rpr is None:
                rpr = etree.Element(q("rPr"))
                r.insert(0, rpr)
            old = etree.Element(q("rPrChange"))
            for key, value in (("id", str(self._next())), ("author", self.author), ("date", self.date)):
                old.set(q(key), value)
            old.append(copy.deepcopy(rpr))
            etree.SubElement(rpr, q("b"))
            rpr.append(old)
        return self

    def move(self, text: str, before: str) -> "Returned":
        """Move `text` to just before the words `before` (Word: named ranges; LibreOffice: none)."""
        _, runs = self._runs_for(text)
        name = f"move{self._next()}"
        src = self._change("moveFrom")
        runs[0].addprevious(src)
        for r in runs:
            src.append(r)
        _, targets = self._runs_for(before)
        dst = self._change("moveTo")
        dst.append(self._new_run(text, targets[0]))
        targets[0].addprevious(dst)
        if self.editor == "word":
            for el, kind in ((src, "moveFrom"), (dst, "moveTo")):
                start = etree.Element(q(f"{kind}RangeStart"))
                start.set(q("id"), str(self._next()))
                start.set(q("author"), self.author)
                start.set(q("date"), self.date)
                start.set(q("name"), name)
                end = etree.Element(q(f"{kind}RangeEnd"))
                end.set(q("id"), start.get(q("id")))
                el.addprevious(start)
                el.addnext(end)
        return self

    def move_paragraph(self, text: str, before: str) -> "Returned":
        """The paragraph holding `text` moved, whole, before the one holding `before` (Word: the runs
        and the paragraph mark in w:moveFrom / w:moveTo, with named ranges)."""
        source, _ = self._runs_for(text)
        target, _ = self._runs_for(before)
        moved = copy.deepcopy(source)
        name = f"move{self._next()}"
        for p, kind in ((moved, "moveTo"), (source, "moveFrom")):
            ppr = p.find(q("pPr"))
            if ppr is None:
                ppr = etree.Element(q("pPr"))
                p.insert(0, ppr)
            rpr = ppr.find(q("rPr"))
            if rpr is None:
                rpr = etree.SubElement(ppr, q("rPr"))
            rpr.append(self._change(kind))
            for run in [r for r in p if r.tag == q("r")]:
                wrap = self._change(kind)
                run.addprevious(wrap)
                wrap.append(run)
            start = etree.Element(q(f"{kind}RangeStart"))
            for key, value in (("id", str(self._next())), ("author", self.author), ("date", self.date), ("name", name)):
                start.set(q(key), value)
            ppr.addnext(start)
        target.addprevious(moved)
        return self

    def new_paragraph_after(self, after_text: str, text: str) -> "Returned":
        """A whole new paragraph after the one holding `after_text`, typed with Track Changes on."""
        p, _ = self._runs_for(after_text)
        new = etree.Element(q("p"))
        if p.find(q("pPr")) is not None:
            new.append(copy.deepcopy(p.find(q("pPr"))))
        else:
            etree.SubElement(new, q("pPr"))
        ppr = new.find(q("pPr"))
        rpr = ppr.find(q("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, q("rPr"))
        rpr.append(self._change("ins"))
        ins = self._change("ins")
        ins.append(self._new_run(text))
        new.append(ins)
        p.addnext(new)
        return self

    # ------------------------------------------------------------ comments

    def comment(self, start: str, text: str, end: str | None = None, author: str | None = None,
                date: str | None = None, replies: list[tuple[str, str]] = (), done: bool = False,
                where: str = "body") -> "Returned":
        """A comment on the words `start` (through the words `end`, maybe in a later paragraph)."""
        _, first = self._runs_for(start, where)
        last = self._runs_for(end, where)[1] if end else first
        cid = len(self.comments)
        parent_para = self._comment(cid, text, author or self.author, date or self.date, done)
        marks = [(cid, None)]
        for i, (who, words) in enumerate(replies):
            rid = len(self.comments)
            self._comment(rid, words, who, (date or self.date).replace("10:", f"1{i + 1}:"), False,
                          parent=parent_para if self.editor == "word" else None)
            marks.append((rid, parent_para))
        for mid, _ in marks:
            s = etree.Element(q("commentRangeStart"))
            s.set(q("id"), str(mid))
            first[0].addprevious(s)
        anchor = last[-1]
        for mid, _ in marks:
            e = etree.Element(q("commentRangeEnd"))
            e.set(q("id"), str(mid))
            anchor.addnext(e)
            ref = etree.Element(q("r"))
            cr = etree.SubElement(ref, q("commentReference"))
            cr.set(q("id"), str(mid))
            e.addnext(ref)
            anchor = ref
        return self

    def _comment(self, cid: int, text: str, author: str, date: str, done: bool, parent: str | None = None) -> str:
        c = etree.Element(q("comment"), nsmap={"w": W, "w14": W14})
        c.set(q("id"), str(cid))
        c.set(q("author"), author)
        c.set(q("date"), date)
        if self.editor == "word":
            c.set(q("initials"), "".join(w[0] for w in author.replace(".", " ").split()))
        self._para += 1
        para = f"{self._para:08X}"
        p = etree.SubElement(c, q("p"))
        p.set(q("paraId", W14), para)
        if self.editor == "word":
            r = etree.SubElement(p, q("r"))
            etree.SubElement(r, q("annotationRef"))
        r = etree.SubElement(p, q("r"))
        t = etree.SubElement(r, q("t"))
        t.text = text
        self.comments.append(c)
        if self.editor == "word" or (self.editor == "libreoffice" and done):
            self.extended.append((para, parent or "", done))
        return para

    # ------------------------------------------------------------ writing

    def save(self, path: Path, keep_properties: bool = True) -> Path:
        parts = dict(self.parts)
        parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8", standalone=True)
        if self.notes is not None:
            parts["word/footnotes.xml"] = etree.tostring(self.notes, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        root = etree.Element(q("comments"), nsmap={"w": W, "w14": W14})
        for c in self.comments:
            root.append(c)
        parts["word/comments.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        rels = parts["word/_rels/document.xml.rels"].decode()
        types = parts["[Content_Types].xml"].decode()
        if REL_COMMENTS not in rels:
            rels = rels.replace("</Relationships>", f'<Relationship Id="rIdC1" Type="{REL_COMMENTS}" '
                                                   f'Target="comments.xml"/></Relationships>')
        if "/word/comments.xml" not in types:
            types = types.replace("</Types>", f'<Override PartName="/word/comments.xml" ContentType="{CT_COMMENTS}"/></Types>')
        if self.extended:
            ex = etree.Element(q("commentsEx", W15), nsmap={"w15": W15})
            for para, parent, done in self.extended:
                e = etree.SubElement(ex, q("commentEx", W15))
                e.set(q("paraId", W15), para)
                if parent:
                    e.set(q("paraIdParent", W15), parent)
                e.set(q("done", W15), "1" if done else "0")
            parts["word/commentsExtended.xml"] = etree.tostring(ex, xml_declaration=True, encoding="UTF-8",
                                                                standalone=True)
            rels = rels.replace("</Relationships>", f'<Relationship Id="rIdC2" Type="{REL_EXTENDED}" '
                                                   f'Target="commentsExtended.xml"/></Relationships>')
            types = types.replace("</Types>", f'<Override PartName="/word/commentsExtended.xml" '
                                              f'ContentType="{CT_EXTENDED}"/></Types>')
        parts["word/_rels/document.xml.rels"] = rels.encode()
        parts["[Content_Types].xml"] = types.encode()
        if not keep_properties or self.editor == "gdocs":
            # Google Docs keeps no document properties.
            parts = {n: b for n, b in parts.items() if not n.startswith("docProps/")}
            types = parts["[Content_Types].xml"].decode()
            parts["[Content_Types].xml"] = types.encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name in [n for n in self.names if n in parts] + sorted(set(parts) - set(self.names)):
                z.writestr(name, parts[name])
        path.write_bytes(out.getvalue())
        return path
