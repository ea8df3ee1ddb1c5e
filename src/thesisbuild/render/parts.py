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
from urllib.parse import unquote

from .. import __version__
from ..checks.crossrefs import explicit_ids, text_identifier
from ..citations import XREF_KINDS, cited_keys, normalise_label
from ..fsutil import stamp, write_atomic
from ..pandoc import pandoc_path, run_pandoc
from ..sources import Source
from .assemble import MARK_FORMAT
from .document import CROSSREF_FILTER, LATEX_FILTER, READER, PreparedDocument

FILTERS = Path(__file__).resolve().parent.parent / "filters"
PARTS_FILTER = FILTERS / "parts.lua"
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
    part: int             # the index of its part
    back: bool            # the back matter, with the reference list


# Put before each piece of a chapter but the first when the chapter is scanned or read whole: a raw
# block at the top level, where the cross-reference filter notes the numbering reached.
PIECE_MARK = "<!-- thesisbuild-piece -->"
# The parts (by their text's hash) whose markers pandoc did not read as top-level blocks: not cut.
_UNCUT: set[str] = set()


def pieces(doc: PreparedDocument) -> list[Piece]:
    """The parts of the thesis, each long chapter cut into runs of its level-2 sections (see
    split_chapter); found once per prepared document."""
    if doc.pieces is None:
        split = _style_class(doc.thesis.csl) == "in-text"
        out = []
        for index, text in enumerate(doc.parts):
            first = _first_line(doc.parts, index)
            chapter = 0 < index < len(doc.parts) - 1 and split and _hash(text) not in _UNCUT
            for piece in (split_chapter(text) if chapter else [text]):
                out.append(Piece(piece, first, index, index == len(doc.parts) - 1))
                first += piece.count("\n") + 1
        doc.pieces = out
    return doc.pieces


def _groups(units: list[Piece]) -> list[list[int]]:
    """The indexes of each part's pieces, part by part."""
    groups: list[list[int]] = []
    for index, piece in enumerate(units):
        if not groups or units[groups[-1][0]].part != piece.part:
            groups.append([])
        groups[-1].append(index)
    return groups


def _marked(units: list[Piece], group: list[int]) -> str:
    """A part's text with PIECE_MARK before each of its pieces but the first."""
    return "\n".join(units[i].text if n == 0 else f"{PIECE_MARK}\n\n{units[i].text}" for n, i in enumerate(group))


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
    while True:
        try:
            return _neutral_parts(doc)
        except _MarksNotRead as err:
            # A cut the filter did not see at the top level: that chapter is converted whole.
            _UNCUT.add(_hash(doc.parts[err.part]))
            doc.pieces = None


class _MarksNotRead(Exception):
    def __init__(self, part: int):
        super().__init__(part)
        self.part = part


