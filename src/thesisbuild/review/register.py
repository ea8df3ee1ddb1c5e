"""`drafts/register.yaml`: which draft went to the supervisor when, which came back, how many items
it held and how many were applied. thesisbuild writes it (`draft --mark-sent`, `review`); it is
versioned with the thesis, so the history of the supervision is in the repository."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import yaml

from ..errors import UserError, display_path
from ..fsutil import write_atomic
from ..i18n import tr

HEADER = ("# Written by thesisbuild: the drafts sent to the supervisor (thesisbuild draft --mark-sent)\n"
          "# and the files that came back (thesisbuild review). Keep it with the thesis.\n")


def register_path(root: Path) -> Path:
    return root / "drafts" / "register.yaml"


def load(root: Path) -> dict:
    path = register_path(root)
    if not path.is_file():
        return {"chapters": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise UserError(tr("the register of drafts is not valid YAML; fix the line or delete the file (thesisbuild "
                           "writes it again)."), path, mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or not isinstance(data.get("chapters", {}), dict):
        raise UserError(tr("the register of drafts is not what thesisbuild writes; delete the file (thesisbuild "
                           "writes it again)."), path)
    data.setdefault("chapters", {})
    return data


def save(root: Path, data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
    write_atomic(register_path(root), HEADER + text)


def _chapter(data: dict, name: str) -> dict:
    entry = data["chapters"].setdefault(name, {})
    entry.setdefault("sent", [])
    entry.setdefault("returned", [])
    return entry


def record_sent(root: Path, name: str, snapshot: Path, source_hash: str, day: dt.date) -> None:
    data = load(root)
    _chapter(data, name)["sent"].append({"date": day.isoformat(), "snapshot": _rel(root, snapshot),
                                         "source": source_hash})
    save(root, data)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def record_returned(root: Path, names: list[str], returned: Path, sent: str | None, items: int, open_: int,
                    applied: int = 0, day: dt.date | None = None) -> None:
    """The returned file under each chapter it holds (found again by its hash, so a second review
    of the same file updates its entry). Only a file inside the thesis folder is recorded."""
    if not returned.resolve().is_relative_to(root.resolve()):
        return      # a file outside the thesis (not yet put into review/): its place would not last
    data = load(root)
    digest = file_hash(returned)
    for name in names:
        entries = _chapter(data, name)["returned"]
        entry = next((e for e in entries if e.get("sha256") == digest), None)
        if entry is None:
            entry = {"file": _rel(root, returned), "sha256": digest,
                     "reviewed": (day or dt.date.today()).isoformat()}
            if sent:
                entry["sent"] = sent
            entries.append(entry)
        entry["items"] = items
        entry["open"] = open_
        entry["applied"] = int(entry.get("applied", 0)) + applied
    save(root, data)


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return display_path(path)
