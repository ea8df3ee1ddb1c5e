"""The recurring-typo fixer: whole words, case-aware, and never inside code, URLs, keys or quotes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thesisbuild.errors import UserError
from thesisbuild.fixes import apply_fixes, unified_diff
from thesisbuild.lint import LintRequest, run_lint
from thesisbuild.sources import Source
from thesisbuild.typos import TypoDictionary, apply_typos, find_typos, load_dictionary

from .conftest import FIXTURES, REPO, run_cli

TYPOS = FIXTURES / "typos"


@pytest.fixture(scope="module")
def dictionary() -> TypoDictionary:
    return load_dictionary(TYPOS / "typos.yaml")


def fixed(text: str, dictionary: TypoDictionary) -> str:
    return apply_typos(Source(Path("t.md"), text), dictionary)[0]


def lint_typos(path: Path, **kw):
    return run_lint(LintRequest(chapters=[path], bibliographies=[], typos=TYPOS / "typos.yaml",
                                citations=False, **kw))


def test_only_the_prose_of_a_markdown_file_is_fixed(dictionary):
    text = (TYPOS / "protected.md").read_text(encoding="utf-8")
    out = fixed(text, dictionary)
    assert ("Prosa: Kazakhstan, Kazakhstan, Dan, DNA, AS, Usa, Kazakhstan-Rusia, Amerika\n"
            "Serikat dan memiliki.") in out
    assert "# Kazakhstan dan dan" in out
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines()) if a != b]
    assert [a for a, _ in changed] == ["# Kazakhtan dan dna",
                                       "Prosa: Kazakhtan, kazakhtan, Dna, DNA, USA, Usa, Kazakhtan-Rusia, Amerikat",
                                       "Serikat dan memilki."]


def test_case_forms_keep_their_case_and_all_caps_needs_its_own_entry(dictionary):
    assert fixed("dna Dna DNA", dictionary) == "dan Dan DNA"
    # "USA" is listed in capitals: it and its lower-case form match; "Usa" is neither.
    assert fixed("USA Usa usa", dictionary) == "AS Usa as"


def test_an_address_without_a_scheme_is_kept_whole_in_a_text_with_no_other_link(dictionary):
    """www.… and a domain's name are addresses however the text around them is written: the only
    link of a chapter is as protected as one among https:// links."""
    for address in ("www.kazakhtan-travel.com", "www.kazakhtan.org/dna/info"):
        text = f"Lihat {address} untuk Kazakhtan dna Rusia.\n"
        assert fixed(text, dictionary) == f"Lihat {address} untuk Kazakhstan dan Rusia.\n"


def test_a_phrase_matches_across_a_line_break_but_not_across_punctuation(dictionary):
    assert fixed("Amerikat\nSerikat", dictionary) == "Amerika\nSerikat"
    assert fixed("Amerikat, Serikat", dictionary) == "Amerikat, Serikat"


