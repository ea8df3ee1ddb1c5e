"""The thesis converted part by part, each part once per change, once for every output.

The staged thesis is the front matter, each chapter, and the back matter (reference list and
appendices). pandoc reads each part on its own into the format-neutral document (pandoc's JSON,
after the LaTeX, cross-reference, image and citation filters: no output format's own markup but
the raw blocks the template stages for each), and the result is kept in build/cache/json/ under a
hash of everything that goes into it: the part's staged text, the labels and numbers of the whole
thesis, the citations of the whole thesis, the bibliography, the style, the filters, pandoc and
thesisbuild. An edit to one chapter reads that chapter again and reuses the rest, for the PDF and
the DOCX alike. The PDF writes each part to typst on its own (cached the same way); the DOCX
writes the parts joined into one document.

What a part cannot know on its own is given to it:
- its chapter number: the number the parts before it end with ("chapters before");
- the labels of the other parts, with their numbers, written as references to labels of the same
  document (the outputs resolve them across the whole thesis);
- the citations of the whole thesis, in the order it first cites them, in a block in front of the
  part that is dropped after citeproc (filters/parts.lua): a numeric style numbers the works as in
  the whole thesis, disambiguation ("2020a") sees every work it depends on, and the reference list
  in the back matter lists them all (under an author-date style a part gets only the works that
  share a name with its own citations: see _primes).
A heading whose automatic identifier an earlier part already has gets "-1", "-2", ... as in one
pandoc run over the whole thesis (unique_ids)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
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

# What the last conversion did, by output format: the indexes of the parts pandoc converted
# (the others came from the cache).
last_converted: dict[str, list[int]] = {}


def cache_dir(doc: PreparedDocument) -> Path:
    return doc.thesis.build_dir / "cache"


def neutral_parts(doc: PreparedDocument) -> list[str]:
    """Each part of the thesis as a format-neutral pandoc JSON document, from the cache or read now.

    A part needs the labels of the whole thesis, which an edited part may have changed. After an
    edit, the part is read with the labels of the last build while it is scanned beside it: when
    the scan finds them unchanged (the usual case: a sentence was written), the part is done;
    otherwise it is read again with the new ones. Read once per prepared document."""
    if doc.neutral is not None:
        return doc.neutral
    last = _last_labels(doc)
    if last is not None and _scan_pending(doc):
        with ThreadPoolExecutor(max_workers=1) as pool:
            scanning = pool.submit(scan_labels, doc)
            jobs = _read_parts(doc, *last)
            labels, before = scanning.result()
        if (labels, before) != last:
            jobs = _read_parts(doc, labels, before)
    else:
        labels, before = scan_labels(doc)
        jobs = _read_parts(doc, labels, before)
    out = []
    for path in jobs:
        notes = json.loads(_notes(path).read_text(encoding="utf-8"))
        doc.check_pandoc(notes["err"])
        out.append((path.read_text(encoding="utf-8"), notes["ids"]))
    folder = cache_dir(doc) / "json"
    _prune(folder, {name for path in jobs for name in (path.name, _notes(path).name)})
    write_atomic(folder.parent / "labels" / _LAST, json.dumps({"labels": labels, "before": before}))
    doc.neutral = unique_ids(out)
    return doc.neutral


_LAST = "last-build.json"


def _last_labels(doc: PreparedDocument) -> tuple[str, list[int]] | None:
    """The labels and chapter counts of the last build, when it had as many parts as this one."""
    try:
        last = json.loads((cache_dir(doc) / "labels" / _LAST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or len(last.get("before", [])) != len(doc.parts):
        return None
    return last["labels"], last["before"]


def _read_parts(doc: PreparedDocument, labels: str, before: list[int]) -> list[Path]:
    """The parts read into the cache with these labels (those not there yet): their paths.
    pandoc's messages are kept beside each and reported by the caller."""
    parts = doc.parts
    primes = _primes(doc)
    common = _fingerprint(doc, [labels])
    folder = cache_dir(doc) / "json"
    jobs = []
    for index, text in enumerate(parts):
        key = _hash(common, primes[index], str(before[index]), str(index == len(parts) - 1), text)
        jobs.append((index, text, folder / f"{key}.json"))
    todo = [job for job in jobs if not job[2].is_file()]
    last_converted["json"] = [index for index, _, _ in todo]

    def convert(job):
        index, text, path = job
        prime = primes[index]
        # Only the back matter has the reference list (-M given twice would make a list).
        suppress = f"suppress-bibliography={'false' if index == len(parts) - 1 else 'true'}"
        args = [suppress if a == "suppress-bibliography=false" else a for a in doc.pandoc_args()]
        args += ["--lua-filter", str(PARTS_FILTER), "-t", "json",
                 "-M", f"thesisbuild-xref-chapters-before={before[index]}",
                 "-M", "thesisbuild-xref-known-local=true"]
        if labels:
            args += ["-M", f"thesisbuild-xref-known={labels}"]
        source = (prime + "\n\n" if prime else "") + text + "\n"
        proc = run_pandoc(args, input_text=source, cwd=doc.thesis.root, env=doc.env())
        shift = _first_line(parts, index) - 1 - (prime.count("\n") + 2 if prime else 0)
        stderr = _LINE.sub(lambda m: f"line {int(m.group(1)) + shift}", proc.stderr)
        # Beside the document, what the next builds need without reading it: pandoc's messages and
        # the headings' identifiers. The document is written last: it is what marks the part done.
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


