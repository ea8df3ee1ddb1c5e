"""Generated figures: each `figures/<name>.py` is a matplotlib script whose data files are declared
beside it (a top-level `DATA = ("name.csv",)`). The build runs a script only when it or its data
changed, and writes `build/figures/<name>.svg` (for the PDF) and `<name>.png` (for the DOCX).

A chapter places a figure with pandoc's figure syntax and the figure's id, `fig-<name>`:
`![Kerangka pemikiran](fig-kerangka-pemikiran){#fig-kerangka-pemikiran}`.

A script runs in a temporary folder that holds a copy of it, of its declared data and of the
helper modules beside it (`figures/_*.py`), at their places relative to the thesis folder: a file
it reads without declaring it is not there (the error says to declare it), and what it writes
next to itself is thrown away. What it writes into the thesis by an absolute path is found and
reported."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .i18n import N_, language, tr
from .config import Thesis
from .errors import UserError, display_path
from .fsutil import remove_stale, write_atomic
from .yamlfile import read_text

PNG_DPI = 300


@dataclass(frozen=True)
class FigureScript:
    name: str
    script: Path
    data: tuple[Path, ...]
    helpers: tuple[Path, ...] = ()          # figures/_*.py: modules the scripts may import

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the figure is drawn from: a change to one draws it again."""
        return (self.script, *self.data, *self.helpers)

    @property
    def id(self) -> str:
        return f"fig-{self.name}"

    def outputs(self, build: Path) -> dict[str, Path]:
        folder = build / "figures"
        return {"svg": folder / f"{self.name}.svg", "png": folder / f"{self.name}.png"}


def figures_dir(thesis: Thesis) -> Path:
    return thesis.root / "figures"


def discover(thesis: Thesis) -> list[FigureScript]:
    folder = figures_dir(thesis)
    if not folder.is_dir():
        return []
    helpers = tuple(sorted(p for p in folder.glob("_*.py") if p.is_file()))
    return [FigureScript(p.stem, p, declared_data(p, thesis.root), helpers) for p in sorted(folder.glob("*.py"))
            if not p.name.startswith("_")]


def declared_data(script: Path, root: Path | None = None) -> tuple[Path, ...]:
    """The files named in the script's top-level DATA, read without running the script; with
    `root`, each must lie in that folder (the thesis)."""
    try:
        tree = ast.parse(read_text(script, N_("figure script")), filename=str(script))
    except SyntaxError as err:
        raise UserError(tr("the figure script has a syntax error ({problem}); fix it.", problem=err.msg), script, err.lineno,
                        err.offset) from None
    node = _data_assignment(tree)
    if node is None:
        return ()
    try:
        names = ast.literal_eval(node.value)
    except ValueError:
        raise UserError(tr("DATA must list file names as plain strings, e.g. DATA = (\"timeline.csv\",)."),
                        script, node.lineno) from None
    if isinstance(names, str):
        names = [names]
    elif not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise UserError(tr("DATA must list file names as plain strings, e.g. DATA = (\"timeline.csv\",)."),
                        script, node.lineno)
    names = list(names)
    paths = []
    for name in names:
        path = (script.parent / str(name)).resolve()
        if not path.is_file():
            raise UserError(tr("DATA names '{name}', which does not exist beside the script; create it or "
                               "fix the name.", name=name), script, node.lineno)
        if root is not None and not path.is_relative_to(root.resolve()):
            raise UserError(tr("DATA names '{name}', which is outside the thesis folder; copy the data into "
                               "the thesis (e.g. beside the script).", name=name), script, node.lineno)
        paths.append(path)
    return tuple(paths)


def _data_assignment(tree: ast.Module) -> ast.Assign | None:
    """The script's top-level DATA assignment, if it has one."""
    return next((node for node in tree.body if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "DATA" for t in node.targets)), None)