def line_with(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_quotations_are_reported_at_info_and_never_fixed():
    result = lint_typos(TYPOS / "protected.md", suspects=False)
    block, inline = line_with(TYPOS / "protected.md", "> Kutipan"), line_with(TYPOS / "protected.md", "Kutipan “")
    quoted = [d for d in result.diagnostics if d.line in (block, inline)]
    assert {(d.line, d.code, d.severity.label) for d in quoted} == {(block, "TYP001", "info"),
                                                                   (inline, "TYP001", "info")}
    assert all(d.fix is None for d in quoted)
    assert len([d for d in quoted if d.line == block]) == 2
    assert len([d for d in quoted if d.line == inline]) == 4


def test_a_word_with_several_candidates_is_reported_not_fixed(dictionary):
    result = lint_typos(TYPOS / "protected.md", suspects=False)
    ambiguous = [d for d in result.diagnostics if d.code == "TYP002"]
    assert [(d.line, d.message) for d in ambiguous] == [
        (line_with(TYPOS / "protected.md", "Ambigu"), '"pengolaan" is a known typo for "pengelolaan" or "pengolahan"; choose one and correct it by hand.')]
    assert fixed("Ambigu: pengolaan.", dictionary) == "Ambigu: pengolaan."


def test_the_dictionary_reports_its_own_errors_with_a_line(tmp_path: Path):
    bad = tmp_path / "typos.yaml"
    bad.write_text("Kazakhtan: Kazakhstan\ndna:\n")
    with pytest.raises(UserError) as caught:
        load_dictionary(bad)
    assert caught.value.line == 2 and "no right form" in caught.value.message
    bad.write_text("dan: dan\n")
    with pytest.raises(UserError, match="maps to itself"):
        load_dictionary(bad)
    # Each error at the line that has it: a word that is no word, and a chain (its right form is
    # listed as wrong on another line, which the message names).
    bad.write_text("# daftar\nKazakhtan: Kazakhstan\n\"[@kunci]\": kunci\n")
    with pytest.raises(UserError) as caught:
        load_dictionary(bad)
    assert caught.value.line == 3 and "is not a word or phrase" in caught.value.message
    bad.write_text("# daftar\nsecar: secra\nmerupkan: merupakan\nsecra: secara\n")
    with pytest.raises(UserError) as caught:
        load_dictionary(bad)
    assert caught.value.line == 2 and "which line 4 lists as a typo itself" in caught.value.message


def test_fix_keeps_every_byte_outside_the_fixed_words(tmp_path: Path):
    chapter = tmp_path / "bab.md"
    chapter.write_bytes(b"\xef\xbb\xbfKazakhtan  \r\ndna\ttab  \r\n\r\n`dna` akhir tanpa baris baru")
    proc = run_cli(tmp_path, "fix", "--typos", str(TYPOS / "typos.yaml"), str(chapter))
    assert proc.returncode == 0, proc.stderr
    assert chapter.read_bytes() == b"\xef\xbb\xbfKazakhstan  \r\ndan\ttab  \r\n\r\n`dna` akhir tanpa baris baru"


def test_fix_diff_previews_and_a_second_fix_changes_nothing(tmp_path: Path):
    chapter = tmp_path / "bab.md"
    chapter.write_text("Kazakhtan dna memilki.\n", encoding="utf-8")
    preview = run_cli(tmp_path, "fix", "--diff", "--typos", str(TYPOS / "typos.yaml"), str(chapter))
    assert "+Kazakhstan dan memiliki." in preview.stdout
    assert chapter.read_text(encoding="utf-8") == "Kazakhtan dna memilki.\n"
    run_cli(tmp_path, "fix", "--typos", str(TYPOS / "typos.yaml"), str(chapter))
    once = chapter.read_bytes()
    again = run_cli(tmp_path, "fix", "--typos", str(TYPOS / "typos.yaml"), str(chapter))
    assert "applied 0 typo fixes" in again.stderr or "applied 0 fixes" in again.stderr
    assert chapter.read_bytes() == once == b"Kazakhstan dan memiliki.\n"


def test_every_kaz_variant_of_the_seed_becomes_kazakhstan(tmp_path: Path):
    chapter = tmp_path / "seed.md"
    shutil.copy(FIXTURES / "seed-prose.md", chapter)
    before = re.findall(r"\b[Kk]az\w*", chapter.read_text(encoding="utf-8"))
    assert {"Kazakhtan", "Kazahktan", "Kazahkstan", "Kazkhstan", "Kazakshtan", "Kazakjhtan", "kazakhtan"} <= set(before)
    proc = run_cli(tmp_path, "fix", "--typos", str(REPO / "typos.yaml"), str(chapter))
    assert proc.returncode == 0, proc.stderr
    after = re.findall(r"\b[Kk]az\w*", chapter.read_text(encoding="utf-8"))
    assert set(after) == {"Kazakhstan", "Kazakh"}
    assert len(after) == len(before)


def test_suspect_words_are_rare_neighbours_of_frequent_words_or_unknown(tmp_path: Path):
    chapter = tmp_path / "bab.md"
    chapter.write_text(("Kazakhstan adalah negara. " * 12) + "Kazaksthan juga. Kata blorptik aneh.\n",
                       encoding="utf-8")
    words = tmp_path / "words.txt"
    words.write_text("# istilah\n")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[], words=words, citations=False,
                                  suspects=True))
    messages = [d.message for d in result.diagnostics if d.code == "TYP003"]
    assert any('"Kazaksthan" (1×) looks like a misspelling of "Kazakhstan" (12×)' in m for m in messages)
    assert any('"blorptik" is in no Indonesian or English word list' in m for m in messages)
    assert not any('"adalah"' in m or '"negara"' in m or '"aneh"' in m for m in messages)
    words.write_text("blorptik\n")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[], words=words, citations=False,
                                  suspects=True))
    assert not any("blorptik" in d.message for d in result.diagnostics)
    suggest = run_cli(tmp_path, "typos", "--suggest", "--words", str(words), str(chapter))
    assert 'Kazaksthan: Kazakhstan    # 1× here; "Kazakhstan" 12×' in suggest.stdout


