"""The `thesisbuild` command: thin verbs over the package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import UserError, display_path, file_error
from .fsutil import remove_stale
from .i18n import N_, parse_language, plural, set_language, tr

# argparse's own words (it looks each up through its module-level `_`), so --help and usage errors
# speak the chosen language too.
_ARGPARSE_WORDS = (N_("usage: "), N_("positional arguments"), N_("options"),
                   N_("show this help message and exit"), N_("show program's version number and exit"),
                   N_("%(prog)s: error: %(message)s\n"), N_("the following arguments are required: %s"),
                   N_("invalid choice: %(value)r (choose from %(choices)s)"),
                   N_("unrecognized arguments: %s"), N_("expected one argument"),
                   N_("argument %(argument_name)s: %(message)s"))


def _message_language(argv: list[str]) -> str | None:
    """The --lang given before the verb, read before the parser is built so that --help speaks it too."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-") and (i == 0 or argv[i - 1] != "--config"):
            return None             # the verb: a --lang after it is the verb's own option
    return None


def _ppi(value: str) -> int:
    """Pixels per inch for the previews: a whole number from 10 to 600."""
    try:
        ppi = int(value)
    except ValueError:
        ppi = 0
    if not 10 <= ppi <= 600:
        raise argparse.ArgumentTypeError(tr("--ppi '{value}' is not a resolution; give a whole number from 10 to 600.",
                                            value=value))
    return ppi


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wanted = _message_language(argv)
    if wanted is not None:
        try:
            set_language(parse_language(wanted))
        except ValueError:
            print(tr("error: --lang '{value}' is not a message language; use en (English) or id (Indonesian).",
                     value=wanted), file=sys.stderr)
            return 2
    argparse._ = tr
    parser = argparse.ArgumentParser(
        prog="thesisbuild",
        description=tr("Build a thesis from Markdown chapters into a PDF and a DOCX that follow the "
                       "university template, and check its citations, bibliography and typos. `doit` runs the "
                       "whole build; these verbs run its parts."))
    parser.add_argument("--version", action="version", version=f"thesisbuild {__version__}")
    parser.add_argument("--config", type=Path, help=tr("path to thesis.yaml (default: found upwards)"))
    parser.add_argument("--lang", dest="message_lang", metavar="en|id",
                        help=tr("the language of these messages: en or id (default: THESISBUILD_LANG, "
                                "else the locale)"))
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    new = verbs.add_parser("new", help=tr("start a thesis in a new folder: every file it needs, ready for `doit`"))
    new.add_argument("folder", type=Path, metavar="DIR",
                     help=tr("the new thesis's folder (must not exist or be empty)"))
    new.add_argument("--lang", choices=["id", "en"], default="id",
                     help=tr("the thesis language: id (Indonesian, default) or en (English)"))

    init = verbs.add_parser("init", help=tr("add thesis.yaml and the build files to a folder of Markdown chapters"))
    init.add_argument("folder", type=Path, nargs="?", default=Path("."), metavar="DIR",
                      help=tr("the folder that holds the chapters (default: this folder)"))

    build = verbs.add_parser("build", help=tr("build build/thesis.pdf and build/thesis.docx"))
    build.add_argument("--pdf", action="store_true", help=tr("only the PDF"))
    build.add_argument("--docx", action="store_true", help=tr("only the DOCX"))

    verbs.add_parser("check", help=tr("check that every citation has a bibliography entry"))

    lint = verbs.add_parser("lint", help=tr("check citations, the bibliography and typos (a CI gate)"))
    _lint_options(lint)
    lint.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    lint.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                      help=tr("exit 1 when a finding is at or above this severity (default: error)"))

    fix = verbs.add_parser("fix", help=tr("correct the dictionary's typos, pandoc-crossref syntax and the letter "
                                          "case of image paths in the chapters (atomic writes)"))
    _lint_options(fix)
    fix.add_argument("--citations", action="store_true",
                     help=tr("instead, apply the citation fixes: CIT005 locator form, CIT007 prose to pandoc syntax"))
    fix.add_argument("--select", metavar="CODES", help=tr("only these fixable codes, e.g. CIT005"))
    fix.add_argument("--diff", action="store_true", help=tr("show the changes without writing them"))

    draft = verbs.add_parser("draft", help=tr("a chapter alone for the supervisor, and what changed since the last one"))
    draft.add_argument("chapter", help=tr("the chapter, by file name without .md (e.g. 01-pendahuluan)"))
    draft.add_argument("--mark-sent", action="store_true",
                       help=tr("record that this chapter went to the supervisor (a snapshot in drafts/)"))

    review = verbs.add_parser("review", help=tr("the supervisor's comments and tracked changes in a returned DOCX, at "
                                                "their place in the chapters; --apply writes the changes you accept"))
    review.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help=tr("the DOCX files that came back (default: every .docx in review/)"))
    review.add_argument("--format", choices=["text", "json", "github", "sarif", "md"], default="text",
                        help=tr("text: one line per item; md: a checklist to tick off; json, github, sarif as the lint"))
    review.add_argument("--apply", action="store_true",
                        help=tr("write the tracked insertions, deletions, replacements and moves into the chapters "
                                "(atomic; never where you changed the text since the draft was sent)"))
    review.add_argument("--annotate", action="store_true",
                        help=tr("write each open comment into the chapter as <!-- review: author: text --> (the build "
                                "ignores it; the lint lists it until you remove it)"))
    review.add_argument("--diff", action="store_true", help=tr("show what --apply or --annotate would write, and write "
                                                                "nothing"))
    review.add_argument("--select", metavar="ITEMS", help=tr("only these items: numbers and codes, e.g. 1,3,5-7,REV004"))
    review.add_argument("--author", metavar="NAME", help=tr("only the items of this reviewer"))
    review.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="never",
                        help=tr("exit 1 when an item is at or above this severity (default: never)"))

    verify = verbs.add_parser("verify", help=tr("measure the PDF and DOCX against the template profile"))
    verify.add_argument("outputs", nargs="*", type=Path, metavar="FILE",
                        help=tr("build/thesis.pdf and build/thesis.docx by default"))
    verify.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text",
                        help=tr("text: a PASS or FAIL line per rule; the others: each failed rule as a finding"))
    verify.add_argument("--reproducible", action="store_true",
                        help=tr("also build the thesis again in a temporary folder and compare the outputs byte "
                                "for byte"))
    verify.add_argument("--render", action="store_true",
                        help=tr("also render the DOCX with LibreOffice, when it is installed, and check that each "
                                "entry of Daftar Isi and the lists is on the page they give"))
    verify.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                        help=tr("exit 1 when a finding is at or above this severity (default: error)"))

    preview = verbs.add_parser("preview", help=tr("render the cover, the table of contents, the first chapter and the references as PNG"))
    preview.add_argument("--out", type=Path, default=None, help=tr("folder for the PNGs (default build/preview)"))
    preview.add_argument("--ppi", type=_ppi, default=60)

    verbs.add_parser("watch", help=tr("rebuild build/thesis.pdf on every save of a chapter, thesis.yaml, the "
                                      "bibliography, a figure or a front text (Ctrl-C ends it)"))

    typos = verbs.add_parser("typos", help=tr("suspect words, as lines ready for typos.yaml"))
    _lint_options(typos)
    typos.add_argument("--suggest", action="store_true", help=tr("print typos.yaml lines for likely misspellings"))

    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return 2
    try:
        return _run(args)
    except UserError as err:
        print(err, file=sys.stderr)
        return 2
    except OSError as err:
        print(file_error(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    # lazy: start-up time; each verb loads only what it runs
    from .config import load_thesis, stale_outputs

    if args.verb in ("new", "init"):
        # lazy: start-up time
        from .scaffold import init_thesis, new_thesis

        lines = new_thesis(args.folder, args.lang) if args.verb == "new" else init_thesis(args.folder)
        print("\n".join(lines))
        return 0

    if args.verb == "build":
        # lazy: start-up time
        from .build import build_docx, build_pdf, build_reference, ensure_figures

        try:
            thesis = load_thesis(args.config)
            ensure_figures(thesis)
            both = not (args.pdf or args.docx)
            if args.pdf or both:
                build_pdf(thesis)
            if args.docx or both:
                build_reference(thesis)
                build_docx(thesis, warn=not both)
        except UserError:
            # A build that fails leaves no output of older sources to be taken for a new one.
            remove_stale(*stale_outputs(args.config))
            raise
        return 0
    if args.verb == "check":
        # lazy: start-up time
        from .render.document import prepare

        doc = prepare(load_thesis(args.config))
        print(tr("thesisbuild: {citations} citations of {works} works all resolve against {entries} bibliography "
                 "entries.", citations=len(doc.citations), works=len({c.key for c in doc.citations}),
                 entries=len(doc.references)), file=sys.stderr)
        return 0
    if args.verb == "lint":
        return _lint(args)
    if args.verb == "fix":
        return _fix(args)
    if args.verb == "typos":
        return _typos(args)
    if args.verb == "draft":
        # lazy: start-up time
        from .drafts import build_draft, find_draft

        thesis = load_thesis(args.config)
        chapter = find_draft(thesis, args.chapter)
        if args.mark_sent:
            # lazy: start-up time
            from .review import mark_sent_and_record

            path = mark_sent_and_record(thesis, chapter.name)
            print(tr("thesisbuild: kept {path} as the draft sent; commit it with the thesis.", path=display_path(path)),
                  file=sys.stderr)
            return 0
        # lazy: start-up time
        from .build import ensure_figures

        ensure_figures(thesis)
        for path in build_draft(thesis, chapter):
            print(tr("thesisbuild: wrote {path}", path=display_path(path)), file=sys.stderr)
        return 0
    if args.verb == "review":
        return _review(args)
    if args.verb == "verify":
        # lazy: start-up time
        from .config import outputs
        from .diagnostics import Severity
        from .report import FORMATS
        from .verify import failures, verify_files

        thesis = load_thesis(args.config)
        paths = args.outputs or [outputs(thesis)["pdf"], outputs(thesis)["docx"]]
        checks = verify_files(paths, thesis.profile, render=args.render, cache=thesis.build_dir / "cache" / "verify")
        failed = failures(checks)
        if args.format == "text":
            for check in checks:
                print(check.line())
        else:
            sys.stdout.write(FORMATS[args.format](failed, {}))
        print(tr("thesisbuild verify: {passed} of {total} rules pass against the profile '{profile}'.",
                 passed=len(checks) - len(failed), total=len(checks), profile=thesis.profile.name), file=sys.stderr)
        differ = []
        if args.reproducible:
            from .reproduce import rebuild_and_compare  # lazy: start-up time, as above

            for name, same in rebuild_and_compare(thesis):
                print(tr("{status} reproducible: {name} built again from the sources in a new folder is byte-identical",
                         status="PASS" if same else "FAIL", name=name) if same else
                      tr("FAIL reproducible: {name} built again from the sources in a new folder differs; the build "
                         "depends on something outside the sources (see build/manifest.json)", name=name))
                if not same:
                    differ.append(name)
        if args.fail_on == "never":
            return 0
        return 1 if differ or any(d.severity >= Severity.parse(args.fail_on) for d in failed) else 0
    if args.verb == "watch":
        # lazy: start-up time
        from .watch import watch

        return watch(args.config)
    if args.verb == "preview":
        # lazy: start-up time
        from .preview import write_previews

        thesis = load_thesis(args.config)
        for path in write_previews(thesis, args.out, args.ppi):
            print(path)
        return 0
    raise AssertionError(args.verb)


def _lint_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", type=Path, metavar="FILES", help=tr("chapters (default: thesis.yaml's)"))
    p.add_argument("--bibliography", action="append", type=Path, default=[], metavar="PATH",
                   help=tr("a CSL-YAML, CSL-JSON or BibTeX file; repeat for several"))
    p.add_argument("--thesis-lang", dest="lang", metavar="LANG",
                   help=tr("the thesis language, e.g. id-ID (default: thesis.yaml's, else id-ID)"))
    p.add_argument("--typos", type=Path, metavar="PATH", help=tr("the typo dictionary (default: thesis.yaml's)"))
    p.add_argument("--words", type=Path, metavar="PATH", help=tr("the thesis's word list (default: words.txt)"))


def _lint_request(args: argparse.Namespace):
    # lazy: start-up time
    from .config import find_config, load_thesis
    from .lint import LintRequest

    thesis = None
    needs_bibliography = args.verb == "lint" or (args.verb == "fix" and args.citations)
    if (needs_bibliography and not args.bibliography) or not args.files:
        try:
            config = args.config or find_config()
        except UserError:
            if needs_bibliography and not args.bibliography:
                raise UserError(tr("no thesis.yaml here and no --bibliography given; run inside a thesis "
                                   "repository or pass --bibliography PATH and the chapter files.")) from None
            raise UserError(tr("no chapter files given and no thesis.yaml to list them; pass the files.")) from None
        thesis = load_thesis(config)
    chapters = [p.resolve() for p in args.files] or ([*thesis.chapters, *thesis.appendices] if thesis else [])
    bibs = [p.resolve() for p in args.bibliography] or (thesis.bibliography if thesis else [])
    typos = args.typos.resolve() if args.typos else (thesis.typos if thesis else None)
    words = args.words.resolve() if args.words else (thesis.words if thesis else None)
    for path, missing in ((typos, tr("the typo dictionary does not exist; create it or correct the path.")),
                          (words, tr("the word list does not exist; create it or correct the path."))):
        if path is not None and not path.is_file():
            raise UserError(missing, path)
    return LintRequest(chapters=chapters, bibliographies=bibs,
                       lang=args.lang or (thesis.lang if thesis else "id-ID"),
                       csl=thesis.csl if thesis else None,
                       severity=thesis.lint_severity if thesis else {}, typos=typos, words=words,
                       root=thesis.root if thesis else Path.cwd(),
                       profile=thesis.profile if thesis else None,
                       front_texts=thesis.front_text_files() if thesis and not args.files else [],
                       cache=thesis.build_dir / "cache" / "lint" if thesis else None,
                       # A thesis checks its words; loose files only when a word list is named.
                       suspects=thesis is not None or args.words is not None or args.typos is not None)


def _lint(args: argparse.Namespace) -> int:
    # lazy: start-up time
    from .diagnostics import Severity
    from .lint import run_lint
    from .report import FORMATS, summary

    result = run_lint(_lint_request(args))
    sys.stdout.write(FORMATS[args.format](result.diagnostics, result.texts))
    print(tr("thesisbuild lint: {summary}", summary=summary(result.diagnostics)), file=sys.stderr)
    if args.fail_on == "never":
        return 0
    worst = result.worst()
    return 1 if worst is not None and worst >= Severity.parse(args.fail_on) else 0


def _fix(args: argparse.Namespace) -> int:
    # lazy: start-up time
    from .diagnostics import RULES
    from .fixes import fix_files
    from .lint import run_lint

    # Citations on request; otherwise the typo dictionary, cross-reference syntax, image paths and
    # chapter headings that carry their own number.
    families = ("CIT",) if args.citations else ("TYP", "XRF", "IMG", "DOC")
    codes = {c for c, r in RULES.items() if r.fixable and c.startswith(families)}
    if args.select:
        wanted = {c.strip().upper() for c in args.select.split(",") if c.strip()}
        unknown = wanted - codes
        if unknown:
            raise UserError(tr("--select names codes that have no fix here: {unknown}; use {codes}.",
                               unknown=", ".join(sorted(unknown)), codes=", ".join(sorted(codes))))
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
            raise UserError(tr("no typo dictionary: create typos.yaml (wrong: right, one per line) or pass "
                               "--typos PATH; --citations fixes citations instead."))
    result = run_lint(request)
    chosen = [d for d in result.diagnostics if d.code in codes and d.fix is not None]
    diff, count = fix_files(chosen, result.texts, write=not args.diff)
    if args.diff:
        sys.stdout.write(diff)
        print(tr(plural(count, "thesisbuild fix: {count} fix would be applied (nothing written).",
                        "thesisbuild fix: {count} fixes would be applied (nothing written)."), count=count),
              file=sys.stderr)
    else:
        print(tr(plural(count, "thesisbuild fix: applied {count} fix.", "thesisbuild fix: applied {count} fixes."),
                 count=count), file=sys.stderr)
    return 0


def _review(args: argparse.Namespace) -> int:
    # lazy: start-up time
    from .config import load_thesis
    from .diagnostics import Severity
    from .report import FORMATS
    from .review import (checklist, diagnostics, diff, keep_sent, parse_selection, plan, record, returned_files,
                         review_files, texts, write)

    thesis = load_thesis(args.config)
    selection = parse_selection(args.select)
    # One file that cannot be read is said and the others still reviewed; the exit status says it.
    reviews, errors = review_files(thesis, returned_files(thesis, args.files))
    for err in errors:
        print(err, file=sys.stderr)
    bad = len(errors)
    for review in reviews:
        for note in review.notes:
            print(f"{display_path(review.returned.path)}: {note}", file=sys.stderr)
    if args.apply or args.annotate or args.diff:
        todo = plan(reviews, selection, args.author, annotate=args.annotate, changes=args.apply or not args.annotate)
        if args.diff or not (args.apply or args.annotate):
            sys.stdout.write(diff(todo))
            print(tr(plural(len(todo.applied), "thesisbuild review: {count} item would be written (nothing written).",
                            "thesisbuild review: {count} items would be written (nothing written)."),
                     count=len(todo.applied)), file=sys.stderr)
            return 2 if bad else 0
        for path in keep_sent(thesis, reviews, set(todo.edits)):
            print(tr("thesisbuild: kept {path} as the draft sent; commit it with the thesis.", path=display_path(path)),
                  file=sys.stderr)
        for path in write(todo):
            print(tr("thesisbuild: wrote {path}", path=display_path(path)), file=sys.stderr)
        for review in reviews:
            mine = [i for i in todo.applied if any(i is x for x in review.items) and i.kind != "comment"]
            record(thesis, review, len(mine))
        changes = [i for i in todo.applied if i.kind != "comment"]
        if args.apply:
            print(tr(plural(len(changes), "thesisbuild review: applied {count} change.",
                            "thesisbuild review: applied {count} changes."), count=len(changes)), file=sys.stderr)
        if args.annotate:
            print(tr(plural(len(todo.applied) - len(changes), "thesisbuild review: wrote {count} comment into the "
                                                              "chapters.",
                            "thesisbuild review: wrote {count} comments into the chapters."),
                     count=len(todo.applied) - len(changes)), file=sys.stderr)
        done = [i for i in todo.skipped if i.status == "applied"]
        left = [i for i in todo.skipped if i.kind != "comment" and i.status != "applied"]
        if done:
            print(tr(plural(len(done), "thesisbuild review: {count} change is in the chapter already.",
                            "thesisbuild review: {count} changes are in the chapters already."), count=len(done)),
                  file=sys.stderr)
        if any("@" in i.chapter.new[a:b] for i in changes for a, b, words in i.edits if not words):
            print(tr("thesisbuild review: a citation was deleted; `thesisbuild lint` names any entry no chapter cites "
                     "now (BIB005)."), file=sys.stderr)
        if left:
            print(tr(plural(len(left), "thesisbuild review: {count} change left for you to make by hand: {numbers} "
                                       "(see `thesisbuild review`).",
                            "thesisbuild review: {count} changes left for you to make by hand: {numbers} (see "
                            "`thesisbuild review`)."),
                     count=len(left), numbers=", ".join(f"#{i.number}" for i in left)), file=sys.stderr)
        return 2 if bad else 0
    found = [d for review in reviews for d in diagnostics(review)]
    if args.format == "md":
        sys.stdout.write(checklist(reviews))
    else:
        sys.stdout.write(FORMATS[args.format](found, texts(reviews)))
    for review in reviews:
        print(record(thesis, review), file=sys.stderr)
    if bad:
        return 2
    if args.fail_on == "never":
        return 0
    return 1 if any(d.severity >= Severity.parse(args.fail_on) for d in found) else 0


def _typos(args: argparse.Namespace) -> int:
    # lazy: start-up time
    from .checks.typos import suggestions
    from .sources import Source
    from .words import load_word_list

    if not args.suggest:
        raise UserError(tr("say what to do: --suggest prints typos.yaml lines for likely misspellings."))
    # lazy: start-up time
    from .typos import load_dictionary

    request = _lint_request(args)
    dictionary = load_dictionary(request.typos) if request.typos else None
    lines = suggestions([Source.read(p) for p in request.chapters], load_word_list(request.words), dictionary)
    sys.stdout.write("".join(line + "\n" for line in lines))
    print(tr(plural(len(lines), "thesisbuild typos: {count} suggestion; review it before you paste it into typos.yaml.",
                    "thesisbuild typos: {count} suggestions; review each before you paste it into typos.yaml."),
             count=len(lines)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
