#!/usr/bin/python3
"""A supervisor's review made by real LibreOffice: tracked changes and comments written into a DOCX.

    usage: libreoffice_edit.py IN.docx OUT.docx EDITS.json

Run it with a Python that has LibreOffice's `uno` module (the system one, /usr/bin/python3 with
python3-uno), not the project's venv. EDITS.json is a list of operations, applied in order:

    {"op": "insert", "before": "Kazakhstan yang", "text": "negara "}
    {"op": "delete", "text": " (Hopf, 2002)"}
    {"op": "replace", "text": "besar sekali", "new": "sangat besar"}
    {"op": "comment", "start": "negara besar.", "end": "Kebijakan multivektor", "text": "terlalu panjang",
     "reply": {"author": "Budi", "text": "sudah saya tambahkan"}}

Text is found at its first occurrence inside one paragraph (the body, table cells, then footnotes),
as the document shows it at that moment: text deleted by an earlier operation is still there, as a
tracked deletion. A comment without "end" covers "start"; with "end" it runs from the beginning of
"start" to the end of the first "end" after it, which may be in a later paragraph. "reply" may also
be a list of replies. Instead of a list the file may hold {"author": "Dr. Sari", "initials": "DS",
"track_changes": true, "edits": [...]}; those are the defaults.

How (see the LibreOffice 7.4 notes this was adapted from):
- A private headless soffice with its own profile in a temporary folder (so runs in parallel do not
  clash), whose user is the author, reached through a named pipe, and always stopped at the end.
- The DOCX is loaded as a bare model with no frame or view: with libreoffice-*-nogui (no .ui
  files) a view aborts soffice when a comment is added (it builds the sidebar's annotation.ui).
  XSearchable finds nothing without a view, so text is found by walking paragraphs with a cursor.
- Changes are recorded (Edit > Track Changes > Record); a replacement replaces the whole match, as
  Find & Replace does (a deletion then an insertion).
- LibreOffice 7.4 has no reply link on a comment (no ParentName). Its Reply command inserts a point
  comment right after the parent's anchor whose first paragraph quotes the parent, in italic at 80 %:
  `Reply to Dr. Sari (12/07/26, 15:12): "sumber?"`, and the answer in the next paragraph. That is
  what is done here.
- Saved with the filter "MS Word 2007 XML" (File > Save As > Word 2007-365).

Exit status 0 on success, 1 when LibreOffice fails, the text is not found or time runs out
(LO_EDIT_TIMEOUT seconds, 50 by default), 2 for a wrong command line or EDITS.json.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

PROG = "libreoffice_edit.py"
USAGE = "usage: %s IN.docx OUT.docx EDITS.json" % PROG
FILTER = "MS Word 2007 XML"


class Failure(Exception):
    """A failure with a message for the user."""


def fail(message, status=1):
    sys.stderr.write("%s: %s\n" % (PROG, message))
    sys.exit(status)


# ---------------------------------------------------------------------------- the edits file

def read_edits(path):
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as err:
        raise Failure("cannot read %s: %s" % (path, err))
    settings = {"author": "Dr. Sari", "initials": None, "track_changes": True}
    if isinstance(spec, dict):
        for key in settings:
            if key in spec:
                settings[key] = spec[key]
        spec = spec.get("edits")
    if not isinstance(spec, list):
        raise Failure("%s must hold a list of operations (or an object with \"edits\")" % path)
    if not isinstance(settings["author"], str) or not settings["author"].strip():
        raise Failure("\"author\" must be a name")
    if not isinstance(settings["track_changes"], bool):
        raise Failure("\"track_changes\" must be true or false")
    if settings["initials"] is None:
        settings["initials"] = initials_of(settings["author"])
    wanted = {"insert": ("before", "text"), "delete": ("text",), "replace": ("text", "new"),
              "comment": ("start", "text")}
    optional = {"comment": ("end", "reply", "author", "initials")}
    for n, op in enumerate(spec, 1):
        name = op.get("op") if isinstance(op, dict) else None
        if name not in wanted:
            raise Failure("operation %d: \"op\" must be one of %s" % (n, ", ".join(sorted(wanted))))
        for key in wanted[name]:
            if not isinstance(op.get(key), str) or not op[key]:
                raise Failure("operation %d (%s): \"%s\" must be a non-empty string" % (n, name, key))
        unknown = set(op) - {"op"} - set(wanted[name]) - set(optional.get(name, ()))
        if unknown:
            raise Failure("operation %d (%s): unknown key(s) %s" % (n, name, ", ".join(sorted(unknown))))
        if name == "comment":
            replies = op.get("reply", [])
            replies = [replies] if isinstance(replies, dict) else replies
            if not isinstance(replies, list) or not all(
                    isinstance(r, dict) and isinstance(r.get("author"), str) and isinstance(r.get("text"), str)
                    and r["author"] and r["text"] for r in replies):
                raise Failure("operation %d (comment): \"reply\" must be {\"author\": ..., \"text\": ...} "
                              "or a list of them" % n)
            op["reply"] = replies
            if "end" in op and (not isinstance(op["end"], str) or not op["end"]):
                raise Failure("operation %d (comment): \"end\" must be a non-empty string" % n)
    return settings, spec


def initials_of(name):
    return "".join(word[0] for word in name.split() if word[0].isalpha()).upper()


# ---------------------------------------------------------------------------- soffice

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.UserProfile/Data"><prop oor:name="givenname" oor:op="fuse"><value>%s</value></prop></item>
<item oor:path="/org.openoffice.UserProfile/Data"><prop oor:name="sn" oor:op="fuse"><value>%s</value></prop></item>
<item oor:path="/org.openoffice.UserProfile/Data"><prop oor:name="initials" oor:op="fuse"><value>%s</value></prop></item>
</oor:items>
"""


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_name(author):
    """LibreOffice's full name is "<given name> <surname>"."""
    given, _, surname = author.strip().rpartition(" ")
    return (given, surname) if given else (surname, "")


