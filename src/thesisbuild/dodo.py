"""The doit tasks of a thesis: a thesis's dodo.py holds one line, `from thesisbuild.dodo import *`.

`doit list` shows the tasks; each one only declares its inputs, outputs and a call into
thesisbuild.tasks, so every thesis builds with the installed package's own rules."""

from thesisbuild import tasks

__all__ = ["DOIT_CONFIG", "task_reference_docx", "task_pdf", "task_docx", "task_lint", "task_fix",
           "task_verify", "task_preview", "task_figure", "task_draft"]

DOIT_CONFIG = tasks.DOIT_CONFIG


def task_reference_docx():
    """Generate build/reference.docx (DOCX styles, numbering and page) from the template profile."""
    return tasks.reference_docx()


def task_pdf():
    """Build build/thesis.pdf with typst (strict: an unknown citation fails the build)."""
    return tasks.pdf()


def task_docx():
    """Build build/thesis.docx with pandoc and the generated reference document."""
    return tasks.docx()


def task_lint():
    """Check citations and the bibliography; errors fail the build (`thesisbuild lint` for options)."""
    return tasks.lint()


def task_fix():
    """Correct the typo dictionary's words in the chapters (writes the sources; shows the diff)."""
    return tasks.fix()


def task_verify():
    """Measure build/thesis.pdf and build/thesis.docx against the template profile; a failed rule fails."""
    return tasks.verify()


def task_preview():
    """Render the cover, Daftar Isi, BAB I and DAFTAR PUSTAKA as PNG in build/preview/."""
    return tasks.preview()


def task_figure():
    """Draw the figures in figures/ (each only when its script or data changed) into build/figures/."""
    yield from tasks.figures()


def task_draft():
    """Drafts for the supervisor, one per chapter: `doit draft:01-pendahuluan`."""
    yield from tasks.drafts()
