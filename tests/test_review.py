"""The supervisor's answer: a returned draft's comments and tracked changes at their place in the
Markdown (`thesisbuild review`), applied where the student accepts them, listed by `doit review`.

The returned files are the tool's own draft with the supervisor's edits written into its XML the way
Word, LibreOffice and Google Docs write them (tests/returned_docx.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from .conftest import copy_thesis, run_cli, run_doit, shared
from .returned_docx import Returned

CHAPTER_2 = """# TINJAUAN PUSTAKA

## Teori Identitas

Identitas dikonstruksi secara sosial melalui interaksi antarnegara [@hopf2002]. Konsep ini dipakai untuk
membaca kebijakan luar negeri Kazakhstan yang **seimbang** di antara negara besar.[^istilah]

[^istilah]: Istilah identitas di sini mengikuti pengertian konstruktivis yang umum dipakai.

Kebijakan multivektor menyeimbangkan hubungan dengan Rusia, Tiongkok dan Amerika Serikat, seperti
terlihat pada @tbl-mitra.

: Mitra dagang utama Kazakhstan {#tbl-mitra}

| Negara | Porsi perdagangan |
|---|---|
| Rusia | besar sekali |
| Tiongkok | sedang |

Paragraf penutup merangkum tinjauan ini. Kalimat keduanya cukup panjang untuk dikomentari oleh pembimbing.
"""


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=project,
                   check=True, capture_output=True)


@pytest.fixture(scope="session")
def sent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A thesis with a second chapter (a citation, bold, a footnote, a table with its caption), in
    git, whose draft was built and marked sent."""
    def make(folder: Path) -> None:
        project = copy_thesis(folder / "thesis")
        (project / "chapters" / "02-tinjauan.md").write_text(CHAPTER_2, encoding="utf-8")
        config = project / "thesis.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "  - chapters/01-pendahuluan.md\n", "  - chapters/01-pendahuluan.md\n  - chapters/02-tinjauan.md\n"),
            encoding="utf-8")
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "commit", "-qm", "thesis")
        for args in (("draft", "02-tinjauan"), ("draft", "--mark-sent", "02-tinjauan")):
            proc = run_cli(project, *args)
            assert proc.returncode == 0, proc.stderr

    return shared(tmp_path_factory, "review-sent", make) / "thesis"