def test_indonesian_inflections_are_known_through_their_roots():
    from thesisbuild.words import load_word_list

    words = load_word_list(None)
    for word in ("kebijakan", "menjalankan", "pengelolaan", "diterapkan", "berfokus", "ketergantungan",
                 "mempertahankan", "penyelesaian"):
        assert words.knows(word), word
    assert not words.knows("memilki") and not words.knows("blorptik")


def test_the_word_lists_know_the_words_of_an_it_thesis_and_not_its_misspellings():
    from thesisbuild.words import load_word_list

    words = load_word_list(None)
    for word in ("fitur", "kinerja", "validasi", "luring", "daring", "surel", "dataset", "antarmuka",
                 "pemrograman", "pekerjaan", "memperbaiki", "mengecek", "menspesifikasikan", "antarkelas",
                 "framework", "rendering", "centering", "created", "database", "deployment", "frontend"):
        assert words.knows(word), word
    # peN- is "peng" before g: "pengunaan" is not penggunaan with a letter less.
    for word in ("pengunaan", "sistim", "aplikas", "databse", "metoda", "pengujain", "implementsi"):
        assert not words.knows(word), word


def suspects_in(tmp_path: Path, text: str, words: str = "") -> list[str]:
    chapter = tmp_path / "bab.md"
    chapter.write_text(text, encoding="utf-8")
    (tmp_path / "words.txt").write_text(words, encoding="utf-8")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[], words=tmp_path / "words.txt",
                                  citations=False, suspects=True))
    return [d.message.split('"')[1] for d in result.diagnostics if d.code == "TYP003"]


def test_latex_paths_urls_code_references_and_italics_are_not_suspects(tmp_path: Path):
    text = (FIXTURES / "suspects" / "not-prose.md").read_text(encoding="utf-8")
    assert suspects_in(tmp_path, text) == []
    # The same made-up words in prose are suspects: the test would notice a check that says nothing.
    assert {"halamanlogin", "blackboxing", "ujifungsi", "dasborutama"} <= set(
        suspects_in(tmp_path, "Kata halamanlogin, blackboxing, ujifungsi, dasborutama dan skemaku.\n"))


def test_ordinary_words_of_an_indonesian_it_thesis_are_not_suspects(tmp_path: Path):
    text = ("Fitur validasi meningkatkan kinerja sistem. Layanan daring dan luring memakai surel. "
            "Dataset diolah dengan framework Laravel dan database MySQL pada server lokal. "
            "Pengujian black box dan white box dilakukan pada tahap implementasi. "
            "Rendering halaman dan centering elemen diatur dengan CSS.\n") * 3
    assert suspects_in(tmp_path, text) == []


def test_planted_misspellings_are_found(tmp_path: Path):
    base = ("Penggunaan sistem informasi menggunakan aplikasi dan database. Pengujian dilakukan sesuai "
            "metode yang berdasarkan kebutuhan pengguna dan menghasilkan halaman laporan. ") * 25
    typos = "Sistim ini menggunkan aplikas dan databse dengan metoda pengujain yang dilakuakn."
    found = suspects_in(tmp_path, base + typos + "\n")
    assert set(found) == {"Sistim", "menggunkan", "aplikas", "databse", "metoda", "pengujain", "dilakuakn"}


