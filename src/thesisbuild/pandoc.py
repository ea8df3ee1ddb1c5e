"""Running the pandoc binary that ships in the pypandoc-binary wheel."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

from .i18n import tr
from .errors import UserError


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(args: list[str], *, input_text: str | None = None, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run pandoc; stdout and stderr are returned as text, failures raise UserError."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([pandoc_path(), *args], input=input_text, capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=full_env)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise UserError(tr("pandoc failed: {problem}; correct the input it names.",
                           problem=detail[-1] if detail else f"exit {proc.returncode}"))
    return proc


def pandoc_bytes(args: list[str]) -> bytes:
    """Run pandoc for binary output, such as its default reference document."""
    proc = subprocess.run([pandoc_path(), *args], capture_output=True)
    if proc.returncode != 0:
        raise UserError(tr("pandoc failed: {problem}", problem=proc.stderr.decode("utf-8", "replace").strip()))
    return proc.stdout