@pytest.fixture
def project(sent: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "thesis"
    shutil.copytree(sent, dest)
    return dest


def draft(project: Path) -> Path:
    return project / "build" / "drafts" / "02-tinjauan.docx"


def place(text: str, words: str, nth: int = 0) -> str:
    """line:column of the words in the chapter, as the review must name it."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(words, at + 1)
    line = text.count("\n", 0, at) + 1
    return f"{line}:{at - (text.rfind(chr(10), 0, at) + 1) + 1}"


def supervisor_edits(returned: Returned) -> Returned:
    """The round trip's cases: a comment with a reply, a comment over two paragraphs, a citation
    deleted, words inserted in a sentence that has a footnote, a caption and a table cell changed,
    a footnote's words changed, and a move."""
    returned.comment("dikonstruksi secara sosial", "sumber?",
                     replies=[("Budi", "sudah saya tambahkan")])
    returned.comment("negara besar.", "paragraf ini terlalu panjang", end="Kebijakan multivektor")
    returned.delete(" (Hopf, 2002)")
    returned.insert("Kazakhstan yang", "negara ")
    returned.replace("Mitra dagang utama", "Mitra dagang terbesar")
    returned.replace("besar sekali", "sangat besar")
    returned.replace("pengertian konstruktivis", "pengertian kaum konstruktivis", where="footnotes")
    returned.move("Kalimat keduanya cukup panjang untuk dikomentari oleh pembimbing.", "Paragraf penutup")
    return returned


EXPECTED_APPLIED = (CHAPTER_2
                    .replace(" [@hopf2002]", "")
                    .replace("Kazakhstan yang", "negara Kazakhstan yang")
                    .replace("Mitra dagang utama", "Mitra dagang terbesar")
                    .replace("besar sekali", "sangat besar")
                    .replace("pengertian konstruktivis", "pengertian kaum konstruktivis")
                    .replace("Paragraf penutup merangkum tinjauan ini. Kalimat keduanya cukup panjang untuk dikomentari "
                             "oleh pembimbing.",
                             "Kalimat keduanya cukup panjang untuk dikomentari oleh pembimbing.Paragraf penutup "
                             "merangkum tinjauan ini. "))


def review(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(project, "review", *args)


def test_every_comment_and_change_is_named_at_its_place_in_the_markdown(project: Path):
    returned = supervisor_edits(Returned(draft(project))).save(project / "bab2-sari.docx")
    proc = review(project, str(returned))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    src = CHAPTER_2
    at = lambda words, nth=0: f"chapters/02-tinjauan.md:{place(src, words, nth)}: "   # noqa: E731
    assert (at("dikonstruksi secara sosial") + 'REV001 [info] comment (Dr. Sari, 2026-12-03): "sumber?" on '
            '"dikonstruksi secara sosial"') in out
    assert '    ↳ reply (Budi, 2026-12-03): "sudah saya tambahkan"' in out
    assert at("negara besar.") + 'REV001 [info] comment (Dr. Sari, 2026-12-03): "paragraf ini terlalu panjang"' in out
    # The citation's rendered text deleted: the Markdown citation is what goes.
    assert at(" [@hopf2002]") + 'REV003 [info] deletion "(Hopf, 2002)"' in out
    assert at("Kazakhstan yang") + 'REV002 [info] insertion "negara"' in out
    assert at("Mitra dagang utama") + 'REV004 [info] replacement "Mitra dagang utama" → "Mitra dagang terbesar"' in out
    assert at("besar sekali") + 'REV004 [info] replacement "besar sekali" → "sangat besar"' in out
    assert at("pengertian konstruktivis") + 'REV004 [info] replacement "pengertian konstruktivis"' in out
    assert at("Kalimat keduanya") + 'REV005 [info] move "Kalimat keduanya cukup panjang' in out
    assert "review: bab2-sari.docx: 8 items, 8 open." in proc.stderr.replace(str(project) + "/", "")


def test_apply_writes_the_changes_and_nothing_else_and_a_second_review_finds_them_done(project: Path):
    (project / "review").mkdir()
    returned = supervisor_edits(Returned(draft(project))).save(project / "review" / "bab2.docx")
    chapter = project / "chapters" / "02-tinjauan.md"
    for asked in (["--diff"], ["--apply", "--diff"]):
        shown = review(project, *asked)
        assert shown.returncode == 0 and chapter.read_text(encoding="utf-8") == CHAPTER_2   # --diff writes nothing
        assert "-Identitas dikonstruksi secara sosial melalui interaksi antarnegara [@hopf2002]." in shown.stdout
        assert "+Identitas dikonstruksi secara sosial melalui interaksi antarnegara." in shown.stdout
    applied = review(project, "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "applied 6 changes." in applied.stderr
    assert chapter.read_text(encoding="utf-8") == EXPECTED_APPLIED
    again = review(project, str(returned))
    assert again.stdout.count("already in the chapter") == 6
    assert "8 items, 2 open." in again.stderr
    register = yaml.safe_load((project / "drafts" / "register.yaml").read_text(encoding="utf-8"))
    entry = register["chapters"]["02-tinjauan"]
    assert [s["snapshot"] for s in entry["sent"]] == [p.relative_to(project).as_posix()
                                                      for p in (project / "drafts" / "02-tinjauan").glob("*.md")]
    assert entry["returned"][0]["file"] == "review/bab2.docx"
    assert (entry["returned"][0]["items"], entry["returned"][0]["applied"], entry["returned"][0]["open"]) == (8, 6, 2)


@pytest.mark.parametrize("editor", ["libreoffice", "gdocs"])
def test_libreoffice_and_google_docs_files_give_the_same_items(project: Path, editor: str):
    returned = supervisor_edits(Returned(draft(project), editor=editor)).save(project / f"{editor}.docx")
    proc = review(project, str(returned), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    assert sorted(i["code"] for i in items) == ["REV001", "REV001", "REV002", "REV003", "REV004", "REV004",
                                               "REV004", "REV005"]
    assert all(i["path"] == "chapters/02-tinjauan.md" for i in items)
    replied = [i for i in items if '"sumber?"' in i["message"]]
    assert len(replied) == 1 and "reply (Budi" in replied[0]["message"]
    if editor == "gdocs":
        # No document properties: matched to the chapter by its words, and said so.
        assert "matched to 02-tinjauan by its words" in proc.stderr
    assert review(project, str(returned), "--apply").returncode == 0
    assert (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8") == EXPECTED_APPLIED


def test_text_changed_since_the_draft_is_a_conflict_and_other_places_follow_the_edits(project: Path):
    returned = (Returned(draft(project)).replace("besar sekali", "sangat besar").replace("Porsi perdagangan", "Porsi")
                .comment("Paragraf penutup", "ringkas saja").save(project / "back.docx"))
    chapter = project / "chapters" / "02-tinjauan.md"
    # After sending, the student wrote a new paragraph at the top and changed the cell themself.
    today = CHAPTER_2.replace("## Teori Identitas\n", "## Teori Identitas\n\nParagraf baru.\n").replace(
        "besar sekali", "besar")
    chapter.write_text(today, encoding="utf-8")
    proc = review(project, str(returned))
    out = proc.stdout
    sent = next((project / "drafts" / "02-tinjauan").glob("*.md")).relative_to(project).as_posix()
    assert (f"{sent}:{place(CHAPTER_2, 'besar sekali')}: REV004 [warning] replacement \"besar sekali\" → "
            f"\"sangat besar\"") in out and "a conflict, apply it by hand" in out
    assert f"chapters/02-tinjauan.md:{place(today, 'Porsi perdagangan')}: REV004 [info]" in out
    assert f"chapters/02-tinjauan.md:{place(today, 'Paragraf penutup')}: REV001 [info]" in out
    review(project, str(returned), "--apply")
    assert chapter.read_text(encoding="utf-8") == today.replace("Porsi perdagangan", "Porsi")


def test_only_the_supervisors_changes_count_in_a_changes_draft(project: Path):
    chapter = project / "chapters" / "02-tinjauan.md"
    chapter.write_text(CHAPTER_2.replace("Paragraf penutup", "Paragraf terakhir"), encoding="utf-8")
    assert run_cli(project, "draft", "02-tinjauan").returncode == 0
    changes = project / "build" / "drafts" / "02-tinjauan-changes.docx"
    returned = Returned(changes).replace("sedang", "kecil").save(project / "changes-back.docx")
    proc = review(project, str(returned))
    assert proc.stdout.count("REV0") == 1 and 'replacement "sedang" → "kecil"' in proc.stdout
    assert review(project, str(returned), "--apply").returncode == 0
    assert chapter.read_text(encoding="utf-8") == CHAPTER_2.replace("Paragraf penutup", "Paragraf terakhir").replace(
        "| sedang", "| kecil")


def test_edits_that_would_touch_hidden_markdown_are_reported_not_applied(project: Path):
    returned = (Returned(draft(project)).replace("2002", "2003").replace("seimbang", "netral")
                .save(project / "back.docx"))
    proc = review(project, str(returned))
    # A year inside the rendered citation: changing it means changing the citation key.
    assert "REV004 [warning] replacement \"2002\" → \"2003\"" in proc.stdout
    assert "it would change Markdown the draft does not show" in proc.stdout
    # Words inside **bold** are words: that one is applied, inside the bold.
    review(project, str(returned), "--apply")
    text = (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8")
    assert "**netral**" in text and "[@hopf2002]" in text
    # A whole citation replaced by words would become words: listed, not applied.
    whole = Returned(draft(project)).replace("(Hopf, 2002)", "(Hopf, 2003)").save(project / "whole.docx")
    assert "it would change Markdown the draft does not show" in review(project, str(whole)).stdout
    review(project, str(whole), "--apply")
    assert (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8") == text


def test_selection_and_author_choose_what_is_applied(project: Path):
    returned = Returned(draft(project)).replace("sedang", "kecil")
    returned.author = "Budi"
    returned.replace("besar sekali", "sangat besar").save(project / "back.docx")
    listed = review(project, str(project / "back.docx")).stdout
    number = next(line for line in listed.splitlines() if '"sedang"' in line).rsplit("[#", 1)[1].rstrip("]")
    review(project, str(project / "back.docx"), "--apply", "--select", number)
    text = (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8")
    assert "| kecil" in text and "besar sekali" in text
    review(project, str(project / "back.docx"), "--apply", "--author", "budi")
    assert "sangat besar" in (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8")
    bad = review(project, str(project / "back.docx"), "--apply", "--select", "x1")
    assert bad.returncode == 2 and "--select 'x1'" in bad.stderr


def test_comments_go_into_the_source_only_on_request_and_the_lint_lists_them(project: Path):
    returned = (Returned(draft(project)).comment("Paragraf penutup", "ringkas saja --> satu kalimat",
                                                 replies=[("Budi", "baik")])
                .save(project / "back.docx"))
    chapter = project / "chapters" / "02-tinjauan.md"
    review(project, str(returned), "--apply")
    assert chapter.read_text(encoding="utf-8") == CHAPTER_2       # comments are never applied
    review(project, str(returned), "--annotate", "--diff")
    assert chapter.read_text(encoding="utf-8") == CHAPTER_2       # --diff writes nothing
    review(project, str(returned), "--annotate")
    text = chapter.read_text(encoding="utf-8")
    # A "-->" in the comment cannot end the note early (the rest would print in the thesis).
    assert "Paragraf penutup<!-- review: Dr. Sari: ringkas saja –> satu kalimat | Budi: baik --> merangkum" in text
    review(project, str(returned), "--annotate")
    assert chapter.read_text(encoding="utf-8") == text            # not twice
    lint = run_cli(project, "lint", "--fail-on", "never")
    assert (f"chapters/02-tinjauan.md:{place(text, '<!-- review:')}: REV007 [info] review note "
            f"\"Dr. Sari: ringkas saja –> satu kalimat | Budi: baik\"") in lint.stdout


def test_the_checklist_has_a_box_per_item_with_its_source_line(project: Path):
    returned = (Returned(draft(project)).comment("dikonstruksi secara sosial", "sumber?", done=True)
                .replace("sedang", "kecil").save(project / "back.docx"))
    proc = review(project, str(returned), "--format", "md")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("# Review of ") and lines[0].endswith("back.docx")
    boxes = [line for line in lines if line.startswith("- [")]
    assert len(boxes) == 2
    assert boxes[0].startswith(f"- [x] **#1** `chapters/02-tinjauan.md:{place(CHAPTER_2, 'dikonstruksi')}` comment")
    assert "(marked done)" in boxes[0]
    assert boxes[1].startswith(f"- [ ] **#2** `chapters/02-tinjauan.md:{place(CHAPTER_2, 'sedang')}` replacement")
    assert "  > | Tiongkok | **sedang** |" in lines


def test_doit_review_lists_what_is_open_in_the_review_folder(project: Path):
    assert "no returned draft in review/" in run_doit(project, "review").stdout
    (project / "review").mkdir()
    Returned(draft(project)).replace("sedang", "kecil").comment("Paragraf penutup", "ok", done=True).save(
        project / "review" / "bab2.docx")
    proc = run_doit(project, "review")
    assert proc.returncode == 0, proc.stderr
    assert 'REV004 [info] replacement "sedang" → "kecil"' in proc.stdout
    assert "ok" not in proc.stdout.split("review/bab2.docx")[0].replace("replacement", "")  # done: not open
    assert "review/bab2.docx: 2 items, 1 open." in proc.stdout


def test_files_that_are_not_a_draft_of_this_thesis_get_one_clear_sentence(project: Path, tmp_path: Path):
    import docx

    other = tmp_path / "other.docx"
    document = docx.Document()
    document.add_paragraph("A report about something else entirely, with words no chapter has.")
    document.save(other)
    corrupt = tmp_path / "corrupt.docx"
    corrupt.write_bytes(draft(project).read_bytes()[:3000])
    legacy = tmp_path / "lama.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    for path, words in ((other, "is not a draft of this thesis"), (corrupt, "is not a readable DOCX"),
                        (legacy, "old Word .doc file or a DOCX protected by a password"),
                        (tmp_path / "missing.docx", "there is no such file")):
        proc = review(project, str(path))
        assert proc.returncode == 2, (path, proc.stderr)
        assert proc.stderr.count("\n") == 1 and words in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stderr.startswith(str(path))
    register = yaml.safe_load((project / "drafts" / "register.yaml").read_text(encoding="utf-8"))
    assert register["chapters"]["02-tinjauan"]["returned"] == []       # nothing recorded of them


def test_a_draft_names_what_it_was_built_from(sent: Path):
    with zipfile.ZipFile(draft(sent)) as z:
        props = z.read("docProps/custom.xml").decode("utf-8")
    assert 'name="thesisbuild.chapter"><vt:lpwstr>02-tinjauan<' in props
    assert 'name="thesisbuild.source"' in props and 'name="thesisbuild.commit"' in props


def test_the_whole_thesis_docx_is_reviewed_too(example_build: Path, tmp_path: Path):
    project = tmp_path / "thesis"
    shutil.copytree(example_build, project, ignore=shutil.ignore_patterns(".doit.db*"))
    returned = (Returned(project / "build" / "thesis.docx").replace("tak tertandingi", "tidak tertandingi")
                .comment("Laut Kaspia, yang mengandung", "angka cadangannya?")
                .comment("Puji syukur penulis", "tambahkan nama pembimbing").save(tmp_path / "whole.docx"))
    proc = review(project, str(returned))
    assert proc.returncode == 0, proc.stderr
    text = (project / "chapters" / "01-pendahuluan.md").read_text(encoding="utf-8")
    assert (f"chapters/01-pendahuluan.md:{place(text, 'tak tertandingi')}: REV004 [info] replacement "
            f"\"tak tertandingi\" → \"tidak tertandingi\"") in proc.stdout
    assert f"chapters/01-pendahuluan.md:{place(text, 'Laut Kaspia, yang mengandung')}: REV001 [info]" in proc.stdout
    # The front texts are the student's Markdown too.
    preface = (project / "front" / "kata-pengantar.md").read_text(encoding="utf-8")
    assert f"front/kata-pengantar.md:{place(preface, 'Puji syukur penulis')}: REV001 [info]" in proc.stdout


def test_a_bad_file_in_review_is_named_and_the_others_still_listed(project: Path):
    (project / "review").mkdir()
    Returned(draft(project)).replace("sedang", "kecil").save(project / "review" / "b-good.docx")
    (project / "review" / "a-broken.docx").write_bytes(b"not a zip")
    proc = review(project)
    assert proc.returncode == 2
    assert "review/a-broken.docx: error: this file is not a readable DOCX" in proc.stderr
    assert 'REV004 [info] replacement "sedang" → "kecil"' in proc.stdout
    task = run_doit(project, "review")
    assert task.returncode != 0 and 'replacement "sedang" → "kecil"' in task.stdout
    assert "a-broken.docx" in task.stdout + task.stderr
    assert review(project, "--apply").returncode == 2            # the good file's change is written
    assert "| kecil" in (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8")
    again = review(project, str(project / "review" / "b-good.docx"), "--apply")
    assert "1 change is in the chapter already." in again.stderr and "by hand" not in again.stderr
    checklist = review(project, str(project / "review" / "b-good.docx"), "--format", "md").stdout
    assert "- [x] **#1**" in checklist


def test_a_zip_that_is_no_word_document_and_an_old_doc_are_each_named_with_their_remedy(project: Path):
    import zipfile

    (project / "review").mkdir()
    with zipfile.ZipFile(project / "review" / "lampiran.docx", "w") as z:
        z.writestr("isi.txt", "bukan dokumen Word")
    (project / "review" / "lama.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    proc = review(project)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "review/lampiran.docx: error: this file is not a Word document (no word/document.xml inside)" in proc.stderr
    assert "review/lama.docx: error: this is an old Word .doc file or a DOCX protected by a password" in proc.stderr


def test_words_changed_with_track_changes_off_are_listed_never_applied(project: Path):
    returned = (Returned(draft(project)).untracked("besar sekali", "amat besar").replace("sedang", "kecil")
                .save(project / "back.docx"))
    proc = review(project, str(returned))
    assert (f"chapters/02-tinjauan.md:{place(CHAPTER_2, 'besar sekali')}: REV008 [warning] untracked change: the "
            f"draft reads \"amat besar\" where the chapter has \"besar sekali\"") in proc.stdout
    # The build's own rewriting is no such change: citations, the caption's number, typo fixes.
    assert proc.stdout.count("REV008") == 1
    review(project, str(returned), "--apply")
    text = (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8")
    assert "besar sekali" in text and "| kecil" in text


def test_a_format_change_is_listed_for_the_student_to_decide(project: Path):
    returned = Returned(draft(project)).bold("Paragraf penutup").save(project / "back.docx")
    proc = review(project, str(returned))
    assert (f"chapters/02-tinjauan.md:{place(CHAPTER_2, 'Paragraf penutup')}: REV006 [info] format change on "
            f"\"Paragraf penutup\" (Dr. Sari, 2026-12-03); formatting comes from the template") in proc.stdout
    review(project, str(returned), "--apply")
    assert (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8") == CHAPTER_2


TRICKY = """# TINJAUAN PUSTAKA

## Teori Identitas

Negara itu menempati peringkat \\#1 di Asia Tengah menurut laporan resmi pemerintah tahun lalu.

<!-- TODO: data 2023 -->
Kebijakan itu **cukup** seimbang menurut [dokumen](https://example.org/dokumen) resmi pemerintah.

\\noindent Kazakhstan merdeka dari Uni Soviet pada tanggal 16 Desember
1991. Negara tersebut kemudian dipimpin oleh presiden pertama selama hampir tiga dekade.

> Kutipan yang cukup panjang dari seorang tokoh penting
> tentang kebijakan luar negeri multivektor negara itu.

1. Butir pertama yang cukup panjang untuk dicocokkan.

   Paragraf lanjutan butir pertama yang juga cukup panjang sekali.

2. Butir kedua yang cukup panjang untuk dicocokkan.

Paragraf terakhir bab ini juga cukup panjang untuk dicocokkan dengan baik.
"""


def test_edits_around_escapes_emphasis_links_quotes_and_lists_keep_the_markdown_whole(project: Path):
    """Windows line ends and a byte-order mark kept; an escaped character replaced with its
    backslash; a word deleted with all its emphasis or its link; words inserted at the start of a
    quote's or a list item's paragraph after their markers; a paragraph after a comment line or
    starting with a LaTeX command still found; a wrapped line starting "1991." is not a list."""
    chapter = project / "chapters" / "02-tinjauan.md"
    chapter.write_bytes(b"\xef\xbb\xbf" + TRICKY.replace("\n", "\r\n").encode("utf-8"))
    assert run_cli(project, "draft", "02-tinjauan").returncode == 0
    returned = Returned(draft(project)).replace("#1", "pertama")
    returned.delete("cukup")
    returned.delete("dokumen")
    returned = (returned.insert("Kutipan yang", "Sebuah ").insert("Paragraf lanjutan", "Selain itu, ")
                .replace("presiden pertama", "presiden pertamanya").insert("Kebijakan itu", "Jadi, ")
                .new_paragraph_after("Paragraf terakhir bab ini", "Paragraf baru dari pembimbing.")
                .save(project / "back.docx"))
    proc = review(project, str(returned), "--apply")
    assert proc.returncode == 0, proc.stderr
    expected = (TRICKY.replace("\\#1", "pertama").replace("**cukup** ", " ")
                .replace("[dokumen](https://example.org/dokumen) ", " ")
                .replace("> Kutipan", "> Sebuah Kutipan").replace("   Paragraf lanjutan", "   Selain itu, Paragraf lanjutan")
                .replace("presiden pertama ", "presiden pertamanya ").replace("\nKebijakan itu", "\nJadi, Kebijakan itu")
                + "\nParagraf baru dari pembimbing.\n")
    assert chapter.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode("utf-8")


def test_a_paragraph_rewritten_since_the_draft_takes_no_change(project: Path):
    returned = Returned(draft(project)).insert_after("merangkum", " singkat").save(project / "back.docx")
    chapter = project / "chapters" / "02-tinjauan.md"
    today = CHAPTER_2.replace("Paragraf penutup merangkum tinjauan ini.", "Bagian akhir menutup bahasan dengan ringkas.")
    chapter.write_text(today, encoding="utf-8")
    proc = review(project, str(returned), "--apply")
    assert "1 change left for you to make by hand" in proc.stderr
    assert chapter.read_text(encoding="utf-8") == today


def test_select_numbers_items_across_all_the_files_reviewed(project: Path):
    (project / "review").mkdir()
    Returned(draft(project)).replace("sedang", "kecil").save(project / "review" / "a.docx")
    Returned(draft(project)).replace("besar sekali", "sangat besar").save(project / "review" / "b.docx")
    listed = review(project).stdout
    assert "[#1]" in listed and "[#2]" in listed
    review(project, "--apply", "--select", "2")
    text = (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8")
    assert "| sedang" in text and "sangat besar" in text


def test_a_paragraph_moved_whole_moves_in_the_chapter(project: Path):
    returned = (Returned(draft(project)).move_paragraph("Paragraf penutup", "Kebijakan multivektor")
                .save(project / "back.docx"))
    proc = review(project, str(returned))
    assert f"chapters/02-tinjauan.md:{place(CHAPTER_2, 'Paragraf penutup')}: REV005 [info] move" in proc.stdout
    review(project, str(returned), "--apply")
    closing = "Paragraf penutup merangkum tinjauan ini. Kalimat keduanya cukup panjang untuk dikomentari oleh pembimbing."
    expected = CHAPTER_2.replace("\n\n" + closing, "").replace("Kebijakan multivektor", closing + "\n\nKebijakan multivektor")
    assert (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8") == expected


def test_the_chapter_is_read_as_the_paragraphs_the_draft_shows():
    """Each paragraph, heading, item, cell, caption and definition of the Markdown is one unit with
    the words the draft prints; syntax is hidden and what the outputs write themselves (a citation,
    math, a footnote's mark) is one placeholder."""
    from thesisbuild.review.returned import FOOTNOTE_MARK, MATH_MARK
    from thesisbuild.review.sourcemap import OPAQUE, units

    text = ("# Judul {#sec-a}\n\n<!-- TODO -->\nKata **tebal** dan [tautan](https://x.org) [@hopf2002].[^n]\n\n"
            "\\noindent Baris satu\n1991. Baris dua $x^2$.\n\n> Kutipan\n> lanjut.\n\n- butir\n    lanjut\n\n"
            "Istilah\n: definisinya\n\n: Keterangan {#tbl-x}\n| a | b |\n|---|---|\n| c \\| d | e |\n\n"
            "[^n]: Catatan kaki.\n")
    assert [(u.kind, u.visible) for u in units(text)] == [
        ("heading", "Judul "), ("para", f"Kata tebal dan tautan {OPAQUE}.{FOOTNOTE_MARK}"),
        ("para", f"{OPAQUE} Baris satu 1991. Baris dua {MATH_MARK}."), ("para", "Kutipan lanjut."),
        ("item", "butir lanjut"), ("para", "Istilah"), ("para", "definisinya"), ("caption", "Keterangan "),
        ("cell", "a"), ("cell", "b"), ("cell", "c | d"), ("cell", "e"), ("footnote", "Catatan kaki.")]


def test_a_note_on_code_goes_after_the_code_where_the_outputs_do_not_print_it():
    """A comment anchored on words inside `code`, a code block, math or a link target: the note
    written inside them would print literally; it goes after them."""
    from thesisbuild.review.apply import _outside_code

    text = ("Fungsi `hitung_total(x)` dipakai.\n\n```python\nprint('halo')\n```\n\nRumus $a + b$ dan "
            "[situs](https://contoh.id/halaman) selesai.\n")
    path = Path("bab.md")
    assert _outside_code(path, text, text.index("total")) == text.index("` dipakai") + 1
    assert _outside_code(path, text, text.index("halo")) == text.index("```\n\nRumus") + 4   # the fence line
    assert _outside_code(path, text, text.index("+ b")) == text.index("$ dan") + 1
    assert _outside_code(path, text, text.index("contoh.id")) == text.index(") selesai") + 1
    assert _outside_code(path, text, text.index("dipakai")) == text.index("dipakai")      # prose stays


def test_a_review_of_a_draft_never_marked_sent_keeps_the_text_the_draft_was_made_from(project: Path):
    """The student built the draft, sent it without --mark-sent, and went on writing: before the
    supervisor's changes are applied, the text the draft was built from (the commit's, named by its
    hash in the DOCX) is kept as the snapshot sent, not the chapter as it is now."""
    import re

    from thesisbuild.drafts import text_hash

    shutil.rmtree(project / "drafts")
    chapter = project / "chapters" / "02-tinjauan.md"
    chapter.write_text(CHAPTER_2 + "\nParagraf yang ditulis sesudah draf dikirim.\n", encoding="utf-8")
    returned = Returned(draft(project)).replace("sedang", "kecil").save(project / "back.docx")
    proc = review(project, str(returned), "--apply")
    assert proc.returncode == 0, proc.stderr
    snapshots = sorted((project / "drafts" / "02-tinjauan").glob("*.md"))
    assert len(snapshots) == 1 and snapshots[0].read_text(encoding="utf-8") == CHAPTER_2
    with zipfile.ZipFile(draft(project)) as z:
        source = re.search(r'name="thesisbuild.source"[^>]*><vt:lpwstr>([0-9a-f]+)<',
                           z.read("docProps/custom.xml").decode("utf-8")).group(1)
    assert text_hash(CHAPTER_2) == source
    text = chapter.read_text(encoding="utf-8")
    assert "| kecil" in text and "Paragraf yang ditulis sesudah draf dikirim." in text
