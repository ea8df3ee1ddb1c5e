"""A process that imports thesisbuild, doit and their libraries once and forks a child for each
`python -m doit ...`, `python -m thesisbuild.cli ...` or installed `thesisbuild ...` a test runs.

Each child is that command: its own process, working folder, environment, arguments (sys.argv[0]
and sys.path[0] as `python -m` or the script sets them), standard streams (files the test reads
back, made as the interpreter makes its own), signal handlers (those a new interpreter starts
with) and exit code, and it ends as an interpreter ends (threads joined, atexit handlers run, an
uncaught Ctrl-C ending it by SIGINT). What it saves is the half second a new interpreter spends
importing the libraries, paid once here instead of a few hundred times in a run. What it cannot
give is a hash seed of its own: every child of one server has the server's (str hashes, so the
order of a set of strings); the tests of byte-identical builds run their builds in new
interpreters (conftest.run_doit(fresh=True)).

Nothing here runs typst or any other library that starts threads: a forked child keeps only the
thread that forked, and a library whose thread pool was started before the fork would wait for
threads that are not there. The server reads one JSON request a line from stdin and answers each
with its id and the child's exit code, one line on stdout."""

from __future__ import annotations

import json
import os
import signal
import sys

PRELOAD = (
    "doit", "doit.doit_cmd", "thesisbuild.cli", "thesisbuild.build", "thesisbuild.lint", "thesisbuild.verify",
    "thesisbuild.verify.pdf", "thesisbuild.preview", "thesisbuild.drafts", "thesisbuild.review",
    "thesisbuild.watch", "thesisbuild.figures", "typst", "pypdfium2", "openxml_audit", "docx", "yaml", "jinja2",
)
# The signal handlers of a new interpreter (this one's, before anything was imported).
_HANDLERS = {signum: signal.getsignal(signum) for signum in signal.valid_signals()
             if signum not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(signum) is not None}


def _warm() -> None:
    """What a command makes once per process and no test changes: openxml-audit's schemas (a
    validator made here fills its module caches; verify makes its own for each package) and the
    path of pandoc."""
    from openxml_audit import FileFormat, OpenXmlValidator

    from thesisbuild.pandoc import pandoc_path

    OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=20)
    pandoc_path()


def main() -> None:
    import importlib

    argv0, sys.argv[0] = sys.argv[0], "-m"      # as runpy has it while `python -m doit` imports doit
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass                        # the child imports it as the command would, and says so
    try:
        _warm()
    except Exception:
        pass                            # the child makes them, as the command would
    sys.argv[0] = argv0
    for line in sys.stdin.buffer:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)             # never returns
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(f"{request['id']} {os.waitstatus_to_exitcode(status)}\n")
        sys.stdout.flush()


def _child(request: dict) -> None:
    code, interrupted = 1, False
    try:
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin, sys.stdout, sys.stderr = (_stream(0, sys.__stdin__), _stream(1, sys.__stdout__),
                                             _stream(2, sys.__stderr__))
        for signum, handler in _HANDLERS.items():
            try:
                signal.signal(signum, handler)
            except (OSError, ValueError):
                pass                    # a signal Python may not set (as in a new interpreter)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [_program(request), *request["args"]]
        sys.path[0] = request["path0"]  # as `python -m` or the script puts it (here: this file's folder)
        code = _exit_code(_run(request["module"], request["args"]))
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except BaseException as err:        # as an interpreter reports an uncaught exception
        import traceback

        traceback.print_exc()
        interrupted = isinstance(err, KeyboardInterrupt)
    finally:
        _end(code, interrupted)


def _stream(fd: int, like):
    """A standard stream on `fd` made as this interpreter made `like` (its encoding, error handler,
    buffering)."""
    import io

    raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
    unbuffered = fd != 0 and like.write_through          # -u or PYTHONUNBUFFERED
    binary = raw if unbuffered else (io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw))
    return io.TextIOWrapper(binary, encoding=like.encoding, errors=like.errors, newline="\n",
                            line_buffering=like.line_buffering, write_through=unbuffered)


def _program(request: dict) -> str:
    """sys.argv[0]: the script's path, or for `python -m` the file runpy runs."""
    if request["script"]:
        return request["script"]
    import importlib.util

    spec = importlib.util.find_spec(request["module"])
    if spec.submodule_search_locations is not None:
        spec = importlib.util.find_spec(request["module"] + ".__main__")
    return spec.origin


def _run(module: str, args: list[str]):
    if module == "doit":
        from doit.doit_cmd import DoitMain

        return DoitMain().run(args)
    from thesisbuild.cli import main as cli

    return cli(args)


def _exit_code(value) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    print(value, file=sys.stderr)
    return 1


def _end(code: int, interrupted: bool) -> None:
    """The end of an interpreter: non-daemon threads joined, atexit handlers run, streams flushed;
    after an uncaught Ctrl-C, killed by SIGINT."""
    import atexit
    import threading

    try:
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        if interrupted:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        os._exit(code)


if __name__ == "__main__":
    main()
