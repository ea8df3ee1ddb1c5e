"""The thesis language: an English thesis gets the English profile's words in both outputs, the
`lang` value is checked, appendices are numbered, and verify judges such theses fairly."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from thesisbuild.config import check_lang, csl_locales, default_template, load_thesis
from thesisbuild.verify.docx import W, list_numbers
from thesisbuild.errors import UserError

from .conftest import FIXTURES, run_cli, run_doit

ENGLISH = FIXTURES / "english"


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"<w:instrText[^>]*>[^<]*</w:instrText>", "", xml)      # field codes are not text
    xml = re.sub(r"<w:br/>|<w:tab/>", " ", xml)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", xml.replace("</w:p>", " ")))


def verify(project: Path, *files: str) -> tuple[int, dict[str, tuple[bool, str]], str]:
    proc = run_cli(project, "verify", *files)
    rules = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL)\s+(\S+)\s+(.*)$", line)
        if m:
            rules[m.group(2)] = (m.group(1) == "PASS", m.group(3))
    return proc.returncode, rules, proc.stdout + proc.stderr


def copy_fixture(dest: Path, lang: str | None = None) -> Path:
    shutil.copytree(ENGLISH, dest)
    if lang:
        config = dest / "thesis.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("lang: en-US", f"lang: {lang}"),
                          encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English fixture built with `doit`, twice (the second run has nothing to do)."""
    project = copy_fixture(tmp_path_factory.mktemp("lang") / "english")
    first = run_doit(project)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    second = run_doit(project)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr
    (project / "second-run.txt").write_text(second.stdout, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def indonesian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same sources with lang id-ID: the default template is then skripsi-id; its appendices'
    own headings left unnumbered (a faculty's variant)."""
    project = copy_fixture(tmp_path_factory.mktemp("lang") / "indonesian", lang="id-ID")
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "profile:\n  appendices: {number_sections: false}\n",
                      encoding="utf-8")
    proc = run_cli(project, "build")
    assert proc.returncode == 0, proc.stderr
    return project


def test_lang_en_chooses_the_english_profile_whose_words_are_english():
    assert default_template("en-US") == "thesis-en"
    assert default_template("id-ID") == "skripsi-id"
    assert default_template("") == "skripsi-id"


def test_the_english_pdf_has_the_english_words(english: Path):
    text = pdf_text(english / "build" / "thesis.pdf")
    for words in ("THESIS", "Submitted in partial fulfilment of the requirements for the degree of Bachelor",
                  "Table of Contents", "List of Figures", "List of Tables", "Acknowledgements",
                  "CHAPTER 1 INTRODUCTION", "CHAPTER 2 LITERATURE REVIEW", "1.1 Background",
                  "Figure 1.1 The concepts of this study", "Table 2.1 Earlier studies", "References",
                  "APPENDICES", "Appendix A INTERVIEW GUIDE"):
        assert words in text, words
    # Citations in English: "et al.", "p.", narrative "and".
    assert "(Abdelal et al., 2006; Hopf, 2002)" in text
    assert "Khan and Siraj (2021)" in text and "(Hopf, 2002, p. 12)" in text
    for indonesian in ("SKRIPSI", "DAFTAR", "BAB ", "Gambar", "Tabel", "LAMPIRAN", "dkk.", "hlm."):
        assert indonesian not in text, indonesian


def test_the_english_docx_has_the_same_words(english: Path):
    text = docx_text(english / "build" / "thesis.docx")
    for words in ("THESIS", "Table of Contents", "List of Figures", "CHAPTER 1 INTRODUCTION",
                  "Figure 1.1 The concepts", "Table 2.1 Earlier studies", "References",
                  "Appendix A INTERVIEW GUIDE", "A.1 Opening Questions", "A.1.1 Follow-up",
                  "(Abdelal et al., 2006; Hopf, 2002)", "Khan and Siraj (2021)"):
        assert words in text, words
    assert "BAB " not in text and "Gambar" not in text and "DAFTAR" not in text


def test_the_english_thesis_verifies_against_its_profile(english: Path):
    code, rules, out = verify(english)
    assert code == 0, out
    assert "against the profile 'thesis-en'" in out
    assert "CHAPTER 1" in rules["docx.heading-numbering"][1] and "Appendix A" in rules["docx.heading-numbering"][1]


def test_a_no_op_doit_does_not_verify_again(english: Path):
    second = (english / "second-run.txt").read_text(encoding="utf-8")
    assert re.search(r"^-- verify$", second, re.M), second
    assert "PASS" not in second


def test_a_lower_case_chapter_title_shows_in_capitals_and_verifies(english: Path):
    """`# Introduction`: the profile prints it in capitals; the bookmark keeps it as written."""
    assert "# Introduction" in (english / "chapters" / "01-introduction.md").read_text(encoding="utf-8")
    assert "INTRODUCTION" in pdf_text(english / "build" / "thesis.pdf")
    _, rules, _ = verify(english)
    ok, measured = rules["pdf.chapter-new-page"]
    assert ok, measured


def test_a_paragraph_that_begins_with_a_figure_reference_is_no_caption(english: Path):
    """"@fig-diagram shows …" prints "Figure 1.1 shows …" at the start of a paragraph."""
    assert "Figure 1.1 shows how" in pdf_text(english / "build" / "thesis.pdf")
    _, rules, _ = verify(english)
    ok, measured = rules["pdf.captions"]
    assert ok and measured.startswith("3 captions"), measured      # one figure, two tables


def test_an_appendix_with_its_own_headings_is_numbered_and_verifies(english: Path):
    text = pdf_text(english / "build" / "thesis.pdf")
    assert "A.1 Opening Questions" in text and "A.1.1 Follow-up" in text and "A.2 Closing Questions" in text
    assert "Table A.1 lists when" in text and "Table A.1 Interview schedule" in text
    docx = docx_text(english / "build" / "thesis.docx")
    assert "Table A.1 lists when" in docx and "Table A.1 Interview schedule" in docx
    contents = text[text.index("Table of Contents"):text.index("Table 2.1")]     # up to the list of tables
    assert "Appendix A INTERVIEW GUIDE" in contents and "A.1 Opening Questions" in contents
    _, rules, _ = verify(english)
    ok, measured = rules["docx.heading-numbering"]
    assert ok and "1 appendices" in measured, measured


def test_the_draft_header_is_in_the_profiles_language(english: Path):
    proc = run_doit(english, "draft:01-introduction")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    first_page = PdfReader(english / "build" / "drafts" / "01-introduction.pdf").pages[0].extract_text()
    assert re.match(r"DRAFT · \d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                    r"November|December) \d{4}", first_page), first_page[:80]
    with zipfile.ZipFile(english / "build" / "drafts" / "01-introduction.docx") as z:
        assert "DRAFT · " in z.read("word/header-draft.xml").decode("utf-8")


def test_a_docx_whose_contents_have_no_page_numbers_fails_verify(english: Path, tmp_path: Path):
    source = english / "build" / "thesis.docx"
    assert verify(english, str(source))[1]["docx.toc-page-numbers"][0]
    broken = tmp_path / "no-page-numbers.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                # Empty the result of every PAGEREF field: the entries keep their text, lose their page.
                data = re.sub(rb"(PAGEREF [^<]*</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/>"
                              rb"</w:r><w:r><w:t xml:space=\"preserve\">)[^<]*(</w:t>)", rb"\1\2", data)
            dst.writestr(item, data)
    code, rules, _ = verify(english, str(broken))
    assert code == 1
    ok, measured = rules["docx.toc-page-numbers"]
    assert not ok and "no page number: 'Declaration of Originality'" in measured, measured


def test_lang_id_gives_the_indonesian_words_and_lampiran(indonesian: Path):
    text = pdf_text(indonesian / "build" / "thesis.pdf")
    for words in ("SKRIPSI", "DAFTAR ISI", "BAB I INTRODUCTION", "Gambar 1.1", "Tabel 2.1", "DAFTAR PUSTAKA",
                  "LAMPIRAN", "Lampiran A INTERVIEW GUIDE", "Opening Questions", "Closing Questions"):
        assert words in text, words
    # number_sections: false leaves the appendix's own headings unnumbered, in both outputs.
    assert not re.search(r"A\.\d+(\.\d+)? (Opening|Closing|Follow)", text), text
    docx = indonesian / "build" / "thesis.docx"
    assert "Lampiran A INTERVIEW GUIDE" in docx_text(docx) and "Opening Questions" in docx_text(docx)
    with zipfile.ZipFile(docx) as z:
        parts = {name: etree.fromstring(z.read(name)) for name in
                 ("word/document.xml", "word/styles.xml", "word/numbering.xml")}
    shown = {"".join(t.text or "" for t in p.iter(f"{{{W}}}t")): numbers for p, numbers in list_numbers(parts).items()}
    assert shown["INTERVIEW GUIDE"].startswith("Lampiran A"), shown
    assert shown.get("Opening Questions", "") == "" and shown.get("Closing Questions", "") == "", shown
    code, rules, out = verify(indonesian)
    assert code == 0, out
    assert "Lampiran A" in rules["docx.heading-numbering"][1]


def test_lang_english_is_not_a_tag_and_stops_the_build_at_its_line(tmp_path: Path):
    project = copy_fixture(tmp_path / "bad", lang="english")
    proc = run_cli(project, "build")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = next(n for n, text in enumerate((project / "thesis.yaml").read_text().splitlines(), 1)
                if text.startswith("lang:"))
    assert (f"thesis.yaml:{line}: error: 'english' is not a language tag; use a tag such as en-US or id-ID."
            in proc.stderr), proc.stderr
    assert not (project / "build" / "thesis.pdf").exists()


def test_lang_tags_are_checked_against_citeprocs_locales():
    assert check_lang("en-us") == "en-US" and check_lang("id") == "id" and check_lang("pt-BR") == "pt-BR"
    for bad in ("english", "en_US", "en-Latn-US", "e"):
        with pytest.raises(UserError, match="is not a language tag"):
            check_lang(bad)
    with pytest.raises(UserError, match="no locale for"):
        check_lang("tlh")          # well formed, but pandoc's citeproc has no Klingon locale


def test_the_locale_list_is_the_one_inside_the_pandoc_binary():
    import pypandoc

    binary = Path(pypandoc.get_pandoc_path()).read_bytes()
    inside = sorted({m.decode() for m in re.findall(rb'<locale[^>]*xml:lang="([A-Za-z-]+)"', binary)})
    assert inside and csl_locales() == inside


def test_a_language_without_a_built_in_profile_asks_for_a_template(tmp_path: Path):
    project = copy_fixture(tmp_path / "de", lang="de-DE")
    with pytest.raises(UserError) as caught:
        load_thesis(project / "thesis.yaml")
    assert "no built-in template is written in 'de-DE'" in caught.value.message
    assert caught.value.line is not None


def test_a_copied_profile_that_extends_keeps_the_shared_template(tmp_path: Path):
    """templates/mine/ with `extends: thesis-en` and one changed word: the rest comes from the base."""
    project = copy_fixture(tmp_path / "mine")
    (project / "templates" / "mine").mkdir(parents=True)
    (project / "templates" / "mine" / "profile.yaml").write_text(
        "extends: thesis-en\nname: mine\ncaptions:\n  figure_label: Fig.\n", encoding="utf-8")
    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "template: mine\n", encoding="utf-8")
    thesis = load_thesis(config)
    assert thesis.profile.name == "mine"
    assert thesis.profile.captions.figure_label == "Fig."
    assert thesis.profile.captions.table_label == "Table"
    assert thesis.profile.page.margin_cm.left == 4.0            # from skripsi-id, two levels up
    assert thesis.profile.find("thesis.typ.j2").parent.name == "skripsi-id"
    assert thesis.profile.find("pages/cover.yaml").parent.parent.name == "thesis-en"


