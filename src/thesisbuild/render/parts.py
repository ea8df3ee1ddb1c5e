"""The thesis converted piece by piece, each piece once per change, once for every output.

The staged thesis is the front matter, each chapter, and the back matter (reference list and
appendices); a long chapter is cut into pieces of a few of its level-2 sections (split_chapter).
pandoc reads each piece on its own into the format-neutral document (pandoc's JSON, after the
LaTeX, cross-reference, image and citation filters: no output format's own markup but the raw
blocks the template stages for each), and the result is kept in build/cache/json/ under a hash of
everything that goes into it: the piece's staged text, the labels and numbers of the whole thesis,
the numbering the piece starts from, the citations it depends on, the bibliography, the style, the
filters, pandoc and thesisbuild. An edit to one section reads its piece again and reuses the rest,
for the PDF and the DOCX alike. The PDF writes each piece to typst on its own (cached the same
way); the DOCX writes the pieces joined into one document.

What a piece cannot know on its own is given to it:
- the numbering it starts from: the chapter, level-2 section, figures, tables, equations and
  listings the pieces before it reach ("chapter;section;figures;tables;equations;listings");
- the labels of the other pieces, with their numbers, written as references to labels of the
  same document (the outputs resolve them across the whole thesis);
- the citations of the whole thesis, in the order it first cites them, in a block in front of the
  piece that is dropped after citeproc (filters/parts.lua): a numeric style numbers the works as
  in the whole thesis, disambiguation ("2020a") sees every work it depends on, and the reference
  list in the back matter lists them all (under an author-date style a piece gets only the works
  that share a name with its own citations: see _primes).
A heading whose automatic identifier an earlier piece already has gets "-1", "-2", ... as in one
pandoc run over the whole thesis (unique_ids)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..fsutil import write_atomic
from ..pandoc import pandoc_path, run_pandoc
from .document import CROSSREF_FILTER, LATEX_FILTER, READER, PreparedDocument

FILTERS = Path(__file__).resolve().parent.parent / "filters"
PARTS_FILTER = FILTERS / "parts.lua"
_KEY = re.compile(r"(?<![\w.])@\{?([\w][\w:.#$%&\-+?<>~/]*[\w])\}?")
_LINE = re.compile(r"\bline (\d+)")
_NUMBERED_ID = re.compile(r"-\d+$")

# What the last conversion did, by output format: the indexes of the pieces pandoc converted
# (the others came from the cache).
last_converted: dict[str, list[int]] = {}


def cache_dir(doc: PreparedDocument) -> Path:
    return doc.thesis.build_dir / "cache"


@dataclass(frozen=True)
class Piece:
    """A part of the thesis, or a run of sections of a long chapter, converted on its own."""
    text: str
    first_line: int       # the staged line it begins on
    back: bool            # the back matter, with the reference list


def pieces(doc: PreparedDocument) -> list[Piece]:
    """The parts of the thesis, each long chapter cut into runs of its level-2 sections (see
    split_chapter); found once per prepared document."""
    if doc.pieces is None:
        split = _style_class(doc.thesis.csl) == "in-text"
        out = []
        for index, text in enumerate(doc.parts):
            first = _first_line(doc.parts, index)
            chapter = 0 < index < len(doc.parts) - 1
            for piece in (split_chapter(text) if chapter and split else [text]):
                out.append(Piece(piece, first, index == len(doc.parts) - 1))
                first += piece.count("\n") + 1
        doc.pieces = out
    return doc.pieces


def neutral_parts(doc: PreparedDocument) -> list[str]:
    """Each piece of the thesis as a format-neutral pandoc JSON document, from the cache or read now.

    A piece needs the labels of the whole thesis and the numbering its start has reached (the
    chapter, the section and the figures, tables, equations and listings before it), which an
    edited piece may have changed. After an edit, the piece is read with the labels and numbering
    of the last build while it is scanned beside it: when the scan finds them unchanged (the usual
    case: a sentence was written), the piece is done; otherwise the pieces whose numbering changed
    are read again. Read once per prepared document."""
    if doc.neutral is not None:
        return doc.neutral
    last = _last_labels(doc)
    if last is not None and _scan_pending(doc):
        with ThreadPoolExecutor(max_workers=1) as pool:
            scanning = pool.submit(scan_labels, doc)
            jobs = _read_parts(doc, *last)
            labels, states = scanning.result()
        if (labels, states) != last:
            jobs = _read_parts(doc, labels, states)
    else:
        labels, states = scan_labels(doc)
        jobs = _read_parts(doc, labels, states)
    out = []
    for path in jobs:
        notes = json.loads(_notes(path).read_text(encoding="utf-8"))
        doc.check_pandoc(notes["err"])
        out.append((path.read_text(encoding="utf-8"), notes["ids"]))
    folder = cache_dir(doc) / "json"
    _prune(folder, {name for path in jobs for name in (path.name, _notes(path).name)})
    write_atomic(folder.parent / "labels" / _LAST, json.dumps({"labels": labels, "states": states}))
    doc.neutral = unique_ids(out)
    return doc.neutral


_LAST = "last-build.json"


def _last_labels(doc: PreparedDocument) -> tuple[str, list[str]] | None:
    """The labels and numbering of the last build, when it had as many pieces as this one."""
    try:
        last = json.loads((cache_dir(doc) / "labels" / _LAST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or len(last.get("states", [])) != len(pieces(doc)):
        return None
    return last["labels"], last["states"]


def _read_parts(doc: PreparedDocument, labels: str, states: list[str]) -> list[Path]:
    """The pieces read into the cache with these labels and starting numbers (those not there
    yet): their paths. pandoc's messages are kept beside each and reported by the caller."""
    units = pieces(doc)
    primes = _primes(doc)
    common = _fingerprint(doc, [labels])
    folder = cache_dir(doc) / "json"
    jobs = []
    for index, piece in enumerate(units):
        key = _hash(common, primes[index], states[index], str(piece.back), piece.text)
        jobs.append((index, piece, folder / f"{key}.json"))
    todo = [job for job in jobs if not job[2].is_file()]
    last_converted["json"] = [index for index, _, _ in todo]

    def convert(job):
        index, piece, path = job
        prime = primes[index]
        # Only the back matter has the reference list (-M given twice would make a list).
        suppress = f"suppress-bibliography={'false' if piece.back else 'true'}"
        args = [suppress if a == "suppress-bibliography=false" else a for a in doc.pandoc_args()]
        args += ["--lua-filter", str(PARTS_FILTER), "-t", "json",
                 "-M", f"thesisbuild-xref-state={states[index]}",
                 "-M", "thesisbuild-xref-known-local=true"]
        if labels:
            args += ["-M", f"thesisbuild-xref-known={labels}"]
        source = (prime + "\n\n" if prime else "") + piece.text + "\n"
        proc = run_pandoc(args, input_text=source, cwd=doc.thesis.root, env=doc.env())
        shift = piece.first_line - 1 - (prime.count("\n") + 2 if prime else 0)
        stderr = _LINE.sub(lambda m: f"line {int(m.group(1)) + shift}", proc.stderr)
        # Beside the document, what the next builds need without reading it: pandoc's messages and
        # the headings' identifiers. The document is written last: it is what marks the piece done.
        ids = [header["c"][1][0] for header in _headers(json.loads(proc.stdout)["blocks"])]
        write_atomic(_notes(path), json.dumps({"err": stderr, "ids": ids}, ensure_ascii=False))
        write_atomic(path, proc.stdout)

    _run(convert, todo)
    return [path for _, _, path in jobs]


