"""The lint on cross-references, raw LaTeX, links and image paths: each finding at its place,
never a citation error for a cross-reference; `thesisbuild fix` converts what it can."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from thesisbuild.lint import LintRequest, run_lint

from .conftest import FIXTURES, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "skripsi"
    shutil.copytree(FIXTURES / "xref", dest)
    (dest / "images").mkdir(exist_ok=True)
    (dest / "images" / "skema.PNG").write_bytes(b"\x89PNG\r\n\x1a\n")      # written Skema.png in the chapter
    (dest / "images" / "foto.jpeg").write_bytes(b"\xff\xd8\xff")          # written foto.jpg
    (tmp_path / "luar.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return dest


def lint(project: Path):
    from thesisbuild.config import BUILTIN_TEMPLATES, load_profile

    result = run_lint(LintRequest(chapters=[project / "bab1.md"], bibliographies=[project / "refs.yaml"],
                                  root=project, profile=load_profile("skripsi-id", BUILTIN_TEMPLATES)))
    return {(d.code, d.line, d.column): d for d in result.diagnostics if d.path.name == "bab1.md"}


def test_crossrefs_of_every_kind_are_not_citations(project: Path):
    found = lint(project)
    assert not [key for key in found if key[0] == "CIT001"]
    assert not [d for d in found.values() if d.code == "XRF002" and "fig-skemaa" not in d.message]


def test_an_unknown_crossref_is_its_own_finding_with_the_closest_label(project: Path):
    d = lint(project)[("XRF002", 5, 76)]
    assert d.message.startswith("the cross-reference @fig-skemaa points at no label in the thesis "
                                "(did you mean @fig-skema?)")


def test_unsupported_latex_is_a_finding_at_its_line_with_the_markdown_to_write(project: Path):
    found = lint(project)
    tikz = found[("TEX001", 19, 1)]
    assert "tikzpicture" in tikz.message and "![Caption](images/name.png){#fig-name}" in tikz.message
    macro = found[("TEX001", 23, 26)]
    assert "\\fancyname" in macro.message
    # \textit, supported environments and math inside an equation environment are converted, not reported.
    assert len([k for k in found if k[0] == "TEX001"]) == 2
    assert not [k for k in found if k[0] == "XRF002" and k[1] > 25]      # \label inside the equation


def test_image_paths_are_checked_before_anything_is_built(project: Path):
    found = lint(project)
    case = found[("IMG003", 13, 10)]
    assert "is stored as images/skema.PNG;" in case.message and case.fix is not None
    missing = found[("IMG001", 15, 9)]
    assert "images/foto.jpg does not exist (did you mean images/foto.jpeg?)" in missing.message
    assert ("IMG002", 17, 9) in found


def test_links_and_a_chapters_own_reference_list(project: Path):
    found = lint(project)
    assert ("DOC002", 23, 84) in found and "#tidak-ada" in found[("DOC002", 23, 84)].message
    assert not [k for k in found if k[0] == "DOC002" and k != ("DOC002", 23, 84)]   # #pendahuluan exists
    assert "Daftar Pustaka" in found[("DOC001", 25, 4)].message


def test_fix_converts_crossref_syntax_and_image_case_and_nothing_else(project: Path):
    before = (project / "bab1.md").read_text(encoding="utf-8")
    proc = run_cli(project, "fix", "bab1.md", "--bibliography", "refs.yaml")
    assert proc.returncode == 0, proc.stderr
    after = (project / "bab1.md").read_text(encoding="utf-8")
    assert "@fig-skema dan" in after and "{#fig-skema}" in after and "](images/skema.PNG)" in after
    assert after.replace("@fig-skema dan", "@fig:skema dan").replace("{#fig-skema}", "{#fig:skema}") \
        .replace("images/skema.PNG", "images/Skema.png") == before
    found = lint(project)
    assert not [k for k in found if k[0] in ("XRF001", "IMG003")]
    again = run_cli(project, "fix", "bab1.md", "--bibliography", "refs.yaml")
    assert "applied 0 fixes" in again.stderr


def test_latex_cite_keys_are_checked_like_pandoc_citations(tmp_path: Path):
    chapter = tmp_path / "bab.md"
    chapter.write_text("# BAB\n\nMenurut \\citet{hopf2002} dan \\cite{hopf2002, hopf2003}.\n", encoding="utf-8")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[FIXTURES / "xref" / "refs.yaml"], root=tmp_path))
    found = [(d.code, d.line, d.column) for d in result.diagnostics if d.path == chapter]
    assert found == [("CIT001", 3, 46)]
    assert not [d for d in result.diagnostics if d.code == "BIB005"]        # \cite counts as citing


def test_an_identifier_given_twice_is_named_at_the_second_with_the_first(tmp_path: Path):
    """Two headings of one chapter, or of two chapters, with one {#id}: a link to it is ambiguous."""
    one, two = tmp_path / "bab1.md", tmp_path / "bab2.md"
    one.write_text("# BAB\n\n## Metode {#metode}\n\nTeks.\n\n## Metode Lain {#metode}\n\nLihat [metode](#metode).\n",
                   encoding="utf-8")
    two.write_text("# BAB DUA\n\n## Hasil {#hasil}\n\nTeks.\n", encoding="utf-8")
    three = tmp_path / "bab3.md"
    three.write_text("# BAB TIGA\n\n## Hasil Akhir {#hasil}\n", encoding="utf-8")
    result = run_lint(LintRequest(chapters=[one, two, three], bibliographies=[FIXTURES / "xref" / "refs.yaml"],
                                  root=tmp_path))
    found = [(d.path.name, d.line, d.column, d.message) for d in result.diagnostics if d.code == "XRF003"]
    assert [f[:3] for f in found] == [("bab1.md", 7, 18), ("bab3.md", 3, 18)], found
    assert "#metode is given twice (first at bab1.md:3)" in found[0][3]
    assert "#hasil is given twice (first at bab2.md:3)" in found[1][3]


def test_a_reference_list_placed_in_a_chapter_is_named_at_its_line(tmp_path: Path):
    """A chapter copied from a single-file thesis keeps pandoc's `::: {#refs}`: the build adds the
    list after the last chapter, so the lint names the chapter's own (in a code block it is text)."""
    chapter = tmp_path / "bab.md"
    chapter.write_text("# BAB\n\nTeks.\n\n::: {#refs}\n:::\n\n```\n::: {#refs}\n```\n", encoding="utf-8")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[FIXTURES / "xref" / "refs.yaml"], root=tmp_path))
    found = [(d.line, d.column) for d in result.diagnostics if d.code == "DOC001"]
    assert found == [(5, 1)], result.diagnostics


