"""doit task definitions; dodo.py declares them by calling these functions."""

from __future__ import annotations

import functools
import signal
import sys
import threading
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from . import __version__
from .config import Thesis, load_thesis, outputs, stale_outputs
from .diagnostics import Severity
from .drafts import build_draft, drafts as chapters, last_sent, snapshots as sent_snapshots
from .epoch import source_date_epoch
from .errors import UserError, UserErrors, display_path, file_error
from .figures import discover, run_figure
from .fixes import fix_files
from .fsutil import remove_stale, write_atomic
from .i18n import plural, tr
from .report import format_text, summary

DOIT_CONFIG = {
    "default_tasks": ["lint", "figure", "pdf", "docx", "verify", "preview"],
    "dep_file": ".doit.db",
    "backend": "json",
    "verbosity": 2,
}

_PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def thesis() -> Thesis:
    """thesis.yaml, loaded once per doit run; a bad file stops doit with its one-line error."""
    try:
        return load_thesis()
    except UserError as err:
        print(err, file=sys.stderr)
        remove_stale(*stale_outputs())      # outputs of older sources are not left to pass for new ones
        raise SystemExit(2) from None


@functools.lru_cache(maxsize=None)
def _code_files(*parts: str) -> tuple[str, ...]:
    """The package files a task's output depends on, so upgrading thesisbuild rebuilds (listed once
    per doit run: every task asks)."""
    files: list[Path] = []
    for part in parts:
        path = _PACKAGE / part
        files.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    return tuple(str(f) for f in files if f.is_file() and f.suffix in (".py", ".lua", ".j2", ".yaml"))


def _interrupted(signum, frame):
    print(tr("doit: stopped (Ctrl-C). Every output is whole, old or new; run doit again to finish."),
          file=sys.stderr, flush=True)
    raise SystemExit(130)


def stop_quietly_on_interrupt() -> None:
    """Ctrl-C during `doit` ends it with one line, not a Python traceback. The tasks write their
    outputs atomically and doit records only finished tasks, so the next run does the rest."""
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted)


def _action(fn, *args):
    """A doit python-action that reports a UserError as one line and fails the task."""
    def run():
        try:
            fn(*args)
        except UserError as err:
            return TaskFailed(str(err))
        except OSError as err:
            return TaskFailed(str(file_error(err)))
        return True
    run.__name__ = fn.__name__
    return run


def build_pdf(t: Thesis) -> None:
    from .build import build_pdf as build  # lazy: start-up time; a no-op doit loads no renderer
    build(t)


def build_docx(t: Thesis, warn: bool) -> None:
    from .build import build_docx as build  # lazy: start-up time, as above

    # The verify task that follows finds the DOCX's schema check done, or under way: it loads its
    # schemas while this task waits for pandoc and finishes the DOCX, on the core this task leaves
    # free, and validates the DOCX as soon as it is written (verify/schema.py). The lint may have
    # started it already (run_lint_task). Started in the PDF's task, it slowed a clean `doit pdf`
    # by 0.8 s: both cores are busy there.
    early = _start_schema_check(t)
    try:
        path = build(t, warn)
    except BaseException:
        early.stop()
        raise
    early.validate(path)


def _start_schema_check(t: Thesis):
    """The verify task's schema check of the DOCX to be written next, under way (verify/schema.py)."""
    from .verify.schema import start_early  # lazy: start-up time; a no-op doit loads no verifier
    return start_early(_verify_cache(t))


def _verify_cache(t: Thesis) -> Path:
    return t.build_dir / "cache" / "verify"


def build_reference(t: Thesis) -> None:
    from .build import build_reference as build  # lazy: start-up time, as above
    build(t)


def _stamp(t: Thesis):
    return config_changed({"thesisbuild": __version__, "epoch": _epoch(t.root)})


@functools.lru_cache(maxsize=None)
def _epoch(root: Path) -> int:
    """SOURCE_DATE_EPOCH, asked of git once per doit run (every output task and draft asks)."""
    return source_date_epoch(root)


def draw_figure(t: Thesis, figure) -> None:
    """One figure script; when it fails the thesis's outputs go too (they would show the old figure)."""
    try:
        run_figure(figure, t.build_dir, float(t.profile.limits.figure_seconds))
    except UserError:
        out = outputs(t)
        remove_stale(out["pdf"], out["pages"], out["docx"])
        raise


