"""Pandoc citations in chapters: found with exact positions, never inside code, URLs or comments."""

from __future__ import annotations

import json
import re
from pathlib import Path

from thesisbuild.citations import find_citations
from thesisbuild.sources import Source

from .conftest import run_cli


def cites(text: str) -> list[tuple[str, int, int]]:
    return [(c.key, c.line, c.column) for c in find_citations(Source(Path("ch.md"), text))]


def test_bracketed_narrative_and_suppressed_citations_are_found_with_positions():
    text = "Satu [@roberts2012].\n\nMenurut @jordaan2003 [hlm. 9], dan [-@hopf2002; lihat @lee2015, hlm. 3]."
    assert cites(text) == [("roberts2012", 1, 7), ("jordaan2003", 3, 9),
                           ("hopf2002", 3, 37), ("lee2015", 3, 55)]


def test_braced_keys_and_keys_with_internal_punctuation():
    assert cites("[@{Smith: 2020}] and @le-corre:2019.") == [("Smith: 2020", 1, 2), ("le-corre:2019", 1, 22)]


def test_email_addresses_and_urls_are_not_citations():
    text = "Tulis ke penulis@kampus.ac.id atau lihat https://x.org/@user dan <https://y.org/@z>."
    assert cites(text) == []


def test_code_math_comments_and_link_targets_are_not_citations():
    text = ("Kode `@notakey` di sini.\n\n```\n@fenced\n```\n\n    @indented\n\n"
            "<!-- @comment\n@still -->\n\n$@m$ dan [tautan](https://x.org/@u) [@real]")
    assert cites(text) == [("real", 12, 38)]


def test_front_matter_is_not_prose():
    assert cites("---\ntitle: '@x'\n---\n\nTeks [@y].") == [("y", 5, 7)]


def test_the_example_chapter_cites_33_works_that_all_resolve(thesis_dir: Path):
    text = (thesis_dir / "chapters" / "01-pendahuluan.md").read_text(encoding="utf-8")
    keys = {key for key, _, _ in cites(text)}
    assert len(keys) == 33
    proc = run_cli(thesis_dir, "check")
    assert proc.returncode == 0, proc.stderr


def test_an_unknown_key_fails_the_check_at_its_line_and_column(thesis_dir: Path):
    chapter = thesis_dir / "chapters" / "01-pendahuluan.md"
    lines = chapter.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[11] = "Kalimat baru [@hopf2003].\n" + lines[11]
    chapter.write_text("".join(lines), encoding="utf-8")
    proc = run_cli(thesis_dir, "check")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "chapters/01-pendahuluan.md:12:15: error: citation @hopf2003 has no bibliography entry" in proc.stderr
    assert "did you mean @hopf2002?" in proc.stderr


