"""Benchmark: pathological Markdown costs no more than ordinary text.

hypothesis draws chapters from the pieces that make parsers slow (brackets, emphasis markers,
backticks, dollar signs, braces, backslashes, @ and # signs, very long words and lines), in sizes
from 1 KB to 200 KB, and times the two stages that read a chapter as a whole: the lint (every
check, as `thesisbuild lint` runs it) and pandoc's reading with the build's filters. Each sample's
time is divided by its size and compared with the same stage on ordinary prose (the example
chapter repeated to the same size). Goal: no sample more than 5x slower per KB than prose.

A chapter the lint refuses before pandoc reads it (DOC007: brackets nested past twelve) is timed
for the lint only: the build stops there.

    python bench/pathological.py [--examples 40] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from thesisbuild.checks.structure import check_structure
from thesisbuild.lint import LintRequest, run_lint
from thesisbuild.pandoc import run_pandoc
from thesisbuild.render.document import CROSSREF_FILTER, LATEX_FILTER, READER

REPO = Path(__file__).resolve().parent.parent
GOAL = 5.0
PIECES = ["[", "]", "*", "_", "`", "$", "{", "}", "\\", "@", "#", "<", ">", "!", "(", ")", "|", ":",
          " ", " ", " ", "\n", "\n\n", "kata", "Kazakhstan", "dan", "yang"]


def _chapter(text: str, folder: Path) -> Path:
    path = folder / "bab.md"
    path.write_text("# Bab Uji\n\n" + text + "\n", encoding="utf-8")
    return path


def lint_seconds(path: Path) -> float:
    start = time.perf_counter()
    run_lint(LintRequest(chapters=[path], bibliographies=[], lang="id-ID", typos=REPO / "typos.yaml",
                         words=REPO / "words.txt", suspects=True, root=path.parent))
    return time.perf_counter() - start


def pandoc_seconds(path: Path) -> float | None:
    from thesisbuild.sources import Source

    if any(d.code == "DOC007" for d in check_structure([Source.read(path)], path.parent)):
        return None                     # refused before pandoc would read it
    start = time.perf_counter()
    run_pandoc(["-f", READER, "--lua-filter", str(LATEX_FILTER), "--lua-filter", str(CROSSREF_FILTER), "-t", "json"],
               input_text=path.read_text(encoding="utf-8"), cwd=path.parent)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="8 samples up to 20 KB")
    args = parser.parse_args()
    examples, largest = (8, 20_000) if args.quick else (args.examples, 200_000)
    prose = (REPO / "chapters" / "01-pendahuluan.md").read_text(encoding="utf-8").split("\n", 1)[1]
    rows: list[tuple[int, float, float | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # What every run costs whatever its size (loading the word lists, starting pandoc), taken
        # from a one-line chapter, comes off each time before it is divided by the size.
        empty = _chapter("Satu kalimat.", folder)
        lint_fixed = min(lint_seconds(empty) for _ in range(3))
        pandoc_fixed = min(pandoc_seconds(empty) or 0 for _ in range(3))
        base_text = (prose * (largest // len(prose) + 1))[:largest // 2]
        base = _chapter(base_text, folder)
        base_kb = len(base_text) / 1000
        lint_base = max(lint_seconds(base) - lint_fixed, 1e-6) / base_kb
        pandoc_base = max((pandoc_seconds(base) or 0) - pandoc_fixed, 1e-6) / base_kb

        pieces = st.lists(st.sampled_from(PIECES), min_size=50, max_size=400)
        long_word = st.integers(min_value=1, max_value=largest).map(lambda n: "a" * n)

        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(pieces, st.integers(min_value=1_000, max_value=largest), long_word)
        def sample(parts: list[str], size: int, word: str) -> None:
            unit = "".join(parts)
            text = (unit * (size // max(1, len(unit)) + 1))[:size]
            if len(rows) % 4 == 3:
                text = text[: size // 2] + word            # one very long "word" in some samples
            path = _chapter(text, folder)
            kb = len(text) / 1000
            pandoc = pandoc_seconds(path)
            lint = max(lint_seconds(path) - lint_fixed, 0.0)
            rows.append((len(text), lint / kb, max(pandoc - pandoc_fixed, 0.0) / kb if pandoc is not None else None))

        sample()
    lint_ratio = max(r[1] for r in rows) / lint_base
    read = [r[2] for r in rows if r[2] is not None]
    pandoc_ratio = max(read) / pandoc_base if read and pandoc_base else 0.0
    print(f"samples: {len(rows)}, {min(r[0] for r in rows)} to {max(r[0] for r in rows)} characters")
    print(f"prose: lint {lint_base * 1000:.2f} ms/KB, pandoc {pandoc_base * 1000:.2f} ms/KB "
          f"(beyond the fixed {lint_fixed:.2f} s and {pandoc_fixed:.2f} s of any run)")
    print(f"lint: median {statistics.median(r[1] for r in rows) * 1000:.2f} ms/KB, worst {lint_ratio:.1f}x prose "
          f"(goal <= {GOAL:.0f}x)")
    if read:
        print(f"pandoc: median {statistics.median(read) * 1000:.2f} ms/KB, worst {pandoc_ratio:.1f}x prose "
              f"(goal <= {GOAL:.0f}x); {len(rows) - len(read)} refused by DOC007 first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