def _neutral_parts(doc: PreparedDocument) -> list[str]:
    last = _last_labels(doc)
    with ThreadPoolExecutor(max_workers=2) as pool:
        # A bibliography converted for citeproc (after an edit of it) is converted while the parts
        # are scanned: the scan does not cite.
        bibliography = pool.submit(doc.citeproc_bibliography)
        if last is not None and _scan_pending(doc):
            scanning = pool.submit(scan_labels, doc)
            bibliography.result()
            jobs = _read_parts(doc, *last)
            labels, states = scanning.result()
            if (labels, states) != last:
                jobs = _read_parts(doc, labels, states)
        else:
            labels, states = scan_labels(doc)
            bibliography.result()
            jobs = _read_parts(doc, labels, states)
    out = []
    for piece, path in zip(pieces(doc), jobs):
        notes = json.loads(_notes(path).read_text(encoding="utf-8"))
        doc.check_pandoc(notes["err"])
        out.append((path.read_text(encoding="utf-8"), notes["ids"], _written_ids(piece.text), notes.get("bases")))
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
    yet): their paths. A chapter none of whose pieces is there is read whole, with PIECE_MARK
    between its pieces, and cut at the marks (one pandoc run instead of one a piece); otherwise
    each missing piece is read on its own. pandoc's messages are kept beside each piece and
    reported by the caller."""
    units = pieces(doc)
    primes = _primes(doc)
    common = _fingerprint(doc, [])
    folder = cache_dir(doc) / "json"
    # A piece is given, and keyed by, only the labels it names: a figure added to one chapter reads
    # again the pieces whose numbers moved and those that refer to a moved number, not every piece.
    known = [_named(labels, u.text) for u in units]
    states = [_from_heading(state, u.text) for state, u in zip(states, units)]
    # images.lua sizes each image from its file: a piece is read again when an image it places changes.
    images = [images_named(doc, u.text) for u in units]
    paths = [folder / f"{_hash(common, primes[i], states[i], known[i], str(u.back), images[i], u.text)}.json"
             for i, u in enumerate(units)]
    todo: list[list[int]] = []
    for group in _groups(units):
        # A document without its notes (a cache folder partly cleared) is read again.
        missing = [i for i in group if not (paths[i].is_file() and _notes(paths[i]).is_file())]
        if len(group) > 1 and len(missing) == len(group):
            todo.append(group)
        else:
            todo.extend([i] for i in missing)
    last_converted["json"] = sorted(i for group in todo for i in group)

    def convert(group: list[int]) -> None:
        first = units[group[0]]
        if len(group) == 1:
            prime, text = primes[group[0]], first.text
        else:
            prime, text = _prime_of(doc, "\n".join(units[i].text for i in group), first.back), _marked(units, group)
        # Only the back matter has the reference list (-M given twice would make a list).
        suppress = f"suppress-bibliography={'false' if first.back else 'true'}"
        args = [suppress if a == "suppress-bibliography=false" else a for a in doc.pandoc_args()]
        args += ["--lua-filter", str(PARTS_FILTER), "-t", "json",
                 "-M", f"thesisbuild-xref-state={states[group[0]]}",
                 "-M", "thesisbuild-xref-known-local=true"]
        named = known[group[0]] if len(group) == 1 else _named(labels, text)
        if named:
            args += ["-M", f"thesisbuild-xref-known={named}"]
        source = (prime + "\n\n" if prime else "") + text + "\n"
        proc = run_pandoc(args, input_text=source, cwd=doc.thesis.root, env=doc.env())
        document = json.loads(proc.stdout)
        if len(group) == 1:
            outputs = [(proc.stdout, document["blocks"])]
        else:
            outputs = [(json.dumps({**document, "blocks": blocks}, ensure_ascii=False, separators=(",", ":")), blocks)
                       for blocks in _cut_at_marks(document["blocks"], len(group), first.part)]
        messages = _place_messages(proc.stderr, [units[i] for i in group], prime.count("\n") + 2 if prime else 0)
        for i, (json_text, blocks), err in zip(group, outputs, messages):
            # Beside the document, what the next builds need without reading it: pandoc's messages
            # and the headings' identifiers. The document is written last: it marks the piece done.
            headers = list(_headers(blocks))
            ids = [header["c"][1][0] for header in headers]
            bases = [text_identifier(_plain(header["c"][2])) for header in headers]
            write_atomic(_notes(paths[i]), json.dumps({"err": err, "ids": ids, "bases": bases}, ensure_ascii=False))
            write_atomic(paths[i], json_text)

    _run(convert, todo)
    return paths


_CHAPTER_START = re.compile(r"\s*#[ \t]+(?![^\n]*\{[^}\n]*(?:\.unnumbered|(?<![\w-])-(?![\w-]))[^}\n]*\}[ \t]*$)",
                            re.M)


def _from_heading(state: str, text: str) -> str:
    """The numbering a piece starts from, as far as its output depends on it: a piece that opens
    with a numbered chapter heading starts its sections and counts again, so only the chapter
    number before it matters (a table added to the chapter before does not read it again)."""
    if not _CHAPTER_START.match(text):
        return state
    return state.split(";")[0] + ";0;0;0;0;0"


@functools.lru_cache(maxsize=1024)
def _named(labels: str, text: str) -> str:
    """The labels ("id=kind:number", of "id=kind:number;...") whose identifier a text names, as
    written or in pandoc-crossref's form ("fig:x" for "fig-x"). Kept for the next build of the same
    process (`thesisbuild watch`): a save changes one piece's text."""
    out = []
    for entry in (entry for entry in labels.split(";") if entry):
        ident = entry.partition("=")[0]
        kind, dash, rest = ident.partition("-")
        if ident in text or (dash and kind in XREF_KINDS and f"{kind}:{rest}" in text):
            out.append(entry)
    return ";".join(out)


