"""Shared fixtures: a copy of the real thesis in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The assertions read the tool's English messages, whatever the machine's locale; tests/test_i18n.py
# runs the Indonesian ones explicitly.
os.environ["THESISBUILD_LANG"] = "en"

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
THESIS_FILES = ("thesis.yaml", "dodo.py", "typos.yaml", "words.txt", "chapters", "front", "bibliography", "figures")


def copy_thesis(dest: Path) -> Path:
    """The example thesis as a user would have it, outside any git repository."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in THESIS_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def thesis_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = copy_thesis(tmp_path / "thesis")
    monkeypatch.chdir(project)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return project


def run_doit(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "doit", *args], cwd=project, capture_output=True,
                          text=True, env=_env())


def run_cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thesisbuild.cli", *args], cwd=project,
                          capture_output=True, text=True, env=_env())


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return env
