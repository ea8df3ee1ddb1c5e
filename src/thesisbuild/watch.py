"""`thesisbuild watch`: the PDF rebuilt on every save, with typst kept warm.

The sources are polled by modification time (a few dozen files, twenty times a second: a stat of
each costs microseconds, and a save waits 25 ms on average before it is seen): the
chapters, thesis.yaml, the bibliography, the front texts, the typo dictionary, the profile, the
images and the figure scripts with their data. Each change rebuilds build/thesis.pdf (chapters
whose text did not change come from the conversion cache) and prints one line: the time, the PDF
and the seconds it took, or the error at its file and line. The PDF is replaced atomically, so an
open viewer never reads half a file. Ctrl-C ends it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .build import ensure_figures
from .config import outputs
from .config import Thesis, load_thesis
from .errors import UserError, display_path
from .figures import discover
from .i18n import tr
from .render.document import prepare
from .render.pdf import render_pdf

POLL_SECONDS = 0.05


def watched_files(thesis: Thesis) -> list[Path]:
    files = list(thesis.source_files())
    try:
        for figure in discover(thesis):
            files += figure.inputs
    except UserError:
        pass                      # a figure script with a syntax error: reported by the build
    if (thesis.root / "figures").is_dir():
        files += sorted((thesis.root / "figures").glob("*.py"))
    return sorted(set(files))


def _state(files: list[Path]) -> dict[Path, int | None]:
    state = {}
    for path in files:
        try:
            state[path] = path.stat().st_mtime_ns
        except OSError:
            state[path] = None
    return state


class Watcher:
    def __init__(self, config: Path | None, out=None):
        self.config = config
        self.out = out or sys.stdout
        self.thesis: Thesis | None = None
        self.compiler = None
        self.config_mtime: int | None = None
        self.first = True

    def _load(self) -> Thesis:
        """thesis.yaml, read again when it changed (and a new compiler with it)."""
        path = self.thesis.config_path if self.thesis else None
        mtime = path.stat().st_mtime_ns if path and path.is_file() else None
        if self.thesis is None or mtime != self.config_mtime:
            self.thesis = load_thesis(self.config)
            self.config_mtime = self.thesis.config_path.stat().st_mtime_ns
            self.compiler = None
        return self.thesis

    def build(self) -> None:
        start = time.perf_counter()
        stamp = time.strftime("%H:%M:%S")
        try:
            thesis = self._load()
            ensure_figures(thesis)
            out = outputs(thesis)
            # The first build says the warnings (placeholders, what cannot be rendered); later
            # builds say only the errors, at their place.
            doc = prepare(thesis, warn=self.first)
            # This process is the one kept warm: its own compiler, not the typst server's.
            self.compiler = render_pdf(doc, out["typ"], out["pdf"], compiler=self.compiler, page_list=False,
                                       server=False)
        except UserError as err:
            print(f"{stamp} {err}", file=self.out, flush=True)
            return
        finally:
            self.first = False
        print(tr("{time} {path} {seconds} s", time=stamp, path=display_path(out["pdf"]),
                 seconds=f"{time.perf_counter() - start:.2f}"), file=self.out, flush=True)

    def files(self) -> list[Path]:
        try:
            return watched_files(self._load())
        except UserError:
            return [self.thesis.config_path] if self.thesis else []


def _stop(signum, frame):
    raise KeyboardInterrupt


def watch(config: Path | None = None) -> int:
    import signal

    # Ctrl-C ends it, and so does its parent (an editor, a script) with SIGTERM; SIGINT is set
    # explicitly because a shell starts a background job with it ignored.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    watcher = Watcher(config)
    try:
        thesis = load_thesis(config)
        watcher.thesis, watcher.config_mtime = thesis, thesis.config_path.stat().st_mtime_ns
        files = watcher.files()
        print(tr("thesisbuild watch: rebuilding {path} on every save of its {count} sources; Ctrl-C ends it.",
                 path=display_path(thesis.build_dir / "thesis.pdf"), count=len(files)), flush=True)
        state = _state(files)
        watcher.build()
        while True:
            time.sleep(POLL_SECONDS)
            now = _state(files)
            if now != state:
                files = watcher.files()           # a new chapter or figure in thesis.yaml is watched too
                state = _state(files)
                watcher.build()
    except KeyboardInterrupt:
        print(tr("thesisbuild watch: stopped."), flush=True)
        return 0