def scan_labels(doc: PreparedDocument) -> tuple[str, list[int]]:
    """Every label of the whole thesis with its number ("id=kind:number;..."), and the chapter
    number each part starts after. Each part is scanned on its own, once per change of its text,
    as if it were first (all parts at once); its numbers then move on by the chapters before it."""
    folder = cache_dir(doc) / "labels"
    common = _fingerprint(doc, [])
    paths = [folder / f"{_hash(common, text)}.txt" for text in doc.parts]

    def scan(job):
        text, path = job
        args = ["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER),
                "-M", "thesisbuild-xref-dump=count", "-M", "thesisbuild-xref-chapters-before=0",
                "-t", "plain", "--wrap=none"]
        proc = run_pandoc(args, input_text=text + "\n", cwd=doc.thesis.root, env=doc.env())
        write_atomic(path, proc.stdout.strip() + "\n")

    _run(scan, [(text, path) for text, path in zip(doc.parts, paths) if not path.is_file()])
    before, labels = [], []
    chapter = 0
    for path in paths:
        before.append(chapter)
        found, _, reached = path.read_text(encoding="utf-8").strip().rpartition("\n")
        labels.extend(_shift(entry, chapter) for entry in found.split(";") if entry)
        chapter += int(reached)
    _prune(folder, {path.name for path in paths} | {_LAST})
    return ";".join(labels), before


def _scan_pending(doc: PreparedDocument) -> bool:
    """Whether a part has changed since its labels were last scanned."""
    common = _fingerprint(doc, [])
    folder = cache_dir(doc) / "labels"
    return any(not (folder / f"{_hash(common, text)}.txt").is_file() for text in doc.parts)


def _shift(entry: str, chapters: int) -> str:
    """A label scanned as if its part were first ("id=fig:1.2"), after `chapters` chapters."""
    head, _, number = entry.rpartition(":")
    first, dot, rest = number.partition(".")
    return f"{head}:{int(first) + chapters}{dot}{rest}"


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
    order: dict[str, None] = {}
    cited: list[dict[str, None]] = []
    for text in doc.parts:
        keys: dict[str, None] = {}
        for m in _KEY.finditer(text):
            if m.group(1) in known:
                keys.setdefault(m.group(1))
                order.setdefault(m.group(1))
        cited.append(keys)
    if not order:
        return [""] * len(doc.parts)
    every = _prime_block(list(order))
    if not _author_date(doc.thesis.csl):
        return [every] * len(doc.parts)
    names = {key: _names(known[key].data) for key in order}
    out = []
    for index, keys in enumerate(cited):
        if index == len(doc.parts) - 1:
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
    try:
        text = Path(csl).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    style, fmt = _STYLE_CLASS.search(text), _CITATION_FORMAT.search(text)
    return bool(style and fmt and style.group(1) == "in-text" and fmt.group(1) in ("author-date", "author"))


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
