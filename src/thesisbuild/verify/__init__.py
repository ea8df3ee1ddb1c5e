"""`thesisbuild verify`: measure the PDF and the DOCX against the template profile."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..diagnostics import RULES, Diagnostic
from ..i18n import tr

# Each rule's stable code, from the one rule table (VFY001 pdf.page-size, …).
CODES = {rule.name: rule.code for rule in RULES.values() if rule.code.startswith("VFY")}


@dataclass(frozen=True)
class Check:
    rule: str          # "pdf.margins", "docx.style.body", …
    ok: bool
    measured: str
    expected: str
    page: int | None = None     # the first PDF page found wrong, when the rule measures pages
    path: Path | None = None    # the output measured

    @property
    def code(self) -> str:
        return CODES[self.rule]

    def diagnostic(self) -> Diagnostic:
        """A failed rule as a finding: at the output measured, with the PDF page as its line."""
        return Diagnostic.of(self.code, tr("{measured} (expected {expected})", measured=self.measured,
                                           expected=self.expected), self.path, self.page)

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