class Office:
    """A private headless soffice: own profile, own pipe, own process group."""

    def __init__(self, workdir, author, initials):
        self.workdir = workdir
        self.profile = os.path.join(workdir, "profile")
        self.log = os.path.join(workdir, "soffice.log")
        self.pipe = "lo-edit-%d-%s" % (os.getpid(), uuid.uuid4().hex[:12])
        os.makedirs(os.path.join(self.profile, "user"))
        given, surname = split_name(author)
        with open(os.path.join(self.profile, "user", "registrymodifications.xcu"), "w", encoding="utf-8") as f:
            f.write(PROFILE_XCU % (xml_escape(given), xml_escape(surname), xml_escape(initials)))
        self.proc = None
        self.ctx = None

    def start(self, deadline):
        import uno
        from com.sun.star.connection import NoConnectException

        soffice = shutil.which("soffice")
        if soffice is None:
            raise Failure("soffice is not on PATH (install LibreOffice Writer)")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                 "--nolockcheck", "-env:UserInstallation=" + uno.systemPathToFileUrl(self.profile),
                 "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % self.pipe],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % self.pipe
        while True:
            try:
                self.ctx = resolver.resolve(url)
                return self.ctx
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise Failure("soffice ended (status %s) before it could be reached: %s"
                                  % (self.proc.returncode, self.log_tail()))
                if time.monotonic() > deadline:
                    raise Failure("soffice did not answer in time: %s" % self.log_tail())
                time.sleep(0.2)

    def log_tail(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                text = f.read().strip()
        except OSError:
            text = ""
        return text[-1500:] or "(nothing in its log)"

    def kill(self):
        """Every process of soffice's group (the launcher, oosplash, soffice.bin)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def stop(self):
        if self.proc is None:
            return
        if self.ctx is not None and self.proc.poll() is None:
            try:
                desktop = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
                desktop.terminate()
            except Exception:
                pass        # it may go away while answering (DisposedException)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        self.kill()     # what is left of the group, if anything


# ---------------------------------------------------------------------------- the document

def pv(name, value):
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def open_model(ctx, path):
    """The document as a bare model, with no frame or view (see the module's docstring)."""
    import uno

    doc = ctx.ServiceManager.createInstanceWithContext("com.sun.star.text.TextDocument", ctx)
    doc.load((pv("URL", uno.systemPathToFileUrl(path)), pv("FilterName", FILTER)))
    return doc


def paragraphs(doc):
    """Every paragraph in document order: the body (inside table cells too), then the footnotes."""
    def walk(text):
        e = text.createEnumeration()
        while e.hasMoreElements():
            el = e.nextElement()
            if el.supportsService("com.sun.star.text.Paragraph"):
                yield el
            elif el.supportsService("com.sun.star.text.TextTable"):
                for name in el.getCellNames():
                    yield from walk(el.getCellByName(name))

    yield from walk(doc.getText())
    notes = doc.getFootnotes()
    for i in range(notes.getCount()):
        yield from walk(notes.getByIndex(i))


def characters(par):
    """What each cursor position of the paragraph shows. A field or a footnote mark is one position
    whose string may be longer or empty (a comment's anchor), so offsets in the paragraph's string are
    not cursor offsets."""
    text = par.getText()
    c = text.createTextCursorByRange(par.getStart())
    out = []
    while not c.isEndOfParagraph():
        if not c.goRight(1, True):
            break
        out.append(c.getString())
        c.collapseToEnd()
    return out


class Found:
    def __init__(self, index, par, first, last):
        self.index, self.par, self.first, self.last = index, par, first, last   # cursor positions

    def cursor(self):
        text = self.par.getText()
        c = text.createTextCursorByRange(self.par.getStart())
        c.goRight(self.first, False)
        c.goRight(self.last - self.first, True)
        return c


def find(doc, words, after=None):
    """The first occurrence of `words` inside one paragraph (at or after `after`, a Found)."""
    for quick in (True, False):
        for index, par in enumerate(paragraphs(doc)):
            if after is not None and index < after.index:
                continue
            if quick and words not in par.getString():
                continue
            chars = characters(par)
            starts, pos = [], 0
            for ch in chars:
                starts.append(pos)
                pos += len(ch)
            starts.append(pos)
            joined = "".join(chars)
            at = joined.find(words, starts[after.first] if after is not None and index == after.index else 0)
            while at != -1:
                # Skip empty positions (comment anchors) before the words and after them.
                first = max((k for k in range(len(starts)) if starts[k] == at), default=None)
                last = min((k for k in range(len(starts)) if starts[k] == at + len(words)), default=None)
                if first is not None and last is not None:
                    found = Found(index, par, first, last)
                    got = found.cursor().getString()
                    if got != words:
                        raise Failure("found %r but the cursor selects %r" % (words, got))
                    return found
                at = joined.find(words, at + 1)      # it starts or ends inside a field: not these words
    raise Failure("%r is not in the document%s" % (words, " after the comment's start" if after else ""))


def now():
    import uno

    t = time.localtime()
    dt = uno.createUnoStruct("com.sun.star.util.DateTime")
    dt.Year, dt.Month, dt.Day = t.tm_year, t.tm_mon, t.tm_mday
    dt.Hours, dt.Minutes, dt.Seconds = t.tm_hour, t.tm_min, t.tm_sec
    return dt


def write_paragraphs(text, lines, quote_lines=0):
    """The comment's text as paragraphs; the first `quote_lines` in italic at 80 % (a reply's quote).
    It must be built before the comment is inserted: without a view, later edits are lost."""
    import uno
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

    text.setString("")
    for n, line in enumerate(lines):
        c = text.createTextCursor()
        c.gotoEnd(False)
        if n:
            text.insertControlCharacter(c, PARAGRAPH_BREAK, False)
            c.gotoEnd(False)
        start = c.getStart()
        text.insertString(c, line, False)
        c = text.createTextCursorByRange(start)
        c.gotoEnd(True)
        if n < quote_lines:
            c.CharPosture = uno.Enum("com.sun.star.awt.FontSlant", "ITALIC")
            c.CharHeight = c.CharHeight * 0.8
        else:
            c.CharPosture = uno.Enum("com.sun.star.awt.FontSlant", "NONE")
            c.setPropertyToDefault("CharHeight")


def add_comment(doc, rng, text, author, initials, quote=None, point=False):
    a = doc.createInstance("com.sun.star.text.textfield.Annotation")
    a.Author = author
    a.Initials = initials
    a.DateTimeValue = now()
    lines = (quote.split("\n") if quote else []) + text.split("\n")
    a.Content = "\n".join(lines)
    if len(lines) > 1:
        write_paragraphs(a.TextRange.getText(), lines, len(lines) - len(text.split("\n")))
    # Absorbing a selection makes a range comment (an annotation mark); a point comment absorbs nothing.
    rng.getText().insertTextContent(rng, a, not point)
    return a


def reply_to(doc, parent, reply, previous):
    """What LibreOffice 7.4's Reply does (SwAnnotationWin::InitAnswer): a point comment right after
    the parent's anchor (after the `previous` reply's, for a second one), quoting the parent's whole
    text."""
    d = parent.DateTimeValue
    quote = 'Reply to %s (%02d/%02d/%02d, %02d:%02d): "%s"' % (
        parent.Author, d.Month, d.Day, d.Year % 100, d.Hours, d.Minutes, parent.Content)
    anchor = previous.getAnchor()
    c = anchor.getText().createTextCursorByRange(anchor.getEnd())
    return add_comment(doc, c, reply["text"], reply["author"], reply.get("initials") or initials_of(reply["author"]),
                       quote=quote, point=True)


def apply(doc, n, op, settings):
    name = op["op"]
    try:
        if name == "insert":
            r = find(doc, op["before"]).cursor()
            r.getText().insertString(r.getStart(), op["text"], False)
        elif name == "delete":
            find(doc, op["text"]).cursor().setString("")
        elif name == "replace":
            find(doc, op["text"]).cursor().setString(op["new"])
        elif name == "comment":
            start = find(doc, op["start"])
            rng = start.cursor()
            if op.get("end"):
                end = find(doc, op["end"], after=start)
                if end.par.getText() != start.par.getText():
                    raise Failure("a comment cannot run from the body into a table cell or a footnote")
                rng = start.par.getText().createTextCursorByRange(rng.getStart())
                rng.gotoRange(end.cursor().getEnd(), True)
            parent = add_comment(doc, rng, op["text"], op.get("author", settings["author"]),
                                 op.get("initials") or (initials_of(op["author"]) if "author" in op
                                                        else settings["initials"]))
            previous = parent
            for reply in op["reply"]:
                previous = reply_to(doc, parent, reply, previous)
    except Failure as err:
        raise Failure("operation %d (%s): %s" % (n, name, err))


# ---------------------------------------------------------------------------- main

def main(argv):
    if len(argv) != 3 or argv[0] in ("-h", "--help"):
        fail(USAGE, 2)
    source, target, edits = (os.path.abspath(a) for a in argv)
    if not os.path.isfile(source):
        fail("%s: there is no such file" % source, 2)
    try:
        settings, ops = read_edits(edits)
    except Failure as err:
        fail(str(err), 2)
    try:
        import uno  # noqa: F401
    except ImportError:
        fail("this Python (%s) has no `uno` module; run it with the system python3 that has python3-uno"
             % sys.executable, 1)

    timeout = float(os.environ.get("LO_EDIT_TIMEOUT", "50"))

    def work(ctx, workdir, started):
        doc = open_model(ctx, source)
        if settings["track_changes"]:
            doc.RecordChanges = True
        for n, op in enumerate(ops, 1):
            apply(doc, n, op, settings)
        import uno

        tmp_out = os.path.join(workdir, "out.docx")
        doc.storeToURL(uno.systemPathToFileUrl(tmp_out), (pv("FilterName", FILTER), pv("Overwrite", True)))
        doc.close(True)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.move(tmp_out, target)
        print("saved %s (%d operations, %.1fs)" % (target, len(ops), time.monotonic() - started))

    run_session(PROG, settings["author"], settings["initials"], timeout, "lo-edit-", work)


def run_session(prog, author, initials, timeout, prefix, work):
    """work(ctx, workdir, started) against a private soffice whose user is `author`, started and
    always stopped here; a failure, or `timeout` seconds passing, ends the program through fail()."""
    started = time.monotonic()
    deadline = started + timeout
    workdir = tempfile.mkdtemp(prefix=prefix)
    office = Office(workdir, author, initials)
    timed_out = threading.Event()
    finished = threading.Event()

    def watchdog():
        # A UNO call that hangs cannot be interrupted: stop soffice, which makes it fail; and leave
        # anyway if even that does not end it.
        timed_out.set()
        office.kill()
        if not finished.wait(10):
            sys.stderr.write("%s: timed out after %gs and soffice did not let go\n" % (prog, timeout))
            os._exit(1)

    timer = threading.Timer(timeout, watchdog)
    timer.daemon = True
    timer.start()
    status, message = 0, ""
    try:
        work(office.start(deadline), workdir, started)
    except Failure as err:
        status, message = 1, str(err)
    except Exception as err:      # UNO exceptions, or soffice gone
        status, message = 1, "%s: %s" % (type(err).__name__, getattr(err, "Message", "") or err)
        if office.proc is not None and office.proc.poll() is not None:
            message += " (soffice ended: %s)" % office.log_tail()
    finally:
        timer.cancel()
        if timed_out.is_set() and status:
            message = "timed out after %gs (LO_EDIT_TIMEOUT); soffice's log: %s" % (timeout, office.log_tail())
        if not timed_out.is_set():
            office.stop()
        finished.set()
        shutil.rmtree(workdir, ignore_errors=True)
    if status:
        fail(message, status)

if __name__ == "__main__":
    main(sys.argv[1:])
