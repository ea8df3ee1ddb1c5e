"""Benchmark: the suspect-word check (TYP003) on generated Indonesian IT skripsi (bench/skripsi.py).

1. Noise and recall, on the 16,000-word skripsi with its planted misspellings: how many TYP003
   lines a student reads (goal: at most 50) and how many planted misspellings are among them.
2. Time against size: the check alone, in-process, on 16,000 to 128,000 words; the time per
   1,000 words should stay flat (the check is linear in the input).

    python bench/suspects.py [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import median_time  # noqa: E402
from skripsi import make_skripsi  # noqa: E402

from thesisbuild.lint import LintRequest, run_lint  # noqa: E402

GOAL_LINES = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="the 16,000-word skripsi and one run at that size only: checks that it works")
    args = parser.parse_args()
    runs, sizes = (1, (16_000,)) if args.quick else (args.runs, (16_000, 32_000, 64_000, 128_000))
    with tempfile.TemporaryDirectory() as tmp:
        words_txt = Path(tmp) / "words.txt"
        words_txt.write_text("", encoding="utf-8")

        def request(chapters):
            return LintRequest(chapters=chapters, bibliographies=[], words=words_txt, citations=False,
                               suspects=True)

        chapters, planted = make_skripsi(Path(tmp) / "16k")
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
        suspects = [d for d in run_lint(request(chapters)).diagnostics if d.code == "TYP003"]
        flagged = {d.message.split('"')[1] for d in suspects}
        found = [w for w, _ in planted if w in flagged]
        print(f"skripsi: {words} words, {len(planted)} planted misspellings")
        print(f"TYP003 lines: {len(suspects)} (goal: at most {GOAL_LINES}); recall {len(found)}/{len(planted)}; "
              f"other lines {len(suspects) - len(found)}")
        for d in suspects:
            if d.message.split('"')[1] not in dict(planted):
                print(f"  not planted: {d.path.name}:{d.line}: {d.message}")

        run_lint(request(chapters))  # word lists loaded once, as in one process
        for size in sizes:
            chapters, _ = make_skripsi(Path(tmp) / str(size), words=int(size * 14_600 / 16_000), seed=size)
            words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
            t = median_time(lambda: run_lint(request(chapters)), runs)
            print(f"{words:7d} words: median {t:.3f} s, {1000 * t / words * 1000:.2f} ms per 1,000 words")


if __name__ == "__main__":
    main()
