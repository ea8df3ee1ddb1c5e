"""A long chapter is converted in pieces of its sections: an edit reads one piece again, and the
outputs are those of the chapter converted whole."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from thesisbuild.build import build_docx, build_pdf, build_reference, ensure_figures, outputs
from thesisbuild.config import load_thesis
from thesisbuild.render import parts
from thesisbuild.render.document import prepare
from thesisbuild.render.parts import split_chapter

from .conftest import copy_thesis

PROSE = ("Kebijakan luar negeri Kazakhstan dibentuk oleh posisinya di antara kekuatan besar, dan "
         "penelitian ini membaca pilihan-pilihan itu sebagai strategi kekuatan menengah. ") * 14


def section(title: str, body: str, n: int = 2) -> str:
    return f"## {title}\n\n" + "\n\n".join([PROSE] * n) + "\n\n" + body + "\n"


def long_chapter() -> str:
    """Eight sections of about 5 KB, each a piece of its own at 3,000 characters: figures, tables,
    equations and a listing that are not the first of their kind in the chapter, each referred to
    in its own piece and in others (forwards and backwards), labelled subsections and citations."""
    return "\n".join([
        "# PENDAHULUAN\n",
        section("Latar Belakang {#sec-latar}", "Bagian ini merujuk ke @fig-garis dan @tbl-data di bawah, "
                "serta ke @eq-kuasa [@hopf2002]."),
        section("Gambaran", "Gambar tanpa label:\n\n![Kerangka](fig-kerangka-pemikiran)\n\n"
                ": Tabel pertama {#tbl-awal}\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
                "$$ E = mc^2 $$ {#eq-energi}\n"),
        section("Linimasa", "![Linimasa peristiwa](fig-linimasa){#fig-garis}\n\nSeperti @fig-garis, "
                "sesudah @tbl-awal."),
        section("Data", ": Data penelitian {#tbl-data}\n\n| Tahun | Nilai |\n|---|---|\n| 2020 | 10 |\n\n"
                "### Rincian {#sec-rincian}\n\nMenurut @jordaan2003, @tbl-data; lihat juga @sec-latar.\n\n"
                "### Kelebihan\n\nSatu kelebihan."),
        section("Model", "$$ P = \\frac{E}{M} $$ {#eq-kuasa}\n\nPersamaan @eq-kuasa sesudah @eq-energi, "
                "dan @fig-garis."),
        section("Kode", "```{#lst-awal .python caption=\"Menyiapkan data\"}\nx = 1\n```\n"),
        section("Hitung", "```{#lst-hitung .python caption=\"Menghitung indeks\"}\nprint(1)\n```\n\n"
                "Kode @lst-hitung sesudah @lst-awal; subbagian @sec-rincian.\n\n### Kelebihan\n\nKelebihan lain."),
        section("Argumen", "Kedua, @tbl-data dan @fig-garis [@hopf2002; @jordaan2003]."),
        section("Metode", "Terakhir."),
    ])


def make_thesis(folder: Path) -> Path:
    """The example thesis (its figures drawn, nothing converted yet) with the long chapter after BAB I."""
    project = copy_thesis(folder, cached=False)
    (project / "chapters" / "02-panjang.md").write_text(long_chapter(), encoding="utf-8")
    config = (project / "thesis.yaml").read_text(encoding="utf-8")
    config = re.sub(r"^(chapters:\n(?:  - .*\n)+)", r"\1  - chapters/02-panjang.md\n", config, flags=re.M)
    (project / "thesis.yaml").write_text(config, encoding="utf-8")
    return project


def build(project: Path) -> tuple[bytes, bytes]:
    thesis = load_thesis(project / "thesis.yaml")
    ensure_figures(thesis)
    build_reference(thesis)
    build_pdf(thesis, warn=False)
    build_docx(thesis, warn=False)
    out = outputs(thesis)
    return out["pdf"].read_bytes(), out["docx"].read_bytes()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    whole = make_thesis(tmp_path_factory.mktemp("whole") / "thesis")
    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(parts, "PIECE_CHARS", 10 ** 9)
        whole_outputs = build(whole)
        cut = make_thesis(tmp_path_factory.mktemp("cut") / "thesis")
        patch.setattr(parts, "PIECE_CHARS", 3000)
        cut_outputs = build(cut)
        first = list(parts.last_converted["json"])
        count = len(list((cut / "build" / "cache" / "json").glob("*.json")))
        chapter = cut / "chapters" / "02-panjang.md"
        # An edit in the piece with the chapter's second "### Kelebihan" (scanned alone, its
        # heading is "kelebihan" until the earlier one is seen).
        chapter.write_text(chapter.read_text(encoding="utf-8").replace("Kelebihan lain.", "Kelebihan lain, baru."),
                           encoding="utf-8")
        edited = build(cut)
        second = list(parts.last_converted["json"])
        thesis = load_thesis(cut / "thesis.yaml")
        edited_piece = next(i for i, piece in enumerate(parts.pieces(prepare(thesis, warn=False)))
                            if "Kelebihan lain, baru." in piece.text)
        clean = cut.parent / "clean"
        shutil.copytree(cut, clean, ignore=lambda folder, names: [n for n in names if Path(folder).name == "build"
                                                                      and n != "figures"])
        clean_outputs = build(clean)
    finally:
        patch.undo()
    return {"whole": whole_outputs, "cut": cut_outputs, "edited": edited, "first": first, "second": second,
            "pieces": count, "project": cut, "edited_piece": edited_piece, "clean": clean_outputs}


def test_a_chapter_in_pieces_gives_the_outputs_of_the_chapter_whole(built):
    # front matter, BAB I in pieces, the long chapter in pieces, back matter
    assert len(split_chapter(long_chapter(), size=3000)) == 9
    assert built["pieces"] >= 6
    assert built["cut"][0] == built["whole"][0], "the PDF differs"
    assert built["cut"][1] == built["whole"][1], "the DOCX differs"


def test_an_edit_in_a_section_reads_only_its_piece_and_gives_the_outputs_of_a_clean_build(built):
    assert len(built["first"]) == built["pieces"]
    assert built["second"] == [built["edited_piece"]]
    text = built["project"] / "build" / "thesis.typ"
    assert "Kelebihan lain, baru." in text.read_text(encoding="utf-8")
    assert built["edited"][0] == built["clean"][0], "the PDF differs from a clean build's"
    assert built["edited"][1] == built["clean"][1], "the DOCX differs from a clean build's"


def test_cuts_fall_before_level_2_headings_outside_code_comments_divs_and_environments():
    filler = "Kalimat pengisi yang cukup panjang. " * 10 + "\n"
    text = "\n".join([
        "# BAB\n", filler,
        "## Satu\n", filler,
        "```\n\n## bukan judul (kode)\n```\n", filler,
        "<!--\n\n## bukan judul (komentar)\n-->\n", filler,
        "::: catatan\n\n## judul di dalam div\n\n:::\n", filler,
        "\\begin{table}\n\n## bukan judul (LaTeX)\n\\end{table}\n", filler,
        "Tag `</pre>` dan `\\end{itemize}` dalam kode sebaris tidak menutup apa pun.\n", filler,
        "<pre>\nkode\n\n## bukan judul (pre)\n</pre>\n", filler,
        "\\begin{verbatim}\nkode\n\n## bukan judul (verbatim)\n\\end{verbatim}\n", filler,
        "### Tiga\n", filler,
        "## Dua\n", filler,
        "teks\n## tanpa baris kosong di atasnya\n", filler,
        "## Empat\n", filler,
    ])
    pieces = split_chapter(text, size=100)
    assert "\n".join(pieces) == text
    assert [p.splitlines()[0] for p in pieces] == ["# BAB", "## Satu", "## Dua", "## Empat"]


@pytest.mark.parametrize("tie", ["Catatan kaki[^1].\n\n[^1]: Isi catatan.\n",
                                 "Tautan [situs][web].\n\n[web]: https://example.org\n",
                                 "$$\\newcommand{\\R}{\\mathbb{R}}$$\n",
                                 "(@) contoh bernomor\n",
                                 "Lihat [Satu] untuk rinciannya.\n",
                                 "Lihat [Landasan\nTeori] di atas.\n",
                                 "> [ugm]: https://ugm.ac.id\n",
                                 "- [situs]: https://example.org\n",
                                 "\\gdef\\R{\\mathbb{R}}\n",
                                 "\\newenvironment{kotak}{\\begin{center}}{\\end{center}}\n",
                                 "Kajian Khusus\n-------------\n\nLihat [Kajian Khusus].\n",
                                 "Situs [UGM][] dan [teks][ugm].\n"])
def test_a_chapter_whose_sections_depend_on_each_other_stays_whole(tie):
    filler = "Kalimat pengisi yang cukup panjang. " * 10 + "\n"
    text = "\n".join(["# BAB\n", filler, "## Satu\n", filler, tie, "## Dua\n", filler, "## Tiga\n", filler])
    assert len(split_chapter(text.replace(tie, "Kalimat biasa.\n"), size=100)) > 1
    assert split_chapter(text, size=100) == [text]


def test_a_message_about_a_chapter_read_whole_goes_to_its_piece_at_its_line():
    from thesisbuild.render.parts import Piece, _place_messages

    units = [Piece("# BAB\n\nsatu\n", 10, 1, False), Piece("## Dua\n\ndua\ntiga\n", 14, 1, False)]
    # The text pandoc read: a two-line citation block and a blank line, the first piece (four
    # lines), a mark and a blank line, the second piece. Its line 13 is "tiga": the second piece's
    # line 4, staged line 17.
    stderr = "[WARNING] Something at line 13 column 2\n  more detail\n[WARNING] No line here\n"
    first, second = _place_messages(stderr, units, prime_lines=3)
    assert second == "[WARNING] Something at line 17 column 2\n  more detail\n"
    assert first == "[WARNING] No line here\n"


def test_a_chapter_whose_cuts_pandoc_does_not_see_is_converted_whole(built, tmp_path, monkeypatch):
    # A mark that is not the one the filter knows stands for a cut inside a block pandoc reads as
    # one (an HTML block the cut rules do not know): the chapter is then converted whole.
    project = make_thesis(tmp_path / "thesis")
    monkeypatch.setattr(parts, "PIECE_CHARS", 3000)
    monkeypatch.setattr(parts, "PIECE_MARK", "<!-- not the mark -->")
    monkeypatch.setattr(parts, "_UNCUT", set())
    outputs_ = build(project)
    assert len(parts._UNCUT) == 2          # BAB I and the long chapter
    assert outputs_ == built["whole"]


HEADING_SEQUENCES = [
    # pieces of headings, as a chapter cut at its level-2 headings would give them
    [["Tahap 1"], ["Tahap 1", "Tahap 1"]],
    [["Kelebihan", "Kelebihan"], ["Kelebihan"], ["Kelebihan", "Kelebihan 1"]],
    [["X", "X 2"], ["X", "X"], ["X 1"]],
    [["Kelebihan"], ["Kelebihan Lain {#kelebihan}", "Kelebihan"]],
    [["Catatan {#catatan}"], ["Catatan {#catatan}", "Catatan"]],
    [["Ringkasan {.unnumbered}"], ["Ringkasan", "Ringkasan {-}"]],
]


@pytest.mark.parametrize("sequence", HEADING_SEQUENCES, ids=lambda s: " | ".join(",".join(p) for p in s))
def test_heading_identifiers_of_pieces_read_alone_are_those_of_one_pandoc_run(sequence):
    import json
    import subprocess

    from thesisbuild.pandoc import pandoc_path
    from thesisbuild.render.parts import _headers, _plain, _unique_piece, _written_ids, text_identifier

    def read(markdown: str) -> tuple[list[str], list[str]]:
        out = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                             text=True, check=True).stdout
        headers = list(_headers(json.loads(out)["blocks"]))
        return [h["c"][1][0] for h in headers], [text_identifier(_plain(h["c"][2])) for h in headers]

    texts = ["\n\n".join(f"## {title}\n\nTeks." for title in piece) + "\n" for piece in sequence]
    whole = read("\n".join(texts))[0]
    seen: set[str] = set()
    pieces = [_unique_piece(*read(text)[:1], seen, _written_ids(text), read(text)[1]) for text in texts]
    assert [i for piece in pieces for i in piece] == whole


def test_citations_with_locators_and_inline_notes_do_not_keep_a_chapter_whole():
    filler = "Kalimat pengisi yang cukup panjang. " * 10 + "\n"
    text = "\n".join(["# BAB\n", filler, "## Satu\n", "Menurut @jordaan2003 [hlm. 9] dan [lihat @hopf2002, hlm. 3]; "
                      "catatan^[isi catatan kaki].\n", filler, "## Dua\n", filler])
    assert len(split_chapter(text, size=100)) == 3


def test_a_cached_piece_without_its_notes_is_read_again(built, tmp_path):
    project = tmp_path / "thesis"
    shutil.copytree(built["project"], project)
    notes = sorted((project / "build" / "cache" / "json").glob("*.notes"))
    notes[len(notes) // 2].unlink()
    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(parts, "PIECE_CHARS", 3000)
        assert build(project) == built["edited"]
    finally:
        patch.undo()
    assert len(parts.last_converted["json"]) == 1


class _Doc:
    """What the typst conversion asks of a prepared document, for parts made here."""

    def __init__(self, root: Path):
        self.thesis = type("Thesis", (), {"root": root})()

    def env(self) -> dict:
        return {}

    def check_pandoc(self, stderr: str) -> None:
        assert not stderr.strip(), stderr


@pytest.mark.parametrize("held", [False, True])
def test_parts_written_in_one_run_are_each_what_its_own_run_writes(tmp_path: Path, held: bool):
    from thesisbuild.pandoc import run_pandoc

    texts = ["Satu *dua* [tiga](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |",
             "## Bab\n\n- butir\n- butir lain\n\n![Gambar](gambar.png){width=50%}",
             "---\n\nEmpat $x^2$ lima.[^1]\n\n[^1]: Catatan.\n\n---",
             # Raw typst whose own output starts or ends with a line break: converted alone.
             "```{=typst}\n\n#foo\n```\n\nb",
             "a\n\n```{=typst}\n#v(1em)\n\n\n```",
             "d"]
    if held:            # a part that holds the line the run is cut at
        texts[1] += "\n\n```{=typst}\n" + parts._TYPST_CUT + "\n```"
    extra = ["--lua-filter", str(parts.Path(parts.__file__).parent.parent / "filters" / "typst.lua")]
    todo = [(i, run_pandoc(["-t", "json"], input_text=text).stdout, tmp_path / f"{i}.txt") for i, text in enumerate(texts)]
    # A paragraph that opens with raw typst starting with a line break (Markdown cannot write it).
    opened = json.loads(todo[-1][1])
    opened["blocks"] = [{"t": "Para", "c": [{"t": "RawInline", "c": ["typst", "\n#bar"]}, {"t": "Space"},
                                           {"t": "Str", "c": "c"}]}]
    todo[-1] = (todo[-1][0], json.dumps(opened), todo[-1][2])
    own = [run_pandoc(["-f", "json", "-t", "typst-citations", *extra], input_text=text).stdout for _, text, _ in todo]

    together = [job for job in todo if parts._plain_edges(job[1])]
    assert [job[0] for job in together] == [0, 1, 2]
    assert parts._convert_together(_Doc(tmp_path), "typst-citations", extra, together) is not held
    if held:
        assert not any(path.exists() for _, _, path in todo)      # left to a run a part
    else:
        assert [path.read_text(encoding="utf-8") for _, _, path in together] == own[:3]
