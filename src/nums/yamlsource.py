"""The one safe YAML reader: every file nums reads (submission, review,
edition, price list) goes through ``load_yaml`` or ``parse_yaml``.

nums files are small, hand-written documents of mappings, lists and plain
values, and some of them arrive from people we do not know (soon through a
browser). So the reader accepts exactly that and refuses the rest *by
construction*, with a message that names the file and line:

- files larger than ``MAX_BYTES`` (5 MiB; the largest example is 12 KB), and
  anything that is not a regular file (a pipe or a device never ends);
- anchors and aliases (``&`` and ``*``): nums files never need them, and they
  are how a few hundred bytes become gigabytes, or a value contains itself;
- nesting deeper than ``MAX_DEPTH``: the document is built from the parser's
  events with an explicit stack, so no input can exhaust Python's recursion;
- tags other than the plain ones (``!!str``, ``!!int``, ...), refused by name,
  so nothing can ask for a Python object;
- more than one document in a file.

Plain scalars are typed as YAML 1.1 types them (``true``, ``24``, ``~``)
**except dates**: a date is only a date where the file format says so (the
pydantic models parse those fields), so a statement that happens to read
``2025-02-30`` keeps the text the person wrote, and an impossible date in a
date field is a field error, not a crash. Two more of YAML 1.1's number forms
stay text, because no nums file needs them and a person rarely means them:
base 60 (``1:30`` is 90 to YAML 1.1, and converting ``1:59:59:...`` takes time
that grows with the square of its length) and a leading zero (``024`` is 20
in octal). A whole number in any other form (decimal, ``0x`` hex, ``0b``
binary) is converted only up to ``MAX_DIGITS`` digits.

Alongside the data the reader records the line of every key and list item,
so that pydantic's error locations become ``file:line: field: message``.
Duplicate keys, which PyYAML would silently overwrite, are reported. Keys are
always text, as written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from nums.errors import NumsError, Problem

try:  # the C parser is many times faster; the pure one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Location = tuple[str | int, ...]

MAX_BYTES = 5 * 1024 * 1024
"""The largest file nums reads: hundreds of times the largest real submission."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists: nums files need fewer than ten levels."""
MAX_DIGITS = 30
"""The most digits of a whole number the reader converts, in any form (decimal, hex, binary,
or an explicit ``!!int``). Far past any count a nums file holds, and short of Python's limit
on converting numbers to text (4,300 digits), which hex and binary get past when read: a
6,000-digit hex number was read and then crashed the command that printed it."""

_YAML = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_YAML + t for t in ("str", "null", "bool", "int", "float"))
_MAP, _SEQ, _TIMESTAMP = _YAML + "map", _YAML + "seq", _YAML + "timestamp"

_CONSTRUCTORS: dict[str, Callable[[Any, ScalarNode], Any]] = {
    _NULL: SafeConstructor.construct_yaml_null,
    _BOOL: SafeConstructor.construct_yaml_bool,
    _INT: SafeConstructor.construct_yaml_int,
    _FLOAT: SafeConstructor.construct_yaml_float,
}
_WORDS = {_NULL: "empty value", _BOOL: "true or false", _INT: "whole number", _FLOAT: "number"}

# YAML 1.1's implicit typing of plain scalars, by first character, without
# timestamps (dates are the models' business) and without merge keys.
_IMPLICIT: dict[str, list[tuple[str, Any]]] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _CONSTRUCTORS]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_IMPLICIT = {first: resolvers for first, resolvers in _IMPLICIT.items() if resolvers}


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


def load_yaml(
    path: str | Path,
    display_name: str | None = None,
    kind: str = "YAML file",
    inside: str | Path | None = None,
) -> YamlDocument:
    """Read and parse one file; problems become a ``NumsError``.

    ``kind`` ("submission file", "review file", ...) names the file in messages.
    ``inside`` is the workspace a file must stay in (``nums.boundary``): a link
    that leads out of it is refused and never read.
    """
    name = display_name or str(path)
    return parse_yaml(_read_text(Path(path), name, inside), name, kind)


