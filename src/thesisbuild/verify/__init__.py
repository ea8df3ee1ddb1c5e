"""`thesisbuild verify`: measure the PDF and the DOCX against the template profile."""

from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Diagnostic
from ..errors import UserError
from ..i18n import tr
from .common import CODES, Check, close
from .docx import verify_docx
from .pdf import verify_pdf


def verify_files(paths, profile) -> list[Check]:
    """Every rule for each given output, by its kind (.pdf or .docx)."""
    checks: list[Check] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            found = verify_pdf(path, profile)
        elif suffix == ".docx":
            found = verify_docx(path, profile)
        else:
            raise UserError(tr("verify reads .pdf and .docx files; name one of those."), path)
        checks += [replace(check, path=path) for check in found]
    return checks


def failures(checks: list[Check]) -> list[Diagnostic]:
    """The failed rules as Diagnostics; a passed rule is no finding."""
    return [check.diagnostic() for check in checks if not check.ok]


__all__ = ["CODES", "Check", "close", "failures", "verify_files"]
