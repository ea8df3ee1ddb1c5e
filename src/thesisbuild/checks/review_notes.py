"""REV007: a supervisor's comment that `thesisbuild review --annotate` wrote into a chapter, listed
by the lint until the student deals with it and removes it (the build ignores it: a comment)."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic
from ..i18n import tr
from ..sources import Source

NOTE = re.compile(r"<!--\s*review:\s*(?P<text>.*?)\s*-->", re.S)


def check_review_notes(sources: list[Source]) -> list[Diagnostic]:
    out = []
    for source in sources:
        if "review:" not in source.text:
            continue
        for m in NOTE.finditer(source.text):
            out.append(Diagnostic.at("REV007", source, m.start(), m.end(), tr(
                'review note "{text}": deal with it, then remove the comment', text=" ".join(m.group("text").split()))))
    return out
