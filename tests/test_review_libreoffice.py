"""`thesisbuild review` on a draft returned by real LibreOffice: the supervisor's tracked changes and
comments (with a reply, and one over two paragraphs) made through LibreOffice's own API by
tests/libreoffice_edit.py and saved as Word 2007-365, not written by hand as in tests/test_review.py.

Skipped when LibreOffice (soffice) or the system Python's `uno` module (python3-uno) is missing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_review import CHAPTER_2, draft, place, project, review, sent  # noqa: F401

SCRIPT = Path(__file__).resolve().with_name("libreoffice_edit.py")
SYSTEM_PYTHON = "/usr/bin/python3"      # LibreOffice's `uno` lives there, not in the venv

EDITS = [
    {"op": "delete", "text": " (Hopf, 2002)"},                               # a citation's rendered text
    {"op": "insert", "before": "Kazakhstan yang", "text": "negara "},
    {"op": "replace", "text": "besar sekali", "new": "sangat besar"},        # a table cell
    {"op": "replace", "text": "Mitra dagang utama", "new": "Mitra dagang terbesar"},   # the table's caption
    {"op": "comment", "start": "dikonstruksi secara sosial", "text": "sumber?",
     "reply": {"author": "Budi", "text": "sudah saya tambahkan"}},
    {"op": "comment", "start": "negara besar.", "end": "Kebijakan multivektor",          # over two paragraphs
     "text": "paragraf ini terlalu panjang"},
]

EXPECTED_APPLIED = (CHAPTER_2
                    .replace(" [@hopf2002]", "")
                    .replace("Kazakhstan yang", "negara Kazakhstan yang")
                    .replace("besar sekali", "sangat besar")
                    .replace("Mitra dagang utama", "Mitra dagang terbesar"))


def system_env() -> dict[str, str]:
    """The environment without this venv's Python settings, for the system Python."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


@pytest.fixture(scope="session")
def libreoffice() -> None:
    """Skip, saying what is missing, unless soffice and the system Python's `uno` are there."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: no real LibreOffice file to review")
    try:
        proc = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True,
                              env=system_env(), timeout=60)
        missing = proc.returncode != 0
    except OSError:
        missing = True
    if missing:
        pytest.skip(f"{SYSTEM_PYTHON} cannot `import uno` (install python3-uno): LibreOffice cannot be "
                    "driven to make the returned file")


def edit_in_libreoffice(source: Path, target: Path, edits: list[dict], folder: Path) -> Path:
    spec = folder / "edits.json"
    spec.write_text(json.dumps(edits, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(source), str(target), str(spec)], capture_output=True,
                          text=True, env=system_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert target.is_file()
    return target


def undated(text: str) -> str:
    """LibreOffice dates its changes and comments now: the date is not what is checked."""
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "DATE", text)


def test_a_file_returned_by_libreoffice_names_each_item_at_its_place_and_applies(libreoffice, project: Path,
                                                                                 tmp_path: Path):
    returned = edit_in_libreoffice(draft(project), project / "bab2-sari-libreoffice.docx", EDITS, tmp_path)
    proc = review(project, str(returned))
    assert proc.returncode == 0, proc.stderr
    out = undated(proc.stdout)
    lines = out.splitlines()
    at = lambda words: f"chapters/02-tinjauan.md:{place(CHAPTER_2, words)}: "   # noqa: E731
    comment = (at("dikonstruksi secara sosial") + 'REV001 [info] comment (Dr. Sari, DATE): "sumber?" on '
               '"dikonstruksi secara sosial"')
    assert comment in out, out
    # The reply (LibreOffice 7's point comment quoting the comment) is threaded under it, without the quote.
    below = lines[next(n for n, line in enumerate(lines) if line.startswith(comment)) + 1]
    assert below.startswith("    ↳ reply (Budi, "), out
    assert below == '    ↳ reply (Budi, DATE): "sudah saya tambahkan"', out
    assert (at("negara besar.") + 'REV001 [info] comment (Dr. Sari, DATE): "paragraf ini terlalu panjang" on '
            '"negara besar. ¶ Kebijakan multivektor"') in out, out
    # The citation's rendered text deleted: the Markdown citation is what goes.
    assert at(" [@hopf2002]") + 'REV003 [info] deletion "(Hopf, 2002)"' in out, out
    assert at("Kazakhstan yang") + 'REV002 [info] insertion "negara"' in out, out
    assert (at("Mitra dagang utama") + 'REV004 [info] replacement "Mitra dagang utama" → "Mitra dagang terbesar"'
            in out), out
    assert at("besar sekali") + 'REV004 [info] replacement "besar sekali" → "sangat besar"' in out, out
    assert sum(" REV0" in line for line in lines) == 6, out      # nothing else: no empty anchor insertions
    assert "Reply to" not in out
    assert "review: bab2-sari-libreoffice.docx: 6 items, 6 open." in proc.stderr.replace(str(project) + "/", "")

    applied = review(project, str(returned), "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "applied 4 changes." in applied.stderr
    assert (project / "chapters" / "02-tinjauan.md").read_text(encoding="utf-8") == EXPECTED_APPLIED
    again = review(project, str(returned))
    assert again.stdout.count("already in the chapter") == 4, again.stdout
