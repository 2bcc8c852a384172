"""Shared plumbing for the pydantic models: frozen, strict about unknown keys,
and built lazily so that commands which never validate a model never pay for
building its validator (``nums quote`` starts fast because of this).

``validation_problems`` turns a pydantic ``ValidationError`` into ``Problem``s
that name the file, the line and the field, with a suggestion for misspelt
keys.

The value types every file format shares (``WholeNumber``, ``YesNo``, ``Day``)
take a value only as it is written: pydantic's lax mode would read ``true`` as
1 mentor, ``3.0`` or the text ``'24'`` as a whole number, ``1`` or the text
``'yes'`` as true, and the text ``'1772409600'`` as a Unix time, none of which
a person meant. They refuse with pydantic's own error types (``int_type``,
``bool_type``, ``date_type``), so the words people read are still those of
``messages.py``.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticKnownError

from nums.errors import MAX_PROBLEMS, NumsError, Problem, did_you_mean
from nums.limits import day_problem, text_problems
from nums.yamlsource import Location, YamlDocument, load_yaml


class Frozen(BaseModel):
    """Immutable, rejects unknown keys, validator built on first use."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Open(BaseModel):
    """Immutable but tolerant: for records whose extra keys are welcome."""

    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)


def _whole_number(value: Any) -> int:
    if type(value) is int:  # not true/false, not 3.0, not the text '24'
        return value
    raise PydanticKnownError("int_type")


def _yes_no(value: Any) -> bool:
    if type(value) is bool:  # not 1, not the text 'yes'
        return value
    raise PydanticKnownError("bool_type")


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(value: Any) -> date:
    """A date written as YYYY-MM-DD (the reader keeps dates as text), within the dates nums
    reads; a ``date`` made by nums itself passes as it is."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:  # 2025-02-30: messages.date_message gives the calendar's reason
            raise PydanticKnownError("date_type") from None
        problem = day_problem(day)
        if problem:
            raise ValueError(problem)
        return day
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticKnownError("date_type")


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number written as one."""
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
"""``true`` or ``false``, written as such."""
Day = Annotated[date, BeforeValidator(_day)]
"""A date written exactly as YYYY-MM-DD, from ``limits.FIRST_DAY`` to ``limits.LAST_DAY``."""


def validation_problems(
    doc: YamlDocument,
    error: ValidationError,
    model: type[BaseModel],
    prefix: Sequence[str | int] = (),
) -> list[Problem]:
    """One problem per pydantic error, located in ``doc`` and worded for people (see messages.py)."""
    from nums.messages import friendly  # only on the error path

    problems = []
    known = _known_error_types()
    errors = error.errors(include_url=False)
    for item in errors[:MAX_PROBLEMS]:
        inner = tuple(_clean(item["loc"]))
        location = tuple(prefix) + inner
        group = _model_at(model, inner)
        message = friendly(dict(item), group.__name__ if group is not None else None, known)
        suggestion = None
        if item["type"] == "extra_forbidden":
            fields = _fields_at(model, inner[:-1])
            suggestion = did_you_mean(str(location[-1]), fields)
            if suggestion is None and fields:
                suggestion = "known fields: " + ", ".join(sorted(fields))
        problems.append(doc.problem(location, message, suggestion))
    if len(errors) > MAX_PROBLEMS:
        problems.append(
            Problem(
                f"more problems than the first {MAX_PROBLEMS} shown", doc.path, suggestion="fix these first"
            )
        )
    return problems


@functools.cache
def _known_error_types() -> frozenset[str]:
    """Every error type pydantic itself raises (custom ones carry our own words)."""
    from pydantic_core.core_schema import ErrorType

    return frozenset(typing.get_args(ErrorType))


def _clean(loc: Sequence[Any]) -> list[str | int]:
    """Drop pydantic's union and function tags from a location."""
    parts: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        parts.append(part)
    return parts


