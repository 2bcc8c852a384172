"""Quotes for finance staff: bands, VAT, tailored cases and the cheapest split.

Everything comes from the edition's price list (``standards/<edition>/prices.yaml``):
band edges, prices, the VAT rate, when costs must be tailored, how long a quote
is valid. Money is ``Decimal``, rounded half-up to the penny, never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from nums.errors import NumsError, Problem
from nums.prices import Band, PriceList, price_list_on, vat_rate_problem

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
KINDS = ("initial", "reaccreditation")
KIND_NAMES = {"initial": "Initial assessment", "reaccreditation": "Reaccreditation at the same level"}


@dataclass(frozen=True)
class NamedProgramme:
    """A programme behind a quote line, and why it is priced as it is when that is
    not what its file asked for."""

    name: str
    kind: str | None  # initial | reaccreditation | None: left out of the quote
    reason: str | None = None
    institution: str | None = None  # whose programme it is; one quote never mixes institutions


@dataclass(frozen=True)
class QuoteRequest:
    """What finance staff ask for: how many programmes of each kind, on which day.

    A request made from submissions also names its programmes (``named``); the
    counts are then theirs. ``dated_by`` says where the date came from.
    """

    initial: int = 0
    reaccreditation: int = 0
    largest_mentors: int | None = None  # mentors in the largest programme, when known
    on: date = date(2021, 1, 1)
    vat_rate: Decimal | None = None  # percent; None means the price list's rate
    named: tuple[NamedProgramme, ...] = ()
    addressee: str | None = None  # who the quote is for ("Name, Organisation")
    dated_by: str = "the date asked for"
    alternatives: bool = True  # show cheaper splits beside the quote

    def count(self, kind: str) -> int:
        return self.initial if kind == "initial" else self.reaccreditation

    @property
    def left_out(self) -> tuple[NamedProgramme, ...]:
        return tuple(p for p in self.named if p.kind is None)


def request_for(
    named: tuple[NamedProgramme, ...],
    *,
    on: date,
    largest_mentors: int | None = None,
    vat_rate: Decimal | None = None,
    addressee: str | None = None,
    dated_by: str = "the date asked for",
    alternatives: bool = True,
) -> QuoteRequest:
    """A request whose counts are those of its named programmes (left-out ones not counted)."""
    counts = {kind: sum(1 for p in named if p.kind == kind) for kind in KINDS}
    return QuoteRequest(
        counts["initial"],
        counts["reaccreditation"],
        largest_mentors,
        on,
        vat_rate,
        named=named,
        addressee=addressee,
        dated_by=dated_by,
        alternatives=alternatives,
    )


@dataclass(frozen=True)
class QuoteLine:
    kind: str
    programmes: int
    band: Band | None  # None when the quote is tailored
    net: Decimal | None
    named: tuple[NamedProgramme, ...] = ()  # the programmes behind it, when the request names them

    @property
    def notes(self) -> tuple[str, ...]:
        """Why programmes on this line are priced as they are (each reason once)."""
        return tuple(dict.fromkeys(p.reason for p in self.named if p.reason))


@dataclass(frozen=True)
class Split:
    """Separate applications that together cost less than one combined application."""

    kind: str
    programmes: int
    applications: tuple[int, ...]  # programmes per application, largest first
    net: Decimal
    combined_net: Decimal

    @property
    def saving(self) -> Decimal:
        return self.combined_net - self.net


@dataclass(frozen=True)
class Quote:
    request: QuoteRequest
    price_list: PriceList
    lines: tuple[QuoteLine, ...]
    vat_rate: Decimal
    tailored: bool
    reasons: tuple[str, ...]
    alternatives: tuple[Split, ...]

    @property
    def net(self) -> Decimal | None:
        if self.tailored:
            return None
        return sum((line.net for line in self.lines if line.net is not None), Decimal(0)).quantize(PENNY)

    @property
    def vat(self) -> Decimal | None:
        net = self.net
        return None if net is None else vat_on(net, self.vat_rate)

    @property
    def gross(self) -> Decimal | None:
        net, vat = self.net, self.vat
        return None if net is None or vat is None else net + vat

    @property
    def valid_until(self) -> date:
        """The last day the quote may be relied on."""
        return self.request.on + timedelta(days=self.price_list.quote_valid_days - 1)

    @property
    def reference(self) -> str:
        """Stable: the same request on the same day always has the same reference."""
        import hashlib

        parts = [self.price_list.id, self.request.on.isoformat(), str(self.vat_rate)]
        parts += [f"{line.kind}:{line.programmes}" for line in self.lines]
        parts += [str(self.request.largest_mentors)]
        if self.request.addressee:
            parts.append("to:" + " ".join(self.request.addressee.split()))
        if self.request.named:
            parts += [f"{p.kind}:{p.name}" for p in self.request.named]
        key = "|".join(parts)
        return "Q-" + hashlib.sha256(key.encode()).hexdigest()[:8].upper()


@dataclass(frozen=True)
class QuoteSet:
    """One quote per institution, for programmes of several: "Accreditation applies for single
    mentoring programmes, unless there is a combined approach and shared expectations across
    several mentoring programmes" -- programmes of different institutions share no combined
    approach, so they are never priced as one request."""

    quotes: tuple[Quote, ...]
    left_out: tuple[NamedProgramme, ...] = ()  # programmes of institutions with nothing to price

    @property
    def institutions(self) -> tuple[str, ...]:
        return tuple(institution_of(q) for q in self.quotes)

    def total(self, key: str) -> Decimal | None:
        """The sum of the quotes' net, vat or gross; None when any is tailored."""
        values = [getattr(q, key) for q in self.quotes]
        return None if any(v is None for v in values) else sum(values, Decimal(0))


