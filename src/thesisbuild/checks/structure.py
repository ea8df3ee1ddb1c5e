"""The checks that guard what the build renders: raw LaTeX, cross-references and links, images.
The lint reports them all; the build stops on the errors and prints the warnings."""

from __future__ import annotations

from pathlib import Path

from ..config import Profile
from ..diagnostics import Diagnostic, Severity
from ..errors import UserError
from ..i18n import plural, tr
from ..report import print_diagnostics
from ..sources import Source
from .crossrefs import check_crossrefs
from .document import check_document
from .images import check_images
from .latex import check_latex
from .raw import check_raw
from .review_notes import check_review_notes


def check_structure(sources: list[Source], root: Path, profile: Profile | None = None,
                    texts: list[Source] = ()) -> list[Diagnostic]:
    """With the thesis's profile: its reference-list title (DOC001), chapter label (DOC009) and
    bracket depth (DOC007). `texts` are the front-matter texts (abstrak, kata pengantar): their
    LaTeX, raw blocks, references and images are checked like a chapter's, not their headings."""
    bibliography_title = profile.bibliography.title if profile else None
    document = check_document(sources, profile.headings.chapter.label, profile.limits.bracket_depth) if profile \
        else check_document(sources)
    every = [*sources, *texts]
    return (document + check_latex(every) + check_raw(every) + check_crossrefs(every, bibliography_title)
            + check_images(every, root) + check_review_notes(sources))


def enforce(diagnostics: list[Diagnostic], severity: dict | None = None) -> None:
    """For the build: the first error stops it at its place (the others are counted); warnings are
    printed at their place. `severity` is thesis.yaml's lint.severity (None switches a rule off)."""
    kept = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        if severity and d.code in severity:
            if severity[d.code] is None:
                continue
            d = d.with_severity(severity[d.code])
        kept.append(d)
    errors = [d for d in kept if d.severity >= Severity.ERROR]
    print_diagnostics([d for d in kept if d.severity == Severity.WARNING])
    if errors:
        first = errors[0]
        more = len(errors) - 1
        message = first.message + (tr(plural(more, " ({count} more such problem: run thesisbuild lint)",
                                             " ({count} more such problems: run thesisbuild lint)"), count=more)
                                   if more else "")
        raise UserError(message, first.path, first.line, first.column, code=first.code)
