"""`thesisbuild verify --reproducible`: the thesis built again from a copy of its sources."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .build import build_all
from .config import Thesis, load_thesis, outputs
from .epoch import source_date_epoch

_COPY_IGNORED = ("build", ".git", ".venv", "venv", "node_modules", "__pycache__", ".doit.db*")


def rebuild_and_compare(thesis: Thesis) -> list[tuple[str, bool]]:
    """The thesis built again from a copy of its sources in a temporary folder, with the same
    SOURCE_DATE_EPOCH: for each output, whether the copy's bytes equal build/'s."""
    out = outputs(thesis)
    epoch = str(source_date_epoch(thesis.root))
    with tempfile.TemporaryDirectory(prefix="thesisbuild-reproduce-") as tmp:
        copy = Path(tmp) / "thesis"
        shutil.copytree(thesis.root, copy, ignore=shutil.ignore_patterns(*_COPY_IGNORED), symlinks=True)
        saved = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = epoch
        try:
            build_all(copy / thesis.config_path.name)
        finally:
            if saved is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = saved
        again = outputs(load_thesis(copy / thesis.config_path.name))
        return [(out[kind].name, out[kind].is_file() and again[kind].is_file()
                 and out[kind].read_bytes() == again[kind].read_bytes()) for kind in ("pdf", "docx")]
