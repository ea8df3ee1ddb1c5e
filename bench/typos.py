"""Benchmark: the typo fixer against codespell and typos.

1. Speed, on the generated 100,000-word thesis (bench/corpus.py) with the dictionary's typos
   sprinkled in: `thesisbuild fix --diff` (as a command, and in-process) next to codespell with our
   dictionary only (-D) and the `typos` tool, all in check mode. Goal: ours at most 0.5 s.
2. False changes, on the example thesis (chapters/): each tool rewrites a copy, and every change
   that is not one of the thesis's real typos counts as false. The real typos are the corrections in
   bench/example-typos.tsv, reviewed by hand. Goal: zero false changes from ours.

    python bench/typos.py [--runs 7] [--quick]
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import make_corpus, median_time, tool  # noqa: E402

from thesisbuild.sources import Source  # noqa: E402
from thesisbuild.typos import apply_typos, load_dictionary  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
GOAL = 0.5
_TOKEN = re.compile(r"[^\W_]+")


def codespell_dictionary(typos_yaml: Path, dest: Path) -> Path:
    """Our dictionary in codespell's format (wrong->right; several candidates joined by ', ')."""
    dictionary = load_dictionary(typos_yaml)
    lines = [f"{e.wrong.lower()}->{', '.join(e.right)}{',' if len(e.right) > 1 else ''}" for e in dictionary.entries
             if " " not in e.wrong]  # codespell matches single words only
    dest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def changes(before: str, after: str) -> set[tuple[int, str, str]]:
    """Word-level changes (offset in `before`, old, new); a replaced run of N words by N words
    counts as N separate changes, so that neighbouring corrections stay apart."""
    a = [(m.start(), m.group()) for m in _TOKEN.finditer(before)]
    b = [(m.start(), m.group()) for m in _TOKEN.finditer(after)]
    out = set()
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            out.update((a[i1 + k][0], a[i1 + k][1], b[j1 + k][1]) for k in range(i2 - i1))
            continue
        start = a[i1][0] if i1 < len(a) else len(before)
        old = " ".join(t for _, t in a[i1:i2])
        new = " ".join(t for _, t in b[j1:j2])
        out.add((start, old, new))
    return out


def _words(text: str) -> str:
    """A pattern for these words with any whitespace between them (the text may be re-wrapped)."""
    return r"\s+".join(map(re.escape, text.split()))


def reviewed_text(original: str, tsv: Path) -> str:
    """The chapter with the reviewed corrections applied. Each entry is found by its neighbouring
    words, wherever the chapter's text has moved; it must occur exactly once."""
    edits = []
    for number, row in enumerate(tsv.read_text(encoding="utf-8").splitlines(), start=1):
        if not row.strip() or row.startswith("#"):
            continue
        before, wrong, after, right = row.split("\t")
        pattern = (r"(?<!\S)" + (_words(before) + r"\s+" if before.strip() else "") + f"({_words(wrong)})"
                   + (r"\s+" + _words(after) if after.strip() else ""))
        found = list(re.finditer(pattern, original))
        if len(found) != 1:
            where = "is no longer in the chapter" if not found else f"occurs {len(found)} times"
            raise SystemExit(f"{tsv.name}:{number}: '{before} {wrong} {after}' {where}; review this entry again "
                             f"(give it more neighbouring words if it occurs more than once).")
        edits.append((found[0].start(1), found[0].end(1), right))
    out, last = [], 0
    for start, end, right in sorted(edits):
        out += [original[last:start], right]
        last = end
    return "".join(out + [original[last:]])


def speed(runs: int, dictionary_path: Path, words: int = 100_000, references: int = 300) -> None:
    dictionary = load_dictionary(dictionary_path)
    sprinkled = tuple(e.wrong for e in dictionary.entries if e.fixable)
    with tempfile.TemporaryDirectory() as tmp:
        chapters, _ = make_corpus(Path(tmp), words=words, references=references, typos=sprinkled)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
        sources = [Source.read(p) for p in chapters]
        fixes = sum(len(apply_typos(s, dictionary)[1]) for s in sources)
        print(f"corpus: {words} words in {len(chapters)} chapters, {fixes} typos to fix")

        def in_process():
            d = load_dictionary(dictionary_path)
            for path in chapters:
                apply_typos(Source.read(path), d)

        ours_in = median_time(in_process, runs)
        command = [sys.executable, "-m", "thesisbuild.cli", "fix", "--diff", "--typos", str(dictionary_path),
                   *map(str, chapters)]
        ours_cmd = median_time(lambda: subprocess.run(command, capture_output=True, check=True), runs)
        print(f"thesisbuild fix, in-process: median {ours_in:.3f} s ({ours_in / GOAL:.2f} x the {GOAL} s goal)")
        print(f"thesisbuild fix --diff, as a command: median {ours_cmd:.3f} s ({ours_cmd / GOAL:.2f} x the goal)")
        spell = tool("codespell")
        if spell:
            ours_dict = codespell_dictionary(dictionary_path, Path(tmp) / "codespell.txt")
            t = median_time(lambda: subprocess.run([spell, "-D", str(ours_dict), *map(str, chapters)],
                                                   capture_output=True), runs)
            print(f"codespell -D (our dictionary only): median {t:.3f} s; ours as a command is "
                  f"{ours_cmd / t:.2f} x codespell")
        typos = tool("typos")
        if typos:
            t = median_time(lambda: subprocess.run([typos, *map(str, chapters)], capture_output=True), runs)
            print(f"typos (its own dictionary): median {t:.3f} s; ours as a command is {ours_cmd / t:.2f} x typos")


def accuracy(dictionary_path: Path) -> None:
    chapter = REPO / "chapters" / "01-pendahuluan.md"
    original = chapter.read_text(encoding="utf-8")
    truth = changes(original, reviewed_text(original, REPO / "bench" / "example-typos.tsv"))
    print(f"example thesis: {len(truth)} word changes make up its real typos (bench/example-typos.tsv)")
    with tempfile.TemporaryDirectory() as tmp:
        def run(name: str, argv: list[str]) -> None:
            copy = Path(tmp) / "01-pendahuluan.md"
            copy.write_text(original, encoding="utf-8")
            subprocess.run([*argv, str(copy)], capture_output=True)
            found = changes(original, copy.read_text(encoding="utf-8"))
            false = sorted(found - truth)
            sample = ", ".join(f"{old}->{new}" for _, old, new in false[:4])
            print(f"{name}: {len(found)} changes, {len(found & truth)} of {len(truth)} real typos fixed, "
                  f"{len(false)} false" + (f" (e.g. {sample})" if false else ""))

        run("thesisbuild fix", [sys.executable, "-m", "thesisbuild.cli", "fix", "--typos", str(dictionary_path)])
        spell = tool("codespell")
        if spell:
            ours_dict = codespell_dictionary(dictionary_path, Path(tmp) / "codespell.txt")
            run("codespell -w -D (our dictionary)", [spell, "-w", "-D", str(ours_dict)])
            run("codespell -w (its own dictionary)", [spell, "-w"])
        typos = tool("typos")
        if typos:
            run("typos -w (its own dictionary)", [typos, "-w"])
        if not spell or not typos:
            print("install the bench extra for the comparison: pip install -e '.[bench]'")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a 5,000-word corpus and one run: checks that it works")
    args = parser.parse_args()
    dictionary_path = REPO / "typos.yaml"
    if args.quick:
        speed(1, dictionary_path, words=5_000, references=30)
    else:
        speed(args.runs, dictionary_path)
    accuracy(dictionary_path)


if __name__ == "__main__":
    main()
