"""Three real theses, adopted, fixed and built as a student would: nothing they hold is lost.

For each thesis, in a temporary copy:

1. adoption: the repository's example thesis has its thesis.yaml; the two others are adopted with
   `thesisbuild init` (the pandoc-crossref PhD template in ../shared/samples/phd_thesis_markdown, and
   tests/fixtures/skripsi-it, an Indonesian IT skripsi written the way students write: raw LaTeX
   longtables and figures, \\ref and @fig:x references, image names whose case differs on disk);
2. the lint, and what a student does with its findings: `FIX_COMMANDS` below, and for the PhD
   template a replacement for the image the lint reports missing;
3. `doit`, then `thesisbuild verify`;
4. counting: every captioned table and figure of the sources has its caption in the PDF and in the
   DOCX, every cited work has its entry in the reference list of both, the captions are numbered per
   chapter, and no unresolved reference ("??", "Gambar .", "key?", "\\ref", "{#fig:") reaches the reader.

Each thesis is built once per session; the tests below only read what the build left.

Every command runs from thesisbuild installed as a wheel in a fresh virtual environment (the
`installed` fixture of conftest.py), as a student outside this repository has it.

The prior-research articles in skripsi-it's daftar-pustaka.bib (wahyuni2021, pratama2022) are
invented for the fixture; the textbooks, standards and the articles with a DOI are real works.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES, REPO, Installed, copy_thesis
from .content_count import (
    ENGLISH,
    INDONESIAN,
    Labels,
    SourceCounts,
    count_sources,
    docx_captions,
    docx_reference_entries,
    docx_text,
    image_problems,
    missing_captions,
    numbering_problems,
    pdf_captions,
    pdf_list_entries,
    pdf_reference_entries,
    pdf_text,
    unresolved_markers,
)

# The commands a student runs after reading the lint, in this order. Adjust here when the CLI changes.
FIX_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("fix",),                   # the typo dictionary, cross-reference forms (XRF001), image-path case (IMG003)
    ("fix", "--citations"),     # locator forms (CIT005) and prose citations (CIT007) in pandoc syntax
)

# ../shared beside the repository (a worktree one level deeper looks one more level up).
PHD_SAMPLE = next((p for p in (REPO.parent / "shared" / "samples" / "phd_thesis_markdown",
                               REPO.parent.parent / "shared" / "samples" / "phd_thesis_markdown") if p.is_dir()),
                  REPO.parent / "shared" / "samples" / "phd_thesis_markdown")
THESES = ("example", "phd_thesis_markdown", "skripsi-it")
ADOPTED = ("phd_thesis_markdown", "skripsi-it")
LABELS: dict[str, Labels] = {"example": INDONESIAN, "phd_thesis_markdown": ENGLISH, "skripsi-it": INDONESIAN}

# What `thesisbuild init` should write for the PhD template (skripsi-it's is its thesis.expected.yaml).
PHD_EXPECTED = """\
title: This is the title of the thesis
author: Firstname Surname
degree: Doctor of Philosophy
university: University College London
year: "2015"
supervisors:
  - Professor Louis Fage
  - Captain J. Y. Cousteau
lang: en-US
template: thesis-en
csl: apa
chapters:
  - source/09_chapter_1.md
  - source/10_chapter_2.md
  - source/11_chapter_3.md
  - source/12_chapter_4.md
  - source/13_chapter_5.md
  - source/14_chapter_6.md
  - source/15_conclusion.md
appendices:
  - source/16_appendix_1.md
  - source/17_appendix_2.md
front_texts:
  abstract: source/03_summary.md
  acknowledgements: source/04_acknowledgements.md
bibliography:
  - source/references.bib
