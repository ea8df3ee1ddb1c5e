"""File writes that never leave a half-written file behind."""

from __future__ import annotations

import functools
import glob
import hashlib
import importlib.util
import os
import tempfile
import time
from pathlib import Path

from . import __version__


_LEFTOVER_SECONDS = 60      # a temporary file this old was left by a write that was killed


def stamp(path: Path, name: str | None = None) -> str:
    """A file by its path (or `name`, a path relative to a folder that may move with its cache),
    size and modification time: what a cache is keyed by when the file itself (a program, a font,
    an installed package's module, an image) is too large to hash each run."""
    info = Path(path).stat()
    return f"{path if name is None else name}:{info.st_size}:{info.st_mtime_ns}"


@functools.cache
def code_digest(*paths: Path) -> str:
    """thesisbuild's version and these files' bytes (its own modules), hashed: what a cache of
    their results is named by, so that a changed module makes new results. Read once per process."""
    digest = hashlib.sha256(__version__.encode() + b"\0")
    for path in paths:
        digest.update(Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def package_stamp(name: str) -> str:
    """An installed package by the stamps of its top-level files, found without importing it (a
    tenth of a second for some); "" when it is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return ""
    return "\0".join(stamp(path) for path in sorted(Path(spec.origin).parent.iterdir()) if path.is_file())


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, flushed to disk, then rename it over `path`: a
    reader (or a crash) sees the whole old file or the whole new one. Temporary files that a killed
    write left beside it are removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remove_leftovers(path)


def _remove_leftovers(path: Path) -> None:
    now = time.time()
    for old in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if now - old.stat().st_mtime > _LEFTOVER_SECONDS:
                old.unlink()
        except OSError:
            pass          # gone already, or not ours to remove


def remove_stale(*paths: Path) -> None:
    """Delete outputs of a failed build so that nothing stale looks fresh."""
    for path in paths:
        Path(path).unlink(missing_ok=True)