def _cut_at_marks(blocks: list, count: int, part: int) -> list[list]:
    """A part's blocks cut at its PIECE_MARK raw blocks (dropped), in `count` runs."""
    runs: list[list] = [[]]
    for block in blocks:
        if block.get("t") == "RawBlock" and block["c"][1].strip() == PIECE_MARK:
            runs.append([])
        else:
            runs[-1].append(block)
    if len(runs) != count:
        raise _MarksNotRead(part)
    return runs


def _place_messages(stderr: str, units: list[Piece], prime_lines: int) -> list[str]:
    """pandoc's messages about a text of these pieces (with a mark and a blank line between
    them), each given to its piece with its line in the staged thesis; one without a line goes to
    the first piece."""
    starts, line = [], 1
    for n, piece in enumerate(units):
        line += 2 if n else 0
        starts.append(line)
        line += piece.text.count("\n") + 1
    out = [""] * len(units)
    message_lines: list[str] = []
    for text in stderr.splitlines(keepends=True):
        if message_lines and text[:1] in (" ", "\t"):
            message_lines[-1] += text
        else:
            message_lines.append(text)
    for message in message_lines:
        m = _LINE.search(message)
        at = 0
        if m:
            line = int(m.group(1)) - prime_lines
            at = max([n for n, start in enumerate(starts) if start <= line] or [0])
            shift = units[at].first_line - starts[at] - prime_lines
            message = _LINE.sub(lambda found: f"line {int(found.group(1)) + shift}", message)
        out[at] += message
    return out


def _notes(path: Path) -> Path:
    return path.with_suffix(".notes")


def expand_marks(text: str, fmt: str, expand) -> str:
    """A part's neutral document (pandoc JSON) with each mark of assemble.py (a top-level raw block
    of the format "thesisbuild") replaced by what `expand` writes for it: raw blocks of `fmt`."""
    if f'"{MARK_FORMAT}"' not in text:
        return text
    document = json.loads(text)
    blocks = []
    for block in document["blocks"]:
        if block.get("t") == "RawBlock" and block["c"][0] == MARK_FORMAT:
            blocks.extend({"t": "RawBlock", "c": [fmt, markup]} for markup in expand(json.loads(block["c"][1])))
        else:
            blocks.append(block)
    document["blocks"] = blocks
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def convert_parts(doc: PreparedDocument, to: str, extra: list[str], expand) -> str:
    """The whole thesis in format `to` (typst), each part written from its neutral document (its
    marks written by `expand`), from the cache or now."""
    neutral = [expand_marks(text, to, expand) for text in neutral_parts(doc)]
    common = _hash(__version__, to, *extra, *(Path(a).read_text(encoding="utf-8") for a in extra
                                               if a.endswith(".lua")))
    folder = cache_dir(doc) / to
    jobs = [(index, text, folder / f"{_hash(common, text)}.txt") for index, text in enumerate(neutral)]
    todo = [job for job in jobs if not job[2].is_file()]
    last_converted[to] = [index for index, _, _ in todo]

    # citeproc has written the citations already: the writer's own citation form is off.
    writer = f"{to}-citations" if to == "typst" else to

    def convert(job):
        _, text, path = job
        proc = run_pandoc(["-f", "json", "-t", writer, *extra], input_text=text, cwd=doc.thesis.root,
                          env=doc.env())
        doc.check_pandoc(proc.stderr)
        write_atomic(path, proc.stdout)

    together = [job for job in todo if _plain_edges(job[1])] if to == "typst" else []
    if len(together) > 1 and _convert_together(doc, writer, extra, together):
        todo = [job for job in todo if job not in together]
    _run(convert, todo)
    out = [path.read_text(encoding="utf-8") for _, _, path in jobs]
    _prune(folder, {path.name for _, _, path in jobs})
    return "\n".join(out)   # a blank line between parts: a paragraph never runs into the next part


_BLOCKS = '"blocks":['
# Between parts converted in one run: a raw typst line no part holds (parts that hold it, or whose
# output has another count of it, are converted one by one).
_TYPST_CUT = "// thesisbuild: a part ends here (3d9f1c)"


