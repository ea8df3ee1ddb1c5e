#!/usr/bin/python3
"""A user's edit of the thesis's DOCX in real LibreOffice, then Tools > Update > Update All, then PDF.

    usage: libreoffice_fields.py OUT_DIR IN.docx [IN.docx ...]

Run it with a Python that has LibreOffice's `uno` module (the system one, /usr/bin/python3 with
python3-uno), not the project's venv. For each IN.docx, in one private soffice (see
libreoffice_edit.py, whose Office and helpers are used here):

- a new paragraph in the style "Heading 2", "Subbab Baru", is put before the first level-2 heading
  (a user's Enter at the end of the chapter's heading, then the style Heading 2);
- the first "Image Caption" paragraph is duplicated right above itself, its fields included: each
  field of the caption becomes a new field of the same number range with the same formula, as Copy
  and Paste of the paragraph makes it; the text is copied as it is;
- every field is updated, then every index (Daftar Isi, Daftar Gambar), then the fields again, as
  Tools > Update > Update All does;
- the document is exported as OUT_DIR/<name of IN>.pdf (what LibreOffice shows: its text export
  would also print hidden text).

The document is loaded with a hidden view, read-only: an index cannot be updated in a bare model
(soffice 7.4 crashes on XDocumentIndex.update() with no layout), and loading the DOCX editable with a
view fails with libreoffice-*-nogui because its w:updateFields asks a question on opening. Read-only
only keeps LibreOffice from asking; the API still edits the document, which is never saved as DOCX.

Exit status 0 on success, 1 when LibreOffice fails, a paragraph to edit is missing or time runs out
(LO_EDIT_TIMEOUT seconds, 90 by default), 2 for a wrong command line.
"""

import os
import sys
import time

from libreoffice_edit import FILTER, Failure, paragraphs, pv, run_session    # a sibling: run this file by its path

PROG = "libreoffice_fields.py"
USAGE = "usage: %s OUT_DIR IN.docx [IN.docx ...]" % PROG
NEW_HEADING = "Subbab Baru"


def fail(message, status=1):
    sys.stderr.write("%s: %s\n" % (PROG, message))
    sys.exit(status)


def load(ctx, path):
    import uno

    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (
        pv("Hidden", True), pv("ReadOnly", True), pv("FilterName", FILTER)))
    if doc is None:
        raise Failure("LibreOffice could not open %s" % path)
    return doc


def new_paragraph_after(doc, par, style):
    """A cursor in a new, empty paragraph of `style` right after `par` (Enter at its end)."""
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

    text = par.getText()
    c = text.createTextCursorByRange(par.getEnd())
    text.insertControlCharacter(c, PARAGRAPH_BREAK, False)
    c.ParaStyleName = style
    return c


def first(pars, style):
    for n, par in enumerate(pars):
        if par.ParaStyleName == style and n > 0:
            return n
    raise Failure("no paragraph in the style %r after another paragraph" % style)


def insert_heading(doc):
    pars = list(paragraphs(doc))
    n = first(pars, "Heading 2")
    c = new_paragraph_after(doc, pars[n - 1], "Heading 2")
    c.getText().insertString(c, NEW_HEADING, False)


def duplicate_caption(doc):
    pars = list(paragraphs(doc))
    n = first(pars, "Image Caption")
    caption = pars[n]
    c = new_paragraph_after(doc, pars[n - 1], caption.ParaStyleName)
    text = c.getText()
    portions = caption.createEnumeration()
    while portions.hasMoreElements():
        portion = portions.nextElement()
        kind = portion.TextPortionType
        if kind == "Text":
            text.insertString(c, portion.getString(), False)
        elif kind == "TextField":
            field = portion.TextField
            if not field.supportsService("com.sun.star.text.textfield.SetExpression"):
                raise Failure("the caption holds a field that is no number range: %s"
                              % ", ".join(field.getSupportedServiceNames()))
            copy = doc.createInstance("com.sun.star.text.textfield.SetExpression")
            for name in ("SubType", "NumberingType", "Content", "IsVisible"):
                copy.setPropertyValue(name, field.getPropertyValue(name))
            copy.attachTextFieldMaster(field.getTextFieldMaster())
            text.insertTextContent(c, copy, False)
        # bookmarks are left behind, as they stay with the original when a paragraph is copied


def update_all(doc):
    fields = doc.getTextFields()
    fields.refresh()
    indexes = doc.getDocumentIndexes()
    for n in range(indexes.getCount()):
        indexes.getByIndex(n).update()
    fields.refresh()


def main(argv):
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        fail(USAGE, 2)
    out_dir, sources = os.path.abspath(argv[0]), [os.path.abspath(a) for a in argv[1:]]
    for source in sources:
        if not os.path.isfile(source):
            fail("%s: there is no such file" % source, 2)
    try:
        import uno
    except ImportError:
        fail("this Python (%s) has no `uno` module; run it with the system python3 that has python3-uno"
             % sys.executable, 1)

    timeout = float(os.environ.get("LO_EDIT_TIMEOUT", "90"))

    def work(ctx, workdir, started):
        os.makedirs(out_dir, exist_ok=True)
        for source in sources:
            doc = load(ctx, source)
            insert_heading(doc)
            duplicate_caption(doc)
            update_all(doc)
            target = os.path.join(out_dir, os.path.splitext(os.path.basename(source))[0] + ".pdf")
            doc.storeToURL(uno.systemPathToFileUrl(target), (pv("FilterName", "writer_pdf_Export"),
                                                              pv("Overwrite", True)))
            doc.close(True)
            print("saved %s (%.1fs)" % (target, time.monotonic() - started))

    run_session(PROG, "Thesis Student", "TS", timeout, "lo-fields-", work)

if __name__ == "__main__":
    main(sys.argv[1:])