"""
EXPECTED_CONFIG = {"phd_thesis_markdown": PHD_EXPECTED,
                   "skripsi-it": (FIXTURES / "skripsi-it" / "thesis.expected.yaml").read_text(encoding="utf-8")}
# The keys init must get right; the others are placeholders or metadata it may word differently.
COMPARED_KEYS = ("chapters", "appendices", "bibliography", "template", "csl", "front_texts")


@dataclass
class Step:
    command: str
    returncode: int
    output: str

    def report(self) -> str:
        tail = "\n".join(self.output.strip().splitlines()[-25:])
        return f"$ {self.command}  -> exit {self.returncode}\n{tail}"


@dataclass
class Built:
    name: str
    project: Path
    labels: Labels
    installed: Installed
    steps: dict[str, Step] = field(default_factory=dict)
    lint_before: list[dict] = field(default_factory=list)
    lint_after: list[dict] = field(default_factory=list)
    sources: SourceCounts = field(default_factory=SourceCounts)

    @property
    def pdf(self) -> Path:
        return self.project / "build" / "thesis.pdf"

    @property
    def docx(self) -> Path:
        return self.project / "build" / "thesis.docx"

    def require(self, output: Path) -> Path:
        """The output, or a failure that says which step left none."""
        if not output.is_file():
            pytest.fail(f"{self.name}: no {output.name}; the build did not get that far.\n"
                        + "\n\n".join(step.report() for step in self.steps.values()))
        return output

    def keys(self) -> set[str]:
        return self.sources.cited_keys | {ref.target for ref in self.sources.crossrefs}


def _run(built: Built, name: str, *args: str, doit: bool = False) -> Step:
    tool = built.installed
    result = tool.doit(built.project, *args) if doit else tool.thesisbuild(built.project, *args)
    step = Step(("doit " if doit else "thesisbuild ") + " ".join(args), result.returncode,
                result.stdout + result.stderr)
    built.steps[name] = step
    print(step.report())
    return step


def _lint_json(built: Built, name: str) -> list[dict]:
    args = ("lint", "--format", "json", "--fail-on", "never")
    result = built.installed.thesisbuild(built.project, *args)
    built.steps[name] = Step("thesisbuild " + " ".join(args), result.returncode, result.stdout + result.stderr)
    try:
        findings = json.loads(result.stdout)
    except ValueError:
        findings = []
    print(f"{built.name}: {name}: {len(findings)} findings; "
          + ", ".join(sorted({d.get('code', '?') for d in findings})) + "\n" + result.stderr[-2000:])
    return findings


def _repair_phd_sample(built: Built) -> None:
    """The lint reports source/figures/example_figure.pdf missing (an IMG rule): a student draws a
    replacement and points the chapter at it, as the lint's message tells them to."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 580, 280), outline="black", width=3)
    image.save(built.project / "source" / "figures" / "example_figure.png")
    chapter = built.project / "source" / "12_chapter_4.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("(source/figures/example_figure.pdf)", "(source/figures/example_figure.png)"),
                       encoding="utf-8")
    # Its equation (2.2) uses \argmin, which its own LaTeX template defined; the build says so at
    # 10_chapter_2.md and names the \newcommand to write above the equation, which the student does.
    chapter = built.project / "source" / "10_chapter_2.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("$$\n\\begin{aligned}", "\\newcommand{\\argmin}{\\operatorname*{arg\\,min}}\n\n"
                                    "$$\n\\begin{aligned}", 1), encoding="utf-8")


def _copy(name: str, dest: Path) -> Path:
    if name == "example":
        return copy_thesis(dest)
    if name == "phd_thesis_markdown":
        shutil.copytree(PHD_SAMPLE, dest)
        return dest
    shutil.copytree(FIXTURES / name, dest, ignore=shutil.ignore_patterns("thesis.expected.yaml"))
    return dest


def _source_paths(project: Path) -> list[Path]:
    config = yaml.safe_load((project / "thesis.yaml").read_text(encoding="utf-8")) or {}
    return [project / p for key in ("chapters", "appendices") for p in (config.get(key) or [])]


_BUILT: dict[str, Built] = {}


@pytest.fixture(params=THESES)
def thesis(request, tmp_path_factory, installed: Installed) -> Built:
    """Each thesis is built once per session, whichever tests ask for it."""
    name = request.param
    if name == "phd_thesis_markdown" and not PHD_SAMPLE.is_dir():
        pytest.skip(f"the sample thesis {PHD_SAMPLE} is not on this machine")
    if name not in _BUILT:
        built = _BUILT[name] = Built(name, Path(), LABELS[name], installed)
        try:
            _build(built, tmp_path_factory)
        except Exception:       # recorded once; every test of this thesis then reports it
            import traceback

            built.steps["crash"] = Step("preparing the thesis", -1, traceback.format_exc())
            print(built.steps["crash"].report())
    return _BUILT[name]


