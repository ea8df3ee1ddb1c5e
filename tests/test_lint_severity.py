"""thesis.yaml's `lint: {severity: {CODE: level}}` reaches the lint, in `thesisbuild lint` and in the doit
lint task: `off` removes a rule's findings, another level changes their severity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPO, copy_thesis, run_cli, run_doit


def set_severity(project: Path, level: str) -> None:
    base = (REPO / "thesis.yaml").read_text(encoding="utf-8")
    (project / "thesis.yaml").write_text(base + f"\nlint:\n  severity:\n    TYP001: {level}\n", encoding="utf-8")


def typ001(output: str) -> list[str]:
    return re.findall(r"^chapters/01-pendahuluan\.md:\d+:\d+: TYP001 \[(\w+)\] ", output, re.M)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_thesis(tmp_path / "thesis")


def test_the_example_has_typo_warnings_by_default(project: Path):
    cli = run_cli(project, "lint")
    assert cli.returncode == 0, cli.stdout + cli.stderr
    levels = typ001(cli.stdout)
    assert len(levels) > 10 and set(levels) == {"warning"}, cli.stdout
    task = run_doit(project, "lint")
    assert task.returncode == 0, task.stdout + task.stderr
    assert typ001(task.stdout) == levels


def test_off_removes_the_rules_findings_from_the_lint_and_the_doit_task(project: Path):
    before = run_cli(project, "lint")
    warnings = int(re.search(r"(\d+) warnings", before.stderr).group(1))
    count = len(typ001(before.stdout))
    set_severity(project, "off")
    cli = run_cli(project, "lint")
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert typ001(cli.stdout) == [] and "TYP001" not in cli.stdout, cli.stdout
    assert f"{warnings - count} warnings" in cli.stderr, cli.stderr
    task = run_doit(project, "lint")
    assert task.returncode == 0, task.stdout + task.stderr
    assert "TYP001" not in task.stdout, task.stdout


def test_a_severity_override_changes_the_findings_severity_and_an_error_fails_the_lint(project: Path):
    count = len(typ001(run_cli(project, "lint").stdout))
    set_severity(project, "info")
    cli = run_cli(project, "lint")
    assert cli.returncode == 0 and typ001(cli.stdout) == ["info"] * count, cli.stdout
    task = run_doit(project, "lint")
    assert task.returncode == 0 and typ001(task.stdout) == ["info"] * count, task.stdout + task.stderr
    set_severity(project, "error")
    cli = run_cli(project, "lint")
    assert cli.returncode == 1 and typ001(cli.stdout) == ["error"] * count, cli.stdout + cli.stderr
    task = run_doit(project, "lint")
    assert task.returncode != 0 and typ001(task.stdout) == ["error"] * count, task.stdout + task.stderr
    assert "the lint found errors" in task.stdout + task.stderr
