"""How long a student waits: the example thesis scaled to six chapters, built and rebuilt.

    python bench/build.py            # six chapters (~145 pages, 12 figures), medians over 5 runs
    python bench/build.py --quick    # one chapter, one run, no TeX baseline (what the tests run)
    python bench/build.py --runs 3

The thesis is made in a temporary folder: six copies of BAB I as chapters/01..06, each with its
own figures (the figure scripts copied under new names, the ids renamed). Measured: a clean
`doit pdf docx`, a no-op `doit`, an edit of one chapter followed by the default `doit` (and its
verify task), `thesisbuild verify` alone on outputs it has not seen and again on the same ones, the
watch latency (save -> new PDF) and the peak memory of any child
process; and, when latexmk and xelatex are installed, pandoc + latexmk -xelatex on the same
Markdown beside the clean PDF build."""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def make_thesis(folder: Path, chapters: int) -> None:
    for name in ("bibliography", "front", "figures"):
        shutil.copytree(ROOT / name, folder / name)
    for extra in ("typos.yaml", "words.txt", "dodo.py"):
        if (ROOT / extra).is_file():
            shutil.copy(ROOT / extra, folder / extra)
    source = (ROOT / "chapters" / "01-pendahuluan.md").read_text(encoding="utf-8")
    ids = sorted(set(re.findall(r"\{#([\w:.\-]+)", source)), key=len, reverse=True)
    scripts = sorted((ROOT / "figures").glob("*.py"))
    (folder / "chapters").mkdir()
    names = []
    for n in range(1, chapters + 1):
        text = source
        if n > 1:
            for ident in ids:
                text = re.sub(rf"(?<![\w\-]){re.escape(ident)}(?![\w\-])", f"{ident}-{n}", text)
            for script in scripts:
                shutil.copy(script, folder / "figures" / f"{script.stem}-{n}.py")
        name = f"chapters/{n:02d}-bab.md"
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
    config = (ROOT / "thesis.yaml").read_text(encoding="utf-8")
    config = re.sub(r"^chapters:\n(?:  - .*\n)+", "chapters:\n" + "".join(f"  - {c}\n" for c in names),
                    config, flags=re.M)
    (folder / "thesis.yaml").write_text(config, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)


# The commands run as on a student's machine: Python keeps the compiled modules of thesisbuild
# (a machine that sets PYTHONDONTWRITEBYTECODE would compile them again in every doit).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], cwd: Path, check: bool = True) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    took = time.perf_counter() - start
    if check and proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-3000:]}")
    return took


def run_tasks(cmd: list[str], cwd: Path) -> tuple[float, dict[str, float]]:
    """A doit run with its JSON reporter: the time, and the seconds each task that ran took."""
    start = time.perf_counter()
    proc = subprocess.run([*cmd, "--reporter=json"], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=ENV)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    tasks = json.loads(proc.stdout)["tasks"]
    return took, {task["name"]: task["elapsed"] for task in tasks if task.get("elapsed")}


def clean(folder: Path) -> None:
    """Every output and the conversion cache gone; the figures (their own doit tasks, drawn by
    matplotlib, not part of the PDF's conversion) stay drawn."""
    for path in (folder / "build").glob("*"):
        if path.name != "figures":
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def edit(folder: Path, chapters: int, i: int) -> None:
    path = folder / "chapters" / f"{min(3, chapters):02d}-bab.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\nKalimat tambahan nomor {i}.\n", encoding="utf-8")