def _fields_at(model: type[BaseModel], location: tuple[str | int, ...]) -> list[str]:
    """The field names of the model found by walking ``location`` from ``model``."""
    current = _model_at(model, location)
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _model_at(model: type[BaseModel], location: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model that reads the value at ``location``, if a model does."""
    current: Any = model
    for part in location:
        current = _step(current, part)
        if current is None:
            return None
    current = _unwrap_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one step further in, or None when it cannot be told."""
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, Sequence) and args:
        return _unwrap_optional(args[0])
    if origin is dict and len(args) == 2:
        return _unwrap_optional(args[1])
    return None


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def read_model(path: Path, model: type[Any], problems: list[Problem], kind: str = "edition file") -> Any:
    """Parse one file into ``model``; collect problems instead of raising."""
    return read_document(path, model, problems, kind)[1]


def read_document(
    path: Path, model: type[Any], problems: list[Problem], kind: str = "edition file"
) -> tuple[YamlDocument | None, Any]:
    """The parsed document and its model (None where it has problems); ``kind`` names the file."""
    try:
        doc = load_yaml(path, kind=kind)
    except NumsError as exc:
        problems += exc.problems
        return None, None
    if not isinstance(doc.data, dict):
        problems.append(Problem("must be a mapping of keys to values", file=doc.path, line=1))
        return doc, None
    too_long = text_problems(doc, kind)
    if too_long:
        problems += too_long
        return doc, None
    try:
        return doc, model.model_validate(doc.data)
    except ValidationError as exc:
        problems += validation_problems(doc, exc, model)
        return doc, None


# --- keys a format does not define ----------------------------------------------------


@dataclass(frozen=True)
class UnknownKey:
    """A key written where the format does not define it."""

    location: Location  # where it is, ending with the key itself
    known: tuple[str, ...]  # the keys the format defines there
    value: Any

    def problem(self, doc: YamlDocument, message: str) -> Problem:
        """The key as a problem worded ``message``, with the nearest known key (or why a comma split it)."""
        key = str(self.location[-1])
        return doc.problem(
            self.location, message, did_you_mean(key, self.known) or _comma_hint(key, self.value)
        )


def unknown_keys(data: Any, model: type[BaseModel]) -> Iterator[UnknownKey]:
    """Every key in ``data`` that ``model`` (or a model inside it) allows but does not define.

    It walks the data beside the models' annotations, not the validated models, so it
    runs whether or not the data validates: every format reports its unknown keys in the
    same run as its other problems (``extra="forbid"`` models get pydantic's own error
    instead). Submissions warn on them; reviews refuse most of them (see review.py).
    """
    yield from _unknown(data, model, ())


def _unknown(value: Any, annotation: Any, location: Location) -> Iterator[UnknownKey]:
    kind, inner = _plan(annotation)
    if kind == "model" and isinstance(value, dict):
        fields, allowed = inner
        for key, part in value.items():
            if key in fields:
                if part and isinstance(part, _NESTED):
                    yield from _unknown(part, fields[key], (*location, key))
            elif allowed:
                yield UnknownKey((*location, key), tuple(fields), part)
    elif kind == "items" and isinstance(value, list | tuple):
        for index, part in enumerate(value):
            if part and isinstance(part, _NESTED):
                yield from _unknown(part, inner, (*location, index))
    elif kind == "values" and isinstance(value, dict):
        for key, part in value.items():
            if part and isinstance(part, _NESTED):
                yield from _unknown(part, inner, (*location, key))


_NESTED = (dict, list, tuple)


@functools.cache
def _plan(annotation: Any) -> tuple[str, Any]:
    """How to walk a value read by ``annotation``: as a model (its fields by key, and whether it
    allows other keys), as a list of items, as a mapping's values, or not at all."""
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {(info.alias or name): info.annotation for name, info in annotation.model_fields.items()}
        return "model", (fields, annotation.model_config.get("extra") == "allow")
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, Sequence) and args:
        return "items", args[0]
    if origin is dict and len(args) == 2:
        return "values", args[1]
    return "leaf", None


def _comma_hint(key: str, value: Any) -> str | None:
    """``{title: Handbook (part 1, aims), file: x}`` splits at the comma: say so."""
    if value is None and (" " in key or ")" in key):
        return "a comma inside { } starts a new key: put text that contains commas in quotes"
    return None
