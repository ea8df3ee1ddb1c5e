"""The `thesisbuild` command: thin verbs over the package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import UserError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="thesisbuild",
        description="Build an Indonesian thesis (skripsi) from Markdown chapters into a PDF and a DOCX that "
                    "follow the university template, and check its citations, bibliography and typos. "
                    "`doit` runs the whole build; these verbs run its parts.")
    parser.add_argument("--version", action="version", version=f"thesisbuild {__version__}")
    parser.add_argument("--config", type=Path, help="path to thesis.yaml (default: found upwards)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    build = verbs.add_parser("build", help="build build/thesis.pdf and build/thesis.docx")
    build.add_argument("--pdf", action="store_true", help="only the PDF")
    build.add_argument("--docx", action="store_true", help="only the DOCX")

    verbs.add_parser("check", help="check that every citation has a bibliography entry")

    lint = verbs.add_parser("lint", help="check citations, the bibliography and typos (a CI gate)")
    _lint_options(lint)
    lint.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    lint.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                      help="exit 1 when a finding is at or above this severity (default: error)")

    fix = verbs.add_parser("fix", help="correct the dictionary's typos, pandoc-crossref syntax and the letter case "
                                       "of image paths in the chapters (atomic writes)")
    _lint_options(fix)
    fix.add_argument("--citations", action="store_true",
                     help="instead, apply the citation fixes: CIT005 locator form, CIT007 prose to pandoc syntax")
    fix.add_argument("--select", metavar="CODES", help="only these fixable codes, e.g. CIT005")
    fix.add_argument("--diff", action="store_true", help="show the changes without writing them")

    draft = verbs.add_parser("draft", help="a chapter alone for the supervisor, and what changed since the last one")
    draft.add_argument("chapter", help="the chapter, by file name without .md (e.g. 01-pendahuluan)")
    draft.add_argument("--mark-sent", action="store_true",
                       help="record that this chapter went to the supervisor (a snapshot in drafts/)")

    verify = verbs.add_parser("verify", help="measure the PDF and DOCX against the template profile")
    verify.add_argument("outputs", nargs="*", type=Path, metavar="FILE",
                        help="build/thesis.pdf and build/thesis.docx by default")

    preview = verbs.add_parser("preview", help="render the cover, Daftar Isi, BAB I and DAFTAR PUSTAKA as PNG")
    preview.add_argument("--out", type=Path, default=None, help="folder for the PNGs (default build/preview)")
    preview.add_argument("--ppi", type=int, default=60)

    typos = verbs.add_parser("typos", help="suspect words, as lines ready for typos.yaml")
    _lint_options(typos)
    typos.add_argument("--suggest", action="store_true", help="print typos.yaml lines for likely misspellings")

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
        from .build import build_docx, build_pdf, build_reference, ensure_figures

        thesis = load_thesis(args.config)
        ensure_figures(thesis)
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
    if args.verb == "lint":
        return _lint(args)
    if args.verb == "fix":
        return _fix(args)
    if args.verb == "typos":
        return _typos(args)
    if args.verb == "draft":
        from .drafts import build_draft, find_draft, mark_sent
        from .errors import display_path

        thesis = load_thesis(args.config)
        chapter = find_draft(thesis, args.chapter)
        if args.mark_sent:
            path = mark_sent(thesis, chapter)
            print(f"thesisbuild: kept {display_path(path)} as the draft sent; commit it with the thesis.",
                  file=sys.stderr)
            return 0
        from .build import ensure_figures

        ensure_figures(thesis)
        for path in build_draft(thesis, chapter):
            print(f"thesisbuild: wrote {display_path(path)}", file=sys.stderr)
        return 0
    if args.verb == "verify":
        from .build import outputs
        from .verify import verify_files

        thesis = load_thesis(args.config)
        paths = args.outputs or [outputs(thesis)["pdf"], outputs(thesis)["docx"]]
        checks = verify_files(paths, thesis.profile)
        for check in checks:
            print(check.line())
        failed = [c for c in checks if not c.ok]
        print(f"thesisbuild verify: {len(checks) - len(failed)} of {len(checks)} rules pass"
              f" against the profile '{thesis.profile.name}'.", file=sys.stderr)
        return 1 if failed else 0
    if args.verb == "preview":
        from .preview import write_previews

        thesis = load_thesis(args.config)
        for path in write_previews(thesis, args.out, args.ppi):
            print(path)
        return 0
    raise AssertionError(args.verb)


def _lint_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", type=Path, metavar="FILES", help="chapters (default: thesis.yaml's)")
    p.add_argument("--bibliography", action="append", type=Path, default=[], metavar="PATH",
                   help="a CSL-YAML, CSL-JSON or BibTeX file; repeat for several")
    p.add_argument("--lang", help="the thesis language, e.g. id-ID (default: thesis.yaml's, else id-ID)")
    p.add_argument("--typos", type=Path, metavar="PATH", help="the typo dictionary (default: thesis.yaml's)")
    p.add_argument("--words", type=Path, metavar="PATH", help="the thesis's word list (default: words.txt)")


def _lint_request(args: argparse.Namespace):
    from .config import find_config, load_thesis
    from .lint import LintRequest

    thesis = None
    needs_bibliography = args.verb == "lint" or (args.verb == "fix" and args.citations)
    if (needs_bibliography and not args.bibliography) or not args.files:
        try:
            config = args.config or find_config()
        except UserError:
            if needs_bibliography and not args.bibliography:
                raise UserError("no thesis.yaml here and no --bibliography given; run inside a thesis "
                                "repository or pass --bibliography PATH and the chapter files.") from None
            raise UserError("no chapter files given and no thesis.yaml to list them; pass the files.") from None
        thesis = load_thesis(config)
    chapters = [p.resolve() for p in args.files] or (thesis.chapters if thesis else [])
    bibs = [p.resolve() for p in args.bibliography] or (thesis.bibliography if thesis else [])
    typos = args.typos.resolve() if args.typos else (thesis.typos if thesis else None)
    words = args.words.resolve() if args.words else (thesis.words if thesis else None)
    for path, what in ((typos, "typo dictionary"), (words, "word list")):
        if path is not None and not path.is_file():
            raise UserError(f"the {what} does not exist; create it or correct the path.", path)
    return LintRequest(chapters=chapters, bibliographies=bibs,
                       lang=args.lang or (thesis.lang if thesis else "id-ID"),
                       csl=thesis.csl if thesis else None,
                       severity=thesis.lint_severity if thesis else {}, typos=typos, words=words,
                       root=thesis.root if thesis else Path.cwd(),
                       bibliography_title=thesis.profile.get("bibliography.title") if thesis else None,
                       # A thesis checks its words; loose files only when a word list is named.
                       suspects=thesis is not None or args.words is not None or args.typos is not None)


def _lint(args: argparse.Namespace) -> int:
    from .diagnostics import Severity
    from .lint import run_lint
    from .report import FORMATS, summary

    result = run_lint(_lint_request(args))
    sys.stdout.write(FORMATS[args.format](result.diagnostics, result.texts))
    print(f"thesisbuild lint: {summary(result.diagnostics)}", file=sys.stderr)
    if args.fail_on == "never":
        return 0
    worst = result.worst()
    return 1 if worst is not None and worst >= Severity.parse(args.fail_on) else 0


def _fix(args: argparse.Namespace) -> int:
    from .diagnostics import RULES
    from .fixes import fix_files
    from .lint import run_lint

    # Citations on request; otherwise the typo dictionary, cross-reference syntax and image paths.
    families = ("CIT",) if args.citations else ("TYP", "XRF", "IMG")
    codes = {c for c, r in RULES.items() if r.fixable and c.startswith(families)}
    if args.select:
        wanted = {c.strip().upper() for c in args.select.split(",") if c.strip()}
        unknown = wanted - codes
        if unknown:
            raise UserError(f"--select names codes that have no fix here: {', '.join(sorted(unknown))}; "
                            f"use {', '.join(sorted(codes))}.")
        codes = wanted
    request = _lint_request(args)
    request.severity = {}
    request.suspects = False
    if args.citations:
        request.typos = None
        request.structure = False
    else:
        request.citations = False
        if request.typos is None and args.select and any(c.startswith("TYP") for c in codes):
            raise UserError("no typo dictionary: create typos.yaml (wrong: right, one per line) or pass "
                            "--typos PATH; --citations fixes citations instead.")
    result = run_lint(request)
    chosen = [d for d in result.diagnostics if d.code in codes and d.fix is not None]
    diff, count = fix_files(chosen, result.texts, write=not args.diff)
    if args.diff:
        sys.stdout.write(diff)
        print(f"thesisbuild fix: {count} fix{'es' if count != 1 else ''} would be applied (nothing written).",
              file=sys.stderr)
    else:
        print(f"thesisbuild fix: applied {count} fix{'es' if count != 1 else ''}.", file=sys.stderr)
    return 0


def _typos(args: argparse.Namespace) -> int:
    from .checks.typos import suggestions
    from .sources import Source
    from .words import load_word_list

    if not args.suggest:
        raise UserError("say what to do: --suggest prints typos.yaml lines for likely misspellings.")
    from .typos import load_dictionary

    request = _lint_request(args)
    dictionary = load_dictionary(request.typos) if request.typos else None
    lines = suggestions([Source.read(p) for p in request.chapters], load_word_list(request.words), dictionary)
    sys.stdout.write("".join(line + "\n" for line in lines))
    print(f"thesisbuild typos: {len(lines)} suggestion{'s' if len(lines) != 1 else ''}; review each "
          "before you paste it into typos.yaml.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
