"""Starting a thesis anywhere: `thesisbuild new` and `thesisbuild init`, run from a built wheel installed
in a fresh virtual environment, the way a student gets thesisbuild."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from thesisbuild import __version__

from .conftest import FIXTURES, REPO, Installed


def pdf_text(project: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(project / "build" / "thesis.pdf").pages)


def assert_built(proc: subprocess.CompletedProcess, project: Path) -> str:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (project / "build" / "thesis.pdf").stat().st_size > 0
    assert (project / "build" / "thesis.docx").stat().st_size > 0
    return pdf_text(project)


def test_new_indonesian_thesis_builds_at_once(installed: Installed, tmp_path: Path):
    proc = installed.thesisbuild(tmp_path, "new", "t", "--lang", "id")
    assert proc.returncode == 0, proc.stderr
    project = tmp_path / "t"
    # A folder like any the student makes (made in a private staging folder, then opened up).
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(project.stat().st_mode) == 0o777 & ~umask
    assert proc.stdout.strip().splitlines()[-1].startswith("Next: cd t && doit")
    assert "wrote t/chapters/01-pendahuluan.md" in proc.stdout
    config = yaml.safe_load((project / "thesis.yaml").read_text(encoding="utf-8"))
    assert config["lang"] == "id-ID" and config["template"] == "skripsi-id"
    assert config["chapters"] == ["chapters/01-pendahuluan.md"]
    assert (project / "dodo.py").read_text(encoding="utf-8").count("from thesisbuild.dodo import *") == 1
    workflow = (project / ".github" / "workflows" / "thesis.yml").read_text(encoding="utf-8")
    # Installed from a wheel on this computer (as the tests install it): the README names that file,
    # the workflow says where to put the git URL a CI runner can reach.
    assert 'pip install "thesisbuild @ git+https://github.com/OWNER/thesisbuild"' in workflow
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert re.search(r'pip install "/[^"]+thesisbuild-[^"]+\.whl"', readme), readme[:800]
    assert "thesisbuild lint --format github" in workflow and "doit" in workflow
    assert "build/thesis.pdf" in workflow and "build/thesis.docx" in workflow
    assert {"/build/", "/.doit.db", "/.venv/"} <= set((project / ".gitignore").read_text().split())
    for name in ("kata-pengantar", "abstrak", "abstract"):
        assert (project / "front" / f"{name}.md").is_file()

    text = assert_built(installed.doit(project), project)
    assert "BAB I PENDAHULUAN" in text
    assert "Braun & Clarke (2006)" in text and "(Sugiyono, 2019, hlm. 9)" in text
    assert "Gambar 1.1" in text and "Tabel 1.1 Jadwal penelitian" in text
    assert "KATA PENGANTAR" in text and "ABSTRAK" in text and "DAFTAR PUSTAKA" in text
    assert (project / "build" / "figures" / "contoh-grafik.svg").is_file()


def test_new_english_thesis_builds_at_once(installed: Installed, tmp_path: Path):
    proc = installed.thesisbuild(tmp_path, "new", "t", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    project = tmp_path / "t"
    config = yaml.safe_load((project / "thesis.yaml").read_text(encoding="utf-8"))
    assert config["lang"] == "en-US"
    # thesis-en when the package has it, the Indonesian template until then.
    has_en = (installed.venv / "lib").glob("python*/site-packages/thesisbuild/templates/thesis-en/profile.yaml")
    assert config["template"] == ("thesis-en" if any(has_en) else "skripsi-id")
    assert "Install (once)" in (project / "README.md").read_text(encoding="utf-8")

    text = assert_built(installed.doit(project), project)
    assert "INTRODUCTION" in text
    assert "Braun and Clarke (2006)" in text and "Creswell & Poth, 2018, p. 44" in text


def test_init_builds_a_folder_of_two_chapters_and_a_bib(installed: Installed, tmp_path: Path):
    project = shutil.copytree(FIXTURES / "init-two-chapters", tmp_path / "skripsi")
    readme = (project / "README.md").read_bytes()
    proc = installed.thesisbuild(project, "init")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "chapter bab/01-pendahuluan.md" in lines and "chapter bab/02-tinjauan-pustaka.md" in lines
    assert "bibliography pustaka.bib" in lines
    assert "left README.md: it exists (not changed)" in lines
    assert lines[-1].startswith("Next: doit")
    assert (project / "README.md").read_bytes() == readme
    config = yaml.safe_load((project / "thesis.yaml").read_text(encoding="utf-8"))
    assert config["chapters"] == ["bab/01-pendahuluan.md", "bab/02-tinjauan-pustaka.md"]
    assert config["bibliography"] == ["pustaka.bib"] and config["lang"] == "id-ID"

    text = assert_built(installed.doit(project), project)
    assert "BAB I PENDAHULUAN" in text and "BAB II TINJAUAN PUSTAKA" in text
    assert "Hopf (2002)" in text and "(Hopf, 2002, hlm. 3)" in text


def test_init_never_overwrites_a_file(installed: Installed, tmp_path: Path):
    project = shutil.copytree(FIXTURES / "init-two-chapters", tmp_path / "skripsi")
    mine = {"dodo.py": "# my own build\n", "thesis.yaml": "title: Mine\n", ".gitignore": "*.pdf\n"}
    for name, text in mine.items():
        (project / name).write_text(text, encoding="utf-8")
    proc = installed.thesisbuild(project, "init")
    assert proc.returncode == 0, proc.stderr
    for name, text in mine.items():
        assert (project / name).read_text(encoding="utf-8") == text
        assert f"left {name}: it exists (not changed)" in proc.stdout
    assert "add /build/, /.doit.db, /.doit.db.*, /.venv/ to it" in proc.stdout
    assert "wrote typos.yaml" in proc.stdout

    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    again = installed.thesisbuild(project, "init")
    assert again.returncode == 0 and "wrote" not in again.stdout
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_new_refuses_a_folder_that_is_not_empty(installed: Installed, tmp_path: Path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "notes.md").write_text("mine\n", encoding="utf-8")
    proc = installed.thesisbuild(tmp_path, "new", "t")
    assert proc.returncode == 2
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert message.startswith("t: error:") and "choose another folder" in message and "thesisbuild init t" in message
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["notes.md"]


# Sorting an existing thesis's files, in this process (no build).

def run_init(folder: Path, capsys: pytest.CaptureFixture) -> list[str]:
    from thesisbuild.cli import main

    assert main(["init", str(folder)]) == 0
    return capsys.readouterr().out.splitlines()


def test_init_sorts_a_pandoc_thesis_into_chapters_appendices_front_matter_and_stubs(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    project = shutil.copytree(FIXTURES / "init-pandoc-thesis", tmp_path / "phd")
    monkeypatch.chdir(project)
    lines = run_init(project, capsys)
    config = yaml.safe_load((project / "thesis.yaml").read_text(encoding="utf-8"))
    # File-name order with numbers as numbers; "Summary of the method" is a chapter, not an abstract.
    assert config["chapters"] == ["source/9_chapter_1.md", "source/10_chapter_2.md"]
    assert config["appendices"] == ["source/16_appendix_1.md"]
    assert config["bibliography"] == ["source/references.bib"]
    assert config["title"] == "Reef Fish Counts: A Survey of Three Lagoons"
    assert config["author"] == "Jane Doe" and config["year"] == "2024"
    assert config["supervisors"] == ["Professor Ann Smith"] and config["lang"] == "en-GB"

    def line(rel: str) -> str:
        return next(ln for ln in lines if f" source/{rel}" in ln)

    assert "table of contents" in line("05_table_of_contents.md") and line("05_table_of_contents.md").startswith("left")
    assert "reference list" in line("18_references.md")
    assert line("03_summary.md") == "front text source/03_summary.md (abstract)"
    assert config["front_texts"] == {"abstract": "source/03_summary.md"}
    assert "statement" in line("02_statement.md") and "from thesis.yaml" in line("02_statement.md")
    assert "abbreviations" in line("08_abbreviations.md")
    # Every source file is accounted for, one line each, and named in thesis.yaml's comment.
    text = (project / "thesis.yaml").read_text(encoding="utf-8")
    for path in sorted((project / "source").glob("*.md")):
        assert sum(f"source/{path.name}" in ln for ln in lines) == 1
        assert f"source/{path.name}" in text


def test_init_finds_the_language_from_the_words(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                 monkeypatch: pytest.MonkeyPatch):
    english = tmp_path / "english"
    (english / "chapters").mkdir(parents=True)
    (english / "chapters" / "1.md").write_text("# INTRODUCTION\n\nThe study of the reef is one of the oldest "
                                               "in the field, and it has been done with care.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run_init(english, capsys)
    config = yaml.safe_load((english / "thesis.yaml").read_text(encoding="utf-8"))
    assert config["lang"] == "en-US"
    assert config["bibliography"] == ["bibliography/references.yaml"]     # an empty one, written for it
    assert (english / "bibliography" / "references.yaml").is_file()

    indonesian = tmp_path / "indonesian"
    (indonesian / "bab").mkdir(parents=True)
    (indonesian / "bab" / "1.md").write_text("# BAB I PENDAHULUAN\n\nPenelitian ini membahas hubungan yang terjadi "
                                             "antara dua negara dan dampaknya pada kawasan.\n", encoding="utf-8")
    lines = run_init(indonesian, capsys)
    assert yaml.safe_load((indonesian / "thesis.yaml").read_text(encoding="utf-8"))["lang"] == "id-ID"
    # A chapter that numbers itself would print "BAB I" twice: init says so.
    assert any(ln.startswith("chapter bab/1.md (its heading 'BAB I PENDAHULUAN' has a number") for ln in lines)


def test_init_without_chapters_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture):
    from thesisbuild.cli import main

    (tmp_path / "README.md").write_text("# Notes\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no Markdown chapters" in err and "thesisbuild new" in err
    assert not (tmp_path / "thesis.yaml").exists()


def test_new_says_a_cd_line_that_a_shell_takes_for_a_name_with_spaces(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                      monkeypatch: pytest.MonkeyPatch):
    from thesisbuild.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["new", "skripsi saya (final)"]) == 0
    assert "cd 'skripsi saya (final)' && doit" in capsys.readouterr().out


def test_this_repository_builds_from_the_package_tasks():
    """One source of tasks: the repository's dodo.py imports the package's."""
    from thesisbuild import dodo

    text = (REPO / "dodo.py").read_text(encoding="utf-8")
    assert "from thesisbuild.dodo import *" in text and "def task_" not in text
    assert {"task_lint", "task_pdf", "task_docx", "task_verify", "task_figure", "task_draft"} <= set(dodo.__all__)


def test_init_keeps_a_metadata_title_exactly_as_written(tmp_path: Path, capsys: pytest.CaptureFixture):
    title = 'Yes: "No" #1 [draft] & {x} \\ null'
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01.md").write_text("---\n" + yaml.safe_dump({"title": title, "author": "true"})
                                                 + "---\n\n# PENDAHULUAN\n\nTeks yang ada di dalam bab ini.\n",
                                                 encoding="utf-8")
    run_init(tmp_path, capsys)
    config = yaml.safe_load((tmp_path / "thesis.yaml").read_text(encoding="utf-8"))
    assert config["title"] == title and config["author"] == "true"


@pytest.mark.parametrize("record, requirement, portable", [
    (None, f"thesisbuild=={__version__}", True),
    ('{"url": "https://github.com/u/thesisbuild", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
     "thesisbuild @ git+https://github.com/u/thesisbuild@abc123", True),
    ('{"url": "file:///home/s/thesis%20tools/thesisbuild", "dir_info": {}}', "/home/s/thesis tools/thesisbuild", False),
    ('{"url": "https://example.org/thesisbuild-0.1.0.tar.gz", "archive_info": {}}',
     "thesisbuild @ https://example.org/thesisbuild-0.1.0.tar.gz", True),
])
def test_a_new_thesis_installs_thesisbuild_from_where_it_was_installed(monkeypatch, record, requirement, portable):
    """The thesis's README and workflow install thesisbuild as pip recorded it (direct_url.json):
    from an index by version, from git at the commit, from a local copy (this computer only)."""
    import importlib.metadata

    from thesisbuild.scaffold import install_source

    class Dist:
        def read_text(self, name):
            return record if name == "direct_url.json" else None

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Dist())
    assert install_source() == {"requirement": requirement, "portable": portable}