def _notes(path: Path) -> Path:
    return path.with_suffix(".notes")


def convert_parts(doc: PreparedDocument, to: str, extra: list[str]) -> str:
    """The whole thesis in format `to` (typst), each part written from its neutral document, from
    the cache or now."""
    neutral = neutral_parts(doc)
    common = _hash(__version__, to, *extra, *(Path(a).read_text(encoding="utf-8") for a in extra
                                               if a.endswith(".lua")))
    folder = cache_dir(doc) / to
    jobs = [(index, text, folder / f"{_hash(common, text)}.txt") for index, text in enumerate(neutral)]
    todo = [job for job in jobs if not job[2].is_file()]
    last_converted[to] = [index for index, _, _ in todo]

    def convert(job):
        _, text, path = job
        # citeproc has written the citations already: the writer's own citation form is off.
        writer = f"{to}-citations" if to == "typst" else to
        proc = run_pandoc(["-f", "json", "-t", writer, *extra], input_text=text, cwd=doc.thesis.root,
                          env=doc.env())
        doc.check_pandoc(proc.stderr)
        write_atomic(path, proc.stdout)

    _run(convert, todo)
    out = [path.read_text(encoding="utf-8") for _, _, path in jobs]
    _prune(folder, {path.name for _, _, path in jobs})
    return "\n".join(out)   # a blank line between parts: a paragraph never runs into the next part


_BLOCKS = '"blocks":['


