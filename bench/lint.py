"""Benchmark: the whole citation lint on a generated 100,000-word thesis with 300 references.

Prints the median wall time of `thesisbuild lint` (in-process, and as a command with Python start-up)
against the 0.5 s goal, and codespell's time on the same files for scale.

    python bench/lint.py [--runs 7] [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import make_corpus, median_time, tool  # noqa: E402

from thesisbuild.lint import LintRequest, run_lint  # noqa: E402
from thesisbuild.prose import fold, fold_tokens, split_author  # noqa: E402

GOAL = 0.5


def cold_lint(request: LintRequest) -> None:
    """One lint as a fresh process would run it: no name caches from the previous run."""
    for cached in (fold, fold_tokens, split_author):
        cached.cache_clear()
    run_lint(request)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a 5,000-word corpus and one run: checks that it works")
    args = parser.parse_args()
    for code in (False, True):
        print(f"== chapters {'with' if code else 'without'} code blocks, URLs and e-mail addresses")
        if args.quick:
            bench(1, code, words=5_000, references=30)
        else:
            bench(args.runs, code)


def bench(runs: int, code: bool, words: int = 100_000, references: int = 300) -> None:
    args = argparse.Namespace(runs=runs)
    with tempfile.TemporaryDirectory() as tmp:
        chapters, bib = make_corpus(Path(tmp), words=words, references=references, code=code)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
        request = LintRequest(chapters=chapters, bibliographies=[bib])
        result = run_lint(request)
        counts = {}
        for d in result.diagnostics:
            counts[d.code] = counts.get(d.code, 0) + 1
        print(f"corpus: {words} words in {len(chapters)} chapters, {len(result.references)} references")
        print(f"findings: {dict(sorted(counts.items()))}")

        in_process = median_time(lambda: cold_lint(request), args.runs)
        command = [sys.executable, "-m", "thesisbuild.cli", "lint", "--fail-on", "never",
                   "--bibliography", str(bib), *map(str, chapters)]
        as_command = median_time(lambda: subprocess.run(command, capture_output=True, check=True), args.runs)
        print(f"thesisbuild lint, in-process: median {in_process:.3f} s over {args.runs} runs "
              f"({in_process / GOAL:.2f} x the {GOAL} s goal)")
        print(f"thesisbuild lint, as a command: median {as_command:.3f} s over {args.runs} runs "
              f"({as_command / GOAL:.2f} x the {GOAL} s goal)")

        codespell = tool("codespell")
        if codespell:
            spell = median_time(lambda: subprocess.run([codespell, *map(str, chapters)], capture_output=True),
                                args.runs)
            print(f"codespell (for scale, a spelling check only): median {spell:.3f} s; "
                  f"thesisbuild lint as a command is {as_command / spell:.2f} x codespell")
        else:
            print("codespell: not installed (pip install -e '.[bench]' to compare)")


if __name__ == "__main__":
    main()
