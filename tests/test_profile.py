"""The template profile is checked against its schema: a wrong value is named at its file and line,
all wrong values at once, exit 2, no traceback, nothing built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import copy_thesis, run_cli

INJECTION = """'3cm), background: place(read("/.git/config")), x: (1cm'"""


def line_of(path: Path, needle: str) -> int:
    """The last line that holds `needle` (the overrides are appended after the file's comments)."""
    return [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line][-1]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_thesis(tmp_path_factory.mktemp("profile") / "thesis")


def project_with(original: Path, tmp_path: Path, overrides: str) -> Path:
    project = tmp_path / "thesis"
    shutil.copytree(original, project)
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "profile:\n" + overrides, encoding="utf-8")
    return project


def errors_of(project: Path) -> list[str]:
    proc = run_cli(project, "build")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project / "build" / "thesis.pdf").exists()
    assert not (project / "build" / "thesis.docx").exists()
    return [line for line in proc.stderr.splitlines() if "error:" in line]


@pytest.mark.parametrize("overrides, needle, key, found, expected", [
    (f"  page:\n    margin_cm:\n      right: {INJECTION}\n", "right:", "'profile.page.margin_cm.right'",
     "3cm), background", "a length in cm"),
    ("  page:\n    margin_cm:\n      top: 4 cm\n", "top: 4 cm", "'profile.page.margin_cm.top'", "'4 cm'",
     "a length in cm"),
    ("  font:\n    size_pt: dua belas\n", "size_pt", "'profile.font.size_pt'", "'dua belas'", "a size in points"),
    ("  headings:\n    chapter:\n      space_after_lines: banyak\n", "space_after_lines",
     "'profile.headings.chapter.space_after_lines'", "'banyak'", "a number of lines"),
    ("  body:\n    line_spacing: true\n", "line_spacing", "'profile.body.line_spacing'", "True", "a number"),
    ("  body:\n    line_spacing: -1\n", "line_spacing", "'profile.body.line_spacing'", "-1", "from 0.5 to 4"),
    ("  page_numbers:\n    front_numbering: romawi\n", "front_numbering", "'profile.page_numbers.front_numbering'",
     "'romawi'", "one of lower-roman, upper-roman"),
    ("  headings:\n    chapter:\n      bold: ya\n", "bold", "'profile.headings.chapter.bold'", "'ya'", "true or false"),
    ("  page:\n    margn_cm:\n      top: 3.0\n", "margn_cm", "'profile.page.margn_cm'", "", "did you mean margin_cm"),
    # The reference list opens a page of its own: a value no renderer could follow is refused.
    ("  bibliography:\n    new_page: false\n", "new_page", "'profile.bibliography.new_page'", "False",
     "true (the template has no other layout)"),
    ("  headings:\n    chapter:\n      new_page: false\n", "new_page", "'profile.headings.chapter.new_page'", "False",
     "true (the template has no other layout)"),
    ("  body: 2.0\n", "body:", "'profile.body'", "2.0", "group of values"),
    ("  front_matter:\n    - {page: ../../secret}\n", "secret", "'profile.front_matter.0.page'", "'../../secret'",
     "file name without folders"),
])
def test_a_wrong_override_is_named_at_its_line_in_thesis_yaml(original, tmp_path, overrides, needle, key, found,
                                                              expected):
    project = project_with(original, tmp_path, overrides)
    errors = errors_of(project)
    assert len(errors) == 1, errors
    line = line_of(project / "thesis.yaml", needle)
    assert errors[0].startswith(f"thesis.yaml:{line}: error: "), errors[0]
    assert key in errors[0] and found in errors[0] and expected in errors[0]


def test_the_typst_injection_is_refused_and_nothing_is_read(original, tmp_path):
    project = project_with(original, tmp_path, f"  page: {{margin_cm: {{right: {INJECTION}}}}}\n")
    errors = errors_of(project)
    assert "must be a length in cm" in errors[0]
    assert not (project / "build").exists() or not any((project / "build").rglob("*.typ"))


