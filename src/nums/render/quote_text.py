"""A quote as terminal text: lines, net, VAT, total, and any cheaper split."""

from __future__ import annotations

from decimal import Decimal

from nums.pricing import KIND_NAMES, Quote, Split, percent
from nums.render.terminal import heading, wrap


def amount(result: Quote, value: Decimal | None) -> str:
    """£1,000.00, or the currency code where the price list gives no symbol."""
    if value is None:
        return "tailored"
    symbol = result.price_list.currency_symbol
    text = f"{value:,.2f}"
    return f"{symbol}{text}" if symbol else f"{text} {result.price_list.currency}"


def quote_text(result: Quote) -> str:
    price_list = result.price_list
    lines = [
        heading(f"Quote {result.reference} on {result.request.on.isoformat()}"),
        f"Price list {price_list.id} (in force from {price_list.effective_from.isoformat()}); "
        f"prices in {price_list.currency}{' excluding VAT' if price_list.prices_exclude_vat else ''}.",
        "",
    ]
    for line in result.lines:
        plural = "programme" if line.programmes == 1 else "programmes"
        band = line.band.label if line.band else "-"
        lines.append(
            f"  {KIND_NAMES[line.kind]:<34} {line.programmes:>3} {plural:<11} {band:<17} {amount(result, line.net):>12}"
        )
    width = 2 + 34 + 1 + 3 + 1 + 11 + 1 + 17 + 1
    lines.append(f"{'Net':>{width - 2}}  {amount(result, result.net):>12}")
    lines.append(
        f"{'VAT at ' + percent(result.vat_rate) + '%':>{width - 2}}  {amount(result, result.vat):>12}"
    )
    lines.append(heading(f"{'Total':>{width - 2}}  {amount(result, result.gross):>12}"))
    if result.tailored:
        lines += ["", heading("Tailored costs needed: contact the scheme for a price.")]
        lines += [wrap(reason, 4, "  -") for reason in result.reasons]
    else:
        lines.append(f"Valid until {result.valid_until.isoformat()}.")
    for split in result.alternatives:
        lines += [
            "",
            heading("Cheaper alternative (not part of this quote):"),
            wrap(split_sentence(result, split), 2),
        ]
    return "\n".join(lines)


def split_sentence(result: Quote, split: Split) -> str:
    parts = " + ".join(str(size) for size in split.applications)
    return (
        f"{KIND_NAMES[split.kind]} for {split.programmes} programmes as separate applications of "
        f"{parts} programmes costs {amount(result, split.net)} net instead of "
        f"{amount(result, split.combined_net)}, saving {amount(result, split.saving)} before VAT."
    )
