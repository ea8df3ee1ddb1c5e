"""Every benchmark in bench/ still runs: each script in its quick mode (a small corpus, one run) exits 0
and prints its table. Nothing here is timed; the numbers are the benchmarks' own business."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import REPO


def run_bench(name: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / name), "--quick", *args], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"bench/{name} --quick failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_the_lint_benchmark_prints_both_corpora_with_their_times():
    out = run_bench("lint.py")
    assert out.count("== chapters") == 2, out
    assert len(re.findall(r"^corpus: \d+ words in 5 chapters, 30 references$", out, re.M)) == 2, out
    assert len(re.findall(r"^findings: \{.*'CIT\d{3}'", out, re.M)) == 2, out
    assert len(re.findall(r"^thesisbuild lint, in-process: median \d+\.\d{3} s", out, re.M)) == 2, out
    assert len(re.findall(r"^thesisbuild lint, as a command: median \d+\.\d{3} s", out, re.M)) == 2, out


def test_the_typo_benchmark_finds_every_reviewed_typo_of_the_example_and_no_false_change():
    out = run_bench("typos.py")
    assert re.search(r"^corpus: \d+ words in 5 chapters, [1-9]\d* typos to fix$", out, re.M), out
    assert re.search(r"^thesisbuild fix, in-process: median \d+\.\d{3} s", out, re.M), out
    assert re.search(r"^thesisbuild fix --diff, as a command: median \d+\.\d{3} s", out, re.M), out
    truth = re.search(r"^example thesis: (\d+) word changes make up its real typos", out, re.M)
    assert truth and int(truth.group(1)) > 0, out
    n = truth.group(1)
    assert re.search(rf"^thesisbuild fix: \d+ changes, {n} of {n} real typos fixed, 0 false$", out, re.M), out


def test_the_suspect_benchmark_reports_noise_recall_and_time():
    out = run_bench("suspects.py")
    assert re.search(r"^skripsi: \d+ words, 16 planted misspellings$", out, re.M), out
    assert re.search(r"^TYP003 lines: \d+ \(goal: at most 50\); recall \d+/16; other lines \d+$", out, re.M), out
    assert re.search(r"^\s*\d+ words: median \d+\.\d{3} s, \d+\.\d{2} ms per 1,000 words$", out, re.M), out


def test_the_generated_skripsi_writes_its_five_chapters(tmp_path):
    out = run_bench("skripsi.py", str(tmp_path))
    assert re.search(r"^\d+ words in 5 chapters, 16 planted misspellings", out, re.M), out
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"bab{n}.md" for n in range(1, 6)]


def test_a_reviewed_typo_whose_words_are_gone_stops_the_typo_benchmark_with_its_entry(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from typos import reviewed_text
    finally:
        sys.path.remove(str(REPO / "bench"))
    tsv = tmp_path / "list.tsv"
    tsv.write_text("# comment\nRusia,\tKazakhtan\tterus\tKazakhstan\n", encoding="utf-8")
    # The text moved and was re-wrapped: the entry is still found by its neighbouring words.
    assert reviewed_text("Baru.\n\nOleh Rusia,\nKazakhtan terus maju.", tsv) == \
        "Baru.\n\nOleh Rusia,\nKazakhstan terus maju."
    with pytest.raises(SystemExit, match=r"list\.tsv:2: .*is no longer in the chapter"):
        reviewed_text("Oleh Rusia, Kazakhstan terus maju.", tsv)
    with pytest.raises(SystemExit, match=r"list\.tsv:2: .*occurs 2 times"):
        reviewed_text("Rusia, Kazakhtan terus. Rusia, Kazakhtan terus.", tsv)


def test_the_pathological_markdown_benchmark_compares_with_prose():
    out = run_bench("pathological.py")
    assert re.search(r"^samples: 8, \d+ to \d+ characters$", out, re.M), out
    assert re.search(r"^lint: median \d+\.\d\d ms/KB, worst \d+\.\dx prose", out, re.M), out
    assert re.search(r"^pandoc: median \d+\.\d\d ms/KB, worst \d+\.\dx prose", out, re.M), out


def test_the_fault_benchmark_finds_only_whole_chapters_after_kills():
    out = run_bench("faults.py")
    assert re.search(r"^kills: 5; whole old file \d+, whole new file \d+, anything else 0$", out, re.M), out
    assert re.search(r"after the next fix: 0$", out, re.M), out


def test_the_build_benchmark_times_each_step_of_the_edit_loop():
    out = run_bench("build.py")
    for step in ("clean doit pdf docx", "no-op doit", "edit one chapter -> doit", "  of it: the verify task",
                 "thesisbuild verify, first", "thesisbuild verify, again", "watch: save -> new PDF",
                 "peak memory (MB)"):
        assert re.search(rf"\| {re.escape(step)}\s+\|\s+\d+\.?\d*\s+\|", out), f"no '{step}' row:\n{out}"
    verify = re.search(r"\|   of it: the verify task\s+\|\s+(\d+\.\d+)", out)
    assert float(verify.group(1)) > 0, out        # the edit's doit ran verify, and doit timed it


def test_the_review_benchmark_reviews_every_item_it_made():
    out = run_bench("review.py")
    made = re.search(r"(\d+) items made \((\d+) reviewed\)", out)
    assert made and made.group(1) == made.group(2) and int(made.group(1)) > 0, out
    for step in ("thesisbuild review", "thesisbuild review --apply --diff", "the review's work, in process"):
        assert re.search(rf"\| {re.escape(step)}\s+\|\s+\d+\.\d+\s+\|", out), f"no '{step}' row:\n{out}"
