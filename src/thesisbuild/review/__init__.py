"""The supervisor's answer: a returned DOCX's comments and tracked changes at their place in the
Markdown (`thesisbuild review`), and the changes the student accepts written into the chapters."""

from __future__ import annotations

from pathlib import Path

from ..config import Thesis
from ..errors import UserError, display_path
from ..i18n import plural, tr
from .items import Item, Review, review_file
from ..drafts import find_draft, mark_sent, text_hash
from .apply import diff, parse_selection, plan, write
from .register import record_returned, record_sent
from .report import checklist, diagnostics, texts

REVIEW_FOLDER = "review"


def returned_files(thesis: Thesis, paths: list[Path]) -> list[Path]:
    """The files named, or every DOCX in review/ (the folder returned drafts are put in)."""
    if paths:
        return [Path(p) for p in paths]
    folder = thesis.root / REVIEW_FOLDER
    found = sorted(p for p in folder.glob("*.docx") if not p.name.startswith("~$")) if folder.is_dir() else []
    if not found:
        raise UserError(tr("no returned draft to review: put the DOCX the supervisor sent back into review/, or "
                           "give its path: thesisbuild review FILE.docx"), folder)
    return found


def review_files(thesis: Thesis, paths: list[Path]) -> tuple[list[Review], list[UserError]]:
    """Each file reviewed, its items numbered across all of them; a file that cannot be read is
    returned as its error, and the others are still reviewed."""
    reviews, errors = [], []
    for path in paths:
        try:
            reviews.append(review_file(thesis, path))
        except UserError as err:
            errors.append(err)
    number_items(reviews)
    return reviews, errors


def number_items(reviews: list[Review]) -> None:
    """Items numbered across all the files reviewed together, so that `--select 3` names one item."""
    n = 0
    for review in reviews:
        for item in review.items:
            n += 1
            item.number = n


def is_open(item: Item) -> bool:
    """Still to be dealt with: a change not in the chapter yet, a comment not marked done."""
    return not item.done and item.status != "applied"


def mark_sent_and_record(thesis: Thesis, name: str) -> Path:
    """`thesisbuild draft --mark-sent`: the chapter's snapshot, and its line in drafts/register.yaml."""
    draft = find_draft(thesis, name)
    path = mark_sent(thesis, draft)
    record_sent(thesis.root, draft.name, path, text_hash(path.read_text(encoding="utf-8")), _today())
    return path


def keep_sent(thesis: Thesis, reviews: list[Review], paths: set[Path]) -> list[Path]:
    """Before the review's changes are written into a chapter whose draft was never marked sent,
    the text the draft was built from is kept as its snapshot: the review finds the places in it
    again, and the next draft's changes are counted from it."""
    kept = []
    for review in reviews:
        for chapter in review.chapters:
            if chapter.exact and chapter.sent is None and chapter.path in paths:
                draft = find_draft(thesis, chapter.name)
                chapter.sent = mark_sent(thesis, draft, text=chapter.old)
                record_sent(thesis.root, chapter.name, chapter.sent, text_hash(chapter.old), _today())
                kept.append(chapter.sent)
    return kept


def _today():
    import datetime as dt

    return dt.date.today()


def record(thesis: Thesis, review: Review, applied: int = 0) -> str:
    """The file's line in drafts/register.yaml brought up to date; the summary line to print."""
    sent = next((c.sent for c in review.chapters if c.sent is not None), None)
    still = sum(map(is_open, review.items)) - applied
    record_returned(thesis.root, [c.name for c in review.chapters], review.returned.path,
                    display_path(sent) if sent else None, len(review.items), still, applied)
    return tr(plural(len(review.items), "thesisbuild review: {file}: {count} item, {open} open.",
                     "thesisbuild review: {file}: {count} items, {open} open."),
              file=display_path(review.returned.path), count=len(review.items), open=still)


__all__ = ["Item", "Review", "checklist", "diagnostics", "diff", "is_open", "keep_sent", "mark_sent_and_record",
           "number_items", "review_files",
           "parse_selection", "plan", "record", "returned_files", "review_file", "texts", "write"]
