"""How much a submission, a review or an edition file may hold, so that its pack or letter is made
in seconds.

These are nums' own limits, not the standard's (it sets no word counts). They are generous: the
shipped examples hold 1,500 to 8,000 characters of text and cite 10 to 60 pieces of evidence,
and a long real application might hold 60,000. But the pack is laid out by WeasyPrint at about
fifteen pages a second on a two-core machine, and without a bound a valid 5 MiB file became a
pack of thousands of pages that took many minutes; with these limits the largest possible pack
(190 pages) takes about ten seconds. A file over a limit is refused by every command, at once,
naming the part that holds most of its text or its longest list of evidence, so a coordinator
learns it from `nums validate` (or the browser) and not after a long wait for the pack. Each file
of an edition has the same limit (the whole 2021 edition holds 14,500 characters), so a folder
given with `--standard` cannot make the pack's criteria pages endless either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from nums.errors import Problem
from nums.yamlsource import Location, YamlDocument

# Characters of text in one file: every value and every key, added up.
MAX_TEXT_CHARACTERS = 200_000
# Pieces of evidence cited in one submission, counting each citation (the pack lists each).
MAX_EVIDENCE_CITATIONS = 400

# The dates nums reads, in any file or option. Every date nums computes is a read date moved by
# an edition's periods (each at most MAX_PERIOD_MONTHS or MAX_PERIOD_DAYS), so with these bounds
# no calculation can leave the calendar Python keeps (years 1 to 9999): a year-9999 date made
# `quote`, `pack`, `portfolio` and `review` crash adding a year to it. They are far wider than
# any accreditation needs, and the lower one also catches a year typed short (0026 for 2026).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# The longest period an edition may set (validity, time at a level, reminders, a quote's
# validity): a hundred years, so that FIRST_DAY and LAST_DAY moved by any of them stay dates.
MAX_PERIOD_MONTHS = 1200
MAX_PERIOD_DAYS = 36_600
# How far ahead `nums portfolio --horizon` may look for awards ending: ten years of days, past
# any renewal a university plans for, and short of dates beyond LAST_DAY.
MAX_HORIZON_DAYS = 3660
# The largest number of programmes a price list's bands may reach: the cheapest split is found
# by a dynamic programme over every application size, whose time grows with its square.
MAX_BAND_PROGRAMMES = 1000

# Money: a VAT rate is a percentage of the net (and no rate is more than all of it), and a price
# in a price list is at most a billion. With both bounds every sum a quote makes (a few lines,
# the cheapest split over at most MAX_BAND_PROGRAMMES applications, VAT on top) keeps its pennies
# well inside the 28 digits Python's decimal arithmetic holds; a rate of 1e30 overflowed them.
MAX_VAT_RATE = Decimal(100)
MAX_PRICE = Decimal(1_000_000_000)

MAX_NAME_CHARACTERS = 300
"""Characters in a one-line field: the name of a programme, an institution, a department, a
framework, a person (coordinator, signatory, reviewer, who a quote is for), a role, an email
address. Real ones are far shorter (the examples' longest is 48). A name is shown on a pack's
cover in large type, in its tables and in every page's header: with only the total bounded, one
name of 50,000 characters made a pack of 228 pages that took 100 s (benchmarks/long_words.py)."""

MAX_TITLE_CHARACTERS = 1000
"""Characters in an evidence item's title: a line or two ("Mentor training programme"). A
title is shown twice in a pack, once in the narrow column of the evidence index."""
MAX_URL_CHARACTERS = 2048
"""Characters in a web address (an evidence url, a programme's website): the longest that common
browsers and the sitemaps protocol accept. A link's address is written into the PDF once for
every line the link's text takes."""

# What to do about too much text, by the kind of file.
ADVICE = {
    "submission": "shorten it, or put long documents in evidence files and cite them",
    "review": "shorten it: the letter quotes every comment",
}


def day_problem(day: date) -> str | None:
    """Why ``day`` is outside the dates nums reads, in words; None when it is inside."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    side = "too long ago" if day < FIRST_DAY else "too far ahead"
    return f"{day.isoformat()} is {side}: nums reads dates from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def text_problems(doc: YamlDocument, kind: str) -> list[Problem]:
    """One problem when ``doc`` holds more text than any pack should, placed where most of it is."""
    total, chain = _measure(doc.data)
    if total <= MAX_TEXT_CHARACTERS:
        return []
    where: Location = ()
    part, size = doc.data, total
    while chain is not None and chain[1] * 2 > size:  # down while one part holds most of it
        key, size, part, chain = chain
        where = (*where, key)
    if not where:
        message = f"holds {total:,} characters of text, and a {kind} may hold at most {MAX_TEXT_CHARACTERS:,}"
    else:
        here = (
            f"is {size:,} characters long" if isinstance(part, str) else f"holds {size:,} characters of text"
        )
        message = (
            f"{here}; the {kind} holds {total:,} in all, and at most {MAX_TEXT_CHARACTERS:,} are allowed"
        )
    return [doc.problem(where, message, ADVICE.get(kind))]


def name_problem(name: str | None, field: str) -> Problem | None:
    """A problem when a name given outside a file (``nums quote --to``) is longer than one may be."""
    if name is None or len(name) <= MAX_NAME_CHARACTERS:
        return None
    return Problem(
        f"is {len(name):,} characters long; a name may be at most {MAX_NAME_CHARACTERS:,}", field=field
    )


def citation_problems(doc: YamlDocument, cited: Sequence[tuple[Location, int]]) -> list[Problem]:
    """One problem, at the longest list, when a submission cites more evidence than a pack lists.

    ``cited`` holds where each list of evidence is and how many pieces it cites."""
    total = sum(count for _, count in cited)
    if total <= MAX_EVIDENCE_CITATIONS:
        return []
    where, most = max(cited, key=lambda entry: entry[1])
    message = (
        f"cites {most:,} pieces of evidence: a submission may cite at most {MAX_EVIDENCE_CITATIONS:,} "
        f"in all, and this one cites {total:,}"
    )
    return [doc.problem(where, message, "cite one index document or folder page instead of each file")]


def characters(value: Any) -> int:
    """Characters of text in ``value``, keys included: what ``MAX_TEXT_CHARACTERS`` counts."""
    return _measure(value)[0]


# The largest part of a value and, within it, its largest part, and so on: (key, size, value, next).
_Chain = tuple[str | int, int, Any, "_Chain | None"]


def _measure(value: Any) -> tuple[int, _Chain | None]:
    """Characters of text in ``value`` and the chain of its largest parts, in one pass (keys
    count towards the size; a chain link is a tuple, so no part is measured twice)."""
    if isinstance(value, str):
        return len(value), None
    if isinstance(value, dict):
        total, parts = sum(len(key) for key in value if isinstance(key, str)), value.items()
    elif isinstance(value, list | tuple):
        total, parts = 0, enumerate(value)
    else:
        return 0, None
    largest: _Chain | None = None
    for key, inner in parts:
        size, chain = _measure(inner)
        total += size
        if largest is None or size > largest[1]:
            largest = (key, size, inner, chain)
    return total, largest