def run_lint_task(t: Thesis) -> None:
    """Print the lint report; errors fail the task (and so the default `doit` run)."""
    # lazy: start-up time; lint, verify and preview load only in the task that runs them
    from .lint import LintRequest, run_lint

    if _verify_asked():
        # The lint takes one core: the DOCX's schema check loads its schemas on the other meanwhile,
        # and waits for the DOCX task to name the file (build_docx takes it from here). Unused, it
        # ends with the run.
        _start_schema_check(t)
    result = run_lint(LintRequest(chapters=[*t.chapters, *t.appendices], front_texts=t.front_text_files(),
                                  bibliographies=t.bibliography,
                                  lang=t.lang, csl=t.csl, severity=t.lint_severity, typos=t.typos, words=t.words,
                                  suspects=True, root=t.root, profile=t.profile,
                                  cache=t.build_dir / "cache" / "lint"))
    sys.stdout.write(format_text(result.diagnostics, result.texts))
    print(tr("thesisbuild lint: {summary}", summary=summary(result.diagnostics)))
    worst = result.worst()
    if worst is not None and worst >= Severity.ERROR:
        out = outputs(t)
        remove_stale(out["pdf"], out["typ"], out["docx"])  # the build failed: keep nothing stale
        raise UserError(tr("the lint found errors (listed above); fix them, or see `thesisbuild lint --help`."))


def _verify_asked(argv: list[str] | None = None) -> bool:
    """Whether this doit run was asked for the verify task: `doit` alone (the default tasks), or
    `doit [run] ... verify ...`. A run whose arguments this cannot read counts as not asking."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        args = args[1:]
    if any(a.startswith("-") for a in args):
        return False                        # an option, perhaps with a value: not read here
    names = [a for a in args if "=" not in a]   # name=value: doit's variables
    return not names or "verify" in names


def lint() -> dict:
    t = thesis()
    return {
        "actions": [_action(run_lint_task, t)],
        "file_dep": [str(t.config_path), *map(str, t.chapters), *map(str, t.appendices), *map(str, t.bibliography),
                     *[str(p) for p in (t.typos, t.words) if p],
                     *_code_files("checks", "lint.py", "prose.py", "citations.py", "sources.py",
                                  "bibliography.py", "diagnostics.py", "typos.py", "words.py", "data")],
        "uptodate": [config_changed({"thesisbuild": __version__})],
    }


def run_fix_task(t: Thesis) -> None:
    """Write the typo dictionary's fixes into the chapters (atomically), and list them."""
    # lazy: start-up time; lint, verify and preview load only in the task that runs them
    from .lint import LintRequest, run_lint

    if t.typos is None:
        raise UserError(tr("this thesis has no typo dictionary; create typos.yaml (wrong: right, one per line)."))
    result = run_lint(LintRequest(chapters=t.chapters, bibliographies=[], lang=t.lang, typos=t.typos,
                                  suspects=False, citations=False))
    fixes = [d for d in result.diagnostics if d.code == "TYP001" and d.fix is not None]
    diff, count = fix_files(fixes, result.texts, write=True)
    sys.stdout.write(diff)
    print(tr(plural(count, "thesisbuild fix: applied {count} typo fix.", "thesisbuild fix: applied {count} typo fixes."),
             count=count))


def fix() -> dict:
    t = thesis()
    return {"actions": [_action(run_fix_task, t)], "uptodate": [False], "verbosity": 2}


def run_review_task(t: Thesis) -> None:
    """What is still open in each DOCX in review/: the supervisor's comments and changes at their
    place in the chapters."""
    # lazy: start-up time, as in run_fix_task
    from .review import REVIEW_FOLDER, diagnostics, is_open, record, review_files

    folder = t.root / REVIEW_FOLDER
    files = sorted(p for p in folder.glob("*.docx") if not p.name.startswith("~$")) if folder.is_dir() else []
    if not files:
        print(tr("thesisbuild review: no returned draft in review/; put the DOCX the supervisor sends back there."))
        return
    reviews, bad = review_files(t, files)       # the unreadable ones said at the end
    for review in reviews:
        shown = [d for item, d in zip(review.items, diagnostics(review)) if is_open(item)]
        sys.stdout.write(format_text(shown, {}))
        print(record(t, review))
    if bad:
        raise UserErrors(bad) if len(bad) > 1 else bad[0]


def review() -> dict:
    t = thesis()
    return {"actions": [_action(run_review_task, t)], "uptodate": [False], "verbosity": 2}


def write_draft(t: Thesis, draft) -> None:
    """The chapter's draft files, each named as it is written (as the thesis's outputs are)."""
    for path in build_draft(t, draft):
        print(tr("thesisbuild: wrote {path}", path=display_path(path)), file=sys.stderr)


def drafts():
    """One task per chapter: its draft, and its changes since the draft last sent."""
    t = thesis()
    for draft in chapters(t):
        out = draft.outputs(t)
        targets = [out["pdf"], out["docx"]]
        snapshots = sent_snapshots(t, draft.name)
        if last_sent(t, draft) is not None:
            targets.append(out["changes"])
        yield {
            "name": draft.name,
            "doc": tr("Build build/drafts/{name}.pdf and .docx for the supervisor (and -changes.docx once sent)",
                      name=draft.name),
            "actions": [_action(write_draft, t, draft)],
            "file_dep": [str(t.config_path), str(draft.chapter), *map(str, t.bibliography), *map(str, snapshots),
                         *[str(p) for p in (t.typos,) if p], *map(str, t.profile.files()),
                         *_figure_outputs(t, "svg"), *_figure_outputs(t, "png"), *_code_files(".")],
            "targets": [str(p) for p in targets],
            "uptodate": [_stamp(t)],
            "clean": True,
        }


