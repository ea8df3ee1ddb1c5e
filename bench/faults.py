"""Fault injection: `thesisbuild fix` killed with SIGKILL at random moments on a large chapter.

After each kill the chapter must be the whole old file or the whole new one (the fixed text);
the run counts how often each was found, and fails on anything else. Then the next `fix` must
remove the temporary files the killed writes left once they are stale.

    python bench/faults.py [--kills 50] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FILES = ("thesis.yaml", "typos.yaml", "words.txt", "chapters", "front", "bibliography", "figures")
CHAPTER = Path("chapters") / "01-pendahuluan.md"


def fix(cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen([sys.executable, "-m", "thesisbuild.cli", "fix"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="5 kills on a shorter chapter")
    args = parser.parse_args()
    kills, copies = (5, 5) if args.quick else (args.kills, 40)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "thesis"
        project.mkdir()
        for name in FILES:
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
        chapter = project / CHAPTER
        head, body = chapter.read_text(encoding="utf-8").split("\n", 1)
        old = head + "\n" + body * copies
        chapter.write_text(old, encoding="utf-8")
        reference = Path(tmp) / "reference"
        shutil.copytree(project, reference)
        start = time.perf_counter()
        fix(reference).wait()
        took = time.perf_counter() - start
        new = (reference / CHAPTER).read_text(encoding="utf-8")
        found = {"old": 0, "new": 0}
        rng = random.Random(1)
        for _ in range(kills):
            chapter.write_text(old, encoding="utf-8")
            proc = fix(project)
            time.sleep(rng.uniform(0.2, 1.2) * took)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            text = chapter.read_text(encoding="utf-8")
            if text == old:
                found["old"] += 1
            elif text == new:
                found["new"] += 1
            else:
                print("FAIL: a killed fix left a chapter that is neither the old nor the new one")
                return 1
        left = list((project / "chapters").glob(".*.tmp"))
        for path in left:
            os.utime(path, (time.time() - 3600, time.time() - 3600))
        chapter.write_text(old, encoding="utf-8")
        fix(project).wait()
        remaining = list((project / "chapters").glob(".*.tmp"))
    size = len(old.encode("utf-8")) / 1000
    print(f"chapter: {size:.0f} KB; one whole fix: {took:.2f} s")
    print(f"kills: {kills}; whole old file {found['old']}, whole new file {found['new']}, anything else 0")
    print(f"temporary files left by killed writes: {len(left)}; after the next fix: {len(remaining)}")
    return 1 if remaining else 0


if __name__ == "__main__":
    sys.exit(main())
