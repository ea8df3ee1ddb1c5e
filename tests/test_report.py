"""The build's warnings are Diagnostics with codes, printed where they come from in the lint's format."""

from __future__ import annotations

import re
from pathlib import Path

from thesisbuild.config import load_thesis
from thesisbuild.diagnostics import RULES, Diagnostic
from thesisbuild.errors import UserError
from thesisbuild.render.document import prepare
from thesisbuild.report import FORMATS


def test_a_placeholder_is_warned_about_with_its_code_at_its_thesis_yaml_line(thesis_dir: Path, capsys):
    line = next(i for i, text in enumerate((thesis_dir / "thesis.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("author:"))
    prepare(load_thesis(thesis_dir / "thesis.yaml"))
    err = capsys.readouterr().err
    assert re.search(rf"^thesis\.yaml:{line}: BLD001 \[warning\] 'author' is still a placeholder "
                     r"\(\[Nama Lengkap Penulis\]\); fill it in before you submit\.$", err, re.M), err
    assert re.search(r"^thesis\.yaml: BLD002 \[warning\] no 'logo' for the cover", err, re.M), err
    # The example's typo dictionary fixes words in the outputs the chapter still has.
    assert re.search(r"^chapters/01-pendahuluan\.md:\d+: BLD004 \[info\] the outputs carry \d+ typo fixes from "
                     r"typos\.yaml that this chapter does not have yet \(lines [\d, -]+\); run `doit fix`", err, re.M), err


def test_a_finding_with_no_line_or_file_leaves_them_out_of_every_format():
    placed = Diagnostic.of("BLD002", "no logo", Path("thesis.yaml"))
    nowhere = Diagnostic.of("BLD003", "pandoc: something")
    assert FORMATS["text"]([placed, nowhere], {}) == ("thesis.yaml: BLD002 [warning] no logo\n"
                                                      "thesisbuild: BLD003 [warning] pandoc: something\n")
    assert FORMATS["github"]([placed], {}).startswith("::warning file=thesis.yaml,title=BLD002 no-logo::")
    import json

    item = json.loads(FORMATS["json"]([placed], {}))[0]
    assert item["line"] is None and item["column"] is None and item["path"] == "thesis.yaml"
    results = json.loads(FORMATS["sarif"]([placed, nowhere], {}))["runs"][0]["results"]
    assert "region" not in results[0]["locations"][0]["physicalLocation"]
    assert results[1]["locations"] == []


def test_a_build_error_a_lint_rule_finds_keeps_its_code():
    err = UserError("the image images/a.png does not exist.", Path("bab/1.md"), 3, 5, code="IMG001")
    assert str(err) == "bab/1.md:3:5: IMG001 [error] the image images/a.png does not exist."
    assert RULES["IMG001"].name == "missing-image"


def test_lint_severity_switches_off_or_lowers_a_build_warning(thesis_dir: Path, capsys):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lint:\n  severity:\n    BLD002: off\n    BLD001: info\n",
                      encoding="utf-8")
    prepare(load_thesis(config))
    err = capsys.readouterr().err
    assert "BLD002" not in err
    assert re.search(r"^thesis\.yaml:\d+: BLD001 \[info\] 'author' is still a placeholder", err, re.M), err


def test_lint_severity_lowers_the_warning_of_a_character_no_font_has(thesis_dir: Path):
    """BLD005 comes from the PDF's build, after the lint: thesis.yaml's severities rule it too."""
    from .conftest import run_cli

    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lint:\n  severity:\n    BLD005: info\n", encoding="utf-8")
    chapter = thesis_dir / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\nDisebut 关系 dalam bahasa Mandarin.\n",
                       encoding="utf-8")
    proc = run_cli(thesis_dir, "build", "--pdf")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^chapters/01-pendahuluan\.md:\d+:\d+: BLD005 \[info\] '关' \(U\+5173", proc.stderr, re.M), \
        proc.stderr
    assert "BLD005 [warning]" not in proc.stderr


def test_a_verify_rule_cannot_be_switched_off_in_thesis_yaml(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lint:\n  severity:\n    VFY002: off\n", encoding="utf-8")
    line = len(config.read_text(encoding="utf-8").splitlines())
    try:
        load_thesis(config)
    except UserError as err:
        assert err.line == line and "VFY002 is a template rule of verify" in err.message
    else:
        raise AssertionError("VFY002: off was accepted")
