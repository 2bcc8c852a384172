"""pydantic's validation errors in people's words.

pydantic says "Input should be a valid integer" and "valid dictionary or
instance of EvidenceItem"; the people who write nums files are programme
coordinators, assessors and finance staff. Every error type pydantic can
raise is given a message of ours here, naming the field as the file format
and the standard name it, and showing what was written in YAML's terms
(text, a list, a mapping), never a Python type or class. Messages from our
own validators (``ValueError`` in a model) are already ours and pass
through without pydantic's prefix.
"""

from __future__ import annotations

import calendar
import re
from typing import Any

# What a field is called where a message needs a subject, by key.
FIELD_WORDS: dict[str, str] = {
    "mentors": "the number of mentors",
    "started": "the date the programme started",
    "awarded": "the date of the award",
    "date": "the date",
    "effective_from": "the date the price list takes effect",
    "level": "the level",
    "type": "the application type",
    "met": "'met'",
    "statement": "the statement",
    "evidence": "the evidence",
    "title": "the evidence title",
    "url": "the web address",
    "file": "the file path",
    "name": "the name",
    "purpose": "the programme's purpose",
    "institution": "the institution",
    "email": "the email address",
    "website": "the website",
    "decision": "the decision",
    "comment": "the comment",
    "reason": "the reason",
    "criteria": "the criteria",
    "self_rating": "the self-rating",
    "history": "the history of awards",
    "programmes": "the programmes",
    "decisions": "the decisions",
    "overrides": "the overrides",
    "vat_rate": "the VAT rate",
    "initial": "the price",
    "reaccreditation": "the price",
    "up_to": "the number of programmes",
    "quote_valid_days": "the number of days",
    "warn_days_before_lapse": "the number of days",
    "prepare_renewal_days": "the number of days",
    "months": "the number of months",
    "months_at_level": "the number of months",
    "prices_exclude_vat": "whether prices exclude VAT",
    "programme": "the programme",
}

# What a group of fields needs, by the model that reads it.
GROUP_NEEDS: dict[str, str] = {
    "EvidenceItem": "an evidence item needs a title and a url or file",
    "Claim": "a criterion needs met, a statement and evidence",
    "Continuation": "continuation evidence needs a statement and evidence",
    "Programme": "a programme needs a name, institution, coordinator, purpose and number of mentors",
    "Coordinator": "the coordinator needs a name (and an email address)",
    "Application": "the application needs a date, a level and a type",
    "Award": "an award needs a level and the date it was awarded",
    "Reviewer": "the reviewer needs a name",
    "Decision": "a decision is written as decision: accepted, rejected or more-evidence, with a comment",
    "Override": "an override needs a level and a reason",
    "Reviewed": "the submission reviewed is written as {programme: ..., institution: ...}",
}

_TYPE_WORDS: list[tuple[str, str]] = [
    ("int_", "must be a whole number"),
    ("float_", "must be a number"),
    ("decimal_", "must be a number"),
    ("complex_", "must be a number"),
    ("bool_", "must be true or false"),
    ("string_", "must be text"),
    ("str_", "must be text"),
    ("bytes_", "must be text"),
    ("url_", "must be a web address"),
    ("uuid_", "must be an identifier"),
    ("list_", "must be a list (lines starting with '- ')"),
    ("tuple_", "must be a list (lines starting with '- ')"),
    ("set_", "must be a list (lines starting with '- ')"),
    ("frozen_set_", "must be a list (lines starting with '- ')"),
    ("iterable_", "must be a list (lines starting with '- ')"),
    ("time_", "must be a time"),
    ("timezone_", "must be a time"),
]
_GROUP_TYPES = {"dict_type", "model_type", "model_attributes_type", "dataclass_type", "dataclass_exact_type"}
_GROUP_TYPES |= {"mapping_type", "model_fields_type", "typed_dict_type"}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def friendly(error: dict[str, Any], group: str | None, known_types: frozenset[str]) -> str:
    """One pydantic error as a sentence; ``group`` is the model class name at its location."""
    kind: str = error["type"]
    subject = _subject(error["loc"])
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return (
            str(ctx.get("error") or error["msg"])
            .removeprefix("Value error, ")
            .removeprefix("Assertion failed, ")
        )
    if kind not in known_types:  # our own PydanticCustomError: already for people
        return str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith(("date", "datetime")):
        return date_message(value)
    if kind in _GROUP_TYPES:
        need = GROUP_NEEDS.get(group or "", "needs fields written as key: value")
        return f"{need} ({_got(value)})"
    message = f"{subject} {_rule(kind, ctx)} ({_got(value)})"
    if kind == "string_type" and isinstance(value, (int, float)):  # `title: 2024`, `name: yes`
        message += "; put it in quotes to keep it as text"
    elif kind == "int_type" and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        message += "; write it as a plain number, without quotes or a leading zero"  # '24', 024
    elif kind == "bool_type" and isinstance(value, str) and value.strip().lower() in _YAML_BOOLS:
        message += "; write true or false, without quotes"  # 'yes'
    return message


