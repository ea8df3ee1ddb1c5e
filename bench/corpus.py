"""A generated thesis for benchmarks: 100,000 words in five chapters, 300 references, citations in
pandoc and prose form. Deterministic (fixed seed), written to a folder given by the caller."""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import yaml

WORDS = ("kebijakan luar negeri kazakhstan strategi hubungan kerja sama ekonomi politik keamanan "
         "kawasan asia tengah rusia amerika serikat negara kekuatan menengah identitas nasional "
         "diplomasi multilateral investasi energi minyak gas perbatasan sejarah soviet pemerintah "
         "presiden konflik ukraina sanksi netral dinamika global analisis data penelitian kualitatif "
         "sumber teori konsep relasi kepentingan stabilitas regional organisasi internasional").split()
FAMILIES = ("Abdelal Hopf Tsygankov Jordaan Cooper Ravenhill Chen Kassenova Rousseau Olcott Peyrouse "
            "Roberts Townsend Mikovic Skalamera Lee Shang Fu Miles Huberman Strauss Corbin Guba Lincoln "
            "Merriam Creswell Moleong Nasution Hasan Bhandari Khan Siraj Smith Jones Brown Wilson Taylor "
            "Anderson Thomas Martin").split()


def make_corpus(folder: Path, words: int = 100_000, references: int = 300, seed: int = 7,
                code: bool = False, typos: tuple[str, ...] = ()) -> tuple[list[Path], Path]:
    """With `code`, each chapter also has a fenced code block, a URL and an e-mail address;
    `typos` are sprinkled into the prose (about one word in 200)."""
    rng = random.Random(seed)
    refs = []
    seen: set[tuple[str, int]] = set()
    while len(refs) < references:
        family = rng.choice(FAMILIES)
        year = rng.randint(1985, 2024)
        if (family, year) in seen:
            continue
        seen.add((family, year))
        authors = [{"family": family, "given": "A."}]
        if rng.random() < 0.3:
            authors.append({"family": rng.choice(FAMILIES), "given": "B."})
        refs.append({"id": f"{family.lower()}{year}", "type": "book", "author": authors,
                     "title": " ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
                     "publisher": "Penerbit", "issued": {"date-parts": [[year]]}})
    folder.mkdir(parents=True, exist_ok=True)
    bib = folder / "references.yaml"
    bib.write_text(yaml.safe_dump({"references": refs}, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def cite(ref: dict) -> str:
        names = [a["family"] for a in ref["author"]]
        year = ref["issued"]["date-parts"][0][0]
        author = " & ".join(names)
        form = rng.random()
        if form < 0.5:
            return f"[@{ref['id']}]"
        if form < 0.8:
            return f"({author}, {year})"
        return f"menurut {author} ({year})"

    chapters = []
    per_chapter = words // 5
    for number in range(1, 6):
        lines = [f"# BAB {number} JUDUL\n"]
        if code:
            lines.append("Data dari https://data.example.org/@kazakhstan dan penulis@kampus.ac.id.\n")
            lines.append("```python\nprint('(Hopf, 2002) @hopf2002')\n```\n")
        count = 0
        section = 0
        while count < per_chapter:
            if count // 2000 >= section:
                section += 1
                lines.append(f"\n## Bagian {number}.{section}\n")
            sentence = [rng.choice(typos) if typos and rng.random() < 0.005 else rng.choice(WORDS)
                        for _ in range(rng.randint(12, 30))]
            count += len(sentence)
            text = " ".join(sentence).capitalize()
            if rng.random() < 0.6:
                text += " " + cite(rng.choice(refs))
            lines.append(text + ".")
            if rng.random() < 0.15:
                lines.append("\n")
        path = folder / f"{number:02d}-bab.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        chapters.append(path)
    return chapters, bib


def median_time(fn, runs: int) -> float:
    """Median wall time of `fn` over `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tool(name: str) -> str | None:
    """A command on PATH or beside this Python (in its virtual environment)."""
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