def test_a_csl_yaml_bibliography_reaches_citeproc_as_csl_json_unless_the_style_would_print_it_differently(tmp_path):
    from thesisbuild.bibliography import citeproc_files
    from thesisbuild.config import load_thesis

    csl = load_thesis(Path(__file__).resolve().parent.parent / "thesis.yaml").csl
    plain = tmp_path / "plain.yaml"
    plain.write_text("references:\n- id: a1\n  type: book\n  title: Ekonomi *Politik*\n  author: [{family: Hopf, "
                     "given: Ted}]\n  issued: {date-parts: [[2002]]}\n", encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text("- id: b1\n  type: book\n  title: Sebuah buku\n  issued: 2019\n", encoding="utf-8")
    # CSL-JSON has no math: this title would print as "$E=mc^2$" from a conversion.
    math = tmp_path / "math.yaml"
    math.write_text("references:\n- id: m1\n  type: book\n  title: 'Energi $E=mc^2$'\n  issued: 2020\n",
                    encoding="utf-8")
    cache = tmp_path / "cache"
    found = citeproc_files([plain, bare, math], cache, csl, "id-ID")
    assert [p.parent for p in found[:2]] == [cache, cache] and found[2] == math
    assert [entry["id"] for entry in json.loads(found[0].read_text(encoding="utf-8"))] == ["a1"]
    assert [entry["id"] for entry in json.loads(found[1].read_text(encoding="utf-8"))] == ["b1"]
    # An edit converts again and the old conversion goes.
    plain.write_text(plain.read_text(encoding="utf-8").replace("2002", "2003"), encoding="utf-8")
    again = citeproc_files([plain, bare, math], cache, csl, "id-ID")
    assert again[0] != found[0] and not found[0].exists() and again[1] == found[1]


_DISAMBIGUATION_BIB = """references:
- {id: smith2020x, type: book, title: Buku pertama, author: [{family: Smith, given: John}], issued: 2020}
- {id: smith2020y, type: book, title: Buku kedua, author: [{family: Smith, given: John}], issued: 2020}
- {id: smith2019, type: book, title: Buku ketiga, author: [{family: Smith, given: Anna}], issued: 2019}
- {id: hopf2002, type: book, title: Buku keempat, author: [{family: Hopf, given: Ted}], issued: 2002}
"""


def _three_chapters(project: Path, csl: str | None = None) -> None:
    """Three chapters that cite works whose printed form depends on each other's: two works of
    John Smith from 2020 (2020a, 2020b) in the first and third chapters, Anna Smith in the second."""
    (project / "bibliography" / "references.yaml").write_text(_DISAMBIGUATION_BIB, encoding="utf-8")
    bodies = {"01-satu.md": "# Satu\n\nKalimat pertama [@smith2020x].\n",
              "02-dua.md": "# Dua\n\nKalimat kedua [@hopf2002; @smith2019].\n",
              "03-tiga.md": "# Tiga\n\nKalimat ketiga [@smith2020y].\n"}
    for path in (project / "chapters").glob("*.md"):
        path.unlink()
    for name, body in bodies.items():
        (project / "chapters" / name).write_text(body, encoding="utf-8")
    config = (project / "thesis.yaml").read_text(encoding="utf-8")
    config = re.sub(r"^chapters:\n(?:  - .*\n)+", "chapters:\n" + "".join(f"  - chapters/{n}\n" for n in bodies),
                    config, flags=re.M)
    if csl:
        config = re.sub(r"^csl:.*$", f"csl: {csl}", config, flags=re.M) if re.search(r"^csl:", config, re.M) \
            else config + f"csl: {csl}\n"
    (project / "thesis.yaml").write_text(config, encoding="utf-8")


def _chapter_texts(project: Path) -> list[str]:
    """The text of each chapter in build/thesis.typ, by its heading."""
    typ = (project / "build" / "thesis.typ").read_text(encoding="utf-8")
    return [" ".join(typ[typ.index(f"]{title}" if f"]{title}" in typ else title):].split("Kalimat", 1)[1]
                     .split("\n\n", 1)[0].replace("\\", "").split()) for title in ("Satu", "Dua", "Tiga")]


def test_citations_in_different_chapters_are_disambiguated_and_numbered_as_in_one_document(thesis_dir):
    _three_chapters(thesis_dir)
    proc = run_cli(thesis_dir, "build", "--pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second, third = _chapter_texts(thesis_dir)
    # APA gives the suffixes in the reference list's order (by title: "Buku kedua" is 2020a).
    assert "J. Smith, 2020b" in first and "J. Smith, 2020a" in third, (first, third)
    assert "A. Smith, 2019" in second and "Hopf, 2002" in second, second

    # A numeric style numbers each work by the whole thesis's order of first citation.
    _three_chapters(thesis_dir, csl="ieee")
    proc = run_cli(thesis_dir, "build", "--pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second, third = _chapter_texts(thesis_dir)
    assert "[1]" in first and "[2], [3]" in second and "[4]" in third, (first, second, third)


def test_a_work_cited_only_in_raw_latex_is_in_the_reference_list_and_numbered(thesis_dir):
    _three_chapters(thesis_dir, csl="ieee")
    chapter = thesis_dir / "chapters" / "03-tiga.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("[@smith2020y]", "\\cite{smith2020y}"),
                       encoding="utf-8")
    proc = run_cli(thesis_dir, "build", "--pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second, third = _chapter_texts(thesis_dir)
    assert "[4]" in third, third
    typ = (thesis_dir / "build" / "thesis.typ").read_text(encoding="utf-8")
    assert "<ref-smith2020y>" in typ and "Buku kedua" in typ
