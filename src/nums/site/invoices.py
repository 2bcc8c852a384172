"""Invoices: finance records one per application from its quote, and later that it was paid.

"The quote is made at submission from what the application is (as ``nums quote SUBMISSION`` prices
it) and shown to finance, who records an invoice (a sequential number, VAT, a due date from the
price list's terms) and, later, that it was paid." (issue 23)

The amounts are the quote's unless the quote is tailored (then finance gives the net amount); the
VAT rate is the quote's unless finance gives another (0 for an institution not charged UK VAT);
the due date is the issue date plus the price list's ``payment_due_days``. Numbers run 1, 2, 3...
across the site and never repeat: the next number is read under the site's invoice-number lock
(``journey.lock``), so two invoices of two programmes recorded at once get two numbers, one after
the other (and the unique key refuses a repeat whatever writes it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nums import policy
from nums.prices import PriceList, price_list_on, vat_rate_problem
from nums.pricing import PENNY, vat_on
from nums.site import audit
from nums.site import db as tables
from nums.site.folder import OpenSite
from nums.site.journey import Refused, _leads, _place, _tell, current, lock, programme_thing
from nums.site.records import Application, Invoice
from nums.site.states import State
from nums.workspace import Workspace

INVOICE_NUMBERS = "#invoice-numbers"
"""The lock row of the invoices' sequence: no programme's id (a folder name has no '#')."""


@dataclass(frozen=True)
class InvoiceFacts:
    number: int
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    currency: str
    issued: date
    due: date
    paid: date | None


def facts_of(invoice: Invoice) -> InvoiceFacts:
    return InvoiceFacts(
        invoice.number,
        Decimal(invoice.net),
        Decimal(invoice.vat_rate),
        Decimal(invoice.vat),
        Decimal(invoice.total),
        invoice.currency,
        invoice.issued,
        invoice.due,
        invoice.paid,
    )


def invoice_of(db: Session, application: Application) -> Invoice | None:
    return db.scalars(select(Invoice).where(Invoice.application_id == application.id)).first()


def record_invoice(
    site: OpenSite,
    person: policy.Person,
    programme_id: str,
    issued: date | None = None,
    net: str | None = None,
    vat_rate: str | None = None,
    now: datetime | None = None,
) -> InvoiceFacts:
    """Record the invoice of the programme's current application (finance only, once)."""
    moment = now or tables.now()
    day = issued or moment.date()
    with site.transaction() as db:
        place = _place(site, db, person, programme_id)
        thing = programme_thing(db, programme_id)
        if not policy.can(person, policy.Action.RECORD_INVOICE, thing):
            raise Refused('only finance records invoices: "finance, who records an invoice"', 403)
        application = current(db, programme_id)
        if application is None or State(application.state) is State.WITHDRAWN:
            raise Refused("there is no application to invoice: it has not been submitted, or was withdrawn")
        if invoice_of(db, application) is not None:
            raise Refused("this application's invoice is recorded already")
        quote = json.loads(application.quote_json)
        price_list = _price_list(site, place.id, quote, day)
        amount = _net(quote, net)
        rate = _rate(quote, vat_rate, price_list)
        vat = vat_on(amount, rate)
        lock(db, INVOICE_NUMBERS)  # after the programme's lock: always in that order, never a deadlock
        number = (db.scalar(select(func.max(Invoice.number))) or 0) + 1
        invoice = Invoice(
            number=number,
            application_id=application.id,
            currency=price_list.currency,
            net=str(amount),
            vat_rate=str(rate),
            vat=str(vat),
            total=str(amount + vat),
            issued=day,
            due=day + timedelta(days=price_list.payment_due_days),
            paid=None,
            recorded_by=person.id,
        )
        db.add(invoice)
        db.flush()
        audit.record(
            db, person, audit.INVOICE_RECORDED, programme_id, at=moment, number=number, total=invoice.total,
            currency=invoice.currency, due=invoice.due.isoformat(),
        )  # fmt: skip
        symbol = price_list.currency_symbol or f"{price_list.currency} "
        _tell(
            site, db, person, programme_id, "invoice_recorded", _leads(db, programme_id.partition("/")[0]), moment,
            number=str(number), total=f"{symbol}{invoice.total}", vat_rate=str(rate), due=invoice.due.isoformat(),
        )  # fmt: skip
        return facts_of(invoice)


def record_payment(
    site: OpenSite, person: policy.Person, programme_id: str, paid: date, now: datetime | None = None
) -> InvoiceFacts:
    """Record that the current application's invoice was paid on ``paid`` (finance only, once)."""
    moment = now or tables.now()
    with site.transaction() as db:
        _place(site, db, person, programme_id)
        if not policy.can(person, policy.Action.RECORD_INVOICE, programme_thing(db, programme_id)):
            raise Refused("only finance records payments", 403)
        application = current(db, programme_id)
        invoice = invoice_of(db, application) if application is not None else None
        if invoice is None:
            raise Refused("there is no invoice to mark paid: record the invoice first")
        if invoice.paid is not None:
            raise Refused(
                f"invoice {invoice.number} is recorded as paid already, on {invoice.paid.isoformat()}"
            )
        if paid < invoice.issued:
            raise Refused(f"it cannot be paid before it was issued ({invoice.issued.isoformat()})")
        invoice.paid = paid
        audit.record(
            db,
            person,
            audit.INVOICE_PAID,
            programme_id,
            at=moment,
            number=invoice.number,
            paid=paid.isoformat(),
        )
        return facts_of(invoice)


def _price_list(site: OpenSite, programme_id: str, quote: dict | None, day: date) -> PriceList:
    workspace = Workspace(site.workspace)
    place = workspace.programme_at(programme_id)
    loaded = workspace.load(place) if place is not None else None
    lists = loaded.edition.price_lists if loaded is not None and loaded.edition is not None else ()
    if not lists:
        from nums.prices import load_price_lists

        lists = load_price_lists(None)
    named = [p for p in lists if quote and p.id == quote.get("price_list")]
    return named[0] if named else price_list_on(lists, day)


def _net(quote: dict | None, given: str | None) -> Decimal:
    if given is not None:
        return _amount(given, "net")
    if quote is None:
        raise Refused("the application has no quote (nothing in it can be accredited): give the net amount")
    if quote.get("tailored") or quote.get("net") is None:
        raise Refused("the quote is tailored: give the net amount agreed with the institution")
    return _amount(str(quote["net"]), "net")


def _rate(quote: dict | None, given: str | None, price_list: PriceList) -> Decimal:
    if given is None:
        return (
            Decimal(str(quote["vat_rate"]))
            if quote and quote.get("vat_rate") is not None
            else price_list.vat_rate
        )
    rate = _amount(given, "VAT rate", places=False)
    problem = vat_rate_problem(rate)
    if problem:
        raise Refused(f"the VAT rate {problem}")
    return rate


def _amount(text: str, what: str, places: bool = True) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise Refused(f"the {what} must be a number, such as 350.00 (got {text!r})") from None
    if not value.is_finite() or value < 0 or value > Decimal("10000000"):
        raise Refused(f"the {what} must be from 0 to 10,000,000 (got {text!r})")
    return value.quantize(PENNY) if places else value
