"""Generated figures: cached by content, reproducible, loud when broken, placed and numbered."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from pypdf import PdfReader

from .conftest import copy_thesis, run_cli, run_doit


def marks(stdout: str) -> dict[str, str]:
    return {name: mark for mark, name in re.findall(r"^(\.|--)\s+(\S+)", stdout, re.M)}


def images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def test_a_figure_reruns_when_its_data_changes_and_not_otherwise(tmp_path: Path):
    project = copy_thesis(tmp_path / "cache", drawn=False)
    first = run_doit(project, "figure")
    assert first.returncode == 0, first.stdout + first.stderr
    assert marks(first.stdout) == {"figure:kerangka-pemikiran": ".", "figure:linimasa": "."}
    assert marks(run_doit(project, "figure").stdout) == {"figure:kerangka-pemikiran": "--", "figure:linimasa": "--"}
    csv = project / "figures" / "linimasa.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Invasi Rusia ke Ukraina", "Invasi Rusia ke Ukraina (2022)"),
                   encoding="utf-8")
    assert marks(run_doit(project, "figure").stdout) == {"figure:kerangka-pemikiran": "--", "figure:linimasa": "."}


def test_a_build_folder_without_doits_record_draws_only_what_changed_or_was_damaged(tmp_path: Path,
                                                                                    example_build: Path):
    # A fresh clone with build/ restored from a CI cache: doit has no record, the images are there.
    project = copy_thesis(tmp_path / "restored", drawn=False)
    shutil.copytree(example_build / "build" / "figures", project / "build" / "figures")
    folder = project / "build" / "figures"
    drawn = {p.name: p.stat().st_mtime_ns for p in images(folder)}
    png = folder / "kerangka-pemikiran.png"
    good = png.read_bytes()
    png.write_bytes(good[:1000])                                  # a damaged image is drawn again
    csv = project / "figures" / "linimasa.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "2024,Contoh,Baris baru\n", encoding="utf-8")
    proc = run_doit(project, "figure")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert png.read_bytes() == good
    now = {p.name: p.stat().st_mtime_ns for p in images(folder)}
    assert now["linimasa.svg"] != drawn["linimasa.svg"]
    assert (folder / "linimasa.svg").read_bytes() != (example_build / "build/figures/linimasa.svg").read_bytes()
    (project / ".doit.db").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in images(folder)}
    assert run_doit(project, "figure").returncode == 0
    assert {p.name: p.stat().st_mtime_ns for p in images(folder)} == before      # nothing drawn again


def test_figure_outputs_are_byte_identical_across_runs(tmp_path: Path, example_build: Path):
    # The figures of a fresh copy against those of the session's build of the example.
    outputs = []
    project = copy_thesis(tmp_path / "one", drawn=False)
    assert run_doit(project, "figure").returncode == 0
    for folder in (project / "build" / "figures", example_build / "build" / "figures"):
        outputs.append({p.name: p.read_bytes() for p in sorted(images(folder))})
    assert set(outputs[0]) == {"kerangka-pemikiran.svg", "kerangka-pemikiran.png", "linimasa.svg", "linimasa.png"}
    assert outputs[0] == outputs[1]
    assert b"<dc:date>" not in outputs[0]["linimasa.svg"] and b"matplotlib" not in outputs[0]["linimasa.png"]


def test_a_crashing_script_fails_its_task_with_its_stderr_and_leaves_no_image(tmp_path: Path):
    project = copy_thesis(tmp_path / "crash")
    (project / "figures" / "rusak.py").write_text(
        "import matplotlib.pyplot as plt\nplt.figure()\nraise ValueError('data kosong')\n", encoding="utf-8")
    proc = run_doit(project, "figure:rusak")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "figures/rusak.py" in output and "ValueError: data kosong" in output
    assert "runpy" not in output and "figure_runner" not in output      # the traceback starts at the script
    assert not (project / "build" / "figures" / "rusak.svg").exists()
    assert not (project / "build" / "figures" / "rusak.png").exists()


def test_a_script_that_draws_nothing_fails_and_an_old_image_is_not_kept(tmp_path: Path):
    project = copy_thesis(tmp_path / "empty")
    script = project / "figures" / "kosong.py"
    script.write_text("import matplotlib.pyplot as plt\nplt.plot([1, 2])\n", encoding="utf-8")
    assert run_doit(project, "figure:kosong").returncode == 0
    assert (project / "build" / "figures" / "kosong.png").is_file()
    script.write_text("x = 1\n", encoding="utf-8")
    proc = run_doit(project, "figure:kosong")
    assert proc.returncode != 0 and "drew no figure" in proc.stdout + proc.stderr
    assert not (project / "build" / "figures" / "kosong.png").exists()


def test_a_script_runs_apart_with_its_data_and_helpers_and_what_it_saves_beside_itself_is_dropped(tmp_path: Path):
    project = copy_thesis(tmp_path / "apart")
    figures = project / "figures"
    (figures / "_gaya.py").write_text("WARNA = 'black'\n", encoding="utf-8")
    (figures / "sendiri.py").write_text(
        "import os\nimport matplotlib.pyplot as plt\nfrom _gaya import WARNA\nDATA = ('linimasa.csv',)\n"
        "rows = open(DATA[0], encoding='utf-8').read().splitlines()\n"
        "assert sorted(os.listdir('.')) == ['_gaya.py', 'linimasa.csv', 'sendiri.py'], os.listdir('.')\n"
        "plt.plot(range(len(rows)), color=WARNA)\nplt.savefig('sendiri.png')\n", encoding="utf-8")
    proc = run_doit(project, "figure:sendiri")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "build" / "figures" / "sendiri.png").is_file()
    assert not (figures / "sendiri.png").exists()      # the script's own savefig went to its temporary folder
    # The helper module is an input of every figure: changing it draws them again, in the new colour.
    black = (project / "build" / "figures" / "sendiri.png").read_bytes()
    (figures / "_gaya.py").write_text("WARNA = 'red'\n", encoding="utf-8")
    assert marks(run_doit(project, "figure:sendiri").stdout) == {"figure:sendiri": "."}
    assert (project / "build" / "figures" / "sendiri.png").read_bytes() != black


def test_a_chapter_placing_an_unknown_figure_fails_at_its_place(tmp_path: Path):
    project = copy_thesis(tmp_path / "unknown")
    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n![Peta](fig-peta){#fig-peta}\n", encoding="utf-8")
    line = chapter.read_text(encoding="utf-8").splitlines().index("![Peta](fig-peta){#fig-peta}") + 1
    proc = run_cli(project, "build")
    assert proc.returncode == 2
    assert f"chapters/01-pendahuluan.md:{line}:9: error: the figure fig-peta has no script figures/peta.py" in proc.stderr


def test_the_thesis_shows_both_figures_with_their_captions_in_pdf_and_docx(tmp_path: Path):
    project = copy_thesis(tmp_path / "both")
    chapter = project / "chapters" / "01-pendahuluan.md"
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + "\nLihat @fig-linimasa dan [lihat @fig-kerangka-pemikiran; @tbl-contoh].\n\n"
                       # A table without a caption is no numbered table, in either output.
                       + "| Tanpa | Keterangan |\n|---|---|\n| 0 | 0 |\n\n"
                       + ": Contoh tabel {#tbl-contoh}\n\n| A | B |\n|---|---|\n| 1 | 2 |\n", encoding="utf-8")
    # `thesisbuild build` draws the figures and writes both outputs (doit's verify and previews are
    # not needed here; the session's doit build of the example has them).
    proc = run_cli(project, "build")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(project / "build" / "thesis.pdf").pages))
    assert "Gambar 1.1 Linimasa peristiwa yang dibahas dalam latar belakang" in text
    assert "Gambar 1.2 Kerangka pemikiran penelitian" in text
    assert "Lihat Gambar 1.1 dan lihat Gambar 1.2, Tabel 1.1." in text
    assert "Tabel 1.1 Contoh tabel" in text and "Tabel 1.2" not in text
    with zipfile.ZipFile(project / "build" / "thesis.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 2
    # What Word shows before it updates a field: the text and the fields' results, not their codes.
    plain = re.sub(r"<[^>]+>", "", re.sub(r"<w:instrText[^>]*>[^<]*</w:instrText>", "", xml))
    assert "Gambar 1.1 Linimasa peristiwa yang dibahas dalam latar belakang" in plain
    assert "Gambar 1.2 Kerangka pemikiran penelitian" in plain
    assert "Tabel 1.1 Contoh tabel" in plain and "Tabel 1.2" not in plain
    # A reference's word and number held by a no-break space, as typst's reference holds them.
    assert "Lihat Gambar\u00a01.1 dan lihat Gambar\u00a01.2, Tabel\u00a01.1." in plain
    assert "@fig-" not in plain
    # Each reference a REF field to the bookmark on its caption's number, as Word's own cross-references.
    refs = re.findall(r"<w:instrText[^>]*> REF (\S+) \\h </w:instrText>", xml)
    bookmarks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"', xml))
    assert len(refs) == 3 and set(refs) <= bookmarks, (refs, bookmarks)


def test_doit_stops_a_figure_script_at_the_profiles_time_limit(tmp_path: Path):
    """limits.figure_seconds holds for doit's figure tasks as for `thesisbuild build`: a script that
    never ends is stopped after 2 s, named with the limit, and the build does not hang."""
    project = copy_thesis(tmp_path / "limit")
    (project / "figures" / "berputar.py").write_text("while True:\n    pass\n", encoding="utf-8")
    with (project / "thesis.yaml").open("a", encoding="utf-8") as config:
        config.write("profile:\n  limits:\n    figure_seconds: 2\n")
    proc = run_doit(project, "figure:berputar")
    assert proc.returncode != 0 and "berputar.py" in proc.stdout + proc.stderr
    assert "longer than 2 s" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
