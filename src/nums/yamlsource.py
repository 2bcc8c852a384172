"""Safe YAML reading that remembers where every value came from.

Pydantic reports an error at a location such as ``("criteria", "aims.1",
"met")``; people need a line number. ``load_yaml`` builds the plain Python
data *and* a table from each location to the line it was written on, using
only PyYAML's safe constructors (the C loader when available, for speed).
Duplicate keys, which PyYAML would silently overwrite, are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nums.errors import NumsError, Problem

try:  # the C loader is many times faster; the pure one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Location = tuple[str | int, ...]
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML data with the line of each key or item (1-based)."""

    path: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """The line of the deepest known part of a location."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def problem(self, location: Sequence[str | int], message: str, suggestion: str | None = None) -> Problem:
        """A problem pointing at one place in this document."""
        return Problem(
            message=message,
            file=self.path,
            line=self.line_of(location),
            field=dotted(location) or None,
            suggestion=suggestion,
        )


def dotted(location: Sequence[str | int]) -> str:
    """``("criteria", "aims.1", "evidence", 0)`` as ``criteria.aims.1.evidence[0]``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def load_yaml(path: str | Path, display_name: str | None = None) -> YamlDocument:
    """Read and parse one YAML file; problems become a ``NumsError``."""
    name = display_name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NumsError(Problem("file not found", file=name)) from None
    except IsADirectoryError:
        raise NumsError(Problem("is a folder, not a YAML file", file=name)) from None
    except UnicodeDecodeError as exc:
        raise NumsError(Problem(f"not UTF-8 text ({exc.reason})", file=name)) from None
    except OSError as exc:
        raise NumsError(Problem(f"cannot be read: {exc.strerror}", file=name)) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> YamlDocument:
    """Parse YAML text held in memory (``name`` is used in messages)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(name, None, {(): 1})
        builder = _Builder(loader, name)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "cannot be parsed"
        raise NumsError(Problem(f"not valid YAML: {reason}", file=name, line=line)) from None
    except yaml.YAMLError as exc:
        raise NumsError(Problem(f"not valid YAML: {exc}", file=name)) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise NumsError(builder.problems)
    return YamlDocument(name, data, builder.lines)


class _Builder:
    """Turns a composed node tree into data, recording lines as it goes."""

    def __init__(self, loader: Any, name: str) -> None:
        self.loader = loader
        self.name = name
        self.lines: dict[Location, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, location: Location) -> Any:
        self.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, location)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*location, index)) for index, child in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        """Plain strings (most of a submission) skip PyYAML's slower constructor."""
        if node.tag == _STR_TAG:
            return node.value
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, location: Location) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Problem("a key must be plain text", self.name, key_node.start_mark.line + 1)
                )
                continue
            key = self._scalar(key_node)
            key_location = (*location, str(key) if not isinstance(key, int) else key)
            if key in result:
                self.problems.append(
                    Problem(
                        f"key {key!r} appears twice; the first is on line {self.lines[key_location]}",
                        self.name,
                        key_node.start_mark.line + 1,
                        field=dotted(key_location),
                        suggestion="keep one of them",
                    )
                )
                continue
            self.lines[key_location] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, key_location)
        return result