def joined_parts(doc: PreparedDocument) -> str:
    """The whole thesis as one format-neutral pandoc JSON document (for the DOCX): the first
    part's head and metadata, then every part's blocks. pandoc writes "blocks" last, and the key
    cannot occur earlier (metadata values are objects; a quote inside text is escaped), so the
    documents are joined as text, without reading them."""
    texts = neutral_parts(doc)
    head = texts[0][:texts[0].index(_BLOCKS) + len(_BLOCKS)]
    bodies = [text[text.index(_BLOCKS) + len(_BLOCKS):text.rstrip().rindex("]")] for text in texts]
    return head + ",".join(body for body in bodies if body.strip()) + "]}"


def unique_ids(parts: list[tuple[str, list[str]]]) -> list[str]:
    """The parts with every heading identifier unique across the thesis: a heading whose
    identifier an earlier heading has takes the first free "-1", "-2", ... (pandoc's own rule
    within one document, so the DOCX's bookmarks are the ones one pandoc run would write); a part
    with no such heading is returned as it is, unread."""
    seen: set[str] = set()
    out = []
    for text, ids in parts:
        if not any(ident in seen for ident in ids):
            seen.update(ident for ident in ids if ident)
            out.append(text)
            continue
        document = json.loads(text)
        for header in _headers(document["blocks"]):
            ident = header["c"][1][0]
            if not ident:
                continue
            if ident in seen:
                # "x-1" is the part's own second "x": counted on from the thesis's last "x".
                base = _NUMBERED_ID.sub("", ident)
                n = 1
                while f"{base}-{n}" in seen:
                    n += 1
                ident = header["c"][1][0] = f"{base}-{n}"
            seen.add(ident)
        out.append(json.dumps(document, ensure_ascii=False, separators=(",", ":")))   # as pandoc writes it
    return out


def _headers(blocks: list):
    """Every Header block in a list of pandoc JSON blocks, in document order, inside divisions,
    quotes, lists and figures too."""
    for block in blocks:
        kind, content = block.get("t"), block.get("c")
        if kind == "Header":
            yield block
        elif kind == "Div":
            yield from _headers(content[1])
        elif kind == "OrderedList":
            for item in content[1]:
                yield from _headers(item)
        elif kind == "BlockQuote":
            yield from _headers(content)
        elif kind == "BulletList":
            for item in content:
                yield from _headers(item)
        elif kind == "Figure":
            yield from _headers(content[2])
        elif kind == "DefinitionList":
            for _, definitions in content:
                for definition in definitions:
                    yield from _headers(definition)


def _run(convert, todo) -> None:
    """The conversions, in as many threads as there are cores (each one is a pandoc process)."""
    if len(todo) == 1:
        convert(todo[0])
        return
    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        list(pool.map(convert, todo))


def scan_labels(doc: PreparedDocument) -> tuple[str, list[str]]:
    """Every label of the whole thesis with its number ("id=kind:number;..."), and the numbering
    each piece starts from ("chapter;section;figures;tables;equations;listings"). Each piece is
    scanned on its own, once per change of its text, as if it began the thesis (all pieces at
    once); its numbers then move on by the numbering the pieces before it reach."""
    folder = cache_dir(doc) / "labels"
    common = _fingerprint(doc, [])
    units = pieces(doc)
    paths = [folder / f"{_hash(common, piece.text)}.txt" for piece in units]

    def scan(job):
        text, path = job
        args = ["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER),
                "-M", "thesisbuild-xref-dump=count", "-M", f"thesisbuild-xref-state={_ZERO}",
                "-t", "plain", "--wrap=none"]
        proc = run_pandoc(args, input_text=text + "\n", cwd=doc.thesis.root, env=doc.env())
        write_atomic(path, proc.stdout.strip() + "\n")

    _run(scan, [(piece.text, path) for piece, path in zip(units, paths) if not path.is_file()])
    states, labels = [], []
    state = _ZERO
    for path in paths:
        states.append(state)
        found, _, reached = path.read_text(encoding="utf-8").strip().rpartition("\n")
        labels.extend(_place(entry, state) for entry in found.split(";") if entry)
        state = _advance(state, reached.strip())
    _prune(folder, {path.name for path in paths} | {_LAST})
    return ";".join(labels), states


def _scan_pending(doc: PreparedDocument) -> bool:
    """Whether a piece has changed since its labels were last scanned."""
    common = _fingerprint(doc, [])
    folder = cache_dir(doc) / "labels"
    return any(not (folder / f"{_hash(common, piece.text)}.txt").is_file() for piece in pieces(doc))