def run_verify_task(t: Thesis) -> None:
    # lazy: start-up time; lint, verify and preview load only in the task that runs them
    from .verify import verify_files

    out = outputs(t)
    checks = verify_files([out["pdf"], out["docx"]], t.profile, cache=_verify_cache(t))
    for check in checks:
        print(check.line())
    failed = [c for c in checks if not c.ok]
    # The report is the task's target: an unchanged build is not measured again.
    write_atomic(verify_report(t), "".join(c.line() + "\n" for c in checks))
    if failed:
        raise UserError(tr("{failed} of {total} template rules fail (FAIL lines above); the outputs do not follow "
                           "the profile.", failed=len(failed), total=len(checks)))
    print(tr("thesisbuild verify: all {count} rules pass against the profile '{profile}'.", count=len(checks),
             profile=t.profile.name))


def verify_report(t: Thesis) -> Path:
    return t.build_dir / "verify.txt"


def verify() -> dict:
    t = thesis()
    out = outputs(t)
    return {
        "actions": [_action(run_verify_task, t)],
        "file_dep": [str(out["pdf"]), str(out["docx"]), *map(str, t.profile.files()), *_code_files("verify")],
        "targets": [str(verify_report(t))],
        "uptodate": [config_changed({"thesisbuild": __version__})],
        "clean": True,
    }


def run_preview_task(t: Thesis) -> None:
    # lazy: start-up time; lint, verify and preview load only in the task that runs them
    from .preview import write_previews

    for path in write_previews(t):
        print(tr("thesisbuild: wrote {path}", path=path.relative_to(t.root)))


def preview() -> dict:
    t = thesis()
    out = outputs(t)
    from .preview import PAGES  # lazy: start-up time, as above

    previews = [str(t.build_dir / "preview" / f"{name}.png") for name in PAGES]
    return {"actions": [_action(run_preview_task, t)], "file_dep": [str(out["pdf"]), str(out["typ"])],
            "targets": previews, "clean": True}


def reference_docx() -> dict:
    t = thesis()
    target = outputs(t)["reference"]
    return {
        "actions": [_action(build_reference, t)],
        "file_dep": [str(t.config_path), *map(str, t.profile.files()),
                     *_code_files("render/docx.py", "config.py")],
        "targets": [str(target)],
        "uptodate": [config_changed({"thesisbuild": __version__})],
        "clean": True,
    }


def figures():
    """One task per figure script: run it when the script or its declared data changed."""
    t = thesis()
    for figure in _figures(t):
        outs = figure.outputs(t.build_dir)
        yield {
            "name": figure.name,
            "doc": tr("Draw {figure} from figures/{script}", figure=figure.id, script=figure.script.name),
            "actions": [_action(draw_figure, t, figure)],
            "file_dep": [*map(str, figure.inputs), *_code_files("figure_runner.py")],
            "targets": [str(outs["svg"]), str(outs["png"])],
            "clean": True,
        }


_DISCOVERED: dict[int, list] = {}
_SOURCES: dict[int, list[Path]] = {}


def _source_files(t: Thesis) -> list[Path]:
    """The thesis's inputs, found once per doit run (the PDF's and the DOCX's tasks ask; finding the
    images reads every chapter)."""
    if id(t) not in _SOURCES:
        _SOURCES[id(t)] = t.source_files()
    return _SOURCES[id(t)]


def _figures(t: Thesis):
    """The thesis's figure scripts, read once per doit run (every task that draws on figures asks)."""
    if id(t) not in _DISCOVERED:
        try:
            _DISCOVERED[id(t)] = discover(t)
        except UserError as err:
            print(err, file=sys.stderr)
            raise SystemExit(2) from None
    return _DISCOVERED[id(t)]


def _figure_outputs(t: Thesis, kind: str) -> list[str]:
    return [str(f.outputs(t.build_dir)[kind]) for f in _figures(t)]


def pdf() -> dict:
    t = thesis()
    out = outputs(t)
    return {
        "actions": [_action(build_pdf, t)],
        "file_dep": [*map(str, _source_files(t)), *_figure_outputs(t, "svg"), *_code_files(".")],
        # The reference document first: pandoc writes the DOCX while typst lays out the PDF.
        "task_dep": ["reference_docx"],
        "targets": [str(out["pdf"]), str(out["typ"]), str(out["pages"])],
        "uptodate": [_stamp(t)],
        "clean": True,
    }


def docx() -> dict:
    t = thesis()
    out = outputs(t)
    return {
        "actions": [_action(build_docx, t, False)],
        # The PDF's page numbers fill the DOCX's table of contents.
        "file_dep": [*map(str, _source_files(t)), str(out["reference"]), str(out["pages"]),
                     *_figure_outputs(t, "png"), *_code_files(".")],
        "targets": [str(out["docx"])],
        "uptodate": [_stamp(t)],
        "clean": True,
    }