def _one_string_data(script: Path) -> tuple[str, int] | None:
    """DATA's value and line when it is one string, as `DATA = ("data.csv")` is (the tuple's comma
    missing); declared_data has read the script without error before it ran."""
    try:
        node = _data_assignment(ast.parse(read_text(script, N_("figure script")), filename=str(script)))
    except (UserError, SyntaxError):
        return None
    value = node.value if node is not None else None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value, node.lineno
    return None


_NOT_WATCHED = {".git", ".venv", "venv", "node_modules", "__pycache__"}


def _project_files(project: Path, build: Path) -> dict[Path, tuple[int, int]]:
    """The thesis's files outside build/ with their modification time and size, to tell what a
    figure script wrote where it should not."""
    found: dict[Path, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(project):
        dirs[:] = [d for d in dirs if d not in _NOT_WATCHED and Path(folder, d) != build
                   and not d.startswith(".doit")]
        for name in files:
            path = Path(folder, name)
            if name.startswith(".doit"):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


_NOT_FOUND = re.compile(r"^FileNotFoundError\b", re.MULTILINE)
_MISSING_NAME = re.compile(r"^FileNotFoundError: \[Errno \d+\] [^\n]*?: '([^'\n]*)'$", re.MULTILINE)
# A traceback frame of the runner or of runpy: the line naming it and the source line under it.
_RUNNER_FRAME = re.compile(r'^  File "(?:<frozen runpy>|[^"\n]*(?:runpy|figure_runner)\.py)", line \d+, in [^\n]*\n'
                           r'(?:    [^\n]*\n)*', re.MULTILINE)


def _sandbox(figure: FigureScript, project: Path, folder: Path) -> Path:
    """Copy the script, its data and the helper modules into `folder` at their places relative to
    the thesis; the script's copy."""
    root = project.resolve()
    for path in figure.inputs:
        relative = path.resolve().relative_to(root)
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return folder / figure.script.resolve().relative_to(root)


def run_figure(figure: FigureScript, build: Path, seconds: float = 120.0) -> dict[str, Path]:
    """Run one figure script in a fresh Python with fixed fonts and metadata; fail with its stderr,
    or when it runs longer than `seconds` (the profile's limits.figure_seconds)."""
    outputs = figure.outputs(build)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPL")}
    env["PYTHONHASHSEED"] = "0"
    env["SOURCE_DATE_EPOCH"] = env.get("SOURCE_DATE_EPOCH", "315532800")
    env["THESISBUILD_LANG"] = language()        # the script's own messages in the user's language
    project = figure.script.parent.parent
    key = _drawing_key(figure, project, env["SOURCE_DATE_EPOCH"])
    if _drawn(outputs, key):
        return outputs
    remove_stale(*outputs.values(), _stamp(outputs))    # never let an old image pass for a new one
    outputs["svg"].parent.mkdir(parents=True, exist_ok=True)
    # The script draws into hidden names; only a whole run moves them into place, so a run stopped
    # half-way (killed, timed out) leaves no image that could pass for a new one.
    partial = {kind: path.with_name(f".{path.name}.partial") for kind, path in outputs.items()}
    before = _project_files(project, build)
    with tempfile.TemporaryDirectory(prefix="thesisbuild-figure-") as sandbox:
        place = _sandbox(figure, project, Path(sandbox))
        try:
            proc = subprocess.run([sys.executable, "-m", "thesisbuild.figure_runner", str(place),
                                   str(partial["svg"]), str(partial["png"]), str(PNG_DPI)],
                                  capture_output=True, text=True, encoding="utf-8", errors="replace",
                                  cwd=place.parent, env=env, timeout=seconds)
        except subprocess.TimeoutExpired:
            remove_stale(*outputs.values(), *partial.values())
            raise UserError(tr("the figure script ran longer than {seconds} s and was stopped; make it finish (a "
                               "loop that never ends?), or raise limits.figure_seconds under profile: in "
                               "thesis.yaml.", seconds=f"{seconds:g}"), figure.script) from None
        # Its messages name the thesis's files, not the copies it ran from, and its traceback starts
        # at the script (the runner's own frames are left out).
        stderr = proc.stderr.replace(str(Path(sandbox).resolve()) + os.sep, "").replace(sandbox + os.sep, "")
        stderr = _RUNNER_FRAME.sub("", stderr)
    changed = sorted(path for path, stamp in _project_files(project, build).items() if before.get(path) != stamp)
    if changed:
        remove_stale(*outputs.values(), *partial.values())
        raise UserError(tr("the figure script wrote {files} in the thesis folder; a figure script only draws (the "
                           "build saves the figure): remove what it writes, and restore those files if it changed "
                           "them.", files=", ".join(p.relative_to(project).as_posix() for p in changed[:5])),
                        figure.script)
    if proc.returncode == 0:
        for kind in ("png", "svg"):
            if partial[kind].is_file() and partial[kind].stat().st_size > 0:
                os.replace(partial[kind], outputs[kind])
    remove_stale(*partial.values())
    if proc.returncode != 0:
        remove_stale(*outputs.values())
        detail = "\n".join(stderr.strip().splitlines()[-15:])
        one = _one_string_data(figure.script)
        missing = _MISSING_NAME.search(stderr)
        if one and missing and len(missing.group(1)) == 1 and one[0].startswith(missing.group(1)):
            # DATA = ("data.csv") is the string itself, not a tuple of one: DATA[0] is its first letter.
            raise UserError(tr("the figure script failed (exit {status}): DATA is the text '{name}', not a list of "
                               "names, so DATA[0] is its first letter '{letter}'; write DATA = (\"{name}\",) with "
                               "the comma. Its error output:\n{detail}", status=proc.returncode, name=one[0],
                               letter=missing.group(1), detail=detail), figure.script, one[1])
        if _NOT_FOUND.search(stderr):
            raise UserError(tr("the figure script failed (exit {status}): it reads a file it does not name in DATA; a "
                               "figure script runs in a temporary folder with only its DATA files, so list every "
                               "file it reads there, e.g. DATA = (\"data.csv\",). Its error output:\n{detail}",
                               status=proc.returncode, detail=detail), figure.script)
        raise UserError(tr("the figure script failed (exit {status}); fix it. Its error output:\n{detail}",
                           status=proc.returncode, detail=detail),
                        figure.script)
    missing = [display_path(p) for p in outputs.values() if not p.is_file()]
    if missing:
        remove_stale(*outputs.values())
        raise UserError(tr("the figure script wrote no figure ({missing} missing); draw one with matplotlib "
                           "(plt.figure()).", missing=", ".join(missing)), figure.script)
    write_atomic(_stamp(outputs), _stamp_text(outputs, key))
    return outputs


def _drawing_key(figure: FigureScript, project: Path, epoch: str) -> str:
    """What a drawing is made from: the script, its data and helpers (by their place in the
    thesis and their bytes), the runner, matplotlib, Python and the epoch."""
    from importlib.metadata import version     # lazy: only a figure task needs it

    digest = hashlib.sha256()
    runner = Path(__file__).with_name("figure_runner.py")
    for item in [__version__, sys.version, version("matplotlib"), str(PNG_DPI), epoch, runner.read_text("utf-8")]:
        digest.update(item.encode("utf-8") + b"\0")
    root = project.resolve()
    for path in figure.inputs:
        digest.update(path.resolve().relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp(outputs: dict[str, Path]) -> Path:
    svg = outputs["svg"]
    return svg.with_name(f".{svg.stem}.drawn")


def _stamp_text(outputs: dict[str, Path], key: str) -> str:
    lines = [key] + [f"{kind} {hashlib.sha256(outputs[kind].read_bytes()).hexdigest()}" for kind in ("svg", "png")]
    return "\n".join(lines) + "\n"


def _drawn(outputs: dict[str, Path], key: str) -> bool:
    """The images are there, as the last run drew them from the same inputs (a copied or restored
    build/ folder, a lost doit record): the script need not run again."""
    try:
        return _stamp(outputs).read_text(encoding="utf-8") == _stamp_text(outputs, key)
    except (OSError, UnicodeDecodeError):
        return False