_YAML_BOOLS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n"})


def _rule(kind: str, ctx: dict[str, Any]) -> str:
    """What the value must be, for errors that are not about groups or dates."""
    bounds = {
        "greater_than": ("must be more than", "gt"),
        "greater_than_equal": ("must be at least", "ge"),
        "less_than": ("must be less than", "lt"),
        "less_than_equal": ("must be at most", "le"),
        "multiple_of": ("must be a multiple of", "multiple_of"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx.get(key)}"
    if kind == "string_too_short":
        return (
            "must not be empty"
            if ctx.get("min_length", 1) <= 1
            else f"needs at least {ctx['min_length']} characters"
        )
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entries"
    if kind == "too_long":
        return f"may have at most {ctx.get('max_length')} entries"
    if kind in ("literal_error", "enum"):
        return f"must be {ctx.get('expected', 'one of the listed words')}"
    if kind == "none_required":
        return "must be left empty"
    if kind in ("frozen_field", "frozen_instance"):
        return "cannot be changed"
    for prefix, words in _TYPE_WORDS:
        if kind.startswith(prefix):
            return words
    return "is not valid here"


def _subject(loc: tuple[Any, ...]) -> str:
    for part in reversed(loc):
        if isinstance(part, str) and "[" not in part and not part.startswith("function-"):
            return FIELD_WORDS.get(part, "the value")
    return "the value"


def _got(value: Any) -> str:
    """What was written, in YAML's words."""
    if value is None:
        return "it is empty"
    if isinstance(value, bool):
        return f"got {'true' if value else 'false'}"
    if isinstance(value, dict):
        return "got a mapping of keys" if value else "got an empty mapping {}"
    if isinstance(value, (list, tuple)):
        return "got a list" if value else "got an empty list []"
    if isinstance(value, (int, float)):
        text = str(value)
        return f"got {text}" if len(text) <= 40 else "got a very long number"
    if isinstance(value, str):
        return f"got {value!r}" if len(value) <= 40 else f"got text of {len(value)} characters"
    return "got something else"


def date_message(value: Any) -> str:
    """Why a value is not a date, with the calendar's reason where there is one.

    "2025-02-30 is not a date: February 2025 has 28 days".
    """
    advice = "write dates as YYYY-MM-DD, for example 2026-03-02"
    if not isinstance(value, str):
        return f"must be a date ({_got(value)}); {advice}"
    match = _DATE.fullmatch(value.strip())
    if match is None:
        shown = repr(value) if len(value) <= 40 else f"text of {len(value)} characters"
        return f"{shown} is not a date; {advice}"
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"{value} is not a date: there is no month {month}"
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if year < 1:
        return f"{value} is not a date: there is no year 0"
    if day == 0 or day > last:
        return f"{value} is not a date: {calendar.month_name[month]} {year} has {last} days"
    return f"{value} is not written as YYYY-MM-DD; write it as {year:04d}-{month:02d}-{day:02d}"