# The numbering at the start of the thesis: "chapter;section;figures;tables;equations;listings".
_ZERO = "0;0;0;0;0;0"
_COUNTED = {"sec": 1, "fig": 2, "tbl": 3, "eq": 4, "lst": 5}


def _advance(start: str, reached: str) -> str:
    """The numbering after a piece that, scanned as if it began the thesis, reached `reached`:
    within the chapter it started in, its section and counts go on from `start`'s; after a
    chapter of its own they are its own."""
    begin, end = [int(x) for x in start.split(";")], [int(x) for x in reached.split(";")]
    if end[0] == 0:
        return ";".join(str(a + b) for a, b in zip(begin, end))
    return ";".join([str(begin[0] + end[0]), *map(str, end[1:])])


def _place(entry: str, start: str) -> str:
    """A label scanned as if its piece began the thesis ("id=fig:0.2", "id=chap:1"), numbered
    after the numbering `start` (a label before the piece's own chapter heading goes on from the
    chapter the piece started in)."""
    ident, _, rest = entry.partition("=")
    kind, _, number = rest.partition(":")
    begin = [int(x) for x in start.split(";")]
    if kind == "chap":
        return f"{ident}={kind}:{int(number) + begin[0]}"
    first, *more = number.split(".")
    if int(first) != 0:
        return f"{ident}={kind}:{int(first) + begin[0]}" + "".join(f".{x}" for x in more)
    if more:
        more[0] = str(int(more[0]) + begin[_COUNTED.get(kind, 1)])
    return f"{ident}={kind}:{begin[0]}" + "".join(f".{x}" for x in more)


def _primes(doc: PreparedDocument) -> list[str]:
    """For each part, the block of citations it begins with: the works the thesis cites, in the
    order it first cites them, so that citeproc numbers and disambiguates each work in the part as
    in the whole thesis. The back matter, which lists them, and every part under a numeric or note
    style (a number, or "ibid.", depends on every citation before) get every work. Under an
    author-date style a citation depends only on the works that share a name with it ("2020a",
    "J. Smith" beside "A. Smith"), so a part gets its own works and those, and none when it cites
    nothing: citing a new work re-reads only the parts whose citations it can change, and citeproc
    renders a few citations instead of every one (0.07 s less for each part)."""
    known = {r.id: r for r in doc.references}
    units = pieces(doc)
    order: dict[str, None] = {}
    cited: list[dict[str, None]] = []
    for piece in units:
        keys: dict[str, None] = {}
        for m in _KEY.finditer(piece.text):
            if m.group(1) in known:
                keys.setdefault(m.group(1))
                order.setdefault(m.group(1))
        cited.append(keys)
    if not order:
        return [""] * len(units)
    every = _prime_block(list(order))
    if not _author_date(doc.thesis.csl):
        return [every] * len(units)
    names = {key: _names(known[key].data) for key in order}
    out = []
    for piece, keys in zip(units, cited):
        if piece.back:
            out.append(every)
            continue
        mine = set().union(*(names[key] for key in keys))
        chosen = [key for key in order if key in keys or (keys and (not names[key] or names[key] & mine))]
        out.append(_prime_block(chosen) if chosen else "")
    return out


def _prime_block(keys: list[str]) -> str:
    return "::: thesisbuild-prime\n[" + "; ".join(f"@{key}" for key in keys) + "]\n:::"


def _names(data: dict) -> frozenset[str]:
    """Every family name (or literal name) in a CSL entry's name variables, in lower case."""
    found = set()
    for value in data.values():
        if isinstance(value, list):
            for person in value:
                if isinstance(person, dict):
                    name = str(person.get("family") or person.get("literal") or "").strip().lower()
                    if name:
                        found.add(name)
    return frozenset(found)


_CITATION_FORMAT = re.compile(r"""citation-format\s*=\s*["']([\w-]+)["']""")
_STYLE_CLASS = re.compile(r"""<style\b[^>]*\bclass\s*=\s*["']([\w-]+)["']""")


def _author_date(csl: Path) -> bool:
    """Whether the style is an in-text author-date (or author) style, as its own info says."""
    fmt = _CITATION_FORMAT.search(_style_text(csl))
    return _style_class(csl) == "in-text" and bool(fmt) and fmt.group(1) in ("author-date", "author")


def _style_class(csl: Path) -> str:
    """The style's class: "in-text", or "note" (footnote styles, whose "ibid." depends on the
    citation before), or "" when the file does not say."""
    m = _STYLE_CLASS.search(_style_text(csl))
    return m.group(1) if m else ""


