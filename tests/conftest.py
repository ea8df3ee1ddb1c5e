"""Shared fixtures: a copy of the real thesis in a temporary folder."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

import pytest
from filelock import FileLock

# The assertions read the tool's English messages, whatever the machine's locale; tests/test_i18n.py
# runs the Indonesian ones explicitly.
os.environ["THESISBUILD_LANG"] = "en"
# Each build compiles its PDF in its own process: the tests build some forty theses, which would
# each leave a compiler in the typst server (render/typst_server.py). tests/test_typst_server.py
# builds through a server of its own.
os.environ["THESISBUILD_TYPST_SERVER"] = "off"

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
THESIS_FILES = ("thesis.yaml", "dodo.py", "typos.yaml", "words.txt", "chapters", "front", "bibliography", "figures")


_SEED: list[Path] = []      # build/ of the example built once per run (_build_seed_once)
SEEDED = ("figures", "cache")


def copy_thesis(dest: Path, drawn: bool = True, cached: bool = True) -> Path:
    """The example thesis as a user would have it, outside any git repository. With `drawn`, its
    build folder holds the figures (and with `cached` the conversion cache) of the run's first
    build: a clone whose build/ a CI cache restored, where doit has no record, the figures and the
    unchanged pieces are found current and every output is made again. A test of drawing copies
    without either, a test that counts a first build's conversions without the cache."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in THESIS_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    if drawn and _SEED:
        for name in SEEDED if cached else ("figures",):
            shutil.copytree(_SEED[0] / name, dest / "build" / name)
    return dest


@pytest.fixture(scope="session", autouse=True)
def _build_seed_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    def make(folder: Path) -> None:
        project = copy_thesis(folder / "thesis", drawn=False)
        proc = run_doit(project, "lint", "pdf", "docx")
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr

    _SEED[:] = [shared(tmp_path_factory, "seed", make) / "thesis" / "build"]


@pytest.fixture
def thesis_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = copy_thesis(tmp_path / "thesis")
    monkeypatch.chdir(project)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return project


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, make) -> Path:
    """A folder made once per test run by make(folder), for every worker of pytest-xdist: the first
    worker to ask makes it while the others wait on a lock, then all read it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent             # the run's folder, above each worker's own
    folder = base / f"shared-{name}"
    done = base / f"shared-{name}.done"
    with FileLock(str(base / f"shared-{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.write_text("made\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example thesis built once by `doit` (lint, figures, PDF, DOCX, verify, previews; from the
    restored build folder of copy_thesis) for every test that only reads its outputs. Tests must not change it: a test that edits a thesis copies its own."""
    def make(folder: Path) -> None:
        project = copy_thesis(folder / "thesis")
        proc = run_doit(project)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr

    return shared(tmp_path_factory, "example", make) / "thesis"


def assert_valid_docx(path: Path) -> None:
    """The OOXML schema and the package's references, checked by openxml-audit (Office 2019 rules)."""
    from openxml_audit import FileFormat, OpenXmlValidator

    result = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=50).validate(str(path))
    # numId 0 removes a style's numbering from a paragraph (ECMA-376 Part 1, 17.9.18), which
    # openxml-audit 0.8 takes for a reference to a missing definition; every other finding counts.
    errors = [str(e) for e in result.errors if "Numbering definition '0' referenced but not found" not in str(e)]
    assert errors == [], errors


def run_doit(project: Path, *args: str, fresh: bool = False) -> subprocess.CompletedProcess:
    """`python -m doit ARGS` in the project, as its own process (see tests/forkserver.py); with
    `fresh`, in a new interpreter (a hash seed of its own: the tests of byte-identical builds)."""
    return _FORKS.run("doit", project, list(args), fresh=fresh)


def run_cli(project: Path, *args: str, fresh: bool = False) -> subprocess.CompletedProcess:
    """`python -m thesisbuild.cli ARGS` in the project, as its own process; `fresh` as for run_doit."""
    return _FORKS.run("thesisbuild.cli", project, list(args), fresh=fresh)