def _read_text(path: Path, name: str, inside: str | Path | None = None) -> str:
    """The file's text, refusing what is not a regular file of a sane size."""
    if inside is not None:
        return _decoded(_read_inside(path, name, inside), name)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise NumsError(Problem("is a folder, not a YAML file", file=name))
        if not stat.S_ISREG(info.st_mode):
            raise NumsError(Problem("is not a regular file (a pipe or a device?)", file=name))
        if info.st_size > MAX_BYTES:
            raise NumsError(Problem(_too_big(info.st_size), file=name))
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise NumsError(Problem("file not found", file=name)) from None
    except OSError as exc:
        raise NumsError(Problem(f"cannot be read: {exc.strerror or exc}", file=name)) from None
    return _decoded(raw, name)


def _read_inside(path: Path, name: str, root: str | Path) -> bytes:
    from nums.boundary import read_inside

    try:
        return read_inside(path, root, limit=MAX_BYTES + 1)
    except FileNotFoundError:
        raise NumsError(Problem("file not found", file=name)) from None
    except IsADirectoryError:
        raise NumsError(Problem("is a folder, not a YAML file", file=name)) from None
    except OSError as exc:
        raise NumsError(Problem(f"cannot be read: {exc.strerror or exc}", file=name)) from None


def _decoded(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:  # it grew while we looked
        raise NumsError(Problem(_too_big(len(raw)), file=name))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise NumsError(
            Problem(
                f"is not UTF-8 text: byte {raw[exc.start]:#04x} at column {column} cannot be read",
                file=name,
                line=line,
                suggestion="save the file as UTF-8 in your editor",
            )
        ) from None


def _too_big(size: int) -> str:
    return (
        f"is {size / 1024 / 1024:.1f} MiB; nums reads files of at most {MAX_BYTES // 1024 // 1024} MiB"
        if size >= 1024 * 1024
        else f"is larger than the {MAX_BYTES // 1024 // 1024} MiB nums reads"
    )


def parse_yaml(text: str, name: str, kind: str = "YAML file") -> YamlDocument:
    """Parse YAML text held in memory (``name`` and ``kind`` are used in messages)."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # a lone surrogate, from JSON's "\ud800" or a browser
        line = text.count("\n", 0, exc.start) + 1
        raise NumsError(
            Problem("holds a character that is not valid Unicode", file=name, line=line)
        ) from None
    if size > MAX_BYTES:
        raise NumsError(Problem(_too_big(size), file=name))
    loader = _Loader(text)
    builder = _Builder(loader, name, kind)
    try:
        data = builder.build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "cannot be parsed"
        if _is_libyaml_depth_limit(reason):  # newer libyaml stops deep files itself, earlier than nums
            raise NumsError(Problem(too_deep(kind), file=name, line=line)) from None
        where = f" at column {mark.column + 1}" if mark is not None else ""
        raise NumsError(Problem(f"is not valid YAML{where}: {reason}", file=name, line=line)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the C parser marks its errors
        raise NumsError(Problem(f"is not valid YAML: {exc}", file=name)) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise NumsError(builder.problems)
    return YamlDocument(name, data, builder.lines)


def too_deep(kind: str) -> str:
    """nums' own words for a file nested past ``MAX_DEPTH``, whichever check saw it first."""
    return f"is nested more than {MAX_DEPTH} levels deep; {_a(kind)} needs only a few"


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def _is_libyaml_depth_limit(reason: str) -> bool:
    """libyaml 0.2.5 and later refuse nesting past 1,000 levels while scanning, before
    the parser hands nums the 41st level; the person must still read nums' message."""
    return "nesting depth" in reason


_NUMBERS = (_INT, _FLOAT)


def _stays_text(tag: str, value: str) -> bool:
    """A plain number in YAML 1.1's base-60 form (``1:30``) or a whole number with a leading
    zero (``024``, octal to YAML 1.1) is kept as the text it is."""
    if ":" in value:
        return True
    unsigned = value.lstrip("+-")
    return tag == _INT and len(unsigned) > 1 and unsigned[0] == "0" and unsigned[1] in "01234567_"


def _digits(value: str) -> int:
    """The digits of a whole number as written: no sign, no ``0x``/``0b``, no underscores."""
    unsigned = value.strip().lstrip("+-")
    if unsigned[:2] in ("0x", "0b"):
        unsigned = unsigned[2:]
    return len(unsigned) - unsigned.count("_")


class _Refused(Exception):
    """Stops reading: the document uses something nums never reads."""


_NO_KEY = object()
_UNREADABLE = object()
_TOO_LONG = object()  # unreadable too: a whole number of more than MAX_DIGITS digits
_DISCARD = object()


class _Frame:
    """A mapping or list being filled, and where it sits in the document."""

    __slots__ = ("container", "is_map", "key", "key_line", "location")

    def __init__(self, container: dict[str, Any] | list[Any], location: Location, is_map: bool) -> None:
        self.container = container
        self.location = location
        self.is_map = is_map
        self.key: Any = _NO_KEY
        self.key_line = 0


class _Builder:
    """Builds plain data from the parser's events with an explicit stack,
    recording the line of every key and list item."""

    def __init__(self, loader: Any, name: str, kind: str) -> None:
        self.loader = loader
        self.name = name
        self.kind = kind
        self.a_kind = _a(kind)
        self.lines: dict[Location, int] = {}
        self.problems: list[Problem] = []

    def build(self) -> Any:
        try:
            return self._events()
        except _Refused:
            return None

    def _events(self) -> Any:
        """The document from the parser's events. The common case (a plain key, a
        plain text value) is handled inline: this loop is most of a load's time."""
        get = self.loader.get_event
        lines = self.lines
        get()  # stream start
        event = get()
        if isinstance(event, StreamEndEvent):
            lines[()] = 1
            return None
        root: Any = None
        stack: list[_Frame] = []
        frame: _Frame | None = None
        while True:
            event = get()
            kind = event.__class__
            if kind is ScalarEvent:
                if event.anchor is not None:
                    self._refuse_alias(event)
                if frame is not None and frame.is_map and frame.key is _NO_KEY:
                    if event.tag is not None and event.tag != "!" and event.tag != _STR:
                        self._refuse_tag(event)
                    key = event.value
                    frame.key = self._duplicate(frame, event) if key in frame.container else key
                    frame.key_line = event.start_mark.line + 1
                    continue
                text = event.value
                if event.tag is None and (not event.implicit[0] or text[:1] not in _IMPLICIT):
                    value: Any = text
                else:
                    value = self._scalar(event)
                if frame is None:
                    root = value
                    lines[()] = event.start_mark.line + 1
                    location: Location = ()
                else:
                    location = self._place(frame, value, event)
                if value is _UNREADABLE or value is _TOO_LONG:
                    self._unreadable(event, frame, location, value is _TOO_LONG)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None:
                    self._refuse_alias(event)
                is_map = kind is MappingStartEvent
                if event.tag is not None:
                    self._check_collection_tag(event, is_map)
                if len(stack) >= MAX_DEPTH:
                    self._refuse(event, too_deep(self.kind))
                container: dict[str, Any] | list[Any] = {} if is_map else []
                if frame is None:
                    root = container
                    lines[()] = event.start_mark.line + 1
                    location = ()
                else:
                    if frame.is_map and frame.key is _NO_KEY:
                        self._refuse(event, "a key must be plain text, not a list or a mapping")
                    location = self._place(frame, container, event)
                frame = _Frame(container, location, is_map)
                stack.append(frame)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                frame = stack[-1] if stack else None
            elif kind is AliasEvent:
                self._refuse_alias(event)
            elif kind is DocumentEndEvent:
                break
        if not isinstance(get(), StreamEndEvent):
            self._refuse(event, f"holds more than one document; {self.a_kind} is one document")
        return root

    def _place(self, frame: _Frame, value: Any, event: Any) -> Location:
        """Put a value in the mapping or list being filled; return its location."""
        container = frame.container
        if not frame.is_map:
            location = (*frame.location, len(container))
            self.lines[location] = event.start_mark.line + 1
            container.append(value)  # type: ignore[union-attr]
            return location
        key, frame.key = frame.key, _NO_KEY
        if key is _DISCARD:
            return (*frame.location, "")
        location = (*frame.location, key)
        self.lines[location] = frame.key_line
        container[key] = value  # type: ignore[index]
        return location

    def _duplicate(self, frame: _Frame, event: Any) -> Any:
        """A key seen before in this mapping: reported, and its value dropped."""
        key = event.value
        location = (*frame.location, key)
        self.problems.append(
            Problem(
                f"key {key!r} appears twice; the first is on line {self.lines[location]}",
                self.name,
                event.start_mark.line + 1,
                field=dotted(location),
                suggestion="keep one of them",
            )
        )
        return _DISCARD

    def _scalar(self, event: Any) -> Any:
        """Plain text stays text; YAML 1.1's null, booleans and numbers are typed; dates are not."""
        value: str = event.value
        tag = event.tag
        if tag is None:
            if not event.implicit[0]:  # quoted or a block: always text
                return value
            for candidate, regexp in _IMPLICIT.get(value[:1], ()):
                if regexp.match(value):
                    if candidate in _NUMBERS and _stays_text(candidate, value):
                        return value
                    return self._construct(candidate, event)
            return value
        if tag == "!" or tag == _STR:
            return value
        if tag in _CONSTRUCTORS:
            return self._construct(tag, event)
        self._refuse_tag(event)
        return None  # pragma: no cover - refused above

    def _construct(self, tag: str, event: Any) -> Any:
        value: str = event.value
        if tag in _NUMBERS and ":" in value:  # base 60, asked for with a tag
            return _UNREADABLE
        if tag == _INT and _digits(value) > MAX_DIGITS:
            return _TOO_LONG
        try:
            return _CONSTRUCTORS[tag](self.loader, ScalarNode(tag, value))
        except (ValueError, TypeError, yaml.YAMLError):  # !!int abc, ...
            return _UNREADABLE

    def _unreadable(self, event: Any, frame: _Frame | None, location: Location, too_long: bool) -> None:
        tag = event.tag if event.tag in _WORDS else _INT if event.value[:1] in "+-0123456789" else _FLOAT
        long = len(event.value) > 40
        text = repr(event.value) if not long else f"a value of {len(event.value)} characters"
        if not location and frame is not None:
            location = frame.location
        if too_long:
            suggestion: str | None = f"nums reads whole numbers of at most {MAX_DIGITS} digits"
        else:
            suggestion = None if long else "put it in quotes if it is meant as text"
        self.problems.append(
            Problem(
                f"{text} cannot be read as a {_WORDS[tag]}",
                self.name,
                event.start_mark.line + 1,
                field=dotted(location) or None,
                suggestion=suggestion,
            )
        )

    def _check_collection_tag(self, event: Any, mapping: bool) -> None:
        if event.tag is not None and event.tag != "!" and event.tag != (_MAP if mapping else _SEQ):
            self._refuse_tag(event)

    def _refuse_alias(self, event: Any) -> None:
        self._refuse(
            event,
            f"anchors and aliases (& and *) are not allowed in {self.a_kind}",
            "write the value out in full where it is needed",
        )

    def _refuse_tag(self, event: Any) -> None:
        tag = str(event.tag)
        shown = "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag
        self._refuse(
            event,
            f"the tag {shown} is not allowed in {self.a_kind}",
            "nums files hold plain text, numbers, true/false, lists and mappings; remove the tag",
        )

    def _refuse(self, event: Any, message: str, suggestion: str | None = None) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        self.problems.append(Problem(message, self.name, line, suggestion=suggestion))
        raise _Refused