def test_three_wrong_values_print_three_lines(original, tmp_path):
    project = project_with(original, tmp_path, "  font:\n    size_pt: dua belas\n"
                                               "  page_numbers:\n    front_numbering: romawi\n"
                                               "  headings:\n    chapter:\n      space_after_lines: banyak\n")
    errors = errors_of(project)
    config = project / "thesis.yaml"
    assert [e.split(": error:")[0] for e in errors] == [
        f"thesis.yaml:{line_of(config, 'size_pt')}", f"thesis.yaml:{line_of(config, 'front_numbering')}",
        f"thesis.yaml:{line_of(config, 'space_after_lines')}"]


def test_a_copied_profile_with_a_bad_value_is_named_at_its_own_line(original, tmp_path):
    from thesisbuild.config import BUILTIN_TEMPLATES

    project = tmp_path / "thesis"
    shutil.copytree(original, project)
    folder = project / "templates" / "kampus"
    shutil.copytree(BUILTIN_TEMPLATES / "skripsi-id", folder)
    profile = folder / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("front_numbering: lower-roman",
                                                                   "front_numbering: romawi"), encoding="utf-8")
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("template: skripsi-id", "template: kampus"),
                      encoding="utf-8")
    errors = errors_of(project)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"templates/kampus/profile.yaml:{line_of(profile, 'romawi')}: error: ")
    assert "'page_numbers.front_numbering' must be one of" in errors[0] and "'romawi'" in errors[0]


def test_the_built_in_profiles_are_valid_and_typed():
    from thesisbuild.config import BUILTIN_TEMPLATES, load_profile

    for name in ("skripsi-id", "thesis-en"):
        profile = load_profile(name, BUILTIN_TEMPLATES)
        assert isinstance(profile.page.margin_cm.right, float)
        assert isinstance(profile.font.size_pt, int)
        assert profile.page_numbers.front_numbering == "lower-roman"
        assert profile.captions.equation_label


def test_a_valid_override_is_kept(original, tmp_path, monkeypatch):
    from thesisbuild.config import load_thesis

    project = project_with(original, tmp_path, "  page: {margin_cm: {right: 2.5}}\n"
                                               "  page_numbers: {front_numbering: upper-roman}\n")
    monkeypatch.chdir(project)
    profile = load_thesis().profile
    assert profile.page.margin_cm.right == 2.5
    assert profile.page.margin_cm.left == 4.0
    assert profile.page_numbers.front_numbering == "upper-roman"


def test_the_messages_are_in_indonesian_too(original, tmp_path):
    import os
    import subprocess
    import sys

    project = project_with(original, tmp_path, "  font:\n    size_pt: dua belas\n")
    env = {**os.environ, "THESISBUILD_LANG": "id"}
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run([sys.executable, "-m", "thesisbuild.cli", "build"], cwd=project, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 2
    assert "'profile.font.size_pt' harus berisi ukuran dalam poin (pt)" in proc.stderr
    assert "bukan 'dua belas'" in proc.stderr


def test_groups_read_as_attributes():
    from thesisbuild.config import BUILTIN_TEMPLATES, load_profile

    profile = load_profile("thesis-en", BUILTIN_TEMPLATES)
    assert profile.page.margin_cm.right == 3.0
    assert profile.headings.chapter.label == "CHAPTER"
    assert profile.front_matter[0] == {"page": "cover"}
    assert profile.language == "en-US"


def test_a_name_outside_the_schema_is_not_read():
    import pytest as _pytest

    from thesisbuild.config import BUILTIN_TEMPLATES, load_profile

    profile = load_profile("skripsi-id", BUILTIN_TEMPLATES)
    assert profile.page_styles["page-title"].bold in (True, False)
    with _pytest.raises(AttributeError):
        profile.page.margin_cm.middle
    with _pytest.raises(AttributeError):
        profile.fonts
    assert not hasattr(profile, "get")


def test_no_code_reads_the_profile_by_dotted_strings():
    import re
    from pathlib import Path

    import thesisbuild

    dotted = re.compile(r"""profile\.get\(|\.get\(["'][a-z_]+\.[a-z_.]+["']\)""")
    found = [f"{path.name}:{n}" for path in Path(thesisbuild.__file__).parent.rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if dotted.search(line)]
    assert found == []
