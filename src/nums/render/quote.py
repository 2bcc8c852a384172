"""A quote for machines (``nums quote --json``, a public contract) and as terminal text:
lines, net, VAT, total, and any cheaper split."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nums.pricing import (
    KIND_NAMES,
    NOT_ADDRESSED,
    PENNY,
    Quote,
    QuoteSet,
    Split,
    institution_of,
    split_note,
    whom_to_ask,
)
from nums.render.terminal import heading, shown, wrap


def amount(result: Quote, value: Decimal | None) -> str:
    """£1,000.00, or the currency code where the price list gives no symbol."""
    if value is None:
        return "tailored"
    symbol = result.price_list.currency_symbol
    text = f"{value:,.2f}"
    return f"{symbol}{text}" if symbol else f"{text} {result.price_list.currency}"


def quote_lines(result: Quote) -> list[dict[str, Any]]:
    """Each line as every document shows it (the quote PDF, the pack's fee page, the web app):
    what it is, how many programmes and which, the band (None when tailored), the net amount,
    and why programmes on it are priced as they are."""
    return [
        {
            "name": KIND_NAMES[line.kind],
            "programmes": line.programmes,
            "band": line.band.label if line.band else None,
            "net": amount(result, line.net),
            "named": [p.name for p in line.named],
            "notes": list(line.notes),
        }
        for line in result.lines
    ]


def quote_text(result: Quote) -> str:
    price_list = result.price_list
    request = result.request
    lines = [heading(f"Quote {result.reference} on {request.on.isoformat()}") + f" ({request.dated_by})"]
    lines.append(wrap(issuer_line(result), 0))
    lines.append(f"For {shown(request.addressee)}" if request.addressee else NOT_ADDRESSED)
    if institution_of(result):
        lines.append(f"Programmes of {shown(institution_of(result))}")
    lines += [
        f"Price list {price_list.id} (in force from {price_list.effective_from.isoformat()}); prices in "
        f"{price_list.currency}{' excluding VAT' if price_list.prices_exclude_vat else ''}.",
        "",
    ]
    for line in result.lines:
        plural = "programme" if line.programmes == 1 else "programmes"
        band = line.band.label if line.band else "-"
        lines.append(
            f"  {KIND_NAMES[line.kind]:<34} {line.programmes:>3} {plural:<11} {band:<17} {amount(result, line.net):>12}"
        )
        if line.named:
            lines.append(wrap("; ".join(p.name for p in line.named), 6, "    "))
        lines += [wrap(note, 8, "      -") for note in line.notes]
    width = 2 + 34 + 1 + 3 + 1 + 11 + 1 + 17 + 1
    lines.append(f"{'Net':>{width - 2}}  {amount(result, result.net):>12}")
    lines.append(
        f"{'VAT at ' + percent(result.vat_rate) + '%':>{width - 2}}  {amount(result, result.vat):>12}"
    )
    lines.append(heading(f"{'Total':>{width - 2}}  {amount(result, result.gross):>12}"))
    if result.tailored:
        lines += ["", *(heading(line) for line in wrap(tailored_line(result), 0).split("\n"))]
        lines += [wrap(reason, 4, "  -") for reason in result.reasons]
        lines.append(
            wrap(
                f"The prices listed are valid until {result.valid_until.isoformat()}; the tailored costs are"
                " not part of them, and hold for as long as the scheme says when it prices them.",
                0,
            )
        )
    else:
        lines.append(f"Valid until {result.valid_until.isoformat()}.")
    lines += ["", wrap("How to pay, or whom to ask: " + whom_to_ask(result), 0)]
    if request.left_out:
        lines += ["", heading("Not priced (cannot be accredited on the application date):")]
        lines += [wrap(p.reason or p.name, 4, "  -") for p in request.left_out]
    for split in result.alternatives:
        lines += [
            "",
            heading("The price table's own arithmetic (not part of this quote):"),
            wrap(split_sentence(result, split), 2),
        ]
    return "\n".join(lines)


def issuer_line(result: Quote) -> str:
    """Who sets the fees: the price list's issuer, with its own note and site."""
    issuer = result.price_list.issuer
    if issuer is None:
        return "Fees from the price list below; it names no issuer."
    note = f" ({issuer.note})" if issuer.note else ""
    site = f"; {issuer.website}" if issuer.website else ""
    return f"Fees set by {issuer.name}, who award the accreditation{note}{site}."


def tailored_line(result: Quote) -> str:
    """ "please contact us for tailored costs": whom, in the price list's words."""
    issuer = result.price_list.issuer
    if issuer is None:
        return "Tailored costs needed: contact the scheme for a price."
    where = f" through {issuer.website}" if issuer.website else ""
    return f"Tailored costs needed: ask {issuer.name}{where} for a price."


def quote_set_text(result: QuoteSet) -> str:
    """Each institution's quote in turn, after the line that says why there are several."""
    parts = [wrap(split_note(len(result.quotes)), 0)]
    if result.left_out:
        parts += ["", heading("Not priced (cannot be accredited on the application date):")]
        parts += [
            wrap((p.reason or p.name) + (f" ({p.institution})" if p.institution else ""), 4, "  -")
            for p in result.left_out
        ]
    for index, each in enumerate(result.quotes, start=1):
        parts += ["", heading(f"{index} of {len(result.quotes)}: {institution_of(each)}"), quote_text(each)]
    total = amount(result.quotes[0], result.total("gross"))
    parts += ["", f"Together, with VAT: {total} (the sum of {len(result.quotes)} separate quotes)."]
    return "\n".join(parts)


def split_sentence(result: Quote, split: Split) -> str:
    """What the table itself says separate applications would cost: advisory, never the quote."""
    kind = KIND_NAMES[split.kind].lower()
    sizes = sorted(set(split.applications))
    unit = ", ".join(
        f"{_programmes(size)} at {amount(result, _band_net(result, split.kind, size))}" for size in sizes
    )
    count = len(split.applications)
    parts = " + ".join(str(size) for size in split.applications)
    return (
        f"The table prices {kind} for {_programmes(split.programmes)} in one application at "
        f"{amount(result, split.combined_net)}, and for {unit}; {count} separate applications ({parts}) would cost "
        f"{amount(result, split.net)}, {amount(result, split.saving)} less before VAT. Whether separate "
        "applications suit these programmes is for the applicant and the scheme to decide."
    )


def _programmes(count: int) -> str:
    return "a single programme" if count == 1 else f"{count} programmes"


def _band_net(result: Quote, kind: str, size: int) -> Decimal:
    from nums.pricing import band_for, band_price

    band = band_for(result.price_list, size)
    assert band is not None
    return band_price(band, kind)


def money(amount: Decimal | None) -> str | None:
    """A decimal string with two places, as in the JSON contract."""
    return None if amount is None else str(amount.quantize(PENNY))


def percent(rate: Decimal) -> str:
    """20 as "20", 17.5 as "17.5": the VAT rate as people write it."""
    text = format(rate.normalize(), "f")
    return text


def quote_json(result: Quote) -> dict[str, object]:
    """The public JSON of ``nums quote --json``."""
    return {
        **_quote_fields(result),
        "institution": institution_of(result) or None,
    }


def quote_set_json(result: QuoteSet) -> dict[str, object]:
    """``nums quote --json`` for programmes of several institutions: each institution's quote
    under ``quotes``, with the totals of the separate quotes (null when any is tailored)."""
    first = result.quotes[0]
    return {
        "split_by_institution": True,
        "note": split_note(len(result.quotes)),
        "institutions": list(result.institutions),
        "quotes": [quote_json(q) for q in result.quotes],
        "currency": first.price_list.currency,
        "net": money(result.total("net")),
        "vat": money(result.total("vat")),
        "gross": money(result.total("gross")),
        "tailored": any(q.tailored for q in result.quotes),
        "left_out": [
            {"programme": p.name, "reason": p.reason, "institution": p.institution} for p in result.left_out
        ],
    }


def _quote_fields(result: Quote) -> dict[str, object]:
    return {
        "reference": result.reference,
        "date": result.request.on.isoformat(),
        "valid_until": result.valid_until.isoformat(),
        "price_list": result.price_list.id,
        "currency": result.price_list.currency,
        "addressee": result.request.addressee,
        "dated_by": result.request.dated_by,
        "lines": [
            {
                "kind": line.kind,
                "programmes": line.programmes,
                "band": line.band.label if line.band else None,
                "net": money(line.net),
                "programmes_named": [p.name for p in line.named],
                "notes": list(line.notes),
            }
            for line in result.lines
        ],
        "left_out": [{"programme": p.name, "reason": p.reason} for p in result.request.left_out],
        "net": money(result.net),
        "vat_rate": percent(result.vat_rate),
        "vat": money(result.vat),
        "gross": money(result.gross),
        "tailored": result.tailored,
        "reasons": list(result.reasons),
        "largest_programme_mentors": result.request.largest_mentors,
        "alternatives": [
            {
                "kind": split.kind,
                "programmes": split.programmes,
                "applications": list(split.applications),
                "net": money(split.net),
                "combined_net": money(split.combined_net),
                "saving": money(split.saving),
            }
            for split in result.alternatives
        ],
        "terms": list(result.price_list.terms),
        "issuer": issuer_json(result),
        "addressed": result.request.addressee is not None,
    }


def issuer_json(result: Quote) -> dict[str, object] | None:
    """Who sets the fees and whom to ask, exactly as the price list holds them."""
    issuer = result.price_list.issuer
    return issuer.model_dump() if issuer is not None else None
