"""The thesis converted part by part, each part once per change.

The staged thesis is the front matter, each chapter, and the back matter (reference list and
appendices). pandoc converts each part on its own, and the result is kept in build/cache/ under a
hash of everything that goes into it: the part's staged text, the labels and numbers of the whole
thesis, the citations of the whole thesis, the bibliography, the style, the filters, pandoc and
thesisbuild. An edit to one chapter converts that chapter again and reuses the rest.

What a part cannot know on its own is given to it:
- its chapter number: the number the parts before it end with ("chapters before");
- the labels of the other parts, with their numbers, written as references to labels of the same
  document (typst resolves them across the whole thesis);
- the citations of the whole thesis, in the order it first cites them, in a block in front of the
  part that is dropped after citeproc (filters/parts.lua): a numeric style numbers the works as in
  the whole thesis, disambiguation ("2020a") sees every cited work, and the reference list in the
  back matter lists them all."""

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

# What the last conversion did, by output format: the indexes of the parts pandoc converted
# (the others came from the cache).
last_converted: dict[str, list[int]] = {}


def cache_dir(doc: PreparedDocument) -> Path:
    return doc.thesis.build_dir / "cache"


def convert_parts(doc: PreparedDocument, to: str, extra: list[str]) -> str:
    """The whole thesis in format `to`, each part from the cache or converted now."""
    parts = doc.parts
    labels, before = scan_labels(doc)
    prime = _prime(doc)
    common = _fingerprint(doc, [to, *extra, prime, labels])
    folder = cache_dir(doc) / to
    jobs = []
    for index, text in enumerate(parts):
        key = _hash(common, str(before[index]), str(index == len(parts) - 1), text)
        jobs.append((index, text, folder / f"{key}.json"))
    todo = [job for job in jobs if not job[2].is_file()]
    last_converted[to] = [index for index, _, _ in todo]

    def convert(job):
        index, text, path = job
        # Only the back matter has the reference list (-M given twice would make a list).
        suppress = f"suppress-bibliography={'false' if index == len(parts) - 1 else 'true'}"
        args = [suppress if a == "suppress-bibliography=false" else a for a in doc.pandoc_args()]
        args += ["--lua-filter", str(PARTS_FILTER), "-t", to, *extra,
                 "-M", f"thesisbuild-xref-chapters-before={before[index]}",
                 "-M", "thesisbuild-xref-known-local=true"]
        if labels:
            args += ["-M", f"thesisbuild-xref-known={labels}"]
        source = (prime + "\n\n" if prime else "") + text + "\n"
        proc = run_pandoc(args, input_text=source, cwd=doc.thesis.root, env=doc.env())
        shift = _first_line(parts, index) - 1 - (prime.count("\n") + 2 if prime else 0)
        stderr = _LINE.sub(lambda m: f"line {int(m.group(1)) + shift}", proc.stderr)
        write_atomic(path, json.dumps({"out": proc.stdout, "err": stderr}, ensure_ascii=False))

    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        list(pool.map(convert, todo))
    out = []
    for index, _, path in jobs:
        stored = json.loads(path.read_text(encoding="utf-8"))
        doc.check_pandoc(stored["err"])
        out.append(stored["out"])
    _prune(folder, {path.name for _, _, path in jobs})
    return "\n".join(out)   # a blank line between parts: a paragraph never runs into the next part


def scan_labels(doc: PreparedDocument) -> tuple[str, list[int]]:
    """Every label of the whole thesis with its number ("id=kind:number;..."), and the chapter
    number each part starts after; each part is scanned once per change of its text or of the
    number it starts after."""
    folder = cache_dir(doc) / "labels"
    common = _fingerprint(doc, [])
    before, labels, used = [], [], set()
    chapter = 0
    for text in doc.parts:
        before.append(chapter)
        path = folder / f"{_hash(common, str(chapter), text)}.txt"
        used.add(path.name)
        if not path.is_file():
            args = ["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER),
                    "-M", "thesisbuild-xref-dump=count", "-M", f"thesisbuild-xref-chapters-before={chapter}",
                    "-t", "plain", "--wrap=none"]
            proc = run_pandoc(args, input_text=text + "\n", cwd=doc.thesis.root, env=doc.env())
            write_atomic(path, proc.stdout.strip() + "\n")
        found, _, reached = path.read_text(encoding="utf-8").strip().rpartition("\n")
        if found:
            labels.append(found)
        chapter = int(reached)
    _prune(folder, used)
    return ";".join(labels), before


def _prime(doc: PreparedDocument) -> str:
    """A block citing every cited work of the thesis, in the order the thesis first cites them."""
    known = {r.id for r in doc.references}
    order: dict[str, None] = {}
    for text in doc.parts:
        for m in _KEY.finditer(text):
            if m.group(1) in known:
                order.setdefault(m.group(1))
    if not order:
        return ""
    return "::: thesisbuild-prime\n[" + "; ".join(f"@{key}" for key in order) + "]\n:::"


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