@functools.lru_cache(maxsize=8)
def _style_text(csl: Path) -> str:
    try:
        return Path(csl).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# A long chapter is cut into pieces of at least this many characters, each converted on its own:
# an edit then reads one piece again, not the chapter (pandoc's time grows with the text).
PIECE_CHARS = 8000
_SECTION = re.compile(r"##(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DIV_FENCE = re.compile(r"^:{3,}")
_HTML_OPEN = re.compile(r"<(div|section|details|table|figure|blockquote|center|article|aside)\b", re.I)
_HTML_CLOSE = re.compile(r"</(div|section|details|table|figure|blockquote|center|article|aside)\s*>", re.I)
# What ties one section of a chapter to another, so that the chapter is converted whole: a
# footnote or link defined apart from where it is used ([^1]: ..., [name]: url), an example list
# (@) numbered across the chapter, a LaTeX macro that later math uses.
_UNSPLITTABLE = re.compile(r"^ {0,3}\[[^\]\n]+\]:|^\s*\(@[\w-]*\)|\\(?:newcommand|renewcommand|providecommand|def|"
                           r"DeclareMathOperator|let)(?![A-Za-z])", re.M)
_HEADING_TITLE = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*(?:\{[^{}]*\})?[ \t#]*$", re.M)
_SHORTCUT_LINK = re.compile(r"(?<![!\]\\])\[([^\]\[\n]+)\](?:\[\])?(?![(\[{:])")


def split_chapter(text: str, size: int | None = None) -> list[str]:
    """A chapter as runs of its level-2 sections, each at least `size` characters ("\n" joins
    them back into the chapter): cut only before a "## " heading that follows a blank line outside
    code, comments, fenced divs, HTML blocks and LaTeX environments, and not at all when a section
    depends on another (see _UNSPLITTABLE) or a link names a heading by its text ([Metode
    Penelitian], which pandoc resolves within one document)."""
    size = size or PIECE_CHARS
    if len(text) < 2 * size or _UNSPLITTABLE.search(text):
        return [text]
    titles = {" ".join(m.group(1).split()).lower() for m in _HEADING_TITLE.finditer(text)}
    if any(" ".join(m.group(1).split()).lower() in titles for m in _SHORTCUT_LINK.finditer(text)):
        return [text]
    lines = text.split("\n")
    cuts, start, chars = [], 0, 0
    fence, divs, html, latex, comment = "", 0, 0, 0, False
    remaining = len(text)
    for i, line in enumerate(lines):
        if (not fence and not comment and divs == 0 and html <= 0 and latex <= 0 and _SECTION.match(line)
                and i > 0 and not lines[i - 1].strip() and chars - start >= size and remaining >= size // 2):
            cuts.append(i)
            start = chars
        chars += len(line) + 1
        remaining -= len(line) + 1
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line[m.end():].strip():
                fence = ""
            continue
        if m:
            fence = m.group(1)
            continue
        if comment:
            comment = "-->" not in line
            continue
        if "<!--" in line:
            comment = "-->" not in line[line.index("<!--"):]
        if _DIV_FENCE.match(line):
            divs = divs - 1 if divs and not line.strip(":").strip() else divs + 1
        html += len(_HTML_OPEN.findall(line)) - len(_HTML_CLOSE.findall(line))
        latex += line.count("\\begin{") - line.count("\\end{")
    bounds = [0, *cuts, len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def _fingerprint(doc: PreparedDocument, more: list[str]) -> str:
    """What every part's conversion depends on besides its own text."""
    thesis = doc.thesis
    digest = hashlib.sha256()
    pandoc = Path(pandoc_path())
    stat = pandoc.stat()
    for item in [__version__, str(pandoc), str(stat.st_size), str(stat.st_mtime_ns), str(doc.epoch),
                 *doc.pandoc_args(), *more]:
        digest.update(item.encode("utf-8") + b"\0")
    code = [Path(__file__), Path(__file__).with_name("document.py")]
    for path in [*code, *sorted(FILTERS.glob("*.lua")), thesis.csl, *thesis.bibliography]:
        digest.update(Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def _hash(*items: str) -> str:
    digest = hashlib.sha256()
    for item in items:
        digest.update(item.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


def _first_line(parts: list[str], index: int) -> int:
    """The staged line a part begins on (parts are joined by a blank line)."""
    return 1 + sum(part.count("\n") + 2 for part in parts[:index])


def _prune(folder: Path, keep: set[str]) -> None:
    """Forget the conversions this build did not use: the cache holds one thesis's parts."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name not in keep and not path.name.startswith("."):
            path.unlink(missing_ok=True)
