"""Readable terminal text for the edition. Reports for assessments, reviews
and quotes live beside it in their own modules; this one only formats.

Every report is built from ``wrap`` and ``heading``, which show applicant text in its visible
form (``nums.escaping.visible``: control characters, line breaks and bidi overrides as
escapes), and from lines that pass such text through ``shown``. So a programme named with an
escape sequence is printed as ``\x1b[31m``, never sent to the terminal."""

from __future__ import annotations

import re
import shutil
import textwrap
from fractions import Fraction
from typing import TYPE_CHECKING

import click

from nums.escaping import visible

if TYPE_CHECKING:
    from nums.standard import Criterion, Edition, Pillar


def width() -> int:
    """The terminal's width, kept between 60 and 100 columns for reading."""
    return max(60, min(100, shutil.get_terminal_size((88, 24)).columns))


shown = visible
"""Text for a terminal line that is not wrapped or a heading: its visible form."""


def wrap(text: str, indent: int, first: str = "") -> str:
    """``first`` then ``text`` (in its visible form) wrapped, continuation lines under the text."""
    pad = " " * indent
    first = visible(first)
    lines = textwrap.wrap(visible(text), width=width() - indent, break_on_hyphens=False) or [""]
    label = first.ljust(indent) if len(first) < indent else first + " "
    head = (label if first else pad) + lines[0]
    return "\n".join([head, *(pad + line for line in lines[1:])])


_STYLE = re.compile("(\x1b\\[1m|\x1b\\[0m)")  # what click.style writes for ``heading``: bold, then reset


def terminal_text(report: str) -> str:
    """A report as it may reach a terminal: its line breaks and nums' own bold kept, every other
    control character in its visible form. The reports already show applicant text through
    ``wrap``, ``heading`` and ``shown``; this is the last line of defence for a line that
    forgot, used by every command that prints a report."""
    parts = _STYLE.split(report)
    return "".join(
        part if index % 2 else "\n".join(visible(line) for line in part.split("\n"))
        for index, part in enumerate(parts)
    )


def fraction_words(fraction: Fraction) -> str:
    """1/2 as "half", 2/3 as "2/3": how people say the best-fit threshold."""
    return {Fraction(1, 2): "half", Fraction(1, 3): "a third", Fraction(1, 4): "a quarter"}.get(
        fraction, str(fraction)
    )


def heading(text: str) -> str:
    """``text`` in its visible form, in bold."""
    return click.style(visible(text), bold=True)


def edition_overview(edition: Edition) -> str:
    """Every pillar, level by level, one line per criterion or topic."""
    min_pillars = edition.rules.overall.min_pillars_at_level
    out = [
        heading(f"{edition.title} ({edition.id})"),
        f"Levels: {', '.join(lvl.name for lvl in edition.rules.levels)}. A pillar reaches a level when more than "
        f"{fraction_words(edition.rules.best_fit.more_than_fraction)} of that level's items are met and every lower level is "
        f"reached; the programme reaches a level when {min_pillars} of the {len(edition.pillars)} pillars do.",
    ]
    for pillar in edition.pillars:
        out += ["", *_pillar_lines(edition, pillar, full=False)]
    out += ["", "Show one pillar or criterion in full: nums standards show aims.7"]
    return "\n".join(out)


def pillar_detail(edition: Edition, pillar: Pillar) -> str:
    return "\n".join(_pillar_lines(edition, pillar, full=True))


def _pillar_lines(edition: Edition, pillar: Pillar, full: bool) -> list[str]:
    lines = [heading(f"Pillar {pillar.number} – {pillar.name}  [{pillar.id}]")]
    for level in edition.levels:
        criteria = pillar.criteria_at(level)
        count = len(pillar.items_at(level))
        needed = edition.rules.best_fit.needed(count)
        lines.append(f"  {edition.level_name(level)} ({needed} of {count} items to reach it)")
        for criterion in criteria:
            lines += _criterion_lines(criterion, full)
        if full:
            examples = pillar.evidence_examples.get(level) or ()
            lines.append(wrap(", ".join(examples) or "none listed", 8, "      Evidence examples: ".ljust(8)))
    return lines


def _criterion_lines(criterion: Criterion, full: bool) -> list[str]:
    label = criterion.id
    text = (
        " – ".join(part for part in (criterion.heading, criterion.text) if part) if full else criterion.text
    )
    lines = [wrap(text, 26, f"    {label}")]
    for topic in criterion.topics:
        lines.append(wrap(topic.text, 26, f"      {criterion.id}.{topic.letter}"))
    if criterion.methods:
        lines.append(wrap("met by any one of: " + "; ".join(criterion.methods), 26))
    if full:
        if criterion.footnote:
            lines.append(wrap(criterion.footnote, 26, "      footnote"))
        for erratum in criterion.errata:
            lines.append(wrap(f"[{erratum.kind}] {erratum.note}", 26, "      erratum"))
    return lines


def criterion_detail(edition: Edition, ident: str) -> str:
    """One criterion or topic with everything the edition says about it."""
    try:
        item = edition.item(ident)
        criterion = edition.criterion(item.criterion)
    except KeyError:
        item = None
        criterion = edition.criterion(ident)
    pillar = edition.pillar(criterion.pillar)
    lines = [
        heading(ident),
        f"Pillar:    {pillar.number} – {pillar.name}",
        f"Level:     {edition.level_name(criterion.level)}",
    ]
    number = item.number if item else criterion.number
    if criterion.printed_number:
        number += f" (printed as {criterion.printed_number})"
    lines.append(f"Number:    {number}")
    if criterion.group:
        lines.append(f"For:       {criterion.group}")
    if item and item.id != criterion.id:
        lines.append(wrap(item.text, 11, "Topic:"))
        lines.append(wrap(item.parent or "", 11, "Under:"))
    else:
        if criterion.heading:
            lines.append(wrap(criterion.heading, 11, "Heading:"))
        lines.append(wrap(criterion.text, 11, "Text:"))
    for topic in criterion.topics if item is None else ():
        lines.append(wrap(topic.text, 11, f"  {criterion.id}.{topic.letter}"))
    if criterion.methods:
        lines.append("Met by any one of:")
        lines += [wrap(method, 11, "  -") for method in criterion.methods]
    if criterion.footnote:
        lines.append(wrap(criterion.footnote, 11, "Footnote:"))
    for erratum in criterion.errata:
        lines.append(wrap(f"[{erratum.kind}] {erratum.note}", 11, "Erratum:"))
        if erratum.likely_reading:
            lines.append(wrap(f"likely reading: {erratum.likely_reading}", 11))
    examples = ", ".join(criterion.evidence_examples) or "none listed in the source for this level"
    lines.append(wrap(examples, 11, "Evidence:"))
    return "\n".join(lines)
