"""Renderers: the same prepared document becomes a PDF (typst) and a DOCX (pandoc)."""