def _build(built: Built, tmp_path_factory) -> None:
    name = built.name
    built.project = _copy(name, tmp_path_factory.mktemp(name.replace("_", "-")) / name)

    if name in ADOPTED:
        _run(built, "init", "init", ".")
    if not (built.project / "thesis.yaml").is_file():
        return

    built.lint_before = _lint_json(built, "lint before")
    if name == "phd_thesis_markdown":
        _repair_phd_sample(built)
    for command in FIX_COMMANDS:
        _run(built, " ".join(command), *command)
    built.lint_after = _lint_json(built, "lint after")
    try:
        built.sources = count_sources(_source_paths(built.project))
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"{name}: the sources could not be counted: {err}")
    print(f"{name}: {built.sources.summary()}")
    _run(built, "doit", doit=True)
    _run(built, "verify", "verify")


# --------------------------------------------------------------------------------------------
# Adoption, lint and fixes


@pytest.mark.parametrize("thesis", ADOPTED, indirect=True)
def test_adopted_by_init(thesis: Built):
    step = thesis.steps.get("init")
    assert step is not None and step.returncode == 0, step.report() if step else "init did not run"
    assert (thesis.project / "thesis.yaml").is_file(), step.report()


@pytest.mark.parametrize("thesis", ADOPTED, indirect=True)
def test_init_writes_the_expected_sources_and_style(thesis: Built):
    written = yaml.safe_load((thesis.project / "thesis.yaml").read_text(encoding="utf-8")) or {}
    expected = yaml.safe_load(EXPECTED_CONFIG[thesis.name])
    for key in COMPARED_KEYS:
        assert written.get(key) == expected.get(key), f"{key}: init wrote {written.get(key)!r}"
    assert str(written.get("lang", "")).split("-")[0] == str(expected["lang"]).split("-")[0]


@pytest.mark.parametrize("thesis", ["phd_thesis_markdown"], indirect=True)
def test_lint_reports_the_missing_image(thesis: Built):
    found = [d for d in thesis.lint_before
             if d.get("code", "").startswith("IMG") and "example_figure.pdf" in d.get("message", "")]
    lint = thesis.steps.get("lint before", Step("lint", -1, "did not run"))
    assert found, "the lint did not report source/figures/example_figure.pdf as missing:\n" + lint.report()
    assert found[0]["path"].endswith("12_chapter_4.md") and found[0]["line"] > 0


@pytest.mark.parametrize("thesis", ["skripsi-it"], indirect=True)
def test_lint_reports_the_image_case(thesis: Built):
    # images/use-case.PNG and images/halaman-login.JPG on disk, written .png and .jpg in the chapters.
    lint = thesis.steps.get("lint before", Step("lint", -1, "did not run"))
    for target in ("images/use-case.png", "images/halaman-login.jpg"):
        found = [d for d in thesis.lint_before
                 if d.get("code", "").startswith("IMG") and target in d.get("message", "")]
        assert found, f"the lint did not report the case of {target}:\n" + lint.report()
        assert found[0].get("fix"), f"the lint offers no fix for {target}: {found[0]}"


def test_every_image_path_names_a_file(thesis: Built):
    # After the fixes, each image the sources place is a file of exactly that name (case included).
    assert not image_problems(thesis.sources, thesis.project)


def test_fix_commands_succeed(thesis: Built):
    steps = [thesis.steps.get(" ".join(c)) for c in FIX_COMMANDS]
    assert all(steps), "the fixes did not run:\n" + "\n\n".join(s.report() for s in thesis.steps.values())
    failed = [step for step in steps if step.returncode != 0]
    assert not failed, "\n\n".join(step.report() for step in failed)


def test_no_fixable_finding_is_left(thesis: Built):
    step = thesis.steps.get("lint after")
    assert step is not None and step.returncode == 0, step.report() if step else "the lint did not run"
    left = [f"{d['path']}:{d['line']}: {d['code']} {d['message']}" for d in thesis.lint_after if d.get("fix")]
    assert not left, "\n".join(left)


# --------------------------------------------------------------------------------------------
# Build and verify


