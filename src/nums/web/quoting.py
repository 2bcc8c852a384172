"""Quotes in the app: what the finance page, ``/api/quote`` and the quote PDF ask and show.

The numbers are read by the very parameter types ``nums quote`` uses (so a bad
count, rate or date is refused with the CLI's words), and priced by
``pricing.quote``: the answer is exactly what ``nums quote ... --json`` prints
and the PDF the same bytes as ``nums quote --pdf``. Programmes ticked on the
home page are priced as one request, as ``nums quote SUBMISSION...`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from nums.errors import NumsError, Problem
from nums.fees import submissions_request
from nums.limits import name_problem
from nums.params import DATE, PercentParam, WholeNumber
from nums.prices import load_price_lists
from nums.pricing import Quote, QuoteRequest, quote
from nums.render.quote import amount, quote_json, quote_lines, split_sentence
from nums.workspace import Workspace

# the CLI's own option types, with its option names for the messages
_PARAMS: dict[str, tuple[str, click.ParamType]] = {
    "initial": ("--initial", WholeNumber(0)),
    "reaccreditation": ("--reaccreditation", WholeNumber(0)),
    "mentors": ("--mentors", WholeNumber(1)),
    "vat_rate": ("--vat-rate", PercentParam()),
    "on": ("--on", DATE),
}


@dataclass(frozen=True)
class Asked:
    """What the form or the query asked for, read; ``problems`` when something is not a number or date."""

    values: dict[str, Any]
    programmes: tuple[str, ...]
    problems: tuple[Problem, ...]
    addressee: str | None = None
    alternatives: bool = True


def _addressee(text: str) -> str | None:
    """``--to`` as ``nums quote`` reads it: blank is nobody, runs of spaces become one."""
    return " ".join(text.split()) if text.strip() else None


_NO = {"0", "false", "no", "off"}


def read_params(query: Mapping[str, str], programmes: list[str]) -> Asked:
    values: dict[str, Any] = {}
    problems = []
    for key, (option, kind) in _PARAMS.items():
        text = str(query.get(key) or "").strip()
        if not text:
            continue
        try:
            values[key] = kind.convert(text, None, None)
        except click.BadParameter as error:
            problems.append(Problem(f"Invalid value for '{option}': {error.message}", field=key))
    addressee = _addressee(str(query.get("to") or ""))
    too_long = name_problem(addressee, "to")
    if too_long is not None:
        problems.append(too_long)
        addressee = None
    return Asked(
        values,
        tuple(dict.fromkeys(p for p in programmes if p)),
        tuple(problems),
        addressee=addressee,
        alternatives=str(query.get("alternatives") or "").strip().lower() not in _NO,
    )


def price(workspace: Workspace, asked: Asked, today: date | None = None) -> Quote:
    """The quote ``nums quote`` gives for these values (raises ``NumsError`` as it does)."""
    values = asked.values
    if asked.programmes:
        return quote(load_price_lists(workspace.standard), _programmes_request(workspace, asked, today))
    request = QuoteRequest(
        values.get("initial", 0),
        values.get("reaccreditation", 0),
        values.get("mentors"),
        values.get("on") or today or date.today(),
        values.get("vat_rate"),
        addressee=asked.addressee,
        dated_by="the date asked for" if values.get("on") else "today",
        alternatives=asked.alternatives,
    )
    return quote(load_price_lists(workspace.standard), request)


def _programmes_request(workspace: Workspace, asked: Asked, today: date | None) -> QuoteRequest:
    if asked.values.get("initial") or asked.values.get("reaccreditation"):
        raise NumsError(Problem("give programmes or initial/reaccreditation counts, not both"))
    loaded = []
    edition = None
    for ident in asked.programmes:
        place = workspace.programme_at(ident)
        if place is None:
            raise NumsError(Problem(f"no programme {ident!r} in this workspace", field="programme"))
        programme = workspace.load(place)
        if programme.submission is None or programme.edition is None:
            raise NumsError(programme.problems or (Problem("does not validate", file=str(place.path)),))
        edition = programme.edition
        loaded.append(programme.submission)
    assert edition is not None
    return submissions_request(
        edition,
        loaded,
        today=today or date.today(),
        on=asked.values.get("on"),
        mentors=asked.values.get("mentors"),
        vat_rate=asked.values.get("vat_rate"),
        addressee=asked.addressee,
        alternatives=asked.alternatives,
    )


def answer_json(result: Quote) -> dict[str, object]:
    """Exactly what ``nums quote ... --json`` prints."""
    return quote_json(result)


def quote_view(result: Any) -> dict[str, Any]:
    """The quote as the page shows it: amounts, reasons and split notes in ``nums quote``'s words."""
    return {
        "reference": result.reference,
        "addressee": result.request.addressee,
        "on": result.request.on.isoformat(),
        "dated_by": result.request.dated_by,
        "lines": quote_lines(result),
        "net": amount(result, result.net),
        "vat_rate": answer_json(result)["vat_rate"],
        "vat": amount(result, result.vat),
        "total": amount(result, result.gross),
        "tailored": result.tailored,
        "reasons": list(result.reasons),
        "valid_until": result.valid_until.isoformat(),
        "left_out": [p.reason or p.name for p in result.request.left_out],
        "splits": [split_sentence(result, split) for split in result.alternatives],
        "terms": answer_json(result)["terms"],
    }