def test_heading_identifiers_are_the_ones_pandoc_makes():
    import json
    import subprocess

    from thesisbuild.checks.crossrefs import auto_identifier
    from thesisbuild.pandoc import pandoc_path

    headings = ["Latar Belakang", "*Progressive Web App*", "1.1 Tahapan", "Analisis & Desain", "Rumusan_Masalah",
                "Hasil [Uji](http://x.y)", "BAB II — Landasan", "Sistem Informasi \\textit{Web}", "Émile's café",
                "_Framework_ Laravel", "Use-Case 3.1", "Penggunaan `git`"]
    out = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"], capture_output=True, text=True,
                         input="\n\n".join("## " + h for h in headings), encoding="utf-8").stdout
    made = [b["c"][1][0] for b in json.loads(out)["blocks"] if b["t"] == "Header"]
    assert [auto_identifier(h) for h in headings] == made


def test_appendices_are_linted_with_the_chapters(tmp_path: Path):
    """A link to an appendix heading resolves; a citation or image in an appendix is checked like a chapter's."""
    (tmp_path / "refs.yaml").write_text("- id: ada2020\n  type: book\n  title: Buku\n  author: [{family: Ada}]\n"
                                        "  issued: {date-parts: [[2020]]}\n", encoding="utf-8")
    (tmp_path / "bab1.md").write_text("# PENDAHULUAN\n\nLihat [lampiran](#kuesioner) dan [@ada2020].\n",
                                      encoding="utf-8")
    (tmp_path / "lampiran.md").write_text("# Kuesioner\n\nMenurut [@adaa2020].\n\n![Formulir](formulir.png)\n",
                                          encoding="utf-8")
    (tmp_path / "thesis.yaml").write_text("title: Uji\nauthor: Ani\nchapters: [bab1.md]\nappendices: [lampiran.md]\n"
                                          "bibliography: [refs.yaml]\n", encoding="utf-8")
    proc = run_cli(tmp_path, "lint")
    assert proc.returncode == 1
    assert "DOC002" not in proc.stdout, proc.stdout
    assert "lampiran.md:3:10: CIT001" in proc.stdout, proc.stdout
    assert "lampiran.md:5:13: IMG001" in proc.stdout, proc.stdout
