"""YAML loading that remembers where every key came from, for errors with a line number."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .i18n import tr
from .errors import UserError

KeyPath = tuple[Any, ...]

# libyaml's parser when PyYAML was built with it (the wheels are): several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, *keys: Any) -> int | None:
        """Line of the deepest known key along `keys` (1-based)."""
        for end in range(len(keys), -1, -1):
            line = self.lines.get(tuple(keys[:end]))
            if line is not None:
                return line
        return None


def read_text(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(tr("{what} not found; create it or correct the path that names it.", what=tr(what)), path) from None
    except IsADirectoryError:
        raise UserError(tr("{what} is a folder, not a file; name the file instead.", what=tr(what)), path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise UserError(tr("{what} is not valid UTF-8 (byte {byte}); save it as UTF-8.", what=tr(what),
                                           byte=err.start), path, line) from None


def load_yaml(path: Path, what: str) -> YamlDocument:
    """Parse a YAML file; a syntax error becomes a UserError at its line and column."""
    text = read_text(path, what)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_nodes(node, path, what)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise UserError(tr("{what} is not valid YAML ({problem}); fix the syntax there.", what=tr(what), problem=problem),
                        path, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as err:
        raise UserError(tr("{what} is not valid YAML ({problem}); fix the syntax.", what=tr(what), problem=err), path) from None
    doc = YamlDocument(path=path, data=data)
    if node is not None:
        _record_lines(node, (), doc.lines)
    return doc


def _check_nodes(root: yaml.Node, path: Path, what: str) -> None:
    """Refuse what would be read wrongly or without end: a key written twice in one mapping (the
    last would silently win) and aliases (*name), whose nesting can expand a few lines into more
    data than memory holds."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise UserError(tr("{what} uses a YAML alias (*name) here; write the value out instead.", what=tr(what)),
                            path, node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in keys:
                        raise UserError(tr("'{key}' is written twice in the same place (first on line {line}); keep "
                                           "one.", key=key_node.value, line=keys[key_node.value]),
                                        path, key_node.start_mark.line + 1)
                    keys[key_node.value] = key_node.start_mark.line + 1
                stack += [value_node, key_node]
        elif isinstance(node, yaml.SequenceNode):
            stack += reversed(node.value)


def _record_lines(node: yaml.Node, prefix: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[prefix + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, prefix + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[prefix + (index,)] = item.start_mark.line + 1
            _record_lines(item, prefix + (index,), lines)
