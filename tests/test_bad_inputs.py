"""Bad input and faults, one case per file in tests/bad_inputs/: each is applied to a fresh copy of
the example thesis, then a command runs as a student would run it.

A case file (YAML):

    what: a chapter listed by an absolute path outside the thesis
    first: [[build]]                          # commands that succeed before the change (optional)
    setup:                                    # applied in order
      - replace: {file: thesis.yaml, old: "  - chapters/01-pendahuluan.md", new: "  - /etc/passwd"}
      - append: {file: chapters/01-pendahuluan.md, text: "...", times: 1}   # times: repeated
      - write: {file: typos.yaml, text: "..."}           # (bytes: latin-1 text with encoding: latin-1)
      - symlink: {file: chapters/00-x.md, to: /etc/hostname}
      - mkdir: drafts/01-pendahuluan.md
    run: [build]                              # thesisbuild's arguments (default: build)
    expect:
      status: 2                               # default 2
      says: ["thesis.yaml:25", "outside the thesis folder"]   # each in the output
      script_traceback: figures/gagal.py      # a figure script's own traceback, shown on purpose
      written_by_the_script: [chapters/x.md]  # files the case's own figure script writes

Every case also asserts what every bad input promises: no traceback, the status, an error that
names its file (and line where it gives one) in one sentence, the sources byte-identical (nothing
the student wrote is lost or changed), and no half-written or stale output in build/."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_thesis
from thesisbuild import cli

CASES = Path(__file__).resolve().parent / "bad_inputs"


def _cases() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def _apply(project: Path, step: dict) -> None:
    (kind, args), = step.items()
    if kind == "mkdir":
        (project / args).mkdir(parents=True, exist_ok=True)
        return
    path = project / args["file"]
    if kind == "replace":
        text = path.read_text(encoding="utf-8")
        assert args["old"] in text, f"the case's text to replace is not in {args['file']}: {args['old']!r}"
        path.write_text(text.replace(args["old"], args["new"], 1), encoding="utf-8")
    elif kind == "append":
        with path.open("a", encoding="utf-8") as f:
            f.write(args["text"] * args.get("times", 1))
    elif kind == "write":
        if path.is_dir():
            shutil.rmtree(path)          # a file where a folder of the build was
        path.parent.mkdir(parents=True, exist_ok=True)
        # "{project}": the copy's absolute path, for a script that reaches into it on purpose.
        text = str(args["text"]).replace("{project}", str(project))
        path.write_bytes(text.encode(args.get("encoding", "utf-8")))
    elif kind == "symlink":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(args["to"])
    elif kind == "delete":
        path.unlink()
    else:
        raise AssertionError(f"unknown setup step {kind!r}")


def _sources(project: Path) -> dict[str, str]:
    """Every file the student wrote (all but build/ and doit's state), with its hash."""
    out = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if rel.parts[0] in ("build",) or rel.name.startswith(".doit") or path.is_symlink() or not path.is_file():
            continue
        out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _thesisbuild(project: Path, args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """thesisbuild's command line in this process (a fresh interpreter per case would cost more than
    most cases); an exception it lets through fails the test with its traceback."""
    cwd = Path.cwd()
    os.chdir(project)
    try:
        status = cli.main(list(args))
    except SystemExit as exit_:                  # argparse's own errors
        status = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(cwd)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.stem)
def test_bad_input(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    project = copy_thesis(tmp_path / "thesis")          # with the example's figures, drawn once a run
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for command in spec.get("first", []):       # commands that succeed before the case's change
        status, out = _thesisbuild(project, command, capsys)
        assert status == 0, out
    for step in spec.get("setup", []):
        _apply(project, step)
    before = _sources(project)
    status, out = _thesisbuild(project, spec.get("run", ["build"]), capsys)
    expect = spec.get("expect", {})
    own = expect.get("script_traceback")       # a figure script's own error output is shown as it is
    if own:
        assert own in out, out[-3000:]
        out_checked = out.split("Traceback", 1)[0]
    else:
        out_checked = out
    assert "Traceback" not in out_checked, out[-3000:]
    assert status == expect.get("status", 2), out[-3000:]
    for text in expect.get("says", []):
        assert text in out, f"{case.stem}: expected {text!r} in:\n{out[-3000:]}"
    if status == 2:
        errors = [line for line in out.splitlines() if "error" in line.lower()]
        assert errors, out[-3000:]
    written = set(expect.get("written_by_the_script", []))    # what the case's own figure script writes
    after = {k: v for k, v in _sources(project).items() if k not in written}
    assert after == {k: v for k, v in before.items() if k not in written}, "a source file changed"
    build = project / "build"
    if status != 0 and build.is_dir():
        left = sorted(p.name for p in build.iterdir() if p.is_file())
        # thesis.typ may stay after typst failed on it: the error names it as the place to look.
        assert not [n for n in left if n in ("thesis.pdf", "thesis.docx", "thesis.pages.json")
                    or n.endswith((".partial", ".tmp"))], left