def test_the_skripsi_id_profile_keeps_its_words():
    from thesisbuild.config import BUILTIN_TEMPLATES, load_profile

    profile = load_profile("skripsi-id", BUILTIN_TEMPLATES)
    assert profile.headings.chapter.label == "BAB"
    assert profile.drafts.label == "DRAF" and profile.drafts.months[0] == "Januari"
    assert profile.appendices.label == "Lampiran"



def test_an_appendix_takes_its_title_from_its_first_heading(tmp_path: Path):
    from thesisbuild.render.assemble import appendix_text
    from thesisbuild.sources import Source

    path = tmp_path / "lampiran.md"
    path.write_text("<!-- angket -->\n## Angket {#angket}\n\nTeks.\n\n### Bagian Satu\n\n```\n# not a heading\n```\n",
                    encoding="utf-8")
    text = appendix_text(Source.read(path))
    assert "# Angket {.appendix #angket}" in text and "\n## Bagian Satu\n" in text and "# not a heading" in text
    assert "## Bagian Satu {.unnumbered}" in appendix_text(Source.read(path), numbered=False)
    path.write_text("Teks tanpa judul.\n\n# Judul\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        appendix_text(Source.read(path))
    assert caught.value.line == 1 and "begins with its title as a heading" in caught.value.message