def test_suggest_never_turns_an_english_word_into_another(tmp_path: Path):
    chapter = tmp_path / "bab.md"
    chapter.write_text(("Created centering rendering create. " * 2) + ("Created data. " * 12)
                       + ("Centering halaman. " * 12) + ("Sistem informasi. " * 10)
                       + "Sistim ini dan informsi itu, aplikas juga.\n", encoding="utf-8")
    words = tmp_path / "words.txt"
    words.write_text("", encoding="utf-8")
    proc = run_cli(tmp_path, "typos", "--suggest", "--words", str(words), str(chapter))
    lines = proc.stdout.splitlines()
    assert not any(line.split(":")[0].lower() in ("create", "created", "rendering", "centering")
                   for line in lines), lines
    assert any(line.startswith("Sistim: Sistem") for line in lines), lines
    assert any(line.startswith("informsi: informasi") for line in lines), lines
    assert any(line.startswith("aplikas: aplikasi") for line in lines), lines


def test_the_example_thesis_lint_reports_its_typos_as_warnings(thesis_dir: Path):
    proc = run_cli(thesis_dir, "lint")
    assert proc.returncode == 0
    assert 'TYP001 [warning] "Kazakhtan" is a known typo for "Kazakhstan"' in proc.stdout
    assert 'TYP002 [warning] "pengolaan"' in proc.stdout


# ---------------------------------------------------------------- property-based

_DICTIONARY = load_dictionary(TYPOS / "typos.yaml")
_TYPO_WORDS = ["Kazakhtan", "kazakhtan", "dna", "Dna", "memilki", "Memilki", "Amerikat Serikat",
               "amerikat serikat", "Kazakhtan-Rusia", "USA"]
_PLAIN = ["kata", "biasa", "DNA", "Kazakhstan", "dan", "Usa", "serikat", "Amerikat", "negara"]
_EXPECTED = {"Kazakhtan": "Kazakhstan", "kazakhtan": "Kazakhstan", "dna": "dan", "Dna": "Dan",
             "memilki": "memiliki", "Memilki": "Memiliki", "Amerikat Serikat": "Amerika Serikat",
             "amerikat serikat": "amerika serikat", "Kazakhtan-Rusia": "Kazakhstan-Rusia", "USA": "AS"}

words = st.lists(st.sampled_from(_TYPO_WORDS + _PLAIN), min_size=1, max_size=6)


@st.composite
def segment(draw) -> tuple[str, str]:
    """(markdown, the same markdown as the fixer must leave it)"""
    chosen = draw(words)
    inner = " ".join(w.replace(" ", "-") if w in ("Amerikat Serikat", "amerikat serikat") else w for w in chosen)
    kind = draw(st.sampled_from(["prose", "prose", "prose", "code", "url", "link", "key", "comment",
                                 "curly", "straight", "math"]))
    if kind == "prose":
        return " ".join(chosen), " ".join(_EXPECTED.get(w, w) for w in chosen)
    wrapped = {
        "code": f"`{inner}`",
        "url": f"<https://x.org/{inner.replace(' ', '/')}>",
        "link": f"[tautan](https://x.org/{inner.replace(' ', '/')})",
        "key": f"[@{chosen[0].split()[0].lower()}-mfa2021]",
        "comment": f"<!-- {inner} -->",
        "curly": f"“{inner}”",
        "straight": f'"{inner}"',
        "math": f"${inner.replace(' ', '')}$",
    }[kind]
    return wrapped, wrapped


@st.composite
def document(draw) -> tuple[str, str]:
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()) and paragraphs:
            block = "```\n" + " ".join(draw(words)) + "\n```"
            paragraphs.append((block, block))
            continue
        parts = draw(st.lists(segment(), min_size=1, max_size=5))
        sep = draw(st.sampled_from([" ", " dan ", ", "]))
        paragraphs.append((sep.join(p for p, _ in parts), sep.join(e for _, e in parts)))
    newline = draw(st.sampled_from(["\n\n", "\r\n\r\n"]))
    return newline.join(p for p, _ in paragraphs) + "\n", newline.join(e for _, e in paragraphs) + "\n"


