"""Shared plumbing for the pydantic models: frozen, strict about unknown keys,
and built lazily so that commands which never validate a model never pay for
building its validator (``nums quote`` starts fast because of this).

``validation_problems`` turns a pydantic ``ValidationError`` into ``Problem``s
that name the file, the line and the field, with a suggestion for misspelt
keys.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from nums.errors import MAX_PROBLEMS, NumsError, Problem, did_you_mean
from nums.limits import text_problems
from nums.yamlsource import YamlDocument, load_yaml


class Frozen(BaseModel):
    """Immutable, rejects unknown keys, validator built on first use."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Open(BaseModel):
    """Immutable but tolerant: for records whose extra keys are welcome."""

    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)


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
