"""`thesisbuild verify`: measure the PDF and the DOCX against the template profile."""

from __future__ import annotations

import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from ..diagnostics import Diagnostic
from ..errors import UserError
from ..i18n import tr
from .common import CODES, Check, close
from .docx import read_document, validate_package, verify_docx
from .schema import early_check
from .rendered import rendered_pages
from .pdf import is_draft, verify_pdf


def verify_files(paths, profile, render: bool = False, cache: Path | None = None) -> list[Check]:
    """Every rule for each given output, by its kind (.pdf or .docx); with `render`, the DOCX's
    lists against a LibreOffice rendering too (verify/rendered.py); `cache`, a folder where the
    schema check keeps what it found valid and the PDF's reading keeps the pages it read, for the
    next run (verify/schema.py, verify/page_keys.py)."""
    checks: list[Check] = []
    for path in paths:
        if path.suffix.lower() not in (".pdf", ".docx"):
            raise UserError(tr("verify reads .pdf and .docx files; name one of those."), path)
        if path.suffix.lower() == ".pdf" and is_draft(path):
            raise UserError(tr("this PDF is a chapter's draft, whose pages are not the thesis's; verify measures the "
                               "thesis's PDF, and a draft through its DOCX (build/drafts/<chapter>.docx)."), path)
    # The DOCX's schema validation (about a second for 150 pages) runs in a process of its own
    # while the PDF is read: the one doit's DOCX task started for it, or one forked here.
    early = {path: early_check(path) for path in paths if path.suffix.lower() == ".docx" and path.is_file()}
    # Forked where fork is (a new interpreter would load openxml-audit again), else a new one (Windows).
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        schema = {path: (functools.partial(started.findings, path) if started else
                         pool.submit(validate_package, str(path), str(cache) if cache else None).result)
                  for path, started in early.items()}
        for path in paths:
            if path.suffix.lower() == ".pdf":
                # While the schema validation takes one core, the PDF is read on the other alone.
                found = verify_pdf(path, profile, processes=1 if schema and os.cpu_count() and os.cpu_count() <= 2 else 2,
                                   cache=cache)
            else:
                found = verify_docx(path, profile, schema.get(path))
                if render:
                    found.append(rendered_pages(path, read_document(path)))
            checks += [replace(check, path=path) for check in found]
    return checks


def failures(checks: list[Check]) -> list[Diagnostic]:
    """The failed rules as Diagnostics; a passed rule is no finding."""
    return [check.diagnostic() for check in checks if not check.ok]


__all__ = ["CODES", "Check", "close", "failures", "verify_files"]