def _plain_edges(text: str) -> bool:
    """Whether a part's typst, written in a run with others, is cut from them as its own run writes
    it: the writer sets a line break or a blank line between blocks by their kinds, and the cut
    takes those away; a part whose own output starts or ends with blank lines of its own (raw text
    that does) is converted alone."""
    blocks = json.loads(text).get("blocks") or []
    if not blocks:
        return False

    def raw_edge(block, index: int) -> str:
        kind, content = block.get("t"), block.get("c")
        if kind == "RawBlock":
            return content[1]
        if kind in ("Para", "Plain") and content and content[index].get("t") == "RawInline":
            return content[index]["c"][1]
        return "x"
    first, last = raw_edge(blocks[0], 0), raw_edge(blocks[-1], -1)
    return first[:1] not in ("", "\n", " ", "\t") and last[-1:] not in ("", "\n", " ", "\t")


def _convert_together(doc: PreparedDocument, writer: str, extra: list[str], todo: list) -> bool:
    """The parts not in the cache, written in one pandoc run with a raw typst line between them and
    cut there, each as its own run writes it (typst.lua changes one element at a time; the writer
    carries nothing from one block to the next but the break it sets between them, which the cut
    takes away: _plain_edges), at a process's start and JSON's reading paid once instead of once
    a part (a clean build of 150 pages: 26 parts). False, having written nothing, when a part is
    empty or holds the cut line."""
    head, bodies = _head_and_bodies([text for _, text, _ in todo])
    if any(not body.strip() or _TYPST_CUT in body for body in bodies):
        return False
    cut = json.dumps({"t": "RawBlock", "c": ["typst", _TYPST_CUT]}, separators=(",", ":"))
    joined = head + f",{cut},".join(bodies) + "]}"
    proc = run_pandoc(["-f", "json", "-t", writer, *extra], input_text=joined, cwd=doc.thesis.root, env=doc.env())
    chunks = proc.stdout.split(f"\n{_TYPST_CUT}\n")
    if (len(chunks) != len(todo) or proc.stdout.count(_TYPST_CUT) != len(todo) - 1
            or any(not chunk.strip("\n") for chunk in chunks)):
        return False
    doc.check_pandoc(proc.stderr)
    for (_, _, path), chunk in zip(todo, chunks):
        write_atomic(path, chunk.strip("\n") + "\n")        # as a run of its own ends it
    return True


def joined_parts(doc: PreparedDocument, fmt: str, expand) -> str:
    """The whole thesis as one pandoc JSON document (for the DOCX), its marks written in `fmt` by
    `expand`: the first part's head and metadata, then every part's blocks. pandoc writes "blocks"
    last, and the key cannot occur earlier (metadata values are objects; a quote inside text is
    escaped), so the documents are joined as text, without reading them."""
    head, bodies = _head_and_bodies([expand_marks(text, fmt, expand) for text in neutral_parts(doc)])
    return head + ",".join(body for body in bodies if body.strip()) + "]}"


def _head_and_bodies(texts: list[str]) -> tuple[str, list[str]]:
    """Pandoc JSON documents cut as text, unread: the first one's head (up to and with "blocks":[)
    and each one's blocks between the brackets (see joined_parts)."""
    head = texts[0][:texts[0].index(_BLOCKS) + len(_BLOCKS)]
    return head, [text[text.index(_BLOCKS) + len(_BLOCKS):text.rstrip().rindex("]")] for text in texts]


def unique_ids(parts: list[tuple[str, list[str], set[str], list[str] | None]]) -> list[str]:
    """The pieces (pandoc JSON, their headings' identifiers, the identifiers their source writes)
    with every heading identifier as one pandoc run over the whole thesis makes it (_unique_piece),
    so the DOCX's bookmarks are the ones one run would write; a piece whose identifiers stay is
    returned as it is, unread. A piece renamed the same way as in an earlier build of this process
    (`thesisbuild watch`) is not read again."""
    seen: set[str] = set()
    out = []
    for text, ids, explicit, bases in parts:
        renamed = _unique_piece(ids, seen, explicit, bases)
        if renamed == ids:
            out.append(text)
            continue
        key = (hashlib.sha256(text.encode("utf-8")).digest(), tuple(renamed))
        if key not in _RENAMED:
            document = json.loads(text)
            for header, ident in zip(_headers(document["blocks"]), renamed):
                header["c"][1][0] = ident
            if len(_RENAMED) >= 256:
                _RENAMED.clear()
            _RENAMED[key] = json.dumps(document, ensure_ascii=False, separators=(",", ":"))   # as pandoc writes it
        out.append(_RENAMED[key])
    return out


