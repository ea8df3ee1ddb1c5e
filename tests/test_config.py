"""thesis.yaml and the template profile: loading, validation, and errors with a place."""

from __future__ import annotations

from pathlib import Path

import pytest

from thesisbuild.config import load_thesis
from thesisbuild.errors import UserError

from .conftest import run_cli


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_the_example_thesis_loads_with_its_values(thesis_dir: Path):
    thesis = load_thesis()
    assert thesis.title.startswith("Strategi Middle Power Kazakhstan")
    assert thesis.lang == "id-ID"
    assert [p.name for p in thesis.chapters] == ["01-pendahuluan.md"]
    assert thesis.csl.name == "apa.csl" and thesis.csl.is_file()
    assert thesis.profile.name == "skripsi-id"
    assert thesis.profile.values["page"]["margin_cm"] == {"top": 4.0, "left": 4.0, "bottom": 3.0, "right": 3.0}


def test_placeholders_are_reported_with_their_lines(thesis_dir: Path):
    thesis = load_thesis()
    by_key = {p.key: p.line for p in thesis.placeholders}
    assert by_key["author"] == line_of(thesis_dir / "thesis.yaml", "author:")
    assert "supervisors[1]" in by_key
    assert "title" not in by_key


def test_a_missing_chapter_names_the_line_that_lists_it(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    replace_in(config, "chapters/01-pendahuluan.md", "chapters/02-tinjauan.md")
    with pytest.raises(UserError) as caught:
        load_thesis()
    assert caught.value.line == line_of(config, "02-tinjauan.md")
    assert "02-tinjauan.md" in caught.value.message and "does not exist" in caught.value.message


def test_a_yaml_syntax_error_gives_line_and_column(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    replace_in(config, "template: skripsi-id", "template: skripsi-id: x")
    with pytest.raises(UserError) as caught:
        load_thesis()
    assert caught.value.path.name == "thesis.yaml"
    assert caught.value.line == line_of(config, "template: skripsi-id: x")
    assert caught.value.column is not None


def test_an_unknown_key_is_named_with_its_line(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    replace_in(config, "lang: id-ID", "language: id-ID")
    with pytest.raises(UserError) as caught:
        load_thesis()
    assert "'language'" in caught.value.message
    assert caught.value.line == line_of(config, "language: id-ID")


def test_a_missing_required_key_is_named(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    text = "\n".join(line for line in config.read_text().splitlines() if not line.startswith("title:"))
    config.write_text(text)
    with pytest.raises(UserError, match="'title' is missing"):
        load_thesis()


def test_a_missing_bibliography_file_names_its_line(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    replace_in(config, "bibliography/references.yaml", "bibliography/refs.bib")
    with pytest.raises(UserError) as caught:
        load_thesis()
    assert "refs.bib" in caught.value.message
    assert caught.value.line == line_of(config, "refs.bib")


def test_single_profile_values_can_be_overridden_in_thesis_yaml(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text() + "profile:\n  body:\n    line_spacing: 2.0\n")
    assert load_thesis().profile.body.line_spacing == 2.0


def test_an_override_of_a_value_the_profile_lacks_is_an_error(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text() + "profile:\n  body:\n    line_spaceing: 2.0\n")
    with pytest.raises(UserError) as caught:
        load_thesis()
    assert "body.line_spaceing" in caught.value.message
    assert caught.value.line == line_of(config, "line_spaceing")


def test_a_project_copy_of_the_profile_comes_before_the_builtin_one(thesis_dir: Path):
    from thesisbuild.config import BUILTIN_TEMPLATES
    import shutil

    shutil.copytree(BUILTIN_TEMPLATES / "skripsi-id", thesis_dir / "templates" / "skripsi-id")
    profile = thesis_dir / "templates" / "skripsi-id" / "profile.yaml"
    replace_in(profile, "top: 4.0", "top: 3.0")
    thesis = load_thesis()
    assert thesis.profile.folder.resolve() == (thesis_dir / "templates" / "skripsi-id").resolve()
    assert thesis.profile.page.margin_cm.top == 3.0


def test_the_cli_reports_a_config_error_in_one_line_with_exit_2(thesis_dir: Path):
    replace_in(thesis_dir / "thesis.yaml", "chapters/01-pendahuluan.md", "chapters/02-tinjauan.md")
    proc = run_cli(thesis_dir, "build")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith("thesis.yaml:")
    assert not (thesis_dir / "build" / "thesis.pdf").exists()


def test_front_texts_name_the_files_a_thesis_keeps_its_opening_texts_in(thesis_dir: Path):
    (thesis_dir / "notes").mkdir()
    (thesis_dir / "notes" / "abstrak.md").write_text("# Abstrak\n\n\\newpage\nRingkasan penelitian.\n", encoding="utf-8")
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "front_texts:\n  abstrak: notes/abstrak.md\n",
                      encoding="utf-8")
    thesis = load_thesis()
    assert thesis.front_texts == {"abstrak": (thesis_dir / "notes" / "abstrak.md").resolve()}
    from thesisbuild.render.assemble import front_matter

    staged = "\n".join(front_matter(thesis))
    assert "Ringkasan penelitian." in staged and "# Abstrak\n" not in staged and "\\newpage" not in staged


def test_a_front_text_the_template_does_not_read_is_an_error_at_its_line(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "front_texts:\n  summary: notes/summary.md\n",
                      encoding="utf-8")
    proc = run_cli(thesis_dir, "build")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = line_of(config, "summary:")
    assert f"thesis.yaml:{line}: error: the template has no front-matter text 'summary'; use one of: " in proc.stderr
    assert "abstrak" in proc.stderr


def test_an_image_in_the_abstrak_is_an_input_of_the_outputs(thesis_dir: Path):
    """doit rebuilds the outputs when an image that a front-matter text places changes, as it does
    for a chapter's images; a missing one is no input (the lint reports it)."""
    from PIL import Image

    (thesis_dir / "images").mkdir()
    Image.new("RGB", (40, 20), "white").save(thesis_dir / "images" / "bagan.png")
    abstrak = thesis_dir / "front" / "abstrak.md"
    abstrak.write_text(abstrak.read_text(encoding="utf-8") + "\n![Bagan](images/bagan.png)\n\n![Hilang](images/x.png)\n",
                       encoding="utf-8")
    thesis = load_thesis(thesis_dir / "thesis.yaml")
    image = (thesis_dir / "images" / "bagan.png").resolve()
    assert thesis.image_files() == [image]
    assert image in thesis.source_files()