def watch_latency(folder: Path, chapters: int, runs: int) -> list[float] | None:
    """From a save to the line saying the new PDF is written. Each save waits until the watcher
    has been quiet for a second, so that a line is never one of an earlier build."""
    doit = str(BIN / "thesisbuild")
    help_text = subprocess.run([doit, "--help"], capture_output=True, text=True).stdout
    if "watch" not in help_text:
        return None
    proc = subprocess.Popen([doit, "watch"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1, env=ENV)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines.put((time.perf_counter(), line))
        lines.put((time.perf_counter(), None))

    threading.Thread(target=read, daemon=True).start()
    times = []
    try:
        for i in range(runs + 1):
            while True:                # quiet for a second: no build under way
                try:
                    _, line = lines.get(timeout=1.0)
                except queue.Empty:
                    break
                if line is None:
                    sys.exit("thesisbuild watch ended early")
            edit(folder, chapters, 1000 + i)
            start = time.perf_counter()
            while True:
                at, line = lines.get(timeout=300)
                if line is None:
                    sys.exit("thesisbuild watch ended early")
                took = re.search(r"thesis\.pdf ([\d.]+) s", line)
                # The line of the build this save started: it came after the save by at least the
                # build's own time (a line of an earlier build would come sooner).
                if took and at - start >= float(took.group(1)):
                    break
            if i:                      # the first save warms the compiler
                times.append(at - start)
    finally:
        proc.send_signal(2)
        proc.wait(timeout=20)
    return times


def latex_baseline(folder: Path) -> float | None:
    if not (shutil.which("latexmk") and shutil.which("xelatex")):
        return None
    sys.path.insert(0, str(ROOT / "src"))
    from thesisbuild.config import load_thesis
    from thesisbuild.render.document import prepare

    cwd = os.getcwd()
    os.chdir(folder)
    try:
        doc = prepare(load_thesis(folder / "thesis.yaml"), warn=False)
    finally:
        os.chdir(cwd)
    import pypandoc

    out = folder / "latex"
    out.mkdir(exist_ok=True)
    (out / "thesis.md").write_text(doc.markdown, encoding="utf-8")
    args = doc.pandoc_args()
    pandoc = pypandoc.get_pandoc_path()

    def once() -> float:
        shutil.rmtree(out / "tex", ignore_errors=True)
        (out / "tex").mkdir()
        start = time.perf_counter()
        subprocess.run([pandoc, *args, "-s", "-t", "latex", "-V", "mainfont=DejaVu Serif",
                        "-o", str(out / "tex" / "thesis.tex"), str(out / "thesis.md")], cwd=folder, check=True,
                       capture_output=True)
        # From the thesis folder, where the Markdown's image paths start.
        proc = subprocess.run(["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error",
                               "-outdir=latex/tex", "latex/tex/thesis.tex"], cwd=folder, capture_output=True,
                              text=True)
        took = time.perf_counter() - start
        if proc.returncode != 0:
            print("latexmk failed; no baseline:\n" + proc.stdout[-1500:], file=sys.stderr)
            return float("nan")
        return took
    return once()


def machine(steps: int) -> str:
    """The processor, and a yardstick to compare machines by: the best of three runs of a plain
    Python loop of `steps` additions."""
    model = "unknown processor"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(steps):
            total += i
        best = min(best, time.perf_counter() - start)
    return f"{model}; a {steps:,}-step Python loop: {best:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one run on a one-chapter thesis, no TeX baseline")
    parser.add_argument("--keep", action="store_true", help="keep the temporary thesis and print its folder")
    args = parser.parse_args()
    runs, chapters = (1, 1) if args.quick else (args.runs, 6)
    doit, tb = str(BIN / "doit"), str(BIN / "thesisbuild")
    folder = Path(tempfile.mkdtemp(prefix="thesisbuild-bench-"))
    # The typst server of this benchmark's own (its socket's folder a short path), stopped at the end.
    servers = Path(tempfile.mkdtemp(prefix="tb-"))
    ENV["THESISBUILD_TYPST_SERVER_DIR"] = str(servers)
    rows: dict[str, list[float]] = {}
    try:
        make_thesis(folder, chapters)
        run([doit, "figure"], folder)
        for _ in range(runs):
            clean(folder)
            stop_servers(servers)         # a first build: typst starts cold, in a new server
            rows.setdefault("clean doit pdf docx", []).append(run([doit, "pdf", "docx"], folder))
        run([doit], folder)
        for _ in range(runs):
            rows.setdefault("no-op doit", []).append(run([doit], folder))
        for i in range(runs):
            edit(folder, chapters, i)
            took, tasks = run_tasks([doit], folder)
            rows.setdefault("edit one chapter -> doit", []).append(took)
            rows.setdefault("  of it: the verify task", []).append(tasks.get("verify", 0.0))
        for _ in range(runs):
            # Every page read and the DOCX validated, as on outputs verify has not seen.
            shutil.rmtree(folder / "build" / "cache" / "verify", ignore_errors=True)
            rows.setdefault("thesisbuild verify, first", []).append(run([tb, "verify"], folder, check=False))
        for _ in range(runs):
            rows.setdefault("thesisbuild verify, again", []).append(run([tb, "verify"], folder, check=False))
        latency = watch_latency(folder, chapters, runs)
        if latency:
            rows["watch: save -> new PDF"] = latency
        tex = [latex_baseline(folder) for _ in range(runs)] if shutil.which("latexmk") and not args.quick else []
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        pages = _pages(folder / "build" / "thesis.pdf")
        print(f"\n{chapters} chapters, {pages} pages, {len(list((folder / 'figures').glob('*.py')))} figures, "
              f"{os.cpu_count()} cores, median of {runs}")
        print(f"machine: {machine(10 ** 6 if args.quick else 10 ** 7)}\n")
        print(f"| {'step':<28} | {'median s':>8} |")
        print(f"|{'-' * 30}|{'-' * 10}:|")
        for name, values in rows.items():
            print(f"| {name:<28} | {statistics.median(values):>8.2f} |")
        if tex and not any(t != t for t in tex):
            clean_pdf = []
            for _ in range(runs):             # as many runs as the baseline had: one run moves by 15 %
                clean(folder)
                stop_servers(servers)
                clean_pdf.append(run([doit, "pdf"], folder))
            ratio = statistics.median(tex) / statistics.median(clean_pdf)
            print(f"| {'clean doit pdf (typst)':<28} | {statistics.median(clean_pdf):>8.2f} |")
            print(f"| {'pandoc + latexmk -xelatex':<28} | {statistics.median(tex):>8.2f} |  ({ratio:.1f}x)")
        print(f"| {'peak memory (MB)':<28} | {peak:>8.0f} |")
        server = server_peak(servers)
        if server is not None:
            print(f"| {'typst server, peak (MB)':<28} | {server:>8.0f} |")
    finally:
        stop_servers(servers)
        shutil.rmtree(servers, ignore_errors=True)
        if args.keep:
            print(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def server_peak(folder: Path) -> float | None:
    """The typst server's peak resident memory (it is no child of this script: a build starts it)."""
    for pid in folder.rglob("*.pid"):
        try:
            status = Path(f"/proc/{int(pid.read_text())}/status").read_text()
        except (OSError, ValueError):
            continue
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if found:
            return int(found.group(1)) / 1024
    return None


def stop_servers(folder: Path) -> None:
    """The typst servers started with their sockets in `folder` stopped, and their files gone."""
    for pid in folder.rglob("*.pid"):
        try:
            os.kill(int(pid.read_text()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
    for path in folder.rglob("*"):
        if path.is_file() or path.is_socket():
            path.unlink(missing_ok=True)


def _pages(pdf: Path) -> int:
    try:
        import pypdfium2

        return len(pypdfium2.PdfDocument(str(pdf)))
    except Exception:
        return 0


if __name__ == "__main__":
    sys.exit(main())