_RENAMED: dict[tuple[bytes, tuple[str, ...]], str] = {}


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
    scanned as if it began the thesis, once per change of its text, and kept; its numbers then move
    on by the numbering the pieces before it reach. A chapter none of whose pieces was scanned is
    scanned in one pandoc run, with PIECE_MARK between its pieces (the filter starts the numbering
    again at each); a piece edited since is scanned alone. A heading identifier that an earlier
    piece has (a second "### Kelebihan") gets "-1", "-2", ... as in one pandoc run (unique_ids)."""
    folder = cache_dir(doc) / "labels"
    common = _fingerprint(doc, [])
    units = pieces(doc)
    paths = [folder / f"{_hash(common, piece.text)}.txt" for piece in units]
    todo: list[list[int]] = []
    for group in _groups(units):
        missing = [i for i in group if not paths[i].is_file()]
        if len(group) > 1 and len(missing) == len(group):
            todo.append(group)
        else:
            todo.extend([i] for i in missing)

    def scan(group: list[int]) -> None:
        args = ["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER),
                "-M", "thesisbuild-xref-dump=count", "-M", f"thesisbuild-xref-state={_ZERO}",
                "-t", "plain", "--wrap=none"]
        proc = run_pandoc(args, input_text=_marked(units, group) + "\n", cwd=doc.thesis.root, env=doc.env())
        lines = proc.stdout.strip().split("\n")
        if len(lines) != 2 * len(group):
            raise _MarksNotRead(units[group[0]].part)
        for n, i in enumerate(group):
            write_atomic(paths[i], "\n".join(lines[2 * n:2 * n + 2]) + "\n")

    _run(scan, todo)
    states: list[str] = []
    labels: list[str] = []
    seen: set[str] = set()
    state = _ZERO
    for piece, path in zip(units, paths):
        states.append(state)
        found = dict(line.partition(":")[::2] for line in path.read_text(encoding="utf-8").splitlines())
        items = [item.split("=", 2) for item in found.get("labels", "").split(";") if item]
        # Headings' identifiers made unique as unique_ids makes them in the document.
        headings = [item for item in items if item[1].partition(":")[0] in ("sec", "chap", "none")]
        renamed = iter(_unique_piece([item[0] for item in headings], seen, _written_ids(piece.text),
                                     [text_identifier(unquote(item[2])) if len(item) > 2 else "" for item in headings]))
        for ident, rest, *_ in items:
            if rest.partition(":")[0] in ("sec", "chap", "none"):
                ident = next(renamed)
            if not rest.startswith("none:"):
                labels.append(_place(f"{ident}={rest}", state))
        state = _advance(state, found["end"].strip())
    _prune(folder, {path.name for path in paths} | {_LAST})
    return ";".join(labels), states


def _unique_piece(ids: list[str], seen: set[str], explicit: set[str], bases: list[str] | None = None) -> list[str]:
    """The identifiers of a piece's headings, in order, made unique across the thesis as one pandoc
    run over the whole thesis makes them; each noted in `seen`. An identifier written in the source
    ({#x}) is kept, as pandoc keeps it. An automatic one is derived from the heading's text (its
    base, from `bases`: text_identifier of each title), and one that an earlier heading has takes
    the first free "-1", "-2", ... after its base ("tahap-1" -> "tahap-1-1"). pandoc has already
    numbered the piece's own repeats ("x-1" for the piece's second "x"): numbered again here, after
    the headings of the pieces before. Without a base that explains the identifier, "b-N" after the
    piece's own "b" is taken for a repeat."""
    out = []
    read: set[str] = set()      # as pandoc read the piece alone
    for index, ident in enumerate(ids):
        if not ident:
            out.append(ident)
            continue
        base = bases[index] if bases and index < len(bases) else ""
        numbered = _NUMBERED_ID.search(ident)
        if base and ident == base:
            repeat = None
        elif base and numbered and ident[:numbered.start()] == base:
            repeat = base
        else:
            repeat = ident[:numbered.start()] if numbered and ident[:numbered.start()] in read else None
        read.add(ident)
        if ident in explicit or (repeat is None and ident not in seen):
            final = ident
        else:
            stem = repeat or ident
            n = 1
            while f"{stem}-{n}" in seen:
                n += 1
            final = f"{stem}-{n}"
        seen.add(final)
        out.append(final)
    return out