def institution_of(result: Quote) -> str:
    """The institution a quote's programmes belong to ("" when the request names none)."""
    return next((p.institution for p in result.request.named if p.institution), "")


def split_note(count: int) -> str:
    """The line that says why there are several quotes."""
    return (
        f"These programmes belong to {count} institutions. Programmes of different institutions cannot be "
        "accredited together, so they are never priced as one request: there is one quote per institution, "
        "each with its own reference."
    )


def vat_on(net: Decimal, rate: Decimal) -> Decimal:
    return (net * rate / HUNDRED).quantize(PENNY, rounding=ROUND_HALF_UP)


def band_for(price_list: PriceList, programmes: int) -> Band | None:
    """The smallest band that holds ``programmes``; None above the last band."""
    for band in price_list.bands:
        if programmes <= band.up_to:
            return band
    return None


def band_price(band: Band, kind: str) -> Decimal:
    return band.initial if kind == "initial" else band.reaccreditation


def quote(price_lists: tuple[PriceList, ...], request: QuoteRequest) -> Quote:
    """Price a request with the price list in force on its date."""
    _check_request(request)
    price_list = price_list_on(price_lists, request.on)
    rate = price_list.vat_rate if request.vat_rate is None else request.vat_rate
    reasons = tailored_reasons(price_list, request)
    lines = tuple(
        _line(price_list, kind, request.count(kind), tailored=bool(reasons), request=request)
        for kind in KINDS
        if request.count(kind) > 0
    )
    alternatives = (
        ()
        if reasons or not request.alternatives
        else tuple(s for line in lines if (s := cheapest_split(price_list, line.kind, line.programmes)))
    )
    return Quote(request, price_list, lines, rate, bool(reasons), reasons, alternatives)


def tailored_reasons(price_list: PriceList, request: QuoteRequest) -> tuple[str, ...]:
    """Why the scheme must be asked for tailored costs, if it must."""
    rule = price_list.tailored
    reasons = []
    total = request.initial + request.reaccreditation
    if total > rule.programmes_more_than:
        reasons.append(
            f"{total} programmes in one request: more than {rule.programmes_more_than} programmes need tailored costs"
        )
    if request.largest_mentors is not None and request.largest_mentors >= rule.mentors_at_least:
        reasons.append(
            f"a programme of {request.largest_mentors} mentors: a programme is defined as fewer than "
            f"{rule.mentors_at_least} mentors, so larger ones need tailored costs"
        )
    return tuple(reasons)


def _line(
    price_list: PriceList, kind: str, programmes: int, tailored: bool, request: QuoteRequest
) -> QuoteLine:
    band = None if tailored else band_for(price_list, programmes)
    named = tuple(p for p in request.named if p.kind == kind)
    return QuoteLine(kind, programmes, band, None if band is None else band_price(band, kind), named)


def cheapest_split(price_list: PriceList, kind: str, programmes: int) -> Split | None:
    """The cheapest way to apply for ``programmes`` as separate applications,
    when that beats one combined application; None when it does not."""
    combined = band_for(price_list, programmes)
    if combined is None:
        return None
    cost, sizes = _cheapest_partition(price_list, kind, programmes)
    combined_net = band_price(combined, kind)
    if cost >= combined_net:
        return None
    return Split(kind, programmes, sizes, cost, combined_net)


def _cheapest_partition(price_list: PriceList, kind: str, programmes: int) -> tuple[Decimal, tuple[int, ...]]:
    """Dynamic programming over application sizes: best[n] is the least cost for
    n programmes; ties keep fewer applications (a larger first application)."""
    best: list[tuple[Decimal, tuple[int, ...]]] = [(Decimal(0), ())]
    largest = price_list.bands[-1].up_to
    for count in range(1, programmes + 1):
        options = []
        for size in range(min(count, largest), 0, -1):
            band = band_for(price_list, size)
            assert band is not None
            rest_cost, rest_sizes = best[count - size]
            options.append((band_price(band, kind) + rest_cost, len(rest_sizes) + 1, (size, *rest_sizes)))
        cost, _, sizes = min(options, key=lambda option: (option[0], option[1]))
        best.append((cost, tuple(sorted(sizes, reverse=True))))
    return best[programmes]


def _check_request(request: QuoteRequest) -> None:
    problems = []
    for kind in KINDS:
        if request.count(kind) < 0:
            problems.append(Problem(f"cannot be negative (got {request.count(kind)})", field=f"--{kind}"))
    if request.initial + request.reaccreditation <= 0 and not problems:
        left_out = "; ".join(p.reason or p.name for p in request.left_out)
        problems.append(
            Problem(
                f"nothing to quote: every programme is left out ({left_out})"
                if left_out
                else "nothing to quote",
                suggestion="give --initial N and/or --reaccreditation N, or submission files",
            )
        )
    if request.largest_mentors is not None and request.largest_mentors < 1:
        problems.append(Problem(f"must be at least 1 (got {request.largest_mentors})", field="--mentors"))
    if request.vat_rate is not None and (vat_problem := vat_rate_problem(request.vat_rate)):
        problems.append(Problem(vat_problem, field="--vat-rate"))
    if problems:
        raise NumsError(problems)


NOT_ADDRESSED = "Not addressed: this quote was made without naming whom it is for (nums quote --to)."


def whom_to_ask(result: Quote) -> str:
    """How to pay or whom to ask, in the price list's words; the price list's silence said."""
    issuer = result.price_list.issuer
    if issuer is None:
        return "The price list names no issuer: ask the scheme how to pay."
    parts = [issuer.payment] if issuer.payment else []
    if issuer.email:
        parts.append(f"Contact: {issuer.email}.")
    parts.append(" ".join(issuer.ask.split()))
    return " ".join(parts)
