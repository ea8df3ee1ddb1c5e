"""The tests' commands run as children of tests/forkserver.py; each must be what a new interpreter
running the same command gives: the same exit code and the same output, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import _env, copy_thesis, run_cli, run_doit


def _fresh(project: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=project, capture_output=True, text=True, env=_env())


def test_a_forked_command_equals_the_same_command_in_a_new_interpreter(tmp_path: Path):
    project = copy_thesis(tmp_path / "thesis")
    forked, fresh = run_cli(project, "lint", "--format", "json"), _fresh(project, "thesisbuild.cli", "lint",
                                                                          "--format", "json")
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert '"code": "TYP001"' in forked.stdout

    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "chapters: [\n", encoding="utf-8")
    forked, fresh = run_doit(project, "lint"), _fresh(project, "doit", "lint")
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.returncode == 2 and "thesis.yaml" in forked.stderr and "Traceback" not in forked.stderr