@settings(max_examples=300, deadline=None)
@given(document())
def test_fix_changes_exactly_the_unprotected_occurrences(doc):
    source, expected = doc
    assert fixed(source, _DICTIONARY) == expected


@settings(max_examples=200, deadline=None)
@given(document())
def test_fix_is_idempotent(doc):
    once = fixed(doc[0], _DICTIONARY)
    assert fixed(once, _DICTIONARY) == once


@settings(max_examples=200, deadline=None)
@given(document())
def test_every_byte_outside_the_changed_words_is_untouched(doc):
    source = doc[0]
    hits = [h for h in find_typos(Source(Path("t.md"), source), _DICTIONARY) if h.fix() is not None]
    out, applied = apply_fixes(source, [h.fix() for h in hits])
    # Walk the text: between fixes, the output must repeat the input byte for byte.
    pos_in, pos_out = 0, 0
    for fix in applied:
        gap = fix.start - pos_in
        assert out[pos_out:pos_out + gap] == source[pos_in:fix.start]
        pos_out += gap + len(fix.replacement)
        pos_in = fix.end
    assert out[pos_out:] == source[pos_in:]


def _skripsi_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("skripsi", REPO / "bench" / "skripsi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_it_skripsi_of_16000_words_gets_few_suspect_lines_and_every_planted_typo(tmp_path: Path):
    chapters, planted = _skripsi_generator().make_skripsi(tmp_path / "skripsi")
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
    assert 15_000 <= words <= 17_000
    (tmp_path / "words.txt").write_text("", encoding="utf-8")
    result = run_lint(LintRequest(chapters=chapters, bibliographies=[], words=tmp_path / "words.txt",
                                  citations=False, suspects=True))
    suspects = [d for d in result.diagnostics if d.code == "TYP003"]
    flagged = {d.message.split('"')[1] for d in suspects}
    found = [wrong for wrong, _ in planted if wrong in flagged]
    print(f"{len(suspects)} suspect lines on {words} words; recall {len(found)}/{len(planted)}")
    assert len(suspects) <= 50
    assert found == [wrong for wrong, _ in planted]      # recall 16/16
    # Each misspelling is shown with its correction.
    by_word = {d.message.split('"')[1]: d.message for d in suspects}
    for wrong, right in planted:
        assert f'"{right}"' in by_word[wrong], by_word[wrong]


def test_italic_terms_are_reported_only_as_misspellings_of_a_frequent_term(tmp_path: Path):
    text = ("Hasil uji menunjukkan bahwa sistem memakai *framework* Laravel dan *caching* berlapis. " * 12
            + "Istilah *framwork* salah ketik, *kuantisasiq* tidak dikenal, dan Zahwa menulis bahwa "
            "sistem berjalan.\n")
    # A misspelt italic term beside its frequent form is reported; an unknown foreign term is not,
    # nor is a name that differs from a common word ("bahwa") in its first letter.
    assert suspects_in(tmp_path, text) == ["framwork"]


def test_the_fix_diff_of_a_long_chapter_with_repeated_paragraphs_shows_only_the_changed_lines():
    paragraph = ["Kazakhtan dan Rusia.\n", "\n", "Paragraf lain tanpa salah ketik.\n", "\n"]
    old = paragraph * 200
    new = list(old)
    new[400] = new[800 - 4] = "Kazakhstan dan Rusia.\n"
    diff = unified_diff(old, new, "a/bab.md", "b/bab.md")
    assert diff[:2] == ["--- a/bab.md\n", "+++ b/bab.md\n"]
    assert [line for line in diff if line[0] in "-+" and not line.startswith(("---", "+++"))] == \
        ["-Kazakhtan dan Rusia.\n", "+Kazakhstan dan Rusia.\n"] * 2
    assert "@@ -398,7 +398,7 @@\n" in diff and "@@ -794,7 +794,7 @@\n" in diff
