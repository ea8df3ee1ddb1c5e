"""Errors meant for the user: one sentence with a place and a remedy, never a traceback."""

from __future__ import annotations

from pathlib import Path

from .i18n import tr


class UserError(Exception):
    """A problem in the user's input. The CLI prints it and exits with status 2. One that a rule of the
    lint also finds carries the rule's code and reads as the lint's text does."""

    def __init__(self, message: str, path: Path | str | None = None,
                 line: int | None = None, column: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column

    @property
    def place(self) -> str:
        if self.path is None:
            return ""
        place = display_path(self.path)
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return place

    def __str__(self) -> str:
        if self.code:
            return f"{self.place or 'thesisbuild'}: {self.code} [error] {self.message}"
        return f"{self.place}: error: {self.message}" if self.place else f"error: {self.message}"


class UserErrors(UserError):
    """Several problems found together (e.g. every wrong value of a profile): printed one per line,
    each with its own place, so that the user can fix them all at once."""

    def __init__(self, errors: list[UserError]):
        super().__init__(errors[0].message, errors[0].path, errors[0].line, errors[0].column)
        self.errors = list(errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def raise_all(errors: list[UserError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise UserErrors(errors)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def file_error(err: OSError) -> UserError:
    """A failed read or write (a full disk, a read-only folder, a file where a folder belongs) as
    one sentence naming the path."""
    reason = err.strerror or type(err).__name__
    return UserError(tr("could not read or write this ({reason}); check that the folder exists, is a folder, can be "
                        "written and that the disk has space, then run the command again.", reason=reason),
                     err.filename if err.filename else None)
