"""Process faults: a command killed at any moment loses nothing and leaves nothing stale."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import copy_thesis, run_doit

CHAPTER = Path("chapters") / "01-pendahuluan.md"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}


def test_fix_killed_at_any_moment_leaves_the_whole_old_or_the_whole_new_chapter(tmp_path: Path):
    project = copy_thesis(tmp_path / "thesis")
    chapter = project / CHAPTER
    # A long chapter (the example's text twenty times, with its typos), so that a kill can land
    # while the fixes are computed and while the file is written.
    head, body = chapter.read_text(encoding="utf-8").split("\n", 1)
    old = head + "\n" + body * 20
    chapter.write_text(old, encoding="utf-8")
    reference = tmp_path / "reference"
    shutil.copytree(project, reference)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "thesisbuild.cli", "fix"], cwd=reference, env=_env(), check=True,
                   capture_output=True)
    took = time.perf_counter() - start
    new = (reference / CHAPTER).read_text(encoding="utf-8")
    assert new != old
    rng = random.Random(20261127)
    for _ in range(12):
        chapter.write_text(old, encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "thesisbuild.cli", "fix"], cwd=project, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * took)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        text = chapter.read_text(encoding="utf-8")
        assert text in (old, new), "a killed fix left a chapter that is neither the old nor the new one"
    # Temporary files a killed write left are removed by the next write once they are stale.
    for left in (project / "chapters").glob(".*.tmp"):
        os.utime(left, (time.time() - 3600, time.time() - 3600))
    chapter.write_text(old, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "thesisbuild.cli", "fix"], cwd=project, env=_env(), check=True,
                   capture_output=True)
    assert chapter.read_text(encoding="utf-8") == new
    assert not list((project / "chapters").glob(".*.tmp"))


def test_doit_killed_or_interrupted_mid_build_then_run_again_equals_a_clean_build(tmp_path: Path):
    project = copy_thesis(tmp_path / "thesis", cached=False)
    clean = copy_thesis(tmp_path / "clean", cached=False)
    start = time.perf_counter()
    assert run_doit(clean, "pdf", "docx").returncode == 0
    took = time.perf_counter() - start
    proc = subprocess.Popen([sys.executable, "-m", "doit", "pdf", "docx"], cwd=project, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.6 * took)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Ctrl-C in the run after it, while its PDF is being built (doit names the task as it starts
    # it): one line and status 130, no traceback.
    # Ctrl-C as a terminal sends it: to a process that has not inherited SIGINT ignored (a shell's
    # background job, such as a CI runner started with &, ignores it, and so would its children).
    proc = subprocess.Popen([sys.executable, "-m", "doit", "pdf", "docx"], cwd=project,
                            env={**_env(), "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(".  pdf"):
            break
    assert seen and seen[-1].startswith(".  pdf"), "".join(seen)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate()
    out = "".join(seen) + rest
    assert proc.returncode == 130 and "Traceback" not in out + err, out[-2000:] + err[-2000:]
    assert "stopped (Ctrl-C)" in err
    done = run_doit(project, "pdf", "docx")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for name in ("thesis.pdf", "thesis.docx"):
        assert (project / "build" / name).read_bytes() == (clean / "build" / name).read_bytes(), name


def test_a_chapter_saved_while_fix_runs_keeps_the_saved_text(tmp_path: Path):
    import pytest

    from thesisbuild.errors import UserError
    from thesisbuild.fixes import fix_files
    from thesisbuild.lint import LintRequest, run_lint

    project = copy_thesis(tmp_path / "thesis")
    chapter = project / CHAPTER
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[], lang="id-ID", typos=project / "typos.yaml",
                                  suspects=False, citations=False))
    fixes = [d for d in result.diagnostics if d.code == "TYP001" and d.fix is not None]
    assert fixes
    saved = chapter.read_text(encoding="utf-8") + "\nKalimat yang baru disimpan di editor.\n"
    chapter.write_text(saved, encoding="utf-8")          # the student saves between the read and the write
    with pytest.raises(UserError, match="changed while it was being fixed"):
        fix_files(fixes, result.texts, write=True)
    assert chapter.read_text(encoding="utf-8") == saved


def test_a_disk_that_fills_while_fix_writes_leaves_the_old_chapter_byte_for_byte(tmp_path: Path, monkeypatch):
    """Every write of a file the student wrote goes to a new file that replaces it only when whole:
    here the disk fills half-way through the write, and the chapter keeps its old bytes."""
    import errno
    import io

    import pytest

    from thesisbuild.fixes import fix_files
    from thesisbuild.lint import LintRequest, run_lint

    project = copy_thesis(tmp_path / "thesis")
    chapter = project / CHAPTER
    old = chapter.read_bytes()
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[], lang="id-ID", typos=project / "typos.yaml",
                                  suspects=False, citations=False))
    fixes = [d for d in result.diagnostics if d.code == "TYP001" and d.fix is not None]
    assert fixes

    class Full(io.BufferedWriter):
        def write(self, data):
            super().write(bytes(data)[: len(data) // 2])
            super().flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    real_open = io.open

    def opened(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "w" in mode and "b" in mode:
            return Full(handle.detach() if hasattr(handle, "detach") else handle)
        return handle

    monkeypatch.setattr(io, "open", opened)
    with pytest.raises(OSError, match="No space left"):
        fix_files(fixes, result.texts, write=True)
    monkeypatch.undo()
    assert chapter.read_bytes() == old
    assert [p.name for p in chapter.parent.iterdir() if p.name.endswith(".tmp")] == []
