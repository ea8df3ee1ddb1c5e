"""How long `thesisbuild review` takes on a returned whole-thesis DOCX, and how it grows.

    python bench/review.py            # the example scaled to six chapters, medians over 5 runs
    python bench/review.py --quick    # one chapter, one run (what the tests run)

The thesis is bench/build.py's scaled example, built once (`doit pdf docx`). Its DOCX comes back
with one tracked deletion in every other body paragraph and a comment on every fifth, written
into the XML as Word writes them. Measured: `thesisbuild review` (the whole command, listing every
item), `thesisbuild review --apply --diff`, and the review's own work in this process (reading the
DOCX, matching its paragraphs to the Markdown, placing the items)."""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import BIN, make_thesis  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def returned(docx: Path, out: Path) -> int:
    """The DOCX with a deletion of the first word of every other body paragraph and a comment on
    every fifth; the number of items."""
    with zipfile.ZipFile(docx) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    doc = etree.fromstring(parts["word/document.xml"])
    body = doc.find(q("body"))
    comments = etree.Element(q("comments"), nsmap={"w": W})
    items, n = 0, 0
    for p in body.iter(q("p")):
        style = p.find(f"{q('pPr')}/{q('pStyle')}")
        if style is None or style.get(q("val")) not in ("BodyText", "FirstParagraph"):
            continue
        runs = [r for r in p.findall(q("r")) if r.find(q("t")) is not None and " " in (r.find(q("t")).text or "")]
        if not runs:
            continue
        n += 1
        run = runs[0]
        t = run.find(q("t"))
        word, rest = t.text.split(" ", 1)
        if n % 2 == 0 and word:
            t.text = " " + rest
            dele = etree.Element(q("del"), {q("id"): str(10_000 + n), q("author"): "Dr. Sari",
                                            q("date"): "2026-12-03T10:15:00Z"})
            r = etree.SubElement(dele, q("r"))
            etree.SubElement(r, q("delText")).text = word
            run.addprevious(dele)
            items += 1
        if n % 5 == 0:
            cid = str(n)
            run.addprevious(etree.Element(q("commentRangeStart"), {q("id"): cid}))
            run.addnext(etree.Element(q("commentRangeEnd"), {q("id"): cid}))
            c = etree.SubElement(comments, q("comment"), {q("id"): cid, q("author"): "Dr. Sari",
                                                        q("date"): "2026-12-03T10:15:00Z"})
            etree.SubElement(etree.SubElement(etree.SubElement(c, q("p")), q("r")), q("t")).text = "sumber?"
            items += 1
    parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/comments.xml"] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return items


def timed(command: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{proc.stderr}")
    return statistics.median(times)


def in_process(thesis_dir: Path, docx: Path, runs: int) -> tuple[float, int]:
    from thesisbuild.config import load_thesis
    from thesisbuild.review import review_file

    thesis = load_thesis(thesis_dir / "thesis.yaml")
    times, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        count = len(review_file(thesis, docx).items)
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one chapter, one run")
    args = parser.parse_args()
    chapters, runs = (1, 1) if args.quick else (6, args.runs)
    with tempfile.TemporaryDirectory(prefix="thesisbuild-review-bench-") as tmp:
        folder = Path(tmp)
        make_thesis(folder, chapters)
        build = subprocess.run([str(BIN / "doit"), "pdf", "docx"], cwd=folder, capture_output=True, text=True)
        if build.returncode != 0:
            sys.exit(f"the thesis did not build:\n{build.stderr[-2000:]}")
        # Outside the thesis folder: the review records nothing in drafts/register.yaml.
        back = Path(tmp + "-back.docx")
        try:
            items = returned(folder / "build" / "thesis.docx", back)
            cli = timed([str(BIN / "thesisbuild"), "review", str(back)], folder, runs)
            diff = timed([str(BIN / "thesisbuild"), "review", str(back), "--apply", "--diff"], folder, runs)
            core, placed = in_process(folder, back, runs)
        finally:
            back.unlink(missing_ok=True)
    print(f"\n{chapters} chapters, {items} items made ({placed} reviewed), {runs} run(s), median seconds\n")
    print("| step                                   | median s |")
    print("|----------------------------------------|---------:|")
    print(f"| thesisbuild review                     | {cli:8.2f} |")
    print(f"| thesisbuild review --apply --diff      | {diff:8.2f} |")
    print(f"| the review's work, in process          | {core:8.2f} |")


if __name__ == "__main__":
    main()
