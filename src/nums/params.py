"""What a person types for a date, a whole number or a VAT rate, read the same way by the CLI's
options and the web app's quote form: one set of words for each mistake, whichever shell it is
typed into. click's ParamType is the shape both use (the web app turns a refusal into a problem
beside its field)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from nums.limits import MAX_VAT_RATE
from nums.yamlsource import MAX_DIGITS  # as the YAML reader reads whole numbers


class DateParam(click.ParamType):
    """An ISO date (YYYY-MM-DD), with a message that says so."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        from nums.limits import day_problem

        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-02", param, ctx)
        problem = day_problem(day)
        if problem:
            self.fail(problem, param, ctx)
        return day


DATE = DateParam()


class WholeNumber(click.ParamType):
    """A whole number within bounds, said in plain words (click's own say "not in the range x>=0")."""

    name = "INTEGER"

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            digits = text[1:] if text[:1] in ("+", "-") else text
            shown = repr(text if len(text) <= 24 else text[:20] + "…")
            if not (digits.isascii() and digits.isdigit()):
                self.fail(f"{shown} is not a whole number{self._bounds()}", param, ctx)
            if len(digits) > MAX_DIGITS:
                self.fail(f"{shown} is too large{self._bounds()}", param, ctx)
            number = int(text)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            self.fail(f"{number} is out of range{self._bounds()}", param, ctx)
        return number

    def _bounds(self) -> str:
        """The range allowed, in brackets: " (0 or more)", " (0 to 65535)"."""
        if self.minimum is not None and self.maximum is not None:
            return f" ({self.minimum} to {self.maximum})"
        if self.minimum is not None:
            return f" ({self.minimum} or more)"
        return f" (at most {self.maximum})" if self.maximum is not None else ""


def _percent(rate: Decimal) -> str:
    """20.0 as "20", 17.5 as "17.5"."""
    return format(rate.normalize(), "f")


class PercentParam(click.ParamType):
    """A VAT rate in percent, exact (Decimal), from 0 to 100."""

    name = "PCT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            rate = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number; give a percentage such as 20 or 0", param, ctx)
        if not rate.is_finite() or rate < 0:
            self.fail(f"{value!r} must be zero or more", param, ctx)
        if rate > MAX_VAT_RATE:
            self.fail(
                f"{value!r} is more than {MAX_VAT_RATE}: a VAT rate is a percentage of the net", param, ctx
            )
        if 0 < rate < 1 and ctx is not None:  # a fraction typed for a percentage: 0.2 for 20%
            click.echo(
                f"warning: --vat-rate {value} is {rate}%, not {_percent(rate * 100)}%: the rate is in "
                f"percent (give {_percent(rate * 100)} for {_percent(rate * 100)}%)",
                err=True,
            )
        return rate