def _plain(inlines: list) -> str:
    """A pandoc JSON inline list's text, as pandoc's stringify gives it (notes left out)."""
    out = []
    for el in inlines:
        kind, content = el.get("t"), el.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(_plain(content))
        elif kind in ("Span", "Link", "Image", "Quoted", "Cite"):
            out.append(_plain(content[1]))
    return "".join(out)


def _written_ids(text: str) -> set[str]:
    """The identifiers a text writes itself ({#x}, {.class #x}), also as the cross-reference filter
    reads "sec:x" ("sec-x")."""
    found = {ident for ident, _ in explicit_ids(Source(Path(), text))}
    return found | {normalise_label(ident) for ident in found}


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
    """For each piece, the block of citations it begins with: the works the thesis cites, in the
    order it first cites them, so that citeproc numbers and disambiguates each work in the piece as
    in the whole thesis. The back matter, which lists them, and every piece under a numeric or note
    style (a number, or "ibid.", depends on every citation before) get every work. Under an
    author-date style a citation depends only on the works that share a name with it ("2020a",
    "J. Smith" beside "A. Smith"), so a piece gets its own works and those, and none when it cites
    nothing: citing a new work re-reads only the pieces whose citations it can change, and citeproc
    renders a few citations instead of every one (0.07 s less for each piece)."""
    return [_prime_of(doc, piece.text, piece.back) for piece in pieces(doc)]


def _prime_of(doc: PreparedDocument, text: str, back: bool) -> str:
    """The citation block for a text of the thesis (see _primes)."""
    order, names, reduced = _citation_order(doc)
    if not order:
        return ""
    if back or not reduced:
        return _prime_block(list(order))
    keys = {key for key in cited_keys(text) if key in order}
    mine = set().union(*(names[key] for key in keys))
    chosen = [key for key in order if key in keys or (keys and (not names[key] or names[key] & mine))]
    return _prime_block(chosen) if chosen else ""


def _citation_order(doc: PreparedDocument) -> tuple[dict[str, None], dict[str, frozenset[str]], bool]:
    """The works the thesis cites in the order it first cites them, the names of each, and whether
    the style lets a text be primed with only the works that share a name with its own."""
    if doc.citation_order is None:
        known = {r.id: r for r in doc.references}
        order: dict[str, None] = {}
        for text in doc.parts:
            for key in cited_keys(text):
                if key in known:
                    order.setdefault(key)
        doc.citation_order = (order, {key: _names(known[key].data) for key in order}, _author_date(doc.thesis.csl))
    return doc.citation_order


def _prime_block(keys: list[str]) -> str:
    cited = (f"@{key}" if re.fullmatch(r"[\w](?:[\w:.#$%&\-+?<>~/]*[\w])?", key) else f"@{{{key}}}" for key in keys)
    return "::: thesisbuild-prime\n[" + "; ".join(cited) + "]\n:::"


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
_INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
# HTML elements that may hold Markdown or raw text over several lines (pandoc reads what is inside
# them as one block): no cut while one is open.
_HTML_TAGS = ("div|section|details|summary|table|figure|blockquote|center|article|aside|pre|script|style|"
              "textarea|p|ul|ol|dl|form|iframe|video|audio|object|canvas|svg|math|header|footer|nav|main")