def test_build_succeeds(thesis: Built):
    step = thesis.steps.get("doit")
    assert step is not None and step.returncode == 0, step.report() if step else "doit did not run"


def test_verify_passes(thesis: Built):
    step = thesis.steps.get("verify")
    assert step is not None and step.returncode == 0, step.report() if step else "verify did not run"


# --------------------------------------------------------------------------------------------
# Nothing lost


def _by_kind(captions, kind):
    return [c for c in captions if c.kind == kind]


def test_the_sources_hold_content(thesis: Built):
    # A guard for the counting itself: each thesis has tables, figures and citations to lose.
    assert thesis.sources.figures and thesis.sources.cited_keys, thesis.sources.summary()
    if thesis.name != "example":
        assert thesis.sources.tables, thesis.sources.summary()


_OUTPUTS = {"pdf": (pdf_captions, pdf_text), "docx": (docx_captions, docx_text)}


@pytest.mark.parametrize("output", ["pdf", "docx"])
@pytest.mark.parametrize("kind", ["table", "figure"])
def test_every_table_and_figure_has_its_caption(thesis: Built, output: str, kind: str):
    read_captions, read_text = _OUTPUTS[output]
    path = thesis.require(getattr(thesis, output))
    expected = thesis.sources.tables if kind == "table" else thesis.sources.figures
    captions = _by_kind(read_captions(path, thesis.labels), kind)
    assert len(captions) == len(expected), (
        f"{len(expected)} captioned {kind}s in the sources, {len(captions)} {kind} captions "
        f"in the {output.upper()}: {[c.text for c in captions]}")
    assert not missing_captions(expected, read_text(path))


def test_every_table_and_figure_is_in_the_pdf_lists(thesis: Built):
    # Daftar Tabel / Daftar Gambar are made from the tables and figures the PDF holds.
    listed = pdf_list_entries(thesis.require(thesis.pdf), thesis.labels)
    assert len(_by_kind(listed, "table")) == len(thesis.sources.tables), [c.text for c in listed]
    assert len(_by_kind(listed, "figure")) == len(thesis.sources.figures), [c.text for c in listed]


def test_captions_are_numbered_per_chapter(thesis: Built):
    assert not numbering_problems(pdf_captions(thesis.require(thesis.pdf), thesis.labels))
    assert not numbering_problems(docx_captions(thesis.require(thesis.docx), thesis.labels))


def test_every_cited_work_is_in_the_pdf_reference_list(thesis: Built):
    entries = pdf_reference_entries(thesis.require(thesis.pdf), thesis.labels)
    assert len(entries) == len(thesis.sources.cited_keys), (
        f"{len(thesis.sources.cited_keys)} works cited, {len(entries)} reference-list entries in the PDF:\n"
        + "\n".join(entries))


def test_every_cited_work_is_in_the_docx_reference_list(thesis: Built):
    entries = docx_reference_entries(thesis.require(thesis.docx), thesis.labels)
    assert len(entries) == len(thesis.sources.cited_keys), (
        f"{len(thesis.sources.cited_keys)} works cited, {len(entries)} reference-list entries in the DOCX:\n"
        + "\n".join(entries))


def test_no_unresolved_reference_in_the_pdf(thesis: Built):
    found = unresolved_markers(pdf_text(thesis.require(thesis.pdf)), thesis.labels, thesis.keys())
    assert not found, "\n".join(found)


def test_no_unresolved_reference_in_the_docx(thesis: Built):
    found = unresolved_markers(docx_text(thesis.require(thesis.docx)), thesis.labels, thesis.keys())
    assert not found, "\n".join(found)


@pytest.mark.parametrize("thesis", ["phd_thesis_markdown"], indirect=True)
def test_the_front_matter_written_as_chapters_reaches_the_front_pages(thesis: Built):
    """Its abstract and acknowledgements stay where the student keeps them (front_texts), under the
    template's own titles, without their headings or the LaTeX page commands they held."""
    from pypdf import PdfReader

    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(thesis.require(thesis.pdf)).pages]
    front = " ".join(pages[:12])
    assert "Interdum et malesuada fames ac ante ipsum" in front          # acknowledgements
    assert "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Nam et turpis gravida" in front   # abstract
    assert "pagenumbering" not in front and "setcounter" not in front