class _ForkServer:
    """The commands the tests run, each a child forked from tests/forkserver.py (started once per
    pytest worker and interpreter): the command's own process without a new interpreter's
    imports. Where fork is not there (Windows), a new interpreter runs each."""

    def __init__(self, python: str, env) -> None:
        self.python, self.env = python, env
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.requests = 0

    def run(self, module: str, project: Path, args: list[str], script: str | None = None, fresh: bool = False
            ) -> subprocess.CompletedProcess:
        command = [script, *args] if script else [self.python, "-m", module, *args]
        if fresh or not hasattr(os, "fork"):
            return subprocess.run(command, cwd=project, capture_output=True, text=True, env=self.env())
        with self.lock, tempfile.TemporaryDirectory(prefix="thesisbuild-run-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            out.touch()
            err.touch()
            cwd = Path(project).resolve()
            self.requests += 1
            request = {"id": self.requests, "module": module, "script": script, "args": args, "cwd": str(cwd),
                       # sys.path[0]: the working folder for `python -m`, a script's own folder for a script.
                       "path0": str(Path(script).parent) if script else str(cwd),
                       "env": self.env(), "stdout": str(out), "stderr": str(err)}
            try:
                server = self._server()
                server.stdin.write(json.dumps(request) + "\n")
                server.stdin.flush()
                answer = server.stdout.readline().split()
            except BaseException:
                self._stop()            # interrupted while its child ran: its answer must not go to the next
                raise
            if len(answer) != 2 or answer[0] != str(request["id"]):
                self._stop()
                raise RuntimeError(f"tests/forkserver.py answered {answer!r} to request {request['id']}")
            return subprocess.CompletedProcess(command, int(answer[1]),
                                               out.read_text(encoding="utf-8", errors="replace"),
                                               err.read_text(encoding="utf-8", errors="replace"))

    def _server(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([self.python, str(Path(__file__).with_name("forkserver.py"))],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env(),
                                         cwd=Path(__file__).parent)
            atexit.register(self.close)
        return self.proc

    def _stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()




def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return env


_FORKS = _ForkServer(sys.executable, _env)


class Installed:
    """A virtual environment with thesisbuild installed from its wheel, nothing else of this checkout."""

    def __init__(self, venv: Path):
        self.venv = venv
        self.bin = venv / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")
        self.forks = _ForkServer(str(self.python), self.env)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONPATH")}
        env["PATH"] = str(self.bin) + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = str(self.venv)
        return env

    def thesisbuild(self, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        """The installed `thesisbuild` command (a child of the fork server of the venv's interpreter,
        which imports the installed package)."""
        return self.forks.run("thesisbuild.cli", cwd, list(args), str(self.bin / "thesisbuild"))

    def doit(self, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        return self.forks.run("doit", cwd, list(args))


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel once per session and install it, without dependencies, into a new venv that
    sees this interpreter's installed packages (pandoc, typst, ...) through a .pth file."""
    return Installed(shared(tmp_path_factory, "wheel", _install) / "venv")


def _install(root: Path) -> None:
    # From a clean copy of the sources: setuptools would leave build/lib in the thesis's build/ folder
    # and could pack files from an earlier build.
    source = root / "source"
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    wheels = root / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    wheel = next(wheels.glob("thesisbuild-*.whl"))
    venv = root / "venv"
    # Without a pip of its own (making one takes seconds): this interpreter's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    inst = Installed(venv)
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(inst.python), "install", "--no-deps",
                           "--no-index", "-q", str(wheel)], capture_output=True, text=True, env=inst.env())
    assert proc.returncode == 0, proc.stderr
    # Then the dependencies: this interpreter's site-packages, after the venv's own. The editable
    # install of this checkout there stays inactive (.pth files of an added folder are not read).
    purelib = Path(subprocess.run([str(inst.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    ours = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).is_dir()]
    (purelib / "_thesisbuild_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    where = subprocess.run([str(inst.python), "-c", "import thesisbuild; print(thesisbuild.__file__)"],
                           capture_output=True, text=True, env=inst.env(), cwd=root).stdout.strip()
    assert Path(where).is_relative_to(venv), f"thesisbuild imported from {where}, not from the wheel"
