"""The typst server (render/typst_server.py): the PDF a build has compiled by the process that keeps
typst warm between builds is the PDF the build compiles on its own, byte for byte; its errors are
the same; without a private folder for its socket, or after it died, builds still compile."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import copy_thesis, run_doit

pytestmark = pytest.mark.skipif(not (hasattr(socket, "AF_UNIX") and hasattr(os, "fork")),
                                reason="the typst server needs Unix sockets and fork; builds compile on their own")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    """The server on, with its socket in a folder of this test's (a short path: a socket's path has
    about 104 bytes); every server started there is stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="tb-"))
    monkeypatch.setenv("THESISBUILD_TYPST_SERVER", "on")
    monkeypatch.setenv("THESISBUILD_TYPST_SERVER_DIR", str(folder))
    monkeypatch.setenv("THESISBUILD_TYPST_SERVER_IDLE", "300")
    yield folder
    for pid in folder.rglob("*.pid"):
        try:
            os.kill(int(pid.read_text()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    shutil.rmtree(folder, ignore_errors=True)


def _server_pid(folder: Path) -> int | None:
    found = list(folder.rglob("*.pid"))
    return int(found[0].read_text()) if found else None


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie left unreaped by a container's first process does not)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def test_a_pdf_compiled_by_the_server_is_the_pdf_the_build_compiles_on_its_own(server: Path, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch):
    """A first build starts the server and compiles there; after an edit the server compiles again
    from what it laid out before. That PDF and its page list are the bytes a build compiling on its
    own writes from the same sources."""
    from thesisbuild.render import typst_server

    project = copy_thesis(tmp_path / "thesis")
    assert run_doit(project, "pdf").returncode == 0
    pid = _server_pid(server)
    assert pid is not None and _alive(pid)
    held = typst_server.status()
    assert held == {"documents": [str((project / "build" / "thesis.typ").resolve())], "compiles": 1}

    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nKalimat yang ditulis kemudian.\n", encoding="utf-8")
    proc = run_doit(project, "pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _server_pid(server) == pid                  # the same server, warm, compiled it
    assert typst_server.status()["compiles"] == 2
    pdf = project / "build" / "thesis.pdf"
    warm, pages = pdf.read_bytes(), pdf.with_suffix(".pages.json").read_bytes()

    monkeypatch.setenv("THESISBUILD_TYPST_SERVER", "off")
    pdf.unlink()
    proc = run_doit(project, "pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert pdf.read_bytes() == warm
    assert pdf.with_suffix(".pages.json").read_bytes() == pages
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Kalimat yang ditulis kemudian." in " ".join(text.split())


def test_a_typst_error_through_the_server_is_the_error_of_a_build_on_its_own(server: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch):
    """Raw typst that does not compile: the build through the server fails with the one-line error
    at the chapter's line that a build compiling on its own gives, and leaves no PDF."""
    project = copy_thesis(tmp_path / "thesis")
    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n```{=typst}\n#let x = (1, 2\n```\n",
                       encoding="utf-8")
    through = run_doit(project, "pdf")
    assert _server_pid(server) is not None
    monkeypatch.setenv("THESISBUILD_TYPST_SERVER", "off")
    alone = run_doit(project, "pdf")
    assert through.returncode == alone.returncode != 0
    errors = [[line for line in (proc.stdout + proc.stderr).splitlines() if "typst could not compile" in line]
              for proc in (through, alone)]
    assert errors[0] == errors[1] and len(errors[0]) == 1, errors
    assert "chapters/01-pendahuluan.md:" in errors[0][0]
    assert "Traceback" not in through.stdout + through.stderr
    assert not (project / "build" / "thesis.pdf").exists()


def test_a_dead_server_is_started_again_and_a_shared_folder_is_not_used(server: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    """A server killed between builds (its socket left behind) is replaced by a new one at the next
    build. A socket folder that others may open is not used: the build compiles on its own."""
    project = copy_thesis(tmp_path / "thesis")
    assert run_doit(project, "pdf").returncode == 0
    first = _server_pid(server)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while _alive(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    (project / "build" / "thesis.pdf").unlink()
    assert run_doit(project, "pdf").returncode == 0
    second = _server_pid(server)
    assert second not in (None, first) and _alive(second)

    shared = Path(tempfile.mkdtemp(prefix="tb-"))
    try:
        (shared / f"thesisbuild-{os.getuid()}").mkdir(mode=0o755)
        (shared / f"thesisbuild-{os.getuid()}").chmod(0o755)
        monkeypatch.setenv("THESISBUILD_TYPST_SERVER_DIR", str(shared))
        (project / "build" / "thesis.pdf").unlink()
        assert run_doit(project, "pdf").returncode == 0
        assert (project / "build" / "thesis.pdf").is_file()
        assert list(shared.rglob("*.sock")) == [] and list(shared.rglob("*.pid")) == []
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_the_server_ends_after_its_idle_time_or_when_told(server: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    """Two seconds without a build end the server (THESISBUILD_TYPST_SERVER_IDLE=2), and so does
    SIGTERM; either way its socket and its pid file go with it."""
    monkeypatch.setenv("THESISBUILD_TYPST_SERVER_IDLE", "2")
    project = copy_thesis(tmp_path / "thesis")
    for ending in ("idle", "SIGTERM"):
        (project / "build" / "thesis.pdf").unlink(missing_ok=True)
        assert run_doit(project, "pdf").returncode == 0
        pid = _server_pid(server)
        assert pid is not None
        if ending == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), ending
        assert list(server.rglob("*.sock")) == [] and list(server.rglob("*.pid")) == [], ending


def test_two_servers_started_at_once_leave_one_serving(server: Path, tmp_path: Path):
    """Servers started at the same moment for the same socket: one serves, the others find it and
    end, and the one serving answers."""
    import subprocess
    import sys

    from thesisbuild.render import typst_server

    path = typst_server.socket_path()
    starters = [subprocess.Popen([sys.executable, "-m", "thesisbuild.render.typst_server", str(path), "30"])
                for _ in range(4)]
    assert [starter.wait(timeout=60) for starter in starters] == [0, 0, 0, 0]
    held = typst_server.status()
    assert held == {"documents": [], "compiles": 0}
    running = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(path).encode() in cmdline.read_bytes() and _alive(int(cmdline.parent.name)):
                running.append(int(cmdline.parent.name))
        except OSError:
            pass                                # a process that ended meanwhile
    assert running == [_server_pid(server)]


def test_python_and_python3_of_one_environment_share_one_server(server: Path):
    """`doit` (whose script names python3) and `thesisbuild` or `python -m` (python) in the same
    environment reach the same server, not one each."""
    import subprocess
    import sys

    folder = Path(sys.executable).parent
    names = [name for name in ("python", "python3") if (folder / name).exists()]
    if len(names) < 2:
        pytest.skip(f"this environment has only {names}: nothing to compare")
    code = "from thesisbuild.render import typst_server; print(typst_server.socket_path())"
    paths = {subprocess.run([str(folder / name), "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip() for name in names}
    assert len(paths) == 1 and str(server) in paths.pop()
