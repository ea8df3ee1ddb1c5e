"""What every verify rule reports: a Check, and the tolerance it measures with."""

from __future__ import annotations

from dataclasses import dataclass
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
