"""thesisbuild: a reproducible build of an Indonesian thesis from Markdown chapters."""

__version__ = "0.1.0"
