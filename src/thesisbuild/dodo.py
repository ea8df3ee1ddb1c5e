"""The doit tasks of a thesis: a thesis's dodo.py holds one line, `from thesisbuild.dodo import *`.

`doit list` shows the tasks, each with its description in the message language; each task only
declares its inputs, outputs and a call into thesisbuild.tasks, so every thesis builds with the
installed package's own rules."""

from thesisbuild import tasks
from thesisbuild.i18n import tr

__all__ = ["DOIT_CONFIG", "task_reference_docx", "task_pdf", "task_docx", "task_lint", "task_fix",
           "task_verify", "task_preview", "task_figure", "task_draft", "task_review"]

DOIT_CONFIG = tasks.DOIT_CONFIG
tasks.stop_quietly_on_interrupt()


def task_reference_docx():
    return {**tasks.reference_docx(),
            "doc": tr("Generate build/reference.docx (DOCX styles, numbering and page) from the template profile.")}


def task_pdf():
    return {**tasks.pdf(), "doc": tr("Build build/thesis.pdf with typst (strict: an unknown citation fails the build).")}


def task_docx():
    return {**tasks.docx(), "doc": tr("Build build/thesis.docx with pandoc and the generated reference document.")}


def task_lint():
    return {**tasks.lint(),
            "doc": tr("Check citations and the bibliography; errors fail the build (`thesisbuild lint` for options).")}


def task_fix():
    return {**tasks.fix(),
            "doc": tr("Correct the typo dictionary's words in the chapters (writes the sources; shows the diff).")}


def task_verify():
    return {**tasks.verify(), "doc": tr("Measure build/thesis.pdf and build/thesis.docx against the template profile; "
                                        "a failed rule fails.")}


def task_preview():
    return {**tasks.preview(),
            "doc": tr("Render the cover, Daftar Isi, BAB I and DAFTAR PUSTAKA as PNG in build/preview/.")}


def task_figure():
    yield {"name": None, "doc": tr("Draw the figures in figures/ (each only when its script or data changed) into "
                                   "build/figures/.")}
    yield from tasks.figures()


def task_draft():
    yield {"name": None, "doc": tr("Drafts for the supervisor, one per chapter: `doit draft:{name}`.",
                                   name="01-pendahuluan")}
    yield from tasks.drafts()


def task_review():
    return {**tasks.review(),
            "doc": tr("List what is open in the supervisor's returned drafts in review/ (`thesisbuild review` for "
                      "options, --apply to write the changes).")}
