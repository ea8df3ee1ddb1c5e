"""The tool speaks English and Indonesian from one catalog: every message has its translation."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from thesisbuild import i18n

PACKAGE = Path(i18n.__file__).parent


def _messages() -> dict[str, str]:
    """Every English template in the package: the literal first argument of tr(), N_() and plural()."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = []
            if node.func.id in ("tr", "N_") and node.args:
                args = [node.args[0]]
            elif node.func.id == "plural":
                args = node.args[1:3]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found[arg.value] = f"{path.relative_to(PACKAGE)}:{node.lineno}"
    return found


def _catalog() -> dict[str, str]:
    return yaml.safe_load((i18n.CATALOG_DIR / "id.yaml").read_text(encoding="utf-8"))


def test_every_message_has_an_indonesian_translation():
    catalog = _catalog()
    missing = {m: where for m, where in _messages().items() if m not in catalog}
    assert not missing, "add these to messages/id.yaml:\n" + "\n".join(f"{w}: {m!r}" for m, w in missing.items())


def test_the_catalog_holds_no_message_the_code_no_longer_says():
    stale = set(_catalog()) - set(_messages())
    assert not stale, f"remove from messages/id.yaml: {sorted(stale)}"


def test_each_translation_keeps_the_fields_of_its_message():
    for english, indonesian in _catalog().items():
        assert i18n.fields(english) == i18n.fields(indonesian), english
        indonesian.format(**{name: "x" for name in i18n.fields(indonesian)})


@pytest.mark.parametrize("env,expected", [
    ({"THESISBUILD_LANG": "id"}, "id"), ({"THESISBUILD_LANG": "en"}, "en"),
    ({"LANG": "id_ID.UTF-8"}, "id"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LC_ALL": "id_ID"}, "id"),
    ({"THESISBUILD_LANG": "en", "LANG": "id_ID.UTF-8"}, "en"), ({}, "en"),
])
def test_the_language_follows_the_environment(monkeypatch, env, expected):
    for var in ("THESISBUILD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    i18n.set_language(None)
    assert i18n.language() == expected


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("THESISBUILD_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run([sys.executable, "-m", "thesisbuild.cli", *args], cwd=cwd, env={**clean, **env},
                          capture_output=True, text=True)


@pytest.mark.parametrize("how", ["flag", "env", "locale"])
def test_a_bad_thesis_yaml_is_explained_in_indonesian(tmp_path, how):
    (tmp_path / "thesis.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    env = {"THESISBUILD_LANG": "id"} if how == "env" else {"LANG": "id_ID.UTF-8"} if how == "locale" else {}
    args = ("--lang", "id", "build") if how == "flag" else ("build",)
    proc = _cli(*args, env=env, cwd=tmp_path)
    assert proc.returncode == 2
    assert "thesis.yaml:2:1" in proc.stderr and "bukan YAML yang sah" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_english_stays_english(tmp_path):
    (tmp_path / "thesis.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    proc = _cli("build", env={"LANG": "C.UTF-8"}, cwd=tmp_path)
    assert proc.returncode == 2 and "is not valid YAML" in proc.stderr, proc.stderr


def test_an_unknown_message_language_is_refused_in_one_sentence(tmp_path):
    proc = _cli("--lang", "fr", "build", env={}, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--lang" in proc.stderr and "en" in proc.stderr and "id" in proc.stderr


def test_a_missing_chapter_file_is_explained_in_indonesian(tmp_path):
    (tmp_path / "thesis.yaml").write_text("title: Judul\nauthor: Nama\nchapters:\n  - bab/01-pendahuluan.md\n"
                                          "bibliography: pustaka.yaml\n", encoding="utf-8")
    proc = _cli("build", env={"THESISBUILD_LANG": "id"}, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("thesis.yaml:4:"), proc.stderr
    assert ("berkas bab 'bab/01-pendahuluan.md' yang tercantum di 'chapters' tidak ada; buat berkasnya atau "
            "hapus dari daftar.") in proc.stderr, proc.stderr


def test_new_reports_in_indonesian(tmp_path):
    proc = _cli("new", "skripsi", env={"THESISBUILD_LANG": "id"}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "menulis skripsi/thesis.yaml" in lines, proc.stdout
    assert lines[-1].startswith("Selanjutnya: cd skripsi && doit"), proc.stdout
    assert not any(line.startswith(("wrote ", "Next:")) for line in lines), proc.stdout


def test_verify_reports_in_indonesian(example_build):
    proc = _cli("--lang", "id", "verify", env={}, cwd=example_build)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rules = [line for line in proc.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(rules) > 10 and all("(seharusnya " in line for line in rules), proc.stdout
    margins = next(line for line in rules if " pdf.margins " in line)
    assert "halaman isi" in margins, margins
    assert re.search(r"\(seharusnya kiri [\d.]+, kanan [\d.]+, atas [\d.]+, bawah [\d.]+ mm\)$", margins), margins
    assert "aturan lolos terhadap profil" in proc.stdout + proc.stderr


def test_lint_findings_are_explained_in_indonesian(tmp_path):
    (tmp_path / "thesis.yaml").write_text("title: Judul\nauthor: Nama\nchapters:\n  - bab/01-pendahuluan.md\n"
                                          "bibliography: pustaka.yaml\n", encoding="utf-8")
    (tmp_path / "pustaka.yaml").write_text(
        "references:\n- id: ali2020\n  type: book\n  title: Buku\n  author:\n  - family: Ali\n    given: Budi\n"
        "  issued:\n    date-parts:\n    - [2020]\n  publisher: Penerbit\n", encoding="utf-8")
    (tmp_path / "bab").mkdir()
    (tmp_path / "bab" / "01-pendahuluan.md").write_text(
        "# Pendahuluan\n\nMenurut penelitian [@ali2020], hal ini benar [@alli2020].\n\n"
        "![Struktur organisasi](images/struktur.png)\n\nSeperti ditulis (Budi Ali, 2020) dan [@ali2020, p. 5].\n",
        encoding="utf-8")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "Struktur.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    proc = _cli("lint", env={"THESISBUILD_LANG": "id"}, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert ("bab/01-pendahuluan.md:3:47: CIT001 [error] @alli2020 tidak punya entri di daftar pustaka; apakah "
            "maksud Anda @ali2020?") in lines, proc.stdout
    image = next(line for line in lines if line.startswith("bab/01-pendahuluan.md:5:"))
    assert image.startswith("bab/01-pendahuluan.md:5:24: IMG003 [error] gambar images/struktur.png tersimpan "
                            "sebagai images/Struktur.png"), image
    assert "thesisbuild fix akan memperbaiki path-nya" in image, image
    assert not any("has no bibliography entry" in line or "is stored as" in line for line in lines), proc.stdout
    # A message's parts are Indonesian too: CIT004's list of what is wrong with the author's form.
    author = next(line for line in lines if " CIT004 " in line)
    assert "nama depan atau inisial di depan nama keluarga" in author and "given name" not in author, author
    page = next(line for line in lines if " CIT005 " in line)
    assert 'bukan kata halaman skripsi berbahasa Indonesia' in page and 'tulis "hlm."' in page, page