_HTML_OPEN = re.compile(rf"<({_HTML_TAGS})\b", re.I)
_HTML_CLOSE = re.compile(rf"</({_HTML_TAGS})\s*>", re.I)
# What ties one section of a chapter to another, so that the chapter is converted whole:
# - a footnote or link defined apart from where it is used ([^1]: ..., [name]: url), also inside a
#   block quote or a list item;
# - an example list (@), numbered across the chapter;
# - a LaTeX definition (a macro, an environment, an operator, a theorem) that later text may use;
# - a link in brackets that is not a citation, a span or an inline link ([Metode Penelitian],
#   [Landasan⏎Teori], [teks][]): pandoc resolves it against headings and definitions of one
#   document, setext headings too, so any such bracket keeps the chapter whole (an inline note
#   ^[...] is whole in itself).
_UNSPLITTABLE = re.compile(
    r"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?\[[^\]\n]+\]:"
    r"|^\s*\(@[\w-]*\)"
    r"|\\(?:[gex]?def|let|(?:re)?new(?:command|environment)|providecommand|DeclareMathOperator|newtheorem)(?![A-Za-z])",
    re.M)
_BRACKETS = re.compile(r"(?<![!\\^])\[(?![@^\]])(?:[^\[\]@]|\n){1,300}\](?![({\]]|\[[^\]\n]+\]|:)")
# A narrative citation's locator, "@jordaan2003 [hlm. 9]", is no link.
_BEFORE_LOCATOR = re.compile(r"@\{?[\w][\w:.#$%&\-+?<>~/]*\}?[ \t]?$")


def _ties_sections(text: str) -> bool:
    """Whether a section of the text may depend on another (see _UNSPLITTABLE)."""
    if _UNSPLITTABLE.search(text):
        return True
    return any(not _BEFORE_LOCATOR.search(text, max(0, m.start() - 80), m.start()) for m in _BRACKETS.finditer(text))


def split_chapter(text: str, size: int | None = None) -> list[str]:
    """A chapter as runs of its level-2 sections, each at least `size` characters ("\n" joins
    them back into the chapter): cut only before a "## " heading that follows a blank line outside
    code, comments, fenced divs, HTML blocks and LaTeX environments, and not at all when a section
    may depend on another (see _UNSPLITTABLE)."""
    size = size or PIECE_CHARS
    if len(text) < 2 * size or _ties_sections(text):
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
        # A tag or environment named in inline code (`</pre>`, `\end{itemize}`) opens and closes nothing.
        code = _INLINE_CODE.sub("", line)
        html = max(0, html + len(_HTML_OPEN.findall(code)) - len(_HTML_CLOSE.findall(code)))
        latex = max(0, latex + code.count("\\begin{") - code.count("\\end{"))
    bounds = [0, *cuts, len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def image_stamps(doc: PreparedDocument) -> dict[str, str]:
    """The images the thesis places, each under the name a text gives it (its path from the thesis's
    folder, or a generated figure's id "fig-x", in lower case) with its files' sizes and times:
    what the outputs depend on besides the text (images.lua sizes an image from its pixels, and
    the DOCX holds its bytes). Named relative to the thesis: a thesis folder copied with its build/
    keeps its cache. Found once per prepared document."""
    if doc.image_stamps is None:
        root = doc.thesis.root.resolve()
        found: dict[str, list[str]] = {}
        for path in doc.thesis.image_files():
            name = path.relative_to(root).as_posix()
            found.setdefault(name.lower(), []).append(stamp(path, name))
        figures = doc.thesis.build_dir / "figures"
        if figures.is_dir():
            for path in sorted(figures.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    found.setdefault(f"fig-{path.stem}".lower(), []).append(stamp(path, path.name))
        doc.image_stamps = {name: ";".join(stamps) for name, stamps in found.items()}
    return doc.image_stamps


def images_named(doc: PreparedDocument, text: str) -> str:
    """The stamps of the images a text names (see image_stamps)."""
    stamps = image_stamps(doc)
    if not stamps:
        return ""
    lower = text.lower()
    return "|".join(value for name, value in stamps.items() if name in lower)


def _fingerprint(doc: PreparedDocument, more: list[str]) -> str:
    """What every part's conversion depends on besides its own text."""
    thesis = doc.thesis
    digest = hashlib.sha256()
    pandoc = Path(pandoc_path())
    stat = pandoc.stat()
    for item in [__version__, str(pandoc), str(stat.st_size), str(stat.st_mtime_ns), str(doc.epoch),
                 *doc.pandoc_args(bibliography=False), *more]:
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
