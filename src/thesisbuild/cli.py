"""The `thesisbuild` command: thin verbs over the package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import UserError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="thesisbuild", description=__doc__)
    parser.add_argument("--version", action="version", version=f"thesisbuild {__version__}")
    parser.add_argument("--config", type=Path, help="path to thesis.yaml (default: found upwards)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    build = verbs.add_parser("build", help="build build/thesis.pdf and build/thesis.docx")
    build.add_argument("--pdf", action="store_true", help="only the PDF")
    build.add_argument("--docx", action="store_true", help="only the DOCX")

    verbs.add_parser("check", help="check that every citation has a bibliography entry")

    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return 2
    try:
        return _run(args)
    except UserError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from .config import load_thesis

    if args.verb == "build":
        from .build import build_docx, build_pdf, build_reference

        thesis = load_thesis(args.config)
        both = not (args.pdf or args.docx)
        if args.pdf or both:
            build_pdf(thesis)
        if args.docx or both:
            build_reference(thesis)
            build_docx(thesis, warn=not both)
        return 0
    if args.verb == "check":
        from .render.document import prepare

        doc = prepare(load_thesis(args.config))
        print(f"thesisbuild: {len(doc.citations)} citations of {len({c.key for c in doc.citations})} works "
              f"all resolve against {len(doc.references)} bibliography entries.", file=sys.stderr)
        return 0
    raise AssertionError(args.verb)


if __name__ == "__main__":
    sys.exit(main())
