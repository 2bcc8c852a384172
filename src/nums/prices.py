"""Price lists: the fees by number of programmes, VAT, the tailored-cost
thresholds and quote terms, each list in force from its own date.

Kept apart from the rest of the edition so that a quote loads only this.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from nums.editions import edition_folder, read_edition_file
from nums.errors import NumsError, Problem
from nums.limits import MAX_BAND_PROGRAMMES, MAX_PERIOD_DAYS, MAX_PRICE, MAX_VAT_RATE
from nums.models import Day, Frozen, WholeNumber, YesNo, read_document
from nums.yamlsource import YamlDocument


class Band(Frozen):
    label: str
    up_to: WholeNumber
    initial: Decimal
    reaccreditation: Decimal


class TailoredRule(Frozen):
    quote: str
    programmes_more_than: WholeNumber
    mentors_at_least: WholeNumber


class Issuer(Frozen):
    """Who sets the fees and awards the accreditation, and whom to ask, as the edition gives
    them; a contact the standard does not give stays None and ``ask`` says so."""

    name: str
    note: str | None = None
    website: str | None = None
    email: str | None = None
    payment: str | None = None  # how to pay, where the edition gives it
    ask: str  # whom to ask, in words: how to pay, or for tailored costs


class PriceList(Frozen):
    id: str
    scheme: str | None = None
    issuer: Issuer | None = None
    effective_from: Day
    currency: str
    currency_symbol: str | None = None
    prices_exclude_vat: YesNo = True
    vat_rate: Decimal
    quote_valid_days: WholeNumber = 30
    payment_due_days: WholeNumber = Field(default=30, ge=0, le=MAX_PERIOD_DAYS)  # an invoice's terms
    bands: tuple[Band, ...]
    tailored: TailoredRule
    terms: tuple[str, ...] = ()


class PricesFile(Frozen):
    price_lists: tuple[PriceList, ...]


def vat_rate_problem(rate: Decimal) -> str | None:
    """Why ``rate`` (in percent) cannot be a VAT rate, in words; None when it can."""
    if rate < 0:
        return f"cannot be negative (got {rate})"
    if rate > MAX_VAT_RATE:
        return f"a VAT rate is a percentage from 0 to {MAX_VAT_RATE} (got {rate})"
    return None


def price_list_on(price_lists: tuple[PriceList, ...], day: date) -> PriceList:
    """The newest price list in force on ``day``."""
    in_force = [p for p in price_lists if p.effective_from <= day]
    if not in_force:
        first = min(p.effective_from for p in price_lists)
        raise NumsError(
            Problem(
                f"no price list is in force on {day.isoformat()}",
                suggestion=f"the first price list takes effect on {first.isoformat()}",
            )
        )
    return max(in_force, key=lambda p: p.effective_from)


def load_price_lists(folder: str | Path | None = None) -> tuple[PriceList, ...]:
    """Only the price lists: all a quote needs, so quoting stays fast."""
    return _load_price_lists(str(edition_folder(folder).resolve()))


@functools.lru_cache(maxsize=8)
def _load_price_lists(folder: str) -> tuple[PriceList, ...]:
    root = Path(folder)
    _, meta = read_edition_file(root)
    problems: list[Problem] = []
    prices = read_price_lists(root / meta.prices, problems)
    if problems:
        raise NumsError(problems)
    assert prices is not None
    return prices


def read_price_lists(path: Path, problems: list[Problem]) -> tuple[PriceList, ...] | None:
    doc, prices = read_document(path, PricesFile, problems, "price list")
    if doc is None or prices is None:
        return None
    problems += _check_prices(doc, prices)
    return prices.price_lists


def _check_prices(doc: YamlDocument, prices: PricesFile) -> list[Problem]:
    problems: list[Problem] = []
    if not prices.price_lists:
        problems.append(doc.problem(("price_lists",), "at least one price list is needed"))
    dates = [p.effective_from for p in prices.price_lists]
    for index, price_list in enumerate(prices.price_lists):
        where = ("price_lists", index)
        problems += _check_amounts(doc, where, price_list)
        if dates.count(price_list.effective_from) > 1:
            problems.append(
                doc.problem((*where, "effective_from"), "two price lists take effect on the same day")
            )
        previous = 0
        for band_index, band in enumerate(price_list.bands):
            if band.up_to <= previous:
                problems.append(
                    doc.problem(
                        (*where, "bands", band_index, "up_to"),
                        f"bands must grow: {band.up_to} follows {previous}",
                    )
                )
            previous = band.up_to
        if price_list.tailored.programmes_more_than != previous:
            problems.append(
                doc.problem(
                    (*where, "tailored", "programmes_more_than"),
                    f"the bands end at {previous} programmes but tailored costs start above "
                    f"{price_list.tailored.programmes_more_than}: the price list has a gap or an overlap",
                )
            )
    return problems


def _check_amounts(doc: YamlDocument, where: tuple[str | int, ...], price_list: PriceList) -> list[Problem]:
    """Signs and sizes a schema would check; written out so a quote need not load pydantic's Field machinery."""
    problems = []
    if not price_list.bands:
        problems.append(doc.problem((*where, "bands"), "a price list needs at least one band"))
    if vat_problem := vat_rate_problem(price_list.vat_rate):
        problems.append(doc.problem((*where, "vat_rate"), vat_problem))
    if not 1 <= price_list.quote_valid_days <= MAX_PERIOD_DAYS:
        problems.append(
            doc.problem((*where, "quote_valid_days"), f"must be from 1 to {MAX_PERIOD_DAYS:,} days")
        )
    for name in ("programmes_more_than", "mentors_at_least"):
        if getattr(price_list.tailored, name) < 1:
            problems.append(doc.problem((*where, "tailored", name), "must be at least 1"))
    for index, band in enumerate(price_list.bands):
        for name in ("initial", "reaccreditation"):
            if getattr(band, name) < 0:
                problems.append(doc.problem((*where, "bands", index, name), "a price cannot be negative"))
            elif getattr(band, name) > MAX_PRICE:
                problems.append(
                    doc.problem((*where, "bands", index, name), f"a price may be at most {MAX_PRICE:,}")
                )
        if not 1 <= band.up_to <= MAX_BAND_PROGRAMMES:
            problems.append(
                doc.problem(
                    (*where, "bands", index, "up_to"), f"must be from 1 to {MAX_BAND_PROGRAMMES:,} programmes"
                )
            )
    return problems
