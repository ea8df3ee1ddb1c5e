"""The tests' commands run as children of tests/forkserver.py; each must be what a new interpreter
running the same command gives: the same exit code and the same output, byte for byte."""

from __future__ import annotations

import signal
from pathlib import Path

from .conftest import copy_thesis, run_cli, run_doit


def test_a_forked_command_equals_the_same_command_in_a_new_interpreter(tmp_path: Path):
    project = copy_thesis(tmp_path / "thesis")
    forked, fresh = run_cli(project, "lint", "--format", "json"), run_cli(project, "lint", "--format", "json",
                                                                          fresh=True)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert '"code": "TYP001"' in forked.stdout

    config = project / "thesis.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "chapters: [\n", encoding="utf-8")
    forked, fresh = run_doit(project, "lint"), run_doit(project, "lint", fresh=True)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.returncode == 2 and "thesis.yaml" in forked.stderr and "Traceback" not in forked.stderr


def test_a_forked_command_starts_and_ends_as_a_new_interpreter(tmp_path: Path):
    """The signal handlers, argv[0], the streams' error handler and buffering, doit's own name in
    its messages, and the exit of an uncaught Ctrl-C (killed by SIGINT)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "dodo.py").write_text(
        "import os, signal, sys\n"
        "def task_probe():\n"
        "    def show():\n"
        "        out = sys.__stdout__\n"
        "        print(signal.getsignal(signal.SIGPIPE), signal.getsignal(signal.SIGINT) is signal.default_int_handler,\n"
        "              os.path.basename(sys.argv[0]), out.errors, out.write_through, sys.__stdin__.errors, file=out)\n"
        "    return {'actions': [show], 'verbosity': 2}\n", encoding="utf-8")
    # A shell's background job starts with Ctrl-C ignored, and Python keeps an inherited SIG_IGN.
    handled = signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    for args in (["probe"], ["nosuchtask"]):
        forked, fresh = run_doit(probe, *args), run_doit(probe, *args, fresh=True)
        assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
        if args == ["probe"]:
            assert forked.returncode == 0 and f" {handled} __main__.py surrogateescape" in forked.stdout, forked.stdout

    stopped = tmp_path / "stopped"
    stopped.mkdir()
    (stopped / "dodo.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n", encoding="utf-8")
    forked, fresh = run_doit(stopped), run_doit(stopped, fresh=True)
    assert forked.returncode == fresh.returncode
