"""A seed file read with the line of every entry, so a problem is reported as ``file:line: message``.

YAML is composed to its node tree (PyYAML keeps each node's start mark) and constructed from that same tree; JSON
is decoded by the ``json`` module and then walked once more to note where each value starts. Both give the data and
a table from an entry's path (``("tenants", 0, "users", 2, "name")``) to its 1-based line: a key's line for a
mapping entry, the item's line for a list item.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shenpi.app.snapshots import SeedError

Path_ = tuple[str | int, ...]

_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_ATOM = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class SeedSyntaxError(SeedError):
    """A seed file that is not YAML (or JSON) at all: where and why, on one line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass(slots=True)
class SeedSource:
    """A seed file's data, the line of each entry, and the keys written twice in one mapping."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicate_keys: list[Path_] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The line of the entry at ``path``, or of its nearest ancestor that has one (1 for the document)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def read_seed_source(path: str | Path) -> SeedSource:
    """Read and decode a seed file (``.json``: JSON, else YAML). Raises :class:`SeedSyntaxError`, OSError."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise SeedSyntaxError(file, None, f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    return parse_json(file, text) if file.endswith(".json") else parse_yaml(file, text)


def parse_yaml(file: str, text: str) -> SeedSource:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = " ".join(str(p) for p in (e.context, e.problem) if p)
        raise SeedSyntaxError(file, mark.line + 1 if mark else None, f"invalid YAML: {what}") from None
    except yaml.YAMLError as e:
        raise SeedSyntaxError(file, None, f"invalid YAML: {e}") from None
    finally:
        loader.dispose()
    source = SeedSource(file, data)
    if node is not None:
        _walk_yaml(node, (), source, set())
    return source


def _walk_yaml(node: yaml.Node, path: Path_, source: SeedSource, seen: set[int]) -> None:
    if id(node) in seen:  # an alias: its entries were noted where the anchor stands
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or key == "<<":
                continue
            entry = (*path, key)
            if key in keys:
                source.duplicate_keys.append(entry)
            keys.add(key)
            source.lines[entry] = key_node.start_mark.line + 1
            _walk_yaml(value_node, entry, source, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            source.lines[(*path, i)] = item.start_mark.line + 1
            _walk_yaml(item, (*path, i), source, seen)


def parse_json(file: str, text: str) -> SeedSource:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SeedSyntaxError(file, e.lineno, f"invalid JSON: {e.msg} (column {e.colno})") from None
    source = SeedSource(file, data)
    _JsonWalk(text, source).value(0, ())
    return source


class _JsonWalk:
    """Notes where each value of a JSON text (already known to be valid) starts."""

    def __init__(self, text: str, source: SeedSource) -> None:
        self.text, self.source = text, source
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def skip(self, i: int) -> int:
        m = _SPACE.match(self.text, i)
        return m.end() if m else i

    def string(self, i: int) -> tuple[str, int]:
        """The string starting at ``i`` (its opening quote), and the offset after its closing quote."""
        m = _JSON_STRING.match(self.text, i)
        assert m is not None  # the text is valid JSON: a string stands here
        text: str = json.loads(m.group())
        return text, m.end()

    def value(self, i: int, path: Path_) -> int:
        """Walk the value starting at (or after blanks from) ``i``; return the offset just after it."""
        text, i = self.text, self.skip(i)
        c = text[i]
        if c == '"':
            return self.string(i)[1]
        if c == "[":
            return self.array(i + 1, path)
        if c == "{":
            return self.object(i + 1, path)
        m = _JSON_ATOM.match(text, i)
        return m.end() if m else i + 1

    def array(self, i: int, path: Path_) -> int:
        i, index = self.skip(i), 0
        if self.text[i] == "]":
            return i + 1
        while True:
            i = self.skip(i)
            self.source.lines[(*path, index)] = self.line(i)
            i = self.skip(self.value(i, (*path, index)))
            index += 1
            if self.text[i] == "]":
                return i + 1
            i += 1  # the comma

    def object(self, i: int, path: Path_) -> int:
        i, keys = self.skip(i), set()
        if self.text[i] == "}":
            return i + 1
        while True:
            i = self.skip(i)
            key, after = self.string(i)
            entry = (*path, key)
            if key in keys:
                self.source.duplicate_keys.append(entry)
            keys.add(key)
            self.source.lines[entry] = self.line(i)
            i = self.skip(self.skip(after) + 1)  # past the colon
            i = self.skip(self.value(i, entry))
            if self.text[i] == "}":
                return i + 1
            i += 1  # the comma
