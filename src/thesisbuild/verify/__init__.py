"""`thesisbuild verify`: measure the PDF and the DOCX against the template profile."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import tr


@dataclass(frozen=True)
class Check:
    rule: str          # "pdf.margins", "docx.styles.body", …
    ok: bool
    measured: str
    expected: str

    def line(self) -> str:
        status = "PASS" if self.ok else "FAIL"
        return f"{status}  {self.rule:<24} {self.measured}  " + tr("(expected {expected})", expected=self.expected)


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance


def verify_files(paths, profile) -> list[Check]:
    """Every rule for each given output, by its kind (.pdf or .docx)."""
    from ..errors import UserError
    from .docx import verify_docx
    from .pdf import verify_pdf

    checks: list[Check] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            checks += verify_pdf(path, profile)
        elif suffix == ".docx":
            checks += verify_docx(path, profile)
        else:
            raise UserError(tr("verify reads .pdf and .docx files; name one of those."), path)
    return checks
