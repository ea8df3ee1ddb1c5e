"""A process that imports thesisbuild, doit and their libraries once and forks a child for each
`python -m doit ...` or `python -m thesisbuild.cli ...` a test runs.

Each child is that command: its own process, working folder, environment, arguments, standard
streams (files the test reads back), signal handlers and exit code, and it ends as an interpreter
ends (threads joined, atexit handlers run). What it saves is the half second a new interpreter
spends importing the libraries, paid once here instead of a few hundred times in a run.

Nothing here runs typst or any other library that starts threads: a forked child keeps only the
thread that forked, and a library whose thread pool was started before the fork would wait for
threads that are not there. The server reads one JSON request a line from stdin and answers each
with the child's exit code, one line on stdout."""

from __future__ import annotations

import json
import os
import sys

PRELOAD = (
    "doit.doit_cmd", "thesisbuild.cli", "thesisbuild.build", "thesisbuild.lint", "thesisbuild.verify",
    "thesisbuild.verify.pdf", "thesisbuild.preview", "thesisbuild.drafts", "thesisbuild.review",
    "thesisbuild.watch", "thesisbuild.figures", "typst", "pypdfium2", "openxml_audit", "docx", "yaml", "jinja2",
)
# What a command makes once per process and no test changes: the DOCX schema validator (its
# schemas), the path of pandoc.
WARM = (("thesisbuild.verify.schema", "schema_validator"), ("thesisbuild.pandoc", "pandoc_path"))


def main() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass                        # the child imports it as the command would, and says so
    for module, function in WARM:
        try:
            getattr(importlib.import_module(module), function)()
        except Exception:
            pass                        # the child makes it, as the command would
    streams = (sys.stdin.buffer, sys.stdout)
    for line in streams[0]:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)             # never returns
        _, status = os.waitpid(pid, 0)
        streams[1].write(f"{os.waitstatus_to_exitcode(status)}\n")
        streams[1].flush()


def _child(request: dict) -> None:
    code = 1
    try:
        import io
        import signal

        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        encoding = sys.stdout.encoding
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encoding)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=encoding)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=encoding,
                                      errors="backslashreplace", line_buffering=True)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        sys.argv = [request["program"], *request["args"]]
        sys.path[0] = request["path0"]  # as `python -m` or the script puts it (here: this file's folder)
        code = _exit_code(_run(request["module"], request["args"]))
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except BaseException:               # as an interpreter reports an uncaught exception
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        _end(code)


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


def _end(code: int) -> None:
    """The end of an interpreter: non-daemon threads joined, atexit handlers run, streams flushed."""
    import atexit
    import threading

    try:
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


if __name__ == "__main__":
    main()
